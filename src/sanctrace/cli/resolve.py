"""``sanctrace lists resolve``: the active lists resolved into parties now, on this machine's
cores or on Spark, rather than inside the first command that screens; with a summary of the
parties, the judgements, the review queue and the lists they were made from."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from sanctrace.cli.context import State
from sanctrace.cli.output import err, note, out, print_json, show_data_date
from sanctrace.cli.screen_file import Engine, SparkMaster
from sanctrace.errors import SanctraceError
from sanctrace.model.entity import Entity
from sanctrace.resolve.contradictions import active_records, review_queue, stored_resolution
from sanctrace.resolve.judgements import Judgement
from sanctrace.resolve.store import (
    ensure_parties,
    load_judgements,
    load_parties,
    resolved_for,
    versions_key,
)
from sanctrace.store import Store, VersionInfo

if TYPE_CHECKING:
    from sanctrace.match import Screener
    from sanctrace.resolve.parts import NamePass, OnPart

CURRENT = "parties are current for these list versions"


class SummaryFormat(StrEnum):
    text = "text"
    json = "json"


class _PartsBar:
    """The name pass's parts as a bar on stderr, refreshed from the caller's thread only: a
    refresh thread would stop the local engine from forking its workers."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("Resolving names"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("parts"),
            TimeElapsedColumn(),
            console=console,
            auto_refresh=False,
            transient=True,
        )
        self._task = self._progress.add_task("parts", total=None)
        self._started = False

    def __call__(self, done: int, total: int) -> None:
        if not self._started:
            self._progress.start()
            self._started = True
        self._progress.update(self._task, completed=done, total=total)
        self._progress.refresh()

    def stop(self) -> None:
        if self._started:
            self._progress.stop()


def resolve(
    ctx: typer.Context,
    force: Annotated[
        bool, typer.Option("--force", help="Resolve again even if the parties are current.")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes of --engine local (default: 2, or 1 on one core).",
            show_default=False,
        ),
    ] = None,
    engine: Annotated[
        Engine,
        typer.Option(help="local: worker processes here; spark: a Spark job (same parties)."),
    ] = Engine.local,
    spark_master: SparkMaster = None,
    format: Annotated[SummaryFormat, typer.Option("--format", "-f")] = SummaryFormat.text,
) -> None:
    """Resolve the records of every active list into parties now (identifiers, listings,
    then names), unless the parties are already current for these list versions."""
    state: State = ctx.obj
    master = _engine_options(engine, workers, spark_master)
    store = state.store_with_data()
    active = store.active_versions()
    timing: dict[str, float] | None = None
    if force or resolved_for(store) != versions_key(active):
        workers = workers or min(2, os.cpu_count() or 1)
        timing = _resolve(state, store, active, workers, master)
    summary = summarize(store, active, timing)
    if format is SummaryFormat.json:
        if timing is None:
            note(summary_lines(summary)[0])
        print_json(summary)
        show_data_date(active, to_stderr=True)
        return
    for line in summary_lines(summary):
        out.print(line, markup=False)
    show_data_date(active, to_stderr=False)


def _engine_options(engine: Engine, workers: int | None, spark_master: str | None) -> str | None:
    """The Spark master for --engine spark (None for local), once Spark is known to run here."""
    if engine is Engine.local:
        if spark_master is not None:
            raise SanctraceError("--spark-master needs --engine spark")
        return None
    from sanctrace.spark.engine import DEFAULT_MASTER
    from sanctrace.spark.session import require_spark

    if workers is not None:
        raise SanctraceError(
            "--workers is for --engine local; Spark uses the cores --spark-master gives it "
            "(local[4] …)"
        )
    require_spark()
    return spark_master or DEFAULT_MASTER


def _resolve(
    state: State, store: Store, active: list[VersionInfo], workers: int, master: str | None
) -> dict[str, float]:
    """Resolve and store the parties; the seconds it took, in all and for the name pass."""
    started = time.perf_counter()
    screener = state.screener()
    entities = [e for v in active for e in store.iter_entities(v.dataset, v.version)]
    where = f"Spark {master}" if master else f"{workers} worker(s)"
    note(f"Resolving {len(entities):,} records of {len(active)} lists into parties ({where})…")
    bar = _PartsBar(err) if err.is_terminal else None
    timing: dict[str, float] = {}
    spark = None
    try:
        if master is not None:
            from sanctrace.spark.session import spark_session

            note(f"Starting Spark ({master})…")
            spark = spark_session(master)
        name_pass = _name_pass(store, active, workers, spark, bar)

        def timed(found: Sequence[Entity], screener: Screener) -> list[Judgement]:
            begun = time.perf_counter()
            made = name_pass(found, screener)
            timing["names_seconds"] = round(time.perf_counter() - begun, 2)
            return made

        ensure_parties(store, screener, entities, force=True, name_pass=timed)
    finally:
        if bar is not None:
            bar.stop()
        if spark is not None:
            spark.stop()
    timing["seconds"] = round(time.perf_counter() - started, 2)
    return timing


