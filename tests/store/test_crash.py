"""kill -9 in the middle of a load: the previous version stays active and complete."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sanctrace.model.entity import Entity, Provenance
from sanctrace.store import open_store

_WRITER = textwrap.dedent(
    """
    import sys
    from sanctrace.model.entity import Entity, Provenance
    from sanctrace.store import open_store

    entities = []
    for i in range(400_000):
        e = Entity(id=f"big:{i}", schema="Person", caption=f"PERSON {i}",
                   provenance=Provenance(dataset="big", source_id=str(i)))
        e.add_name(f"PERSON {i}", "primary")
        e.remarks = "x" * 200
        entities.append(e)
    print("ready", flush=True)
    with open_store(sys.argv[1]) as store:
        store.load("big", entities, version="v2", published="2024-02-01", sha256="b" * 64)
    print("committed", flush=True)
    """
)


def _wal_size(db: Path) -> int:
    wal = db.with_name(db.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_kill_during_load_keeps_previous_version(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    with open_store(str(db)) as store:
        first = []
        for i in range(1000):
            e = Entity(
                id=f"big:{i}",
                schema="Person",
                caption=f"OLD {i}",
                provenance=Provenance(dataset="big", source_id=str(i)),
            )
            first.append(e)
        store.load("big", first, version="v1", published="2024-01-01", sha256="a" * 64)
    baseline = _wal_size(db)

    with subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(db)], stdout=subprocess.PIPE, text=True
    ) as proc:  # closes its stdout when done
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 60
        while _wal_size(db) < baseline + 8 * 1024 * 1024:
            assert proc.poll() is None, "the load finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    with open_store(str(db)) as store:
        versions = store.versions("big")
        assert [(v.version, v.active, v.entities) for v in versions] == [("v1", True, 1000)]
        assert store.count_entities(versions[0].id) == 1000
        assert store.get_entity("big:999")[0].caption == "OLD 999"
        (row,) = store._rows("SELECT COUNT(*) FROM entities")
        assert row[0] == 1000, "no entity of the killed load may remain"
