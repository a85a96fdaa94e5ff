"""The core of batch screening, free of I/O: a chunk of input records -> its output rows, its
error rows and its counts. Runs in the worker processes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple

from sanctrace.batch.columns import InputRecord
from sanctrace.batch.queries import build_query
from sanctrace.batch.rows import OutputRow, output_rows, skipped_row
from sanctrace.errors import SanctraceError
from sanctrace.match import Screener
from sanctrace.resolve.grouping import Listing, group_matches, records_wanted

if TYPE_CHECKING:
    from sanctrace.match.index import Index
    from sanctrace.resolve.store import Parties


class ErrorRow(NamedTuple):
    """One input row that could not be screened, and why."""

    input_row: int
    input_key: str
    input_name: str
    reason: str


ERROR_COLUMNS: tuple[str, ...] = ErrorRow._fields
ERROR_TYPES: dict[str, type] = {**dict.fromkeys(ERROR_COLUMNS, str), "input_row": int}


@dataclass
class ChunkStats:
    """Counts of input rows (and of the output rows they gave)."""

    read: int = 0
    screened: int = 0
    matched: int = 0
    errors: int = 0
    output_rows: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def add(self, other: ChunkStats) -> None:
        self.read += other.read
        self.screened += other.screened
        self.matched += other.matched
        self.errors += other.errors
        self.output_rows += other.output_rows
        self.skipped.update(other.skipped)

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "screened": self.screened,
            "matched": self.matched,
            "errors": self.errors,
            "output_rows": self.output_rows,
            "skipped": dict(self.skipped),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChunkStats:
        return cls(
            read=data["read"],
            screened=data["screened"],
            matched=data["matched"],
            errors=data["errors"],
            output_rows=data["output_rows"],
            skipped=Counter(data["skipped"]),
        )


@dataclass
class ChunkResult:
    """The output and error rows of one chunk of input rows, in input order."""

    number: int
    rows: list[OutputRow]
    errors: list[ErrorRow]
    stats: ChunkStats


@dataclass(frozen=True)
class ScreenSettings:
    """How every row is screened (the same in each worker)."""

    threshold: float
    limit: int = 10
    best_only: bool = False
    schema: str | None = None
    datasets: tuple[str, ...] | None = None
    versions: tuple[tuple[str, str], ...] = ()
    #: Who is the same party across the lists (None: every record is a party of its own).
    parties: Parties | None = field(default=None, compare=False, repr=False)


def index_listing(index: Index, datasets: tuple[str, ...] | None = None) -> Listing:
    """What a party's row says of each of its listings, read from the screening index (the
    workers hold it; no store is opened there); only ``datasets``' listings when named."""
    return _index_listing(index, frozenset(datasets or ()))


@lru_cache(maxsize=4)
def _index_listing(index: Index, datasets: frozenset[str]) -> Listing:
    entities = {e.id: e for e in index.entities if not datasets or e.dataset in datasets}
    versions = dict(index.versions)

    def listing(record_id: str) -> dict[str, Any] | None:
        e = entities.get(record_id)
        if e is None:
            return None
        return {
            "dataset": e.dataset,
            "id": e.id,
            "source_id": e.source_id,
            "list": e.dataset,
            "caption": e.caption,
            "schema": e.schema,
            "programs": list(e.programs),
            "version": versions.get(e.dataset),
            "names": [value for value, _ in e.names][:20],
        }

    return listing


def record_bytes(record: InputRecord) -> int:
    """The text a record holds (what a chunk of them weighs in memory, roughly)."""
    return (
        len(record.key)
        + len(record.name)
        + len(record.schema)
        + len(record.country)
        + len(record.birth_date)
        + len(record.identifier)
    )


def make_chunks(
    records: Iterable[InputRecord], size: int, max_bytes: int | None = None
) -> Iterator[tuple[int, list[InputRecord]]]:
    """Consecutive chunks of ``size`` records, numbered from 0; with ``max_bytes``, a chunk is
    cut early once its records hold that much text (the same cuts on every run of a file)."""
    iterator = iter(records)
    number = 0
    if max_bytes is None:
        while chunk := list(islice(iterator, size)):
            yield number, chunk
            number += 1
        return
    chunk, held = [], 0
    for record in iterator:
        chunk.append(record)
        held += record_bytes(record)
        if len(chunk) >= size or held >= max_bytes:
            yield number, chunk
            number += 1
            chunk, held = [], 0
    if chunk:
        yield number, chunk


#: Characters of an input name or key kept in an audit record (the name screens at most 1,000).
AUDIT_TEXT = 1_000


def _audit_text(text: str) -> str:
    if len(text) <= AUDIT_TEXT:
        return text
    return f"{text[:AUDIT_TEXT]}… (+{len(text) - AUDIT_TEXT:,} characters)"


def audit_rows(result: ChunkResult) -> list[list[Any]]:
    """The input rows of a chunk for its audit record, each once: [row, key, name], with long
    keys and names cut (a chunk of 1 MB names would pass the database's largest value)."""
    rows = {
        r.input_row: [r.input_row, _audit_text(r.input_key), _audit_text(r.input_name)]
        for r in result.rows
    }
    return list(rows.values())


def screen_records(
    screener: Screener, records: Sequence[InputRecord], settings: ScreenSettings, number: int = 0
) -> ChunkResult:
    """Screen a chunk of records: one or more output rows for each (one per party matched), in
    input order; a record that cannot be screened gives an error row too."""
    from sanctrace.resolve.store import Parties

    rows: list[OutputRow] = []
    errors: list[ErrorRow] = []
    stats = ChunkStats(read=len(records))
    limit = 1 if settings.best_only else settings.limit
    parties = settings.parties if settings.parties is not None else Parties({})
    listing = index_listing(screener.index, settings.datasets)
    for record in records:
        try:
            query = build_query(record, settings.schema)
            if isinstance(query, str):
                stats.skipped[query] += 1
                rows.append(
                    skipped_row(
                        record.key,
                        record.number,
                        record.name,
                        query,
                        settings.threshold,
                        settings.versions,
                    )
                )
                continue
            matches = screener.screen(
                query,
                threshold=settings.threshold,
                limit=records_wanted(limit),
                datasets=settings.datasets,
            )
        except SanctraceError as exc:
            reason = str(exc)
            stats.errors += 1
            errors.append(ErrorRow(record.number, record.key, record.name, reason))
            rows.append(
                skipped_row(
                    record.key,
                    record.number,
                    record.name,
                    f"error: {reason}",
                    settings.threshold,
                    settings.versions,
                )
            )
            continue
        stats.screened += 1
        stats.matched += bool(matches)
        results = group_matches(matches, parties, listing, limit)
        rows.extend(
            output_rows(
                record.key,
                record.number,
                record.name,
                results,
                matches,
                settings.threshold,
                settings.versions,
                best_only=settings.best_only,
            )
        )
    stats.output_rows = len(rows)
    return ChunkResult(number, rows, errors, stats)
