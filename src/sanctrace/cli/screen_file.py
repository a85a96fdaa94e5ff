"""``sanctrace screen-file``: every row of a table file against the lists."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from sanctrace import audit
from sanctrace.batch.chunks import ChunkResult, audit_rows
from sanctrace.batch.columns import ColumnOptions
from sanctrace.batch.limits import InputLimits
from sanctrace.batch.readers import InputFormat
from sanctrace.batch.run import DEFAULT_CHUNK_SIZE, BatchOptions, Lists, run_batch
from sanctrace.batch.writers import OutputFormat
from sanctrace.cli.columns import (
    BirthDateColumn,
    CountryColumn,
    Encoding,
    IdColumn,
    KeyColumn,
    NameColumn,
    SchemaColumn,
)
from sanctrace.cli.context import State
from sanctrace.cli.output import err, note, show_data_date
from sanctrace.errors import SanctraceError
from sanctrace.match import DEFAULT_THRESHOLD
from sanctrace.screening import audit_lists, select_versions

if TYPE_CHECKING:
    from sanctrace.spark.engine import SparkChunks


#: ``--spark-master``, the same for every command that runs on Spark.
SparkMaster = Annotated[
    str | None,
    typer.Option(help="Spark master for --engine spark (default local[*]).", show_default=False),
]


class Engine(StrEnum):
    local = "local"
    spark = "spark"


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "", style="progress.data.speed")


class _RichProgress:
    """A progress bar with rate and ETA on stderr. Refreshed by hand on each chunk: no
    background thread runs while worker processes are forked."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("Screening"),
            BarColumn(),
            MofNCompleteColumn(),
            _Rate(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            auto_refresh=False,
            transient=True,
        )
        self._task = self._progress.add_task("rows", total=None)

    def start(self, total: int | None) -> None:
        self._progress.update(self._task, total=total)
        self._progress.start()
        self._progress.refresh()

    def advance(self, rows: int) -> None:
        self._progress.advance(self._task, rows)
        self._progress.refresh()

    def stop(self) -> None:
        self._progress.stop()


