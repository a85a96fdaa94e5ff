"""Store logic shared by the SQLite and PostgreSQL backends.

Every list version is kept. A load is one transaction: entities are written under a new
version row and the active flag moves only at commit, so a failed or killed load leaves the
previous version active and whole.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sanctrace.errors import NotFoundError, StoreError
from sanctrace.model.entity import Entity

SCHEMA_VERSION = 1

#: Entities written per executemany batch.
BATCH = 2000

#: The hash the first audit record chains to.
GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class VersionInfo:
    """One stored version of one dataset."""

    id: int
    dataset: str
    version: str
    published: str | None
    sha256: str
    entities: int
    loaded_at: str
    active: bool
    format: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "version": self.version,
            "published": self.published,
            "sha256": self.sha256,
            "entities": self.entities,
            "loaded_at": self.loaded_at,
            "active": self.active,
        }


@dataclass(frozen=True)
class LoadResult:
    version: VersionInfo
    created: bool  # False when the same content was already stored
    activated: bool
    previous_active: VersionInfo | None = None


#: Columns added to a table after it first shipped, as (table, column, SQL type): each store
#: adds the ones it lacks when it opens, so an older database keeps working.
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("alert_sinks", "policy", "TEXT"),
    # the audit chain's MACs and the ids of the keys that made them (sanctrace.keyring)
    ("audit_log", "mac", "TEXT"),
    ("audit_log", "key_id", "TEXT"),
    ("audit_head", "mac", "TEXT"),
    ("audit_head", "key_id", "TEXT"),
    # alert triage: who works an alert, since when, and the audit records of its assignments
    ("alerts", "assignee", "TEXT"),
    ("alerts", "assigned_at", "TEXT"),
    ("alerts", "audit_seqs", "TEXT"),
)


def would_activate(published: str | None, active: VersionInfo | None) -> bool:
    """A new version serves unless the active one was published later."""
    return active is None or (published or "") >= (active.published or "")


class Store(ABC):
    """A database of list versions and their entities."""

    #: Placeholder style of the driver: "?" (sqlite3) or "%s" (psycopg).
    placeholder = "?"
    #: Row lock for a read that precedes a write in the same transaction (PostgreSQL); SQLite
    #: takes the database write lock at BEGIN IMMEDIATE instead.
    for_update = ""
    location: str
    #: What :func:`open_store` takes to open this store again (credentials included).
    url: str
    #: Where derived data (the screening index) is kept for this store.
    index_dir: Path
    #: The key file of this store's keyring (see :mod:`sanctrace.keyring`).
    key_path: Path
    #: The keyring, once loaded (by :func:`sanctrace.keyring.for_store`).
    _keyring: Any = None

    @abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    @abstractmethod
    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    @abstractmethod
    def _transaction(self) -> Any:
        """Context manager: one atomic transaction, rolled back on any exception."""

    @abstractmethod
    def _insert_version(self, row: Sequence[Any]) -> int: ...

    @abstractmethod
    def reopen(self) -> Store:
        """A new, independent connection to the same database (for a pool of connections)."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _q(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._execute(self._q(sql), params)

    # -- versions ---------------------------------------------------------------------------

    _VERSION_COLUMNS = (
        "id, dataset, version, published, sha256, entities, loaded_at, active, format"
    )

    def _version(self, row: tuple[Any, ...]) -> VersionInfo:
        return VersionInfo(
            id=int(row[0]),
            dataset=row[1],
            version=row[2],
            published=row[3],
            sha256=row[4],
            entities=int(row[5]),
            loaded_at=row[6],
            active=bool(row[7]),
            format=row[8],
        )

    def versions(self, dataset: str | None = None) -> list[VersionInfo]:
        sql = f"SELECT {self._VERSION_COLUMNS} FROM list_versions"
        params: tuple[Any, ...] = ()
        if dataset:
            sql += " WHERE dataset = ?"
            params = (dataset,)
        sql += " ORDER BY dataset, COALESCE(published, ''), loaded_at, id"
        return [self._version(r) for r in self._rows(sql, params)]

    def active_versions(self) -> list[VersionInfo]:
        return [v for v in self.versions() if v.active]

    def datasets(self) -> list[str]:
        return sorted({v.dataset for v in self.versions()})

    def get_version(self, dataset: str, version: str | None = None) -> VersionInfo:
        """The named version of a dataset, or its active one."""
        candidates = self.versions(dataset)
        if not candidates:
            known = ", ".join(self.datasets()) or "none loaded"
            raise NotFoundError(f"dataset {dataset!r} is not loaded (datasets: {known})")
        for v in candidates:
            if (version is None and v.active) or (version is not None and v.version == version):
                return v
        if version is None:
            raise NotFoundError(f"dataset {dataset!r} has no active version")
        labels = ", ".join(v.version for v in candidates)
        raise NotFoundError(f"dataset {dataset!r} has no version {version!r} (versions: {labels})")

    def find_by_sha(self, dataset: str, sha256: str) -> VersionInfo | None:
        rows = self._rows(
            f"SELECT {self._VERSION_COLUMNS} FROM list_versions WHERE dataset = ? AND sha256 = ?",
            (dataset, sha256),
        )
        return self._version(rows[0]) if rows else None

    def activate(self, dataset: str, version: str) -> VersionInfo:
        target = self.get_version(dataset, version)
        with self._transaction():
            self._rows("UPDATE list_versions SET active = ? WHERE dataset = ?", (False, dataset))
            self._rows("UPDATE list_versions SET active = ? WHERE id = ?", (True, target.id))
        return self.get_version(dataset, version)

    # -- loading ----------------------------------------------------------------------------

    def load(
        self,
        dataset: str,
        entities: Sequence[Entity],
        *,
        version: str,
        published: str | None,
        sha256: str,
        format: str | None = None,
        activate: bool | None = None,
    ) -> LoadResult:
        """Store ``entities`` as a new version in one transaction.

        ``activate=None`` activates the new version unless the active one was published later.
        The same content (dataset + sha256) loaded twice is a no-op.
        """
        existing = self.find_by_sha(dataset, sha256)
        if existing is not None:
            return LoadResult(version=existing, created=False, activated=False)
        labels = {v.version for v in self.versions(dataset)}
        if version in labels:
            raise StoreError(
                f"dataset {dataset!r} already has a version {version!r} with other content; "
                "name this one with --version"
            )
        previous = next((v for v in self.versions(dataset) if v.active), None)
        if activate is None:
            activate = would_activate(published, previous)
        loaded_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._transaction():
            version_id = self._insert_version(
                (dataset, version, published, sha256, len(entities), loaded_at, False, format)
            )
            self._write_entities(version_id, version, entities)
            if activate:
                self._rows(
                    "UPDATE list_versions SET active = ? WHERE dataset = ?", (False, dataset)
                )
                self._rows("UPDATE list_versions SET active = ? WHERE id = ?", (True, version_id))
        info = self.get_version(dataset, version)
        return LoadResult(version=info, created=True, activated=activate, previous_active=previous)

    def _write_entities(self, version_id: int, version: str, entities: Sequence[Entity]) -> None:
        entity_sql = self._q(
            "INSERT INTO entities (version_id, id, schema, caption, data) VALUES (?, ?, ?, ?, ?)"
        )
        link_sql = self._q(
            "INSERT INTO links (version_id, source_id, target_id, type) VALUES (?, ?, ?, ?)"
        )
        rows: list[tuple[Any, ...]] = []
        links: list[tuple[Any, ...]] = []
        for entity in entities:
            entity.provenance.version = version
            data = json.dumps(entity.to_dict(), ensure_ascii=False, separators=(",", ":"))
            rows.append((version_id, entity.id, entity.schema, entity.caption, data))
            for rel in entity.relationships:
                if rel.target_id:
                    links.append((version_id, entity.id, rel.target_id, rel.type))
            if len(rows) >= BATCH:
                self._executemany(entity_sql, rows)
                rows = []
        if rows:
            self._executemany(entity_sql, rows)
        if links:
            self._executemany(link_sql, links)

    # -- reading ----------------------------------------------------------------------------

    def get_entity(self, entity_id: str, version: str | None = None) -> tuple[Entity, VersionInfo]:
        """An entity from its dataset's active version (or a named version)."""
        dataset = entity_id.split(":", 1)[0]
        if ":" not in entity_id:
            raise NotFoundError(
                f"entity id {entity_id!r} is not of the form DATASET:ID (e.g. us_ofac_sdn:46431)"
            )
        info = self.get_version(dataset, version)
        rows = self._rows(
            "SELECT data FROM entities WHERE version_id = ? AND id = ?", (info.id, entity_id)
        )
        if not rows:
            raise NotFoundError(f"no entity {entity_id!r} in {dataset} version {info.version}")
        return Entity.from_dict(json.loads(rows[0][0])), info

    def linked_from(self, entity_id: str, version_id: int) -> list[tuple[str, str, str]]:
        """(source id, caption, link type) of entities in the version that link to ``entity_id``."""
        rows = self._rows(
            "SELECT l.source_id, e.caption, l.type FROM links l JOIN entities e "
            "ON e.version_id = l.version_id AND e.id = l.source_id "
            "WHERE l.version_id = ? AND l.target_id = ? ORDER BY l.source_id",
            (version_id, entity_id),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def iter_entities(self, dataset: str, version: str | None = None) -> Iterator[Entity]:
        info = self.get_version(dataset, version)
        rows = self._rows("SELECT data FROM entities WHERE version_id = ? ORDER BY id", (info.id,))
        for row in rows:
            yield Entity.from_dict(json.loads(row[0]))

    def count_entities(self, version_id: int) -> int:
        rows = self._rows("SELECT COUNT(*) FROM entities WHERE version_id = ?", (version_id,))
        return int(rows[0][0])
