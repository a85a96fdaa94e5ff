"""Pages from templates: one Jinja2 environment with autoescaping on for every template (listed
names are untrusted input), and the headers every page carries (a strict Content-Security-Policy:
scripts and styles from this server only, no inline code)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from sanctrace import __version__
from sanctrace.api.service import READY_WAIT
from sanctrace.ui.session import User

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC_PREFIX = "/ui/static"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(static=STATIC_PREFIX, version=__version__)
    env.filters["pct"] = lambda v: f"{float(v) * 100:.0f}%"
    env.filters["score"] = lambda v: f"{float(v):.2f}"
    return env


def snapshot_summary(request: Request) -> dict[str, Any]:
    """What the footer says of the data: how many lists, and their snapshot dates."""
    versions = request.app.state.runtime.service.versions
    dates = sorted(v.published or v.version for v in versions.values() if v.published or v.version)
    return {
        "lists": len(versions),
        "oldest": dates[0][:10] if dates else None,
        "newest": dates[-1][:10] if dates else None,
    }


def page(
    request: Request,
    template: str,
    user: User | None,
    *,
    status: int = 200,
    title: str = "",
    **context: Any,
) -> HTMLResponse:
    """``template`` rendered for ``user`` with the shared context (nav, CSRF token, snapshot)."""
    html = (
        environment()
        .get_template(template)
        .render(
            user=user,
            csrf=user.csrf if user else "",
            title=title,
            path=request.url.path,
            snapshot=snapshot_summary(request),
            **context,
        )
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def fragment(template: str, **context: Any) -> str:
    """A piece of a page (for the progressive layer's partial updates)."""
    return environment().get_template(template).render(**context)


async def index_ready(request: Request) -> bool:
    """Whether the screening index is ready, waiting for it while it loads (a page asked for
    just after the server started waits, as an API request does, rather than failing)."""
    service = request.app.state.runtime.service
    return bool(await run_in_threadpool(service.wait_ready, READY_WAIT))


def redirect(location: str, status: int = 303) -> RedirectResponse:
    return RedirectResponse(location, status_code=status, headers=SECURITY_HEADERS)


def error_page(request: Request, user: User | None, status: int, message: str) -> HTMLResponse:
    return page(
        request, "error.html", user, status=status, title=f"Error {status}", message=message
    )
