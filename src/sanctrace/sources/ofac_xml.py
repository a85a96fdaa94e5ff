"""OFAC ``sdnList`` XML: the SDN list (SDN.XML) and the non-SDN Consolidated list.

Both files share one schema; the namespace differs by vintage (``http://tempuri.org/sdnList.xsd``
in older files, the ``sanctionslistservice.ofac.treas.gov`` one today) and is ignored.

Dataset rule: an explicit ``dataset`` argument wins. Otherwise a file whose name contains "cons"
(``consolidated.xml``, ``cons_prim``...) is ``us_ofac_cons``, one whose name contains "sdn" is
``us_ofac_sdn``; for any other name the content decides: a file with an entry under a program that
only the non-SDN lists use (``NS-*``, ``CMIC-*``, ``FSE-*``, ``561-Related``) is ``us_ofac_cons``,
anything else ``us_ofac_sdn``.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from sanctrace.errors import SourceError
from sanctrace.model.countries import to_code
from sanctrace.model.dates import parse_date, parse_dates
from sanctrace.model.entity import Entity, Relationship
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
    add_address,
    check_dataset,
    element_text,
    new_entity,
    parse_records,
    single_file,
)
from sanctrace.sources._xml import child, children, local, parse_xml, source_line
from sanctrace.sources.base import MAX_FIELD_CHARS, ParsedList

NAME = "ofac_xml"
DATASETS = ("us_ofac_sdn", "us_ofac_cons")

_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sdnList[\s>/]")

_SCHEMATA = {
    "individual": "Person",
    "entity": "Organization",
    "vessel": "Vessel",
    "aircraft": "Aircraft",
}

_AKA_KINDS = {"a.k.a.": "strong_aka", "n.k.a.": "strong_aka", "f.k.a.": "fka"}

#: Programs that only the non-SDN lists carry.
_NON_SDN_PROGRAM = re.compile(r"^(?:NS-|CMIC|FSE-|561-?RELATED)", re.IGNORECASE)

_LINKED = re.compile(r"Linked To:\s*", re.IGNORECASE)
_IMO = re.compile(r"^IMO\s*\d{7}$", re.IGNORECASE)


def sniff(path: Path, head: bytes) -> bool:
    """An ``sdnList`` root element within the first bytes."""
    return bool(_ROOT.search(head)) and b"CONSOLIDATED_LIST" not in head


def _value(
    ctx: RecordContext, elem: etree._Element | None, name: str, *, raw: bool = False
) -> str | None:
    """Text of ``elem``'s child ``name``; whitespace collapsed unless ``raw``; None when empty."""
    node = None if elem is None else child(elem, name)
    if not raw or node is None or node.text is None:
        return element_text(ctx, node, name)
    if len(node.text) > MAX_FIELD_CHARS:
        raise ctx.error(f"field longer than {MAX_FIELD_CHARS} characters", name)
    return node.text.strip() or None


def _items(elem: etree._Element, list_name: str, item_name: str) -> list[etree._Element]:
    container = child(elem, list_name)
    return [] if container is None else list(children(container, item_name))


def parse(
    paths: list[Path], *, dataset: str | None = None, skip_bad_rows: bool = False
) -> ParsedList:
    """Parse one OFAC ``sdnList`` XML file into entities."""
    path = single_file(paths, NAME, "XML file")
    check_dataset(dataset, NAME, path)
    root = parse_xml(path)
    if local(root.tag) != "sdnList":
        raise SourceError(
            f"not an OFAC sdnList XML file (root element <{local(root.tag)}>)",
            file=str(path),
            line=source_line(root),
        )
    ctx = RecordContext(path)
    info = child(root, "publshInformation")
    published = _published(ctx, info)
    entries = list(children(root, "sdnEntry"))
    _check_count(ctx, info, len(entries))
    chosen = dataset or _guess_dataset(path, entries)

    records = (
        (source_line(elem), f"sdnEntry #{index}", (elem, f"/sdnList/sdnEntry[{index}]"))
        for index, elem in enumerate(entries, start=1)
    )
    result = parse_records(
        ctx,
        records,
        lambda item: _entity(ctx, *item, chosen, published),
        dataset=chosen,
        format_name=NAME,
        published=published,
        skip_bad_rows=skip_bad_rows,
        duplicate="duplicate uid {}; keeping the first entry",
    )
    _resolve_links(result.entities)
    return result


def _published(ctx: RecordContext, info: etree._Element | None) -> str | None:
    raw = _value(ctx, info, "Publish_Date")
    if raw is None:
        return None
    published = parse_date(raw, day_first=False)
    if published is None:
        ctx.warnings.append(f"{ctx.path}: unreadable Publish_Date {raw!r}")
    return published


