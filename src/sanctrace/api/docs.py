"""The API's docs pages, ``/docs`` (Swagger UI) and ``/redoc``, served offline.

FastAPI's own pages load Swagger UI and Redoc from a CDN (and Redoc its fonts from Google), so
on a machine without internet, where sanctrace is meant to run, they stay blank. Here the
pages link the copies shipped in the package (``static/docs``, whose README names where they
come from, their versions and licences), mounted at ``/static/docs``.

Each page is sent with a Content-Security-Policy that lets the browser load nothing but what
this server sends: scripts from here and, on ``/docs``, the one inline script that starts
Swagger UI, allowed by its SHA-256; styles from here and inline (both UIs write their styles
from script); images from here and ``data:`` URIs; Redoc's search worker from a ``blob:`` URL
it makes itself. The pages, like FastAPI's, need no API key; the calls "Try it out" makes
need one, as ever.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

#: The vendored Swagger UI and Redoc files (see the README there).
STATIC = Path(__file__).resolve().parent / "static" / "docs"
#: Where they are served.
PREFIX = "/static/docs"
SWAGGER_JS = f"{PREFIX}/swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS = f"{PREFIX}/swagger-ui/swagger-ui.css"
FAVICON = f"{PREFIX}/swagger-ui/favicon-32x32.png"
REDOC_JS = f"{PREFIX}/redoc/redoc.standalone.js"

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def content_security_policy(html: str) -> str:
    """The policy of a docs page: this server's files only, and the page's inline scripts by
    their hashes."""
    digests = (hashlib.sha256(script.encode()).digest() for script in _INLINE_SCRIPT.findall(html))
    hashes = " ".join(f"'sha256-{base64.b64encode(d).decode()}'" for d in digests)
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {hashes}".rstrip(),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "worker-src 'self' blob:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


def _page(response: HTMLResponse) -> HTMLResponse:
    """``response``, a fresh one (a middleware may change the headers of what it sends), with
    the headers of a docs page."""
    html = bytes(response.body).decode()
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": content_security_policy(html),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def swagger_html(title: str, openapi_url: str, root_path: str = "") -> HTMLResponse:
    return _page(
        get_swagger_ui_html(
            openapi_url=root_path + openapi_url,
            title=f"{title} - Swagger UI",
            swagger_js_url=root_path + SWAGGER_JS,
            swagger_css_url=root_path + SWAGGER_CSS,
            swagger_favicon_url=root_path + FAVICON,
            oauth2_redirect_url=None,
            # no "valid" badge fetched from validator.swagger.io
            swagger_ui_parameters={"validatorUrl": None},
        )
    )


def redoc_html(title: str, openapi_url: str, root_path: str = "") -> HTMLResponse:
    return _page(
        get_redoc_html(
            openapi_url=root_path + openapi_url,
            title=f"{title} - ReDoc",
            redoc_js_url=root_path + REDOC_JS,
            redoc_favicon_url=root_path + FAVICON,
            with_google_fonts=False,
        )
    )


def add_docs(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """``docs_url`` and ``redoc_url`` on ``app`` (made with ``docs_url=None, redoc_url=None``),
    with their scripts, styles and icon from ``/static/docs``. Like FastAPI's pages, they
    prefix every link with the request's ``root_path`` (an app behind a proxy's prefix)."""
    openapi_url = app.openapi_url or "/openapi.json"

    def root_path(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    async def swagger_page(request: Request) -> HTMLResponse:
        return swagger_html(app.title, openapi_url, root_path(request))

    async def redoc_page(request: Request) -> HTMLResponse:
        return redoc_html(app.title, openapi_url, root_path(request))

    # Plain routes outside the schema and the app's dependencies, as FastAPI adds its own.
    app.add_route(docs_url, swagger_page, include_in_schema=False)
    app.add_route(redoc_url, redoc_page, include_in_schema=False)
    app.mount(PREFIX, StaticFiles(directory=STATIC), name="docs-static")


__all__ = ["PREFIX", "STATIC", "add_docs", "content_security_policy", "redoc_html", "swagger_html"]
