"""The whole trade screen on Spark gives the local report row for row: the worked example of
docs/trade.md (examples/trade_founding_case.py: the founding case's 8 shipments in 300 clean
ones) screened on the bundled lists by both paths, in two partitions."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from examples_loader import example
from homes import copy_home

from sanctrace.cli.context import State
from sanctrace.trade.read import open_shipments
from sanctrace.trade.run import ranked, screen_shipments
from sanctrace.trade.setup import open_party_checks

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

TODAY = dt.date(2025, 3, 1)
#: The columns of ``Screened.row()``, the local report's.
COMPARED = (
    *("line", "shipment_id", "date", "shipper", "consignee", "hs_code"),
    *("risk", "level", "flags", "reasons", "errors"),
)


@pytest.fixture(scope="module")
def case(bundled_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The shipments file, its rows, the home, and the local path's report (ranked)."""
    work = tmp_path_factory.mktemp("trade-spark")
    home = copy_home(bundled_home, work / "home")
    path = work / "shipments.csv"
    example("trade_founding_case").write(path, clean=300)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[5]["date"] = "31/31/2023"  # a field that cannot be read is reported, not fatal
    rows[9]["value"] = "-12"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    db = str(home / "sanctrace.db")
    state = State(db=db)
    checks, with_ownership, addresses = open_party_checks(state, "ofac", 0.9)
    shipments = open_shipments(str(path))
    try:
        checks.addresses = addresses()
        report = screen_shipments(
            shipments.rows(),
            shipments.roles,
            checks,
            today=TODAY,
            ownership_loaded=with_ownership,
        )
    finally:
        shipments.close()
        state.close()
    return {"rows": rows, "db": db, "report": ranked(report.shipments)}


def _frame(spark: SparkSession, rows: list[dict[str, str]], lines: bool) -> DataFrame:
    """The rows as text columns (CSV's), with their file lines (the header is line 1)."""
    names = list(rows[0])
    data = [((i + 2,) if lines else ()) + tuple(r[n] for n in names) for i, r in enumerate(rows)]
    schema = ", ".join((["line bigint"] if lines else []) + [f"`{n}` string" for n in names])
    return spark.createDataFrame(data, schema)


def _ranked(frame: DataFrame) -> list[dict[str, Any]]:
    ordered = frame.orderBy(frame.risk.desc(), frame.evidence.desc(), frame.line)
    return [row.asDict() for row in ordered.collect()]


def test_spark_gives_the_local_report(spark: SparkSession, case: dict[str, Any]) -> None:
    from sanctrace.spark.trade import screen_shipments_spark

    local = case["report"]
    frame = _frame(spark, case["rows"], lines=True)
    assert frame.rdd.getNumPartitions() == 2
    theirs = _ranked(screen_shipments_spark(frame, db=case["db"], today=TODAY))
    assert len(theirs) == len(local) == 308
    for ours, other in zip(local, theirs, strict=True):
        expected = ours.row()
        assert {c: other[c] for c in COMPARED} == expected
        assert other["evidence"] == ours.evidence
        details = json.loads(other["flag_details"])
        assert [d["code"] for d in details] == [f.code for f in ours.flags]
    founding = [r for r in theirs if r["shipment_id"].startswith("FC-")]
    assert len(founding) == 8 and all(r["level"] == "high" for r in founding)
    assert {r["shipment_id"] for r in theirs[:8]} == {r["shipment_id"] for r in founding}
    assert all("party_listed" in r["flags"] for r in founding)
    # both kinds of checks ran: a per-row one, and an aggregate one (from aggregate_frame)
    assert any("first_time_lane" in r["flags"] for r in founding)
    assert any("transshipment_route" in r["flags"] for r in founding)
    assert sum(bool(r["errors"]) for r in theirs) == 2


def test_rows_numbered_and_columns_named(spark: SparkSession, case: dict[str, Any]) -> None:
    """Without a line column, rows are numbered 1, 2, … (the file's line less one here); a
    column not named by its role is mapped as ``--column`` maps it."""
    from sanctrace.spark.trade import screen_shipments_spark

    frame = _frame(spark, case["rows"], lines=False).withColumnRenamed("hs_code", "Tariff No")
    result = screen_shipments_spark(
        frame, db=case["db"], today=TODAY, columns={"hs_code": "Tariff No"}
    )
    theirs = _ranked(result)
    local = [s.row() for s in case["report"]]
    assert [(r["line"] + 1, r["shipment_id"]) for r in theirs] == [
        (r["line"], r["shipment_id"]) for r in local
    ]
    assert [(r["hs_code"], r["risk"], r["flags"]) for r in theirs] == [
        (r["hs_code"], r["risk"], r["flags"]) for r in local
    ]
