from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not DATA.is_dir():
        pytest.fail(f"shared list snapshots not found at {DATA}")
    return DATA


def postgres_url() -> str | None:
    """The throwaway server that scripts/test starts; CI must have it."""
    url = os.environ.get("SANCTRACE_TEST_POSTGRES_URL")
    if not url and os.environ.get("CI"):
        pytest.fail("SANCTRACE_TEST_POSTGRES_URL is not set: run the suite with scripts/test")
    return url


def _reset_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "DROP TABLE IF EXISTS links, entities, list_versions, watch_records, watch_screened, "
            "watch_matches, watch_state, alerts, alert_sinks, alert_deliveries, api_keys, "
            "audit_log, audit_head CASCADE"
        )
        # The parties follow from the lists loaded (resolved_for keys them by the lists'
        # hashes): kept, so that a test loading the lists the last one loaded does not resolve
        # them again (20 s, in a thread that would outlive a short API test). An analyst's
        # judgements are a test's own: dropped, and the parties made with them too.
        conn.execute(
            "DO $$ BEGIN IF to_regclass('judgements') IS NOT NULL THEN "
            "IF EXISTS (SELECT 1 FROM judgements WHERE source = 'analyst') THEN "
            "DELETE FROM judgements WHERE source = 'analyst'; DELETE FROM party_state; "
            "END IF; END IF; END $$"
        )


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store location for each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    url = postgres_url()
    if not url:
        pytest.skip("no PostgreSQL test server (scripts/test starts one)")
    _reset_postgres(url)
    return url


@pytest.fixture
def pg_url() -> str:
    """A reset PostgreSQL test database URL (skips locally when no server runs; fails in CI)."""
    url = postgres_url()
    if not url:
        pytest.skip("no PostgreSQL test server (scripts/test starts one)")
    _reset_postgres(url)
    return url


@pytest.fixture(scope="session")
def bundled_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SANCTRACE_HOME with the bundled official lists loaded, the screening index built and
    the parties resolved (what the first screening does, about 20 s), made once per session.
    Tests only read it (copy it to change it)."""
    from sanctrace.bundle import load_bundle
    from sanctrace.match import Screener, build_index
    from sanctrace.resolve.store import ensure_parties
    from sanctrace.store import open_store

    home = tmp_path_factory.mktemp("bundled-home")
    with open_store(str(home / "sanctrace.db")) as store:
        load_bundle(store)
        ensure_parties(store, Screener(build_index(store)))
    return home
