"""FollowTheMoney entities as JSON lines, the export format of OpenSanctions and sanctrace itself.

Each line is ``{"id", "schema", "properties": {prop: [values]}, "datasets", "caption", ...}``.
Thing schemata (Person, Company, Organization, LegalEntity, Vessel, Airplane, ...) become
entities; the schemata that only describe them are folded in: ``Sanction`` gives programs and the
listing date, ``Identification``/``Passport`` identifiers, ``Address`` addresses, and the link
schemata (``Ownership``, ``UnknownLink``, ``Family``, ``Associate``, ``Directorship``, ...)
relationships. Nested exports, where such entities sit inside a property as JSON objects, are
flattened first. The source id of an entity is its FtM id.

The whole file is held in memory: fine for a list or two, not for a full multi-gigabyte
OpenSanctions collection.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sanctrace.errors import SourceError
from sanctrace.model.countries import to_code
from sanctrace.model.dates import parse_date
from sanctrace.model.entity import (
    IDENTIFIER_TYPES,
    RELATIONSHIP_TYPES,
    Address,
    Entity,
    Identifier,
    Provenance,
    Relationship,
    make_id,
)
from sanctrace.sources.base import MAX_FIELD_CHARS, ParsedList

NAME = "ftm"
DATASETS = ("ftm",)

#: FtM thing schemata -> our schema.
SCHEMATA = {
    "Person": "Person",
    "Company": "Company",
    "Organization": "Organization",
    "PublicBody": "Organization",
    "LegalEntity": "LegalEntity",
    "Vessel": "Vessel",
    "Vehicle": "Vehicle",
    "Airplane": "Aircraft",
    "CryptoWallet": "CryptoWallet",
    "Security": "Security",
}

#: Name properties -> name kind ("name" itself is primary or strong_aka).
_NAME_KINDS = {"alias": "strong_aka", "weakAlias": "weak_aka", "previousName": "fka"}

#: Identifier-valued properties -> identifier type (most share the FtM name).
_ID_PROPS = {
    t: t for t in IDENTIFIER_TYPES if t not in ("other", "cryptoWallet", "registrationMark")
}
_ID_PROPS.update(
    {"publicKey": "cryptoWallet", "vatCode": "taxNumber", "socialSecurityNumber": "idNumber"}
)

#: Reverse properties under which nested exports put link and sanction entities.
_REVERSE_PROPS = (
    "sanctions",
    "identification",
    "passport",
    "cryptoWallets",
    "ownershipOwner",
    "ownershipAsset",
    "controlController",
    "controlControlled",
    "familyPerson",
    "familyRelative",
    "associates",
    "associations",
    "unknownLinkTo",
    "unknownLinkFrom",
    "directorshipDirector",
    "directorshipOrganization",
    "membershipMember",
    "membershipOrganization",
    "employees",
    "employers",
    "positionOccupancies",
)

#: Properties read into Entity fields, or not kept at all.
_HANDLED = frozenset(
    {
        *_NAME_KINDS,
        *_ID_PROPS,
        "name",
        "firstName",
        "middleName",
        "lastName",
        "fatherName",
        "secondName",
        "country",
        "nationality",
        "citizenship",
        "birthDate",
        "deathDate",
        "birthPlace",
        "incorporationDate",
        "gender",
        "notes",
        "program",
        "modifiedAt",
        "address",
        "addressEntity",
        "holder",
        "owner",
        "operator",
        "parent",
        "issuer",
        "proof",
        "indexText",
        "alephUrl",
        *_REVERSE_PROPS,
    }
)

#: Link schemata: (side that gets the relationship, other side, type, mirrored, default note).
_EDGES = {
    "Ownership": ("asset", "owner", "owned_by", False, None),
    "Control": ("controlled", "controller", "controlled_by", False, None),
    "Family": ("person", "relative", "family", True, None),
    "Associate": ("person", "associate", "associate", True, None),
    "Directorship": ("organization", "director", "linked_to", True, "director"),
    "Membership": ("organization", "member", "linked_to", True, "member"),
    "Employment": ("employer", "employee", "linked_to", True, "employee"),
    "Representation": ("client", "agent", "linked_to", True, "representative"),
    "Succession": ("successor", "predecessor", "linked_to", True, "successor"),
}
_NOTE_PROPS = ("relationship", "role", "ownershipType", "percentage", "controlType", "summary")

#: Reverse property -> the nested entity's property that points back at its parent.
_REVERSE = {
    "sanctions": "entity",
    "identification": "holder",
    "passport": "holder",
    "cryptoWallets": "holder",
    "ownershipOwner": "owner",
    "ownershipAsset": "asset",
    "controlController": "controller",
    "controlControlled": "controlled",
    "familyPerson": "person",
    "familyRelative": "relative",
    "associates": "person",
    "associations": "associate",
    "unknownLinkTo": "subject",
    "unknownLinkFrom": "object",
    "directorshipDirector": "director",
    "directorshipOrganization": "organization",
    "membershipMember": "member",
    "membershipOrganization": "organization",
    "employees": "employer",
    "employers": "employee",
    "positionOccupancies": "holder",
}

_SANCTION_PROPS = ("authority", "authorityId", "unscId", "provisions", "reason", "status")

_DATASET = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
_FIRST_LINE = re.compile(rb'^\s*\{.*"schema"\s*:', re.DOTALL)
_MAX_DEPTH = 16
_MAX_LINE = 64 * MAX_FIELD_CHARS


def sniff(path: Path, head: bytes) -> bool:
    """First non-empty line is a JSON object with ``schema`` and ``properties``."""
    head = head.removeprefix(b"\xef\xbb\xbf")
    lines = head.split(b"\n")
    for index, raw in enumerate(lines):
        if not raw.strip():
            continue
        if not raw.lstrip().startswith(b"{"):
            return False
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError):
            cut = index == len(lines) - 1  # the line goes on beyond the head
            return cut and bool(_FIRST_LINE.match(raw)) and b'"properties"' in raw
        return isinstance(obj, dict) and "schema" in obj and "properties" in obj
    return False


@dataclass
class _Raw:
    """One FtM entity as read: id, schema, properties (values are strings) and where it was."""

    id: str
    schema: str
    props: dict[str, list[str]]
    line: int
    datasets: list[str]
    caption: str | None = None
    last_seen: str | None = None
    last_change: str | None = None
    referents: list[str] = field(default_factory=list)


@dataclass
class _Reader:
    path: Path
    skip_bad_rows: bool
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0
    synthetic: int = 0

    def error(
        self, message: str, line: int | None, field_: str | None = None, record: str | None = None
    ) -> SourceError:
        return SourceError(message, file=str(self.path), line=line, record=record, field=field_)


def parse(
    paths: list[Path], *, dataset: str | None = None, skip_bad_rows: bool = False
) -> ParsedList:
    """Parse one FtM JSON-lines file into entities, folding links and sanctions into them."""
    if len(paths) != 1:
        raise SourceError(f"format {NAME} reads exactly one JSON-lines file, got {len(paths)}")
    path = paths[0]
    if dataset is not None and not _DATASET.match(dataset):
        raise SourceError(f"invalid dataset name {dataset!r}", file=str(path))
    reader = _Reader(path, skip_bad_rows)
    raws: dict[str, _Raw] = {}
    for raw in _read(reader):
        if raw.id in raws:
            reader.warnings.append(
                f"{path}, line {raw.line}: duplicate FtM id {raw.id!r}; keeping the first"
            )
            continue
        raws[raw.id] = raw
    things = [r for r in raws.values() if r.schema in SCHEMATA]
    chosen = dataset or _dataset(things)
    published = max((r.last_seen[:10] for r in things if r.last_seen), default=None)
    published = parse_date(published) if published else None

    entities: dict[str, Entity] = {}
    for raw in things:
        try:
            entities[raw.id] = _thing(reader, raw, raws, chosen, published)
        except SourceError as exc:
            if not skip_bad_rows:
                raise
            reader.skipped += 1
            reader.warnings.append(f"skipped: {exc}")
    folder = _Folder(entities, raws)
    for raw in raws.values():
        if raw.schema not in SCHEMATA:
            folder.fold(raw)
        elif raw.id in entities:
            folder.references(raw, entities[raw.id])
    for entity in entities.values():
        listing = folder.listing.get(entity.source_id)
        if listing:
            entity.listed_on = min(listing)
    other = sorted(folder.ignored)
    if other:
        reader.warnings.append(f"{path}: schemata not read: " + ", ".join(other))
    if folder.unresolved:
        reader.warnings.append(
            f"{path}: {folder.unresolved} references point to entities not in the file"
        )
    return ParsedList(
        dataset=chosen,
        format=NAME,
        entities=list(entities.values()),
        files=[path],
        published=published,
        warnings=reader.warnings,
        skipped_rows=reader.skipped,
    )


def _read(reader: _Reader) -> Iterator[_Raw]:
    """Every entity of the file, nested ones flattened, in file order."""
    found_any = False
    try:
        with reader.path.open("rb") as fh:
            for number, data in enumerate(fh, start=1):
                if len(data) > _MAX_LINE:
                    raise reader.error(f"line longer than {_MAX_LINE} bytes", number)
                if number == 1:
                    data = data.removeprefix(b"\xef\xbb\xbf")
                if not data.strip():
                    continue
                found_any = True
                try:
                    obj = _load(reader, data, number)
                    out: list[_Raw] = []
                    _flatten(reader, obj, number, out, 0, None)
                except SourceError as exc:
                    if not reader.skip_bad_rows:
                        raise
                    reader.skipped += 1
                    reader.warnings.append(f"skipped: {exc}")
                    continue
                yield from out
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc}", file=str(reader.path)) from None
    if not found_any:
        raise SourceError("file holds no FtM entities", file=str(reader.path))


def _load(reader: _Reader, data: bytes, number: int) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise reader.error(f"not UTF-8 (byte {data[exc.start]:#04x})", number) from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise reader.error(f"malformed JSON: {exc.msg} (column {exc.colno})", number) from None
    except (ValueError, RecursionError) as exc:
        raise reader.error(f"unreadable JSON: {exc}", number) from None
    if not isinstance(obj, dict):
        raise reader.error(f"a JSON {type(obj).__name__} where an entity object belongs", number)
    return obj


def _string(reader: _Reader, value: Any, line: int, name: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value)
    if len(text) > MAX_FIELD_CHARS:
        raise reader.error(f"value longer than {MAX_FIELD_CHARS} characters", line, name)
    return text.strip() or None


def _flatten(
    reader: _Reader,
    obj: dict[str, Any],
    line: int,
    out: list[_Raw],
    depth: int,
    parent: tuple[str, str] | None,
) -> str:
    """Append ``obj`` and the entities nested in its properties to ``out``; return its id."""
    if depth > _MAX_DEPTH:
        raise reader.error(f"entities nested deeper than {_MAX_DEPTH} levels", line)
    schema = obj.get("schema")
    if not isinstance(schema, str) or not schema:
        raise reader.error("entity without a schema", line, "schema")
    entity_id = _string(reader, obj.get("id"), line, "id")
    if entity_id is None:
        if parent is None:
            raise reader.error("entity without an id", line, "id")
        reader.synthetic += 1
        entity_id = f"{parent[0]}-{schema.lower()}-{reader.synthetic}"
    props_in = obj.get("properties", {})
    if not isinstance(props_in, dict):
        raise reader.error("properties is not a JSON object", line, "properties", entity_id)
    props: dict[str, list[str]] = {}
    for prop, values in props_in.items():
        if not isinstance(prop, str):
            continue
        items = values if isinstance(values, list) else [values]
        kept: list[str] = []
        for item in items:
            value: str | None
            if isinstance(item, dict) and "schema" in item:
                value = _flatten(reader, item, line, out, depth + 1, (entity_id, prop))
            else:
                value = _string(reader, item, line, prop)
            if value and value not in kept:
                kept.append(value)
        if kept:
            props[prop] = kept
    if parent is not None and parent[1] in _REVERSE:
        props.setdefault(_REVERSE[parent[1]], [parent[0]])
    datasets = obj.get("datasets")
    referents = obj.get("referents")
    raw = _Raw(
        id=entity_id,
        schema=schema,
        props=props,
        line=line,
        datasets=[d for d in datasets if isinstance(d, str)] if isinstance(datasets, list) else [],
        caption=_string(reader, obj.get("caption"), line, "caption"),
        last_seen=_string(reader, obj.get("last_seen"), line, "last_seen"),
        last_change=_string(reader, obj.get("last_change"), line, "last_change"),
        referents=[r for r in referents if isinstance(r, str)]
        if isinstance(referents, list)
        else [],
    )
    out.append(raw)
    return entity_id


def _source_id(raw: _Raw, dataset: str) -> str:
    """The record id of ``raw`` in ``dataset``: its FtM id, but for an entity sanctrace
    exported (FtM ids cannot hold ``:`` or ``_``, so its id is a slug of the one sanctrace id
    among its ``referents``) the record's own id: an export read back keeps ``dataset:id``."""
    from sanctrace.export.ftm import ftm_id

    prefix = f"{dataset}:"
    own = [r for r in raw.referents if r.startswith(prefix) and ftm_id(r) == raw.id]
    return own[0][len(prefix) :] if len(own) == 1 and len(own[0]) > len(prefix) else raw.id


