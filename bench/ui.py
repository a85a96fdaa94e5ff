"""Paint times of the analyst UI's search and party pages (issue 20), beside the JSON API
answering the same question from the same browser::

    .venv/bin/python bench/ui.py [--runs 20] [--home DIR] [--json out.json]

``sanctrace serve`` runs in its own process on a home (default: a new one made as the README's
first run makes it, ``sanctrace screen "IEMZ Kupol"`` loading the bundled lists; a ``--home``
of yours gets a screener key named bench-ui, revoked at the end), with the
request and cost limits off (``--rate-limit 0 --cost-rate 0``: a benchmark is not a client to
throttle). The system Chromium (headless, driven by Playwright, the flags of the browser tests)
logs in through the login form, loads every page once to warm up, then loads each page
``--runs`` times in turn:

- ``/search`` with nothing searched: the floor (the page's template, stylesheet and scripts,
  no screening), beside ``GET /healthz``;
- ``/search?q=NAME`` for a few real names (IEMZ Kupol first), which screens the name and
  renders every party down to the page's floor (0.5, 25 parties);
- ``/party/ID`` of the SDN record us_ofac_sdn:46431 (the party it belongs to: the page's
  redirect from a record id is followed once before timing), and of the largest party (the
  most member records in the parties the server resolved).

Each load records, from the browser's own performance timeline, first contentful paint
(``performance.getEntriesByType('paint')``; the pages are rendered on the server, so the first
paint shows the results), DOMContentLoaded and load (``getEntriesByType('navigation')``,
measured from the start of the navigation) and the HTML response (``responseEnd -
requestStart``: the server's time plus the loopback). The baseline, timed by ``fetch`` in the
same page right after: the API's answer to the same question, ``POST /screen`` (same name,
threshold 0.5, limit 25: the page's own search) and ``GET /entities/ID`` (the same party),
until its JSON is parsed. Medians and 95th percentiles (nearest rank) per page; the targets
are FCP <= 300 ms for search and party pages, <= 500 ms for the largest party.

Repeating a name is answered from the screener's memo of recent answers, on both sides alike:
these are warm numbers (the index loaded, the name seen before).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from benchlib import machine_line, table

CHROMIUM = "/usr/bin/chromium"
#: As tests/ui/conftest.py: no background connections on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NAMES = ("IEMZ Kupol", "Rostec", "Kim Jong Un", "Алмаз-Антей")
RECORD = "us_ofac_sdn:46431"
#: The search page's floor and page size (sanctrace.ui.search.FLOOR, LIMIT).
FLOOR, LIMIT = 0.5, 25
TARGET_MS = 300.0
LARGEST_TARGET_MS = 500.0

#: Runs in the page after it loads: its paint and navigation timings, then the API's answer to
#: the same question timed by fetch (until the JSON is parsed).
MEASURE_JS = """
async ([api, key, body]) => {
  const fcp = await new Promise((done) => {
    const found = performance.getEntriesByName("first-contentful-paint")[0];
    if (found) return done(found.startTime);
    const watch = new PerformanceObserver((list) => {
      const entry = list.getEntriesByName("first-contentful-paint")[0];
      if (entry) { watch.disconnect(); done(entry.startTime); }
    });
    watch.observe({ type: "paint", buffered: true });
    setTimeout(() => { watch.disconnect(); done(null); }, 3000);
  });
  const nav = performance.getEntriesByType("navigation")[0];
  const options = { headers: { Authorization: "ApiKey " + key }, cache: "no-store" };
  if (body !== null) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const started = performance.now();
  const answer = await fetch(api, options);
  await answer.json();
  const apiMs = performance.now() - started;
  return {
    fcp: fcp, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
    html: nav.responseEnd - nav.requestStart, ttfb: nav.responseStart - nav.requestStart,
    status: nav.responseStatus, bytes: nav.transferSize, api: apiMs, apiStatus: answer.status,
  };
}
"""


def log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


@dataclass
class Target:
    """One page to time and the API call that answers the same question."""

    label: str
    path: str
    api: str
    api_label: str
    body: dict[str, Any] | None
    target_ms: float
    samples: dict[str, list[float]] = field(default_factory=dict)

    def add(self, got: dict[str, Any]) -> None:
        for name in ("fcp", "dcl", "load", "html", "ttfb", "api"):
            if got.get(name) is not None:
                self.samples.setdefault(name, []).append(float(got[name]))


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def p95(values: list[float]) -> float:
    """The 95th percentile by nearest rank (of 20 runs: the 19th)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.0f}"


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SANCTRACE_HOME": str(home), "COLUMNS": "100"}
    env.pop("SANCTRACE_DB", None)
    proc = subprocess.run(
        [sys.executable, "-m", "sanctrace", *args], env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise SystemExit(f"sanctrace {' '.join(args)} failed: {proc.stderr[-2000:]}")
    return proc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(home: Path) -> Iterator[str]:
    """``sanctrace serve`` on ``home``, its request and cost limits off; its address."""
    port = free_port()
    env = {**os.environ, "SANCTRACE_HOME": str(home)}
    env.pop("SANCTRACE_DB", None)
    argv = [sys.executable, "-m", "sanctrace", "serve", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--rate-limit", "0", "--cost-rate", "0"]
    url = f"http://127.0.0.1:{port}"
    with (home / "bench-serve.log").open("wb") as sink:
        process = subprocess.Popen(argv, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    "sanctrace serve did not start:\n" + (home / "bench-serve.log").read_text()
                )
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def largest_party(home: Path) -> tuple[str, int]:
    """The party with the most member records, as the server resolved them (ties: the first
    id), and how many records it has."""
    from sanctrace.resolve.store import load_parties
    from sanctrace.store import open_store

    with open_store(str(home / "sanctrace.db")) as store:
        by_party = load_parties(store).by_party
    best = max(len(records) for records in by_party.values())
    return min(p for p, records in by_party.items() if len(records) == best), best


def party_of(url: str, key: str, record: str) -> str:
    """The party page a record id redirects to."""
    answer = httpx.get(
        f"{url}/party/{record}",
        headers={"Authorization": f"ApiKey {key}"},
        follow_redirects=False,
        timeout=60,
    )
    if answer.status_code in (301, 302, 303, 307, 308):
        return answer.headers["location"].rsplit("/", 1)[-1]
    if answer.status_code != 200:
        raise SystemExit(f"/party/{record}: {answer.status_code}: {answer.text[:300]}")
    return record


def targets(url: str, key: str, home: Path, names: list[str]) -> list[Target]:
    # the floor: the same page's template, stylesheet and scripts with nothing screened,
    # beside the API's cheapest answer
    out = [Target("search page, no query (floor)", "/search", "/healthz", "GET /healthz", None, 0)]
    for name in names:
        out.append(
            Target(
                f"search “{name}”",
                "/search?q=" + quote(name),
                "/screen",
                "POST /screen",
                {"name": name, "threshold": FLOOR, "limit": LIMIT},
                TARGET_MS,
            )
        )
    party = party_of(url, key, RECORD)
    out.append(
        Target(
            f"party of {RECORD} ({party})",
            f"/party/{party}",
            f"/entities/{party}",
            "GET /entities/ID",
            None,
            TARGET_MS,
        )
    )
    largest, members = largest_party(home)
    if largest != party:
        out.append(
            Target(
                f"largest party {largest} ({members} records)",
                f"/party/{largest}",
                f"/entities/{largest}",
                "GET /entities/ID",
                None,
                LARGEST_TARGET_MS,
            )
        )
    return out


def measure(url: str, key: str, pages: list[Target], runs: int, warmup: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(url + "/login")
            page.fill("#api_key", key)
            page.click("button[type=submit]")
            page.wait_for_url(url + "/search")
            for round_no in range(warmup + runs):
                for target in pages:
                    page.goto(url + target.path, wait_until="load")
                    got = page.evaluate(MEASURE_JS, [target.api, key, target.body])
                    if got["status"] != 200 or got["apiStatus"] != 200:
                        raise SystemExit(
                            f"{target.label}: page {got['status']}, API {got['apiStatus']}"
                        )
                    if round_no >= warmup:
                        target.add(got)
                if round_no == warmup - 1:
                    log(f"warmed up ({warmup} rounds); timing {runs} runs")
            if errors:
                raise SystemExit(f"console errors in the browser: {errors[:5]}")
        finally:
            browser.close()


def make_home(folder: Path) -> float:
    """A new home made as the README's first run makes it; how long that took."""
    started = time.perf_counter()
    run_cli(folder, "screen", "IEMZ Kupol")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed loads of each page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    parser.add_argument("--home", type=Path, help="a SANCTRACE_HOME with lists loaded")
    parser.add_argument("--names", default=",".join(NAMES), help="searched names, by commas")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)
    argv_shown = sys.argv[1:] if argv is None else argv
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no {CHROMIUM} (apt-get install chromium)")
    names = [n.strip() for n in args.names.split(",") if n.strip()]

    with tempfile.TemporaryDirectory(prefix="sanctrace-bench-ui-") as tmp:
        home = args.home or Path(tmp) / "home"
        made = None
        if args.home is None:
            log(f"making a home with the bundled lists in {home} (the README's first run)")
            made = make_home(home)
            log(f"    {made:.0f} s")
        made_key = json.loads(
            run_cli(
                home, "keys", "create", "bench-ui", "--role", "screener", "--format", "json"
            ).stdout
        )
        key = made_key["key"]
        try:
            with server(home) as url:
                pages = targets(url, key, home, names)
                load_before = os.getloadavg()[0]
                measure(url, key, pages, args.runs, args.warmup)
                load_after = os.getloadavg()[0]
        finally:
            if args.home is not None:  # a home of the user's keeps no key of the bench's
                run_cli(home, "keys", "revoke", made_key["id"])

    header = [
        "page",
        "FCP median",
        "FCP p95",
        "DOMContentLoaded",
        "load",
        "HTML response",
        "API (same question)",
        "API median",
        "API p95",
        "FCP − API",
        "target",
    ]
    rows = []
    numbers: dict[str, Any] = {
        "runs": args.runs,
        "warmup": args.warmup,
        "machine": machine_line(),
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "pages": [],
    }
    for t in pages:
        s = t.samples
        fcp, api = median(s.get("fcp", [])), median(s.get("api", []))
        fcp95 = p95(s.get("fcp", []))
        if not t.target_ms:
            verdict = "(floor)"
        else:
            verdict = f"≤ {t.target_ms:.0f}: median {'met' if fcp <= t.target_ms else 'NOT met'}"
            verdict += f", p95 {'met' if fcp95 <= t.target_ms else 'NOT met'}"
        rows.append(
            [
                t.label,
                ms(fcp),
                ms(fcp95),
                ms(median(s.get("dcl", []))),
                ms(median(s.get("load", []))),
                ms(median(s.get("html", []))),
                t.api_label,
                ms(api),
                ms(p95(s.get("api", []))),
                ms(fcp - api),
                verdict,
            ]
        )
        numbers["pages"].append(
            {
                "label": t.label,
                "path": t.path,
                "api": t.api_label + " " + t.api,
                "target_ms": t.target_ms,
                "verdict": verdict,
                **{
                    name: {"median": round(median(v), 1), "p95": round(p95(v), 1), "n": len(v)}
                    for name, v in s.items()
                },
            }
        )
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "bench/ui.py", *argv_shown])
    out = [
        "### Analyst UI: first paint",
        "",
        f"`{command}` ({machine_line()}; Chromium headless "
        f"{chromium_version()}). {args.runs} timed loads of each page after {args.warmup} "
        "warm-up rounds; milliseconds from the start of the navigation. HTML response: "
        "requestStart to responseEnd of the page. API: the same question through the JSON API, "
        "timed by fetch in the same page until its JSON is parsed. Load average "
        f"{load_before:.1f} before, {load_after:.1f} after (other work on the machine slows "
        "the browser's paint most).",
        "",
    ]
    out += table(header, rows, "l" + "r" * 5 + "l" + "rrr" + "l")
    floor = median(pages[0].samples.get("fcp", []))
    out += [
        "",
        f"The floor row is the search page with nothing searched: {ms(floor)} ms to first "
        "paint is the browser's own time for this page's template, stylesheet and scripts on "
        "this machine; what a page takes over it is the server's work and the results' size.",
    ]
    if made is not None:
        out += ["", f"Not timed: making the home (the README's first run) {made:.0f} s."]
    print("\n".join(out))
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0


def chromium_version() -> str:
    try:
        text = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout
    except OSError:
        return "?"
    parts = text.split()
    return parts[1] if len(parts) > 1 else text.strip()


if __name__ == "__main__":
    raise SystemExit(main())
