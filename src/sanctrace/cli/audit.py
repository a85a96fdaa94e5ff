"""``sanctrace audit``: check the audit trail's hash chain, export its records."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sanctrace import audit
from sanctrace.cli.context import State
from sanctrace.cli.lists import OutputFormat
from sanctrace.cli.output import note, out, print_json
from sanctrace.files import atomic_write

app = typer.Typer(help="The audit trail of every screening.", no_args_is_help=True)


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@app.command("verify")
def verify(
    ctx: typer.Context,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Walk the hash chain from the first record; name the first record that does not hold
    (exit code 6 when the trail is broken)."""
    state: State = ctx.obj
    report = audit.verify(state.store())
    if format is OutputFormat.json:
        print_json(
            {
                "ok": report.ok,
                "records": report.records,
                "head_hash": report.head_hash,
                "broken_seq": report.broken_seq,
                "reason": report.reason,
            }
        )
    elif report.ok:
        out.print(
            f"Audit trail OK: {report.records:,} records, chain head {report.head_hash}",
            markup=False,
        )
    if not report.ok:
        raise audit.AuditBrokenError(
            f"audit trail broken at record {report.broken_seq}: {report.reason} "
            f"({report.records:,} records before it verify)"
        )


@app.command("export")
def export(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option(help="From this date or time (UTC), included.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Up to this time, excluded; a date includes its day.")
    ] = None,
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.jsonl,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
) -> None:
    """Write the records (JSON lines, or spreadsheet-safe CSV) in order."""
    state: State = ctx.obj
    low = audit.parse_bound(since) if since else None
    high = audit.parse_bound(until, end=True) if until else None
    records = audit.records(state.store(), low, high)
    writer = audit.write_csv if format is ExportFormat.csv else audit.write_jsonl
    if output is None:
        count = writer(records, sys.stdout)
    else:
        newline = "" if format is ExportFormat.csv else None
        with atomic_write(output, newline=newline) as fh:
            count = writer(records, fh)
    note(f"Exported {count:,} audit records" + (f" to {output}" if output else ""))


@app.command("decide")
def decide(
    ctx: typer.Context,
    screening: Annotated[int, typer.Argument(help="The audit record (seq) of the screening.")],
    entity: Annotated[str, typer.Argument(help="The result decided on, e.g. us_ofac_sdn:46431.")],
    decision: Annotated[str, typer.Option(help="match, no_match or escalate.")],
    note_text: Annotated[str, typer.Option("--note", help="Why, for the record.")] = "",
) -> None:
    """Record an analyst's decision on one result of a recorded screening."""
    state: State = ctx.obj
    record = audit.decide(
        state.store(),
        caller="cli",
        screening=screening,
        entity=entity,
        decision=decision,
        note=note_text,
    )
    note(f"Decision recorded as audit record {record.seq}: {entity} {decision}")
