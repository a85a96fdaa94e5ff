"""Fit the learned scorer on bench/data/pairs-train.tsv; write match/data/scorer.json.

Real pairs only (bench/build_pairs.py). The name model is an L2-regularised logistic regression
over the explainable facts of sanctrace.match.features, fitted by Newton's method (numpy only; no
training happens at install time). Evidence beyond the name (a country, a birth year that agrees
or conflicts) adds log-likelihood ratios counted on pairs whose label did not come from that
evidence. Prints dev-split figures (log loss, calibration, F1 by threshold) to choose the default
threshold; the test split is left to bench/quality.py::

    .venv/bin/python bench/train_scorer.py            # about a minute
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pairlib
from quality_pairs import calibration
from quality_pairs import f1 as f1_score

from sanctrace.match.config import DEFAULT_CONFIG
from sanctrace.match.features import NAME_FEATURES, evidence_of, name_features

OUT = (
    Path(__file__).resolve().parent.parent / "src" / "sanctrace" / "match" / "data" / "scorer.json"
)
RULES = replace(DEFAULT_CONFIG, algorithm="rules")
L2 = 1.0
#: Evidence log-odds are kept within this: a few hundred pairs do not prove more.
MAX_LOG_ODDS = 3.0
#: A weak alias ("a.k.a." of low quality, as the list says) costs this much, a prior, not fitted:
#: the pairs do not mark weak aliases.
WEAK_ALIAS_LOG_ODDS = -0.7
#: Positive sources whose label came from an identifier or a UN reference: their countries and
#: birth years are independent evidence.
EVIDENCE_POSITIVES = frozenset({"id", "id_text", "un_listing"})


def features_of(rows: list[dict[str, str]], index) -> tuple[np.ndarray, np.ndarray, list, list]:  # type: ignore[no-untyped-def]
    """Features, labels, evidence and the rows they came from, for the pairs that align at all."""
    x, y, evidence, kept = [], [], [], []
    for i, row in enumerate(rows):
        if i and i % 5000 == 0:
            print(f"  {i:,}/{len(rows):,} pairs", file=sys.stderr)
        found = pairlib.score_pair(row, index, RULES)
        query = pairlib.pair_query(row)
        entity = pairlib.pair_entity(row)
        person = "Person" in (row["schema_a"], row["schema_b"])
        if found is None or not found[1].links or found[1].score <= 0:
            # Names sharing nothing are never a screening candidate, and the learned score of
            # such a pair is 0 by definition: fitting on them would teach that unlike is alike.
            continue
        x.append(name_features(found[1], index.weight, person))
        y.append(int(row["label"]))
        evidence.append(evidence_of(query, entity, "primary"))
        kept.append(row)
    return np.array(x, dtype=float), np.array(y, dtype=float), evidence, kept


#: The features fitted; the others keep coefficient 0. Weight-based facts (shared rare wording,
#: coverage) are left out: the labelled pairs make identical generic-word names mostly
#: negatives (aliases differ from their primary name by construction), which they would learn.
#: So is the script as such: nearly every non-Latin query of the training data is a generated
#: (negative) name, and the model would learn that Cyrillic is no match; only the scripts whose
#: romanisation is a guess (Hangul, Han, Arabic ...) are fitted.
FITTED = (
    "rule_score",
    "rule_score_above_half",
    "rule_score_above_08",
    "near_words",
    "initials",
    "acronym",
    "query_left",
    "number_differs",
    "person",
    "person_one_word",
    "cross_script_syllables",
    "legal_form_agree",
    "legal_form_conflict",
)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2) -> tuple[float, np.ndarray]:
    """Newton's method on the penalised log likelihood (the intercept is not penalised)."""
    design = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(design @ beta)))
        gradient = design.T @ (p - y) + penalty * beta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return float(beta[0]), beta[1:]


