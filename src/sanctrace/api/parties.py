"""Parties over HTTP: one answer per real-world party, however many lists name it.

A party is sent in yente's own shape for a merged entity: ``id`` is the party id, ``referents``
the ids of its listed records, ``datasets`` every list that names it, ``properties`` the union
of its records' FtM properties. yente's shape has no room for where each value came from, so
a ``listings`` array beside it gives each record's list, programs, listed date, list version
and own names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sanctrace.api.ftm import entity_json
from sanctrace.errors import NotFoundError
from sanctrace.export.ftm import PROPERTIES
from sanctrace.resolve.grouping import (
    CAPTION_ORDER,
    Listing,
    group_matches,
    list_version,
    records_wanted,
)

if TYPE_CHECKING:
    from sanctrace.api.service import Service
    from sanctrace.match import Match

__all__ = ["group", "lookup", "party_json", "records_wanted", "scoped_listing"]


def scoped_listing(service: Service, datasets: Iterable[str] | None) -> Listing:
    """The service's listing reader, knowing only the listings of ``datasets`` (every
    indexed list when None or all of them): a screening restricted to some lists shows a
    party's listings on those lists only."""
    wanted = frozenset(datasets or ())
    if not wanted or wanted >= set(service.versions):
        return service.listing

    def restricted(record_id: str) -> dict[str, Any] | None:
        described = service.listing(record_id)
        return described if described is not None and described["dataset"] in wanted else None

    return restricted


def group(
    service: Service, matches: Sequence[Match], datasets: Iterable[str] | None, limit: int | None
) -> list[dict[str, Any]]:
    """Record matches (best first) -> one result per party, at most ``limit``."""
    return group_matches(matches, service.parties, scoped_listing(service, datasets), limit)


def caption_listing(listings: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The listing whose caption names the party (the most widely used lists first)."""
    rank = {d: i for i, d in enumerate(CAPTION_ORDER)}
    return min(listings, key=lambda d: (rank.get(d["dataset"], len(rank)), d["id"]))


def lookup(service: Service, any_id: str) -> tuple[str, list[dict[str, Any]]]:
    """The party of a party id, a merged party's old id or any record id of it, with the
    listings the index holds (the caption's first); NotFoundError when there is none."""
    parties = service.parties
    party = parties.canonical(any_id)
    records = parties.members(party) or [any_id]
    listings = [d for d in (service.listing(r) for r in records) if d is not None]
    if not listings:
        raise NotFoundError(f"no party or record {any_id!r}")
    lead = caption_listing(listings)
    listings.sort(key=lambda d: (d is not lead, d["dataset"], d["id"]))
    return party, listings


def _merge_values(into: list[Any], values: Sequence[Any], seen: set[Any]) -> None:
    for value in values:
        key = value.get("id") if isinstance(value, dict) else value
        if key not in seen:
            seen.add(key)
            into.append(value)


def party_json(
    service: Service,
    party: str,
    listings: Sequence[dict[str, Any]],
    *,
    caption: str | None = None,
    lead: str | None = None,
    nested: bool = False,
) -> dict[str, Any]:
    """yente's ``EntityResponse`` for a party: the lead record's schema, every record's
    properties unioned (values in the order of ``listings``; plain values only where the
    schema has the property, so FtM clients can read them), and the ``listings``. Made once
    per party and lists shown, until the lists change: callers may set top-level keys only."""
    records = [d["id"] for d in listings]
    lead = lead or records[0]
    key = (party, tuple(records), lead, caption, nested)
    made = service.party_answers.get(key)
    if made is None:
        made = _party_json(service, party, listings, records, caption, lead, nested)
        service.party_answers.put(key, made)
    return dict(made)


def _party_json(
    service: Service,
    party: str,
    listings: Sequence[dict[str, Any]],
    records: list[str],
    caption: str | None,
    lead: str,
    nested: bool,
) -> dict[str, Any]:
    shown = []
    for record in [lead, *(r for r in records if r != lead)]:
        entity, ftm, version = service.entity(record)
        shown.append(entity_json(entity, ftm, version, nested=nested))
    data = dict(shown[0])
    allowed = PROPERTIES.get(data["schema"])
    properties: dict[str, list[Any]] = {}
    seen: dict[str, set[Any]] = {}
    for one in shown:
        for prop, values in one["properties"].items():
            plain = [v for v in values if not isinstance(v, dict)]
            if plain and allowed is not None and prop not in allowed:
                values = [v for v in values if isinstance(v, dict)]
            if values:
                _merge_values(properties.setdefault(prop, []), values, seen.setdefault(prop, set()))
    stamps = [(one["last_seen"] or "", one["last_change"] or "") for one in shown]
    data.update(
        id=party,
        caption=caption or data["caption"],
        properties=properties,
        datasets=sorted({d for one in shown for d in one["datasets"]}),
        referents=records,
        last_seen=max(s for s, _ in stamps) or None,
        last_change=max(c for _, c in stamps) or None,
        listings=list(listings),
    )
    return data


def scored_party_json(
    service: Service,
    result: dict[str, Any],
    best: Match,
    threshold: float,
    explain: Callable[[Match], dict[str, Any]],
) -> dict[str, Any]:
    """yente's ``ScoredEntityResponse`` for one grouped result (:func:`group`): the party,
    scored as its best record, whose id is ``record_id``."""
    data = party_json(
        service, result["id"], result["listings"], caption=result["caption"], lead=best.id
    )
    data["score"] = round(best.score, 4)
    data["match"] = best.score >= threshold
    data["record_id"] = best.id
    data["list_version"] = list_version(result["listings"], best.id, best.dataset)
    data["explanations"] = explain(best)
    return data


def party_count(service: Service, matches: Iterable[Match]) -> int:
    """How many parties the matches stand for."""
    return len({service.parties.party_of(m.id) for m in matches})
