"""The scanner's kept automata belong to one index format: a normaliser change (which bumps
INDEX_FORMAT) must never hand a scanner automata of the old tokens, which find nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.documents.anchors import scan_cache
from sanctrace.match import index as match_index
from sanctrace.store import open_store


def test_the_automaton_cache_is_keyed_on_the_index_format(
    bundled_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(str(bundled_home / "sanctrace.db"))
    try:
        now = scan_cache(store)
        monkeypatch.setattr(match_index, "INDEX_FORMAT", match_index.INDEX_FORMAT + 1)
        bumped = scan_cache(store)
    finally:
        store.close()
    assert now != bumped
    assert f"-{match_index.INDEX_FORMAT}-" in bumped.name
    assert bumped.parent == now.parent  # beside the index, where the old ones are cleared
