"""Screening against real lists: the founding case, identifiers, schemata, dates, persistence."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctrace.errors import SanctraceError
from sanctrace.match import Query, Screener
from sanctrace.match.index import Index

KUPOL = "us_ofac_sdn:46431"


def test_iemz_kupol_finds_the_izhevsk_plant(sdn_screener: Screener) -> None:
    results = sdn_screener.screen(Query("IEMZ Kupol"))
    assert results and results[0].id == KUPOL
    how = {t["how"] for t in results[0].explanation["tokens"]}
    assert "acronym" in how


def test_full_english_name_without_legal_form(sdn_screener: Screener) -> None:
    results = sdn_screener.screen(Query("Izhevsk Electromechanical Plant Kupol", schema="Company"))
    assert results[0].id == KUPOL and results[0].score >= 0.9


def test_identifier_alone_finds_the_entity(sdn_screener: Screener) -> None:
    results = sdn_screener.screen(Query("Some Other Name", identifiers=("1831083343",)))
    assert [r.id for r in results] == [KUPOL]
    assert any(f["feature"] == "identifier" for f in results[0].explanation["features"])


def test_person_query_never_matches_a_vessel(sdn_screener: Screener, sdn_entities) -> None:  # type: ignore[no-untyped-def]
    vessel = next(e for e in sdn_entities if e.schema == "Vessel")
    assert sdn_screener.screen(Query(vessel.caption))[0].id == vessel.id
    assert all(
        r.schema != "Vessel" for r in sdn_screener.screen(Query(vessel.caption, schema="Person"))
    )


def test_conflicting_birth_date_lowers_the_score(un_screener: Screener) -> None:
    plain = un_screener.screen(Query("Eric Badege", schema="Person"))
    assert plain and plain[0].id == "un_sc_sanctions:6907993"
    wrong = un_screener.screen(
        Query("Eric Badege", schema="Person", birth_dates=("1931",)), threshold=0
    )
    assert wrong[0].score < plain[0].score


def test_weak_aliases_are_searched_but_weigh_less(sdn_screener: Screener, sdn_entities) -> None:  # type: ignore[no-untyped-def]
    entity = next(
        e for e in sdn_entities if any(n.kind == "weak_aka" and len(n.value) > 12 for n in e.names)
    )
    weak = next(n.value for n in entity.names if n.kind == "weak_aka" and len(n.value) > 12)
    results = sdn_screener.screen(Query(weak), threshold=0)
    top = next(r for r in results if r.id == entity.id)
    assert top.explanation["name_kind"] in ("weak_aka", "primary", "strong_aka")


def test_threshold_zero_shows_best_candidates(sdn_screener: Screener) -> None:
    assert sdn_screener.screen(Query("Zzyzx Qwerty"), threshold=0.8) == []
    assert len(sdn_screener.screen(Query("Kupol Trading"), threshold=0, limit=5)) == 5


def test_index_round_trip(tmp_path: Path, sdn_screener: Screener) -> None:
    path = tmp_path / "index.pickle"
    sdn_screener.index.save(path)
    loaded = Screener(Index.load(path))
    assert [r.id for r in loaded.screen(Query("IEMZ Kupol"))] == [
        r.id for r in sdn_screener.screen(Query("IEMZ Kupol"))
    ]


def test_oversized_query_is_refused(sdn_screener: Screener) -> None:
    with pytest.raises(SanctraceError, match="limit"):
        sdn_screener.screen(Query("x" * 10_000))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=200))
def test_any_text_gives_an_answer(sdn_screener: Screener, text: str) -> None:
    for result in sdn_screener.screen(Query(text), threshold=0, limit=3):
        assert 0.0 <= result.score <= 1.0


def test_damaged_or_tampered_index_is_rebuilt(tmp_path: Path, data_dir: Path) -> None:
    import os
    import pickle

    from sanctrace.ingest import load_paths
    from sanctrace.match.screener import index_path, load_or_build_index
    from sanctrace.store import open_store

    with open_store(str(tmp_path / "s.db")) as store:
        load_paths(store, [data_dir / "ofac_consolidated/2026-01-08/consolidated.xml"])
        path = index_path(store, store.active_versions())
        assert len(load_or_build_index(store).entities) == 442
        path.write_bytes(b"not a pickle at all")
        assert len(load_or_build_index(store).entities) == 442
        with pytest.raises(SanctraceError, match=r"refusing posix\.system"):
            path.write_bytes(pickle.dumps((5, os.system)))
            Index.load(path)
        assert len(load_or_build_index(store).entities) == 442


def test_a_tampered_index_entry_is_refused_when_read(tmp_path: Path) -> None:
    """Entries are decoded when a query first reads them: one that names anything but the
    index's own types is refused then, with a message saying how to rebuild."""
    import os
    import pickle
    from array import array

    from sanctrace.match.packed import PackedList

    good = pickle.dumps(("fine",), protocol=5)
    bad = pickle.dumps(os.system, protocol=5)
    packed = PackedList(good + bad, array("Q", [0, len(good), len(good) + len(bad)]))
    assert packed[0] == ("fine",)
    with pytest.raises(SanctraceError, match=r"damaged at entry 1 .*refusing posix\.system"):
        packed[1]
