"""Screening results per party: the records a screening found, folded into one result per
party that carries every listing of it (those that matched with their scores, the others too),
so an analyst reads one answer per real-world party."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sanctrace.match import Match
from sanctrace.resolve.store import PartyLookup

#: Lists whose caption a party takes first (the most widely used spellings).
CAPTION_ORDER = (
    "un_sc_sanctions",
    "us_ofac_sdn",
    "eu_fsf",
    "gb_hmt_sanctions",
    "gb_fcdo_sanctions",
    "us_ofac_cons",
)

Listing = Callable[[str], dict[str, Any] | None]


def records_wanted(limit: int) -> int:
    """Records to ask the screener for so that ``limit`` parties come back."""
    return max(limit * 4, limit + 20)


def group_matches(
    matches: Sequence[Match], parties: PartyLookup, listing: Listing, limit: int | None = None
) -> list[dict[str, Any]]:
    """One result per party, best first. ``listing(record_id)`` describes a record (dataset,
    list, programs, listed date, version, names) or returns None for one no longer loaded."""
    order: dict[str, list[Match]] = {}
    for m in matches:
        order.setdefault(parties.party_of(m.id), []).append(m)
    out = []
    for party, found in order.items():
        out.append(party_result(party, found, parties, listing))
        if limit is not None and len(out) >= limit:
            break
    return out


def party_result(
    party: str, found: Sequence[Match], parties: PartyLookup, listing: Listing
) -> dict[str, Any]:
    best = found[0]
    scored = {m.id: m for m in found}
    members = parties.members(party) or [m.id for m in found]
    listings = []
    for record in members:
        described = listing(record)
        if described is None:
            continue
        m = scored.get(record)
        if m is not None:
            described = {**described, "score": round(m.score, 4), "matched_name": m.matched_name}
        listings.append(described)
    listings.sort(key=lambda d: (-(d.get("score") or -1.0), d["dataset"], d["id"]))
    result = best.to_dict()
    result.update(
        id=party,
        record_id=best.id,
        caption=party_caption(listings) or best.caption,
        referents=[d["id"] for d in listings],
        datasets=sorted({d["dataset"] for d in listings}),
        programs=sorted({p for d in listings for p in d.get("programs", [])}),
        listings=listings,
        list_version=list_version(listings, best.id, best.dataset),
    )
    return result


def list_version(
    listings: Sequence[dict[str, Any]], record_id: str, dataset: str | None = None
) -> dict[str, Any]:
    """The list version a result's record came from: ``{"dataset", "version", "published"}``
    of the listing ``record_id`` (each listing carries its own as well)."""
    for listed in listings:
        if listed["id"] == record_id:
            return {
                "dataset": listed["dataset"],
                "version": listed.get("version"),
                "published": listed.get("published"),
            }
    return {"dataset": dataset or record_id.split(":", 1)[0], "version": None, "published": None}


def party_caption(listings: Sequence[dict[str, Any]]) -> str | None:
    """The caption of the most widely used list that names the party."""
    if not listings:
        return None
    rank = {d: i for i, d in enumerate(CAPTION_ORDER)}
    first = min(listings, key=lambda d: (rank.get(d["dataset"], len(rank)), d["id"]))
    caption: str | None = first.get("caption")
    return caption
