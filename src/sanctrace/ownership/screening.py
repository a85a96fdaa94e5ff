"""What a screening adds from the ownership data: a name that no list holds but the ownership
data does (an unlisted company) is reported when a regime blocks it as owned or controlled by
listed parties, or cannot tell: "not listed, but 55% owned by listed ALMAZ-ANTEY under OFAC"."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sanctrace.ownership.check import Listing, check
from sanctrace.ownership.edges import fold_name
from sanctrace.ownership.rules import BUILT_IN, Ruleset
from sanctrace.ownership.store import has_edges, node_names
from sanctrace.resolve.store import PartyLookup
from sanctrace.store import Store

#: The result kind a screening reports it as (listed parties are the other kind, "listed").
KIND = "owned_by_listed"


def owned_results(
    store: Store,
    name: str,
    parties: PartyLookup,
    listing: Listing,
    lists_loaded: Collection[str],
    as_of: date,
    rulesets: Collection[Ruleset] = tuple(BUILT_IN.values()),
) -> list[dict[str, Any]]:
    """One result per regime under which the company of this name is blocked or may be."""
    if not has_edges(store):
        return []
    node = f"name:{fold_name(name)}"
    if not node_names(store, [node]):
        return []
    out = []
    for r in rulesets:
        a = check(store, node, r, as_of, parties, listing, lists_loaded)
        if a.status == "not_blocked" or "regime_list_not_loaded" in a.flags:
            continue
        holders = sorted({path[0] for path in a.paths})
        out.append(
            {
                "kind": KIND,
                "id": a.node,
                "caption": a.caption,
                "regime": a.regime,
                "status": a.status,
                "basis": a.basis,
                "flags": a.flags,
                "listed_holders": holders,
                "explanation": a.explanation,
                "as_of": a.as_of.isoformat(),
            }
        )
    return out
