"""``sanctrace alerts``: what re-screening raised, and the analyst's decisions on it."""

from __future__ import annotations

import csv
import getpass
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from sanctrace.cli import alert_sinks
from sanctrace.cli.context import State
from sanctrace.cli.output import note, out, print_json
from sanctrace.cli.tables import fitted
from sanctrace.export.csv import safe_cell
from sanctrace.files import atomic_write
from sanctrace.monitor import alerts
from sanctrace.monitor.alerts import Alert

app = typer.Typer(
    help="Alerts from re-screening watchlists: list, show, resolve; delivery sinks.",
    no_args_is_help=True,
)
app.add_typer(alert_sinks.app, name="sinks")
app.command("deliver")(alert_sinks.deliver_command)


class Status(StrEnum):
    open = "open"
    resolved = "resolved"
    all = "all"


class Kind(StrEnum):
    new = "new"
    removed = "removed"
    changed = "changed"
    operational = "operational"


class Decision(StrEnum):
    true_match = "true-match"
    false_positive = "false-positive"
    whitelist = "whitelist"


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


_CSV_COLUMNS = (
    "id",
    "created_at",
    "kind",
    "status",
    "watchlist",
    "key",
    "customer",
    "entity_id",
    "entity",
    "score",
    "reason",
    "decision",
    "note",
    "resolved_by",
    "resolved_at",
)


def _customer(alert: Alert) -> str:
    return str((alert.details.get("customer") or {}).get("name") or "")


def _entity(alert: Alert) -> str:
    match = alert.details.get("match") or alert.details.get("previous") or {}
    return str(match.get("caption") or "")


def _csv_row(alert: Alert) -> list[str]:
    values = {
        **{k: "" if v is None else str(v) for k, v in alert.to_dict().items()},
        "customer": _customer(alert),
        "entity": _entity(alert),
        "reason": alerts.why(alert),
    }
    return [safe_cell(values[column]) for column in _CSV_COLUMNS]


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[Status, typer.Option(help="open, resolved or all.")] = Status.open,
    watchlist: Annotated[str | None, typer.Option("--list", help="Only this watchlist.")] = None,
    kind: Annotated[Kind | None, typer.Option(help="Only this kind.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many.")] = None,
    format: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
) -> None:
    """Alerts, oldest first (open ones unless --status says otherwise)."""
    state: State = ctx.obj
    found = alerts.list_alerts(
        state.store(),
        status=None if status is Status.all else status.value,
        watchlist=watchlist,
        kind=kind.value if kind else None,
        limit=limit,
    )
    if format is ListFormat.json:
        if output is None:
            print_json([a.to_dict() for a in found])
            return
        with atomic_write(output) as fh:
            json.dump([a.to_dict() for a in found], fh, ensure_ascii=False, indent=2)
        note(f"Wrote {len(found):,} alerts to {output}")
        return
    if format is ListFormat.csv:
        if output is None:
            writer = csv.writer(sys.stdout)
            writer.writerow(_CSV_COLUMNS)
            writer.writerows(_csv_row(a) for a in found)
            return
        with atomic_write(output, newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(_CSV_COLUMNS)
            writer.writerows(_csv_row(a) for a in found)
        note(f"Wrote {len(found):,} alerts to {output}")
        return
    if not found:
        note("No alerts" + (f" with status {status.value}" if status is not Status.all else ""))
        return
    # Compact, to fit 80 columns: no outer edge, one space between columns, and the watchlist
    # as the title when every alert is of the same one.
    lists = sorted({a.watchlist for a in found})
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 1, 0, 0),
        title=f"watchlist {lists[0]}" if len(lists) == 1 else None,
        title_justify="left",
    )
    for column in ("id", "kind", "status", *(["list"] if len(lists) > 1 else [])):
        table.add_column(column, no_wrap=True)
    for column in ("customer", "entity"):
        table.add_column(column, overflow="fold")
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("why", overflow="fold")
    for a in found:
        table.add_row(
            str(a.id),
            a.kind,
            a.decision or a.status,
            *([Text(a.watchlist)] if len(lists) > 1 else []),
            Text(f"{a.key} {_customer(a)}".strip()),
            Text("\n".join(part for part in (a.entity_id, _entity(a)) if part)),
            "" if a.score is None else f"{a.score:.3f}",
            Text(alerts.why(a)),
        )
    out.print(fitted(table))


@app.command("show")
def show(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument(help="The alert's id.")],
) -> None:
    """One alert, whole: the customer, the match and its explanation, what changed."""
    print_json(alerts.get(ctx.obj.store(), alert_id).to_dict())


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument(help="The alert's id.")],
    decision: Annotated[Decision, typer.Option(help="true-match, false-positive or whitelist.")],
    note_text: Annotated[str, typer.Option("--note", help="Why, for the audit trail.")],
    by: Annotated[str | None, typer.Option(help="Who decides (default: the login name).")] = None,
) -> None:
    """Record the decision on an alert, in the audit trail and on the alert. A false positive
    is not raised again until the listed entity or the customer record changes; a whitelisted
    pair not until the listed entity changes."""
    analyst = by or getpass.getuser()
    done = alerts.resolve(
        ctx.obj.store(),
        alert_id,
        decision=decision.value,
        note=note_text,
        caller=f"cli:{analyst}",
    )
    note(f"Alert {done.id} resolved as {done.decision} (audit record {done.audit_seq})")
