"""One counterparty's exposure: found in the ownership data by id or name, or else screened
(a listed counterparty is reported as listed), then judged under each regime. Shared by
``sanctrace ownership exposure`` and ``POST /ownership/exposure``."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from sanctrace.errors import NotFoundError
from sanctrace.ownership.assess import Assessment
from sanctrace.ownership.check import Listing, check, find_node
from sanctrace.ownership.rules import Ruleset
from sanctrace.resolve.store import PartyLookup
from sanctrace.store import Store

#: A name the ownership data does not hold counts as a listed party's at this score or more.
LISTED_SCORE = 0.9

#: ``name -> (record id, caption)`` of the best listed match at LISTED_SCORE, or None.
Screen = Callable[[str], tuple[str, str] | None]

NO_DATA = "not in the ownership data, and no listed party of this name"


@dataclass
class Exposure:
    node: str | None
    caption: str
    assessments: list[Assessment] = field(default_factory=list)


def exposure_of(
    store: Store,
    identifier: str,
    name: str,
    rulesets: Sequence[Ruleset],
    as_of: date,
    parties: PartyLookup,
    listing: Listing,
    lists_loaded: Collection[str],
    screen: Screen,
) -> Exposure:
    node, caption = None, ""
    for asked in (identifier, name):
        if asked.strip():
            try:
                node, caption = find_node(store, asked, parties), asked
                break
            except NotFoundError:
                continue
    if node is None and name.strip():
        found = screen(name)
        if found is not None:
            node, caption = parties.canonical(found[0]), found[1]
    if node is None:
        return Exposure(None, "")
    return Exposure(
        node,
        caption,
        [check(store, node, r, as_of, parties, listing, lists_loaded) for r in rulesets],
    )
