"""Re-screening on the real OFAC SDN history: incremental equals full, alerts say what changed,
and a cleared false positive stays cleared until the entity or the customer changes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sanctrace.ingest import load_paths
from sanctrace.match import Query
from sanctrace.monitor import alerts, watchlists
from sanctrace.monitor.rescreen import current_matches, rescreen
from sanctrace.sources import parse_files
from sanctrace.store import Store, open_store

HISTORY = "ofac_sdn_history"


def _sdn(data_dir: Path, day: str) -> Path:
    return data_dir / HISTORY / day / "sdn.csv"


def _load(store: Store, data_dir: Path, day: str) -> None:
    load_paths(store, [_sdn(data_dir, day)], dataset="us_ofac_sdn", version=day)


def _customers(data_dir: Path) -> list[tuple[str, Query]]:
    """Customers as a bank might hold them: names of entries added, changed and removed on
    2023-11-02 (some misspelt), other listed names, and unlisted people and firms."""
    before = {e.id: e for e in parse_files([_sdn(data_dir, "2023-10-31")]).entities}
    after = {e.id: e for e in parse_files([_sdn(data_dir, "2023-11-02")]).entities}
    moved = sorted((set(after) ^ set(before)) | {"us_ofac_sdn:44290", "us_ofac_sdn:45026"})
    rng = random.Random(7)
    steady = rng.sample(sorted(set(before) & set(after)), 150)
    found: list[tuple[str, Query]] = []
    for n, entity_id in enumerate(moved + steady):
        entity = before.get(entity_id) or after[entity_id]
        name = entity.caption
        if n % 4 == 1 and len(name) > 8 and entity_id in after and entity_id not in before:
            name = name[:-3] + name[-2:]  # a letter lost in typing
        schema = entity.schema if entity.schema in ("Person", "Company") else None
        found.append((f"L{n:04d}", Query(name=name, schema=schema)))
    firsts = "Margaret Oliver Hannah Lukas Chiara Mateo Ingrid Tomasz Aiko Emeka Sofia Pieter"
    lasts = "Thistlewood Brennan Okafor Lindqvist Moreau Kowalczyk Tanaka Rossi Schmidt Almeida"
    trades = "Dairy Timber Lamp Ceramics Bakery Orchard Textiles Freight Optics Marine"
    people = [f"{a} {b}" for a in firsts.split() for b in lasts.split()]
    firms = [f"{b} {t} Ltd" for b in lasts.split() for t in trades.split()]
    found.extend((f"U{n:04d}", Query(name=name)) for n, name in enumerate(people + firms))
    return found


@pytest.fixture(scope="module")
def customers(data_dir: Path) -> list[tuple[str, Query]]:
    return _customers(data_dir)


def test_incremental_equals_full(
    store_url: str, data_dir: Path, customers: list[tuple[str, Query]]
) -> None:
    with open_store(store_url) as store:
        _load(store, data_dir, "2023-10-31")
        watchlists.add(store, "bank", customers)
        (first,) = rescreen(store)
        assert first.mode == "full" and first.screened == len(customers)
        assert first.alerts.get("new", 0) == first.matches > 0

        # A customer renamed between the two list versions is screened again in any case.
        renamed = [(customers[-1][0], Query(name="Rosoboronexport"))]
        watchlists.add(store, "bank", renamed)
        _load(store, data_dir, "2023-11-02")
        (incremental,) = rescreen(store)
        assert incremental.mode == "incremental"
        assert incremental.screened < len(customers) - 100
        got = current_matches(store, "bank")

        # A full re-screen from scratch finds the same, and so nothing to alert.
        (full,) = rescreen(store, full=True)
        assert full.mode == "full" and full.screened == len(customers) and not full.alerts
        assert current_matches(store, "bank") == got
        assert sum(len(m) for m in got.values()) == incremental.matches


def test_incremental_equals_a_fresh_store(
    tmp_path: Path, data_dir: Path, customers: list[tuple[str, Query]]
) -> None:
    """Same as above against a store that never saw the older version."""
    store = open_store(str(tmp_path / "a.db"))
    _load(store, data_dir, "2023-10-31")
    watchlists.add(store, "bank", customers)
    rescreen(store)
    _load(store, data_dir, "2023-11-02")
    rescreen(store)
    fresh = open_store(str(tmp_path / "b.db"))
    _load(fresh, data_dir, "2023-11-02")
    watchlists.add(fresh, "bank", customers)
    rescreen(fresh)
    assert current_matches(fresh, "bank") == current_matches(store, "bank")


def test_alerts_name_what_changed(
    tmp_path: Path, data_dir: Path, customers: list[tuple[str, Query]]
) -> None:
    store = open_store(str(tmp_path / "s.db"))
    _load(store, data_dir, "2023-10-31")
    watchlists.add(store, "bank", customers)
    rescreen(store)
    opened = {a.id for a in alerts.list_alerts(store)}
    _load(store, data_dir, "2023-11-02")
    (report,) = rescreen(store)
    raised = [a for a in alerts.list_alerts(store) if a.id not in opened]
    by_kind: dict[str, int] = {}
    for alert in raised:
        by_kind[alert.kind] = by_kind.get(alert.kind, 0) + 1
    assert report.alerts == by_kind
    # Entries added on 2023-11-02 are new matches for the customers carrying their names.
    added = {a.entity_id for a in raised if a.kind == "new"}
    assert len(added) >= 100
    # The one entry removed that day (ODK Saturn) is a delisting for the customer matching it;
    # Novator was renamed (45026, its old name not kept as an alias): the customer under the
    # old name no longer matches, because the listing changed.
    removed = {a.entity_id: a.details for a in raised if a.kind == "removed"}
    assert removed["us_ofac_sdn:45030"]["reason"] == "delisted"
    novator = removed["us_ofac_sdn:45026"]
    assert novator["reason"] == "listing changed"
    assert "caption" in novator["entity_changes"]
    assert sum(d["reason"] == "delisted" for d in removed.values()) == 1
    # Luxembourg dropped from a listed person's nationalities: the match stands, changed.
    changed = {a.entity_id: a for a in raised if a.kind == "changed"}
    assert "nationalities" in changed["us_ofac_sdn:44290"].details["entity_changes"]
    # Nothing to do when nothing changed.
    (again,) = rescreen(store)
    assert again.mode == "current" and not again.alerts


def test_false_positive_stays_cleared_until_something_changes(
    tmp_path: Path, data_dir: Path
) -> None:
    store = open_store(str(tmp_path / "s.db"))
    _load(store, data_dir, "2023-10-27")
    _load(store, data_dir, "2023-10-31")
    before = {e.id: e for e in parse_files([_sdn(data_dir, "2023-10-27")]).entities}
    after = {e.id for e in parse_files([_sdn(data_dir, "2023-10-31")]).entities}
    delisted = next(e for i, e in sorted(before.items()) if i not in after and e.schema == "Person")
    store.activate("us_ofac_sdn", "2023-10-27")
    customer = Query(name=delisted.caption, schema="Person")
    watchlists.add(store, "bank", [("C1", customer)])
    rescreen(store)
    (alert,) = [a for a in alerts.list_alerts(store) if a.entity_id == delisted.id]
    resolved = alerts.resolve(
        store, alert.id, decision="false-positive", note="other person, DOB differs", caller="ana"
    )
    assert resolved.status == "resolved" and resolved.audit_seq is not None
    with pytest.raises(Exception, match="already resolved"):
        alerts.resolve(store, alert.id, decision="true-match", note="x", caller="ana")

    # Delisted: the cleared pair goes away without an alert ...
    store.activate("us_ofac_sdn", "2023-10-31")
    (gone,) = rescreen(store)
    assert delisted.id not in current_matches(store, "bank").get("C1", {})
    assert not gone.alerts
    # ... and comes back unchanged (the older version again): still cleared.
    store.activate("us_ofac_sdn", "2023-10-27")
    (back,) = rescreen(store)
    assert delisted.id in current_matches(store, "bank")["C1"]
    assert not back.alerts
    # The customer's record changes: the pair is raised again.
    watchlists.add(store, "bank", [("C1", Query(name=delisted.caption))])
    (changed,) = rescreen(store)
    assert changed.alerts == {"changed": 1}
    assert alerts.list_alerts(store)[-1].entity_id == delisted.id
