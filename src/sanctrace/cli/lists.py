"""``sanctrace lists``: load, show, activate, fetch and export list versions."""

from __future__ import annotations

import re
import sys
import time
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn
from rich.table import Table
from rich.text import Text

from sanctrace.cli import resolve as resolve_cmd
from sanctrace.cli.context import State
from sanctrace.cli.output import (
    OutputFormat,
    err,
    note,
    out,
    print_json,
    show_data_date,
    warn,
)
from sanctrace.cli.tables import fitted
from sanctrace.errors import SanctraceError
from sanctrace.fetch.service import fetch_and_load, make_client, resolve_sources
from sanctrace.files import atomic_write
from sanctrace.ingest import IngestReport, audit_list_event, load_paths
from sanctrace.sources import FORMATS
from sanctrace.store import default_db_path

app = typer.Typer(
    help="Official lists: load files, show versions, fetch, export.", no_args_is_help=True
)


class ExportFormat(StrEnum):
    ftm = "ftm"
    csv = "csv"


def _report_dict(report: IngestReport) -> dict[str, object]:
    data = report.result.version.to_dict()
    data.update(
        created=report.result.created,
        activated=report.result.activated,
        format=report.format,
        files=[str(p) for p in report.files],
        warnings=report.warnings,
        skipped_rows=report.skipped_rows,
    )
    return data


def _print_report(report: IngestReport) -> None:
    v = report.result.version
    for message in report.warnings[:20]:
        warn(message)
    if len(report.warnings) > 20:
        warn(f"… and {len(report.warnings) - 20} more warnings")
    if report.skipped_rows:
        warn(f"skipped {report.skipped_rows} bad rows (--skip-bad-rows)")
    if not report.result.created:
        out.print(
            f"{v.dataset}: this content is already loaded as version {v.version} "
            f"(sha256 {v.sha256[:12]}…); nothing to do",
            markup=False,
        )
        return
    state = "active" if report.result.activated else "stored, not active (a newer version is)"
    out.print(
        f"{v.dataset}: loaded version {v.version} (published {v.published}) "
        f"with {v.entities:,} entities from {report.format} — {state}",
        markup=False,
    )


