"""The embedded default, prebuilt: the bundled lists already parsed, indexed and resolved.

Parsing six official files, building the screening index and resolving parties takes about
20 s; a new user's first command should answer in one or two. So ``scripts/build-seed`` does
that work once and ships the result in the package, keyed by everything its content depends
on (the bundled files, the store schema, the index format, the resolution rules, the release).
A key this code does not reproduce means the seed is stale: the files are loaded instead.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanctrace.errors import StoreError
from sanctrace.store import Store, VersionInfo

if TYPE_CHECKING:
    from sanctrace.store.sqlite import SQLiteStore

SEED_DIR = "data/seed"
SEED_DB = "store.sqlite.xz"
SEED_INFO = "seed.json"
#: What the seed carries of a store: the lists, their entities and links, and the parties.
#: Keys, audit records, watchlists and alerts belong to each home and are never shipped.
SEED_TABLES = (
    "list_versions",
    "entities",
    "links",
    "parties",
    "party_members",
    "judgements",
    "party_state",
)


@dataclass(frozen=True)
class SeedInfo:
    key: str
    built_at: str
    lists: dict[str, str]
    #: The files kept beside the store (the screening index, the scanner's automata), each
    #: shipped as NAME.xz.
    index_files: list[str]


def seed_key() -> str:
    """What the seed's content depends on, as this code sees it."""
    from sanctrace import __version__
    from sanctrace.match.index import INDEX_FORMAT
    from sanctrace.resolve import rules
    from sanctrace.store.base import ADDED_COLUMNS
    from sanctrace.store.sqlite import _DDL

    manifest = resources.files("sanctrace.bundle").joinpath("data/manifest.json").read_bytes()
    constants = sorted(
        (name, repr(value))
        for name, value in vars(rules).items()
        if name.isupper() and isinstance(value, int | float | str | tuple | frozenset)
    )
    parts = [
        hashlib.sha256(manifest).hexdigest(),
        hashlib.sha256(_DDL.encode()).hexdigest(),
        repr(ADDED_COLUMNS),
        f"index {INDEX_FORMAT}",
        f"sanctrace {__version__}",
        repr(constants),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def _seed_file(name: str) -> Any:
    return resources.files("sanctrace.bundle").joinpath(f"{SEED_DIR}/{name}")


def shipped() -> SeedInfo | None:
    """The seed in this package, or None when there is none."""
    info = _seed_file(SEED_INFO)
    if not info.is_file():
        return None
    data = json.loads(info.read_text("utf-8"))
    return SeedInfo(**data)


def stale_reason() -> str | None:
    """Why the shipped seed cannot be used by this code, or None when it can."""
    info = shipped()
    if info is None:
        return "this package has no prebuilt lists"
    if info.key != seed_key():
        return "the prebuilt lists were made by another version of sanctrace"
    return None


def install(store: Store) -> list[VersionInfo] | None:
    """Copy the prebuilt lists, parties and index into an empty SQLite store, in one
    transaction, and audit each list load as ``load_bundle`` would; None when the seed does
    not fit (another backend, a store that ever held a list, a stale seed)."""
    from sanctrace.store.sqlite import SQLiteStore

    if not isinstance(store, SQLiteStore) or stale_reason() is not None:
        return None
    if store._rows("SELECT seq FROM sqlite_sequence WHERE name = 'list_versions'"):
        return None  # ids were handed out before: the seed's would not line up
    try:
        if not _copy_tables(store):
            return None
    except (OSError, sqlite3.Error, lzma.LZMAError) as exc:
        raise StoreError(
            f"cannot install the bundled lists into {store.path}: {exc} (nothing was written)"
        ) from None
    versions = store.active_versions()
    _install_index_files(store)
    _audit_loads(store, versions)
    return versions


def _copy_tables(store: SQLiteStore) -> bool:
    """The seed's tables into ``store`` in one transaction; False (nothing written) when another
    process loaded lists first."""
    conn = store.conn
    with tempfile.TemporaryDirectory(prefix="sanctrace-seed-", dir=store.path.parent) as tmp:
        seed_db = Path(tmp) / "seed.sqlite"
        _unpack(SEED_DB, seed_db)
        conn.execute("ATTACH DATABASE ? AS seed", (str(seed_db),))
        try:
            with store._transaction():
                if store._rows("SELECT 1 FROM list_versions LIMIT 1"):
                    return False
                for table in SEED_TABLES:
                    columns = ", ".join(
                        _columns(conn, "main", table) & _columns(conn, "seed", table)
                    )
                    conn.execute(
                        f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM seed.{table}"
                    )
        finally:
            conn.execute("DETACH DATABASE seed")
    return True


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA {schema}.table_info({table})")}


def _unpack(name: str, target: Path) -> None:
    """Written whole or not at all."""
    tmp = target.with_name(target.name + ".tmp")
    try:
        with (
            _seed_file(name).open("rb") as packed,
            lzma.open(packed) as src,
            tmp.open("wb") as dst,
        ):
            shutil.copyfileobj(src, dst, 1 << 20)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _install_index_files(store: Store) -> None:
    """The index and automata, under the names this code gives them (the key says they fit;
    a missing one is only rebuilt on first use)."""
    info = shipped()
    assert info is not None
    try:
        store.index_dir.mkdir(parents=True, exist_ok=True)
        for name in info.index_files:
            if Path(name).name != name:
                continue  # only plain file names, inside the index folder
            _unpack(name + ".xz", store.index_dir / name)
    except (OSError, lzma.LZMAError):
        return  # the lists are in: what is missing is built on first use


def _audit_loads(store: Store, versions: list[VersionInfo]) -> None:
    from sanctrace.bundle import manifest
    from sanctrace.ingest import audit_list_event

    files = {item.dataset: [f["name"] for f in item.files] for item in manifest()}
    for version in versions:
        audit_list_event(
            store,
            "list-load",
            version,
            activated=True,
            files=files.get(version.dataset, []),
            prebuilt=True,
        )


def build(out_dir: Path, workers: int = 2) -> SeedInfo:
    """Load every bundled list into a new store, index and resolve it, and write the seed
    files (what ``scripts/build-seed`` runs before a release or after a format change)."""
    from datetime import UTC, datetime

    from sanctrace.bundle import load_bundle
    from sanctrace.documents.anchors import scan_cache
    from sanctrace.documents.scan import Scanner
    from sanctrace.match import Screener, build_index
    from sanctrace.resolve.store import ensure_parties
    from sanctrace.store.sqlite import SQLiteStore

    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.xz"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="sanctrace-seed-build-") as tmp:
        store = SQLiteStore(Path(tmp) / "build.db")
        try:
            load_bundle(store)
            build_index(store)
            screener = Screener.open(store)
            ensure_parties(store, screener, workers=workers)
            # the automata of the commonest kind of document (cased Latin text), built once
            Scanner(screener.index, cache=scan_cache(store)).scan_text("Paid to IEMZ Kupol.")
            versions = store.active_versions()
            copy = Path(tmp) / "seed.sqlite"
            store.conn.execute("VACUUM INTO ?", (str(copy),))
        finally:
            store.close()
        _keep_only_seed_tables(copy)
        _pack(copy, out_dir / SEED_DB)
        index_files = sorted(p.name for p in store.index_dir.glob("*.pickle"))
        for name in index_files:
            _pack(store.index_dir / name, out_dir / (name + ".xz"))
    info = SeedInfo(
        key=seed_key(),
        built_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        lists={v.dataset: v.version for v in versions},
        index_files=index_files,
    )
    text = json.dumps(info.__dict__, indent=2, sort_keys=True) + "\n"
    (out_dir / SEED_INFO).write_text(text, "utf-8")
    return info


def _keep_only_seed_tables(path: Path) -> None:
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall():
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        ).fetchall():
            if name not in SEED_TABLES and not name.startswith("sqlite_"):
                conn.execute(f"DROP TABLE {name}")
        conn.execute("VACUUM")
    finally:
        conn.close()


def _pack(source: Path, target: Path) -> None:
    tmp = target.with_name(target.name + ".tmp")
    with source.open("rb") as src, lzma.open(tmp, "wb", preset=6) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(tmp, target)
