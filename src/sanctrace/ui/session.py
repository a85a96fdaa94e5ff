"""Who is using the UI: a signed session cookie made at login from an API key, or the API's own
``Authorization: ApiKey …`` header (for scripts and monitoring that fetch pages).

The cookie holds the key's id, an expiry and a random nonce, signed with the keyring's
``ui-session`` subkey (so any worker of the server can read it, and nobody can forge one without
the key file). Every request checks the key again (cached a few seconds), so a revoked key or a
changed role takes effect at once. Forms carry a CSRF token derived from the nonce; requests
authenticated by the header need none (a browser never sends it cross-site on its own).
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from sanctrace import keyring, keys
from sanctrace.api.auth import Authenticator
from sanctrace.errors import NotFoundError
from sanctrace.keys import ApiKey

COOKIE = "st_session"
#: The nonce cookie of the login form (its CSRF token, before there is a session).
LOGIN_COOKIE = "st_login"
SESSION_LABEL = "ui-session"
CSRF_LABEL = "ui-csrf"
#: How long a login lasts.
SESSION_SECONDS = 12 * 3600
#: How long a key's state (active, role) is trusted before it is read again.
KEY_CHECK_SECONDS = 5.0


@dataclass(frozen=True)
class User:
    """The caller of a page: their key, and the CSRF token their forms must carry ("" when
    they came with the API header)."""

    key: ApiKey
    csrf: str
    via: str  # "session" or "header"

    @property
    def role(self) -> str:
        return self.key.role

    def allows(self, role: str) -> bool:
        return self.key.allows(role)


class LoginRequired(Exception):
    """No session: a browser is sent to the login page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def keyring_of(request: Request) -> keyring.Keyring:
    service = request.app.state.runtime.service
    with service.pool.connection() as store:
        return keyring.require(store)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_session(ring: keyring.Keyring, key_id: str, now: float | None = None) -> str:
    """A cookie value for ``key_id``: ``kid.payload.mac``."""
    expires = int((now or time.time()) + SESSION_SECONDS)
    payload = _b64(f"{key_id}|{expires}|{secrets.token_urlsafe(16)}".encode())
    kid, mac = ring.mac(SESSION_LABEL, payload)
    return f"{kid}.{payload}.{mac}"


def read_session(ring: keyring.Keyring, value: str, now: float | None = None) -> tuple[str, str]:
    """(key id, nonce) of a valid, unexpired cookie value; ValueError otherwise."""
    try:
        kid, payload, mac = value.split(".", 2)
        if ring.mac_fault(SESSION_LABEL, payload, kid, mac) is not None:
            raise ValueError("bad signature")
        key_id, expires, nonce = _unb64(payload).decode().split("|", 2)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"bad session cookie: {exc}") from None
    if int(expires) < (now or time.time()):
        raise ValueError("session expired")
    return key_id, nonce


def csrf_token(ring: keyring.Keyring, nonce: str) -> str:
    return ring.mac(CSRF_LABEL, nonce)[1][:40]


class KeyStates:
    """Keys by id, read again after :data:`KEY_CHECK_SECONDS`."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[float, ApiKey | None]] = {}

    def get(self, request: Request, key_id: str) -> ApiKey | None:
        now = time.monotonic()
        cached = self._seen.get(key_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        service = request.app.state.runtime.service
        try:
            with service.pool.connection() as store:
                found: ApiKey | None = keys.get_key(store, key_id)
        except NotFoundError:
            found = None
        if len(self._seen) > 10_000:
            self._seen.clear()
        self._seen[key_id] = (now + KEY_CHECK_SECONDS, found)
        return found


def key_states(request: Request) -> KeyStates:
    states: KeyStates | None = getattr(request.app.state, "ui_keys", None)
    if states is None:
        states = request.app.state.ui_keys = KeyStates()
    return states


async def current_user(request: Request, role: str) -> User:
    """The caller, who must hold ``role``: from the API header when one is sent (401/403 as
    the API answers), else from the session cookie (no valid one: :class:`LoginRequired`)."""
    header = request.headers.get("authorization")
    if header:
        auth: Authenticator = request.app.state.auth
        return User(await auth.check(request, header, role), "", "header")
    cookie = request.cookies.get(COOKIE)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not cookie:
        raise LoginRequired(path)
    ring = await run_in_threadpool(keyring_of, request)
    try:
        key_id, nonce = read_session(ring, cookie)
    except ValueError:
        raise LoginRequired(path) from None
    key = await run_in_threadpool(key_states(request).get, request, key_id)
    if key is None or not key.active:
        raise LoginRequired(path)
    request.state.caller = key.id
    if not key.allows(role):
        raise HTTPException(403, f"this page needs the role {role} or above; you are {key.role}")
    return User(key, csrf_token(ring, nonce), "session")


def check_csrf(user: User, form: Any) -> None:
    """403 unless a session user's form carries their CSRF token."""
    if user.via != "session":
        return
    sent = form.get("csrf") if form is not None else None
    if not isinstance(sent, str) or not hmac.compare_digest(sent, user.csrf):
        raise HTTPException(403, "the form's CSRF token is missing or wrong: reload the page")


def login_redirect(next_path: str) -> str:
    return "/login?next=" + quote(safe_next(next_path), safe="")


def safe_next(value: str | None) -> str:
    """Only a path on this server (no scheme, no ``//host``) is followed after login."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value
