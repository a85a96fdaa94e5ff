"""The whole pipeline on the real bundled lists, in this process."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from batchkit import Runner, read_csv, write_csv
from listed import LISTED, UNLISTED

from sanctrace.batch.columns import ColumnOptions
from sanctrace.batch.readers import open_input
from sanctrace.batch.rows import COLUMNS
from sanctrace.errors import SanctraceError

HOSTILE = '=HYPERLINK("http://evil.example","click")'


def _names_csv(tmp_path: Path) -> Path:
    rows = [[f"C-{i:03d}", name, ""] for i, name in enumerate([*LISTED, *UNLISTED], 1)]
    rows[0][2] = "RU"
    rows.append(["C-100", "", ""])  # empty name: skipped, still in the output
    rows.append(["C-101", HOSTILE, ""])
    return write_csv(tmp_path / "names.csv", ["customer_id", "Full Name", "Country"], rows)


def _ids_by_key(rows: list[dict[str, str]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["input_key"], set())
        if row["id"]:
            found[row["input_key"]].add(row["id"])
    return found


def test_listed_names_match_and_every_row_is_in_the_output(tmp_path: Path, run: Runner) -> None:
    source = _names_csv(tmp_path)
    summary = run(source, tmp_path / "out.csv", workers=1)
    rows = read_csv(tmp_path / "out.csv")
    assert list(rows[0]) == list(COLUMNS)
    found = _ids_by_key(rows)
    for i, (name, entity) in enumerate(LISTED.items(), 1):
        assert entity in found[f"C-{i:03d}"], name
    for i in range(len(LISTED) + 1, len(LISTED) + len(UNLISTED) + 1):
        assert found[f"C-{i:03d}"] == set()
    # every input row is in the output; rows without a match exactly once
    assert {r["input_row"] for r in rows} == {str(n) for n in range(2, 2 + 5 + 3 + 2)}
    per_row = Counter(r["input_row"] for r in rows)
    assert all(per_row[r["input_row"]] == 1 for r in rows if not r["id"])
    empty = next(r for r in rows if r["input_key"] == "C-100")
    assert empty["skipped"] == "empty name" and empty["id"] == ""
    assert all(r["skipped"] == "" for r in rows if r["input_key"] != "C-100")
    kupol = next(r for r in rows if r["id"] == "us_ofac_sdn:46431")
    assert kupol["input_name"] == "IEMZ Kupol" and kupol["match"] == "true"
    assert float(kupol["score"]) >= 0.8 and kupol["programs"] == "RUSSIA-EO14024"
    assert "acronym" in kupol["explanation"] and "country +0.03" in kupol["explanation"]
    assert kupol["lists"].split("; ") == [f"{d}@{v}" for d, v in run.lists.screener.versions]
    assert all(r["threshold"] == "0.8" for r in rows)
    # formula injection is neutralised
    hostile = next(r for r in rows if r["input_key"] == "C-101")
    assert hostile["input_name"] == "'" + HOSTILE
    # the mapping and the summary
    assert run.notes[0] == (
        "Columns: name='Full Name' (detected), key='customer_id' (detected), "
        "country='Country' (detected); not found: schema, birth_date, identifier"
    )
    assert summary.stats.read == 10 and summary.stats.skipped == {"empty name": 1}
    assert summary.stats.screened == 9 and summary.stats.matched == len(LISTED)
    assert summary.stats.errors == 0 and summary.stats.output_rows == len(rows)
    assert summary.lines()[0] == (
        f"Read 10 rows from {source}: 9 screened, 5 matched, 1 skipped (empty name: 1), 0 errors"
    )
    assert (
        not (tmp_path / "out.csv.partial").exists() and not (tmp_path / "out.errors.csv").exists()
    )


def test_best_only_datasets_and_threshold(tmp_path: Path, run: Runner) -> None:
    source = _names_csv(tmp_path)
    run(source, workers=1, best_only=True, datasets=("us_ofac_sdn",), threshold=0.9)
    rows = read_csv(run.stdout)
    assert Counter(r["input_row"] for r in rows) == Counter({str(n): 1 for n in range(2, 12)})
    assert {r["dataset"] for r in rows} == {"us_ofac_sdn", ""}
    assert all(r["lists"] == "us_ofac_sdn@2024-05-03" for r in rows)
    assert all(float(r["score"]) >= 0.9 for r in rows if r["score"])
    assert next(r for r in rows if r["input_key"] == "C-003")["id"] == "us_ofac_sdn:20157"


def test_every_input_format_gives_the_same_results(tmp_path: Path, run: Runner) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    import xlsxwriter

    names = [*LISTED, *UNLISTED]
    keys = [f"K{i}" for i in range(len(names))]
    sources = {
        "csv": write_csv(
            tmp_path / "in.csv", ["key", "name"], [[k, n] for k, n in zip(keys, names, strict=True)]
        )
    }
    tsv = tmp_path / "in.tsv"
    tsv.write_text("key\tname\n" + "".join(f"{k}\t{n}\n" for k, n in zip(keys, names, strict=True)))
    sources["tsv"] = tsv
    workbook = xlsxwriter.Workbook(str(tmp_path / "in.xlsx"))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["key", "name"])
    for i, (k, n) in enumerate(zip(keys, names, strict=True), 1):
        sheet.write_row(i, 0, [k, n])
    workbook.close()
    sources["xlsx"] = tmp_path / "in.xlsx"
    pq.write_table(pa.table({"key": keys, "name": names}), tmp_path / "in.parquet")
    sources["parquet"] = tmp_path / "in.parquet"
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(
        "".join(f'{{"key": "{k}", "name": "{n}"}}\n' for k, n in zip(keys, names, strict=True))
    )
    sources["jsonl"] = jsonl
    results = {}
    for fmt, path in sources.items():
        run(path, workers=1)
        rows = read_csv(run.stdout)
        results[fmt] = sorted((r["input_key"], r["input_name"], r["id"], r["score"]) for r in rows)
    assert (
        results["csv"]
        == results["tsv"]
        == results["xlsx"]
        == results["parquet"]
        == results["jsonl"]
    )
    assert ("K0", "IEMZ Kupol", "us_ofac_sdn:46431") in {r[:3] for r in results["csv"]}
    # standard input, CSV by default
    run("-", workers=1, stdin=io.BytesIO(sources["csv"].read_bytes()))
    assert (
        sorted((r["input_key"], r["input_name"], r["id"], r["score"]) for r in read_csv(run.stdout))
        == results["csv"]
    )


@pytest.mark.parametrize("fmt", ["tsv", "xlsx", "parquet", "jsonl"])
def test_every_output_format_holds_the_csv_results(tmp_path: Path, run: Runner, fmt: str) -> None:
    source = _names_csv(tmp_path)
    run(source, tmp_path / "out.csv", workers=1)
    expected = [tuple(r.values()) for r in read_csv(tmp_path / "out.csv")]
    run(source, tmp_path / f"out.{fmt}", workers=1)
    with open_input(str(tmp_path / f"out.{fmt}")) as reader:
        assert reader.columns == COLUMNS
        got = [_numbers(r.cells) for r in reader.rows()]
    if fmt in ("parquet", "jsonl"):  # data formats keep the name as it was
        expected = [tuple(c.removeprefix("'") for c in row) for row in expected]
    assert got == [_numbers(row) for row in expected]


def _numbers(cells: tuple[str, ...]) -> tuple[object, ...]:
    """Cells with the score and the threshold as numbers (a spreadsheet shows 1.0 as 1)."""
    score, threshold = COLUMNS.index("score"), COLUMNS.index("threshold")
    return tuple(float(c) if i in (score, threshold) and c else c for i, c in enumerate(cells))


def test_workers_give_the_same_output_as_one_process(tmp_path: Path, run: Runner) -> None:
    names = [*LISTED, *UNLISTED, ""] * 30
    source = write_csv(tmp_path / "in.csv", ["name"], [[n] for n in names])
    run(source, tmp_path / "one.csv", workers=1, chunk_size=16)
    summary = run(source, tmp_path / "two.csv", workers=2, chunk_size=16)
    assert summary.stats.read == len(names)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    run(source, workers=2, chunk_size=16)  # straight to stdout, in input order too
    assert run.stdout.encode() == (tmp_path / "one.csv").read_bytes()


def test_bad_rows_go_to_the_errors_file_and_the_run_goes_on(tmp_path: Path, run: Runner) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(
        b"id,name,country,dob\n"
        b"1,IEMZ Kupol,RU,\n"
        b"2,Kim Jong Un,KP,1984,extra\n"
        b"3,M\xfcller Handels GmbH,DE,\n"
        b"4," + b"A" * 1001 + b",,\n"
        b"5,Tornado Cash,Narnia,\n"
        b"6,Kim Jong Un,KP,someday\n"
        b"7,Bank Melli Iran,IR,\n"
    )
    summary = run(source, tmp_path / "out.csv", workers=1)
    errors = read_csv(tmp_path / "out.errors.csv")
    assert [(e["input_row"], e["input_key"]) for e in errors] == [
        ("3", ""),
        ("4", "3"),
        ("5", "4"),
        ("6", "5"),
        ("7", "6"),
    ]
    reasons = [e["reason"] for e in errors]
    assert reasons[0] == "expected 4 fields (as in the header), found 5"
    assert reasons[1].startswith("undecodable bytes: not UTF-8 text")
    assert reasons[2] == "name is 1,001 characters long; the limit is 1,000"
    assert reasons[3] == "country 'Narnia' is not a country (use an ISO code such as RU)"
    assert reasons[4].startswith("birth date 'someday' is not a date")
    rows = read_csv(tmp_path / "out.csv")
    assert {r["input_row"] for r in rows} == {str(n) for n in range(2, 9)}
    assert next(r for r in rows if r["input_row"] == "6")["skipped"].startswith("error: country")
    assert "us_ofac_sdn:25578" in {r["id"] for r in rows}, "rows after the errors are screened"
    assert summary.stats.errors == 5 and summary.stats.screened == 2
    assert summary.lines()[0].endswith(f"5 errors (see {tmp_path / 'out.errors.csv'})")

    with pytest.raises(SanctraceError) as stopped:
        run(source, tmp_path / "stop.csv", workers=1, chunk_size=2, max_errors=2)
    assert "stopped after 3 input errors, more than --max-errors 2" in str(stopped.value)
    assert not (tmp_path / "stop.csv").exists() and not (tmp_path / "stop.csv.partial").exists()
    assert len(read_csv(tmp_path / "stop.errors.csv")) == 3  # up to the chunk that passed 2

    run(source, workers=1, errors_file=str(tmp_path / "errs.csv"))  # stdout output
    assert len(read_csv(tmp_path / "errs.csv")) == 5
    run(source, workers=1)
    assert f"{source} line 3: expected 4 fields (as in the header), found 5" in run.notes


def test_existing_output_and_work_folder_are_not_replaced_unasked(
    tmp_path: Path, run: Runner
) -> None:
    source = _names_csv(tmp_path)
    out = tmp_path / "out.csv"
    out.write_text("keep me\n")
    with pytest.raises(SanctraceError, match="already exists: add --force"):
        run(source, out, workers=1)
    assert out.read_text() == "keep me\n"
    run(source, out, workers=1, force=True)
    assert "us_ofac_sdn:46431" in out.read_text()
    (tmp_path / "again.csv.partial").mkdir()
    with pytest.raises(SanctraceError, match=r"unfinished run: add --resume .* or --force"):
        run(source, tmp_path / "again.csv", workers=1)
    with pytest.raises(
        SanctraceError, match=r"has no column 'Nom'.*'customer_id', 'Full Name', 'Country'"
    ):
        run(
            source,
            tmp_path / "x.csv",
            columns=ColumnOptions(name="Nom"),
        )
    with pytest.raises(SanctraceError, match="would replace the input"):
        run(source, source, force=True)


class _Interrupt:
    """A progress reporter that presses Ctrl-C after some chunks."""

    def __init__(self, after_rows: int) -> None:
        self.after = after_rows
        self.rows = 0

    def start(self, total: int | None) -> None:
        self.total = total

    def advance(self, rows: int) -> None:
        self.rows += rows
        if self.rows >= self.after:
            raise KeyboardInterrupt

    def stop(self) -> None:
        pass


def test_interrupted_run_resumes_to_the_same_output(tmp_path: Path, run: Runner) -> None:
    names = [*LISTED, *UNLISTED, ""] * 20
    source = write_csv(tmp_path / "in.csv", ["name"], [[n] for n in names])
    run(source, tmp_path / "full.csv", workers=1, chunk_size=10)
    out = tmp_path / "out.csv"
    with pytest.raises(KeyboardInterrupt):
        run(source, out, workers=1, chunk_size=10, progress=_Interrupt(after_rows=50))
    assert not out.exists() and len(list((tmp_path / "out.csv.partial").glob("chunk-*"))) == 5
    assert "run the same command with --resume" in run.notes[-1]
    with pytest.raises(SanctraceError, match="the options differ"):
        run(source, out, workers=1, chunk_size=10, resume=True, threshold=0.5)
    summary = run(source, out, workers=2, chunk_size=10, resume=True)
    assert run.notes[1] == f"Resuming: 50 rows were already screened (5 chunks in {out}.partial)"
    assert summary.resumed_rows == 50 and summary.stats.read == len(names)
    assert out.read_bytes() == (tmp_path / "full.csv").read_bytes()
    assert not (tmp_path / "out.csv.partial").exists()
    # a changed input cannot be resumed
    with pytest.raises(KeyboardInterrupt):
        run(source, out, workers=1, chunk_size=10, force=True, progress=_Interrupt(after_rows=10))
    with source.open("a") as fh:
        fh.write("Someone Else\n")
    with pytest.raises(
        SanctraceError, match=r"the input file changed.*--force instead of --resume"
    ):
        run(source, out, workers=1, chunk_size=10, resume=True)
