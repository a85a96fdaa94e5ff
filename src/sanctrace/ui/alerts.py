"""Alert triage: the queue of what re-screening the watchlists raised (filtered by watchlist,
list, kind, score, status and assignee; sorted by score or age; paged), one alert with the
watched customer's record beside the listed record it matched, why it alerted, its history
and audit records, and the analyst's decision (true match, false positive, whitelist) with a
mandatory reason, which goes to the audit trail first. Screeners read; analysts decide and
assign.

Browsers reach the pages at ``/alerts`` and ``/alerts/ID`` (see ``BrowserPages``); the forms
post to ``/ui/alerts/ID/decide`` and ``/ui/alerts/ID/assign``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from sanctrace import keys
from sanctrace.api.native import MAX_INT
from sanctrace.api.runtime import runtime
from sanctrace.audit import AuditWriteError
from sanctrace.errors import NotFoundError, SanctraceError, StoreError
from sanctrace.monitor import alerts, triage
from sanctrace.store import Store
from sanctrace.ui.alerts_view import DECISION_LABELS, detail, row
from sanctrace.ui.forms import read_form, text
from sanctrace.ui.render import error_page, page, redirect
from sanctrace.ui.session import User, check_csrf, current_user, safe_next

router = APIRouter(include_in_schema=False)

#: Alerts on one page of the queue.
PAGE = 50
#: The queue's filters as the address carries them, with their defaults.
FILTERS = {
    "status": "open",
    "watchlist": "",
    "dataset": "",
    "kind": "",
    "min_score": "",
    "assignee": "",
    "sort": "newest",
}


class FormError(ValueError):
    """A filter of the queue that cannot be applied, named for the page."""


def parse_filters(params: dict[str, str], user: User) -> tuple[triage.Filters, int]:
    """The queue's filters from the address, checked, and the page number."""
    status = params.get("status") or "open"
    if status not in ("open", "resolved", "all"):
        raise FormError(f"status {status[:20]!r} is not open, resolved or all")
    kind = params.get("kind") or None
    if kind is not None and kind not in alerts.KINDS:
        raise FormError(f"kind {kind[:20]!r} is not one of {', '.join(alerts.KINDS)}")
    sort = params.get("sort") or "newest"
    if sort not in triage.SORTS:
        raise FormError(f"sort {sort[:20]!r} is not one of {', '.join(triage.SORTS)}")
    raw = (params.get("min_score") or "").strip()
    try:
        min_score = float(raw) if raw else None
    except ValueError:
        raise FormError(f"minimum score {raw[:20]!r} is not a number from 0 to 1") from None
    if min_score is not None and not 0 <= min_score <= 1:
        raise FormError(f"minimum score {min_score:g} is outside 0 to 1")
    assignee = params.get("assignee") or None
    if assignee == "me":
        assignee = user.key.id
    try:
        number = max(1, min(int(params.get("page") or 1), 100_000))
    except ValueError:
        raise FormError(f"page {params.get('page', '')[:20]!r} is not a number") from None
    filters = triage.Filters(
        status=None if status == "all" else status,
        watchlist=(params.get("watchlist") or "").strip()[:200] or None,
        dataset=(params.get("dataset") or "").strip()[:100] or None,
        kind=kind,
        min_score=min_score,
        assignee=assignee,
        sort=sort,
    )
    return filters, number


def _names(store: Store) -> dict[str, str]:
    """Key id -> key name, for showing who assigned and decided."""
    return {k.id: k.name for k in keys.list_keys(store)}


def _link(shown: dict[str, str], **changes: Any) -> str:
    values = {**shown, **{k: str(v) for k, v in changes.items()}}
    kept = {k: v for k, v in values.items() if v and v != FILTERS.get(k)}
    return "/alerts" + (f"?{urlencode(kept)}" if kept else "")


def _queue(
    request: Request, filters: triage.Filters, number: int
) -> tuple[list[dict[str, Any]], int, dict[str, list[str]], dict[str, str]]:
    with runtime(request).service.pool.connection() as store:
        found, total = triage.queue(store, filters, limit=PAGE, offset=(number - 1) * PAGE)
        names = _names(store)
        options = triage.choices(store)
    return [row(a, names) for a in found], total, options, names


