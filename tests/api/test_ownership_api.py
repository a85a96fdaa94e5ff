"""GET /ownership/check answers as `sanctrace ownership check --format json`, per regime, on
the real bundled lists with the founding case's stakes loaded (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sanctrace.ownership.sources import read_edges
from sanctrace.ownership.store import save_edges, unload
from sanctrace.store import Store

FOUNDING = Path(__file__).resolve().parents[2] / "examples" / "data" / "founding_case_stakes.csv"


@pytest.fixture
def stakes(store: Store) -> Iterator[None]:
    kind, edges = read_edges(FOUNDING)
    info = save_edges(store, FOUNDING, kind, edges)
    yield
    if not info.already:
        unload(store, info.load_id)


@pytest.mark.usefixtures("stakes")
def test_the_check_gives_each_regimes_status_and_trace(
    client: TestClient, auth: dict[str, str]
) -> None:
    got = client.get(
        "/ownership/check",
        params={
            "q": "Kama Example Components LLC",
            "regime": ["ofac", "uk"],
            "as_of": "2024-01-01",
        },
        headers=auth,
    )
    assert got.status_code == 200, got.text
    data = got.json()
    assert [(r["regime"], r["status"]) for r in data["results"]] == [
        ("ofac", "blocked"),
        ("uk", "blocked"),
    ]
    assert data["results"][0]["trace"]["groups"][0]["sum"] == "55%"
    assert data["as_of"] == "2024-01-01"
    early = client.get(
        "/ownership/check",
        params={"q": "Kama Example Components LLC", "regime": "ofac", "as_of": "2021-01-01"},
        headers=auth,
    )
    assert early.json()["results"][0]["status"] == "not_blocked"


@pytest.mark.usefixtures("stakes")
def test_bad_questions_get_clear_answers(client: TestClient, auth: dict[str, str]) -> None:
    assert (
        client.get("/ownership/check", params={"q": "Kama Example Components LLC"}).status_code
        == 401
    )
    missing = client.get("/ownership/check", params={"q": "No Such Trading LLC"}, headers=auth)
    assert missing.status_code == 404 and "no company named" in missing.text
    regime = client.get("/ownership/check", params={"q": "x", "regime": "ch"}, headers=auth)
    assert regime.status_code == 422 and "unknown regime" in regime.text
    day = client.get("/ownership/check", params={"q": "x", "as_of": "2024-13-01"}, headers=auth)
    assert day.status_code == 422
    assert any(
        i["file"] == FOUNDING.name for i in client.get("/ownership/loads", headers=auth).json()
    )


@pytest.mark.usefixtures("stakes")
def test_screening_an_unlisted_company_reports_its_listed_owners(
    client: TestClient, auth: dict[str, str]
) -> None:
    got = client.post("/screen", json={"name": "Kama Example Components LLC"}, headers=auth)
    assert got.status_code == 200, got.text
    owned = {(o["kind"], o["regime"], o["status"]) for o in got.json()["ownership"]}
    assert ("owned_by_listed", "ofac", "blocked") in owned
    plain = client.post("/screen", json={"name": "IEMZ Kupol"}, headers=auth).json()
    assert plain["ownership"] == [] and plain["results"]


@pytest.mark.usefixtures("stakes")
def test_exposure_answers_for_many_counterparties(client: TestClient, auth: dict[str, str]) -> None:
    body = {
        "companies": [
            {"name": "Kama Example Components LLC"},
            {"id": "us_ofac_sdn:16865"},
            {"name": "Quiet Meadow Bakery Ltd"},
        ],
        "regime": ["ofac"],
    }
    got = client.post("/ownership/exposure", json=body, headers=auth)
    assert got.status_code == 200, got.text
    results = got.json()["results"]
    assert [r["results"][0]["status"] if r["results"] else None for r in results] == [
        "blocked",
        "blocked",
        None,
    ]
    assert results[1]["results"][0]["basis"] == "listed" and results[2]["id"] is None
    too_many = {"companies": [{"name": "x"}] * 1001}
    assert client.post("/ownership/exposure", json=too_many, headers=auth).status_code == 422
