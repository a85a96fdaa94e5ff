"""An acronym link is void when both expansions are known and disagree (issue 15, "acronym
false positive"): the query's own initials must not match a listed acronym that the listed
party spells out as another name."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.match import Query, Screener
from sanctrace.store import open_store


@pytest.fixture(scope="module")
def every_list(bundled_home: Path) -> Screener:
    with open_store(str(bundled_home / "sanctrace.db")) as store:
        return Screener.open(store)


def _ids(screener: Screener, name: str, threshold: float = 0.5) -> dict[str, float]:
    return {m.id: m.score for m in screener.screen(Query(name), threshold=threshold, limit=20)}


def test_other_words_with_the_same_initials_do_not_match_the_acronym(
    every_list: Screener,
) -> None:
    assert "ca_dfatd_sema_sanctions:russia-1-part-2-99" not in _ids(
        every_list, "Toyota Motor Corporation", threshold=0.0
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("TMC", "ca_dfatd_sema_sanctions:russia-1-part-2-99"),  # the acronym itself
        ("IEMZ Kupol", "ca_dfatd_sema_sanctions:russia-1-part-2-306"),  # its expansion agrees
        ("NIOC", "us_ofac_sdn:11317"),
    ],
)
def test_acronyms_that_agree_still_match(every_list: Screener, query: str, expected: str) -> None:
    assert _ids(every_list, query, threshold=0.8).get(expected, 0) >= 0.8
