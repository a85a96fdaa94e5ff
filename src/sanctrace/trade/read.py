"""Shipment files (CSV, TSV, XLSX, Parquet, JSON lines) read into shipments.

Columns are found by their header (``hs_code``, ``HS Code``, ``consignee`` …) or named with
``--column role=header``. A value that cannot be read (an HS code with letters, a date that is
no date, a negative or absurd value, an unknown country) is reported with its line and field,
left empty, and the rest of the row is still screened.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sanctrace.batch.columns import normalize_header
from sanctrace.batch.limits import InputLimits
from sanctrace.batch.readers import TableReader, open_input
from sanctrace.errors import SanctraceError
from sanctrace.match.screener import MAX_QUERY_CHARS
from sanctrace.model.countries import to_code
from sanctrace.trade.model import REQUIRED_ROLES, ROLES, RowError, Shipment

#: Headers that mean a role, besides the role's own name.
ALIASES: dict[str, tuple[str, ...]] = {
    "shipment_id": ("id", "shipment", "shipment_no", "bill_of_lading", "bol", "invoice_no"),
    "date": ("shipment_date", "ship_date", "arrival_date", "invoice_date"),
    "shipper": ("exporter", "seller", "supplier", "shipper_name"),
    "consignee": ("importer", "buyer", "consignee_name"),
    "hs_code": ("hs", "hscode", "hts", "hts_code", "commodity_code", "tariff_code"),
    "description": ("goods_description", "product", "goods", "commodity"),
    "value": ("amount", "invoice_value", "value_usd", "total_value"),
    "quantity": ("qty",),
    "notify_party": ("notify",),
    "origin_country": ("country_of_origin", "origin"),
    "transit_countries": ("transit", "via", "route"),
}

#: A declared value above this is taken for a typing error, not a shipment.
MAX_VALUE = 1e13
_DIGITS = re.compile(r"^\d{2,10}$")
_SPLIT = re.compile(r"\s*[;|/,]\s*")


class TradeInputError(SanctraceError):
    exit_code = 2


@dataclass
class ReadRow:
    shipment: Shipment
    errors: list[RowError] = field(default_factory=list)


def map_columns(columns: tuple[str, ...], given: Mapping[str, str], source: str) -> dict[str, int]:
    """Role -> column position: the ones named (``role=header``), then found by header."""
    normalized = [normalize_header(c) for c in columns]
    listing = ", ".join(repr(c) for c in columns) or "none"
    out: dict[str, int] = {}
    for role, header in given.items():
        if role not in ROLES:
            raise TradeInputError(f"--column {role}=…: unknown role; roles: {', '.join(ROLES)}")
        if header in columns:
            out[role] = columns.index(header)
        elif normalize_header(header) in normalized:
            out[role] = normalized.index(normalize_header(header))
        else:
            raise TradeInputError(f"{source} has no column {header!r}; its columns are: {listing}")
    taken = set(out.values())
    for role in ROLES:
        if role in out:
            continue
        for name in (role, *ALIASES.get(role, ())):
            if name in normalized and normalized.index(name) not in taken:
                out[role] = normalized.index(name)
                taken.add(out[role])
                break
    missing = [r for r in REQUIRED_ROLES if r not in out]
    if missing:
        raise TradeInputError(
            f"{source} has no column for {', '.join(missing)}; its columns are: {listing} "
            "(name them with --column role=header)"
        )
    return out


def _date(text: str) -> dt.date:
    text = text.strip()[:10]
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (write 2024-05-31)")


def _number(text: str) -> float:
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if cleaned.count(",") and cleaned.count("."):
        cleaned = (
            cleaned.replace(",", "")
            if cleaned.rfind(".") > cleaned.rfind(",")
            else (cleaned.replace(".", "").replace(",", "."))
        )
    elif cleaned.count(",") == 1 and len(cleaned.split(",")[1]) != 3:
        cleaned = cleaned.replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    value = float(cleaned)
    if value != value or value < 0 or value > MAX_VALUE:
        raise ValueError(f"{text!r} is not a plausible amount")
    return value


def hs_digits(text: str) -> str:
    """The digits of a declared HS code ("8542.31.00" -> "85423100"); ValueError if it is none."""
    digits = re.sub(r"[\s.\-]", "", text.strip())
    if not digits:
        return ""
    if not _DIGITS.match(digits):
        raise ValueError(f"{text.strip()!r} is not an HS code (2 to 10 digits)")
    return digits


def _country(text: str) -> str | None:
    if not text.strip():
        return None
    code = to_code(text)
    if code is None:
        raise ValueError(f"{text.strip()!r} is not a country sanctrace knows")
    return code


#: How each parsed field is read from its cell, and its value when the cell is empty or wrong.
PARSERS: dict[str, tuple[Callable[[str], Any], Any]] = {
    "hs_code": (hs_digits, ""),
    "date": (_date, None),
    "shipper_country": (_country, None),
    "consignee_country": (_country, None),
    "value": (_number, None),
    "quantity": (_number, None),
    "payer_country": (_country, None),
    "origin_country": (_country, None),
    "consignee_registered": (_date, None),
}
#: Fields whose few distinct values are parsed once each (amounts rarely repeat).
REPEATED = frozenset(PARSERS) - {"value", "quantity"}


def parse_field(role: str, text: str) -> tuple[Any, str | None]:
    """(value, None) or (the empty value, why) for one cell of a parsed field."""
    parse, default = PARSERS[role]
    if not text:
        return default, None
    try:
        return parse(text), None
    except ValueError as exc:
        return default, str(exc)


def parse_transit(text: str) -> tuple[tuple[str, ...], list[str]]:
    """The transit countries of a cell ("TR; KZ", "Turkey/Kazakhstan") and the parts unknown."""
    codes: list[str] = []
    problems: list[str] = []
    for part in _SPLIT.split(text) if text else []:
        try:
            code = _country(part)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if code:
            codes.append(code)
    return tuple(codes), problems


#: The party fields, each screened as a name.
PARTY_FIELDS = ("shipper", "consignee", "notify_party", "payer")
#: A party name longer than this is not screened (the screener's own limit).
MAX_NAME_CHARS = MAX_QUERY_CHARS


def name_problem(text: str) -> str | None:
    """Why a party name cannot be screened, if it cannot (it is still shown in the report)."""
    if len(text) > MAX_NAME_CHARS:
        return (
            f"a name of {len(text):,} characters is not screened (the limit is {MAX_NAME_CHARS:,})"
        )
    return None


def shipment_of(number: int, cell: Callable[[str], str], errors: list[RowError]) -> Shipment:
    """A shipment from ``cell(role)`` (the stripped text of each role), its unreadable fields
    added to ``errors``: the one place a row's fields are read."""
    values: dict[str, Any] = {}
    for role in PARSERS:
        values[role], problem = parse_field(role, cell(role))
        if problem:
            errors.append(RowError(number, role, problem))
    transit, problems = parse_transit(cell("transit_countries"))
    errors.extend(RowError(number, "transit_countries", p) for p in problems)
    for role in PARTY_FIELDS:
        problem = name_problem(cell(role))
        if problem:
            errors.append(RowError(number, role, problem))
    return Shipment(
        line=number,
        shipment_id=cell("shipment_id") or str(number),
        shipper=cell("shipper"),
        consignee=cell("consignee"),
        description=cell("description"),
        currency=cell("currency").upper(),
        unit=cell("unit"),
        notify_party=cell("notify_party"),
        payer=cell("payer"),
        transit_countries=transit,
        consignee_address=cell("consignee_address"),
        **values,
    )


