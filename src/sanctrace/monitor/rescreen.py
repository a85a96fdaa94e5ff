"""Re-screening watchlists when a list changes, incrementally, with the full re-screen's result.

A watchlist remembers the list versions its matches reflect. When the active versions move on,
the entities added, removed or changed between them (the *delta*) are indexed on their own, and
only customers whose names reach that small index by any route the matcher takes (a word, a
sound, a near spelling, an acronym, an identifier) are screened again against the whole index,
with the customers whose records changed and those that already have matches (so that every
stored score is the current index's). Every other customer cannot find or be steered by the
delta, so its empty result stands. Matches found, lost or changed become alerts, all written in
one transaction with the new state: a failure leaves the previous state, and the next run
catches up.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sanctrace.audit import now_stamp
from sanctrace.match import MatchConfig, Query
from sanctrace.match.index import Index, distinct_forms
from sanctrace.match.screener import Screener
from sanctrace.model.entity import Entity
from sanctrace.monitor import alerts as alert_store
from sanctrace.monitor.alerts import NewAlert
from sanctrace.monitor.diff import changes, content
from sanctrace.normalize import name_forms
from sanctrace.store import Store

#: Matches kept per customer, best first.
MATCH_LIMIT = 25

#: Coverage below the least a scored candidate needs that still counts as reaching a customer:
#: token weights move a little when entries come and go.
REACH_MARGIN = 0.05

Progress = Callable[[int, int], None]


@dataclass
class RescreenReport:
    watchlist: str
    mode: str  # "full", "incremental" or "current" (nothing to do)
    customers: int = 0
    screened: int = 0
    delta_entities: int = 0
    matches: int = 0
    alerts: dict[str, int] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    #: Where the seconds went: "delta" (what changed, indexed), "reach" (customers the delta
    #: can concern), "screen" and "write"; "index" (opening the screener) on the first report.
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "watchlist": self.watchlist,
            "mode": self.mode,
            "customers": self.customers,
            "screened": self.screened,
            "delta_entities": self.delta_entities,
            "matches": self.matches,
            "alerts": self.alerts,
            "versions": self.versions,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class StoredMatch:
    score: float
    entity_fp: str
    customer_fp: str
    match: dict[str, Any]


@dataclass
class Delta:
    """What changed between the versions a watchlist reflects and the active ones."""

    index: Index
    removed: set[str]
    changed: dict[str, dict[str, Any]]  # entity id -> field changes
    size: int


def reach_floor(config: MatchConfig) -> float:
    """The least coverage at which an index entry can be scored for a query (long shots
    included), less a safety margin: entries below it cannot change a result."""
    return config.threshold - config.coverage_margin - config.long_shot_margin - REACH_MARGIN


def entity_fingerprint(entity: Entity) -> str:
    """The listed entity's content (not where it was read from), hashed: a match on an entity
    whose listing changed is news, even at the same score."""
    text = json.dumps(content(entity), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def watchlist_names(store: Store) -> list[str]:
    rows = store._rows("SELECT DISTINCT watchlist FROM watch_records ORDER BY watchlist")
    rows += store._rows("SELECT watchlist FROM watch_state ORDER BY watchlist")
    return sorted({str(name) for (name,) in rows})


def _state(store: Store, watchlist: str) -> dict[str, str] | None:
    rows = store._rows("SELECT versions FROM watch_state WHERE watchlist = ?", (watchlist,))
    return json.loads(rows[0][0]) if rows else None


def _customers(store: Store, watchlist: str) -> dict[str, tuple[Query, str]]:
    rows = store._rows(
        "SELECT key, query, fingerprint FROM watch_records WHERE watchlist = ?", (watchlist,)
    )
    found: dict[str, tuple[Query, str]] = {}
    for key, text, fingerprint in rows:
        data = json.loads(text)
        query = Query(
            name=data["name"],
            schema=data.get("schema"),
            countries=tuple(data.get("countries") or ()),
            birth_dates=tuple(data.get("birth_dates") or ()),
            identifiers=tuple(data.get("identifiers") or ()),
        )
        found[str(key)] = (query, str(fingerprint))
    return found


def _screened(store: Store, watchlist: str) -> dict[str, str]:
    rows = store._rows(
        "SELECT key, fingerprint FROM watch_screened WHERE watchlist = ?", (watchlist,)
    )
    return {str(key): str(fp) for key, fp in rows}


def _matches(store: Store, watchlist: str) -> dict[str, dict[str, StoredMatch]]:
    rows = store._rows(
        "SELECT key, entity_id, score, entity_fp, customer_fp, match FROM watch_matches "
        "WHERE watchlist = ?",
        (watchlist,),
    )
    found: dict[str, dict[str, StoredMatch]] = {}
    for key, entity_id, score, entity_fp, customer_fp, match in rows:
        found.setdefault(str(key), {})[str(entity_id)] = StoredMatch(
            float(score), str(entity_fp), str(customer_fp), json.loads(match)
        )
    return found


def current_matches(store: Store, watchlist: str) -> dict[str, dict[str, float]]:
    """customer id -> {entity id: score}: what the watchlist matches now."""
    return {
        key: {entity_id: m.score for entity_id, m in found.items()}
        for key, found in _matches(store, watchlist).items()
    }


def compute_delta(store: Store, before: dict[str, str], after: dict[str, str]) -> Delta | None:
    """Entities added, removed or changed between two sets of versions, indexed together (old
    and new forms of a changed entity both); None when an old version is no longer stored."""
    stored = {(v.dataset, v.version) for v in store.versions()}
    entities: list[Entity] = []
    removed: set[str] = set()
    changed: dict[str, dict[str, Any]] = {}
    for dataset in sorted(set(before) | set(after)):
        old_version, new_version = before.get(dataset), after.get(dataset)
        if old_version == new_version:
            continue
        if old_version is not None and (dataset, old_version) not in stored:
            return None
        old = (
            {e.id: e for e in store.iter_entities(dataset, old_version)}
            if old_version is not None
            else {}
        )
        new = (
            {e.id: e for e in store.iter_entities(dataset, new_version)}
            if new_version is not None
            else {}
        )
        for entity_id, entity in new.items():
            previous = old.get(entity_id)
            if previous is None:
                entities.append(entity)
                continue
            found = changes(previous, entity)
            if found:
                changed[entity_id] = found
                entities.extend((previous, entity))
        for entity_id, entity in old.items():
            if entity_id not in new:
                removed.add(entity_id)
                entities.append(entity)
    return Delta(Index.build(entities), removed, changed, len(entities))


def _stored(
    store: Store, screener: Screener, query: Query, customer_fp: str, fingerprints: dict[str, str]
) -> dict[str, StoredMatch]:
    found: dict[str, StoredMatch] = {}
    for match in screener.screen(query, limit=MATCH_LIMIT):
        entity_fp = fingerprints.get(match.id)
        if entity_fp is None:
            entity, _ = store.get_entity(match.id)
            entity_fp = fingerprints[match.id] = entity_fingerprint(entity)
        found[match.id] = StoredMatch(
            round(match.score, 4), entity_fp, customer_fp, match.to_dict()
        )
    return found


def _alerts(
    watchlist: str,
    key: str,
    query: Query,
    customer_fp: str,
    old: dict[str, StoredMatch],
    new: dict[str, StoredMatch],
    cleared: dict[tuple[str, str], tuple[str, str]],
    delta: Delta | None,
    lists: dict[str, str],
) -> list[NewAlert]:
    """New, removed and changed matches of one customer, less the pairs cleared as false
    positives whose entity and record are as they were when cleared."""
    raised: list[NewAlert] = []
    customer = query.to_dict()
    for entity_id, now in new.items():
        before = old.get(entity_id)
        fps = (now.customer_fp, now.entity_fp)
        if before is not None and (before.customer_fp, before.entity_fp) == fps:
            continue
        if cleared.get((key, entity_id)) == fps:
            continue
        details: dict[str, Any] = {"customer": customer, "match": now.match, "lists": lists}
        kind = "new"
        if before is not None:
            kind = "changed"
            details["previous"] = before.match
            details["customer_changed"] = before.customer_fp != now.customer_fp
            if before.entity_fp != now.entity_fp and delta is not None:
                details["entity_changes"] = delta.changed.get(entity_id, {})
        raised.append(NewAlert(kind, watchlist, key, entity_id, now.score, *fps, details=details))
    for entity_id, before in old.items():
        if entity_id in new or (key, entity_id) in cleared:
            continue
        details = {"customer": customer, "previous": before.match, "lists": lists}
        if delta is not None and entity_id in delta.removed:
            details["reason"] = "delisted"
        elif delta is not None and entity_id in delta.changed:
            details["reason"] = "listing changed"
            details["entity_changes"] = delta.changed[entity_id]
        elif before.customer_fp != customer_fp:
            details["reason"] = "customer record changed"
        else:
            details["reason"] = "below threshold"
        raised.append(
            NewAlert(
                "removed",
                watchlist,
                key,
                entity_id,
                None,
                before.customer_fp,
                before.entity_fp,
                details=details,
            )
        )
    return raised


def rescreen(
    store: Store,
    watchlists: Iterable[str] | None = None,
    *,
    full: bool = False,
    screener: Screener | None = None,
    progress: Progress | None = None,
) -> list[RescreenReport]:
    """Bring every watchlist (or these) up to the active list versions; see the module doc."""
    names = list(watchlists) if watchlists is not None else watchlist_names(store)
    if not names:
        return []
    opened = time.perf_counter()
    screener = screener or Screener.open(store)
    opening = time.perf_counter() - opened
    lists = {dataset: version for dataset, version in screener.versions}
    deltas: dict[str, Delta | None] = {}
    fingerprints: dict[str, str] = {}
    reports: list[RescreenReport] = []
    for name in names:
        started = time.perf_counter()
        before = _state(store, name)
        delta: Delta | None = None
        mode = "full"
        if not full and before is not None:
            mode = "incremental"
            if before != lists:
                cache_key = json.dumps(before, sort_keys=True)
                if cache_key not in deltas:
                    deltas[cache_key] = compute_delta(store, before, lists)
                delta = deltas[cache_key]
                if delta is None:
                    mode = "full"
        delta_seconds = time.perf_counter() - started
        report = _rescreen_one(store, name, screener, mode, delta, lists, fingerprints, progress)
        report.seconds = time.perf_counter() - started
        report.timings = {"delta": delta_seconds, **report.timings}
        if not reports:
            report.timings["index"] = opening
        reports.append(report)
    return reports


def _rescreen_one(
    store: Store,
    watchlist: str,
    screener: Screener,
    mode: str,
    delta: Delta | None,
    lists: dict[str, str],
    fingerprints: dict[str, str],
    progress: Progress | None,
) -> RescreenReport:
    clock = time.perf_counter()
    customers = _customers(store, watchlist)
    screened = _screened(store, watchlist)
    old_matches = _matches(store, watchlist)
    report = RescreenReport(watchlist, mode, customers=len(customers), versions=dict(lists))
    report.timings["read"] = time.perf_counter() - clock
    clock = time.perf_counter()
    if mode == "full":
        todo = set(customers)
    else:
        todo = {key for key, (_, fp) in customers.items() if screened.get(key) != fp}
        if delta is not None:
            todo.update(key for key in old_matches if key in customers)
            report.delta_entities = delta.size
            config = screener.config
            floor = reach_floor(config)
            weight = screener.index.weight
            for key, (query, _) in customers.items():
                if key in todo:
                    continue
                forms = distinct_forms(name_forms(query.name or "", query.schema))
                if delta.index.reach(forms, query.identifiers, weight) >= floor:
                    todo.add(key)
    report.timings["reach"] = time.perf_counter() - clock
    gone = (set(screened) | set(old_matches)) - set(customers)
    if mode == "incremental" and not todo and not gone and delta is None:
        report.mode = "current"
        report.matches = sum(len(m) for m in old_matches.values())
        return report
    clock = time.perf_counter()
    cleared = alert_store.cleared(store, watchlist)
    new_matches: dict[str, dict[str, StoredMatch]] = {}
    raised: list[NewAlert] = []
    for done, key in enumerate(sorted(todo), 1):
        query, customer_fp = customers[key]
        new_matches[key] = _stored(store, screener, query, customer_fp, fingerprints)
        raised.extend(
            _alerts(
                watchlist,
                key,
                query,
                customer_fp,
                old_matches.get(key, {}),
                new_matches[key],
                cleared,
                delta,
                lists,
            )
        )
        if progress is not None and (done % 1000 == 0 or done == len(todo)):
            progress(done, len(todo))
    report.screened = len(todo)
    report.timings["screen"] = time.perf_counter() - clock
    clock = time.perf_counter()
    with store._transaction():
        _write(store, watchlist, todo | gone, new_matches, customers, lists)
        alert_store.insert(store, raised)
    report.timings["write"] = time.perf_counter() - clock
    for alert in raised:
        report.alerts[alert.kind] = report.alerts.get(alert.kind, 0) + 1
    kept = sum(len(m) for k, m in old_matches.items() if k not in todo and k not in gone)
    report.matches = kept + sum(len(m) for m in new_matches.values())
    return report


def _write(
    store: Store,
    watchlist: str,
    keys: set[str],
    new_matches: dict[str, dict[str, StoredMatch]],
    customers: dict[str, tuple[Query, str]],
    lists: dict[str, str],
) -> None:
    """Replace the matches and screened fingerprints of ``keys`` and move the watchlist to
    ``lists`` (inside the caller's transaction)."""
    ordered = sorted(keys)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for table in ("watch_matches", "watch_screened"):
            store._rows(
                f"DELETE FROM {table} WHERE watchlist = ? AND key IN ({marks})",
                (watchlist, *chunk),
            )
    store._executemany(
        store._q(
            "INSERT INTO watch_matches (watchlist, key, entity_id, score, entity_fp, "
            "customer_fp, match) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ),
        [
            (
                watchlist,
                key,
                entity_id,
                m.score,
                m.entity_fp,
                m.customer_fp,
                json.dumps(m.match, ensure_ascii=False, sort_keys=True),
            )
            for key, found in new_matches.items()
            for entity_id, m in found.items()
        ],
    )
    store._executemany(
        store._q("INSERT INTO watch_screened (watchlist, key, fingerprint) VALUES (?, ?, ?)"),
        [(watchlist, key, customers[key][1]) for key in ordered if key in customers],
    )
    store._rows("DELETE FROM watch_state WHERE watchlist = ?", (watchlist,))
    store._rows(
        "INSERT INTO watch_state (watchlist, versions, screened_at) VALUES (?, ?, ?)",
        (watchlist, json.dumps(lists, sort_keys=True), now_stamp()),
    )
