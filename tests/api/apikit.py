"""Helpers of the HTTP API tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sanctrace import audit
from sanctrace.store import Store
from sanctrace.store.postgres import PostgresStore

KUPOL = {"queries": {"q1": {"schema": "Company", "properties": {"name": ["IEMZ Kupol"]}}}}


@contextmanager
def audit_delta(store: Store) -> Iterator[list[int]]:
    """Yields a list that holds, after the block, how many audit records it added."""
    before = audit.count(store)
    delta: list[int] = []
    yield delta
    delta.append(audit.count(store) - before)


@contextmanager
def audit_refused(store: Store) -> Iterator[None]:
    """Within the block the database refuses every audit row (a trigger: "disk full")."""
    if isinstance(store, PostgresStore):
        store._rows(
            "CREATE OR REPLACE FUNCTION refuse() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'disk full'; END; $$ LANGUAGE plpgsql"
        )
        store._rows(
            "CREATE TRIGGER refuse BEFORE INSERT ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION refuse()"
        )
        drop = "DROP TRIGGER refuse ON audit_log"
    else:
        store._rows(
            "CREATE TRIGGER refuse BEFORE INSERT ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
        drop = "DROP TRIGGER refuse"
    try:
        yield
    finally:
        store._rows(drop)