def _dataset(things: list[_Raw]) -> str:
    """The first dataset every entity belongs to, else ``ftm``."""
    if not things:
        return DATASETS[0]
    common = set(things[0].datasets)
    for raw in things[1:]:
        common &= set(raw.datasets)
        if not common:
            return DATASETS[0]
    for name in things[0].datasets:
        if name in common and _DATASET.match(name):
            return name
    return DATASETS[0]


def _country(value: str) -> str | None:
    """FtM country codes are lower-case ISO codes, sometimes with a region ("ua-cri")."""
    code = value.strip()
    if code.lower() == "zz":
        return None
    if len(code) == 2 and code.isalpha():
        return code.upper()
    head = code.split("-", 1)[0]
    if len(head) == 2 and head.isalpha():
        return head.upper()
    return to_code(code)


def _append(values: list[str], value: str | None) -> None:
    if value and value not in values:
        values.append(value)


def _thing(
    reader: _Reader, raw: _Raw, raws: dict[str, _Raw], dataset: str, published: str | None
) -> Entity:
    props = raw.props
    schema = SCHEMATA[raw.schema]
    source_id = _source_id(raw, dataset)
    entity = Entity(
        id=make_id(dataset, source_id),
        schema=schema,
        caption="",
        provenance=Provenance(
            dataset=dataset,
            source_id=source_id,
            version=published,
            source_file=reader.path.name,
            record=f"line {raw.line}",
        ),
    )
    _names(entity, raw)
    if not entity.names:
        raise reader.error("entity without a name", raw.line, "name", raw.id)
    entity.caption = raw.caption or entity.names[0].value

    for prop, type_ in _ID_PROPS.items():
        for value in props.get(prop, []):
            entity.add_identifier(type_, value)
    if schema == "Aircraft":
        for value in props.get("registrationNumber", []):
            entity.add_identifier("registrationMark", value)
        entity.identifiers = [i for i in entity.identifiers if i.type != "registrationNumber"]

    for prop, target in (
        ("country", entity.countries),
        ("nationality", entity.nationalities),
        ("citizenship", entity.citizenships),
    ):
        for value in props.get(prop, []):
            _append(target, _country(value))
    for prop, dates in (
        ("birthDate", entity.birth_dates),
        ("deathDate", entity.death_dates),
        ("incorporationDate", entity.incorporation_dates),
    ):
        for value in props.get(prop, []):
            _append(dates, parse_date(value))
    for value in props.get("birthPlace", []):
        _append(entity.birth_places, value)
    for value in props.get("program", []):
        _append(entity.programs, value)
    gender = props.get("gender", [])
    entity.gender = gender[0].lower() if gender else None
    notes = props.get("notes", [])
    entity.remarks = "\n".join(notes) or None
    modified = [d for d in (parse_date(v) for v in props.get("modifiedAt", [])) if d]
    if not modified and raw.last_change:
        modified = [d for d in (parse_date(raw.last_change),) if d]
    entity.modified_on = max(modified) if modified else None

    for value in props.get("address", []):
        _add_address(entity, Address(full=value))
    for ref in props.get("addressEntity", []):
        address = raws.get(ref)
        if address is not None and address.schema == "Address":
            _add_address(entity, _address(address))
    for prop, values in props.items():
        if prop in _HANDLED:
            continue
        for value in values:
            if prop in ("flag", "pastFlags", "jurisdiction", "mainCountry", "birthCountry"):
                value = _country(value) or value
            entity.add_property(prop, value)
    return entity


