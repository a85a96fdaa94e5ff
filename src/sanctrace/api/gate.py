"""Refusals a client was already told about, answered before any work and slowly.

A client past its cost limit, its request rate or its failed authentications is told to retry
after N seconds. One that comes back sooner (a flood ignores Retry-After) would still make the
server parse its body and look up its key, and at thousands of requests a second that alone
takes the core that real clients need. So once a client has come back early, until its retry
time the gate (just inside the body limit) answers 429 from the request line and headers
alone, after holding the connection up to a second (asleep, costing nothing): a client sending
back to back gets one answer a second per connection.
"""

from __future__ import annotations

from collections.abc import Callable

import anyio

from sanctrace import keys
from sanctrace.api.auth import presented_key
from sanctrace.api.limits import (
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    retry_after,
    send_error,
)
from sanctrace.api.penalties import Penalties

#: Longest a refused request is held before its 429.
HOLD_SECONDS = 1.0
#: Paths that stay open to everyone (health checks of load balancers).
OPEN_PATHS = frozenset({"/healthz", "/readyz"})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


class Gate:
    """ASGI middleware: a caller still inside its penalty gets 429 without its request being
    read. ``trusted(presented_key)`` exempts from an address's penalty a key that has
    authenticated before (a real client sharing an address with a flood)."""

    def __init__(
        self,
        app: ASGIApp,
        penalties: Penalties,
        trusted: Callable[[str], bool],
        on_refusal: Callable[[], None] | None = None,
        hold: float = HOLD_SECONDS,
    ) -> None:
        self.app = app
        self.penalties = penalties
        self.trusted = trusted
        self.on_refusal = on_refusal
        self.hold = hold

    def _wait(self, scope: Scope) -> tuple[float, str]:
        presented = presented_key(_header(scope, b"authorization"))
        parsed = keys.parse_key(presented) if presented else None
        if parsed is not None:
            left = self.penalties.remaining("key:" + parsed[0])
            if left > 0:
                return left, f"key {parsed[0]}"
        client = scope.get("client")
        host = str(client[0]) if client else "unknown"
        left = self.penalties.remaining("addr:" + host)
        if left > 0 and not (presented and self.trusted(presented)):
            return left, host
        return 0.0, ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        wait, who = self._wait(scope)
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        if self.on_refusal is not None:
            self.on_refusal()
        await _drain(receive)
        await anyio.sleep(min(wait, self.hold))
        detail = (
            f"{who} was told to retry later and came back early: refused unread; retry after "
            f"{retry_after(wait)} s"
        )
        await send_error(send, 429, detail, [(b"retry-after", retry_after(wait).encode())])


async def _drain(receive: Receive) -> None:
    """Read the body and drop it (the body limit outside bounds it), so the connection can
    carry the client's next request."""
    while True:
        message: Message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            return
