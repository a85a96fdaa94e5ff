"""Batch screening on Spark: :func:`screen` maps a DataFrame's rows to the output rows of
``sanctrace screen-file`` (same columns, types and values), with Arrow batches in the workers.

Importing this package does not import pyspark; :func:`screen` needs it (``pip install
'sanctrace[spark]'``) and a Java 17 runtime.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sanctrace.batch.chunks import ScreenSettings
from sanctrace.batch.queries import schema_of
from sanctrace.errors import SanctraceError
from sanctrace.match import DEFAULT_THRESHOLD
from sanctrace.spark.frames import (
    check_columns,
    driver_index,
    screen_frame,
    ship_index,
    spark_schema,
)
from sanctrace.spark.session import require_spark, spark_session, spark_unavailable

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["require_spark", "screen", "spark_schema", "spark_session", "spark_unavailable"]


def screen(
    df: DataFrame,
    name_col: str,
    *,
    key_col: str | None = None,
    schema: str | None = None,
    schema_col: str | None = None,
    country_col: str | None = None,
    birth_date_col: str | None = None,
    id_col: str | None = None,
    row_col: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
    best_only: bool = False,
    datasets: Sequence[str] | None = None,
    index_path: str | Path | None = None,
    db: str | None = None,
) -> DataFrame:
    """Screen every row of ``df``: a DataFrame of the output rows, one per (input row, match)
    and exactly one for a row without a match, skipped or in error, with the columns and
    types of :data:`sanctrace.batch.rows.COLUMNS` (:func:`spark_schema`).

    The ``*_col`` arguments name the columns of each field, as ``screen-file``'s
    ``--*-column`` options do (values become text as the local path reads Parquet: lists
    joined with ``"; "``, whole numbers without ``.0``). ``input_row`` comes from ``row_col``
    if given (e.g. the line numbers the local path would give); otherwise rows are numbered
    1, 2, … in the DataFrame's order, as ``zipWithIndex`` does: a first job counts the rows
    of each partition, so ``df`` is computed twice (cache it if that is costly) and must
    give the same partitions each time (it does for files and for ordered data; not after a
    shuffle such as ``repartition(n)``). Without ``key_col`` the key is the row number.

    The output keeps ``df``'s order, the rows of one input row best match first (after a
    shuffle, sort by ``input_row`` and descending ``score``).

    The index is the store's (``db``, else the default store; the bundled lists are loaded
    into an empty one), or the index file ``index_path``. It is sent to the executors with
    ``SparkContext.addFile`` and loaded once per Python worker process. A row that cannot be
    screened (an unknown country, an over-long name…) does not stop the job: it gets one
    output row with ``skipped = "error: …"``.
    """
    require_spark()
    if not 0.0 <= threshold <= 1.0:
        raise SanctraceError(f"threshold must be between 0 and 1, not {threshold}")
    if limit < 1:
        raise SanctraceError(f"limit must be at least 1, not {limit}")
    if schema and schema_col:
        raise SanctraceError("give schema or schema_col, not both")
    fixed_schema = None
    if schema:
        try:
            fixed_schema = schema_of(schema)
        except SanctraceError as exc:
            raise SanctraceError(f"schema: {exc}") from None
    wanted = tuple(datasets or ()) or None
    columns = {
        field: column
        for field, column in (
            ("name", name_col),
            ("key", key_col),
            ("schema", schema_col),
            ("country", country_col),
            ("birth_date", birth_date_col),
            ("identifier", id_col),
        )
        if column is not None
    }
    check_columns(df, [*columns.values(), *([row_col] if row_col is not None else [])])
    settings = ScreenSettings(
        threshold=threshold, limit=limit, best_only=best_only, schema=fixed_schema, datasets=wanted
    )
    index = ship_index(df.sparkSession, driver_index(db, index_path, wanted))
    return screen_frame(df, columns, settings=settings, index=index, row=row_col)
