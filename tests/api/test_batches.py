"""POST /batches: a file screened in the background like `sanctrace screen-file`, its progress,
its result, its audit records, and who may see it."""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from apikit import audit_delta
from bombs import parquet_bomb, xlsx_bomb
from fastapi.testclient import TestClient
from listed import LISTED, UNLISTED

from sanctrace import audit
from sanctrace.api import ApiSettings, batches
from sanctrace.batch.chunks import ChunkResult
from sanctrace.batch.run import Lists, run_batch
from sanctrace.keys import ApiKey
from sanctrace.match import Screener
from sanctrace.match.screener import index_key, index_path
from sanctrace.monitor import alerts
from sanctrace.resolve.store import load_parties
from sanctrace.store import Store

MakeKey = Callable[[str], tuple[ApiKey, dict[str, str]]]
ClientFactory = Callable[..., TestClient]


def _wait(client: TestClient, job: str, headers: dict[str, str]) -> dict[str, Any]:
    for _ in range(300):
        status = client.get(f"/batches/{job}", headers=headers).json()
        if status["status"] in ("done", "failed"):
            return status  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"batch {job} did not finish: {status}")


def test_a_file_is_screened_and_audited(
    client: TestClient, make_key: MakeKey, store: Store
) -> None:
    names = [*LISTED, *UNLISTED, ""]
    body = "id,name\n" + "".join(f"R{i},{name}\n" for i, name in enumerate(names))
    headers = make_key("screener")[1]
    with audit_delta(store) as added:
        created = client.post(
            "/batches?filename=customers.csv&threshold=0.8",
            content=body.encode(),
            headers=headers,
        )
        assert created.status_code == 202, created.text
        job = created.json()["id"]
        status = _wait(client, job, headers)
    assert status["status"] == "done", status
    assert status["rows_read"] == len(names)
    assert status["matched"] == len(LISTED)
    assert added == [1]  # one chunk, one record
    chunk = audit.get(store, audit.count(store))
    assert chunk is not None and chunk.kind == "batch"
    kept = chunk.record["results"]  # [row, party id, score, the party's record ids]
    assert kept and all(party.startswith("P-") and records for _, party, _, records in kept)
    result = client.get(f"/batches/{job}/result", headers=headers)
    assert result.status_code == 200
    rows = list(csv.DictReader(io.StringIO(result.text)))
    found = {row["input_name"]: row["record_ids"] for row in rows if row["id"]}
    for name, entity in LISTED.items():  # one row per party, with all of its records
        assert any(
            row["input_name"] == name and entity in row["record_ids"].split("; ") for row in rows
        ), found
    assert all(row["party_id"].startswith("P-") for row in rows if row["id"])
    assert {row["input_key"] for row in rows} == {f"R{i}" for i in range(len(names))}
    assert not any(found.get(name) for name in UNLISTED)
    # Another screener key does not see the job; an admin does.
    other = make_key("screener")[1]
    assert client.get(f"/batches/{job}", headers=other).status_code == 404
    assert client.get(f"/batches/{job}", headers=make_key("admin")[1]).status_code == 200


def test_bad_uploads_are_refused(client: TestClient, auth: dict[str, str]) -> None:
    wrong = client.post("/batches?filename=customers.doc", content=b"x", headers=auth)
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["query", "filename"]
    assert client.post("/batches?filename=a.csv", content=b"name\nX\n").status_code == 401
    assert client.get("/batches/0123456789abcdef", headers=auth).status_code == 404
    missing = client.post("/batches?filename=a.csv", content=b"id,who\n1,X\n", headers=auth)
    job = missing.json()["id"]
    status = _wait(client, job, auth)
    assert status["status"] == "failed" and "who" in status["error"]  # the columns it has
    assert client.get(f"/batches/{job}/result", headers=auth).status_code == 409
    empty = client.post("/batches?filename=a.csv", content=b"", headers=auth).json()["id"]
    status = _wait(client, empty, auth)
    assert status["status"] == "failed" and "empty" in status["error"]


# -- hostile files, caps, crashes, retention (issue 14) ----------------------------------------


def _bombs(folder: Path) -> tuple[bytes, bytes]:
    return (
        parquet_bomb(folder / "bomb.parquet").read_bytes(),
        xlsx_bomb(folder / "bomb.xlsx", 6_000).read_bytes(),
    )


