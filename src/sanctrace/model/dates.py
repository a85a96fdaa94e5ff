"""Dates as lists write them -> ISO 8601 prefixes ("1965", "1965-04", "1965-04-23").

Lists give partial, approximate and ranged dates ("circa 1965", "1970 to 1972", "00/00/1980",
"Apr 1961"); we keep what is known and never invent a day or month.
"""

from __future__ import annotations

import re

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january", "janvier"),
            ("feb", "february", "fevrier", "février"),
            ("mar", "march", "mars"),
            ("apr", "april", "avril"),
            ("may", "mai"),
            ("jun", "june", "juin"),
            ("jul", "july", "juillet"),
            ("aug", "august", "aout", "août"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre"),
            ("nov", "november", "novembre"),
            ("dec", "december", "decembre", "décembre"),
        ]
    )
    for m in names
}

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:T.*)?$")
_DMY_TEXT = re.compile(r"^(?:(\d{1,2})\s+)?([A-Za-zéû]{3,9})\.?,?\s+(\d{4})$")
_MDY_TEXT = re.compile(r"^([A-Za-zéû]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$")
_NUMERIC = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_YEAR = re.compile(r"^\d{4}$")
_RANGE = re.compile(r"^(.+?)\s*(?:to|-|–|and|/)\s*(.+)$", re.IGNORECASE)
_APPROX = re.compile(r"^(?:circa|ca\.?|c\.|approximately|approx\.?|about|around)\s*", re.IGNORECASE)


def _fmt(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if not 1000 <= year <= 2999:
        return None
    if month is None or month == 0:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None or day == 0:
        return f"{year:04d}-{month:02d}"
    if not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_date(text: str | None, *, day_first: bool = True) -> str | None:
    """One date -> ISO prefix, or None when the text is not a date we can read."""
    if not text:
        return None
    text = _APPROX.sub("", text.strip()).strip()
    if not text or len(text) > 40:
        return None
    if m := _ISO.match(text):
        return _fmt(
            int(m.group(1)),
            int(m.group(2)) if m.group(2) else None,
            int(m.group(3)) if m.group(3) else None,
        )
    if m := _NUMERIC.match(text):
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day, month = (a, b) if day_first else (b, a)
        return _fmt(year, month, day)
    if m := _DMY_TEXT.match(text):
        named = _MONTHS.get(m.group(2).lower())
        if named:
            return _fmt(int(m.group(3)), named, int(m.group(1)) if m.group(1) else None)
        return None
    if m := _MDY_TEXT.match(text):
        named = _MONTHS.get(m.group(1).lower())
        if named:
            return _fmt(int(m.group(3)), named, int(m.group(2)))
    return None


def parse_dates(text: str | None, *, day_first: bool = True) -> list[str]:
    """A date field -> all the dates it names: one, or both ends of a range ("1970 to 1972")."""
    if not text:
        return []
    text = text.strip()
    single = parse_date(text, day_first=day_first)
    if single:
        return [single]
    if m := _RANGE.match(_APPROX.sub("", text)):
        out = [
            d
            for d in (
                parse_date(m.group(1), day_first=day_first),
                parse_date(m.group(2), day_first=day_first),
            )
            if d
        ]
        if out:
            return out
    return []
