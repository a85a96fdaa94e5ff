"""UN Security Council Consolidated List XML (``CONSOLIDATED_LIST``: INDIVIDUALS and ENTITIES).

Entity ids use the list's DATAID; the reference number ("CDi.001") is kept as the FtM ``unscId``
property and as an identifier. Comments that cite other listed entries by reference number become
``related`` relationships. A birth-year range (``BETWEEN``) of up to ten years is expanded to every
year in it so that screening on a single year still matches; longer ranges keep both ends.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from sanctrace.errors import SourceError
from sanctrace.model.countries import to_code
from sanctrace.model.dates import parse_date, parse_dates
from sanctrace.model.entity import Entity, Relationship
from sanctrace.sources._legal import looks_like_company
from sanctrace.sources._records import (
    RecordContext,
    add_address,
    check_dataset,
    element_text,
    new_entity,
    parse_records,
    single_file,
)
from sanctrace.sources._xml import child, children, local, parse_xml, source_line
from sanctrace.sources.base import ParsedList

NAME = "un_xml"
DATASETS = ("un_sc_sanctions",)

_ROOT = re.compile(rb"<CONSOLIDATED_LIST[\s>/]")

_ALIAS_KINDS = {
    "good": "strong_aka",
    "a.k.a.": "strong_aka",
    "low": "weak_aka",
    "f.k.a.": "fka",
}

_REFERENCE = re.compile(r"\b([A-Z]{2}[ie]\.\d{3})\b")
_MAX_RANGE_YEARS = 10
_TIMEZONE = re.compile(r"(?<=^\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})$")

#: Document type keywords -> identifier type, tried in order on the lower-cased type text.
_DOC_KEYWORDS = (
    ("passport", "passportNumber"),
    ("passeport", "passportNumber"),
    ("pasaporte", "passportNumber"),
    ("fiscal", "taxNumber"),
    ("tax", "taxNumber"),
    ("social security", "idNumber"),
    ("identif", "idNumber"),
    ("identity", "idNumber"),
    ("national number", "idNumber"),
    ("tazkira", "idNumber"),
    ("bundespersonalausweis", "idNumber"),
)


def _iso(text: str | None) -> str | None:
    """An ISO date, also in the xs:date form with a time zone the UN uses ("2015-03-27-04:00")."""
    if text:
        text = _TIMEZONE.sub("", text)
    return parse_date(text)


def sniff(path: Path, head: bytes) -> bool:
    """A ``CONSOLIDATED_LIST`` root element within the first bytes."""
    return bool(_ROOT.search(head))


def _value(ctx: RecordContext, elem: etree._Element | None, name: str) -> str | None:
    """Whitespace-collapsed text of ``elem``'s first child ``name``; None when empty."""
    if elem is None:
        return None
    return element_text(ctx, child(elem, name), name)


def _values(ctx: RecordContext, elem: etree._Element, name: str) -> list[str]:
    """Texts of the ``VALUE`` children of every ``name`` child (TITLE/VALUE, NATIONALITY/VALUE)."""
    out: list[str] = []
    for group in children(elem, name):
        for node in children(group, "VALUE"):
            value = element_text(ctx, node, name)
            if value and value not in out:
                out.append(value)
    return out


def parse(
    paths: list[Path], *, dataset: str | None = None, skip_bad_rows: bool = False
) -> ParsedList:
    """Parse one UN Security Council consolidated list XML file into entities."""
    path = single_file(paths, NAME, "XML file")
    check_dataset(dataset, NAME, path)
    chosen = dataset or DATASETS[0]
    root = parse_xml(path)
    if local(root.tag) != "CONSOLIDATED_LIST":
        raise SourceError(
            f"not a UN consolidated list XML file (root element <{local(root.tag)}>)",
            file=str(path),
            line=source_line(root),
        )
    ctx = RecordContext(path)
    generated = root.get("dateGenerated")
    published = _iso(generated) if generated else None
    if generated and published is None:
        ctx.warnings.append(f"{path}: unreadable dateGenerated {generated!r}")

    records: list[tuple[int | None, str, tuple[etree._Element, str]]] = []
    for group, item in (("INDIVIDUALS", "INDIVIDUAL"), ("ENTITIES", "ENTITY")):
        for container in children(root, group):
            for index, elem in enumerate(children(container, item), start=1):
                xpath = f"/CONSOLIDATED_LIST/{group}/{item}[{index}]"
                records.append((source_line(elem), xpath, (elem, xpath)))

    result = parse_records(
        ctx,
        records,
        lambda item: _entity(ctx, *item, chosen, published),
        dataset=chosen,
        format_name=NAME,
        published=published,
        skip_bad_rows=skip_bad_rows,
        duplicate="duplicate DATAID {}; keeping the first entry",
    )
    references: dict[str, Entity] = {}
    for entity in result.entities:
        for ref in entity.properties.get("unscId", []):
            references.setdefault(ref, entity)
    _relate(result.entities, references)
    return result


