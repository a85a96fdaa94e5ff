"""yente-compatible endpoints on the real bundled lists, SQLite and PostgreSQL: request and
response shapes, parameters, and the status code and error body of every bad input."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from apikit import KUPOL, audit_delta
from fastapi.testclient import TestClient

from sanctrace.store import Store

RESULT_FIELDS = {
    "id",
    "caption",
    "schema",
    "properties",
    "datasets",
    "referents",
    "target",
    "first_seen",
    "last_seen",
    "last_change",
    "score",
    "match",
    "explanations",
    "record_id",
    "list_version",
    "listings",
}
ENTITY_FIELDS = RESULT_FIELDS - {"score", "match", "explanations", "record_id", "list_version"}
#: A search hit: the party, its best score against q, the record and the list version it is of.
SEARCH_FIELDS = ENTITY_FIELDS | {"score", "record_id", "list_version"}


def own_list_version(result: dict[str, Any]) -> dict[str, Any]:
    """The list version of the result's record, as its listing says."""
    [listed] = [d for d in result["listings"] if d["id"] == result["record_id"]]
    return {k: listed[k] for k in ("dataset", "version", "published")}


KUPOL_RECORDS = [
    "us_ofac_sdn:46431",
    "au_dfat_sanctions:7904",
    "ca_dfatd_sema_sanctions:russia-1-part-2-306",
]


def query(schema: str | None = "Company", **properties: Any) -> dict[str, Any]:
    example: dict[str, Any] = {"properties": properties}
    if schema is not None:
        example["schema"] = schema
    return {"queries": {"q1": example}}


