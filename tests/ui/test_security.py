"""The UI's security as a client sees it: login with an API key, the session cookie's flags,
CSRF on forms, the CSP on every page, redirects that stay on this server, and the API's JSON
left where it was."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from uikit import Server


@contextmanager
def login(server: Server, role: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert token is not None
        done = client.post(
            "/login",
            data={"api_key": server.keys[role], "csrf": token.group(1), "next": "/search"},
        )
        assert done.status_code == 303 and done.headers["location"] == "/search", done.text
        yield client


def test_pages_need_a_login_and_send_browsers_to_it(ui_server: Server) -> None:
    bare = httpx.get(ui_server.url + "/search?q=Kupol")
    assert bare.status_code == 303
    assert bare.headers["location"] == "/login?next=%2Fsearch%3Fq%3DKupol"
    bad_key = httpx.get(ui_server.url + "/search", headers={"Authorization": "ApiKey st_x_y"})
    assert bad_key.status_code == 401


def test_session_cookie_is_httponly_and_strict(ui_server: Server) -> None:
    with login(ui_server, "analyst") as client:
        cookie = next(v for k, v in client.get("/login").headers.multi_items() if k == "set-cookie")
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        page = client.get("/search?q=IEMZ%20Kupol")
        assert page.status_code == 200 and "KUPOL" in page.text
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert page.headers["x-content-type-options"] == "nosniff"


def test_login_cookie_flags(ui_server: Server) -> None:
    client = httpx.Client(base_url=ui_server.url, timeout=60)
    with client:
        form = client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert token is not None
        done = client.post("/login", data={"api_key": ui_server.keys["screener"], "csrf": token[1]})
        session = [
            v for k, v in done.headers.multi_items() if k == "set-cookie" and "st_session" in v
        ]
        assert session, done.headers
        assert "HttpOnly" in session[0] and "samesite=strict" in session[0].lower()
        assert "Path=/" in session[0]


def test_login_refuses_a_wrong_key_and_a_missing_csrf_token(ui_server: Server) -> None:
    client = httpx.Client(base_url=ui_server.url, timeout=60)
    with client:
        form = client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert token is not None
        wrong = client.post("/login", data={"api_key": "st_abc_def", "csrf": token[1]})
        assert wrong.status_code == 401 and "unknown API key" in wrong.text
        assert "st_session" not in wrong.headers.get("set-cookie", "")
        forged = client.post("/login", data={"api_key": ui_server.keys["admin"], "csrf": "x"})
        assert forged.status_code == 403 and "st_session" not in forged.headers.get(
            "set-cookie", ""
        )


def test_logout_needs_the_csrf_token(ui_server: Server) -> None:
    with login(ui_server, "screener") as client:
        refused = client.post("/logout", data={})
        assert refused.status_code == 403
        assert client.get("/search").status_code == 200  # still logged in
        page = client.get("/search")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token is not None
        out = client.post("/logout", data={"csrf": token[1]})
        assert out.status_code == 303
        assert client.get("/search").status_code == 303


def test_a_forged_session_cookie_is_refused(ui_server: Server) -> None:
    with login(ui_server, "admin") as client:
        real = client.cookies["st_session"]
        kid, payload, mac = real.split(".")
        forged = httpx.get(
            ui_server.url + "/search",
            cookies={"st_session": f"{kid}.{payload}.{'0' * len(mac)}"},
        )
        assert forged.status_code == 303 and forged.headers["location"].startswith("/login")


def test_login_never_redirects_off_the_server(ui_server: Server) -> None:
    client = httpx.Client(base_url=ui_server.url, timeout=60)
    with client:
        for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
            form = client.get("/login", params={"next": evil})
            token = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert token is not None
            assert 'value="/"' in form.text
            done = client.post(
                "/login",
                data={"api_key": ui_server.keys["screener"], "csrf": token[1], "next": evil},
            )
            assert done.headers["location"] == "/"


def test_the_api_keeps_its_json_at_shared_addresses(ui_server: Server) -> None:
    headers = {"Authorization": f"ApiKey {ui_server.keys['admin']}"}
    lists = httpx.get(ui_server.url + "/lists", headers=headers)
    assert lists.headers["content-type"] == "application/json"
    assert {v["dataset"] for v in lists.json()} >= {"us_ofac_sdn", "au_dfat_sanctions"}
    page = httpx.get(ui_server.url + "/lists", headers={**headers, "Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
