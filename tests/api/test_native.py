"""Native endpoints: /screen (the CLI's JSON contract), /lists, /healthz, /readyz, /metrics,
/audit, the OpenAPI docs."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from apikit import KUPOL
from fastapi.testclient import TestClient

from sanctrace.api import ApiSettings, create_app
from sanctrace.keys import ApiKey
from sanctrace.store import open_store

MakeKey = Callable[[str], tuple[ApiKey, dict[str, str]]]


def test_screen_answers_like_the_cli(client: TestClient, auth: dict[str, str]) -> None:
    body = {"name": "IEMZ Kupol", "datasets": ["us_ofac_sdn"]}
    response = client.post("/screen", json=body, headers=auth)
    assert response.status_code == 200, response.text
    data = response.json()
    assert set(data) == {"query", "datasets", "threshold", "results", "ownership"}
    assert data["query"] == {
        "name": "IEMZ Kupol",
        "schema": None,
        "countries": [],
        "birth_dates": [],
        "identifiers": [],
    }
    assert data["datasets"] == [
        {
            "dataset": "us_ofac_sdn",
            "version": "2024-05-03",
            "published": "2024-05-03",
            "entities": 14965,
        }
    ]
    assert data["threshold"] == 0.8
    [result] = data["results"]
    assert set(result) == {
        "id",
        "dataset",
        "source_id",
        "schema",
        "caption",
        "score",
        "match",
        "matched_name",
        "explanation",
        "programs",
        "record_id",
        "referents",
        "datasets",
        "listings",
        "list_version",
    }
    # One result per party; screened against OFAC's list alone, it shows that listing only.
    assert result["id"].startswith("P-") and result["match"] is True
    assert result["record_id"] == "us_ofac_sdn:46431"
    assert result["referents"] == ["us_ofac_sdn:46431"]
    assert result["datasets"] == ["us_ofac_sdn"]
    assert [d["version"] for d in result["listings"]] == ["2024-05-03"]
    assert result["list_version"] == {
        "dataset": "us_ofac_sdn",
        "version": "2024-05-03",
        "published": "2024-05-03",
    }
    assert result["programs"] == ["RUSSIA-EO14024"]
    full = client.post(
        "/screen",
        json={
            "name": "Kim Jong Un",
            "schema": "Person",
            "birth_dates": ["1984"],
            "countries": ["KP"],
        },
        headers=auth,
    ).json()
    assert full["query"]["birth_dates"] == ["1984"] and full["query"]["countries"] == ["KP"]
    assert full["results"] and len(full["datasets"]) == 6


def test_screen_bad_input(client: TestClient, auth: dict[str, str]) -> None:
    def detail(body: Any, status: int = 422) -> Any:
        response = client.post("/screen", json=body, headers=auth)
        assert response.status_code == status, response.text
        return response.json()["detail"]

    assert detail({"name": "x" * 10_000})[0]["loc"] == ["body", "name"]
    assert detail({"name": "x" * 10_000})[0]["input"] == "<10,000 characters>"  # not echoed
    assert detail({"name": "x", "colour": "red"})[0]["loc"] == ["body", "colour"]
    assert detail({"name": 7})[0]["loc"] == ["body", "name"]
    assert detail({"name": ""})[0]["loc"] == ["body", "name"]
    assert detail({"name": "x", "schema": "Ship"})[0]["loc"] == ["body", "schema"]
    assert detail({"name": "x", "countries": ["Atlantis"]})[0]["loc"] == ["body", "countries", 0]
    assert detail({"name": "x", "birth_dates": ["soon"]})[0]["loc"] == ["body", "birth_dates", 0]
    assert detail({"name": "x", "threshold": 1.5})[0]["loc"] == ["body", "threshold"]
    assert "eu_fsf" in detail({"name": "x", "datasets": ["eu_fsf"]}, 404)


def test_lists_health_and_docs(client: TestClient, auth: dict[str, str]) -> None:
    lists = client.get("/lists", headers=auth).json()
    assert {v["dataset"] for v in lists} >= {"us_ofac_sdn", "un_sc_sanctions"}
    assert all(v["indexed"] and v["active"] for v in lists)
    assert client.get("/healthz").json() == {"status": "ok"}  # no key needed
    assert client.get("/readyz").json() == {"status": "ok"}
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/match/{dataset}", "/search/{dataset}", "/entities/{entity_id}", "/screen"} <= set(
        paths
    )


def test_readyz_waits_for_the_index(db: str) -> None:
    app = create_app(open_store(db), settings=ApiSettings())
    with TestClient(app) as client:
        first = client.get("/readyz")
        assert first.status_code in (200, 503)
        if first.status_code == 503:
            assert first.json() == {"detail": "Index not ready."}
        deadline = time.monotonic() + 60
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the index did not load in 60 s"
            time.sleep(0.05)
        assert client.get("/healthz").status_code == 200


def test_metrics(client: TestClient, make_key: MakeKey) -> None:
    _, screener = make_key("screener")
    _, admin = make_key("admin")
    client.post("/match/default", json=KUPOL, headers=screener)
    assert client.get("/metrics", headers=screener).status_code == 403
    response = client.get("/metrics", headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'sanctrace_http_requests_total{method="POST",route="/match/{dataset}",status="200"} 1.0'
        in text
    )
    assert 'sanctrace_screenings_total{endpoint="match"} 1.0' in text
    assert "sanctrace_audit_records_total 1.0" in text
    assert "sanctrace_http_request_duration_seconds_bucket" in text
    assert "sanctrace_ready 1.0" in text


def test_audit_endpoint_needs_analyst(client: TestClient, make_key: MakeKey) -> None:
    key, screener = make_key("screener")
    _, analyst = make_key("analyst")
    client.post("/match/default", json=KUPOL, headers=screener)
    assert client.get("/audit", headers=screener).status_code == 403
    response = client.get("/audit", params={"since": "2000-01-01"}, headers=analyst)
    assert response.status_code == 200
    data = response.json()
    mine = [r for r in data["records"] if r["caller"] == key.id]
    assert len(mine) == 1 and mine[0]["kind"] == "match"
    assert data["head"]["seq"] >= mine[0]["seq"]
    assert client.get("/audit", params={"since": "soon"}, headers=analyst).status_code == 422
