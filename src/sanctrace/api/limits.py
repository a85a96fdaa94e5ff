"""Limits that keep one client from taking the service down: token buckets (per API key for
requests and for request cost, per client address for failed authentication), and a cap on
request body size (checked on the declared length and on the bytes received)."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class RateLimiter:
    """Token buckets: each key (an API key id, or a client address) holds up to ``burst``
    tokens, refilled at ``rate`` per second; a request takes as many as it costs (one, or its
    cost in units for the cost limit). ``rate`` 0 turns the limit off."""

    #: Buckets kept before the full ones (which hold nothing worth keeping) are dropped: a flood
    #: from many addresses cannot grow the table without end.
    max_entries = 100_000

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _tokens(self, key: str, now: float) -> float:
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - last) * self.rate)

    def take(self, key: str, now: float | None = None, cost: float = 1.0) -> float:
        """0 when the request may go ahead (its cost is taken); else the seconds until the
        bucket holds enough (nothing is taken). A cost over ``burst`` can never go ahead."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._buckets) >= self.max_entries:
                self._prune(now)
            tokens = self._tokens(key, now)
            if tokens >= cost:
                self._buckets[key] = (tokens - cost, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (cost - tokens) / self.rate

    def wait(self, key: str, now: float | None = None) -> float:
        """The seconds until ``key`` holds one token, without taking it (0: it holds one)."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens = self._tokens(key, now)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        full = [k for k in self._buckets if self._tokens(k, now) >= self.burst]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) > self.max_entries:
            self._buckets.clear()  # every bucket in use: forget them rather than grow


def retry_after(seconds: float) -> str:
    """The Retry-After header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))


class TooLarge(HTTPException):
    """Raised while the body is read: FastAPI passes HTTP errors through to its handler."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is larger than the limit of {limit:,} bytes")


class BodyLimit:
    """ASGI middleware: 413 for a body over ``limit`` bytes, before the app reads it whole."""

    def __init__(self, app: ASGIApp, limit: int, paths: dict[str, int] | None = None) -> None:
        self.app = app
        self.default = limit
        #: Other limits for some paths (an uploaded file is larger than a query).
        self.paths = paths or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.paths.get(scope.get("path", ""), self.default)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await self._refuse(send, limit)
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except TooLarge:
            if not started:
                await self._refuse(send, limit)

    async def _refuse(self, send: Send, limit: int) -> None:
        detail = f"request body is larger than the limit of {limit:,} bytes"
        await send_error(send, 413, detail, [(b"connection", b"close")])


async def send_error(
    send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """An error answer in FastAPI's shape (``{"detail": ...}``), from ASGI middleware."""
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
