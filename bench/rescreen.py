"""Re-screening a 100,000-record watchlist after a real OFAC SDN change (2024-04-26 -> 2024-05-01),
incrementally and in full, in the same run (target: the incremental re-screen <= 30 s).

Run from the repository root (Faker from the ``bench`` extra)::

    .venv/bin/python bench/rescreen.py                    # 100,000 records
    .venv/bin/python bench/rescreen.py --records 20000 --json out.json
    .venv/bin/python bench/rescreen.py --before 2023-10-27 --after 2023-10-31   # removals

Prints a Markdown section for docs/benchmarks.md on stdout; progress goes to stderr.

Set-up (not timed): a fresh SQLite store in a temporary folder with every bundled list except
the OFAC SDN, and the SDN of 2024-04-26 from ``shared/data/ofac_sdn_history`` in its place: a
customer file is screened against all lists. The watchlist: Faker names (persons and companies,
eight locales in turn, as ``bench/batch.py`` makes them) and about 5 % planted variants of
listed names (as is, lower-cased, reversed, a letter dropped or two swapped, punctuation
dropped): one for each entry that 2024-05-01 adds, changes or removes, so that the change
raises alerts, and the rest of random listed entries of every list.

Timed, each end to end as a scheduler would call it:

1. the first screening: ``rescreen(store)`` on the new watchlist (the index built inside);
2. after loading the SDN of 2024-05-01: ``rescreen(store)``, incremental, building the new
   screening index inside (the number against the target), with where its time went
   (``RescreenReport.timings``; "reach" includes normalizing every customer's name);
3. ``rescreen(store, full=True)`` in the same run, beside it (the index, saved by step 2, is
   loaded from disk); then the watchlist's matches after steps 2 and 3 are compared customer by
   customer: they must be equal, and the full run must raise no alert.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import benchlib
from benchlib import table
from speed import variant

from sanctrace.bundle import load_bundle, manifest
from sanctrace.ingest import load_paths
from sanctrace.match import Query
from sanctrace.model.entity import Entity
from sanctrace.monitor import watchlists
from sanctrace.monitor.diff import changes
from sanctrace.monitor.rescreen import RescreenReport, current_matches, rescreen
from sanctrace.sources import parse_files
from sanctrace.store import Store, open_store

SDN = "us_ofac_sdn"
WATCHLIST = "customers"
PLANTED_SHARE = 0.05


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sdn_path(data: Path, day: str) -> Path:
    return data / "ofac_sdn_history" / day / "sdn.csv"


def _schema(entity: Entity) -> str | None:
    return "Person" if entity.schema == "Person" else None


def make_records(
    count: int,
    seed: int,
    listed: list[Entity],
    moved: list[Entity],
) -> tuple[list[tuple[str, Query]], dict[str, str]]:
    """(customer id, query) records and planted customer id -> the listed entity id it varies.

    ``moved`` (entries the change adds, changes or removes) are planted first, one customer
    each; the rest of the planted share are random ``listed`` entries."""
    from faker import Faker

    rng = random.Random(seed)
    fakers = []
    for i, locale in enumerate(benchlib.LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + i)
        fakers.append(fake)
    planted_count = max(len(moved), round(count * PLANTED_SHARE))
    sources = list(moved) + [rng.choice(listed) for _ in range(planted_count - len(moved))]
    positions = sorted(rng.sample(range(count), min(count, len(sources))))
    rng.shuffle(sources)
    plant_at = dict(zip(positions, sources, strict=False))
    records: list[tuple[str, Query]] = []
    planted: dict[str, str] = {}
    for i in range(count):
        key = f"C{i:07d}"
        entity = plant_at.get(i)
        if entity is not None:
            name = variant(rng.choice(entity.names).value, rng)
            records.append((key, Query(name=name, schema=_schema(entity))))
            planted[key] = entity.id
            continue
        fake = fakers[i % len(fakers)]
        if (i // len(fakers)) % 2 == 0:
            records.append((key, Query(name=fake.name(), schema="Person")))
        else:
            records.append((key, Query(name=fake.company(), schema="Company")))
    return records, planted


def timed_rescreen(store: Store, **kwargs: Any) -> tuple[RescreenReport, float]:
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 10 or done == total:
            last[0] = now
            log(f"    {done:,} / {total:,} customers")

    started = time.perf_counter()
    (report,) = rescreen(store, [WATCHLIST], progress=progress, **kwargs)
    return report, time.perf_counter() - started


def differing(a: dict[str, dict[str, float]], b: dict[str, dict[str, float]]) -> list[str]:
    return sorted(key for key in set(a) | set(b) if a.get(key, {}) != b.get(key, {}))


def _alerts(report: RescreenReport) -> str:
    kinds = ("new", "changed", "removed")
    parts = [f"{report.alerts.get(k, 0):,} {k}" for k in kinds]
    parts += [f"{n:,} {k}" for k, n in sorted(report.alerts.items()) if k not in kinds]
    return ", ".join(parts)


def _breakdown(report: RescreenReport, total: float) -> str:
    t = report.timings
    names = ("index", "delta", "read", "reach", "screen", "write")
    parts = [f"{name} {t[name]:.1f}" for name in names if name in t]
    rest = total - sum(t.get(name, 0.0) for name in names)
    return " + ".join(parts) + f" + other {max(rest, 0.0):.1f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=benchlib.DATA_DIR, help="shared/data")
    parser.add_argument("--workdir", type=Path, help="folder for the store (default: temporary)")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--before", default="2024-04-26", help="SDN day screened first")
    parser.add_argument("--after", default="2024-05-01", help="SDN day changed to")
    args = parser.parse_args(argv)
    argv_shown = sys.argv[1:] if argv is None else argv
    before_day, after_day = args.before, args.after
    for day in (before_day, after_day):
        if not sdn_path(args.data, day).is_file():
            raise SystemExit(f"missing {sdn_path(args.data, day)} (see --data)")

    with tempfile.TemporaryDirectory(prefix="sanctrace-rescreen-") as tmp:
        folder = args.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "rescreen.db"
        if db.exists():
            raise SystemExit(f"{db} exists: give an empty --workdir")
        os.environ["SANCTRACE_HOME"] = str(folder / "home")
        store = open_store(str(db))

        log("loading the bundled lists (less the SDN) and the SDN of 2024-04-26 (not timed)")
        others = [item.dataset for item in manifest() if item.dataset != SDN]
        load_bundle(store, others)
        load_paths(store, [sdn_path(args.data, before_day)], dataset=SDN, version=before_day)
        before = {e.id: e for e in parse_files([sdn_path(args.data, before_day)]).entities}
        after = {e.id: e for e in parse_files([sdn_path(args.data, after_day)]).entities}
        added = sorted(set(after) - set(before))
        removed = sorted(set(before) - set(after))
        listed = [
            e
            for v in store.active_versions()
            for e in store.iter_entities(v.dataset, v.version)
            if e.names
        ]
        changed = [i for i in sorted(set(before) & set(after)) if changes(before[i], after[i])]
        moved = [after[i] for i in added + changed if after[i].names]
        moved += [before[i] for i in removed if before[i].names]

        log(f"generating {args.records:,} watchlist records")
        started = time.perf_counter()
        records, planted = make_records(args.records, args.seed, listed, moved)
        generate_s = time.perf_counter() - started
        planted_added = sum(planted[k] in set(added) for k in planted)
        log(f"    {generate_s:.0f} s; {len(planted):,} planted ({planted_added} of added entries)")

        started = time.perf_counter()
        watchlists.add(store, WATCHLIST, records)
        add_s = time.perf_counter() - started
        log(f"watchlists.add: {add_s:.1f} s")

        log("first screening (full, index built inside)")
        first, first_s = timed_rescreen(store)
        log(f"    {first_s:.1f} s, {first.matches:,} matches")

        log(f"loading the SDN of {after_day}")
        load_paths(store, [sdn_path(args.data, after_day)], dataset=SDN, version=after_day)

        log("incremental re-screen (new index built inside)")
        incremental, incremental_s = timed_rescreen(store)
        log(f"    {incremental_s:.1f} s, {incremental.screened:,} screened")
        after_incremental = current_matches(store, WATCHLIST)

        log("full re-screen (same index, loaded from disk)")
        full, full_s = timed_rescreen(store, full=True)
        log(f"    {full_s:.1f} s")
        after_full = current_matches(store, WATCHLIST)
        store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    differ = differing(after_incremental, after_full)
    versions = ", ".join(f"{d} {v}" for d, v in sorted(incremental.versions.items()))
    matched_customers = sum(1 for found in after_incremental.values() if found)
    planted_found = sum(planted[k] in after_incremental.get(k, {}) for k in planted)
    new_added = len({k for k, found in after_incremental.items() for e in found if e in set(added)})
    numbers = {
        "records": args.records,
        "planted": len(planted),
        "planted_added_entries": planted_added,
        "sdn_added": len(added),
        "sdn_removed": len(removed),
        "sdn_changed": len(changed),
        "generate_seconds": round(generate_s, 3),
        "add_seconds": round(add_s, 3),
        "first": {**first.to_dict(), "end_to_end": round(first_s, 3)},
        "incremental": {**incremental.to_dict(), "end_to_end": round(incremental_s, 3)},
        "full": {**full.to_dict(), "end_to_end": round(full_s, 3)},
        "timings": {
            "first": {k: round(v, 3) for k, v in first.timings.items()},
            "incremental": {k: round(v, 3) for k, v in incremental.timings.items()},
            "full": {k: round(v, 3) for k, v in full.timings.items()},
        },
        "differing_customers": len(differ),
        "full_alerts": full.alerts,
        "peak_rss_mb": round(peak_mb),
    }
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2) + "\n", encoding="utf-8")

    command_shown = " ".join(
        shlex.quote(a) for a in [".venv/bin/python", "bench/rescreen.py", *argv_shown]
    )
    out = ["### Re-screening", ""]
    out += [
        f"`{command_shown}` ({benchlib.machine_line()}). Fresh SQLite store: every bundled list "
        f"but the SDN, and the SDN of {before_day} (`ofac_sdn_history`); then the SDN of "
        f"{after_day} "
        f"({len(added):,} entries added, {len(changed):,} changed, {len(removed):,} removed; "
        f"{incremental.delta_entities:,} entity versions in the delta, the old and new forms "
        f"of a changed entry both). Watchlist of {args.records:,} records: "
        f"{len(planted):,} planted variants of listed names ({planted_added:,} of entries "
        f"added on {after_day}), the rest Faker names in {len(benchlib.LOCALES)} locales. "
        f"Active after the change: {versions}.",
        "",
    ]
    rows = [
        [
            "first screening (full; index built inside)",
            f"{first.screened:,}",
            _alerts(first),
            f"{first_s:.1f} s",
            _breakdown(first, first_s),
        ],
        [
            f"**incremental re-screen after {after_day}** (new index built inside)",
            f"{incremental.screened:,}",
            _alerts(incremental),
            f"**{incremental_s:.1f} s**",
            _breakdown(incremental, incremental_s),
        ],
        [
            "full re-screen, same run (index loaded from disk)",
            f"{full.screened:,}",
            _alerts(full),
            f"{full_s:.1f} s",
            _breakdown(full, full_s),
        ],
    ]
    out += table(
        ["run", "customers screened", "alerts", "time", "where the time went (s)"], rows, "lrlrl"
    )
    speedup = full_s / incremental_s if incremental_s else float("nan")
    out += [
        "",
        f"Incremental {incremental_s:.1f} s against the full re-screen's {full_s:.1f} s "
        f"({speedup:.1f}x); target <= 30 s: {'met' if incremental_s <= 30 else 'NOT met'}. "
        f"Matches after the incremental run and after the full run: "
        f"{'equal' if not differ else 'NOT equal'} ({len(differ):,} customers differ; the full "
        f"run raised {sum(full.alerts.values()):,} alerts). "
        f"{matched_customers:,} customers match after the change ({new_added:,} of them an "
        f"entry added on {after_day}); planted variants whose entity is among their matches: "
        f"{planted_found:,} / {len(planted):,} ({benchlib.pct(planted_found, len(planted))}). "
        f"Not timed: generating the records {generate_s:.0f} s, `watchlists.add` {add_s:.1f} s. "
        f"Peak RSS {peak_mb:,.0f} MB.",
    ]
    if differ:
        out += ["", "Customers that differ (first 10): " + ", ".join(differ[:10])]
    print("\n".join(out))


if __name__ == "__main__":
    main()
