"""The founding case through the browser (system Chromium, driven by playwright.sync_api): search
"IEMZ Kupol", open the party, see every list's record side by side, on a desktop and on a
phone."""

from __future__ import annotations

import re

import httpx
from uikit import LoggedIn, Server


def test_search_then_party_page_shows_every_listing(logged_in: LoggedIn, ui_server: Server) -> None:
    page = logged_in("analyst")
    page.fill("#q", "IEMZ Kupol")  # type: ignore[attr-defined]
    page.press("#q", "Enter")  # type: ignore[attr-defined]
    page.locator(".result .caption").first.click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"/party/P-[a-z]+$"))  # type: ignore[attr-defined]
    cards = page.locator("#listings .listing h3").all_inner_texts()  # type: ignore[attr-defined]
    assert len(cards) == 3, cards
    assert any("SDN" in c for c in cards) and any("DFAT" in c for c in cards)
    assert any("SEMA" in c for c in cards)
    status = page.locator("#status").inner_text()  # type: ignore[attr-defined]
    assert status.startswith("Listed by the US (SDN: RUSSIA-EO14024)")
    assert "Australia (DFAT consolidated list: Autonomous (Russia))" in status
    assert status.endswith(" and Canada (SEMA: Russia, since 2023-02-23).")
    # the SDN records that name Kupol in their "Linked To"
    named_by = page.locator("#named-by li").all_inner_texts()  # type: ignore[attr-defined]
    assert len(named_by) == 3 and any("AEROKON" in n.upper() for n in named_by), named_by
    listing_text = page.locator("#listings").inner_text()  # type: ignore[attr-defined]
    # each record with its own list version and source record
    assert "us_ofac_sdn:46431" in listing_text and "au_dfat_sanctions:7904" in listing_text
    assert "2024-05-03" in listing_text  # the SDN snapshot's version
    assert page.locator("h3", has_text="Cyrillic").count() == 1  # type: ignore[attr-defined]
    history = page.locator("#history tbody tr").all_inner_texts()  # type: ignore[attr-defined]
    assert len(history) == 3 and all("added" in row for row in history), history


def test_record_id_redirects_to_its_party(ui_server: Server) -> None:
    headers = {"Authorization": f"ApiKey {ui_server.keys['screener']}"}
    moved = httpx.get(ui_server.url + "/party/us_ofac_sdn:46431", headers=headers)
    assert moved.status_code == 303
    target = moved.headers["location"]
    assert re.fullmatch(r"/party/P-[a-z]+", target)
    # another list's record of the same party leads to the same address
    other = httpx.get(ui_server.url + "/party/au_dfat_sanctions:7904", headers=headers)
    assert other.status_code == 303 and other.headers["location"] == target
    unknown = httpx.get(ui_server.url + "/party/us_ofac_sdn:999999999", headers=headers)
    assert unknown.status_code == 404 and "text/html" in unknown.headers["content-type"]
    assert "No party or listed record" in unknown.text
    party = httpx.get(ui_server.url + target, headers=headers)
    assert party.status_code == 200 and "KUPOL" in party.text


def test_pages_fit_a_phone_screen(logged_in: LoggedIn, ui_server: Server) -> None:
    page = logged_in("screener", width=390, height=844)
    for path in ("/search?q=IEMZ%20Kupol", "/party/us_ofac_sdn:46431"):
        page.goto(ui_server.url + path)  # type: ignore[attr-defined]
        width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
        assert width <= 390, (path, width)
    assert page.locator("#listings .listing").count() == 3  # type: ignore[attr-defined]
