"""US Consolidated Screening List (CSL) of trade.gov, as CSV or JSON.

The CSL merges eleven US export-control and sanctions lists, among them the BIS Entity List (rows
whose ``source`` is "Entity List (EL) - Bureau of Industry and Security"), the Denied Persons,
Unverified and Military End User lists, and OFAC's SDN and non-SDN lists. The CSV has one row per
party with a header (``_id, source, entity_number, type, programs, name, ...``); multi-valued cells
are joined with "; ". The JSON (API response or download) is ``{"results": [{...}], ...}`` or a
bare list of such objects, with lists for multi-valued fields and objects for addresses and ids.
Each row keeps its sub-list as the ``csl_source`` property.

NOT VERIFIED AGAINST A REAL FULL FILE: no copy of the CSL is at hand. This parser is written from
the published column list and the JSON shape public clients read, and tested only on small
hand-written files in ``tests/sources/fixtures/``. In particular the CSV layout of the ``ids`` and
``addresses`` cells ("type, number, country" and "street, city, state, postcode, country" joined
with "; ") is inferred, not checked.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

from sanctrace.errors import SourceError
from sanctrace.model.countries import to_code
from sanctrace.model.dates import parse_date, parse_dates
from sanctrace.model.entity import Address, Entity, Relationship
from sanctrace.sources._identifiers import (
    COMPANY_IDS,
    ID_PROPERTIES,
    SANCTIONS_INFO,
    id_label,
    id_type,
    russian_code,
)
from sanctrace.sources._legal import looks_like_company
from sanctrace.sources._records import (
    RecordContext,
    append_new,
    check_dataset,
    new_entity,
    parse_records,
    single_file,
)
from sanctrace.sources.base import MAX_FIELD_CHARS, ParsedList

NAME = "us_csl"
DATASETS = ("us_trade_csl",)

#: Columns only the CSL has; a header needs ``name``, ``source`` and three of these.
_CSL_COLUMNS = frozenset(
    {
        "_id",
        "entity_number",
        "programs",
        "alt_names",
        "addresses",
        "federal_register_notice",
        "start_date",
        "standard_order",
        "license_requirement",
        "license_policy",
        "source_list_url",
        "source_information_url",
        "ids",
    }
)

_JSON_RESULTS = re.compile(rb'^\s*\{.*?"results"\s*:\s*\[', re.DOTALL)
_JSON_LIST = re.compile(rb"^\s*\[\s*\{")
_JSON_KEY = re.compile(rb'"(source|name)"\s*:')

_SCHEMATA = {
    "individual": "Person",
    "entity": "Organization",
    "vessel": "Vessel",
    "aircraft": "Aircraft",
}

_IMO = re.compile(r"^(?:IMO)?\s*(\d{7})$", re.IGNORECASE)


def sniff(path: Path, head: bytes) -> bool:
    """A CSV header with ``name``, ``source`` and CSL columns, or a CSL-shaped JSON document."""
    head = head.removeprefix(b"\xef\xbb\xbf")
    stripped = head.lstrip()
    if stripped.startswith(b"{"):
        return bool(_JSON_RESULTS.match(head)) and b'"schema"' not in head[:200]
    if stripped.startswith(b"["):
        return bool(_JSON_LIST.match(head)) and len(set(_JSON_KEY.findall(head))) == 2
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace")
    try:
        columns = {c.strip().lower() for c in next(csv.reader([first]), [])}
    except csv.Error:
        return False
    return {"name", "source"} <= columns and len(columns & _CSL_COLUMNS) >= 3


class _Context(RecordContext):
    """A CSV row has a line, a JSON result only its position: warnings name what there is."""

    def warn(self, message: str) -> None:
        where = ", ".join(
            p for p in (str(self.path), self.line and f"line {self.line}", self.record) if p
        )
        self.warnings.append(f"{where}: {message}")


def parse(
    paths: list[Path], *, dataset: str | None = None, skip_bad_rows: bool = False
) -> ParsedList:
    """Parse one CSL file (CSV or JSON) into entities."""
    path = single_file(paths, NAME, "CSV or JSON file")
    check_dataset(dataset, NAME, path)
    chosen = dataset or DATASETS[0]
    ctx = _Context(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc}", file=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start})",
            file=str(path),
            line=line,
        ) from None
    if not text.strip():
        raise SourceError("file is empty", file=str(path))
    published: str | None = None
    if text.lstrip()[:1] in ("{", "["):
        rows, published = _json_rows(ctx, text)
    else:
        rows = _csv_rows(ctx, text)

    result = parse_records(
        ctx,
        ((line, record, (row, record)) for line, record, row in rows),
        lambda item: _entity(ctx, *item, chosen, published),
        dataset=chosen,
        format_name=NAME,
        published=published,
        skip_bad_rows=skip_bad_rows,
        duplicate="duplicate id {}; keeping the first row",
    )
    _resolve_owners(result.entities)
    return result


_Row = tuple[int | None, str, Any]


def _csv_rows(ctx: _Context, text: str) -> list[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out: list[_Row] = []
    try:
        header = [c.strip().lower() for c in next(reader)]
        if "name" not in header:
            raise SourceError("CSL CSV header has no 'name' column", file=str(ctx.path), line=1)
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            record = f"line {line}"
            if len(row) != len(header):
                out.append((line, record, f"{len(row)} fields where the header has {len(header)}"))
            else:
                out.append((line, record, dict(zip(header, row, strict=True))))
    except csv.Error as exc:
        raise SourceError(
            f"malformed CSV: {exc}", file=str(ctx.path), line=reader.line_num
        ) from None
    return out


def _json_rows(ctx: _Context, text: str) -> tuple[list[_Row], str | None]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"malformed JSON: {exc.msg}", file=str(ctx.path), line=exc.lineno
        ) from None
    except (ValueError, RecursionError) as exc:
        raise SourceError(f"unreadable JSON: {exc}", file=str(ctx.path)) from None
    published = None
    if isinstance(data, dict):
        results = data.get("results")
        published = _json_published(data)
    else:
        results = data
    if not isinstance(results, list):
        raise SourceError("CSL JSON holds no list of results", file=str(ctx.path), field="results")
    rows: list[_Row] = []
    for index, item in enumerate(results):
        record = f"results[{index}]"
        if isinstance(item, dict):
            rows.append((None, record, item))
        else:
            rows.append((None, record, f"result is a JSON {type(item).__name__}, not an object"))
    return rows, published


def _json_published(data: dict[str, Any]) -> str | None:
    """Latest ``source_last_updated`` of the API's ``sources``/``sources_used`` block."""
    dates: list[str] = []
    for key in ("sources_used", "sources"):
        sources = data.get(key)
        if isinstance(sources, list):
            for source in sources:
                if isinstance(source, dict) and isinstance(source.get("source_last_updated"), str):
                    date = parse_date(source["source_last_updated"][:10])
                    if date:
                        dates.append(date)
    return max(dates) if dates else None


