"""`sanctrace trade` as a user runs it: a consignee owned by a listed party, bad rows reported
with their line and field while the rest is screened, the counterparty graph's one-hop path,
and formula-safe spreadsheet output."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from homes import copy_home, sanctrace

ROOT = Path(__file__).resolve().parents[2]
HEADER = (
    "shipment_id,date,shipper,shipper_country,consignee,consignee_country,notify_party,payer,"
    "hs_code,description,value,quantity\n"
)
QUILL = "Quillmere Packaging GmbH,DE"
BREAD = "Brackenfold Foods B.V.,NL,,,190590,Bread,1200,40"


@pytest.fixture(scope="module")
def home(bundled_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = copy_home(bundled_home, tmp_path_factory.mktemp("trade-home"))
    sanctrace(
        target, "ownership", "load", str(ROOT / "examples" / "data" / "founding_case_stakes.csv")
    )
    return target


def screen(home: Path, tmp_path: Path, rows: str, *extra: str) -> tuple[dict[str, dict], str]:  # type: ignore[type-arg]
    path = tmp_path / "shipments.csv"
    path.write_text(HEADER + rows, "utf-8")
    out = tmp_path / "report.json"
    proc = sanctrace(home, "trade", "screen", str(path), "--out", str(out), *extra)
    data = json.loads(out.read_text("utf-8"))
    return {r["shipment_id"]: r for r in data["shipments"]}, proc.stderr


def test_a_consignee_owned_by_a_listed_party_is_high(home: Path, tmp_path: Path) -> None:
    rows, _ = screen(
        home,
        tmp_path,
        f"S1,2024-03-01,{QUILL},Kama Example Components LLC,RU,,,848210,Ball bearings,5000,100\n",
    )
    s1 = rows["S1"]
    assert "party_owned_by_listed" in s1["flags"] and s1["level"] == "high"
    (flag,) = [f for f in s1["flag_details"] if f["code"] == "party_owned_by_listed"]
    assert flag["evidence"]["regime"] == "ofac" and "55%" in flag["reason"]


def test_bad_fields_are_reported_and_the_rest_still_screened(home: Path, tmp_path: Path) -> None:
    rows, err = screen(
        home,
        tmp_path,
        f"S1,2024-13-45,{QUILL},JSC Izhevsk Electromechanical Plant Kupol,RU,,,88X730,Parts,abc,1\n"
        f"S2,2024-03-01,{QUILL},{BREAD}\n",
    )
    assert (
        "line 2, field 'date'" in err
        and "line 2, field 'hs_code'" in err
        and "line 2, field 'value'" in err
    )
    s1 = rows["S1"]
    assert "party_listed" in s1["flags"] and s1["level"] == "high"  # the parties still screened
    assert "field 'hs_code'" in s1["errors"]
    assert rows["S2"]["level"] == "low"


def test_a_file_without_its_required_columns_is_refused(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,seller\n1,Acme\n", "utf-8")
    proc = sanctrace(home, "trade", "screen", str(path), check=False)
    assert proc.returncode == 2 and "no column for consignee, hs_code" in proc.stderr


def test_the_graph_shows_the_supplier_the_intermediary_and_the_listed_plant(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "shipments.csv"
    path.write_text(
        HEADER + "S1,2023-06-01,Shenzhen Lanxiang Aviation Technology Co. Ltd.,CN,"
        "OOO Vostok Trade Logistics,RU,JSC Izhevsk Electromechanical Plant Kupol,"
        "OOO Vostok Trade Logistics,880730,UAV airframe parts,96500,40\n"
        + f"S2,2023-06-02,{QUILL},{BREAD}\n",
        "utf-8",
    )
    graphml = tmp_path / "graph.graphml"
    proc = sanctrace(home, "trade", "graph", str(path), "--out", str(graphml))
    assert (
        "Shenzhen Lanxiang" in proc.stdout
        and "forwards_to" in proc.stdout
        and "Kupol" in proc.stdout
    )
    assert graphml.read_text("utf-8").startswith("<?xml")


def test_spreadsheet_output_is_formula_safe(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "shipments.csv"
    path.write_text(
        HEADER + f'S1,2024-03-01,"=HYPERLINK(""http://x"")",DE,{BREAD}\n',
        "utf-8",
    )
    out = tmp_path / "report.csv"
    sanctrace(home, "trade", "screen", str(path), "--out", str(out))
    (row,) = list(csv.DictReader(out.read_text("utf-8").splitlines()))
    assert row["shipper"].startswith("'=")


def test_a_file_named_without_its_format_is_read_with_input_format(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "shipments.data"
    path.write_text(HEADER + f"S1,2024-03-01,{QUILL},{BREAD}\n", "utf-8")
    refused = sanctrace(home, "trade", "screen", str(path), check=False)
    assert refused.returncode != 0 and "--input-format" in refused.stderr
    help_text = sanctrace(home, "trade", "screen", "--help").stdout
    assert "--input-format" in help_text  # the option the error names exists
    proc = sanctrace(home, "trade", "screen", str(path), "--input-format", "csv")
    assert "1 shipments" in proc.stderr


def test_an_xlsx_report_too_large_for_a_sheet_is_refused_before_the_work() -> None:
    from sanctrace.cli.trade import TradeError, _fits

    with pytest.raises(TradeError, match=r"2,000,000 shipments do not fit in an XLSX sheet"):
        _fits("xlsx", 2_000_000)
    _fits("csv", 2_000_000)
    _fits("xlsx", 1_000)


def test_a_report_that_cannot_be_written_is_refused_before_the_work(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "shipments.csv"
    path.write_text(HEADER + f"S1,2024-03-01,{QUILL},{BREAD}\n", "utf-8")
    for out, said in (
        (tmp_path / "report.txt", "cannot tell the format of"),
        (tmp_path / "missing" / "report.csv", "does not exist"),
    ):
        proc = sanctrace(home, "trade", "screen", str(path), "--out", str(out), check=False)
        assert proc.returncode == 1 and said in proc.stderr, proc.stderr
        assert "shipments:" not in proc.stderr  # nothing was screened
        assert not out.exists()
    out = tmp_path / "report.data"
    sanctrace(home, "trade", "screen", str(path), "--out", str(out), "--output-format", "json")
    assert json.loads(out.read_text("utf-8"))["shipments"][0]["shipment_id"] == "S1"
