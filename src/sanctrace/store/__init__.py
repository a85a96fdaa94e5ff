"""Versioned list store: SQLite by default, PostgreSQL for a ``postgresql://`` URL."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from sanctrace.store.base import LoadResult, Store, VersionInfo

__all__ = ["LoadResult", "Store", "VersionInfo", "default_db_path", "open_store"]


def default_db_path() -> Path:
    """``$SANCTRACE_HOME/sanctrace.db``, else the platform's user data dir."""
    home = os.environ.get("SANCTRACE_HOME")
    base = Path(home) if home else Path(user_data_dir("sanctrace", appauthor=False))
    return base / "sanctrace.db"


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