def _check(ctx: _Context, value: str, name: str) -> str:
    if len(value) > MAX_FIELD_CHARS:
        raise ctx.error(f"field longer than {MAX_FIELD_CHARS} characters", name)
    return value


def _one(ctx: _Context, row: dict[str, Any], name: str) -> str | None:
    """A single-valued field: text with whitespace collapsed, or None."""
    value = row.get(name)
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value if isinstance(v, str | int | float))
    if isinstance(value, bool) or value is None or isinstance(value, dict):
        return None
    text = " ".join(_check(ctx, str(value), name).split())
    return text or None


def _many(ctx: _Context, row: dict[str, Any], name: str) -> list[str]:
    """A multi-valued field: a JSON list and/or "; "-joined text, as a list of strings."""
    value = row.get(name)
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            continue
        for part in _check(ctx, str(item), name).split(";"):
            part = " ".join(part.split())
            if part and part not in out:
                out.append(part)
    return out


def _source_id(ctx: _Context, row: dict[str, Any]) -> str:
    for key in ("_id", "id", "entity_number"):
        value = _one(ctx, row, key)
        if value:
            return value
    material = json.dumps(
        [row.get(k) for k in ("source", "name", "alt_names", "addresses", "start_date", "ids")],
        sort_keys=True,
        default=str,
    )
    return "h" + hashlib.sha1(material.encode("utf-8")).hexdigest()[:16]


