"""Australia DFAT Consolidated List (``regulation8_consolidated.xlsx``).

One row per name: the primary name's row has the bare reference ("2"), its aliases and
original-script names extend it ("2a", "2b", "1276c1"). Rows sharing the numeric base reference
become one entity ``au_dfat_sanctions:{reference}``. The list carries no publication date; the
latest Control Date (the day DFAT last changed an entry) stands for it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from sanctrace.errors import SourceError
from sanctrace.model.dates import parse_date, parse_dates
from sanctrace.model.entity import Address, Entity, Provenance, make_id
from sanctrace.sources._legal import org_schema
from sanctrace.sources._records import check_dataset, single_file, skip_or_raise
from sanctrace.sources._values import cell_text, clean, country_codes, split_enumeration
from sanctrace.sources._zip import is_zip, member_names, open_zip, peek_member
from sanctrace.sources.base import MAX_FIELD_CHARS, ParsedList

NAME = "au_dfat"
DATASETS = ("au_dfat_sanctions",)

COLUMNS = (
    "Reference",
    "Name of Individual or Entity",
    "Type",
    "Name Type",
    "Date of Birth",
    "Place of Birth",
    "Citizenship",
    "Address",
    "Additional Information",
    "Listing Information",
    "Committees",
    "Control Date",
)

_HEADER_SEARCH_ROWS = 20
_DETAILS = COLUMNS[4:11]
_REFERENCE = re.compile(r"^(\d{1,6})(?:\.0)?([a-z]{0,3}\d{0,3})$", re.IGNORECASE)
_NAME_KINDS = {
    "primary name": "primary",
    "aka": "strong_aka",
    "original script": "strong_aka",
    "formerly known as": "fka",
    "previously listed as": "fka",
}
_SCHEMA_BY_TYPE = {"individual": "Person", "entity": None, "vessel": "Vessel"}
_DATE_PARTS = re.compile(
    r"\s*;\s*|\s*>>\s*|\s+or\s+|\balt\.?\s+dob\s*:\s*|\s+(?=\d{1,2}/\d{1,2}/\d{4})",
    re.IGNORECASE,
)
_BETWEEN = re.compile(r"^between\s+", re.IGNORECASE)
_LISTED_ON = re.compile(r"\b(\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{4})")
_IMO = re.compile(r"\bIMO\b[^0-9]{0,40}?(\d{7})\b")
_GENDER = re.compile(r"(?:^|\b(?:gender|sex)\W{0,3})(male|female)\b", re.IGNORECASE)
_URL = re.compile(r"\bhttps?://[^\s;,]+", re.IGNORECASE)


def sniff(path: Path, head: bytes) -> bool:
    """An XLSX workbook whose shared strings hold the DFAT column names."""
    try:
        if not is_zip(head):
            return False
        names = member_names(path)
        if not names or "xl/workbook.xml" not in names:
            return False
        strings = peek_member(path, "xl/sharedStrings.xml", 65536) or b""
        sheet = peek_member(path, "xl/worksheets/sheet1.xml", 65536) or b""
        text = (strings + sheet).decode("utf-8", "replace")
        return all(column in text for column in ("Name of Individual or Entity", "Control Date"))
    except Exception:
        return False


def parse(
    paths: list[Path], *, dataset: str | None = None, skip_bad_rows: bool = False
) -> ParsedList:
    dataset = dataset or DATASETS[0]
    path = single_file(paths, NAME)
    check_dataset(dataset, NAME, path)
    rows = _read_rows(path)
    result = ParsedList(dataset=dataset, format=NAME, entities=[], files=list(paths))
    columns, start = _find_header(path, rows)
    entities: dict[str, Entity] = {}
    merged: dict[str, set[tuple[str, str]]] = {}
    latest: str | None = None
    for number in range(start, len(rows)):
        cells = rows[number]
        if not any(c.strip() for c in cells):
            continue
        record = f"row {number + 1}"
        try:
            values = _values(path, cells, columns, record)
            entity = _add_row(path, dataset, values, record, entities, merged, result)
        except SourceError as exc:
            skip_or_raise(result, exc, skip_bad_rows)
            continue
        if entity.modified_on and (latest is None or entity.modified_on > latest):
            latest = entity.modified_on
    for entity in entities.values():
        if not any(n.kind == "primary" for n in entity.names) and entity.names:
            result.warnings.append(f"{path.name}: reference {entity.source_id} has no primary name")
            entity.names[0].kind = "primary"
            entity.caption = entity.names[0].value
        result.entities.append(entity)
    result.published = latest
    return result


def _read_rows(path: Path) -> list[list[str]]:
    with open_zip(path) as zf:
        if "xl/workbook.xml" not in zf.namelist():
            raise SourceError("not an XLSX workbook (no xl/workbook.xml)", file=str(path))
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        if not workbook.sheet_names:
            raise SourceError("workbook has no sheets", file=str(path))
        raw: list[list[Any]] = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except SourceError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine reports Rust panics as PanicException(BaseException)
        raise SourceError(f"cannot read XLSX workbook ({exc})", file=str(path)) from None
    return [[cell_text(c) for c in row] for row in raw]


def _find_header(path: Path, rows: list[list[str]]) -> tuple[dict[str, int], int]:
    found: list[str] = []
    for number, cells in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        names = [" ".join(c.split()).lower() for c in cells]
        if not found and any(names):
            found = [c for c in cells if c.strip()]
        if all(column.lower() in names for column in COLUMNS):
            return {column: names.index(column.lower()) for column in COLUMNS}, number + 1
    raise SourceError(
        "no DFAT Consolidated List header found; expected columns "
        + ", ".join(COLUMNS)
        + "; found "
        + (", ".join(found[:20]) if found else "no header"),
        file=str(path),
    )


def _values(path: Path, cells: list[str], columns: dict[str, int], record: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for column, index in columns.items():
        value = cells[index] if index < len(cells) else ""
        if len(value) > MAX_FIELD_CHARS:
            raise SourceError("field is too long", file=str(path), record=record, field=column)
        values[column] = value
    return values


def _add_row(
    path: Path,
    dataset: str,
    values: dict[str, str],
    record: str,
    entities: dict[str, Entity],
    merged: dict[str, set[tuple[str, str]]],
    result: ParsedList,
) -> Entity:
    reference = (clean(values["Reference"]) or "").replace(" ", "")
    match = _REFERENCE.match(reference)
    if not match:
        raise SourceError(
            f"unreadable reference {values['Reference']!r}",
            file=str(path),
            record=record,
            field="Reference",
        )
    base = match.group(1)
    name = clean(values["Name of Individual or Entity"])
    if not name:
        raise SourceError(
            "row has no name", file=str(path), record=record, field="Name of Individual or Entity"
        )
    type_ = (clean(values["Type"]) or "").lower()
    if type_ not in _SCHEMA_BY_TYPE:
        raise SourceError(
            f"unknown type {values['Type']!r} (expected Individual or Entity)",
            file=str(path),
            record=record,
            field="Type",
        )
    control = clean(values["Control Date"])
    control_date = parse_date(control) if control else None
    if control and not control_date:
        raise SourceError(
            f"unreadable date {control!r}", file=str(path), record=record, field="Control Date"
        )
    name_type = (clean(values["Name Type"]) or "").lower()
    kind = _NAME_KINDS.get(name_type)
    if kind is None:
        kind = "strong_aka"
        result.warnings.append(
            f"{path.name} {record}: unknown name type {values['Name Type']!r}; read as alias"
        )
    if kind == "primary" and match.group(2):
        kind = "strong_aka"  # only the bare reference's row names the entity

    entity = entities.get(base)
    if entity is None:
        schema = _SCHEMA_BY_TYPE[type_] or org_schema(name)
        entity = Entity(
            id=make_id(dataset, base),
            schema=schema,
            caption=name,
            provenance=Provenance(
                dataset=dataset, source_id=base, source_file=path.name, record=record
            ),
        )
        entities[base] = entity
    elif kind == "primary" and not any(n.kind == "primary" for n in entity.names):
        entity.caption = name
        entity.provenance.record = record
        if entity.schema in ("Company", "Organization"):
            entity.schema = org_schema(name)
    elif kind == "primary":
        kind = "strong_aka"
        result.warnings.append(f"{path.name} {record}: second primary name for {base}")
    entity.add_name(name, kind)
    # Alias rows mostly repeat the primary row's details: merge each distinct value once.
    seen = merged.setdefault(base, set())
    fresh = {k: v for k, v in values.items() if k in _DETAILS and (k, v) not in seen}
    seen.update(fresh.items())
    _merge_details(entity, fresh)
    if control_date and (entity.modified_on is None or control_date > entity.modified_on):
        entity.modified_on = control_date
    return entity


def _merge_details(entity: Entity, values: dict[str, str]) -> None:
    """Add the details of one row (only its not yet merged columns) to the entity."""
    person = entity.schema == "Person"
    dates = _dates(values.get("Date of Birth", ""))
    for date in dates:
        target = entity.birth_dates if person else entity.incorporation_dates
        if date not in target:
            target.append(date)
    for place in split_enumeration(values.get("Place of Birth", "")):
        if place not in entity.birth_places:
            entity.birth_places.append(place)
    for code in country_codes(values.get("Citizenship", "")):
        if code not in entity.citizenships:
            entity.citizenships.append(code)
    for text in split_enumeration(values.get("Address", "")):
        codes = country_codes(text.rsplit(",", 1)[-1])
        entity.add_address(Address(full=text, country=codes[0] if codes else None))
    info = clean(values.get("Additional Information", ""))
    if info:
        if entity.remarks is None:
            entity.remarks = info
        elif info not in entity.remarks:
            entity.remarks = f"{entity.remarks}\n{info}"
        for match in _IMO.finditer(info):
            entity.add_identifier("imoNumber", match.group(1))
        gender = _GENDER.search(info)
        if person and gender and entity.gender is None:
            entity.gender = gender.group(1).lower()
        for url in _URL.findall(info):
            entity.add_property("website", url.rstrip(".)"))
    listing = clean(values.get("Listing Information", ""))
    if listing:
        entity.add_property("notes", listing)
        listed = parse_date(listing) if re.fullmatch(r"[\d-]{10}", listing) else None
        if listed is None:
            found = _LISTED_ON.search(listing)
            listed = parse_date(found.group(1)) if found else None
        if listed and (entity.listed_on is None or listed < entity.listed_on):
            entity.listed_on = listed
    for committee in split_enumeration(values.get("Committees", "")):
        if committee not in entity.programs:
            entity.programs.append(committee)


def _dates(text: str) -> list[str]:
    """Dates of birth as DFAT writes them: cells, "a) 01/02/1960; b) 1961", "Approximately
    1955- 1958", "Between 1955 and 1958", "12 Mar 1961 >> 3 Apr 1961", "alt DOB: ..."."""
    out: list[str] = []
    for part in split_enumeration(text):
        for piece in _DATE_PARTS.split(part):
            piece = _BETWEEN.sub("", piece.strip(" ,.;"))
            for date in parse_dates(piece):
                if date not in out:
                    out.append(date)
    return out
