"""Monitoring alerts in parties: a customer's record-level alerts re-said per party, so that a
new listing of a party the customer already matched reads "party X gained a listing on list Y",
a delisting that leaves other listings reads "party X lost its listing on list Z", and a party
newly matched (or no longer matched) through several listings is one alert, not one per record.

Pure functions of one customer's alerts, old and new matches, and the parties.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sanctrace.monitor.alerts import NewAlert
from sanctrace.resolve.store import Parties

Listing = Callable[[str], dict[str, Any] | None]


def _listing_of(record: str, listing: Listing) -> dict[str, Any]:
    found = listing(record) or {}
    dataset = found.get("dataset") or record.split(":", 1)[0]
    return {"dataset": dataset, "id": record, "list": found.get("list") or dataset}


def _party(record: str, parties: Parties, listing: Listing) -> dict[str, Any]:
    party = parties.party_of(record)
    members = parties.members(party) or [record]
    return {"id": party, "listings": [_listing_of(r, listing) for r in members]}


def party_alerts(
    raised: Sequence[NewAlert],
    old: Iterable[str],
    new: Iterable[str],
    parties: Parties,
    listing: Listing,
) -> list[NewAlert]:
    """One customer's alerts (``raised``, one per record) as party alerts, given the records
    it matched before (``old``) and matches now (``new``). Each alert keeps its record in
    ``entity_id`` (so clearing and fingerprints work as before) and gains ``details.party``:
    the party id, every listing of it, the event and a one-line summary."""
    before = {parties.party_of(r) for r in old}
    now = {parties.party_of(r) for r in new}
    out: list[NewAlert] = []
    seen: dict[tuple[str, str], NewAlert] = {}
    for alert in raised:
        party = _party(alert.entity_id, parties, listing)
        pid = party["id"]
        where = _listing_of(alert.entity_id, listing)["list"]
        kind = alert.kind
        if alert.kind == "new" and pid in before:
            event, kind = "gained", "changed"
            summary = f"party {pid} gained a listing on {where}"
        elif alert.kind == "removed" and pid in now:
            event, kind = "lost", "changed"
            summary = f"party {pid} lost its listing on {where}"
        elif alert.kind == "new":
            event = "new"
            summary = f"new match: party {pid}, listed on {_lists(party)}"
        elif alert.kind == "removed":
            event = "removed"
            summary = f"party {pid} no longer matches ({alert.details.get('reason', 'removed')})"
        else:
            event = "changed"
            summary = f"party {pid}: its listing on {where} changed"
        key = (event, pid)
        if event in ("new", "removed") and key in seen:
            _also(seen[key], alert.entity_id)
            continue
        details = {
            **alert.details,
            "party": {**party, "event": event, "record": alert.entity_id, "summary": summary},
        }
        made = dataclasses.replace(alert, kind=kind, details=details)
        if event in ("new", "removed"):
            seen[key] = made
        out.append(made)
    return out


def _lists(party: dict[str, Any]) -> str:
    return ", ".join(sorted({d["list"] for d in party["listings"]}))


def _also(alert: NewAlert, record: str) -> None:
    """A further record of a party already alerted on for the same event."""
    alert.details["party"].setdefault("also", []).append(record)