def _entity(ctx: _Context, row: Any, position: str, dataset: str, published: str | None) -> Entity:
    if isinstance(row, str):
        raise ctx.error(f"malformed row: {row}")
    name = _one(ctx, row, "name")
    if name is None:
        raise ctx.error("row without a name", "name")
    source_id = _source_id(ctx, row)
    ctx.record = f"id {source_id}"
    type_ = (_one(ctx, row, "type") or "").lower()
    schema = _SCHEMATA.get(type_, "LegalEntity")
    if type_ and type_ not in _SCHEMATA:
        ctx.warn(f"unknown type {type_!r}; read as LegalEntity")

    entity = new_entity(
        ctx,
        dataset=dataset,
        source_id=source_id,
        schema=schema,
        caption=name,
        published=published,
        record=position,
    )
    entity.add_name(name, "primary")
    for alias in _many(ctx, row, "alt_names"):
        entity.add_name(alias, "strong_aka")
    entity.add_property("csl_source", _one(ctx, row, "source"))
    entity.programs = _many(ctx, row, "programs")
    remarks = [r for r in (_one(ctx, row, "remarks"),) if r]
    title = _one(ctx, row, "title")
    if schema == "Person":
        entity.add_property("position", title)
    elif title:
        remarks.append(title)
    entity.remarks = "\n".join(remarks) or None

    entity.add_property("authorityId", _one(ctx, row, "federal_register_notice"))
    entity.listed_on = parse_date(_one(ctx, row, "start_date"))
    entity.add_property("endDate", parse_date(_one(ctx, row, "end_date")))
    entity.add_property("csl_standard_order", _one(ctx, row, "standard_order"))
    entity.add_property("reason", _one(ctx, row, "license_requirement"))
    entity.add_property("provisions", _one(ctx, row, "license_policy"))
    for key in ("source_information_url", "source_list_url"):
        entity.add_property("sourceUrl", _one(ctx, row, key))

    for code in _countries(ctx, row, "citizenships"):
        append_new(entity.citizenships, code)
    for code in _countries(ctx, row, "nationalities"):
        append_new(entity.nationalities, code)
    for code in _countries(ctx, row, "country"):
        append_new(entity.countries, code)
    for text in _many(ctx, row, "dates_of_birth"):
        for date in parse_dates(text):
            append_new(entity.birth_dates, date)
    for place in _many(ctx, row, "places_of_birth"):
        append_new(entity.birth_places, place)

    _vessel(ctx, row, entity)
    _addresses(ctx, row, entity)
    _ids(ctx, row, entity)
    if schema in ("Organization", "LegalEntity") and (
        any(i.type in COMPANY_IDS for i in entity.identifiers)
        or any(looks_like_company(n.value) for n in entity.names)
    ):
        entity.schema = "Company"
    return entity


def _country(text: str) -> str | None:
    code = to_code(text)
    if code is None and "(" in text:
        code = to_code(text.split("(", 1)[0]) or to_code(text.split("(", 1)[1].rstrip(")"))
    return code


def _countries(ctx: _Context, row: dict[str, Any], name: str) -> list[str]:
    return [code for text in _many(ctx, row, name) if (code := _country(text))]


def _vessel(ctx: _Context, row: dict[str, Any], entity: Entity) -> None:
    entity.add_identifier("callSign", _one(ctx, row, "call_sign"))
    entity.add_property("type", _one(ctx, row, "vessel_type"))
    entity.add_property("tonnage", _one(ctx, row, "gross_tonnage"))
    entity.add_property("grossRegisteredTonnage", _one(ctx, row, "gross_registered_tonnage"))
    flag = _one(ctx, row, "vessel_flag")
    if flag:
        entity.add_property("flag", _country(flag) or flag)
    owner = _one(ctx, row, "vessel_owner")
    if owner:
        entity.relationships.append(Relationship(type="owned_by", target_name=owner))


