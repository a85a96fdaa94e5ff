"""Bounded request cost and client errors as 4xx (issue 14, findings 4, 5, 6 and 8): each
test sends the attack of the finding and checks that it is refused before any work or audit."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from apikit import KUPOL, audit_delta
from fastapi import HTTPException
from fastapi.testclient import TestClient

from sanctrace.api.cost import Costs, match_cost, name_units, query_names
from sanctrace.api.limits import RateLimiter
from sanctrace.api.metrics import Metrics
from sanctrace.api.settings import ApiSettings
from sanctrace.errors import SanctraceError
from sanctrace.keys import ApiKey
from sanctrace.store import Store

MakeKey = Callable[[str], tuple[ApiKey, dict[str, str]]]
ClientFactory = Callable[..., TestClient]


def body(queries: int, names: int, words: int = 3) -> dict[str, Any]:
    name = " ".join(["Kupol"] * words)
    return {
        "queries": {
            f"q{i}": {
                "schema": "Company",
                "properties": {"name": [f"{name} {i} {n}" for n in range(names)]},
            }
            for i in range(queries)
        }
    }


def metric(client: TestClient, admin: dict[str, str], name: str) -> float:
    text = client.get("/metrics", headers=admin).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"no metric {name}")


# -- request cost ------------------------------------------------------------------------------


def test_the_100_by_50_body_is_refused_before_any_work(
    client: TestClient, auth: dict[str, str], make_key: MakeKey, store: Store
) -> None:
    """The finding: 100 queries x 50 names (under 1 MB) took 42 s of CPU and answered 37 MB."""
    attack = body(100, 50)
    assert len(json.dumps(attack)) < 1_000_000
    _, admin = make_key("admin")
    with audit_delta(store) as added:
        response = client.post("/match/default?threshold=0&limit=500", json=attack, headers=auth)
        assert response.status_code == 413 and "50,000 results" in response.json()["detail"]
        response = client.post("/match/default?threshold=0", json=attack, headers=auth)
        assert response.status_code == 422
        assert "50 names; the limit is 20" in response.json()["detail"][0]["msg"]
        # Within the names limit the whole request still costs too much: 413 naming the limit.
        response = client.post("/match/default", json=body(100, 20), headers=auth)
        assert response.status_code == 413
        detail = response.json()["detail"]
        assert "costs 2,000 units; the limit is 1,000" in detail and "split" in detail
        # ... and the answer's size is bounded by queries x limit before any work.
        response = client.post("/match/default?limit=500", json=body(20, 1), headers=auth)
        assert response.status_code == 413 and "10,000 results" in response.json()["detail"]
    assert added == [0]
    assert metric(client, admin, "sanctrace_request_cost_total") == 0
    # At the limits a request runs: 100 queries of one name each.
    response = client.post("/match/default?limit=5", json=body(100, 1), headers=auth)
    assert response.status_code == 200 and len(response.json()["responses"]) == 100


def test_cost_is_charged_to_the_key(make_client: ClientFactory, make_key: MakeKey) -> None:
    client = make_client(max_request_cost=10, cost_burst=10, cost_rate=0.01)
    _, first = make_key("screener")
    _, second = make_key("screener")
    cheap = "/match/default?threshold=0.05"  # a low threshold opens the index: x4
    assert client.post(cheap, json=body(1, 3), headers=first).status_code == 413  # 12 units
    assert client.post(cheap, json=body(1, 2), headers=first).status_code == 200  # 8 units
    response = client.post(cheap, json=body(1, 2), headers=first)
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 100
    assert "costs 8 units" in response.json()["detail"]
    # One name at the default threshold is one unit, and each key has its own bucket.
    assert client.post("/match/default", json=body(1, 1), headers=first).status_code == 200
    assert client.post(cheap, json=body(1, 2), headers=second).status_code == 200
    # /screen and /search are charged too.
    response = client.post("/screen", json={"name": "Kupol", "threshold": 0.05}, headers=first)
    assert response.status_code == 429


def test_query_key_is_bounded_before_audit(
    client: TestClient, auth: dict[str, str], store: Store
) -> None:
    """The finding: a 0.9 MB query key was stored in the audit chain."""
    query = KUPOL["queries"]["q1"]
    with audit_delta(store) as added:
        response = client.post(
            "/match/default", json={"queries": {"k" * 900_000: query}}, headers=auth
        )
    assert response.status_code == 422 and added == [0]
    error = response.json()["detail"][0]
    assert "900,000 characters long; the limit is 200" in error["msg"]
    assert len(response.content) < 1000  # the key is not echoed
    ok = client.post("/match/default", json={"queries": {"k" * 200: query}}, headers=auth)
    assert ok.status_code == 200


def test_answer_size_limit_refuses_without_audit(
    make_client: ClientFactory, auth: dict[str, str], store: Store
) -> None:
    client = make_client(max_response_bytes=10_000)
    with audit_delta(store) as added:
        response = client.post(
            "/match/default?threshold=0&limit=50", json=body(10, 2), headers=auth
        )
    assert response.status_code == 413 and added == [0]
    assert "over the limit of 10,000" in response.json()["detail"]


def test_name_length_limit(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/screen", json={"name": "x " * 300}, headers=auth)
    assert response.status_code == 422 and "limit is 500" in response.json()["detail"][0]["msg"]
    response = client.get("/search/default", params={"q": "x" * 501}, headers=auth)
    assert response.status_code == 422


def test_cost_model() -> None:
    assert name_units("IEMZ Kupol") == 1
    assert name_units(" ".join(["word"] * 150)) == 1 + 150 // 8
    assert name_units("华" * 130) == 1 + 130 // 60  # no spaces: by characters
    settings = ApiSettings()
    assert match_cost({"q": {"name": ["a", "b"]}}, 0.8, 5, settings) == 2
    assert match_cost({"q": {"name": ["a", "b"]}}, 0.3, 5, settings) == 4
    assert match_cost({"q": {"name": ["a", "b"]}}, 0.0, 5, settings) == 8
    assert match_cost({"q": {"taxNumber": "123"}}, 0.8, 5, settings) == 1
    assert query_names({"firstName": ["A", "B"], "lastName": "C"}) == ["A C", "B C"]
    with pytest.raises(SanctraceError, match="cost-burst"):
        ApiSettings(max_request_cost=100, cost_burst=10)
    with pytest.raises(SanctraceError, match="max-name-chars"):
        ApiSettings(max_name_chars=5000)


def test_rate_limiter_charges_cost_and_stays_bounded() -> None:
    limiter = RateLimiter(rate=10, burst=100)
    assert limiter.take("k", now=0.0, cost=100) == 0
    assert limiter.take("k", now=0.0, cost=50) == pytest.approx(5.0)
    assert limiter.wait("k", now=0.0) == pytest.approx(0.1)
    assert limiter.take("k", now=5.0, cost=50) == 0  # refilled, nothing taken on refusal
    limiter.max_entries = 10
    for i in range(50):
        limiter.take(f"a{i}", now=100.0 + i)
    assert len(limiter._buckets) <= 11


def test_costly_requests_queue_then_are_refused() -> None:
    """At most ``costly_threads`` costly requests run; ``costly_queue`` more wait; then 503."""
    costs = Costs(ApiSettings(costly_cost=5, costly_threads=1, costly_queue=1), Metrics())
    release = threading.Event()
    started = threading.Event()
    outcomes: list[Any] = []

    def slow() -> str:
        started.set()
        release.wait(10)
        return "done"

    async def main() -> None:
        async def run(cost: int) -> None:
            try:
                outcomes.append(await costs.run("k", cost, slow))
            except HTTPException as exc:
                outcomes.append(exc.status_code)

        async with anyio.create_task_group() as tg:
            tg.start_soon(run, 10)
            await anyio.to_thread.run_sync(started.wait, 10)
            tg.start_soon(run, 10)  # waits for the costly thread
            await anyio.sleep(0.05)
            await run(10)  # neither runs nor waits: 503
            release.set()
        assert await costs.run("k", 1, lambda: "cheap") == "cheap"

    anyio.run(main)
    assert sorted(map(str, outcomes)) == ["503", "done", "done"]


# -- 500s that are client errors ---------------------------------------------------------------


def test_lone_surrogates_are_422_and_never_reach_the_audit(
    client: TestClient, auth: dict[str, str], make_key: MakeKey, store: Store
) -> None:
    _, admin = make_key("admin")
    json_headers = {**auth, "Content-Type": "application/json"}
    bodies = [
        ("/screen", b'{"name": "ab\\ud800c"}'),
        (
            "/match/default",
            b'{"queries": {"q": {"schema": "Company", "properties": {"name": ["ab\\udfffc"]}}}}',
        ),
        (
            "/match/default",
            b'{"queries": {"q\\ud800": {"schema": "Company", "properties": {"name": ["Kupol"]}}}}',
        ),
        (
            "/match/default",
            b'{"queries": {"q": {"schema": "Company", "properties": {"name\\ud800": ["Kupol"]}}}}',
        ),
        ("/decisions", b'{"screening": 1, "entity": "\\ud800", "decision": "match"}'),
        ("/screen", b'{"name": "nul \\u0000 inside"}'),
    ]
    with audit_delta(store) as added:
        for path, raw in bodies:
            response = client.post(path, content=raw, headers={**json_headers, **admin})
            assert response.status_code == 422, (path, raw, response.text)
            msg = response.json()["detail"][0]["msg"]
            assert "surrogate" in msg or "NUL" in msg
    assert added == [0]
    assert metric(client, admin, "sanctrace_audit_failures_total") == 0
    # A surrogate pair is one character, and welcome.
    ok = client.post("/screen", content=b'{"name": "Kupol \\ud83d\\ude00"}', headers=json_headers)
    assert ok.status_code == 200


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_422(client: TestClient, auth: dict[str, str], number: str) -> None:
    headers = {**auth, "Content-Type": "application/json"}
    raw = f'{{"name": "Kupol", "threshold": {number}}}'.encode()
    response = client.post("/screen", content=raw, headers=headers)
    assert response.status_code == 422, response.text
    assert "threshold" in response.json()["detail"][0]["loc"]
    for value in ("nan", "inf"):
        response = client.post(f"/match/default?threshold={value}", json=KUPOL, headers=auth)
        assert response.status_code == 422 and "threshold" in response.json()["detail"][0]["loc"]


def test_audit_dates_past_the_calendar_are_422(client: TestClient, make_key: MakeKey) -> None:
    _, analyst = make_key("analyst")
    for query in (
        "since=0001-01-01T00:00:00%2B05:00",
        "until=9999-12-31",
        "since=0001-01-01&until=9999-12-31T23:59:59-05:00",
        "since=0000-01-01",
    ):
        response = client.get(f"/audit?{query}", headers=analyst)
        assert response.status_code == 422, (query, response.text)
    assert client.get("/audit?since=0001-01-01", headers=analyst).status_code == 200


def test_json_under_another_content_type_is_415(client: TestClient, auth: dict[str, str]) -> None:
    raw = json.dumps(KUPOL).encode()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = dict(auth)
        if content_type:
            headers["Content-Type"] = content_type
        response = client.post("/match/default", content=raw, headers=headers)
        assert response.status_code == 415, (content_type, response.text)
        assert "application/json" in response.json()["detail"]
    headers = {**auth, "Content-Type": "application/json; charset=utf-8"}
    assert client.post("/match/default", content=raw, headers=headers).status_code == 200


def test_database_edge_values_are_422(client: TestClient, make_key: MakeKey) -> None:
    _, analyst = make_key("analyst")
    assert client.get(f"/alerts/{2**70}", headers=analyst).status_code == 422
    assert client.get(f"/alerts?after={2**70}", headers=analyst).status_code == 422
    assert client.get("/alerts?watchlist=a%00b", headers=analyst).status_code == 422
    assert client.get("/entities/us_ofac_sdn:1%00", headers=analyst).status_code == 422
    decision = {"screening": 2**70, "entity": "x", "decision": "match"}
    assert client.post("/decisions", json=decision, headers=analyst).status_code == 422


# -- failed authentication -----------------------------------------------------------------


def test_failed_authentication_is_limited_per_address(
    make_client: ClientFactory, make_key: MakeKey
) -> None:
    """The finding: requests with unknown keys were not rate-limited at all."""
    client = make_client(auth_fail_rate=0.01, auth_fail_burst=5, key_cache_seconds=60)
    _, good = make_key("screener")
    assert client.get("/catalog", headers=good).status_code == 200  # now cached
    bad = [
        {"Authorization": "ApiKey st_000000000000_nope"},
        {"Authorization": "ApiKey not-a-key"},
        {},
        {"Authorization": "ApiKey st_111111111111_nope"},
        {"Authorization": "ApiKey st_222222222222_nope"},
    ]
    assert [client.get("/catalog", headers=h).status_code for h in bad] == [401] * 5
    response = client.get("/catalog", headers={"Authorization": "ApiKey st_333333333333_x"})
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 10
    assert "failed authentications from testclient" in response.json()["detail"]
    # A key this address used with success is cached: it keeps working during the flood.
    assert client.get("/catalog", headers=good).status_code == 200
    # A key it never used is not looked up while the address is blocked ...
    _, fresh = make_key("screener")
    assert client.get("/catalog", headers=fresh).status_code == 429
    # ... but another address is not affected.
    other = TestClient(client.app, client=("192.0.2.7", 4000), raise_server_exceptions=False)
    assert other.get("/catalog", headers=fresh).status_code == 200
    assert other.get("/catalog", headers=bad[0]).status_code == 401


def test_a_key_that_ignores_retry_after_is_refused_unread(
    make_client: ClientFactory, make_key: MakeKey, store: Store
) -> None:
    """A key refused for cost that comes back early is refused by the gate from its headers
    alone (its body is not even parsed: a malformed one gets 429, not 422), and slowly."""
    client = make_client(max_request_cost=10, cost_burst=10, cost_rate=0.01)
    _, key = make_key("screener")
    cheap = "/match/default?threshold=0.05"
    assert client.post(cheap, json=body(1, 2), headers=key).status_code == 200
    told = client.post(cheap, json=body(1, 2), headers=key)
    assert told.status_code == 429 and "costs 8 units" in told.json()["detail"]
    early = client.post(cheap, json=body(1, 2), headers=key)  # ignored Retry-After once
    assert early.status_code == 429 and "costs 8 units" in early.json()["detail"]
    with audit_delta(store) as added:
        gated = client.post(cheap, content=b"{not json", headers=key)
    assert gated.status_code == 429
    assert "came back early: refused unread" in gated.json()["detail"]
    assert int(gated.headers["retry-after"]) > 100
    assert added == [0]
    # Another key is not affected, and the health checks stay open.
    _, other = make_key("screener")
    assert client.post(cheap, json=body(1, 2), headers=other).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_a_flooding_address_is_gated_but_its_known_keys_pass(
    make_client: ClientFactory, make_key: MakeKey
) -> None:
    client = make_client(auth_fail_rate=0.01, auth_fail_burst=2, key_cache_seconds=60)
    _, good = make_key("screener")
    assert client.get("/catalog", headers=good).status_code == 200
    flood = {"Authorization": "ApiKey st_000000000000_nope"}
    codes = [client.get("/catalog", headers=flood).status_code for _ in range(5)]
    assert codes == [401, 401, 429, 429, 429]
    gated = client.get("/catalog", headers=flood)
    assert "testclient was told to retry later" in gated.json()["detail"]
    assert client.get("/catalog", headers=good).status_code == 200
