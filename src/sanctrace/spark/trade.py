"""The whole-file trade checks on Spark, for shipment sets larger than one machine's DuckDB
handles well: :mod:`sanctrace.trade.aggregates`' value anomaly and first-time lane as
DataFrame aggregations, with the same definitions (modified z of the log unit value by HS-6,
the mean absolute deviation standing in for a zero MAD; first shipment of a folded
shipper-consignee-HS-4 lane by date then line) and the same flags.

Medians are exact (``percentile``, interpolating between the two middle values as DuckDB's
``median`` does). Party names are folded by :func:`~sanctrace.trade.aggregates.party_key` in
an Arrow batch function over the distinct names only.

:func:`screen_shipments_spark` runs the whole ``sanctrace trade screen`` on a DataFrame: the
per-row checks (:class:`~sanctrace.trade.run.RowChecks`) in the executors, the aggregate checks
above, each shipment scored as the local path scores it. Importing this module does not import
pyspark.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanctrace.trade.aggregates import (
    CHECKS,
    DEFAULT_MIN_COUNT,
    DEFAULT_Z,
    FIRST_TIME_LANE,
    MAD_FACTOR,
    MEAN_AD_FACTOR,
    VALUE_ANOMALY,
    Aggregates,
    lane_flag,
    value_flag,
)
from sanctrace.trade.run import RowChecks, Screened, checks_off
from sanctrace.trade.score import WEIGHTS, evidence, risk

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import Column, DataFrame

    from sanctrace.cli.context import State

#: The columns of :func:`aggregate_frame`'s result (one row per flag).
FLAG_SCHEMA = (
    "line bigint, kind string, hs string, shipper string, consignee string, "
    "unit double, median double, z double, n bigint, first_date date"
)
_NEEDED = ("line", "shipper", "consignee", "hs_code")


def _fold_batches(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa

    from sanctrace.trade.aggregates import party_key

    for batch in batches:
        names = [str(n) for n in batch.column(0).to_pylist()]
        yield pa.RecordBatch.from_pydict(
            {"name": names, "key": [party_key(n) for n in names]},
            schema=pa.schema([("name", pa.string()), ("key", pa.string())]),
        )


def _plan(df: DataFrame, checks: Iterable[str]) -> tuple[list[str], dict[str, str]]:
    from pyspark.sql import functions as F

    columns = set(df.columns)
    missing = [c for c in _NEEDED if c not in columns]
    if missing:
        raise ValueError(f"a shipments frame needs the columns {', '.join(missing)}")
    run: list[str] = []
    skipped: dict[str, str] = {}
    for check in checks:
        if check not in CHECKS:
            raise ValueError(f"no aggregate check {check!r} (there are {', '.join(CHECKS)})")
        if check == VALUE_ANOMALY and not {"value", "quantity"} <= columns:
            absent = [c for c in ("value", "quantity") if c not in columns]
            skipped[check] = f"off: the file has no {' or '.join(absent)} column"
            continue
        if check == FIRST_TIME_LANE:
            if "date" not in columns:
                skipped[check] = (
                    "off: the file has no date column (no order to say what came first)"
                )
                continue
            if df.where(F.col("date").cast("date").isNotNull()).limit(1).count() == 0:
                skipped[check] = "off: the file has no dates (no order to say what came first)"
                continue
        run.append(check)
    return run, skipped


def _value_frame(df: DataFrame, z: float, min_count: int, log_scale: bool) -> DataFrame:
    from pyspark.sql import functions as F

    hs = F.col("hs_code").cast("string")
    v, q = F.col("value").cast("double"), F.col("quantity").cast("double")
    priced = df.select(
        F.col("line").cast("bigint").alias("line"),
        F.substring(hs, 1, 6).alias("hs"),
        (v / q).alias("unit"),
        F.length(hs).alias("width"),
        v.alias("v"),
        q.alias("q"),
    ).where(
        (F.col("width") >= 6)
        & (F.col("v") > 0)
        & (F.col("q") > 0)
        & ~F.isnan("unit")
        & (F.col("unit") < float("inf"))
    )
    scored = priced.select(
        "line", "hs", "unit", (F.log("unit") if log_scale else F.col("unit")).alias("x")
    )
    centre = (
        scored.groupBy("hs")
        .agg(
            F.expr("percentile(x, 0.5)").alias("mx"),
            F.expr("percentile(unit, 0.5)").alias("median"),
            F.count("*").alias("n"),
        )
        .where(F.col("n") >= min_count)
    )
    joined = scored.join(centre, "hs").withColumn("dev", F.abs(F.col("x") - F.col("mx")))
    spread = joined.groupBy("hs").agg(
        F.expr("percentile(dev, 0.5)").alias("mad"), F.avg("dev").alias("meanad")
    )
    score: Column = F.when(
        F.col("mad") > 0, MAD_FACTOR * (F.col("x") - F.col("mx")) / F.col("mad")
    ).when(F.col("meanad") > 0, (F.col("x") - F.col("mx")) / (MEAN_AD_FACTOR * F.col("meanad")))
    return (
        joined.join(spread, "hs")
        .withColumn("z", score)
        .where(F.abs(F.col("z")) >= float(z))
        .select(
            "line",
            F.lit(VALUE_ANOMALY).alias("kind"),
            "hs",
            F.lit(None).cast("string").alias("shipper"),
            F.lit(None).cast("string").alias("consignee"),
            "unit",
            "median",
            "z",
            F.col("n").cast("bigint").alias("n"),
            F.lit(None).cast("date").alias("first_date"),
        )
    )


def _lane_frame(df: DataFrame, warmup_days: int) -> DataFrame:
    from pyspark.sql import functions as F

    names = (
        df.select(F.col("shipper").cast("string").alias("name"))
        .union(df.select(F.col("consignee").cast("string")))
        .where(F.col("name").isNotNull())
        .distinct()
    )
    keys = names.mapInArrow(_fold_batches, "name string, key string")
    hs = F.col("hs_code").cast("string")
    base = df.select(
        F.col("line").cast("bigint").alias("line"),
        F.col("date").cast("date").alias("d"),
        F.col("shipper").cast("string").alias("shipper"),
        F.col("consignee").cast("string").alias("consignee"),
        F.substring(hs, 1, 4).alias("hs"),
        F.length(hs).alias("width"),
    ).where(F.col("width") >= 4)
    sk = keys.select(F.col("name").alias("shipper"), F.col("key").alias("sk"))
    ck = keys.select(F.col("name").alias("consignee"), F.col("key").alias("ck"))
    laned = (
        base.join(sk, "shipper")
        .join(ck, "consignee")
        .where((F.col("sk") != "") & (F.col("ck") != ""))
    )
    order = F.struct(
        F.coalesce(F.col("d"), F.lit("9999-12-31").cast("date")).alias("k1"),
        F.col("line").alias("k2"),
        F.col("d"),
        F.col("shipper"),
        F.col("consignee"),
    )
    firsts = laned.groupBy("sk", "ck", "hs").agg(F.min(order).alias("f"), F.count("*").alias("n"))
    if warmup_days > 0:
        start = df.select(F.min(F.col("date").cast("date")).alias("start"))
        firsts = firsts.crossJoin(start).where(
            F.col("f.d").isNull() | (F.col("f.d") >= F.date_add("start", int(warmup_days)))
        )
    return firsts.select(
        F.col("f.k2").alias("line"),
        F.lit(FIRST_TIME_LANE).alias("kind"),
        "hs",
        F.col("f.shipper").alias("shipper"),
        F.col("f.consignee").alias("consignee"),
        F.lit(None).cast("double").alias("unit"),
        F.lit(None).cast("double").alias("median"),
        F.lit(None).cast("double").alias("z"),
        F.col("n").cast("bigint").alias("n"),
        F.col("f.d").alias("first_date"),
    )


def aggregate_frame(
    shipments: DataFrame,
    *,
    checks: Iterable[str] = CHECKS,
    z: float = DEFAULT_Z,
    min_count: int = DEFAULT_MIN_COUNT,
    log_scale: bool = True,
    lane_warmup_days: int = 0,
    skipped: dict[str, str] | None = None,
) -> DataFrame | None:
    """The aggregate flags of a shipments DataFrame as a DataFrame (:data:`FLAG_SCHEMA`, one
    row per flag), or None when no check can run; the checks that cannot run go into
    ``skipped`` (code -> why). Options as :func:`~sanctrace.trade.aggregates.iter_aggregate_flags`.
    """
    run, off = _plan(shipments, checks)
    if skipped is not None:
        skipped.update(off)
    frames: list[DataFrame] = []
    if VALUE_ANOMALY in run:
        frames.append(_value_frame(shipments, z, min_count, log_scale))
    if FIRST_TIME_LANE in run:
        frames.append(_lane_frame(shipments, lane_warmup_days))
    if not frames:
        return None
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out


def run_aggregates_spark(shipments: DataFrame, **options: Any) -> Aggregates:
    """The aggregate flags collected as :func:`~sanctrace.trade.aggregates.run_aggregates`
    returns them (flags by line, in line order; skipped checks; counts)."""
    result = Aggregates()
    frame = aggregate_frame(shipments, skipped=result.skipped, **options)
    if frame is None:
        return result
    rank = {VALUE_ANOMALY: 0, FIRST_TIME_LANE: 1}
    rows = sorted(frame.collect(), key=lambda r: (r.line, rank[r.kind]))
    for row in rows:
        if row.kind == VALUE_ANOMALY:
            flag = value_flag(row.unit, row.median, row.z, int(row.n), row.hs)
        else:
            flag = lane_flag(row.shipper, row.consignee, row.hs, row.first_date, int(row.n))
        result.flags.setdefault(int(row.line), []).append(flag)
        result.counts[flag.code] = result.counts.get(flag.code, 0) + 1
    return result


# -- the whole trade screen --------------------------------------------------------------------

#: The columns of :func:`screen_shipments_spark`'s result: those of ``Screened.row()``, then the
#: weights uncapped (what ranks shipments of equal risk) and the flags as JSON.
REPORT_SCHEMA = (
    "line bigint, shipment_id string, date string, shipper string, consignee string, "
    "hs_code string, risk double, level string, flags string, reasons string, errors string, "
    "evidence double, flag_details string"
)
#: The parsed columns the aggregate checks read (``trade.run.AGGREGATE_COLUMNS``).
_PARSED_SCHEMA = (
    "line bigint, date date, shipper string, consignee string, hs_code string, "
    "value double, quantity double"
)
_AGGREGATE_FIELDS = ("kind", "hs", "shipper", "consignee", "unit", "median", "z", "n", "first_date")

#: The row checks of this Python worker: (their settings, the state they read, the checks).
_ROW_CHECKS: tuple[ExecutorChecks, State, RowChecks] | None = None


@dataclass(frozen=True)
class ExecutorChecks:
    """What an executor needs to judge shipments, as picklable settings: the party checks are
    opened from them on the same store once per Python worker (:meth:`row_checks`)."""

    db: str
    regime: str
    threshold: float
    off: tuple[tuple[str, str], ...]
    restricted: frozenset[str]
    today: dt.date
    addresses: bool

    def row_checks(self) -> RowChecks:
        global _ROW_CHECKS
        if _ROW_CHECKS is None or _ROW_CHECKS[0] != self:
            from sanctrace.cli.context import State
            from sanctrace.trade.setup import open_party_checks

            if _ROW_CHECKS is not None:
                _ROW_CHECKS[1].close()
            _ROW_CHECKS = None
            state = State(db=self.db)
            party_checks, _, addresses = open_party_checks(state, self.regime, self.threshold)
            if self.addresses:
                party_checks.addresses = addresses()
            checks = RowChecks(
                party_checks, dict(self.off), restricted=self.restricted, today=self.today
            )
            _ROW_CHECKS = (self, state, checks)
        return _ROW_CHECKS[2]


@dataclass(frozen=True)
class _ShipmentBatches:
    """Arrow batches of ``_line`` and one ``_r_<role>`` column per role, read as the local
    path reads a file's cells (:func:`~sanctrace.trade.read.row_shipment`)."""

    roles: tuple[str, ...]

    def read(self, batch: pa.RecordBatch) -> Iterator[Any]:
        from sanctrace.batch.readers import value_text
        from sanctrace.trade.read import row_shipment

        names = batch.schema.names
        lines = batch.column(names.index("_line")).to_pylist()
        cells = [batch.column(names.index(f"_r_{role}")).to_pylist() for role in self.roles]
        positions = {role: i for i, role in enumerate(self.roles)}
        for i, line in enumerate(lines):
            row = tuple(value_text(column[i]) for column in cells)
            yield row_shipment(int(line), row, positions)


