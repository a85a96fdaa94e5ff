"""The answer of a ``/match`` request, from its parsed examples to the bytes sent: a function
of the service alone, so that a costly request can be answered in the costly-request process
(:mod:`sanctrace.api.far`) exactly as a cheap one is answered in a request thread."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sanctrace.api.ftm import TO_FTM, Example, entity_json, explanations
from sanctrace.api.ftm import topics as ftm_topics
from sanctrace.api.parties import group, party_count, records_wanted, scored_party_json
from sanctrace.export.ftm import ftm_id
from sanctrace.match import Match
from sanctrace.screening import audit_results as kept_results

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
    """The JSON answer, and the results as the audit record keeps them (as ``sanctrace
    screen`` does: each party's records with the party's id)."""

    content: bytes
    audit_results: dict[str, Any]


def schema_names(schema: str) -> set[str]:
    return {schema, TO_FTM.get(schema, schema)}


def _rejects(
    service: Service, m: Match, params: dict[str, Any], excluded_parties: set[str]
) -> bool:
    """Whether a filter of the request (schema, ids, topics, changed since) drops ``m``; an
    excluded id (a party's, or any record's of it) drops its whole party."""
    if set(params["exclude_schema"]) & schema_names(m.schema):
        return True
    excluded_ids = set(params["exclude_entity_ids"])
    if excluded_ids and (
        ftm_id(m.id) in excluded_ids or service.parties.party_of(m.id) in excluded_parties
    ):
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
    """Screen every example's names, keep each record's best score, filter, fold the records
    into parties (one result each, best first, at most ``limit``) and render."""
    params, limit, threshold = request.params, request.limit, request.threshold
    filtering = bool(
        params["exclude_schema"]
        or params["exclude_entity_ids"]
        or params["topics"]
        or params["changed_since"]
    )
    depth = records_wanted(limit)
    if filtering:
        depth = min(records_wanted(MAX_MATCHES * 2), depth * 2 + len(params["exclude_entity_ids"]))
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
            excluded = {service.parties.canonical(i) for i in params["exclude_entity_ids"]}
            found = [m for m in found if not _rejects(service, m, params, excluded)]
        by_id = {m.id: m for m in found}
        grouped = group(service, found, request.datasets, limit)
        results = [
            scored_party_json(service, r, by_id[r["record_id"]], threshold, explanations)
            for r in grouped
        ]
        matched = party_count(service, (m for m in found if m.score >= threshold))
        responses[name] = {
            "status": 200,
            "results": results,
            "total": {"value": matched, "relation": "eq"},
            "query": parsed.echo(),
        }
        audit_results[name] = kept_results(
            [{**r, "match": r["score"] >= threshold} for r in grouped]
        )
    content = json.dumps(
        {"responses": responses, "limit": limit},
        ensure_ascii=False,
        allow_nan=False,
        separators=(",", ":"),
    ).encode("utf-8")
    return MatchAnswer(content, audit_results)
