"""Whitelisted pairs on the real OFAC SDN history: a (customer, listed record) pair whitelisted
is not raised again on re-screens, whatever becomes of the customer record, until the listed
record's content changes; then it alerts, and the whitelist is over."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace import audit
from sanctrace.errors import SanctraceError
from sanctrace.ingest import load_paths
from sanctrace.match import Query
from sanctrace.monitor import alerts, triage, watchlists
from sanctrace.monitor.alerts import whitelist_of
from sanctrace.monitor.diff import content
from sanctrace.monitor.rescreen import current_matches, rescreen
from sanctrace.sources import parse_files
from sanctrace.store import Store, open_store

HISTORY = "ofac_sdn_history"
#: Listed on both days; Luxembourg dropped from its nationalities on 2023-11-02.
CHANGED = "us_ofac_sdn:44290"


def _sdn(data_dir: Path, day: str) -> Path:
    return data_dir / HISTORY / day / "sdn.csv"


def _load(store: Store, data_dir: Path, day: str) -> None:
    load_paths(store, [_sdn(data_dir, day)], dataset="us_ofac_sdn", version=day)


def test_whitelist_of_is_the_latest_decision_with_no_alert_since() -> None:
    a, b, c = ("K1", "x:1"), ("K2", "x:2"), ("K3", "x:3")
    rows = [
        # a: whitelisted, nothing raised since: holds
        (*a, "resolved", "whitelist", "fpA", "2026-01-01T00", "2026-01-02T00"),
        # b: whitelisted, then raised again (its listing changed): over
        (*b, "resolved", "whitelist", "fpB", "2026-01-01T00", "2026-01-02T00"),
        (*b, "open", None, "fpB2", "2026-01-03T00", None),
        # c: whitelisted, then re-decided a true match: over
        (*c, "resolved", "whitelist", "fpC", "2026-01-01T00", "2026-01-02T00"),
        (*c, "resolved", "true-match", "fpC", "2026-01-01T01", "2026-01-04T00"),
    ]
    assert whitelist_of(rows) == {a: "fpA"}


def test_whitelisted_pair_is_quiet_until_its_listing_changes(
    store_url: str, data_dir: Path
) -> None:
    with open_store(store_url) as store:
        _load(store, data_dir, "2023-10-31")
        _load(store, data_dir, "2023-11-02")
        store.activate("us_ofac_sdn", "2023-10-31")
        before = {e.id: e for e in parse_files([_sdn(data_dir, "2023-10-31")]).entities}
        after = {e.id: e for e in parse_files([_sdn(data_dir, "2023-11-02")]).entities}
        assert content(before[CHANGED]) != content(after[CHANGED])
        steady = next(
            e
            for i, e in sorted(before.items())
            if e.schema == "Person"
            and len(e.caption.split()) >= 3
            and i in after
            and content(e) == content(after[i])
        )
        watchlists.add(
            store,
            "bank",
            [
                ("C1", Query(name=before[CHANGED].caption)),
                ("C2", Query(name=steady.caption, schema="Person")),
            ],
        )
        rescreen(store)
        opened = {a.entity_id: a for a in alerts.list_alerts(store, watchlist="bank")}
        assert {CHANGED, steady.id} <= set(opened)
        for entity_id in (CHANGED, steady.id):
            done = alerts.resolve(
                store,
                opened[entity_id].id,
                decision="whitelist",
                note="a namesake: different person, known customer since 2009",
                caller="key-ana",
                by={"name": "ana", "role": "analyst", "via": "test"},
            )
            assert done.decision == "whitelist"
            record = audit.get(store, done.audit_seq or 0)
            assert record is not None and record.kind == "alert-decision"
            assert record.record["request"]["by"]["name"] == "ana"
            assert record.record["request"]["entity_fp"] == opened[entity_id].entity_fp
        held = alerts.whitelisted(store, "bank")
        assert set(held) >= {("C1", CHANGED), ("C2", steady.id)}
        # Other open alerts stay; a full re-screen raises nothing on the whitelisted pairs.
        raised_before = {a.id for a in alerts.list_alerts(store, status=None)}
        (full,) = rescreen(store, full=True)
        assert full.mode == "full" and full.screened == 2
        assert {a.id for a in alerts.list_alerts(store, status=None)} == raised_before
        # The customer record changes (a false positive would be raised again): still quiet.
        watchlists.add(
            store, "bank", [("C2", Query(name=steady.caption, schema="Person", countries=("ZZ",)))]
        )
        (changed_customer,) = rescreen(store)
        assert changed_customer.screened >= 1
        assert {a.id for a in alerts.list_alerts(store, status=None)} == raised_before
        assert steady.id in current_matches(store, "bank")["C2"]
        # The listing of CHANGED changes (2023-11-02): that pair alerts again, the other does not.
        store.activate("us_ofac_sdn", "2023-11-02")
        rescreen(store)
        new = [a for a in alerts.list_alerts(store, status=None) if a.id not in raised_before]
        pairs = {(a.key, a.entity_id): a for a in new}
        assert ("C1", CHANGED) in pairs and ("C2", steady.id) not in pairs
        again = pairs[("C1", CHANGED)]
        assert again.kind == "changed"
        assert "nationalities" in again.details["entity_changes"]
        # The whitelist of the changed pair is over; the steady one holds.
        held = alerts.whitelisted(store, "bank")
        assert ("C1", CHANGED) not in held and ("C2", steady.id) in held
        # History of the pair: the whitelisted alert, then the new one.
        history = triage.pair_history(store, again)
        assert [a.decision for a in history] == ["whitelist", None]
        assert audit.verify(store).ok


def test_whitelist_needs_a_current_match(tmp_path: Path, data_dir: Path) -> None:
    with open_store(str(tmp_path / "s.db")) as store:
        _load(store, data_dir, "2023-10-27")
        _load(store, data_dir, "2023-10-31")
        before = {e.id: e for e in parse_files([_sdn(data_dir, "2023-10-27")]).entities}
        after = {e.id for e in parse_files([_sdn(data_dir, "2023-10-31")]).entities}
        delisted = next(
            e for i, e in sorted(before.items()) if i not in after and e.schema == "Person"
        )
        store.activate("us_ofac_sdn", "2023-10-27")
        watchlists.add(store, "bank", [("C1", Query(name=delisted.caption, schema="Person"))])
        rescreen(store)
        (first,) = [a for a in alerts.list_alerts(store) if a.entity_id == delisted.id]
        alerts.resolve(store, first.id, decision="true-match", note="same person", caller="ana")
        store.activate("us_ofac_sdn", "2023-10-31")
        rescreen(store)
        (removed,) = [a for a in alerts.list_alerts(store) if a.entity_id == delisted.id]
        assert removed.kind == "removed"
        with pytest.raises(SanctraceError, match="cannot be whitelisted"):
            alerts.resolve(store, removed.id, decision="whitelist", note="x", caller="ana")


def test_queue_filters_sorts_and_assigns(tmp_path: Path, data_dir: Path) -> None:
    with open_store(str(tmp_path / "s.db")) as store:
        _load(store, data_dir, "2023-10-31")
        entities = parse_files([_sdn(data_dir, "2023-10-31")]).entities
        people = [e for e in entities if e.schema == "Person" and len(e.caption.split()) >= 3][:6]
        watchlists.add(
            store, "bank", [(f"C{n}", Query(name=e.caption)) for n, e in enumerate(people)]
        )
        rescreen(store)
        everything, total = triage.queue(store, triage.Filters(status=None), limit=1000)
        assert total == len(everything) >= 6
        by_score, _ = triage.queue(store, triage.Filters(sort="score"), limit=1000)
        scores = [a.score or 0 for a in by_score]
        assert scores == sorted(scores, reverse=True)
        newest, _ = triage.queue(store, triage.Filters(), limit=2)
        assert [a.id for a in newest] == sorted((a.id for a in everything), reverse=True)[:2]
        page2, _ = triage.queue(store, triage.Filters(), limit=2, offset=2)
        assert not {a.id for a in page2} & {a.id for a in newest}
        high, n_high = triage.queue(store, triage.Filters(min_score=0.99), limit=1000)
        assert n_high == len(high) and all((a.score or 0) >= 0.99 for a in high)
        none, n_none = triage.queue(store, triage.Filters(dataset="gb_hmt"), limit=10)
        assert n_none == 0 and not none
        sdn, n_sdn = triage.queue(store, triage.Filters(dataset="us_ofac_sdn"), limit=1000)
        assert n_sdn == total == len(sdn)
        target = everything[0]
        mine = triage.assign(store, target.id, "key-ana", caller="key-ana")
        assert mine.assignee == "key-ana" and mine.assigned_at and len(mine.audit_seqs) == 1
        (only,), one = triage.queue(store, triage.Filters(assignee="key-ana"))
        assert one == 1 and only.id == target.id
        _, unassigned = triage.queue(store, triage.Filters(assignee=triage.UNASSIGNED))
        assert unassigned == total - 1
        back = triage.assign(store, target.id, None, caller="key-ana")
        assert back.assignee is None and len(back.audit_seqs) == 2
        records = triage.audit_records(store, [back])
        assert [r.record["request"]["assignee"] for r in records] == ["key-ana", None]
        assert triage.choices(store)["datasets"] == ["us_ofac_sdn"]
        assert audit.verify(store).ok
