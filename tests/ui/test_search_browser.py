"""Search in a real browser (the system Chromium, driven by playwright.sync_api): the founding case
found by keyboard alone, the threshold slider re-ranking in place, and a screener's session."""

from __future__ import annotations

from uikit import LoggedIn, Server


def test_iemz_kupol_found_with_the_keyboard_only(logged_in: LoggedIn, ui_server: Server) -> None:
    page = logged_in("screener")
    page.keyboard.press("/")  # type: ignore[attr-defined]
    page.keyboard.type("IEMZ Kupol")  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_selector(".result")  # type: ignore[attr-defined]
    first = page.locator(".result").first  # type: ignore[attr-defined]
    assert "KUPOL" in first.locator(".caption").inner_text().upper()
    badges = first.locator(".badge").all_inner_texts()
    assert any("us_ofac_sdn" in b and "RUSSIA-EO14024" in b for b in badges), badges
    assert any("au_dfat_sanctions" in b for b in badges) and any("ca_dfatd" in b for b in badges)
    assert "kupol = kupol" in first.locator(".why").inner_text()
