"""Listed names are untrusted input: a list whose names hold markup and script is loaded the
way a user loads one (``sanctrace lists load``), and every page that shows them renders them
as text: no element is made from them and no script runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from homes import copy_home, sanctrace
from uikit import Server, start_server, stop_server

SCRIPT_NAME = "<script>alert(1)</script> Hostile Trading LLC"
IMG_ALIAS = '<img src=x onerror="alert(2)"> Hostile Holdings'


def hostile_list(path: Path) -> Path:
    """An FtM file of one company whose names are markup (as a compromised or careless list
    publisher might send them)."""
    entity = {
        "id": "hostile-1",
        "schema": "Company",
        "properties": {
            "name": [SCRIPT_NAME],
            "alias": [IMG_ALIAS],
            "country": ["ru"],
            "notes": ['"><svg onload=alert(3)>'],
        },
        "datasets": ["hostile_test"],
    }
    path.write_text(json.dumps(entity) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile_server(
    bundled_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    home = copy_home(bundled_home, tmp_path_factory.mktemp("hostile-home"))
    source = hostile_list(tmp_path_factory.mktemp("hostile-list") / "hostile.ftm.json")
    sanctrace(home, "lists", "load", str(source), "--format", "ftm", "--dataset", "hostile_test")
    server = start_server(home)
    try:
        yield server
    finally:
        stop_server(server)


def test_markup_in_listed_names_is_escaped_in_the_html(hostile_server: Server) -> None:
    found = hostile_server.get("/search?q=" + quote("Hostile Trading"), "screener")
    assert found.status_code == 200
    assert "<script>alert(1)</script>" not in found.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hostile Trading LLC" in found.text
    party = hostile_server.get("/party/hostile_test:hostile-1", "screener", follow_redirects=True)
    assert party.status_code == 200
    assert "<script>alert(1)" not in party.text and "<img src=x" not in party.text
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt; Hostile Holdings" in party.text
    assert "<svg" not in party.text
    # the query is echoed escaped too
    echoed = hostile_server.get("/search?q=" + quote("<script>alert(9)</script>"), "screener")
    assert "<script>alert(9)</script>" not in echoed.text


def test_no_script_runs_in_the_browser(browser: Any, hostile_server: Server) -> None:
    dialogs: list[str] = []
    context = browser.new_context(
        extra_http_headers={"Authorization": f"ApiKey {hostile_server.keys['screener']}"}
    )
    try:
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(hostile_server.url + "/search?threshold=0.5&q=" + quote("Hostile Trading"))
        caption = page.locator(".result .caption").first
        assert caption.inner_text() == SCRIPT_NAME
        caption.click()
        page.wait_for_selector("#listings")
        assert page.locator("h1").inner_text() == SCRIPT_NAME
        assert page.locator("#listings script, #listings img, #listings svg").count() == 0
        assert IMG_ALIAS in page.locator("main").inner_text()
    finally:
        context.close()
    assert dialogs == []
