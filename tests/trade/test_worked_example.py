"""The worked example of docs/trade.md, run as a user runs it: the founding case's shipments
(examples/trade_founding_case.py) mixed into 10,000 clean ones, screened on the bundled lists.
Every founding-case shipment is high and on top, with its reasons; almost no clean one is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from examples_loader import example
from homes import copy_home, sanctrace

CHPL_CODES = {"880730", "854231", "852691", "851762"}


@pytest.fixture(scope="module")
def report(bundled_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("trade-example")
    home = copy_home(bundled_home, work / "home")
    shipments = work / "shipments.csv"
    example("trade_founding_case").write(shipments)
    out = work / "report.json"
    proc = sanctrace(home, "trade", "screen", str(shipments), "--out", str(out))
    assert "10,008 shipments" in proc.stderr
    return dict(json.loads(out.read_text("utf-8")))


def test_every_founding_case_shipment_is_high_and_on_top(report: dict[str, Any]) -> None:
    rows = report["shipments"]
    founding = [r for r in rows if r["shipment_id"].startswith("FC-")]
    assert len(founding) == 8
    assert all(r["level"] == "high" for r in founding), [
        (r["shipment_id"], r["flags"]) for r in founding
    ]
    top = {r["shipment_id"] for r in rows[:8]}
    assert top == {r["shipment_id"] for r in founding}
    for r in founding:
        codes = set(r["flags"].split(";"))
        assert codes & {"party_listed", "party_owned_by_listed"}, r
        if r["hs_code"][:6] in CHPL_CODES:
            assert "chpl" in codes, r
        assert r["reasons"]


def test_the_route_and_the_goods_are_named(report: dict[str, Any]) -> None:
    by_id = {r["shipment_id"]: r for r in report["shipments"]}
    via_hub = by_id["FC-001"]
    assert (
        "transshipment_route" in via_hub["flags"] and "destination_restricted" in via_hub["flags"]
    )
    assert "new_company" in via_hub["flags"]
    disguised = by_id["FC-005"]  # flight controllers for drones declared as toys (9503)
    assert "hs_description_mismatch" in disguised["flags"]
    paid = by_id["FC-004"]  # consigned to the plant itself, paid by the Moscow trader
    assert "third_party_payer" in paid["flags"]
    listed = [f for f in via_hub["flag_details"] if f["code"] == "party_listed"]
    assert any("KUPOL" in f["evidence"]["caption"].upper() for f in listed)


def test_almost_no_clean_shipment_is_high(report: dict[str, Any]) -> None:
    clean = [r for r in report["shipments"] if r["shipment_id"].startswith("CL-")]
    assert len(clean) == 10_000
    high = [r for r in clean if r["level"] == "high"]
    assert len(high) <= 100, [(r["shipment_id"], r["flags"]) for r in high[:10]]
