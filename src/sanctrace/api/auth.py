"""API keys on every endpoint but the health checks.

Clients send ``Authorization: ApiKey KEY`` (as yente and the OpenSanctions API take it);
``Bearer KEY`` and the bare key are taken too. A missing, malformed or unknown key is 401, a
revoked key or a role below the endpoint's is 403, a key past its rate limit is 429.
"""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING, Any

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader

from sanctrace import keys
from sanctrace.api.limits import RateLimiter, retry_after
from sanctrace.keys import ApiKey

if TYPE_CHECKING:
    from sanctrace.api.metrics import Metrics
    from sanctrace.api.service import Service

#: Shown in the OpenAPI docs (the "Authorize" button of /docs).
HEADER = APIKeyHeader(
    name="Authorization",
    auto_error=False,
    description="`ApiKey KEY`, with a key from `sanctrace keys create NAME --role ROLE`.",
)
_SCHEMES = ("apikey", "bearer")


def presented_key(header: str | None) -> str | None:
    if not header or not header.strip():
        return None
    parts = header.strip().split(None, 1)
    if len(parts) == 2 and parts[0].lower() in _SCHEMES:
        return parts[1].strip()
    return parts[0] if len(parts) == 1 else None


class Authenticator:
    def __init__(
        self,
        service: Service,
        limiter: RateLimiter,
        metrics: Metrics,
        cache_seconds: float = 5.0,
    ) -> None:
        self.service = service
        self.limiter = limiter
        self.metrics = metrics
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}

    def _lookup(self, presented: str) -> ApiKey | None:
        with self.service.pool.connection() as store:
            return keys.authenticate(store, presented)

    async def key(self, presented: str) -> ApiKey | None:
        if self.cache_seconds <= 0:
            return await run_in_threadpool(self._lookup, presented)
        token = hashlib.sha256(presented.encode()).hexdigest()
        now = time.monotonic()
        cached = self._cache.get(token)
        if cached is not None and cached[0] > now:
            return cached[1]
        found = await run_in_threadpool(self._lookup, presented)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[token] = (now + self.cache_seconds, found)
        return found

    async def check(self, request: Request, header: str | None, role: str) -> ApiKey:
        presented = presented_key(header)
        challenge = {"WWW-Authenticate": "ApiKey"}
        if presented is None:
            raise HTTPException(
                401,
                "missing API key: send the header 'Authorization: ApiKey KEY'",
                headers=challenge,
            )
        key = await self.key(presented)
        if key is None:
            raise HTTPException(401, "unknown API key", headers=challenge)
        request.state.caller = key.id
        if not key.active:
            raise HTTPException(403, f"API key {key.id} was revoked on {key.revoked_at}")
        if not key.allows(role):
            raise HTTPException(
                403, f"this endpoint needs the role {role} or above; key {key.id} is {key.role}"
            )
        wait = self.limiter.take(key.id)
        if wait > 0:
            self.metrics.rate_limited.inc()
            raise HTTPException(
                429,
                f"rate limit exceeded for key {key.id} ({self.limiter.rate:g} requests/s, "
                f"bursts of {self.limiter.burst}); retry after {retry_after(wait)} s",
                headers={"Retry-After": retry_after(wait)},
            )
        return key


def require(role: str) -> Any:
    """A dependency: the caller's key, which must hold ``role`` or a higher one."""

    async def dependency(request: Request, header: str | None = Depends(HEADER)) -> ApiKey:
        auth: Authenticator = request.app.state.auth
        return await auth.check(request, header, role)

    return Depends(dependency)
