"""Column mapping: named columns, detected headers, and errors that list what exists."""

from __future__ import annotations

import pytest

from sanctrace.batch.columns import ColumnOptions, extract, resolve_columns
from sanctrace.batch.queries import EMPTY_NAME, NO_LETTERS, build_query
from sanctrace.batch.readers import RawRow
from sanctrace.errors import SanctraceError


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ("Customer ID", "Full Name", "Nationality", "Date of Birth", "Entity Type"),
            {
                "key": "Customer ID",
                "name": "Full Name",
                "country": "Nationality",
                "birth_date": "Date of Birth",
                "schema": "Entity Type",
                "identifier": None,
            },
        ),
        (
            ("record_id", "COUNTERPARTY", "country", "DOB", "LEI"),
            {
                "key": "record_id",
                "name": "COUNTERPARTY",
                "country": "country",
                "birth_date": "DOB",
                "schema": None,
                "identifier": "LEI",
            },
        ),
        (
            ("id", "company", "type"),
            {
                "key": "id",
                "name": "company",
                "schema": "type",
                "country": None,
                "birth_date": None,
                "identifier": None,
            },
        ),
        (
            ("party_name", "notes"),
            {
                "key": None,
                "name": "party_name",
                "schema": None,
                "country": None,
                "birth_date": None,
                "identifier": None,
            },
        ),
    ],
)
def test_common_headers_are_detected(header: tuple[str, ...], expected: dict[str, str]) -> None:
    mapping = resolve_columns(header, ColumnOptions())
    assert mapping.to_dict() == expected


def test_named_columns_win_and_are_case_insensitive() -> None:
    header = ("name", "legal_name", "ref", "ctry")
    mapping = resolve_columns(header, ColumnOptions(name="LEGAL_NAME", key="ref", country="Ctry"))
    assert mapping.to_dict()["name"] == "legal_name"
    assert mapping.to_dict()["key"] == "ref"
    assert mapping.to_dict()["country"] == "ctry"
    assert mapping.detected == frozenset()
    assert mapping.describe() == (
        "Columns: name='legal_name', key='ref', country='ctry'; "
        "not found: schema, birth_date, identifier"
    )
    plain = resolve_columns(("customer_name",), ColumnOptions())
    assert plain.describe() == (
        "Columns: name='customer_name' (detected), key=(row number); "
        "not found: schema, country, birth_date, identifier"
    )


def test_missing_columns_are_errors_listing_the_columns() -> None:
    header = ("Client", "Reference", "Land")
    with pytest.raises(SanctraceError) as named:
        resolve_columns(header, ColumnOptions(country="Country"), source="in.csv")
    assert str(named.value) == (
        "in.csv has no column 'Country' (--country-column); "
        "its columns are: 'Client', 'Reference', 'Land'"
    )
    with pytest.raises(SanctraceError) as none:
        resolve_columns(("first", "last"), ColumnOptions(), source="in.csv")
    assert "no name column" in str(none.value) and "'first', 'last'" in str(none.value)
    assert "--name-column" in str(none.value)


def test_records_and_queries() -> None:
    mapping = resolve_columns(("id", "name", "type", "country", "dob", "tax_id"), ColumnOptions())
    row = RawRow(7, ("C-9", " IEMZ Kupol ", "company", "Russia; BY", "1990", "1831083343"))
    record = extract(row, mapping)
    assert (record.number, record.key, record.name) == (7, "C-9", "IEMZ Kupol")
    query = build_query(record)
    assert not isinstance(query, str)
    assert query.name == "IEMZ Kupol" and query.schema == "Company"
    assert query.countries == ("RU", "BY") and query.birth_dates == ("1990",)
    assert query.identifiers == ("1831083343",)

    def q(**cells: str) -> object:
        values = {"id": "1", "name": "", "type": "", "country": "", "dob": "", "tax_id": ""}
        values.update(cells)
        return build_query(extract(RawRow(2, tuple(values.values())), mapping))

    assert q(name="  ") == EMPTY_NAME
    assert q(name="---") == NO_LETTERS
    assert not isinstance(q(tax_id="1831083343"), str), "an identifier alone is screened"
    assert q(name="Jon Smith", type="individual").schema == "Person"  # type: ignore[attr-defined]
    assert q(name="x", dob="31/12/1971").birth_dates == ("1971-12-31",)  # type: ignore[attr-defined]
    for cells, words in (
        ({"name": "A" * 1001}, "limit is 1,000"),
        ({"name": "x", "country": "Narnia"}, "country 'Narnia' is not a country"),
        ({"name": "x", "dob": "someday"}, "birth date 'someday' is not a date"),
        ({"name": "x", "type": "alien"}, "schema 'alien' is not one of"),
    ):
        with pytest.raises(SanctraceError, match=words):
            q(**cells)
    # Without a key column the row number is the key; misaligned cells give empty fields.
    bare = resolve_columns(("name",), ColumnOptions())
    assert extract(RawRow(12, ("Kim",)), bare).key == "12"
    broken = extract(RawRow(13, ("Kim", "extra"), "expected 1 fields"), bare)
    assert broken.name == "" and broken.error == "expected 1 fields"
    with pytest.raises(SanctraceError, match="expected 1 fields"):
        build_query(broken)
