"""Alerts: what re-screening found that an analyst must look at, and what the analyst decided.

An alert names a watched customer and a listed entity: a new match, a match removed (the entity
was delisted or no longer scores above the threshold), or a match changed (the entity's listing
or the customer's record changed). Operational alerts say that a scheduled update failed. A
decision goes to the audit trail first, then onto the alert. A pair cleared as a false positive
is not raised again until the entity or the customer record changes: the alert keeps the
fingerprints of both, and re-screening compares them. A pair *whitelisted* is not raised
again until the entity's listing changes, whatever becomes of the customer record (and a later
alert on the pair ends the whitelist): see :func:`whitelisted`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sanctrace import audit
from sanctrace.audit import now_stamp
from sanctrace.errors import NotFoundError, SanctraceError
from sanctrace.store import Store

#: ``batch``: a matched row of a customer file screened by ``POST /batches`` (the upload page).
KINDS = ("new", "removed", "changed", "operational", "batch")
DECISIONS = ("true-match", "false-positive", "whitelist")
#: Alert kinds a pair can be whitelisted from: it must be matched now.
WHITELISTABLE = ("new", "changed")
STATUSES = ("open", "resolved")

_COLUMNS = (
    "id, created_at, kind, watchlist, key, entity_id, status, score, customer_fp, entity_fp, "
    "details, decision, note, resolved_by, resolved_at, audit_seq, assignee, assigned_at, "
    "audit_seqs"
)


@dataclass(frozen=True)
class NewAlert:
    """An alert about to be raised (re-screening builds these, then stores them at once)."""

    kind: str
    watchlist: str
    key: str
    entity_id: str
    score: float | None
    customer_fp: str
    entity_fp: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Alert:
    id: int
    created_at: str
    kind: str
    watchlist: str
    key: str
    entity_id: str
    status: str
    score: float | None
    customer_fp: str
    entity_fp: str
    details: dict[str, Any]
    decision: str | None = None
    note: str | None = None
    resolved_by: str | None = None
    resolved_at: str | None = None
    audit_seq: int | None = None
    #: The key id working the alert, and since when (triage).
    assignee: str | None = None
    assigned_at: str | None = None
    #: Audit records about the alert other than its decision (assignments), oldest first.
    audit_seqs: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at,
            "kind": self.kind,
            "watchlist": self.watchlist,
            "key": self.key,
            "entity_id": self.entity_id,
            "status": self.status,
            "score": self.score,
            "details": self.details,
            "decision": self.decision,
            "note": self.note,
            "resolved_by": self.resolved_by,
            "resolved_at": self.resolved_at,
            "audit_seq": self.audit_seq,
            "assignee": self.assignee,
            "assigned_at": self.assigned_at,
        }


def why(alert: Alert) -> str:
    """What raised ``alert``, in a line, never empty: for a new match the name that matched and
    its score (``matched "IEMZ Kupol JSC" 1.00``); for a removed one why and what it was; for a
    changed one what changed (the listing's fields, the customer's record, the score)."""
    details = alert.details
    found_party = details.get("party")
    party: dict[str, Any] = found_party if isinstance(found_party, dict) else {}
    event = party.get("event")
    if alert.kind == "operational":
        return f"{details.get('step') or 'update'} failed: {details.get('error') or 'unknown'}"
    if alert.kind == "batch":
        customer = details.get("customer") or {}
        found = _matched(details.get("match") or {}, alert.score, alert.entity_id)
        return f"row {customer.get('row')} of {customer.get('file') or 'a batch'}: {found}"
    match = details.get("match") or {}
    previous = details.get("previous") or {}
    fields = sorted(details.get("entity_changes") or {})
    if alert.kind == "new" or event == "gained":
        found = _matched(match, alert.score, alert.entity_id)
        return (
            f"{party['summary']}; {found}" if event == "gained" and party.get("summary") else found
        )
    if alert.kind == "removed" or event == "lost":
        reason = str(details.get("reason") or "no longer matched")
        if fields:
            reason += f" ({', '.join(fields)})"
        head = str(party["summary"]) if event == "lost" and party.get("summary") else "no match now"
        was = f"; was {_matched(previous, None, alert.entity_id)}" if previous else ""
        return f"{head}: {reason}{was}"
    parts = []
    if fields:
        parts.append(f"listing changed: {', '.join(fields)}")
    elif not details.get("customer_changed"):
        parts.append("listing changed")
    if details.get("customer_changed"):
        parts.append("customer record changed")
    before, now = (
        previous.get("score"),
        alert.score if alert.score is not None else match.get("score"),
    )
    if before is not None and now is not None and round(before, 2) != round(now, 2):
        parts.append(f"score {before:.2f} → {now:.2f}")
    if match.get("matched_name") and match.get("matched_name") != previous.get("matched_name"):
        parts.append(f'now matched "{match["matched_name"]}"')
    return "; ".join(parts)


def _matched(match: dict[str, Any], score: float | None, entity_id: str) -> str:
    name = match.get("matched_name") or match.get("caption") or entity_id
    score = match.get("score") if score is None else score
    return f'matched "{name}"' + ("" if score is None else f" {score:.2f}")


def _alert(row: tuple[Any, ...]) -> Alert:
    return Alert(
        id=int(row[0]),
        created_at=str(row[1]),
        kind=str(row[2]),
        watchlist=str(row[3]),
        key=str(row[4]),
        entity_id=str(row[5]),
        status=str(row[6]),
        score=None if row[7] is None else float(row[7]),
        customer_fp=str(row[8]),
        entity_fp=str(row[9]),
        details=json.loads(row[10]),
        decision=row[11],
        note=row[12],
        resolved_by=row[13],
        resolved_at=row[14],
        audit_seq=None if row[15] is None else int(row[15]),
        assignee=row[16],
        assigned_at=row[17],
        audit_seqs=tuple(int(n) for n in json.loads(row[18] or "[]")),
    )


def insert(store: Store, alerts: Sequence[NewAlert]) -> list[int]:
    """Store alerts and queue each for every delivery sink. Runs inside the caller's
    transaction, so that alerts and the state that raised them are written together."""
    stamp = now_stamp()
    ids: list[int] = []
    sinks = [str(name) for (name,) in store._rows("SELECT name FROM alert_sinks ORDER BY name")]
    for alert in alerts:
        if alert.kind not in KINDS:
            raise SanctraceError(f"unknown alert kind {alert.kind!r}")
        rows = store._rows(
            "INSERT INTO alerts (created_at, kind, watchlist, key, entity_id, status, score, "
            "customer_fp, entity_fp, details) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?) "
            "RETURNING id",
            (
                stamp,
                alert.kind,
                alert.watchlist,
                alert.key,
                alert.entity_id,
                alert.score,
                alert.customer_fp,
                alert.entity_fp,
                json.dumps(alert.details, ensure_ascii=False, sort_keys=True),
            ),
        )
        alert_id = int(rows[0][0])
        ids.append(alert_id)
        if sinks:
            store._executemany(
                store._q(
                    "INSERT INTO alert_deliveries (alert_id, sink, status, attempts) "
                    "VALUES (?, ?, 'pending', 0)"
                ),
                [(alert_id, sink) for sink in sinks],
            )
    return ids


def batch_hits(batch: str, filename: str, rows: Sequence[Any]) -> list[NewAlert]:
    """The alerts of one chunk of a batch's output rows (``batch.rows.OutputRow``): one per row
    that matched a party, so that batch hits join the monitoring alerts in the triage queue.
    Its watchlist is ``batch:ID``; the customer is the file's row."""
    out = []
    for r in rows:
        if not r.id or not r.match:
            continue
        customer = {"name": r.input_name, "row": r.input_row, "file": filename, "batch": batch}
        match = {
            "id": r.id,
            "dataset": r.dataset,
            "source_id": r.source_id,
            "schema": r.schema,
            "caption": r.caption,
            "score": r.score,
            "match": True,
            "matched_name": r.matched_name,
            "programs": [p for p in r.programs.split("; ") if p],
            "how": r.explanation,
        }
        fingerprint = hashlib.sha256(f"{r.input_key}\x00{r.input_name}".encode()).hexdigest()
        out.append(
            NewAlert(
                kind="batch",
                watchlist=f"batch:{batch}",
                key=r.input_key or str(r.input_row),
                entity_id=r.id,
                score=r.score,
                customer_fp=fingerprint[:32],
                entity_fp="",
                details={"customer": customer, "match": match, "party_id": r.party_id},
            )
        )
    return out


