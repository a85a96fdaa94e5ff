"""Goods checks: is the declared HS code on the Common High Priority List, and does the
description fit the code?

Russia's weapons run on a short list of foreign parts. BIS, the EU, Japan and the UK published
those parts as 50 HS-6 codes in tiers (the CHPL); customs and bank data carry HS codes, so a
match on the code's first six digits finds them. A code can be wrong on purpose, though:
"flight controller for quadcopter" declared as toys (9503) hides Tier 3.B goods under an
innocuous heading, so the description is read too. Complete drones (HS 8806) are not on the
CHPL; a ``drone`` flag says when the goods are, or are for, unmanned aircraft.

This module makes the flags. The HS 2022 nomenclature, the CHPL and the words that name CHPL
goods and drones are in ``nomenclature.py``; reading a description against the nomenclature's
words (suggested headings, fit to the declared one) is in ``headings.py``.
docs/trade-goods.md gives each rule, its source and the measured accuracy.
"""

from __future__ import annotations

from typing import Any

from sanctrace.trade.headings import HeadingIndex, Suggestion, description_fit, suggest_headings
from sanctrace.trade.model import Flag, Shipment
from sanctrace.trade.nomenclature import (
    CHPL_SOURCE,
    CHPL_VERSION,
    HS_SOURCE,
    WORDS_SOURCE,
    ChplEntry,
    WordHit,
    chpl,
    clean_hs_code,
    goods_named,
    nomenclature,
)

DRONE_HEADING = "8806"
#: A suggestion on the CHPL is reported as an inferred ``chpl`` flag from this score on.
MIN_INFER = 0.45


def _chpl_flag(entry: ChplEntry, declared: str, inferred: Suggestion | None = None) -> Flag:
    evidence: dict[str, Any] = {
        "tier": entry.tier,
        "tier_label": entry.label,
        "meaning": entry.meaning,
        "hs6": entry.hs6,
        "hs6_description": entry.description,
        "declared_hs_code": declared,
        "chpl_version": CHPL_VERSION,
        "inferred_from_description": inferred is not None,
    }
    if inferred is None:
        reason = f"HS {entry.hs6} is on the CHPL, {entry.label}: {entry.meaning}"
    else:
        evidence["suggestion"] = inferred.to_dict()
        reason = (
            f"no usable HS code, but the description points to HS {entry.hs6}, on the "
            f"CHPL, {entry.label}: {entry.meaning}"
        )
    return Flag("chpl", reason, CHPL_SOURCE, evidence)


def _drone_flag(hits: list[WordHit], heading: str, complete: bool) -> Flag:
    named = sorted({h.phrase for h in hits if h.group.kind == "drone"})
    if complete:
        reason = "the goods are unmanned aircraft (HS 8806): not on the CHPL, but drones"
    else:
        reason = f"the description names drones ({', '.join(named)}): goods for unmanned aircraft"
    return Flag(
        "drone",
        reason,
        f"{HS_SOURCE}, heading 8806; {WORDS_SOURCE}",
        {"drone": True, "complete_drone": complete, "named": named, "declared_heading": heading},
    )


def goods_flags(shipment: Shipment, index: HeadingIndex | None = None) -> list[Flag]:
    """``chpl``, ``hs_description_mismatch``, ``drone`` and ``hs_code_missing`` for a shipment.

    - ``chpl``: the code's first six digits are a CHPL code (or, with no usable code, the
      description's best suggestion is, from MIN_INFER on: ``inferred_from_description``).
    - ``hs_description_mismatch``: the description names CHPL goods or drones and the declared
      heading is not one they belong under, or its words fit another heading far better.
    - ``drone``: the heading is 8806, or the description names drones (evidence says which).
    - ``hs_code_missing``: no usable code; the evidence holds why and the suggested headings.
    """
    flags: list[Flag] = []
    description = shipment.description.strip()
    hits = goods_named(description) if description else []
    digits, problem = clean_hs_code(shipment.hs_code)
    drone_named = any(h.group.kind == "drone" for h in hits)
    if problem:
        suggestions = suggest_headings(description, 3, index) if description else []
        flags.append(
            Flag(
                "hs_code_missing",
                problem
                + (
                    f"; likely headings: {', '.join(s.heading for s in suggestions)}"
                    if suggestions
                    else "; no description to suggest a heading from"
                ),
                HS_SOURCE,
                {
                    "declared_hs_code": shipment.hs_code,
                    "problem": problem,
                    "suggestions": [s.to_dict() for s in suggestions],
                },
            )
        )
        inferred = next((s for s in suggestions if s.chpl and s.score >= MIN_INFER), None)
        if inferred and inferred.chpl:
            flags.append(_chpl_flag(inferred.chpl, shipment.hs_code, inferred))
        top = suggestions[0].heading if suggestions else ""
        if drone_named or top == DRONE_HEADING:
            flags.append(_drone_flag(hits, "", top == DRONE_HEADING))
        return flags
    heading = digits[:4]
    entry = chpl().get(digits[:6]) if len(digits) >= 6 else None
    if entry:
        flags.append(_chpl_flag(entry, digits))
    mismatch = _mismatch(description, digits, hits, index) if description else None
    if mismatch:
        flags.append(mismatch)
    if heading == DRONE_HEADING or drone_named:
        flags.append(_drone_flag(hits, heading, heading == DRONE_HEADING))
    return flags


def _mismatch(
    description: str, digits: str, hits: list[WordHit], index: HeadingIndex | None
) -> Flag | None:
    heading = digits[:4]
    table = nomenclature()
    declared = table.get(digits[:6]) or table[heading]
    if hits:
        wrong = [h for h in hits if heading not in h.group.fits()]
        if len(wrong) < len(hits):
            return None  # the goods named fit the heading (other words may be their context)
        expected = sorted({c[:4] for h in wrong for c in h.group.headings})
        named = [h.phrase for h in wrong]
        chpl_codes = sorted({c for h in wrong for c in h.group.chpl_hs6})
        return Flag(
            "hs_description_mismatch",
            f"the description names {', '.join(named)} (HS {', '.join(expected)}), "
            f"declared as {heading} ({declared.description})",
            WORDS_SOURCE,
            {
                "rule": "named_goods",
                "declared_hs_code": digits,
                "declared_heading": heading,
                "declared_description": declared.description,
                "named": named,
                "expected_headings": expected,
                "chpl_hs6": chpl_codes,
                "drone": any(h.group.kind == "drone" for h in wrong),
            },
        )
    fit = description_fit(description, heading, index)
    if fit.fits:
        return None
    top = table.get(fit.top)
    return Flag(
        "hs_description_mismatch",
        f"the description reads as {fit.top} ({top.description if top else ''}), not as the "
        f"declared {heading} ({declared.description})",
        HS_SOURCE,
        {
            "rule": "text",
            "declared_hs_code": digits,
            "declared_heading": heading,
            "declared_description": declared.description,
            "declared_score": round(fit.declared_score, 3),
            "best_heading": fit.top,
            "best_score": round(fit.top_score, 3),
            "suggestions": [s.to_dict() for s in suggest_headings(description, 3, index)],
        },
    )