def test_match_kupol_in_yentes_shape(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/match/default", json=KUPOL, headers=auth)
    assert response.status_code == 200, response.text
    assert response.headers["x-batch-size"] == "1"
    data = response.json()
    assert set(data) == {"responses", "limit"}
    assert data["limit"] == 5  # yente's default
    answer = data["responses"]["q1"]
    assert set(answer) == {"status", "results", "total", "query"}
    assert answer["status"] == 200
    assert answer["query"] == {
        "id": None,
        "schema": "Company",
        "properties": {"name": ["IEMZ Kupol"]},
    }
    results = answer["results"]
    assert 1 <= len(results) <= 5
    assert all(set(r) == RESULT_FIELDS for r in results)
    assert all(r["list_version"] == own_list_version(r) for r in results)  # each hit its own
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert all(r["score"] >= 0.8 and r["match"] for r in results)  # sanctrace's threshold
    assert answer["total"] == {"value": sum(r["match"] for r in results), "relation": "eq"}
    # One result for the party, with its three lists' records (yente's merged-entity fields).
    [kupol] = [r for r in results if "us_ofac_sdn:46431" in r["referents"]]
    assert kupol["id"].startswith("P-")
    assert kupol["schema"] == "Company"
    assert kupol["caption"] == "JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL"
    assert sorted(kupol["referents"]) == sorted(KUPOL_RECORDS)
    assert kupol["datasets"] == ["au_dfat_sanctions", "ca_dfatd_sema_sanctions", "us_ofac_sdn"]
    assert kupol["record_id"] == "au_dfat_sanctions:7904"  # "IEMZ Kupol JSC", exact
    assert kupol["target"] is True
    assert kupol["last_seen"] == "2025-03-20T00:00:00"  # the newest of its lists
    props = kupol["properties"]
    assert "JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL" in props["name"]
    assert "IEMZ Kupol JSC" in props["alias"]  # Australia's
    assert "1831083343" in props["taxNumber"]
    assert props["topics"] == ["sanction"]
    assert all(isinstance(v, list) for v in props.values())
    name = kupol["explanations"]["name"]
    assert set(name) == {"score", "detail", "query", "candidate"}
    assert name["query"] == "IEMZ Kupol"
    assert name["candidate"] == "IEMZ Kupol JSC"
    assert kupol["score"] == 1.0
    sdn = client.post("/match/us_ofac_sdn", json=KUPOL, headers=auth).json()
    [kupol] = sdn["responses"]["q1"]["results"]
    assert kupol["referents"] == ["us_ofac_sdn:46431"]
    assert kupol["last_seen"] == "2024-05-03T00:00:00"
    name = kupol["explanations"]["name"]
    assert "iemz ~ izhevsk electromechanical plant (acronym 0.92)" in name["detail"]
    assert 0.9 <= kupol["score"] < 1.0


def test_match_takes_yentes_parameters(client: TestClient, auth: dict[str, str]) -> None:
    def results(path: str = "/match/default", body: Any = KUPOL, **params: Any) -> Any:
        response = client.post(path, json=body, params=params, headers=auth)
        assert response.status_code == 200, response.text
        return response.json()["responses"]["q1"]["results"]

    def ids(path: str = "/match/default", body: Any = KUPOL, **params: Any) -> list[str]:
        """The record ids of every result (one result per party)."""
        return [i for r in results(path, body, **params) for i in r["referents"]]

    assert "us_ofac_sdn:46431" in ids()
    assert ids("/match/us_ofac_sdn") == ["us_ofac_sdn:46431"]
    assert ids(include_dataset=["us_ofac_sdn"]) == ["us_ofac_sdn:46431"]
    without_sdn = ids(exclude_dataset=["us_ofac_sdn"])
    assert "us_ofac_sdn:46431" not in without_sdn and "au_dfat_sanctions:7904" in without_sdn
    assert ids(exclude_schema=["Company"]) == []
    # A record id or the party id leaves the whole party out.
    party = results()[0]["id"]
    assert "us_ofac_sdn:46431" not in ids(exclude_entity_ids=["us_ofac_sdn:46431"])
    assert "us_ofac_sdn:46431" not in ids(exclude_entity_ids=[party])
    assert len(results(limit=1)) == 1
    exact = results(threshold=0.99)
    assert [r["record_id"] for r in exact] == ["au_dfat_sanctions:7904"]  # "IEMZ Kupol JSC"
    # yente's deprecated cutoff keeps results under the threshold, flagged match=false.
    response = client.post(
        "/match/us_ofac_sdn", json=KUPOL, params={"threshold": 0.99, "cutoff": 0.8}, headers=auth
    )
    below = response.json()["responses"]["q1"]["results"]
    assert any(r["record_id"] == "us_ofac_sdn:46431" and not r["match"] for r in below)
    assert response.json()["responses"]["q1"]["total"]["value"] == 0
    for algorithm in ("best", "logic-v2", "sanctrace"):
        assert "us_ofac_sdn:46431" in ids(algorithm=algorithm)
    assert ids(topics=["sanction"]) and ids(topics=["role.pep"]) == []
    assert ids(changed_since="2024-01-01") and ids(changed_since="2030-01-01") == []


def test_match_reads_ftm_properties(client: TestClient, auth: dict[str, str]) -> None:
    def top(body: Any, path: str = "/match/default") -> dict[str, Any]:
        response = client.post(path, json=body, headers=auth)
        assert response.status_code == 200, response.text
        return response.json()["responses"]["q1"]  # type: ignore[no-any-return]

    # An identifier that agrees is a strong match on its own.
    answer = top(query(name="Unknown Trading LLC", taxNumber="1831083343"))
    first = answer["results"][0]
    assert first["record_id"] == "us_ofac_sdn:46431" and first["id"].startswith("P-")
    assert first["explanations"]["identifier"]["detail"] == "agree: 1831083343"
    # Countries and a single string instead of a list (yente takes both); OFAC's record
    # gives Kupol's country (the Australian one, which scores best by name, does not).
    answer = top(query(name="IEMZ Kupol", jurisdiction="Russia"), "/match/us_ofac_sdn")
    kupol = next(r for r in answer["results"] if "us_ofac_sdn:46431" in r["referents"])
    assert kupol["explanations"]["country"]["detail"] == "agree: RU"
    # Name parts make the name, as in yente.
    answer = top(query("Person", firstName="Jong Un", lastName="Kim", birthDate="1984"))
    assert answer["results"] and answer["results"][0]["schema"] == "Person"
    assert "Kim" in answer["results"][0]["caption"].title()
    # Several queries in one request, each answered under its key.
    body = copy.deepcopy(KUPOL)
    body["queries"]["other"] = {"schema": "Person", "properties": {"name": ["Xq Zzvv Pmm"]}}
    response = client.post("/match/default", json=body, headers=auth)
    assert response.headers["x-batch-size"] == "2"
    assert response.json()["responses"]["other"]["results"] == []
    # Any FtM property of the schema is accepted, used or not.
    assert top(query(name="IEMZ Kupol", address="Izhevsk", website="kupol.ru"))["results"]


def error(response: Any, status: int) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail"}
    return body["detail"]


def test_match_bad_input(client: TestClient, auth: dict[str, str], store: Store) -> None:
    def post(body: Any, path: str = "/match/default", **params: Any) -> Any:
        return client.post(path, json=body, params=params, headers=auth)

    with audit_delta(store) as delta:
        detail = error(post(query(None, name="x")), 422)  # no schema: FastAPI's 422, as yente
        assert detail[0]["loc"] == ["body", "queries", "q1", "schema"]
        assert detail[0]["type"] == "missing"
        detail = error(post(query("Spaceship", name="x")), 400)
        assert "Unknown schema: 'Spaceship'" in detail and "queries.q1.schema" in detail
        assert "Non-matchable" in error(post(query("Address", full="x")), 400)
        detail = error(post(query(name="x", shoeSize="44")), 400)
        assert "'shoeSize'" in detail and "queries.q1.properties.shoeSize" in detail
        many = {"queries": {f"q{i}": query(name="x")["queries"]["q1"] for i in range(101)}}
        assert error(post(many), 400) == "Too many queries in one batch (limit: 100)"
        assert error(post({"queries": {}}), 400) == "No queries provided."
        assert error(post(KUPOL, "/match/nowhere"), 404) == "No such dataset."
        assert error(post(KUPOL, algorithm="magic"), 400) == "Invalid algorithm: magic"
        assert "Invalid configuration parameter: x" in error(
            post({**KUPOL, "config": {"x": 1}}), 400
        )
        detail = error(post(query(name="x" * 10_000)), 422)
        assert detail[0]["loc"] == ["body", "queries", "q1", "properties", "name", 0]
        assert "10,000 characters" in detail[0]["msg"] and "limit is 500" in detail[0]["msg"]
        assert "queries.q1.properties.country" in error(
            post(query(name="x", country="Atlantis")), 400
        )
        assert "birthDate" in error(post(query("Person", name="x", birthDate="soon")), 400)
        assert "include_dataset" in error(post(KUPOL, include_dataset=["eu_fsf"]), 400)
        detail = error(post(query(name=5)), 422)  # wrong type
        assert detail[0]["loc"][:5] == ["body", "queries", "q1", "properties", "name"]
        detail = error(post({"queries": {"q1": {"schema": "Company", "properties": "IEMZ"}}}), 422)
        assert detail[0]["loc"] == ["body", "queries", "q1", "properties"]
        assert error(post(KUPOL, limit=501), 422)[0]["loc"] == ["query", "limit"]
        assert error(post(KUPOL, threshold=2), 422)[0]["loc"] == ["query", "threshold"]
        assert error(post(KUPOL, changed_since="yesterday"), 422)[0]["loc"] == [
            "query",
            "changed_since",
        ]
        response = client.post(
            "/match/default",
            content=b'{"queries": {"q1": ',
            headers={**auth, "Content-Type": "application/json"},
        )
        assert error(response, 422)[0]["type"] == "json_invalid"
    assert delta == [0]  # nothing was screened, so nothing was recorded


def test_search(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get("/search/default", params={"q": "IEMZ Kupol"}, headers=auth)
    assert response.status_code == 200, response.text
    data = response.json()
    assert set(data) == {"results", "facets", "total", "limit", "offset"}
    assert (data["limit"], data["offset"]) == (10, 0)
    assert data["total"]["relation"] == "eq" and data["total"]["value"] >= 1
    assert all(set(r) == SEARCH_FIELDS for r in data["results"])
    # Every hit scored, best first, and naming the list version of its record.
    scores = [r["score"] for r in data["results"]]
    assert all(isinstance(s, float) for s in scores) and scores == sorted(scores, reverse=True)
    assert all(r["list_version"] == own_list_version(r) for r in data["results"])
    # One result per party: Kupol's three records are one result.
    [kupol] = [r for r in data["results"] if "us_ofac_sdn:46431" in r["referents"]]
    assert sorted(kupol["referents"]) == sorted(KUPOL_RECORDS)
    assert kupol["score"] == 1.0 and kupol["record_id"] in KUPOL_RECORDS
    assert set(data["facets"]) == {"countries", "topics", "datasets"}
    datasets = {v["name"]: v for v in data["facets"]["datasets"]["values"]}
    assert datasets["us_ofac_sdn"]["count"] >= 1
    assert "OFAC" in datasets["us_ofac_sdn"]["label"]
    only = client.get(
        "/search/us_ofac_sdn", params={"q": "IEMZ Kupol", "limit": 1}, headers=auth
    ).json()
    assert [r["referents"] for r in only["results"]] == [["us_ofac_sdn:46431"]]
    browse = client.get(
        "/search/us_ofac_cons", params={"limit": 3, "offset": 3, "schema": "Person"}, headers=auth
    ).json()
    assert len(browse["results"]) == 3 and browse["total"]["value"] > 6
    assert all(r["schema"] == "Person" for r in browse["results"])
    assert all(r["score"] is None for r in browse["results"])  # browsing: no q, no score
    assert {r["list_version"]["dataset"] for r in browse["results"]} == {"us_ofac_cons"}
    assert (
        error(client.get("/search/default", params={"q": "x", "schema": "Nope"}, headers=auth), 400)
        == "Invalid schema"
    )
    detail = error(client.get("/search/default", params={"q": "x" * 1001}, headers=auth), 422)
    assert detail[0]["loc"] == ["query", "q"]
    assert error(client.get("/search/nowhere", params={"q": "x"}, headers=auth), 404)


def test_entities(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get("/entities/us_ofac_sdn:46431", headers=auth)
    assert response.status_code == 200, response.text
    entity = response.json()
    assert set(entity) == ENTITY_FIELDS
    # The party of the record, with every record of it.
    assert entity["id"].startswith("P-")
    assert sorted(entity["referents"]) == sorted(KUPOL_RECORDS)
    sanctions = entity["properties"]["sanctions"]
    assert sanctions[0]["schema"] == "Sanction"
    assert sanctions[0]["properties"]["program"] == ["RUSSIA-EO14024"]
    assert "entity" not in sanctions[0]["properties"]  # the back-reference is the parent
    ids = entity["properties"]["identification"]
    assert {"1831083343"} <= {i["properties"]["number"][0] for i in ids}
    flat = client.get("/entities/us_ofac_sdn:46431", params={"nested": False}, headers=auth)
    assert "sanctions" not in flat.json()["properties"]
    assert error(client.get("/entities/us_ofac_sdn:0", headers=auth), 404) == "No such entity!"
    assert error(client.get("/entities/nothing", headers=auth), 404)


def test_catalog_and_algorithms(client: TestClient, auth: dict[str, str]) -> None:
    data = client.get("/catalog", headers=auth).json()
    assert set(data) == {"datasets", "current", "outdated", "index_stale"}
    by_name = {d["name"]: d for d in data["datasets"]}
    assert by_name["us_ofac_sdn"]["version"] == "2024-05-03"
    assert by_name["us_ofac_sdn"]["entity_count"] == 14965
    assert by_name["us_ofac_sdn"]["load"] is True
    assert set(by_name["default"]["children"]) == {
        "us_ofac_sdn",
        "us_ofac_cons",
        "un_sc_sanctions",
        "gb_fcdo_sanctions",
        "ca_dfatd_sema_sanctions",
        "au_dfat_sanctions",
    }
    assert data["outdated"] == [] and data["index_stale"] is False
    assert "default" in data["current"]
    algorithms = client.get("/algorithms", headers=auth).json()
    assert algorithms["best"] == algorithms["default"] == "sanctrace"
    assert algorithms["algorithms"][0]["name"] == "sanctrace"


@pytest.mark.parametrize("path", ["/match/default", "/search/default?q=x", "/catalog"])
def test_yente_endpoints_need_a_key(client: TestClient, path: str) -> None:
    response = client.post(path, json=KUPOL) if path.startswith("/match") else client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "ApiKey"
