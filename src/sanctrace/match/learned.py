"""The learned scorer: a logistic model over explainable name facts, plus evidence odds.

Its score is a probability that the two names are one party, fitted on real labelled pairs
(``bench/train_scorer.py``; the weights ship as ``match/data/scorer.json``, nothing is trained at
install time). Evidence beyond the name (country, birth year) adds log-likelihood ratios measured
on the same pairs, so an analyst can read each step of the arithmetic.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from sanctrace.errors import SanctraceError
from sanctrace.match.features import FEATURE_WORDS, NAME_FEATURES, Evidence, Weight, name_features
from sanctrace.match.score import NameScore

MODEL_RESOURCE = "scorer.json"
#: Contributions shown in an explanation, largest first.
_SHOWN = 6


@dataclass(frozen=True)
class LearnedModel:
    """Coefficients of the name model and the evidence log-odds, as fitted."""

    version: str
    intercept: float
    coefficients: tuple[float, ...]
    evidence: dict[str, float]
    identifier_score: float
    about: dict[str, Any]

    @classmethod
    def from_dict(cls, data: Any, source: str = MODEL_RESOURCE) -> LearnedModel:
        """The model of a weights file's JSON; a clear error naming ``source`` when the file is
        not one this code can use (another feature set, a missing or non-numeric field)."""
        try:
            features = tuple(data["features"])
            if features != NAME_FEATURES:
                raise SanctraceError(
                    f"{source}: the weights are for features {features}, this code computes "
                    f"{NAME_FEATURES}; refit with bench/train_scorer.py"
                )
            coefficients = tuple(float(c) for c in data["coefficients"])
            if len(coefficients) != len(features):
                raise SanctraceError(
                    f"{source}: {len(coefficients)} coefficients for {len(features)} features"
                )
            model = cls(
                version=str(data["version"]),
                intercept=float(data["intercept"]),
                coefficients=coefficients,
                evidence={str(k): float(v) for k, v in data["evidence"].items()},
                identifier_score=float(data.get("identifier_score", 0.98)),
                about=dict(data.get("about", {})),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SanctraceError(f"{source}: not a scorer weights file ({exc!r})") from exc
        values = (model.intercept, *model.coefficients, *model.evidence.values())
        if not all(math.isfinite(v) for v in values):
            raise SanctraceError(f"{source}: a weight is not a finite number")
        return model

    def name_logit(self, values: list[float]) -> float:
        total = self.intercept
        for c, v in zip(self.coefficients, values, strict=True):
            total += c * v
        return total

    def score(
        self, name: NameScore, weight: Weight, person: bool, evidence: Evidence
    ) -> tuple[float, list[dict[str, Any]]]:
        """(probability, explanation entries) for one candidate; names sharing nothing are 0."""
        if not name.links or name.score <= 0:
            probability = 0.0
            features: list[dict[str, Any]] = [{"feature": "name", "score": 0.0}]
            if evidence.identifier_agree:
                features.append(
                    {
                        "feature": "identifier",
                        "agree": list(evidence.identifier_agree),
                        "delta": self.identifier_score,
                    }
                )
                probability = self.identifier_score
            return probability, features
        values = name_features(name, weight, person)
        logit = self.name_logit(values)
        facts = evidence.facts()
        for fact in facts:
            logit += self.evidence.get(fact, 0.0)
        probability = _sigmoid(logit)
        parts = [
            (feature, value, coefficient * value)
            for feature, value, coefficient in zip(
                NAME_FEATURES, values, self.coefficients, strict=True
            )
            if value and coefficient
        ]
        # The three pieces of the alignment score's line are one fact to an analyst.
        alignment = sum(part for feature, _, part in parts if feature.startswith("rule_score"))
        parts = [p for p in parts if not p[0].startswith("rule_score")]
        parts.append(("rule_score", name.score, alignment))
        parts += [(fact, 1.0, self.evidence.get(fact, 0.0)) for fact in facts]
        parts.sort(key=lambda p: -abs(p[2]))
        features = [
            {"feature": "name", "score": round(name.score, 3)},
            {
                "feature": "learned",
                "model": self.version,
                "probability": round(probability, 4),
                "log_odds": round(logit, 3),
                "contributions": [
                    {
                        "feature": feature,
                        "says": FEATURE_WORDS.get(feature, feature),
                        "value": round(value, 3),
                        "log_odds": round(part, 3),
                    }
                    for feature, value, part in parts[:_SHOWN]
                ],
            },
        ]
        if evidence.identifier_agree:
            features.append(
                {
                    "feature": "identifier",
                    "agree": list(evidence.identifier_agree),
                    "delta": round(max(0.0, self.identifier_score - probability), 3),
                }
            )
            probability = max(probability, self.identifier_score)
        return probability, features


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@lru_cache(maxsize=1)
def default_model() -> LearnedModel:
    """The shipped weights (loaded once per process)."""
    try:
        text = resources.files("sanctrace.match").joinpath("data", MODEL_RESOURCE).read_text()
        data = json.loads(text)
    except (OSError, ValueError) as exc:
        raise SanctraceError(f"cannot load the scorer weights ({MODEL_RESOURCE}): {exc}") from exc
    return LearnedModel.from_dict(data)
