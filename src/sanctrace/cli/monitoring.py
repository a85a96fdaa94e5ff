"""What re-screening and delivery did, as the CLI shows it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sanctrace.cli.output import err, note
from sanctrace.monitor.rescreen import Progress as ProgressCallback
from sanctrace.monitor.rescreen import RescreenReport
from sanctrace.monitor.update import MonitorReport


@contextmanager
def rescreen_progress() -> Iterator[ProgressCallback]:
    """A progress bar for customers screened again (on a terminal only)."""
    with Progress(
        TextColumn("Re-screening"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not sys.stderr.isatty(),
    ) as bar:
        task = bar.add_task("rescreen", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def describe(report: RescreenReport) -> str:
    kinds = ", ".join(f"{n:,} {kind}" for kind, n in sorted(report.alerts.items())) or "none"
    if report.mode == "current":
        return f"Watchlist {report.watchlist!r}: up to date ({report.customers:,} customers)"
    how = (
        f"{report.screened:,} of {report.customers:,} customers screened again "
        f"({report.delta_entities:,} listed entities added, removed or changed)"
        if report.mode == "incremental"
        else f"{report.screened:,} customers screened"
    )
    return (
        f"Watchlist {report.watchlist!r}: {how} in {report.seconds:.1f} s; "
        f"{report.matches:,} matches; new alerts: {kinds}"
    )


def print_monitor_report(report: MonitorReport) -> None:
    for rescreened in report.rescreens:
        note(describe(rescreened))
    if report.delivery is not None:
        note(f"Alert delivery: {report.delivery.summary()}")
    if any(r.alerts for r in report.rescreens):
        note("Review them with: sanctrace alerts list")
