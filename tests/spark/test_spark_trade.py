"""The aggregate trade checks on Spark agree with the DuckDB ones on a small real-looking
file: microcontrollers, drone parts and flour, with one price 40 times the median, spellings
of one supplier, and an undated row."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pyarrow as pa

from sanctrace.trade.aggregates import (
    FIRST_TIME_LANE,
    VALUE_ANOMALY,
    run_aggregates,
    shipments_arrow,
)
from sanctrace.trade.model import Shipment

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SUPPLIERS = ("Shenzhen Huaqiang Electronics Co., Ltd", "SHENZHEN HUAQIANG ELECTRONICS CO LTD")
CONSIGNEES = ("OOO Techno Trade", "Aerotrade Logistik LLC", "Blue Meadow Bakery Ltd")
GOODS = (("8542310000", 12.0), ("880730", 450.0), ("110100", 0.6), ("852589", 95.0))


def frame_of(spark: SparkSession, table: pa.Table) -> DataFrame:
    """The table as a DataFrame, row by row (pandas' path warns under pyspark 3.5)."""
    types = {"int64": "bigint", "string": "string", "date32[day]": "date", "double": "double"}
    schema = ", ".join(f"{f.name} {types[str(f.type)]}" for f in table.schema)
    return spark.createDataFrame([tuple(r.values()) for r in table.to_pylist()], schema)


def sample() -> list[Shipment]:
    rows: list[Shipment] = []
    day = dt.date(2023, 1, 2)
    for i in range(120):
        code, price = GOODS[i % len(GOODS)]
        unit = price * (1 + ((i * 37) % 11 - 5) / 100)  # within 5% of the price
        if i == 41:
            unit = price * 40
        quantity = float(10 + (i * 13) % 90)
        rows.append(
            Shipment(
                i + 2,
                f"BL{i}",
                SUPPLIERS[i % 2] if i % 3 else "Ningbo Jiahe Trading Co., Ltd",
                CONSIGNEES[(i // 4) % 3],
                code,
                date=None if i == 7 else day + dt.timedelta(days=(i * 29) % 400),
                value=round(unit * quantity, 2),
                quantity=quantity,
            )
        )
    return rows


def test_spark_agrees_with_duckdb(spark: SparkSession) -> None:
    from sanctrace.spark.trade import run_aggregates_spark

    table = shipments_arrow(sample())
    local = run_aggregates(table)
    frame = frame_of(spark, table)
    theirs = run_aggregates_spark(frame)
    assert local.counts[VALUE_ANOMALY] >= 1 and local.counts[FIRST_TIME_LANE] >= 5
    assert 43 in local.flags and VALUE_ANOMALY in [f.code for f in local.flags[43]]
    assert theirs.counts == local.counts
    assert list(theirs.flags) == list(local.flags)
    for line, flags in local.flags.items():
        assert [f.code for f in theirs.flags[line]] == [f.code for f in flags]
        for ours, other in zip(flags, theirs.flags[line], strict=True):
            assert other.reason == ours.reason
            assert other.evidence.keys() == ours.evidence.keys()
    warm = run_aggregates(table, lane_warmup_days=60)
    assert run_aggregates_spark(frame, lane_warmup_days=60).flags.keys() == warm.flags.keys()


def test_spark_skips_what_the_frame_cannot_give(spark: SparkSession) -> None:
    from sanctrace.spark.trade import run_aggregates_spark

    table = pa.table(
        {
            "line": [2, 3],
            "shipper": ["A", "A"],
            "consignee": ["B", "B"],
            "hs_code": ["8806", "8806"],
        }
    )
    result = run_aggregates_spark(frame_of(spark, table))
    assert result.flags == {}
    assert result.skipped == run_aggregates(table).skipped
