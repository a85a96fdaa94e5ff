"""An input record -> the query to screen, a reason to skip it, or an error naming the field."""

from __future__ import annotations

import re

from sanctrace.batch.columns import InputRecord
from sanctrace.errors import SanctraceError
from sanctrace.match import Query
from sanctrace.match.screener import QUERY_SCHEMATA, check_input
from sanctrace.screening import birth_date, country_code

#: Why a row was not screened although it could be read.
EMPTY_NAME = "empty name"
NO_LETTERS = "name has no letters or digits"

#: Words a schema column may use, lower-case -> schema.
SCHEMA_WORDS = {
    **{s.lower(): s for s in QUERY_SCHEMATA},
    "individual": "Person",
    "natural person": "Person",
    "private person": "Person",
    "person": "Person",
    "people": "Person",
    "p": "Person",
    "i": "Person",
    "ind": "Person",
    "company": "Company",
    "corporation": "Company",
    "corporate": "Company",
    "business": "Company",
    "firm": "Company",
    "c": "Company",
    "organisation": "Organization",
    "organization": "Organization",
    "org": "Organization",
    "entity": "LegalEntity",
    "legal entity": "LegalEntity",
    "legal person": "LegalEntity",
    "ship": "Vessel",
    "vessel": "Vessel",
    "aircraft": "Aircraft",
    "plane": "Aircraft",
}

_SEPARATORS = re.compile(r"\s*[;|]\s*")


def split_values(text: str) -> list[str]:
    """A cell that may hold several values, separated by ";" or "|"."""
    return [part for part in _SEPARATORS.split(text.strip()) if part]


def schema_of(value: str) -> str | None:
    """A schema column's value as a schema (empty: none given); unknown words are an error."""
    text = " ".join(value.split()).lower()
    if not text:
        return None
    schema = SCHEMA_WORDS.get(text)
    if schema is None:
        raise SanctraceError(
            f"schema {value!r} is not one of Person, Company, Organization, LegalEntity, "
            "Vessel, Aircraft (or individual, company, entity …)"
        )
    return schema


def build_query(record: InputRecord, schema: str | None = None) -> Query | str:
    """The query for a record, or the reason it is skipped (an empty name). A value that is
    wrong (a name over the length limit, an unknown country or schema, a date that is not one)
    raises :class:`SanctraceError` with a one-line reason."""
    if record.error:
        raise SanctraceError(record.error)
    name = record.name.strip()
    identifiers = tuple(split_values(record.identifier))
    if record.schema:
        schema = schema_of(record.schema)
    check_input(name, schema)
    if not identifiers:
        if not name:
            return EMPTY_NAME
        if not any(ch.isalnum() for ch in name):
            return NO_LETTERS
    return Query(
        name=name,
        schema=schema,
        countries=tuple(
            dict.fromkeys(country_code(c, "country") for c in split_values(record.country))
        ),
        birth_dates=tuple(birth_date(d, "birth date") for d in split_values(record.birth_date)),
        identifiers=identifiers,
    )
