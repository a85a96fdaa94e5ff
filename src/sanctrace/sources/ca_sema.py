"""Canada's Consolidated Autonomous Sanctions List (SEMA and JVCFOR regulations), XML.

``<data-set><record>`` elements carry Country (the regulation, often bilingual "Belarus /
Bélarus"), Schedule, Item, names or EntityOrShip, DateOfBirthOrShipBuildDate, ShipIMONumber,
TitleOrShip, Aliases and DateOfListing. Records have no id, so the source id is derived from
regulation + schedule + item ("belarus-1-part-1-1"), the way the regulations cite them.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from lxml import etree

from sanctrace.errors import SourceError
from sanctrace.model.countries import to_code
from sanctrace.model.dates import parse_date, parse_dates
from sanctrace.model.entity import Entity, Provenance, make_id
from sanctrace.sources._legal import org_schema
from sanctrace.sources._records import check_dataset, single_file, skip_or_raise
from sanctrace.sources._values import clean, slug
from sanctrace.sources._xml import local, parse_xml, source_line
from sanctrace.sources.base import MAX_FIELD_CHARS, ParsedList

NAME = "ca_sema"
DATASETS = ("ca_dfatd_sema_sanctions",)

#: Tags a record may hold; anything else is reported once as a warning.
FIELDS = (
    "Country",
    "LastName",
    "GivenName",
    "EntityOrShip",
    "TitleOrShip",
    "ShipIMONumber",
    "DateOfBirthOrShipBuildDate",
    "Schedule",
    "Item",
    "DateOfListing",
    "Aliases",
)

_ROOT = b"<data-set"
_RECORD_HINTS = (b"<record>", b"<Country>", b"<DateOfListing>")

# Alias lists mix separators: ";", ", ", " / ", " or ", newlines, and language labels.
_LANGUAGES = r"belarus?sian|russian|ukrainian|arabic|persian|farsi|chinese|hebrew|armenian"
_ALIAS_SEP = r"\s*;\s*|\s*\n\s*|,\s+|\s+/\s+|\s+or\s+"
_LABEL = rf"(?:{_LANGUAGES})\s*:\s*"
_ALIAS_SPLIT = re.compile(rf"(?:{_ALIAS_SEP})(?:{_LABEL})?|(?:^|\s+|\(){_LABEL}", re.IGNORECASE)
_PERSON_SPLIT = re.compile(r"\s+and\s+")
_LEGAL_FRAGMENT = re.compile(
    r"^(?:llc|ltd\.?|jsc|ojsc|pjsc|cjsc|inc\.?|fsue|ao|оао|ооо|зао|пао|ао|фгуп|ип|тов|"
    r"co\.?|corp\.?|limited|s\.a\.?|gmbh|нко)$",
    re.IGNORECASE,
)
_DATE_SPLIT = re.compile(r"\s+or\s+|\s*;\s*", re.IGNORECASE)
_IMO = re.compile(r"^\d{7}$")
_SHIP_TYPE = re.compile(r"tanker|cargo|vessel|bulk carrier|ro-ro|container ship", re.IGNORECASE)


def sniff(path: Path, head: bytes) -> bool:
    """XML with a <data-set> root of <record> elements carrying Canada's field names."""
    try:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not start.startswith(b"<"):
            return False
        position = head.find(_ROOT)
        if position < 0:
            return False
        body = head[position:]
        return all(hint in body for hint in _RECORD_HINTS)
    except Exception:
        return False


def parse(
    paths: list[Path], *, dataset: str | None = None, skip_bad_rows: bool = False
) -> ParsedList:
    dataset = dataset or DATASETS[0]
    path = single_file(paths, NAME)
    check_dataset(dataset, NAME, path)
    root = parse_xml(path)
    if local(root.tag) != "data-set":
        raise SourceError(
            f"root element is <{local(root.tag)}>, expected <data-set> (Canada SEMA list)",
            file=str(path),
            line=source_line(root),
        )
    result = ParsedList(dataset=dataset, format=NAME, entities=[], files=list(paths))
    seen_ids: Counter[str] = Counter()
    unknown: set[str] = set()
    latest: str | None = None
    for number, record in enumerate(root, start=1):
        if not isinstance(record.tag, str):
            continue
        if local(record.tag) != "record":
            unknown.add(local(record.tag))
            continue
        try:
            values = _values(path, record, number, unknown)
            entity = _entity(path, dataset, values, source_line(record), number, seen_ids, result)
        except SourceError as exc:
            skip_or_raise(result, exc, skip_bad_rows)
            continue
        result.entities.append(entity)
        if entity.listed_on and (latest is None or entity.listed_on > latest):
            latest = entity.listed_on
    if unknown:
        result.warnings.append(
            f"{path.name}: unknown elements ignored: {', '.join(sorted(unknown))}"
        )
    if not result.entities and not result.skipped_rows:
        raise SourceError("no <record> elements found", file=str(path))
    result.published = latest
    return result


