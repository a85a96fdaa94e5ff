"""Homes for tests that run the CLI: copies of the session's bundled home, for tests that write
into a store (audit records, watchlists; the shared one is only read), and the command run in
one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from sanctrace.store import open_store


def copy_home(bundled_home: Path, target: Path) -> Path:
    """``target`` made a home with the bundled lists, index and audit key (the store's
    write-ahead log folded in first, so the copied file is whole)."""
    target.mkdir(parents=True, exist_ok=True)
    with open_store(str(bundled_home / "sanctrace.db")) as store:
        store._rows("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(bundled_home / "sanctrace.db", target / "sanctrace.db")
    shutil.copytree(bundled_home / "sanctrace.db.index", target / "sanctrace.db.index")
    key = bundled_home / "sanctrace.key"
    if key.exists():  # the audit trail's key travels with the store
        shutil.copy2(key, target / "sanctrace.key")
    return target


def sanctrace(
    home: Path,
    *args: str,
    check: bool = True,
    stdin: str | None = None,
    cwd: Path | None = None,
    columns: int = 200,
) -> subprocess.CompletedProcess[str]:
    """``sanctrace ARGS`` run as a user runs it, in a new process with ``home`` as its
    SANCTRACE_HOME and a terminal ``columns`` wide; with ``check``, a non-zero exit fails the
    test showing both outputs."""
    env = {**os.environ, "SANCTRACE_HOME": str(home), "COLUMNS": str(columns)}
    env.pop("SANCTRACE_DB", None)
    proc = subprocess.run(
        [sys.executable, "-m", "sanctrace", *args],
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        cwd=cwd,
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:{proc.stdout}\nstderr:{proc.stderr}")
    return proc