def raise_alerts(store: Store, alerts: Sequence[NewAlert]) -> list[int]:
    """Store alerts in a transaction of their own."""
    with store._transaction():
        return insert(store, alerts)


def operational(store: Store, step: str, error: str, **details: Any) -> int:
    """Raise an operational alert: a scheduled update failed at ``step``."""
    alert = NewAlert(
        kind="operational",
        watchlist="",
        key="",
        entity_id="",
        score=None,
        customer_fp="",
        entity_fp="",
        details={"step": step, "error": error, **details},
    )
    return raise_alerts(store, [alert])[0]


def get(store: Store, alert_id: int) -> Alert:
    rows = store._rows(f"SELECT {_COLUMNS} FROM alerts WHERE id = ?", (alert_id,))
    if not rows:
        raise NotFoundError(f"no alert {alert_id}")
    return _alert(rows[0])


def list_alerts(
    store: Store,
    *,
    status: str | None = "open",
    watchlist: str | None = None,
    kind: str | None = None,
    limit: int | None = None,
    after: int = 0,
) -> list[Alert]:
    """Alerts oldest first, filtered; ``after`` pages by id."""
    if status is not None and status not in STATUSES:
        raise SanctraceError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    if kind is not None and kind not in KINDS:
        raise SanctraceError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    where = ["id > ?"]
    params: list[Any] = [after]
    for column, value in (("status", status), ("watchlist", watchlist), ("kind", kind)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = f"SELECT {_COLUMNS} FROM alerts WHERE {' AND '.join(where)} ORDER BY id"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [_alert(row) for row in store._rows(sql, params)]


def counts(store: Store) -> dict[str, int]:
    """Open alerts by kind."""
    rows = store._rows("SELECT kind, COUNT(*) FROM alerts WHERE status = 'open' GROUP BY kind")
    return {str(kind): int(n) for kind, n in rows}


def resolve(
    store: Store,
    alert_id: int,
    *,
    decision: str,
    note: str,
    caller: str,
    by: dict[str, Any] | None = None,
) -> Alert:
    """Record an analyst's decision on an open alert: first in the audit trail, then on the
    alert. ``by`` (who decided: key name and role, where) goes into the audit record too."""
    if decision not in DECISIONS:
        raise SanctraceError(f"decision {decision!r} is not one of {', '.join(DECISIONS)}")
    if not note.strip():
        raise SanctraceError("a decision needs a note saying why (--note)")
    alert = get(store, alert_id)
    if alert.status == "resolved":
        raise SanctraceError(
            f"alert {alert_id} is already resolved ({alert.decision} by {alert.resolved_by} "
            f"at {alert.resolved_at})"
        )
    if alert.kind == "operational" and decision == "false-positive":
        raise SanctraceError("an operational alert is resolved as true-match (acknowledged)")
    if decision == "whitelist" and alert.kind not in WHITELISTABLE:
        raise SanctraceError(
            f"a {alert.kind} alert cannot be whitelisted: only a pair matched now "
            f"({' or '.join(WHITELISTABLE)} alerts)"
        )
    record = audit.append(
        store,
        caller=caller,
        kind="alert-decision",
        request={
            "alert": alert.id,
            "kind": alert.kind,
            "watchlist": alert.watchlist,
            "key": alert.key,
            "entity": alert.entity_id,
            "decision": decision,
            "note": note,
            **({"by": by} if by else {}),
            **({"entity_fp": alert.entity_fp} if decision == "whitelist" else {}),
        },
        lists=alert.details.get("lists", {}),
        results=[{"id": alert.entity_id, "score": alert.score}] if alert.entity_id else [],
    )
    stamp = now_stamp()
    with store._transaction():
        store._rows(
            "UPDATE alerts SET status = 'resolved', decision = ?, note = ?, resolved_by = ?, "
            "resolved_at = ?, audit_seq = ? WHERE id = ? AND status = 'open'",
            (decision, note, caller, stamp, record.seq, alert_id),
        )
    return get(store, alert_id)


def cleared(store: Store, watchlist: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(customer, entity) -> (customer fingerprint, entity fingerprint) of the latest decision
    on each pair of the watchlist that was a false positive."""
    rows = store._rows(
        "SELECT key, entity_id, decision, customer_fp, entity_fp FROM alerts "
        "WHERE watchlist = ? AND status = 'resolved' ORDER BY resolved_at, id",
        (watchlist,),
    )
    latest: dict[tuple[str, str], tuple[str, str] | None] = {}
    for key, entity_id, decision, customer_fp, entity_fp in rows:
        pair = (str(key), str(entity_id))
        latest[pair] = (str(customer_fp), str(entity_fp)) if decision == "false-positive" else None
    return {pair: fps for pair, fps in latest.items() if fps is not None}


def whitelisted(store: Store, watchlist: str) -> dict[tuple[str, str], str]:
    """(customer, entity) -> the entity's fingerprint when the pair was whitelisted, for each
    pair of the watchlist whose latest decision is ``whitelist`` and that no alert was raised
    on since (the listing changed, or the pair was lost and found again: the analyst looks
    again, and the whitelist is over)."""
    rows = store._rows(
        "SELECT key, entity_id, status, decision, entity_fp, created_at, resolved_at FROM alerts "
        "WHERE watchlist = ? AND kind <> 'operational' ORDER BY id",
        (watchlist,),
    )
    return whitelist_of(
        [(str(k), str(e), str(st), d, str(fp), str(made), at) for k, e, st, d, fp, made, at in rows]
    )


def whitelist_of(
    rows: Sequence[tuple[str, str, str, str | None, str, str, str | None]],
) -> dict[tuple[str, str], str]:
    """:func:`whitelisted` over rows ``(key, entity, status, decision, entity_fp, created_at,
    resolved_at)`` in id order (pure)."""
    raised: dict[tuple[str, str], str] = {}  # pair -> when its latest alert was raised
    decided: dict[tuple[str, str], tuple[str, str, str]] = {}  # pair -> its latest decision
    for key, entity_id, status, decision, entity_fp, created_at, resolved_at in rows:
        pair = (key, entity_id)
        raised[pair] = max(raised.get(pair, ""), created_at)
        done = status == "resolved" and decision is not None and resolved_at is not None
        if done and (pair not in decided or str(resolved_at) >= decided[pair][0]):
            decided[pair] = (str(resolved_at), str(decision), entity_fp)
    return {
        pair: entity_fp
        for pair, (resolved_at, decision, entity_fp) in decided.items()
        if decision == "whitelist" and raised[pair] <= resolved_at
    }
