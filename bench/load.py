"""Load test of the HTTP API: N concurrent clients against ``POST /match/default``.

Starts ``sanctrace serve`` as a subprocess on loopback (rate limit off, one API key), runs
``--clients`` concurrent keep-alive HTTP/1.1 connections for ``--duration`` seconds, each
sending one query per request (a mix of listed names, sampled from the store, and made-up
unlisted ones), then stops the server and checks that the audit trail holds exactly one record
per answered request and that its hash chain verifies. Prints a Markdown section for
docs/benchmarks.md.

Run: .venv/bin/python bench/load.py [--clients 50] [--duration 60] [--workers 1] [--db URL]
Without --db, a fresh SQLite store in a temporary SANCTRACE_HOME gets the bundled lists first.
The load generator runs on the same machine as the server and takes CPU from it: the report
gives the server's own CPU time per request too.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from sanctrace import audit, keys
from sanctrace.bundle import load_bundle, needs_bundle
from sanctrace.match import build_index
from sanctrace.match.screener import index_path
from sanctrace.store import Store, open_store

#: yente's published throughput (OpenSanctions' self-hosting guidance), for comparison.
YENTE_PER_VCPU = "~4–15"
# fmt: off
_SYLLABLES = [
    "ka", "ri", "mo", "ne", "sa", "lu", "ta", "vi", "do", "re", "mi", "fa", "zo", "bel", "an",
    "tor", "sen", "gar", "lin", "ost", "vel", "mar", "pol", "dex", "qu", "ix", "yo", "ha",
    "ber", "nik", "rol", "sta", "fen", "gu", "wei", "chen", "jun", "park", "lee", "hos",
    "sain", "abd", "ul", "rah", "man",
]
# fmt: on


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    sent: int = 0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def prepare(db: str | None, home: Path) -> str:
    """The store URL, with the bundled lists and the index in it."""
    os.environ["SANCTRACE_HOME"] = str(home)
    target = db or str(home / "sanctrace.db")
    with open_store(target) as store:
        if needs_bundle(store):
            print(f"loading the bundled lists into {store.location} …", file=sys.stderr)
            load_bundle(store)
        if not index_path(store, store.active_versions()).exists():
            print("building the screening index …", file=sys.stderr)
            build_index(store)
    return target


def names(store: Store, listed: int, unlisted: int, seed: int) -> list[str]:
    """Listed names (captions and aliases from every active list) and made-up ones, shuffled."""
    rng = random.Random(seed)
    pool: list[str] = []
    for v in store.active_versions():
        for entity in store.iter_entities(v.dataset, v.version):
            pool.extend(n.value for n in entity.names[:3] if 3 <= len(n.value) <= 80)
    chosen = rng.sample(pool, min(listed, len(pool)))
    for _ in range(unlisted):
        words = [
            "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).title()
            for _ in range(rng.randint(2, 3))
        ]
        chosen.append(" ".join(words))
    rng.shuffle(chosen)
    return chosen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live children (uvicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes
) -> tuple[int, bytes]:
    """Send one HTTP/1.1 request on a keep-alive connection; its status and body."""
    writer.write(data)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length)


def stop(server: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    """Stop the server as Ctrl-C does (its audit writes finish), killing it after 30 s."""
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def audited_since(db: str, records_before: int) -> tuple[int, audit.VerifyReport]:
    """Audit records written since ``records_before``, and the whole trail's verification."""
    with open_store(db) as store:
        return audit.count(store) - records_before, audit.verify(store)


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not become ready")


