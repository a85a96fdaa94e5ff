"""The ownership and network graph of a party: ``/party/{id}/graph`` (the page) and
``/party/{id}/graph.json`` (Cytoscape elements of a node and its neighbours, which the page
fetches again for each node clicked, to expand it).

The neighbours of a party are read from its records' list relationships ("Linked To", owned
by, controlled by, related; each way round, through the store's links) and from the
ownership edges loaded (``sanctrace ownership load``). A relationship's target is made the
party it is listed as: by its record id, else by its name in the screening index. Beside the
graph, each regime's 50%-rule result for the party with its calculation trace, as
``sanctrace ownership check`` gives it (recorded in the audit trail as that check is).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from sanctrace.api.parties import lookup
from sanctrace.api.runtime import audited, runtime
from sanctrace.api.service import Service
from sanctrace.errors import NotFoundError
from sanctrace.model.entity import Relationship
from sanctrace.ownership.check import canonical, check, find_node, written_keys
from sanctrace.ownership.edges import PARTY_ID, EdgeError, node_key
from sanctrace.ownership.rules import BUILT_IN
from sanctrace.ownership.store import edges_by_asset, edges_by_owner, has_edges, node_names
from sanctrace.store import Store
from sanctrace.ui.graph_data import (
    Elements,
    NameIndex,
    graph_href,
    node_element,
    ownership_edge,
    plain,
    relation_rows,
    relationship_edge,
)
from sanctrace.ui.render import SECURITY_HEADERS, error_page, index_ready, page, redirect
from sanctrace.ui.session import current_user

router = APIRouter(include_in_schema=False)

#: Most neighbours one node brings into the graph (the rest are counted, not drawn).
MAX_NEIGHBOURS = 60
#: Longest id a page is asked for.
MAX_ID_CHARS = 500


@dataclass
class Around:
    """A node and its neighbours, as Cytoscape elements, and how many were left out."""

    focus: str
    elements: Elements
    left_out: int = 0


def name_index(request: Request, service: Service) -> NameIndex:
    """The index's records by name (made once per index loaded, on first need)."""
    cached = getattr(request.app.state, "ui_graph_names", None)
    if cached is not None and cached[0] is service.by_id:
        return cached[1]
    index = NameIndex((e.id, e.dataset, [v for v, _ in e.names]) for e in service.by_id.values())
    request.app.state.ui_graph_names = (service.by_id, index)
    return index


def resolve(service: Service, store: Store, asked: str) -> str:
    """The node of an id: a party (from its id, an old id or any record id), else an
    ownership node (``name:…``, ``lei:…``, a company's name or id as loaded)."""
    text = asked.strip()
    if not text or len(text) > MAX_ID_CHARS:
        raise NotFoundError("give a party id (P-…) or a record id (us_ofac_sdn:46431)")
    try:
        return lookup(service, text)[0]
    except NotFoundError:
        pass
    if not has_edges(store):
        raise NotFoundError(f"no party or record {text!r}")
    if text.startswith(("name:", "lei:")):
        if edges_by_asset(store, [text]) or edges_by_owner(store, [text]):
            return text
        raise NotFoundError(f"no company {text!r} in the ownership data")
    return find_node(store, text, service.parties)


def relationship_target(
    service: Service, names: NameIndex | None, rel: Relationship, dataset: str
) -> str | None:
    """The node a relationship names: the party of its target record, else the one party
    its name is listed as, else the name as an unlisted company."""
    parties = service.parties
    if rel.target_id:
        return (
            parties.canonical(rel.target_id) if parties.is_member(rel.target_id) else rel.target_id
        )
    if not rel.target_name:
        return None
    if names is not None:
        found = {parties.canonical(r) for r in names.find(rel.target_name, dataset)}
        found = {p for p in found if PARTY_ID.match(p)}
        if len(found) == 1:
            return found.pop()
    try:
        return node_key(rel.target_name)
    except EdgeError:
        return None


def describe(
    service: Service, store: Store, node: str, fallback: str = "", *, focus: bool = False
) -> dict[str, Any]:
    """A node element: a party with its listings, or an unlisted company by its name."""
    if PARTY_ID.match(node) or service.parties.is_member(node):
        try:
            party, listings = lookup(service, node)
            return node_element(
                party, str(listings[0].get("caption") or party), listings, focus=focus
            )
        except NotFoundError:
            pass
    names = node_names(store, [node]) if has_edges(store) else []
    return node_element(node, names[0] if names else fallback or node, focus=focus)


