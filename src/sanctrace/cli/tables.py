"""Tables as the CLI prints them: an id is never split across lines nor cut, at any width.

Rich shares a narrow terminal's width out by squeezing columns, down to a character or two, and
at last by cutting every column evenly, ``no_wrap`` ones included ("ca_dfatd_sema_sa…"). `fit`
gives every column a floor (``min_width``) that rich keeps: a ``no_wrap`` column is as wide as
its widest cell; in other columns text wraps at spaces, and no word is split that is an id
(``us_ofac_sdn:46431``, ``P-cxlfmbsfth``) or a URL, nor any other word of up to 24 characters.
`fitted` prints a table that cannot fit so as blocks, one per row, of ``header value`` lines.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.errors import MarkupError
from rich.segment import Segment
from rich.table import Column, Table
from rich.text import Text

#: A word of a cell never split: a record id (``dataset:source id``), a party id, a URL.
ID_WORD = re.compile(r"(?:P-[a-z0-9]+|[a-z][a-z0-9_.+-]*:\S+)")
#: Other words wrap whole up to this many cells, and are folded when longer.
LONGEST_WORD = 24


def fit(table: Table, width: int | None = None) -> Table:
    """``table`` with a floor under every column (see the module doc), and, given the
    ``width`` to print to, the columns' widths shared out over it; returns it."""
    floors, wanted = [], []
    for column in table.columns:
        lines = [line for cell in (column.header, *column.cells) for line in _lines(cell)]
        longest = max((cell_len(line) for line in lines), default=0)
        if column.width is not None:
            floor = longest = column.width
        elif column.no_wrap:
            floor = longest
        else:
            words = [word for line in lines for word in line.split()]
            floor = max((_floor(word) for word in words), default=0)
            column.min_width = max(column.min_width or 0, floor)
        if column.no_wrap and column.width is None:
            column.min_width = max(column.min_width or 0, floor)
        floors.append(max(floor, column.min_width or 0))
        wanted.append(max(longest, floors[-1]))
    if width is not None:
        _share(table, width, floors, wanted)
    return table


def _share(table: Table, width: int, floors: list[int], wanted: list[int]) -> None:
    """Rich shrinks the columns that wrap evenly and then raises those under their floor back
    up, overshooting ``width``: here they start at their floors and share what is left in
    proportion to what more they would take. Nothing changes when all cannot fit."""
    free = width - table._extra_width - sum(map(table._get_padding_width, range(len(floors))))
    if sum(wanted) <= free or sum(floors) > free:
        return
    flexible = [
        i
        for i, column in enumerate(table.columns)
        if column.width is None and not column.no_wrap and wanted[i] > floors[i]
    ]
    spare = free - sum(wanted[i] for i in range(len(floors)) if i not in flexible)
    spare -= sum(floors[i] for i in flexible)
    more = sum(wanted[i] - floors[i] for i in flexible)
    for i in flexible:
        table.columns[i].width = floors[i] + (wanted[i] - floors[i]) * spare // more


def fits(table: Table, width: int) -> bool:
    """Whether ``table``, fitted to ``width``, is printed within it."""
    fit(table, width)
    console = Console(width=width, file=io.StringIO(), color_system=None)
    lines = Segment.split_lines(console.render(table, console.options))
    return max((Segment.get_line_length(line) for line in lines), default=0) <= width


def terminal_width() -> int:
    """The width the CLI prints to (``$COLUMNS``, or 80, when not a terminal)."""
    from sanctrace.cli.output import out

    return out.width


def fitted(table: Table, width: int | None = None) -> Table:
    """``table`` if it fits ``width`` (the terminal's by default), else `stacked`."""
    width = terminal_width() if width is None else width
    if fits(table, width):
        return table
    return fit(stacked(table), width)


def stacked(table: Table) -> Table:
    """``table``'s rows one below the other, each a block of ``header value`` lines (empty
    cells left out): as narrow as its widest header and id allow."""
    columns = list(table.columns)
    lead = _indent_column(columns)
    shown = [column for column in columns if column is not lead]
    blocks = Table(
        title=table.title,
        title_justify=table.title_justify,
        box=table.box,
        show_header=False,
        show_edge=table.show_edge,
        padding=table.padding,
        pad_edge=table.pad_edge,
    )
    if lead is not None:
        indent(blocks, lead.width or 0)
    blocks.add_column("", style=table.header_style or "bold", no_wrap=True)
    blocks.add_column("", overflow="fold")
    cells = [list(column.cells) for column in shown]
    for row in range(len(cells[0]) if cells else 0):
        if row and table.box is None:
            blocks.add_row()
        pairs = [
            (column.header, cells[i][row])
            for i, column in enumerate(shown)
            if any(line.strip() for line in _lines(cells[i][row]))
        ]
        for number, (header, cell) in enumerate(pairs):
            lead_cell = [""] if lead is not None else []
            blocks.add_row(*lead_cell, header, cell, end_section=number == len(pairs) - 1)
    return blocks


def indent(table: Table, width: int) -> Table:
    """``table`` led by a blank column ``width`` wide: an indent that, unlike ``Padding``, does
    not cut a table wider than the terminal. Call before adding the other columns (and give
    each row a first cell ``""``)."""
    table.add_column("", width=width, min_width=width, no_wrap=True)
    return table


def _indent_column(columns: list[Column]) -> Column | None:
    first = columns[0] if columns else None
    if first is None or first.width is None or any(_lines(first.header)):
        return None
    return first


def _floor(word: str) -> int:
    width = cell_len(word)
    return width if ID_WORD.fullmatch(word) else min(width, LONGEST_WORD)


def _lines(cell: RenderableType) -> Iterable[str]:
    if isinstance(cell, Text):
        return cell.plain.splitlines()
    if isinstance(cell, str):
        try:
            return Text.from_markup(cell).plain.splitlines()
        except MarkupError:
            return cell.splitlines()
    return ()
