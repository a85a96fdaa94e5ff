"""The lists page in a real browser: the six bundled lists with their snapshot dates and
freshness, an admin's reload of the index, an analyst who has no reload button and whose POST
is refused, the page on a phone-sized screen, and a list loaded by the command line beside a
running server served after the reload."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from homes import copy_home, sanctrace
from uikit import LoggedIn, Server, start_server, stop_server

from sanctrace.bundle import manifest


def test_the_bundled_lists_with_their_snapshot_dates(
    logged_in: LoggedIn, ui_server: Server
) -> None:
    page = logged_in("analyst")
    page.click("nav >> text=Lists")  # type: ignore[attr-defined]
    page.wait_for_selector("#served")  # type: ignore[attr-defined]
    assert page.url == ui_server.url + "/lists"  # type: ignore[attr-defined]
    bundled = manifest()
    assert len(bundled) == 6
    rows = page.locator("#served tbody tr")  # type: ignore[attr-defined]
    assert rows.count() == 6
    for item in bundled:
        row = page.locator(f"#served tr[data-dataset='{item.dataset}']")  # type: ignore[attr-defined]
        text = row.inner_text()
        assert item.title in text and item.dataset in text
        assert row.locator(".version").inner_text().startswith(item.version)
        assert row.locator(".published").inner_text() == item.published
        freshness = row.locator(".freshness").inner_text()
        assert freshness.startswith(f"published {item.published}, ") and "days old: " in freshness
        assert "bundled snapshot" in text
        kept = page.locator(f"#kept tr[data-dataset='{item.dataset}']")  # type: ignore[attr-defined]
        assert kept.count() == 1 and "served" in kept.inner_text()
    # the bundled SDN is from 2024: stale by the CLI's rule (more than 30 days)
    sdn = page.locator("#served tr[data-dataset='us_ofac_sdn'] .freshness")  # type: ignore[attr-defined]
    assert sdn.inner_text().endswith(": stale")
    assert "stale" in page.locator("#lists-summary").inner_text()  # type: ignore[attr-defined]
    # an analyst sees neither admin action
    assert page.locator("#reload-button").count() == 0  # type: ignore[attr-defined]
    assert page.locator("#update-button").count() == 0  # type: ignore[attr-defined]


def test_an_analysts_reload_is_refused(logged_in: LoggedIn, ui_server: Server) -> None:
    page = logged_in("analyst")
    page.goto(ui_server.url + "/lists")  # type: ignore[attr-defined]
    token = page.locator("input[name=csrf]").first.get_attribute("value")  # type: ignore[attr-defined]
    # with their session and its CSRF token (as a forged form would need): the role decides
    for action in ("/ui/lists/reload", "/ui/lists/update"):
        answer = page.request.post(ui_server.url + action, form={"csrf": token})  # type: ignore[attr-defined]
        assert answer.status == 403, action
    # and with the API header
    for role in ("screener", "analyst"):
        headers = {"Authorization": f"ApiKey {ui_server.keys[role]}"}
        answer = httpx.post(ui_server.url + "/ui/lists/reload", headers=headers, timeout=30)
        assert answer.status_code == 403


def test_an_admin_reloads_the_index(logged_in: LoggedIn, ui_server: Server) -> None:
    page = logged_in("admin")
    page.goto(ui_server.url + "/lists")  # type: ignore[attr-defined]
    assert "Needs network access" in page.locator("#update").inner_text()  # type: ignore[attr-defined]
    page.click("#reload-button")  # type: ignore[attr-defined]
    # the reload runs in the background; the page refreshes itself until it is done
    done = page.locator("#reload-result", has_text="Reloaded at")  # type: ignore[attr-defined]
    done.wait_for(timeout=120_000)
    assert page.url.startswith(ui_server.url + "/lists")  # type: ignore[attr-defined]
    result = page.locator("#reload-result").inner_text()  # type: ignore[attr-defined]
    assert result.startswith("Reloaded at ") and "ui-admin" in result, result
    assert "the same versions as before are served" in result
    assert page.locator("#served tbody tr").count() == 6  # type: ignore[attr-defined]
    # a POST without the form's CSRF token is refused, and the server still screens
    answer = page.request.post(ui_server.url + "/ui/lists/reload", form={"csrf": "x"})  # type: ignore[attr-defined]
    assert answer.status == 403
    found = ui_server.get("/search?q=IEMZ+Kupol", "screener")
    assert found.status_code == 200 and "KUPOL" in found.text.upper()


def test_the_api_still_answers_json_at_lists(ui_server: Server) -> None:
    answer = ui_server.get("/lists", "screener")
    assert answer.headers["content-type"].startswith("application/json")
    assert {v["dataset"] for v in answer.json() if v["indexed"]} == {i.dataset for i in manifest()}


def test_no_horizontal_overflow_at_390_px(logged_in: LoggedIn, ui_server: Server) -> None:
    for role in ("analyst", "admin"):
        page = logged_in(role, width=390, height=844)
        page.goto(ui_server.url + "/lists")  # type: ignore[attr-defined]
        page.wait_for_selector("#kept")  # type: ignore[attr-defined]
        width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
        assert width <= 390, f"{role}: the page is {width} px wide"


def test_a_list_loaded_in_another_process_is_served_after_the_reload(
    browser: object, bundled_home: Path, tmp_path: Path
) -> None:
    """The operator's case: ``sanctrace lists load`` beside a running server, then Reload."""
    server = start_server(copy_home(bundled_home, tmp_path / "home"))
    try:
        listing = tmp_path / "extra.jsonl"
        entity = {
            "id": "extra-1",
            "schema": "Company",
            "properties": {"name": ["Zyxwvut Test Trading LLC"]},
            "datasets": ["xx_extra"],
        }
        listing.write_text(json.dumps(entity) + "\n", "utf-8")
        sanctrace(
            server.home,
            "lists",
            "load",
            str(listing),
            "--format",
            "ftm",
            "--dataset",
            "xx_extra",
            "--version",
            "2026-01-02",
        )
        context = browser.new_context()  # type: ignore[attr-defined]
        try:
            page = context.new_page()
            page.goto(server.url + "/login")
            page.fill("#api_key", server.keys["admin"])
            page.click("button[type=submit]")
            page.wait_for_url(server.url + "/search")
            page.goto(server.url + "/lists")
            row = page.locator("#served tr[data-dataset='xx_extra']")
            assert "not served" in row.inner_text()
            assert (
                "the store's active version is 2026-01-02: reload to serve it" in row.inner_text()
            )
            page.click("#reload-button")
            assert "Reloading since" in page.locator("#reload-result").inner_text()
            assert page.locator("#reload-button").is_disabled()
            # the index is built and the parties resolved again: a minute or more
            done = page.locator("#reload-result", has_text="Reloaded at")
            done.wait_for(timeout=600_000)
            result = page.locator("#reload-result").inner_text()
            assert "xx_extra: now served at version 2026-01-02" in result, result
            row = page.locator("#served tr[data-dataset='xx_extra']")
            assert row.locator(".version").inner_text().startswith("2026-01-02")
            assert "loaded (fetched from the official source, or from a file)" in row.inner_text()
            assert page.locator("#served tbody tr").count() == 7
        finally:
            context.close()
        found = server.get("/search?q=Zyxwvut+Test+Trading", "screener")
        assert "ZYXWVUT" in found.text.upper()
    finally:
        stop_server(server)