def _addresses(ctx: _Context, row: dict[str, Any], entity: Entity) -> None:
    value = row.get("addresses")
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict):
            address = _address_object(ctx, item)
            if address is not None:
                entity.add_address(address)
        elif isinstance(item, str):
            for text in _check(ctx, item, "addresses").split(";"):
                full = " ".join(text.split()).strip(" ,")
                if not full:
                    continue
                country = _country(full.rsplit(",", 1)[-1].strip())
                entity.add_address(Address(full=full, country=country))


def _address_object(ctx: _Context, item: dict[str, Any]) -> Address | None:
    street = _one(ctx, item, "address")
    city = _one(ctx, item, "city")
    state = _one(ctx, item, "state")
    postal = _one(ctx, item, "postal_code")
    country_text = _one(ctx, item, "country")
    parts = [p for p in (street, city, state, postal, country_text) if p]
    if not parts:
        return None
    return Address(
        full=", ".join(parts),
        street=street,
        city=city,
        region=state,
        postal_code=postal,
        country=_country(country_text) if country_text else None,
    )


def _id_type(label: str) -> str:
    """Identifier type of a label, or "gender" or "property:NAME" for facts that are no ids."""
    label = id_label(label)
    if label in ID_PROPERTIES:
        return "property:" + ID_PROPERTIES[label]
    if label == "gender":
        return "gender"
    if label.startswith(SANCTIONS_INFO):
        return "property:provisions"
    return id_type(label)


def _ids(ctx: _Context, row: dict[str, Any], entity: Entity) -> None:
    value = row.get("ids")
    items = value if isinstance(value, list) else [value]
    triples: list[tuple[str, str | None, str | None]] = []
    for item in items:
        if isinstance(item, dict):
            triples.append(
                (
                    _one(ctx, item, "type") or "",
                    _one(ctx, item, "number"),
                    _one(ctx, item, "country"),
                )
            )
        elif isinstance(item, str):
            for text in _check(ctx, item, "ids").split(";"):
                parts = [" ".join(p.split()) for p in text.split(",")]
                parts = [p for p in parts if p]
                if len(parts) == 1:
                    triples.append(("", parts[0], None))
                elif len(parts) >= 2:
                    triples.append((parts[0], parts[1], parts[2] if len(parts) > 2 else None))
    for label, number, country_text in triples:
        if not number:
            continue
        type_ = _id_type(label) if label else "other"
        country = _country(country_text) if country_text else None
        if type_ == "gender":
            if number.lower() in ("male", "female"):
                entity.gender = number.lower()
        elif type_.startswith("property:"):
            prop = type_.split(":", 1)[1]
            entity.add_property(prop, f"{label} {number}" if prop == "provisions" else number)
        else:
            if type_ == "imoNumber":
                imo = _IMO.match(number)
                if imo:
                    number = f"IMO{imo.group(1)}"
                else:
                    type_ = "registrationNumber"
            note = label if type_ in ("other", "idNumber", "registrationNumber") and label else None
            entity.add_identifier(type_, number, country=country, note=note)
            if russian_code(type_, number, country) == "innCode":
                entity.add_identifier("innCode", number, country=country)


def _resolve_owners(entities: list[Entity]) -> None:
    """Point a vessel's owner at the listed party of that exact name, when there is one."""
    wanted = {
        rel.target_name.casefold()
        for entity in entities
        for rel in entity.relationships
        if rel.target_id is None and rel.target_name
    }
    if not wanted:
        return
    found: dict[str, set[str]] = {}
    for entity in entities:
        for name in entity.names:
            key = name.value.casefold()
            if key in wanted:
                found.setdefault(key, set()).add(entity.id)
    for entity in entities:
        for rel in entity.relationships:
            if rel.target_id is None and rel.target_name:
                ids = found.get(rel.target_name.casefold(), set()) - {entity.id}
                if len(ids) == 1:
                    rel.target_id = next(iter(ids))
