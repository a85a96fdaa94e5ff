"""The command line speaks in parties (issue 16): `screen`, `screen-file` and `scan` give one
result per real-world party, with its listing on every list, on the real bundled lists."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from homes import copy_home, sanctrace

from sanctrace import audit
from sanctrace.store import open_store

KUPOL = {
    "us_ofac_sdn:46431",
    "au_dfat_sanctions:7904",
    "ca_dfatd_sema_sanctions:russia-1-part-2-306",
}
ALMAZ = {
    "us_ofac_sdn:16865",
    "au_dfat_sanctions:3018",
    "ca_dfatd_sema_sanctions:russia-1-part-2-20",
}


@pytest.fixture(scope="module")
def home(bundled_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled home (parties resolved): screening writes audit records."""
    return copy_home(bundled_home, tmp_path_factory.mktemp("parties-home"))


def _ids(result: dict) -> set[str]:
    """Every record id a result stands for (as ../shared/acceptance/result_ids.py reads it)."""
    return {result["id"], *result["referents"], *(d["id"] for d in result["listings"])}


@pytest.mark.parametrize(("name", "records"), [("IEMZ Kupol", KUPOL), ("Almaz-Antey", ALMAZ)])
def test_screen_gives_one_result_per_party(home: Path, name: str, records: set[str]) -> None:
    proc = sanctrace(home, "screen", name, "--schema", "Company", "--format", "json")
    results = json.loads(proc.stdout)["results"]
    first, later = results[0], results[1:]
    assert records <= set(first["referents"]) == {d["id"] for d in first["listings"]}
    assert first["id"].startswith("P-") and first["record_id"] in records
    assert {d["dataset"] for d in first["listings"]} >= {
        "us_ofac_sdn",
        "au_dfat_sanctions",
        "ca_dfatd_sema_sanctions",
    }
    assert first["datasets"] == sorted({d["dataset"] for d in first["listings"]})
    assert not [r["id"] for r in later if _ids(r) & records], "a later result repeats a listing"
    # every field a result had before stays (existing consumers keep working)
    assert {"dataset", "source_id", "schema", "caption", "score", "match"} <= set(first)
    assert {"matched_name", "explanation", "programs"} <= set(first)
    sdn = next(d for d in first["listings"] if d["dataset"] == "us_ofac_sdn")
    assert sdn["version"] == "2024-05-03" and sdn["names"] and sdn["programs"]
    assert sdn["score"] >= 0.8 and sdn["list"]


def test_screen_table_shows_the_listings_and_the_audit_names_them(home: Path) -> None:
    with open_store(str(home / "sanctrace.db")) as store:
        before = audit.count(store)
    table = sanctrace(home, "screen", "IEMZ Kupol", "--schema", "Company").stdout
    assert table.count("P-") == 1 and "3 listings" in table
    for record in KUPOL:
        assert record in table  # ids are never wrapped
    with open_store(str(home / "sanctrace.db")) as store:
        [record] = [r for r in audit.records(store) if r.seq > before]
    results = record.to_dict()["results"]
    assert {r["id"] for r in results} >= KUPOL  # every record: a decision may name any
    assert {r["party_id"] for r in results} == {results[0]["party_id"]}
    assert results[0]["party_id"].startswith("P-") and results[0]["record_score"] >= 0.8


def test_screen_file_gives_one_row_per_party(home: Path, tmp_path: Path) -> None:
    source = tmp_path / "names.csv"
    source.write_text(
        "id,name\nC-1,IEMZ Kupol\nC-2,Almaz-Antey\nC-3,Margaret Thistlewood\n", encoding="utf-8"
    )
    proc = sanctrace(home, "screen-file", str(source), "--schema", "Company", "--workers", "1")
    rows = list(csv.DictReader(io.StringIO(proc.stdout, newline="")))
    for key, records in (("C-1", KUPOL), ("C-2", ALMAZ)):
        mine = [r for r in rows if r["input_key"] == key]
        holding = [r for r in mine if set(r["record_ids"].split("; ")) & records]
        assert len(holding) == 1, holding
        [row] = holding
        assert records <= set(row["record_ids"].split("; "))
        assert row["party_id"].startswith("P-") and row["id"] in records
        assert {"us_ofac_sdn", "au_dfat_sanctions"} <= set(row["datasets"].split("; "))
        assert len({r["party_id"] for r in mine}) == len(mine)  # no party twice for a name
    assert [r["party_id"] for r in rows if r["input_key"] == "C-3"] == [""]


def test_scan_names_each_party_once(home: Path, tmp_path: Path) -> None:
    news = tmp_path / "news.txt"
    text = (
        "Investigators say IEMZ Kupol supplied the drones. A spokesman for IEMZ Kupol "
        "declined to comment.\n"
    )
    news.write_text(text, encoding="utf-8")
    [document] = json.loads(sanctrace(home, "scan", str(news), "-f", "json").stdout)["documents"]
    [kupol] = [p for p in document["parties"] if set(p["referents"]) & KUPOL]
    assert set(kupol["referents"]) >= KUPOL and kupol["id"].startswith("P-")
    starts = [text.index("IEMZ Kupol"), text.rindex("IEMZ Kupol")]
    assert [m["start"] for m in kupol["mentions"]] == starts
    assert all(f["party_id"] == kupol["id"] for f in document["findings"] if f["id"] in KUPOL)
    table = sanctrace(home, "scan", str(news)).stdout
    assert table.count(kupol["id"]) == 1
    assert all(record in table for record in KUPOL)
    html = tmp_path / "news.html"
    sanctrace(home, "scan", str(news), "-o", str(html))
    page = html.read_text(encoding="utf-8")
    assert page.count('<section class="entity"') == len(document["parties"])
    assert page.count(f'id="entity-{kupol["id"]}"') == 1
    assert all(f'id="entity-{record}"' in page for record in KUPOL)