def _names(entity: Entity, raw: _Raw) -> None:
    props = raw.props
    names = props.get("name", [])
    if not names:
        pieces = [props.get(p, [""])[0] for p in ("firstName", "middleName", "lastName")]
        composed = " ".join(p for p in pieces if p)
        names = [composed] if composed else []
    if not names and raw.caption and raw.caption != raw.id:
        names = [raw.caption]
    if not names:
        names = props.get("publicKey", [])[:1] or props.get("alias", [])[:1]
    primary = raw.caption if raw.caption in names else (names[0] if names else None)
    parts: dict[str, str | None] = {}
    if entity.schema == "Person":
        for prop, key in (
            ("firstName", "first_name"),
            ("middleName", "middle_name"),
            ("lastName", "last_name"),
            ("fatherName", "father_name"),
            ("title", "title"),
        ):
            values = props.get(prop, [])
            parts[key] = values[0] if len(values) == 1 else None
    if primary:
        entity.add_name(primary, "primary", **parts)
    for value in names:
        if value != primary:
            entity.add_name(value, "strong_aka")
    for prop, kind in _NAME_KINDS.items():
        for value in props.get(prop, []):
            entity.add_name(value, kind)


def _address(raw: _Raw) -> Address:
    props = raw.props

    def first(name: str) -> str | None:
        values = props.get(name, [])
        return values[0] if values else None

    country = first("country")
    code = _country(country) if country else None
    full = first("full")
    if not full:
        parts = [first(p) for p in ("street", "street2", "postOfficeBox", "city", "postalCode")]
        parts += [first("region") or first("state"), code]
        full = ", ".join(p for p in parts if p) or raw.caption or raw.id
    return Address(
        full=full,
        street=first("street"),
        city=first("city"),
        region=first("region") or first("state"),
        postal_code=first("postalCode"),
        country=code,
    )


