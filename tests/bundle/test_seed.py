"""The prebuilt embedded default: what a new user's first command installs instead of parsing
the bundled files, and whether it is still what loading those files gives."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from homes import sanctrace

from sanctrace.bundle import manifest, seed
from sanctrace.errors import StoreError
from sanctrace.resolve.store import load_parties
from sanctrace.store import open_store


def test_the_shipped_seed_fits_this_code() -> None:
    assert seed.stale_reason() is None, (
        "the prebuilt lists are stale (bundled files, store schema, INDEX_FORMAT, resolution "
        "rules or release changed): run scripts/build-seed and commit the result"
    )


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(str(db))
    try:
        return sorted(conn.execute(sql).fetchall())
    finally:
        conn.close()


@pytest.fixture(scope="module")
def seeded_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("seeded-home")
    with open_store(str(home / "sanctrace.db")) as store:
        assert seed.install(store) is not None
    return home


def test_seed_holds_what_loading_the_bundled_files_gives(
    seeded_home: Path, bundled_home: Path
) -> None:
    """Every entity of every list, byte for byte, and the same parties, as the slow path (the
    session's home, made by parsing the files and resolving) gives."""
    entities = (
        "SELECT v.dataset, v.version, v.published, v.sha256, e.id, e.schema, e.caption, e.data "
        "FROM entities e JOIN list_versions v ON v.id = e.version_id"
    )
    seeded = _rows(seeded_home / "sanctrace.db", entities)
    loaded = _rows(bundled_home / "sanctrace.db", entities)
    assert len(seeded) == len(loaded) > 29_000
    assert seeded == loaded
    with (
        open_store(str(seeded_home / "sanctrace.db")) as a,
        open_store(str(bundled_home / "sanctrace.db")) as b,
    ):
        parties_a = {frozenset(m) for m in load_parties(a).by_party.values()}
        parties_b = {frozenset(m) for m in load_parties(b).by_party.values()}
    assert parties_a == parties_b


def test_seed_is_audited_and_lists_every_bundled_snapshot(seeded_home: Path) -> None:
    with open_store(str(seeded_home / "sanctrace.db")) as store:
        versions = {v.dataset: v for v in store.active_versions()}
        assert set(versions) == {item.dataset for item in manifest()}
        for item in manifest():
            assert versions[item.dataset].published == item.published
    proc = sanctrace(seeded_home, "audit", "verify")
    assert "Audit trail OK: 6 records" in proc.stdout


def test_first_command_in_a_new_home_installs_the_seed_and_answers(tmp_path: Path) -> None:
    proc = sanctrace(tmp_path, "screen", "IEMZ Kupol", "--format", "json")
    assert "installed the bundled official snapshots" in proc.stderr
    assert "us_ofac_sdn 2024-05-03" in proc.stderr  # the snapshot dates, as every output says
    assert "us_ofac_sdn:46431" in proc.stdout
    index_dir = tmp_path / "sanctrace.db.index"
    shipped = seed.shipped()
    assert shipped is not None
    assert sorted(p.name for p in index_dir.glob("*.pickle")) == sorted(shipped.index_files)


def test_a_store_that_ever_held_a_list_gets_no_seed(tmp_path: Path) -> None:
    """A user who loaded their own list first keeps exactly that: the seed goes only into a
    store that never held one."""
    cons = Path(__file__).parents[2] / "../shared/data/ofac_consolidated/2025-10-22"
    files = sorted(cons.glob("*.xml")) + sorted(cons.glob("*.XML"))
    assert files, f"no OFAC consolidated snapshot in {cons}"
    sanctrace(tmp_path, "lists", "load", str(files[0]))
    with open_store(str(tmp_path / "sanctrace.db")) as store:
        assert seed.install(store) is None
        assert [v.dataset for v in store.versions()] == ["us_ofac_cons"]


def test_a_stale_seed_falls_back_to_the_bundled_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seed, "seed_key", lambda: "another-version")
    assert seed.stale_reason() is not None
    with open_store(str(tmp_path / "sanctrace.db")) as store:
        assert seed.install(store) is None
        assert store.versions() == []


def test_a_seed_that_cannot_be_unpacked_writes_nothing_and_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk or a damaged package file halfway through: one error naming the store,
    no list half-installed, no unpacked file left behind."""
    import lzma

    def broken(name: str, target: Path) -> None:
        target.with_name(target.name + ".tmp").write_bytes(b"half")
        raise lzma.LZMAError("Compressed data ended before the end-of-stream marker")

    monkeypatch.setattr(seed, "_unpack", broken)
    db = tmp_path / "sanctrace.db"
    with open_store(str(db)) as store:
        with pytest.raises(StoreError, match=f"cannot install the bundled lists into {db}"):
            seed.install(store)
        assert store.versions() == []
        assert store._rows("SELECT COUNT(*) FROM audit_log") == [(0,)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sanctrace.db"]
