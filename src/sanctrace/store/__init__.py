"""Versioned list store: SQLite by default, PostgreSQL for a ``postgresql://`` URL."""

from __future__ import annotations

import os
from pathlib import Path

from sanctrace.store.base import LoadResult, Store, VersionInfo
from sanctrace.store.paths import default_db_path

__all__ = ["LoadResult", "Store", "VersionInfo", "default_db_path", "open_store"]


def open_store(db: str | None = None) -> Store:
    """Open (creating if needed) the store named by ``db``: a path or a PostgreSQL URL."""
    target = db or os.environ.get("SANCTRACE_DB") or str(default_db_path())
    if target.startswith(("postgresql://", "postgres://")):
        from sanctrace.store.postgres import PostgresStore

        return PostgresStore(target)
    from sanctrace.store.sqlite import SQLiteStore

    if target.startswith("sqlite:///"):
        target = target[len("sqlite:///") :]
    return SQLiteStore(Path(target))
