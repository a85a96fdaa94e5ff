"""API keys and roles, rate limits, body size limits, CORS; the ``keys`` commands."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from apikit import KUPOL
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sanctrace import keys
from sanctrace.cli.app import app as cli
from sanctrace.errors import SanctraceError
from sanctrace.keys import ApiKey
from sanctrace.store import Store

MakeKey = Callable[[str], tuple[ApiKey, dict[str, str]]]
ClientFactory = Callable[..., TestClient]


def test_keys_are_stored_hashed(store: Store) -> None:
    key, secret = keys.create_key(store, "payments team", "analyst")
    prefix, key_id, raw = secret.split("_", 2)
    assert (prefix, key_id) == ("st", key.id) and len(raw) >= 40
    [(stored,)] = store._rows("SELECT key_hash FROM api_keys WHERE id = ?", (key.id,))
    assert raw not in stored and secret not in stored and len(stored) == 64
    assert keys.authenticate(store, secret) == key
    assert keys.authenticate(store, secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert keys.authenticate(store, f"st_{'0' * 12}_{raw}") is None
    assert keys.authenticate(store, "not a key") is None
    with pytest.raises(SanctraceError, match="unknown role"):
        keys.create_key(store, "x", "root")
    with pytest.raises(SanctraceError, match="needs a name"):
        keys.create_key(store, "  ", "admin")


def test_missing_unknown_revoked_and_low_keys(
    client: TestClient, make_key: MakeKey, store: Store
) -> None:
    def status(headers: dict[str, str], path: str = "/match/default") -> tuple[int, str]:
        if path.startswith("/match"):
            response = client.post(path, json=KUPOL, headers=headers)
        else:
            response = client.get(path, headers=headers)
        is_json = response.headers["content-type"].startswith("application/json")
        return response.status_code, response.json().get("detail", "") if is_json else ""

    assert status({})[0] == 401
    assert status({"Authorization": "ApiKey"})[0] == 401
    assert status({"Authorization": "ApiKey st_123_nope"}) == (401, "unknown API key")
    assert status({"Authorization": "Basic dXNlcjpwdw=="})[0] == 401
    key, headers = make_key("screener")
    assert status(headers)[0] == 200
    secret = headers["Authorization"].split(" ", 1)[1]
    assert status({"Authorization": f"Bearer {secret}"})[0] == 200
    assert status({"Authorization": secret})[0] == 200  # OpenSanctions' examples send it bare
    code, detail = status(headers, "/metrics")
    assert code == 403 and "admin" in detail
    keys.revoke_key(store, key.id)
    code, detail = status(headers)
    assert code == 403 and "revoked" in detail
    assert status(headers, "/healthz")[0] == 200
    _, admin = make_key("admin")
    assert status(admin, "/metrics")[0] == 200 and status(admin, "/audit")[0] == 200


def test_rate_limit_per_key(make_client: ClientFactory, make_key: MakeKey) -> None:
    client = make_client(rate_limit=0.5, burst=3)
    _, first = make_key("screener")
    _, second = make_key("screener")
    codes = [client.get("/catalog", headers=first).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/catalog", headers=first)
    assert response.status_code == 429
    assert response.headers["retry-after"] in ("1", "2")
    assert "rate limit" in response.json()["detail"]
    assert client.get("/catalog", headers=second).status_code == 200  # its own bucket
    assert client.get("/healthz").status_code == 200


def test_body_size_limit(make_client: ClientFactory, auth: dict[str, str]) -> None:
    client = make_client()
    ten_mb = (
        b'{"queries": {"q1": {"schema": "Company", "properties": {"name": ["' + b"x" * 10_000_000
    )
    response = client.post(
        "/match/default", content=ten_mb, headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "request body is larger than the limit of 1,000,000 bytes"}
    small = make_client(max_body=2048)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"queries": {"q1": {"schema": "Company", "properties": {"name": ["'
        for _ in range(10):
            yield b"y" * 1000
        yield b'"]}}}}'

    response = small.post(
        "/match/default", content=chunks(), headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert small.post("/match/default", json=KUPOL, headers=auth).status_code == 200


def test_cors_is_off_unless_asked(make_client: ClientFactory) -> None:
    preflight = {
        "Origin": "https://app.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    plain = make_client()
    response = plain.options("/match/default", headers=preflight)
    assert "access-control-allow-origin" not in response.headers
    allowed = make_client(cors_origins=("https://app.example",))
    response = allowed.options("/match/default", headers=preflight)
    assert response.headers["access-control-allow-origin"] == "https://app.example"


def test_keys_commands(db: str, client: TestClient) -> None:
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, ["--db", db, *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    made = json.loads(
        run("keys", "create", "compliance bot", "--role", "analyst", "--format", "json")
    )
    assert set(made) == {"id", "name", "role", "key"}
    assert made["role"] == "analyst" and made["key"].startswith(f"st_{made['id']}_")
    headers = {"Authorization": f"ApiKey {made['key']}"}
    assert client.get("/audit", headers=headers).status_code == 200
    listed = json.loads(run("keys", "list", "--format", "json"))
    mine = next(k for k in listed if k["id"] == made["id"])
    assert mine["active"] is True and "key" not in mine and "key_hash" not in mine
    assert made["id"] in run("keys", "list")
    assert "Revoked" in run("keys", "revoke", made["id"])
    assert client.get("/audit", headers=headers).status_code == 403
    result = runner.invoke(cli, ["--db", db, "keys", "revoke", "nosuchkey"])
    assert result.exit_code != 0
    result = runner.invoke(cli, ["--db", db, "keys", "create", "x", "--role", "root"])
    assert result.exit_code != 0
