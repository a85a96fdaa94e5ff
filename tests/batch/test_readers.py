"""Reading rows from each input format, with the row numbers a user sees."""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path

import pytest

from sanctrace.batch.readers import RawRow, detect_input_format, open_input
from sanctrace.errors import MissingFileError, SanctraceError


def _rows(source: str, **kw: object) -> tuple[tuple[str, ...], list[RawRow]]:
    with open_input(source, **kw) as reader:  # type: ignore[arg-type]
        return reader.columns, list(reader.rows())


def test_csv_line_numbers_bom_blank_lines_and_quoted_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(
        codecs.BOM_UTF8
        + b'id,name\r\n1,IEMZ Kupol\r\n\r\n2,"Bank\r\nMelli"\r\n3,"Kim, Jong Un"\r\n,,\r\n4,\r\n'
    )
    columns, rows = _rows(str(path))
    assert columns == ("id", "name"), "the UTF-8 byte-order mark is not part of the header"
    assert rows == [
        RawRow(2, ("1", "IEMZ Kupol")),
        RawRow(4, ("2", "Bank\r\nMelli")),
        RawRow(6, ("3", "Kim, Jong Un")),
        RawRow(7, ("", "")),  # a row of empty fields is a row (with an empty name)
        RawRow(8, ("4", "")),
    ]


def test_csv_bad_rows_are_rows_with_an_error(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(
        "id,name\n1,Zürich AG\n2,a,b\n3,M\xfcller GmbH\n4\n5,ok\n".encode().replace(
            b"M\xc3\xbcller",
            b"M\xfcller",  # one Latin-1 byte in a UTF-8 file
        )
    )
    _, rows = _rows(str(path))
    assert [(r.number, r.error is None) for r in rows] == [
        (2, True),
        (3, False),
        (4, False),
        (5, False),
        (6, True),
    ]
    assert rows[1].error == "expected 2 fields (as in the header), found 3"
    assert rows[2].error is not None and rows[2].error.startswith("undecodable bytes: not UTF-8")
    assert rows[2].cells == ("3", "M\ufffdller GmbH")
    assert rows[3].error == "expected 2 fields (as in the header), found 1"
    # the same bytes read as the encoding they are in
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("id,name\n3,Müller GmbH\n".encode("cp1252"))
    assert _rows(str(latin), encoding="cp1252")[1] == [RawRow(2, ("3", "Müller GmbH"))]


def test_undecodable_header_and_unknown_encoding_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes("Namé,id\nx,1\n".encode("cp1252"))
    with pytest.raises(SanctraceError) as bad:
        _rows(str(path))
    assert str(bad.value).startswith(f"{path} line 1: the header is not valid UTF-8 text")
    with pytest.raises(SanctraceError, match="unknown encoding 'klingon'"):
        _rows(str(path), encoding="klingon")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SanctraceError, match="is empty"):
        _rows(str(empty))


def test_utf16_tsv_and_stdin(tmp_path: Path) -> None:
    path = tmp_path / "in.tsv"
    path.write_bytes("name\tcountry\nАлмаз-Антей\tRU\n".encode("utf-16"))
    assert _rows(str(path)) == (("name", "country"), [RawRow(2, ("Алмаз-Антей", "RU"))])
    stdin = io.BytesIO(b"name\nTornado Cash\n")
    assert _rows("-", stdin=stdin) == (("name",), [RawRow(2, ("Tornado Cash",))])
    jsonl = io.BytesIO(b'{"name": "Kim Jong Un"}\n')
    assert _rows("-", fmt="jsonl", stdin=jsonl) == (("name",), [RawRow(1, ("Kim Jong Un",))])


