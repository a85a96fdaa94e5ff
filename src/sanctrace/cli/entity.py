"""``sanctrace entity ID``: one entity with all its fields, provenance and relationships."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from sanctrace.cli.context import State
from sanctrace.cli.lists import OutputFormat
from sanctrace.cli.output import out, print_json, show_data_date
from sanctrace.model.entity import Entity


def entity(
    ctx: typer.Context,
    entity_id: Annotated[str, typer.Argument(metavar="ID", help="e.g. us_ofac_sdn:46431")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    version: Annotated[
        str | None, typer.Option("--version", help="Version (default: active).")
    ] = None,
) -> None:
    """Show one listed entity: names, identifiers, addresses, programs, links, provenance."""
    state: State = ctx.obj
    store = state.store_with_data()
    found, info = store.get_entity(entity_id, version)
    linked_from = store.linked_from(found.id, info.id)
    if format is OutputFormat.json:
        data = found.to_dict()
        data["list_version"] = info.to_dict()
        data["linked_from"] = [
            {"id": source, "caption": caption, "type": kind}
            for source, caption, kind in linked_from
        ]
        print_json(data)
        show_data_date([info], to_stderr=True)
        return
    out.print(_table(found, linked_from))
    show_data_date([info], to_stderr=False)


def _table(e: Entity, linked_from: list[tuple[str, str, str]]) -> Table:
    table = Table(title=f"{e.caption} ({e.id})", show_header=False, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value")

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
    return table
