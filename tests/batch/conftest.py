from __future__ import annotations

from pathlib import Path

import pytest
from batchkit import Runner

from sanctrace.batch.run import Lists
from sanctrace.match import Screener
from sanctrace.match.screener import index_key, index_path
from sanctrace.store import open_store


@pytest.fixture(scope="session")
def lists(bundled_home: Path) -> Lists:
    """The screener over the bundled lists, loaded once per session. The store is closed at
    once: a connection left open here is inherited by every process a later test forks, and a
    child closing it checkpoints the shared home's write-ahead log under the others (the
    session's home came out "malformed")."""
    with open_store(str(bundled_home / "sanctrace.db")) as store:
        active = store.active_versions()
        return Lists(Screener.open(store), active, index_key(active), index_path(store, active))


@pytest.fixture
def run(lists: Lists) -> Runner:
    return Runner(lists)
