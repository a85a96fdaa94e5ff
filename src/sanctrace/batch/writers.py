"""Tables written as CSV, TSV, XLSX, Parquet or JSON lines, to a file or to standard output.

A file appears whole or not at all: rows go to a temporary file beside the target, renamed into
place when the writer closes without error (a full disk leaves nothing at the target). CSV, TSV
and XLSX cells that a spreadsheet would read as a formula get a leading apostrophe
(:func:`sanctrace.export.csv.safe_cell`); XLSX strings are written as text, never as formulas.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from sanctrace.batch.formats import format_of
from sanctrace.errors import SanctraceError
from sanctrace.export.csv import safe_cell
from sanctrace.files import atomic_path, atomic_write

STDOUT = "-"

#: Rows an XLSX sheet holds below its header.
XLSX_MAX_ROWS = 1_048_575


class OutputFormat(StrEnum):
    csv = "csv"
    tsv = "tsv"
    xlsx = "xlsx"
    parquet = "parquet"
    jsonl = "jsonl"


OUTPUT_EXTENSIONS = {
    ".csv": OutputFormat.csv,
    ".tsv": OutputFormat.tsv,
    ".tab": OutputFormat.tsv,
    ".xlsx": OutputFormat.xlsx,
    ".parquet": OutputFormat.parquet,
    ".pq": OutputFormat.parquet,
    ".jsonl": OutputFormat.jsonl,
    ".ndjson": OutputFormat.jsonl,
}

_BINARY = (OutputFormat.xlsx, OutputFormat.parquet)


def detect_output_format(target: str, given: OutputFormat | str | None) -> OutputFormat:
    return format_of(target, given, OutputFormat, OUTPUT_EXTENSIONS, "--output-format")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class TableWriter:
    """Writes rows (sequences of values in column order) to one table."""

    def __init__(self, columns: Sequence[str], types: Mapping[str, type]) -> None:
        self.columns = tuple(columns)
        self.types = [types.get(c, str) for c in self.columns]
        self.rows_written = 0

    def write(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self._write(row)
            self.rows_written += 1

    def _write(self, row: Sequence[Any]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _CsvWriter(TableWriter):
    def __init__(
        self, fh: IO[str], columns: Sequence[str], types: Mapping[str, type], delimiter: str
    ) -> None:
        super().__init__(columns, types)
        self._writer = csv.writer(fh, delimiter=delimiter)
        self._writer.writerow(self.columns)
        self._strings = [t is str for t in self.types]

    def _write(self, row: Sequence[Any]) -> None:
        self._writer.writerow(
            [
                safe_cell(value) if is_str else _text(value)
                for value, is_str in zip(row, self._strings, strict=True)
            ]
        )


class _JsonLinesWriter(TableWriter):
    def __init__(self, fh: IO[str], columns: Sequence[str], types: Mapping[str, type]) -> None:
        super().__init__(columns, types)
        self._fh = fh

    def _write(self, row: Sequence[Any]) -> None:
        record = dict(zip(self.columns, row, strict=True))
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")


class _XlsxWriter(TableWriter):
    def __init__(self, path: Path, columns: Sequence[str], types: Mapping[str, type]) -> None:
        import xlsxwriter

        super().__init__(columns, types)
        self._workbook = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self._sheet = self._workbook.add_worksheet("results")
        bold = self._workbook.add_format({"bold": True})
        for col, name in enumerate(self.columns):
            self._sheet.write_string(0, col, name, bold)
        self._sheet.freeze_panes(1, 0)
        self._row = 0

    def _write(self, row: Sequence[Any]) -> None:
        self._row += 1
        if self._row > XLSX_MAX_ROWS:
            raise SanctraceError(
                f"more than {XLSX_MAX_ROWS:,} rows do not fit in an XLSX sheet: "
                "write CSV or Parquet instead"
            )
        sheet = self._sheet
        r = self._row
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            elif isinstance(value, int | float):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, safe_cell(str(value)))

    def close(self) -> None:
        import xlsxwriter.exceptions

        if self._row:
            self._sheet.autofilter(0, 0, self._row, len(self.columns) - 1)
        try:
            self._workbook.close()
        except xlsxwriter.exceptions.XlsxWriterException as exc:
            cause = exc.__context__
            if isinstance(cause, OSError):
                raise cause from None
            raise SanctraceError(f"cannot write the XLSX file ({exc})") from None


class _ParquetWriter(TableWriter):
    BATCH = 8192

    def __init__(self, path: Path, columns: Sequence[str], types: Mapping[str, type]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        super().__init__(columns, types)
        arrow = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}
        self._schema = pa.schema(
            [(c, arrow[t]) for c, t in zip(self.columns, self.types, strict=True)]
        )
        self._writer = pq.ParquetWriter(str(path), self._schema)
        self._pending: list[Sequence[Any]] = []

    def _write(self, row: Sequence[Any]) -> None:
        self._pending.append(row)
        if len(self._pending) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if not self._pending:
            return
        arrays = [
            pa.array([row[i] for row in self._pending], type=self._schema.field(i).type)
            for i in range(len(self.columns))
        ]
        self._writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=self._schema))
        self._pending = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


def _text_writer(
    fmt: OutputFormat, fh: IO[str], columns: Sequence[str], types: Mapping[str, type]
) -> TableWriter:
    if fmt is OutputFormat.jsonl:
        return _JsonLinesWriter(fh, columns, types)
    return _CsvWriter(fh, columns, types, "\t" if fmt is OutputFormat.tsv else ",")


def _binary_writer(
    fmt: OutputFormat, path: Path, columns: Sequence[str], types: Mapping[str, type]
) -> TableWriter:
    if fmt is OutputFormat.xlsx:
        return _XlsxWriter(path, columns, types)
    return _ParquetWriter(path, columns, types)


@contextmanager
def _to_stdout(
    fmt: OutputFormat, columns: Sequence[str], types: Mapping[str, type], stdout: IO[str] | None
) -> Iterator[TableWriter]:
    stream = stdout if stdout is not None else sys.stdout
    buffer: IO[bytes] | None = getattr(stream, "buffer", None)
    if fmt in _BINARY:
        if buffer is None:
            raise SanctraceError(f"cannot write {fmt} to this output: give --output FILE")
        with tempfile.TemporaryDirectory(prefix="sanctrace-") as tmp:
            path = Path(tmp) / f"out.{fmt}"
            writer = _binary_writer(fmt, path, columns, types)
            yield writer
            writer.close()
            stream.flush()
            with path.open("rb") as fh:
                shutil.copyfileobj(fh, buffer)
            buffer.flush()
        return
    if buffer is not None:
        stream.flush()
        text = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
        try:
            writer = _text_writer(fmt, text, columns, types)
            yield writer
            writer.close()
            text.flush()
        finally:
            text.detach()
    else:
        writer = _text_writer(fmt, stream, columns, types)
        yield writer
        writer.close()


@contextmanager
def open_output(
    target: str,
    fmt: OutputFormat,
    columns: Sequence[str],
    types: Mapping[str, type],
    *,
    stdout: IO[str] | None = None,
) -> Iterator[TableWriter]:
    """A writer of rows to ``target`` (a path, or ``-`` for standard output). The file is
    renamed into place when the block ends without error; on error nothing is left there."""
    if target == STDOUT:
        with _to_stdout(fmt, columns, types, stdout) as writer:
            yield writer
        return
    path = Path(target)
    try:
        if fmt in _BINARY:
            with atomic_path(path) as tmp:
                writer = _binary_writer(fmt, tmp, columns, types)
                yield writer
                writer.close()
        else:
            with atomic_write(path, newline="") as fh:
                writer = _text_writer(fmt, fh, columns, types)
                yield writer
                writer.close()
    except OSError as exc:
        raise SanctraceError(f"cannot write {target}: {exc.strerror or exc}") from None
