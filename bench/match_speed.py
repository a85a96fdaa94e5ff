"""``/match`` speed before and after parties (issue 16: "screening speed stays within 10 % of
today's"), side by side in one run: the same queries answered by the code of a baseline commit
(checked out in a temporary git worktree) and by this checkout, each with its own store of the
bundled lists, alternating rounds so that the machine's load falls on both alike::

    .venv/bin/python bench/match_speed.py       # baseline: the last commit before parties
    .venv/bin/python bench/match_speed.py --baseline 19f5174 --queries 2000 --rounds 3

Each side answers in-process what the API's ``POST /match`` answers (``match_answer``: screen,
fold the records into parties where the code has them, render the JSON), one query per request,
so HTTP and the audit write, which neither side changed, stay out of the figure. Queries: half
variants of listed names, half unlisted Faker names (bench/speed.py's ``make_queries``); the
first 50 of each round warm up and are not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The last commit whose API answered one result per record (before resolve/grouping).
BEFORE_PARTIES = "19f5174"
WARM_UP = 50


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def child(db: str, queries_file: str, limits: list[int]) -> None:
    """Time ``match_answer`` for every query at every limit (run with the side's code)."""
    from sanctrace.api.answers import MatchRequest, match_answer
    from sanctrace.api.ftm import parse_example
    from sanctrace.api.service import Service
    from sanctrace.store import open_store

    service = Service(open_store(db))
    service.load()
    queries = json.loads(Path(queries_file).read_text())
    params = {"exclude_schema": [], "exclude_entity_ids": [], "topics": [], "changed_since": None}
    out = {}
    for limit in limits:
        requests = [
            MatchRequest(
                {"q": parse_example("q", schema, {"name": [name]})},
                service.datasets,
                limit,
                0.7,
                0.5,
                params,
            )
            for name, schema in queries
        ]
        times, size = [], 0
        for i, request in enumerate(requests):
            began = time.perf_counter()
            answer = match_answer(service, request)
            if i >= WARM_UP:
                times.append(time.perf_counter() - began)
                size += len(answer.content)
        out[str(limit)] = {"times": times, "bytes": size / len(times)}
    service.close()
    print(json.dumps(out))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def prepare(side: str, src: Path, home: Path) -> None:
    """Load the bundled lists into the side's store and build what its first answer needs."""
    began = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(src), "SANCTRACE_HOME": str(home)}
    subprocess.run(
        [sys.executable, "-m", "sanctrace", "screen", "Almaz-Antey"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log(f"{side}: store ready in {time.perf_counter() - began:.0f} s")


def run_side(src: Path, home: Path, queries: Path, limits: list[int]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src), "SANCTRACE_HOME": str(home)}
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            str(home / "sanctrace.db"),
            str(queries),
            ",".join(map(str, limits)),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BEFORE_PARTIES, help="commit to compare with")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--limits", default="5,20")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        db, queries_file, limits = args.child
        child(db, queries_file, [int(n) for n in limits.split(",")])
        return 0
    sys.path.insert(0, str(ROOT / "bench"))
    import benchlib
    import speed
    from benchlib import table

    limits = [int(n) for n in args.limits.split(",")]
    queries = speed.make_queries(benchlib.load_bundled_entities(), args.queries, args.seed)
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", args.baseline],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    changed = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "src"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    dirty = " + uncommitted changes" if changed else ""
    with tempfile.TemporaryDirectory(prefix="match-speed-") as tmp:
        work = Path(tmp)
        pool = work / "queries.json"
        pool.write_text(json.dumps([(q.name, q.schema or "Thing") for q in queries]))
        tree = work / "baseline"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit],
            check=True,
            capture_output=True,
        )
        try:
            sides = {
                f"before parties ({commit})": (tree / "src", work / "home-before"),
                f"parties ({head}{dirty})": (ROOT / "src", work / "home-after"),
            }
            for side, (src, home) in sides.items():
                prepare(side, src, home)
            runs: dict[str, list[dict]] = {side: [] for side in sides}
            for round_no in range(args.rounds):
                for side, (src, home) in sides.items():
                    # A process per limit: the screener's memos of one do not speed the next.
                    result: dict = {}
                    for limit in limits:
                        result.update(run_side(src, home, pool, [limit]))
                    runs[side].append(result)
                    log(f"round {round_no + 1}: {side} done")
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )
    rows = []
    medians: dict[tuple[str, int], float] = {}
    for side, results in runs.items():
        for limit in limits:
            p50s = [1000 * statistics.median(r[str(limit)]["times"]) for r in results]
            p90s = [1000 * percentile(r[str(limit)]["times"], 90) for r in results]
            means = [1000 * statistics.mean(r[str(limit)]["times"]) for r in results]
            size = results[0][str(limit)]["bytes"]
            medians[(side, limit)] = statistics.median(p50s)
            rows.append(
                [
                    side,
                    str(limit),
                    f"{statistics.median(p50s):.2f}",
                    f"{statistics.median(p90s):.2f}",
                    f"{statistics.median(means):.2f}",
                    f"{size / 1024:.1f}",
                ]
            )
    before, after = list(runs)
    ratios = ", ".join(
        f"limit {n}: {100 * (medians[(after, n)] / medians[(before, n)] - 1):+.0f} %"
        for n in limits
    )
    lines = [
        f"`.venv/bin/python bench/match_speed.py --baseline {args.baseline} --queries "
        f"{args.queries} --rounds {args.rounds}`, {benchlib.machine_line()}. Each figure is "
        f"the median over {args.rounds} alternating rounds of {args.queries - WARM_UP:,} "
        "one-query answers.",
        "",
        *table(
            ["code", "limit", "p50 ms", "p90 ms", "mean ms", "answer KiB"],
            rows,
        ),
        "",
        f"p50 with parties against before: {ratios}.",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
