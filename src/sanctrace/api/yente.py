"""yente-compatible endpoints: ``POST /match/{dataset}``, ``GET /search/{dataset}``,
``GET /entities/{id}``, ``GET /catalog``, ``GET /algorithms``.

Request and response shapes, defaults, limits and error codes follow yente 5 (the
OpenSanctions API server), so that clients written against it work unchanged; the
differences are listed in docs/api.md.
"""

from __future__ import annotations

from typing import Any

import pycountry
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from sanctrace.api.answers import MAX_MATCHES, MatchRequest, schema_names
from sanctrace.api.auth import require
from sanctrace.api.cost import BROWSE_COST, CostError, match_cost, name_cost
from sanctrace.api.ftm import (
    FROM_FTM,
    QUERY_SCHEMATA,
    TO_FTM,
    Example,
    ExampleError,
    entity_json,
    parse_example,
)
from sanctrace.api.ftm import topics as ftm_topics
from sanctrace.api.parties import caption_listing, lookup, party_json, scoped_listing
from sanctrace.api.runtime import Runtime, audited, runtime
from sanctrace.api.wire import (
    ERRORS,
    EntityMatchQuery,
    EntityMatchResponse,
    EntityResponse,
    Facet,
    SearchResponse,
)
from sanctrace.errors import NotFoundError
from sanctrace.fetch.official import OFFICIAL_SOURCES
from sanctrace.keys import ApiKey
from sanctrace.match import DEFAULT_THRESHOLD
from sanctrace.match import Query as ScreenQuery
from sanctrace.match.screener import MAX_QUERY_CHARS
from sanctrace.match.types import IndexedEntity, schemata_compatible
from sanctrace.resolve.grouping import list_version

router = APIRouter()

#: Collections that stand for every loaded list, as "default" does in yente.
COLLECTIONS = {
    "default": "All active lists (sanctrace)",
    "sanctions": "All active sanctions lists (sanctrace)",
}
#: yente's limits.
MATCH_PAGE = 5
MAX_PAGE = 500
MAX_OFFSET = 9999 - MAX_PAGE
TS_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?$"
ALGORITHM = "sanctrace"
#: yente's algorithm names: a client that pins one gets sanctrace's matcher, which is the only
#: one here (and says so in the X-Sanctrace-Algorithm header).
ALGORITHMS = frozenset(
    {"best", ALGORITHM, "logic-v2", "logic-v1", "name-based", "name-qualified", "regression-v1"}
)


# -- helpers ---------------------------------------------------------------------------------


def scope(rt: Runtime, dataset: str, include: list[str], exclude: list[str]) -> list[str]:
    """The loaded datasets a request screens against."""
    rt.need_ready()
    loaded = rt.service.datasets
    if dataset in COLLECTIONS:
        base = loaded
    elif dataset in loaded:
        base = [dataset]
    else:
        raise HTTPException(404, "No such dataset.")
    if include:
        wanted = [d for d in base if d in include]
        if not wanted:
            raise HTTPException(
                400,
                f"include_dataset: none of {', '.join(include)} is loaded in {dataset!r} "
                f"(loaded: {', '.join(base)})",
            )
        base = wanted
    return [d for d in base if d not in exclude]


def check_algorithm(algorithm: str) -> None:
    if algorithm.lower().strip() not in ALGORITHMS:
        raise HTTPException(400, f"Invalid algorithm: {algorithm}")


def _label(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code.upper())
    return country.name if country is not None else code


def _title(rt: Runtime, dataset: str) -> str:
    if dataset in COLLECTIONS:
        return COLLECTIONS[dataset]
    source = OFFICIAL_SOURCES.get(dataset)
    return source.title if source else dataset


# -- /match ----------------------------------------------------------------------------------


