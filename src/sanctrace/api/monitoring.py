"""Monitoring over HTTP: alerts and the analyst's decisions on them (``analyst`` role), and
list updates that re-screen the watchlists (``admin`` role).

``POST /lists/update`` runs one update (fetch, load, re-screen, deliver) in a background thread
and answers at once; ``GET /lists/update`` tells how the last one went. Its alerts speak of
parties ("party X gained a listing on list Y"). When it activated new versions, the server
screens against them, and their parties, from then on.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from sanctrace.api.auth import require
from sanctrace.api.native import MAX_INT
from sanctrace.api.runtime import Runtime, runtime
from sanctrace.api.wire import ERRORS
from sanctrace.audit import AuditWriteError, now_stamp
from sanctrace.errors import NotFoundError, SanctraceError
from sanctrace.fetch.service import make_client, resolve_sources
from sanctrace.keys import ApiKey
from sanctrace.monitor import alerts
from sanctrace.monitor.update import update
from sanctrace.store import default_db_path

log = logging.getLogger(__name__)
router = APIRouter()


class ResolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["true-match", "false-positive", "whitelist"]
    note: str = Field(..., min_length=1, max_length=10_000)


class UpdateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    datasets: list[str] = Field([], max_length=50, description="Default: every official list")


@router.get("/alerts", summary="Alerts", tags=["Monitoring"], responses=ERRORS)
def list_alerts(
    request: Request,
    status: Literal["open", "resolved", "all"] = Query("open"),
    watchlist: str | None = Query(None),
    kind: Literal["new", "removed", "changed", "operational", "batch"] | None = Query(None),
    after: int = Query(0, ge=0, le=MAX_INT, description="Only alerts with a greater id (paging)"),
    limit: int = Query(100, ge=1, le=1000),
    key: ApiKey = require("analyst"),
) -> Any:
    """Alerts oldest first, as `sanctrace alerts list --format json`; page with `after`."""
    rt = runtime(request)
    with rt.service.pool.connection() as store:
        found = alerts.list_alerts(
            store,
            status=None if status == "all" else status,
            watchlist=watchlist,
            kind=kind,
            limit=limit,
            after=after,
        )
    return {"alerts": [a.to_dict() for a in found], "next_after": found[-1].id if found else None}


@router.get("/alerts/{alert_id}", summary="One alert", tags=["Monitoring"], responses=ERRORS)
def get_alert(
    request: Request, alert_id: int = PathParam(ge=1, le=MAX_INT), key: ApiKey = require("analyst")
) -> Any:
    rt = runtime(request)
    try:
        with rt.service.pool.connection() as store:
            return alerts.get(store, alert_id).to_dict()
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from None


@router.post(
    "/alerts/{alert_id}/resolve", summary="Resolve an alert", tags=["Monitoring"], responses=ERRORS
)
def resolve_alert(
    request: Request,
    body: ResolveRequest,
    alert_id: int = PathParam(ge=1, le=MAX_INT),
    key: ApiKey = require("analyst"),
) -> Any:
    """Record the decision (`true-match`, `false-positive` or `whitelist`, with a note) in the
    audit trail and on the alert. A false positive is not raised again until the entity or the
    customer record changes; a whitelisted pair not until the entity changes. 409 if the alert
    is already resolved (or a whitelist is asked for an alert that is not a current match)."""
    rt = runtime(request)
    try:
        with rt.service.pool.connection() as store:
            done = alerts.resolve(
                store, alert_id, decision=body.decision, note=body.note, caller=key.id
            )
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    except AuditWriteError:
        raise HTTPException(500, "the audit trail could not be written") from None
    except SanctraceError as exc:
        raise HTTPException(409, str(exc)) from None
    return done.to_dict()


class _Updates:
    """The one list update that may run at a time, and how the last one went."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last: dict[str, Any] = {"state": "never run"}


_CREATE = threading.Lock()


def _updates(request: Request) -> _Updates:
    with _CREATE:
        found: _Updates | None = getattr(request.app.state, "list_updates", None)
        if found is None:
            found = request.app.state.list_updates = _Updates()
        return found


def _run_update(rt: Runtime, state: _Updates, datasets: list[str], caller: str) -> None:
    started = now_stamp()
    try:
        with rt.service.pool.connection() as store, make_client() as client:
            before = {v.dataset: v.version for v in store.active_versions()}
            report = update(
                store,
                resolve_sources(datasets),
                Path(default_db_path().parent / "downloads"),
                client=client,
                with_parties=True,
            )
            changed = {v.dataset: v.version for v in store.active_versions()} != before
        if changed:
            # The new index and its parties (resolved by the update when watchlists were
            # re-screened, else now); the previous ones serve until both are ready.
            rt.service.load()
        state.last = {
            "state": "done" if report.ok else "failed",
            "started": started,
            "finished": now_stamp(),
            "by": caller,
            **report.to_dict(),
        }
    except Exception as exc:
        log.exception("list update failed")
        state.last = {"state": "failed", "started": started, "error": str(exc), "by": caller}
    finally:
        state.lock.release()


@router.post("/lists/update", summary="Update the lists", tags=["Monitoring"], responses=ERRORS)
def start_update(
    request: Request, body: UpdateRequest | None = None, key: ApiKey = require("admin")
) -> Any:
    """Fetch the official lists, load what changed, re-screen the watchlists and deliver their
    alerts, in the background (`admin` role); 409 while one runs."""
    rt = runtime(request)
    datasets = body.datasets if body else []
    try:
        resolve_sources(datasets)
    except SanctraceError as exc:
        raise HTTPException(422, str(exc)) from None
    state = _updates(request)
    if not state.lock.acquire(blocking=False):
        raise HTTPException(409, "a list update is running")
    state.last = {"state": "running", "started": now_stamp(), "by": key.id}
    threading.Thread(
        target=_run_update, args=(rt, state, datasets, key.id), daemon=True, name="list-update"
    ).start()
    return JSONResponse(state.last, status_code=202)


@router.get("/lists/update", summary="The last list update", tags=["Monitoring"], responses=ERRORS)
def last_update(request: Request, key: ApiKey = require("admin")) -> Any:
    return _updates(request).last
