"""Fixtures of the HTTP API tests: the bundled lists in SQLite and in PostgreSQL (a database
of its own on the test server), one screener shared by every app, keys made per test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from homes import copy_home

from sanctrace import keys
from sanctrace.api import ApiSettings, create_app
from sanctrace.match import Screener
from sanctrace.store import Store, open_store

API_DB = "sanctrace_api_test"


def postgres_url() -> str | None:
    """The throwaway server that scripts/test starts; CI must have it."""
    url = os.environ.get("SANCTRACE_TEST_POSTGRES_URL")
    if not url and os.environ.get("CI"):
        pytest.fail("SANCTRACE_TEST_POSTGRES_URL is not set: run the suite with scripts/test")
    return url


@pytest.fixture(scope="session")
def screener(bundled_home: Path) -> Screener:
    with open_store(str(bundled_home / "sanctrace.db")) as store:
        return Screener.open(store)


@pytest.fixture(scope="session")
def sqlite_db(bundled_home: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = copy_home(bundled_home, tmp_path_factory.mktemp("api-sqlite"))
    return str(folder / "sanctrace.db")


def _database_url(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def api_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SANCTRACE_HOME of these tests: where a PostgreSQL store keeps its screening index."""
    return tmp_path_factory.mktemp("api-home")


@pytest.fixture(autouse=True)
def _home(api_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTRACE_HOME", str(api_home))


@pytest.fixture(scope="session")
def postgres_db(api_home: Path) -> str:
    """A database of its own on the test server, with the bundled lists and the index."""
    url = postgres_url()
    if not url:
        pytest.skip("no PostgreSQL test server (scripts/test starts one)")
    import psycopg

    from sanctrace.bundle import load_bundle
    from sanctrace.match import build_index

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {API_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {API_DB}")
    target = _database_url(url, API_DB)
    previous = os.environ.get("SANCTRACE_HOME")
    os.environ["SANCTRACE_HOME"] = str(api_home)
    try:
        with open_store(target) as store:
            load_bundle(store)
            build_index(store)
    finally:
        if previous is None:
            os.environ.pop("SANCTRACE_HOME", None)
        else:
            os.environ["SANCTRACE_HOME"] = previous
    return target


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> str:
    """The bundled lists, in each backend."""
    name = "sqlite_db" if request.param == "sqlite" else "postgres_db"
    return str(request.getfixturevalue(name))


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    with open_store(db) as opened:
        yield opened


ClientFactory = Callable[..., Any]


@pytest.fixture
def make_client(db: str, screener: Screener) -> Iterator[ClientFactory]:
    """``make_client(**settings)``: a TestClient of a fresh app over ``db``."""
    stack: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        settings = ApiSettings(**{"key_cache_seconds": 0.0, **overrides})
        app = create_app(open_store(db), settings=settings, screener=screener)
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        stack.append(client)
        return client

    yield make
    for client in stack:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client()  # type: ignore[no-any-return]


@pytest.fixture
def make_key(store: Store) -> Callable[[str], tuple[keys.ApiKey, dict[str, str]]]:
    """``make_key(role)``: a new key and the headers that send it."""

    def make(role: str = "screener") -> tuple[keys.ApiKey, dict[str, str]]:
        key, secret = keys.create_key(store, f"test {role}", role)
        return key, {"Authorization": f"ApiKey {secret}"}

    return make


@pytest.fixture
def auth(make_key: Callable[[str], tuple[keys.ApiKey, dict[str, str]]]) -> dict[str, str]:
    return make_key("screener")[1]
