from __future__ import annotations

import pytest

from sanctrace.errors import NotFoundError, StoreError
from sanctrace.model.entity import Entity, Provenance, Relationship
from sanctrace.store import open_store


def _entities(n: int, dataset: str = "test_list", prefix: str = "NAME") -> list[Entity]:
    out = []
    for i in range(n):
        e = Entity(
            id=f"{dataset}:{i}",
            schema="Company",
            caption=f"{prefix} {i}",
            provenance=Provenance(dataset=dataset, source_id=str(i)),
        )
        e.add_name(f"{prefix} {i}", "primary")
        if i > 0:
            e.relationships.append(
                Relationship(type="linked_to", target_name=f"{prefix} 0", target_id=f"{dataset}:0")
            )
        out.append(e)
    return out


def test_versions_are_kept_and_newest_published_is_active(store_url: str) -> None:
    with open_store(store_url) as store:
        first = store.load(
            "test_list", _entities(3), version="v1", published="2024-01-01", sha256="a" * 64
        )
        second = store.load(
            "test_list", _entities(5), version="v2", published="2024-02-01", sha256="b" * 64
        )
        older = store.load(
            "test_list", _entities(2), version="v0", published="2023-12-01", sha256="c" * 64
        )
        assert first.activated and second.activated and not older.activated
        versions = store.versions("test_list")
        assert [(v.version, v.entities, v.active) for v in versions] == [
            ("v0", 2, False),
            ("v1", 3, False),
            ("v2", 5, True),
        ]
        entity, info = store.get_entity("test_list:4")
        assert info.version == "v2" and entity.caption == "NAME 4"
        assert entity.provenance.version == "v2"
        with pytest.raises(NotFoundError):
            store.get_entity("test_list:4", version="v1")


def test_same_content_twice_is_a_no_op(store_url: str) -> None:
    with open_store(store_url) as store:
        store.load("test_list", _entities(3), version="v1", published=None, sha256="a" * 64)
        again = store.load("test_list", _entities(3), version="v9", published=None, sha256="a" * 64)
        assert not again.created and again.version.version == "v1"
        assert len(store.versions()) == 1


def test_label_clash_with_other_content_is_refused(store_url: str) -> None:
    with open_store(store_url) as store:
        store.load("test_list", _entities(1), version="v1", published=None, sha256="a" * 64)
        with pytest.raises(StoreError, match="already has a version 'v1'"):
            store.load("test_list", _entities(2), version="v1", published=None, sha256="b" * 64)


def test_failed_load_leaves_previous_version_active_and_whole(store_url: str) -> None:
    with open_store(store_url) as store:
        store.load(
            "test_list", _entities(10), version="v1", published="2024-01-01", sha256="a" * 64
        )
        bad = _entities(10, prefix="NEW")
        bad.append(bad[3])  # duplicate primary key: the database rejects the batch midway
        with pytest.raises(StoreError):
            store.load("test_list", bad, version="v2", published="2024-02-01", sha256="b" * 64)
        versions = store.versions("test_list")
        assert [(v.version, v.active) for v in versions] == [("v1", True)]
        assert store.count_entities(versions[0].id) == 10
        assert store.get_entity("test_list:3")[0].caption == "NAME 3"


def test_links_are_found_in_both_directions(store_url: str) -> None:
    with open_store(store_url) as store:
        result = store.load(
            "test_list", _entities(4), version="v1", published=None, sha256="a" * 64
        )
        sources = store.linked_from("test_list:0", result.version.id)
        assert [s[0] for s in sources] == ["test_list:1", "test_list:2", "test_list:3"]
        assert store.linked_from("test_list:1", result.version.id) == []


def test_activate_rolls_back_to_an_older_version(store_url: str) -> None:
    with open_store(store_url) as store:
        store.load("test_list", _entities(1), version="v1", published="2024-01-01", sha256="a" * 64)
        store.load("test_list", _entities(2), version="v2", published="2024-02-01", sha256="b" * 64)
        store.activate("test_list", "v1")
        assert [v.version for v in store.active_versions()] == ["v1"]
        with pytest.raises(NotFoundError, match="versions: v1, v2"):
            store.activate("test_list", "v3")


def test_unknown_dataset_names_what_is_loaded(store_url: str) -> None:
    with open_store(store_url) as store:
        store.load("test_list", _entities(1), version="v1", published=None, sha256="a" * 64)
        with pytest.raises(NotFoundError, match="test_list"):
            store.get_entity("nope:1")
