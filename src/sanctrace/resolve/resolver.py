"""Records of every loaded list resolved into parties: the automatic judgements and the
analyst's, applied strongest first, with what could not be applied reported."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sanctrace.match import Screener
from sanctrace.model.entity import Entity
from sanctrace.resolve.clusters import BIRTH_YEARS, Clusters
from sanctrace.resolve.evidence import birth_years
from sanctrace.resolve.judgements import Judgement, effective
from sanctrace.resolve.parts import NamePass, name_judgements
from sanctrace.resolve.rules import key_judgements


@dataclass(frozen=True)
class Contradiction:
    """A "same" that a "different" elsewhere in the party forbids (A=B, B=C, A≠C)."""

    refused: Judgement
    because: Judgement | str

    def to_dict(self) -> dict[str, object]:
        because = self.because.to_dict() if isinstance(self.because, Judgement) else self.because
        return {"refused": self.refused.to_dict(), "because": because}

    def describe(self) -> str:
        reason = (
            f"{self.because.a} ≠ {self.because.b} ({self.because.source}: {self.because.why})"
            if isinstance(self.because, Judgement)
            else self.because
        )
        return (
            f"{self.refused.a} = {self.refused.b} ({self.refused.source}: {self.refused.why}) "
            f"not applied: {reason}"
        )


@dataclass
class Resolution:
    groups: list[list[str]]
    judgements: list[Judgement]
    review: list[Judgement] = field(default_factory=list)
    contradictions: list[Contradiction] = field(default_factory=list)


def resolve(
    entities: Sequence[Entity],
    screener: Screener | None = None,
    analyst: Sequence[Judgement] = (),
    workers: int = 1,
) -> Resolution:
    """Group ``entities`` into parties. Without a screener only keys (identifiers, UN
    references, OFAC entry numbers) join records."""
    made = automatic_judgements(entities, screener, workers)
    return cluster([(e.id, e.dataset) for e in entities], made, analyst, person_years(entities))


def person_years(entities: Sequence[Entity]) -> dict[str, set[int]]:
    """The birth years of every dated person, which no party may mix beyond a year's doubt."""
    return {e.id: years for e in entities if e.schema == "Person" and (years := birth_years(e))}


def automatic_judgements(
    entities: Sequence[Entity],
    screener: Screener | None = None,
    workers: int = 1,
    name_pass: NamePass | None = None,
) -> list[Judgement]:
    """What the rules decide about the pairs the keys and the names propose (the slow part);
    ``name_pass`` runs the names elsewhere (Spark) instead of on ``workers`` processes."""
    made = list(key_judgements(entities))
    if screener is not None and name_pass is not None:
        made.extend(name_pass(entities, screener))
    elif screener is not None:
        made.extend(name_judgements(entities, screener, workers))
    return made


def cluster(
    records: Sequence[tuple[str, str]],
    made: Sequence[Judgement],
    analyst: Sequence[Judgement] = (),
    years: Mapping[str, Iterable[int]] | None = None,
) -> Resolution:
    """Parties of ``records`` ((id, list) pairs) from the judgements: every "different" first,
    then each "same", strongest first, unless a "different", a shared list or (with
    ``years``) the persons' birth years forbid it. A join the birth years refuse becomes a
    "different" of its own, so that clustering the stored judgements again, without the
    years, gives the same parties."""
    decided = effective([*made, *analyst])
    clusters = Clusters.of(records, years)
    derived: dict[tuple[str, str], Judgement] = {}
    for j in decided.values():
        if j.verdict == "different":
            clusters.keep_apart(j)
    contradictions = []
    # The rules' "same" first, strongest first; then the analyst's, which join whole parties
    # (a list's second record does not stop them) unless a "different" stands in the way.
    for j in sorted(
        (j for j in decided.values() if j.verdict == "same"),
        key=lambda j: (j.source == "analyst", j.rank, -(j.score or 1.0), j.pair),
    ):
        if j.a not in clusters.parent or j.b not in clusters.parent:
            continue
        obstacle = clusters.obstacle(
            j.a, j.b, same_list_ok=j.source == "listing", by_analyst=j.source == "analyst"
        )
        if obstacle is None:
            clusters.join(j.a, j.b)
            continue
        fresh = isinstance(obstacle, Judgement) and obstacle.pair not in decided
        if fresh:
            assert isinstance(obstacle, Judgement)
            derived.setdefault(obstacle.pair, obstacle)
            clusters.keep_apart(obstacle)
        by_evidence = not isinstance(obstacle, Judgement) or obstacle.source == BIRTH_YEARS
        if j.source != "name" or not by_evidence:
            contradictions.append(Contradiction(j, obstacle))
    review = [
        j
        for j in decided.values()
        if j.verdict == "unsure"
        and j.a in clusters.parent
        and j.b in clusters.parent
        and clusters.find(j.a) != clusters.find(j.b)
    ]
    review.sort(key=lambda j: (-(j.score or 0.0), j.pair))
    return Resolution(clusters.groups(), [*made, *derived.values()], review, contradictions)
