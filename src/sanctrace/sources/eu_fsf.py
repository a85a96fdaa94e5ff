"""EU Financial Sanctions Files (FSF): the consolidated list XML export (``xmlFullSanctionsList``).

Root ``<export generationDate=...>`` holds one ``<sanctionEntity>`` per listed party, with
``nameAlias``, ``regulation``, ``citizenship``, ``birthdate``, ``address``, ``identification`` and
``remark`` children; facts are mostly attributes. The namespace differs by file version
(``http://eu.europa.ec/fpi/fsd/export`` for 1.1) and is ignored.

NOT VERIFIED AGAINST A REAL FULL FILE: no copy of the EU export is at hand. This parser is written
from the published format (and the way public parsers read it) and tested only on small
hand-written files in ``tests/sources/fixtures/``. Expect surprises on the first real file.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from sanctrace.errors import SourceError
from sanctrace.model.countries import to_code
from sanctrace.model.dates import parse_date, parse_dates
from sanctrace.model.entity import Address, Entity
from sanctrace.sources._identifiers import COMPANY_IDS, russian_code
from sanctrace.sources._legal import looks_like_company
from sanctrace.sources._records import (
    RecordContext,
    append_new,
    check_dataset,
    new_entity,
    parse_records,
    single_file,
)
from sanctrace.sources._xml import children, local, parse_xml, source_line
from sanctrace.sources.base import MAX_FIELD_CHARS, ParsedList

NAME = "eu_fsf"
DATASETS = ("eu_fsf",)

_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?export[\s>/]")
_MARKERS = (b"sanctionEntity", b"/fsd/", b"fsd/export", b"fsd/namespace")

_SCHEMATA = {"person": "Person", "enterprise": "Organization"}

#: ``identificationTypeCode`` -> identifier type. Unknown codes become ``other``.
_ID_TYPES = {
    "passport": "passportNumber",
    "id": "idNumber",
    "nationcert": "idNumber",
    "residentperm": "idNumber",
    "ssn": "idNumber",
    "nrn": "idNumber",
    "electionid": "idNumber",
    "travelcardid": "idNumber",
    "birthcert": "idNumber",
    "drivinglicence": "idNumber",
    "tax": "taxNumber",
    "fiscalcode": "taxNumber",
    "regnumber": "registrationNumber",
    "tradelic": "registrationNumber",
    "swiftbic": "swiftBic",
    "imo": "imoNumber",
    "other": "other",
}

#: ``contactInfo key`` (inside ``address``) -> FtM property.
_CONTACT = {"PHONE": "phone", "FAX": "phone", "EMAIL": "email", "WEB": "website"}

_GENDERS = {"m": "male", "f": "female"}

_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([\w.:-]+)["']""")
_IMO = re.compile(r"^(?:IMO)?\s*(\d{7})$", re.IGNORECASE)
_LETTERS = re.compile(r"\s*\([a-z]\)\s*")


def sniff(path: Path, head: bytes) -> bool:
    """An ``<export>`` root with FSF markers (``sanctionEntity`` or the FSD namespace)."""
    return bool(_ROOT.search(head)) and any(marker in head for marker in _MARKERS)


def _attr(ctx: RecordContext, elem: etree._Element, name: str) -> str | None:
    """Attribute value, whitespace collapsed; None when absent or blank."""
    value = elem.get(name)
    if value is None:
        return None
    if len(value) > MAX_FIELD_CHARS:
        raise ctx.error(f"attribute longer than {MAX_FIELD_CHARS} characters", name)
    value = " ".join(value.split())
    return value or None


def _text(ctx: RecordContext, elem: etree._Element) -> str | None:
    value = elem.text
    if value is None:
        return None
    if len(value) > MAX_FIELD_CHARS:
        raise ctx.error(f"element text longer than {MAX_FIELD_CHARS} characters", local(elem.tag))
    value = value.strip()
    return value or None


