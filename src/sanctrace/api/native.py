"""sanctrace's own endpoints: ``POST /screen`` (the JSON of ``sanctrace screen --format
json``, with what the ownership data says under ``ownership``), ``GET /lists``,
``GET /audit``, and the operational ``/healthz``, ``/readyz`` and ``/metrics``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from sanctrace import audit
from sanctrace.api.auth import require
from sanctrace.api.cost import name_cost
from sanctrace.api.parties import group, records_wanted
from sanctrace.api.runtime import audited, runtime
from sanctrace.api.wire import ERRORS
from sanctrace.errors import SanctraceError
from sanctrace.keys import ApiKey
from sanctrace.match import DEFAULT_THRESHOLD
from sanctrace.match import Query as ScreenQuery
from sanctrace.match.screener import MAX_QUERY_CHARS, QUERY_SCHEMATA
from sanctrace.screening import audit_results, birth_date, country_code, screen_report

router = APIRouter()
#: The largest integer a database column holds (a larger id is 422, not an overflow).
MAX_INT = 2**63 - 1


class ScreenRequest(BaseModel):
    """One party to screen; the fields of ``sanctrace screen``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=MAX_QUERY_CHARS, examples=["IEMZ Kupol"])
    schema_: str | None = Field(
        None, alias="schema", examples=["Company"], description=", ".join(sorted(QUERY_SCHEMATA))
    )
    countries: list[str] = Field([], max_length=50, examples=[["RU"]])
    birth_dates: list[str] = Field([], max_length=50, examples=[[]])
    identifiers: list[str] = Field([], max_length=50, examples=[[]])
    threshold: float = Field(DEFAULT_THRESHOLD, ge=0.0, le=1.0)
    limit: int = Field(10, ge=1, le=500)
    datasets: list[str] = Field([], examples=[[]], description="Only these datasets")


def _invalid(field: tuple[Any, ...], message: str, kind: str = "value_error") -> HTTPException:
    return HTTPException(422, [{"type": kind, "loc": ["body", *field], "msg": message}])


@router.post("/screen", summary="Screen one party", tags=["Screening"], responses=ERRORS)
def screen(request: Request, body: ScreenRequest, key: ApiKey = require("screener")) -> Any:
    """Screen one name (with optional schema, countries, birth dates and identifiers) against
    the active lists. The answer is the JSON of `sanctrace screen --format json`:
    `{"query", "datasets", "threshold", "results", "ownership"}`, one result per party
    (`id`: its party id, `record_id`: the record that scored best, `referents`: every record
    of it, `listings`: each list's record), and `ownership`: for a company no list holds but the
    ownership data does, each regime under which it is blocked (or may be) as owned or
    controlled by listed parties (kind `owned_by_listed`). Written to the audit trail first."""
    rt = runtime(request)
    rt.need_ready()
    rt.costs.charge(key.id, name_cost(body.name, body.threshold, rt.settings, ["body", "name"]))
    service = rt.service
    if not body.name.strip() and not body.identifiers:
        raise _invalid(("name",), "the name to screen is empty (give a name, or identifiers)")
    if body.schema_ is not None and body.schema_ not in QUERY_SCHEMATA:
        raise _invalid(("schema",), f"unknown schema {body.schema_!r}")
    unknown = [d for d in body.datasets if d not in service.versions]
    if unknown:
        raise HTTPException(
            404,
            f"dataset(s) not loaded: {', '.join(unknown)} (loaded: {', '.join(service.datasets)})",
        )
    countries: list[str] = []
    dates: list[str] = []
    for i, value in enumerate(body.countries):
        try:
            countries.append(country_code(value, f"countries[{i}]"))
        except SanctraceError as exc:
            raise _invalid(("countries", i), str(exc)) from None
    for i, value in enumerate(body.birth_dates):
        try:
            dates.append(birth_date(value, f"birth_dates[{i}]"))
        except SanctraceError as exc:
            raise _invalid(("birth_dates", i), str(exc)) from None
    query = ScreenQuery(
        name=body.name,
        schema=body.schema_,
        countries=tuple(countries),
        birth_dates=tuple(dates),
        identifiers=tuple(body.identifiers),
    )
    datasets = body.datasets or service.datasets
    matches = service.screen(query, body.threshold, records_wanted(body.limit), datasets)
    results = group(service, matches, datasets, body.limit)
    versions = [service.versions[d] for d in sorted(set(datasets))]
    owned = _owned(service, body.name) if body.name.strip() else []
    rt.metrics.screenings.labels("screen").inc()
    audited(
        rt,
        caller=key.id,
        kind="screen",
        request={
            "endpoint": "/screen",
            "query": query.to_dict(),
            "threshold": body.threshold,
            "limit": body.limit,
            "datasets": body.datasets,
        },
        lists=service.lists(datasets),
        results=audit_results(results)
        + [{k: o[k] for k in ("kind", "id", "regime", "status")} for o in owned],
    )
    report = screen_report(query, results, versions, body.threshold)
    return JSONResponse({**report, "ownership": owned})


