"""Fixtures of the tampering suite: a store with a few signed audit records, in SQLite and in
PostgreSQL (a database of its own on the test server), its keyring in the test's folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sanctrace import audit, keyring
from sanctrace.store import Store, open_store

AUDIT_DB = "sanctrace_audit_test"


@pytest.fixture(autouse=True)
def _keyring_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test has its own key file (and no key from the environment)."""
    monkeypatch.delenv(keyring.ENV_KEY, raising=False)
    monkeypatch.setenv("SANCTRACE_HOME", str(tmp_path))
    path = tmp_path / "keys" / "sanctrace.key"
    monkeypatch.setenv(keyring.ENV_FILE, str(path))
    return path


def _fresh_postgres() -> str:
    url = os.environ.get("SANCTRACE_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("SANCTRACE_TEST_POSTGRES_URL is not set: run the suite with scripts/test")
        pytest.skip("no PostgreSQL test server (scripts/test starts one)")
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {AUDIT_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {AUDIT_DB}")
    return url.rpartition("/")[0] + "/" + AUDIT_DB


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store location in each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return _fresh_postgres()


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    """A store with five signed records."""
    with open_store(db) as opened:
        for i in range(5):
            audit.append(opened, caller="t", kind="test", request={"i": i}, lists=[], results=[])
        yield opened
