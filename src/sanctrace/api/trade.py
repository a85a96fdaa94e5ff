"""``POST /trade/screen``: a batch of shipments screened as ``sanctrace trade screen`` does,
each with its risk, level and flags (with their reasons, evidence and sources)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from sanctrace.api.auth import require
from sanctrace.api.runtime import audited, runtime
from sanctrace.api.wire import ERRORS
from sanctrace.keys import ApiKey
from sanctrace.trade.model import ROLES
from sanctrace.trade.read import row_shipment

if TYPE_CHECKING:
    from sanctrace.api.service import Service

router = APIRouter()

#: The most shipments one request may carry (a file goes through `sanctrace trade screen`).
MAX_SHIPMENTS = 5000


class TradeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shipments: list[dict[str, str | float | int | None]] = Field(
        ...,
        min_length=1,
        max_length=MAX_SHIPMENTS,
        description="Objects keyed by role: shipment_id, date, shipper, consignee, hs_code, …",
    )
    regime: str = Field("ofac", description="Ownership rules: ofac, eu or uk")
    restricted: list[str] = Field(["RU", "BY"], max_length=50)


@router.post("/trade/screen", summary="Screen shipments", tags=["Trade"], responses=ERRORS)
def trade_screen(request: Request, body: TradeRequest, key: ApiKey = require("screener")) -> Any:
    """Each shipment's `risk` (0-100), `level` (high, medium, low), `flags` (codes) and
    `flag_details` (code, reason, source, evidence), highest risk first, and the checks the
    shipments' fields switched off: `{"summary", "checks_off", "errors", "shipments"}`."""
    from sanctrace.ownership.rules import BUILT_IN
    from sanctrace.trade.run import ranked

    rt = runtime(request)
    rt.need_ready()
    if body.regime.lower() not in BUILT_IN:
        raise HTTPException(422, f"unknown regime {body.regime!r}: use {', '.join(BUILT_IN)}")
    unknown = sorted({k for s in body.shipments for k in s} - set(ROLES))
    if unknown:
        raise HTTPException(
            422, f"unknown field(s) {', '.join(unknown)}; roles: {', '.join(ROLES)}"
        )
    service = rt.service
    assert service.screener is not None
    ruleset = BUILT_IN[body.regime.lower()]
    columns = {role: i for i, role in enumerate(ROLES)}
    roles = {k for s in body.shipments for k, v in s.items() if v not in (None, "")}
    rows = [
        row_shipment(n, tuple("" if s.get(r) is None else str(s.get(r)) for r in ROLES), columns)
        for n, s in enumerate(body.shipments, 1)
    ]
    report = screen_rows(
        service, rows, roles, ruleset, frozenset(c.upper() for c in body.restricted)
    )
    answers = [
        {**s.row(), "flag_details": [f.to_dict() for f in s.flags]}
        for s in ranked(report.shipments)
    ]
    audited(
        rt,
        caller=key.id,
        kind="trade",
        request={"endpoint": "/trade/screen", "shipments": len(rows), "regime": ruleset.name},
        lists=service.lists(),
        results=[
            {"shipment_id": a["shipment_id"], "level": a["level"], "flags": a["flags"]}
            for a in answers
            if a["level"] != "low"
        ],
    )
    return JSONResponse(
        {
            "summary": report.counts(),
            "checks_off": report.checks_off,
            "errors": [str(e) for e in report.errors],
            "shipments": answers,
        }
    )


def screen_rows(
    service: Service,
    rows: Sequence[Any],
    roles: set[str],
    ruleset: Any,
    restricted: frozenset[str],
) -> Any:
    """Screen parsed shipment rows in memory against the service's lists, with the ownership
    data of the store when there is any, under ``ruleset`` (what ``POST /trade/screen`` and the
    UI's upload page share)."""
    from sanctrace.ownership.screening import owned_results
    from sanctrace.ownership.store import has_edges
    from sanctrace.trade.parties import PartyChecks
    from sanctrace.trade.run import screen_shipments

    assert service.screener is not None
    with service.pool.connection() as store:
        loaded = has_edges(store)

        def ownership(name: str, day: dt.date) -> list[dict[str, Any]]:
            return owned_results(
                store, name, service.parties, service.listing, service.versions, day, (ruleset,)
            )

        checks = PartyChecks(
            service.screener,
            service.parties,
            service.listing,
            ownership=ownership if loaded else None,
        )
        return screen_shipments(rows, roles, checks, restricted=restricted, ownership_loaded=loaded)