def evidence_odds(rows: list[dict[str, str]], evidence: list) -> dict[str, float]:  # type: ignore[type-arg]
    """log P(fact | same party) / P(fact | different parties), on pairs where both sides carry
    that kind of evidence and it did not decide the label."""
    counts: dict[str, Counter[str]] = {"pos": Counter(), "neg": Counter()}
    for row, ev in zip(rows, evidence, strict=True):
        if row["tier"] in EVIDENCE_POSITIVES or row["source"] == "crosslist_ext":
            side = "pos"
        elif row["source"] == "neighbour":
            side = "neg"
        else:
            continue
        counts[side]["pairs"] += 1
        for kind in ("country", "birth_year"):
            if getattr(ev, f"{kind}_agree") or getattr(ev, f"{kind}_conflict"):
                counts[side][f"{kind}_both"] += 1
                counts[side][
                    f"{kind}_agree" if getattr(ev, f"{kind}_agree") else f"{kind}_conflict"
                ] += 1
    odds: dict[str, float] = {}
    for kind in ("country", "birth_year"):
        for fact in ("agree", "conflict"):
            key = f"{kind}_{fact}"
            pos = (counts["pos"][key] + 1) / (counts["pos"][f"{kind}_both"] + 2)
            neg = (counts["neg"][key] + 1) / (counts["neg"][f"{kind}_both"] + 2)
            odds[key] = round(max(-MAX_LOG_ODDS, min(MAX_LOG_ODDS, math.log(pos / neg))), 3)
    print(f"evidence counts: {dict(counts['pos'])} / {dict(counts['neg'])}", file=sys.stderr)
    odds["weak_alias"] = WEAK_ALIAS_LOG_ODDS
    return odds


def probabilities(
    x: np.ndarray, evidence: list, intercept: float, coef: np.ndarray, odds: dict[str, float]
) -> np.ndarray:  # type: ignore[type-arg]
    logit = intercept + x @ coef
    logit += np.array([sum(odds.get(f, 0.0) for f in ev.facts()) for ev in evidence])
    return 1 / (1 + np.exp(-logit))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--l2", type=float, default=L2)
    args = parser.parse_args(argv)
    index = pairlib.bundled_index()
    train = pairlib.load_pairs("train")
    dev = pairlib.load_pairs("dev")
    print("candidate negatives (screening each OFAC name)...", file=sys.stderr)
    train += pairlib.candidate_negatives(train, index)
    dev += pairlib.candidate_negatives(dev, index)
    print("generated negatives (Faker names against their best candidates)...", file=sys.stderr)
    train += pairlib.generated_negatives(index)
    print(f"features of {len(train):,} train pairs...", file=sys.stderr)
    x, y, ev, fitted = features_of(train, index)
    mask = np.array([name in FITTED for name in NAME_FEATURES], dtype=float)
    intercept, coef = fit_logistic(x * mask, y, args.l2)
    coef = coef * mask
    odds = evidence_odds(fitted, ev)
    print(f"features of {len(dev):,} dev pairs...", file=sys.stderr)
    xd, yd, evd, _ = features_of(dev, index)
    print(f"dev pairs that align at all: {len(yd):,} of {len(dev):,}")
    # Platt scaling on dev: one slope and offset on the train model's log-odds, so the score is
    # a probability on pairs the weights were not fitted on (the test split stays unseen).
    offset, (slope,) = fit_logistic((intercept + xd @ coef)[:, None], yd, 0.0)
    intercept, coef = slope * intercept + offset, slope * coef
    print(f"Platt scaling on dev: slope {slope:.3f}, offset {offset:+.3f}")
    # Names only: the alias pairs' two names share one record, so their evidence says nothing.
    pd = probabilities(xd, [ev.__class__() for ev in evd], intercept, coef, odds)
    ece, table = calibration(pd, yd)
    loss = float(-np.mean(yd * np.log(pd + 1e-12) + (1 - yd) * np.log(1 - pd + 1e-12)))
    print(f"dev: log loss {loss:.4f}, ECE {ece:.4f}")
    for cells in table:
        print(f"  {cells[0]}: {cells[1]:>6} pairs, mean p {cells[2]}, positive {cells[3]}")
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        f1, precision, recall = f1_score(list(pd), [int(v) for v in yd], t)
        print(f"  threshold {t:.1f}: F1 {f1:.3f}  precision {precision:.3f}  recall {recall:.3f}")
    for name, c in sorted(zip(NAME_FEATURES, coef, strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:>26} {c:+.3f}")
    model = {
        "version": f"learned-{date.today().isoformat()}",
        "features": list(NAME_FEATURES),
        "intercept": round(intercept, 5),
        "coefficients": [round(float(c), 5) for c in coef],
        "evidence": odds,
        "identifier_score": 0.98,
        "about": {
            "fitted_on": f"bench/data/pairs-train.tsv: the {len(y):,} of {len(train):,} pairs "
            f"whose names align at all ({int(y.sum()):,} positive)",
            "method": f"logistic regression, L2 {args.l2}, Newton's method; Platt scaling on "
            "bench/data/pairs-dev.tsv",
            "dev": {"pairs": len(dev), "log_loss": round(loss, 4), "ece": round(ece, 4)},
        },
    }
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