def _entity(
    ctx: RecordContext, elem: etree._Element, xpath: str, dataset: str, published: str | None
) -> Entity:
    person = local(elem.tag) == "INDIVIDUAL"
    data_id = _value(ctx, elem, "DATAID")
    if data_id is None:
        raise ctx.error("entry without DATAID", "DATAID")
    ctx.record = f"{local(elem.tag)} DATAID={data_id}"
    parts = [_value(ctx, elem, tag) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME")]
    parts.append(_value(ctx, elem, "FOURTH_NAME"))
    present = [part for part in parts if part]
    if not present:
        raise ctx.error("entry without a name", "FIRST_NAME")
    primary = " ".join(present)
    entity = new_entity(
        ctx,
        dataset=dataset,
        source_id=data_id,
        schema="Person" if person else "Organization",
        caption=primary,
        published=published,
        record=xpath,
    )
    titles = _values(ctx, elem, "TITLE")
    if person:
        entity.add_name(
            primary,
            "primary",
            first_name=present[0],
            middle_name=" ".join(present[1:-1]) or None,
            last_name=present[-1] if len(present) > 1 else None,
            title=titles[0] if titles else None,
        )
    else:
        entity.add_name(primary, "primary")
        if ";" in primary:
            for part in primary.split(";"):
                entity.add_name(part, "strong_aka")
    for title in titles:
        entity.add_property("title", title)
    for position in _values(ctx, elem, "DESIGNATION"):
        entity.add_property("position", position)

    reference = _value(ctx, elem, "REFERENCE_NUMBER")
    if reference:
        entity.add_property("unscId", reference)
        entity.add_identifier("other", reference, note="UN reference number")
    program = _value(ctx, elem, "UN_LIST_TYPE")
    if program:
        entity.programs.append(program)
    entity.listed_on = _date(ctx, elem, "LISTED_ON")
    updated = [d for d in (_iso(v) for v in _values(ctx, elem, "LAST_DAY_UPDATED")) if d]
    entity.modified_on = max(updated) if updated else None
    entity.remarks = _value(ctx, elem, "COMMENTS1")
    gender = _value(ctx, elem, "GENDER")
    entity.gender = gender.lower() if gender else None
    for nationality in _values(ctx, elem, "NATIONALITY"):
        code = to_code(nationality)
        if code is None:
            ctx.warn(f"unknown nationality {nationality!r}")
        elif code not in entity.nationalities:
            entity.nationalities.append(code)
    entity.add_name(_value(ctx, elem, "NAME_ORIGINAL_SCRIPT"), "strong_aka")

    prefix = "INDIVIDUAL" if person else "ENTITY"
    _aliases(ctx, elem, entity, f"{prefix}_ALIAS")
    _addresses(ctx, elem, entity, f"{prefix}_ADDRESS")
    if person:
        _birth_dates(ctx, elem, entity)
        _birth_places(ctx, elem, entity)
        _documents(ctx, elem, entity)
    elif any(looks_like_company(name.value) for name in entity.names if name.kind != "fka"):
        entity.schema = "Company"
    return entity


def _date(ctx: RecordContext, elem: etree._Element, name: str) -> str | None:
    raw = _value(ctx, elem, name)
    if raw is None:
        return None
    date = _iso(raw)
    if date is None:
        ctx.warn(f"unreadable date {raw!r} in {name}")
    return date


def _add_birth_date(entity: Entity, date: str | None) -> None:
    if date and date not in entity.birth_dates:
        entity.birth_dates.append(date)


def _aliases(ctx: RecordContext, elem: etree._Element, entity: Entity, tag: str) -> None:
    for alias in children(elem, tag):
        name = _value(ctx, alias, "ALIAS_NAME")
        if not name:
            continue
        quality = (_value(ctx, alias, "QUALITY") or "").lower()
        entity.add_name(name, _ALIAS_KINDS.get(quality, "strong_aka"))
        for date in parse_dates(_value(ctx, alias, "DATE_OF_BIRTH")):
            _add_birth_date(entity, date)
        place = ", ".join(
            part
            for part in (
                _value(ctx, alias, "CITY_OF_BIRTH"),
                _value(ctx, alias, "COUNTRY_OF_BIRTH"),
            )
            if part
        )
        if place and place not in entity.birth_places:
            entity.birth_places.append(place)


def _addresses(ctx: RecordContext, elem: etree._Element, entity: Entity, tag: str) -> None:
    for item in children(elem, tag):
        country_raw = _value(ctx, item, "COUNTRY")
        country = add_address(
            entity,
            street=_value(ctx, item, "STREET"),
            city=_value(ctx, item, "CITY"),
            region=_value(ctx, item, "STATE_PROVINCE"),
            postal_code=_value(ctx, item, "ZIP_CODE"),
            country_text=country_raw,
        )
        if country_raw and country is None:
            ctx.warn(f"unknown address country {country_raw!r}")


def _birth_dates(ctx: RecordContext, elem: etree._Element, entity: Entity) -> None:
    for item in children(elem, "INDIVIDUAL_DATE_OF_BIRTH"):
        kind = (_value(ctx, item, "TYPE_OF_DATE") or "").upper()
        dates: list[str] = []
        if kind == "BETWEEN":
            dates = _year_range(_value(ctx, item, "FROM_YEAR"), _value(ctx, item, "TO_YEAR"))
        else:
            for name in ("DATE", "YEAR"):
                date = _iso(_value(ctx, item, name))
                if date:
                    dates.append(date)
        if not dates:
            dates = parse_dates(_value(ctx, item, "NOTE"))
        for date in dates:
            _add_birth_date(entity, date)


def _year_range(start: str | None, end: str | None) -> list[str]:
    first, last = _iso(start), _iso(end)
    if first and last and len(first) == len(last) == 4 and first <= last:
        low, high = int(first), int(last)
        if high - low <= _MAX_RANGE_YEARS:
            return [str(year) for year in range(low, high + 1)]
    return [date for date in (first, last) if date]


def _birth_places(ctx: RecordContext, elem: etree._Element, entity: Entity) -> None:
    for item in children(elem, "INDIVIDUAL_PLACE_OF_BIRTH"):
        parts = [_value(ctx, item, tag) for tag in ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY")]
        place = ", ".join(part for part in parts if part)
        if place and place not in entity.birth_places:
            entity.birth_places.append(place)


def _documents(ctx: RecordContext, elem: etree._Element, entity: Entity) -> None:
    for item in children(elem, "INDIVIDUAL_DOCUMENT"):
        doc_type = _value(ctx, item, "TYPE_OF_DOCUMENT")
        detail = _value(ctx, item, "TYPE_OF_DOCUMENT2")
        number = _value(ctx, item, "NUMBER")
        note_text = _value(ctx, item, "NOTE")
        label = " / ".join(dict.fromkeys(part for part in (doc_type, detail) if part))
        if not number:
            if note_text:
                entity.add_property("notes", f"{label}: {note_text}" if label else note_text)
            continue
        country_raw = _value(ctx, item, "ISSUING_COUNTRY") or _value(ctx, item, "COUNTRY_OF_ISSUE")
        country = to_code(country_raw)
        note_parts = [label] if label else []
        if country_raw and country is None:
            note_parts.append(country_raw)
        issued = _value(ctx, item, "DATE_OF_ISSUE")
        if issued:
            note_parts.append(f"issued {_iso(issued) or issued}")
        city = _value(ctx, item, "CITY_OF_ISSUE")
        if city:
            note_parts.append(f"issued in {city}")
        if note_text:
            note_parts.append(note_text)
        entity.add_identifier(_doc_type(label), number, country, "; ".join(note_parts) or None)


def _doc_type(label: str) -> str:
    text = label.lower()
    for keyword, type_ in _DOC_KEYWORDS:
        if keyword in text:
            return type_
    return "other"


def _relate(entities: list[Entity], references: dict[str, Entity]) -> None:
    """Link entries whose comments cite another listed entry by its reference number."""
    for entity in entities:
        if not entity.remarks:
            continue
        own = set(entity.properties.get("unscId", []))
        for ref in dict.fromkeys(_REFERENCE.findall(entity.remarks)):
            target = references.get(ref)
            if ref in own or target is None:
                continue
            entity.relationships.append(
                Relationship(
                    type="related", target_name=target.caption, target_id=target.id, note=ref
                )
            )
