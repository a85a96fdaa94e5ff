"""Stakes as sources write them read as exact ranges; what is no stake is refused, saying why."""

from __future__ import annotations

from fractions import Fraction

import pytest

from sanctrace.ownership.shares import ShareError, parse_share


@pytest.mark.parametrize(
    ("written", "low", "high", "low_open", "high_open", "said"),
    [
        ("50", 50, 50, False, False, "50%"),
        ("33.33%", Fraction(3333, 100), Fraction(3333, 100), False, False, "33.33%"),
        ("25,5", Fraction(51, 2), Fraction(51, 2), False, False, "25.5%"),
        ("25-50", 25, 50, False, False, "25-50%"),
        ("25 – 50 %", 25, 50, False, False, "25-50%"),
        (">50", 50, 100, True, False, "more than 50%"),
        ("more than 50%", 50, 100, True, False, "more than 50%"),
        ("at least 50", 50, 100, False, False, "at least 50%"),
        ("<25", 0, 25, False, True, "less than 25%"),
        ("up to 10%", 0, 10, False, False, "at most 10%"),
        (
            "ownership-of-shares-50-to-75-percent",
            50,
            75,
            True,
            True,
            "more than 50-75% (not included)",
        ),
        ("voting-rights-75-to-100-percent", 75, 100, False, False, "at least 75%"),
        ("", 0, 100, False, False, "unknown"),
        ("Unknown", 0, 100, False, False, "unknown"),
    ],
)
def test_stakes_read_as_written(
    written: str, low: Fraction, high: Fraction, low_open: bool, high_open: bool, said: str
) -> None:
    share = parse_share(written)
    assert (share.low, share.high, share.low_open, share.high_open) == (
        low,
        high,
        low_open,
        high_open,
    )
    assert str(share) == said


def test_a_capital_split_in_three_adds_up_to_exactly_100() -> None:
    assert sum((parse_share(x).low for x in ("33.33", "33.33", "33.34")), Fraction(0)) == 100


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("150", "more than 100%"),
        ("60-40", "runs backwards"),
        ("<0", "no share at all"),
        (">100", "no share at all"),
        ("half", "is not a share"),
        ("50%%", "is not a share"),
    ],
)
def test_what_is_no_stake_is_refused(written: str, why: str) -> None:
    with pytest.raises(ShareError, match=why):
        parse_share(written)
