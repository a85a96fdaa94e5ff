"""Watchlists: the counterparties a team screens again whenever a list changes.

A watchlist holds records by the customer's own id, each with the query it screens as (name,
schema, countries, birth dates, identifiers). A file is read with the column mapping of
``screen-file`` and taken whole or not at all: a duplicate id, a row without a name or a value
that is no value refuses the file, naming the lines. Adding a record that exists replaces it
when it changed (and only then counts as updated, so that re-screening can skip the rest).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sanctrace.audit import now_stamp
from sanctrace.batch.columns import ColumnOptions, extract, resolve_columns
from sanctrace.batch.queries import build_query
from sanctrace.batch.readers import InputFormat, detect_input_format, open_input
from sanctrace.errors import SanctraceError
from sanctrace.match import Query
from sanctrace.store import Store

#: Problems shown when a file is refused; the rest are counted.
_SHOWN = 10


@dataclass
class WatchReport:
    watchlist: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def _canonical(query: Query) -> str:
    return json.dumps(query.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def read_records(
    source: str,
    columns: ColumnOptions,
    input_format: InputFormat | str | None = None,
    encoding: str | None = None,
) -> list[tuple[str, Query]]:
    """(customer id, query) for every row of ``source``, or an error naming the bad lines."""
    fmt = detect_input_format(source, input_format)
    problems: list[str] = []
    seen: dict[str, int] = {}
    records: list[tuple[str, Query]] = []
    with open_input(source, fmt, encoding=encoding) as reader:
        mapping = resolve_columns(reader.columns, columns, source=reader.name)
        if mapping.key is None:
            raise SanctraceError(
                f"{reader.name}: a watchlist needs the customer's own id: name its column with "
                f"--key-column (columns: {', '.join(reader.columns)})"
            )
        for row in reader.rows():
            record = extract(row, mapping)
            where = f"{reader.unit} {record.number}"
            try:
                query = build_query(record)
            except SanctraceError as exc:
                problems.append(f"{where}: {exc}")
                continue
            if isinstance(query, str):
                problems.append(f"{where}: {query}")
                continue
            if record.key in seen:
                problems.append(
                    f"{where}: id {record.key!r} again (first on {reader.unit} {seen[record.key]})"
                )
                continue
            seen[record.key] = record.number
            records.append((record.key, query))
    if problems:
        more = f" (and {len(problems) - _SHOWN:,} more)" if len(problems) > _SHOWN else ""
        raise SanctraceError(
            f"{source}: {len(problems):,} rows cannot be watched, nothing was added: "
            + "; ".join(problems[:_SHOWN])
            + more
        )
    return records


def add(store: Store, watchlist: str, records: Iterable[tuple[str, Query]]) -> WatchReport:
    """Add or replace records, in one transaction."""
    report = WatchReport(watchlist)
    stamp = now_stamp()
    with store._transaction():
        existing = {
            str(key): str(fingerprint)
            for key, fingerprint in store._rows(
                "SELECT key, fingerprint FROM watch_records WHERE watchlist = ?", (watchlist,)
            )
        }
        for key, query in records:
            text = _canonical(query)
            fingerprint = hashlib.sha256(text.encode()).hexdigest()
            if existing.get(key) == fingerprint:
                report.unchanged += 1
                continue
            if key in existing:
                report.updated += 1
                store._rows(
                    "UPDATE watch_records SET query = ?, fingerprint = ?, updated_at = ? "
                    "WHERE watchlist = ? AND key = ?",
                    (text, fingerprint, stamp, watchlist, key),
                )
            else:
                report.added += 1
                store._rows(
                    "INSERT INTO watch_records (watchlist, key, query, fingerprint, updated_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (watchlist, key, text, fingerprint, stamp),
                )
    return report


def watchlists(store: Store) -> list[tuple[str, int, str]]:
    """(name, records, last change) of every watchlist."""
    rows = store._rows(
        "SELECT watchlist, COUNT(*), MAX(updated_at) FROM watch_records "
        "GROUP BY watchlist ORDER BY watchlist"
    )
    return [(str(name), int(count), str(last)) for name, count, last in rows]


def records(store: Store, watchlist: str) -> list[dict[str, Any]]:
    """The records of one watchlist, by customer id."""
    rows = store._rows(
        "SELECT key, query, updated_at FROM watch_records WHERE watchlist = ? ORDER BY key",
        (watchlist,),
    )
    return [
        {"key": str(key), "query": json.loads(query), "updated_at": str(updated)}
        for key, query, updated in rows
    ]


def remove(store: Store, watchlist: str, keys: Iterable[str] | None = None) -> int:
    """Remove the records with these ids (or the whole watchlist); how many went."""
    with store._transaction():
        if keys is None:
            found = store._rows(
                "SELECT COUNT(*) FROM watch_records WHERE watchlist = ?", (watchlist,)
            )
            store._rows("DELETE FROM watch_records WHERE watchlist = ?", (watchlist,))
            return int(found[0][0])
        gone = 0
        for key in keys:
            hit = store._rows(
                "SELECT COUNT(*) FROM watch_records WHERE watchlist = ? AND key = ?",
                (watchlist, key),
            )
            if int(hit[0][0]):
                store._rows(
                    "DELETE FROM watch_records WHERE watchlist = ? AND key = ?", (watchlist, key)
                )
                gone += 1
        return gone
