#!/usr/bin/env python3
"""Screenshots of every page of the analyst UI for docs/ui.md, taken in the system Chromium
against ``sanctrace serve`` on a fresh home with the bundled lists, as a new user meets it: a
watchlist of three customers added (two of them listed, so the alert queue has alerts), a
customer file and a press-style document uploaded through the upload page.

    .venv/bin/python scripts/ui-screenshots.py            # writes docs/ui/*.png
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CUSTOMERS = "id,name,country\nK1,IEMZ Kupol,RU\nK2,Bank Melli Iran,IR\nK3,Margaret Thistlewood,GB\n"
ARTICLE = """<html><body><h1>Drones assembled abroad</h1>
<p>According to the report, IEMZ Kupol, a subsidiary of Almaz-Antey, paid its suppliers through
an intermediary in Moscow. A bakery in Leeds, Blue Meadow Bakery Ltd, is not involved.</p>
</body></html>"""


def st(home: Path, *args: str) -> str:
    env = {**os.environ, "SANCTRACE_HOME": str(home)}
    env.pop("SANCTRACE_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "sanctrace", *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"sanctrace {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "ui")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="sanctrace-shots-"))
    home = work / "home"
    home.mkdir()
    try:
        st(home, "lists", "show")
        analyst = json.loads(
            st(home, "keys", "create", "Ana Analyst", "--role", "analyst", "--format", "json")
        )["key"]
        admin = json.loads(
            st(home, "keys", "create", "Ops Admin", "--role", "admin", "--format", "json")
        )["key"]
        (work / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
        columns = ["--key-column", "id", "--name-column", "name", "--country-column", "country"]
        st(home, "watch", "add", str(work / "customers.csv"), "--list", "bank", *columns)
        (work / "article.html").write_text(ARTICLE, encoding="utf-8")
        shoot(home, work, analyst, admin, args.out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def shoot(home: Path, work: Path, analyst: str, admin: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {**os.environ, "SANCTRACE_HOME": str(home)}
    server = subprocess.Popen(
        [sys.executable, "-m", "sanctrace", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium") or "chromium", args=CHROMIUM_ARGS
            )

            def logged_in(key: str, width: int = 1280, height: int = 800, shot: str = ""):  # type: ignore[no-untyped-def]
                page = browser.new_context(viewport={"width": width, "height": height}).new_page()
                page.goto(url + "/login")
                if shot:
                    page.screenshot(path=str(out / shot))
                page.fill("#api_key", key)
                page.click("button[type=submit]")
                page.wait_for_url(url + "/search")
                return page

            page = logged_in(analyst, shot="login.png")
            page.goto(url + "/search?q=IEMZ%20Kupol")
            page.screenshot(path=str(out / "search.png"))
            page.goto(url + "/party/us_ofac_sdn:46431")
            page.screenshot(path=str(out / "party.png"), full_page=True)
            page.goto(url + "/party/us_ofac_sdn:46431/graph")
            page.wait_for_timeout(2500)  # the layout settles
            page.screenshot(path=str(out / "graph.png"), full_page=True)
            page.goto(url + "/alerts")
            page.screenshot(path=str(out / "alerts.png"))
            first = page.locator("a[href^='/alerts/']").first
            first.click()
            page.wait_for_load_state()
            page.screenshot(path=str(out / "alert.png"), full_page=True)
            page.goto(url + "/upload")
            page.screenshot(path=str(out / "upload.png"), full_page=True)
            page.set_input_files("#batch-file", str(work / "customers.csv"))
            page.locator("#batch-form [type=submit]").click()
            page.wait_for_selector("#batch-download", timeout=120_000)
            page.screenshot(path=str(out / "batch.png"))
            page.goto(url + "/upload")
            page.set_input_files("#scan-file", str(work / "article.html"))
            page.locator("#scan-form [type=submit]").click()
            page.wait_for_selector("mark", timeout=120_000)
            page.screenshot(path=str(out / "scan.png"), full_page=True)
            admin_page = logged_in(admin)
            admin_page.goto(url + "/lists")
            admin_page.screenshot(path=str(out / "lists.png"), full_page=True)
            phone = logged_in(analyst, width=390, height=844)
            phone.goto(url + "/search?q=IEMZ%20Kupol")
            phone.screenshot(path=str(out / "phone-search.png"))
            phone.goto(url + "/party/us_ofac_sdn:46431")
            phone.screenshot(path=str(out / "phone-party.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    for shot in sorted(out.glob("*.png")):
        print(f"{shot.relative_to(ROOT)}  {shot.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
