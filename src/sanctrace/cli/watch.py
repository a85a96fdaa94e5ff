"""``sanctrace watch``: the watchlists re-screened when a list changes."""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from sanctrace.batch.columns import ColumnOptions
from sanctrace.batch.readers import InputFormat
from sanctrace.cli.columns import (
    BirthDateColumn,
    CountryColumn,
    Encoding,
    IdColumn,
    NameColumn,
    SchemaColumn,
)
from sanctrace.cli.context import State
from sanctrace.cli.lists import OutputFormat
from sanctrace.cli.monitoring import describe, rescreen_progress
from sanctrace.cli.output import note, out, print_json
from sanctrace.cli.tables import fitted
from sanctrace.errors import SanctraceError
from sanctrace.monitor import watchlists
from sanctrace.monitor.rescreen import rescreen, watchlist_names

app = typer.Typer(help="Watchlists: counterparties screened again when a list changes.")

ListName = Annotated[str, typer.Option("--list", help="The watchlist.")]


@app.command("add")
def add(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="CSV, TSV, XLSX, Parquet or JSON lines.")],
    watchlist: ListName = "default",
    input_format: Annotated[InputFormat | None, typer.Option()] = None,
    encoding: Encoding = None,
    name_column: NameColumn = None,
    key_column: Annotated[str | None, typer.Option(help="Column with the customer's id.")] = None,
    schema_column: SchemaColumn = None,
    country_column: CountryColumn = None,
    birth_date_column: BirthDateColumn = None,
    id_column: IdColumn = None,
    screen: Annotated[
        bool,
        typer.Option(help="Screen the added and changed records now (alerts for their matches)."),
    ] = True,
) -> None:
    """Add a file's records to a watchlist (same columns as `screen-file`); a record whose id
    is already watched is replaced if it changed. New and changed records are screened."""
    state: State = ctx.obj
    columns = ColumnOptions(
        name=name_column,
        key=key_column,
        schema=schema_column,
        country=country_column,
        birth_date=birth_date_column,
        identifier=id_column,
    )
    found = watchlists.read_records(file, columns, input_format, encoding)
    report = watchlists.add(state.store(), watchlist, found)
    note(
        f"Watchlist {watchlist!r}: {report.added:,} added, {report.updated:,} updated, "
        f"{report.unchanged:,} unchanged"
    )
    if screen and (report.added or report.updated):
        state.store_with_data()
        state.monitor()


@app.command("rescreen")
def rescreen_cmd(
    ctx: typer.Context,
    watchlist: Annotated[
        str | None, typer.Option("--list", help="Only this watchlist (default: all).")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Screen every customer again, not only what changed.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
) -> None:
    """Bring watchlists up to the active list versions (done by itself after `lists load`,
    `lists fetch`, `lists update` and `watch add`); raises alerts for what changed."""
    state: State = ctx.obj
    store = state.store_with_data()
    names = [watchlist] if watchlist else None
    if watchlist and watchlist not in watchlist_names(store):
        raise SanctraceError(f"no watchlist {watchlist!r}")
    with rescreen_progress() as progress:
        reports = rescreen(
            store,
            names,
            full=full,
            screener=state.screener(),
            progress=progress,
            parties=state.parties(),
        )
    if json_output:
        print_json([r.to_dict() for r in reports])
        return
    if not reports:
        note("No watchlists: add one with `sanctrace watch add FILE --list NAME`")
    for report in reports:
        note(describe(report))


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    watchlist: Annotated[
        str | None, typer.Option("--list", help="Show this watchlist's records.")
    ] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """The watchlists, or one watchlist's records."""
    store = ctx.obj.store()
    if watchlist is None:
        found = watchlists.watchlists(store)
        if format is OutputFormat.json:
            print_json([{"watchlist": n, "records": c, "updated_at": u} for n, c, u in found])
            return
        table = Table(box=box.SIMPLE)
        for column in ("watchlist", "records", "last change"):
            table.add_column(column, no_wrap=True)
        for name, count, last in found:
            table.add_row(Text(name), f"{count:,}", last)
        out.print(fitted(table))
        return
    rows = watchlists.records(store, watchlist)
    if not rows:
        raise SanctraceError(f"watchlist {watchlist!r} is empty or does not exist")
    if format is OutputFormat.json:
        print_json(rows)
        return
    for row in rows:
        out.print(f"{row['key']}  {row['query']['name']}", markup=False)


@app.command("remove")
def remove(
    ctx: typer.Context,
    keys: Annotated[list[str] | None, typer.Argument(help="Customer ids.")] = None,
    watchlist: ListName = "default",
    everything: Annotated[bool, typer.Option("--all", help="The whole watchlist.")] = False,
) -> None:
    """Stop watching some records, or a whole watchlist."""
    if not keys and not everything:
        raise SanctraceError("name the customer ids to remove, or --all")
    gone = watchlists.remove(ctx.obj.store(), watchlist, None if everything else keys)
    note(f"Watchlist {watchlist!r}: {gone:,} records removed")
