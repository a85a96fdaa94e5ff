"""Helpers of the HTTP API tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sanctrace import audit
from sanctrace.store import Store

KUPOL = {"queries": {"q1": {"schema": "Company", "properties": {"name": ["IEMZ Kupol"]}}}}


@contextmanager
def audit_delta(store: Store) -> Iterator[list[int]]:
    """Yields a list that holds, after the block, how many audit records it added."""
    before = audit.count(store)
    delta: list[int] = []
    yield delta
    delta.append(audit.count(store) - before)
