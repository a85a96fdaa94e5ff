"""Time loading every bundled list into a fresh SQLite store (target: <= 10 s in all).

Run: .venv/bin/python bench/load_bundle.py
Prints a Markdown table for docs/benchmarks.md: per dataset, parse time, store time, entities.
"""

from __future__ import annotations

import platform
import resource
import tempfile
import time
from pathlib import Path

from sanctrace.bundle import _unpack, manifest
from sanctrace.ingest import files_sha256
from sanctrace.sources import parse_files
from sanctrace.store import open_store


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start_all = time.perf_counter()
        with open_store(str(folder / "bench.db")) as store:
            for item in manifest():
                t0 = time.perf_counter()
                paths = _unpack(item, folder / "unpacked")
                t1 = time.perf_counter()
                parsed = parse_files(paths, format=item.format, dataset=item.dataset)
                t2 = time.perf_counter()
                store.load(
                    item.dataset,
                    parsed.entities,
                    version=item.version,
                    published=item.published,
                    sha256=files_sha256(paths),
                    format=item.format,
                )
                t3 = time.perf_counter()
                rows.append((item.dataset, len(parsed.entities), t1 - t0, t2 - t1, t3 - t2))
        total = time.perf_counter() - start_all
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    print("| dataset | entities | unpack s | parse s | store s |")
    print("|---|---:|---:|---:|---:|")
    for dataset, n, unpack, parse, write in rows:
        print(f"| {dataset} | {n:,} | {unpack:.2f} | {parse:.2f} | {write:.2f} |")
    n_all = sum(r[1] for r in rows)
    print(f"| **all** | {n_all:,} | | | **{total:.2f} s total** |")
    print(f"peak RSS {peak_mb:.0f} MB; target: all bundled lists in <= 10 s")


if __name__ == "__main__":
    main()