def _check_count(ctx: RecordContext, info: etree._Element | None, found: int) -> None:
    raw = _value(ctx, info, "Record_Count")
    if raw is None:
        return
    if not (raw.isascii() and raw.isdigit()):
        ctx.warnings.append(f"{ctx.path}: unreadable Record_Count {raw!r}")
    elif int(raw) != found:
        ctx.warnings.append(f"{ctx.path}: Record_Count says {raw} entries, the file holds {found}")


def _guess_dataset(path: Path, entries: list[etree._Element]) -> str:
    name = path.name.lower()
    if "cons" in name:
        return "us_ofac_cons"
    if "sdn" in name:
        return "us_ofac_sdn"
    for entry in entries:
        programs = child(entry, "programList")
        if programs is None:
            continue
        for program in children(programs, "program"):
            if program.text and _NON_SDN_PROGRAM.match(program.text.strip()):
                return "us_ofac_cons"
    return "us_ofac_sdn"


def _entity(
    ctx: RecordContext, elem: etree._Element, xpath: str, dataset: str, published: str | None
) -> Entity:
    uid = _value(ctx, elem, "uid")
    if uid is None:
        raise ctx.error("entry without uid", "uid")
    ctx.record = f"sdnEntry uid={uid}"
    last = _value(ctx, elem, "lastName")
    if last is None:
        raise ctx.error("entry without lastName", "lastName")
    first = _value(ctx, elem, "firstName")
    sdn_type = _value(ctx, elem, "sdnType")
    if sdn_type is None:
        raise ctx.error("entry without sdnType", "sdnType")
    schema = _SCHEMATA.get(sdn_type.lower())
    if schema is None:
        ctx.warn(f"unknown sdnType {sdn_type!r}; read as LegalEntity")
        schema = "LegalEntity"
    person = schema == "Person"
    primary = f"{first} {last}" if first else last
    entity = new_entity(
        ctx,
        dataset=dataset,
        source_id=uid,
        schema=schema,
        caption=primary,
        published=published,
        record=xpath,
    )
    if person:
        entity.add_name(primary, "primary", first_name=first, last_name=last)
    else:
        entity.add_name(primary, "primary")
    entity.add_property("position", _value(ctx, elem, "title"))
    entity.remarks = _value(ctx, elem, "remarks", raw=True)
    for program in _items(elem, "programList", "program"):
        value = " ".join((program.text or "").split())
        if value and value not in entity.programs:
            entity.programs.append(value)
    _aliases(ctx, elem, entity, person)
    _identifiers(ctx, elem, entity)
    _addresses(ctx, elem, entity)
    _person_facts(ctx, elem, entity)
    _vessel(ctx, elem, entity)
    if entity.remarks:
        for target in _linked_names(entity.remarks):
            entity.relationships.append(Relationship(type="linked_to", target_name=target))
    if schema == "Organization" and _is_company(entity):
        entity.schema = "Company"
    return entity


def _is_company(entity: Entity) -> bool:
    if entity.incorporation_dates:
        return True
    if any(ident.type in COMPANY_IDS for ident in entity.identifiers):
        return True
    return any(looks_like_company(name.value) for name in entity.names if name.kind != "fka")


def _aliases(ctx: RecordContext, elem: etree._Element, entity: Entity, person: bool) -> None:
    for aka in _items(elem, "akaList", "aka"):
        first = _value(ctx, aka, "firstName")
        last = _value(ctx, aka, "lastName")
        value = " ".join(part for part in (first, last) if part)
        if not value:
            continue
        kind = _AKA_KINDS.get((_value(ctx, aka, "type") or "a.k.a.").lower(), "strong_aka")
        if kind == "strong_aka" and (_value(ctx, aka, "category") or "").lower() == "weak":
            kind = "weak_aka"
        if person and first:
            entity.add_name(value, kind, first_name=first, last_name=last)
        else:
            entity.add_name(value, kind)


def _identifiers(ctx: RecordContext, elem: etree._Element, entity: Entity) -> None:
    for item in _items(elem, "idList", "id"):
        raw_type = _value(ctx, item, "idType")
        number = _value(ctx, item, "idNumber")
        if raw_type is None or number is None:
            continue
        label = id_label(raw_type)
        country_raw = _value(ctx, item, "idCountry")
        country = to_code(country_raw)
        if label == "gender":
            entity.gender = number.lower()
        elif label == "organization established date":
            for date in parse_dates(number):
                if date not in entity.incorporation_dates:
                    entity.incorporation_dates.append(date)
        elif label == "nationality of registration":
            code = to_code(number)
            entity.add_property("jurisdiction", code or number)
            if code and code not in entity.countries:
                entity.countries.append(code)
        elif label in ID_PROPERTIES:
            entity.add_property(ID_PROPERTIES[label], number)
        elif label.startswith(SANCTIONS_INFO):
            entity.add_property("sanctionsInfo", f"{raw_type} {number}")
        else:
            note_parts = [raw_type]
            if country_raw and not country:
                note_parts.append(country_raw)
            for name, word in (("issueDate", "issued"), ("expirationDate", "expires")):
                when = _value(ctx, item, name)
                if when:
                    note_parts.append(f"{word} {parse_date(when) or when}")
            _add_identifier(entity, label, number, country, "; ".join(note_parts))


