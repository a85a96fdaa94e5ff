"""The whole-file trade checks on Spark, for shipment sets larger than one machine's DuckDB
handles well: :mod:`sanctrace.trade.aggregates`' value anomaly and first-time lane as
DataFrame aggregations, with the same definitions (modified z of the log unit value by HS-6,
the mean absolute deviation standing in for a zero MAD; first shipment of a folded
shipper-consignee-HS-4 lane by date then line) and the same flags.

Medians are exact (``percentile``, interpolating between the two middle values as DuckDB's
``median`` does). Party names are folded by :func:`~sanctrace.trade.aggregates.party_key` in
an Arrow batch function over the distinct names only. Importing this module does not import
pyspark.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import Column, DataFrame

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
