"""Rows of a table file, streamed: CSV, TSV, XLSX (and the other spreadsheets calamine reads),
Parquet and JSON lines, from a path or from standard input.

Every row carries its 1-based number as the user sees it: the line in a CSV, TSV or JSON lines
file (the header is line 1; a row with a quoted line break is numbered by its first line), the
row in a spreadsheet, the record in a Parquet file. A row that cannot be read (undecodable bytes,
the wrong number of fields, a line that is not a JSON object) is still yielded, with an ``error``
saying why, so the caller can report it and go on.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, BinaryIO

from sanctrace.batch.formats import format_of
from sanctrace.errors import SanctraceError
from sanctrace.sources._values import cell_text

STDIN = "-"


class InputFormat(StrEnum):
    csv = "csv"
    tsv = "tsv"
    xlsx = "xlsx"
    parquet = "parquet"
    jsonl = "jsonl"


#: File name endings -> format (spreadsheets other than .xlsx are read the same way).
INPUT_EXTENSIONS = {
    ".csv": InputFormat.csv,
    ".tsv": InputFormat.tsv,
    ".tab": InputFormat.tsv,
    ".xlsx": InputFormat.xlsx,
    ".xlsm": InputFormat.xlsx,
    ".xls": InputFormat.xlsx,
    ".ods": InputFormat.xlsx,
    ".parquet": InputFormat.parquet,
    ".pq": InputFormat.parquet,
    ".jsonl": InputFormat.jsonl,
    ".ndjson": InputFormat.jsonl,
}

#: Text that could not be decoded (surrogateescape) or lone surrogates from JSON escapes.
_SURROGATES = re.compile("[\ud800-\udfff]")
_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row: its number, its cells in header order, and why it is unreadable if it is."""

    number: int
    cells: tuple[str, ...]
    error: str | None = None


def detect_input_format(source: str, given: InputFormat | str | None) -> InputFormat:
    return format_of(source, given, InputFormat, INPUT_EXTENSIONS, "--input-format")


def _clean(text: str) -> str:
    """``text`` with undecodable bytes as U+FFFD, safe to write anywhere."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _undecodable(cells: tuple[str, ...]) -> bool:
    return any(_SURROGATES.search(c) for c in cells)


def value_text(value: Any) -> str:
    """A JSON or Parquet value as cell text: lists joined with "; ", numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "; ".join(t for t in (value_text(v) for v in value) if t)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    if isinstance(value, dt.date | dt.datetime | bool | float):
        return cell_text(value)
    return str(value)


class TableReader:
    """The columns of a table and its rows. Use as a context manager."""

    name: str
    columns: tuple[str, ...]
    #: What a row number counts: "line", "row" (spreadsheets) or "record" (Parquet).
    unit = "line"
    #: A file to close with the reader (standard input spooled to disk).
    closing: IO[bytes] | None = None

    def rows(self) -> Iterator[RawRow]:
        raise NotImplementedError

    def estimate_rows(self) -> int | None:
        """About how many data rows there are (for a progress bar), or None if unknown."""
        return None

    def close(self) -> None:
        if self.closing is not None:
            self.closing.close()

    def __enter__(self) -> TableReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _count_lines(path: Path | None) -> int | None:
    if path is None:
        return None
    count = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            count += block.count(b"\n")
    return count


def _sniff_encoding(binary: BinaryIO) -> str:
    """UTF-8 unless a byte-order mark says UTF-16 (a UTF-8 mark is dropped by utf-8-sig)."""
    peek = getattr(binary, "peek", None)
    head = peek(4)[:4] if peek else b""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8-sig"


