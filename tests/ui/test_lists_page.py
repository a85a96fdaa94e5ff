"""The lists page's words and its failed reload, in process: freshness by the CLI's rule, and a
reload that fails telling why while the previous index goes on serving."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from homes import copy_home

from sanctrace import keys
from sanctrace.api.app import create_app
from sanctrace.match import Screener
from sanctrace.store import open_store
from sanctrace.ui.lists import changes, freshness


def test_freshness_in_words() -> None:
    today = date(2026, 12, 7)
    assert freshness("2024-05-03", today) == ("published 2024-05-03, 948 days old: stale", True)
    assert freshness("2026-11-30", today) == ("published 2026-11-30, 7 days old: fresh", False)
    assert freshness("2026-11-07", today)[1] is False  # 30 days: not yet stale
    assert freshness("2026-11-06", today)[1] is True
    assert freshness("2026-12-06", today)[0] == "published 2026-12-06, 1 day old: fresh"
    assert freshness(None, today) == ("no publication date: its age is unknown", None)


def test_changes_in_words() -> None:
    before = {"a": "1", "b": "1", "c": "1"}
    after = {"a": "1", "b": "2", "d": "1"}
    assert changes(before, after) == [
        "b: version 1 → 2",
        "c: no longer served (was 1)",
        "d: now served at version 1",
    ]


@pytest.fixture
def admin_client(
    bundled_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    home = copy_home(bundled_home, tmp_path / "home")
    monkeypatch.setenv("SANCTRACE_HOME", str(home))
    monkeypatch.delenv("SANCTRACE_DB", raising=False)
    store = open_store(str(home / "sanctrace.db"))
    _, secret = keys.create_key(store, "lists-admin", role="admin")
    app = create_app(store, screener=Screener.open(store))
    headers = {"Authorization": f"ApiKey {secret}", "Accept": "text/html"}
    with TestClient(app) as client:
        yield client, headers
    store.close()


def test_a_failed_reload_is_told_and_the_old_index_serves(
    admin_client: tuple[TestClient, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, headers = admin_client
    service = client.app.state.runtime.service  # type: ignore[attr-defined]
    serving = service.screener

    def broken() -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(service, "load", broken)
    answer = client.post("/ui/lists/reload", headers=headers, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/lists#reload"
    deadline = time.monotonic() + 30
    while True:  # the reload runs in a thread of its own
        shown = client.get("/lists", headers=headers)
        if "Reloading since" not in shown.text or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert shown.status_code == 200
    assert "failed: No space left on device. The previous index keeps serving." in shown.text
    assert service.screener is serving
    found = client.post("/screen", json={"name": "IEMZ Kupol"}, headers=headers)
    assert found.status_code == 200 and found.json()["results"]


def test_a_reload_refused_while_an_update_runs(
    admin_client: tuple[TestClient, dict[str, str]],
) -> None:
    from sanctrace.api import monitoring

    client, headers = admin_client
    client.get("/lists", headers=headers)
    state = monitoring._updates(client)  # type: ignore[arg-type]
    assert state.lock.acquire(blocking=False)
    try:
        answer = client.post("/ui/lists/reload", headers=headers)
    finally:
        state.lock.release()
    assert answer.status_code == 409
    assert "Not reloaded: a list update is running" in answer.text
