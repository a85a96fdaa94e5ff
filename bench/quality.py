"""Matching quality: alias hold-out recall, false alerts on unlisted names, cross-script pairs,
and the same measures for OpenSanctions' nomenklatura matchers on the same candidate sets.

Run from the repository root, with the ``bench`` extra installed (Faker) and, for the baselines,
``bash bench/setup_baselines.sh`` done once::

    .venv/bin/python bench/quality.py                 # full run
    .venv/bin/python bench/quality.py --sample 2000 --unlisted 5000 --baseline-sample 300

Prints a Markdown section for docs/benchmarks.md on stdout; progress goes to stderr.

Measures:

(a) Alias hold-out on OFAC SDN 2022-01-31: the aliases (every name whose kind is not
    ``primary``) are shuffled into 5 folds. For each fold a Screener is built from copies of the
    entities without that fold's aliases, and each held-out alias is screened at the default
    threshold. Recall@1 / @5: share of held-out aliases whose own entity is ranked first / in
    the first five. Ties count against the target (its rank is the number of results scoring
    at least as high as it). A query carries schema "Person" when the entity is a person and
    none otherwise (screening users know a person when they see one; the exact FtM schema of
    an organisation or vessel they usually do not).
(b) False alerts: distinct Faker names (persons and companies, 8 locales, fixed seed) screened
    against every bundled list; a false alert is any result at or above the default threshold.
    Generated names literally equal (after normalisation) to a listed name are excluded first.
(c) The cross-script pairs of shared/data/name_matching: ``compare(query, expected, "Person")``.
(d) Baselines: for a sample of the queries of (a) and (b), each candidate that sanctrace's index
    proposes (``Screener.candidates(query, 200)``; in (a) plus the true target) is scored by
    nomenklatura logic-v1 and logic-v2 and by rapidfuzz WRatio, through bench/baseline_runner.py,
    and recall and false alerts are computed at each baseline's own default threshold.
(e) The labelled pairs of bench/data, test split (bench/quality_pairs.py): F1 of the rule and the
    learned scorer and of the baselines, calibration, cross-list recall@1, and false alerts and
    speed of each scorer on the unlisted names of (b). ``--no-pairs`` skips it.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import random
import shlex
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import benchlib
from benchlib import BASELINE_LABELS, BASELINE_THRESHOLDS, pct, table

from sanctrace.match import DEFAULT_THRESHOLD, Query, Screener, compare
from sanctrace.model.entity import Entity

ALIAS_KINDS = ("strong_aka", "weak_aka", "fka", "spelling")
CANDIDATE_LIMIT = 200
RESULT_DEPTH = 50  # results asked of screen(): enough to rank a target behind ties


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rank_of(target: str, scores: dict[str, float], threshold: float) -> int | None:
    """1-based rank of ``target`` among results >= threshold, ties counted against it."""
    own = scores.get(target)
    if own is None or own < threshold:
        return None
    return sum(1 for s in scores.values() if s >= own and s >= threshold)


@dataclass
class Recall:
    total: int = 0
    at1: int = 0
    at5: int = 0

    def add(self, rank: int | None) -> None:
        self.total += 1
        if rank is not None:
            self.at1 += rank == 1
            self.at5 += rank <= 5

    def cells(self) -> list[str]:
        return [f"{self.total:,}", pct(self.at1, self.total), pct(self.at5, self.total)]


# -- (a) alias hold-out -------------------------------------------------------------------


@dataclass(frozen=True)
class HeldOut:
    entity: int  # index into the entity list
    name: int  # index into entity.names
    value: str
    kind: str
    fold: int


@dataclass
class HoldOutResult:
    by_kind: dict[str, Recall] = field(default_factory=lambda: defaultdict(Recall))
    overall: Recall = field(default_factory=Recall)
    #: Aliases sharing a word with a name left in the index (the rest, such as a former name
    #: or an unrelated trade name, cannot be found from the name alone).
    word_shared: Recall = field(default_factory=Recall)
    seconds: float = 0.0
    queries: int = 0
    build_seconds: list[float] = field(default_factory=list)
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # alias, kind, caption
    # baseline sample: sanctrace's own recall on it, and the pairs to score
    sample_recall: Recall = field(default_factory=Recall)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    targets: dict[str, str] = field(default_factory=dict)  # query key -> true entity id
    candidate_counts: list[int] = field(default_factory=list)


def alias_holdout(
    entities: list[Entity], folds: int, seed: int, sample: int | None, baseline_sample: int
) -> HoldOutResult:
    aliases = [
        (e, n, name.value, name.kind)
        for e, entity in enumerate(entities)
        for n, name in enumerate(entity.names)
        if name.kind != "primary"
    ]
    rng = random.Random(seed)
    rng.shuffle(aliases)
    held = [HeldOut(e, n, value, kind, i % folds) for i, (e, n, value, kind) in enumerate(aliases)]
    queried = held[:sample] if sample else held
    for_baselines = {id(h) for h in queried[:baseline_sample]}
    log(f"(a) {len(held):,} aliases in {folds} folds; querying {len(queried):,}")

    result = HoldOutResult()
    for fold in range(folds):
        removed = {(h.entity, h.name) for h in held if h.fold == fold}
        copies = [
            dataclasses.replace(
                entity,
                names=[nm for n, nm in enumerate(entity.names) if (e, n) not in removed],
            )
            for e, entity in enumerate(entities)
        ]
        start = time.perf_counter()
        screener = Screener.from_entities(copies)
        result.build_seconds.append(time.perf_counter() - start)
        by_id = {entity.id: entity for entity in copies}
        todo = [h for h in queried if h.fold == fold]
        start = time.perf_counter()
        for h in todo:
            entity = copies[h.entity]
            query = Query(name=h.value, schema=benchlib.query_schema(entity.schema))
            matches = screener.screen(query, limit=RESULT_DEPTH)
            rank = rank_of(entity.id, {m.id: m.score for m in matches}, 0.0)
            result.by_kind[h.kind].add(rank)
            result.overall.add(rank)
            if _shares_word(h.value, entity):
                result.word_shared.add(rank)
            if rank is None and len(result.misses) < 25:
                result.misses.append((h.value, h.kind, entity.caption))
            if id(h) in for_baselines:
                result.sample_recall.add(rank)
                _holdout_pairs(result, screener, query, entity, by_id, f"a{len(result.targets)}")
        result.seconds += time.perf_counter() - start
        result.queries += len(todo)
        log(f"    fold {fold + 1}/{folds}: {len(todo):,} queries")
    return result


def _shares_word(alias: str, entity: Entity) -> bool:
    words = set(benchlib.normalize_name(alias).split())
    return any(words & set(benchlib.normalize_name(n.value).split()) for n in entity.names)


def _holdout_pairs(
    result: HoldOutResult,
    screener: Screener,
    query: Query,
    target: Entity,
    by_id: dict[str, Entity],
    key: str,
) -> None:
    ids = list(dict.fromkeys([*screener.candidates(query, limit=CANDIDATE_LIMIT), target.id]))
    ids = [i for i in ids if benchlib.schema_compatible(query.schema, by_id[i].schema)]
    result.targets[key] = target.id
    result.candidate_counts.append(len(ids))
    for cid in ids:
        candidate = benchlib.entity_to_ftm(by_id[cid])
        result.pairs.append(benchlib.make_pair(f"{key}|{cid}", query.name, query.schema, candidate))


# -- (b) false alerts ---------------------------------------------------------------------------


@dataclass
class FalseAlertResult:
    generated: benchlib.GeneratedSet
    by_bucket: dict[tuple[str, str], list[int]]  # (locale, kind) -> [queries, alerts]
    alerts: int
    seconds: float
    examples: list[tuple[str, str, float]]  # query, matched caption, score
    sample_alerts: int = 0
    sample_size: int = 0
    pairs: list[dict[str, Any]] = field(default_factory=list)
    candidate_counts: list[int] = field(default_factory=list)


def false_alerts(
    entities: list[Entity], count: int, seed: int, baseline_sample: int
) -> FalseAlertResult:
    listed = benchlib.listed_name_set(entities)
    generated = benchlib.generate_unlisted(count, seed, listed)
    log(
        f"(b) {len(generated.names):,} unlisted names "
        f"({len(generated.excluded):,} excluded as listed); building the index"
    )
    screener = Screener.from_entities(entities)
    by_id = {e.id: e for e in entities}
    by_bucket: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    alerts = 0
    examples: list[tuple[str, str, float]] = []
    result = FalseAlertResult(generated, by_bucket, 0, 0.0, examples)
    start = time.perf_counter()
    for i, item in enumerate(generated.names):
        query = Query(name=item.name, schema=benchlib.query_schema(item.kind))
        matches = screener.screen(query, limit=1)
        hit = bool(matches)
        bucket = by_bucket[(item.locale, item.kind)]
        bucket[0] += 1
        bucket[1] += hit
        alerts += hit
        if hit and len(examples) < 15:
            examples.append((item.name, matches[0].matched_name, matches[0].score))
        if i < baseline_sample:
            result.sample_size += 1
            result.sample_alerts += hit
            ids = screener.candidates(query, limit=CANDIDATE_LIMIT)
            ids = [c for c in ids if benchlib.schema_compatible(query.schema, by_id[c].schema)]
            result.candidate_counts.append(len(ids))
            for cid in ids:
                candidate = benchlib.entity_to_ftm(by_id[cid])
                result.pairs.append(
                    benchlib.make_pair(f"u{i}|{cid}", item.name, query.schema, candidate)
                )
    result.seconds = time.perf_counter() - start
    result.alerts = alerts
    return result


# -- (c) cross-script pairs -----------------------------------------------------------------------


@dataclass(frozen=True)
class CrossPair:
    query: str
    expected: str
    min_score: float
    description: str
    score: float


def cross_script() -> list[CrossPair]:
    path = benchlib.DATA_DIR / "name_matching" / "watchman_cross_script_pairs.csv"
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    pairs = []
    for row in csv.reader(lines):
        query, expected, min_score, description = (cell.strip() for cell in row[:4])
        score = compare(query, expected, schema="Person").score
        pairs.append(CrossPair(query, expected, float(min_score), description, score))
    return pairs


# -- (d) baselines --------------------------------------------------------------------------------


def baseline_recall(run: benchlib.BaselineRun, targets: dict[str, str], algorithm: str) -> Recall:
    per_query: dict[str, dict[str, float]] = defaultdict(dict)
    for pair_id, scores in run.scores.items():
        key, cid = pair_id.split("|", 1)
        if key in targets:
            per_query[key][cid] = scores[algorithm]
    recall = Recall()
    for key, target in targets.items():
        recall.add(rank_of(target, per_query.get(key, {}), BASELINE_THRESHOLDS[algorithm]))
    return recall


def baseline_alerts(run: benchlib.BaselineRun, sample_size: int, algorithm: str) -> int:
    hit: set[str] = set()
    for pair_id, scores in run.scores.items():
        key = pair_id.split("|", 1)[0]
        if key.startswith("u") and scores[algorithm] >= BASELINE_THRESHOLDS[algorithm]:
            hit.add(key)
    return len(hit)


# -- report -------------------------------------------------------------------------------------


def report(
    argv: Sequence[str],
    n_entities: int,
    holdout: HoldOutResult,
    alerts: FalseAlertResult,
    pairs: list[CrossPair],
    cross_scores: dict[str, dict[str, float]],
    run: benchlib.BaselineRun | None,
    n_bundled: int,
    started: float,
) -> str:
    out: list[str] = []
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "bench/quality.py", *argv])
    out += ["## Matching quality", ""]
    versions = f"; nomenklatura {run.version}" if run else ""
    out += [
        f"`{command}` ({benchlib.machine_line()}; sanctrace default threshold "
        f"{DEFAULT_THRESHOLD}{versions}; whole run {time.perf_counter() - started:.0f} s)."
    ]
    out += [""]

    # (a)
    out += ["### Alias hold-out (OFAC SDN 2022-01-31)", ""]
    out += [
        f"{n_entities:,} entities. Every alias (name kind other than `primary`) is held out of "
        f"the index in one of {len(holdout.build_seconds)} folds and screened at the default "
        "threshold; recall@k is the share of held-out aliases whose own entity is ranked in "
        "the first k results (ties counted against it). Queries carry schema `Person` for "
        "persons and none otherwise.",
        "",
    ]
    rows = [
        [kind, *holdout.by_kind[kind].cells()] for kind in ALIAS_KINDS if kind in holdout.by_kind
    ]
    rows.append(["**all**", *holdout.overall.cells()])
    rows.append(["all, sharing a word with a name left in the index", *holdout.word_shared.cells()])
    out += table(["alias kind", "aliases", "recall@1", "recall@5"], rows)
    mean_ms = 1000 * holdout.seconds / holdout.queries if holdout.queries else 0.0
    builds = ", ".join(f"{s:.1f}" for s in holdout.build_seconds)
    out += ["", f"Index builds {builds} s; {mean_ms:.2f} ms per query."]
    if holdout.misses:
        shown = "; ".join(f"{a!r} ({k}) for {c!r}" for a, k, c in holdout.misses[:8])
        out += ["", f"Some misses: {shown}."]
    out += [""]

    # (b)
    gen = alerts.generated
    total = len(gen.names)
    out += ["### False alerts on unlisted names", ""]
    out += [
        f"{total:,} distinct Faker names (seed fixed; persons screened as `Person`, companies "
        f"with no schema) against all {n_bundled:,} entities of the bundled lists "
        f"({benchlib.bundled_versions()}). {gen.attempts:,} names generated, "
        f"{gen.duplicates:,} repeats dropped, **{len(gen.excluded):,} excluded as literally "
        "listed** (equal to a listed name once romanised with anyascii, case and punctuation "
        "dropped and legal-form words such as OAO or LLC set aside, or with its letters run "
        "together; see `benchlib.listed_keys`"
        + (": " + ", ".join(repr(x.name) for x in gen.excluded[:6]) if gen.excluded else "")
        + ").",
        "",
    ]
    rows = []
    for locale in benchlib.LOCALES:
        for kind in ("person", "company"):
            queries, hits = alerts.by_bucket.get((locale, kind), [0, 0])
            if queries:
                rows.append([f"{locale} {kind}", f"{queries:,}", f"{hits:,}", pct(hits, queries)])
    rows.append(["**all**", f"{total:,}", f"{alerts.alerts:,}", pct(alerts.alerts, total)])
    out += table(
        ["locale / kind", "queries", "with a result ≥ threshold", "false-alert rate"], rows
    )
    per_ms = 1000 * alerts.seconds / total if total else 0.0
    out += ["", f"{per_ms:.2f} ms per query."]
    if alerts.examples:
        shown = "; ".join(f"{q!r} → {m!r} {s:.2f}" for q, m, s in alerts.examples[:8])
        out += ["", f"Examples: {shown}."]
    out += [""]

    # (c)
    out += ["### Cross-script pairs", ""]
    out += [
        "`shared/data/name_matching/watchman_cross_script_pairs.csv`, scored with "
        '`compare(query, expected, schema="Person")`; *pass* means score ≥ the default '
        f"threshold {DEFAULT_THRESHOLD}; *min* is the file's own expected minimum score.",
        "",
    ]
    header = ["query", "expected", "min", "sanctrace", "pass"]
    algos = list(BASELINE_LABELS) if cross_scores else []
    header += [a.replace("_", "-") for a in algos]
    rows = []
    for i, p in enumerate(pairs):
        row = [p.query, p.expected, f"{p.min_score:.2f}", f"{p.score:.2f}"]
        row.append("yes" if p.score >= DEFAULT_THRESHOLD else "**no**")
        row += [f"{cross_scores[f'x{i}'][a]:.2f}" for a in algos]
        rows.append(row)
    passed = sum(p.score >= DEFAULT_THRESHOLD for p in pairs)
    above_min = sum(p.score >= p.min_score for p in pairs)
    summary = ["**passed**", "", "", f"{above_min}/{len(pairs)} ≥ min", f"{passed}/{len(pairs)}"]
    for a in algos:
        ok = sum(cross_scores[f"x{i}"][a] >= BASELINE_THRESHOLDS[a] for i in range(len(pairs)))
        summary.append(f"{ok}/{len(pairs)}")
    rows.append(summary)
    out += table(header, rows, "llrrl" + "r" * len(algos))
    if algos:
        out += ["", "Baseline pass counts use each baseline's own threshold (below)."]
    out += [""]

    # (d)
    out += ["### Against OpenSanctions' matchers (same candidates)", ""]
    if run is None:
        out += ["Baselines not run (no `bench/.venv-baselines`, or `--no-baselines`).", ""]
        return "\n".join(out)
    n_a, n_b = holdout.sample_recall.total, alerts.sample_size
    mean_a = sum(holdout.candidate_counts) / max(1, len(holdout.candidate_counts))
    mean_b = sum(alerts.candidate_counts) / max(1, len(alerts.candidate_counts))
    out += [
        f"On a sample: the first {n_a:,} held-out aliases of (a) and the first {n_b:,} unlisted "
        f"names of (b). Each baseline scores the candidates sanctrace's index proposes "
        f"(`candidates(query, {CANDIDATE_LIMIT})`, persons only against persons; "
        f"mean {mean_a:.0f} and {mean_b:.0f} per query), in (a) plus the true target even where "
        "the index missed it; a query without schema is compared under the candidate's schema. "
        "Thresholds: each baseline's own default (yente's `SCORE_THRESHOLD` 0.70 for logic-v1 "
        "and logic-v2; 90/100 for WRatio). Baseline false-alert rates are a lower bound: they "
        "see only sanctrace's candidates.",
        "",
    ]
    rows = [
        [
            f"sanctrace {DEFAULT_THRESHOLD}",
            *holdout.sample_recall.cells()[1:],
            pct(alerts.sample_alerts, n_b),
            "",
        ]
    ]
    for algo, label in BASELINE_LABELS.items():
        recall = baseline_recall(run, holdout.targets, algo)
        hits = baseline_alerts(run, n_b, algo)
        timing = run.timing[algo]
        rows.append(
            [
                f"{label} {BASELINE_THRESHOLDS[algo]:.2f}",
                *recall.cells()[1:],
                pct(hits, n_b),
                f"{timing['mean_ms']:.3f}",
            ]
        )
    header = ["matcher, threshold", "recall@1", "recall@5", "false-alert rate", "ms / pair"]
    out += table(header, rows)
    out += [""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, help="held-out aliases to query (default: all)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--unlisted", type=int, default=20_000, help="unlisted names to screen")
    parser.add_argument(
        "--baseline-sample",
        type=int,
        default=1000,
        help="held-out aliases and unlisted names (each) scored by the baselines",
    )
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument(
        "--no-pairs", action="store_true", help="skip (e): the labelled pairs of bench/data"
    )
    parser.add_argument("--seed", type=int, default=20260127)
    args = parser.parse_args(argv)
    argv_shown = sys.argv[1:] if argv is None else argv
    started = time.perf_counter()

    with_baselines = not args.no_baselines and benchlib.baselines_available()
    baseline_sample = args.baseline_sample if with_baselines else 0

    sdn = benchlib.load_sdn_2022()
    holdout = alias_holdout(sdn, args.folds, args.seed, args.sample, baseline_sample)

    log("(b) loading the bundled lists")
    bundled = benchlib.load_bundled_entities()
    alerts = false_alerts(bundled, args.unlisted, args.seed, baseline_sample)

    log("(c) cross-script pairs")
    pairs = cross_script()

    run: benchlib.BaselineRun | None = None
    cross_scores: dict[str, dict[str, float]] = {}
    if with_baselines:
        cross = [
            benchlib.make_pair(
                f"x{i}",
                p.query,
                "Person",
                {"schema": "Person", "properties": {"name": [p.expected]}},
            )
            for i, p in enumerate(pairs)
        ]
        all_pairs = holdout.pairs + alerts.pairs
        log(f"(d) baselines: {len(all_pairs):,} pairs through bench/baseline_runner.py")
        run = benchlib.run_baselines(all_pairs)
        cross_run = benchlib.run_baselines(cross)
        cross_scores = cross_run.scores
    elif not args.no_baselines:
        log("(d) skipped: no bench/.venv-baselines (run `bash bench/setup_baselines.sh`)")

    pair_lines: list[str] = []
    if not args.no_pairs:
        import quality_pairs

        log("(e) labelled pairs of bench/data (bench/quality_pairs.py)")
        pair_lines = quality_pairs.section("test", with_baselines)
        pair_lines += quality_pairs.false_alerts(args.unlisted, args.seed)
    print(
        report(
            argv_shown,
            len(sdn),
            holdout,
            alerts,
            pairs,
            cross_scores,
            run,
            len(bundled),
            started,
        )
    )
    if pair_lines:
        print("\n".join(pair_lines))


if __name__ == "__main__":
    main()
