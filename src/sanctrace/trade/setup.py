"""The party checks of a trade run, opened on the loaded lists of a sanctrace home (and its
ownership data, when loaded): shared by the CLI, the API and the Spark executors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sanctrace.errors import SanctraceError

if TYPE_CHECKING:
    from sanctrace.cli.context import State


class TradeSetupError(SanctraceError):
    exit_code = 1


def open_party_checks(
    state: State, regime: str, threshold: float
) -> tuple[Any, bool, Callable[[], Any]]:
    """The party checks over the loaded lists (and ownership data, when loaded)."""
    from sanctrace.cli.parties import party_lookup
    from sanctrace.ownership.edges import fold_name
    from sanctrace.ownership.rules import BUILT_IN
    from sanctrace.ownership.screening import owned_results
    from sanctrace.ownership.store import has_edges, name_nodes
    from sanctrace.trade.parties import AddressIndex, PartyChecks

    if regime.lower() not in BUILT_IN:
        raise TradeSetupError(f"unknown regime {regime!r}: use one of {', '.join(BUILT_IN)}")
    store = state.store_with_data()
    screener = state.screener()
    parties = party_lookup(state)
    listing = state.listing()
    versions = store.active_versions()
    loaded = {v.dataset for v in versions}
    with_ownership = has_edges(store)
    ruleset = BUILT_IN[regime.lower()]

    known = name_nodes(store) if with_ownership else frozenset()

    def holds(name: str) -> bool:
        return f"name:{fold_name(name)}" in known

    def ownership(name: str, day: Any) -> list[dict[str, Any]]:
        if not holds(name):
            return []
        return owned_results(store, name, parties, listing, loaded, day, (ruleset,))

    def addresses() -> AddressIndex:
        return AddressIndex(e for v in versions for e in store.iter_entities(v.dataset, v.version))

    source = "the loaded lists: " + ", ".join(f"{v.dataset} {v.version}" for v in versions)
    checks = PartyChecks(
        screener,
        parties,
        listing,
        threshold=threshold,
        ownership=ownership if with_ownership else None,
        holds=holds,
        lists_source=source,
    )
    return checks, with_ownership, addresses
