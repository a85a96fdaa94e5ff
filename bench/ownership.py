"""Ownership propagation at scale (issue 18): a naive Python fixed point, the reference work list
(sanctrace.ownership.calculate) and DuckDB (sanctrace.ownership.engine_duckdb), side by side on
one generated graph, each in its own process (wall time and peak RSS of each), checked to agree::

    .venv/bin/python bench/ownership.py --companies 1000000 --edges 2000000 --naive-max 1000000

How the graph is made (``generate``, seeded, numpy):

- companies get a depth level: 15% are top holders (level 0: states, families, funds), the
  rest levels 1-10 with probability falling by 0.55 a level, so chains run up to 10 deep;
- each holder has a Pareto weight (alpha 1.2): the number of subsidiaries per holder follows a
  power law (a few groups hold thousands, most companies none);
- each other company has 1 owner (45%), 2 (30%), 3 (15%) or 4-12 (10%); the first owner comes
  from the level just above in 60% of cases (a chain), the others from any level above, by
  weight; the other edges (about 2% at 2 a company) are minority stakes (1-30%)
  between any two companies, making cycles;
- stakes: a sole owner holds 100% in 75% of cases (else a random majority or minority); two
  owners are a 50/50 joint venture in 35% of cases; otherwise the owners split 60-100% of the
  capital at random (whole percents for two owners, hundredths for more, 33.33/33.33/33.34 for
  some thirds); then 2% of stakes become ranges or bounds (25-50, 50-75, >50, <25, UK PSC
  bands), 1% unknown, 0.5% control without shares (management) and 0.3% a stake with voting
  control; 0.2% of 50/50 ventures record a joint arrangement between their owners;
- dates: 10% of stakes have a start date in the past, 1% one after the as-of date and 3% ended
  before it (divested);
- listed seeds: 0.5% of the companies, half by weight (large groups), half at random; 5% of the
  seeds record a joint arrangement with another seed (it matters under UK rules).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from benchlib import machine_line, table

from sanctrace.ownership.calculate import (
    ALL,
    Bound,
    Graph,
    possibly_passes,
    propagate,
    surely_passes,
)
from sanctrace.ownership.edges import Edge
from sanctrace.ownership.engine_duckdb import EDGE_COLUMNS, statuses_duckdb
from sanctrace.ownership.rules import BUILT_IN, Ruleset
from sanctrace.ownership.shares import HUNDRED, ZERO, Share

AS_OF = date(2026, 12, 7)
EPOCH = date(1970, 1, 1)
ENGINES = ("naive", "worklist", "duckdb")
CACHE = Path(tempfile.gettempdir()) / "sanctrace-bench-ownership"

#: Ranges and bounds some stakes become: (low, high, low_open, high_open) in percent.
RANGES = ((25, 50, False, False), (50, 75, False, False), (50, 100, True, False),
          (0, 25, False, True), (25, 50, True, False), (50, 75, True, True))  # fmt: skip
CONTROL_CODES = (None, "management", "voting", "joint")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the graph -------------------------------------------------------------------------------


def generate(companies: int, edges: int, seed: int) -> tuple[pa.Table, list[str]]:
    """The edges (EDGE_COLUMNS) and listed seeds of a realistic graph (see the module's note)."""
    rng = np.random.default_rng(seed)
    n = companies
    p = 0.55 ** np.arange(10)
    levels = np.concatenate(([0.15], 0.85 * p / p.sum()))
    level = np.sort(rng.choice(11, size=n, p=levels))  # node ids in level order
    first = np.searchsorted(level, np.arange(12))  # first id of each level
    weight = np.minimum((1 - rng.random(n)) ** (-1 / 1.2), 1e5)
    cum = np.cumsum(weight)
    kids = np.nonzero(level > 0)[0]
    degree = rng.choice(np.arange(1, 13), size=len(kids), p=[0.45, 0.30, 0.15] + [0.1 / 9] * 9)
    extra = edges - int(degree.sum())  # the rest: cross stakes
    if extra < 0:
        raise SystemExit(f"{edges:,} edges are too few for {n:,} companies: give about 2 each")
    asset = np.repeat(kids, degree)
    rank = np.arange(len(asset)) - np.repeat(np.cumsum(degree) - degree, degree)
    lvl = level[asset]
    # owners: the first from the level above (a chain) 60% of the time, else any level above
    chain = (rank == 0) & (rng.random(len(asset)) < 0.6)
    lo_id = np.where(chain, first[lvl - 1], 0)
    hi_id = first[lvl]
    base = np.where(lo_id > 0, cum[np.maximum(lo_id - 1, 0)], 0.0)
    u = base + rng.random(len(asset)) * (cum[hi_id - 1] - base)
    owner = np.minimum(np.searchsorted(cum, u, side="right"), hi_id - 1)
    # stakes: split per company
    k = np.repeat(degree, degree)
    total = np.repeat(np.where(rng.random(len(kids)) < 0.7, 100.0, rng.uniform(60, 100, len(kids))),
                      degree)  # fmt: skip
    w = rng.exponential(1.0, len(asset))
    sums = np.repeat(np.add.reduceat(w, np.cumsum(degree) - degree), degree)
    den = np.where(k <= 2, 1, 100).astype(np.int64)
    num = np.round(total * w / sums * den).astype(np.int64)
    num = np.maximum(num, 1)
    solo = k == 1
    roll = np.repeat(rng.random(len(kids)), degree)
    num = np.where(solo & (roll < 0.75), 100, num)
    num = np.where(solo & (roll >= 0.75) & (roll < 0.85), rng.integers(51, 100, len(asset)), num)
    num = np.where(solo & (roll >= 0.85), rng.integers(1, 50, len(asset)), num)
    jv = (k == 2) & (roll < 0.35)
    num = np.where(jv, 50, num)
    thirds = (k == 3) & (roll < 0.1)
    num = np.where(thirds, np.where(rank == 2, 3334, 3333), num)
    den = np.where(thirds, 100, den)
    # cross stakes (cycles): minority stakes between any two companies
    x_owner = rng.integers(0, n, extra)
    x_asset = rng.integers(0, n, extra)
    owner = np.concatenate((owner, x_owner))
    asset = np.concatenate((asset, x_asset))
    num = np.concatenate((num, rng.integers(1, 31, extra)))
    den = np.concatenate((den, np.ones(extra, np.int64)))
    m = len(owner)
    low_num, high_num = num.copy(), num.copy()
    low_den, high_den = den.copy(), den.copy()
    low_open = np.zeros(m, bool)
    high_open = np.zeros(m, bool)
    control = np.zeros(m, np.int8)
    share = np.ones(m, bool)
    r = rng.random(m)
    ranged = r < 0.02
    pick = rng.integers(0, len(RANGES), m)
    for i, (lo, hi, lo_o, hi_o) in enumerate(RANGES):
        sel = ranged & (pick == i)
        low_num[sel], high_num[sel], low_den[sel], high_den[sel] = lo, hi, 1, 1
        low_open[sel], high_open[sel] = lo_o, hi_o
    unknown = (r >= 0.02) & (r < 0.03)
    low_num[unknown], high_num[unknown], low_den[unknown], high_den[unknown] = 0, 100, 1, 1
    ctl_only = (r >= 0.03) & (r < 0.035)
    share[ctl_only] = False
    control[ctl_only] = 1
    control[(r >= 0.035) & (r < 0.038)] = 2
    # joint arrangements: between the owners of some 50/50 ventures
    jv_first = np.nonzero(np.concatenate((jv & (rank == 0), np.zeros(extra, bool))))[0]
    jv_first = jv_first[rng.random(len(jv_first)) < 0.002]
    # dates
    days = (AS_OF - EPOCH).days
    start = np.where(rng.random(m) < 0.10, days - rng.integers(1, 7000, m), -1)
    start = np.where(rng.random(m) < 0.01, days + rng.integers(1, 700, m), start)
    end = np.where(rng.random(m) < 0.03, days - rng.integers(1, 700, m), -1)
    end = np.where((end >= 0) & (start > end), -1, end)
    # listed seeds
    count = max(1, n // 200)
    by_weight = rng.choice(n, count // 2, replace=False, p=weight / weight.sum())
    seeds = np.unique(np.concatenate((by_weight, rng.choice(n, count - count // 2))))
    pairs = rng.choice(seeds, (max(1, len(seeds) // 20), 2))
    j_owner = np.concatenate((owner[jv_first], pairs[:, 0]))
    j_asset = np.concatenate((owner[jv_first + 1], pairs[:, 1]))
    joint = len(j_owner)
    keys = np.char.add("c", np.arange(n).astype(str)).astype(object)

    def col(values: np.ndarray, mask: np.ndarray) -> list[Any]:
        return list(np.where(mask, None, values).tolist()) + [None] * joint

    none = ~share
    table_ = pa.table(
        {
            "owner": pa.array(np.concatenate((keys[owner], keys[j_owner])), pa.string()),
            "asset": pa.array(np.concatenate((keys[asset], keys[j_asset])), pa.string()),
            "low_num": pa.array(col(low_num, none), pa.int64()),
            "low_den": pa.array(col(low_den, none), pa.int64()),
            "low_open": pa.array(col(low_open, none), pa.bool_()),
            "high_num": pa.array(col(high_num, none), pa.int64()),
            "high_den": pa.array(col(high_den, none), pa.int64()),
            "high_open": pa.array(col(high_open, none), pa.bool_()),
            "control": pa.array(
                [CONTROL_CODES[c] for c in control.tolist()] + ["joint"] * joint, pa.string()
            ),
            "start_date": pa.array(col(start, start < 0), pa.int32()).cast(pa.date32()),
            "end_date": pa.array(col(end, end < 0), pa.int32()).cast(pa.date32()),
        }
    )
    assert table_.column_names == [name for name, _ in EDGE_COLUMNS]
    return table_, [str(keys[i]) for i in seeds.tolist()]


def graph_files(companies: int, edges: int, seed: int) -> tuple[Path, Path]:
    """The generated graph as Parquet and its seeds as JSON, made once and cached."""
    CACHE.mkdir(exist_ok=True)
    stem = CACHE / f"graph-{companies}-{edges}-{seed}"
    path, seeds = stem.with_suffix(".parquet"), stem.with_suffix(".seeds.json")
    if not (path.is_file() and seeds.is_file()):
        began = time.perf_counter()
        data, listed = generate(companies, edges, seed)
        pq.write_table(data, path)
        seeds.write_text(json.dumps(listed), "utf-8")
        log(f"generated {data.num_rows:,} edges in {time.perf_counter() - began:.1f} s: {path}")
    return path, seeds


def read_edges(path: Path) -> list[Edge]:
    """The Parquet edges as Edge objects (one Share object per distinct stake)."""
    data = pq.read_table(path).to_pydict()
    shares: dict[tuple[Any, ...], Share] = {}
    out = []
    for o, a, ln, ld, lo, hn, hd, ho, c, s, e in zip(*data.values(), strict=True):
        share = None
        if ln is not None:
            key = (ln, ld, lo, hn, hd, ho)
            share = shares.get(key)
            if share is None:
                share = shares[key] = Share(Fraction(ln, ld), Fraction(hn, hd), lo, ho)
        out.append(Edge(o, a, share, c, start=s, end=e))
    return out


# -- the naive propagation -------------------------------------------------------------------


def naive(graph: Graph, listed: set[str], ruleset: Ruleset) -> dict[str, str]:
    """Passes over every node, each recomputed from its holders, until a pass changes nothing
    (what one would write first). The groups and tests are the reference's."""
    group: dict[str, str] = {n: ALL if ruleset.aggregate else n for n in listed}
    if not ruleset.aggregate:  # joint arrangements join listed parties (smallest key names)
        joined = True
        while joined:
            joined = False
            for e in graph.joint:
                if e.owner in group and e.asset in group:
                    g = min(group[e.owner], group[e.asset])
                    for n in (e.owner, e.asset):
                        if group[n] != g:
                            group[n], joined = g, True
    sure: dict[str, set[str]] = defaultdict(set, {n: {group[n]} for n in listed})
    maybe: dict[str, set[str]] = defaultdict(set, {n: {group[n]} for n in listed})
    nodes = [n for n in graph.holders if n not in listed]
    changed = True
    while changed:
        changed = False
        for node in nodes:
            lows: dict[str, list[tuple[Fraction, bool]]] = defaultdict(list)
            highs: dict[str, list[tuple[Fraction, bool]]] = defaultdict(list)
            ctl: dict[str, bool] = {}
            for e in graph.holders[node]:
                for g in maybe.get(e.owner, ()):
                    surely = g in sure[e.owner]
                    if e.share is not None:
                        if surely:
                            lows[g].append((e.share.low, e.share.low_open))
                        highs[g].append(
                            (e.share.high, e.share.high_open and e.share.high < HUNDRED)
                        )
                    if ruleset.control_counts and e.control in ruleset.control_types:
                        ctl[g] = ctl.get(g, False) or surely
            now_sure, now_maybe = set(), set()
            for g in set(highs) | set(ctl):
                low = _bound(lows[g])
                high = _bound(highs[g])
                if high.value > HUNDRED:
                    high = Bound(HUNDRED)
                if surely_passes(low, ruleset) or ctl.get(g, False):
                    now_sure.add(g)
                if possibly_passes(high, ruleset) or g in ctl:
                    now_maybe.add(g)
            if now_sure != sure[node] or now_maybe != maybe[node]:
                sure[node], maybe[node], changed = now_sure, now_maybe, True
    out = {}
    for n in graph.nodes() | listed:
        out[n] = "blocked" if sure.get(n) else "indeterminate" if maybe.get(n) else "not_blocked"
    return out


def _bound(ends: list[tuple[Fraction, bool]]) -> Bound:
    return Bound(sum((v for v, _ in ends), ZERO), any(o for _, o in ends))


# -- one engine, in its own process ----------------------------------------------------------


def run_engine(engine: str, path: Path, seeds: Path, regime: str, threads: int) -> dict[str, Any]:
    ruleset = BUILT_IN[regime]
    listed = json.loads(seeds.read_text("utf-8"))
    began = time.perf_counter()
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        con.execute(f"SET threads = {threads}")
        con.execute(f"CREATE TABLE edges AS SELECT * FROM read_parquet('{path}')")
        con.execute("CREATE TABLE seeds AS SELECT unnest(?::VARCHAR[]) AS node", [listed])
        loaded = time.perf_counter()
        statuses_duckdb(con, "edges", "seeds", ruleset, AS_OF, out="status")
        done = time.perf_counter()
        rows = con.execute("SELECT node, status FROM status").fetchall()
        statuses = dict(rows)
    else:
        graph = Graph(read_edges(path), AS_OF)
        loaded = time.perf_counter()
        if engine == "naive":
            statuses = naive(graph, set(listed), ruleset)
        else:
            prop = propagate(graph, {n: [{}] for n in listed}, ruleset)
            statuses = {n: prop.status(n) for n in graph.nodes() | set(listed)}
        done = time.perf_counter()
    counts: dict[str, int] = defaultdict(int)
    for status in statuses.values():
        counts[status] += 1
    blocked = sorted(n for n, s in statuses.items() if s != "not_blocked")
    digest = hashlib.sha256("\n".join(f"{n} {statuses[n]}" for n in blocked).encode())
    return {
        "engine": engine,
        "load_s": loaded - began,
        "propagate_s": done - loaded,
        "peak_mb": peak_mb(),
        "counts": dict(counts),
        "digest": digest.hexdigest()[:16],
    }


def child(engine: str, path: Path, seeds: Path, regime: str, threads: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--one", engine, "--graph", str(path)]
    command += ["--seeds", str(seeds), "--regime", regime, "--threads", str(threads)]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{engine} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["wall_s"] = time.perf_counter() - began
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=0, help="default: twice the companies")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--regimes", default="ofac,uk")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument(
        "--naive-max", type=int, default=1_000_000, help="skip the naive one above this size"
    )
    parser.add_argument("--threads", type=int, default=2, help="DuckDB's threads")
    parser.add_argument("--one", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--graph", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seeds", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--regime", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_engine(args.one, args.graph, args.seeds, args.regime, args.threads)))
        return 0
    edges = args.edges or 2 * args.companies
    path, seeds = graph_files(args.companies, edges, args.seed)
    meta = pq.read_metadata(path)
    log(f"{args.companies:,} companies, {meta.num_rows:,} edges, "
        f"{len(json.loads(seeds.read_text('utf-8'))):,} listed seeds")  # fmt: skip
    rows, agree = [], True
    for regime in args.regimes.split(","):
        results = []
        for engine in args.engines.split(","):
            if engine == "naive" and args.companies > args.naive_max:
                log(f"naive: skipped above {args.naive_max:,} companies")
                continue
            log(f"{regime}: {engine}...")
            results.append(child(engine, path, seeds, regime, args.threads))
            log(f"  {results[-1]}")
        first = results[0]
        for r in results:
            same = (r["counts"], r["digest"]) == (first["counts"], first["digest"])
            agree &= same
            counts = r["counts"]
            rows.append([
                regime.upper(), r["engine"], f"{r['load_s']:.1f} s", f"{r['propagate_s']:.1f} s",
                f"{r['wall_s']:.1f} s", f"{r['peak_mb']:,.0f} MB",
                f"{counts.get('blocked', 0):,}", f"{counts.get('indeterminate', 0):,}",
                "yes" if same else "NO",
            ])  # fmt: skip
    print(f"{machine_line()}; {args.companies:,} companies, {meta.num_rows:,} edges\n")
    header = ["regime", "engine", "load", "propagation", "process wall", "peak RSS", "blocked",
              "indeterminate", "same statuses"]  # fmt: skip
    print("\n".join(table(header, rows, "ll" + "r" * 6 + "l")))
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