def around(request: Request, service: Service, store: Store, node: str) -> Around:
    """``node`` and its neighbours: its records' relationships both ways and its stakes."""
    parties = service.parties
    found = Elements()
    met: dict[str, str] = {}  # neighbour -> a name for it
    names: NameIndex | None = None
    for record in parties.members(node) if PARTY_ID.match(node) else []:
        try:
            entity, _, version = service.entity(record)
        except NotFoundError:
            continue
        for rel in entity.relationships:
            if not rel.target_id and names is None:
                names = name_index(request, service)
            target = relationship_target(service, names, rel, entity.dataset)
            if target is None or target == node:
                continue
            found.add_edge(relationship_edge(record, node, target, rel))
            met.setdefault(target, rel.target_name or "")
        for source_id, caption, kind in store.linked_from(record, version.id):
            source = parties.canonical(source_id) if parties.is_member(source_id) else None
            if source is None or source == node:
                continue
            found.add_edge(relationship_edge(source_id, source, node, Relationship(kind)))
            met.setdefault(source, caption)
    if has_edges(store):
        keys = written_keys(node, parties)
        for e in dict.fromkeys([*edges_by_owner(store, keys), *edges_by_asset(store, keys)]):
            owner, asset = canonical(e.owner, parties), canonical(e.asset, parties)
            if owner == asset:
                continue
            found.add_edge(ownership_edge(e, owner, asset))
            if owner != node:
                met.setdefault(owner, e.owner_name)
            if asset != node:
                met.setdefault(asset, e.asset_name)
    found.add_node(describe(service, store, node, focus=True))
    shown = list(met)[:MAX_NEIGHBOURS]
    for other in shown:
        found.add_node(describe(service, store, other, met[other]))
    return Around(node, found, len(met) - len(shown))


def regime_results(
    service: Service, store: Store, node: str, as_of: date
) -> list[dict[str, Any]] | None:
    """Each built-in regime's answer for ``node`` (None when no ownership data is loaded)."""
    if not has_edges(store):
        return None
    results = [
        check(store, node, r, as_of, service.parties, service.listing, service.versions).to_dict()
        for r in BUILT_IN.values()
    ]
    for a in results:
        _name_groups(service, a["trace"])
    return results


def _name_groups(service: Service, trace: dict[str, Any]) -> None:
    """Each holding group of a trace named for the page: "all listed parties", or the listed
    party whose holdings it adds up (a regime that does not aggregate has one per party)."""
    for g in trace.get("groups", []):
        group = str(g.get("group", ""))
        caption = group
        if PARTY_ID.match(group):
            with suppress(NotFoundError):
                caption = "held by " + str(lookup(service, group)[1][0].get("caption") or group)
        g["caption"] = caption
        for stake in g.get("stakes", []):
            if isinstance(stake.get("owner_trace"), dict):
                _name_groups(service, stake["owner_trace"])


def _graph_json(around_: Around) -> dict[str, Any]:
    return {
        "focus": around_.focus,
        "href": graph_href(around_.focus),
        "elements": around_.elements.cytoscape(),
        "left_out": around_.left_out,
    }


def _not_found(request: Request, user: Any, exc: NotFoundError) -> Response:
    return error_page(request, user, 404, str(exc))


@router.get("/party/{node}/graph.json")
async def graph_json(request: Request, node: str) -> Response:
    await current_user(request, "screener")
    rt = runtime(request)
    if not await index_ready(request):
        return JSONResponse(
            {"detail": "the lists are still loading"}, 503, headers=SECURITY_HEADERS
        )
    service = rt.service

    def work() -> dict[str, Any]:
        with service.pool.connection() as store:
            focus = resolve(service, store, node)
            return _graph_json(around(request, service, store, focus))

    try:
        data = await run_in_threadpool(work)
    except NotFoundError as exc:
        return JSONResponse({"detail": str(exc)}, 404, headers=SECURITY_HEADERS)
    return JSONResponse(data, headers=SECURITY_HEADERS)


@router.get("/party/{node}/graph")
async def graph_page(request: Request, node: str) -> Response:
    user = await current_user(request, "screener")
    rt = runtime(request)
    if not await index_ready(request):
        return error_page(request, user, 503, "The lists are still loading: try again shortly.")
    service = rt.service
    as_of = datetime.now(UTC).date()

    def work() -> tuple[str, Around | None, list[dict[str, Any]] | None, bool]:
        with service.pool.connection() as store:
            focus = resolve(service, store, node)
            if focus != node:
                return focus, None, None, False
            return (
                focus,
                around(request, service, store, focus),
                regime_results(service, store, focus, as_of),
                has_edges(store),
            )

    try:
        focus, found, results, loaded = await run_in_threadpool(work)
    except NotFoundError as exc:
        return _not_found(request, user, exc)
    if found is None:
        return redirect(graph_href(focus))
    if results is not None:
        audited(
            rt,
            caller=user.key.id,
            kind="ownership",
            request={"endpoint": "/party/{id}/graph (ui)", "q": focus, "as_of": as_of.isoformat()},
            lists=service.lists(),
            results=[
                {"id": a["id"], "regime": a["regime"], "status": a["status"]} for a in results
            ],
        )
    center = found.elements.nodes[focus]
    return page(
        request,
        "graph.html",
        user,
        title=f"Graph: {plain(center['caption'], 80)}",
        center=center,
        nodes=list(found.elements.nodes.values()),
        relations=relation_rows(found.elements),
        left_out=found.left_out,
        results=results,
        ownership_loaded=loaded,
        as_of=as_of.isoformat(),
        json_url=graph_href(focus) + ".json",
    )
