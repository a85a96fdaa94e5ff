"""Ownership edges kept in the store (the I/O edge of the ownership package).

The ownership capability keeps its own two tables, made on first use: ``ownership_loads`` (one
row per file loaded: its name, hash, format, count and time) and ``ownership_edges``. Shares are
kept as exact fractions ("1/3") so that a stake reads back as it was written. A load is one
transaction: a file with one bad row loads nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path

from sanctrace.errors import NotFoundError
from sanctrace.ownership.edges import Edge
from sanctrace.ownership.shares import Share
from sanctrace.store import Store

_DDL = (
    """CREATE TABLE IF NOT EXISTS ownership_loads (
    load_id TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    edges INTEGER NOT NULL,
    loaded_at TEXT NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS ownership_edges (
    load_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    owner TEXT NOT NULL,
    asset TEXT NOT NULL,
    owner_name TEXT NOT NULL,
    asset_name TEXT NOT NULL,
    share_text TEXT,
    share_low TEXT,
    share_high TEXT,
    low_open INTEGER,
    high_open INTEGER,
    share_type TEXT NOT NULL,
    control TEXT,
    start_date TEXT,
    end_date TEXT,
    source TEXT NOT NULL,
    provenance TEXT NOT NULL,
    PRIMARY KEY (load_id, seq)
)""",
    "CREATE INDEX IF NOT EXISTS ownership_edges_asset ON ownership_edges (asset)",
    "CREATE INDEX IF NOT EXISTS ownership_edges_owner ON ownership_edges (owner)",
)

_COLUMNS = (
    "owner, asset, owner_name, asset_name, share_text, share_low, share_high, low_open, "
    "high_open, share_type, control, start_date, end_date, source, provenance"
)


@dataclass(frozen=True)
class LoadInfo:
    load_id: str
    file: str
    sha256: str
    format: str
    edges: int
    loaded_at: str
    already: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "load_id": self.load_id,
            "file": self.file,
            "sha256": self.sha256,
            "format": self.format,
            "edges": self.edges,
            "loaded_at": self.loaded_at,
            "already_loaded": self.already,
        }


def ensure_tables(store: Store) -> None:
    for statement in _DDL:
        store._rows(statement)


def _row(load_id: str, seq: int, e: Edge) -> tuple[object, ...]:
    s = e.share
    return (
        load_id,
        seq,
        e.owner,
        e.asset,
        e.owner_name,
        e.asset_name,
        None if s is None else s.text,
        None if s is None else str(s.low),
        None if s is None else str(s.high),
        None if s is None else int(s.low_open),
        None if s is None else int(s.high_open),
        e.share_type,
        e.control,
        e.start.isoformat() if e.start else None,
        e.end.isoformat() if e.end else None,
        e.source,
        e.provenance,
    )


def _edge(row: Sequence[object]) -> Edge:
    (owner, asset, owner_name, asset_name, text, low, high, low_open, high_open) = row[:9]
    (share_type, control, start, end, source, provenance) = row[9:]
    share = None
    if low is not None and high is not None:
        share = Share(
            Fraction(str(low)),
            Fraction(str(high)),
            bool(low_open),
            bool(high_open),
            str(text or ""),
        )
    return Edge(
        owner=str(owner),
        asset=str(asset),
        share=share,
        control=None if control is None else str(control),
        share_type=str(share_type),
        start=date.fromisoformat(str(start)) if start else None,
        end=date.fromisoformat(str(end)) if end else None,
        source=str(source),
        owner_name=str(owner_name),
        asset_name=str(asset_name),
        provenance=str(provenance),
    )


def save_edges(store: Store, path: Path, format: str, edges: Sequence[Edge]) -> LoadInfo:
    """Keep one file's edges, all or none; the same file loaded again is kept once."""
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return _save(store, path.name, sha, format, edges)


def save_list_edges(store: Store, edges: Sequence[Edge]) -> LoadInfo:
    """Keep the links the loaded lists carry, in place of those of earlier list versions."""
    text = "\n".join(repr(e.to_dict()) for e in edges)
    sha = hashlib.sha256(text.encode()).hexdigest()
    return _save(store, "(loaded lists)", sha, "lists", edges, replace_format=True)


def _save(
    store: Store,
    name: str,
    sha: str,
    format: str,
    edges: Sequence[Edge],
    *,
    replace_format: bool = False,
) -> LoadInfo:
    ensure_tables(store)
    earlier = loads(store)
    for info in earlier:
        if info.sha256 == sha:
            return LoadInfo(**{**info.__dict__, "already": True})
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    load_id = f"own-{sha[:12]}"
    with store._transaction():
        for info in earlier:
            if replace_format and info.format == format:
                store._rows("DELETE FROM ownership_edges WHERE load_id = ?", (info.load_id,))
                store._rows("DELETE FROM ownership_loads WHERE load_id = ?", (info.load_id,))
        store._rows(
            "INSERT INTO ownership_loads (load_id, file, sha256, format, edges, loaded_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (load_id, name, sha, format, len(edges), now),
        )
        marks = ", ".join("?" * (len(_COLUMNS.split(",")) + 2))
        store._executemany(
            store._q(f"INSERT INTO ownership_edges (load_id, seq, {_COLUMNS}) VALUES ({marks})"),
            [_row(load_id, i, e) for i, e in enumerate(edges)],
        )
    return LoadInfo(load_id, name, sha, format, len(edges), now)


def loads(store: Store) -> list[LoadInfo]:
    ensure_tables(store)
    rows = store._rows(
        "SELECT load_id, file, sha256, format, edges, loaded_at FROM ownership_loads "
        "ORDER BY loaded_at, load_id"
    )
    return [LoadInfo(str(a), str(b), str(c), str(d), int(n), str(at)) for a, b, c, d, n, at in rows]


def unload(store: Store, load_id: str) -> LoadInfo:
    found = [i for i in loads(store) if i.load_id == load_id]
    if not found:
        raise NotFoundError(f"no ownership load {load_id!r} (see `sanctrace ownership loads`)")
    with store._transaction():
        store._rows("DELETE FROM ownership_edges WHERE load_id = ?", (load_id,))
        store._rows("DELETE FROM ownership_loads WHERE load_id = ?", (load_id,))
    return found[0]


def all_edges(store: Store) -> list[Edge]:
    ensure_tables(store)
    return [
        _edge(r)
        for r in store._rows(f"SELECT {_COLUMNS} FROM ownership_edges ORDER BY load_id, seq")
    ]


def _chunks(keys: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    return [keys[i : i + size] for i in range(0, len(keys), size)]


def _edges_where(store: Store, column: str, keys: Sequence[str]) -> list[Edge]:
    ensure_tables(store)
    out: list[Edge] = []
    for part in _chunks(list(dict.fromkeys(keys))):
        marks = ",".join("?" * len(part))
        rows = store._rows(
            f"SELECT {_COLUMNS} FROM ownership_edges WHERE {column} IN ({marks}) "
            "ORDER BY load_id, seq",
            tuple(part),
        )
        out.extend(_edge(r) for r in rows)
    return out


def edges_by_asset(store: Store, keys: Sequence[str]) -> list[Edge]:
    """The edges in which one of ``keys`` (as written in the sources) is held."""
    return _edges_where(store, "asset", keys)


def edges_by_owner(store: Store, keys: Sequence[str]) -> list[Edge]:
    """The edges in which one of ``keys`` holds (what a party owns, for ``entity``)."""
    return _edges_where(store, "owner", keys)


def joint_edges(store: Store, keys: Sequence[str]) -> list[Edge]:
    """Joint arrangements that one of ``keys`` is party to (recorded either way round)."""
    return [e for e in [*edges_by_owner(store, keys), *edges_by_asset(store, keys)] if e.is_joint]


def node_names(store: Store, keys: Sequence[str]) -> list[str]:
    """The names the sources give ``keys`` (an unlisted company's name as written)."""
    ensure_tables(store)
    names: list[str] = []
    for part in _chunks(list(dict.fromkeys(keys))):
        marks = ",".join("?" * len(part))
        rows = store._rows(
            f"SELECT owner_name FROM ownership_edges WHERE owner IN ({marks}) AND owner_name != '' "
            f"UNION SELECT asset_name FROM ownership_edges WHERE asset IN ({marks}) "
            "AND asset_name != ''",
            (*part, *part),
        )
        names.extend(str(r[0]) for r in rows)
    return sorted(set(names))


def has_edges(store: Store) -> bool:
    """Whether any ownership data is loaded, without creating the tables (a screening asks)."""
    if store.placeholder == "?":
        exists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ownership_edges'"
    else:
        exists = "SELECT 1 WHERE to_regclass('ownership_edges') IS NOT NULL"
    if not store._rows(exists):
        return False
    return bool(store._rows("SELECT 1 FROM ownership_edges LIMIT 1"))


def name_nodes(store: Store) -> frozenset[str]:
    """Every unlisted company's node (``name:…``) in the ownership data: a file of shipments
    asks for thousands of names, and most are not there."""
    if not has_edges(store):
        return frozenset()
    rows = store._rows(
        "SELECT owner FROM ownership_edges WHERE owner LIKE 'name:%' "
        "UNION SELECT asset FROM ownership_edges WHERE asset LIKE 'name:%'"
    )
    return frozenset(str(r[0]) for r in rows)
