"""Alerts over HTTP (analyst role) and list updates (admin role), on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from sanctrace import audit
from sanctrace.api import monitoring as monitoring_api
from sanctrace.fetch.official import OFFICIAL_SOURCES
from sanctrace.match import Query, Screener
from sanctrace.monitor import watchlists
from sanctrace.monitor.rescreen import rescreen
from sanctrace.store import Store


def _watch_kupol(store: Store, screener: Screener, name: str) -> None:
    watchlists.add(store, name, [("K1", Query(name="IEMZ Kupol")), ("K2", Query(name="Acme"))])
    rescreen(store, [name], screener=screener)


def test_alerts_list_show_resolve(
    store: Store, screener: Screener, client: Any, make_key: Any
) -> None:
    watchlist = f"api-{time.monotonic_ns()}"
    _watch_kupol(store, screener, watchlist)
    _, screener_headers = make_key("screener")
    analyst, headers = make_key("analyst")
    assert client.get("/alerts", headers=screener_headers).status_code == 403

    page = client.get("/alerts", params={"watchlist": watchlist}, headers=headers).json()
    kupol = [a for a in page["alerts"] if a["entity_id"] == "us_ofac_sdn:46431"]
    assert len(kupol) == 1 and kupol[0]["kind"] == "new" and kupol[0]["key"] == "K1"
    alert_id = kupol[0]["id"]
    shown = client.get(f"/alerts/{alert_id}", headers=headers).json()
    assert shown["details"]["customer"]["name"] == "IEMZ Kupol"
    assert shown["details"]["match"]["explanation"]

    bad = client.post(
        f"/alerts/{alert_id}/resolve", json={"decision": "maybe", "note": "x"}, headers=headers
    )
    assert bad.status_code == 422
    done = client.post(
        f"/alerts/{alert_id}/resolve",
        json={"decision": "true-match", "note": "the Izhevsk plant, same tax id"},
        headers=headers,
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "resolved" and body["resolved_by"] == analyst.id
    record = audit.get(store, body["audit_seq"])
    assert record is not None and record.kind == "alert-decision"
    assert record.record["request"]["decision"] == "true-match"
    again = client.post(
        f"/alerts/{alert_id}/resolve",
        json={"decision": "false-positive", "note": "changed my mind"},
        headers=headers,
    )
    assert again.status_code == 409
    assert client.get("/alerts/999999999", headers=headers).status_code == 404
    still_open = client.get("/alerts", params={"watchlist": watchlist}, headers=headers).json()
    assert alert_id not in {a["id"] for a in still_open["alerts"]}


def test_list_update_needs_admin_and_runs(
    client: Any, make_key: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = OFFICIAL_SOURCES["us_ofac_cons"]
    recorded = (data_dir / "ofac_consolidated/2026-01-08/consolidated.xml").read_bytes()

    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == source.url:
            return httpx.Response(200, content=recorded)
        return httpx.Response(404)

    monkeypatch.setattr(
        monitoring_api, "make_client", lambda: httpx.Client(transport=httpx.MockTransport(handler))
    )
    _, analyst = make_key("analyst")
    _, admin = make_key("admin")
    assert client.post("/lists/update", json={}, headers=analyst).status_code == 403
    unknown = client.post("/lists/update", json={"datasets": ["nowhere"]}, headers=admin)
    assert unknown.status_code == 422
    started = client.post("/lists/update", json={"datasets": ["us_ofac_cons"]}, headers=admin)
    assert started.status_code == 202
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        last = client.get("/lists/update", headers=admin).json()
        if last["state"] != "running":
            break
        time.sleep(0.1)
    assert last["state"] == "done", last
    # The bundled non-SDN list is this very file: nothing to load.
    assert last["unchanged"] and not last["loaded"]
