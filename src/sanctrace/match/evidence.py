"""Evidence beyond the name: identifiers, birth dates, countries, legal forms, alias quality."""

from __future__ import annotations

import re
from typing import Any

from sanctrace.match.config import MatchConfig
from sanctrace.match.score import NameScore
from sanctrace.match.types import IndexedEntity, Query

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_IMO = re.compile(r"^IMO(?=\d{7}$)")


def normalize_identifier(value: str) -> str:
    """Compare identifiers without spaces, dashes, case or an "IMO" prefix."""
    text = _NOT_ALNUM.sub("", value.upper())
    return _IMO.sub("", text)


def _years(dates: tuple[str, ...]) -> set[int]:
    out = set()
    for d in dates:
        if len(d) >= 4 and d[:4].isdigit():
            out.add(int(d[:4]))
    return out


def weigh_evidence(
    query: Query,
    entity: IndexedEntity,
    name: NameScore,
    kind: str,
    config: MatchConfig,
) -> tuple[float, list[dict[str, Any]]]:
    """The final score from the name score, with one explanation entry per feature."""
    features: list[dict[str, Any]] = [{"feature": "name", "score": round(name.score, 3)}]
    score = name.score
    factor = config.name_kind_factor.get(kind, 1.0)
    if factor != 1.0:
        score *= factor
        features.append({"feature": "name_kind", "kind": kind, "factor": factor})

    q_forms, c_forms = set(name.query_legal_forms), set(name.candidate_legal_forms)
    if q_forms and c_forms:
        if q_forms & c_forms:
            score += config.legal_form_agree_bonus
            features.append(
                {
                    "feature": "legal_form",
                    "agree": sorted(q_forms & c_forms),
                    "delta": config.legal_form_agree_bonus,
                }
            )
        else:
            score -= config.legal_form_conflict_penalty
            features.append(
                {
                    "feature": "legal_form",
                    "conflict": [sorted(q_forms), sorted(c_forms)],
                    "delta": -config.legal_form_conflict_penalty,
                }
            )

    if query.countries and entity.countries:
        wanted = {c.upper() for c in query.countries}
        if wanted & entity.countries:
            score += config.country_agree_bonus
            features.append(
                {
                    "feature": "country",
                    "agree": sorted(wanted & entity.countries),
                    "delta": config.country_agree_bonus,
                }
            )
        else:
            score -= config.country_conflict_penalty
            features.append(
                {
                    "feature": "country",
                    "conflict": [sorted(wanted), sorted(entity.countries)],
                    "delta": -config.country_conflict_penalty,
                }
            )

    if query.birth_dates and entity.birth_dates:
        q_years, e_years = _years(query.birth_dates), _years(entity.birth_dates)
        exact = set(query.birth_dates) & set(entity.birth_dates)
        if exact or q_years & e_years:
            score += config.birth_date_agree_bonus
            features.append(
                {
                    "feature": "birth_date",
                    "agree": sorted(exact or {str(y) for y in q_years & e_years}),
                    "delta": config.birth_date_agree_bonus,
                }
            )
        elif q_years and e_years and min(abs(a - b) for a in q_years for b in e_years) > 1:
            score -= config.birth_date_conflict_penalty
            features.append(
                {
                    "feature": "birth_date",
                    "conflict": [list(query.birth_dates), list(entity.birth_dates)],
                    "delta": -config.birth_date_conflict_penalty,
                }
            )

    if query.identifiers and entity.identifiers:
        wanted_ids = {normalize_identifier(i) for i in query.identifiers}
        shared = wanted_ids & entity.identifiers
        if shared:
            if score < config.identifier_match_score:
                features.append(
                    {
                        "feature": "identifier",
                        "agree": sorted(shared),
                        "delta": round(config.identifier_match_score - score, 3),
                    }
                )
                score = config.identifier_match_score
            else:
                features.append({"feature": "identifier", "agree": sorted(shared), "delta": 0.0})
    return max(0.0, min(1.0, score)), features
