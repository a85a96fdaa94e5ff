"""Screening one list finds that list's records even when other lists carry the same party
under shorter names: the candidates compete within the lists asked for (issue 15, "well-known
short names miss their own SDN record": Sberbank and VTB found nothing with --dataset)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.match import Query, Screener
from sanctrace.store import open_store


@pytest.fixture(scope="module")
def every_list(bundled_home: Path) -> Screener:
    with open_store(str(bundled_home / "sanctrace.db")) as store:
        return Screener.open(store)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Sberbank", {"us_ofac_sdn:17018", "us_ofac_sdn:18715"}),
        ("VTB", {"us_ofac_sdn:17013"}),
        ("Ko Ko Oo", {"us_ofac_sdn:35836"}),
    ],
)
def test_one_list_keeps_its_own_candidates(
    every_list: Screener, name: str, expected: set[str]
) -> None:
    found = every_list.screen(Query(name), threshold=0.0, limit=20, datasets=["us_ofac_sdn"])
    assert found and all(m.dataset == "us_ofac_sdn" for m in found)
    assert expected & {m.id for m in found}


def test_every_list_is_unchanged_by_the_scope(every_list: Screener) -> None:
    """Without a scope the same candidates compete as before; with all lists named, too."""
    query = Query("Sberbank")
    everything = every_list.screen(query, threshold=0.5, limit=50)
    named = every_list.screen(
        query, threshold=0.5, limit=50, datasets=[d for d, _ in every_list.index.versions]
    )
    assert [(m.id, m.score) for m in named] == [(m.id, m.score) for m in everything]
