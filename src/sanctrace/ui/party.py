"""The party page, ``/party/ID``: one real-world party with every listing side by side. ``ID``
is a party id (``P-…``) or any record id of it (``us_ofac_sdn:46431``); a record id, or the id
of a party since merged into another, redirects to the party's own address."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from sanctrace.api.parties import lookup
from sanctrace.api.service import Service
from sanctrace.errors import NotFoundError
from sanctrace.model.entity import Entity
from sanctrace.resolve.judgements import joining_judgements
from sanctrace.resolve.store import judgements_among
from sanctrace.store import Store, VersionInfo
from sanctrace.ui import party_view as view
from sanctrace.ui.render import error_page, index_ready, page, redirect
from sanctrace.ui.session import current_user

router = APIRouter(include_in_schema=False)

#: Versions of a list read back for a record's history (the newest ones).
HISTORY_VERSIONS = 50


def _history(store: Store, record_id: str, dataset: str) -> list[dict[str, Any]]:
    held: list[tuple[VersionInfo, Entity | None]] = []
    for version in store.versions(dataset)[-HISTORY_VERSIONS:]:
        try:
            entity, _ = store.get_entity(record_id, version.version)
        except NotFoundError:
            held.append((version, None))
        else:
            held.append((version, entity))
    return view.record_history(record_id, held)


def _target(service: Service, rel: dict[str, Any]) -> dict[str, Any]:
    """A relation's target as a link: its party when a loaded list holds it, else a search."""
    target = rel.get("target_id")
    if target and service.listing(target) is not None:
        return {**rel, "href": f"/party/{service.parties.canonical(target)}"}
    return {**rel, "href": None}


def _named_by(
    service: Service, store: Store, listings: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Other listed records whose own relationships name one of the party's records ("Linked
    To: …" on another entry), each once, as links to their parties."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    members = {d["id"] for d in listings}
    for listing in listings:
        version = service.versions.get(listing["dataset"])
        if version is None:
            continue
        for source_id, caption, kind in store.linked_from(listing["id"], version.id):
            if source_id in members:
                continue
            party = service.parties.canonical(source_id)
            out.setdefault(
                (party, kind),
                {"type": kind, "caption": caption, "record": source_id, "href": f"/party/{party}"},
            )
    return sorted(out.values(), key=lambda d: (d["type"], d["caption"]))


def party_context(service: Service, party: str, listings: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything the page shows of ``party`` (its listings as :func:`lookup` gives them)."""
    cards = []
    records = []
    for listing in listings:
        entity, _, version = service.entity(listing["id"])
        records.append(entity)
        cards.append(
            {
                "list": listing["list"],
                "dataset": listing["dataset"],
                "id": listing["id"],
                "caption": entity.caption,
                "fields": view.record_fields(entity, version),
            }
        )
    members = [d["id"] for d in listings]
    with service.pool.connection() as store:
        judged = joining_judgements(members, judgements_among(store, members))
        history = [e for d in listings for e in _history(store, d["id"], d["dataset"])]
        named_by = _named_by(service, store, listings)
    history.sort(key=lambda e: (e["published"] or e["version"], e["record"]))
    return {
        "party": party,
        "caption": listings[0]["caption"],
        "schema": listings[0]["schema"],
        "narrative": view.status_sentence(listings),
        "listings": cards,
        "names": view.names_by_script(records),
        "identifiers": view.identifiers(records),
        "addresses": view.addresses(records),
        "relationships": [_target(service, r) for r in view.relationships(records)],
        "named_by": named_by,
        "judgements": [j.to_dict() for j in judged],
        "history": history,
    }


@router.get("/party/{any_id}")
async def party_page(request: Request, any_id: str) -> Response:
    user = await current_user(request, "screener")
    service: Service = request.app.state.runtime.service
    if not await index_ready(request):
        return error_page(request, user, 503, "The lists are still loading: try again shortly.")
    try:
        party, listings = lookup(service, any_id)
    except NotFoundError:
        return error_page(
            request,
            user,
            404,
            f"No party or listed record {any_id[:200]!r} in the loaded lists (ids look like "
            "us_ofac_sdn:46431 or P-abcdefghij).",
        )
    if any_id != party:
        return redirect(f"/party/{party}")
    context = await run_in_threadpool(party_context, service, party, listings)
    return page(request, "party.html", user, title=context["caption"], **context)
