"""The HTTP API: yente-compatible matching, native REST, API keys and an audit trail.

``create_app`` is imported on first use: the CLI reads the API's settings without paying for
FastAPI's import on every command.
"""

from typing import Any

from sanctrace.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from sanctrace.api.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
