"""Costly /match requests are answered in a process of their own, at a lower priority, with
the answer a request thread gives (issue 14: costly requests must not starve cheap ones)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from apikit import audit_delta
from fastapi.testclient import TestClient

from sanctrace.keys import ApiKey
from sanctrace.store import Store

MakeKey = Callable[[str], tuple[ApiKey, dict[str, str]]]
ClientFactory = Callable[..., TestClient]

#: Real listed names and near misses: 2 queries x 10 names at a low threshold (80 units).
NAMES = [
    "IEMZ Kupol", "Almaz-Antey", "Rosoboronexport", "Kalashnikov Concern", "Bank Melli Iran",
    "Tactical Missiles Corporation", "Kim Jong Un", "Sovcomflot", "Wagner Group", "Rostec",
    "Izhevsk Electromechanical Plant", "Sberbank", "VTB Bank", "Hezbollah", "Alrosa",
    "Ko Ko Oo", "Technodinamika", "Margaret Thistlewood", "Oakridge Dairy", "Huawei",
]  # fmt: skip


def costly_body() -> dict[str, Any]:
    return {
        "queries": {
            f"q{i}": {"schema": "LegalEntity", "properties": {"name": NAMES[i * 10 : i * 10 + 10]}}
            for i in range(2)
        }
    }


def _children() -> list[tuple[int, int]]:
    """(pid, nice) of this process's live children."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            found.append((int(entry), int(fields[16])))
    return found


def test_a_costly_request_is_answered_by_a_lower_priority_process(
    make_client: ClientFactory, make_key: MakeKey, store: Store
) -> None:
    here = make_client(costly_processes=0)
    far = make_client(costly_processes=1, costly_nice=10)
    _, key = make_key("screener")
    path = "/match/default?threshold=0.05&limit=20"
    before = {pid for pid, _ in _children()}
    with audit_delta(store) as added:
        near_answer = here.post(path, json=costly_body(), headers=key)
        far_answer = far.post(path, json=costly_body(), headers=key)
    assert near_answer.status_code == far_answer.status_code == 200
    assert far_answer.content == near_answer.content
    results = far_answer.json()["responses"]["q0"]["results"]
    assert len(results) == 20 and results[0]["match"] and results[0]["score"] >= 0.9
    assert added == [2]  # the parent audits the far answer like any other
    spawned = [(pid, nice) for pid, nice in _children() if pid not in before]
    assert any(nice == 10 for _, nice in spawned)  # (the other: multiprocessing's tracker)


def test_cheap_requests_stay_in_the_server(make_client: ClientFactory, make_key: MakeKey) -> None:
    client = make_client(costly_processes=1)
    _, key = make_key("screener")
    before = {pid for pid, _ in _children()}
    body = {"queries": {"q": {"schema": "Company", "properties": {"name": ["IEMZ Kupol"]}}}}
    assert client.post("/match/default", json=body, headers=key).status_code == 200
    assert {pid for pid, _ in _children()} <= before
