"""Parties as the analyst's commands show them (``entity``, ``review``): the current parties
of the store, one party with its listings side by side and the judgements that joined them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from sanctrace.cli.context import State
from sanctrace.cli.tables import fit, fits, fitted, terminal_width
from sanctrace.errors import NotFoundError
from sanctrace.resolve.grouping import party_caption
from sanctrace.resolve.ids import is_party_id
from sanctrace.resolve.judgements import Judgement, joining_judgements
from sanctrace.resolve.store import (
    Parties,
    PartyLookup,
    StoredParties,
    load_parties,
    resolved_for,
    versions_key,
)

Listing = Callable[[str], dict[str, Any] | None]


def current_parties(state: State) -> Parties:
    """The parties of the active list versions: read from the store when current (without
    opening the screener, which only a resolution needs), else resolved by ``State.parties``."""
    store = state.store_with_data()
    if resolved_for(store) == versions_key(store.active_versions()):
        return load_parties(store)
    return state.parties()


def party_lookup(state: State) -> PartyLookup:
    """For a command that shows a party or two: the stored parties read one id at a time when
    current, else all of them as :func:`current_parties` gives them."""
    store = state.store_with_data()
    if resolved_for(store) == versions_key(store.active_versions()):
        return StoredParties(store)
    return state.parties()


def party_id_of(any_id: str, parties: PartyLookup) -> str:
    """The current party of a record id, a party id or a merged party's old id."""
    party = parties.canonical(any_id)
    if not parties.members(party):
        kind = "party" if is_party_id(any_id) else "record"
        raise NotFoundError(
            f"no {kind} {any_id!r} in the parties of the loaded lists (ids look like "
            "us_ofac_sdn:46431 or P-abcdefghij)"
        )
    return party


def party_view(
    any_id: str,
    parties: PartyLookup,
    listing: Listing,
    judgements: Callable[[Sequence[str]], Sequence[Judgement]],
) -> dict[str, Any]:
    """What a party is: its id (and the id asked for, if that was merged into it), caption,
    record ids, lists, every listing, and the judgements that joined them (``judgements``
    gives those among its records)."""
    party = party_id_of(any_id, parties)
    members = parties.members(party)
    listings = [d for d in (listing(r) for r in members) if d is not None]
    listings.sort(key=lambda d: (d["dataset"], d["id"]))
    view: dict[str, Any] = {
        "id": party,
        "caption": party_caption(listings),
        "referents": [d["id"] for d in listings],
        "datasets": sorted({d["dataset"] for d in listings}),
        "listings": listings,
        "judgements": [j.to_dict() for j in joining_judgements(members, judgements(members))],
    }
    if is_party_id(any_id) and any_id != party:
        view["merged_from"] = any_id
    return view


LISTING_ROWS = (
    ("list", "list"),
    ("record id", "id"),
    ("schema", "schema"),
    ("programs", "programs"),
    ("listed on", "listed_on"),
    ("list version", "version"),
    ("names", "names"),
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def listings_table(view: dict[str, Any], width: int | None = None) -> Table:
    """The party's listings side by side, one column per list; one below the other when they
    do not fit ``width`` (the terminal's by default) side by side."""
    title = f"{view['caption']} ({view['id']})"
    if view.get("merged_from"):
        title += f", merged from {view['merged_from']}"
    table = Table(title=title, title_justify="left", box=box.SIMPLE, show_lines=False)
    table.add_column("", style="bold", no_wrap=True)
    for d in view["listings"]:
        table.add_column(d["dataset"], overflow="fold")
    for label, key in LISTING_ROWS:
        table.add_row(label, *(Text(_cell(d.get(key))) for d in view["listings"]))
    width = terminal_width() if width is None else width
    if fits(table, width):
        return table
    blocks = Table(title=title, title_justify="left", box=box.SIMPLE, show_header=False)
    blocks.add_column("", style="bold", no_wrap=True)
    blocks.add_column("", overflow="fold")
    for d in view["listings"]:
        rows = [(label, _cell(d.get(key))) for label, key in LISTING_ROWS]
        rows = [(label, value) for label, value in rows if value]
        for number, (label, value) in enumerate(rows):
            blocks.add_row(label, Text(value), end_section=number == len(rows) - 1)
    return fit(blocks, width)


def judgements_table(
    judgements: Sequence[dict[str, Any]], title: str, width: int | None = None
) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE)
    for column in ("records", "verdict", "source", "why", "score", "who", "when"):
        table.add_column(column, no_wrap=column in ("records", "verdict", "score"), overflow="fold")
    for j in judgements:
        table.add_row(
            Text(f"{j['a']}\n{j['b']}"),
            j["verdict"],
            Text(j["source"]),
            Text(j["why"]),
            f"{j['score']:.2f}" if j.get("score") is not None else "",
            Text(j.get("user") or ""),
            Text(j.get("at") or ""),
        )
    return fitted(table, width)
