"""``sanctrace entity ID``: one listed record with all its fields, provenance and relationships,
or one party (by its id, or a merged party's old id) with every listing side by side and the
judgements that joined them. A record id shows the record as before, with its party."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import typer
from rich.table import Table

from sanctrace.cli.context import State
from sanctrace.cli.output import OutputFormat, out, print_json, show_data_date
from sanctrace.cli.parties import judgements_table, listings_table, party_lookup, party_view
from sanctrace.cli.tables import fit
from sanctrace.model.entity import Entity
from sanctrace.resolve.ids import is_party_id
from sanctrace.resolve.listings import listing_reader
from sanctrace.resolve.store import judgements_among
from sanctrace.store import Store


def entity(
    ctx: typer.Context,
    entity_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="A record id (us_ofac_sdn:46431) or a party id (P-cxlfmbsfth)."
        ),
    ],
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    version: Annotated[
        str | None, typer.Option("--version", help="Version (default: active).")
    ] = None,
) -> None:
    """Show one listed entity (names, identifiers, addresses, programs, links, provenance) and
    its party, or one party (P-...) with all its listings and the judgements that joined them."""
    state: State = ctx.obj
    store = state.store_with_data()
    if is_party_id(entity_id):
        _show_party(state, store, entity_id, format)
        return
    found, info = store.get_entity(entity_id, version)
    linked_from = store.linked_from(found.id, info.id)
    party = _party_of_record(state, store, found.id)
    if format is OutputFormat.json:
        data = found.to_dict()
        data["list_version"] = info.to_dict()
        data["linked_from"] = [
            {"id": source, "caption": caption, "type": kind}
            for source, caption, kind in linked_from
        ]
        data["party"] = party
        data["ownership"] = _stakes(state, store, found.id, party)
        print_json(data)
        show_data_date([info], to_stderr=True)
        return
    out.print(_table(found, linked_from))
    if party is not None:
        _print_party(party)
    _print_stakes(_stakes(state, store, found.id, party))
    show_data_date([info], to_stderr=False)


def _stakes(
    state: State, store: Store, record_id: str, party: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """The ownership and control edges in which the record's party holds or is held."""
    from sanctrace.ownership.store import has_edges

    if not has_edges(store):
        return []
    from sanctrace.ownership.store import edges_by_asset, edges_by_owner

    keys = [record_id] if party is None else [party["id"], *party["referents"]]
    found = [*edges_by_owner(store, keys), *edges_by_asset(store, keys)]
    return [{**e.to_dict(), "role": _role(e, e.owner in keys)} for e in dict.fromkeys(found)]


def _role(edge: Any, holds: bool) -> str:
    if edge.control == "linked" and edge.share is None:
        return "linked to" if holds else "linked from"
    return "holds" if holds else "held by"


def _print_stakes(stakes: list[dict[str, Any]]) -> None:
    if not stakes:
        return
    table = Table(title="Ownership and control", title_justify="left", show_header=True)
    for column in ("", "other party", "stake", "from", "to", "source"):
        table.add_column(column, overflow="fold")
    for s in stakes:
        holds = s["role"] in ("holds", "linked to")
        other = (s["asset_name"] or s["asset"]) if holds else (s["owner_name"] or s["owner"])
        share = s["share"]["text"] if s["share"] else f"control ({s['control']})"
        table.add_row(s["role"], other, share, s["start"] or "", s["end"] or "", s["source"] or "")
    out.print(fit(table))


def _party_of_record(state: State, store: Store, record_id: str) -> dict[str, Any] | None:
    """The party of a record of an active list version (None for a record of another)."""
    parties = party_lookup(state)
    if not parties.is_member(record_id):
        return None
    return party_view(record_id, parties, listing_reader(store), partial(judgements_among, store))


def _show_party(state: State, store: Store, party_id: str, format: OutputFormat) -> None:
    parties = party_lookup(state)
    view = party_view(party_id, parties, listing_reader(store), partial(judgements_among, store))
    versions = [v for v in store.active_versions() if v.dataset in view["datasets"]]
    if format is OutputFormat.json:
        print_json({**view, "list_versions": [v.to_dict() for v in versions]})
        show_data_date(versions, to_stderr=True)
        return
    _print_party(view)
    show_data_date(versions, to_stderr=False)


def _print_party(view: dict[str, Any]) -> None:
    out.print(listings_table(view))
    if view["judgements"]:
        out.print(judgements_table(view["judgements"], "Judgements that joined them"))
    elif len(view["listings"]) == 1:
        out.print("Listed on one list only: no other list's record is this party.", markup=False)


def _table(e: Entity, linked_from: list[tuple[str, str, str]]) -> Table:
    table = Table(title=f"{e.caption} ({e.id})", show_header=False, title_justify="left")
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")

    def row(label: str, values: list[str] | str | None) -> None:
        if not values:
            return
        text = values if isinstance(values, str) else "\n".join(values)
        table.add_row(label, text)

    row("schema", e.schema)
    row("names", [f"{n.value}  [{n.kind}]" for n in e.names])
    row("programs", e.programs)
    row("listed on", e.listed_on)
    row("modified on", e.modified_on)
    row("gender", e.gender)
    row("birth dates", e.birth_dates)
    row("birth places", e.birth_places)
    row("nationality", e.nationalities)
    row("citizenship", e.citizenships)
    row("countries", e.countries)
    row("incorporated", e.incorporation_dates)
    row(
        "identifiers",
        [
            f"{i.type}: {i.value}"
            + (f" ({i.country})" if i.country else "")
            + (f" — {i.note}" if i.note else "")
            for i in e.identifiers
        ],
    )
    row("addresses", [a.full for a in e.addresses])
    for prop, values in sorted(e.properties.items()):
        row(prop, values)
    row(
        "links to",
        [
            f"{r.type}: {r.target_name or ''}" + (f" → {r.target_id}" if r.target_id else "")
            for r in e.relationships
        ],
    )
    row("linked from", [f"{kind}: {caption} ({source})" for source, caption, kind in linked_from])
    row("remarks", e.remarks)
    p = e.provenance
    row(
        "provenance",
        f"dataset {p.dataset}, record {p.source_id}, version {p.version}"
        + (f", file {p.source_file}" if p.source_file else ""),
    )
    return fit(table)
