"""The learned scorer (issue 15): shipped weights load, the score is a probability that orders
real labelled pairs, evidence moves it the documented way, and the rule scorer stays available."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest
from homes import sanctrace

from sanctrace.errors import SanctraceError
from sanctrace.match import Query, Screener, compare
from sanctrace.match.config import DEFAULT_CONFIG, LEARNED_THRESHOLD, config_for
from sanctrace.match.features import NAME_FEATURES
from sanctrace.match.learned import LearnedModel, default_model
from sanctrace.store import open_store

LEARNED = config_for("learned")
PAIRS = Path(__file__).resolve().parents[2] / "bench" / "data" / "pairs-test.tsv"
WEIGHTS = (
    Path(__file__).resolve().parents[2] / "src" / "sanctrace" / "match" / "data" / "scorer.json"
)


@pytest.fixture(scope="module")
def learned(bundled_home: Path) -> Screener:
    with open_store(str(bundled_home / "sanctrace.db")) as store:
        return Screener(Screener.open(store).index, LEARNED)


def test_the_shipped_weights_match_the_features_this_code_computes() -> None:
    model = default_model()
    assert len(model.coefficients) == len(NAME_FEATURES)
    assert model.evidence["birth_year_conflict"] < 0 < model.evidence["birth_year_agree"]
    assert "fitted_on" in model.about


def test_rules_and_learned_keep_their_own_default_thresholds() -> None:
    assert config_for("rules").threshold == 0.8
    assert config_for("learned").threshold == LEARNED_THRESHOLD
    with pytest.raises(ValueError, match="unknown algorithm"):
        config_for("logic-v2")


def test_learned_scores_order_real_test_pairs() -> None:
    """On labelled pairs the weights never saw, same-party pairs score higher on average."""
    with PAIRS.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["source"] != "cross_script"]
    rows = rows[::25]
    scores: dict[str, list[float]] = {"0": [], "1": []}
    for r in rows:
        schema = "Person" if r["schema_a"] == "Person" else "Company"
        scores[r["label"]].append(compare(r["name_a"], r["name_b"], schema, LEARNED).score)
    assert all(0.0 <= s <= 1.0 for values in scores.values() for s in values)
    mean = {label: sum(v) / len(v) for label, v in scores.items()}
    assert mean["1"] > mean["0"] + 0.3


def test_names_sharing_nothing_score_zero() -> None:
    assert compare("Toyota Motor Corporation", "Hezbollah", "Company", LEARNED).score == 0.0


def test_a_birth_year_conflict_lowers_a_person_and_agreement_raises_it(
    learned: Screener,
) -> None:
    name = "Igor Ivanovich Sechin"
    plain = learned.screen(Query(name, "Person"), 0.0, 1)[0]
    agree = learned.screen(Query(name, "Person", birth_dates=("1960-09-07",)), 0.0, 1)[0]
    conflict = learned.screen(Query(name, "Person", birth_dates=("1985",)), 0.0, 5)
    assert agree.id == plain.id
    assert agree.score > plain.score
    same = [m for m in conflict if m.id == plain.id]
    assert not same or same[0].score < plain.score - 0.2


def test_the_explanation_shows_each_contribution_in_words(learned: Screener) -> None:
    top = learned.screen(Query("Rosoboronexport"), 0.0, 1)[0]
    step = next(f for f in top.explanation["features"] if f["feature"] == "learned")
    assert step["probability"] == pytest.approx(top.score, abs=1e-4)
    assert step["contributions"]
    assert all(c["says"] and isinstance(c["log_odds"], float) for c in step["contributions"])


def test_rules_remain_the_default_and_differ_from_learned(learned: Screener) -> None:
    assert DEFAULT_CONFIG.algorithm == "rules"
    rules = Screener(learned.index, replace(LEARNED, algorithm="rules"))
    a = rules.screen(Query("Almaz-Antey"), 0.0, 1)[0]
    b = learned.screen(Query("Almaz-Antey"), 0.0, 1)[0]
    assert a.id == b.id
    assert not any(f["feature"] == "learned" for f in a.explanation["features"])


def test_cli_screen_with_the_learned_algorithm(bundled_home: Path) -> None:
    done = sanctrace(
        bundled_home, "screen", "Rosoboronexport", "--algorithm", "learned", "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["threshold"] == LEARNED_THRESHOLD
    assert report["results"][0]["explanation"]["features"][1]["feature"] == "learned"


@pytest.mark.parametrize(
    ("broken", "says"),
    [
        ({}, "not a scorer weights file"),
        ([1, 2], "not a scorer weights file"),
        ({**json.loads(WEIGHTS.read_text()), "features": ["rule_score"]}, "refit with"),
        ({**json.loads(WEIGHTS.read_text()), "coefficients": [1.0]}, "coefficients for"),
        ({**json.loads(WEIGHTS.read_text()), "intercept": "high"}, "not a scorer weights file"),
        ({**json.loads(WEIGHTS.read_text()), "intercept": float("nan")}, "not a finite number"),
    ],
)
def test_a_broken_weights_file_is_refused_by_name(broken: object, says: str) -> None:
    with pytest.raises(SanctraceError, match=says) as caught:
        LearnedModel.from_dict(broken, "scorer.json")
    assert "scorer.json" in str(caught.value)
