"""API keys on every endpoint but the health checks.

Clients send ``Authorization: ApiKey KEY`` (as yente and the OpenSanctions API take it);
``Bearer KEY`` and the bare key are taken too. A missing, malformed or unknown key is 401, a
revoked key or a role below the endpoint's is 403, a key past its rate limit is 429, and so is
a client address past its limit of failed authentications.
"""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader

from sanctrace import keys
from sanctrace.api.limits import RateLimiter, retry_after
from sanctrace.api.penalties import Penalties
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
    """Finds the key a request presents, and keeps floods of bad keys cheap: failures are
    counted per client address (``failures``), an address past its limit is refused before
    any lookup, and keys never seen valid are looked up on a small pool of their own, so that
    a flood of made-up keys holds neither the request threads nor the database connections
    that real clients need."""

    #: Threads that look up keys whose id never authenticated (strangers).
    STRANGER_THREADS = 2

    def __init__(
        self,
        service: Service,
        limiter: RateLimiter,
        metrics: Metrics,
        cache_seconds: float = 5.0,
        failures: RateLimiter | None = None,
        penalties: Penalties | None = None,
    ) -> None:
        self.service = service
        self.penalties = penalties or Penalties()
        self.limiter = limiter
        self.failures = failures or RateLimiter(0, 1)
        self.metrics = metrics
        self.cache_seconds = cache_seconds
        #: Keys found (valid or revoked), by the SHA-256 of what was presented.
        self._cache: dict[str, tuple[float, ApiKey]] = {}
        #: Ids of keys that were found once: their lookups use the request threads.
        self._known: set[str] = set()
        self._strangers: anyio.CapacityLimiter | None = None

    def _lookup(self, presented: str) -> ApiKey | None:
        with self.service.pool.connection() as store:
            return keys.authenticate(store, presented)

    async def key(self, presented: str, key_id: str) -> ApiKey | None:
        token = hashlib.sha256(presented.encode()).hexdigest()
        now = time.monotonic()
        cached = self._cache.get(token)
        if cached is not None and cached[0] > now:
            return cached[1]
        if key_id in self._known:
            found = await run_in_threadpool(self._lookup, presented)
        else:
            if self._strangers is None:
                self._strangers = anyio.CapacityLimiter(self.STRANGER_THREADS)
            found = await anyio.to_thread.run_sync(self._lookup, presented, limiter=self._strangers)
        if found is not None:
            if len(self._known) > 100_000:
                self._known.clear()
            self._known.add(found.id)
            if self.cache_seconds > 0:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[token] = (now + self.cache_seconds, found)
        return found

    def _cached(self, presented: str) -> ApiKey | None:
        if self.cache_seconds <= 0:
            return None
        cached = self._cache.get(hashlib.sha256(presented.encode()).hexdigest())
        return cached[1] if cached is not None and cached[0] > time.monotonic() else None

    def trusted(self, presented: str) -> bool:
        """Whether ``presented`` is a key that authenticated lately (and is still active)."""
        key = self._cached(presented)
        return key is not None and key.active

    def _too_many(self, client: str, wait: float) -> HTTPException:
        self.metrics.rate_limited.inc()
        self.penalties.refuse("addr:" + client, wait)
        return HTTPException(
            429,
            f"too many failed authentications from {client} ({self.failures.rate:g}/s, "
            f"bursts of {self.failures.burst:g}); retry after {retry_after(wait)} s",
            headers={"Retry-After": retry_after(wait)},
        )

    def _failed(self, client: str, error: HTTPException) -> HTTPException:
        """``error``, or a 429 when ``client`` has failed too often: counts one failure."""
        self.metrics.auth_failures.inc()
        wait = self.failures.take(client)
        return self._too_many(client, wait) if wait > 0 else error

    async def check(self, request: Request, header: str | None, role: str) -> ApiKey:
        client = request.client.host if request.client else "unknown"
        presented = presented_key(header)
        challenge = {"WWW-Authenticate": "ApiKey"}
        if presented is None:
            raise self._failed(
                client,
                HTTPException(
                    401,
                    "missing API key: send the header 'Authorization: ApiKey KEY'",
                    headers=challenge,
                ),
            )
        parsed = keys.parse_key(presented)
        if parsed is None:
            raise self._failed(
                client,
                HTTPException(
                    401, "malformed API key: keys read st_<id>_<secret>", headers=challenge
                ),
            )
        key = self._cached(presented)
        if key is None:
            # Only now may the lookup cost anything: refused before it for a client address
            # that failed too often (a key it has used with success is cached above).
            wait = self.failures.wait(client)
            if wait > 0:
                raise self._too_many(client, wait)
            key = await self.key(presented, parsed[0])
        if key is None:
            raise self._failed(client, HTTPException(401, "unknown API key", headers=challenge))
        request.state.caller = key.id
        if not key.active:
            raise self._failed(
                client, HTTPException(403, f"API key {key.id} was revoked on {key.revoked_at}")
            )
        if not key.allows(role):
            raise HTTPException(
                403, f"this endpoint needs the role {role} or above; key {key.id} is {key.role}"
            )
        wait = self.limiter.take(key.id)
        if wait > 0:
            self.metrics.rate_limited.inc()
            self.penalties.refuse("key:" + key.id, wait)
            raise HTTPException(
                429,
                f"rate limit exceeded for key {key.id} ({self.limiter.rate:g} requests/s, "
                f"bursts of {self.limiter.burst:g}); retry after {retry_after(wait)} s",
                headers={"Retry-After": retry_after(wait)},
            )
        return key


def require(role: str) -> Any:
    """A dependency: the caller's key, which must hold ``role`` or a higher one."""

    async def dependency(request: Request, header: str | None = Depends(HEADER)) -> ApiKey:
        auth: Authenticator = request.app.state.auth
        return await auth.check(request, header, role)

    return Depends(dependency)
