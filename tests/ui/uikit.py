"""The analyst UI's test kit: ``sanctrace serve`` started in its own process on a home, as a
user starts it, and Chromium pages logged in through the login form. (A module of its own, not
conftest: test modules import it by a name no other folder's conftest shadows.)"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from homes import sanctrace

#: Chromium flags for a machine with a closed network (no background connections).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Server:
    url: str
    home: Path
    keys: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path
    extra: dict[str, str] = field(default_factory=dict)

    def get(self, path: str, role: str = "admin", **kw: object) -> httpx.Response:
        headers = {"Authorization": f"ApiKey {self.keys[role]}"}
        return httpx.get(self.url + path, headers=headers, timeout=60, **kw)  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(home: Path) -> Server:
    """``sanctrace serve`` on ``home`` (keys for each role made first), ready to answer."""
    made = {}
    for role in ("screener", "analyst", "admin"):
        out = sanctrace(home, "keys", "create", f"ui-{role}", "--role", role, "--format", "json")
        made[role] = json.loads(out.stdout)["key"]
    port = free_port()
    log = home / "serve.log"
    env = {**os.environ, "SANCTRACE_HOME": str(home)}
    env.pop("SANCTRACE_DB", None)
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sanctrace",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    # a home whose lists changed builds its index and resolves its parties first (a minute or
    # more on a busy machine)
    deadline = time.monotonic() + 400
    while True:
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise AssertionError("sanctrace serve did not start:\n" + log.read_text())
        time.sleep(0.2)
    return Server(url, home, made, process, log)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


LoggedIn = Callable[..., object]


@contextmanager
def browser_pages(
    browser: Any, server: Server, *, allow_refusals: bool = False
) -> Iterator[LoggedIn]:
    """``open_page(role, width=1280, height=800)``: a page of a new browser context logged in
    through the login form as a key of ``role`` on ``server``. Console errors, CSP violations
    and dialogs fail the test; with ``allow_refusals``, Chromium's line for a refused request
    (a 4xx page the test asks for) does not."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_page(role: str = "analyst", width: int = 1280, height: int = 800) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height}, accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: errors.append(f"a dialog opened: {d.message}"))
        page.goto(server.url + "/login")
        page.fill("#api_key", server.keys[role])
        page.click("button[type=submit]")
        page.wait_for_url(server.url + "/search")
        return page

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()
    if allow_refusals:
        errors = [e for e in errors if "status of 4" not in e]
    assert not errors, f"console errors in the browser: {errors}"
