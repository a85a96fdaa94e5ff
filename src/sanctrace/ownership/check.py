"""A company's status read from the store: its holders up the graph, who of them is listed
under the regime, and the assessment (the store-facing edge of the pure calculator).

Edges are kept as written (a record id, a party id, an LEI, a name). A record id is made its
party id here, with the parties of the loaded lists, so that the SDN and UK records of one
party are one holder, and a record id the lists no longer hold stays a holder of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from sanctrace.errors import NotFoundError
from sanctrace.ownership.assess import Assessment, assess
from sanctrace.ownership.calculate import Graph, propagate
from sanctrace.ownership.edges import PARTY_ID, Edge, fold_name, is_record_id, node_key
from sanctrace.ownership.rules import Ruleset
from sanctrace.ownership.store import edges_by_asset, joint_edges, node_names
from sanctrace.resolve.store import PartyLookup
from sanctrace.store import Store

Listing = Callable[[str], dict[str, Any] | None]

#: How many companies up the graph a check reads before it stops (a cycle-safe bound).
MAX_NODES = 200_000


def canonical(key: str, parties: PartyLookup) -> str:
    """The node of a key: a record id or a merged party id becomes its current party."""
    if PARTY_ID.match(key) or is_record_id(key):
        return parties.canonical(key) if parties.is_member(key) or PARTY_ID.match(key) else key
    return key


def written_keys(node: str, parties: PartyLookup) -> list[str]:
    """The keys an edge may name ``node`` by: a party by its id or any of its records."""
    if PARTY_ID.match(node):
        return [node, *parties.members(node)]
    return [node]


def holders_graph(store: Store, node: str, parties: PartyLookup) -> list[Edge]:
    """The edges from every holder up the graph of ``node``, ends made canonical."""
    out: list[Edge] = []
    seen = {node}
    frontier = [node]
    while frontier and len(seen) < MAX_NODES:
        keys = [k for n in frontier for k in written_keys(n, parties)]
        frontier = []
        for e in edges_by_asset(store, keys):
            owner, asset = canonical(e.owner, parties), canonical(e.asset, parties)
            out.append(_renamed(e, owner, asset))
            if e.is_joint:
                continue
            if owner not in seen:
                seen.add(owner)
                frontier.append(owner)
    # joint arrangements between holders (recorded with either holder as "asset")
    holders = sorted(seen)
    keys = [k for n in holders for k in written_keys(n, parties)]
    for e in joint_edges(store, keys):
        out.append(_renamed(e, canonical(e.owner, parties), canonical(e.asset, parties)))
    return list(dict.fromkeys(out))


def _renamed(e: Edge, owner: str, asset: str) -> Edge:
    if owner == e.owner and asset == e.asset:
        return e
    return replace(e, owner=owner, asset=asset)


def canonical_edges(edges: Iterable[Edge], parties: PartyLookup) -> list[Edge]:
    """Every edge with its ends made nodes (record ids their parties)."""
    return [_renamed(e, canonical(e.owner, parties), canonical(e.asset, parties)) for e in edges]


def listed_under(
    nodes: Iterable[str], ruleset: Ruleset, parties: PartyLookup, listing: Listing
) -> dict[str, list[dict[str, Any]]]:
    """The nodes listed on one of the regime's lists, with those listings."""
    out: dict[str, list[dict[str, Any]]] = {}
    for node in nodes:
        if not PARTY_ID.match(node):
            continue
        listings = [d for d in (listing(r) for r in parties.members(node)) if d is not None]
        counted = [d for d in listings if d.get("dataset") in ruleset.lists]
        if counted:
            out[node] = counted
    return out


def find_node(store: Store, asked: str, parties: PartyLookup) -> str:
    """The node a user means: a record or party id, an LEI, or a company's name as loaded."""
    text = asked.strip()
    if not text:
        raise NotFoundError("give a company's name, a record id (us_ofac_sdn:46431) or a party id")
    try:
        key = node_key(text)
    except ValueError:
        raise NotFoundError(f"{asked!r} names no company") from None
    node = canonical(key, parties)
    if node.startswith("name:") and not node_names(store, [node]):
        raise NotFoundError(
            f"no company named {asked!r} in the ownership data (names are matched as written, "
            f"folded to {fold_name(text)!r}); load stakes with `sanctrace ownership load FILE`"
        )
    unknown_record = is_record_id(node) and not PARTY_ID.match(node)
    if unknown_record and not parties.is_member(key) and not edges_by_asset(store, [key]):
        raise NotFoundError(f"no record {asked!r} in the loaded lists or the ownership data")
    return node


def check(
    store: Store,
    node: str,
    ruleset: Ruleset,
    as_of: date,
    parties: PartyLookup,
    listing: Listing,
    lists_loaded: Collection[str],
) -> Assessment:
    """The status of ``node`` under ``ruleset`` on ``as_of``, with its trace."""
    edges = holders_graph(store, node, parties)
    graph = Graph(edges, as_of)
    nodes = graph.nodes() | {node}
    listed = listed_under(nodes, ruleset, parties, listing)
    for n in nodes:
        if n not in graph.names and n in listed:
            graph.names[n] = str(listed[n][0].get("caption") or n)
    if node not in graph.names:
        names = node_names(store, [node])
        described = listing(node) if not PARTY_ID.match(node) else None
        if names:
            graph.names[node] = names[0]
        elif described:
            graph.names[node] = str(described.get("caption") or node)
    for n in nodes:
        if n not in graph.names and PARTY_ID.match(n):
            members = parties.members(n)
            described = listing(members[0]) if members else None
            if described:
                graph.names[n] = str(described.get("caption") or n)
    return assess(propagate(graph, listed, ruleset), node, lists_loaded, as_of)
