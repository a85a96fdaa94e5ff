"""The HTTP API under hostile load: normal ``/match`` clients beside clients sending requests
at the cost limits and clients flooding with unknown keys (issue 14, findings 4 and 8).

Starts ``sanctrace serve`` with its default limits on loopback. ``--normal`` clients (a key
each) send one-query ``/match`` requests paced at ``--rate`` per second; ``--costly`` clients
(a key each) send back to back the costliest request the default limits let through (queries x
names x a low threshold at ``--max-request-cost``); ``--flood`` clients, each from an address of
its own (127.0.0.2, ...), send made-up keys back to back. Reports the normal clients' latency
and errors, what the costly and flooding clients got, and checks that the audit trail holds one
record per answered screening and verifies. Prints a Markdown section for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from load import (
    audited_since,
    cpu_seconds,
    exchange,
    free_port,
    names,
    pct,
    prepare,
    stop,
    wait_ready,
)

from sanctrace import audit, keys
from sanctrace.store import open_store


@dataclass
class Outcomes:
    latencies: list[float] = field(default_factory=list)
    codes: dict[int, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)

    def count(self, code: int) -> None:
        self.codes[code] = self.codes.get(code, 0) + 1


def costly_body(queries: int, per_query: int, pool: list[str]) -> bytes:
    """The costliest body the limits let through: short names (1 unit), many of them."""
    it = iter(dict.fromkeys(n for n in pool if len(n) < 60 and len(n.split()) < 8))
    return json.dumps(
        {
            "queries": {
                f"q{i}": {
                    "schema": "LegalEntity",
                    "properties": {"name": [next(it) for _ in range(per_query)]},
                }
                for i in range(queries)
            }
        }
    ).encode()


def frame(port: int, path: str, key: str, body: bytes | None) -> bytes:
    method = "POST" if body is not None else "GET"
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: ApiKey {key}\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n").encode() + (body or b"")


async def client(
    port: int,
    requests: list[bytes],
    stop_at: float,
    measure_from: float,
    interval: float,
    out: Outcomes,
    local: str = "127.0.0.1",
) -> None:
    """Sends ``requests`` in turn (paced by ``interval`` when it is not 0), reconnecting when
    the server closes the connection."""
    i = 0
    next_send = time.perf_counter() + (secrets.randbelow(1000) / 1000) * interval
    while time.perf_counter() < stop_at:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(local, 0))
        except OSError as exc:
            out.failures[type(exc).__name__] = out.failures.get(type(exc).__name__, 0) + 1
            await asyncio.sleep(0.1)
            continue
        try:
            while (now := time.perf_counter()) < stop_at:
                if interval:
                    if now < next_send:
                        await asyncio.sleep(next_send - now)
                    next_send += interval
                start = time.perf_counter()
                status, _ = await exchange(reader, writer, requests[i % len(requests)])
                i += 1
                out.count(status)
                if status == 200 and start >= measure_from:
                    out.latencies.append(time.perf_counter() - start)
        except (OSError, asyncio.IncompleteReadError) as exc:
            out.failures[type(exc).__name__] = out.failures.get(type(exc).__name__, 0) + 1
        finally:
            writer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--normal", type=int, default=40)
    parser.add_argument("--costly", type=int, default=5)
    parser.add_argument("--flood", type=int, default=5)
    parser.add_argument("--rate", type=float, default=5.0, help="requests/s per normal client")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--db", help="store URL (default: a fresh SQLite store)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sanctrace-load-cost-") as tmp:
        home = Path(tmp)
        db = prepare(args.db, home)
        with open_store(db) as store:
            normal_keys = [
                keys.create_key(store, f"normal {i}", "screener")[1] for i in range(args.normal)
            ]
            costly_keys = [
                keys.create_key(store, f"costly {i}", "screener")[1] for i in range(args.costly)
            ]
            pool = names(store, 4000, 4000, 11)
            records_before = audit.count(store)
        port = free_port()
        env = {**os.environ, "SANCTRACE_HOME": str(home)}
        log = open(home / "server.log", "wb")  # noqa: SIM115 - closed below
        command = [sys.executable, "-m", "sanctrace", "--db", db, "serve", "--port", str(port)]
        command += ["--log-level", "warning"]
        server = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        # 25 queries x 10 names at threshold 0.05 (x4): 1,000 units, the default limit.
        costly_path = "/match/default?threshold=0.05&limit=200"
        costly = [
            frame(port, costly_path, key, costly_body(25, 10, pool[n * 400 :]))
            for n, key in enumerate(costly_keys)
        ]
        normal_bodies = [
            json.dumps(
                {"queries": {"q": {"schema": "LegalEntity", "properties": {"name": [name]}}}}
            ).encode()
            for name in pool
        ]
        load_before = os.getloadavg()
        try:
            wait_ready(f"http://127.0.0.1:{port}", server)
            cpu_start = cpu_seconds(server.pid)
            normal, heavy, flood = Outcomes(), Outcomes(), Outcomes()

            async def run() -> None:
                start = time.perf_counter()
                measure_from = start + args.warmup
                stop_at = measure_from + args.duration
                tasks = []
                for i, key in enumerate(normal_keys):
                    frames = [
                        frame(port, "/match/default", key, normal_bodies[j])
                        for j in range(i * 100, i * 100 + 100)
                    ]
                    interval = 1.0 / args.rate
                    tasks.append(client(port, frames, stop_at, measure_from, interval, normal))
                for request in costly:
                    tasks.append(client(port, [request], stop_at, measure_from, 0.0, heavy))
                for i in range(args.flood):
                    bogus = [
                        frame(
                            port,
                            "/catalog",
                            f"st_{secrets.token_hex(6)}_{secrets.token_hex(8)}",
                            None,
                        )
                        for _ in range(200)
                    ]
                    local = f"127.0.0.{i + 2}"
                    tasks.append(client(port, bogus, stop_at, measure_from, 0.0, flood, local))
                await asyncio.gather(*tasks)

            wall = time.perf_counter()
            asyncio.run(run())
            wall = time.perf_counter() - wall
            cpu_used = cpu_seconds(server.pid) - cpu_start
        finally:
            stop(server, log)
        recorded, report = audited_since(db, records_before)

    answered = normal.codes.get(200, 0) + heavy.codes.get(200, 0)
    normal_errors = sum(n for c, n in normal.codes.items() if c != 200) + sum(
        normal.failures.values()
    )
    p50, p99 = pct(normal.latencies, 0.5), pct(normal.latencies, 0.99)
    targets = [
        ("normal clients' p99 ≤ 100 ms", f"{p99:.1f} ms", p99 <= 100),
        ("zero errors for normal clients", f"{normal_errors}", normal_errors == 0),
        (
            "one audit record per answered screening",
            f"{recorded:,} records for {answered:,} answered requests",
            recorded == answered,
        ),
        ("audit chain verifies", f"{report.records:,} records", report.ok),
    ]
    cores = os.cpu_count() or 1
    print(f"### Run of {date.today().isoformat()}\n")
    print(
        f"`.venv/bin/python bench/load_cost.py --normal {args.normal} --costly {args.costly} "
        f"--flood {args.flood} --rate {args.rate:g} --duration {args.duration:g}`: `sanctrace "
        f"serve` (1 worker, {'PostgreSQL' if db.startswith('postgres') else 'SQLite'} store, "
        f"default limits) on loopback; {args.normal} normal clients (a key each) sending "
        f"{args.rate:g} one-query `/match` requests/s each; {args.costly} costly clients (a key "
        f"each) sending back to back 25 queries x 10 names at threshold 0.05 (1,000 units, the "
        f"per-request limit); {args.flood} flooders from 127.0.0.2-{args.flood + 1} sending "
        f"made-up keys back to back. {cores} cores shared with the load generator "
        f"(Python {platform.python_version()}); load average before the run "
        f"{load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}.\n"
    )
    print("| target | measured | met |\n|---|---|---|")
    for label, value, met in targets:
        print(f"| {label} | {value} | {'yes' if met else 'no'} |")
    print("\n| measure | value |\n|---|---:|")

    def codes(o: Outcomes) -> str:
        text = ", ".join(f"{c}: {n:,}" for c, n in sorted(o.codes.items()))
        extra = ", ".join(f"{k}: {v}" for k, v in o.failures.items())
        return text + (f"; {extra}" if extra else "")

    rows = [
        ("normal: answers by status", codes(normal)),
        ("normal: latency p50", f"{p50:.1f} ms"),
        ("normal: latency p90", f"{pct(normal.latencies, 0.9):.1f} ms"),
        ("normal: latency p99", f"{p99:.1f} ms"),
        ("normal: latency max", f"{max(normal.latencies, default=0) * 1000:.1f} ms"),
        ("costly: answers by status", codes(heavy)),
        ("costly: latency p50 (answered)", f"{pct(heavy.latencies, 0.5):.0f} ms"),
        ("flood: answers by status", codes(flood)),
        ("server CPU over the run", f"{cpu_used:.1f} s in {wall:.0f} s"),
    ]
    for label, value in rows:
        print(f"| {label} | {value} |")
    if normal_errors or recorded != answered or not report.ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
