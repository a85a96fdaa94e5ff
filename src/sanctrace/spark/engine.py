"""``sanctrace screen-file --engine spark``: the screening step of ``run_batch`` on Spark.

The input is read by the local path's readers, so row numbers, encodings, unreadable rows and
cell text are exactly the local path's. The records to screen are staged as a Parquet file in a
temporary folder, screened by a Spark job (:func:`sanctrace.spark.frames.screen_frame`), and
their output rows come back sorted by input row (and by match within one), regrouped into the
chunks ``run_batch`` writes: the output file, the errors file, the summary, ``--max-errors``
and ``--resume`` are the local path's.
"""

from __future__ import annotations

import tempfile
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanctrace.batch.chunks import (
    ChunkResult,
    ChunkStats,
    ErrorRow,
    ScreenSettings,
)
from sanctrace.batch.columns import InputRecord
from sanctrace.batch.rows import COLUMNS, OutputRow
from sanctrace.errors import SanctraceError
from sanctrace.spark.frames import FIELDS, SEQUENCE, screen_frame, ship_index
from sanctrace.spark.session import spark_session

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from sanctrace.batch.run import Lists

DEFAULT_MASTER = "local[*]"
_ERROR = "error: "


class _Chunk:
    """A staged chunk: its number, the row number of its first record, its record count."""

    __slots__ = ("first", "number", "read")

    def __init__(self, number: int, first: int, read: int) -> None:
        self.number = number
        self.first = first
        self.read = read


def _stage(chunks: Iterable[tuple[int, list[InputRecord]]], path: Path) -> list[_Chunk]:
    """Write the records to a Parquet file, one row group per chunk."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("number", pa.int64()),
            *((field, pa.string()) for field in FIELDS),
            ("error", pa.string()),
        ]
    )
    staged: list[_Chunk] = []
    writer = None
    try:
        for number, records in chunks:
            if not records:
                continue
            if writer is None:
                writer = pq.ParquetWriter(str(path), schema)
            columns: dict[str, list[Any]] = {name: [] for name in schema.names}
            for record in records:
                columns["number"].append(record.number)
                for field in FIELDS:
                    columns[field].append(getattr(record, field))
                columns["error"].append(record.error)
            writer.write_batch(pa.RecordBatch.from_pydict(columns, schema=schema))
            staged.append(_Chunk(number, records[0].number, len(records)))
    finally:
        if writer is not None:
            writer.close()
    return staged


def chunk_result(number: int, read: int, rows: Sequence[OutputRow]) -> ChunkResult:
    """The result of a chunk from its output rows: its error rows and counts follow from the
    rows, as :func:`sanctrace.batch.chunks.screen_records` makes them (one row with
    ``skipped`` set for a skipped or failed record; one or more, the first with the best
    match if any, for a screened one)."""
    stats = ChunkStats(read=read, output_rows=len(rows))
    errors: list[ErrorRow] = []
    previous: int | None = None
    seen = 0
    for row in rows:
        if row.input_row == previous:
            continue
        previous = row.input_row
        seen += 1
        if not row.skipped:
            stats.screened += 1
            stats.matched += bool(row.id)
        elif row.skipped.startswith(_ERROR):
            stats.errors += 1
            reason = row.skipped[len(_ERROR) :]
            errors.append(ErrorRow(row.input_row, row.input_key, row.input_name, reason))
        else:
            stats.skipped[row.skipped] += 1
    if seen != read:
        raise SanctraceError(
            f"Spark returned rows for {seen:,} of the {read:,} input rows of chunk {number}"
        )
    return ChunkResult(number, list(rows), errors, stats)


def _regroup(rows: Iterable[Sequence[Any]], staged: Sequence[_Chunk]) -> Iterator[ChunkResult]:
    """Output rows sorted by input row -> the results of the staged chunks, in order."""
    firsts = [chunk.first for chunk in staged]
    position = 0
    pending: list[OutputRow] = []
    for values in rows:
        row = OutputRow(*values)
        at = max(bisect_right(firsts, row.input_row) - 1, 0)
        while position < at:
            chunk = staged[position]
            yield chunk_result(chunk.number, chunk.read, pending)
            pending = []
            position += 1
        pending.append(row)
    while position < len(staged):
        chunk = staged[position]
        yield chunk_result(chunk.number, chunk.read, pending)
        pending = []
        position += 1


class SparkChunks:
    """Screens ``run_batch``'s chunks with Spark (a ``ScreenChunks``). The session starts on
    the first chunks to screen; :meth:`stop` ends it."""

    def __init__(
        self,
        master: str = DEFAULT_MASTER,
        *,
        conf: Mapping[str, str] | None = None,
        notify: Callable[[str], None] | None = None,
        spark: SparkSession | None = None,
    ) -> None:
        self.master = master
        self.conf = dict(conf or {})
        self.notify = notify
        self.spark = spark
        self._started = False

    def session(self) -> SparkSession:
        if self.spark is None:
            if self.notify is not None:
                self.notify(f"Starting Spark ({self.master})…")
            self.spark = spark_session(self.master, self.conf)
            self._started = True
        return self.spark

    def stop(self) -> None:
        """Stop the session if this engine started it."""
        if self._started and self.spark is not None:
            self.spark.stop()
            self.spark = None
            self._started = False

    def __call__(
        self,
        chunks: Iterator[tuple[int, list[InputRecord]]],
        lists: Lists,
        settings: ScreenSettings,
        workers: int,
    ) -> Iterator[ChunkResult]:
        if lists.index_file is None or not lists.index_file.is_file():
            raise SanctraceError("the Spark engine needs the persisted screening index")
        with tempfile.TemporaryDirectory(prefix="sanctrace-spark-") as tmp:
            staged_file = Path(tmp) / "records.parquet"
            staged = _stage(chunks, staged_file)
            if not staged:
                return
            spark = self.session()
            index = ship_index(spark, lists.index_file)
            records = spark.read.parquet(staged_file.as_uri())
            # A record's rows do not depend on the others: spread them over the cores.
            records = records.repartition(max(spark.sparkContext.defaultParallelism, 1))
            out = screen_frame(
                records,
                {field: field for field in FIELDS},
                settings=settings,
                index=index,
                row="number",
                error="error",
                sequence=True,
            )
            # One sorted partition, streamed to this process: no sampling job (which would
            # screen every row twice), memory bounded by Spark's external sort.
            ordered = out.repartition(1).sortWithinPartitions("input_row", SEQUENCE)
            yield from _regroup(ordered.select(*COLUMNS).toLocalIterator(), staged)
