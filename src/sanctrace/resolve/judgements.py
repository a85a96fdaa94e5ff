"""A judgement: one decision that two records are, or are not, one party, with who made it and
why. Automatic judgements are remade on every resolution; an analyst's stay and win."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

VERDICTS = ("same", "different", "unsure")
#: Who decides, strongest first: an analyst over any rule, an identifier over a name.
SOURCES = ("analyst", "identifier", "listing", "conflict", "birth_years", "name")


@dataclass(frozen=True)
class Judgement:
    a: str
    b: str
    verdict: str
    source: str
    why: str
    score: float | None = None
    user: str | None = None
    at: str | None = None

    @classmethod
    def of(cls, a: str, b: str, verdict: str, source: str, why: str, **kw: Any) -> Judgement:
        """A judgement with its two record ids in a fixed order, so that a pair is one key."""
        first, second = sorted((a, b))
        return cls(first, second, verdict, source, why, **kw)

    @property
    def pair(self) -> tuple[str, str]:
        return self.a, self.b

    @property
    def rank(self) -> int:
        return SOURCES.index(self.source) if self.source in SOURCES else len(SOURCES)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "a": self.a,
            "b": self.b,
            "verdict": self.verdict,
            "source": self.source,
            "why": self.why,
        }
        if self.score is not None:
            out["score"] = round(self.score, 4)
        if self.user:
            out["user"] = self.user
        if self.at:
            out["at"] = self.at
        return out


def effective(judgements: list[Judgement]) -> dict[tuple[str, str], Judgement]:
    """The judgement that decides each pair: the strongest source, and among an analyst's the
    latest."""
    best: dict[tuple[str, str], Judgement] = {}
    for j in judgements:
        held = best.get(j.pair)
        if (
            held is None
            or j.rank < held.rank
            or (j.rank == held.rank and j.source == "analyst" and (j.at or "") >= (held.at or ""))
        ):
            best[j.pair] = j
    return best


def joining_judgements(members: Sequence[str], judgements: Sequence[Judgement]) -> list[Judgement]:
    """The deciding "same" judgements between two of ``members``, strongest first."""
    inside = set(members)
    decided = effective([j for j in judgements if j.a in inside and j.b in inside])
    joined = [j for j in decided.values() if j.verdict == "same"]
    joined.sort(key=lambda j: (j.rank, -(j.score or 1.0), j.pair))
    return joined