@app.command("load")
def load(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(help="List file(s); OFAC CSV sets may be several.")
    ],
    dataset: Annotated[
        str | None, typer.Option(help="Dataset name (default: from the file).")
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help=f"List format (default: detected). One of: {', '.join(FORMATS)}."
        ),
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="Version label, for files that carry no date.")
    ] = None,
    skip_bad_rows: Annotated[
        bool, typer.Option("--skip-bad-rows", help="Skip malformed rows and report how many.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Load even a version far smaller than the active one (see --min-fraction).",
        ),
    ] = False,
    min_fraction: Annotated[
        float | None,
        typer.Option(
            "--min-fraction",
            help="Refuse a new active version with fewer than this fraction of the active one's "
            "entities (default 0.5, or $SANCTRACE_MIN_LIST_FRACTION).",
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Load a list file as a new version of its dataset (the previous versions are kept)."""
    state: State = ctx.obj
    store = state.store()
    with err.status(f"Loading {', '.join(str(p) for p in paths)}…"):
        report = load_paths(
            store,
            list(paths),
            format=format,
            dataset=dataset,
            version=version,
            skip_bad_rows=skip_bad_rows,
            force=force,
            min_fraction=min_fraction,
        )
    if json_output:
        print_json(_report_dict(report))
    else:
        _print_report(report)
    if report.result.activated:
        state.lists_changed()


@app.command("show")
def show(
    ctx: typer.Context,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    dataset: Annotated[str | None, typer.Option(help="Only this dataset.")] = None,
) -> None:
    """Show every stored list version: dataset, version, publication date, entities, active."""
    state: State = ctx.obj
    store = state.store_with_data()
    versions = store.versions(dataset)
    if format is OutputFormat.json:
        print_json([v.to_dict() for v in versions])
        show_data_date(store.active_versions(), to_stderr=True)
        return
    table = Table(title=f"Lists in {store.location}", box=box.SIMPLE_HEAD)
    for column in ("dataset", "version", "published", "entities", "active", "loaded"):
        table.add_column(column, no_wrap=True, justify="right" if column == "entities" else "left")
    for v in versions:
        table.add_row(
            Text(v.dataset),
            Text(v.version),
            v.published or "",
            f"{v.entities:,}",
            "yes" if v.active else "",
            v.loaded_at[:10],
        )
    out.print(fitted(table))
    show_data_date(store.active_versions(), to_stderr=False)


@app.command("activate")
def activate(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument()],
    version: Annotated[str, typer.Argument()],
) -> None:
    """Make a stored version the one that serves (e.g. to roll back a list update)."""
    state: State = ctx.obj
    store = state.store()
    current = next((v for v in store.versions(dataset) if v.active), None)
    if current is not None and current.version == version:
        out.print(f"{dataset}: version {version} (published {current.published}) is already active")
        return
    info = store.activate(dataset, version)
    audit_list_event(store, "list-activate", info)
    out.print(f"{info.dataset}: version {info.version} (published {info.published}) is now active")
    state.lists_changed()


@app.command("fetch")
def fetch(
    ctx: typer.Context,
    datasets: Annotated[list[str] | None, typer.Argument(help="Datasets (default: all).")] = None,
    downloads: Annotated[
        Path | None, typer.Option(help="Where to keep downloaded files (default: beside the db).")
    ] = None,
    retries: Annotated[int, typer.Option(help="Retries per download.")] = 3,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Load even a list far smaller than the active version "
            "($SANCTRACE_MIN_LIST_FRACTION).",
        ),
    ] = False,
) -> None:
    """Download lists from their official URLs, verify they parse, and load them."""
    state: State = ctx.obj
    store = state.store()
    folder = downloads or (default_db_path().parent / "downloads")
    failures = 0
    loaded = False
    sources = resolve_sources(list(datasets or []))
    with make_client() as client:
        for source in sources:
            with Progress(
                TextColumn(f"{source.dataset}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                console=err,
                transient=True,
                disable=not sys.stderr.isatty(),
            ) as progress:
                task = progress.add_task("download", total=None)

                def update(done: int, total: int | None, task_id=task, bar=progress) -> None:
                    bar.update(task_id, completed=done, total=total)

                try:
                    report = fetch_and_load(
                        store,
                        source,
                        folder,
                        client=client,
                        progress=update,
                        retries=retries,
                        force=force,
                    )
                except SanctraceError as exc:
                    failures += 1
                    err.print(f"[red]error:[/red] {source.dataset}: {exc}")
                    err.print("  the previously loaded version (if any) keeps serving")
                    continue
            _print_report(report)
            loaded = loaded or report.result.activated
    if loaded:
        state.lists_changed()
    if failures:
        raise typer.Exit(code=5)


_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """``6h``, ``30m``, ``1d``, ``90s`` in seconds."""
    found = _INTERVAL.match(text.lower())
    if not found or float(found.group(1)) <= 0:
        raise SanctraceError(f"--every {text!r}: give a number and a unit, e.g. 6h, 30m or 1d")
    return float(found.group(1)) * _UNIT_SECONDS[found.group(2)]


@app.command("update")
def update_cmd(
    ctx: typer.Context,
    datasets: Annotated[list[str] | None, typer.Argument(help="Datasets (default: all).")] = None,
    every: Annotated[
        str | None,
        typer.Option(help="Run again at this interval until stopped (6h, 30m, 1d)."),
    ] = None,
    downloads: Annotated[
        Path | None, typer.Option(help="Where to keep downloaded files (default: beside the db).")
    ] = None,
    retries: Annotated[int, typer.Option(help="Retries per download.")] = 3,
    json_output: Annotated[bool, typer.Option("--json", help="Print each report as JSON.")] = False,
) -> None:
    """Fetch the official lists, load what changed, re-screen the watchlists and deliver their
    alerts. A failure at any step keeps the previous version serving, raises an operational
    alert and exits 5 (each failed run of --every is reported, and the next run retries)."""
    from sanctrace.cli.monitoring import print_monitor_report, rescreen_progress
    from sanctrace.monitor.update import update

    state: State = ctx.obj
    interval = parse_interval(every) if every else None
    store = state.store_with_data()
    folder = downloads or (default_db_path().parent / "downloads")
    sources = resolve_sources(list(datasets or []))
    while True:
        started = time.monotonic()
        note(f"Update started {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        with make_client() as client, rescreen_progress() as progress:
            report = update(
                store,
                sources,
                folder,
                client=client,
                retries=retries,
                notify=note,
                progress=progress,
                with_parties=True,
            )
        if json_output:
            print_json(report.to_dict())
        else:
            print_monitor_report(report)
        show_data_date(store.active_versions(), to_stderr=True)
        if interval is None:
            if not report.ok:
                raise typer.Exit(code=5)
            return
        wait = max(0.0, interval - (time.monotonic() - started))
        note(f"Next update in {wait / 3600:.1f} h")
        try:
            time.sleep(wait)
        except KeyboardInterrupt:
            note("Stopped")
            return


@app.command("export")
def export(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument()],
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.ftm,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="Version (default: active).")
    ] = None,
) -> None:
    """Export a dataset as FollowTheMoney JSON lines or as a spreadsheet-safe CSV."""
    from sanctrace.export.csv import write_csv
    from sanctrace.export.ftm import write_ftm

    state: State = ctx.obj
    store = state.store_with_data()
    info = store.get_version(dataset, version)
    entities = store.iter_entities(dataset, info.version)
    writer = write_ftm if format is ExportFormat.ftm else write_csv
    if output is None:
        writer(entities, sys.stdout)
    else:
        newline = "" if format is ExportFormat.csv else None
        with atomic_write(output, newline=newline) as fh:
            writer(entities, fh)
        note(f"wrote {info.entities:,} {dataset} entities to {output}")
    show_data_date([info], to_stderr=True)


@app.command("export-parties")
def export_parties(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
) -> None:
    """Export every party of the active lists as FollowTheMoney JSON lines: one entity per
    party (id = party id, referents = its records), properties unioned across its lists."""
    from sanctrace.export.ftm_parties import write_party_ftm

    state: State = ctx.obj
    store = state.store_with_data()
    parties = state.parties()
    versions = store.active_versions()
    records = {e.id: e for v in versions for e in store.iter_entities(v.dataset, v.version)}
    grouped = [
        (party, [records[r] for r in members if r in records])
        for party, members in sorted(parties.by_party.items())
    ]
    grouped = [(party, members) for party, members in grouped if members]
    if output is None:
        write_party_ftm(grouped, sys.stdout)
    else:
        with atomic_write(output) as fh:
            write_party_ftm(grouped, fh)
        note(f"wrote {len(grouped):,} parties of {len(records):,} records to {output}")
    show_data_date(versions, to_stderr=True)


class DiffFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command("diff")
def diff(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument(help="A loaded dataset, e.g. us_ofac_sdn.")],
    from_version: Annotated[
        str | None, typer.Option("--from", help="Older version (default: the one before --to).")
    ] = None,
    to_version: Annotated[
        str | None, typer.Option("--to", help="Newer version (default: the active one).")
    ] = None,
    format: Annotated[DiffFormat, typer.Option("--format", "-f")] = DiffFormat.table,
) -> None:
    """Entities added, removed and changed between two stored versions, field by field."""
    import csv

    from sanctrace.export.csv import safe_cell
    from sanctrace.monitor.diff import change_lines, diff_entities

    store = ctx.obj.store()
    versions = store.versions(dataset)
    if not versions:
        raise SanctraceError(f"no versions of {dataset!r} are stored")
    names = [v.version for v in versions]
    new = store.get_version(dataset, to_version) if to_version else None
    if new is None:
        new = next((v for v in versions if v.active), versions[-1])
    if from_version:
        old = store.get_version(dataset, from_version)
    else:
        earlier = names[: names.index(new.version)]
        if not earlier:
            raise SanctraceError(
                f"{dataset} {new.version} is its first stored version: give --from "
                f"(stored: {', '.join(names)})"
            )
        old = store.get_version(dataset, earlier[-1])
    result = diff_entities(
        dataset,
        old.version,
        store.iter_entities(dataset, old.version),
        new.version,
        store.iter_entities(dataset, new.version),
    )
    if format is DiffFormat.json:
        print_json(result.to_dict())
        return
    if format is DiffFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["change", "id", "field", "old", "new"])
        for entity_id in result.added:
            writer.writerow(["added", entity_id, "", "", ""])
        for entity_id in result.removed:
            writer.writerow(["removed", entity_id, "", "", ""])
        for item in result.changed:
            for name, values in item["changes"].items():
                cells = [str(values["old"]), str(values["new"])]
                writer.writerow(["changed", item["id"], name, *(safe_cell(c) for c in cells)])
        return
    out.print(
        f"{dataset}: {old.version} → {new.version}: {len(result.added):,} added, "
        f"{len(result.removed):,} removed, {len(result.changed):,} changed",
        markup=False,
    )
    # One line per entity: the change, its id and its name (the fields that changed, and
    # beneath them what changed in each); the id leads, whole, whatever the width.
    width = max((len(i) for i in result.captions), default=0)
    for label, ids in (("added", result.added), ("removed", result.removed)):
        for entity_id in ids:
            caption = result.captions.get(entity_id, "")
            out.print(f"  {label:<8} {entity_id:<{width}}  {caption}", markup=False)
    for item in result.changed:
        fields = ", ".join(item["fields"])
        line = f"  {'changed':<8} {item['id']:<{width}}  {item['caption']}  ({fields})"
        out.print(line, markup=False)
        for change in change_lines(item["changes"]):
            out.print(f"      {change}", markup=False)


app.command("resolve")(resolve_cmd.resolve)
