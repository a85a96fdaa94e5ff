"""The search page: one box (name, with optional schema, country, birth date and identifier),
results as parties with their score, listing badges and why they matched. Results down to
:data:`FLOOR` are sent, so the threshold slider re-ranks them in the browser without a round
trip; the threshold in the address decides which count as matches on first paint."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from sanctrace.api.cost import name_cost
from sanctrace.api.parties import group, records_wanted
from sanctrace.api.runtime import Runtime, audited, runtime
from sanctrace.errors import SanctraceError
from sanctrace.match import DEFAULT_THRESHOLD, Match
from sanctrace.match import Query as ScreenQuery
from sanctrace.match.screener import MAX_QUERY_CHARS, QUERY_SCHEMATA
from sanctrace.screening import audit_results, birth_date, country_code, explain
from sanctrace.ui.render import error_page, index_ready, page, redirect
from sanctrace.ui.session import User, current_user

router = APIRouter(include_in_schema=False)

#: The lowest score sent to the browser: the slider goes no lower.
FLOOR = 0.5
#: Parties on one results page.
LIMIT = 25
SCHEMATA = sorted(QUERY_SCHEMATA)


class FormError(ValueError):
    """A field of the search form that cannot be screened, named for the page."""


def parse_form(params: dict[str, str]) -> dict[str, Any]:
    """The search form's fields, checked: ``q``, ``schema``, ``country``, ``birth_date``,
    ``identifier``, ``threshold``."""
    name = params.get("q", "").strip()
    if len(name) > MAX_QUERY_CHARS:
        raise FormError(f"the name is {len(name):,} characters; at most {MAX_QUERY_CHARS:,}")
    schema = params.get("schema", "").strip() or None
    if schema is not None and schema not in QUERY_SCHEMATA:
        raise FormError(f"unknown schema {schema[:40]!r}: one of {', '.join(SCHEMATA)}")
    country = params.get("country", "").strip()
    born = params.get("birth_date", "").strip()
    identifier = params.get("identifier", "").strip()[:200]
    try:
        countries = (country_code(country, "country"),) if country else ()
        dates = (birth_date(born, "birth date"),) if born else ()
    except SanctraceError as exc:
        raise FormError(str(exc)) from None
    raw = params.get("threshold", "").strip()
    try:
        threshold = float(raw) if raw else DEFAULT_THRESHOLD
    except ValueError:
        raise FormError(f"threshold {raw[:20]!r} is not a number between {FLOOR} and 1") from None
    if not FLOOR <= threshold <= 1.0:
        raise FormError(f"threshold {threshold:g} is outside {FLOOR} to 1")
    return {
        "name": name,
        "schema": schema,
        "countries": countries,
        "birth_dates": dates,
        "identifiers": (identifier,) if identifier else (),
        "threshold": threshold,
    }


def result_view(result: dict[str, Any], best: Match) -> dict[str, Any]:
    """What the page shows of one party result."""
    badges = []
    for listing in result["listings"]:
        badges.append(
            {
                "list": listing["list"],
                "dataset": listing["dataset"],
                "programs": listing.get("programs") or [],
                "matched": listing.get("score") is not None,
            }
        )
    return {
        "id": result["id"],
        "caption": result["caption"],
        "schema": result.get("schema") or best.schema,
        "score": best.score,
        "matched_name": best.matched_name,
        "why": explain(best),
        "badges": badges,
        "programs": result.get("programs") or [],
    }


def run_search(rt: Runtime, user: User, form: dict[str, Any]) -> list[dict[str, Any]]:
    """Screen the form's query down to :data:`FLOOR`, one result per party, recorded in the
    audit trail first (as ``POST /screen`` is)."""
    service = rt.service
    query = ScreenQuery(
        name=form["name"],
        schema=form["schema"],
        countries=form["countries"],
        birth_dates=form["birth_dates"],
        identifiers=form["identifiers"],
    )
    datasets = service.datasets
    matches = service.screen(query, FLOOR, records_wanted(LIMIT), datasets)
    results = group(service, matches, datasets, LIMIT)
    threshold = form["threshold"]
    for r in results:
        r["match"] = r["score"] >= threshold
    rt.metrics.screenings.labels("ui-search").inc()
    audited(
        rt,
        caller=user.key.id,
        kind="screen",
        request={
            "endpoint": "/search (ui)",
            "query": query.to_dict(),
            "threshold": threshold,
            "floor": FLOOR,
            "limit": LIMIT,
            "datasets": [],
        },
        lists=service.lists(datasets),
        results=audit_results(results),
    )
    by_id = {m.id: m for m in matches}
    return [result_view(r, by_id[r["record_id"]]) for r in results]


@router.get("/")
async def home(request: Request) -> Response:
    await current_user(request, "screener")
    return redirect("/search")


@router.get("/search")
async def search_page(request: Request) -> Response:
    user = await current_user(request, "screener")
    rt = runtime(request)
    params = {k: v for k, v in request.query_params.items()}
    shown = {k: params.get(k, "") for k in ("q", "schema", "country", "birth_date", "identifier")}
    context: dict[str, Any] = {
        "form": shown,
        "schemata": SCHEMATA,
        "floor": FLOOR,
        "results": None,
        "failure": None,
        "threshold": DEFAULT_THRESHOLD,
    }
    try:
        form = parse_form(params)
    except FormError as exc:
        context["failure"] = str(exc)
        return page(request, "search.html", user, status=422, title="Search", **context)
    context["threshold"] = form["threshold"]
    if not form["name"] and not form["identifiers"]:
        return page(request, "search.html", user, title="Search", **context)
    if not await index_ready(request):
        return error_page(request, user, 503, "The lists are still loading: try again shortly.")
    try:
        rt.costs.charge(user.key.id, name_cost(form["name"], FLOOR, rt.settings, ["query", "q"]))
    except HTTPException as exc:
        context["failure"] = exc.detail if isinstance(exc.detail, str) else exc.detail[0]["msg"]
        return page(request, "search.html", user, status=exc.status_code, **context)
    context["results"] = await run_in_threadpool(run_search, rt, user, form)
    return page(request, "search.html", user, title=f"Search: {form['name']}", **context)