def _values(path: Path, record: etree._Element, number: int, unknown: set[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for child in record:
        if not isinstance(child.tag, str):
            continue
        tag = local(child.tag)
        if tag not in FIELDS:
            unknown.add(tag)
            continue
        text = child.text or ""
        if len(text) > MAX_FIELD_CHARS:
            raise SourceError(
                "field is too long",
                file=str(path),
                line=source_line(child),
                record=f"record {number}",
                field=tag,
            )
        values[tag] = text
    return values


def _entity(
    path: Path,
    dataset: str,
    values: dict[str, str],
    line: int | None,
    number: int,
    seen_ids: Counter[str],
    result: ParsedList,
) -> Entity:
    def fail(message: str, field: str) -> SourceError:
        return SourceError(
            message, file=str(path), line=line, record=f"record {number}", field=field
        )

    country = clean(values.get("Country"))
    item = clean(values.get("Item"))
    if not country:
        raise fail("record has no Country (regulation)", "Country")
    if not item:
        raise fail("record has no Item number", "Item")
    listed_text = clean(values.get("DateOfListing"))
    listed = parse_date(listed_text) if listed_text else None
    if listed_text and not listed:
        raise fail(f"unreadable date {listed_text!r}", "DateOfListing")
    english = country.split(" / ")[0].strip()
    schedule = clean(values.get("Schedule"))
    source_id = "-".join(slug(p) for p in (_short(english), schedule or "", item) if slug(p))
    seen_ids[source_id] += 1
    if seen_ids[source_id] > 1:
        result.warnings.append(
            f"{path.name} record {number}: {source_id} repeats; "
            f"kept as {source_id}-{seen_ids[source_id]}"
        )
        source_id = f"{source_id}-{seen_ids[source_id]}"

    last = clean(values.get("LastName"))
    given = clean(values.get("GivenName"))
    org_name = clean(values.get("EntityOrShip"))
    imo = clean(values.get("ShipIMONumber"))
    title_or_ship = clean(values.get("TitleOrShip"))
    if last or given:
        schema = "Person"
        caption = " ".join(p for p in (given, last) if p)
    elif org_name:
        ship = imo or (title_or_ship and _SHIP_TYPE.search(title_or_ship))
        schema = "Vessel" if ship else org_schema(org_name)
        caption = org_name
    else:
        raise fail("record names no person, entity or ship", "EntityOrShip")

    entity = Entity(
        id=make_id(dataset, source_id),
        schema=schema,
        caption=caption,
        provenance=Provenance(
            dataset=dataset, source_id=source_id, source_file=path.name, record=f"line {line}"
        ),
        listed_on=listed,
    )
    if schema == "Person":
        entity.add_name(caption, "primary", first_name=given, last_name=last, title=title_or_ship)
        entity.add_property("title", title_or_ship)
    else:
        entity.add_name(caption, "primary")
    entity.programs.append(english)
    code = to_code(english)
    if code:
        entity.countries.append(code)
    if schedule:
        entity.add_property("schedule", f"Schedule {schedule}, item {item}")

    dates = _dates(values.get("DateOfBirthOrShipBuildDate"))
    if schema == "Person":
        entity.birth_dates.extend(dates)
    elif schema == "Vessel":
        for date in dates:
            entity.add_property("buildDate", date)
    else:
        entity.incorporation_dates.extend(dates)
    if schema == "Vessel":
        entity.add_property("type", title_or_ship)
    elif schema != "Person" and title_or_ship:
        entity.add_property("notes", title_or_ship)
    if imo:
        if _IMO.match(imo.removeprefix("IMO").strip()):
            entity.add_identifier("imoNumber", imo.removeprefix("IMO").strip())
        else:
            result.warnings.append(f"{path.name} record {number}: odd IMO number {imo!r} kept")
            entity.add_identifier("imoNumber", imo)
    for alias in split_aliases(values.get("Aliases"), person=schema == "Person"):
        if alias[0] != caption:
            entity.add_name(alias[0], alias[1])
    return entity


def _dates(text: str | None) -> list[str]:
    """Dates in DateOfBirthOrShipBuildDate: "1965-04-29", "1972", "1960 or 1961", ranges."""
    text = clean(text)
    if not text:
        return []
    out: list[str] = []
    for part in _DATE_SPLIT.split(text):
        for date in parse_dates(part.strip()):
            if date not in out:
                out.append(date)
    return out


def split_aliases(text: str | None, *, person: bool) -> list[tuple[str, str]]:
    """Aliases as (name, kind). Canada separates them with ";", ", ", " / ", " or ", new lines
    and language labels ("Russian: ..."), and persons' with " and "; a lone legal form ("...,
    АО") belongs to the name before it, and a one-word fragment of a person's alias (a
    given-name variant) is only a weak alias."""
    if not text or not text.strip():
        return []
    pieces = _split_outside_brackets(text)
    if person:
        pieces = [p for piece in pieces for p in _PERSON_SPLIT.split(piece)]
    parts: list[str] = []
    for raw in pieces:
        part = _balance((clean(raw) or "").strip(" ,;:"))
        if not part:
            continue
        if parts and _LEGAL_FRAGMENT.match(part):
            parts[-1] = f"{parts[-1]}, {part}"
            continue
        parts.append(part)
    out: list[tuple[str, str]] = []
    for part in parts:
        kind = "weak_aka" if person and len(part.split()) == 1 else "strong_aka"
        if (part, kind) not in out:
            out.append((part, kind))
    return out


def _split_outside_brackets(text: str) -> list[str]:
    """Split on alias separators, except inside brackets ("Центр (исследовательский, ...)")."""
    pieces: list[str] = []
    start = 0
    for match in _ALIAS_SPLIT.finditer(text):
        before = text[: match.start()]
        if before.count("(") > before.count(")"):
            continue
        pieces.append(text[start : match.start()])
        start = match.end()
    pieces.append(text[start:])
    return pieces


def _balance(text: str) -> str:
    """Drop stray brackets that splitting left at either end: "(Name", "Name) (", "Name)"."""
    text = text.rstrip(" (")
    if text.count("(") > text.count(")") and text.startswith("("):
        text = text[1:]
    if text.count(")") > text.count("(") and text.endswith(")"):
        text = text[:-1]
    return text.strip()


def _short(regulation: str) -> str:
    """A long regulation name is cited by its acronym: "... Regulations (JVCFOR)" -> "JVCFOR"."""
    acronym = re.search(r"\(([A-Z]{3,})\)", regulation)
    return acronym.group(1) if acronym and len(regulation) > 40 else regulation
