"""What goes into a screening and what comes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sanctrace.model.entity import Entity

#: Schemata that can stand for one another when matching.
_FAMILY = {
    "Person": "person",
    "Company": "org",
    "Organization": "org",
    "LegalEntity": "any_party",
    "Vessel": "vessel",
    "Aircraft": "aircraft",
    "Vehicle": "vehicle",
}


def schemata_compatible(query_schema: str | None, entity_schema: str) -> bool:
    """A Person query never matches a Vessel; LegalEntity (or no schema) matches any party."""
    if not query_schema or query_schema in ("Thing", "LegalEntity"):
        return True
    q = _FAMILY.get(query_schema, query_schema)
    e = _FAMILY.get(entity_schema, entity_schema)
    if e == "any_party":
        return q in ("person", "org")
    return q == e


@dataclass(frozen=True)
class Query:
    """A party to screen. Only ``name`` is required; the rest sharpens the score."""

    name: str
    schema: str | None = None
    countries: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "schema": self.schema,
            "countries": list(self.countries),
            "birth_dates": list(self.birth_dates),
            "identifiers": list(self.identifiers),
        }


class IndexedEntity(NamedTuple):
    """What the screener keeps of a listed entity: enough to score and to report a result
    (a named tuple, so that a persisted index loads fast)."""

    id: str
    dataset: str
    source_id: str
    schema: str
    caption: str
    programs: tuple[str, ...]
    countries: frozenset[str]
    birth_dates: tuple[str, ...]
    identifiers: frozenset[str]
    names: tuple[tuple[str, str], ...]  # (value, kind)
    #: When the list designated it: with the rest, what a party result says of the listing.
    listed_on: str | None = None

    @classmethod
    def from_entity(cls, entity: Entity) -> IndexedEntity:
        from sanctrace.match.evidence import normalize_identifier

        countries = {*entity.countries, *entity.nationalities, *entity.citizenships}
        countries.update(a.country for a in entity.addresses if a.country)
        countries.update(i.country for i in entity.identifiers if i.country)
        identifiers = {normalize_identifier(i.value) for i in entity.identifiers}
        names = [(n.value, n.kind) for n in entity.names]
        if not names and entity.caption:
            names = [(entity.caption, "primary")]
        return cls(
            id=entity.id,
            dataset=entity.dataset,
            source_id=entity.source_id,
            schema=entity.schema,
            caption=entity.caption,
            programs=tuple(entity.programs),
            countries=frozenset(c for c in countries if c),
            birth_dates=tuple(entity.birth_dates),
            identifiers=frozenset(i for i in identifiers if len(i) >= 4),
            names=tuple(names),
            listed_on=entity.listed_on,
        )


@dataclass(frozen=True)
class Match:
    """One screening result, with the features that made its score."""

    id: str
    dataset: str
    source_id: str
    schema: str
    caption: str
    score: float
    match: bool
    matched_name: str
    explanation: dict[str, Any] = field(default_factory=dict)
    programs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dataset": self.dataset,
            "source_id": self.source_id,
            "schema": self.schema,
            "caption": self.caption,
            "score": round(self.score, 4),
            "match": self.match,
            "matched_name": self.matched_name,
            "explanation": self.explanation,
            "programs": list(self.programs),
        }


@dataclass(frozen=True)
class Score:
    """The result of :func:`sanctrace.compare`."""

    score: float
    explanation: dict[str, Any]
