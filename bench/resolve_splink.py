"""Splink 5 (DuckDB backend) as the cross-list entity-resolution engine: measured (issue 16).

Two halves, two virtualenvs. ``run`` (sanctrace's .venv) flattens the records into one JSON line
each (normalised names, block keys, DOB, countries, identifiers), calls ``splink`` in
bench/.venv-baselines (``bash bench/setup_baselines.sh``; sanctrace is not installed there), reads
the clusters back and scores them: on the ~30k bundled records against
../shared/data/crosslist/dev_pairs.tsv, on bench/gen_records.py output against its truth labels.

    .venv/bin/python bench/resolve_splink.py run                      # bundled, ids hidden/shown
    .venv/bin/python bench/resolve_splink.py run --records gen.jsonl  # generated, truth labels

The Splink model: blocking on single name words and pairs of name words (a key shared by more
than ``--word-cap`` / ``--pair-cap`` records is not one), on the full birth date and (identifiers
shown) on any identifier; Jaro-Winkler of the closest pair of normalised names, DOB exact / same
year / a year apart, a shared country, a shared identifier; u by random sampling, m by EM,
clusters by connected components.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
BASELINE_PYTHON = BENCH_DIR / ".venv-baselines" / "bin" / "python"
DEV_PAIRS = BENCH_DIR.parent.parent / "shared" / "data" / "crosslist" / "dev_pairs.tsv"
#: Match probabilities the pairwise predictions are clustered at (the first is predict's floor).
THRESHOLDS = (0.05, 0.2, 0.5, 0.9, 0.99)
#: Name words a name-pair key is built from: the first few distinct ones of each name.
KEY_WORDS = 6
MAX_NAMES = 10
LIST_LABELS = {
    "us_ofac_sdn": "SDN",
    "us_ofac_cons": "OFAC cons",
    "un_sc_sanctions": "UN",
    "gb_fcdo_sanctions": "UK",
    "ca_dfatd_sema_sanctions": "CA",
    "au_dfat_sanctions": "AU",
}
_TOKEN = re.compile(r"[0-9a-z]+")


# -- flattening (sanctrace's venv) ------------------------------------------------------------


def name_words(value: str, legal_words: frozenset[str]) -> list[str]:
    """Romanised, case-folded words of a name without legal-form words (unless that is all)."""
    from anyascii import anyascii

    words = _TOKEN.findall(anyascii(value).casefold())
    core = [w for w in words if w not in legal_words]
    return core or words


def identifier_key(value: str) -> str | None:
    """Letters and digits only; "IMO 9123456" and "9123456" are one IMO number."""
    key = re.sub(r"[^0-9A-Z]", "", value.upper())
    if key.startswith("IMO") and key[3:].isdigit():
        key = key[3:]
    return key if len(key) >= 5 else None


def flatten(record: dict[str, Any], legal_words: frozenset[str]) -> dict[str, Any]:
    """One Splink input row; lists that are empty become null (Splink's null level)."""
    kind = "person" if record["schema"] == "Person" else "other"
    names: list[str] = []
    keys: set[str] = set()
    values = [n["value"] for n in record.get("names", [])] or [record["caption"]]
    for value in values[:MAX_NAMES]:
        words = name_words(value, legal_words)
        if not words:
            continue
        sorted_name = " ".join(sorted(words))
        if sorted_name not in names:
            names.append(sorted_name)
        distinct = sorted(set(words[:KEY_WORDS]))
        keys.update(f"{a} {b}" for a, b in combinations(distinct, 2))
        keys.update(w for w in distinct if len(w) >= 3 or len(distinct) == 1)
    dates = [d for d in record.get("birth_dates", []) if d[:4].isdigit()]
    full = [d for d in dates if len(d) == 10]
    countries = sorted(
        {
            c.upper()
            for field in ("countries", "nationalities", "citizenships")
            for c in record.get(field, [])
        }
    )
    ids = sorted({k for i in record.get("identifiers", []) if (k := identifier_key(i["value"]))})
    props = record.get("properties", {})
    return {
        "unique_id": record["id"],
        "kind": kind,
        "name_primary": names[0] if names else None,
        "names": names or None,
        "name_keys": sorted(keys) or None,
        "dob": full[0] if full else None,
        "dob_year": int(dates[0][:4]) if dates else None,
        "countries": countries or None,
        "ids": ids or None,
        "truth": (props.get("copiedFrom") or [record["id"]])[0],
        "lookalike_of": (props.get("lookalikeOf") or [None])[0],
    }


def cap_keys(rows: list[dict[str, Any]], pair_cap: int, word_cap: int) -> tuple[int, int]:
    """Drop name keys shared by too many records (stop-word blocking): a pair of words by more
    than ``pair_cap``, a single word by more than ``word_cap``. Returns (keys dropped, pairs the
    kept keys make before Splink removes repeats)."""
    counts = Counter(k for row in rows for k in row["name_keys"] or ())
    frequent = {k for k, n in counts.items() if n > (pair_cap if " " in k else word_cap)}
    for row in rows:
        if row["name_keys"]:
            row["name_keys"] = [k for k in row["name_keys"] if k not in frequent] or None
    blocked = sum(_pairs(n) for k, n in counts.items() if k not in frequent)
    return len(frequent), blocked


def read_records(path: Path | None) -> Iterator[dict[str, Any]]:
    if path is None:
        sys.path.insert(0, str(BENCH_DIR))
        from benchlib import load_bundled_entities

        for entity in load_bundled_entities():
            yield entity.to_dict()
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


# -- Splink (bench/.venv-baselines) -----------------------------------------------------------


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process: steadier than wall time on a shared machine."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _progress(stage: str, timings: dict[str, float]) -> None:
    """A long run's stages on stderr, so a run that dies late still tells where the time went."""
    print(
        f"splink: {stage} {json.dumps({k: round(v, 1) for k, v in timings.items()})}",
        file=sys.stderr,
    )


def splink_settings(with_ids: bool) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    dob = cl.CustomComparison(
        [
            cll.NullLevel("dob_year"),
            cll.CustomLevel('"dob_l" = "dob_r"', "same full date"),
            cll.CustomLevel('"dob_year_l" = "dob_year_r"', "same year"),
            cll.CustomLevel('abs("dob_year_l" - "dob_year_r") <= 1', "a year apart"),
            cll.ElseLevel(),
        ],
        output_column_name="dob",
    )
    names = cl.CustomComparison(
        [
            cll.NullLevel("names"),
            cll.ExactMatchLevel("name_primary", term_frequency_adjustments=True),
            cll.ArrayIntersectLevel("names", min_intersection=1),
            *(
                cll.PairwiseStringDistanceFunctionLevel("names", "jaro_winkler", threshold)
                for threshold in (0.95, 0.9, 0.8)
            ),
            cll.ElseLevel(),
        ],
        output_column_name="names",
    )
    comparisons = [
        names,
        dob,
        cl.ArrayIntersectAtSizes("countries", [1]),
    ]
    rules = [
        block_on("kind", "name_keys", arrays_to_explode=["name_keys"]),
        block_on("kind", "dob"),
    ]
    if with_ids:
        comparisons.append(cl.ArrayIntersectAtSizes("ids", [1]))
        rules.append(block_on("kind", "ids", arrays_to_explode=["ids"]))
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def run_splink(
    rows_path: Path, out_dir: Path, with_ids: bool, seed: int, memory_limit: str
) -> dict[str, Any]:
    """Train, predict and cluster; one CSV of (unique_id, cluster_id) per threshold."""
    import logging

    import duckdb
    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)  # "level not observed" during EM

    timings: dict[str, float] = {}
    start = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    # Spill beside the outputs, not into ./.tmp (the work tree) as an in-memory DuckDB would.
    con.execute(f"SET temp_directory = '{out_dir / 'duckdb-spill'}'")
    con.execute(
        "CREATE TABLE records AS SELECT * FROM read_json(?, format='newline_delimited', columns={"
        "unique_id:'VARCHAR', kind:'VARCHAR', name_primary:'VARCHAR', names:'VARCHAR[]', "
        "name_keys:'VARCHAR[]', dob:'VARCHAR', dob_year:'INTEGER', countries:'VARCHAR[]', "
        "ids:'VARCHAR[]'})",
        [str(rows_path)],
    )
    if not with_ids:
        con.execute("ALTER TABLE records DROP COLUMN ids")
    count = con.execute("SELECT count(*) FROM records").fetchone()[0]
    db_api = DuckDBAPI(connection=con)
    linker = Linker(db_api.register("records"), splink_settings(with_ids), log_level=None)
    timings["load_s"] = time.perf_counter() - start

    mark = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        [block_on("kind", "name_primary", "dob")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    sample = min(1.0, 300_000 / max(count, 1))
    em_rules = [block_on("kind", "dob"), block_on("kind", "name_primary")]
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, record_sample_proportion=sample
        )
    timings["train_s"] = time.perf_counter() - mark
    _progress("trained", timings)

    linker.misc.save_model_to_json(str(out_dir / "model.json"), overwrite=True)
    mark = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLDS[0])
    pairs = con.execute(f"SELECT count(*) FROM {predictions.physical_name}").fetchone()[0]
    timings["predict_s"] = time.perf_counter() - mark
    _progress(f"predicted {pairs} pairs", timings)

    mark = time.perf_counter()
    for threshold in THRESHOLDS:
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold
        )
        con.execute(
            f"COPY (SELECT unique_id, cluster_id FROM {clusters.physical_name}) TO ? (HEADER)",
            [str(out_dir / f"clusters-{threshold}.csv")],
        )
    timings["cluster_s"] = time.perf_counter() - mark
    timings["total_s"] = time.perf_counter() - start
    import os

    return {
        "records": count,
        "scored_pairs": pairs,
        "peak_rss_mb": round(peak_rss_mb()),
        "cpu_s": round(cpu_seconds(), 1),
        "load_average_1min": round(os.getloadavg()[0], 1),
        **{k: round(v, 1) for k, v in timings.items()},
    }


