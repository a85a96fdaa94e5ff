"""The aggregate checks (value anomaly, first-time lane) on small shipment files, from
Shipment objects, Arrow tables and Parquet, and the checks' switches."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sanctrace.trade.aggregates import (
    FIRST_TIME_LANE,
    VALUE_ANOMALY,
    aggregate_flags,
    iter_aggregate_flags,
    party_key,
    run_aggregates,
    shipments_arrow,
)
from sanctrace.trade.model import Shipment

DAY = dt.date(2024, 3, 1)
#: Microcontrollers (CHPL tier 1, HS 8542.31) at a consistent price, one at 40 times it.
PRICES = [12.0, 12.5, 11.8, 12.2, 13.0, 11.5, 12.1, 12.4, 11.9, 12.6]


def mcu(line: int, unit: float, quantity: float = 1000.0, **extra: object) -> Shipment:
    fields: dict[str, object] = {
        "shipper": "Shenzhen Huaqiang Electronics Co., Ltd",
        "consignee": "OOO Techno Trade",
        "hs_code": "8542310000",
        "description": "microcontrollers",
        "date": DAY + dt.timedelta(days=line),
    }
    fields.update(extra)
    return Shipment(
        line,
        f"S{line}",
        value=unit * quantity,
        quantity=quantity,
        **fields,  # type: ignore[arg-type]
    )


def anomalies(shipments: list[Shipment], **options: object) -> dict[int, list[str]]:
    flags = aggregate_flags(shipments_arrow(shipments), checks=[VALUE_ANOMALY], **options)  # type: ignore[arg-type]
    return {line: [f.code for f in fs] for line, fs in flags.items()}


def test_one_shipment_at_forty_times_the_median_is_flagged() -> None:
    rows = [mcu(i + 1, p) for i, p in enumerate(PRICES)]
    median = sorted([*PRICES, 12.1 * 40])[5]
    rows.append(mcu(11, 12.1 * 40))
    flags = aggregate_flags(shipments_arrow(rows), checks=[VALUE_ANOMALY])
    assert list(flags) == [11]
    (flag,) = flags[11]
    assert flag.code == VALUE_ANOMALY
    assert flag.evidence["unit_value"] == pytest.approx(484.0)
    assert flag.evidence["median"] == pytest.approx(median)
    assert flag.evidence["count"] == 11
    assert flag.evidence["hs6"] == "854231"
    assert flag.evidence["z"] > 3.5
    assert "HS 854231" in flag.reason and "times the median" in flag.reason
    assert flag.source


def test_consistent_prices_and_undervaluation() -> None:
    rows = [mcu(i + 1, p) for i, p in enumerate(PRICES)]
    assert anomalies(rows) == {}
    rows.append(mcu(11, 12.1 / 40))  # a 40-fold undervaluation is as odd as a 40-fold price
    found = aggregate_flags(shipments_arrow(rows), checks=[VALUE_ANOMALY])
    assert list(found) == [11]
    assert found[11][0].evidence["z"] < -3.5


def test_fewer_than_five_of_a_code_are_not_judged() -> None:
    rows = [mcu(i + 1, p) for i, p in enumerate(PRICES[:3])] + [mcu(4, 12.1 * 40)]
    assert anomalies(rows) == {}
    assert anomalies(rows, min_count=4) == {4: [VALUE_ANOMALY]}


def test_threshold_and_scale_are_options() -> None:
    rows = [mcu(i + 1, p) for i, p in enumerate(PRICES)] + [mcu(11, 12.1 * 1.08)]
    assert anomalies(rows) == {}
    assert 11 in anomalies(rows, z=1.5)
    assert anomalies([*rows[:-1], mcu(11, 12.1 * 40)], log_scale=False) == {11: [VALUE_ANOMALY]}


def test_identical_prices_fall_back_on_the_mean_deviation() -> None:
    rows = [mcu(i + 1, 10.0) for i in range(9)] + [mcu(10, 400.0)]
    assert anomalies(rows) == {10: [VALUE_ANOMALY]}
    assert anomalies([mcu(i + 1, 10.0) for i in range(9)]) == {}


def test_unpriced_rows_are_left_out() -> None:
    rows = [mcu(i + 1, p) for i, p in enumerate(PRICES)]
    rows.append(Shipment(11, "S11", "A", "B", "854231", value=None, quantity=5.0))
    rows.append(Shipment(12, "S12", "A", "B", "854231", value=500.0, quantity=0.0))
    rows.append(Shipment(13, "S13", "A", "B", "8542", value=50000.0, quantity=1.0))
    assert anomalies(rows) == {}


def test_first_time_lane_by_date_then_line() -> None:
    k = "Shenzhen Huaqiang Electronics Co., Ltd"
    rows = [
        mcu(1, 12.0, date=dt.date(2024, 5, 1)),
        mcu(2, 12.0, shipper="SHENZHEN HUAQIANG ELECTRONICS CO LTD", date=dt.date(2024, 4, 1)),
        mcu(3, 12.0, shipper=k, date=dt.date(2024, 4, 1)),
        mcu(4, 12.0, hs_code="8542390000", date=dt.date(2024, 1, 1)),  # same HS-4: same lane
        mcu(5, 12.0, hs_code="8471500000", date=dt.date(2024, 6, 1)),  # HS 8471: a new lane
        mcu(6, 12.0, consignee="Techno Trade LLC", date=dt.date(2024, 7, 1)),  # same consignee
        mcu(7, 12.0, consignee="Izhevsk Electromechanical Plant Kupol", date=None),
    ]
    result = run_aggregates(shipments_arrow(rows), checks=[FIRST_TIME_LANE])
    assert result.skipped == {}
    assert sorted(result.flags) == [4, 5, 7]
    (flag,) = result.flags[4]
    assert flag.code == FIRST_TIME_LANE
    assert flag.evidence == {
        "shipper": k,
        "consignee": "OOO Techno Trade",
        "hs4": "8542",
        "first_date": "2024-01-01",
        "lane_shipments": 5,
    }
    assert "first shipment on 2024-01-01" in flag.reason
    assert result.counts == {FIRST_TIME_LANE: 3}


def test_lane_warmup_and_no_dates() -> None:
    rows = [mcu(1, 12.0), mcu(2, 12.0, hs_code="847150"), mcu(90, 12.0, hs_code="850760")]
    assert sorted(aggregate_flags(shipments_arrow(rows), checks=[FIRST_TIME_LANE])) == [1, 2, 90]
    warm = aggregate_flags(shipments_arrow(rows), checks=[FIRST_TIME_LANE], lane_warmup_days=30)
    assert sorted(warm) == [90]
    undated = [mcu(1, 12.0, date=None), mcu(2, 12.0, date=None)]
    result = run_aggregates(shipments_arrow(undated))
    assert result.flags == {}
    assert "no dates" in result.skipped[FIRST_TIME_LANE]


def test_missing_columns_switch_checks_off(tmp_path: Path) -> None:
    table = pa.table(
        {
            "line": [1, 2],
            "shipper": ["A", "A"],
            "consignee": ["B", "B"],
            "hs_code": ["880610", "880610"],
        }
    )
    result = run_aggregates(table)
    assert result.flags == {}
    assert set(result.skipped) == {VALUE_ANOMALY, FIRST_TIME_LANE}
    with pytest.raises(ValueError, match="line"):
        run_aggregates(table.drop(["line"]))
    with pytest.raises(ValueError, match="no aggregate check"):
        run_aggregates(table, checks=["chpl"])


def test_parquet_with_text_dates_and_both_checks(tmp_path: Path) -> None:
    rows = [mcu(i + 1, p) for i, p in enumerate(PRICES)] + [mcu(11, 12.1 * 40)]
    table = shipments_arrow(rows)
    table = table.set_column(
        table.schema.get_field_index("date"),
        "date",
        pa.array([s.date.isoformat() for s in rows]),  # type: ignore[union-attr]
    )
    path = tmp_path / "shipments.parquet"
    pq.write_table(table, path)
    flags = aggregate_flags(path)
    assert {line: [f.code for f in fs] for line, fs in flags.items()} == {
        1: [FIRST_TIME_LANE],
        11: [VALUE_ANOMALY],
    }
    streamed = list(iter_aggregate_flags(str(path), batch_rows=1))
    assert [line for line, _ in streamed] == [1, 11]


def test_party_key_folds_spellings() -> None:
    assert party_key("Shenzhen Huaqiang Electronics Co., Ltd") == "shenzhen huaqiang electronics"
    assert party_key("SHENZHEN HUAQIANG ELECTRONICS CO LTD") == "shenzhen huaqiang electronics"
    assert party_key("ООО «Техно Трейд»") == party_key("OOO Tekhno Treyd")
    assert party_key("Limited") == "limited"
    assert party_key("  ") == ""
