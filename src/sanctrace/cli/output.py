"""Printing helpers: tables and messages to a rich console, JSON to stdout, notes to stderr."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from rich.console import Console

from sanctrace.freshness import data_line, stale_warnings
from sanctrace.store import VersionInfo


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def note(message: str) -> None:
    err.print(message, markup=False)


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/yellow] {message}")


def show_data_date(versions: list[VersionInfo], *, to_stderr: bool) -> None:
    """Every output names the date of the data it used and warns when it is stale."""
    line = data_line(versions)
    if to_stderr:
        err.print(line, markup=False)
    else:
        out.print(line, markup=False)
    for message in stale_warnings(versions, datetime.now(UTC).date()):
        warn(message)


def row_progress(label: str) -> Any:
    """A progress bar of rows on stderr (none when stderr is not a terminal), for files."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
