"""Screening the rows of a Spark DataFrame, with the row logic of the local path.

Each partition's rows reach a Python worker as Arrow record batches (``mapInArrow``). A batch
becomes input records, is screened by :func:`sanctrace.batch.chunks.screen_records` (which
builds the queries and makes the output, skipped and error rows), and goes back to Spark as one
Arrow batch of output rows: the columns and types of ``sanctrace screen-file``.

The index is shipped once with ``SparkContext.addFile`` and loaded by each Python worker from
``SparkFiles`` the first time it screens a batch; it stays in a module global, so with
``spark.python.worker.reuse`` (Spark's default) every worker process loads it once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from sanctrace.batch.chunks import ScreenSettings, screen_records
from sanctrace.batch.columns import InputRecord
from sanctrace.batch.readers import _clean, _undecodable, value_text
from sanctrace.batch.rows import COLUMN_TYPES, COLUMNS, OutputRow
from sanctrace.errors import SanctraceError
from sanctrace.match import Screener

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import Column, DataFrame, SparkSession
    from pyspark.sql.types import StructType

#: The fields of an input record that come from columns (``key``: the row number if none).
FIELDS = ("name", "key", "schema", "country", "birth_date", "identifier")

#: The order of output rows within one input row (0 = the best match), for the CLI's sort.
SEQUENCE = "_sanctrace_seq"

#: Bits of ``monotonically_increasing_id`` below the partition number.
_PARTITION_SHIFT = 33

#: The screener of this Python worker: (index file name, screener).
_SCREENER: tuple[str, Screener] | None = None


def _arrow_type(kind: type) -> pa.DataType:
    import pyarrow as pa

    types: dict[type, pa.DataType] = {
        str: pa.string(),
        int: pa.int64(),
        float: pa.float64(),
        bool: pa.bool_(),
    }
    return types[kind]


def arrow_schema(sequence: bool = False) -> pa.Schema:
    """The Arrow schema of the output rows (with the sequence column for the CLI)."""
    import pyarrow as pa

    fields = [pa.field(c, _arrow_type(COLUMN_TYPES[c])) for c in COLUMNS]
    if sequence:
        fields.append(pa.field(SEQUENCE, pa.int64()))
    return pa.schema(fields)


def spark_schema(sequence: bool = False) -> StructType:
    """The Spark schema of the output rows: ``batch.rows.COLUMNS`` with ``COLUMN_TYPES``
    (string, long, double, boolean), every column nullable."""
    from pyspark.sql.types import (
        BooleanType,
        DataType,
        DoubleType,
        LongType,
        StringType,
        StructField,
        StructType,
    )

    types: dict[type, DataType] = {
        str: StringType(),
        int: LongType(),
        float: DoubleType(),
        bool: BooleanType(),
    }
    fields = [StructField(c, types[COLUMN_TYPES[c]], True) for c in COLUMNS]
    if sequence:
        fields.append(StructField(SEQUENCE, LongType(), True))
    return StructType(fields)


# -- the executors ---------------------------------------------------------------------------


def executor_screener(name: str) -> Screener:
    """The screener over the index shipped as ``name``, loaded once per Python worker."""
    global _SCREENER
    if _SCREENER is None or _SCREENER[0] != name:
        from pyspark import SparkFiles

        from sanctrace.match.index import Index

        _SCREENER = None  # free the previous index before loading another
        _SCREENER = (name, Screener(Index.load(Path(SparkFiles.get(name)))))
    return _SCREENER[1]


def _text(value: Any) -> str:
    return value_text(value).strip()


@dataclass(frozen=True)
class BatchScreener:
    """The function ``mapInArrow`` runs on each partition: record batches of input columns in,
    record batches of output rows out.

    ``columns`` maps fields (:data:`FIELDS`) to the batch's columns; ``row`` is the column with
    the row number, or with ``monotonically_increasing_id()`` when ``offsets`` (partition ->
    rows before it) turns that into a 1-based row number; ``error`` is a column saying why a
    row could not be read (the CLI's readers).
    """

    index: str
    settings: ScreenSettings
    columns: Mapping[str, str]
    row: str
    error: str | None = None
    offsets: Mapping[int, int] | None = None
    sequence: bool = False

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        screener = executor_screener(self.index)
        datasets = self.settings.datasets
        known = {d for d, _ in screener.versions}
        unknown = [d for d in datasets or () if d not in known]
        if unknown:  # checked on the driver too, unless the index came as a file
            raise SanctraceError(
                f"dataset(s) not in the index: {', '.join(unknown)} "
                f"(it has: {', '.join(sorted(known))})"
            )
        settings = replace(
            self.settings,
            versions=tuple(
                (d, v) for d, v in screener.versions if datasets is None or d in datasets
            ),
        )
        schema = arrow_schema(self.sequence)
        for batch in batches:
            result = screen_records(screener, self.records(batch), settings)
            yield self.output(result.rows, schema)

    def _number(self, value: Any) -> int:
        if value is None:
            raise SanctraceError(f"the row number column {self.row!r} is empty in a row")
        number = int(value)
        if self.offsets is None:
            return number
        partition = number >> _PARTITION_SHIFT
        offset = self.offsets.get(partition)
        if offset is None:
            raise SanctraceError(
                "the DataFrame's partitions changed between counting its rows and screening "
                "them: number the rows yourself and give row_col"
            )
        return offset + (number - (partition << _PARTITION_SHIFT)) + 1

    def records(self, batch: pa.RecordBatch) -> list[InputRecord]:
        """The input records of a batch, as the local path's readers and ``extract`` make
        them: cells as text (``value_text``), stripped; the row number as key if there is no
        key column; undecodable text replaced and reported."""
        names = batch.schema.names

        def values(column: str) -> list[Any]:
            return list(batch.column(names.index(column)).to_pylist())

        fields = {field: values(column) for field, column in self.columns.items()}
        numbers = values(self.row)
        errors = values(self.error) if self.error else [None] * len(numbers)
        records = []
        for i, value in enumerate(numbers):
            number = self._number(value)
            cells = {field: _text(column[i]) for field, column in fields.items()}
            error = errors[i]
            if _undecodable(tuple(cells.values())):
                cells = {field: _clean(text) for field, text in cells.items()}
                error = error or "undecodable bytes: not UTF-8 text"
            key = cells.pop("key", str(number))
            records.append(InputRecord(number=number, key=key, error=error, **cells))
        return records

    def output(self, rows: Sequence[OutputRow], schema: pa.Schema) -> pa.RecordBatch:
        import pyarrow as pa

        arrays = [
            pa.array([row[i] for row in rows], type=schema.field(i).type)
            for i in range(len(COLUMNS))
        ]
        if self.sequence:
            order: list[int] = []
            for i, row in enumerate(rows):
                same = i > 0 and rows[i - 1].input_row == row.input_row
                order.append(order[-1] + 1 if same else 0)
            arrays.append(pa.array(order, type=pa.int64()))
        return pa.RecordBatch.from_arrays(arrays, schema=schema)


# -- the driver ------------------------------------------------------------------------------


def ship_index(spark: SparkSession, path: Path) -> str:
    """Send the index file to every executor (once per session); the name to find it by."""
    sc = spark.sparkContext
    name = path.name  # index-<key>.pickle: the key names the lists and the code
    shipped = {Path(urlparse(uri).path).name for uri in sc.listFiles}
    if name not in shipped:
        sc.addFile(str(path))
    return name


def driver_index(
    db: str | None, index_file: str | Path | None, datasets: Sequence[str] | None
) -> Path:
    """The persisted index to ship: ``index_file`` if given, else the store's (``db``, or the
    default store; the bundled lists are loaded into an empty store and the index is built if
    it is missing, as the CLI does)."""
    if index_file is not None:
        path = Path(index_file)
        if not path.is_file():
            raise SanctraceError(f"no screening index at {path}")
        return path
    from sanctrace.bundle import load_bundle, needs_bundle
    from sanctrace.match import build_index
    from sanctrace.match.screener import index_path
    from sanctrace.screening import select_versions
    from sanctrace.store import open_store

    with open_store(db) as store:
        if needs_bundle(store):
            load_bundle(store)
            build_index(store)
        active = store.active_versions()
        select_versions(active, datasets)
        path = index_path(store, active)
        if not path.exists():
            build_index(store)
    return path


def check_columns(df: DataFrame, names: Iterable[str]) -> None:
    """Every named column must be in ``df``; the error lists those that are."""
    for name in names:
        if name not in df.columns:
            listing = ", ".join(repr(c) for c in df.columns) or "none"
            raise SanctraceError(
                f"the DataFrame has no column {name!r}; its columns are: {listing}"
            )


def _column(df: DataFrame, name: str) -> Column:
    check_columns(df, [name])
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


def _row_offsets(df: DataFrame, ids: str) -> dict[int, int]:
    """Partition -> the rows in the partitions before it (``zipWithIndex``'s first pass)."""
    from pyspark.sql import functions as F

    counts = (
        df.select(F.shiftright(F.col(ids), _PARTITION_SHIFT).alias("partition"))
        .groupBy("partition")
        .count()
        .collect()
    )
    offsets: dict[int, int] = {}
    before = 0
    for partition, count in sorted((int(r[0]), int(r[1])) for r in counts):
        offsets[partition] = before
        before += count
    return offsets


def screen_frame(
    df: DataFrame,
    columns: Mapping[str, str],
    *,
    settings: ScreenSettings,
    index: str,
    row: str | None = None,
    error: str | None = None,
    sequence: bool = False,
) -> DataFrame:
    """The output rows of ``df`` (whose ``columns`` hold the fields), screened against the
    shipped ``index``; rows numbered by the ``row`` column, else by position (1 = the first
    row of the first partition)."""
    from pyspark.sql import functions as F

    selected = {f"_f_{field}": _column(df, column) for field, column in columns.items()}
    if row is not None:
        selected["_row"] = _column(df, row).cast("long")
    else:
        selected["_row"] = F.monotonically_increasing_id()
    if error is not None:
        selected["_error"] = _column(df, error).cast("string")
    frame = df.select(*[expr.alias(name) for name, expr in selected.items()])
    offsets = None
    if row is None:
        offsets = _row_offsets(frame, "_row")
    udf = BatchScreener(
        index=index,
        settings=settings,
        columns={field: f"_f_{field}" for field in columns},
        row="_row",
        error="_error" if error is not None else None,
        offsets=offsets,
        sequence=sequence,
    )
    return frame.mapInArrow(udf, spark_schema(sequence))
