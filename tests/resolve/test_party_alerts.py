"""Monitoring alerts in parties (monitor.parties): a listing a matched party gains is "party X
gained a listing on list Y", not a new entity; a delisting that leaves other listings is "lost
its listing on list Z"; a party newly matched through several listings is one alert. Real
records (see party_stages): the UN list arrives and joins a person's Australian and UK
records, which a watched customer already matched."""

from __future__ import annotations

from pathlib import Path

from homes import copy_home
from party_stages import UN_OLD, Stages, load_list, resolved

from sanctrace.match import Query
from sanctrace.monitor import alerts, watchlists
from sanctrace.monitor.alerts import NewAlert
from sanctrace.monitor.parties import party_alerts
from sanctrace.monitor.rescreen import rescreen
from sanctrace.resolve.store import Parties
from sanctrace.store import open_store


def test_a_new_listing_of_a_matched_party_is_a_gained_listing(
    party_stages: Stages, tmp_path: Path, data_dir: Path
) -> None:
    au, gb, un = party_stages.bridged
    home = copy_home(party_stages.lists.home, tmp_path / "home")
    with open_store(str(home / "sanctrace.db")) as store:
        caption = store.get_entity(au)[0].caption
        watchlists.add(store, "bank", [("c1", Query(caption, "Person"))])
        rescreen(store, parties=party_stages.lists.parties)
        first = alerts.list_alerts(store)
        matched = {a.entity_id for a in first}
        assert au in matched, f"the customer named {caption!r} matches the Australian listing"
        assert all(a.kind == "new" and a.details["party"]["event"] == "new" for a in first)
        assert len({a.details["party"]["id"] for a in first}) == len(first), "one per party"
        load_list(store, data_dir / UN_OLD, subset=False)
        parties = resolved(store)
        rescreen(store, parties=parties)
        raised = [a for a in alerts.list_alerts(store) if a.id not in {b.id for b in first}]
    gained = [a for a in raised if a.entity_id == un]
    assert len(gained) == 1 and gained[0].kind == "changed"
    party = gained[0].details["party"]
    assert party["event"] == "gained" and party["id"] == parties.party_of(au)
    assert party["summary"] == (
        f"party {party['id']} gained a listing on UN Security Council Consolidated List, XML"
    )
    assert {d["id"] for d in party["listings"]} >= {au, gb, un}
    assert not [a for a in raised if a.kind == "new"], "no listing of a known party is 'new'"


def _alert(kind: str, record: str, **details: object) -> NewAlert:
    return NewAlert(kind, "bank", "c1", record, 0.9, "cfp", "efp", details=dict(details))


def _listing(record: str) -> dict[str, str]:
    dataset = record.split(":", 1)[0]
    return {"dataset": dataset, "id": record, "list": dataset.upper()}


def test_party_alerts_say_gained_lost_new_and_removed_once_per_party() -> None:
    parties = Parties(
        {"au:1": "P-one", "gb:1": "P-one", "un:1": "P-one", "au:2": "P-two", "gb:2": "P-two"}
    )
    raised = [
        _alert("new", "un:1"),
        _alert("removed", "gb:1", reason="delisted"),
        _alert("new", "au:2"),
        _alert("new", "gb:2"),
    ]
    out = party_alerts(
        raised, ["au:1", "gb:1"], ["au:1", "un:1", "au:2", "gb:2"], parties, _listing
    )
    said = [(a.kind, a.entity_id, a.details["party"]["summary"]) for a in out]
    assert said == [
        ("changed", "un:1", "party P-one gained a listing on UN"),
        ("changed", "gb:1", "party P-one lost its listing on GB"),
        ("new", "au:2", "new match: party P-two, listed on AU, GB"),
    ]
    assert out[2].details["party"]["also"] == ["gb:2"]
    gone = party_alerts(
        [_alert("removed", "au:2", reason="delisted"), _alert("removed", "gb:2", reason="x")],
        ["au:2", "gb:2"],
        [],
        parties,
        _listing,
    )
    assert [(a.kind, a.details["party"]["summary"]) for a in gone] == [
        ("removed", "party P-two no longer matches (delisted)")
    ]
