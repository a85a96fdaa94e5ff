"""Party ids outlive list versions: kept by every party that still has a member, by the older
party of a merge (the younger redirects to it) and by the larger part of a split. Pure tests
of ``ids.assign`` and ``Clusters``, then the same on real records across real list versions."""

from __future__ import annotations

from pathlib import Path

from homes import copy_home
from party_stages import Stages

from sanctrace.resolve.clusters import Clusters
from sanctrace.resolve.ids import assign, is_party_id, new_party_id
from sanctrace.resolve.judgements import Judgement
from sanctrace.resolve.store import judge, load_parties
from sanctrace.store import open_store


def test_new_ids_are_derived_from_the_founding_record_and_never_reused() -> None:
    first = assign([["b:1", "a:1"], ["c:1"]], {}, {})
    again = assign([["c:1"], ["a:1", "b:1"]], {}, {})
    assert first.membership == again.membership
    assert first.membership["a:1"] == first.membership["b:1"] == new_party_id("a:1", set())
    assert all(is_party_id(p) for p in first.created) and len(first.created) == 2
    taken = {new_party_id("a:1", set())}
    assert new_party_id("a:1", taken) not in taken


def test_a_party_keeps_its_id_when_it_gains_and_loses_members() -> None:
    previous = {"a:1": "P-old", "b:1": "P-old", "c:1": "P-other"}
    out = assign([["a:1", "d:1"], ["c:1"]], previous, {"P-old": 1, "P-other": 2})
    assert out.membership == {"a:1": "P-old", "d:1": "P-old", "c:1": "P-other"}
    assert out.created == [] and out.redirects == {} and out.retired == []


def test_a_merge_keeps_the_older_id_and_the_younger_redirects() -> None:
    previous = {"a:1": "P-young", "b:1": "P-elder"}
    out = assign([["a:1", "b:1", "c:1"]], previous, {"P-elder": 1, "P-young": 7})
    assert set(out.membership.values()) == {"P-elder"}
    assert out.redirects == {"P-young": "P-elder"}


def test_a_split_keeps_the_id_on_the_larger_part() -> None:
    previous = {r: "P-whole" for r in ("a:1", "b:1", "c:1")}
    out = assign([["a:1"], ["b:1", "c:1"]], previous, {"P-whole": 1})
    assert out.membership["b:1"] == out.membership["c:1"] == "P-whole"
    assert out.membership["a:1"] in out.created and out.membership["a:1"] != "P-whole"


def test_a_party_whose_records_all_left_is_retired() -> None:
    out = assign([["b:1"]], {"a:1": "P-gone", "b:1": "P-stays"}, {"P-gone": 1, "P-stays": 2})
    assert out.retired == ["P-gone"] and out.membership == {"b:1": "P-stays"}


def test_clusters_refuse_a_second_record_of_one_list_and_a_different_judgement() -> None:
    clusters = Clusters.of([("au:1", "au"), ("au:2", "au"), ("gb:1", "gb"), ("un:1", "un")])
    clusters.join("au:1", "gb:1")
    assert "au" in str(clusters.obstacle("au:2", "gb:1"))
    assert clusters.obstacle("au:2", "gb:1", same_list_ok=True) is None
    apart = Judgement.of("un:1", "gb:1", "different", "analyst", "two people")
    clusters.keep_apart(apart)
    assert clusters.obstacle("un:1", "au:1") == apart
    assert clusters.groups() == [["au:1", "gb:1"], ["au:2"], ["un:1"]]


def test_every_party_with_a_member_left_keeps_its_id_in_a_newer_list_version(
    party_stages: Stages,
) -> None:
    """UN list of 2025-04-19, then of 2025-11-29 (877 then 1,000 records): a party id that
    still has one of its records names the party of those records, now as then."""
    before, after = party_stages.judged.parties, party_stages.reloaded.parties
    survivors = {
        party: [r for r in members if r in after.membership]
        for party, members in before.by_party.items()
    }
    survivors = {party: left for party, left in survivors.items() if left}
    assert len(survivors) > 1000
    moved = {
        party: sorted({after.party_of(r) for r in left})
        for party, left in survivors.items()
        if after.canonical(party) not in {after.party_of(r) for r in left}
    }
    assert moved == {}
    kept = [party for party in survivors if party in after.by_party]
    assert len(kept) == len(survivors), "no party with a member left was renamed"
    gone = [p for p, members in before.by_party.items() if p not in survivors]
    assert gone, "the newer UN list dropped some records: their parties have no member left"
    with open_store(str(party_stages.reloaded.home / "sanctrace.db")) as store:
        status = dict(store._rows("SELECT party_id, status FROM parties"))
    assert {status[p] for p in gone} <= {"retired", "merged"}


def test_a_new_record_that_joins_two_parties_keeps_the_older_id(party_stages: Stages) -> None:
    """One person's Australian and UK records are two parties until the UN record arrives:
    then one party, under the older id, the younger redirecting to it."""
    au, gb, un = party_stages.bridged
    lists, merged = party_stages.lists.parties, party_stages.un.parties
    assert lists.party_of(au) != lists.party_of(gb)
    assert merged.party_of(au) == merged.party_of(gb) == merged.party_of(un)
    with open_store(str(party_stages.un.home / "sanctrace.db")) as store:
        seq = dict(store._rows("SELECT party_id, seq FROM parties"))
        redirect = dict(store._rows("SELECT party_id, redirect_to FROM parties"))
    elder, younger = sorted((lists.party_of(au), lists.party_of(gb)), key=seq.__getitem__)
    assert merged.party_of(un) == elder
    assert redirect[younger] == elder and merged.canonical(younger) == elder
    assert all(merged.members(target) for target in merged.redirects.values())


def test_a_split_keeps_the_id_on_the_larger_part_on_real_records(
    party_stages: Stages, tmp_path: Path
) -> None:
    """The Australian record splits off the party of three: the UK and UN records keep its id."""
    home = copy_home(party_stages.un.home, tmp_path / "home")
    au, gb, un = party_stages.bridged
    with open_store(str(home / "sanctrace.db")) as store:
        party = load_parties(store).party_of(au)
        judge(store, au, un, "different", "tester", "two people after all")
        after = load_parties(store)
    assert after.party_of(gb) == after.party_of(un) == party
    assert after.party_of(au) != party and after.members(after.party_of(au)) == [au]
