"""FollowTheMoney JSON lines (OpenSanctions, sanctrace's own export): the ``Ownership``,
``Directorship`` and ``Control`` interval entities as edges, their ends mapped to node keys
through the Company/Person/… entities of the same file. Also holds the guarded JSON helpers
the other JSON readers (BODS, GLEIF) share, so that every one refuses hostile input alike.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sanctrace.errors import SourceError
from sanctrace.ownership.edges import (
    LEI,
    PARTY_ID,
    RECORD_ID,
    Edge,
    EdgeError,
    control_type,
    fold_name,
)
from sanctrace.ownership.shares import UNKNOWN, Share, ShareError, parse_share

NAME = "ftm"
#: a value longer than this is not data a source writes but an attack or a broken export
MAX_FIELD = 10_000
#: JSON nested deeper than this is refused (FtM entities are 3 levels deep, BODS about 6)
MAX_DEPTH = 32
_DAY = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

#: FtM link schemata read: (owner side, asset side, default control, share type)
LINKS = {
    "Ownership": ("owner", "asset", None, "shares"),
    "Directorship": ("director", "organization", "management", "directorship"),
    "Control": ("controller", "controlled", "management", "control"),
}
#: FtM ``controlType`` examples that are not sanctrace control kinds: all are a say over the
#: company's management without a stake (a contract, the state, control through others).
_CONTROL_WORDS = {"contractual": "management", "state": "management", "indirect": "management"}


# -- guarded JSON, shared by the JSON readers ---------------------------------------------


def read_text(path: Path) -> str:
    """The file as UTF-8 text (a BOM allowed), or an error naming the line of the bad byte."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror}", file=str(path)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"not UTF-8 text (byte {data[exc.start]:#04x}): save the file as UTF-8",
            file=str(path),
            line=line,
        ) from None


def load_json(text: str, path: Path, line: int | None = None) -> Any:
    """Parse one JSON document (a whole file, or one line of JSON lines)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        at = exc.lineno if line is None else line
        raise SourceError(
            f"malformed JSON: {exc.msg} (column {exc.colno})", file=str(path), line=at
        ) from None
    except RecursionError:
        raise SourceError(
            f"JSON nested deeper than {MAX_DEPTH} levels", file=str(path), line=line
        ) from None
    check_tree(value, path, line)
    return value


def check_tree(value: Any, path: Path, line: int | None, record: str | None = None) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH or holding a string longer than MAX_FIELD,
    naming the field where it is."""
    todo: list[tuple[Any, int, str | None]] = [(value, 0, None)]
    while todo:
        item, depth, key = todo.pop()
        if depth > MAX_DEPTH:
            raise SourceError(
                f"JSON nested deeper than {MAX_DEPTH} levels",
                file=str(path),
                line=line,
                record=record,
                field=key,
            )
        if isinstance(item, str) and len(item) > MAX_FIELD:
            raise SourceError(
                f"{len(item):,} characters: too long for a value (at most {MAX_FIELD:,})",
                file=str(path),
                line=line,
                record=record,
                field=key,
            )
        if isinstance(item, dict):
            for k, v in item.items():
                if len(k) > MAX_FIELD:
                    raise SourceError(
                        "a JSON key too long", file=str(path), line=line, record=record
                    )
                todo.append((v, depth + 1, k))
        elif isinstance(item, list):
            todo.extend((v, depth + 1, key) for v in item)


