"""Cross-list resolution at scale (issue 16): every bundled record plus generated noisy copies
of them (bench/gen_records.py: each copy re-listed by a synthetic list, with the id of the real
record it came from), resolved in one run. Measures the wall time of each step and the peak
memory, and whether each copy joined the party of its real record (and no look-alike did)::

    .venv/bin/python bench/resolve_scale.py --copies 970000 --workers 2   # 1,000,000 records
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import benchlib
import gen_records
from benchlib import table

from sanctrace.match import Screener
from sanctrace.match.index import Index
from sanctrace.resolve.parts import name_judgements
from sanctrace.resolve.resolver import cluster, person_years
from sanctrace.resolve.rules import key_judgements


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=70_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    steps = []
    began = time.perf_counter()
    real = benchlib.load_bundled_entities()
    copies = list(gen_records.noisy_copies(real, args.copies, args.seed))
    records = [*real, *copies]
    steps.append(["load + generate", f"{time.perf_counter() - began:.0f} s"])
    log(f"{len(records):,} records ({len(copies):,} generated)")
    began = time.perf_counter()
    index = Index.build(records)
    steps.append(["index build", f"{time.perf_counter() - began:.0f} s"])
    log("resolving...")
    began = time.perf_counter()
    made = list(key_judgements(records))
    steps.append(["identifier and listing keys", f"{time.perf_counter() - began:.0f} s"])
    log(f"keys: {len(made):,} judgements; names...")
    began = time.perf_counter()
    made.extend(name_judgements(records, Screener(index), workers=args.workers))
    steps.append(
        ["names (screening, then each pair decided)", f"{time.perf_counter() - began:.0f} s"]
    )
    log(f"{len(made):,} judgements; clustering...")
    began = time.perf_counter()
    resolution = cluster([(e.id, e.dataset) for e in records], made, (), person_years(records))
    steps.append(["clusters", f"{time.perf_counter() - began:.0f} s"])
    party = {r: i for i, group in enumerate(resolution.groups) for r in group}
    joined = apart = lookalike_merged = lookalikes = 0
    for e in copies:
        source = e.properties.get(gen_records.COPIED_FROM)
        model = e.properties.get(gen_records.LOOKALIKE_OF)
        if source:
            if party.get(e.id) == party.get(source[0]):
                joined += 1
            else:
                apart += 1
        elif model:
            lookalikes += 1
            lookalike_merged += party.get(e.id) == party.get(model[0])
    total = sum(float(s[1].split()[0]) for s in steps)
    lines = [
        f"### Resolution at scale: {len(records):,} records",
        "",
        f"`.venv/bin/python bench/resolve_scale.py --copies {args.copies} --workers "
        f"{args.workers}`, {benchlib.machine_line()}; peak memory {peak_gb():.1f} GB "
        "(the main process; forked workers share its pages).",
        "",
        *table(["step", "wall time"], [*steps, ["all", f"{total:.0f} s"]]),
        "",
        f"Copies that joined the party of their real record: **{joined:,} of "
        f"{joined + apart:,}** ({100 * joined / max(joined + apart, 1):.1f} %); look-alikes "
        f"(a real person's name, another birth year) merged into it: {lookalike_merged} of "
        f"{lookalikes}. Parties: {len(resolution.groups):,}; review queue "
        f"{len(resolution.review):,}; contradictions {len(resolution.contradictions):,}.",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
