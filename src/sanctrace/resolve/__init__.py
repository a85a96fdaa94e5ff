"""Cross-list entity resolution: the records of every loaded list grouped into parties, each
merge an explainable judgement, party ids stable across list versions."""

from sanctrace.resolve.judgements import Judgement
from sanctrace.resolve.resolver import Contradiction, Resolution, resolve

__all__ = ["Contradiction", "Judgement", "Resolution", "resolve"]
