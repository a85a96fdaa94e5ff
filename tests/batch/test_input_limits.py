"""Hostile inputs refused while they are read (issue 14, finding 1): the 532-byte Parquet
dictionary bomb, an XLSX of cloned shared strings, a 50 MB CSV field, too many columns or rows,
an over-long JSON line; each with one line naming the file, the limit and its option, and
nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from batchkit import Runner, write_csv
from bombs import parquet_bomb, xlsx_bomb

from sanctrace.batch.chunks import AUDIT_TEXT, ChunkResult, ChunkStats, audit_rows, make_chunks
from sanctrace.batch.columns import InputRecord
from sanctrace.batch.limits import InputLimitError, InputLimits
from sanctrace.batch.rows import skipped_row


def _refused(run: Runner, source: Path, tmp_path: Path, **options: object) -> str:
    output = tmp_path / "out.csv"
    with pytest.raises(InputLimitError) as caught:
        run(source, output, workers=1, **options)
    assert not output.exists()
    assert not (tmp_path / "out.csv.partial").exists(), "nothing left half-written"
    message = str(caught.value)
    assert "\n" not in message and str(source) in message
    return message


def test_the_parquet_bomb_is_refused_before_it_is_decoded(run: Runner, tmp_path: Path) -> None:
    bomb = parquet_bomb(tmp_path / "bomb.parquet")
    assert bomb.stat().st_size < 1000
    message = _refused(run, bomb, tmp_path)
    assert "record 1, column 'name': a cell of 1,048,576 bytes" in message
    assert "1,000,000 bytes per cell (--max-cell-bytes raises it)" in message
    # Cells allowed, the total is not: refused part way, with memory bounded by the slices.
    message = _refused(run, bomb, tmp_path, limits=InputLimits(max_cell_bytes=2_000_000))
    assert "--max-input-bytes" in message


def test_a_parquet_footer_over_the_limits_is_refused(run: Runner, tmp_path: Path) -> None:
    source = tmp_path / "many.parquet"
    pq.write_table(pa.table({"name": [f"N{i}" for i in range(50)]}), source)
    message = _refused(run, source, tmp_path, limits=InputLimits(max_rows=10))
    assert "50 records is over the limit of 10 rows (--max-rows raises it)" in message
    wide = tmp_path / "wide.parquet"
    pq.write_table(pa.table({f"c{i}": ["x"] for i in range(20)}), wide)
    assert "--max-cells-per-row" in _refused(run, wide, tmp_path, limits=InputLimits(max_cells=5))


def test_parquet_list_cells_are_measured_from_their_items(run: Runner, tmp_path: Path) -> None:
    source = tmp_path / "lists.parquet"
    names = pa.array([["Kupol", "B" * 600], ["ok"]], pa.list_(pa.string()))
    pq.write_table(pa.table({"name": names}), source)
    message = _refused(run, source, tmp_path, limits=InputLimits(max_cell_bytes=500))
    assert "record 1, column 'name': a cell of 605 bytes" in message


def test_an_xlsx_of_cloned_shared_strings_is_refused(run: Runner, tmp_path: Path) -> None:
    # 6,000 rows x 32,000 characters: 200 MB in calamine from a file of ~40 KB.
    bomb = xlsx_bomb(tmp_path / "bomb.xlsx", 6_000)
    assert bomb.stat().st_size < 100_000
    message = _refused(run, bomb, tmp_path, limits=InputLimits(memory=64_000_000))
    assert "opening its first sheet" in message and "--memory-budget raises it" in message
    # Within the memory, the cells are still counted as they leave calamine.
    small = xlsx_bomb(tmp_path / "small.xlsx", 20)
    message = _refused(run, small, tmp_path, limits=InputLimits(max_bytes=100_000))
    assert "row 5: the text read so far is over the limit of 100,000" in message


def test_a_50_mb_csv_field_is_refused(run: Runner, tmp_path: Path) -> None:
    source = tmp_path / "field.csv"
    with source.open("w") as fh:
        fh.write('id,name\n1,Kupol\n2,"')
        fh.write("A" * 50_000_000)
        fh.write('"\n')
    message = _refused(run, source, tmp_path)
    assert "line 3: a field is over the limit of 1,000,000 bytes per cell" in message
    # On one line with no quotes, the line itself is cut off first (a quarter of the memory).
    flat = tmp_path / "flat.csv"
    flat.write_text("id,name\n1," + "A" * 20_000_000 + "\n")
    message = _refused(run, flat, tmp_path, limits=InputLimits(memory=64_000_000))
    assert "line 2: a line longer than a quarter" in message and "--memory-budget" in message


def test_too_many_columns_or_rows_are_refused(run: Runner, tmp_path: Path) -> None:
    wide = write_csv(tmp_path / "wide.csv", [f"c{i}" for i in range(12)], [["x"] * 12])
    message = _refused(run, wide, tmp_path, limits=InputLimits(max_cells=10))
    assert "line 1: a header of 12 cells is over the limit of 10 cells per row" in message
    rows = write_csv(tmp_path / "rows.csv", ["name"], [[f"Name {i}"] for i in range(5)])
    message = _refused(run, rows, tmp_path, limits=InputLimits(max_rows=3), chunk_size=2)
    assert "line 5: the file is over the limit of 3 rows (--max-rows raises it)" in message
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text("".join(f'{{"name": "N{i}"}}\n' for i in range(5)))
    assert "--max-rows" in _refused(run, jsonl, tmp_path, limits=InputLimits(max_rows=3))


def test_an_over_long_json_line_is_refused(run: Runner, tmp_path: Path) -> None:
    source = tmp_path / "long.jsonl"
    source.write_text('{"name": "Kupol"}\n{"name": "' + "A" * 20_000_000 + '"}\n')
    message = _refused(run, source, tmp_path, limits=InputLimits(memory=64_000_000))
    assert "line 2: a line longer than a quarter" in message


def test_files_within_the_limits_are_read_whole(run: Runner, tmp_path: Path) -> None:
    rows = write_csv(tmp_path / "ok.csv", ["name"], [["IEMZ Kupol"], ["Someone"], ["Bank Melli"]])
    summary = run(rows, tmp_path / "ok-out.csv", workers=1, limits=InputLimits(max_rows=3))
    assert summary.stats.read == 3


def test_chunks_are_cut_by_their_bytes() -> None:
    records = [InputRecord(i, str(i), "N" * 100) for i in range(10)]
    sizes = [len(c) for _, c in make_chunks(records, 1000, max_bytes=250)]
    assert sizes == [3, 3, 3, 1]
    assert [len(c) for _, c in make_chunks(records, 4)] == [4, 4, 2]


def test_audit_rows_cut_long_names_and_keys() -> None:
    name = "A" * 50_000
    row = skipped_row("K" * 5_000, 2, name, "error: too long", 0.8, ())
    rows = audit_rows(ChunkResult(0, [row], [], ChunkStats()))
    assert rows[0][0] == 2
    assert rows[0][1].startswith("K" * AUDIT_TEXT) and "(+4,000 characters)" in rows[0][1]
    assert len(rows[0][2]) < AUDIT_TEXT + 40 and "(+49,000 characters)" in rows[0][2]


def test_limits_are_checked() -> None:
    with pytest.raises(Exception, match="--max-rows must be at least 1"):
        InputLimits(max_rows=0)
    with pytest.raises(Exception, match="--memory-budget must be at least"):
        InputLimits(memory=1000)
