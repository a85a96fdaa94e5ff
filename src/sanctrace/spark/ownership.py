"""The ownership propagation on Spark, for registries that do not fit one machine: the
semi-naive rounds of :mod:`sanctrace.ownership.engine_duckdb` as iterative DataFrame joins.

Same input columns (:data:`~sanctrace.ownership.engine_duckdb.EDGE_COLUMNS`), same exact
arithmetic (every share end scaled by the least common multiple ``D`` of the denominators, as
whole numbers: LongType while the sums fit, else DecimalType(38, 0)), same output. Each round's
state is cut from its lineage with ``localCheckpoint``, so the plans stay small however deep
the chains run. Importing this module does not import pyspark.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from sanctrace.ownership.calculate import ALL
from sanctrace.ownership.edges import Edge
from sanctrace.ownership.engine_duckdb import EDGE_COLUMNS, joint_groups
from sanctrace.ownership.rules import Ruleset

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession
    from pyspark.sql.types import DataType

#: Spark's exact decimals hold 38 digits.
DECIMAL_ROOM = 10**38

_SPARK_TYPES = {"VARCHAR": "string", "BIGINT": "bigint", "BOOLEAN": "boolean", "DATE": "date"}
EDGE_SCHEMA = ", ".join(f"{name} {_SPARK_TYPES[kind]}" for name, kind in EDGE_COLUMNS)


def edges_frame(spark: SparkSession, edges: Iterable[Edge]) -> DataFrame:
    """Edges as a DataFrame of the engine's columns."""
    rows = []
    for e in edges:
        s = e.share
        ends: tuple[Any, ...] = (None,) * 6
        if s is not None:
            ends = (s.low.numerator, s.low.denominator, s.low_open)
            ends += (s.high.numerator, s.high.denominator, s.high_open)
        rows.append((e.owner, e.asset, *ends, e.control, e.start, e.end))
    return spark.createDataFrame(rows, EDGE_SCHEMA)


def _scale(active: DataFrame, ruleset: Ruleset) -> int:
    from pyspark.sql import functions as F

    dens = active.select(F.col("low_den").alias("d")).union(active.select("high_den"))
    scale = ruleset.threshold.denominator
    for row in dens.where(F.col("d").isNotNull()).distinct().collect():
        if row.d <= 0:
            raise ValueError(f"a share's denominator is {row.d}: it must be positive")
        scale = math.lcm(scale, int(row.d))
    return scale


