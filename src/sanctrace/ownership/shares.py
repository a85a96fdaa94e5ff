"""A stake as sources state it: exact (50), a range (25-50), a bound (>50), a UK PSC band, or
unknown. Kept as exact fractions with open or closed ends, so that 25 + 25 is 50 and a stake
"more than 50%" passes a "more than 50%" test while "50-75" (50 included) cannot be said to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

HUNDRED = Fraction(100)
ZERO = Fraction(0)

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_EXACT = re.compile(rf"^{_NUMBER}\s*%?$")
_RANGE = re.compile(rf"^{_NUMBER}\s*%?\s*(?:-|–|—|to)\s*{_NUMBER}\s*%?$")
_ABOVE = re.compile(rf"^(?:>|more than|over|above)\s*{_NUMBER}\s*%?$")
_AT_LEAST = re.compile(rf"^(?:>=|≥|at least|min(?:imum)?)\s*{_NUMBER}\s*%?$")
_BELOW = re.compile(rf"^(?:<|less than|under|below)\s*{_NUMBER}\s*%?$")
_AT_MOST = re.compile(rf"^(?:<=|≤|at most|up to|max(?:imum)?)\s*{_NUMBER}\s*%?$")
#: UK PSC natures of control (Companies House): "more than 25% but not more than 50%", "more
#: than 50% but less than 75%", "75% or more".
_PSC = re.compile(r"(?:shares|voting-rights)[a-z-]*?-(25|50|75)-to-(50|75|100)-percent")
_PSC_BANDS = {
    ("25", "50"): (Fraction(25), True, Fraction(50), False),
    ("50", "75"): (Fraction(50), True, Fraction(75), True),
    ("75", "100"): (Fraction(75), False, HUNDRED, False),
}
_UNKNOWN = {"", "?", "unknown", "n/a", "na", "not known", "undisclosed"}


class ShareError(ValueError):
    """A stake that cannot be read as a percentage (the loader names file, line and field)."""


@dataclass(frozen=True)
class Share:
    """A percentage between ``low`` and ``high``; an open end excludes its bound."""

    low: Fraction
    high: Fraction
    low_open: bool = False
    high_open: bool = False
    text: str = ""

    @property
    def known(self) -> bool:
        return not (self.low == ZERO and self.high == HUNDRED)

    @property
    def exact(self) -> bool:
        return self.low == self.high

    def __str__(self) -> str:
        return describe(self.low, self.high, self.low_open, self.high_open)

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "low": float(self.low),
            "high": float(self.high),
            "low_open": self.low_open,
            "high_open": self.high_open,
        }


UNKNOWN = Share(ZERO, HUNDRED, text="unknown")


def percent(text: str) -> Fraction:
    value = Fraction(text.replace(",", "."))
    if value > HUNDRED:
        raise ShareError(f"{text}% is more than 100%")
    return value


def parse_share(raw: str | float | int | None) -> Share:
    """Read a stake; an empty or "unknown" one is the whole range 0-100 (it may be anything)."""
    if raw is None:
        return UNKNOWN
    if isinstance(raw, int | float):
        raw = repr(raw)
    text = " ".join(raw.strip().lower().split())
    if text in _UNKNOWN:
        return UNKNOWN
    if found := _PSC.search(text):
        low, low_open, high, high_open = _PSC_BANDS[found.groups()]  # type: ignore[index]
        return Share(low, high, low_open, high_open, raw.strip())
    if found := _EXACT.match(text):
        value = percent(found.group(1))
        return Share(value, value, text=raw.strip())
    if found := _RANGE.match(text):
        low, high = percent(found.group(1)), percent(found.group(2))
        if low > high:
            raise ShareError(f"the range {raw.strip()!r} runs backwards")
        return Share(low, high, text=raw.strip())
    for pattern, above, open_end in (
        (_ABOVE, True, True),
        (_AT_LEAST, True, False),
        (_BELOW, False, True),
        (_AT_MOST, False, False),
    ):
        if found := pattern.match(text):
            value = percent(found.group(1))
            if open_end and value == (HUNDRED if above else ZERO):
                raise ShareError(f"{raw.strip()!r} is no share at all: nothing is {text}")
            if above:
                return Share(value, HUNDRED, low_open=open_end, text=raw.strip())
            return Share(ZERO, value, high_open=open_end, text=raw.strip())
    raise ShareError(
        f"{raw.strip()!r} is not a share: write 50, 50%, 25-50, >50, <=10 or a UK PSC band "
        "(ownership-of-shares-50-to-75-percent), or leave it empty when unknown"
    )


def number(value: Fraction) -> str:
    """50, 33.33: a percentage as people write it."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def describe(low: Fraction, high: Fraction, low_open: bool, high_open: bool) -> str:
    if low == high:
        return f"{number(low)}%"
    if high == HUNDRED and not high_open and low > ZERO:
        return f"{'more than' if low_open else 'at least'} {number(low)}%"
    if low == ZERO and not low_open and high < HUNDRED:
        return f"{'less than' if high_open else 'at most'} {number(high)}%"
    if low == ZERO and high == HUNDRED:
        return "unknown"
    left = "more than " if low_open else ""
    right = " (not included)" if high_open else ""
    return f"{left}{number(low)}-{number(high)}%{right}"
