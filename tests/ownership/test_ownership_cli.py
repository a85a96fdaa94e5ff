"""`sanctrace ownership` as a user runs it, on the bundled lists: the founding case's stakes
(examples/data/founding_case_stakes.csv), bad files, and the exposure report."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from homes import copy_home, sanctrace

ROOT = Path(__file__).resolve().parents[2]
FOUNDING = ROOT / "examples" / "data" / "founding_case_stakes.csv"


@pytest.fixture(scope="module")
def home(bundled_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = copy_home(bundled_home, tmp_path_factory.mktemp("ownership-home"))
    sanctrace(target, "ownership", "load", str(FOUNDING))
    return target


def verdict(home: Path, company: str, regime: str, *extra: str) -> dict[str, object]:
    proc = sanctrace(
        home, "ownership", "check", company, "--regime", regime, "--format", "json", *extra
    )
    return dict(json.loads(proc.stdout))


def test_the_founding_case_under_each_regime(home: Path) -> None:
    holding = verdict(home, "Izhevsk Example Holding LLC", "ofac")
    assert (holding["status"], holding["basis"]) == ("blocked", "ownership")
    second = verdict(home, "Kama Example Components LLC", "ofac")
    assert second["status"] == "blocked"
    stakes = second["trace"]["groups"][0]["stakes"]  # type: ignore[index]
    assert sorted(s["share"] for s in stakes) == ["25%", "30%"]
    assert second["trace"]["groups"][0]["sum"] == "55%"  # type: ignore[index]
    assert "ALMAZ-ANTEY" in str(second["explanation"])
    assert any(len(p) == 3 for p in second["paths"])  # type: ignore[union-attr]
    uk = verdict(home, "Kama Example Components LLC", "uk")
    assert uk["status"] == "blocked"  # one listed person's direct and indirect stakes: 55%
    eu = verdict(home, "Kama Example Components LLC", "eu")
    assert eu["status"] == "indeterminate" and "regime_list_not_loaded" in eu["flags"]  # type: ignore[operator]


def test_before_the_stakes_were_taken_nothing_is_blocked(home: Path) -> None:
    got = verdict(home, "Kama Example Components LLC", "ofac", "--as-of", "2021-06-01")
    assert got["status"] == "not_blocked"
    assert (
        verdict(home, "Izhevsk Example Holding LLC", "ofac", "--as-of", "2021-06-01")["status"]
        == "blocked"
    )


def test_the_table_shows_the_stakes_and_the_sum(home: Path) -> None:
    proc = sanctrace(home, "ownership", "check", "Kama Example Components LLC", "--regime", "ofac")
    assert "blocked under OFAC 50 Percent Rule" in proc.stdout
    assert "55%" in proc.stdout and "Izhevsk Example Holding LLC" in proc.stdout
    assert "Data: " in proc.stdout


def test_a_listed_party_is_blocked_as_listed(home: Path) -> None:
    got = verdict(home, "us_ofac_sdn:16865", "ofac")
    assert (got["status"], got["basis"]) == ("blocked", "listed")


def test_an_unknown_company_is_not_found(home: Path) -> None:
    proc = sanctrace(home, "ownership", "check", "No Such Trading LLC", check=False)
    assert proc.returncode == 4
    assert "no company named" in proc.stderr


def test_a_bad_row_loads_nothing_and_names_the_line_and_field(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "owner,asset,share,start,end,control,source\n"
        "us_ofac_sdn:16865,Good Example LLC,60,,,,x\n"
        "us_ofac_sdn:16865,Bad Example LLC,150,,,,x\n",
        "utf-8",
    )
    proc = sanctrace(home, "ownership", "load", str(bad), check=False)
    assert proc.returncode == 2
    assert "line 3" in proc.stderr and "'share'" in proc.stderr and "100%" in proc.stderr
    assert sanctrace(home, "ownership", "check", "Good Example LLC", check=False).returncode == 4
    missing = tmp_path / "cols.csv"
    missing.write_text("owner,asset,share\nA,B,5\n", "utf-8")
    proc = sanctrace(home, "ownership", "load", str(missing), check=False)
    assert proc.returncode == 2 and "missing column(s) start, end, control, source" in proc.stderr


def test_exposure_reports_each_row_under_each_regime(home: Path, tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "id,name\n1,Kama Example Components LLC\n2,Izhevsk Example Holding LLC\n"
        '3,Quiet Meadow Bakery Ltd\n4,=HYPERLINK("http://x")\n',
        "utf-8",
    )
    report = tmp_path / "report.csv"
    sanctrace(
        home, "ownership", "exposure", str(customers), "--out", str(report), "--key-column", "id"
    )
    rows = list(csv.DictReader(report.read_text("utf-8").splitlines()))
    assert [r["key"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[0]["ofac_status"] == "blocked" and rows[0]["uk_status"] == "blocked"
    assert rows[2]["ofac_status"] == "not_blocked" and rows[2]["ofac_flags"] == "no_ownership_data"
    assert rows[3]["name"].startswith("'=")  # a formula is written as text


def test_screening_an_unlisted_company_says_it_is_owned_by_listed_parties(home: Path) -> None:
    proc = sanctrace(home, "screen", "Kama Example Components LLC")
    assert (
        "Not listed, but blocked under OFAC as owned or controlled by listed parties" in proc.stdout
    )
    data = json.loads(
        sanctrace(home, "screen", "Kama Example Components LLC", "--format", "json").stdout
    )
    kinds = {(o["kind"], o["regime"], o["status"]) for o in data["ownership"]}
    assert ("owned_by_listed", "ofac", "blocked") in kinds and (
        "owned_by_listed",
        "uk",
        "blocked",
    ) in kinds
    assert all(o["regime"] != "eu" for o in data["ownership"])  # the EU list is not loaded
    plain = json.loads(sanctrace(home, "screen", "IEMZ Kupol", "--format", "json").stdout)
    assert plain["ownership"] == [] and plain["results"]


def test_entity_shows_what_the_party_holds(home: Path) -> None:
    proc = sanctrace(home, "entity", "gb_fcdo_sanctions:RUS0178")  # Almaz-Antey's UK record
    assert "Ownership and control" in proc.stdout and "Izhevsk Example Holding LLC" in proc.stdout
    data = json.loads(sanctrace(home, "entity", "us_ofac_sdn:16865", "--format", "json").stdout)
    held = {(s["role"], s["asset_name"], s["share"]["text"]) for s in data["ownership"]}
    assert held == {
        ("holds", "Izhevsk Example Holding LLC", "60"),
        ("holds", "Kama Example Components LLC", "25"),
    }


def test_the_links_the_lists_carry_are_kept_once(bundled_home: Path, tmp_path: Path) -> None:
    target = copy_home(bundled_home, tmp_path / "home")
    first = sanctrace(target, "ownership", "load", "--from-lists")
    assert "links the loaded lists carry" in first.stdout
    sanctrace(target, "ownership", "load", "--from-lists")
    loads = json.loads(sanctrace(target, "ownership", "loads", "--format", "json").stdout)
    assert [i["format"] for i in loads] == ["lists"] and loads[0]["edges"] > 1000
    data = json.loads(sanctrace(target, "entity", "us_ofac_sdn:46431", "--format", "json").stdout)
    linked = {s["asset"] for s in data["ownership"] if s["role"] == "linked to"}
    assert {"us_ofac_sdn:46437", "us_ofac_sdn:46441", "us_ofac_sdn:46442"} <= linked


def test_statuses_judges_every_company_at_once_as_check_does(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "statuses.csv"
    proc = sanctrace(home, "ownership", "statuses", "--out", str(out), "--all")
    assert (
        "companies as of" in proc.stderr and "eu: its own list eu_fsf is not loaded" in proc.stderr
    )
    rows = {
        (r["caption"], r["regime"]): r for r in csv.DictReader(out.read_text("utf-8").splitlines())
    }
    for company in ("Izhevsk Example Holding LLC", "Kama Example Components LLC"):
        for regime in ("ofac", "uk", "eu"):
            assert rows[company, regime]["status"] == verdict(home, company, regime)["status"]
    assert rows["Kama Example Components LLC", "eu"]["flags"] == "regime_list_not_loaded"
    early = tmp_path / "early.csv"
    sanctrace(
        home,
        "ownership",
        "statuses",
        "--out",
        str(early),
        "--regime",
        "ofac",
        "--as-of",
        "2021-06-01",
    )
    blocked = {r["caption"] for r in csv.DictReader(early.read_text("utf-8").splitlines())}
    assert "Izhevsk Example Holding LLC" in blocked and "Kama Example Components LLC" not in blocked