@dataclass(frozen=True)
class _ParseBatches(_ShipmentBatches):
    """The parsed columns of the aggregate checks (no party is screened here)."""

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        names = ("line", "date", "shipper", "consignee", "hs_code", "value", "quantity")
        types = (pa.int64(), pa.date32(), *[pa.string()] * 3, pa.float64(), pa.float64())
        schema = pa.schema(list(zip(names, types, strict=True)))
        for batch in batches:
            shipments = [read.shipment for read in self.read(batch)]
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array([getattr(s, n) for s in shipments], type=t)
                    for n, t in zip(names, types, strict=True)
                ],
                schema=schema,
            )


@dataclass(frozen=True)
class _ScreenBatches(_ShipmentBatches):
    """Each shipment's row checks, its aggregate flags (the ``_agg`` column) added, scored:
    the rows of :data:`REPORT_SCHEMA`."""

    checks: ExecutorChecks
    weights: Mapping[str, float]

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        checks = self.checks.row_checks()
        names = [n.split(" ")[0] for n in REPORT_SCHEMA.split(", ")]
        types = {"line": pa.int64(), "risk": pa.float64(), "evidence": pa.float64()}
        schema = pa.schema([(n, types.get(n, pa.string())) for n in names])
        for batch in batches:
            found = batch.column(batch.schema.names.index("_agg")).to_pylist()
            rows: list[dict[str, Any]] = []
            for read, extra in zip(self.read(batch), found, strict=True):
                flags = checks.flags(read.shipment) + _aggregate_flags(extra or [])
                item = Screened(read.shipment, flags, read.errors)
                item.risk, item.level = risk(flags, self.weights)
                item.evidence = evidence(flags, self.weights)
                details = [f.to_dict() for f in flags]
                rows.append(
                    {
                        **item.row(),
                        "evidence": item.evidence,
                        "flag_details": json.dumps(details, ensure_ascii=False, default=str),
                    }
                )
            yield pa.RecordBatch.from_pylist(rows, schema=schema)