def _add_address(entity: Entity, address: Address) -> None:
    for index, existing in enumerate(entity.addresses):
        if existing.full.casefold() == address.full.casefold():
            if address.city and not existing.city:
                entity.addresses[index] = address
            return
    entity.addresses.append(address)
    _append(entity.countries, address.country)


@dataclass
class _Folder:
    """Folds the non-thing FtM entities into the things they refer to."""

    entities: dict[str, Entity]
    raws: dict[str, _Raw]
    listing: dict[str, list[str]] = field(default_factory=dict)
    ignored: set[str] = field(default_factory=set)
    unresolved: int = 0

    def fold(self, raw: _Raw) -> None:
        if raw.schema == "Sanction":
            self._sanction(raw)
        elif raw.schema in ("Identification", "Passport"):
            self._identification(raw)
        elif raw.schema == "UnknownLink":
            self._unknown_link(raw)
        elif raw.schema in _EDGES:
            self._edge(raw)
        elif raw.schema == "Occupancy":
            self._occupancy(raw)
        elif raw.schema not in ("Address", "Position"):
            self.ignored.add(raw.schema)

    def references(self, raw: _Raw, entity: Entity) -> None:
        """A thing's own entity properties: holder/owner/parent own it, operator runs it."""
        for prop in ("holder", "owner", "parent"):
            for ref in raw.props.get(prop, []):
                self._link(entity, "owned_by", ref, None)
        if raw.schema == "CryptoWallet":
            # Screening a wallet address should also find the holder.
            for ref in raw.props.get("holder", []):
                holder = self.entities.get(ref)
                if holder is not None:
                    for key in raw.props.get("publicKey", []):
                        holder.add_identifier("cryptoWallet", key)
        for ref in raw.props.get("operator", []):
            self._link(entity, "linked_to", ref, "operator")

    def _targets(self, raw: _Raw, prop: str) -> list[Entity]:
        found = []
        for ref in raw.props.get(prop, []):
            entity = self.entities.get(ref)
            if entity is None:
                self.unresolved += 1
            else:
                found.append(entity)
        return found

    def _sanction(self, raw: _Raw) -> None:
        props = raw.props
        for entity in self._targets(raw, "entity"):
            for program in props.get("program", []) or props.get("programId", []):
                _append(entity.programs, program)
            for prop in (*_SANCTION_PROPS, "programId", "sourceUrl", "endDate"):
                for value in props.get(prop, []):
                    entity.add_property(prop, value)
            dates = self.listing.setdefault(entity.source_id, [])
            for value in props.get("listingDate", []) or props.get("startDate", []):
                _append(dates, parse_date(value))

    def _identification(self, raw: _Raw) -> None:
        props = raw.props
        numbers = props.get("number", []) + props.get("passportNumber", [])
        label = (props.get("type") or [""])[0]
        type_ = "passportNumber" if raw.schema == "Passport" else _identification_type(label)
        countries = props.get("country", [])
        country = _country(countries[0]) if countries else None
        summaries = props.get("summary") or props.get("description") or []
        summary = summaries[0] if summaries else None
        note = summary or (label if type_ in ("other", "idNumber") and label != type_ else None)
        for entity in self._targets(raw, "holder"):
            for number in numbers:
                _merge_identifier(entity, Identifier(type_, number, country, note or None))

    def _link(self, source: Entity, type_: str, target_ref: str, note: str | None) -> None:
        target = self.entities.get(target_ref)
        if target is None:
            self.unresolved += 1
            ref_note = f"unresolved FtM reference {target_ref}"
            rel = Relationship(type=type_, note=f"{note}; {ref_note}" if note else ref_note)
        elif target is source:
            return
        else:
            rel = Relationship(
                type=type_, target_name=target.caption, target_id=target.id, note=note
            )
        if rel not in source.relationships:
            source.relationships.append(rel)

    def _note(
        self, raw: _Raw, default: str | None, props: tuple[str, ...] = _NOTE_PROPS
    ) -> str | None:
        for prop in props:
            values = raw.props.get(prop, [])
            if values:
                value = values[0]
                if prop == "percentage" and value.replace(".", "", 1).isdigit():
                    value = f"{value}%"
                return value
        return default

    def _edge(self, raw: _Raw) -> None:
        side, other, type_, mirrored, default = _EDGES[raw.schema]
        note = self._note(raw, default)
        sides = raw.props.get(side, [])
        others = raw.props.get(other, [])
        for ref in sides:
            source = self.entities.get(ref)
            if source is None:
                self.unresolved += 1
                continue
            for target in others:
                self._link(source, type_, target, note)
        if mirrored:
            for ref in others:
                source = self.entities.get(ref)
                if source is None:
                    continue
                for target in sides:
                    self._link(source, type_, target, note)

    def _unknown_link(self, raw: _Raw) -> None:
        role = self._note(raw, None)
        subjects = raw.props.get("subject", [])
        objects = raw.props.get("object", [])
        if role in RELATIONSHIP_TYPES:
            note = self._note(raw, None, ("summary",))
            for ref in subjects:
                if (source := self.entities.get(ref)) is not None:
                    for target in objects:
                        self._link(source, role, target, note)
                else:
                    self.unresolved += 1
            return
        for a, b in ((subjects, objects), (objects, subjects)):
            for ref in a:
                if (source := self.entities.get(ref)) is not None:
                    for target in b:
                        self._link(source, "related", target, role)

    def _occupancy(self, raw: _Raw) -> None:
        posts = [self.raws.get(ref) for ref in raw.props.get("post", [])]
        names = [n for p in posts if p is not None for n in p.props.get("name", [])[:1]]
        for entity in self._targets(raw, "holder"):
            for name in names:
                entity.add_property("position", name)


def _identification_type(label: str) -> str:
    if label in IDENTIFIER_TYPES:
        return label
    text = label.lower()
    for keyword, type_ in (
        ("passport", "passportNumber"),
        ("inn", "innCode"),
        ("tax", "taxNumber"),
        ("regist", "registrationNumber"),
    ):
        if keyword in text:
            return type_
    return "idNumber"


def _merge_identifier(entity: Entity, ident: Identifier) -> None:
    """Add ``ident``, or give a same-number identifier read from a property its country."""
    for existing in entity.identifiers:
        if existing.type == ident.type and existing.value == ident.value:
            if existing.country is None and existing.note is None:
                existing.country, existing.note = ident.country, ident.note
                return
            if existing == ident:
                return
    entity.identifiers.append(ident)
