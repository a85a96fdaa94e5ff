"""Cross-list entity resolution: the records of every loaded list grouped into parties, each
merge an explainable judgement, party ids stable across list versions.

The resolver is imported on first use: commands that only read the stored parties (every
screening) do not load the rules and the name pass."""

from __future__ import annotations

from typing import Any

from sanctrace.resolve.judgements import Judgement

__all__ = ["Contradiction", "Judgement", "Resolution", "resolve"]


def __getattr__(name: str) -> Any:
    if name in ("Contradiction", "Resolution", "resolve"):
        from sanctrace.resolve import resolver

        return getattr(resolver, name)
    raise AttributeError(f"module 'sanctrace.resolve' has no attribute {name!r}")