def _aggregate_flags(found: list[dict[str, Any]]) -> list[Any]:
    """The flags of :func:`aggregate_frame`'s rows of one line, in the local path's order."""
    rank = {VALUE_ANOMALY: 0, FIRST_TIME_LANE: 1}
    out = []
    for row in sorted(found, key=lambda r: rank[r["kind"]]):
        if row["kind"] == VALUE_ANOMALY:
            out.append(value_flag(row["unit"], row["median"], row["z"], int(row["n"]), row["hs"]))
        else:
            first, n = row["first_date"], int(row["n"])
            out.append(lane_flag(row["shipper"], row["consignee"], row["hs"], first, n))
    return out


def _store_target(db: str | None) -> str:
    """The store as every executor can name it: ``db`` (else ``SANCTRACE_DB``, else the
    home's), a path made absolute."""
    from sanctrace.store.paths import default_db_path

    target = db or os.environ.get("SANCTRACE_DB") or str(default_db_path())
    if target.startswith(("postgresql://", "postgres://")):
        return target
    return str(Path(target.removeprefix("sqlite:///")).resolve())


def _ownership_loaded(db: str, regime: str, threshold: float) -> bool:
    """Open the party checks once on the driver: the bundled lists loaded, the index built
    and the parties resolved if they are not yet (so that no executor does it), the regime
    checked; whether ownership data is loaded."""
    from sanctrace.cli.context import State
    from sanctrace.trade.setup import open_party_checks

    state = State(db=db)
    try:
        return bool(open_party_checks(state, regime, threshold)[1])
    finally:
        state.close()