def _country(ctx: RecordContext, elem: etree._Element) -> str | None:
    """ISO code of an element's ``countryIso2Code`` ("00" means unknown) or description."""
    code = _attr(ctx, elem, "countryIso2Code")
    if code and len(code) == 2 and code.isalpha():
        return code.upper()
    description = _attr(ctx, elem, "countryDescription")
    if description and description.upper() != "UNKNOWN":
        return to_code(description)
    return None


def parse(
    paths: list[Path], *, dataset: str | None = None, skip_bad_rows: bool = False
) -> ParsedList:
    """Parse one EU FSF XML export into entities."""
    path = single_file(paths, NAME, "XML file")
    check_dataset(dataset, NAME, path)
    chosen = dataset or DATASETS[0]
    _check_utf8(path)
    root = parse_xml(path)
    if not isinstance(root.tag, str) or local(root.tag) != "export":
        raise SourceError(
            f"not an EU FSF export (root element <{local(root.tag)}>)",
            file=str(path),
            line=source_line(root),
        )
    ctx = RecordContext(path)
    published = _published(ctx, root)

    records = (
        (source_line(elem), f"sanctionEntity #{index}", (elem, f"/export/sanctionEntity[{index}]"))
        for index, elem in enumerate(children(root, "sanctionEntity"), start=1)
    )
    result = parse_records(
        ctx,
        records,
        lambda item: _entity(ctx, *item, chosen, published),
        dataset=chosen,
        format_name=NAME,
        published=published,
        skip_bad_rows=skip_bad_rows,
        duplicate="duplicate logicalId {}; keeping the first entry",
    )
    if not result.entities and not result.skipped_rows:
        result.warnings.append(f"{path}: export holds no sanctionEntity")
    return result


