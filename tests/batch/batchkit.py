"""Helpers of the batch tests: real listed and unlisted names, an in-process runner, CSV I/O."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, BinaryIO

from sanctrace.batch.run import BatchOptions, Lists, Progress, Summary, run_batch


class Runner:
    """Runs the batch pipeline in this process and keeps what it told the user."""

    def __init__(self, lists: Lists) -> None:
        self.lists = lists
        self.notes: list[str] = []
        self.stdout = ""

    def __call__(
        self,
        input: Path | str,
        output: Path | str = "-",
        *,
        stdin: BinaryIO | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> Summary:
        self.notes = []
        out = io.StringIO()
        summary = run_batch(
            BatchOptions(input=str(input), output=str(output), **options),
            lambda: self.lists,
            notify=self.notes.append,
            progress=progress,
            stdin=stdin,
            stdout=out,
        )
        self.stdout = out.getvalue()
        return summary


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path: Path | str) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8") if isinstance(path, Path) else path
    return list(csv.DictReader(io.StringIO(text, newline="")))
