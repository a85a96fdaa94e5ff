"""FCDO UK Sanctions List, designation summary (ODS, or the same eight columns as CSV).

One row per designation: Unique ID (RUS0001), OFSI Group ID, Name, Regime, Type, Designation
source, Date designated, Sanctions imposed. The OFSI Group ID is kept (``ofsiGroupId``) so the
entry can be linked to the OFSI Consolidated List (gb_hmt_sanctions), which is keyed by it.

python-calamine cannot read the FCDO's ODS (it rejects the whitespace between cells that the
FCDO's exporter writes), so the ODS ``content.xml`` is streamed with the hardened lxml settings.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from sanctrace.errors import SourceError
from sanctrace.model.dates import parse_date
from sanctrace.model.entity import Entity, Provenance, make_id
from sanctrace.sources._legal import org_schema
from sanctrace.sources._records import (
    BadRow,
    check_dataset,
    read_csv_bytes,
    single_file,
    skip_or_raise,
)
from sanctrace.sources._values import clean
from sanctrace.sources._xml import check_not_hostile, local
from sanctrace.sources._zip import is_zip, member_names, open_zip, peek_member
from sanctrace.sources.base import MAX_FIELD_CHARS, ParsedList

NAME = "uk_fcdo"
DATASETS = ("gb_fcdo_sanctions",)

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

#: Canonical column -> header spellings the FCDO has used (compared case-insensitively).
COLUMNS: dict[str, tuple[str, ...]] = {
    "Unique ID": ("unique id",),
    "OFSI Group ID": ("ofsi group id",),
    "Name": ("name",),
    "Regime": ("regime", "regime name"),
    "Type": ("type", "designation type"),
    "Designation source": ("designation source",),
    "Date designated": ("date designated",),
    "Sanctions imposed": ("sanctions imposed",),
}

_SCHEMA_BY_TYPE = {"individual": "Person", "ship": "Vessel"}
_TYPES = ("individual", "entity", "ship")
_HEADER_SEARCH_ROWS = 20
_MAX_COLUMNS = 64
_MAX_ROWS = 2_000_000

_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_NS_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = f"{{{_NS_TABLE}}}table"
_ROW = f"{{{_NS_TABLE}}}table-row"
_CELLS = (f"{{{_NS_TABLE}}}table-cell", f"{{{_NS_TABLE}}}covered-table-cell")
_REPEAT_COLS = f"{{{_NS_TABLE}}}number-columns-repeated"
_REPEAT_ROWS = f"{{{_NS_TABLE}}}number-rows-repeated"
_VALUE_TYPE = f"{{{_NS_OFFICE}}}value-type"
_P = f"{{{_NS_TEXT}}}p"
_DC_DATE = re.compile(rb"<dc:date>\s*(\d{4}-\d{2}-\d{2})")


@dataclass
class _Row:
    """A sheet row (``number`` counts sheet rows) or a CSV record (``line`` is where it starts)."""

    number: int
    cells: list[str]
    line: int | None = None

    @property
    def record(self) -> str | None:
        return None if self.line is not None else f"row {self.number}"


def sniff(path: Path, head: bytes) -> bool:
    """An ODS whose sheet starts with the summary header, or a CSV with that header."""
    try:
        if is_zip(head):
            names = member_names(path)
            if not names or "content.xml" not in names:
                return False
            mimetype = peek_member(path, "mimetype", 128) if "mimetype" in names else None
            if mimetype is None or mimetype.strip() != ODS_MIMETYPE:
                return False
            content = peek_member(path, "content.xml", 65536) or b""
            return _has_header_words(content.decode("utf-8", "replace"))
        if b"\x00" in head:
            return False
        text = head.decode("utf-8", "replace").lstrip("\ufeff")
        lines = text.splitlines()[:_HEADER_SEARCH_ROWS]
        return any(_header_map(row) is not None for row in csv.reader(lines))
    except Exception:
        return False


def _has_header_words(text: str) -> bool:
    lowered = text.lower()
    return all(any(f">{alias}<" in lowered for alias in aliases) for aliases in COLUMNS.values())


def parse(
    paths: list[Path], *, dataset: str | None = None, skip_bad_rows: bool = False
) -> ParsedList:
    dataset = dataset or DATASETS[0]
    path = single_file(paths, NAME)
    check_dataset(dataset, NAME, path)
    result = ParsedList(dataset=dataset, format=NAME, entities=[], files=list(paths))
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise SourceError(f"cannot read file ({exc})", file=str(path)) from None
    stamps: list[str] = []
    if is_zip(head):
        rows: Iterator[_Row] = _ods_rows(path, stamps)
    else:
        rows = _csv_rows(path)
    by_id: dict[str, Entity] = {}
    columns: dict[str, int] | None = None
    found: list[str] = []
    for row in rows:
        if columns is None:
            if any(row.cells) and not found:
                found = [c for c in row.cells if c]
            columns = _header_map(row.cells)
            if columns is None and row.number >= _HEADER_SEARCH_ROWS:
                break
            continue
        try:
            _add_row(path, dataset, row, columns, by_id, result)
        except BadRow as exc:
            skip_or_raise(result, exc, skip_bad_rows)
    if columns is None:
        raise SourceError(
            "no UK Sanctions List summary header found; expected columns "
            + ", ".join(COLUMNS)
            + "; found "
            + (", ".join(found[:20]) if found else "no header"),
            file=str(path),
        )
    result.entities = list(by_id.values())
    result.published = _published(stamps, result.entities)
    return result


def _header_map(cells: list[str]) -> dict[str, int] | None:
    """Column name -> index when ``cells`` is the summary header, else None."""
    index: dict[str, int] = {}
    normalised = [" ".join(c.split()).lower() for c in cells]
    for canonical, aliases in COLUMNS.items():
        for i, cell in enumerate(normalised):
            if cell in aliases:
                index[canonical] = i
                break
        else:
            return None
    return index


def _add_row(
    path: Path,
    dataset: str,
    row: _Row,
    columns: dict[str, int],
    by_id: dict[str, Entity],
    result: ParsedList,
) -> None:
    record = row.record
    where = f"line {row.line}" if row.line is not None else record

    def bad(message: str, column: str) -> BadRow:
        return BadRow(message, file=str(path), line=row.line, record=record, field=column)

    def get(column: str) -> str | None:
        i = columns[column]
        value = row.cells[i] if i < len(row.cells) else ""
        if len(value) > MAX_FIELD_CHARS:
            raise bad("field is too long", column)
        return clean(value)

    if not any(c.strip() for c in row.cells):
        return
    uid = get("Unique ID")
    if not uid:
        raise bad("missing Unique ID", "Unique ID")
    name = get("Name")
    kind = (get("Type") or "").lower()
    if kind not in _TYPES:
        raise bad(f"unknown type {get('Type')!r} (expected Individual, Entity or Ship)", "Type")
    designated_text = get("Date designated")
    designated = _date(designated_text)
    if designated_text and not designated:
        raise bad(f"unreadable date {designated_text!r}", "Date designated")
    if not name:
        # The FCDO really publishes the odd row without a name (BEL0174 on 2025-08-11); the
        # designation stands and its OFSI Group ID still links it to the named OFSI entry.
        result.warnings.append(f"{path.name} {where}: {uid} has no name; kept under its ID")
    schema = _SCHEMA_BY_TYPE.get(kind) or org_schema(name)
    entity = by_id.get(uid)
    if entity is None:
        entity = Entity(
            id=make_id(dataset, uid),
            schema=schema,
            caption=name or uid,
            provenance=Provenance(
                dataset=dataset, source_id=uid, source_file=path.name, record=where
            ),
        )
        by_id[uid] = entity
        entity.add_name(name, "primary")
    else:
        result.warnings.append(f"{path.name} {where}: Unique ID {uid} repeated; rows merged")
        if entity.schema != schema:
            result.warnings.append(
                f"{path.name} {where}: Unique ID {uid} is both {entity.schema} and {schema}"
            )
        if not entity.names:
            entity.caption = name or entity.caption
            entity.add_name(name, "primary")
        elif name != entity.caption:
            entity.add_name(name, "strong_aka")
    regime = get("Regime")
    if regime and regime not in entity.programs:
        entity.programs.append(regime)
    if designated and (entity.listed_on is None or designated < entity.listed_on):
        entity.listed_on = designated
    entity.add_property("ofsiGroupId", get("OFSI Group ID"))
    for source in (get("Designation source") or "").split("|"):
        entity.add_property("designationSource", clean(source))
    for sanction in (get("Sanctions imposed") or "").split(","):
        entity.add_property("provisions", clean(sanction))


def _date(text: str | None) -> str | None:
    if not text:
        return None
    value = parse_date(text)
    # Only whole dates: the column is a date, and "2020" alone would be a typo.
    return value if value and len(value) == 10 else None


def _published(stamps: list[str], entities: list[Entity]) -> str | None:
    """The newest date the file carries, if it is not older than its own newest designation.

    The FCDO's ODS holds no publication date in a cell; its ``content.xml`` is stamped with the
    export time, while ``meta.xml`` keeps the template's older save date. A stamp older than a
    designation in the file cannot be its publication date, so it is ignored.
    """
    latest = max((e.listed_on for e in entities if e.listed_on), default=None)
    candidates = sorted((s for s in stamps if latest is None or s >= latest), reverse=True)
    return candidates[0] if candidates else None


def _csv_rows(path: Path) -> Iterator[_Row]:
    data = read_csv_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})", file=str(path), line=line
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for cells in reader:
            yield _Row(number=start, cells=cells, line=start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(f"malformed CSV ({exc})", file=str(path), line=start) from None


def _ods_rows(path: Path, stamps: list[str]) -> Iterator[_Row]:
    """Rows of the first sheet of an ODS file, as text cells, numbered like the sheet."""
    with open_zip(path) as zf:
        names = set(zf.namelist())
        if "content.xml" not in names:
            raise SourceError("not an OpenDocument spreadsheet (no content.xml)", file=str(path))
        stamps.extend(_zip_stamps(zf, names))
        with zf.open("content.xml") as fh:
            check_not_hostile(path, fh.read(65536))
        with zf.open("content.xml") as fh:
            yield from _iter_ods_rows(path, fh)


def _zip_stamps(zf: zipfile.ZipFile, names: set[str]) -> list[str]:
    """Dates the archive carries: content.xml's entry time and meta.xml's dc:date."""
    stamps = []
    year, month, day = zf.getinfo("content.xml").date_time[:3]
    if year > 1980:
        stamps.append(f"{year:04d}-{month:02d}-{day:02d}")
    if "meta.xml" in names:
        with zf.open("meta.xml") as fh:
            match = _DC_DATE.search(fh.read(65536))
        if match:
            stamps.append(match.group(1).decode("ascii"))
    return stamps


def _iter_ods_rows(path: Path, fh: object) -> Iterator[_Row]:
    context = etree.iterparse(
        fh,
        events=("start", "end"),
        tag=(_TABLE, _ROW),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    tables = 0
    number = 0
    try:
        for event, elem in context:
            if elem.tag == _TABLE:
                if event == "start":
                    tables += 1
                elif tables == 1:
                    return
                continue
            if event != "end" or tables != 1:
                continue
            repeat = _int_attr(elem, _REPEAT_ROWS)
            cells = _row_cells(elem)
            elem.clear()
            while elem.getprevious() is not None:
                parent = elem.getparent()
                if parent is None:
                    break
                del parent[0]
            if not any(cells):
                number += repeat
                continue
            if number + repeat > _MAX_ROWS:
                raise SourceError(f"more than {_MAX_ROWS} rows", file=str(path))
            for _ in range(repeat):
                number += 1
                yield _Row(number=number, cells=cells)
    except etree.XMLSyntaxError as exc:
        raise SourceError(
            f"malformed ODS content.xml: {exc.msg}", file=str(path), line=exc.lineno or None
        ) from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise SourceError(f"cannot read ODS content ({exc})", file=str(path)) from None


def _int_attr(elem: etree._Element, name: str) -> int:
    value = elem.get(name)
    if value is None:
        return 1
    try:
        return max(1, int(value))
    except ValueError:
        return 1


def _row_cells(row: etree._Element) -> list[str]:
    cells: list[str] = []
    for cell in row:
        if cell.tag not in _CELLS:
            continue
        repeat = _int_attr(cell, _REPEAT_COLS)
        value = _cell_value(cell)
        for _ in range(min(repeat, _MAX_COLUMNS - len(cells))):
            cells.append(value)
        if len(cells) >= _MAX_COLUMNS:
            break
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _cell_value(cell: etree._Element) -> str:
    kind = cell.get(_VALUE_TYPE)
    if kind == "date":
        value = cell.get(f"{{{_NS_OFFICE}}}date-value") or ""
        return value[:10] if value.endswith("T00:00:00") or len(value) == 10 else value
    if kind in ("float", "percentage", "currency"):
        value = cell.get(f"{{{_NS_OFFICE}}}value") or ""
        return value[:-2] if value.endswith(".0") else value
    if kind == "boolean":
        return cell.get(f"{{{_NS_OFFICE}}}boolean-value") or ""
    return "\n".join(_text(p) for p in cell if p.tag == _P)


def _text(elem: etree._Element) -> str:
    """Text of an ODF paragraph, expanding <text:s/> spaces, tabs and line breaks."""
    parts = [elem.text or ""]
    for child in elem:
        name = local(child.tag) if isinstance(child.tag, str) else ""
        if name == "s":
            parts.append(" " * min(_int_attr(child, f"{{{_NS_TEXT}}}c"), 1000))
        elif name == "tab":
            parts.append("\t")
        elif name == "line-break":
            parts.append("\n")
        elif name:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
