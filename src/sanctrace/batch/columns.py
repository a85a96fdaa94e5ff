"""Which column holds what: the name to screen, the caller's record key, the schema, country,
birth date and identifier. Named by options, else found by common header names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sanctrace.batch.readers import RawRow
from sanctrace.errors import SanctraceError

#: The fields a row can give, in the order they are reported.
FIELDS = ("name", "key", "schema", "country", "birth_date", "identifier")

#: The option that names each field's column.
OPTIONS = {
    "name": "--name-column",
    "key": "--key-column",
    "schema": "--schema-column",
    "country": "--country-column",
    "birth_date": "--birth-date-column",
    "identifier": "--id-column",
}

#: Header names recognised for each field (compared lower-case, with spaces, dots and dashes as
#: "_"), best first.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "full_name",
        "fullname",
        "party_name",
        "counterparty_name",
        "counterparty",
        "party",
        "customer_name",
        "client_name",
        "company_name",
        "entity_name",
        "legal_name",
        "organization_name",
        "organisation_name",
        "business_name",
        "account_name",
        "account_holder",
        "beneficiary_name",
        "vendor_name",
        "supplier_name",
        "person_name",
        "subject_name",
        "company",
        "customer",
        "client",
        "organization",
        "organisation",
        "beneficiary",
        "vendor",
        "supplier",
        "subject",
    ),
    "key": (
        "key",
        "id",
        "record_id",
        "customer_id",
        "client_id",
        "party_id",
        "counterparty_id",
        "account_id",
        "entity_id",
        "vendor_id",
        "supplier_id",
        "external_id",
        "row_id",
        "uid",
        "uuid",
        "customer_number",
        "client_number",
        "account_number",
        "reference",
        "ref",
    ),
    "schema": (
        "schema",
        "type",
        "entity_type",
        "party_type",
        "customer_type",
        "client_type",
        "counterparty_type",
        "kind",
    ),
    "country": (
        "country",
        "countries",
        "country_code",
        "nationality",
        "nationalities",
        "citizenship",
        "jurisdiction",
        "country_of_incorporation",
        "incorporation_country",
        "country_of_residence",
        "residence_country",
        "domicile",
    ),
    "birth_date": (
        "birth_date",
        "date_of_birth",
        "dob",
        "d_o_b",
        "birthdate",
        "birthday",
        "born",
        "birth_year",
        "year_of_birth",
    ),
    "identifier": (
        "identifier",
        "identifiers",
        "tax_id",
        "tax_number",
        "tin",
        "inn",
        "ogrn",
        "vat_number",
        "registration_number",
        "company_number",
        "lei",
        "imo",
        "imo_number",
        "swift",
        "bic",
        "swift_bic",
        "passport",
        "passport_number",
        "national_id",
    ),
}


def normalize_header(header: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", header.strip().lower()).strip("_")


@dataclass(frozen=True)
class ColumnOptions:
    """The columns the user named (None: find it by its header, if there is one)."""

    name: str | None = None
    key: str | None = None
    schema: str | None = None
    country: str | None = None
    birth_date: str | None = None
    identifier: str | None = None


@dataclass(frozen=True)
class ColumnMapping:
    """The position of each field's column in the header (None: the input has none)."""

    columns: tuple[str, ...]
    name: int
    key: int | None = None
    schema: int | None = None
    country: int | None = None
    birth_date: int | None = None
    identifier: int | None = None
    detected: frozenset[str] = frozenset()

    def column(self, field: str) -> str | None:
        position: int | None = getattr(self, field)
        return None if position is None else self.columns[position]

    def to_dict(self) -> dict[str, str | None]:
        """Field -> column name, for the record of a run."""
        return {field: self.column(field) for field in FIELDS}

    def describe(self) -> str:
        """One line for the user: which column each field comes from."""
        parts = []
        unused = []
        for field in FIELDS:
            column = self.column(field)
            if column is None:
                if field == "key":
                    parts.append("key=(row number)")
                else:
                    unused.append(field)
                continue
            how = " (detected)" if field in self.detected else ""
            parts.append(f"{field}={column!r}{how}")
        text = "Columns: " + ", ".join(parts)
        if unused:
            text += "; not found: " + ", ".join(unused)
        return text


def resolve_columns(
    columns: tuple[str, ...], options: ColumnOptions, *, source: str = "input"
) -> ColumnMapping:
    """Map fields to columns: named ones must exist; the rest are found by header name."""
    normalized = [normalize_header(c) for c in columns]
    listing = ", ".join(repr(c) for c in columns) or "none"
    chosen: dict[str, int] = {}
    for field in FIELDS:
        wanted: str | None = getattr(options, field)
        if wanted is None:
            continue
        if wanted in columns:
            chosen[field] = columns.index(wanted)
        elif normalize_header(wanted) in normalized:
            chosen[field] = normalized.index(normalize_header(wanted))
        else:
            raise SanctraceError(
                f"{source} has no column {wanted!r} ({OPTIONS[field]}); its columns are: {listing}"
            )
    detected = set()
    for field in FIELDS:
        if field in chosen or getattr(options, field) is not None:
            continue
        taken = set(chosen.values())
        for header in HEADER_NAMES[field]:
            hits = [i for i, n in enumerate(normalized) if n == header and i not in taken]
            if hits:
                chosen[field] = hits[0]
                detected.add(field)
                break
    if "name" not in chosen:
        raise SanctraceError(
            f"{source} has no name column that sanctrace recognises; its columns are: {listing} "
            "(name the column to screen with --name-column)"
        )
    return ColumnMapping(columns=columns, detected=frozenset(detected), **chosen)


@dataclass(frozen=True, slots=True)
class InputRecord:
    """What one input row gives to screen, as text, and the error if the row is unreadable."""

    number: int
    key: str
    name: str
    schema: str = ""
    country: str = ""
    birth_date: str = ""
    identifier: str = ""
    error: str | None = None


def extract(row: RawRow, mapping: ColumnMapping) -> InputRecord:
    """The mapped fields of a row; without a key column, the row number is the key."""
    aligned = len(row.cells) == len(mapping.columns)

    def cell(position: int | None) -> str:
        if position is None or not aligned:
            return ""
        return row.cells[position].strip()

    key = cell(mapping.key) if mapping.key is not None else str(row.number)
    return InputRecord(
        number=row.number,
        key=key,
        name=cell(mapping.name),
        schema=cell(mapping.schema),
        country=cell(mapping.country),
        birth_date=cell(mapping.birth_date),
        identifier=cell(mapping.identifier),
        error=row.error,
    )