def ownership_statuses(
    edges: DataFrame, listed: DataFrame, ruleset: Ruleset, as_of: date
) -> DataFrame:
    """A DataFrame (node, status, sure, maybe) as
    :func:`~sanctrace.ownership.engine_duckdb.statuses_duckdb` writes it: every node of the
    edges in force on ``as_of`` and every listed one (``listed`` has a column ``node``)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DecimalType, LongType

    spark = edges.sparkSession
    day = F.lit(as_of)
    active = edges.where(
        (F.col("start_date").isNull() | (F.col("start_date") <= day))
        & (F.col("end_date").isNull() | (day <= F.col("end_date")))
    ).cache()
    keys = (
        listed.select(F.col("node").cast("string").alias("node"))
        .where(F.col("node").isNotNull())
        .distinct()
        .cache()
    )
    scale = _scale(active, ruleset)
    count = max(active.count(), 1)
    if 100 * scale * count >= DECIMAL_ROOM:
        raise ValueError(
            f"the shares' common denominator ({scale}) is too large for exact sums over "
            f"{count:,} edges: round the stakes to fewer digits"
        )
    kind: DataType = LongType() if 100 * scale * count < 2**62 else DecimalType(38, 0)
    if ruleset.aggregate:
        seeds = keys.withColumn("grp", F.lit(ALL))
    else:
        pairs = (
            active.where(F.col("control") == "joint")
            .join(keys.withColumnRenamed("node", "owner"), "owner")
            .join(keys.withColumnRenamed("node", "asset"), "asset")
            .select("owner", "asset")
            .collect()
        )
        joined = list(joint_groups((r.owner, r.asset) for r in pairs).items())
        reps = spark.createDataFrame(joined, "node string, rep string")
        seeds = keys.join(reps, "node", "left").select(
            "node", F.coalesce("rep", "node").alias("grp")
        )
    seeds = seeds.localCheckpoint()

    def scaled(num: str, den: str) -> Column:
        factors = sorted({int(r[0]) for r in active.select(den).distinct().collect() if r[0]})
        mapping = F.create_map(
            *[x for d in factors for x in (F.lit(d), F.lit(scale // d).cast(kind))]
        )
        return F.col(num).cast(kind) * mapping[F.col(den)]

    full = F.lit(100 * scale).cast(kind)
    counted = sorted(ruleset.control_types) if ruleset.control_counts else []
    ctl = F.coalesce(F.col("control").isin(counted), F.lit(False)) if counted else F.lit(False)
    control = F.coalesce(F.col("control"), F.lit(""))
    he = (
        active.where((control != "joint") & ~((control == "linked") & F.col("low_num").isNull()))
        .join(seeds.select(F.col("node").alias("asset")), "asset", "left_anti")
        .select(
            F.col("owner").alias("src"),
            F.col("asset").alias("dst"),
            scaled("low_num", "low_den").alias("lo"),
            F.coalesce("low_open", F.lit(False)).alias("lo_open"),
            scaled("high_num", "high_den").alias("hi"),
            F.coalesce("high_open", F.lit(False)).alias("hi_open"),
            ctl.alias("ctl"),
        )
        .withColumn("hi_open", F.col("hi_open") & (F.col("hi") < full))
        .where(F.col("lo").isNotNull() | F.col("ctl"))
        .localCheckpoint()
    )
    acc = _iterate(spark, he, seeds, ruleset, scale, kind)
    held = acc.where(F.col("sure") | F.col("maybe")).select("node", "grp", "sure", "maybe")
    held = held.unionByName(seeds.select("node", "grp", F.lit(True).alias("sure"),
                                         F.lit(True).alias("maybe")))  # fmt: skip
    per = held.groupBy("node").agg(
        F.array_sort(F.collect_list(F.when(F.col("sure"), F.col("grp")))).alias("sure"),
        F.array_sort(F.collect_list(F.when(F.col("maybe"), F.col("grp")))).alias("maybe"),
    )
    nodes = (
        active.select(F.col("owner").alias("node"))
        .union(active.select("asset"))
        .union(keys)
        .distinct()
    )
    empty = F.array().cast("array<string>")
    out = nodes.join(per, "node", "left").select(
        "node",
        F.when(F.size(F.coalesce("sure", empty)) > 0, "blocked")
        .when(F.size(F.coalesce("maybe", empty)) > 0, "indeterminate")
        .otherwise("not_blocked")
        .alias("status"),
        F.coalesce("sure", empty).alias("sure"),
        F.coalesce("maybe", empty).alias("maybe"),
    )
    return out


def _iterate(
    spark: SparkSession,
    he: DataFrame,
    seeds: DataFrame,
    ruleset: Ruleset,
    scale: int,
    kind: DataType,
) -> DataFrame:
    """The accumulated holdings once no flag changes (see engine_duckdb's module note)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import BooleanType, StringType, StructField, StructType

    flag = BooleanType()
    acc = spark.createDataFrame(
        [],
        StructType(
            [StructField("node", StringType()), StructField("grp", StringType())]
            + [StructField(c, kind if c in ("lo", "hi") else flag) for c in _ACC[2:]]
        ),
    )
    delta = seeds.select("node", "grp", F.lit(True).alias("add_low"), F.lit(True).alias("add_high"))
    zero = F.lit(0).cast(kind)
    no = F.lit(False)
    th = F.lit(int(ruleset.threshold * scale)).cast(kind)
    full = F.lit(100 * scale).cast(kind)
    while True:
        d, e = delta.alias("d"), he.alias("e")
        low, high = F.col("d.add_low"), F.col("d.add_high")
        c = (
            d.join(e, F.col("d.node") == F.col("e.src"))
            .groupBy(F.col("e.dst").alias("node"), F.col("d.grp").alias("grp"))
            .agg(
                F.coalesce(F.sum(F.when(low, F.col("e.lo"))), zero).alias("c_lo"),
                F.coalesce(F.max(F.when(low, F.col("e.lo_open"))), no).alias("c_lo_open"),
                F.coalesce(F.sum(F.when(high, F.col("e.hi"))), zero).alias("c_hi"),
                F.coalesce(F.max(F.when(high, F.col("e.hi_open"))), no).alias("c_hi_open"),
                F.coalesce(F.max(F.when(low, F.col("e.ctl"))), no).alias("c_ctl"),
                F.coalesce(F.max(F.when(high, F.col("e.ctl"))), no).alias("c_mctl"),
            )
        )
        n = c.join(acc, ["node", "grp"], "left").select(
            "node",
            "grp",
            (F.coalesce("lo", zero) + F.col("c_lo")).cast(kind).alias("lo"),
            (F.coalesce("lo_open", no) | F.col("c_lo_open")).alias("lo_open"),
            (F.coalesce("hi", zero) + F.col("c_hi")).cast(kind).alias("hi"),
            (F.coalesce("hi_open", no) | F.col("c_hi_open")).alias("hi_open"),
            (F.coalesce("ctl", no) | F.col("c_ctl")).alias("ctl"),
            (F.coalesce("mctl", no) | F.col("c_mctl")).alias("mctl"),
            F.coalesce("sure", no).alias("was_sure"),
            F.coalesce("maybe", no).alias("was_maybe"),
        )
        lo, hi = F.col("lo"), F.col("hi")
        hc = F.when(hi > full, full).otherwise(hi)
        ho = F.when(hi > full, no).otherwise(F.col("hi_open"))
        if ruleset.strict:
            surely = (lo > th) | ((lo == th) & F.col("lo_open"))
            possibly = hc > th
        else:
            surely = lo >= th
            possibly = (hc > th) | ((hc == th) & ~ho)
        step = (
            n.withColumn("sure", surely | F.col("ctl"))
            .withColumn("maybe", possibly | F.col("mctl"))
            .localCheckpoint()
        )
        acc = (
            acc.join(step.select("node", "grp"), ["node", "grp"], "left_anti")
            .unionByName(step.select(*_ACC))
            .localCheckpoint()
        )
        delta = (
            step.select(
                "node",
                "grp",
                (F.col("sure") & F.col("maybe") & ~(F.col("was_sure") & F.col("was_maybe"))).alias(
                    "add_low"
                ),
                (F.col("maybe") & ~F.col("was_maybe")).alias("add_high"),
            )
            .where(F.col("add_low") | F.col("add_high"))
            .localCheckpoint()
        )
        if delta.isEmpty():
            return acc


_ACC = ("node", "grp", "lo", "lo_open", "hi", "hi_open", "ctl", "mctl", "sure", "maybe")


def holders(
    spark: SparkSession,
    edges: Iterable[Edge],
    listed: Iterable[str] | Mapping[str, Any],
    ruleset: Ruleset,
    as_of: date,
) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Each node's groups surely and possibly holding it, computed on Spark."""
    keys = spark.createDataFrame([(n,) for n in sorted(set(listed))], "node string")
    out = ownership_statuses(edges_frame(spark, edges), keys, ruleset, as_of)
    return {r.node: (frozenset(r.sure), frozenset(r.maybe)) for r in out.collect()}


def statuses(
    spark: SparkSession,
    edges: Iterable[Edge],
    listed: Iterable[str] | Mapping[str, Any],
    ruleset: Ruleset,
    as_of: date,
) -> dict[str, str]:
    """Each node's status under ``ruleset`` on ``as_of``, computed on Spark."""
    keys = spark.createDataFrame([(n,) for n in sorted(set(listed))], "node string")
    out = ownership_statuses(edges_frame(spark, edges), keys, ruleset, as_of)
    return {r.node: r.status for r in out.select("node", "status").collect()}
