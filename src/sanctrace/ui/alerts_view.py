"""What the alert pages show of an alert: a queue row, and the watched customer's record beside
the listed record it matched (and that record's party), why it alerted, its history on the
pair and its audit records. Pure functions of the alert and what the store holds."""

from __future__ import annotations

from typing import Any

from sanctrace.audit import AuditRecord
from sanctrace.match.types import Match
from sanctrace.model.entity import Entity
from sanctrace.monitor.alerts import WHITELISTABLE, Alert, why
from sanctrace.monitor.diff import change_lines
from sanctrace.screening import explain

#: Decisions as the form offers them: (value, label, what it does).
DECISION_LABELS = {
    "true-match": ("True match", "the customer is the listed party: escalate and act on it"),
    "false-positive": (
        "False positive",
        "not the listed party; raised again if the listing or the customer record changes",
    ),
    "whitelist": (
        "Whitelist",
        "never this party for this customer: not raised again until the listing changes",
    ),
}


def customer_name(alert: Alert) -> str:
    return str((alert.details.get("customer") or {}).get("name") or "")


def matched(alert: Alert) -> dict[str, Any]:
    """The match the alert is about: now, or (a removed alert) as it was."""
    found = alert.details.get("match") or alert.details.get("previous") or {}
    return found if isinstance(found, dict) else {}


def dataset_of(alert: Alert) -> str:
    return alert.entity_id.split(":", 1)[0] if ":" in alert.entity_id else ""


def row(alert: Alert, names: dict[str, str]) -> dict[str, Any]:
    """One line of the queue."""
    match = matched(alert)
    return {
        "id": alert.id,
        "created_at": alert.created_at[:16].replace("T", " "),
        "kind": alert.kind,
        "status": alert.status,
        "decision": alert.decision,
        "watchlist": alert.watchlist,
        "key": alert.key,
        "customer": customer_name(alert),
        "entity_id": alert.entity_id,
        "entity": str(match.get("caption") or alert.entity_id),
        "dataset": dataset_of(alert),
        "score": alert.score if alert.score is not None else match.get("score"),
        "why": why(alert),
        "assignee": names.get(alert.assignee, alert.assignee) if alert.assignee else None,
    }


def customer_fields(alert: Alert) -> list[tuple[str, str]]:
    """The watched record (the query), field by field."""
    customer = alert.details.get("customer") or {}
    fields = [("watchlist", alert.watchlist), ("customer id", alert.key)]
    fields.append(("name", str(customer.get("name") or "")))
    for label, key in (
        ("schema", "schema"),
        ("countries", "countries"),
        ("birth dates", "birth_dates"),
        ("identifiers", "identifiers"),
        ("file", "file"),
        ("row", "row"),
    ):
        value = customer.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        fields.append((label, str(value or "")))
    return fields


def listed_fields(entity: Entity | None, match: dict[str, Any]) -> list[tuple[str, str]]:
    """The listed record, field by field (from the store when it still holds it, else what
    the match recorded)."""
    if entity is None:
        return [
            ("record", str(match.get("id") or "")),
            ("name", str(match.get("caption") or "")),
            ("schema", str(match.get("schema") or "")),
            ("programs", ", ".join(match.get("programs") or [])),
        ]
    countries = sorted({*entity.countries, *entity.nationalities, *entity.citizenships})
    return [
        ("record", entity.id),
        ("name", entity.caption),
        ("schema", entity.schema),
        (
            "other names",
            "; ".join(n.value for n in entity.names if n.value != entity.caption)[:600],
        ),
        ("countries", ", ".join(countries)),
        ("birth dates", ", ".join(entity.birth_dates)),
        ("identifiers", "; ".join(f"{i.type} {i.value}" for i in entity.identifiers)[:600]),
        ("programs", ", ".join(entity.programs)),
        ("listed on", entity.listed_on or ""),
    ]


def explanation(match: dict[str, Any]) -> str:
    """The match's explanation in a line (as the search page says it; a batch hit keeps the
    line its results file has)."""
    if not match.get("explanation"):
        return str(match.get("how") or "")
    try:
        found = Match(
            id=str(match.get("id") or ""),
            dataset=str(match.get("dataset") or ""),
            source_id=str(match.get("source_id") or ""),
            schema=str(match.get("schema") or ""),
            caption=str(match.get("caption") or ""),
            score=float(match.get("score") or 0),
            match=bool(match.get("match")),
            matched_name=str(match.get("matched_name") or ""),
            explanation=dict(match["explanation"]),
            programs=tuple(match.get("programs") or ()),
        )
        return explain(found)
    except (KeyError, TypeError, ValueError):
        return ""


def party_of(alert: Alert) -> dict[str, Any] | None:
    party = alert.details.get("party")
    return party if isinstance(party, dict) else None


def audit_row(record: AuditRecord, names: dict[str, str]) -> dict[str, Any]:
    request = record.record.get("request") or {}
    if record.kind == "alert-assign":
        to = request.get("assignee")
        what = f"assigned to {names.get(to, to)}" if to else "unassigned"
    else:
        what = str(request.get("decision") or record.kind)
    return {
        "seq": record.seq,
        "recorded_at": record.recorded_at[:19].replace("T", " "),
        "caller": record.caller,
        "name": names.get(record.caller) or (request.get("by") or {}).get("name") or "",
        "kind": record.kind,
        "what": what,
        "note": str(request.get("note") or ""),
        "hash": record.hash,
    }


def detail(
    alert: Alert,
    entity: Entity | None,
    history: list[Alert],
    records: list[AuditRecord],
    names: dict[str, str],
    whitelisted_fp: str | None,
) -> dict[str, Any]:
    """Everything the alert page shows."""
    match = matched(alert)
    changes = alert.details.get("entity_changes") or {}
    return {
        "row": row(alert, names),
        "alert": alert,
        "customer": customer_fields(alert),
        "listed": listed_fields(entity, match),
        "match": match,
        "explanation": explanation(match),
        "matched_name": str(match.get("matched_name") or ""),
        "changes": change_lines(changes) if isinstance(changes, dict) else [],
        "customer_changed": bool(alert.details.get("customer_changed")),
        "party": party_of(alert),
        "history": [row(a, names) for a in history if a.id != alert.id],
        "audit": [audit_row(r, names) for r in records],
        "whitelistable": alert.kind in WHITELISTABLE,
        "whitelisted": whitelisted_fp is not None,
        "whitelist_holds": whitelisted_fp is not None and whitelisted_fp == alert.entity_fp,
        "resolved_by": names.get(alert.resolved_by or "", alert.resolved_by),
        "assignee": names.get(alert.assignee or "", alert.assignee) if alert.assignee else None,
    }