@router.get("/ui/alerts")
async def queue_page(request: Request) -> Response:
    user = await current_user(request, "screener")
    params = {k: v for k, v in request.query_params.items()}
    shown = {k: params.get(k, default) for k, default in FILTERS.items()}
    context: dict[str, Any] = {"form": shown, "kinds": alerts.KINDS, "sorts": list(triage.SORTS)}
    try:
        filters, number = parse_filters(params, user)
    except FormError as exc:
        empty: dict[str, list[str]] = {"watchlists": [], "datasets": [], "assignees": []}
        context.update(failure=str(exc), rows=[], total=0, options=empty, names={})
        context.update(page_no=1, pages=1, prev_url=None, next_url=None)
        return page(request, "alerts.html", user, status=422, title="Alerts", **context)
    rows, total, options, names = await run_in_threadpool(_queue, request, filters, number)
    pages = max(1, -(-total // PAGE))
    context.update(failure=None, rows=rows, total=total, options=options, names=names)
    context.update(
        page_no=number,
        pages=pages,
        prev_url=_link(shown, page=number - 1) if number > 1 else None,
        next_url=_link(shown, page=number + 1) if number < pages else None,
    )
    return page(request, "alerts.html", user, title="Alerts", **context)


def _detail(request: Request, alert_id: int) -> dict[str, Any]:
    with runtime(request).service.pool.connection() as store:
        alert = alerts.get(store, alert_id)
        entity = None
        if alert.entity_id:
            try:
                entity = store.get_entity(alert.entity_id)[0]
            except (NotFoundError, StoreError):
                entity = None
        history = triage.pair_history(store, alert)
        records = triage.audit_records(store, history)
        names = _names(store)
        holds = alerts.whitelisted(store, alert.watchlist) if alert.watchlist else {}
    return detail(alert, entity, history, records, names, holds.get((alert.key, alert.entity_id)))


async def _alert_page(
    request: Request,
    user: User,
    alert_id: int,
    *,
    status: int = 200,
    failure: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    try:
        view = await run_in_threadpool(_detail, request, alert_id)
    except NotFoundError:
        return error_page(request, user, 404, f"There is no alert {alert_id}.")
    return page(
        request,
        "alert.html",
        user,
        status=status,
        title=f"Alert {alert_id}",
        view=view,
        failure=failure,
        form=form or {"decision": "", "reason": ""},
        decisions=DECISION_LABELS,
        can_decide=user.allows("analyst"),
    )


@router.get("/ui/alerts/{alert_id}")
async def alert_page(request: Request, alert_id: int = PathParam(ge=1, le=MAX_INT)) -> Response:
    user = await current_user(request, "screener")
    return await _alert_page(request, user, alert_id)


def _by(user: User) -> dict[str, Any]:
    return {"name": user.key.name, "role": user.role, "via": "ui"}


@router.post("/ui/alerts/{alert_id}/decide")
async def decide(request: Request, alert_id: int = PathParam(ge=1, le=MAX_INT)) -> Response:
    """Record the decision (analyst role): an unknown decision or an empty reason shows the
    form again, saying what is missing; nothing is written."""
    user = await current_user(request, "analyst")
    form = await read_form(request)
    check_csrf(user, form)
    decision = text(form, "decision").strip()
    reason = text(form, "reason").strip()
    kept = {"decision": decision, "reason": reason}
    failure = None
    if decision not in alerts.DECISIONS:
        failure = "Choose a decision: true match, false positive or whitelist."
    elif not reason:
        failure = "A reason is required: say why, for the audit trail."
    if failure:
        return await _alert_page(request, user, alert_id, status=422, failure=failure, form=kept)

    def resolve() -> None:
        with runtime(request).service.pool.connection() as store:
            alerts.resolve(
                store, alert_id, decision=decision, note=reason, caller=user.key.id, by=_by(user)
            )

    try:
        await run_in_threadpool(resolve)
    except NotFoundError:
        return error_page(request, user, 404, f"There is no alert {alert_id}.")
    except AuditWriteError:
        return error_page(request, user, 500, "The audit trail could not be written: not decided.")
    except SanctraceError as exc:
        return await _alert_page(request, user, alert_id, status=409, failure=str(exc), form=kept)
    return redirect(f"/alerts/{alert_id}")


@router.post("/ui/alerts/{alert_id}/assign")
async def assign(request: Request, alert_id: int = PathParam(ge=1, le=MAX_INT)) -> Response:
    """Assign the alert to the caller (``to=me``) or to nobody (``to=none``); analyst role."""
    user = await current_user(request, "analyst")
    form = await read_form(request)
    check_csrf(user, form)
    to = text(form, "to")
    if to not in ("me", "none"):
        raise HTTPException(422, "to is me or none")

    def change() -> None:
        with runtime(request).service.pool.connection() as store:
            triage.assign(
                store,
                alert_id,
                user.key.id if to == "me" else None,
                caller=user.key.id,
                by=_by(user),
            )

    try:
        await run_in_threadpool(change)
    except NotFoundError:
        return error_page(request, user, 404, f"There is no alert {alert_id}.")
    except AuditWriteError:
        return error_page(request, user, 500, "The audit trail could not be written.")
    except SanctraceError as exc:
        return await _alert_page(request, user, alert_id, status=409, failure=str(exc))
    back = safe_next(text(form, "next"))
    return redirect(back if back.startswith("/alerts") else f"/alerts/{alert_id}")
