"""What a party result says of each of its listings, read from the store (the I/O edge of
grouping): list, programs, listed date, list version and the record's own names."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sanctrace.errors import NotFoundError
from sanctrace.match.types import IndexedEntity
from sanctrace.model.entity import Entity
from sanctrace.store import Store, VersionInfo


def listing_reader(store: Store, titles: dict[str, str] | None = None) -> Any:
    """A cached ``record id -> listing dict`` function over the store's active versions."""
    versions = {v.dataset: v for v in store.active_versions()}
    if titles is None:
        from sanctrace.bundle import manifest

        titles = {item.dataset: item.title for item in manifest()}

    @lru_cache(maxsize=4096)
    def listing(record_id: str) -> dict[str, Any] | None:
        try:
            entity, info = store.get_entity(record_id)
        except NotFoundError:
            return None
        return listing_of(entity, versions.get(entity.dataset, info), titles.get(entity.dataset))

    return listing


def listing_of(
    entity: Entity | IndexedEntity, version: VersionInfo, title: str | None = None
) -> dict[str, Any]:
    """One listing of a party: the record's list, programs, listed date, version and names,
    from the stored record or from what the screening index keeps of it (the same fields)."""
    if isinstance(entity, Entity):
        names = [n.value for n in entity.names]
    else:
        names = [value for value, _ in entity.names]
    return {
        "dataset": entity.dataset,
        "id": entity.id,
        "source_id": entity.source_id,
        "list": title or entity.dataset,
        "caption": entity.caption,
        "schema": entity.schema,
        "programs": list(entity.programs),
        "listed_on": entity.listed_on,
        "version": version.version,
        "published": version.published,
        "names": names[:20],
    }
