"""The batch pipeline: stream input rows, screen them chunk by chunk in worker processes, write
the results in input order.

Memory stays bounded whatever the input size: rows are read as they are needed and at most two
chunks per worker are in flight. The index is loaded once in the parent; workers are forked
from it, so they share it copy-on-write (the index is ``gc.freeze``-d for that). Writing to a
file goes through a work folder (``OUTPUT.partial/``) of finished chunks, so a run that stops
can be resumed; the output file appears whole at the end.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from itertools import chain
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import IO, Any, BinaryIO, Protocol

from sanctrace.batch.chunks import (
    ERROR_COLUMNS,
    ERROR_TYPES,
    ChunkResult,
    ChunkStats,
    ErrorRow,
    ScreenSettings,
    make_chunks,
    screen_records,
)
from sanctrace.batch.columns import (
    ColumnMapping,
    ColumnOptions,
    InputRecord,
    extract,
    resolve_columns,
)
from sanctrace.batch.limits import InputLimitError, InputLimits
from sanctrace.batch.queries import schema_of
from sanctrace.batch.readers import STDIN, InputFormat, detect_input_format, open_input
from sanctrace.batch.rows import COLUMN_TYPES, COLUMNS, lists_label
from sanctrace.batch.workdir import WorkDir, partial_dir
from sanctrace.batch.writers import (
    STDOUT,
    OutputFormat,
    TableWriter,
    detect_output_format,
    open_output,
)
from sanctrace.errors import SanctraceError
from sanctrace.match import DEFAULT_THRESHOLD, MatchConfig, Screener
from sanctrace.resolve.store import Parties
from sanctrace.store import VersionInfo

DEFAULT_CHUNK_SIZE = 1000
#: Input errors printed to stderr when there is no errors file (output to stdout).
SHOWN_ERRORS = 20
#: Bytes of the input hashed to recognise it on --resume.
_HEAD_BYTES = 1 << 20


@dataclass(frozen=True)
class BatchOptions:
    input: str
    output: str = STDOUT
    input_format: InputFormat | None = None
    output_format: OutputFormat | None = None
    encoding: str | None = None
    columns: ColumnOptions = field(default_factory=ColumnOptions)
    schema: str | None = None
    threshold: float = DEFAULT_THRESHOLD
    limit: int = 10
    best_only: bool = False
    datasets: tuple[str, ...] = ()
    workers: int | None = None
    chunk_size: int = DEFAULT_CHUNK_SIZE
    resume: bool = False
    force: bool = False
    errors_file: str | None = None
    max_errors: int | None = None
    limits: InputLimits = field(default_factory=InputLimits)


@dataclass
class Lists:
    """What the rows are screened against."""

    screener: Screener
    versions: list[VersionInfo]
    #: Identifies the index (the list versions and the code that built it), for --resume.
    index_key: str
    #: The persisted index, for workers that cannot be forked (no "fork" start method).
    index_file: Path | None = None
    #: Who is the same party across the lists: one output row per party matched (None: one
    #: per record matched).
    parties: Parties | None = None


class ScreenChunks(Protocol):
    """The screening step of :func:`run_batch`: chunks of records -> their results, in the order
    of the chunks (:func:`screen_chunks`, or another engine such as Spark)."""

    def __call__(
        self,
        chunks: Iterator[tuple[int, list[InputRecord]]],
        lists: Lists,
        settings: ScreenSettings,
        workers: int,
    ) -> Iterator[ChunkResult]: ...


class Progress(Protocol):
    def start(self, total: int | None) -> None: ...
    def advance(self, rows: int) -> None: ...
    def stop(self) -> None: ...


@dataclass
class Summary:
    source: str
    output: str
    errors_file: Path | None
    mapping: ColumnMapping
    lists: Lists
    stats: ChunkStats = field(default_factory=ChunkStats)
    resumed_rows: int = 0
    elapsed: float = 0.0

    def lines(self) -> list[str]:
        s = self.stats
        skipped = sum(s.skipped.values())
        reasons = ", ".join(f"{reason}: {n:,}" for reason, n in sorted(s.skipped.items()))
        first = (
            f"Read {s.read:,} rows from {self.source}: {s.screened:,} screened, "
            f"{s.matched:,} matched, {skipped:,} skipped" + (f" ({reasons})" if reasons else "")
        )
        first += f", {s.errors:,} error" + ("s" if s.errors != 1 else "")
        if s.errors and self.errors_file is not None:
            first += f" (see {self.errors_file})"
        rate = (s.read - self.resumed_rows) / self.elapsed if self.elapsed > 0 else 0.0
        target = "standard output" if self.output == STDOUT else self.output
        second = (
            f"Wrote {s.output_rows:,} rows to {target} in {self.elapsed:.1f} s ({rate:,.0f} rows/s)"
        )
        if self.resumed_rows:
            second += f"; {self.resumed_rows:,} rows had been screened before resuming"
        return [first, second]


def default_errors_file(output: Path) -> Path:
    """``results.csv`` -> ``results.errors.csv``."""
    return output.with_name(output.stem + ".errors.csv")


def _check_options(options: BatchOptions) -> str | None:
    if not 0.0 <= options.threshold <= 1.0:
        raise SanctraceError(f"--threshold must be between 0 and 1, not {options.threshold}")
    if options.limit < 1:
        raise SanctraceError(f"--limit must be at least 1, not {options.limit}")
    if options.workers is not None and options.workers < 1:
        raise SanctraceError(f"--workers must be at least 1, not {options.workers}")
    if options.chunk_size < 1:
        raise SanctraceError(f"--chunk-size must be at least 1, not {options.chunk_size}")
    if options.max_errors is not None and options.max_errors < 0:
        raise SanctraceError(f"--max-errors must be 0 or more, not {options.max_errors}")
    if options.schema and options.columns.schema:
        raise SanctraceError("give --schema or --schema-column, not both")
    if options.resume and options.output == STDOUT:
        raise SanctraceError("--resume needs --output FILE (standard output cannot be resumed)")
    if options.resume and options.input == STDIN:
        raise SanctraceError("--resume needs an input file (standard input cannot be re-read)")
    if options.schema:
        try:
            return schema_of(options.schema)
        except SanctraceError as exc:
            raise SanctraceError(f"--schema: {exc}") from None
    return None


def _fingerprint(path: Path) -> dict[str, Any]:
    info = path.stat()
    with path.open("rb") as fh:
        head = hashlib.sha256(fh.read(_HEAD_BYTES)).hexdigest()
    return {
        "path": str(path.resolve()),
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
        "head_sha256": head,
    }


def _manifest(
    options: BatchOptions,
    input_format: InputFormat,
    mapping: ColumnMapping,
    settings: ScreenSettings,
    lists: Lists,
) -> dict[str, Any]:
    manifest = {
        "input": _fingerprint(Path(options.input)),
        "options": {
            "input_format": input_format.value,
            "encoding": options.encoding,
            "columns": mapping.to_dict(),
            "schema": settings.schema,
            "threshold": settings.threshold,
            "limit": settings.limit,
            "best_only": settings.best_only,
            "datasets": list(settings.datasets or []),
            "chunk_size": options.chunk_size,
            "chunk_bytes": options.limits.chunk_bytes,
        },
        "lists": {
            "index_key": lists.index_key,
            "versions": lists_label(settings.versions),
            "parties": _parties_key(lists.parties),
        },
    }
    normalized: dict[str, Any] = json.loads(json.dumps(manifest))
    return normalized


def _parties_key(parties: Parties | None) -> str | None:
    """Identifies who is the same party (an analyst's judgement changes it without a new list
    version): a resumed run must group its rows as the first part did."""
    if parties is None:
        return None
    text = "\n".join(f"{r}={p}" for r, p in sorted(parties.membership.items()))
    return hashlib.sha256(text.encode()).hexdigest()


_MISMATCH = {
    "input": "the input file changed",
    "options": "the options differ",
    "lists": "the lists screened against changed",
}


def _check_manifest(work: WorkDir, current: dict[str, Any]) -> None:
    stored = work.manifest()
    if stored is None:
        raise SanctraceError(
            f"{work.path} has no readable manifest: run again with --force instead of --resume "
            "to start over"
        )
    differ = [text for key, text in _MISMATCH.items() if stored.get(key) != current[key]]
    if differ:
        raise SanctraceError(
            f"cannot resume: {work.path} was left by a different run ({'; '.join(differ)}); "
            "run again with --force instead of --resume to start over"
        )


# -- workers ---------------------------------------------------------------------------------

#: The screener and settings of a worker process (set in the parent before forking).
_WORKER: tuple[Screener, ScreenSettings] | None = None


def _init_worker(
    index_file: str | None, config: MatchConfig | None, settings: ScreenSettings
) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    if _WORKER is None and index_file is not None:  # not forked: load the persisted index
        from sanctrace.match.index import Index

        index = Index.load(Path(index_file))
        _WORKER = (Screener(index, config) if config else Screener(index), settings)


def _work(chunk: tuple[int, list[InputRecord]]) -> ChunkResult:
    assert _WORKER is not None, "worker not initialised"
    screener, settings = _WORKER
    number, records = chunk
    return screen_records(screener, records, settings, number)


def _start_method() -> str:
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def screen_chunks(
    chunks: Iterator[tuple[int, list[InputRecord]]],
    lists: Lists,
    settings: ScreenSettings,
    workers: int,
) -> Iterator[ChunkResult]:
    """Screen chunks in input order: in this process with one worker (or only one chunk),
    else in a pool of ``workers`` processes with at most two chunks per worker in flight."""
    global _WORKER
    first = next(chunks, None)
    second = next(chunks, None) if first is not None else None
    if first is None:
        return
    if workers <= 1 or second is None:
        for number, records in chain([first], [second] if second else [], chunks):
            yield screen_records(lists.screener, records, settings, number)
        return
    method = _start_method()
    if method != "fork" and lists.index_file is None:
        raise SanctraceError("worker processes need the persisted index: use --workers 1")
    context = multiprocessing.get_context(method)
    _WORKER = (lists.screener, settings) if method == "fork" else None
    initargs = (
        None if method == "fork" else str(lists.index_file),
        lists.screener.config,
        settings,
    )
    try:
        with context.Pool(workers, initializer=_init_worker, initargs=initargs) as pool:
            pending: deque[AsyncResult[ChunkResult]] = deque()
            for chunk in chain([first, second], chunks):
                pending.append(pool.apply_async(_work, (chunk,)))
                while len(pending) >= 2 * workers:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
    finally:
        _WORKER = None


# -- the run ---------------------------------------------------------------------------------


class _Errors:
    """Input errors: to the errors file (opened when the first one comes), else to stderr."""

    def __init__(
        self,
        stack: ExitStack,
        path: Path | None,
        source: str,
        unit: str,
        notify: Callable[[str], None],
    ) -> None:
        self.stack = stack
        self.path = path
        self.source = source
        self.unit = unit
        self.notify = notify
        self.writer: TableWriter | None = None
        self.count = 0

    def write(self, errors: Iterable[ErrorRow | list[Any]]) -> None:
        for error in errors:
            self.count += 1
            if self.path is None:
                if self.count <= SHOWN_ERRORS:
                    self.notify(f"{self.source} {self.unit} {error[0]}: {error[3]}")
                elif self.count == SHOWN_ERRORS + 1:
                    self.notify("… more input errors not shown (give --errors-file to keep them)")
                continue
            if self.writer is None:
                fmt = detect_output_format(str(self.path), None) if self.path.suffix else None
                self.writer = self.stack.enter_context(
                    open_output(str(self.path), fmt or OutputFormat.csv, ERROR_COLUMNS, ERROR_TYPES)
                )
            self.writer.write([error])

    def finish(self) -> None:
        """With no errors, a stale errors file (that --force or --resume allowed to replace)
        must not sit beside the new output."""
        if self.count == 0 and self.path is not None:
            self.path.unlink(missing_ok=True)


def _assemble(
    work: WorkDir,
    total_chunks: int,
    stopped: bool,
    errors: _Errors,
    output: Path | None,
    output_format: OutputFormat,
    stack: ExitStack,
) -> None:
    """Put the output together from the chunk files, in input order (only the errors file
    when the run stopped on --max-errors). The errors file, opened on the first error, is
    closed before the output."""
    numbers = sorted(work.done())
    writer = None
    if not stopped:
        assert output is not None
        missing = sorted(set(range(total_chunks)) - set(numbers))
        if missing:
            raise SanctraceError(
                f"chunk {missing[0]} is missing from {work.path}; start over with --force"
            )
        numbers = list(range(total_chunks))
        writer = stack.enter_context(open_output(str(output), output_format, COLUMNS, COLUMN_TYPES))
    for number in numbers:
        for kind, values in work.read(number):
            if kind == "e":
                errors.write([values])
            elif writer is not None:
                writer.write([values])


@contextmanager
def _removed_if_refused(work: WorkDir | None) -> Iterator[None]:
    """A file refused over its limits leaves no work folder: nothing to resume, nothing
    half-written."""
    try:
        yield
    except InputLimitError:
        if work is not None:
            work.remove()
        raise


def run_batch(
    options: BatchOptions,
    load_lists: Callable[[], Lists],
    *,
    notify: Callable[[str], None],
    progress: Progress | None = None,
    stdin: BinaryIO | None = None,
    stdout: IO[str] | None = None,
    screen: ScreenChunks | None = None,
    record: Callable[[ChunkResult], None] | None = None,
) -> Summary:
    """Screen every row of ``options.input`` and write the results to ``options.output``
    (``screen``: the screening engine, by default :func:`screen_chunks` in worker processes;
    ``record``: called with each chunk's results before they are kept, for the audit trail)."""
    started = time.monotonic()
    fixed_schema = _check_options(options)
    input_format = detect_input_format(options.input, options.input_format)
    output_format = detect_output_format(options.output, options.output_format)
    output = Path(options.output) if options.output != STDOUT else None
    errors_path = Path(options.errors_file) if options.errors_file else None
    if errors_path is None and output is not None:
        errors_path = default_errors_file(output)
    work: WorkDir | None = None
    resuming = False
    if output is not None:
        folder = output.parent if str(output.parent) else Path(".")
        if not folder.is_dir():
            raise SanctraceError(f"cannot write {output}: folder {folder} does not exist")
        if output.is_dir():
            raise SanctraceError(f"cannot write {output}: it is a folder")
        source = Path(options.input)
        if options.input != STDIN and output.exists() and output.resolve() == source.resolve():
            raise SanctraceError(f"the output {output} would replace the input")
        work = WorkDir(partial_dir(output))
        if work.exists():
            if options.resume:
                resuming = True
            elif options.force:
                work.remove()
            else:
                raise SanctraceError(
                    f"{work.path} holds an unfinished run: add --resume to continue it, "
                    "or --force to start over"
                )
        for path in (output, errors_path):
            if path is not None and path.exists() and not options.force and not resuming:
                raise SanctraceError(f"{path} already exists: add --force to replace it")
        if options.resume and not resuming:
            notify(f"Nothing to resume ({work.path} does not exist): starting from the first row")
    elif errors_path is not None and errors_path.exists() and not options.force:
        raise SanctraceError(f"{errors_path} already exists: add --force to replace it")

    with (
        _removed_if_refused(work),
        open_input(
            options.input,
            input_format,
            encoding=options.encoding,
            stdin=stdin,
            limits=options.limits,
        ) as reader,
    ):
        mapping = resolve_columns(reader.columns, options.columns, source=reader.name)
        notify(mapping.describe())
        lists = load_lists()
        datasets = tuple(options.datasets) or None
        settings = ScreenSettings(
            threshold=options.threshold,
            limit=options.limit,
            best_only=options.best_only,
            schema=fixed_schema,
            datasets=datasets,
            versions=tuple(
                (d, v) for d, v in lists.screener.versions if datasets is None or d in datasets
            ),
            parties=lists.parties,
        )
        summary = Summary(reader.name, options.output, errors_path, mapping, lists)
        done: set[int] = set()
        if work is not None:
            manifest = _manifest(options, input_format, mapping, settings, lists)
            if resuming:
                _check_manifest(work, manifest)
                done = work.done()
                for number in sorted(done):
                    summary.stats.add(work.stats(number))
                summary.resumed_rows = summary.stats.read
                notify(
                    f"Resuming: {summary.resumed_rows:,} rows were already screened "
                    f"({len(done):,} chunks in {work.path})"
                )
            else:
                work.create(manifest)
        if progress is not None:
            progress.start(reader.estimate_rows())
            progress.advance(summary.resumed_rows)
        workers = options.workers or os.cpu_count() or 1
        total_chunks = 0

        def todo() -> Iterator[tuple[int, list[InputRecord]]]:
            nonlocal total_chunks
            records = (extract(row, mapping) for row in reader.rows())
            cuts = make_chunks(records, options.chunk_size, options.limits.chunk_bytes)
            for number, chunk in cuts:
                total_chunks = number + 1
                if number not in done:
                    yield number, chunk

        stopped = False
        try:
            with ExitStack() as stack:
                errors = _Errors(stack, errors_path, reader.name, reader.unit, notify)
                writer = None
                if work is None:
                    writer = stack.enter_context(
                        open_output(STDOUT, output_format, COLUMNS, COLUMN_TYPES, stdout=stdout)
                    )
                engine = screen if screen is not None else screen_chunks
                for result in engine(todo(), lists, settings, workers):
                    if record is not None:
                        record(result)  # before the rows are kept: nothing unrecorded is output
                    if work is not None:
                        work.save(result)
                    else:
                        assert writer is not None
                        writer.write(result.rows)
                        errors.write(result.errors)
                    summary.stats.add(result.stats)
                    if progress is not None:
                        progress.advance(result.stats.read)
                    if options.max_errors is not None and summary.stats.errors > options.max_errors:
                        stopped = True
                        break
                if work is not None:
                    _assemble(work, total_chunks, stopped, errors, output, output_format, stack)
                errors.finish()
        except KeyboardInterrupt:
            if work is not None and work.exists():
                saved = sum(work.stats(n).read for n in work.done())
                notify(
                    f"Interrupted: {saved:,} screened rows are saved in {work.path}; "
                    "run the same command with --resume to continue"
                )
            raise
        finally:
            if progress is not None:
                progress.stop()
    summary.elapsed = time.monotonic() - started
    if stopped:
        if work is not None:
            work.remove()
        where = f"see {errors_path}" if errors_path is not None else "listed above"
        not_written = f"; {output} was not written" if output is not None else ""
        raise SanctraceError(
            f"stopped after {summary.stats.errors:,} input errors, more than --max-errors "
            f"{options.max_errors} ({where}){not_written}"
        )
    if work is not None:
        work.remove()
    return summary
