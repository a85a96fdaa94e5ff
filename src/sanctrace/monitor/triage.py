"""Alert triage: the queue an analyst works (filtered, sorted, paged), who works each alert
(assignment, in the audit trail like every decision), and an alert's history on its pair.

Batch screening hits are not in the queue: a batch's results are a file of its job, seen only
by the key that uploaded it (see ``sanctrace.api.batches``); the queue holds the alerts that
re-screening the watchlists raised.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sanctrace import audit
from sanctrace.audit import AuditRecord, now_stamp
from sanctrace.errors import SanctraceError
from sanctrace.monitor.alerts import _COLUMNS, KINDS, STATUSES, Alert, _alert, get
from sanctrace.store import Store

#: How the queue can be ordered: SQL ``ORDER BY`` by name.
SORTS = {
    "newest": "id DESC",
    "oldest": "id",
    "score": "COALESCE(score, -1) DESC, id DESC",
}
#: Assignee filters besides a key id.
UNASSIGNED = "none"


@dataclass(frozen=True)
class Filters:
    """What the queue shows: ``status`` open, resolved or None (all); ``dataset`` of the
    matched record; ``assignee`` a key id, :data:`UNASSIGNED` or None (anyone)."""

    status: str | None = "open"
    watchlist: str | None = None
    dataset: str | None = None
    kind: str | None = None
    min_score: float | None = None
    assignee: str | None = None
    sort: str = "newest"

    def check(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise SanctraceError(f"status {self.status!r} is not one of {', '.join(STATUSES)}")
        if self.kind is not None and self.kind not in KINDS:
            raise SanctraceError(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.sort not in SORTS:
            raise SanctraceError(f"sort {self.sort!r} is not one of {', '.join(SORTS)}")
        if self.min_score is not None and not 0 <= self.min_score <= 1:
            raise SanctraceError(f"minimum score {self.min_score:g} is outside 0 to 1")


def _where(filters: Filters) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("status", filters.status),
        ("watchlist", filters.watchlist),
        ("kind", filters.kind),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if filters.dataset:
        prefix = filters.dataset + ":"
        where.append("substr(entity_id, 1, ?) = ?")
        params += [len(prefix), prefix]
    if filters.min_score is not None:
        where.append("score >= ?")
        params.append(filters.min_score)
    if filters.assignee == UNASSIGNED:
        where.append("assignee IS NULL")
    elif filters.assignee:
        where.append("assignee = ?")
        params.append(filters.assignee)
    return (" WHERE " + " AND ".join(where)) if where else "", params


def queue(
    store: Store, filters: Filters, *, limit: int = 50, offset: int = 0
) -> tuple[list[Alert], int]:
    """One page of the alerts ``filters`` select, in their order, and how many there are."""
    filters.check()
    where, params = _where(filters)
    total = int(store._rows(f"SELECT COUNT(*) FROM alerts{where}", params)[0][0])
    rows = store._rows(
        f"SELECT {_COLUMNS} FROM alerts{where} ORDER BY {SORTS[filters.sort]} "
        f"LIMIT {int(limit)} OFFSET {int(offset)}",
        params,
    )
    return [_alert(row) for row in rows], total


def choices(store: Store) -> dict[str, list[str]]:
    """What the queue's filters can be set to: the watchlists, the datasets of matched records
    and the assignees that alerts have."""
    watchlists = store._rows("SELECT DISTINCT watchlist FROM alerts WHERE watchlist <> ''")
    entities = store._rows("SELECT DISTINCT entity_id FROM alerts WHERE entity_id <> ''")
    assignees = store._rows("SELECT DISTINCT assignee FROM alerts WHERE assignee IS NOT NULL")
    return {
        "watchlists": sorted(str(w) for (w,) in watchlists),
        "datasets": sorted({str(e).split(":", 1)[0] for (e,) in entities}),
        "assignees": sorted(str(a) for (a,) in assignees),
    }


def assign(
    store: Store,
    alert_id: int,
    assignee: str | None,
    *,
    caller: str,
    by: dict[str, Any] | None = None,
) -> Alert:
    """Give an open alert to ``assignee`` (a key id), or to nobody: first in the audit trail,
    then on the alert."""
    alert = get(store, alert_id)
    if alert.status != "open":
        raise SanctraceError(f"alert {alert_id} is {alert.status}: only open alerts are assigned")
    if alert.assignee == assignee:
        return alert
    record = audit.append(
        store,
        caller=caller,
        kind="alert-assign",
        request={
            "alert": alert.id,
            "watchlist": alert.watchlist,
            "key": alert.key,
            "entity": alert.entity_id,
            "assignee": assignee,
            "previous": alert.assignee,
            **({"by": by} if by else {}),
        },
        lists=alert.details.get("lists", {}),
        results=[],
    )
    seqs = json.dumps([*alert.audit_seqs, record.seq])
    with store._transaction():
        store._rows(
            "UPDATE alerts SET assignee = ?, assigned_at = ?, audit_seqs = ? "
            "WHERE id = ? AND status = 'open'",
            (assignee, now_stamp() if assignee else None, seqs, alert_id),
        )
    return get(store, alert_id)


def pair_history(store: Store, alert: Alert) -> list[Alert]:
    """Every alert on the same (watchlist, customer, entity) pair, oldest first, this one
    included."""
    if not alert.entity_id:
        return [alert]
    rows = store._rows(
        f"SELECT {_COLUMNS} FROM alerts WHERE watchlist = ? AND key = ? AND entity_id = ? "
        "ORDER BY id",
        (alert.watchlist, alert.key, alert.entity_id),
    )
    return [_alert(row) for row in rows]


def audit_records(store: Store, alerts: list[Alert]) -> list[AuditRecord]:
    """The audit records about ``alerts`` (assignments and decisions), in chain order."""
    seqs = sorted({s for a in alerts for s in (*a.audit_seqs, a.audit_seq) if s is not None})
    found = [audit.get(store, seq) for seq in seqs]
    return [r for r in found if r is not None]
