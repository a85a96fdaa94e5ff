"""Entities as a flat CSV, one row per entity, safe to open in a spreadsheet.

Multi-valued cells are joined with "; ". Every cell that a spreadsheet would read as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading apostrophe, so a
hostile list entry cannot run anything on the analyst's machine (CSV/formula injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

from sanctrace.model.entity import Entity

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = (
    "id",
    "schema",
    "caption",
    "aliases",
    "weak_aliases",
    "previous_names",
    "birth_dates",
    "birth_places",
    "gender",
    "nationalities",
    "citizenships",
    "countries",
    "addresses",
    "identifiers",
    "programs",
    "listed_on",
    "modified_on",
    "remarks",
    "dataset",
    "source_id",
    "version",
    "source_file",
)


def safe_cell(value: str | None) -> str:
    """``value`` as a cell no spreadsheet will evaluate: formula-like text gets a leading "'"."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _join(values: Iterable[str]) -> str:
    return "; ".join(v for v in values if v)


def _row(entity: Entity) -> list[str]:
    names = entity.names
    primary = {n.value for n in names if n.kind == "primary"} - {entity.caption}
    identifiers = [
        f"{i.type}:{i.value}" + (f" ({i.country})" if i.country else "") for i in entity.identifiers
    ]
    values = {
        "id": entity.id,
        "schema": entity.schema,
        "caption": entity.caption,
        "aliases": _join(
            [*sorted(primary), *(n.value for n in names if n.kind in ("strong_aka", "spelling"))]
        ),
        "weak_aliases": _join(n.value for n in names if n.kind == "weak_aka"),
        "previous_names": _join(n.value for n in names if n.kind == "fka"),
        "birth_dates": _join(entity.birth_dates),
        "birth_places": _join(entity.birth_places),
        "gender": entity.gender or "",
        "nationalities": _join(entity.nationalities),
        "citizenships": _join(entity.citizenships),
        "countries": _join(entity.countries),
        "addresses": _join(a.full for a in entity.addresses),
        "identifiers": _join(identifiers),
        "programs": _join(entity.programs),
        "listed_on": entity.listed_on or "",
        "modified_on": entity.modified_on or "",
        "remarks": entity.remarks or "",
        "dataset": entity.dataset,
        "source_id": entity.source_id,
        "version": entity.provenance.version or "",
        "source_file": entity.provenance.source_file or "",
    }
    return [safe_cell(values[column]) for column in COLUMNS]


def write_csv(entities: Iterable[Entity], fh: IO[str]) -> int:
    """Write a header and one row per entity; returns the number of entity rows."""
    writer = csv.writer(fh)
    writer.writerow(COLUMNS)
    count = 0
    for entity in entities:
        writer.writerow(_row(entity))
        count += 1
    return count
