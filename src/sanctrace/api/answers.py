"""The answer of a ``/match`` request, from its parsed examples to the bytes sent: a function
of the service alone, so that a costly request can be answered in the costly-request process
(:mod:`sanctrace.api.far`) exactly as a cheap one is answered in a request thread."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sanctrace.api.ftm import TO_FTM, Example, entity_json, scored_json
from sanctrace.api.ftm import topics as ftm_topics
from sanctrace.export.ftm import ftm_id
from sanctrace.match import Match

if TYPE_CHECKING:
    from sanctrace.api.service import Service

#: Most results a query may ask for (``limit``); filtered queries look twice as deep.
MAX_MATCHES = 500


@dataclass(frozen=True)
class MatchRequest:
    """What a ``/match`` request asks, once parsed and checked."""

    examples: dict[str, Example]
    datasets: list[str]
    limit: int
    threshold: float
    floor: float
    params: dict[str, Any]


@dataclass(frozen=True)
class MatchAnswer:
    """The JSON answer, and the results as the audit record keeps them."""

    content: bytes
    audit_results: dict[str, Any]


def schema_names(schema: str) -> set[str]:
    return {schema, TO_FTM.get(schema, schema)}


def _rejects(service: Service, m: Match, params: dict[str, Any]) -> bool:
    """Whether a filter of the request (schema, ids, topics, changed since) drops ``m``."""
    if set(params["exclude_schema"]) & schema_names(m.schema):
        return True
    excluded_ids = set(params["exclude_entity_ids"])
    if excluded_ids and (m.id in excluded_ids or ftm_id(m.id) in excluded_ids):
        return True
    topic_filter, changed_since = set(params["topics"]), params["changed_since"]
    if topic_filter or changed_since:
        entity, ftm, version = service.entity(m.id)
        if topic_filter and not topic_filter & set(ftm_topics(ftm)):
            return True
        if changed_since:
            changed = entity_json(entity, ftm, version)["last_change"] or ""
            if changed < changed_since:
                return True
    return False


def match_answer(service: Service, request: MatchRequest) -> MatchAnswer:
    """Screen every example's names, keep each entity's best score, filter, and render."""
    params, limit, threshold = request.params, request.limit, request.threshold
    filtering = bool(
        params["exclude_schema"]
        or params["exclude_entity_ids"]
        or params["topics"]
        or params["changed_since"]
    )
    depth = limit
    if filtering:
        depth = min(MAX_MATCHES * 2, limit * 4 + len(params["exclude_entity_ids"]))
    examples = request.examples
    owners = [name for name, parsed in examples.items() for _ in parsed.queries()]
    tasks = [
        (q, request.floor, depth, request.datasets)
        for parsed in examples.values()
        for q in parsed.queries()
    ]
    bests: dict[str, dict[str, Match]] = {name: {} for name in examples}
    for owner, screened in zip(owners, service.screen_many(tasks), strict=True):
        best = bests[owner]
        for m in screened:
            if m.id not in best or m.score > best[m.id].score:
                best[m.id] = m
    responses: dict[str, Any] = {}
    audit_results: dict[str, Any] = {}
    for name, parsed in examples.items():
        found = sorted(bests[name].values(), key=lambda m: (-m.score, m.id))
        if filtering:
            found = [m for m in found if not _rejects(service, m, params)]
        shown = found[:limit]
        results = []
        for m in shown:
            entity, ftm, version = service.entity(m.id)
            results.append(scored_json(entity, ftm, version, m, threshold))
        responses[name] = {
            "status": 200,
            "results": results,
            "total": {"value": sum(1 for m in found if m.score >= threshold), "relation": "eq"},
            "query": parsed.echo(),
        }
        audit_results[name] = [
            {"id": m.id, "score": round(m.score, 4), "match": m.score >= threshold} for m in shown
        ]
    content = json.dumps(
        {"responses": responses, "limit": limit},
        ensure_ascii=False,
        allow_nan=False,
        separators=(",", ":"),
    ).encode("utf-8")
    return MatchAnswer(content, audit_results)
