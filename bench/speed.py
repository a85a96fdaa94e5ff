"""Screening speed over every bundled list: index build and load, query latency, memory, and
nomenklatura logic-v2's cost of scoring the same candidates.

Run from the repository root (Faker from the ``bench`` extra; the logic-v2 line needs
``bash bench/setup_baselines.sh`` done once)::

    .venv/bin/python bench/speed.py
    .venv/bin/python bench/speed.py --queries 1000 --baseline-queries 200

Prints a Markdown section for docs/benchmarks.md on stdout; progress goes to stderr.

Queries: half are variants of listed names (a random name of a random listed entity, as is or
lower-cased, with its tokens reversed, one character dropped, two neighbours swapped, or its
punctuation removed), half are unlisted Faker names. Each is screened in-process, one after the
other, with ``screen(query, limit=5)`` at the default threshold; the first 50 are a warm-up and
not counted. Queries per second are for one core (a single thread, serially).
"""

from __future__ import annotations

import argparse
import random
import resource
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

import benchlib
from benchlib import table

from sanctrace.match import DEFAULT_THRESHOLD, Query, Screener
from sanctrace.model.entity import Entity

WARM_UP = 50


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rss_mb() -> float:
    """Current resident set size (VmRSS) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def variant(name: str, rng: random.Random) -> str:
    """A plausible way a user might type a listed name."""
    how = rng.randrange(6)
    if how == 1:
        return name.lower()
    if how == 2:
        return " ".join(reversed(name.replace(",", " ").split()))
    if how == 3 and len(name) > 4:
        i = rng.randrange(1, len(name) - 1)
        return name[:i] + name[i + 1 :]
    if how == 4 and len(name) > 4:
        i = rng.randrange(1, len(name) - 2)
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if how == 5:
        return " ".join("".join(c if c.isalnum() else " " for c in name).split())
    return name


def make_queries(entities: list[Entity], count: int, seed: int) -> list[Query]:
    rng = random.Random(seed)
    listed = [e for e in entities if e.names]
    queries: list[Query] = []
    for _ in range(count - count // 2):
        entity = rng.choice(listed)
        name = rng.choice(entity.names).value
        queries.append(Query(name=variant(name, rng), schema=benchlib.query_schema(entity.schema)))
    unlisted = benchlib.generate_unlisted(count // 2, seed, benchlib.listed_name_set(entities))
    queries += [Query(name=g.name, schema=benchlib.query_schema(g.kind)) for g in unlisted.names]
    rng.shuffle(queries)
    return queries


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def time_load(screener: Screener) -> tuple[str, float, float] | None:
    """(how, seconds, size MB) of saving and loading the index, if the screener can."""
    with tempfile.TemporaryDirectory(prefix="sanctrace-speed-") as tmp:
        path = Path(tmp) / "index"
        if hasattr(screener, "save") and hasattr(Screener, "load"):
            screener.save(path)
            start = time.perf_counter()
            Screener.load(path)
            return "Screener.save / Screener.load", time.perf_counter() - start, _size(path)
        index = getattr(screener, "index", None)
        if index is not None and hasattr(index, "save") and hasattr(type(index), "load"):
            index.save(path)
            start = time.perf_counter()
            Screener(type(index).load(path))
            how = "Screener(Index.load(path)) after index.save"
            return how, time.perf_counter() - start, _size(path)
    return None


def _size(path: Path) -> float:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6
    return path.stat().st_size / 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=5_000)
    parser.add_argument(
        "--baseline-queries", type=int, default=400, help="queries whose candidates logic-v2 scores"
    )
    parser.add_argument("--seed", type=int, default=20260127)
    args = parser.parse_args(argv)
    argv_shown = sys.argv[1:] if argv is None else argv

    log("loading the bundled lists")
    start = time.perf_counter()
    entities = benchlib.load_bundled_entities()
    parse_s = time.perf_counter() - start
    queries = make_queries(entities, args.queries + WARM_UP, args.seed)
    rss_before = rss_mb()

    log(f"building the index over {len(entities):,} entities")
    start = time.perf_counter()
    screener = Screener.from_entities(entities)
    build_s = time.perf_counter() - start
    rss_after = rss_mb()
    loaded = time_load(screener)

    log(f"screening {len(queries):,} queries")
    latencies: list[float] = []
    hits = 0
    for i, query in enumerate(queries):
        t0 = time.perf_counter()
        matches = screener.screen(query, limit=5)
        elapsed = time.perf_counter() - t0
        if i >= WARM_UP:
            latencies.append(elapsed * 1000)
            hits += bool(matches)
    total_s = sum(latencies) / 1000
    timed = queries[WARM_UP:]

    log("counting candidates")
    counts: list[int] = []
    by_id = {e.id: e for e in entities}
    pairs = []
    for i, query in enumerate(timed):
        ids = screener.candidates(query, limit=200)
        ids = [c for c in ids if benchlib.schema_compatible(query.schema, by_id[c].schema)]
        counts.append(len(ids))
        if i < args.baseline_queries:
            for c in ids:
                candidate = benchlib.entity_to_ftm(by_id[c])
                pairs.append(benchlib.make_pair(f"{i}|{c}", query.name, query.schema, candidate))
    mean_candidates = statistics.fmean(counts) if counts else 0.0

    run = None
    if benchlib.baselines_available() and pairs:
        log(f"logic-v2 on {len(pairs):,} pairs")
        run = benchlib.run_baselines(pairs, algorithms=("logic_v2",))

    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "bench/speed.py", *argv_shown])
    out = ["## Screening speed", ""]
    out += [
        f"`{command}` ({benchlib.machine_line()}). All {len(entities):,} entities of the "
        f"bundled lists ({benchlib.bundled_versions()}; parsed in {parse_s:.1f} s, not counted "
        f"below). {len(timed):,} queries, half variants of listed names and half unlisted "
        f"Faker names, screened one after the other at the default threshold "
        f"{DEFAULT_THRESHOLD} with `limit=5` ({hits:,} had a result).",
        "",
    ]
    rows: list[list[str]] = [["index build (`Screener.from_entities`)", f"{build_s:.2f} s"]]
    if loaded:
        how, seconds, size = loaded
        rows.append([f"index load (`{how}`, {size:.0f} MB file)", f"{seconds:.2f} s"])
    else:
        rows.append(["index load", "n/a (no save/load on the Screener)"])
    rows += [
        ["query latency p50", f"{percentile(latencies, 50):.2f} ms"],
        ["query latency p90", f"{percentile(latencies, 90):.2f} ms"],
        ["query latency p99", f"{percentile(latencies, 99):.2f} ms"],
        ["query latency max", f"{max(latencies):.1f} ms"],
        ["queries / s, one core", f"{len(latencies) / total_s:,.0f}"],
        ["candidates per query (mean, `candidates(q, 200)`)", f"{mean_candidates:.1f}"],
        ["resident memory before the index (lists parsed)", f"{rss_before:.0f} MB"],
        ["resident memory with the index", f"{rss_after:.0f} MB"],
        ["peak resident memory (ru_maxrss)", f"{peak_rss_mb():.0f} MB"],
    ]
    if run:
        mean_ms = run.timing["logic_v2"]["mean_ms"]
        n_pairs = int(run.timing["logic_v2"]["pairs"])
        rows += [
            [
                f"nomenklatura {run.version} logic-v2, per pair "
                f"({n_pairs:,} pairs of the first {args.baseline_queries:,} queries)",
                f"{mean_ms:.3f} ms",
            ],
            [
                "logic-v2 per query on the same candidates (per pair × mean candidates)",
                f"{mean_ms * mean_candidates:.1f} ms",
            ],
        ]
    else:
        rows.append(["nomenklatura logic-v2", "not run (no bench/.venv-baselines)"])
    out += table(["measure", "value"], rows)
    out += [""]
    if run:
        out += [
            "logic-v2 is timed inside bench/baseline_runner.py around `LogicV2.compare` alone "
            "(entity construction and I/O excluded, after a warm-up), so its line is scoring "
            "time only; sanctrace's latency includes candidate retrieval.",
            "",
        ]
    print("\n".join(out))


if __name__ == "__main__":
    main()