def _numbered(df: DataFrame, line_col: str) -> DataFrame:
    """``df`` with ``_line``: the ``line_col`` column if it has one, else 1, 2, … in the
    DataFrame's order (as :func:`sanctrace.spark.screen` numbers rows)."""
    from pyspark.sql import functions as F

    from sanctrace.spark.frames import _PARTITION_SHIFT, _column, _row_offsets

    if line_col in df.columns:
        line = _column(df, line_col).cast("bigint")
        why = f"the line column {line_col!r} is empty in a row"
        return df.withColumn("_line", F.when(line.isNull(), F.raise_error(why)).otherwise(line))
    ids = df.withColumn("_id", F.monotonically_increasing_id())
    offsets = _row_offsets(ids, "_id")
    partition = F.shiftright("_id", _PARTITION_SHIFT)
    before = F.create_map(*[F.lit(v).cast("bigint") for kv in sorted(offsets.items()) for v in kv])
    changed = (
        "the DataFrame's partitions changed between counting its rows and screening them: "
        f"number the rows yourself in a {line_col!r} column"
    )
    start = F.when(before[partition].isNull(), F.raise_error(changed)).otherwise(before[partition])
    line = F.col("_id") - F.shiftleft(partition, _PARTITION_SHIFT) + start + 1
    return ids.withColumn("_line", line.cast("bigint")).drop("_id")


