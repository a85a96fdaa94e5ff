"""The lists page (``/lists`` for a browser, served at ``/ui/lists``): which lists and versions
the server screens against, every version the store keeps, their dates and freshness, where
they came from, and, for admins, a reload of the index from the store's active versions and the
API's update from the official sources (``POST /lists/update``)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from sanctrace.api import monitoring
from sanctrace.api.runtime import Runtime, runtime
from sanctrace.api.service import list_title
from sanctrace.audit import now_stamp
from sanctrace.freshness import STALE_AFTER_DAYS, age_days
from sanctrace.store import VersionInfo
from sanctrace.ui.forms import read_form
from sanctrace.ui.render import page, redirect
from sanctrace.ui.session import User, check_csrf, current_user

router = APIRouter(include_in_schema=False)

#: Where the page is, for a browser (``BrowserPages`` serves it from ``/ui/lists``).
PAGE = "/lists"
#: While a list update runs the page asks for itself again this often (seconds).
REFRESH_SECONDS = 3


@lru_cache(maxsize=1)
def bundled_hashes() -> dict[str, set[str]]:
    """The content hashes of the snapshots shipped in the package, per dataset (a version
    stored with one of them is the bundled snapshot, however it was loaded)."""
    from sanctrace.bundle import manifest

    return {item.dataset: {f["sha256"] for f in item.files} for item in manifest()}


def source_of(version: VersionInfo) -> str:
    if version.sha256 in bundled_hashes().get(version.dataset, set()):
        return "bundled snapshot"
    return "loaded (fetched from the official source, or from a file)"


def freshness(published: str | None, today: date) -> tuple[str, bool | None]:
    """How old a version's data is, in words, and whether it is stale by the rule of
    :mod:`sanctrace.freshness` (more than ``STALE_AFTER_DAYS`` days; None: unknown)."""
    age = age_days(published, today)
    if published is None or age is None:
        return "no publication date: its age is unknown", None
    stale = age > STALE_AFTER_DAYS
    days = "1 day" if age == 1 else f"{age:,} days"
    if age < 0:
        days = "dated in the future"
    else:
        days += " old"
    return f"published {published[:10]}, {days}: {'stale' if stale else 'fresh'}", stale


def stamp(value: str | None) -> str | None:
    """An audit timestamp (``2026-12-07T23:53:08.514801Z``) as the page shows it."""
    if not value:
        return value
    return value[:19].replace("T", " ") + " UTC"


def version_view(v: VersionInfo, served: VersionInfo | None, today: date) -> dict[str, Any]:
    words, stale = freshness(v.published, today)
    return {
        "dataset": v.dataset,
        "title": list_title(v.dataset),
        "version": v.version,
        "published": (v.published or "")[:10],
        "entities": v.entities,
        "loaded_at": stamp(v.loaded_at),
        "active": v.active,
        "served": served is not None and served.version == v.version,
        "freshness": words,
        "stale": stale,
        "source": source_of(v),
        "format": v.format or "",
        "sha256": v.sha256,
    }


@dataclass(frozen=True)
class Lists:
    """What the page shows of the lists: one row per list, and every stored version."""

    lists: list[dict[str, Any]]
    versions: list[dict[str, Any]]


def lists_view(rt: Runtime, today: date) -> Lists:
    service = rt.service
    with service.pool.connection() as store:
        stored = store.versions()
    served = dict(service.versions)
    datasets = sorted({v.dataset for v in stored} | set(served))
    rows = []
    for dataset in datasets:
        own = [v for v in stored if v.dataset == dataset]
        active = next((v for v in own if v.active), None)
        now = served.get(dataset)
        shown = now or active
        row: dict[str, Any] = version_view(shown, now, today) if shown else {"dataset": dataset}
        row.update(
            title=list_title(dataset),
            served_version=now.version if now else None,
            active_version=active.version if active else None,
            kept=len(own),
        )
        rows.append(row)
    versions = [version_view(v, served.get(v.dataset), today) for v in stored]
    return Lists(rows, versions)


class Reloads:
    """The one index reload the page runs at a time, and how the last one went."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last: dict[str, Any] | None = None


_CREATE = threading.Lock()


def reloads(request: Request) -> Reloads:
    with _CREATE:
        found: Reloads | None = getattr(request.app.state, "ui_list_reloads", None)
        if found is None:
            found = request.app.state.ui_list_reloads = Reloads()
        return found