def _check_utf8(path: Path) -> None:
    """The export is UTF-8: name the line of an invalid byte (lxml only says "invalid bytes")."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc}", file=str(path)) from None
    declared = _ENCODING.search(data[:200])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8")
    ):
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"not UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start})",
            file=str(path),
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from None


def _published(ctx: RecordContext, root: etree._Element) -> str | None:
    raw = _attr(ctx, root, "generationDate")
    if raw is None:
        return None
    published = parse_date(raw[:10])
    if published is None:
        ctx.warnings.append(f"{ctx.path}: unreadable generationDate {raw!r}")
    return published


def _entity(
    ctx: RecordContext, elem: etree._Element, xpath: str, dataset: str, published: str | None
) -> Entity:
    logical_id = _attr(ctx, elem, "logicalId")
    eu_ref = _attr(ctx, elem, "euReferenceNumber")
    source_id = logical_id or eu_ref
    if source_id is None:
        raise ctx.error("sanctionEntity without logicalId or euReferenceNumber", "logicalId")
    ctx.record = f"sanctionEntity logicalId={source_id}"

    schema = "LegalEntity"
    subject = next(children(elem, "subjectType"), None)
    code = _attr(ctx, subject, "code") if subject is not None else None
    if code is None:
        ctx.warn("sanctionEntity without subjectType; read as LegalEntity")
    elif code.lower() in _SCHEMATA:
        schema = _SCHEMATA[code.lower()]
    else:
        ctx.warn(f"unknown subjectType {code!r}; read as LegalEntity")

    entity = new_entity(
        ctx,
        dataset=dataset,
        source_id=source_id,
        schema=schema,
        caption="",
        published=published,
        record=xpath,
    )
    if eu_ref:
        entity.add_property("authorityId", eu_ref)
    entity.add_property("unscId", _attr(ctx, elem, "unitedNationId"))
    remarks: list[str] = []
    append_new(remarks, _attr(ctx, elem, "designationDetails"))

    _names(ctx, elem, entity, remarks)
    if not entity.names:
        raise ctx.error("sanctionEntity without any name", "nameAlias")
    entity.caption = entity.names[0].value
    _regulations(ctx, elem, entity)
    designated = parse_date(_attr(ctx, elem, "designationDate"))
    if designated:
        entity.listed_on = designated
    for node in children(elem, "citizenship"):
        # An enterprise's "citizenship" is its country of registration.
        append_new(
            entity.citizenships if schema == "Person" else entity.countries, _country(ctx, node)
        )
    for node in children(elem, "birthdate"):
        _birth(ctx, node, entity)
    for node in children(elem, "address"):
        _address(ctx, node, entity, remarks)
    for node in children(elem, "identification"):
        _identification(ctx, node, entity)
    for node in children(elem, "remark"):
        append_new(remarks, _text(ctx, node))
    entity.remarks = "\n".join(remarks) or None
    if schema == "Organization" and (
        any(i.type in COMPANY_IDS for i in entity.identifiers)
        or any(looks_like_company(n.value) for n in entity.names if n.kind != "weak_aka")
    ):
        entity.schema = "Company"
    return entity


def _names(ctx: RecordContext, elem: etree._Element, entity: Entity, remarks: list[str]) -> None:
    """Add every ``nameAlias``; the first strong Latin-script (untagged or EN) one is primary."""
    person = entity.schema == "Person"
    aliases: list[tuple[str, bool, etree._Element]] = []
    for node in children(elem, "nameAlias"):
        first = _attr(ctx, node, "firstName")
        middle = _attr(ctx, node, "middleName")
        last = _attr(ctx, node, "lastName")
        whole = _attr(ctx, node, "wholeName") or " ".join(p for p in (first, middle, last) if p)
        if not whole:
            continue
        strong = (_attr(ctx, node, "strong") or "true").lower() != "false"
        for remark_node in children(node, "remark"):
            remark = _text(ctx, remark_node)
            if remark and "quality" in remark.lower():
                strong = strong and "low quality" not in remark.lower()
            else:
                append_new(remarks, remark)
        aliases.append((whole, strong, node))

    strong_at = [i for i, (_, strong, _node) in enumerate(aliases) if strong]
    latin_at = [
        i for i in strong_at if (_attr(ctx, aliases[i][2], "nameLanguage") or "EN").upper() == "EN"
    ]
    primary_at = (latin_at or strong_at or [0])[0]
    ordered = aliases[primary_at : primary_at + 1] + [
        a for i, a in enumerate(aliases) if i != primary_at
    ]
    for index, (whole, strong, node) in enumerate(ordered):
        kind = "primary" if index == 0 else "strong_aka" if strong else "weak_aka"
        lang = _attr(ctx, node, "nameLanguage")
        title = _attr(ctx, node, "title")
        if person:
            entity.add_name(
                whole,
                kind,
                lang=lang.lower() if lang else None,
                first_name=_attr(ctx, node, "firstName"),
                middle_name=_attr(ctx, node, "middleName"),
                last_name=_attr(ctx, node, "lastName"),
                title=title,
            )
        else:
            entity.add_name(whole, kind, lang=lang.lower() if lang else None)
        if person and title:
            for part in _LETTERS.split(title):
                entity.add_property("title", part.strip(" ,;"))
        function = _attr(ctx, node, "function")
        if function:
            if person:
                for part in _LETTERS.split(function):
                    entity.add_property("position", part.strip(" ,;"))
            else:
                append_new(remarks, function)
        gender = _GENDERS.get((_attr(ctx, node, "gender") or "").lower())
        if gender and entity.gender is None:
            entity.gender = gender


def _regulations(ctx: RecordContext, elem: etree._Element, entity: Entity) -> None:
    """Programmes, source links, the earliest publication (listing) and the latest (amendment)."""
    dates: list[str] = []
    for node in children(elem, "regulation"):
        append_new(entity.programs, _attr(ctx, node, "programme"))
        date = parse_date(_attr(ctx, node, "publicationDate"))
        if date:
            dates.append(date)
        url = _attr(ctx, node, "publicationUrl")
        for url_node in children(node, "publicationUrl"):
            url = url or _text(ctx, url_node)
        entity.add_property("sourceUrl", url)
    if dates:
        entity.listed_on = min(dates)
        entity.modified_on = max(dates)


def _birth(ctx: RecordContext, node: etree._Element, entity: Entity) -> None:
    dates = parse_dates(_attr(ctx, node, "birthdate"))
    if not dates:
        year = _attr(ctx, node, "year")
        month = _attr(ctx, node, "monthOfYear")
        day = _attr(ctx, node, "dayOfMonth")
        if year and year.isdigit():
            text = year
            if month and month.isdigit() and int(month):
                text += f"-{int(month):02d}"
                if day and day.isdigit() and int(day):
                    text += f"-{int(day):02d}"
            dates = parse_dates(text)
    if not dates:
        dates = [
            d
            for d in (
                parse_date(_attr(ctx, node, "yearRangeFrom")),
                parse_date(_attr(ctx, node, "yearRangeTo")),
            )
            if d
        ]
    for date in dates:
        append_new(entity.birth_dates, date)
    country = _attr(ctx, node, "countryDescription")
    if country and country.upper() == "UNKNOWN":
        country = None
    place = ", ".join(
        p
        for p in (
            _attr(ctx, node, "place"),
            _attr(ctx, node, "city"),
            _attr(ctx, node, "region"),
            country,
        )
        if p
    )
    append_new(entity.birth_places, place or None)
    entity.add_property("birthCountry", _country(ctx, node))


def _address(ctx: RecordContext, node: etree._Element, entity: Entity, remarks: list[str]) -> None:
    street = _attr(ctx, node, "street")
    po_box = _attr(ctx, node, "poBox")
    city = _attr(ctx, node, "city")
    postal = _attr(ctx, node, "zipCode")
    region = _attr(ctx, node, "region")
    place = _attr(ctx, node, "place")
    country = _country(ctx, node)
    description = _attr(ctx, node, "countryDescription")
    if description and description.upper() == "UNKNOWN":
        description = None
    city_line = " ".join(p for p in (postal, city) if p)
    parts = [p for p in (street, po_box and f"PO Box {po_box}", city_line, place, region) if p]
    if parts:
        full = ", ".join([*parts, description] if description else parts)
        entity.add_address(
            Address(
                full=full,
                street=street,
                city=city,
                region=region,
                postal_code=postal,
                country=country,
            )
        )
    append_new(entity.countries, country)
    for item in node:
        if not isinstance(item.tag, str):
            continue
        tag = local(item.tag)
        if tag == "contactInfo":
            prop = _CONTACT.get((_attr(ctx, item, "key") or "").upper())
            value = _attr(ctx, item, "value")
            if prop and value:
                for part in re.split(r"[,;]\s*", value):
                    entity.add_property(prop, part.strip() or None)
        elif tag == "remark":
            append_new(remarks, _text(ctx, item))


def _identification(ctx: RecordContext, node: etree._Element, entity: Entity) -> None:
    code = _attr(ctx, node, "identificationTypeCode") or "other"
    number = _attr(ctx, node, "number") or _attr(ctx, node, "latinNumber")
    if number is None:
        return
    type_ = _ID_TYPES.get(code.lower())
    description = _attr(ctx, node, "identificationTypeDescription")
    if type_ is None:
        type_ = "other"
        description = description or code
    country = _country(ctx, node)
    imo = _IMO.match(number)
    if type_ == "imoNumber" and imo:
        number = f"IMO{imo.group(1)}"
    note = description if type_ in ("idNumber", "other", "registrationNumber") else None
    entity.add_identifier(type_, number, country=country, note=note)
    latin = _attr(ctx, node, "latinNumber")
    if latin and latin != number:
        entity.add_identifier(type_, latin, country=country, note=note)
    russian = russian_code(type_, number, country)
    if russian:
        entity.add_identifier(russian, number, country=country)