def request_bytes(port: int, key: str, name: str) -> bytes:
    body = json.dumps(
        {"queries": {"q": {"schema": "LegalEntity", "properties": {"name": [name]}}}}
    ).encode()
    head = (
        f"POST /match/default HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: ApiKey {key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


async def client(
    port: int,
    key: str,
    pool: list[str],
    offset: int,
    stop_at: float,
    measure_from: float,
    rate: float,
    stats: Stats,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = offset
    interval = 1.0 / rate if rate > 0 else 0.0
    # Paced clients start spread over one interval, so that they do not send in bursts.
    next_send = time.perf_counter() + random.Random(offset).random() * interval
    try:
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                return
            if interval:
                if now < next_send:
                    await asyncio.sleep(next_send - now)
                next_send += interval
            name = pool[i % len(pool)]
            i += 1
            start = time.perf_counter()
            stats.sent += 1
            status, body = await exchange(reader, writer, request_bytes(port, key, name))
            elapsed = time.perf_counter() - start
            if status == 200 and body.startswith(b'{"responses"'):
                stats.ok += 1
                if start >= measure_from:
                    stats.latencies.append(elapsed)
            else:
                stats.error(f"HTTP {status}")
    except (OSError, asyncio.IncompleteReadError) as exc:
        stats.error(type(exc).__name__)
    finally:
        writer.close()


async def run_clients(
    port: int, key: str, pool: list[str], clients: int, warmup: float, duration: float, rate: float
) -> tuple[Stats, float, float]:
    stats = Stats()
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + duration
    step = max(1, len(pool) // clients)
    await asyncio.gather(
        *(
            client(port, key, pool, n * step, stop_at, measure_from, rate, stats)
            for n in range(clients)
        )
    )
    return stats, measure_from, stop_at


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds not measured")
    parser.add_argument("--rate", type=float, default=0.0, help="requests/s per client (0: max)")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--db", help="store URL (default: a fresh SQLite store)")
    parser.add_argument("--listed", type=int, default=5000, help="listed names in the pool")
    parser.add_argument("--unlisted", type=int, default=5000, help="made-up names in the pool")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sanctrace-load-") as tmp:
        home = Path(tmp)
        db = prepare(args.db, home)
        with open_store(db) as store:
            _, secret = keys.create_key(store, "bench/load.py", "screener")
            pool = names(store, args.listed, args.unlisted, args.seed)
            records_before = audit.count(store)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "SANCTRACE_HOME": str(home)}
        log = open(home / "server.log", "wb")  # noqa: SIM115 - closed below
        command = [
            sys.executable,
            "-m",
            "sanctrace",
            "--db",
            db,
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--rate-limit",
            "0",
            "--log-level",
            "warning",
        ]
        server = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        try:
            wait_ready(base, server)
            cpu_start = cpu_seconds(server.pid)
            wall_start = time.perf_counter()
            gc.collect()
            gc.freeze()  # the client's own collector pauses would show up as server latency
            stats, measure_from, stop_at = asyncio.run(
                run_clients(port, secret, pool, args.clients, args.warmup, args.duration, args.rate)
            )
            wall = time.perf_counter() - wall_start
            cpu_used = cpu_seconds(server.pid) - cpu_start
        finally:
            stop(server, log)
        recorded, report = audited_since(db, records_before)

    measured = len(stats.latencies)
    span = stop_at - measure_from
    cores = os.cpu_count() or 1
    rps = measured / span if span > 0 else 0.0
    errors = sum(stats.errors.values())
    server_rps_per_core = stats.ok / cpu_used if cpu_used > 0 else float("nan")
    p50, p99 = pct(stats.latencies, 0.50), pct(stats.latencies, 0.99)
    targets = [
        ("p50 latency ≤ 5 ms", f"{p50:.1f} ms", p50 <= 5),
        ("p99 latency ≤ 50 ms", f"{p99:.1f} ms", p99 <= 50),
        ("zero errors", f"{errors}", errors == 0),
        (
            "one audit record per request",
            f"{recorded:,} records for {stats.ok:,} answered requests",
            recorded == stats.ok,
        ),
        (
            "audit chain verifies after the run",
            f"{report.records:,} records" + ("" if report.ok else f", broken: {report.reason}"),
            report.ok,
        ),
    ]
    print(f"## HTTP API under load (issue: HTTP API), {date.today().isoformat()}\n")
    print(
        f"`.venv/bin/python bench/load.py --clients {args.clients} --duration {args.duration:g}"
        f"{f' --rate {args.rate:g}' if args.rate else ''}"
        f"{f' --workers {args.workers}' if args.workers != 1 else ''}`: "
        f"`sanctrace serve` ({args.workers} worker{'s' if args.workers != 1 else ''}, "
        f"{'PostgreSQL' if db.startswith('postgres') else 'SQLite'} store, rate limit off) "
        f"on loopback; {args.clients} keep-alive clients"
        + (f" sending {args.rate:g} requests/s each" if args.rate else " sending back to back")
        + f", one query per `POST /match/default` (a pool of {args.listed:,} listed and "
        f"{args.unlisted:,} made-up names), {args.warmup:g} s warm-up then {span:.0f} s "
        f"measured; client and server share the machine ({cores} cores, "
        f"{platform.python_version()}).\n"
    )
    print("| target | measured | met |\n|---|---|---|")
    for label, value, met in targets:
        print(f"| {label} | {value} | {'yes' if met else 'no'} |")
    print()
    print("| measure | value |\n|---|---:|")
    rows = [
        ("requests answered (measured window)", f"{measured:,}"),
        ("requests answered (with warm-up)", f"{stats.ok:,}"),
        ("errors", ", ".join(f"{k}: {v}" for k, v in stats.errors.items()) or "0"),
        ("requests/s", f"{rps:,.0f}"),
        ("requests/s per core (machine)", f"{rps / cores:,.0f}"),
        ("requests per second of server CPU", f"{server_rps_per_core:,.0f}"),
        ("server CPU per request", f"{cpu_used / max(stats.ok, 1) * 1000:.2f} ms"),
        ("latency p50", f"{p50:.1f} ms"),
        ("latency p90", f"{pct(stats.latencies, 0.90):.1f} ms"),
        ("latency p99", f"{p99:.1f} ms"),
        ("latency max", f"{max(stats.latencies, default=0) * 1000:.1f} ms"),
        ("mean", f"{statistics.fmean(stats.latencies) * 1000 if measured else 0:.1f} ms"),
        ("yente, published", f"{YENTE_PER_VCPU} requests/s per vCPU"),
    ]
    for label, value in rows:
        print(f"| {label} | {value} |")
    print(f"\nWall time of the client phase: {wall:.1f} s.")
    if errors or recorded != stats.ok or not report.ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