def json_lines(text: str, path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each non-empty line of JSON lines as an object, with its line number."""
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        obj = load_json(raw, path, number)
        if not isinstance(obj, dict):
            raise SourceError(
                f"a JSON {type(obj).__name__} where an object belongs", file=str(path), line=number
            )
        yield number, obj


def read_day(value: object, *, last: bool = False) -> date | None:
    """A date as sources write it: 2024-05-31, 2024-05, 2024 or a timestamp; a partial date
    is its first day, or with ``last`` its last day (an end held until then)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date")
    found = _DAY.match(value.strip())
    if not found:
        raise ValueError(f"{value!r} is not a date (write 2024-05-31)")
    year, month, day = found.groups()
    y, m = int(year), int(month or (12 if last else 1))
    if day is not None:
        return date(y, m, int(day))
    return date(y, m, calendar.monthrange(y, m)[1] if last else 1)


# -- FollowTheMoney -------------------------------------------------------------------------


def sniff(path: Path, head: bytes) -> bool:
    """The first line is an FtM entity: an object with ``schema`` and ``properties``."""
    first = head.removeprefix(b"\xef\xbb\xbf").lstrip().split(b"\n", 1)[0]
    return first.startswith(b"{") and b'"schema"' in first and b'"properties"' in first


@dataclass
class _Entity:
    id: str
    schema: str
    props: dict[str, list[str]]
    line: int
    referents: list[str]
    caption: str


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.entities: dict[str, _Entity] = {}

    def error(
        self, message: str, line: int | None, record: str | None = None, field: str | None = None
    ) -> SourceError:
        return SourceError(message, file=str(self.path), line=line, record=record, field=field)

    def entity(self, number: int, obj: dict[str, Any]) -> _Entity:
        schema = obj.get("schema")
        if not isinstance(schema, str) or not schema:
            raise self.error("an entity without a schema", number, field="schema")
        entity_id = obj.get("id")
        if not isinstance(entity_id, str) or not entity_id.strip():
            raise self.error("an entity without an id", number, field="id")
        props_in = obj.get("properties", {})
        if not isinstance(props_in, dict):
            raise self.error("properties is not an object", number, entity_id, "properties")
        props: dict[str, list[str]] = {}
        for prop, values in props_in.items():
            items = values if isinstance(values, list) else [values]
            kept = [str(v).strip() for v in items if isinstance(v, str | int | float)]
            if kept := [v for v in kept if v]:
                props[prop] = kept
        referents = obj.get("referents")
        caption = obj.get("caption")
        return _Entity(
            id=entity_id.strip(),
            schema=schema,
            props=props,
            line=number,
            referents=[r for r in referents if isinstance(r, str)]
            if isinstance(referents, list)
            else [],
            caption=caption.strip() if isinstance(caption, str) else "",
        )

    def node(self, ref: str, link: _Entity, field: str) -> tuple[str, str]:
        """The node key and name of the entity ``ref`` that ``link`` names in ``field``."""
        target = self.entities.get(ref)
        if target is None:
            if PARTY_ID.match(ref) or (RECORD_ID.match(ref) and " " not in ref):
                return ref, ""
            if LEI.match(ref):
                return f"lei:{ref}", ""
            raise self.error(
                f"{ref!r} is not an entity of this file (nor a record id, party id or LEI)",
                link.line,
                link.id,
                field,
            )
        names = target.props.get("name") or ([target.caption] if target.caption else [])
        name = names[0] if names else ""
        for lei in target.props.get("leiCode", []):
            if LEI.match(lei.upper()):
                return f"lei:{lei.upper()}", name
        own = _sanctrace_id(target)
        if own:
            return own, name
        folded = fold_name(name)
        if not folded:
            raise self.error(
                f"the entity {ref!r} has no name, LEI or sanctrace id to know it by",
                target.line,
                target.id,
                "name",
            )
        return f"name:{folded}", name

    def edges(self, link: _Entity) -> list[Edge]:
        owner_prop, asset_prop, default_control, share_type = LINKS[link.schema]
        props = link.props
        for prop in (owner_prop, asset_prop):
            if not props.get(prop):
                raise self.error(f"a {link.schema} without its {prop}", link.line, link.id, prop)
        control = self.control(link, default_control)
        share: Share | None = None
        if link.schema == "Ownership":
            written = (props.get("percentage") or [""])[0]
            try:
                share = parse_share(written) if written else UNKNOWN
            except ShareError as exc:
                raise self.error(str(exc), link.line, link.id, "percentage") from None
            share_type = (props.get("sharesType") or props.get("ownershipType") or [share_type])[0]
        start, end = self.dates(link)
        source = (props.get("sourceUrl") or props.get("publisher") or [""])[0]
        extra = {
            k: props[k][0]
            for k in ("role", "recordId", "sharesCount", "status", "summary")
            if props.get(k)
        }
        out = []
        for owner_ref in props[owner_prop]:
            owner, owner_name = self.node(owner_ref, link, owner_prop)
            for asset_ref in props[asset_prop]:
                asset, asset_name = self.node(asset_ref, link, asset_prop)
                if owner == asset:
                    raise self.error("an entity cannot hold itself", link.line, link.id, asset_prop)
                out.append(
                    Edge(
                        owner=owner,
                        asset=asset,
                        share=share,
                        control=control,
                        share_type=share_type,
                        start=start,
                        end=end,
                        source=source,
                        owner_name=owner_name,
                        asset_name=asset_name,
                        provenance=f"{self.path.name}:{link.line} {link.id}",
                        extra=extra,
                    )
                )
        return out

    def control(self, link: _Entity, default: str | None) -> str | None:
        field = "controlType" if link.schema == "Control" else "role"
        for word in link.props.get(field, []):
            word = _CONTROL_WORDS.get(word.strip().lower(), word)
            try:
                if found := control_type(word):
                    return found
            except EdgeError:
                if field == "controlType":
                    raise self.error(
                        f"{word!r} is not a kind of control sanctrace knows "
                        "(voting, appointment, management, contractual, trust, nominee, state)",
                        link.line,
                        link.id,
                        field,
                    ) from None
        return default

    def dates(self, link: _Entity) -> tuple[date | None, date | None]:
        found: list[date | None] = []
        for prop, last in (("startDate", False), ("endDate", True)):
            value = (link.props.get(prop) or [""])[0]
            try:
                found.append(read_day(value, last=last))
            except ValueError as exc:
                raise self.error(str(exc), link.line, link.id, prop) from None
        start, end = found
        if start and end and end < start:
            raise self.error(
                f"ends ({end}) before it starts ({start})", link.line, link.id, "endDate"
            )
        return start, end


def _sanctrace_id(entity: _Entity) -> str | None:
    """The sanctrace id an entity stands for: its own id when it is one (a party id or a
    ``dataset:id``), else the one referent our export slugged into its FtM id."""
    from sanctrace.export.ftm import ftm_id

    if PARTY_ID.match(entity.id) or RECORD_ID.match(entity.id):
        return entity.id
    own = [r for r in entity.referents if RECORD_ID.match(r) and ftm_id(r) == entity.id]
    return own[0] if len(own) == 1 else None


def read(path: Path) -> list[Edge]:
    text = read_text(path)
    reader = _Reader(path)
    links: list[_Entity] = []
    for number, obj in json_lines(text, path):
        entity = reader.entity(number, obj)
        if entity.id in reader.entities:
            raise reader.error(
                f"the id {entity.id!r} is also the entity of line "
                f"{reader.entities[entity.id].line}",
                number,
                entity.id,
                "id",
            )
        reader.entities[entity.id] = entity
        if entity.schema in LINKS:
            links.append(entity)
    if not reader.entities:
        raise SourceError("the file holds no FtM entities", file=str(path))
    if not links:
        raise SourceError(
            "no Ownership, Directorship or Control entities in the file", file=str(path)
        )
    return [edge for link in links for edge in reader.edges(link)]