# -- scoring (sanctrace's venv) ---------------------------------------------------------------


def read_clusters(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["unique_id"]: row["cluster_id"] for row in csv.DictReader(fh)}


def score_dev_pairs(clusters: dict[str, str], pairs: Sequence[dict[str, str]]) -> dict[str, Any]:
    """Same-cluster rate per tier, and precision / recall over all labelled pairs."""
    by_tier: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    tp = fp = fn = 0
    for pair in pairs:
        left, right = pair["left_sanctrace_id"], pair["right_sanctrace_id"]
        same = left in clusters and clusters[left] == clusters.get(right)
        by_tier[pair["tier"]][0] += same
        by_tier[pair["tier"]][1] += 1
        if pair["label"] == "1":
            tp += same
            fn += not same
        else:
            fp += same
    return {
        "precision": tp / (tp + fp) if tp + fp else math.nan,
        "recall": tp / (tp + fn) if tp + fn else math.nan,
        "tiers": {tier: tuple(v) for tier, v in sorted(by_tier.items())},
    }


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _source_list(row: dict[str, Any]) -> str:
    """The real list the generated record's party comes from."""
    return (row["lookalike_of"] or row["truth"]).split(":", 1)[0]


def score_truth(clusters: dict[str, str], rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Pairwise precision / recall against the generator's truth, and look-alikes merged.

    Copies of two different records of two real lists may be one party (OFAC and UN list the
    same people), which the truth labels do not know: ``precision`` counts only pairs of copies
    of one real list's records, ``precision_all`` every pair (a lower bound).
    """
    cell: Counter[tuple[str, str]] = Counter()
    same_list: Counter[tuple[str, str]] = Counter()
    truth_sizes: Counter[str] = Counter()
    truth_list: dict[str, str] = {}
    cluster_sizes: Counter[str] = Counter()
    lookalikes: list[tuple[str, str]] = []
    cluster_truths: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        cluster = clusters[row["unique_id"]]
        cell[(cluster, row["truth"])] += 1
        same_list[(cluster, _source_list(row))] += 1
        truth_sizes[row["truth"]] += 1
        truth_list[row["truth"]] = _source_list(row)
        cluster_sizes[cluster] += 1
        cluster_truths[cluster].add(row["truth"])
        if row["lookalike_of"]:
            lookalikes.append((cluster, row["lookalike_of"]))
    tp = sum(_pairs(n) for n in cell.values())
    decidable = sum(_pairs(n) for n in same_list.values())
    predicted = sum(_pairs(n) for n in cluster_sizes.values())
    actual = sum(_pairs(n) for n in truth_sizes.values())
    found_by_list: Counter[str] = Counter()
    actual_by_list: Counter[str] = Counter()
    for (_, truth), n in cell.items():
        found_by_list[truth_list[truth]] += _pairs(n)
    for truth, n in truth_sizes.items():
        actual_by_list[truth_list[truth]] += _pairs(n)
    merged = sum(source in cluster_truths[cluster] for cluster, source in lookalikes)
    return {
        "precision": tp / decidable if decidable else math.nan,
        "precision_all": tp / predicted if predicted else math.nan,
        "recall": tp / actual if actual else math.nan,
        "recall_by_list": {
            name: found_by_list[name] / n for name, n in sorted(actual_by_list.items()) if n
        },
        "lookalikes": len(lookalikes),
        "lookalikes_merged": merged,
        "largest_cluster": max(cluster_sizes.values(), default=0),
    }


def blocked(a: dict[str, Any], b: dict[str, Any], with_ids: bool) -> bool:
    """Whether one of the blocking rules puts ``a`` and ``b`` side by side."""
    return a["kind"] == b["kind"] and (
        bool(set(a["name_keys"] or ()) & set(b["name_keys"] or ()))
        or (a["dob"] is not None and a["dob"] == b["dob"])
        or (with_ids and bool(set(a["ids"] or ()) & set(b["ids"] or ())))
    )


def true_pairs(rows: Sequence[dict[str, Any]]) -> Iterator[tuple[dict, dict]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row["truth"]].append(row)
    for members in groups.values():
        yield from combinations(members, 2)


def blocking_recall(pairs: Iterable[tuple[dict, dict]], with_ids: bool) -> float:
    """Share of true pairs that at least one blocking rule compares (the ceiling on recall)."""
    found = total = 0
    for a, b in pairs:
        total += 1
        found += blocked(a, b, with_ids)
    return found / total if total else math.nan


def call_splink(rows_path: Path, out_dir: Path, with_ids: bool, seed: int) -> dict[str, Any]:
    if not BASELINE_PYTHON.exists():
        raise SystemExit("bench/.venv-baselines is missing: run `bash bench/setup_baselines.sh`")
    stats = out_dir / "stats.json"
    command = [str(BASELINE_PYTHON), __file__, "splink", str(rows_path), str(out_dir), str(stats)]
    command += ["--seed", str(seed)] + (["--ids"] if with_ids else [])
    subprocess.run(command, check=True)
    return json.loads(stats.read_text())


def _pct(value: float) -> str:
    return "-" if math.isnan(value) else f"{100 * value:.1f}"


def run(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(BENCH_DIR))
    from benchlib import LEGAL_WORDS

    mark = time.perf_counter()
    rows = [flatten(r, LEGAL_WORDS) for r in read_records(args.records)]
    capped, blocked = cap_keys(rows, args.pair_cap, args.word_cap)
    export_s = time.perf_counter() - mark
    label = "bundled" if args.records is None else args.records.name
    print(
        f"{label}: {len(rows)} records, {capped} name keys over the cap, name keys make "
        f"{blocked} pairs with repeats, export {export_s:.1f} s"
    )
    with open(DEV_PAIRS, encoding="utf-8", newline="") as fh:
        dev_pairs = list(csv.DictReader(fh, delimiter="\t"))
    report = []
    with tempfile.TemporaryDirectory(prefix="sanctrace-splink-") as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        rows_path = Path(tmp) / "rows.jsonl"
        with rows_path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        for with_ids in args.variants:
            out_dir = Path(tmp) / ("ids" if with_ids else "no-ids")
            out_dir.mkdir(parents=True, exist_ok=True)
            stats = call_splink(rows_path, out_dir, with_ids, args.seed)
            if args.records is None:
                by_id = {row["unique_id"]: row for row in rows}
                positives = [
                    (by_id[p["left_sanctrace_id"]], by_id[p["right_sanctrace_id"]])
                    for p in dev_pairs
                    if p["label"] == "1"
                ]
                stats["blocking_recall"] = blocking_recall(positives, with_ids)
            else:
                stats["blocking_recall"] = blocking_recall(true_pairs(rows), with_ids)
            for threshold in THRESHOLDS:
                clusters = read_clusters(out_dir / f"clusters-{threshold}.csv")
                scores = (
                    score_dev_pairs(clusters, dev_pairs)
                    if args.records is None
                    else score_truth(clusters, rows)
                )
                report.append((with_ids, threshold, stats, scores))
    print_report(label, report, export_s)
    if args.json:
        args.json.write_text(json.dumps([list(r) for r in report], indent=1, default=str))
    return 0


def print_report(label: str, report: list[tuple[bool, float, dict, dict]], export_s: float) -> None:
    print(f"\n{label} (export {export_s:.1f} s in sanctrace's venv, not included below)\n")
    if report and "tiers" in report[0][3]:
        tiers = list(report[0][3]["tiers"])
        print("| ids | threshold | P | R | " + " | ".join(tiers) + " |")
        print("|---|---|---|---|" + "---|" * len(tiers))
        for with_ids, threshold, _, s in report:
            cells = [f"{a}/{n}" for a, n in s["tiers"].values()]
            print(
                f"| {'shown' if with_ids else 'hidden'} | {threshold} | {_pct(s['precision'])} | "
                f"{_pct(s['recall'])} | " + " | ".join(cells) + " |"
            )
    else:
        lists = list(report[0][3]["recall_by_list"]) if report else []
        print(
            "| ids | threshold | P (same list) | P (all pairs) | R | "
            + " | ".join(f"R {LIST_LABELS.get(n, n)}" for n in lists)
            + " | look-alikes merged | largest cluster |"
        )
        print("|---|---|---|---|---|" + "---|" * len(lists) + "---|---|")
        for with_ids, threshold, _, s in report:
            by_list = [_pct(s["recall_by_list"].get(n, math.nan)) for n in lists]
            print(
                f"| {'shown' if with_ids else 'hidden'} | {threshold} | {_pct(s['precision'])} | "
                f"{_pct(s['precision_all'])} | {_pct(s['recall'])} | "
                + " | ".join(by_list)
                + f" | {s['lookalikes_merged']}/{s['lookalikes']} | {s['largest_cluster']} |"
            )
    print(
        "\n| ids | records | scored pairs | blocking recall | load s | train s | predict s "
        "| cluster s (all thresholds) | Splink wall s | Splink CPU s | load avg | peak MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for with_ids, threshold, st, _ in report:
        if threshold == THRESHOLDS[0]:
            print(
                f"| {'shown' if with_ids else 'hidden'} | {st['records']} | {st['scored_pairs']} | "
                f"{_pct(st.get('blocking_recall', math.nan))} | {st['load_s']} | {st['train_s']} | "
                f"{st['predict_s']} | {st['cluster_s']} | {st['total_s']} | {st['cpu_s']} | "
                f"{st['load_average_1min']} | {st['peak_rss_mb']} |"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="flatten, resolve with Splink, score (sanctrace's venv)")
    run_p.add_argument("--records", type=Path, help="gen_records.py JSON lines (default: bundled)")
    run_p.add_argument("--pair-cap", type=int, default=2000, help="max records per word-pair key")
    run_p.add_argument("--word-cap", type=int, default=300, help="max records per one-word key")
    run_p.add_argument("--seed", type=int, default=1)
    run_p.add_argument("--ids", choices=("hidden", "shown", "both"), default="both")
    run_p.add_argument("--json", type=Path, help="also write the raw report here")
    run_p.add_argument("--keep", type=Path, help="keep the rows and clusters in this folder")
    splink_p = sub.add_parser("splink", help="the Splink half (bench/.venv-baselines)")
    splink_p.add_argument("rows", type=Path)
    splink_p.add_argument("out_dir", type=Path)
    splink_p.add_argument("stats", type=Path)
    splink_p.add_argument("--ids", action="store_true", help="identifiers visible to the model")
    splink_p.add_argument("--seed", type=int, default=1)
    splink_p.add_argument("--memory-limit", default="12GB", help="DuckDB's, spills beyond it")
    args = parser.parse_args(argv)
    if args.command == "splink":
        stats = run_splink(args.rows, args.out_dir, args.ids, args.seed, args.memory_limit)
        args.stats.write_text(json.dumps(stats))
        return 0
    args.variants = {"hidden": [False], "shown": [True], "both": [False, True]}[args.ids]
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
