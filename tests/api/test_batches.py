"""POST /batches: a file screened in the background like `sanctrace screen-file`, its progress,
its result, its audit records, and who may see it."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from typing import Any

from apikit import audit_delta
from fastapi.testclient import TestClient
from listed import LISTED, UNLISTED

from sanctrace.keys import ApiKey
from sanctrace.store import Store

MakeKey = Callable[[str], tuple[ApiKey, dict[str, str]]]


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
    result = client.get(f"/batches/{job}/result", headers=headers)
    assert result.status_code == 200
    rows = list(csv.DictReader(io.StringIO(result.text)))
    found = {row["input_name"]: row["id"] for row in rows if row["id"]}
    for name, entity in LISTED.items():
        assert any(row["input_name"] == name and row["id"] == entity for row in rows), found
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