@router.post(
    "/match/{dataset}",
    summary="Query by example matcher",
    tags=["Matching (yente-compatible)"],
    response_model=EntityMatchResponse,
    responses=ERRORS,
)
async def match(
    request: Request,
    body: EntityMatchQuery,
    dataset: str = Path(description="A loaded dataset, or `default` for every active list"),
    limit: int = Query(MATCH_PAGE, ge=1, le=MAX_MATCHES, title="Number of results to return"),
    threshold: float = Query(
        DEFAULT_THRESHOLD, ge=0.0, le=1.0, title="Score at which a result is a match"
    ),
    cutoff: float | None = Query(
        None, ge=0.0, le=1.0, deprecated=True, title="Least score of a result (at most threshold)"
    ),
    algorithm: str = Query("best", title="Accepted for compatibility; always sanctrace's"),
    include_dataset: list[str] = Query([], title="Only these datasets"),
    exclude_schema: list[str] = Query([], title="Leave out these schemata"),
    exclude_dataset: list[str] = Query([], title="Leave out these datasets"),
    topics: list[str] = Query([], title="Only entities with any of these topics"),
    changed_since: str | None = Query(None, pattern=TS_PATTERN, title="Changed on or after"),
    exclude_entity_ids: list[str] = Query([], max_length=50, title="Leave out these entities"),
    key: ApiKey = require("screener"),
) -> Response:
    """Screen up to 100 parties, each described as a FollowTheMoney entity, against the
    active lists. Results are listed entities scoring at least `threshold` (yente's `cutoff`
    can lower that), best first, with sanctrace's explanation of each score. Every request is
    written to the audit trail before it is answered. A request is charged its cost (names x
    words x threshold) against the key's cost limit, and refused (413) past the per-request
    limit, before any work (docs/api.md, "Request cost")."""
    rt = runtime(request)
    limits = rt.settings
    if len(body.queries) > limits.max_queries:
        raise HTTPException(400, f"Too many queries in one batch (limit: {limits.max_queries})")
    floor = threshold if cutoff is None else min(cutoff, threshold)
    cost = match_cost(
        {name: q.properties for name, q in body.queries.items()}, floor, limit, limits
    )
    params = {
        "limit": limit,
        "threshold": threshold,
        "cutoff": floor,
        "algorithm": algorithm,
        "include_dataset": include_dataset,
        "exclude_dataset": exclude_dataset,
        "exclude_schema": exclude_schema,
        "topics": topics,
        "changed_since": changed_since,
        "exclude_entity_ids": exclude_entity_ids,
    }
    far = cost > rt.settings.costly_cost
    return await rt.costs.run(key.id, cost, _match, rt, key, body, dataset, params, far)


def _match(
    rt: Runtime,
    key: ApiKey,
    body: EntityMatchQuery,
    dataset: str,
    params: dict[str, Any],
    far: bool = False,
) -> Response:
    """The work of ``/match``, in a request thread (for a costly request, a costly thread
    whose screening is done in the costly-request process)."""
    limit, threshold, floor = params["limit"], params["threshold"], params["cutoff"]
    datasets = scope(rt, dataset, params["include_dataset"], params["exclude_dataset"])
    check_algorithm(params["algorithm"])
    for name in body.config:
        raise HTTPException(400, f"Invalid configuration parameter: {name} for algorithm sanctrace")
    if not body.queries:
        raise HTTPException(400, "No queries provided.")
    examples: dict[str, Example] = {}
    for name, example in body.queries.items():
        try:
            examples[name] = parse_example(name, example.schema_, example.properties, example.id)
        except ExampleError as exc:
            raise HTTPException(exc.status, exc.detail) from None
    request = MatchRequest(examples, datasets, limit, threshold, floor, params)
    answer = rt.service.answer(request, far=far)
    content = answer.content
    if len(content) > rt.settings.max_response_bytes:
        # Refused before the audit record: no result leaves the server unrecorded, and none
        # is recorded that the client never got.
        raise CostError(
            413,
            ["query", "limit"],
            f"the answer would be {len(content):,} bytes, over the limit of "
            f"{rt.settings.max_response_bytes:,}: lower limit or split the queries over "
            "several requests",
        )
    rt.metrics.screenings.labels("match").inc(len(examples))
    audited(
        rt,
        caller=key.id,
        kind="match",
        request={
            "endpoint": f"/match/{dataset}",
            "params": params,
            "queries": {n: e.echo() for n, e in examples.items()},
        },
        lists=rt.service.lists(datasets),
        results=answer.audit_results,
    )
    return Response(
        content,
        media_type="application/json",
        headers={"x-batch-size": str(len(examples)), "x-sanctrace-algorithm": ALGORITHM},
    )


