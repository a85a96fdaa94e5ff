from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanctrace.model.dates import parse_date, parse_dates

ISO_PREFIX = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23 Apr 2002", ["2002-04-23"]),
        ("Apr 1961", ["1961-04"]),
        ("1962", ["1962"]),
        ("circa 1965", ["1965"]),
        ("approximately 1958", ["1958"]),
        ("1970 to 1972", ["1970", "1972"]),
        ("00/00/1980", ["1980"]),
        ("12/05/1971", ["1971-05-12"]),
        ("2012-12-31", ["2012-12-31"]),
        ("2015-03-27T00:00:00", ["2015-03-27"]),
        ("January 5, 1960", ["1960-01-05"]),
        ("", []),
        ("unknown", []),
        ("31/13/2000", []),
        ("1" * 10_000, []),
    ],
)
def test_list_date_forms(text: str, expected: list[str]) -> None:
    assert parse_dates(text) == expected


def test_month_first_when_asked() -> None:
    assert parse_date("05/12/1971", day_first=False) == "1971-05-12"


@given(st.text(max_size=60))
def test_any_text_gives_iso_prefixes_or_nothing(text: str) -> None:
    for value in parse_dates(text):
        assert ISO_PREFIX.match(value), value
