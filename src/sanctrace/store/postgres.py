"""PostgreSQL backend for shared, server-side deployments (``--db postgresql://...``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sanctrace.errors import StoreError
from sanctrace.keyring import KEY_FILE_NAME
from sanctrace.store.base import ADDED_COLUMNS, Store
from sanctrace.store.paths import default_db_path

_DDL = [
    """CREATE TABLE IF NOT EXISTS list_versions (
        id BIGSERIAL PRIMARY KEY,
        dataset TEXT NOT NULL,
        version TEXT NOT NULL,
        published TEXT,
        sha256 TEXT NOT NULL,
        entities INTEGER NOT NULL,
        loaded_at TEXT NOT NULL,
        active BOOLEAN NOT NULL DEFAULT FALSE,
        format TEXT,
        UNIQUE (dataset, version)
    )""",
    """CREATE TABLE IF NOT EXISTS entities (
        version_id BIGINT NOT NULL REFERENCES list_versions(id),
        id TEXT NOT NULL,
        schema TEXT NOT NULL,
        caption TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (version_id, id)
    )""",
    """CREATE TABLE IF NOT EXISTS links (
        version_id BIGINT NOT NULL,
        source_id TEXT NOT NULL,
        target_id TEXT NOT NULL,
        type TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS links_target ON links (version_id, target_id)",
    "CREATE INDEX IF NOT EXISTS entities_id ON entities (id)",
    """CREATE TABLE IF NOT EXISTS watch_records (
        watchlist TEXT NOT NULL,
        key TEXT NOT NULL,
        query TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (watchlist, key)
    )""",
    """CREATE TABLE IF NOT EXISTS watch_screened (
        watchlist TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        PRIMARY KEY (watchlist, key)
    )""",
    """CREATE TABLE IF NOT EXISTS watch_matches (
        watchlist TEXT NOT NULL,
        key TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        score DOUBLE PRECISION NOT NULL,
        entity_fp TEXT NOT NULL,
        customer_fp TEXT NOT NULL,
        match TEXT NOT NULL,
        PRIMARY KEY (watchlist, key, entity_id)
    )""",
    """CREATE TABLE IF NOT EXISTS watch_state (
        watchlist TEXT PRIMARY KEY,
        versions TEXT NOT NULL,
        screened_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS alerts (
        id BIGSERIAL PRIMARY KEY,
        created_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        watchlist TEXT NOT NULL,
        key TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        status TEXT NOT NULL,
        score DOUBLE PRECISION,
        customer_fp TEXT NOT NULL,
        entity_fp TEXT NOT NULL,
        details TEXT NOT NULL,
        decision TEXT,
        note TEXT,
        resolved_by TEXT,
        resolved_at TEXT,
        audit_seq BIGINT
    )""",
    "CREATE INDEX IF NOT EXISTS alerts_pair ON alerts (watchlist, key, entity_id)",
    "CREATE INDEX IF NOT EXISTS alerts_status ON alerts (status)",
    """CREATE TABLE IF NOT EXISTS alert_sinks (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        target TEXT NOT NULL,
        secret TEXT,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS alert_deliveries (
        alert_id BIGINT NOT NULL,
        sink TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt TEXT,
        last_error TEXT,
        delivered_at TEXT,
        PRIMARY KEY (alert_id, sink)
    )""",
    """CREATE TABLE IF NOT EXISTS parties (
        party_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL,
        redirect_to TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS party_members (
        record_id TEXT PRIMARY KEY,
        party_id TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS judgements (
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        verdict TEXT NOT NULL,
        source TEXT NOT NULL,
        why TEXT NOT NULL,
        score DOUBLE PRECISION,
        username TEXT,
        at TEXT,
        PRIMARY KEY (a, b, source)
    )""",
    """CREATE TABLE IF NOT EXISTS party_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        versions TEXT NOT NULL,
        resolved_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS party_members_party ON party_members (party_id)",
    """CREATE TABLE IF NOT EXISTS api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        key_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS audit_log (
        seq BIGINT PRIMARY KEY,
        recorded_at TEXT NOT NULL,
        caller TEXT NOT NULL,
        kind TEXT NOT NULL,
        record TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS audit_log_time ON audit_log (recorded_at)",
    """CREATE TABLE IF NOT EXISTS audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq BIGINT NOT NULL,
        hash TEXT NOT NULL
    )""",
    """CREATE OR REPLACE FUNCTION sanctrace_audit_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit_log is append-only'; END;
    $$ LANGUAGE plpgsql""",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'audit_log_append_only') THEN
            CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION sanctrace_audit_append_only();
        END IF;
    END $$""",
]


class PostgresStore(Store):
    placeholder = "%s"
    for_update = " FOR UPDATE"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise StoreError(
                "PostgreSQL support needs psycopg: pip install 'sanctrace[postgres]'"
            ) from None
        self._psycopg = psycopg
        self.url = url
        self.location = _redact(url)
        digest = hashlib.sha256(self.location.encode()).hexdigest()[:12]
        self.index_dir = default_db_path().parent / "index" / f"postgres-{digest}"
        self.key_path = default_db_path().parent / KEY_FILE_NAME
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
            with self.conn.transaction():
                for ddl in _DDL:
                    self.conn.execute("SELECT pg_advisory_xact_lock(7347001)")
                    self.conn.execute(ddl)
                self._add_columns()
        except psycopg.Error as exc:
            raise StoreError(f"cannot open database {self.location}: {exc}") from None

    def _add_columns(self) -> None:
        """Add the columns a store made by an older version lacks (looked up first: an ALTER
        TABLE locks its table, the audit log included, even when the column exists)."""
        present = {
            (str(r[0]), str(r[1]))
            for r in self.conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema()"
            ).fetchall()
        }
        for table, column, kind in ADDED_COLUMNS:
            if (table, column) not in present:
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            cur = self.conn.execute(sql, tuple(params))
            return cur.fetchall() if cur.description else []
        except self._psycopg.Error as exc:
            raise StoreError(f"database error in {self.location}: {exc}") from None

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            with self.conn.cursor() as cur:
                cur.executemany(sql, rows)
        except self._psycopg.Error as exc:
            raise StoreError(f"database error in {self.location}: {exc}") from None

    def _insert_version(self, row: Sequence[Any]) -> int:
        cur = self.conn.execute(
            "INSERT INTO list_versions (dataset, version, published, sha256, entities, "
            "loaded_at, active, format) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            tuple(row),
        )
        result = cur.fetchone()
        assert result is not None
        return int(result[0])

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self.conn.transaction():
            yield

    def reopen(self) -> PostgresStore:
        return PostgresStore(self.url)

    def close(self) -> None:
        self.conn.close()


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
