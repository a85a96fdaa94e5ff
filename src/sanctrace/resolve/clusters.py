"""Records joined into parties: union-find that refuses a join across a "different" judgement,
across two records of one list (a list names a party once) or between two parties whose
persons' birth years never agree, and reports the refusals that contradict a strong "same"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sanctrace.resolve.evidence import BIRTH_YEAR_SLACK
from sanctrace.resolve.judgements import Judgement

#: The source of a "different" between two parties whose birth years never agree.
BIRTH_YEARS = "birth_years"


@dataclass
class Clusters:
    parent: dict[str, str] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)
    lists: dict[str, set[str]] = field(default_factory=dict)
    #: For each cluster root: record ids it must never join, with the judgement that says so.
    apart: dict[str, dict[str, Judgement]] = field(default_factory=dict)
    #: For each cluster root: the birth years of its persons, each with a record that gives it.
    born: dict[str, dict[int, str]] = field(default_factory=dict)

    @classmethod
    def of(
        cls, records: Iterable[tuple[str, str]], years: Mapping[str, Iterable[int]] | None = None
    ) -> Clusters:
        """One cluster per (record id, list) pair; ``years``: the birth years of persons."""
        out = cls()
        years = years or {}
        for record, dataset in records:
            out.parent[record] = record
            out.members[record] = {record}
            out.lists[record] = {dataset}
            out.apart[record] = {}
            out.born[record] = {y: record for y in years.get(record, ())}
        return out

    def find(self, record: str) -> str:
        root = record
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[record] != root:
            self.parent[record], record = root, self.parent[record]
        return root

    def keep_apart(self, judgement: Judgement) -> None:
        for x, y in (judgement.pair, judgement.pair[::-1]):
            if x in self.parent and y in self.parent:
                _keep(self.apart[self.find(x)], y, judgement)

    def obstacle(
        self, a: str, b: str, same_list_ok: bool = False, by_analyst: bool = False
    ) -> Judgement | str | None:
        """What stops a and b joining: a "different" judgement, a shared list, or None. An
        analyst's join is stopped only by an analyst's "different"."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        small, large = sorted((ra, rb), key=lambda r: len(self.members[r]))
        for one, other in ((small, large), (large, small)):
            for record, judgement in self.apart[one].items():
                if record in self.members[other] and (
                    not by_analyst or judgement.source == "analyst"
                ):
                    return judgement
        if by_analyst:
            return None
        years = self._years_apart(ra, rb)
        if years is not None:
            return years
        if not same_list_ok and self.lists[ra] & self.lists[rb]:
            shared = ", ".join(sorted(self.lists[ra] & self.lists[rb]))
            return f"both parties already have a record on {shared}"
        return None

    def _years_apart(self, ra: str, rb: str) -> Judgement | None:
        """A "different" for two records of the parties when no birth year of one is within a
        year of one of the other's: a person named alike with no birth date must not join
        two people born decades apart."""
        ya, yb = self.born[ra], self.born[rb]
        if not ya or not yb:
            return None
        if min(abs(x - y) for x in ya for y in yb) <= BIRTH_YEAR_SLACK:
            return None
        x, y = min(ya), min(yb)
        why = (
            f"birth years {', '.join(map(str, sorted(ya)))} of one party against "
            f"{', '.join(map(str, sorted(yb)))} of the other"
        )
        return Judgement.of(ya[x], yb[y], "different", BIRTH_YEARS, why)

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        self.lists[ra] |= self.lists.pop(rb)
        for year, record in self.born.pop(rb).items():
            self.born[ra].setdefault(year, record)
        for record, judgement in self.apart.pop(rb).items():
            _keep(self.apart[ra], record, judgement)

    def groups(self) -> list[list[str]]:
        return sorted(sorted(m) for m in self.members.values())


def _keep(apart: dict[str, Judgement], record: str, judgement: Judgement) -> None:
    """One "different" per record is enough to stop a join; an analyst's outranks a rule's."""
    held = apart.get(record)
    if held is None or (judgement.source == "analyst" and held.source != "analyst"):
        apart[record] = judgement