def screen_file(
    ctx: typer.Context,
    input: Annotated[
        str,
        typer.Argument(
            metavar="INPUT",
            help="CSV, TSV, XLSX, Parquet or JSON lines file with a header; - reads stdin.",
            show_default=False,
        ),
    ],
    output: Annotated[
        str,
        typer.Option("--output", "-o", help="Result file (format from its name), or - for stdout."),
    ] = "-",
    input_format: Annotated[
        InputFormat | None,
        typer.Option(help="Input format (default: from the file name; csv on stdin)."),
    ] = None,
    output_format: Annotated[
        OutputFormat | None,
        typer.Option(help="Output format (default: from the file name; csv on stdout)."),
    ] = None,
    encoding: Encoding = None,
    name_column: NameColumn = None,
    schema_column: SchemaColumn = None,
    schema: Annotated[
        str | None, typer.Option(help="One type for every row: Person, Company, Vessel, …")
    ] = None,
    country_column: CountryColumn = None,
    birth_date_column: BirthDateColumn = None,
    id_column: IdColumn = None,
    key_column: KeyColumn = None,
    threshold: Annotated[
        float, typer.Option(help=f"Minimum score (default {DEFAULT_THRESHOLD}).")
    ] = DEFAULT_THRESHOLD,
    limit: Annotated[int, typer.Option(help="At most this many parties per row.")] = 10,
    best_only: Annotated[
        bool, typer.Option("--best-only", help="One output row per input row: the best match.")
    ] = False,
    dataset: Annotated[
        list[str] | None, typer.Option("--dataset", help="Only these datasets (repeatable).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Worker processes (default: all cores).", show_default=False),
    ] = None,
    chunk_size: Annotated[
        int, typer.Option(help="Rows per chunk (the unit of work and of --resume).")
    ] = DEFAULT_CHUNK_SIZE,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue a run that stopped, from its work folder.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace an existing output, errors file or work folder."),
    ] = False,
    errors_file: Annotated[
        str | None,
        typer.Option(help="Where rows that cannot be screened go (default: OUTPUT.errors.csv)."),
    ] = None,
    max_errors: Annotated[
        int | None, typer.Option(help="Stop (non-zero exit) after more than this many errors.")
    ] = None,
    max_input_bytes: Annotated[
        int, typer.Option(help="Refuse an input whose cell text passes this many bytes.")
    ] = InputLimits.max_bytes,
    max_rows: Annotated[
        int, typer.Option(help="Refuse an input of more rows than this.")
    ] = InputLimits.max_rows,
    max_cells_per_row: Annotated[
        int, typer.Option(help="Refuse an input with a row of more cells than this.")
    ] = InputLimits.max_cells,
    max_cell_bytes: Annotated[
        int, typer.Option(help="Refuse an input with a cell longer than this.")
    ] = InputLimits.max_cell_bytes,
    memory_budget: Annotated[
        int, typer.Option(help="Bytes the reading may commit (spreadsheets, rows in flight).")
    ] = InputLimits.memory,
    engine: Annotated[
        Engine,
        typer.Option(help="local: worker processes here; spark: a Spark job (same output)."),
    ] = Engine.local,
    spark_master: SparkMaster = None,
) -> None:
    """Screen every row of a file: one output row per (input row, party matched), every row
    kept."""
    state: State = ctx.obj
    options = BatchOptions(
        input=input,
        output=output,
        input_format=input_format,
        output_format=output_format,
        encoding=encoding,
        columns=ColumnOptions(
            name=name_column,
            key=key_column,
            schema=schema_column,
            country=country_column,
            birth_date=birth_date_column,
            identifier=id_column,
        ),
        schema=schema,
        threshold=threshold,
        limit=limit,
        best_only=best_only,
        datasets=tuple(dataset or ()),
        workers=workers,
        chunk_size=chunk_size,
        resume=resume,
        force=force,
        errors_file=errors_file,
        max_errors=max_errors,
        limits=InputLimits(
            max_bytes=max_input_bytes,
            max_rows=max_rows,
            max_cells=max_cells_per_row,
            max_cell_bytes=max_cell_bytes,
            memory=memory_budget,
        ),
    )

    loaded: list[Lists] = []

    def load_lists() -> Lists:
        from sanctrace.match.screener import index_key, index_path

        store = state.store_with_data()
        active = store.active_versions()
        versions = select_versions(active, dataset)
        screener = state.screener()
        parties = state.parties()
        loaded.append(
            Lists(screener, versions, index_key(active), index_path(store, active), parties)
        )
        return loaded[-1]

    def record(result: ChunkResult) -> None:
        """One audit record per chunk: the rows screened and the parties they matched, each
        as [row, party id, score, the party's record ids]."""
        audit.append(
            state.store(),
            caller="cli",
            kind="batch",
            request={
                "input": input,
                "chunk": result.number,
                "threshold": threshold,
                "limit": 1 if best_only else limit,
                "datasets": list(dataset or []),
                "rows": audit_rows(result),
            },
            lists=audit_lists(loaded[-1].versions),
            results=[
                [r.input_row, record, r.score, r.party_id]
                for r in result.rows
                if r.id
                for record in r.record_ids.split("; ")
            ],
        )

    spark: SparkChunks | None = None
    if engine is Engine.spark:
        from sanctrace.spark.engine import DEFAULT_MASTER, SparkChunks
        from sanctrace.spark.session import require_spark

        if workers is not None:
            raise SanctraceError(
                "--workers is for --engine local; Spark uses the cores --spark-master gives it "
                "(local[4] …)"
            )
        require_spark()
        spark = SparkChunks(spark_master or DEFAULT_MASTER, notify=note)
    elif spark_master is not None:
        raise SanctraceError("--spark-master needs --engine spark")

    progress = _RichProgress(err) if sys.stderr.isatty() else None
    try:
        summary = run_batch(
            options, load_lists, notify=note, progress=progress, screen=spark, record=record
        )
    except BrokenPipeError:  # the reader of stdout went away (| head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(1) from None
    finally:
        if spark is not None:
            spark.stop()
    for line in summary.lines():
        note(line)
    show_data_date(summary.lists.versions, to_stderr=True)
