"""Cleaning of free-text cell values shared by the spreadsheet and CSV list formats.

Lists write enumerations as "1) A 2) B", "(1) A (2) B" or "a) A; b) B", put qualifiers in
brackets ("Spain (detained)").
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from sanctrace.model.countries import to_code

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_EMPTY = {"", "-", "na", "n/a", "none", "nil", "null", "not applicable"}

# "1) A 2) B", "(1) A (2) B", "a) A b) B", "(a) A", "(1)-(2) Indonesia" (a shared value)
_ENUM = re.compile(r"(?:(?<=\s)|(?<=;)|(?<=,)|^)\(?(?:\d{1,2}|[a-z])\)(?:-\(?(?:\d{1,2}|[a-z])\))?")
_PAREN = re.compile(r"\s*\([^()]*\)")
_LIST_SEP = re.compile(r"\s*;\s*|\s*,\s*|\s+and\s+|\s*/\s*", re.IGNORECASE)


def clean(value: object) -> str | None:
    """Whitespace-collapsed text of a cell, or None when empty or a placeholder ("NA", "-")."""
    if value is None:
        return None
    text = _SPACES.sub(" ", str(value)).strip()
    if text.lower().strip(".") in _EMPTY:
        return None
    return text


def cell_text(value: object) -> str:
    """A spreadsheet cell (calamine gives str, float, int, bool, date, datetime) as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def split_enumeration(text: str | None) -> list[str]:
    """Parts of an enumerated value: "1) A 2) B" -> ["A", "B"]; plain text -> [text]."""
    text = clean(text)
    if not text:
        return []
    pieces = _ENUM.split(text)
    parts = []
    for piece in pieces:
        piece = piece.strip(" ;,.")
        if piece:
            parts.append(piece)
    return parts


def country_codes(text: str | None) -> list[str]:
    """ISO codes named by a country or nationality field, with enumerations and qualifiers."""
    out: list[str] = []
    for part in split_enumeration(text):
        bare = _PAREN.sub("", part).strip() or part
        # "German, Moroccan" names two countries, "Korea, North" one: split only when every
        # piece is a country by itself.
        pieces = [to_code(p) for p in _LIST_SEP.split(bare) if p]
        split = len(pieces) > 1 and all(pieces)
        candidates = pieces if split else [to_code(part) or to_code(bare)]
        for candidate in candidates:
            if candidate and candidate not in out:
                out.append(candidate)
    return out


def slug(text: str) -> str:
    """Lower-case ASCII slug: "1, Part 1.1" -> "1-part-1-1", "Bélarus" -> "belarus"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "-", text.lower()).strip("-")
