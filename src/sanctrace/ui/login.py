"""Logging in with an API key (the same keys and roles as the API) and out again."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from sanctrace.api.auth import Authenticator
from sanctrace.ui.forms import read_form, text
from sanctrace.ui.render import error_page, page, redirect
from sanctrace.ui.session import (
    COOKIE,
    LOGIN_COOKIE,
    SESSION_SECONDS,
    check_csrf,
    csrf_token,
    current_user,
    keyring_of,
    make_session,
    safe_next,
)

router = APIRouter(include_in_schema=False)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


@router.get("/login")
async def login_form(request: Request, next: str = "/") -> Response:
    nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(16)
    ring = await run_in_threadpool(keyring_of, request)
    response = page(
        request,
        "login.html",
        None,
        title="Log in",
        next=safe_next(next),
        login_csrf=csrf_token(ring, "login:" + nonce),
        failure=None,
    )
    response.set_cookie(
        LOGIN_COOKIE, nonce, httponly=True, samesite="strict", secure=_secure(request), path="/"
    )
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = await read_form(request)
    api_key, csrf, next = text(form, "api_key")[:200], text(form, "csrf"), text(form, "next", "/")
    ring = await run_in_threadpool(keyring_of, request)
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not nonce or not hmac.compare_digest(csrf, csrf_token(ring, "login:" + nonce)):
        return error_page(request, None, 403, "The login form expired: reload it and try again.")
    auth: Authenticator = request.app.state.auth
    try:
        key = await auth.check(request, "ApiKey " + api_key.strip(), "screener")
    except HTTPException as exc:
        return page(
            request,
            "login.html",
            None,
            status=exc.status_code,
            title="Log in",
            next=safe_next(next),
            login_csrf=csrf,
            failure=str(exc.detail),
        )
    done = redirect(safe_next(next))
    done.set_cookie(
        COOKIE,
        make_session(ring, key.id),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    done.delete_cookie(LOGIN_COOKIE, path="/")
    return done


@router.post("/logout")
async def logout(request: Request) -> Response:
    user = await current_user(request, "screener")
    check_csrf(user, await read_form(request))
    response = redirect("/login")
    response.delete_cookie(COOKIE, path="/")
    return response
