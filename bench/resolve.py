"""Cross-list entity resolution (issue 16): how well sanctrace's resolver groups the records of
every bundled list into parties, and how fast.

Quality on labelled real pairs, each counted "merged" when both records land in one party:
../shared/data/crosslist/dev_pairs.tsv (same party proven by identifiers, UN listings or
birth date + name; look-alike negatives) and, as pairs the resolver's rules were not set on,
the identifier-linked pairs and hard negatives that bench/build_pairs.py added in
bench/data/pairs-*.tsv. Run twice: identifiers visible, and identifiers hidden (every
identifier, UN reference and free-text remark removed, so names, birth dates, countries and
listing dates must do it). Speed: the wall time of one resolution of every bundled list::

    .venv/bin/python bench/resolve.py [--workers 2]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

import benchlib
import pairlib
from benchlib import DATA_DIR, table

from sanctrace.match import Screener
from sanctrace.model.entity import Entity
from sanctrace.resolve import Resolution, resolve

HIDDEN_PROPERTIES = ("unscId", "notes")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def hide_identifiers(entity: Entity) -> Entity:
    """The record without anything that identifies the party except its names and facts."""
    properties = {k: v for k, v in entity.properties.items() if k not in HIDDEN_PROPERTIES}
    return replace(entity, identifiers=[], remarks=None, properties=properties)


def labelled_pairs() -> list[tuple[str, str, int, str, str]]:
    """(record a, record b, label, tier, source) of the dev pairs and of bench/data's added ones."""
    out = []
    with (DATA_DIR / "crosslist" / "dev_pairs.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            out.append(
                (row["left_sanctrace_id"], row["right_sanctrace_id"], int(row["label"]),
                 row["tier"], "dev_pairs")
            )  # fmt: skip
    for split in ("train", "dev", "test"):
        for row in pairlib.load_pairs(split):
            if row["source"] in ("crosslist_ext", "hard_negative"):
                out.append(
                    (row["record_a"], row["record_b"], int(row["label"]), row["tier"],
                     row["source"])
                )  # fmt: skip
    return out


def outcome(resolution: Resolution, pairs: Sequence[tuple[str, str, int, str, str]]) -> Counter:
    party = {r: i for i, group in enumerate(resolution.groups) for r in group}
    counts: Counter[tuple[str, str, int, bool]] = Counter()
    for a, b, label, tier, source in pairs:
        if a not in party or b not in party:
            continue
        counts[(source, tier, label, party[a] == party[b])] += 1
    return counts


def summary_rows(counts: Counter) -> list[list[str]]:
    rows = []
    groups = sorted({(s, t, y) for s, t, y, _ in counts})
    for source, tier, label in groups:
        merged = counts[(source, tier, label, True)]
        total = merged + counts[(source, tier, label, False)]
        what = "merged (recall)" if label else "merged (should be 0)"
        rows.append([source, tier, "same" if label else "different", f"{total:,}",
                     f"{merged:,} {what}", f"{100 * merged / total:.1f} %"])  # fmt: skip
    return rows


def precision_recall(counts: Counter, tiers: set[str] | None = None) -> tuple[float, float, int]:
    tp = sum(n for (s, t, y, m), n in counts.items() if y and m and (not tiers or t in tiers))
    fn = sum(n for (s, t, y, m), n in counts.items() if y and not m and (not tiers or t in tiers))
    fp = sum(n for (s, t, y, m), n in counts.items() if not y and m)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, fp


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    entities = benchlib.load_bundled_entities()
    log(f"{len(entities):,} records loaded in {time.perf_counter() - started:.1f} s")
    screener = Screener(pairlib.bundled_index())
    pairs = labelled_pairs()
    lines = [
        f"### Cross-list resolution of every bundled list ({len(entities):,} records)",
        "",
        f"`.venv/bin/python bench/resolve.py --workers {args.workers}`, {benchlib.machine_line()}.",
        "",
    ]
    results = []
    for label, records in (
        ("identifiers visible", entities),
        ("identifiers hidden", [hide_identifiers(e) for e in entities]),
    ):
        log(f"resolving, {label}...")
        began = time.perf_counter()
        resolution = resolve(records, screener, workers=args.workers)
        seconds = time.perf_counter() - began
        counts = outcome(resolution, pairs)
        strong = {"id", "id_text"}
        p_all, r_all, fp = precision_recall(counts)
        _, r_id, _ = precision_recall(counts, strong)
        sources = Counter((j.verdict, j.source) for j in resolution.judgements)
        results.append(
            [label, f"{seconds:.1f} s", f"{len(resolution.groups):,}",
             f"{sum(len(g) > 1 for g in resolution.groups):,}", f"{p_all:.3f}", f"{r_all:.3f}",
             f"{r_id:.3f}", f"{fp}", f"{len(resolution.review):,}",
             f"{len(resolution.contradictions):,}"]
        )  # fmt: skip
        lines += [f"**{label}**: judgements made: "
                  + ", ".join(f"{v} by {s} {n:,}" for (v, s), n in sorted(sources.items())),
                  ""]  # fmt: skip
        lines += table(
            ["pairs from", "tier", "truth", "pairs", "outcome", "rate"], summary_rows(counts)
        )
        lines.append("")
    header = ["run", "wall time", "parties", "with 2+ records", "pairwise precision",
              "recall, all positives", "recall, identifier-linked (id, id_text)",
              "negatives merged", "review queue", "contradictions"]  # fmt: skip
    lines = [*lines[:4], *table(header, results), "", *lines[4:]]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