def _name_pass(
    store: Store, active: list[VersionInfo], workers: int, spark: Any, on_part: OnPart | None
) -> NamePass:
    if spark is None:
        from sanctrace.resolve.parts import local_name_pass

        return local_name_pass(workers, on_part)
    from sanctrace.match.screener import index_path
    from sanctrace.spark.resolve import spark_name_judgements

    index = index_path(store, active)

    def on_spark(entities: Sequence[Entity], screener: Screener) -> list[Judgement]:
        try:
            return spark_name_judgements(
                entities,
                screener,
                spark,
                index_file=index if index.is_file() else None,
                on_part=on_part,
            )
        except SanctraceError:
            raise
        except Exception as exc:  # a failed job: one line, nothing stored
            raise SanctraceError(
                f"the Spark job failed ({_reason(exc)}); nothing was stored, the parties "
                "resolved before still serve"
            ) from None

    return on_spark


def _reason(exc: Exception) -> str:
    """The line of a (Java) error that names it, not py4j's "An error occurred while…"."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    named = [line for line in lines if "Exception:" in line or "Error:" in line]
    return (named or lines or [type(exc).__name__])[0][:300]


def _resolved_at(store: Store) -> str | None:
    rows = store._rows("SELECT resolved_at FROM party_state WHERE id = 1")
    return str(rows[0][0]) if rows else None


def summarize(
    store: Store, active: list[VersionInfo], timing: dict[str, float] | None
) -> dict[str, Any]:
    """What the stored parties are: counts, judgements by source and verdict, the review queue
    and contradictions as ``sanctrace review`` shows them, and the lists they come from."""
    parties = load_parties(store)
    resolution = stored_resolution(store)
    by_source: dict[str, dict[str, int]] = {}
    for (source, verdict), n in sorted(
        Counter((j.source, j.verdict) for j in load_judgements(store)).items()
    ):
        by_source.setdefault(source, {})[verdict] = n
    sizes = [len(members) for members in parties.by_party.values()]
    return {
        "resolved": timing is not None,
        "resolved_at": _resolved_at(store),
        "records": len(active_records(store)),
        "parties": len(sizes),
        "parties_with_several_listings": sum(1 for size in sizes if size > 1),
        "judgements": by_source,
        "review_queue": len(review_queue(resolution.review, parties)),
        "contradictions": len(resolution.contradictions),
        "seconds": timing.get("seconds") if timing else None,
        "names_seconds": timing.get("names_seconds") if timing else None,
        "lists": [
            {"dataset": v.dataset, "version": v.version, "published": v.published} for v in active
        ],
    }


def summary_lines(summary: dict[str, Any]) -> list[str]:
    if summary["resolved"]:
        took = f"{summary['seconds']:.1f} s"
        if summary["names_seconds"] is not None:
            took += f" (names {summary['names_seconds']:.1f} s)"
        head = f"Resolved {summary['records']:,} records into parties in {took}"
    else:
        head = (
            f"{CURRENT.capitalize()} (resolved {summary['resolved_at']}); --force resolves "
            "them again"
        )
    lines = [
        head,
        f"  parties: {summary['parties']:,}, of them "
        f"{summary['parties_with_several_listings']:,} with 2+ listings",
        "  judgements: "
        + "; ".join(
            f"{source} " + ", ".join(f"{verdict} {n:,}" for verdict, n in verdicts.items())
            for source, verdicts in summary["judgements"].items()
        ),
        f"  review queue: {summary['review_queue']:,} pair(s) (sanctrace review); "
        f"contradictions: {summary['contradictions']:,}",
        "  lists: "
        + "; ".join(
            f"{v['dataset']} {v['version']}"
            + (
                f" (published {v['published']})"
                if v["published"] not in (None, v["version"])
                else ""
            )
            for v in summary["lists"]
        ),
    ]
    return lines
