"""Where sanctrace keeps its data when no ``--db`` is given."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def default_db_path() -> Path:
    """``$SANCTRACE_HOME/sanctrace.db``, else the platform's user data dir."""
    home = os.environ.get("SANCTRACE_HOME")
    base = Path(home) if home else Path(user_data_dir("sanctrace", appauthor=False))
    return base / "sanctrace.db"
