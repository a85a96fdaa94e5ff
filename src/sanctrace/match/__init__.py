"""The matching engine: index, name scoring, evidence, screening."""

from sanctrace.match.config import DEFAULT_CONFIG, DEFAULT_THRESHOLD, MatchConfig
from sanctrace.match.screener import Screener, build_index, compare, load_or_build_index
from sanctrace.match.types import Match, Query, Score

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_THRESHOLD",
    "Match",
    "MatchConfig",
    "Query",
    "Score",
    "Screener",
    "build_index",
    "compare",
    "load_or_build_index",
]
