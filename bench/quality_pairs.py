"""Matching quality on the labelled real pairs of bench/data (issue 15): F1 by pair set at each
algorithm's own default threshold, calibration of the learned score, and cross-list recall@1.

sanctrace's rule scorer (the default) and its learned scorer, nomenklatura logic-v1 / logic-v2
and rapidfuzz WRatio score the same pairs in the same run (the baselines through
bench/baseline_runner.py). Names only: the two names of an alias pair come from one record, so
their countries and birth dates would give the answer away. Run alone, or as part (e) of
bench/quality.py::

    .venv/bin/python bench/quality_pairs.py [--split test] [--no-baselines]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

import benchlib
import numpy as np
import pairlib
from benchlib import BASELINE_LABELS, BASELINE_THRESHOLDS, table

from sanctrace.match import Query, Screener
from sanctrace.match.config import config_for
from sanctrace.match.index import Index

LEARNED = config_for("learned")
RULES = config_for("rules")
#: Words this light (generic words, legal forms) do not make an alias reachable.
_REACH_WEIGHT = 0.35
Row = dict[str, str]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def reachable(name: object, weight: Callable[[str], float]) -> bool:
    """Whether a name matcher can reach the pair: a shared word (exact, spelling variant,
    transliteration) that identifies something, or an acronym spelled out."""
    for link in getattr(name, "links", ()):
        if link.how == "acronym":
            return True
        if link.how != "initial" and max(weight(t) for t in link.query.split(" ")) > _REACH_WEIGHT:
            return True
    return False


def f1(
    scores: Sequence[float], labels: Sequence[int], threshold: float
) -> tuple[float, float, float]:
    tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and y)
    fp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and not y)
    fn = sum(1 for s, y in zip(scores, labels, strict=True) if s < threshold and y)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return score, precision, recall


def best_f1(scores: Sequence[float], labels: Sequence[int]) -> tuple[float, float]:
    return max((f1(scores, labels, t / 100)[0], t / 100) for t in range(5, 100))


def calibration(p: np.ndarray, y: np.ndarray, bins: int = 10) -> tuple[float, list[list[str]]]:
    rows, ece = [], 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        mask = (p >= lo) & ((p < hi) if b < bins - 1 else (p <= hi))
        if not mask.any():
            continue
        conf, acc = float(p[mask].mean()), float(y[mask].mean())
        ece += mask.sum() / len(p) * abs(conf - acc)
        rows.append([f"{lo:.1f}–{hi:.1f}", f"{int(mask.sum()):,}", f"{conf:.3f}", f"{acc:.3f}"])
    return ece, rows


def pair_sets(rows: list[Row], reach: list[bool]) -> dict[str, list[int]]:
    """Row indices of each evaluated set: positives of one kind mixed with the hard negatives."""
    hard = [i for i, r in enumerate(rows) if r["label"] == "0" and r["source"] != "neighbour"]
    alias = [i for i, r in enumerate(rows) if r["source"] == "ofac_alias"]
    cross = [
        i
        for i, r in enumerate(rows)
        if r["label"] == "1" and r["source"] in ("crosslist", "crosslist_ext")
    ]
    positives = [i for i, r in enumerate(rows) if r["label"] == "1"]
    neighbours = [i for i, r in enumerate(rows) if r["source"] == "neighbour"]
    return {
        "alias pairs + hard negatives": alias + hard,
        "… reachable aliases only": [i for i in alias if reach[i]] + hard,
        "… unreachable aliases (own row)": [i for i in alias if not reach[i]],
        "cross-list pairs + hard negatives": cross + hard,
        "together (all positives + hard negatives)": positives + hard,
        "together + neighbour negatives": positives + hard + neighbours,
    }


def crosslist_recall(rows: list[Row], screener: Screener) -> tuple[int, int, int]:
    """(positives, ranked first, found at all) when name a is screened against the list of
    record b, at threshold 0: is record b the first answer?"""
    total = first = found = 0
    known = {e.id for e in screener.index.entities}
    for r in rows:
        if r["label"] != "1" or r["source"] not in ("crosslist", "crosslist_ext"):
            continue
        if r["record_b"] not in known:
            continue
        total += 1
        schema = "Person" if "Person" in (r["schema_a"], r["schema_b"]) else None
        dataset = r["record_b"].split(":", 1)[0]
        results = screener.screen(Query(r["name_a"], schema), 0.0, 50, [dataset])
        scores = {m.id: m.score for m in results}
        own = scores.get(r["record_b"])
        if own is None:
            continue
        found += 1
        first += sum(1 for s in scores.values() if s >= own) == 1
    return total, first, found


def score_rows(rows: list[Row], index: Index) -> tuple[list[float], list[float], list[bool]]:
    """Learned and rule scores of each pair (names only), and whether a matcher can reach it."""
    log(f"scoring {len(rows):,} pairs (learned and rules)...")
    learned, rules, reach = [], [], []
    for r in rows:
        found = pairlib.score_pair(r, index, LEARNED, with_evidence=False)
        learned.append(found[0] if found else 0.0)
        rule = pairlib.score_pair(r, index, RULES, with_evidence=False)
        rules.append(rule[0] if rule else 0.0)
        reach.append(rule is not None and reachable(rule[1], index.weight))
    return learned, rules, reach


def section(split: str = "test", baselines: bool = True) -> list[str]:
    index = pairlib.bundled_index()
    rows = pairlib.load_pairs(split)
    learned, rules, reach = score_rows(rows, index)
    scores: dict[str, list[float]] = {
        "sanctrace --algorithm learned": learned,
        "sanctrace (rules, the default)": rules,
    }
    thresholds = {
        "sanctrace --algorithm learned": LEARNED.threshold,
        "sanctrace (rules, the default)": RULES.threshold,
    }
    if baselines and benchlib.baselines_available():
        log("scoring the same pairs with the baselines...")
        run = benchlib.run_baselines(
            [
                benchlib.make_pair(
                    r["pair_id"],
                    r["name_a"],
                    "Person" if r["schema_a"] == "Person" else None,
                    {
                        "schema": r["schema_b"] or "LegalEntity",
                        "properties": {"name": [r["name_b"]]},
                    },
                )
                for r in rows
            ]
        )
        for algorithm in ("logic_v2", "logic_v1", "wratio"):
            label = BASELINE_LABELS[algorithm]
            scores[label] = [run.scores[r["pair_id"]][algorithm] for r in rows]
            thresholds[label] = BASELINE_THRESHOLDS[algorithm]
    labels = [int(r["label"]) for r in rows]
    lines = [f"### Labelled pairs ({split} split of bench/data, names only)", ""]
    lines.append(
        "F1 / precision / recall at each algorithm's own default threshold, and the best F1 over "
        "thresholds (in brackets, with its threshold). Hard negatives: look-alike names of "
        "different parties; neighbour negatives: each OFAC name against its nearest other "
        "entries. Reachable aliases share an identifying word, a spelling or transliteration "
        "variant, or an acronym with the primary name."
    )
    lines.append("")
    header = ["pair set", "pairs", *(f"{a} (at {thresholds[a]:g})" for a in scores)]
    body = []
    for name, members in pair_sets(rows, reach).items():
        ys = [labels[i] for i in members]
        cells = [name, f"{len(members):,}"]
        for algorithm, values in scores.items():
            xs = [values[i] for i in members]
            if not any(y == 0 for y in ys):  # positives only: recall is all there is
                cells.append(f"recall {f1(xs, ys, thresholds[algorithm])[2]:.3f}")
                continue
            at, precision, recall = f1(xs, ys, thresholds[algorithm])
            best, where = best_f1(xs, ys)
            cells.append(f"**{at:.3f}** / {precision:.3f} / {recall:.3f} ({best:.3f} at {where:g})")
        body.append(cells)
    lines += table(header, body)
    log("candidate negatives of the split, for calibration...")
    extra = pairlib.candidate_negatives(rows, index)
    extra_scores = []
    for r in extra:
        found = pairlib.score_pair(r, index, LEARNED, with_evidence=False)
        extra_scores.append(found[0] if found else 0.0)
    aligned = [i for i in range(len(rows)) if learned[i] > 0]
    p = np.array([learned[i] for i in aligned] + [s for s in extra_scores if s > 0])
    y = np.array([labels[i] for i in aligned] + [0] * sum(1 for s in extra_scores if s > 0))
    ece, reliability = calibration(p, y)
    ece_all, _ = calibration(np.array(learned), np.array(labels, dtype=float))
    lines += [
        "",
        f"Calibration of the learned score on the {split} split as a screening meets it: the "
        f"{len(aligned):,} pairs whose names align at all, plus {len(p) - len(aligned):,} "
        "candidate negatives (each OFAC name of the split screened against the bundled SDN "
        f"list, other entries' best candidates): **ECE {ece:.3f}** (ten equal-width bins). On "
        f"the file's {len(rows):,} pairs alone, unaligned ones included (those score 0, and "
        f"{sum(1 for i in range(len(rows)) if not learned[i] and labels[i]):,} of them are "
        f"aliases sharing nothing with the primary name): ECE {ece_all:.3f}.",
        "",
    ]
    lines += table(["score bin", "pairs", "mean score", "share same party"], reliability)
    log("cross-list recall@1...")
    total, first, found = crosslist_recall(rows, Screener(index, RULES))
    l_total, l_first, l_found = crosslist_recall(rows, Screener(index, LEARNED))
    lines += [
        "",
        f"Cross-list recall@1 ({split}): name a screened against record b's own list at "
        f"threshold 0; record b ranked first for **{first:,} of {total:,}** "
        f"({100 * first / max(total, 1):.1f} %), found at all for {found:,} (rules); "
        f"**{l_first:,} of {l_total:,}** ({100 * l_first / max(l_total, 1):.1f} %), found at "
        f"all for {l_found:,} (learned).",
        "",
    ]
    return lines


def false_alerts(count: int, seed: int) -> list[str]:
    """Generated unlisted names (the bench's Faker set, a seed the scorer was not fitted on)
    screened at each algorithm's default threshold: false alerts, queries per second and the
    median time of one query, and the time to load the learned weights."""
    import statistics
    import time

    from sanctrace.match.learned import default_model

    started = time.perf_counter()
    default_model()
    load_ms = (time.perf_counter() - started) * 1000
    index = pairlib.bundled_index()
    listed = benchlib.listed_name_set(benchlib.load_bundled_entities())
    names = benchlib.generate_unlisted(count, seed, listed).names
    rows = []
    for label, config in (("rules (the default)", RULES), ("learned", LEARNED)):
        screener = Screener(index, config)
        alerts = 0
        times = []
        for g in names:
            query = Query(g.name, benchlib.query_schema(g.kind))
            began = time.perf_counter()
            alerts += bool(screener.screen(query, None, 1))
            times.append(time.perf_counter() - began)
        seconds = sum(times)
        rows.append(
            [label, f"{config.threshold:g}", f"{len(names):,}", f"{alerts:,}",
             f"{100 * alerts / len(names):.2f} %", f"{len(names) / seconds:,.0f}",
             f"{statistics.median(times) * 1000:.2f}"]
        )  # fmt: skip
    header = ["algorithm", "threshold", "names", "false alerts", "rate", "queries/s (1 core)"]
    header.append("p50 ms")
    return [
        f"Generated unlisted names (Faker, seed {seed}), each screened once by a fresh screener:",
        "",
        *table(header, rows),
        "",
        f"Loading the learned weights (match/data/scorer.json): {load_ms:.1f} ms.",
        "",
    ]


def tradeoff(count: int, seed: int, split: str = "test") -> list[str]:
    """F1 against the false-alert rate, threshold by threshold: what a threshold low enough for
    the alias pairs costs on unlisted names. Each generated name's best score is taken once
    (screened at the lowest threshold shown); the pair scores are those of ``section``."""
    index = pairlib.bundled_index()
    rows = pairlib.load_pairs(split)
    learned, rules, reach = score_rows(rows, index)
    labels = [int(r["label"]) for r in rows]
    sets = pair_sets(rows, reach)
    listed = benchlib.listed_name_set(benchlib.load_bundled_entities())
    names = benchlib.generate_unlisted(count, seed, listed).names
    shown = ("alias pairs + hard negatives", "cross-list pairs + hard negatives",
             "together (all positives + hard negatives)")  # fmt: skip
    lines = [
        f"Threshold by threshold ({split} split; false alerts on {len(names):,} generated "
        f"unlisted names, seed {seed}): F1 of each pair set and the share of unlisted names "
        "with a result at or above the threshold.",
        "",
    ]
    for label, config, pair_scores, grid in (
        ("learned", LEARNED, learned, (0.10, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)),
        ("rules", RULES, rules, (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)),
    ):
        log(f"best score of each unlisted name ({label})...")
        screener = Screener(index, config)
        best = []
        for g in names:
            found = screener.screen(Query(g.name, benchlib.query_schema(g.kind)), grid[0], 1)
            best.append(found[0].score if found else 0.0)
        body = []
        for t in grid:
            cells = [f"{t:g}", f"{100 * sum(b >= t for b in best) / len(best):.2f} %"]
            for name in shown:
                members = sets[name]
                xs, ys = [pair_scores[i] for i in members], [labels[i] for i in members]
                at, precision, recall = f1(xs, ys, t)
                cells.append(f"{at:.3f} ({precision:.2f} / {recall:.2f})")
            body.append(cells)
        header = [f"{label}: threshold", "false alerts", *(f"F1 (P / R), {n}" for n in shown)]
        lines += [*table(header, body), ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=("train", "dev", "test"))
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--unlisted", type=int, default=20_000, help="0 skips false alerts")
    parser.add_argument("--seed", type=int, default=20260127)
    parser.add_argument(
        "--tradeoff", action="store_true", help="only F1 against false alerts, by threshold"
    )
    args = parser.parse_args(argv)
    if args.tradeoff:
        print("\n".join(tradeoff(args.unlisted or 20_000, args.seed, args.split)))
        return 0
    lines = section(args.split, not args.no_baselines)
    if args.unlisted:
        lines += false_alerts(args.unlisted, args.seed)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
