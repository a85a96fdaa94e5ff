"""What every way of screening shares (one name on the command line, a whole file): reading the
country and birth date a user gives, choosing the list versions, explaining a result in one line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sanctrace.errors import SanctraceError
from sanctrace.match import Match, Query
from sanctrace.model.countries import to_code
from sanctrace.model.dates import parse_date
from sanctrace.store import VersionInfo


def country_code(value: str, label: str = "--country") -> str:
    """An ISO 3166-1 alpha-2 code for a country name or code, or a one-line error."""
    code = to_code(value)
    if code is None:
        raise SanctraceError(f"{label} {value!r} is not a country (use an ISO code such as RU)")
    return code


def birth_date(value: str, label: str = "--birth-date") -> str:
    """An ISO date prefix (YYYY, YYYY-MM or YYYY-MM-DD), or a one-line error."""
    parsed = parse_date(value)
    if not parsed:
        raise SanctraceError(f"{label} {value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return parsed


def explain(match: Match) -> str:
    """The token links of a result in one line: ``query ~ candidate (how similarity)``, then
    the words of either name that matched nothing, then the other evidence."""
    parts = []
    for link in match.explanation.get("tokens", []):
        sign = "=" if link["how"] == "exact" else "~"
        parts.append(
            f"{link['query']} {sign} {link['candidate']} ({link['how']} {link['similarity']:.2f})"
        )
    # Every word is accounted for: a high score with a word that matched nothing says so.
    for side, key in (
        ("query", "unmatched_query_tokens"),
        ("listed", "unmatched_candidate_tokens"),
    ):
        words = match.explanation.get(key) or []
        if words:
            parts.append(f"unmatched in {side} name: {' '.join(words)}")
    for feature in match.explanation.get("features", []):
        if feature["feature"] in ("name",):
            continue
        if feature["feature"] == "learned":
            parts.append(_learned_reasons(feature))
            continue
        delta = feature.get("delta")
        parts.append(
            f"{feature['feature']} {delta:+.2f}" if isinstance(delta, float) else feature["feature"]
        )
    return "; ".join(parts)


def _learned_reasons(feature: dict[str, Any]) -> str:
    """The learned score's largest contributions in words: "p 0.95: a rare word spelled the
    same +1.2, ..."."""
    reasons = ", ".join(
        f"{c['says']} {c['log_odds']:+.1f}" for c in feature.get("contributions", [])[:3]
    )
    return f"p {feature['probability']:.2f} from log-odds {feature['log_odds']:+.2f}: {reasons}"


def select_versions(
    versions: Sequence[VersionInfo], datasets: Iterable[str] | None
) -> list[VersionInfo]:
    """The active versions of the named datasets (all when none are named); an unknown
    dataset is an error naming the loaded ones."""
    wanted = list(datasets or [])
    if not wanted:
        return list(versions)
    known = {v.dataset for v in versions}
    unknown = [d for d in wanted if d not in known]
    if unknown:
        raise SanctraceError(
            f"dataset(s) not loaded: {', '.join(unknown)} (loaded: {', '.join(sorted(known))})"
        )
    return [v for v in versions if v.dataset in wanted]


Result = Match | dict[str, Any]


def only_datasets(
    listing: Callable[[str], dict[str, Any] | None], datasets: Iterable[str] | None
) -> Callable[[str], dict[str, Any] | None]:
    """A listing reader that knows only the listings of ``datasets`` (all when none are
    named): a screening restricted to some lists shows a party's listings on those lists."""
    wanted = frozenset(datasets or ())
    if not wanted:
        return listing

    def restricted(record_id: str) -> dict[str, Any] | None:
        described = listing(record_id)
        return described if described is not None and described["dataset"] in wanted else None

    return restricted


def screen_report(
    query: Query, results: Sequence[Result], versions: Sequence[VersionInfo], threshold: float
) -> dict[str, Any]:
    """The JSON of one screening: ``sanctrace screen --format json`` and ``POST /screen``.
    ``results`` are party results (:func:`sanctrace.resolve.grouping.group_matches`) or, from
    a caller that does not group, record matches."""
    return {
        "query": query.to_dict(),
        "datasets": [
            {
                "dataset": v.dataset,
                "version": v.version,
                "published": v.published,
                "entities": v.entities,
            }
            for v in versions
        ],
        "threshold": threshold,
        "results": [r if isinstance(r, dict) else r.to_dict() for r in results],
    }


def audit_results(results: Sequence[Result]) -> list[dict[str, Any]]:
    """What the audit trail keeps of each result. A party result is kept as its records, each
    with the party's id and score (so a decision can name any record of it) and the record's
    own score when it matched (None when it is listed but did not match)."""
    kept = []
    for r in results:
        if not isinstance(r, dict):
            kept.append(
                {
                    "id": r.id,
                    "score": round(r.score, 4),
                    "match": r.match,
                    "matched_name": r.matched_name,
                }
            )
            continue
        for listed in r.get("listings") or [{"id": r["id"], "score": r["score"]}]:
            kept.append(
                {
                    "id": listed["id"],
                    "party_id": r["id"],
                    "score": round(r["score"], 4),
                    "match": r["match"],
                    "matched_name": listed.get("matched_name") or "",
                    "record_score": listed.get("score"),
                }
            )
    return kept


def audit_lists(versions: Sequence[VersionInfo]) -> list[dict[str, Any]]:
    """The list versions a screening ran against, as the audit trail keeps them."""
    return [{"dataset": v.dataset, "version": v.version, "sha256": v.sha256} for v in versions]