def _served(rt: Runtime) -> dict[str, str]:
    return {d: v.version for d, v in sorted(rt.service.versions.items())}


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Each list whose served version changed, in words."""
    out = []
    for dataset in sorted(set(before) | set(after)):
        old, new = before.get(dataset), after.get(dataset)
        if old == new:
            continue
        if old is None:
            out.append(f"{dataset}: now served at version {new}")
        elif new is None:
            out.append(f"{dataset}: no longer served (was {old})")
        else:
            out.append(f"{dataset}: version {old} → {new}")
    return out


def reload_index(rt: Runtime, state: Reloads, user: User) -> None:
    """Load the index of the store's active versions and swap it in (``Service.load``; a
    minute or more when the lists changed: the index is built and the parties resolved); when
    that fails, the previous index goes on serving and the error is told. Runs in a thread of
    its own holding ``state.lock``, which it releases."""
    before = _served(rt)
    started = time.perf_counter()
    result: dict[str, Any] = {"at": stamp(now_stamp()), "by": user.key.name or user.key.id}
    try:
        rt.service.load()
    except Exception as exc:
        result.update(state="failed", error=str(exc) or type(exc).__name__)
    else:
        result.update(state="done", changes=changes(before, _served(rt)))
    finally:
        result["seconds"] = round(time.perf_counter() - started, 1)
        state.last = result
        state.lock.release()


def update_view(last: dict[str, Any]) -> dict[str, Any]:
    """The last official-source update (``GET /lists/update``), in words."""
    state = last.get("state", "never run")
    lines = []
    if last.get("loaded"):
        lines.append("loaded: " + ", ".join(last["loaded"]))
    if last.get("unchanged"):
        lines.append("unchanged: " + ", ".join(last["unchanged"]))
    for failure in last.get("failures") or []:
        lines.append(f"failed: {failure}")
    if last.get("error"):
        lines.append(f"error: {last['error']}")
    return {
        "state": state,
        "started": stamp(last.get("started")),
        "finished": stamp(last.get("finished")),
        "by": last.get("by"),
        "lines": lines,
    }


async def render(
    request: Request, user: User, *, status: int = 200, failure: str | None = None
) -> Response:
    rt = runtime(request)
    today = datetime.now(UTC).date()
    view = await run_in_threadpool(lists_view, rt, today)
    admin = user.allows("admin")
    update = update_view(monitoring._updates(request).last) if admin else None
    stale = [r for r in view.lists if r.get("served") and r.get("stale")]
    reload = reloads(request).last if admin else None
    running = any(x is not None and x["state"] == "running" for x in (update, reload))
    return page(
        request,
        "lists.html",
        user,
        status=status,
        title="Lists",
        failure=failure,
        lists=view.lists,
        versions=view.versions,
        stale=stale,
        stale_after=STALE_AFTER_DAYS,
        today=today.isoformat(),
        ready=rt.service.ready.is_set(),
        load_error=rt.service.load_error,
        reload_error=rt.service.reload_error,
        admin=admin,
        reload=reload,
        update=update,
        refresh=REFRESH_SECONDS if running else None,
    )


@router.get("/ui/lists")
async def lists_page(request: Request) -> Response:
    user = await current_user(request, "screener")
    return await render(request, user)


def busy(request: Request) -> str | None:
    """Why the index cannot be reloaded now (None: it can)."""
    service = runtime(request).service
    if not service.ready.is_set() and not service.load_error:
        return "the index is still loading: the page tells when it is ready"
    if monitoring._updates(request).lock.locked():
        return "a list update is running: it reloads the index itself when it finishes"
    if reloads(request).lock.locked():
        return "the index is already being reloaded"
    return None


@router.post("/ui/lists/reload")
async def reload(request: Request) -> Response:
    user = await current_user(request, "admin")
    check_csrf(user, await read_form(request))
    state = reloads(request)
    refusal = busy(request)
    if refusal or not state.lock.acquire(blocking=False):
        failure = f"Not reloaded: {refusal or 'the index is already being reloaded'}."
        return await render(request, user, status=409, failure=failure)
    state.last = {"state": "running", "at": stamp(now_stamp()), "by": user.key.name or user.key.id}
    try:
        threading.Thread(
            target=reload_index,
            args=(runtime(request), state, user),
            daemon=True,
            name="ui-index-reload",
        ).start()
    except BaseException:
        state.lock.release()
        raise
    return redirect(PAGE + "#reload")


@router.post("/ui/lists/update")
async def update(request: Request) -> Response:
    user = await current_user(request, "admin")
    check_csrf(user, await read_form(request))
    refusal = busy(request)
    if refusal:
        return await render(request, user, status=409, failure=f"Not started: {refusal}.")
    try:
        # the API's own update (fetch, load what changed, re-screen, deliver; in the background)
        await run_in_threadpool(monitoring.start_update, request, None, user.key)
    except HTTPException as exc:
        return await render(
            request, user, status=exc.status_code, failure=f"Not started: {exc.detail}."
        )
    return redirect(PAGE + "#update")


@router.get("/ui/lists/update")
async def update_status(request: Request) -> Response:
    """A browser's GET of ``/lists/update`` (the API's status of the last update) comes here:
    the lists page shows it."""
    await current_user(request, "admin")
    return redirect(PAGE + "#update")
