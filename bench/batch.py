"""Batch screening of a million generated counterparties: ``sanctrace screen-file`` end to end
on every core, beside the naive loop of single ``screen`` calls and the Spark local-mode path.

Run from the repository root (Faker from the ``bench`` extra; the Spark line needs pyspark,
which the ``dev`` extra installs, and Java)::

    .venv/bin/python bench/batch.py                       # 1,000,000 rows
    .venv/bin/python bench/batch.py --rows 100000 --naive-rows 5000 --spark-rows 50000

Prints a Markdown section for docs/benchmarks.md on stdout; progress goes to stderr.

Input: a CSV of ``customer_id,name,type``. 95 % of the rows are Faker names (persons and
companies, eight locales in turn, repeats kept: a real customer file repeats names too); 5 % are
planted variants of listed names (a random name of a random listed entity, as is, lower-cased,
reversed, with a letter dropped or two swapped, or without punctuation), whose entity is
remembered. The store is a fresh SQLite file with the bundled lists, loaded and indexed before
the clock starts.

Measured:

* ``sanctrace screen-file input.csv -o out.csv`` as a user runs it (a new process; reading,
  screening on all cores, writing, the summary), with the resident memory of the whole process
  tree sampled every 0.2 s: the peak of the summed PSS (shared pages counted once, the honest
  total for forked workers) and of the summed RSS (shared pages counted in every process).
* Recall on the planted rows (their entity among the row's matches) in that output, and the
  same measure from the single-query path (``Screener.screen`` in this process, same threshold
  and limit) on the same rows: the two must be equal, row for row.
* The naive loop: the first ``--naive-rows`` rows read and screened one ``screen`` call after the
  other in one process, results written as CSV; and a few rows through ``sanctrace screen NAME``,
  one process per name, as a shell loop would.
* Spark local mode (``sanctrace screen-file --engine spark``) on the first ``--spark-rows`` rows,
  beside the local engine on the same rows.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import benchlib
from benchlib import table
from speed import variant

from sanctrace.match import DEFAULT_THRESHOLD, Query, Screener
from sanctrace.store import open_store

SANCTRACE = Path(sys.executable).with_name("sanctrace")
PLANTED_SHARE = 0.05
#: The input's type column as screen-file reads it.
SCHEMA = {"person": "Person", "company": "Company", "": None}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- input ------------------------------------------------------------------------------------


def write_input(path: Path, rows: int, seed: int) -> dict[str, str]:
    """Write the input CSV; return planted row key -> the listed entity id it is a variant of."""
    from faker import Faker

    rng = random.Random(seed)
    entities = [e for e in benchlib.load_bundled_entities() if e.names]
    fakers = []
    for i, locale in enumerate(benchlib.LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + i)
        fakers.append(fake)
    planted: dict[str, str] = {}
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["customer_id", "name", "type"])
        for i in range(rows):
            key = f"C{i:07d}"
            if rng.random() < PLANTED_SHARE:
                entity = rng.choice(entities)
                name = variant(rng.choice(entity.names).value, rng)
                kind = "person" if entity.schema == "Person" else ""
                planted[key] = entity.id
            else:
                fake = fakers[i % len(fakers)]
                kind = "person" if (i // len(fakers)) % 2 == 0 else "company"
                name = fake.name() if kind == "person" else fake.company()
            writer.writerow([key, name, kind])
            if i and i % 200_000 == 0:
                log(f"    {i:,} rows written")
    return planted


def read_matches(path: Path) -> dict[str, set[str]]:
    """input_key -> the entity ids matched in a screen-file output."""
    found: dict[str, set[str]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            ids = found.setdefault(row["input_key"], set())
            if row["id"]:
                ids.add(row["id"])
    return found


# -- running and sampling -------------------------------------------------------------------------


@dataclass
class Sampled:
    seconds: float
    peak_pss_mb: float
    peak_rss_mb: float
    returncode: int
    stderr: str = field(repr=False, default="")


def _tree(pid: int) -> list[int]:
    out = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for child in children:
        out.extend(_tree(int(child)))
    return out


def _memory_kb(pid: int) -> tuple[int, int]:
    pss = rss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
            elif line.startswith("Rss:"):
                rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss


def run_sampled(command: list[str], env: dict[str, str]) -> Sampled:
    """Run ``command``; sample the summed PSS and RSS of its process tree every 0.2 s."""
    peak = [0, 0]
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )

    def sample() -> None:
        while process.poll() is None:
            pss = rss = 0
            for pid in _tree(process.pid):
                p, r = _memory_kb(pid)
                pss += p
                rss += r
            peak[0] = max(peak[0], pss)
            peak[1] = max(peak[1], rss)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    return Sampled(seconds, peak[0] / 1024, peak[1] / 1024, process.returncode, stderr)


def head_csv(source: Path, target: Path, rows: int) -> None:
    with source.open(encoding="utf-8") as fh, target.open("w", encoding="utf-8") as out:
        for i, line in enumerate(fh):
            if i > rows:
                break
            out.write(line)


# -- the naive loop ---------------------------------------------------------------------------


def naive_loop(screener: Screener, source: Path, target: Path, rows: int) -> float:
    """Rows per second of reading, screening one by one and writing, in this one process."""
    start = time.perf_counter()
    with (
        source.open(encoding="utf-8", newline="") as fh,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out)
        for i, row in enumerate(csv.DictReader(fh)):
            if i >= rows:
                break
            matches = screener.screen(Query(row["name"], schema=SCHEMA[row["type"]]))
            for m in matches or [None]:
                writer.writerow([row["customer_id"], row["name"], m.id if m else "", m and m.score])
    return rows / (time.perf_counter() - start)


def single_query_matches(screener: Screener, source: Path, keys: set[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    with source.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["customer_id"] in keys:
                matches = screener.screen(Query(row["name"], schema=SCHEMA[row["type"]]))
                found[row["customer_id"]] = {m.id for m in matches}
    return found


def spark_available(env: dict[str, str]) -> bool:
    help_text = subprocess.run(
        [str(SANCTRACE), "screen-file", "--help"], env=env, capture_output=True, text=True
    ).stdout
    if "--engine" not in help_text:
        return False
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return subprocess.run(["java", "-version"], capture_output=True).returncode == 0


# -- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--naive-rows", type=int, default=20_000)
    parser.add_argument("--cli-rows", type=int, default=10, help="rows run as `sanctrace screen`")
    parser.add_argument("--spark-rows", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=20260127)
    args = parser.parse_args(argv)
    argv_shown = sys.argv[1:] if argv is None else argv

    with tempfile.TemporaryDirectory(prefix="sanctrace-batch-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "SANCTRACE_HOME": str(folder / "home"), "PYTHONWARNINGS": "ignore"}
        source = folder / "input.csv"
        log(f"writing {args.rows:,} rows")
        started = time.perf_counter()
        planted = write_input(source, args.rows, args.seed)
        log(f"    {time.perf_counter() - started:.0f} s; {len(planted):,} planted variants")

        log("loading the bundled lists and building the index (not timed)")
        subprocess.run([str(SANCTRACE), "lists", "show"], env=env, check=True, capture_output=True)
        store = open_store(str(folder / "home" / "sanctrace.db"))
        screener = Screener.open(store)
        versions = ", ".join(f"{d} {v}" for d, v in screener.versions)

        log(f"screen-file on {args.rows:,} rows, {args.workers} workers")
        output = folder / "out.csv"
        command = [str(SANCTRACE), "screen-file", str(source), "-o", str(output)]
        command += ["--workers", str(args.workers)]
        local = run_sampled(command, env)
        if local.returncode != 0:
            raise SystemExit(f"screen-file failed:\n{local.stderr[-3000:]}")
        batch = read_matches(output)
        rows_out = sum(max(1, len(ids)) for ids in batch.values())
        alerted = sum(1 for key, ids in batch.items() if ids and key not in planted)

        log(f"single-query path on the {len(planted):,} planted rows")
        single = single_query_matches(screener, source, set(planted))
        batch_recall = sum(planted[k] in batch.get(k, set()) for k in planted)
        single_recall = sum(planted[k] in single.get(k, set()) for k in planted)
        identical = all(batch.get(k, set()) == single[k] for k in planted)

        log(f"naive loop on {args.naive_rows:,} rows")
        naive_rate = naive_loop(screener, source, folder / "naive.csv", args.naive_rows)
        cli_names = []
        with source.open(encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                if i >= args.cli_rows:
                    break
                cli_names.append(row["name"])
        started = time.perf_counter()
        for name in cli_names:
            subprocess.run([str(SANCTRACE), "screen", name], env=env, capture_output=True)
        cli_rate = len(cli_names) / (time.perf_counter() - started)

        spark_line: list[list[str]] = []
        if args.spark_rows and spark_available(env):
            subset = folder / "subset.csv"
            head_csv(source, subset, args.spark_rows)
            log(f"local and spark engines on {args.spark_rows:,} rows")
            same = [str(SANCTRACE), "screen-file", str(subset)]
            local_small = run_sampled(
                [*same, "-o", str(folder / "local-small.csv"), "--workers", str(args.workers)], env
            )
            master = f"local[{args.workers}]"
            spark_command = [*same, "-o", str(folder / "spark-small.csv"), "--engine", "spark"]
            spark = run_sampled([*spark_command, "--spark-master", master], env)
            if spark.returncode != 0:
                raise SystemExit(f"spark engine failed:\n{spark.stderr[-3000:]}")
            equal = read_matches(folder / "local-small.csv") == read_matches(
                folder / "spark-small.csv"
            )
            spark_line = [
                [
                    f"local engine, first {args.spark_rows:,} rows",
                    f"{args.spark_rows / local_small.seconds:,.0f}",
                    f"{local_small.seconds:.1f} s",
                    f"{local_small.peak_pss_mb:,.0f} MB",
                ],
                [
                    f"`--engine spark` (local[{args.workers}]), same rows; same matches: "
                    f"{'yes' if equal else 'NO'}",
                    f"{args.spark_rows / spark.seconds:,.0f}",
                    f"{spark.seconds:.1f} s (+{spark.seconds - local_small.seconds:.1f} s)",
                    f"{spark.peak_pss_mb:,.0f} MB",
                ],
            ]
        else:
            log("spark engine not available: skipped")

    command_shown = " ".join(
        shlex.quote(a) for a in [".venv/bin/python", "bench/batch.py", *argv_shown]
    )
    n = len(planted)
    out = ["## Batch screening", ""]
    out += [
        f"`{command_shown}` ({benchlib.machine_line()}; {args.workers} workers). "
        f"{args.rows:,} rows ({n:,} planted variants of listed names, the rest Faker names in "
        f"{len(benchlib.LOCALES)} locales) against all bundled lists ({versions}), default "
        f"threshold {DEFAULT_THRESHOLD}, up to 10 matches per row; {rows_out:,} output rows.",
        "",
    ]
    rows = [
        [
            f"`sanctrace screen-file` ({args.workers} workers), end to end",
            f"{args.rows / local.seconds:,.0f}",
            f"{local.seconds:.1f} s",
            f"{local.peak_pss_mb:,.0f} MB (RSS summed: {local.peak_rss_mb:,.0f} MB)",
        ],
        [
            f"naive loop of `Screener.screen`, one process, first {args.naive_rows:,} rows",
            f"{naive_rate:,.0f}",
            f"{args.rows / naive_rate:,.0f} s for all rows (extrapolated)",
            "",
        ],
        [
            f"`sanctrace screen NAME` per row (shell loop), first {len(cli_names)} rows",
            f"{cli_rate:,.1f}",
            f"{args.rows / cli_rate / 86400:,.1f} days for all rows (extrapolated)",
            "",
        ],
        *spark_line,
    ]
    out += table(["path", "rows / s", "time", "peak memory (PSS)"], rows, "lrrr")
    out += [
        "",
        f"Planted variants found (their entity among the row's matches): "
        f"{batch_recall:,} / {n:,} ({benchlib.pct(batch_recall, n)}) by `screen-file`, "
        f"{single_recall:,} / {n:,} ({benchlib.pct(single_recall, n)}) by single `screen` "
        f"calls; the match sets of every planted row are "
        f"{'identical' if identical else 'NOT identical'}. "
        f"Rows of unlisted names with any match: {alerted:,} of {args.rows - n:,} "
        f"({benchlib.pct(alerted, args.rows - n)}).",
    ]
    print("\n".join(out))


if __name__ == "__main__":
    main()
