"""Limits on what one input file may make the readers hold: a hostile file (a Parquet dictionary
bomb, a spreadsheet of cloned shared strings, a 2 GB CSV field) is refused while it is read,
before the memory is committed, with one line naming the file, where, the limit and its option."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sanctrace.errors import SanctraceError

#: The screen-file options that raise each limit (the API passes its own: ``sanctrace serve``'s).
CLI_OPTIONS: Mapping[str, str] = {
    "max_bytes": "--max-input-bytes",
    "max_rows": "--max-rows",
    "max_cells": "--max-cells-per-row",
    "max_cell_bytes": "--max-cell-bytes",
    "memory": "--memory-budget",
}

_WHAT = {
    "max_bytes": "bytes of cell text in the whole file",
    "max_rows": "rows",
    "max_cells": "cells per row",
    "max_cell_bytes": "bytes per cell",
    "memory": "bytes of memory for reading",
}


class InputLimitError(SanctraceError):
    """An input file over one of its limits: refused, exit code 2 (as a bad list file)."""

    exit_code = 2


@dataclass(frozen=True)
class InputLimits:
    """Each limit is a count of what a reader commits to memory (text is counted in characters,
    Parquet strings in their UTF-8 bytes); the defaults fit a shared server."""

    #: Cell text in the whole file (what it expands to, whatever its size on disk).
    max_bytes: int = 2_000_000_000
    #: Data rows (records).
    max_rows: int = 10_000_000
    #: Cells in one row (columns).
    max_cells: int = 1_000
    #: Text in one cell (the name column screens at most 1,000 characters anyway).
    max_cell_bytes: int = 1_000_000
    #: Memory one job may commit to reading: the spreadsheet reader's address space, input rows
    #: in flight (each chunk is cut at a sixteenth of it), a line or record batch at once.
    memory: int = 512_000_000
    options: Mapping[str, str] = field(default_factory=lambda: CLI_OPTIONS)

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_rows", "max_cells", "max_cell_bytes"):
            if getattr(self, name) < 1:
                raise SanctraceError(
                    f"{self.options[name]} must be at least 1, not {getattr(self, name)}"
                )
        if self.memory < 64_000_000:
            raise SanctraceError(
                f"{self.options['memory']} must be at least 64000000 bytes, not {self.memory}"
            )

    @property
    def chunk_bytes(self) -> int:
        """Input text in one chunk of rows: a chunk is cut when it holds this much."""
        return self.memory // 16

    @property
    def line_bytes(self) -> int:
        """The longest line (or row) read at once: every cell of a row at its largest, within
        a quarter of the memory budget."""
        return min(self.max_bytes, self.memory // 4, self.max_cells * (self.max_cell_bytes + 3))

    def refuse(self, name: str, where: str, limit: str, found: str = "") -> InputLimitError:
        """The error of ``name`` (the file) at ``where`` (e.g. "line 4, column 'name'") over
        ``limit``, e.g. "example.csv line 4, column 'name': a cell of 5,000,000 bytes is over
        the limit of 1,000,000 bytes per cell (--max-cell-bytes raises it)"."""
        place = f"{name} {where}".strip()
        over = f"{found} is over" if found else "is over"
        return InputLimitError(
            f"{place}: {over} the limit of {getattr(self, limit):,} {_WHAT[limit]} "
            f"({self.options[limit]} raises it); the file is refused"
        )


class Counter:
    """Rows and cell text read so far, checked against the limits as each row comes."""

    def __init__(self, limits: InputLimits, name: str, unit: str) -> None:
        self.limits, self.name, self.unit = limits, name, unit
        self.rows = 0
        self.bytes = 0

    def header(self, cells: int, where: str) -> None:
        if cells > self.limits.max_cells:
            raise self.limits.refuse(self.name, where, "max_cells", f"a header of {cells:,} cells")

    def row(self, number: int, cells: tuple[str, ...], columns: tuple[str, ...] = ()) -> None:
        """Count one row of text cells (and check each cell)."""
        limits = self.limits
        self.rows += 1
        if self.rows > limits.max_rows:
            raise limits.refuse(self.name, f"{self.unit} {number}", "max_rows", "the file")
        if len(cells) > limits.max_cells:
            raise limits.refuse(
                self.name, f"{self.unit} {number}", "max_cells", f"a row of {len(cells):,} cells"
            )
        size = 0
        for position, cell in enumerate(cells):
            length = len(cell)
            if length > limits.max_cell_bytes:
                column = columns[position] if position < len(columns) else f"#{position + 1}"
                raise limits.refuse(
                    self.name,
                    f"{self.unit} {number}, column {column!r}",
                    "max_cell_bytes",
                    f"a cell of {length:,} characters",
                )
            size += length
        self.add(size, number)

    def add(self, size: int, number: int) -> None:
        self.bytes += size
        if self.bytes > self.limits.max_bytes:
            raise self.limits.refuse(
                self.name, f"{self.unit} {number}", "max_bytes", "the text read so far"
            )
