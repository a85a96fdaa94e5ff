"""The HTTP API: yente-compatible matching, native REST, API keys and an audit trail."""

from sanctrace.api.app import create_app
from sanctrace.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]
