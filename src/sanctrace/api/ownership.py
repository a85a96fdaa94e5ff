"""``GET /ownership/check``: the answer of ``sanctrace ownership check --format json``, and
``GET /ownership/loads``: the ownership files loaded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from sanctrace.api.auth import require
from sanctrace.api.runtime import audited, runtime
from sanctrace.api.wire import ERRORS
from sanctrace.errors import NotFoundError
from sanctrace.keys import ApiKey
from sanctrace.ownership.check import check, find_node
from sanctrace.ownership.rules import BUILT_IN
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
    unknown = [r for r in regime if r.lower() not in BUILT_IN]
    if unknown:
        raise HTTPException(422, f"unknown regime {', '.join(unknown)}: use {', '.join(BUILT_IN)}")
    try:
        day = date.fromisoformat(as_of) if as_of else datetime.now(UTC).date()
    except ValueError:
        raise HTTPException(422, f"as_of {as_of!r} is not a date (YYYY-MM-DD)") from None
    service = rt.service
    with service.pool.connection() as store:
        try:
            node = find_node(store, q, service.parties)
        except NotFoundError as exc:
            raise HTTPException(404, str(exc)) from None
        results = [
            check(
                store,
                node,
                BUILT_IN[r.lower()],
                day,
                service.parties,
                service.listing,
                service.versions,
            )
            for r in regime
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