class _CsvReader(TableReader):
    def __init__(
        self, name: str, binary: BinaryIO, path: Path | None, delimiter: str, encoding: str | None
    ) -> None:
        self.name = name
        self._path = path
        self._binary = binary
        self.encoding = encoding or _sniff_encoding(binary)
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise SanctraceError(f"unknown encoding {self.encoding!r}") from None
        self._text = io.TextIOWrapper(
            binary, encoding=self.encoding, errors="surrogateescape", newline=""
        )
        # strict: a quote left open at the end of the file is an error, not a swallowed rest
        self._reader = csv.reader(self._text, delimiter=delimiter, strict=True)
        self.header_line = 0
        header: list[str] = []
        while not header:
            self.header_line = self._reader.line_num + 1
            try:
                header = next(self._reader)
            except StopIteration:
                raise SanctraceError(f"{name} is empty: no header line") from None
            except csv.Error as exc:
                raise SanctraceError(f"{name} line {self.header_line}: {exc}") from None
            except UnicodeError as exc:
                raise SanctraceError(f"{name}: not {self.encoding} text ({exc})") from None
        if _undecodable(tuple(header)):
            raise SanctraceError(
                f"{name} line {self.header_line}: the header is not valid {_label(self.encoding)} "
                "text: save the file as UTF-8, or give its --encoding (e.g. cp1252)"
            )
        self.columns = tuple(h.strip() for h in header)

    def rows(self) -> Iterator[RawRow]:
        width = len(self.columns)
        reader = self._reader
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RawRow(start, (), f"not a valid CSV row ({exc})")
                continue
            except UnicodeError as exc:
                raise SanctraceError(
                    f"{self.name} line {start}: not {self.encoding} text ({exc})"
                ) from None
            if not row:
                continue  # a blank line
            if not any(cell.strip() for cell in row):
                row = [""] * width  # empty fields (",,," or ""): a row with an empty name
            cells = tuple(row)
            error = None
            if _undecodable(cells):
                cells = tuple(_clean(c) for c in cells)
                error = (
                    f"undecodable bytes: not {_label(self.encoding)} text "
                    "(save the file as UTF-8, or give its --encoding)"
                )
            if len(cells) != width:
                end = reader.line_num
                span = f" (the row runs over lines {start}-{end}: an unclosed quote?)" * (
                    end - start > 1
                )
                error = f"expected {width} fields (as in the header), found {len(cells)}{span}"
            yield RawRow(start, cells, error)

    def estimate_rows(self) -> int | None:
        lines = _count_lines(self._path)
        return None if lines is None else max(lines - self.header_line, 0)

    def close(self) -> None:
        if self._path is None:
            self._text.detach()  # leave standard input open
        else:
            self._text.close()


def _label(encoding: str) -> str:
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf-8-sig", "utf8")
    return "UTF-8" if utf8 else encoding


class _SpreadsheetReader(TableReader):
    unit = "row"

    def __init__(self, name: str, source: Path | IO[bytes]) -> None:
        from python_calamine import CalamineWorkbook

        self.name = name
        try:
            if isinstance(source, Path):
                workbook = CalamineWorkbook.from_path(str(source))
            else:
                workbook = CalamineWorkbook.from_filelike(source)
            if not workbook.sheet_names:
                raise SanctraceError(f"{name}: the workbook has no sheets")
            sheet = workbook.get_sheet_by_index(0)
            raw = iter(sheet.iter_rows())
            self._height = sheet.height
            self.columns = ()
            self._number = 0
            for cells in raw:
                self._number += 1
                if any(cell_text(c).strip() for c in cells):
                    self.columns = tuple(cell_text(c).strip() for c in cells)
                    break
        except SanctraceError:
            raise
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # calamine reports Rust panics as BaseException
            raise SanctraceError(f"{name}: cannot read the workbook ({exc})") from None
        if not self.columns:
            raise SanctraceError(f"{name}: the first sheet is empty: no header row")
        self._rows = raw
        self.header_line = self._number

    def rows(self) -> Iterator[RawRow]:
        width = len(self.columns)
        for cells in self._rows:
            self._number += 1
            texts = tuple(cell_text(c) for c in cells)
            if not any(t.strip() for t in texts):
                continue
            texts = (texts + ("",) * width)[:width]
            error = None
            if _undecodable(texts):
                texts = tuple(_clean(t) for t in texts)
                error = "the cells hold invalid text (lone surrogates)"
            yield RawRow(self._number, texts, error)

    def estimate_rows(self) -> int | None:
        return max(self._height - 1, 0)


