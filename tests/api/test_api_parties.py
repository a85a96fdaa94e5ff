"""The HTTP API speaks in parties (issue 16) on the real bundled lists: one result per party in
/match, /screen and /search, with every record of it in ``referents`` and ``listings``;
/entities answers a party id, a merged party's former id or any record id; the audit keeps
party and record ids; a failed reload leaves the previous index and parties serving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from apikit import KUPOL
from fastapi.testclient import TestClient
from homes import copy_home

from sanctrace import audit, keys
from sanctrace.api import ApiSettings, create_app
from sanctrace.api.service import Service
from sanctrace.match import Screener
from sanctrace.resolve.store import judge
from sanctrace.store import Store, open_store

KUPOL_RECORDS = {
    "us_ofac_sdn:46431",
    "au_dfat_sanctions:7904",
    "ca_dfatd_sema_sanctions:russia-1-part-2-306",
}
KUPOL_DATASETS = {"us_ofac_sdn", "au_dfat_sanctions", "ca_dfatd_sema_sanctions"}


def _kupol(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The one result standing for Kupol's records; no other result repeats one of them."""
    owners = [r for r in results if KUPOL_RECORDS & set(r["referents"])]
    assert len(owners) == 1, [r["id"] for r in owners]
    return owners[0]


def test_match_gives_kupol_once_with_its_three_listings(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.post("/match/default", json=KUPOL, headers=auth)
    assert response.status_code == 200, response.text
    results = response.json()["responses"]["q1"]["results"]
    kupol = results[0]
    assert kupol is _kupol(results)
    assert kupol["id"].startswith("P-")
    assert set(kupol["referents"]) == KUPOL_RECORDS
    assert set(kupol["datasets"]) == KUPOL_DATASETS
    assert kupol["record_id"] in KUPOL_RECORDS
    assert kupol["match"] and kupol["score"] >= 0.8
    # Properties unioned across the listings: the Russian name is only on the Canadian list,
    # the INN only on OFAC's; the OFAC caption names the party.
    assert any("Купол" in n for n in kupol["properties"]["alias"])
    assert "1831083343" in kupol["properties"]["innCode"]
    assert kupol["caption"] == "JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL"
    listings = {d["id"]: d for d in kupol["listings"]}
    assert set(listings) == KUPOL_RECORDS
    sdn = listings["us_ofac_sdn:46431"]
    assert sdn["dataset"] == "us_ofac_sdn" and sdn["version"] == "2024-05-03"
    assert sdn["list"] and sdn["programs"] and sdn["names"]
    canada = listings["ca_dfatd_sema_sanctions:russia-1-part-2-306"]
    assert canada["listed_on"] == "2023-02-23" and canada["programs"] == ["Russia"]


def test_match_excludes_a_party_by_its_id(client: TestClient, auth: dict[str, str]) -> None:
    first = client.post("/match/default", json=KUPOL, headers=auth).json()
    party = first["responses"]["q1"]["results"][0]["id"]
    again = client.post(
        "/match/default", params={"exclude_entity_ids": party}, json=KUPOL, headers=auth
    ).json()
    assert all(r["id"] != party for r in again["responses"]["q1"]["results"])


def test_match_on_one_list_shows_that_lists_listing(
    client: TestClient, auth: dict[str, str]
) -> None:
    answer = client.post("/match/au_dfat_sanctions", json=KUPOL, headers=auth).json()
    kupol = _kupol(answer["responses"]["q1"]["results"])
    assert kupol["referents"] == ["au_dfat_sanctions:7904"]
    assert kupol["datasets"] == ["au_dfat_sanctions"]


def test_entities_answers_the_party_by_any_of_its_ids(
    client: TestClient, auth: dict[str, str]
) -> None:
    found = client.post("/match/default", json=KUPOL, headers=auth).json()
    party = found["responses"]["q1"]["results"][0]["id"]
    for any_id in (party, "us_ofac_sdn:46431", "au_dfat_sanctions:7904"):
        response = client.get(f"/entities/{any_id}", headers=auth)
        assert response.status_code == 200, response.text
        data = response.json()
        assert data["id"] == party
        assert set(data["referents"]) == KUPOL_RECORDS
        assert set(data["datasets"]) == KUPOL_DATASETS
        assert {d["id"] for d in data["listings"]} == KUPOL_RECORDS
        # nested: every listing's sanctions inline
        assert len(data["properties"]["sanctions"]) >= 3
    assert client.get("/entities/P-nosuchpart", headers=auth).status_code == 404
    assert client.get("/entities/us_ofac_sdn:0", headers=auth).status_code == 404


def test_screen_gives_one_result_per_party(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/screen", json={"name": "IEMZ Kupol", "schema": "Company", "limit": 3}, headers=auth
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) <= 3
    kupol = _kupol(results)
    assert kupol is results[0] and kupol["id"].startswith("P-")
    assert set(kupol["referents"]) == KUPOL_RECORDS
    assert set(kupol["datasets"]) == KUPOL_DATASETS
    assert {d["id"] for d in kupol["listings"]} == KUPOL_RECORDS


def test_search_gives_one_result_per_party(client: TestClient, auth: dict[str, str]) -> None:
    data = client.get("/search/default", params={"q": "IEMZ Kupol"}, headers=auth).json()
    kupol = _kupol(data["results"])
    assert set(kupol["referents"]) == KUPOL_RECORDS
    datasets = {v["name"]: v["count"] for v in data["facets"]["datasets"]["values"]}
    assert {d: datasets[d] for d in KUPOL_DATASETS} == dict.fromkeys(KUPOL_DATASETS, 1)


def test_audit_keeps_party_and_record_ids(client: TestClient, store: Store, make_key: Any) -> None:
    key, headers = make_key("screener")
    client.post("/match/default", json=KUPOL, headers=headers)
    client.post("/screen", json={"name": "IEMZ Kupol", "schema": "Company"}, headers=headers)
    match, screen = [r for r in audit.records(store) if r.caller == key.id]
    for kept in (match.record["results"]["q1"], screen.record["results"]):
        # Each record of a party result, with the party's id, as sanctrace screen keeps it.
        kupol = [r for r in kept if r["id"] in KUPOL_RECORDS]
        assert {r["id"] for r in kupol} == KUPOL_RECORDS
        [party] = {r["party_id"] for r in kupol}
        assert party.startswith("P-")


@pytest.fixture
def own_home(sqlite_db: str, client: TestClient, tmp_path: Path) -> Path:
    """A home of this test's own with the parties resolved (``client`` resolved them)."""
    return copy_home(Path(sqlite_db).parent, tmp_path / "home")


def test_entities_follows_a_merged_partys_former_id(own_home: Path, screener: Screener) -> None:
    db = str(own_home / "sanctrace.db")
    with open_store(db) as store:
        service = Service(store, screener)
        kupol = service.parties.canonical("us_ofac_sdn:46431")
        other = service.parties.canonical("gb_fcdo_sanctions:BEL0001")  # on no list of Kupol's
        assert other != kupol
        _, parties = judge(
            store, "us_ofac_sdn:46431", "gb_fcdo_sanctions:BEL0001", "same", "test", "to merge"
        )
        assert parties.canonical(kupol) == parties.canonical(other)
        _, secret = keys.create_key(store, "test", "screener")
        service.close()  # closes the store it was given, too
    app = create_app(open_store(db), settings=ApiSettings(), screener=screener)
    with TestClient(app) as client:
        headers = {"Authorization": f"ApiKey {secret}"}
        answers = [client.get(f"/entities/{i}", headers=headers).json() for i in (kupol, other)]
    assert answers[0]["id"] == answers[1]["id"] in {kupol, other}
    assert {"us_ofac_sdn:46431", "gb_fcdo_sanctions:BEL0001"} <= set(answers[0]["referents"])


def test_a_failed_reload_leaves_the_previous_state_serving(
    own_home: Path, screener: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(str(own_home / "sanctrace.db")) as store:
        service = Service(store, screener)
        before = service.parties
        party = before.party_of("us_ofac_sdn:46431")

        def broken(*_: Any) -> Any:
            raise RuntimeError("resolution broke")

        monkeypatch.setattr("sanctrace.api.service.ensure_parties", broken)
        with pytest.raises(RuntimeError):
            service.load()
        assert service.ready.is_set() and service.load_error is None
        assert service.reload_error == "resolution broke"
        assert service.screener is screener and service.parties is before
        monkeypatch.undo()
        service.load()
        assert service.reload_error is None and service.screener is not screener
        assert service.parties.party_of("us_ofac_sdn:46431") == party
        service.close()
