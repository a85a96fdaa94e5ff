"""sanctrace: sanctions and export-control screening and investigation.

``sanctrace.Screener`` and ``sanctrace.compare`` are the Python entry points; they are imported
on first use so that the command line starts fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Match", "Query", "Score", "Screener", "__version__", "compare"]


def __getattr__(name: str) -> Any:
    if name in ("Screener", "compare", "Query", "Match", "Score"):
        from sanctrace import match

        return getattr(match, name)
    raise AttributeError(f"module 'sanctrace' has no attribute {name!r}")
