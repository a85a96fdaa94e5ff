"""The analyst web UI, served by ``sanctrace serve`` beside the API: search, party pages, the
ownership graph, alert triage, uploads and the lists. Server-rendered (Jinja2) with a light
progressive layer (htmx) and Cytoscape.js, both shipped in the package: no CDN, works offline.

``add_ui(app)`` adds its pages. Two addresses are shared with the API (``/alerts``, ``/lists``
and ``/alerts/ID``): a browser's GET (``Accept: text/html``) gets the page, every other client
the API's JSON, as before.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.staticfiles import StaticFiles

from sanctrace.api.limits import ASGIApp, Receive, Scope, Send
from sanctrace.ui import alerts, graph, lists, login, party, search, upload
from sanctrace.ui.render import STATIC_PREFIX, redirect
from sanctrace.ui.session import LoginRequired, login_redirect

STATIC = Path(__file__).resolve().parent / "static"
#: Paths the API answers with JSON and the UI with a page, for browsers.
SHARED_PATHS = ("/alerts", "/lists")
#: The UI's routers (one module per page).
ROUTERS = [
    login.router,
    search.router,
    party.router,
    lists.router,
    alerts.router,
    upload.router,
    graph.router,
]


class BrowserPages:
    """ASGI middleware: a browser's GET of an address the API shares with the UI is served
    by the page (the same path under ``/ui``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path: str = scope["path"]
            if any(path == p or path.startswith(p + "/") for p in SHARED_PATHS) and wants_html(
                scope
            ):
                scope = dict(scope, path="/ui" + path, raw_path=("/ui" + path).encode())
        await self.app(scope, receive, send)


def wants_html(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            return b"text/html" in value
    return False


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return redirect(login_redirect(exc.next_path))


def add_ui(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC), name="ui-static")
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_middleware(BrowserPages)


__all__ = ["add_ui"]
