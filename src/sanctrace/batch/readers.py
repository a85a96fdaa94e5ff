"""Rows of a table file, streamed: CSV, TSV, XLSX (and the other spreadsheets calamine reads),
Parquet and JSON lines, from a path or from standard input.

Every row carries its 1-based number as the user sees it: the line in a CSV, TSV or JSON lines
file (the header is line 1; a row with a quoted line break is numbered by its first line), the
row in a spreadsheet, the record in a Parquet file. A row that cannot be read (undecodable bytes,
the wrong number of fields, a line that is not a JSON object) is still yielded, with an ``error``
saying why, so the caller can report it and go on. A file over its :class:`InputLimits` (bytes,
rows, cells per row, bytes per cell) is refused as it is read, before the memory is committed.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, BinaryIO

from sanctrace.batch.formats import format_of
from sanctrace.batch.limits import Counter, InputLimits
from sanctrace.errors import MissingFileError, SanctraceError
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


@dataclass
class CellBatch:
    """Rows in a batch, column by column: what a columnar consumer (trade screening) reads.
    ``errors`` maps a position in the batch to why that row is unreadable (its cells are "")."""

    numbers: list[int]
    columns: list[list[str]]
    errors: dict[int, str]


class TableReader:
    """The columns of a table and its rows. Use as a context manager."""

    name: str
    columns: tuple[str, ...]
    #: What a row number counts: "line", "row" (spreadsheets) or "record" (Parquet).
    unit = "line"
    #: A file to close with the reader (standard input spooled to disk).
    closing: IO[bytes] | None = None
    #: Rows and text read so far, against the limits.
    counter: Counter

    def rows(self) -> Iterator[RawRow]:
        raise NotImplementedError

    def column_batches(self, size: int = 65_536) -> Iterator[CellBatch]:
        """The rows of :meth:`rows`, ``size`` at a time (fewer when their text passes a chunk of
        the memory budget), transposed to columns."""
        width = len(self.columns)
        batch = CellBatch([], [[] for _ in range(width)], {})
        held, chunk = self.counter.bytes, self.counter.limits.chunk_bytes
        for raw in self.rows():
            if raw.error:
                batch.errors[len(batch.numbers)] = raw.error
                cells: tuple[str, ...] = ("",) * width
            else:
                cells = raw.cells + ("",) * (width - len(raw.cells))
            batch.numbers.append(raw.number)
            for column, cell in zip(batch.columns, cells, strict=False):
                column.append(cell)
            if len(batch.numbers) >= size or self.counter.bytes - held > chunk:
                yield batch
                batch = CellBatch([], [[] for _ in range(width)], {})
                held = self.counter.bytes
        if batch.numbers:
            yield batch

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


def _bounded_lines(text: IO[str], limit: int, refuse: Callable[[int], Exception]) -> Iterator[str]:
    """The lines of ``text``, none read whole past ``limit`` characters (``refuse(line)`` then)."""
    number = 0
    while line := text.readline(limit + 1):
        number += 1
        if len(line) > limit:
            raise refuse(number)
        yield line


class _CsvReader(TableReader):
    def __init__(
        self,
        name: str,
        binary: BinaryIO,
        path: Path | None,
        delimiter: str,
        encoding: str | None,
        limits: InputLimits,
    ) -> None:
        self.name = name
        self.limits = limits
        self.counter = Counter(limits, name, "line")
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
        # The csv module's limit is process-wide: every reader of this process sets the same one.
        csv.field_size_limit(limits.max_cell_bytes)
        lines = _bounded_lines(
            self._text,
            limits.line_bytes,
            lambda n: limits.refuse(name, f"line {n}", "memory", "a line longer than a quarter"),
        )
        # strict: a quote left open at the end of the file is an error, not a swallowed rest
        self._reader = csv.reader(lines, delimiter=delimiter, strict=True)
        self.header_line = 0
        header: list[str] = []
        while not header:
            self.header_line = self._reader.line_num + 1
            try:
                header = next(self._reader)
            except StopIteration:
                raise SanctraceError(f"{name} is empty: no header line") from None
            except csv.Error as exc:
                self._field_limit(exc, self.header_line)
                raise SanctraceError(f"{name} line {self.header_line}: {exc}") from None
            except UnicodeError as exc:
                raise SanctraceError(f"{name}: not {self.encoding} text ({exc})") from None
        if _undecodable(tuple(header)):
            raise SanctraceError(
                f"{name} line {self.header_line}: the header is not valid {_label(self.encoding)} "
                "text: save the file as UTF-8, or give its --encoding (e.g. cp1252)"
            )
        self.counter.header(len(header), f"line {self.header_line}")
        self.columns = tuple(h.strip() for h in header)

    def _field_limit(self, exc: csv.Error, line: int) -> None:
        if "field larger than field limit" in str(exc):
            raise self.limits.refuse(
                self.name, f"line {line}", "max_cell_bytes", "a field"
            ) from None

    def rows(self) -> Iterator[RawRow]:
        width = len(self.columns)
        reader = self._reader
        counter = self.counter
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self._field_limit(exc, start)
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
            counter.row(start, cells, self.columns)
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


class _JsonLinesReader(TableReader):
    def __init__(self, name: str, binary: BinaryIO, path: Path | None, limits: InputLimits) -> None:
        self.name = name
        self.limits = limits
        self.counter = Counter(limits, name, "line")
        self._binary = binary
        self._path = path
        self._lines = self._parse()
        self._pending: list[tuple[int, dict[str, Any] | None, str | None]] = []
        for number, record, error in self._lines:
            self._pending.append((number, record, error))
            if record is not None:
                self.columns = tuple(str(k) for k in record)
                self.counter.header(len(self.columns), f"line {number}")
                break
        else:
            raise SanctraceError(f"{name}: no JSON object found (expected one object per line)")

    def _bounded(self) -> Iterator[tuple[int, bytes]]:
        limit = self.limits.line_bytes
        number = 0
        while line := self._binary.readline(limit + 1):
            number += 1
            if len(line) > limit:
                raise self.limits.refuse(
                    self.name, f"line {number}", "memory", "a line longer than a quarter"
                )
            yield number, line

    def _parse(self) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
        for number, line in self._bounded():
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
            self.counter.row(number, cells, self.columns)
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


def _copy_bounded(source: BinaryIO, target: IO[bytes], limits: InputLimits, name: str) -> None:
    copied = 0
    while block := source.read(_BLOCK):
        copied += len(block)
        if copied > limits.max_bytes:
            raise limits.refuse(name, "", "max_bytes", "the bytes read")
        target.write(block)


def _stdin_buffer() -> BinaryIO:
    return sys.stdin.buffer


def open_input(
    source: str,
    fmt: InputFormat | str | None = None,
    *,
    encoding: str | None = None,
    stdin: BinaryIO | None = None,
    limits: InputLimits | None = None,
) -> TableReader:
    """A reader of ``source`` (a path, or ``-`` for standard input) in ``fmt`` (else from the
    file name; CSV on standard input), within ``limits`` (the defaults if None)."""
    limits = limits or InputLimits()
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
        except FileNotFoundError:
            raise MissingFileError(source) from None
        except OSError as exc:
            raise SanctraceError(f"cannot read {source}: {exc.strerror}") from None
    try:
        if kind in (InputFormat.csv, InputFormat.tsv):
            delimiter = "\t" if kind is InputFormat.tsv else ","
            return _CsvReader(name, binary, path, delimiter, encoding, limits)
        if kind is InputFormat.jsonl:
            return _JsonLinesReader(name, binary, path, limits)
        # Spreadsheets and Parquet need random access: standard input is spooled to a file.
        # (named: the spreadsheet reader's child process opens it by its path)
        spool: IO[bytes] | None = None
        if path is not None:
            binary.close()
            handle = path
        else:
            spool = tempfile.NamedTemporaryFile(prefix="sanctrace-stdin-")  # noqa: SIM115
            _copy_bounded(binary, spool, limits, name)
            spool.flush()
            handle = Path(spool.name)
        try:
            reader: TableReader
            if kind is InputFormat.xlsx:
                from sanctrace.batch.sheet import SpreadsheetReader

                reader = SpreadsheetReader(name, handle, limits)
            else:
                from sanctrace.batch.parquet import ParquetReader

                reader = ParquetReader(name, handle, limits)
        except BaseException:
            if spool is not None:
                spool.close()
            raise
        reader.closing = spool
        return reader
    except BaseException:
        if path is not None:
            binary.close()
        raise
