"""Hostile inputs against a real server and a real screen-file (issue 14): the 2 MB XLSX bomb
(one 32,000-character shared string in every row) and the 532-byte Parquet bomb, uploaded to
``POST /batches`` one by one and three at once, and screened by ``sanctrace screen-file``;
reports each job's outcome and the peak resident memory of the process and its children.

    .venv/bin/python bench/bombs.py [--rows 400000] [--memory 512000000]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from bombs import parquet_bomb, xlsx_bomb


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return found


def _rss_mb(pid: int) -> float:
    total = 0
    for member in _tree(pid):
        try:
            with open(f"/proc/{member}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class Sampler:
    """The peak resident memory of a process tree, sampled every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.running = pid, 0.0, True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while self.running:
            self.peak = max(self.peak, _rss_mb(self.pid))
            time.sleep(0.02)

    def reset(self) -> float:
        now = _rss_mb(self.pid)
        self.peak = now
        return now

    def stop(self) -> float:
        self.running = False
        self.thread.join()
        return self.peak


def _call(url: str, key: str, data: bytes | None = None) -> dict[str, object]:
    request = urllib.request.Request(
        url, data=data, headers={"Authorization": f"ApiKey {key}"}, method="POST" if data else "GET"
    )
    with urllib.request.urlopen(request, timeout=600) as answer:
        result: dict[str, object] = json.load(answer)
        return result


def _upload(base: str, key: str, name: str, body: bytes) -> dict[str, object]:
    job = _call(f"{base}/batches?filename={name}", key, body)
    while True:
        status = _call(f"{base}/batches/{job['id']}", key)
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=400_000, help="rows of the XLSX bomb")
    parser.add_argument("--memory", type=int, default=512_000_000, help="--batch-memory")
    args = parser.parse_args()
    st = [sys.executable, "-m", "sanctrace"]
    with tempfile.TemporaryDirectory(prefix="bombs-") as folder:
        home = Path(folder)
        env = {**os.environ, "SANCTRACE_HOME": str(home)}
        env.pop("SANCTRACE_DB", None)
        xlsx = xlsx_bomb(home / "bomb.xlsx", args.rows)
        parquet = parquet_bomb(home / "bomb.parquet")
        print(f"XLSX bomb {xlsx.stat().st_size:,} bytes ({args.rows:,} rows x 32,000 chars)")
        print(f"Parquet bomb {parquet.stat().st_size:,} bytes")
        subprocess.run([*st, "lists", "show"], env=env, check=True, capture_output=True)
        made = subprocess.run(
            [*st, "keys", "create", "bench", "--role", "screener", "--format", "json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        key = json.loads(made.stdout)["key"]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [*st, "serve", "--port", str(port), "--batch-memory", str(args.memory)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    urllib.request.urlopen(f"{base}/readyz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.5)
            sampler = Sampler(server.pid)
            print(f"\nserver, --batch-memory {args.memory / 1e6:,.0f} MB")
            cases = [
                ("xlsx", [("bomb.xlsx", xlsx.read_bytes())]),
                ("parquet", [("bomb.parquet", parquet.read_bytes())]),
                ("3 x xlsx at once", [("bomb.xlsx", xlsx.read_bytes())] * 3),
                ("3 x parquet at once", [("bomb.parquet", parquet.read_bytes())] * 3),
            ]
            for label, uploads in cases:
                before = sampler.reset()
                results: list[dict[str, object]] = []

                def one(name: str, body: bytes, into: list[dict[str, object]] = results) -> None:
                    into.append(_upload(base, key, name, body))

                threads = [threading.Thread(target=one, args=upload) for upload in uploads]
                started = time.monotonic()
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                took = time.monotonic() - started
                errors = {str(r.get("error"))[:90] for r in results}
                print(
                    f"  {label:20} before {before:6.0f} MB  peak {sampler.peak:6.0f} MB  "
                    f"(+{sampler.peak - before:4.0f})  {took:5.1f} s  "
                    f"{sorted({str(r['status']) for r in results})}: {'; '.join(errors)}"
                )
            sampler.stop()
        finally:
            server.terminate()
            server.wait()
        print("\nscreen-file (default limits)")
        for bomb in (xlsx, parquet):
            started = time.monotonic()
            proc = subprocess.Popen(
                [*st, "screen-file", str(bomb), "-o", str(home / "out.csv"), "--force"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            sampler = Sampler(proc.pid)
            _, err = proc.communicate()
            peak = sampler.stop()
            last = err.strip().splitlines()[-1] if err.strip() else ""
            print(
                f"  {bomb.name:14} exit {proc.returncode}  peak {peak:6.0f} MB  "
                f"{time.monotonic() - started:5.1f} s  {last[:150]}"
            )


if __name__ == "__main__":
    main()
