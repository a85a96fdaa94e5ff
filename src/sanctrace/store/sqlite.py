"""SQLite backend: the embedded default. WAL journal so readers never see a half-done load."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sanctrace.errors import StoreError
from sanctrace.keyring import KEY_FILE_NAME
from sanctrace.store.base import ADDED_COLUMNS, Store

_DDL = """
CREATE TABLE IF NOT EXISTS list_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset TEXT NOT NULL,
    version TEXT NOT NULL,
    published TEXT,
    sha256 TEXT NOT NULL,
    entities INTEGER NOT NULL,
    loaded_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 0,
    format TEXT,
    UNIQUE (dataset, version)
);
CREATE TABLE IF NOT EXISTS entities (
    version_id INTEGER NOT NULL REFERENCES list_versions(id),
    id TEXT NOT NULL,
    schema TEXT NOT NULL,
    caption TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (version_id, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS links (
    version_id INTEGER NOT NULL,
    source_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    type TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS links_target ON links (version_id, target_id);
CREATE INDEX IF NOT EXISTS entities_id ON entities (id);
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    caller TEXT NOT NULL,
    kind TEXT NOT NULL,
    record TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_time ON audit_log (recorded_at);
CREATE TABLE IF NOT EXISTS audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS watch_records (
    watchlist TEXT NOT NULL,
    key TEXT NOT NULL,
    query TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (watchlist, key)
);
CREATE TABLE IF NOT EXISTS watch_screened (
    watchlist TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (watchlist, key)
);
CREATE TABLE IF NOT EXISTS watch_matches (
    watchlist TEXT NOT NULL,
    key TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    score REAL NOT NULL,
    entity_fp TEXT NOT NULL,
    customer_fp TEXT NOT NULL,
    match TEXT NOT NULL,
    PRIMARY KEY (watchlist, key, entity_id)
);
CREATE TABLE IF NOT EXISTS watch_state (
    watchlist TEXT PRIMARY KEY,
    versions TEXT NOT NULL,
    screened_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    watchlist TEXT NOT NULL,
    key TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    status TEXT NOT NULL,
    score REAL,
    customer_fp TEXT NOT NULL,
    entity_fp TEXT NOT NULL,
    details TEXT NOT NULL,
    decision TEXT,
    note TEXT,
    resolved_by TEXT,
    resolved_at TEXT,
    audit_seq INTEGER
);
CREATE INDEX IF NOT EXISTS alerts_pair ON alerts (watchlist, key, entity_id);
CREATE INDEX IF NOT EXISTS alerts_status ON alerts (status);
CREATE TABLE IF NOT EXISTS alert_sinks (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    secret TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_deliveries (
    alert_id INTEGER NOT NULL,
    sink TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt TEXT,
    last_error TEXT,
    delivered_at TEXT,
    PRIMARY KEY (alert_id, sink)
);
CREATE TABLE IF NOT EXISTS parties (
    party_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    redirect_to TEXT
);
CREATE TABLE IF NOT EXISTS party_members (
    record_id TEXT PRIMARY KEY,
    party_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS judgements (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    verdict TEXT NOT NULL,
    source TEXT NOT NULL,
    why TEXT NOT NULL,
    score REAL,
    username TEXT,
    at TEXT,
    PRIMARY KEY (a, b, source)
);
CREATE TABLE IF NOT EXISTS party_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    versions TEXT NOT NULL,
    resolved_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS party_members_party ON party_members (party_id);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"""


class SQLiteStore(Store):
    placeholder = "?"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path)
        self.url = str(path)
        self.index_dir = path.with_name(path.name + ".index")
        self.key_path = path.with_name(KEY_FILE_NAME)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(path)
            # Connections may be handed between threads (the HTTP API pools them); each is
            # used by one thread at a time.
            self.conn = sqlite3.connect(
                str(path), isolation_level=None, timeout=30, check_same_thread=False
            )
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.executescript(_DDL)
            self._add_columns()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from None

    def _add_columns(self) -> None:
        for table, column, kind in ADDED_COLUMNS:
            present = {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}
            if column in present:
                continue
            try:
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            except sqlite3.OperationalError as exc:
                if "duplicate column" not in str(exc):  # another process added it first
                    raise

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self.conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"database error in {self.path}: {exc}") from None

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            self.conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise StoreError(f"database error in {self.path}: {exc}") from None

    def _insert_version(self, row: Sequence[Any]) -> int:
        cur = self.conn.execute(
            "INSERT INTO list_versions (dataset, version, published, sha256, entities, "
            "loaded_at, active, format) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            tuple(row),
        )
        assert cur.lastrowid is not None
        return int(cur.lastrowid)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def reopen(self) -> SQLiteStore:
        return SQLiteStore(self.path)

    def close(self) -> None:
        self.conn.close()


def _create_private(path: Path) -> None:
    """Create a new database file readable by its owner only (mode 0600); SQLite gives its
    -wal and -shm files the mode of the database file. An existing file is left as it is."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)
