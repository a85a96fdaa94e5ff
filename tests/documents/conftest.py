"""Fixtures shared by the document tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sanctrace.documents.scan import Scanner
from sanctrace.store import open_store


@pytest.fixture(scope="module")
def scanner(bundled_home: Path) -> Iterator[Scanner]:
    """A scanner over the bundled lists, as `sanctrace scan` opens it."""
    store = open_store(str(bundled_home / "sanctrace.db"))
    try:
        yield Scanner.open(store)
    finally:
        store.close()
