"""``sanctrace audit``: check the audit trail's signed hash chain, anchor its head outside the
database, export its records."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sanctrace import anchors, audit
from sanctrace.cli.context import State
from sanctrace.cli.lists import OutputFormat, parse_interval
from sanctrace.cli.output import note, out, print_json
from sanctrace.errors import SanctraceError
from sanctrace.files import atomic_write
from sanctrace.store import Store

app = typer.Typer(help="The audit trail of every screening.", no_args_is_help=True)


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@app.command("verify")
def verify(
    ctx: typer.Context,
    anchor: Annotated[
        list[Path] | None,
        typer.Option(
            "--anchor", help="An anchor file (from `audit anchor --file`): its heads must hold."
        ),
    ] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Walk the chain from the first record, checking each hash and MAC and the head; with
    --anchor, check the chain still holds every anchored head. Names the first thing that does
    not hold (exit code 6). An empty trail in a store with API keys or lists fails too."""
    state: State = ctx.obj
    store = state.store()
    found = [item for path in anchor or [] for item in anchors.read(path)]
    report = audit.verify(store)
    anchor_fault = anchors.check(store, found) if report.ok and found else None
    ok = report.ok and anchor_fault is None
    if format is OutputFormat.json:
        print_json(
            {
                "ok": ok,
                "records": report.records,
                "legacy_records": report.legacy,
                "key_ids": list(report.key_ids),
                "head_hash": report.head_hash,
                "broken_seq": report.broken_seq,
                "reason": report.reason or anchor_fault,
                "anchors": len(found),
            }
        )
    elif ok:
        legacy = f" ({report.legacy:,} legacy records without MAC)" if report.legacy else ""
        held = f"; {len(found):,} anchored heads hold" if found else ""
        out.print(
            f"Audit trail OK: {report.records:,} records{legacy}, chain head "
            f"{report.head_hash}{held}",
            markup=False,
        )
    if not report.ok:
        raise audit.AuditBrokenError(
            f"audit trail broken at record {report.broken_seq}: {report.reason} "
            f"({report.records:,} records before it verify)"
        )
    if anchor_fault is not None:
        raise audit.AuditBrokenError(f"audit trail contradicts an anchor: {anchor_fault}")


@app.command("anchor")
def anchor_cmd(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Option("--file", help="Append the anchor, one JSON line, to this file.")
    ] = None,
    webhook: Annotated[
        str | None, typer.Option(help="POST the anchor as JSON to this public https URL.")
    ] = None,
    syslog: Annotated[
        str | None,
        typer.Option(help="Send it to syslog: local (/dev/log), HOST or HOST:PORT (UDP)."),
    ] = None,
    every: Annotated[
        str | None, typer.Option(help="Anchor again at this interval until stopped (1h, 30m).")
    ] = None,
) -> None:
    """Export the signed chain head (seq, hash, time, key id, MAC) outside the database, so a
    later rewrite, truncation or wipe contradicts it (`audit verify --anchor FILE`). With no
    destination, prints the anchor."""
    state: State = ctx.obj
    interval = parse_interval(every) if every else None
    store = state.store()
    while True:
        started = time.monotonic()
        try:
            _anchor_once(store, file, webhook, syslog)
        except SanctraceError as exc:
            if interval is None:
                raise
            note(f"error: {exc}")
        if interval is None:
            return
        wait = max(0.0, interval - (time.monotonic() - started))
        try:
            time.sleep(wait)
        except KeyboardInterrupt:
            note("Stopped")
            return


def _anchor_once(store: Store, file: Path | None, webhook: str | None, syslog: str | None) -> None:
    made = anchors.make(store)
    if file is not None:
        anchors.append_to_file(file, made)
    if webhook is not None:
        anchors.post(webhook, made)
    if syslog is not None:
        anchors.to_syslog(syslog, made)
    if file is None and webhook is None and syslog is None:
        sys.stdout.write(made.line() + "\n")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    note(f"Anchored record {made.seq} ({made.hash[:12]}…) under key {made.key_id} at {stamp} UTC")


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
