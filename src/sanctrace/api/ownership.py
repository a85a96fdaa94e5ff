"""``GET /ownership/check``: the answer of ``sanctrace ownership check --format json``;
``POST /ownership/exposure``: many counterparties at once, as ``sanctrace ownership
exposure``; ``GET /ownership/loads``: the ownership files loaded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from sanctrace.api.auth import require
from sanctrace.api.runtime import audited, runtime
from sanctrace.api.wire import ERRORS
from sanctrace.errors import NotFoundError
from sanctrace.keys import ApiKey
from sanctrace.match import Query as ScreenQuery
from sanctrace.ownership.check import check, find_node
from sanctrace.ownership.exposure import LISTED_SCORE, exposure_of
from sanctrace.ownership.rules import BUILT_IN, Ruleset
from sanctrace.ownership.store import loads

router = APIRouter()


@router.get(
    "/ownership/check",
    summary="Owned or controlled by listed parties?",
    tags=["Ownership"],
    responses=ERRORS,
)
def ownership_check(
    request: Request,
    q: str = Query(
        ..., max_length=500, description="A company's name as loaded, a record id or a party id"
    ),
    regime: list[str] = Query(["ofac", "eu", "uk"], description="ofac, eu, uk; repeat for several"),
    as_of: str | None = Query(None, description="YYYY-MM-DD (default: today)"),
    key: ApiKey = require("screener"),
) -> Any:
    """Each regime's status of the company (`blocked`, `not_blocked`, `indeterminate`), its
    flags and the trace of the calculation: `{"query", "as_of", "results": [...]}`, each
    result as `sanctrace ownership check --format json` prints it."""
    rt = runtime(request)
    rt.need_ready()
    rulesets = _regimes(regime)
    day = _day(as_of)
    service = rt.service
    with service.pool.connection() as store:
        try:
            node = find_node(store, q, service.parties)
        except NotFoundError as exc:
            raise HTTPException(404, str(exc)) from None
        results = [
            check(store, node, r, day, service.parties, service.listing, service.versions)
            for r in rulesets
        ]
    answers = [a.to_dict() for a in results]
    audited(
        rt,
        caller=key.id,
        kind="ownership",
        request={
            "endpoint": "/ownership/check",
            "q": q,
            "regime": regime,
            "as_of": day.isoformat(),
        },
        lists=service.lists(),
        results=[{"id": a["id"], "regime": a["regime"], "status": a["status"]} for a in answers],
    )
    return JSONResponse({"query": q, "as_of": day.isoformat(), "results": answers})


@router.get(
    "/ownership/loads", summary="Ownership files loaded", tags=["Ownership"], responses=ERRORS
)
def ownership_loads(request: Request, key: ApiKey = require("screener")) -> Any:
    """The ownership files loaded, as `sanctrace ownership loads --format json`."""
    rt = runtime(request)
    with rt.service.pool.connection() as store:
        return JSONResponse([i.to_dict() for i in loads(store)])


def _regimes(names: list[str]) -> list[Ruleset]:
    unknown = [r for r in names if r.lower() not in BUILT_IN]
    if unknown:
        raise HTTPException(422, f"unknown regime {', '.join(unknown)}: use {', '.join(BUILT_IN)}")
    return [BUILT_IN[r.lower()] for r in names]


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else datetime.now(UTC).date()
    except ValueError:
        raise HTTPException(422, f"as_of {text!r} is not a date (YYYY-MM-DD)") from None


class Counterparty(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=500, examples=["Kama Example Components LLC"])
    id: str = Field("", max_length=200, description="A record id, party id or LEI")


class ExposureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    companies: list[Counterparty] = Field(..., min_length=1, max_length=1000)
    regime: list[str] = Field(["ofac", "eu", "uk"], max_length=10)
    as_of: str | None = Field(None, description="YYYY-MM-DD (default: today)")


@router.post(
    "/ownership/exposure",
    summary="Many counterparties' ownership status",
    tags=["Ownership"],
    responses=ERRORS,
)
def ownership_exposure(
    request: Request, body: ExposureRequest, key: ApiKey = require("screener")
) -> Any:
    """Each counterparty found in the ownership data (by `id`, then `name`), or else screened
    (a listed one is reported as listed), judged under each regime: `{"as_of", "results":
    [{"input", "id", "caption", "results": [...]}]}`; `id` null when nothing is known of it."""
    rt = runtime(request)
    rt.need_ready()
    rulesets = _regimes(body.regime)
    day = _day(body.as_of)
    service = rt.service

    def screen(name: str) -> tuple[str, str] | None:
        found = service.screen(ScreenQuery(name=name), LISTED_SCORE, 1, service.datasets)
        return (found[0].id, found[0].caption) if found else None

    answers: list[dict[str, Any]] = []
    with service.pool.connection() as store:
        for c in body.companies:
            found = exposure_of(
                store,
                c.id,
                c.name,
                rulesets,
                day,
                service.parties,
                service.listing,
                service.versions,
                screen,
            )
            answers.append(
                {
                    "input": c.model_dump(),
                    "id": found.node,
                    "caption": found.caption,
                    "results": [a.to_dict() for a in found.assessments],
                }
            )
    audited(
        rt,
        caller=key.id,
        kind="ownership",
        request={
            "endpoint": "/ownership/exposure",
            "companies": len(body.companies),
            "regime": body.regime,
            "as_of": day.isoformat(),
        },
        lists=service.lists(),
        results=[
            {"id": a["id"], "regime": r["regime"], "status": r["status"]}
            for a in answers
            for r in a["results"]
        ],
    )
    return JSONResponse({"as_of": day.isoformat(), "results": answers})