def row_shipment(number: int, cells: tuple[str, ...], columns: Mapping[str, int]) -> ReadRow:
    """One row as a shipment, with the errors of the fields that could not be read."""
    errors: list[RowError] = []

    def cell(role: str) -> str:
        position = columns.get(role)
        if position is None or position >= len(cells):
            return ""
        return cells[position].strip()

    return ReadRow(shipment_of(number, cell, errors), errors)


@dataclass
class ShipmentFile:
    """An open shipments file: its columns, which roles it has, and its rows."""

    reader: TableReader
    columns: dict[str, int]

    @property
    def roles(self) -> set[str]:
        return set(self.columns)

    def rows(self) -> Iterator[ReadRow]:
        for raw in self.reader.rows():
            if raw.error:
                empty = Shipment(raw.number, str(raw.number), "", "", "")
                yield ReadRow(empty, [RowError(raw.number, "row", raw.error)])
                continue
            yield row_shipment(raw.number, raw.cells, self.columns)

    def close(self) -> None:
        self.reader.close()


def open_shipments(
    source: str,
    given: Mapping[str, str] | None = None,
    *,
    encoding: str | None = None,
    input_format: str | None = None,
    limits: InputLimits | None = None,
) -> ShipmentFile:
    reader = open_input(source, input_format, encoding=encoding, limits=limits)
    try:
        columns = map_columns(reader.columns, given or {}, source)
    except BaseException:
        reader.close()
        raise
    return ShipmentFile(reader, columns)