def test_bombs_fail_with_a_clear_message(
    make_client: ClientFactory, auth: dict[str, str], tmp_path: Path
) -> None:
    client = make_client(batch_memory=64_000_000)
    parquet, xlsx = _bombs(tmp_path)
    job = client.post("/batches?filename=b.parquet", content=parquet, headers=auth).json()["id"]
    status = _wait(client, job, auth)
    assert status["status"] == "failed"
    assert status["error"].startswith("b.parquet record 1, column 'name': a cell of 1,048,576")
    assert "sanctrace serve --batch-max-cell-bytes raises it" in status["error"]
    job = client.post("/batches?filename=b.xlsx", content=xlsx, headers=auth).json()["id"]
    status = _wait(client, job, auth)
    assert status["status"] == "failed" and "--batch-memory raises it" in status["error"]
    refused = client.get(f"/batches/{job}/result", headers=auth)
    assert refused.status_code == 409 and "--batch-memory" in refused.json()["detail"]


def test_jobs_over_the_caps_are_queued_with_their_place(
    make_client: ClientFactory, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    real = batches._run

    def held(rt: Any, job: Any) -> None:
        gate.wait(60)
        real(rt, job)

    monkeypatch.setattr(batches, "_run", held)
    client = make_client(batch_jobs=2, batch_jobs_per_key=1, batch_queue_per_key=2)
    first, second = make_key("screener")[1], make_key("screener")[1]
    body = b"name\nIEMZ Kupol\n"

    def post(headers: dict[str, str]) -> Any:
        return client.post("/batches?filename=a.csv", content=body, headers=headers)

    a1, a2, a3 = (post(first).json() for _ in range(3))
    b1 = post(second).json()
    assert a1["queue_place"] is None and b1["queue_place"] is None  # both running (2 per server)
    assert (a2["status"], a2["queue_place"]) == ("queued", 1)
    assert (a3["status"], a3["queue_place"]) == ("queued", 2)
    assert client.get(f"/batches/{a3['id']}", headers=first).json()["queue_place"] == 2
    over = post(first)
    assert over.status_code == 429 and "--batch-queue-per-key 2" in over.json()["detail"]
    gate.set()
    for job in (a1, a2, a3):
        assert _wait(client, job["id"], first)["status"] == "done"
    assert _wait(client, b1["id"], second)["status"] == "done"


def test_a_job_left_running_by_a_killed_server_resumes(
    make_client: ClientFactory, auth: dict[str, str], store: Store, screener: Screener
) -> None:
    names = [*LISTED, *UNLISTED] * 300
    body = ("id,name\n" + "".join(f"R{i},{n}\n" for i, n in enumerate(names))).encode()
    client = make_client()
    whole = client.post("/batches?filename=c.csv", content=body, headers=auth).json()["id"]
    assert _wait(client, whole, auth)["status"] == "done"
    expected = client.get(f"/batches/{whole}/result", headers=auth).text
    # The folder a server killed after its first chunk leaves: status "running", one chunk saved.
    jobs = store.index_dir.parent / "batches"
    folder = jobs / "0123456789abcdef"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    shutil.copy(jobs / whole / "input.csv", folder / "input.csv")
    status = batches.read_status(jobs / whole)
    assert status is not None
    status = dataclasses.replace(status, id=folder.name, status="running", rows_read=1000)
    status.finished_at = None
    batches.save_status(folder, status)
    options = batches.job_options(folder, status, batches.limits_of(ApiSettings()), False)
    active = store.active_versions()
    lists = Lists(
        screener, active, index_key(active), index_path(store, active), load_parties(store)
    )

    def killed(result: ChunkResult) -> None:
        if result.number == 1:
            raise KeyboardInterrupt  # after chunk 0 was saved, before chunk 1

    with pytest.raises(KeyboardInterrupt):
        run_batch(options, lambda: lists, notify=lambda _: None, record=killed)
    partial = folder / "result.csv.partial"
    assert sorted(p.name for p in partial.glob("chunk-*")) == ["chunk-00000000.jsonl"]
    # A new server resumes it at start-up, and its result is the uninterrupted run's.
    restarted = make_client()
    final = _wait(restarted, folder.name, auth)
    assert final["status"] == "done", final
    assert final["rows_read"] == len(names)
    assert restarted.get(f"/batches/{folder.name}/result", headers=auth).text == expected
    assert not partial.exists()


def test_a_job_that_cannot_resume_is_failed_with_the_reason(
    make_client: ClientFactory, auth: dict[str, str], store: Store, make_key: MakeKey
) -> None:
    folder = store.index_dir.parent / "batches" / "00000000deadbeef"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    owner = make_key("screener")[0].id
    batches.save_status(
        folder, batches.JobStatus(folder.name, owner, "running", "x.csv", "2026-01-01")
    )
    make_client()
    status = batches.read_status(folder)
    assert status is not None and status.status == "failed"
    assert status.error is not None and "uploaded file is gone" in status.error


def test_expired_jobs_are_deleted_and_the_deletion_audited(
    client: TestClient, auth: dict[str, str], store: Store
) -> None:
    job = client.post("/batches?filename=a.csv", content=b"name\nKupol\n", headers=auth).json()
    assert _wait(client, job["id"], auth)["status"] == "done"
    jobs = batches.jobs_of(client.app)  # type: ignore[arg-type]
    assert job["id"] not in jobs.sweep()  # within the 7 days
    with audit_delta(store) as added:
        deleted = jobs.sweep(now=time.time() + 8 * 86400)
    assert job["id"] in deleted and added[0] >= 1
    assert not (jobs.folder / job["id"]).exists()
    assert client.get(f"/batches/{job['id']}", headers=auth).status_code == 404
    last = audit.get(store, audit.count(store))
    found = [last] if last and last.kind == "batch-deleted" else []
    assert found and found[0].record["request"]["batch"] in deleted
    assert found[0].record["request"]["reason"] == "retention of 7 days"


def test_over_long_names_do_not_break_the_batch(
    client: TestClient, auth: dict[str, str], store: Store
) -> None:
    long = client.post(f"/batches?filename={'x' * 300}.csv", content=b"name\nA\n", headers=auth)
    assert long.status_code == 422 and long.json()["detail"][0]["loc"] == ["query", "filename"]
    body = "id,name\n" + "".join(f"K{i},{'Kupol ' * 100_000}\n" for i in range(30))
    created = client.post("/batches?filename=long.csv", content=body.encode(), headers=auth)
    status = _wait(client, created.json()["id"], auth)
    assert status["status"] == "done" and status["errors"] == 30, status
    record = audit.get(store, audit.count(store))
    assert record is not None and record.kind == "batch"
    assert all(len(row[2]) < 1_100 for row in record.record["request"]["rows"])


def test_batch_hits_join_the_alert_queue(
    client: TestClient, make_key: MakeKey, store: Store
) -> None:
    """Each matched row of a batch is an alert of kind ``batch`` (watchlist ``batch:ID``), in
    the same queue as the monitoring alerts, decided the same way."""
    names = [*LISTED, *UNLISTED]
    body = "id,name\n" + "".join(f"R{i},{name}\n" for i, name in enumerate(names))
    headers = make_key("screener")[1]
    created = client.post(
        "/batches?filename=hits.csv&threshold=0.8", content=body.encode(), headers=headers
    )
    job = created.json()["id"]
    status = _wait(client, job, headers)
    analyst = make_key("analyst")[1]
    queue = client.get(
        "/alerts", params={"kind": "batch", "watchlist": f"batch:{job}"}, headers=analyst
    )
    assert queue.status_code == 200, queue.text
    hits = queue.json()["alerts"]
    # one alert per row and party matched (a row may match two parties)
    rows = {h["details"]["customer"]["row"] for h in hits}
    assert len(rows) == status["matched"] == len(LISTED) and len(hits) >= len(rows)
    assert len({(h["key"], h["entity_id"]) for h in hits}) == len(hits)
    by_name = {h["details"]["customer"]["name"]: h for h in hits}
    for name in LISTED:
        hit = by_name[name]
        assert hit["details"]["customer"]["file"] == "hits.csv"
        assert hit["key"].startswith("R") and hit["status"] == "open"
        assert hit["details"]["party_id"].startswith("P-")
    assert not any(name in by_name for name in UNLISTED)
    first = hits[0]
    said = alerts.why(alerts.get(store, first["id"]))
    assert said.startswith(f"row {first['details']['customer']['row']} of hits.csv: matched ")
    done = client.post(
        f"/alerts/{first['id']}/resolve",
        json={"decision": "false-positive", "note": "a namesake"},
        headers=analyst,
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "resolved"
