"""Record-by-record parsing steps that every list format takes the same way.

Each parser checks its arguments, turns records into entities one at a time, skips (and counts)
the bad ones when asked to, and keeps the first of two records with the same id. Doing these steps
here keeps their error messages and warnings alike across formats.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from lxml import etree

from sanctrace.errors import SourceError
from sanctrace.model.countries import to_code
from sanctrace.model.entity import Address, Entity, Provenance, make_id
from sanctrace.sources.base import MAX_FIELD_CHARS, ParsedList

_Item = TypeVar("_Item")


@dataclass
class RecordContext:
    """Where a parser is in its file, so that errors and warnings can say so."""

    path: Path
    record: str | None = None
    line: int | None = None
    warnings: list[str] = field(default_factory=list)

    def error(self, message: str, field_: str | None = None) -> SourceError:
        return SourceError(
            message, file=str(self.path), line=self.line, record=self.record, field=field_
        )

    def warn(self, message: str) -> None:
        self.warnings.append(f"{self.path}, line {self.line}, record {self.record}: {message}")


class BadRow(SourceError):
    """A row that cannot become an entity; skippable with skip_bad_rows."""


def single_file(paths: list[Path], name: str, kind: str = "file") -> Path:
    """The one file a single-file format reads; ``kind`` names it in the error ("XML file")."""
    if len(paths) != 1:
        raise SourceError(f"format {name} reads exactly one {kind}, got {len(paths)}")
    return paths[0]


def read_csv_bytes(path: Path) -> bytes:
    """The bytes of a CSV file, refused when a NUL byte shows it is binary data."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file ({exc})", file=str(path)) from None
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise SourceError("binary data (NUL byte) in a CSV file", file=str(path), line=line)
    return data


def check_dataset(dataset: str | None, name: str, path: Path) -> str | None:
    """Every parser's one rule for ``--dataset`` (see ``sources.check_dataset_name``), with
    the file named in the error; returns the dataset unchanged."""
    if dataset is None:
        return None
    from sanctrace.sources import check_dataset_name

    try:
        check_dataset_name(dataset, name)
    except SourceError as exc:
        raise SourceError(exc.message, file=str(path)) from None
    return dataset


def skip_or_raise(result: ParsedList, error: SourceError, skip_bad_rows: bool) -> None:
    """Count and note a bad row when the caller asked to skip them; otherwise raise it.

    A ``BadRow`` is raised as a plain SourceError: the class only marks what may be skipped.
    """
    if not skip_bad_rows:
        if isinstance(error, BadRow):
            raise SourceError(
                error.message,
                file=error.file,
                line=error.line,
                record=error.record,
                field=error.field,
            ) from None
        raise error
    result.skipped_rows += 1
    result.warnings.append(f"skipped: {error}")


def parse_records(
    ctx: RecordContext,
    records: Iterable[tuple[int | None, str, _Item]],
    build: Callable[[_Item], Entity],
    *,
    dataset: str,
    format_name: str,
    published: str | None,
    skip_bad_rows: bool,
    duplicate: str,
) -> ParsedList:
    """Build an entity from each ``(line, record, item)`` of the file ``ctx`` reads.

    A record whose id an earlier one already took is dropped with the ``duplicate`` warning
    (a format string given the source id).
    """
    entities: list[Entity] = []
    seen: set[str] = set()
    skipped = 0
    for line, record, item in records:
        ctx.line, ctx.record = line, record
        try:
            entity = build(item)
        except SourceError as exc:
            if not skip_bad_rows:
                raise
            skipped += 1
            ctx.warnings.append(f"skipped: {exc}")
            continue
        if entity.id in seen:
            ctx.warn(duplicate.format(entity.source_id))
            continue
        seen.add(entity.id)
        entities.append(entity)
    return ParsedList(
        dataset=dataset,
        format=format_name,
        entities=entities,
        files=[ctx.path],
        published=published,
        warnings=ctx.warnings,
        skipped_rows=skipped,
    )


def new_entity(
    ctx: RecordContext,
    *,
    dataset: str,
    source_id: str,
    schema: str,
    caption: str,
    published: str | None,
    record: str,
) -> Entity:
    """An entity of ``dataset`` whose provenance names the file, its version and the record."""
    return Entity(
        id=make_id(dataset, source_id),
        schema=schema,
        caption=caption,
        provenance=Provenance(
            dataset=dataset,
            source_id=source_id,
            version=published,
            source_file=ctx.path.name,
            record=record,
        ),
    )


def element_text(ctx: RecordContext, node: etree._Element | None, name: str) -> str | None:
    """Whitespace-collapsed text of an element; None when empty; an error when too long."""
    if node is None or node.text is None:
        return None
    if len(node.text) > MAX_FIELD_CHARS:
        raise ctx.error(f"field longer than {MAX_FIELD_CHARS} characters", name)
    return " ".join(node.text.split()) or None


def append_new(values: list[str], value: str | None) -> None:
    """Append a value that is set and not yet in the list."""
    if value and value not in values:
        values.append(value)


def add_address(
    entity: Entity,
    street: str | None,
    city: str | None,
    region: str | None,
    postal_code: str | None,
    country_text: str | None,
) -> str | None:
    """Add an address given in parts (once) and its country; return that country's code."""
    parts = (street, city, region, postal_code, country_text)
    full = ", ".join(part for part in parts if part)
    if not full:
        return None
    country = to_code(country_text)
    entity.add_address(
        Address(
            full=full,
            street=street,
            city=city,
            region=region,
            postal_code=postal_code,
            country=country,
        )
    )
    return country
