"""The analyst UI as a user meets it: ``sanctrace serve`` started in its own process on a copy
of the bundled home, keys for each role, and headless Chromium (the system's, driven by
Playwright) logged in through the login form (uikit.py). One server per test session; tests
that change state (alerts, uploads) use data of their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browsers import chromium
from homes import copy_home
from uikit import CHROMIUM_ARGS, LoggedIn, Server, browser_pages, start_server, stop_server


@pytest.fixture(scope="session")
def ui_server(bundled_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(copy_home(bundled_home, tmp_path_factory.mktemp("ui-home")))
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def logged_in(browser: Any, ui_server: Server) -> Iterator[LoggedIn]:
    """:func:`browser_pages` on the session's server."""
    with browser_pages(browser, ui_server) as open_page:
        yield open_page