def _owned(service: Any, name: str) -> list[dict[str, Any]]:
    """What the ownership data says of an unlisted company of this name (see
    :mod:`sanctrace.ownership.screening`); nothing when no ownership data is loaded."""
    from sanctrace.ownership.screening import owned_results
    from sanctrace.ownership.store import has_edges

    with service.pool.connection() as store:
        if not has_edges(store):
            return []
        today = datetime.now(UTC).date()
        return owned_results(store, name, service.parties, service.listing, service.versions, today)


@router.get("/lists", summary="Stored list versions", tags=["Screening"], responses=ERRORS)
def lists(request: Request, key: ApiKey = require("screener")) -> Any:
    """Every stored version of every list, as `sanctrace lists show --format json`, with
    `indexed` telling which versions this server screens against."""
    rt = runtime(request)
    with rt.service.pool.connection() as store:
        versions = store.versions()
    indexed = {(v.dataset, v.version) for v in rt.service.versions.values()}
    return JSONResponse(
        [{**v.to_dict(), "indexed": (v.dataset, v.version) in indexed} for v in versions]
    )


class DecisionRequest(BaseModel):
    """An analyst's decision on one result of a recorded screening."""

    model_config = ConfigDict(extra="forbid")

    screening: int = Field(
        ..., ge=1, le=MAX_INT, description="The audit record (seq) of the screening"
    )
    entity: str = Field(..., max_length=200, examples=["us_ofac_sdn:46431"])
    decision: str = Field(..., description=", ".join(audit.DECISIONS))
    note: str = Field("", max_length=5000)


@router.post("/decisions", summary="Decide on a result", tags=["Audit"], responses=ERRORS)
def decide(request: Request, body: DecisionRequest, key: ApiKey = require("analyst")) -> Any:
    """Record a decision (`match`, `no_match`, `escalate`) on one result of a screening the
    audit trail holds, as an audit record of its own (`analyst` role)."""
    rt = runtime(request)
    try:
        with rt.service.pool.connection() as store:
            record = audit.decide(
                store,
                caller=key.id,
                screening=body.screening,
                entity=body.entity,
                decision=body.decision,
                note=body.note,
            )
    except audit.AuditWriteError:
        raise HTTPException(500, "the audit trail could not be written") from None
    except SanctraceError as exc:
        raise _invalid(("decision",), str(exc)) from None
    return JSONResponse(record.to_dict(), status_code=201)


@router.get("/audit", summary="Audit records", tags=["Audit"], responses=ERRORS)
def audit_records(
    request: Request,
    since: str | None = Query(None, description="YYYY-MM-DD or an ISO date-time (UTC)"),
    until: str | None = Query(None, description="Exclusive; a date includes that day"),
    limit: int = Query(1000, ge=1, le=10_000),
    key: ApiKey = require("analyst"),
) -> Any:
    """Audit records in order (`analyst` role), as `sanctrace audit export --format jsonl`
    writes them, with the chain's state."""
    rt = runtime(request)
    try:
        low = audit.parse_bound(since) if since else None
        high = audit.parse_bound(until, end=True) if until else None
    except SanctraceError as exc:
        raise HTTPException(
            422, [{"type": "value_error", "loc": ["query"], "msg": str(exc)}]
        ) from None
    except (OverflowError, ValueError):
        # A bound at the edge of the calendar (0001-01-01 with an offset, 9999-12-31 as the
        # end of its day) has no UTC time to compare with.
        raise HTTPException(
            422,
            [
                {
                    "type": "value_error",
                    "loc": ["query"],
                    "msg": f"since={since!r} / until={until!r}: a bound is outside the years "
                    "0001 to 9999 once taken to UTC",
                }
            ],
        ) from None
    out = []
    with rt.service.pool.connection() as store:
        for record in audit.records(store, low, high):
            out.append(record.to_dict())
            if len(out) >= limit:
                break
        head_seq, head_hash = audit.head(store)
    return JSONResponse({"records": out, "head": {"seq": head_seq, "hash": head_hash}})


@router.get("/healthz", summary="Liveness", tags=["System information"])
def healthz() -> Any:
    """`{"status": "ok"}` while the process answers; no key needed."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz", summary="Readiness", tags=["System information"], responses=ERRORS)
def readyz(request: Request) -> Any:
    """`{"status": "ok"}` once the screening index is loaded, 503 before; no key needed."""
    rt = runtime(request)
    if rt.service.load_error:
        raise HTTPException(503, f"Index failed to load: {rt.service.load_error}")
    rt.need_ready(wait=0)
    return JSONResponse({"status": "ok"})


@router.get("/metrics", summary="Prometheus metrics", tags=["System information"])
def metrics(request: Request, key: ApiKey = require("admin")) -> Any:
    """Counters and latency histograms in the Prometheus text format (`admin` role)."""
    rt = runtime(request)
    rt.metrics.ready.set(1 if rt.service.ready.is_set() else 0)
    if rt.service.screener is not None:
        rt.metrics.indexed_entities.set(len(rt.service.screener.index.entities))
    return Response(rt.metrics.render(), media_type=rt.metrics.content_type)
