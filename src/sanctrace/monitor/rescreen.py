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
from itertools import chain
from typing import Any

from sanctrace.audit import now_stamp
from sanctrace.match import MatchConfig, Query
from sanctrace.match.index import Index, distinct_forms
from sanctrace.match.screener import Screener
from sanctrace.model.entity import Entity
from sanctrace.monitor import alerts as alert_store
from sanctrace.monitor.alerts import NewAlert
from sanctrace.monitor.diff import changes, content
from sanctrace.monitor.parties import party_alerts
from sanctrace.normalize import name_forms
from sanctrace.resolve.listings import listing_reader
from sanctrace.resolve.store import Parties
from sanctrace.store import Store

#: Matches kept per customer, best first.
MATCH_LIMIT = 25

#: Coverage below the least a scored candidate needs that still counts as reaching a customer:
#: token weights move a little when entries come and go.
REACH_MARGIN = 0.05

Progress = Callable[[int, int], None]

#: What one query token reaches in a delta's index (see ``Index.reach``).
_Reached = tuple[dict[int, float], int, bool, set[int], set[int]]


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

    #: Entities as the active versions list them: added, and changed ones as they are now
    #: (all of them in the screening index too).
    index: Index
    #: Entities as the older versions listed them: removed, and changed ones as they were.
    dropped: Index | None
    removed: set[str]
    changed: dict[str, dict[str, Any]]  # entity id -> field changes
    size: int
    #: Every entity id of the delta.
    ids: frozenset[str] = frozenset()


def reach_floor(config: MatchConfig) -> float:
    """The least coverage at which an index entry can be scored for a query (long shots
    included), less a safety margin: entries below it cannot change a result."""
    reach = config.reach(config.threshold)
    return reach - config.coverage_margin - config.long_shot_margin - REACH_MARGIN


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


def _stored_entities(store: Store, dataset: str, version: str | None) -> dict[str, Any]:
    """entity id -> the stored record (``Entity.to_dict`` form) of one version, by id."""
    if version is None:
        return {}
    info = store.get_version(dataset, version)
    rows = store._rows("SELECT id, data FROM entities WHERE version_id = ? ORDER BY id", (info.id,))
    return {str(entity_id): json.loads(data) for entity_id, data in rows}


