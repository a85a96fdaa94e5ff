"""Scheduled updates with the network replaced by recorded official files: fetch, load,
re-screen, deliver; and a failure at any step leaves the previous version serving with an
operational alert."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from sanctrace.fetch.official import OFFICIAL_SOURCES
from sanctrace.match import Query
from sanctrace.monitor import alerts, delivery, watchlists
from sanctrace.monitor import update as update_module
from sanctrace.monitor.rescreen import current_matches
from sanctrace.monitor.update import update
from sanctrace.sources import parse_files
from sanctrace.store import open_store

CONS = OFFICIAL_SOURCES["us_ofac_cons"]
OLD = "ofac_consolidated/2025-10-22/consolidated.xml"
NEW = "ofac_consolidated/2026-01-08/consolidated.xml"


class Recorded:
    """An official server that serves whichever recorded file it is told to."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.serving: str | None = OLD

    def client(self) -> httpx.Client:
        def handler(request: httpx.Request) -> httpx.Response:
            if str(request.url) != CONS.url:
                return httpx.Response(404)
            if self.serving is None:
                return httpx.Response(200, content=b"<html>maintenance</html>")
            return httpx.Response(200, content=(self.data_dir / self.serving).read_bytes())

        return httpx.Client(transport=httpx.MockTransport(handler))


def _customers(data_dir: Path) -> list[tuple[str, Query]]:
    """Every entry of the older snapshot as a customer, and a few unlisted ones."""
    found = [
        (f"C{n:04d}", Query(name=entity.caption))
        for n, entity in enumerate(parse_files([data_dir / OLD]).entities)
    ]
    found += [("U1", Query(name="Margaret Thistlewood")), ("U2", Query(name="Oakridge Dairy"))]
    return found


def test_update_loads_rescreens_and_delivers(tmp_path: Path, data_dir: Path) -> None:
    store = open_store(str(tmp_path / "s.db"))
    server = Recorded(data_dir)
    watchlists.add(store, "bank", _customers(data_dir))
    sink = tmp_path / "alerts.jsonl"
    delivery.add_sink(store, "file", jsonl=str(sink))

    with server.client() as client:
        first = update(store, [CONS], tmp_path / "dl", client=client)
    assert first.ok and len(first.loaded) == 1
    (screened,) = first.rescreens
    assert screened.mode == "full" and screened.alerts["new"] >= 400
    assert first.delivery is not None and first.delivery.delivered == screened.alerts["new"]
    lines = [json.loads(line) for line in sink.read_text().splitlines()]
    assert len(lines) == screened.alerts["new"]

    server.serving = NEW
    with server.client() as client:
        second = update(store, [CONS], tmp_path / "dl", client=client)
    assert second.ok and second.loaded and "2026-01-08" in second.loaded[0]
    (incremental,) = second.rescreens
    assert incremental.mode == "incremental"
    assert incremental.screened < incremental.customers
    # The entry OFAC dropped is a delisting for the customer carrying its name.
    delisted = [
        a for a in alerts.list_alerts(store, kind="removed") if a.details["reason"] == "delisted"
    ]
    assert len(delisted) == 1
    assert delisted[0].details["customer"]["name"] == delisted[0].details["previous"]["caption"]
    lines = sink.read_text().splitlines()
    assert len(lines) == screened.alerts["new"] + sum(incremental.alerts.values())

    # Nothing new published: nothing loaded, nothing raised.
    with server.client() as client:
        third = update(store, [CONS], tmp_path / "dl", client=client)
    assert third.ok and third.unchanged and not third.loaded
    assert all(r.mode == "current" for r in third.rescreens)


def test_a_failed_download_keeps_the_previous_version(tmp_path: Path, data_dir: Path) -> None:
    store = open_store(str(tmp_path / "s.db"))
    server = Recorded(data_dir)
    with server.client() as client:
        assert update(store, [CONS], tmp_path / "dl", client=client).ok
    server.serving = None  # the official site answers with a maintenance page
    with server.client() as client:
        failed = update(store, [CONS], tmp_path / "dl", client=client, retries=0)
    assert not failed.ok
    (operational,) = alerts.list_alerts(store, kind="operational")
    assert operational.details["step"] == "fetch" and "us_ofac_cons" in operational.details["error"]
    assert [v.version for v in store.active_versions()] == ["2025-10-22"]


def test_a_failure_after_loading_puts_the_previous_version_back(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(str(tmp_path / "s.db"))
    server = Recorded(data_dir)
    watchlists.add(store, "bank", _customers(data_dir)[:50])
    with server.client() as client:
        assert update(store, [CONS], tmp_path / "dl", client=client).ok
    before = current_matches(store, "bank")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    # The one fault injected by hand: re-screening breaks after the new version was loaded.
    monkeypatch.setattr(update_module, "rescreen", broken)
    server.serving = NEW
    with server.client() as client:
        failed = update(store, [CONS], tmp_path / "dl", client=client)
    assert not failed.ok and "disk full" in failed.failures[0]
    assert [v.version for v in store.active_versions()] == ["2025-10-22"]
    assert current_matches(store, "bank") == before
    assert alerts.list_alerts(store, kind="operational")[0].details["step"] == "rescreen"

    # Mended: the next update activates the version stored the first time, and re-screens.
    monkeypatch.undo()
    with server.client() as client:
        mended = update(store, [CONS], tmp_path / "dl", client=client)
    assert mended.ok and mended.loaded
    assert [v.version for v in store.active_versions()] == ["2026-01-08"]
    assert mended.rescreens[0].mode == "incremental"