def test_xlsx_rows_are_numbered_as_the_spreadsheet_shows_them(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "in.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(1, 0, ["Customer ID", "Name", "DOB"])  # header on row 2
    sheet.write_row(2, 0, [1001, "Kim Jong Un", "1984-01-08"])
    sheet.write_row(4, 0, [1002.5, "Tornado Cash"])  # row 4 empty
    workbook.close()
    columns, rows = _rows(str(path))
    assert columns == ("Customer ID", "Name", "DOB")
    assert rows == [
        RawRow(3, ("1001", "Kim Jong Un", "1984-01-08")),
        RawRow(5, ("1002.5", "Tornado Cash", "")),
    ]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(SanctraceError, match="cannot read the workbook"):
        _rows(str(bad))


def test_parquet_and_json_lines(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "in.parquet"
    table = pa.table(
        {
            "id": pa.array([1, 2, None], pa.int64()),
            "name": ["IEMZ Kupol", None, "Kim Jong Un"],
            "countries": [["RU"], [], ["KP", "CN"]],
        }
    )
    pq.write_table(table, path)
    assert _rows(str(path)) == (
        ("id", "name", "countries"),
        [
            RawRow(1, ("1", "IEMZ Kupol", "RU")),
            RawRow(2, ("2", "", "")),
            RawRow(3, ("", "Kim Jong Un", "KP; CN")),
        ],
    )
    lines = tmp_path / "in.jsonl"
    lines.write_text(
        "\n".join(
            [
                "not json",
                json.dumps({"name": "IEMZ Kupol", "id": 7, "dob": None}),
                "",
                "[1, 2]",
                json.dumps({"id": "x", "name": "Tornado Cash", "other": True}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    columns, rows = _rows(str(lines))
    assert columns == ("name", "id", "dob")
    assert rows[0].number == 1 and rows[0].error and rows[0].error.startswith("not valid JSON")
    assert rows[1] == RawRow(2, ("IEMZ Kupol", "7", ""))
    assert rows[2] == RawRow(4, (), "not a JSON object but list")
    assert rows[3] == RawRow(5, ("Tornado Cash", "x", ""))


def test_formats_from_names() -> None:
    assert detect_input_format("a.CSV", None) == "csv"
    assert detect_input_format("a.tsv", None) == "tsv"
    assert detect_input_format("a.xlsx", None) == "xlsx"
    assert detect_input_format("a.parquet", None) == "parquet"
    assert detect_input_format("a.ndjson", None) == "jsonl"
    assert detect_input_format("-", None) == "csv"
    assert detect_input_format("a.txt", "tsv") == "tsv"
    with pytest.raises(SanctraceError, match="--input-format"):
        detect_input_format("names.txt", None)
    with pytest.raises(MissingFileError, match=r"names\.csv: file not found"):
        open_input("/nonexistent/names.csv")


def _transposed(source: str, size: int) -> list[RawRow]:
    """The rows of ``column_batches``, turned back into rows."""
    out = []
    with open_input(source, None) as reader:
        for batch in reader.column_batches(size):
            for k, number in enumerate(batch.numbers):
                cells = tuple(column[k] for column in batch.columns)
                out.append(RawRow(number, cells, batch.errors.get(k)))
    return out


def test_column_batches_give_the_cells_rows_give(tmp_path: Path) -> None:
    """Trade screening reads Parquet a column at a time; every type gives the text (and the
    undecodable rows their error) that row-at-a-time reading gives, in batches of any size."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "typed.parquet"
    table = pa.table(
        {
            "id": pa.array([1, 2, None, 4], pa.int64()),
            "name": pa.array(["IEMZ Kupol", None, "Kim Jong Un", "IEMZ Kupol"]).dictionary_encode(),
            "plain": pa.array(["a", "b", None, "=1+2"], pa.string()),
            "value": pa.array([1.0, 2.5, None, 1e20], pa.float64()),
            "day": pa.array([dt.date(2024, 5, 1), None, dt.date(2024, 5, 1), None]),
            "flag": pa.array([True, False, None, True]),
            "raw": pa.array([b"ok", b"\xff\xfe bad", None, b"ok"], pa.binary()),
            "tags": pa.array([["RU"], [], None, ["KP", "CN"]]),
            "meta": pa.array([{"k": 1}, None, {"k": 2}, {"k": 3}]),
        }
    )
    pq.write_table(table, path)
    with open_input(str(path), None) as reader:
        expected = list(reader.rows())
    assert expected[1].error and "undecodable" in expected[1].error
    for size in (1, 3, 100):
        assert _transposed(str(path), size) == expected
    csv_path = tmp_path / "in.csv"
    csv_path.write_bytes(b"id,name\n1,IEMZ Kupol\n2,\xff\n3\n")
    with open_input(str(csv_path), None) as reader:
        rows = list(reader.rows())
    transposed = _transposed(str(csv_path), 2)
    assert [r.number for r in transposed] == [r.number for r in rows]
    assert [r.error for r in transposed] == [r.error for r in rows]
    assert transposed[0].cells == rows[0].cells