class _ParquetReader(TableReader):
    unit = "record"

    def __init__(self, name: str, source: Path | IO[bytes]) -> None:
        import pyarrow.parquet as pq

        self.name = name
        try:
            self._file = pq.ParquetFile(source if not isinstance(source, Path) else str(source))
        except Exception as exc:
            raise SanctraceError(f"{name}: not a readable Parquet file ({exc})") from None
        self.columns = tuple(self._file.schema_arrow.names)

    def rows(self) -> Iterator[RawRow]:
        number = 0
        try:
            for batch in self._file.iter_batches(batch_size=4096):
                values = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
                for record in zip(*values, strict=True):
                    number += 1
                    cells = tuple(value_text(v) for v in record)
                    if _undecodable(cells):
                        yield RawRow(
                            number,
                            tuple(_clean(c) for c in cells),
                            "undecodable bytes: not UTF-8 text",
                        )
                    else:
                        yield RawRow(number, cells)
        except (OSError, ValueError) as exc:
            raise SanctraceError(f"{self.name} record {number + 1}: cannot read ({exc})") from None

    def estimate_rows(self) -> int | None:
        return int(self._file.metadata.num_rows)

    def close(self) -> None:
        self._file.close()
        super().close()


class _JsonLinesReader(TableReader):
    def __init__(self, name: str, binary: BinaryIO, path: Path | None) -> None:
        self.name = name
        self._binary = binary
        self._path = path
        self._lines = self._parse()
        self._pending: list[tuple[int, dict[str, Any] | None, str | None]] = []
        for number, record, error in self._lines:
            self._pending.append((number, record, error))
            if record is not None:
                self.columns = tuple(str(k) for k in record)
                break
        else:
            raise SanctraceError(f"{name}: no JSON object found (expected one object per line)")

    def _parse(self) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
        for number, line in enumerate(self._binary, 1):
            if number == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            if not line.strip():
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                yield number, None, "undecodable bytes: not UTF-8 text"
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                yield number, None, f"not valid JSON ({exc.msg} at column {exc.colno})"
                continue
            if not isinstance(record, dict):
                yield number, None, f"not a JSON object but {type(record).__name__}"
                continue
            yield number, record, None

    def rows(self) -> Iterator[RawRow]:
        def all_lines() -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
            yield from self._pending
            yield from self._lines

        for number, record, error in all_lines():
            if record is None:
                yield RawRow(number, (), error)
                continue
            cells = tuple(value_text(record.get(c)) for c in self.columns)
            if _undecodable(cells):
                yield RawRow(
                    number,
                    tuple(_clean(c) for c in cells),
                    "the line holds invalid text (lone surrogates)",
                )
            else:
                yield RawRow(number, cells)

    def estimate_rows(self) -> int | None:
        return _count_lines(self._path)

    def close(self) -> None:
        if self._path is not None:
            self._binary.close()


def _stdin_buffer() -> BinaryIO:
    return sys.stdin.buffer


def open_input(
    source: str,
    fmt: InputFormat | str | None = None,
    *,
    encoding: str | None = None,
    stdin: BinaryIO | None = None,
) -> TableReader:
    """A reader of ``source`` (a path, or ``-`` for standard input) in ``fmt`` (else from the
    file name; CSV on standard input)."""
    kind = detect_input_format(source, fmt)
    path: Path | None = None
    if source == STDIN:
        name = "<stdin>"
        binary = stdin if stdin is not None else _stdin_buffer()
    else:
        path = Path(source)
        name = source
        if path.is_dir():
            raise SanctraceError(f"cannot read {source}: it is a folder")
        try:
            binary = path.open("rb")
        except OSError as exc:
            raise SanctraceError(f"cannot read {source}: {exc.strerror}") from None
    try:
        if kind in (InputFormat.csv, InputFormat.tsv):
            delimiter = "\t" if kind is InputFormat.tsv else ","
            return _CsvReader(name, binary, path, delimiter, encoding)
        if kind is InputFormat.jsonl:
            return _JsonLinesReader(name, binary, path)
        # Spreadsheets and Parquet need random access: standard input is spooled to a file.
        if path is not None:
            binary.close()
            handle: Path | IO[bytes] = path
        else:
            spool = tempfile.TemporaryFile()  # noqa: SIM115 (the reader closes it)
            shutil.copyfileobj(binary, spool)
            spool.seek(0)
            handle = spool
        reader: TableReader
        if kind is InputFormat.xlsx:
            reader = _SpreadsheetReader(name, handle)
        else:
            reader = _ParquetReader(name, handle)
        if not isinstance(handle, Path):
            reader.closing = handle
        return reader
    except BaseException:
        if path is not None:
            binary.close()
        raise
