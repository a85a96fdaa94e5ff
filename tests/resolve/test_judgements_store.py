"""An analyst's judgement is stored, wins over the automatic one on the same pair, and survives
a reload of the lists; an unknown id or a judgement that contradicts the analyst's earlier
ones is refused with nothing changed. Real records (see party_stages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from homes import copy_home
from party_stages import Stages

from sanctrace.cli.review import not_followed
from sanctrace.errors import NotFoundError, SanctraceError
from sanctrace.resolve.contradictions import review_queue, stored_resolution
from sanctrace.resolve.store import Parties, judge, load_judgements, load_parties
from sanctrace.store import Store, open_store


def _judgements_of(home: Path, pair: tuple[str, str]) -> dict[str, str]:
    with open_store(str(home / "sanctrace.db")) as store:
        return {
            j.source: j.verdict for j in load_judgements(store) if j.pair == tuple(sorted(pair))
        }


def test_a_different_overrules_the_automatic_same_and_survives_a_reload(
    party_stages: Stages,
) -> None:
    a, b = party_stages.overruled
    assert party_stages.un.parties.party_of(a) == party_stages.un.parties.party_of(b)
    for stage in (party_stages.judged, party_stages.reloaded):
        assert stage.parties.party_of(a) != stage.parties.party_of(b)
    # The reload made the automatic judgement again; the analyst's still decides.
    assert _judgements_of(party_stages.reloaded.home, (a, b)) == {
        "name": "same",
        "analyst": "different",
    }


def test_a_same_joins_an_unsure_pair_and_survives_a_reload(party_stages: Stages) -> None:
    a, b = party_stages.joined
    assert party_stages.un.parties.party_of(a) != party_stages.un.parties.party_of(b)
    for stage in (party_stages.judged, party_stages.reloaded):
        assert stage.parties.party_of(a) == stage.parties.party_of(b)
    made = _judgements_of(party_stages.reloaded.home, (a, b))
    assert made["analyst"] == "same" and made.get("name") == "unsure"
    with open_store(str(party_stages.reloaded.home / "sanctrace.db")) as store:
        (analyst,) = [j for j in load_judgements(store, analyst_only=True) if j.pair == (a, b)]
    assert analyst.user == "tester" and analyst.why and analyst.at


def test_the_review_queue_is_the_unsure_pairs_between_two_parties(party_stages: Stages) -> None:
    with open_store(str(party_stages.judged.home / "sanctrace.db")) as store:
        parties = load_parties(store)
        queue = review_queue(stored_resolution(store).review, parties)
    assert queue, "the UN list leaves some names the rules cannot decide"
    assert all(j.verdict == "unsure" for j in queue)
    assert all(parties.party_of(j.a) != parties.party_of(j.b) for j in queue)
    scores = [j.score or 0.0 for j in queue]
    assert scores == sorted(scores, reverse=True)
    assert party_stages.joined not in [j.pair for j in queue], "a decided pair leaves the queue"


def _state(store: Store) -> tuple[Any, ...]:
    return (
        store._rows("SELECT * FROM judgements ORDER BY a, b, source"),
        store._rows("SELECT * FROM party_members ORDER BY record_id"),
        store._rows("SELECT * FROM parties ORDER BY party_id"),
        store._rows("SELECT * FROM party_state"),
    )


def test_an_unknown_id_and_a_contradiction_are_refused_with_nothing_changed(
    party_stages: Stages, tmp_path: Path
) -> None:
    home = copy_home(party_stages.un.home, tmp_path / "home")
    au, gb, un = party_stages.bridged
    with open_store(str(home / "sanctrace.db")) as store:
        judge(store, au, gb, "same", "tester", "one official")
        judge(store, gb, un, "same", "tester", "one official")
        before = _state(store)
        with pytest.raises(NotFoundError, match="no record or party 'un_sc_sanctions:1'"):
            judge(store, "un_sc_sanctions:1", au, "same", "tester", "typo")
        with pytest.raises(NotFoundError):
            judge(store, "P-nosuchparty", au, "different", "tester", "typo")
        with pytest.raises(SanctraceError, match="contradicts") as refused:
            judge(store, au, un, "different", "tester", "A=B, B=C, A≠C")
        assert f"{au} = {gb}" in str(refused.value) and "nothing changed" in str(refused.value)
        assert _state(store) == before


def _lists(members: list[str]) -> set[str]:
    return {r.split(":", 1)[0] for r in members}


def test_party_ids_stand_for_their_records(party_stages: Stages, tmp_path: Path) -> None:
    """Two parties of the review queue on lists apart, judged "same" by their party ids: one
    party of all their records, both old ids leading to it."""
    home = copy_home(party_stages.un.home, tmp_path / "home")
    with open_store(str(home / "sanctrace.db")) as store:
        before = load_parties(store)
        pa, pb = next(
            (pa, pb)
            for j in review_queue(stored_resolution(store).review, before)
            for pa, pb in [(before.party_of(j.a), before.party_of(j.b))]
            if not _lists(before.members(pa)) & _lists(before.members(pb))
        )
        judgement, after = judge(store, pa, pb, "same", "tester", "one person")
    assert judgement.source == "analyst" and judgement.user == "tester"
    merged = after.canonical(pa)
    assert after.canonical(pb) == merged
    assert set(after.members(merged)) == {*before.members(pa), *before.members(pb)}


def test_records_that_did_not_follow_a_judgement_are_named() -> None:
    parties = Parties({"au:1": "P-a", "gb:1": "P-a", "gb:2": "P-b", "un:1": "P-b"})
    assert not_followed("same", ["au:1", "gb:1"], ["gb:2", "un:1"], parties) == ["gb:2", "un:1"]
    assert not_followed("same", ["au:1"], ["gb:1"], parties) == []
    assert not_followed("different", ["au:1"], ["gb:1"], parties) == ["au:1", "gb:1"]
    assert not_followed("different", ["au:1"], ["un:1"], parties) == []
    assert not_followed("unsure", ["au:1"], ["gb:1"], parties) == []
