"""yente's wire format: FollowTheMoney query examples in, FtM entities with scores out.

Query examples (``{"schema", "properties"}``) become sanctrace :class:`Query` objects; listed
entities are sent as yente's ``EntityResponse`` (FtM ``properties`` from
:mod:`sanctrace.export.ftm`), scored ones with ``score``, ``match`` and ``explanations``.
One listed record's entity is made here; :mod:`sanctrace.api.parties` folds the records of
one party into one entity (party id, its records' ids in ``referents``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from sanctrace.errors import SanctraceError
from sanctrace.export.ftm import PROPERTIES
from sanctrace.match import Match, Query
from sanctrace.match.screener import MAX_QUERY_CHARS
from sanctrace.model.dates import parse_date
from sanctrace.model.entity import Entity
from sanctrace.screening import country_code
from sanctrace.store import VersionInfo

#: sanctrace schema -> FtM schema, where they differ.
TO_FTM = {"Aircraft": "Airplane"}
FROM_FTM = {v: k for k, v in TO_FTM.items()}
#: FtM schemata a query may name ("Thing" matches anything).
QUERY_SCHEMATA = frozenset({"Thing", *PROPERTIES})
#: FtM schemata that exist but describe no party to screen.
NON_MATCHABLE = frozenset(
    {
        "Address",
        "Asset",
        "Associate",
        "BankAccount",
        "Directorship",
        "Document",
        "Employment",
        "Family",
        "Identification",
        "Membership",
        "Occupancy",
        "Ownership",
        "Passport",
        "Payment",
        "Position",
        "PublicBody",
        "RealEstate",
        "Representation",
        "Sanction",
        "UnknownLink",
    }
)
THING_PROPERTIES = frozenset.intersection(*PROPERTIES.values())

NAME_PROPS = ("name", "alias", "previousName", "weakAlias")
NAME_PARTS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
COUNTRY_PROPS = frozenset(
    {"country", "nationality", "citizenship", "jurisdiction", "birthCountry", "mainCountry", "flag"}
)
DATE_PROPS = frozenset({"birthDate"})
IDENTIFIER_PROPS = frozenset(
    {
        "idNumber",
        "registrationNumber",
        "taxNumber",
        "vatCode",
        "imoNumber",
        "mmsi",
        "swiftBic",
        "bikCode",
        "leiCode",
        "innCode",
        "ogrnCode",
        "kppCode",
        "okpoCode",
        "uscCode",
        "dunsCode",
        "passportNumber",
        "socialSecurityNumber",
        "licenseNumber",
        "callSign",
        "serialNumber",
        "icaoCode",
        "isin",
        "figiCode",
        "publicKey",
        "permId",
        "cikCode",
        "uniqueEntityId",
        "npiCode",
    }
)
#: Values one property of a query may hold.
MAX_VALUES = 50

#: (adjunct schema, property naming the main entity) -> the FtM reverse property on the main
#: entity, under which yente nests adjacent entities.
REVERSE = {
    ("Sanction", "entity"): "sanctions",
    ("Identification", "holder"): "identification",
    ("Passport", "holder"): "identification",
    ("Ownership", "asset"): "ownershipAsset",
    ("Ownership", "owner"): "ownershipOwner",
    ("Family", "person"): "familyPerson",
    ("Associate", "person"): "associates",
    ("UnknownLink", "subject"): "unknownLinkTo",
    ("CryptoWallet", "holder"): "cryptoWallets",
}
_CAPTION_PROPS = ("name", "program", "authority", "number", "relationship", "role", "publicKey")


class ExampleError(Exception):
    """A query example that cannot be screened: ``status`` 400 (as yente) or 422 (a field
    that fails validation, in FastAPI's ``detail`` list form)."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(str(detail))
        self.status = status
        self.detail = detail


@dataclass
class Example:
    """A parsed query example."""

    ftm_schema: str
    names: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    properties: dict[str, list[str]] = field(default_factory=dict)
    id: str | None = None

    @property
    def schema(self) -> str | None:
        if self.ftm_schema == "Thing":
            return None
        return FROM_FTM.get(self.ftm_schema, self.ftm_schema)

    def queries(self) -> list[Query]:
        """One query per name (or one on the identifiers alone)."""
        common = {
            "schema": self.schema,
            "countries": tuple(self.countries),
            "birth_dates": tuple(self.birth_dates),
            "identifiers": tuple(self.identifiers),
        }
        if not self.names:
            return [Query(name="", **common)] if self.identifiers else []  # type: ignore[arg-type]
        return [Query(name=n, **common) for n in self.names]  # type: ignore[arg-type]

    def echo(self) -> dict[str, Any]:
        return {"id": self.id, "schema": self.ftm_schema, "properties": self.properties}


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def parse_example(
    key: str, schema: str, properties: dict[str, Any], example_id: str | None = None
) -> Example:
    """Check and read one query example; ``key`` names it in errors."""
    where = f"queries.{key}"
    if schema not in QUERY_SCHEMATA:
        if schema in NON_MATCHABLE:
            reason = f"Non-matchable schema for query: {schema}"
        else:
            reason = f"Unknown schema: {schema!r}"
        raise ExampleError(
            400, f"Cannot parse example entity {key!r}: {reason} (field {where}.schema)"
        )
    allowed = THING_PROPERTIES if schema == "Thing" else PROPERTIES[schema]
    example = Example(ftm_schema=schema, id=example_id)
    parts: dict[str, list[str]] = {}
    for prop, raw in properties.items():
        at = f"{where}.properties.{prop}"
        if prop not in allowed:
            raise ExampleError(
                400,
                f"Cannot parse example entity {key!r}: {schema} has no property {prop!r} "
                f"(field {at})",
            )
        items = raw if isinstance(raw, list) else [raw]
        if len(items) > MAX_VALUES:
            raise ExampleError(
                422,
                [
                    {
                        "type": "too_long",
                        "loc": ["body", "queries", key, "properties", prop],
                        "msg": f"{at} holds {len(items)} values; the limit is {MAX_VALUES}",
                        "ctx": {"max_length": MAX_VALUES},
                    }
                ],
            )
        values: list[str] = []
        for i, item in enumerate(items):
            text = " ".join(str(item).split())
            if len(text) > MAX_QUERY_CHARS:
                raise ExampleError(
                    422,
                    [
                        {
                            "type": "string_too_long",
                            "loc": ["body", "queries", key, "properties", prop, i],
                            "msg": f"{at}[{i}] is {len(text):,} characters long; "
                            f"the limit is {MAX_QUERY_CHARS:,}",
                            "ctx": {"max_length": MAX_QUERY_CHARS},
                        }
                    ],
                )
            if text:
                values.append(text)
        values = _unique(values)
        if not values:
            continue
        example.properties[prop] = values
        try:
            if prop in NAME_PROPS:
                example.names.extend(values)
            elif prop in NAME_PARTS:
                parts[prop] = values
            elif prop in COUNTRY_PROPS:
                example.countries.extend(country_code(v, at) for v in values)
            elif prop in DATE_PROPS:
                example.birth_dates.extend(_date(v, at) for v in values)
            elif prop in IDENTIFIER_PROPS:
                example.identifiers.extend(values)
        except SanctraceError as exc:
            raise ExampleError(400, f"Cannot parse example entity {key!r}: {exc}") from None
    if not example.names and parts:
        # As yente does: names made of their parts when no full name is given (each
        # combination of the parts' values, with and without middle and father names).
        full = [parts[p] for p in NAME_PARTS if p in parts]
        short = [parts[p] for p in ("firstName", "lastName") if p in parts]
        for combo in [*itertools.product(*full), *itertools.product(*short)]:
            example.names.append(" ".join(combo))
            if len(example.names) >= MAX_VALUES:
                break
    example.names = _unique(example.names)
    example.countries = _unique(example.countries)
    example.birth_dates = _unique(example.birth_dates)
    example.identifiers = _unique(example.identifiers)
    return example


def _date(value: str, label: str) -> str:
    parsed = parse_date(value)
    if not parsed:
        raise SanctraceError(f"{label} {value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return parsed


# -- entities out --------------------------------------------------------------------------


def _stamp(day: str | None) -> str | None:
    if day and len(day) >= 10 and parse_date(day[:10]) == day[:10]:
        return f"{day[:10]}T00:00:00"
    return None


def _ids(entity: Entity, ftm: list[dict[str, Any]]) -> dict[str, str]:
    """FtM export ids -> API ids, for references between entities."""
    from sanctrace.export.ftm import ftm_id

    ids = {ftm_id(r.target_id): r.target_id for r in entity.relationships if r.target_id}
    ids[ftm[0]["id"]] = entity.id
    return ids


def _props(props: dict[str, list[str]], ids: dict[str, str]) -> dict[str, list[Any]]:
    return {k: [ids.get(v, v) for v in values] for k, values in props.items()}


def entity_json(
    entity: Entity, ftm: list[dict[str, Any]], version: VersionInfo, *, nested: bool = False
) -> dict[str, Any]:
    """yente's ``EntityResponse`` for a listed entity; ``nested`` adds the adjacent entities
    (sanctions, identifications, links) under their FtM reverse properties, as yente's
    ``/entities`` does."""
    main = ftm[0]
    ids = _ids(entity, ftm)
    last_seen = _stamp(version.published or version.version)
    data: dict[str, Any] = {
        "id": entity.id,
        "caption": entity.caption,
        "schema": main["schema"],
        "properties": _props(main["properties"], ids),
        "datasets": [entity.dataset],
        "referents": [main["id"]],
        "target": True,
        "first_seen": None,
        "last_seen": last_seen,
        "last_change": _stamp(entity.modified_on) or last_seen,
    }
    if nested:
        for adjunct in ftm[1:]:
            props = adjunct["properties"]
            for (schema, prop), reverse in REVERSE.items():
                if adjunct["schema"] == schema and main["id"] in props.get(prop, []):
                    inner = {k: v for k, v in props.items() if k != prop}
                    caption = next(
                        (inner[p][0] for p in _CAPTION_PROPS if inner.get(p)), adjunct["schema"]
                    )
                    data["properties"].setdefault(reverse, []).append(
                        {
                            "id": adjunct["id"],
                            "caption": caption,
                            "schema": adjunct["schema"],
                            "properties": _props(inner, ids),
                            "datasets": adjunct["datasets"],
                            "referents": [],
                            "target": False,
                            "first_seen": None,
                            "last_seen": last_seen,
                            "last_change": data["last_change"],
                        }
                    )
                    break
    return data


def _feature_detail(feature: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(detail, query, candidate) of one sanctrace evidence feature."""
    if "agree" in feature:
        agreed = ", ".join(str(v) for v in feature["agree"])
        return f"agree: {agreed}", agreed, agreed
    if "conflict" in feature:
        query, listed = (", ".join(str(v) for v in side) for side in feature["conflict"])
        return f"conflict: query {query}, listed {listed}", query, listed
    if feature["feature"] == "name_kind":
        return f"matched a {feature['kind']} name (x{feature['factor']})", None, None
    return feature["feature"], None, None


def explanations(match: Match) -> dict[str, dict[str, Any]]:
    """sanctrace's explanation in yente's ``explanations`` shape (feature -> score, detail,
    query, candidate): the name score with its token links, then each piece of evidence with
    what it added to or took from the score."""
    exp = match.explanation
    links = "; ".join(
        f"{t['query']} {'=' if t['how'] == 'exact' else '~'} {t['candidate']} "
        f"({t['how']} {t['similarity']:.2f})"
        for t in exp.get("tokens", [])
    )
    unmatched = exp.get("unmatched_query_tokens") or []
    if unmatched:
        links += ("; " if links else "") + "not found: " + " ".join(unmatched)
    out: dict[str, dict[str, Any]] = {
        "name": {
            "score": exp.get("name_score", 0.0),
            "detail": links or None,
            "query": exp.get("query_name"),
            "candidate": exp.get("candidate_name") or match.matched_name,
        }
    }
    for feature in exp.get("features", []):
        name = feature.get("feature")
        if not name or name == "name":
            continue
        detail, query, candidate = _feature_detail(feature)
        score = feature.get("delta", feature.get("factor", 0.0))
        out[name] = {"score": score, "detail": detail, "query": query, "candidate": candidate}
    return out


def scored_json(
    entity: Entity,
    ftm: list[dict[str, Any]],
    version: VersionInfo,
    match: Match,
    threshold: float,
) -> dict[str, Any]:
    """yente's ``ScoredEntityResponse``."""
    data = entity_json(entity, ftm, version)
    data["score"] = round(match.score, 4)
    data["match"] = match.score >= threshold
    data["explanations"] = explanations(match)
    return data


def topics(ftm: list[dict[str, Any]]) -> list[str]:
    return list(ftm[0]["properties"].get("topics", []))
