"""Spreadsheets read in a child process under a memory limit: calamine loads a whole sheet at
once (cloning a shared string into every cell that uses it), so a 2 MB workbook can ask for
gigabytes. The child may commit at most the job's memory budget; the rows stream back as JSON
lines, checked against the input limits as they leave calamine.

Run as ``python -m sanctrace.batch.sheet PATH LIMITS_JSON``; it writes ``{"height": N}``, then
``[row_number, [cell, ...]]`` per non-empty row, or ``{"error": ..., "limit": bool}`` and exits 2.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from sanctrace.batch.limits import Counter, InputLimitError, InputLimits
from sanctrace.batch.readers import RawRow, TableReader, _clean, _undecodable
from sanctrace.errors import SanctraceError

#: Least data limit of the reading process: its interpreter and calamine need about this much
#: before reading anything (the budget includes them, so the server grows by the budget at most).
_BASE_DATA = 64_000_000


def _limit_memory(budget: int) -> None:
    try:
        import resource
    except ImportError:  # not POSIX: no limit (documented)
        return
    limit = max(budget, 2 * _BASE_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _emit(out: BinaryIO, value: Any) -> None:
    out.write(json.dumps(value, separators=(",", ":")).encode("ascii") + b"\n")


def _rows(path: str, limits: InputLimits, name: str, out: BinaryIO) -> None:
    from python_calamine import CalamineWorkbook

    from sanctrace.sources._values import cell_text

    workbook = CalamineWorkbook.from_path(path)
    if not workbook.sheet_names:
        raise ValueError("the workbook has no sheets")
    sheet = workbook.get_sheet_by_index(0)
    _emit(out, {"height": sheet.height})
    counter = Counter(limits, name, "row")
    header: tuple[str, ...] | None = None
    for number, cells in enumerate(sheet.iter_rows(), 1):
        texts = [cell_text(c) for c in cells]
        while texts and not texts[-1]:
            texts.pop()
        if not any(t.strip() for t in texts):
            continue
        row = tuple(texts)
        if header is None:
            counter.header(len(row), f"row {number}")
            header = tuple(t.strip() for t in row)
        else:
            counter.row(number, row, header)
        _emit(out, [number, row])


_ZIP_SPREADSHEETS = (b"PK\x03\x04",)


def _check_zip(name: str, path: Path, limits: InputLimits) -> None:
    """An XLSX or ODS whose zip directory declares more than the byte limit, or a sizeable entry
    compressed past the list spreadsheets' ratio, is refused before it is opened."""
    import zipfile

    from sanctrace.sources._zip import MAX_RATIO, directory_hazard

    with path.open("rb") as fh:
        if not fh.read(4).startswith(_ZIP_SPREADSHEETS):
            return  # .xls: not a zip (the child's memory limit still applies)
    try:
        with zipfile.ZipFile(path) as zf:
            hazard = directory_hazard(zf.infolist(), max_total=limits.max_bytes)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise SanctraceError(f"{name}: cannot read the workbook ({exc})") from None
    if hazard is None:
        return
    where = f"entry {hazard.member}" if hazard.member else ""
    if hazard.kind == "total":
        raise limits.refuse(name, where, "max_bytes", "the uncompressed size it declares")
    if hazard.kind == "ratio":
        raise InputLimitError(
            f"{name} {where}: compressed {hazard.value:,}:1, over the limit of {MAX_RATIO}:1 "
            "(a zip bomb?); the file is refused"
        )
    raise InputLimitError(f"{name}: a zip of {hazard.value:,} entries; the file is refused")


class SpreadsheetReader(TableReader):
    """The first sheet, read by calamine in a child process (:mod:`sanctrace.batch.sheet`)
    whose memory is limited to the job's budget."""

    unit = "row"

    def __init__(self, name: str, path: Path, limits: InputLimits) -> None:
        self.name = name
        self.limits = limits
        self.counter = Counter(limits, name, "row")
        _check_zip(name, path, limits)
        config = {
            "name": name,
            "max_bytes": limits.max_bytes,
            "max_rows": limits.max_rows,
            "max_cells": limits.max_cells,
            "max_cell_bytes": limits.max_cell_bytes,
            "memory": limits.memory,
            "options": dict(limits.options),
        }
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the reader)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "sanctrace.batch.sheet", str(path), json.dumps(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        try:
            first = self._next()
            self._height = int(first["height"]) if isinstance(first, dict) else 0
            header = self._next()
        except BaseException:
            self.close()
            raise
        if header is None:
            self.close()
            raise SanctraceError(f"{name}: the first sheet is empty: no header row")
        self.header_line = int(header[0])
        self.columns = tuple(str(c).strip() for c in header[1])

    def _next(self) -> Any:
        """The child's next message (an error it reports is raised); None at the end."""
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            code = self._proc.wait()
            if code == 0:
                return None
            raise self._died(code)
        message = json.loads(line)
        if isinstance(message, dict) and "error" in message:
            self._proc.wait()
            if message["error"] == "memory":
                raise self._over_memory()
            if message.get("limit"):
                raise InputLimitError(message["error"])
            raise SanctraceError(f"{self.name}: {message['error']}")
        return message

    def _over_memory(self) -> InputLimitError:
        return self.limits.refuse(
            self.name, "", "memory", "opening its first sheet (calamine holds it all at once)"
        )

    def _died(self, code: int) -> SanctraceError:
        self._stderr.seek(0)
        said = self._stderr.read()[-2000:].decode("utf-8", "replace")
        if code < 0 or "memory allocation" in said or "MemoryError" in said:
            return self._over_memory()
        last = said.strip().splitlines()[-1:] or [f"exit {code}"]
        return SanctraceError(f"{self.name}: cannot read the workbook ({last[0]})")

    def rows(self) -> Iterator[RawRow]:
        width = len(self.columns)
        while (message := self._next()) is not None:
            number, cells = int(message[0]), tuple(message[1])
            texts = (cells + ("",) * width)[:width]
            error = None
            if _undecodable(texts):
                texts = tuple(_clean(t) for t in texts)
                error = "the cells hold invalid text (lone surrogates)"
            yield RawRow(number, texts, error)

    def estimate_rows(self) -> int | None:
        return max(self._height - 1, 0)

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._stderr.close()
        super().close()


def main(argv: list[str]) -> int:
    path, config = argv[1], json.loads(argv[2])
    name = config.pop("name")
    limits = InputLimits(**config)
    _limit_memory(limits.memory)
    out = sys.stdout.buffer
    try:
        _rows(path, limits, name, out)
    except InputLimitError as exc:
        _emit(out, {"error": str(exc), "limit": True})
        return 2
    except MemoryError:
        _emit(out, {"error": "memory", "limit": True})
        return 2
    except BrokenPipeError:
        return 1
    except BaseException as exc:  # calamine reports Rust panics as BaseException
        _emit(out, {"error": f"cannot read the workbook ({exc})", "limit": False})
        return 2
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