def screen_shipments_spark(
    df: DataFrame,
    *,
    db: str | None = None,
    regime: str = "ofac",
    threshold: float = 0.9,
    restricted: Iterable[str] = ("RU", "BY"),
    weights: Mapping[str, float] | None = None,
    columns: Mapping[str, str] | None = None,
    line_col: str = "line",
    today: dt.date | None = None,
    persist: bool = True,
) -> DataFrame:
    """``sanctrace trade screen`` on a DataFrame of shipment rows: one row per shipment with
    the columns and values of :meth:`~sanctrace.trade.run.Screened.row` (the CLI's report),
    then ``evidence`` and ``flag_details`` (:data:`REPORT_SCHEMA`). Sorted by descending
    ``risk``, descending ``evidence`` and ``line``, it is the local path's report.

    Columns are found by role name or alias as in a file, or named by ``columns`` (role ->
    column, ``--column``); cells are read as the local path reads them (as text). Lines come
    from ``line_col`` if ``df`` has it (give the file's line numbers to match its report),
    else rows are numbered 1, 2, … in ``df``'s order (``df`` is then computed once more to
    count the rows of each partition, and must give the same partitions each time).

    The party checks are opened on the store ``db`` (default: ``SANCTRACE_DB``, else the
    home's), once on the driver (which loads the bundled lists into an empty store and
    resolves parties, if needed) and once per Python worker, which must be able to open the
    same store (a local master, a shared path or PostgreSQL). Each worker keeps them for
    every batch it screens. The aggregate checks are :func:`aggregate_frame`'s, on the seven
    columns they read (parsed from ``df`` as above): with ``persist`` those are kept
    (``MEMORY_AND_DISK``, until ``spark.catalog.clearCache()`` or the session ends) rather
    than parsed again in each of the aggregations' passes. ``df`` is read twice: parsed for
    the aggregate checks, then screened.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from sanctrace.spark.frames import _column
    from sanctrace.spark.session import require_spark
    from sanctrace.trade.read import map_columns

    require_spark()
    positions = map_columns(tuple(df.columns), columns or {}, "the DataFrame")
    roles = tuple(sorted(positions, key=lambda r: positions[r]))
    target = _store_target(db)
    off = checks_off(set(roles), _ownership_loaded(target, regime, threshold))
    executor = ExecutorChecks(
        db=target,
        regime=regime,
        threshold=threshold,
        off=tuple(sorted(off.items())),
        restricted=frozenset(c.strip().upper() for c in restricted if c.strip()),
        today=today or dt.datetime.now(dt.UTC).date(),
        addresses="consignee_address" in roles,
    )
    numbered = _numbered(df, line_col)
    cells = numbered.select(
        "_line", *[_column(df, df.columns[positions[r]]).alias(f"_r_{r}") for r in roles]
    )
    parsed = cells.mapInArrow(_ParseBatches(roles), _PARSED_SCHEMA)
    if persist:  # the aggregate checks read it several times: parse each row once
        parsed = parsed.persist(StorageLevel.MEMORY_AND_DISK)
    found = aggregate_frame(parsed, checks=[c for c in CHECKS if c not in off])
    if found is None:
        fields = ", ".join(f"{n}: {t}" for n, t in _flag_types().items())
        joined = cells.withColumn("_agg", F.lit(None).cast(f"array<struct<{fields}>>"))
    else:
        grouped = found.groupBy(F.col("line").alias("_line")).agg(
            F.collect_list(F.struct(*_AGGREGATE_FIELDS)).alias("_agg")
        )
        joined = cells.join(grouped, "_line", "left")
    screen = _ScreenBatches(roles, executor, dict(weights or WEIGHTS))
    return joined.mapInArrow(screen, REPORT_SCHEMA)


def _flag_types() -> dict[str, str]:
    """The types of :data:`FLAG_SCHEMA`'s fields that ``_agg`` holds."""
    parts = dict(part.split(" ") for part in FLAG_SCHEMA.split(", "))
    return {name: parts[name] for name in _AGGREGATE_FIELDS}