# -- /search ---------------------------------------------------------------------------------


def _browse(rt: Runtime, datasets: list[str], schema: str | None) -> list[IndexedEntity]:
    assert rt.service.screener is not None
    wanted = set(datasets)
    return [
        e
        for e in rt.service.screener.index.entities
        if e.dataset in wanted and schemata_compatible(schema, e.schema)
    ]


@router.get(
    "/search/{dataset}",
    summary="Simple entity search",
    tags=["Matching (yente-compatible)"],
    response_model=SearchResponse,
    responses=ERRORS,
)
def search(
    request: Request,
    dataset: str = Path(description="A loaded dataset, or `default` for every active list"),
    q: str = Query("", max_length=MAX_QUERY_CHARS, title="A name, in any script"),
    schema: str = Query("Thing", title="Types of entities that can match"),
    include_dataset: list[str] = Query([]),
    exclude_schema: list[str] = Query([]),
    exclude_dataset: list[str] = Query([]),
    changed_since: str | None = Query(None, pattern=TS_PATTERN),
    countries: list[str] = Query([], title="Only entities linked to these countries"),
    topics: list[str] = Query([]),
    datasets: list[str] = Query([], title="Only these datasets"),
    limit: int = Query(10, ge=0, le=MAX_PAGE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    sort: list[str] = Query([], title="Accepted for compatibility; results are best first"),
    target: bool | None = Query(None),
    fuzzy: bool = Query(False, title="Accepted for compatibility; matching is always fuzzy"),
    simple: bool = Query(False, title="Accepted for compatibility"),
    facets: list[Facet] = Query([Facet.COUNTRIES, Facet.TOPICS, Facet.DATASETS]),
    key: ApiKey = require("screener"),
) -> JSONResponse:
    """Parties whose names are like `q` (best first), or every party when `q` is empty,
    with facet counts (of parties). Each result is one party with every listing of it
    (`referents`, `datasets`, `listings`). For screening use `/match`, which weighs more
    than the name."""
    rt = runtime(request)
    if q.strip():
        rt.costs.charge(key.id, name_cost(q, rt.settings.search_threshold, rt.settings, ["q"]))
    else:
        rt.costs.charge(key.id, BROWSE_COST)
    scoped = scope(rt, dataset, include_dataset + datasets, exclude_dataset)
    if schema not in QUERY_SCHEMATA:
        raise HTTPException(400, "Invalid schema")
    own_schema = None if schema == "Thing" else FROM_FTM.get(schema, schema)
    wanted_countries = {c.lower() for c in countries}
    excluded = set(exclude_schema)
    topic_filter = set(topics)
    scores: dict[str, float] = {}
    if q.strip():
        found = rt.service.screen(
            ScreenQuery(name=q, schema=own_schema),
            rt.settings.search_threshold,
            MAX_OFFSET + MAX_PAGE,
            scoped,
        )
        scores = {m.id: m.score for m in found}
        ids = [m.id for m in found]
    else:
        ids = [e.id for e in _browse(rt, scoped, own_schema)]
    service = rt.service
    lookup_indexed = service.by_id
    kept: list[str] = []
    for entity_id in ids:
        indexed = lookup_indexed[entity_id]
        if excluded & schema_names(indexed.schema):
            continue
        if wanted_countries and not wanted_countries & {c.lower() for c in indexed.countries}:
            continue
        if target is False:
            continue  # every listed entity is a target
        if topic_filter or changed_since:
            entity, ftm, version = service.entity(entity_id)
            if topic_filter and not topic_filter & set(ftm_topics(ftm)):
                continue
            if changed_since and (entity_json(entity, ftm, version)["last_change"] or "") < (
                changed_since
            ):
                continue
        kept.append(entity_id)
    # One result per party, where its best record came; a party stands for its records
    # among those kept.
    found_in: dict[str, list[str]] = {}
    for entity_id in kept:
        found_in.setdefault(service.parties.party_of(entity_id), []).append(entity_id)
    party_ids = list(found_in)
    page = party_ids[offset : offset + limit]
    listing = scoped_listing(service, scoped)
    results = []
    shown_records: dict[str, list[str]] = {}
    for party in page:
        members = service.parties.members(party) or found_in[party]
        listings = [d for d in (listing(r) for r in members) if d is not None]
        best = found_in[party][0]
        listings.sort(key=lambda d: (d["id"] != best, d["dataset"], d["id"]))
        caption = caption_listing(listings)["caption"]
        data = party_json(service, party, listings, caption=caption, lead=best)
        # Each hit its score (None when browsing, without q), record and list version.
        data["score"] = round(scores[best], 4) if best in scores else None
        data["record_id"] = best
        data["list_version"] = list_version(listings, best)
        results.append(data)
        shown_records[party] = [d["id"] for d in listings]
    facet_data: dict[str, Any] = {}
    for facet in facets:
        counts: dict[str, int] = {}
        for records in found_in.values():
            values: set[str] = set()
            for entity_id in records:
                indexed = lookup_indexed[entity_id]
                if facet is Facet.DATASETS:
                    values.add(indexed.dataset)
                elif facet is Facet.SCHEMA:
                    values.add(TO_FTM.get(indexed.schema, indexed.schema))
                elif facet is Facet.COUNTRIES:
                    values.update(c.lower() for c in indexed.countries)
                else:
                    values.add("sanction")
            for value in values:
                counts[value] = counts.get(value, 0) + 1
        labels = {
            Facet.DATASETS: ("Data sources", lambda v: _title(rt, v)),
            Facet.SCHEMA: ("Entity types", lambda v: v),
            Facet.COUNTRIES: ("Countries", _label),
            Facet.TOPICS: ("Topics", lambda v: "Sanctioned entity" if v == "sanction" else v),
        }
        title, label = labels[facet]
        facet_data[facet.value] = {
            "label": title,
            "values": [
                {"name": v, "label": label(v), "count": n}
                for v, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            ],
        }
    if q.strip():
        rt.metrics.screenings.labels("search").inc()
        audited(
            rt,
            caller=key.id,
            kind="search",
            request={
                "endpoint": f"/search/{dataset}",
                "q": q,
                "schema": schema,
                "params": {
                    "limit": limit,
                    "offset": offset,
                    "countries": countries,
                    "datasets": datasets,
                    "include_dataset": include_dataset,
                    "exclude_dataset": exclude_dataset,
                    "exclude_schema": exclude_schema,
                    "topics": topics,
                    "changed_since": changed_since,
                },
            },
            lists=rt.service.lists(scoped),
            results={
                "total": len(party_ids),
                "shown": [
                    {
                        "id": party,
                        "record_id": found_in[party][0],
                        "referents": shown_records[party],
                        "score": round(scores[found_in[party][0]], 4),
                    }
                    for party in page
                ],
            },
        )
    return JSONResponse(
        {
            "results": results,
            "facets": facet_data,
            "total": {"value": len(party_ids), "relation": "eq"},
            "limit": limit,
            "offset": offset,
        }
    )


# -- /entities, /catalog, /algorithms ------------------------------------------------------


@router.get(
    "/entities/{entity_id}",
    summary="One listed party",
    tags=["Data access (yente-compatible)"],
    response_model=EntityResponse,
    responses=ERRORS,
)
def fetch_entity(
    request: Request,
    entity_id: str = Path(
        description="A party id, a merged party's former id, or the id of any listed record of it",
        examples=["us_ofac_sdn:46431"],
    ),
    nested: bool = Query(True, title="Include adjacent entities (sanctions, identifications)"),
    key: ApiKey = require("screener"),
) -> JSONResponse:
    """The party with every listed record of it (`referents`, `listings`) and every FtM
    property its lists give, from the versions the index was built from; with `nested`,
    the sanctions, identifications and links inline. A merged party's former id, or any
    record id, answers with the party it belongs to now (its `id`)."""
    rt = runtime(request)
    rt.need_ready()
    try:
        party, listings = lookup(rt.service, entity_id)
    except NotFoundError:
        raise HTTPException(404, "No such entity!") from None
    return JSONResponse(party_json(rt.service, party, listings, nested=nested))


@router.get("/catalog", summary="Data catalog", tags=["Data access (yente-compatible)"])
def catalog(request: Request, key: ApiKey = require("screener")) -> JSONResponse:
    """The loaded lists (one dataset each, with its version) and the `default` collection.
    `outdated` names lists whose active version changed since the index was loaded
    (restart the server to screen against it)."""
    rt = runtime(request)
    rt.need_ready()
    service = rt.service
    with service.pool.connection() as store:
        active = {v.dataset: v for v in store.active_versions()}
    outdated = sorted(
        d for d, v in service.versions.items() if d in active and active[d].id != v.id
    )
    outdated += sorted(d for d in active if d not in service.versions)
    items: list[dict[str, Any]] = []
    for name, v in sorted(service.versions.items()):
        source = OFFICIAL_SOURCES.get(name)
        items.append(
            {
                "name": name,
                "title": _title(rt, name),
                "summary": source.note if source else None,
                "url": source.url if source else None,
                "version": v.version,
                "updated_at": v.loaded_at,
                "last_export": v.published,
                "entity_count": v.entities,
                "thing_count": v.entities,
                "load": True,
                "entities_url": None,
                "index_version": v.sha256[:12],
                "index_current": name not in outdated,
                "children": [],
                "deprecated": False,
            }
        )
    key_version = "-".join(f"{d}@{v.version}" for d, v in sorted(service.versions.items()))
    for name, title in COLLECTIONS.items():
        items.append(
            {
                "name": name,
                "title": title,
                "summary": "Every list loaded in this sanctrace server.",
                "version": key_version,
                "entity_count": sum(v.entities for v in service.versions.values()),
                "load": True,
                "entities_url": None,
                "index_version": key_version,
                "index_current": not outdated,
                "children": sorted(service.versions),
                "deprecated": False,
            }
        )
    current = [i["name"] for i in items if i["index_current"]]
    return JSONResponse(
        {
            "datasets": items,
            "current": current,
            "outdated": outdated,
            "index_stale": bool(outdated),
        }
    )


@router.get("/algorithms", summary="Matching algorithms", tags=["System information"])
def algorithms(request: Request, key: ApiKey = require("screener")) -> JSONResponse:
    """The one matcher here, under yente's shape; every algorithm name yente knows is accepted
    by `/match` and answered by it."""
    features = {
        "name": "Name similarity: token alignment across scripts, transliterations, "
        "phonetic keys, acronyms, legal forms (0 to 1)",
        "name_kind": "Factor for the quality of the matched name (weak alias, former name)",
        "legal_form": "Legal forms agree (bonus) or conflict (penalty)",
        "country": "Countries agree (bonus) or conflict (penalty)",
        "birth_date": "Birth dates or years agree (bonus) or conflict (penalty)",
        "identifier": "An identifier agrees exactly: the score becomes at least 0.98",
    }
    docs = {
        name: {"description": text, "coefficient": 1.0, "url": "docs/matching.md"}
        for name, text in features.items()
    }
    return JSONResponse(
        {
            "algorithms": [
                {
                    "name": ALGORITHM,
                    "description": "sanctrace's explainable name matcher (docs/matching.md)",
                    "features": docs,
                    "docs": {
                        "name": ALGORITHM,
                        "description": "sanctrace's explainable name matcher",
                        "config": {},
                        "features": docs,
                    },
                }
            ],
            "default": ALGORITHM,
            "best": ALGORITHM,
        }
    )
