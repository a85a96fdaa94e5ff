"""The streamed trade screen (what `sanctrace trade screen` runs) gives the rows the in-memory
one gives (what the API runs), flag for flag and in the same order, on the founding case mixed
into clean shipments with ownership data, addresses, payers, transit routes and bad fields;
from CSV and from Parquet; and leaves no scratch files behind."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from examples_loader import example
from homes import copy_home, sanctrace

from sanctrace.cli.context import State
from sanctrace.trade.read import open_shipments
from sanctrace.trade.run import ranked, screen_shipments
from sanctrace.trade.setup import open_party_checks
from sanctrace.trade.stream import REPORT_COLUMNS, screen_file

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 12, 7)
#: Rows with fields that cannot be read, and one the founding case's trader pays for.
EXTRA = [
    {"shipment_id": "BAD-1", "date": "2024-13-45", "shipper": "Quillmere Packaging GmbH",
     "consignee": "JSC Izhevsk Electromechanical Plant Kupol", "consignee_country": "RU",
     "hs_code": "88X730", "description": "Parts", "value": "abc", "quantity": "1"},
    {"shipment_id": "BAD-2", "date": "2024-03-01", "shipper": "Quillmere Packaging GmbH",
     "consignee": "Kama Example Components LLC", "consignee_country": "Atlantis",
     "transit_countries": "TR; Narnia", "hs_code": "848210", "description": "Ball bearings",
     "value": "5000", "quantity": "100", "payer": "OOO Vostok Trade Logistics",
     "payer_country": "RU", "consignee_registered": "2024-01-10"},
    {"shipment_id": "LONG-1", "date": "2024-04-03", "shipper": "Quillmere " * 150,
     "consignee": "JSC Izhevsk Electromechanical Plant Kupol", "consignee_country": "RU",
     "hs_code": "848210", "description": "Ball bearings", "value": "900", "quantity": "30"},
    {"shipment_id": "ADDR-1", "date": "2024-04-02", "shipper": "Quillmere Packaging GmbH",
     "consignee": "Udmurt Components Trading", "consignee_country": "RU",
     "consignee_address": "3 Pesochnaya Street, Izhevsk, Udmurt Republic 426033",
     "hs_code": "848210", "description": "Ball bearings", "value": "900", "quantity": "30"},
] + [  # six bearings at about 50 a piece, and one at 5,000: a unit-value anomaly
    {"shipment_id": f"VAL-{n}", "date": f"2024-05-0{n}", "shipper": "Brackenfold Tools B.V.",
     "shipper_country": "NL", "consignee": f"Quillmere Lager {n} GmbH", "consignee_country": "DE",
     "hs_code": "84821090", "description": "Ball bearings", "value": str(v), "quantity": "100"}
    for n, v in enumerate([5000, 5100, 4900, 5050, 4950, 5020, 500000], 1)
]  # fmt: skip


@pytest.fixture(scope="module")
def home(bundled_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = copy_home(bundled_home, tmp_path_factory.mktemp("stream-home"))
    stakes = ROOT / "examples" / "data" / "founding_case_stakes.csv"
    sanctrace(target, "ownership", "load", str(stakes))
    return target


@pytest.fixture(scope="module")
def shipments_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stream") / "shipments.csv"
    founding_case = example("trade_founding_case")
    founding_case.write(path, clean=600, seed=7)
    with path.open("a", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=founding_case.COLUMNS)
        writer.writerows(EXTRA)
    return path


@contextmanager
def _opened(home: Path, path: Path) -> Iterator[tuple[Any, bool, Any]]:
    """The party checks on ``home`` (addresses on) and the shipments of ``path``, closed after."""
    state = State(db=str(home / "sanctrace.db"))
    try:
        checks, owned, addresses = open_party_checks(state, "ofac", 0.9)
        checks.addresses = addresses()
        shipments = open_shipments(str(path))
        try:
            yield checks, owned, shipments
        finally:
            shipments.close()
    finally:
        state.close()


def _in_memory(home: Path, path: Path, details: bool) -> list[dict[str, Any]]:
    with _opened(home, path) as (checks, owned, shipments):
        report = screen_shipments(
            shipments.rows(), shipments.roles, checks, today=TODAY, ownership_loaded=owned
        )
    rows = []
    for s in ranked(report.shipments):
        row = s.row()
        if details:
            row["flag_details"] = [f.to_dict() for f in s.flags]
        rows.append(row)
    return rows


def _streamed(home: Path, path: Path, details: bool, scratch: Path | None = None) -> Any:
    with (
        _opened(home, path) as (checks, owned, shipments),
        screen_file(
            shipments,
            checks,
            today=TODAY,
            ownership_loaded=owned,
            details=details,
            scratch=scratch,
        ) as (report, rows),
    ):
        return report, list(rows)


def _same(expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> None:
    assert len(got) == len(expected)
    for want, have in zip(expected, got, strict=True):
        assert have == want, (want["shipment_id"], want["flags"], have["flags"])


def test_streamed_rows_are_the_in_memory_rows(home: Path, shipments_csv: Path) -> None:
    expected = _in_memory(home, shipments_csv, details=False)
    report, got = _streamed(home, shipments_csv, details=False)
    _same(expected, got)
    assert list(got[0]) == list(REPORT_COLUMNS)
    levels = {lvl: sum(1 for r in expected if r["level"] == lvl) for lvl in report.counts}
    assert report.counts == levels and report.rows == len(expected)
    # every check ran on this file: the founding case's rows carry each kind of flag
    codes = {c for r in got for c in r["flags"].split(";") if c}
    assert {"party_listed", "party_owned_by_listed", "chpl", "transshipment_route"} <= codes
    assert {"third_party_payer", "new_company", "address_match_listed"} <= codes
    assert {"value_anomaly", "first_time_lane", "destination_restricted"} <= codes
    assert report.checks_off == {}


def test_row_errors_name_line_and_field_and_the_row_is_still_screened(
    home: Path, shipments_csv: Path
) -> None:
    report, got = _streamed(home, shipments_csv, details=False)
    by_id = {r["shipment_id"]: r for r in got}
    bad = by_id["BAD-1"]
    assert "field 'date'" in bad["errors"] and "field 'hs_code'" in bad["errors"]
    assert "field 'value'" in bad["errors"] and "party_listed" in bad["flags"]
    assert "field 'transit_countries'" in by_id["BAD-2"]["errors"]
    fields = {(e.line, e.field) for e in report.errors}
    line = bad["line"]
    assert {(line, "date"), (line, "hs_code"), (line, "value")} <= fields
    long_name = by_id["LONG-1"]  # too long to screen: said, and the consignee still screened
    assert "field 'shipper'" in long_name["errors"] and "party_listed" in long_name["flags"]
    assert report.error_count == len(report.errors) == 6


def test_flag_details_match_too(home: Path, shipments_csv: Path) -> None:
    expected = _in_memory(home, shipments_csv, details=True)
    _report, got = _streamed(home, shipments_csv, details=True)
    _same(expected, got)


def test_parquet_gives_the_rows_csv_gives(home: Path, shipments_csv: Path, tmp_path: Path) -> None:
    with shipments_csv.open(newline="", encoding="utf-8") as fh:
        records = list(csv.DictReader(fh))
    columns = {c: [r[c] or None for r in records] for c in records[0]}
    table = pa.table(
        {
            **{c: pa.array(v, pa.string()).dictionary_encode() for c, v in columns.items()},
            "quantity": pa.array([float(q) if q else None for q in columns["quantity"]]),
        }
    )
    path = tmp_path / "shipments.parquet"
    pq.write_table(table, path)
    _r, from_csv = _streamed(home, shipments_csv, details=False)
    _r, from_parquet = _streamed(home, path, details=False)
    # CSV lines start at 2 (the header is line 1), Parquet records at 1: the same order
    assert [r["line"] for r in from_parquet] == [r["line"] - 1 for r in from_csv]
    for a, b in zip(from_csv, from_parquet, strict=True):
        assert {k: v for k, v in a.items() if k not in ("line", "errors")} == {
            k: v for k, v in b.items() if k not in ("line", "errors")
        }
        assert bool(a["errors"]) == bool(b["errors"])


def test_the_scratch_folder_is_gone_after_the_run(home: Path, shipments_csv: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        _streamed(home, shipments_csv, details=False, scratch=Path(scratch))
        assert list(Path(scratch).iterdir()) == []