def _add_identifier(
    entity: Entity, label: str, number: str, country: str | None, note: str
) -> None:
    """An IMO label without an IMO number is a registration; an OGRN replaces the registration
    number it is, an INN is added beside the tax number."""
    type_ = id_type(label)
    if type_ == "imoNumber" and not _IMO.match(number):
        type_ = "registrationNumber"
    russian = russian_code(type_, number, country)
    if russian == "ogrnCode":
        type_ = russian
    entity.add_identifier(type_, number, country, note)
    if russian == "innCode":
        entity.add_identifier(russian, number, country, note)


def _addresses(ctx: RecordContext, elem: etree._Element, entity: Entity) -> None:
    for item in _items(elem, "addressList", "address"):
        lines = [_value(ctx, item, f"address{i}") for i in (1, 2, 3)]
        add_address(
            entity,
            street=", ".join(line for line in lines if line) or None,
            city=_value(ctx, item, "city"),
            region=_value(ctx, item, "stateOrProvince"),
            postal_code=_value(ctx, item, "postalCode"),
            country_text=_value(ctx, item, "country"),
        )


def _person_facts(ctx: RecordContext, elem: etree._Element, entity: Entity) -> None:
    for item in _items(elem, "nationalityList", "nationality"):
        code = to_code(_value(ctx, item, "country"))
        if code and code not in entity.nationalities:
            entity.nationalities.append(code)
    for item in _items(elem, "citizenshipList", "citizenship"):
        code = to_code(_value(ctx, item, "country"))
        if code and code not in entity.citizenships:
            entity.citizenships.append(code)
    for item in _items(elem, "dateOfBirthList", "dateOfBirthItem"):
        raw = _value(ctx, item, "dateOfBirth")
        dates = parse_dates(raw)
        if raw and not dates:
            ctx.warn(f"unreadable dateOfBirth {raw!r}")
        for date in dates:
            if date not in entity.birth_dates:
                entity.birth_dates.append(date)
    for item in _items(elem, "placeOfBirthList", "placeOfBirthItem"):
        place = _value(ctx, item, "placeOfBirth")
        if place and place not in entity.birth_places:
            entity.birth_places.append(place)


def _vessel(ctx: RecordContext, elem: etree._Element, entity: Entity) -> None:
    info = child(elem, "vesselInfo")
    if info is None:
        return
    entity.add_identifier("callSign", _value(ctx, info, "callSign"))
    entity.add_property("type", _value(ctx, info, "vesselType"))
    flag = _value(ctx, info, "vesselFlag")
    entity.add_property("flag", to_code(flag) or flag)
    entity.add_property("tonnage", _value(ctx, info, "tonnage"))
    entity.add_property("grossRegisteredTonnage", _value(ctx, info, "grossRegisteredTonnage"))
    owner = _value(ctx, info, "vesselOwner")
    if owner:
        entity.relationships.append(Relationship(type="owned_by", target_name=owner))


def _linked_names(remarks: str) -> list[str]:
    """Targets of "Linked To: NAME" in remarks, as "(Linked To: A)" or "...; Linked To: B."."""
    names: list[str] = []
    for match in _LINKED.finditer(remarks):
        rest = remarks[match.end() :]
        segment, sep, _ = rest.partition(";")
        name = segment.strip()
        wrapped = False
        while name.endswith(")") and name.count(")") > name.count("("):
            name = name[:-1].rstrip()
            wrapped = True
        if not wrapped and not sep and name.endswith("."):
            name = name[:-1].rstrip()
        if name and name not in names:
            names.append(name)
    return names


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split()).rstrip(". ")


def _resolve_links(entities: list[Entity]) -> None:
    """Point "Linked To"/owner relationships at the entry in the same file with that name."""
    by_name: dict[str, str] = {}
    for entity in entities:
        for name in entity.names:
            if name.kind != "primary":
                continue
            by_name.setdefault(_name_key(name.value), entity.id)
            if name.first_name and name.last_name:
                by_name.setdefault(_name_key(f"{name.last_name}, {name.first_name}"), entity.id)
    for entity in entities:
        for rel in entity.relationships:
            if rel.target_id is None and rel.target_name:
                target = by_name.get(_name_key(rel.target_name))
                if target != entity.id:
                    rel.target_id = target