def _same_content(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Stored records equal but for where they were read from: equal content, for certain
    (records that differ may still have equal content: see ``changes``)."""
    if len(old) != len(new) or ("provenance" in old) != ("provenance" in new):
        return False
    for key, value in old.items():
        if key != "provenance" and (key not in new or new[key] != value):
            return False
    return True


def compute_delta(store: Store, before: dict[str, str], after: dict[str, str]) -> Delta | None:
    """Entities added, removed or changed between two sets of versions, indexed: the new forms
    together, the old ones together; None when an old version is no longer stored."""
    stored = {(v.dataset, v.version) for v in store.versions()}
    now: list[Entity] = []
    then: list[Entity] = []
    removed: set[str] = set()
    changed: dict[str, dict[str, Any]] = {}
    for dataset in sorted(set(before) | set(after)):
        old_version, new_version = before.get(dataset), after.get(dataset)
        if old_version == new_version:
            continue
        if old_version is not None and (dataset, old_version) not in stored:
            return None
        old = _stored_entities(store, dataset, old_version)
        new = _stored_entities(store, dataset, new_version)
        for entity_id, data in new.items():
            previous_data = old.get(entity_id)
            if previous_data is None:
                now.append(Entity.from_dict(data))
                continue
            if _same_content(previous_data, data):
                continue
            previous, entity = Entity.from_dict(previous_data), Entity.from_dict(data)
            found = changes(previous, entity)
            if found:
                changed[entity_id] = found
                then.append(previous)
                now.append(entity)
        for entity_id, data in old.items():
            if entity_id not in new:
                removed.add(entity_id)
                then.append(Entity.from_dict(data))
    return Delta(
        Index.build(now),
        Index.build(then) if then else None,
        removed,
        changed,
        len(now) + len(then),
        frozenset(e.id for e in chain(now, then)),
    )


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
    whitelist: dict[tuple[str, str], str] | None = None,
) -> list[NewAlert]:
    """New, removed and changed matches of one customer, less the pairs cleared as false
    positives whose entity and record are as they were when cleared, and the pairs whitelisted
    whose entity is as it was when whitelisted (``whitelist``: pair -> entity fingerprint)."""
    whitelist = whitelist or {}
    raised: list[NewAlert] = []
    customer = query.to_dict()
    for entity_id, now in new.items():
        before = old.get(entity_id)
        fps = (now.customer_fp, now.entity_fp)
        if before is not None and (before.customer_fp, before.entity_fp) == fps:
            continue
        if cleared.get((key, entity_id)) == fps:
            continue
        if whitelist.get((key, entity_id)) == now.entity_fp:
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
        if entity_id in new or (key, entity_id) in cleared or (key, entity_id) in whitelist:
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
    parties: Parties | None = None,
) -> list[RescreenReport]:
    """Bring every watchlist (or these) up to the active list versions; see the module doc.
    With ``parties`` (of the active versions), alerts speak of parties (monitor.parties)."""
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
        report = _rescreen_one(
            store, name, screener, mode, delta, lists, fingerprints, progress, parties
        )
        report.seconds = time.perf_counter() - started
        report.timings = {"delta": delta_seconds, **report.timings}
        if not reports:
            report.timings["index"] = opening
        reports.append(report)
    return reports


def _reacher(delta: Delta, screener: Screener) -> Callable[[Query], bool]:
    """Whether a customer's name (or identifier) can reach an entry of the delta: added and
    changed entries as the screening index would take them up, the ones listed before by any
    route. Every route first (cheap, and never less): most names reach nothing even so."""
    config = screener.config
    floor = reach_floor(config)
    index = screener.index
    weight = index.weight
    anyhow: dict[tuple[str, str], _Reached] = {}
    taken: dict[tuple[str, str], _Reached] = {}
    then: dict[tuple[str, str], _Reached] = {}

    def reaches(query: Query) -> bool:
        forms = distinct_forms(name_forms(query.name or "", query.schema))
        ids = query.identifiers
        if delta.index.reach(forms, ids, weight, memo=anyhow) >= floor:
            found = delta.index.reach(forms, ids, weight, routes=index, config=config, memo=taken)
            if found >= floor:
                return True
        if delta.dropped is None:
            return False
        return delta.dropped.reach(forms, ids, weight, memo=then) >= floor

    return reaches


def _rescreen_one(
    store: Store,
    watchlist: str,
    screener: Screener,
    mode: str,
    delta: Delta | None,
    lists: dict[str, str],
    fingerprints: dict[str, str],
    progress: Progress | None,
    parties: Parties | None = None,
) -> RescreenReport:
    clock = time.perf_counter()
    listing = listing_reader(store) if parties is not None else None
    customers = _customers(store, watchlist)
    screened = _screened(store, watchlist)
    old_matches = _matches(store, watchlist)
    report = RescreenReport(watchlist, mode, customers=len(customers), versions=dict(lists))
    report.timings["read"] = time.perf_counter() - clock
    reaches: Callable[[Query], bool] | None = None
    if mode == "full":
        todo = set(customers)
    else:
        todo = {key for key, (_, fp) in customers.items() if screened.get(key) != fp}
        if delta is not None:
            todo.update(key for key in old_matches if key in customers)
            report.delta_entities = delta.size
            reaches = _reacher(delta, screener)
            # An entity the delta does not hold reads as it did: its stored fingerprint holds.
            for found in old_matches.values():
                for entity_id, stored in found.items():
                    if entity_id not in delta.ids:
                        fingerprints.setdefault(entity_id, stored.entity_fp)
    gone = (set(screened) | set(old_matches)) - set(customers)
    if mode == "incremental" and not todo and not gone and delta is None:
        report.mode = "current"
        report.matches = sum(len(m) for m in old_matches.values())
        return report
    clock = time.perf_counter()
    reach_seconds = 0.0
    cleared = alert_store.cleared(store, watchlist)
    whitelist = alert_store.whitelisted(store, watchlist)
    new_matches: dict[str, dict[str, StoredMatch]] = {}
    raised: list[NewAlert] = []
    # With a delta, every customer in turn: one the delta reaches is screened right away, while
    # its name's forms are still in the normalizer's cache.
    order = sorted(customers) if reaches is not None else sorted(todo)
    for done, key in enumerate(order, 1):
        query, customer_fp = customers[key]
        if key not in todo and reaches is not None:
            started = time.perf_counter()
            hit = reaches(query)
            reach_seconds += time.perf_counter() - started
            if hit:
                todo.add(key)
        if key in todo:
            new_matches[key] = _stored(store, screener, query, customer_fp, fingerprints)
            customer_alerts = _alerts(
                watchlist,
                key,
                query,
                customer_fp,
                old_matches.get(key, {}),
                new_matches[key],
                cleared,
                delta,
                lists,
                whitelist,
            )
            if parties is not None and listing is not None and customer_alerts:
                customer_alerts = party_alerts(
                    customer_alerts, old_matches.get(key, {}), new_matches[key], parties, listing
                )
            raised.extend(customer_alerts)
        if progress is not None and (done % 1000 == 0 or done == len(order)):
            progress(done, len(order))
    report.screened = len(todo)
    report.timings["reach"] = reach_seconds
    report.timings["screen"] = time.perf_counter() - clock - reach_seconds
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
