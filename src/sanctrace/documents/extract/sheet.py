"""Spreadsheets (.xlsx through calamine) and CSV/TSV: every non-empty cell on its own line.

Cells are never joined on one line, so "Viktor" in one cell and "Bout" in the next cannot be
read as the name "Viktor Bout", nor a surname glued to the next row's first name.
"""

from __future__ import annotations

import csv
import io

from sanctrace.documents.extract.base import Document, check_zip, label, normalize_newlines
from sanctrace.documents.extract.text import decode_text
from sanctrace.errors import DocumentError
from sanctrace.sources._values import cell_text

_DELIMITERS = (",", ";", "\t", "|")


def extract_xlsx(data: bytes, source: str) -> Document:
    """Every sheet, hidden ones too, under a "--- sheet: NAME ---" line; a blank line between."""
    from python_calamine import CalamineWorkbook

    check_zip(data, source, "Excel (.xlsx)", verify=True)
    blocks: list[str] = []
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for sheet_name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(sheet_name)
            lines = [f"--- sheet: {sheet_name} ---"]
            for row in sheet.iter_rows():
                for value in row:
                    text = normalize_newlines(cell_text(value)).strip()
                    if text:
                        lines.append(text)
            blocks.append("\n".join(lines))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine reports Rust panics as BaseException
        raise DocumentError(
            f"{label(source)} is not a readable Excel (.xlsx) workbook ({exc}); "
            "open and save it again in Excel"
        ) from None
    return Document(source=source, kind="xlsx", text="\n\n".join(blocks))


#: Longest cell a document's CSV may hold (the csv module's default limit, checked here
#: because that limit is process-wide and batch reading sets its own).
FIELD_LIMIT = 131_072


def extract_csv(data: bytes, source: str) -> Document:
    """CSV or TSV decoded like a text file; unparsable CSV is screened as plain text."""
    text, notes = decode_text(data, source)
    delimiter = "\t" if source.lower().endswith(".tsv") else _sniff_delimiter(text)
    try:
        cells = [
            cell.strip()
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            for cell in row
            if cell.strip()
        ]
        longest = max((len(cell) for cell in cells), default=0)
        if longest > FIELD_LIMIT:
            raise csv.Error(f"field larger than field limit ({FIELD_LIMIT})")
    except csv.Error as exc:
        notes.append(f"not readable as CSV ({exc}): screened as plain text")
        return Document(source=source, kind="csv", text=text, notes=notes)
    return Document(source=source, kind="csv", text="\n".join(cells), notes=notes)


def _sniff_delimiter(text: str) -> str:
    """The delimiter the first line uses most: ',' ';' tab or '|' (',' when none)."""
    first = text[:65536].split("\n", 1)[0]
    counts = {delimiter: first.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","
