"""OFSI Consolidated List of financial sanctions targets, ``ConList.csv`` (gb_hmt_sanctions).

One row per name: all rows sharing a Group ID are one target. The "Prime Alias" (or "Primary
name") row gives the primary name; AKAs become aliases, and dates of birth, nationalities,
passports, addresses and positions are united over the rows. The file is Windows-1252 (newer
copies UTF-8) and may open with a "Last Updated,dd/mm/yyyy" line, which is the publication date.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from sanctrace.errors import SourceError
from sanctrace.model.countries import to_code
from sanctrace.model.dates import parse_date, parse_dates
from sanctrace.model.entity import Address, Entity, Provenance, make_id
from sanctrace.sources._legal import org_schema
from sanctrace.sources._records import (
    BadRow,
    check_dataset,
    read_csv_bytes,
    single_file,
    skip_or_raise,
)
from sanctrace.sources._values import clean, country_codes, split_enumeration
from sanctrace.sources.base import MAX_FIELD_CHARS, ParsedList

NAME = "ofsi_csv"
DATASETS = ("gb_hmt_sanctions",)

#: Columns every ConList.csv has; the others below are used when present.
REQUIRED = ("Name 6", "Group Type", "Alias Type", "Group ID")
OPTIONAL = (
    "Name 1",
    "Name 2",
    "Name 3",
    "Name 4",
    "Name 5",
    "Title",
    "Name Non-Latin Script",
    "DOB",
    "Town of Birth",
    "Country of Birth",
    "Nationality",
    "Passport Number",
    "Passport Details",
    "NI Number",
    "National Identification Number",
    "National Identification Details",
    "Position",
    "Address 1",
    "Address 2",
    "Address 3",
    "Address 4",
    "Address 5",
    "Address 6",
    "Post/Zip Code",
    "Country",
    "Other Information",
    "Alias Quality",
    "Regime",
    "Listed On",
    "UK Sanctions List Date Designated",
    "Last Updated",
    "UK Sanctions List Ref",
)

_HEADER_SEARCH_LINES = 10
_LAST_UPDATED = re.compile(r"^\s*last updated\s*[,:]\s*(\S+)", re.IGNORECASE)
_GROUP_ID = re.compile(r"^\d{1,12}$")
_STRICT_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")
_ID_NUMBER = re.compile(r"\b([A-Z]{0,4}[0-9][0-9A-Z/\-.]{2,}[0-9A-Z])\b", re.IGNORECASE)
_IMO = re.compile(r"\bIMO(?:\s+number|\s+no\.?)?\s*[:.]?\s*(\d{7})\b", re.IGNORECASE)
_MMSI = re.compile(r"\bMMSI\s*[:.]?\s*(\d{9})\b", re.IGNORECASE)

_NAME_KINDS = {
    "prime alias": "primary",
    "primary name": "primary",
    "primary name variation": "spelling",
    "aka": "strong_aka",
    "a.k.a.": "strong_aka",
    "good quality a.k.a.": "strong_aka",
    "good quality aka": "strong_aka",
    "low quality a.k.a.": "weak_aka",
    "low quality aka": "weak_aka",
    "fka": "fka",
    "f.k.a.": "fka",
}
_SCHEMA_BY_TYPE = {"individual": "Person", "ship": "Vessel"}
_GROUP_TYPES = ("individual", "entity", "ship")


@dataclass
class _Row:
    line: int
    values: dict[str, str]


@dataclass
class _Group:
    group_id: str
    rows: list[_Row] = field(default_factory=list)


@dataclass
class _Layout:
    """How rows line up with the header. Some exports put empty cells before the header's
    first name ("",Name 6,...) over rows that lack them; the first data row decides."""

    width: int
    blank: int
    shift: int | None = None


def sniff(path: Path, head: bytes) -> bool:
    """A CSV whose header (in its first lines) has the ConList columns."""
    try:
        if b"\x00" in head or head.startswith(b"PK\x03\x04"):
            return False
        text = head.decode("cp1252", "replace").lstrip("\ufeff\u00ef\u00bb\u00bf")
        lines = text.splitlines()[:_HEADER_SEARCH_LINES]
        return any(_header(row) is not None for row in csv.reader(lines))
    except Exception:
        return False


def _header(cells: list[str]) -> dict[str, int] | None:
    names = [" ".join(c.split()).lower() for c in cells]
    if not all(r.lower() in names for r in REQUIRED):
        return None
    index = {}
    for column in (*REQUIRED, *OPTIONAL):
        if column.lower() in names:
            index[column] = names.index(column.lower())
    return index


def parse(
    paths: list[Path], *, dataset: str | None = None, skip_bad_rows: bool = False
) -> ParsedList:
    dataset = dataset or DATASETS[0]
    path = single_file(paths, NAME)
    check_dataset(dataset, NAME, path)
    result = ParsedList(dataset=dataset, format=NAME, entities=[], files=list(paths))
    text = _decode(path, skip_bad_rows, result)
    groups: dict[str, _Group] = {}
    for row in _rows(path, text, result, skip_bad_rows):
        group_id = row.values["Group ID"]
        groups.setdefault(group_id, _Group(group_id)).rows.append(row)
    for group in groups.values():
        result.entities.append(_entity(path, dataset, group, result))
    return result


def _decode(path: Path, skip_bad_rows: bool, result: ParsedList) -> str:
    data = read_csv_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        if not skip_bad_rows:
            raise SourceError(
                f"byte 0x{data[exc.start]:02x} is neither UTF-8 nor Windows-1252 text",
                file=str(path),
                line=line,
            ) from None
        result.warnings.append(f"{path.name} line {line}: undecodable bytes replaced")
        return data.decode("cp1252", "replace")


def _rows(path: Path, text: str, result: ParsedList, skip_bad_rows: bool) -> list[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    columns: dict[str, int] | None = None
    layout: _Layout | None = None
    first: list[str] = []
    rows: list[_Row] = []
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if columns is None or layout is None:
                match = _LAST_UPDATED.match(",".join(cells[:2]))
                if match:
                    result.published = parse_date(match.group(1))
                    continue
                if not first and any(cells):
                    first = [c for c in cells if c]
                columns = _header(cells)
                if columns is None and start >= _HEADER_SEARCH_LINES:
                    break
                if columns is not None:
                    layout = _Layout(width=len(cells), blank=_leading_blanks(cells))
                continue
            if not any(c.strip() for c in cells):
                continue
            try:
                rows.append(_row(path, start, cells, columns, layout))
            except BadRow as exc:
                skip_or_raise(result, exc, skip_bad_rows)
    except csv.Error as exc:
        raise SourceError(f"malformed CSV ({exc})", file=str(path), line=line) from None
    if columns is None:
        raise SourceError(
            "no OFSI ConList header found; expected columns "
            + ", ".join(REQUIRED)
            + " (and "
            + ", ".join(OPTIONAL[:12])
            + ", ...); found "
            + (", ".join(first[:20]) if first else "no header"),
            file=str(path),
        )
    return rows


def _leading_blanks(cells: list[str]) -> int:
    return next((i for i, c in enumerate(cells) if c.strip()), 0)


def _row(path: Path, line: int, cells: list[str], columns: dict[str, int], layout: _Layout) -> _Row:
    if layout.shift is None:
        if layout.blank and len(cells) == layout.width - layout.blank:
            layout.shift = layout.blank
        elif len(cells) >= layout.width:
            layout.shift = 0
    expected = layout.width - (layout.shift or 0)
    extra_empty = len(cells) > expected and not any(c.strip() for c in cells[expected:])
    if layout.shift is None or (len(cells) != expected and not extra_empty):
        raise BadRow(f"row has {len(cells)} fields, expected {expected}", file=str(path), line=line)
    shift = layout.shift
    values: dict[str, str] = {}
    for column, index in columns.items():
        value = cells[index - shift] if 0 <= index - shift < len(cells) else ""
        if len(value) > MAX_FIELD_CHARS:
            raise BadRow("field is too long", file=str(path), line=line, field=column)
        values[column] = " ".join(value.split())
    group_id = values["Group ID"]
    if not _GROUP_ID.match(group_id):
        raise BadRow(
            f"Group ID {group_id!r} is not a number", file=str(path), line=line, field="Group ID"
        )
    if values["Group Type"].lower() not in _GROUP_TYPES:
        raise BadRow(
            f"unknown Group Type {values['Group Type']!r} (expected Individual, Entity or Ship)",
            file=str(path),
            line=line,
            field="Group Type",
        )
    if not _full_name(values):
        raise BadRow("row has no name", file=str(path), line=line, field="Name 6")
    for column in ("Listed On", "Last Updated", "UK Sanctions List Date Designated"):
        value = values.get(column, "")
        if value and not (_STRICT_DATE.match(value) and parse_date(value)):
            raise BadRow(f"unreadable date {value!r}", file=str(path), line=line, field=column)
    return _Row(line=line, values=values)


def _full_name(values: dict[str, str]) -> str:
    parts = [values.get(f"Name {i}", "") for i in (1, 2, 3, 4, 5, 6)]
    return " ".join(p for p in parts if p)


def _entity(path: Path, dataset: str, group: _Group, result: ParsedList) -> Entity:
    rows = group.rows
    primary_row = next(
        (r for r in rows if _NAME_KINDS.get(r.values["Alias Type"].lower()) == "primary"),
        rows[0],
    )
    first = primary_row.values
    group_type = first["Group Type"].lower()
    caption = _full_name(first)
    other = " ".join(r.values.get("Other Information", "") for r in rows)
    imo = _IMO.search(other)
    schema = _SCHEMA_BY_TYPE.get(group_type) or org_schema(caption)
    if schema == "Organization" and imo:
        schema = "Vessel"  # OFSI lists ships as entities; shipping companies have legal forms
    entity = Entity(
        id=make_id(dataset, group.group_id),
        schema=schema,
        caption=caption,
        provenance=Provenance(
            dataset=dataset,
            source_id=group.group_id,
            source_file=path.name,
            record=f"line {primary_row.line}",
        ),
    )
    entity.add_property("ofsiGroupId", group.group_id)
    for row in [primary_row, *[r for r in rows if r is not primary_row]]:
        if row.values["Group Type"].lower() != group_type:
            result.warnings.append(
                f"{path.name} line {row.line}: Group ID {group.group_id} mixes group types"
            )
        _add_row(entity, row, schema, result, path, primary=row is primary_row)
    return entity


def _add_row(
    entity: Entity, row: _Row, schema: str, result: ParsedList, path: Path, *, primary: bool
) -> None:
    """Merge one name row into the target; ``primary`` marks the row that names the target."""
    v = row.values
    kind = _NAME_KINDS.get(v["Alias Type"].lower())
    if kind is None:
        kind = "strong_aka"
        result.warnings.append(
            f"{path.name} line {row.line}: unknown Alias Type {v['Alias Type']!r}; read as AKA"
        )
    if v.get("Alias Quality", "").lower().startswith("low"):
        kind = "weak_aka"
    name = _full_name(v)
    if primary or name == entity.caption:
        kind = "primary"  # targets listed only under AKAs still need a primary name
    elif kind == "primary":
        kind = "strong_aka"  # a second, different "primary" name of the same target
    person = schema == "Person"
    middle = " ".join(v.get(f"Name {i}", "") for i in (2, 3, 4, 5) if v.get(f"Name {i}"))
    entity.add_name(
        name,
        kind,
        first_name=(v.get("Name 1") or None) if person else None,
        middle_name=(middle or None) if person else None,
        last_name=(v.get("Name 6") or None) if person else None,
        title=v.get("Title") or None,
    )
    entity.add_name(v.get("Name Non-Latin Script"), "strong_aka")
    entity.add_property("title", v.get("Title"))
    for part in split_enumeration(v.get("Position")):
        entity.add_property("position", part)
    if person:
        for date in parse_dates(_year_only(v.get("DOB", ""))):
            if date not in entity.birth_dates:
                entity.birth_dates.append(date)
        _birth_places(entity, v.get("Town of Birth"), v.get("Country of Birth"))
        for code in country_codes(v.get("Nationality")):
            if code not in entity.nationalities:
                entity.nationalities.append(code)
    for column in ("Passport Number", "Passport Details"):
        for text in split_enumeration(v.get(column)):
            entity.add_identifier(
                "passportNumber", _id_number(text), country=_id_country(text), note=_note(text)
            )
    for column in (
        "NI Number",
        "National Identification Number",
        "National Identification Details",
    ):
        for text in split_enumeration(v.get(column)):
            entity.add_identifier(
                "idNumber", _id_number(text), country=_id_country(text), note=_note(text)
            )
    _address(entity, v)
    other = v.get("Other Information")
    if other:
        for match in _IMO.finditer(other):
            entity.add_identifier("imoNumber", match.group(1))
        for match in _MMSI.finditer(other):
            entity.add_identifier("mmsi", match.group(1))
        if entity.remarks is None:
            entity.remarks = other
        elif other not in entity.remarks:
            entity.remarks = f"{entity.remarks}\n{other}"
    regime = v.get("Regime")
    if regime and regime not in entity.programs:
        entity.programs.append(regime)
    listed = parse_date(v.get("UK Sanctions List Date Designated") or v.get("Listed On"))
    if listed and (entity.listed_on is None or listed < entity.listed_on):
        entity.listed_on = listed
    updated = parse_date(v.get("Last Updated"))
    if updated and (entity.modified_on is None or updated > entity.modified_on):
        entity.modified_on = updated
    entity.add_property("ukSanctionsListRef", v.get("UK Sanctions List Ref"))


def _year_only(text: str) -> str:
    """OFSI writes an unknown day or month as 00: "00/00/1980" is 1980, "00/05/1980" 1980-05."""
    match = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", text.strip())
    if not match:
        return text
    day, month, year = match.groups()
    if month == "00":
        return year
    if day == "00":
        return f"{year}-{month}"
    return text


def _birth_places(entity: Entity, town: str | None, country: str | None) -> None:
    towns = split_enumeration(town)
    countries = split_enumeration(country)
    if len(towns) == 1 and len(countries) == 1 and countries[0].lower() not in towns[0].lower():
        towns = [f"{towns[0]}, {countries[0]}"]
    for place in towns or countries:
        if place not in entity.birth_places:
            entity.birth_places.append(place)
    for code in country_codes(country):
        entity.add_property("birthCountry", code)


def _address(entity: Entity, v: dict[str, str]) -> None:
    lines = [v.get(f"Address {i}", "") for i in range(1, 7)]
    lines = [line for line in lines if line]
    postal = v.get("Post/Zip Code") or None
    country = v.get("Country") or None
    code = to_code(country) if country else None
    if code is None and country:
        codes = country_codes(country)
        code = codes[0] if codes else None
    if code and code not in entity.countries:
        entity.countries.append(code)
    if not lines and not postal:
        return
    full = ", ".join([*lines, *([postal] if postal else []), *([country] if country else [])])
    address = Address(
        full=full,
        street=lines[0] if len(lines) > 1 else None,
        city=lines[-1] if len(lines) > 1 else None,
        postal_code=postal,
        country=code,
    )
    if address not in entity.addresses:
        entity.addresses.append(address)


def _id_number(text: str) -> str | None:
    """The document number in an OFSI identifier note ("Passport No: 592667 (Qatari ...)")."""
    cleaned = re.sub(r"\([^()]*\)", " ", text)
    for candidate in (cleaned, text):
        match = _ID_NUMBER.search(candidate)
        if match:
            return match.group(1)
    return clean(text)


def _note(text: str) -> str | None:
    number = _id_number(text)
    return None if number == text.strip() else text


def _id_country(text: str) -> str | None:
    """The issuing country when a bracket names only it: "2255278 (Syria)"."""
    for inner in re.findall(r"\(([^()]*)\)", text):
        code = to_code(inner)
        if code:
            return code
    return None
