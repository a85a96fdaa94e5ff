"""The HTTP API: ``create_app(store)`` builds the FastAPI application.

The app holds one screener: its index is loaded once, in the background, when the app starts
(``/readyz`` answers 503 until then). Requests run on a bounded pool of threads, each taking a
database connection from a pool for key look-ups and audit records.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from sanctrace import __version__
from sanctrace.api import batches, monitoring, native, ownership, scan, trade, yente
from sanctrace.api.auth import Authenticator
from sanctrace.api.cost import Costs
from sanctrace.api.docs import add_docs
from sanctrace.api.far import FarAnswers
from sanctrace.api.gate import Gate
from sanctrace.api.guards import checked_input, json_safe
from sanctrace.api.limits import ASGIApp, BodyLimit, Message, RateLimiter, Receive, Scope, Send
from sanctrace.api.metrics import Metrics
from sanctrace.api.penalties import Penalties
from sanctrace.api.runtime import Runtime
from sanctrace.api.service import Service
from sanctrace.api.settings import ApiSettings
from sanctrace.match import Screener
from sanctrace.store import Store, open_store
from sanctrace.ui import add_ui

log = logging.getLogger("sanctrace.api")
access = logging.getLogger("sanctrace.api.access")

DESCRIPTION = """
Sanctions screening over HTTP, offline, against the official lists loaded in sanctrace.

* **yente-compatible** (`/match`, `/search`, `/entities`, `/catalog`, `/algorithms`): the
  request and response shapes of yente, the OpenSanctions API server, so its clients work
  unchanged.
* **Native** (`/screen`, `/lists`, `/audit`): sanctrace's own JSON.
* **Parties**: a result is one real-world party, however many lists name it: its party id
  (`P-…`) as `id`, its listed records in `referents` (`us_ofac_sdn:46431`, …), every list in
  `datasets`, and a `listings` array with each list's record (list, programs, listed date,
  version, names). `/entities/{id}` takes a party id or any record id of it.
* **Access**: every endpoint but `/healthz` and `/readyz` needs an API key, sent as
  `Authorization: ApiKey KEY` (make one with `sanctrace keys create NAME --role screener`).
* **Audit trail**: every screening is recorded, hash-chained, before it is answered
  (`sanctrace audit verify`).
"""


class AccessLog:
    """ASGI middleware: one JSON log line and the Prometheus counters per request, and an
    ``X-Request-ID`` header on every response."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        request_id = ""
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                request_id = value.decode("latin-1")[:64]
        request_id = request_id or uuid.uuid4().hex[:16]

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(template, scope["method"], str(status)).inc()
            self.metrics.latency.labels(template).observe(duration)
            state = scope.get("state") or {}
            client = scope.get("client")
            access.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": template,
                    "status": status,
                    "duration_ms": round(duration * 1000, 2),
                    "caller": state.get("caller"),
                    "client": client[0] if client else None,
                    "request_id": request_id,
                },
            )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 (``detail``: a list of errors with the ``loc`` of each field), without
    echoing long inputs back, and with every echoed input made sendable as strict JSON."""
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        item = {k: v for k, v in error.items() if k not in ("url",)}
        if "input" in item:
            item["input"] = json_safe(item["input"])
        if "loc" in item:
            item["loc"] = json_safe(list(item["loc"]))
        if "msg" in item:
            item["msg"] = json_safe(item["msg"])
        if "ctx" in item:
            item["ctx"] = {k: json_safe(str(v)) for k, v in item["ctx"].items()}
        errors.append(item)
    return JSONResponse({"detail": errors}, status_code=422)


async def _server_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc, extra={"path": request.url.path})
    return JSONResponse({"detail": "internal server error"}, status_code=500)


def create_app(
    store: Store,
    *,
    settings: ApiSettings | None = None,
    screener: Screener | None = None,
) -> FastAPI:
    """The API over ``store``. With ``screener`` the app is ready at once; without, it loads
    the index of the store's active versions when it starts."""
    settings = settings or ApiSettings()
    far = None
    if settings.costly_processes:
        far = FarAnswers(settings.costly_processes, settings.costly_nice)
    service = Service(store, screener, pool_size=settings.threads, far=far)
    metrics = Metrics()
    penalties = Penalties()
    runtime = Runtime(
        service=service,
        settings=settings,
        metrics=metrics,
        costs=Costs(settings, metrics, penalties),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        if not service.ready.is_set():

            def load() -> None:
                try:
                    service.load()
                except Exception:
                    log.exception("the screening index could not be loaded")

            threading.Thread(target=load, name="sanctrace-index-load", daemon=True).start()
        batches.start(app)  # resume the jobs a killed server left; delete expired ones
        log.info(
            "sanctrace API starting",
            extra={"version": __version__, "db": service.location, "settings": vars(settings)},
        )
        try:
            yield
        finally:
            service.close()

    app = FastAPI(
        title="sanctrace",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # the docs pages, with Swagger UI and Redoc from the package, not a CDN (api.docs)
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(checked_input)],
        exception_handlers={
            RequestValidationError: _validation_error,
            Exception: _server_error,
        },
    )
    app.state.runtime = runtime
    app.state.auth = Authenticator(
        service,
        RateLimiter(settings.rate_limit, settings.burst),
        metrics,
        cache_seconds=settings.key_cache_seconds,
        failures=RateLimiter(settings.auth_fail_rate, settings.auth_fail_burst),
        penalties=penalties,
    )
    app.include_router(yente.router)
    app.include_router(native.router)
    app.include_router(batches.router)
    app.include_router(monitoring.router)
    app.include_router(scan.router)
    app.include_router(ownership.router)
    app.include_router(trade.router)
    add_docs(app)
    add_ui(app)
    # Outermost last: the access log sees every answer, the 413s included; the gate is inside
    # the body limit, which bounds what it drains.
    app.add_middleware(
        Gate,
        penalties=penalties,
        trusted=app.state.auth.trusted,
        on_refusal=metrics.rate_limited.inc,
    )
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body,
        paths={
            "/batches": settings.max_batch_body,
            "/scan": scan.MAX_BODY,
            "/upload": settings.max_batch_body,  # the UI's uploads (each kind checks its own)
        },
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(AccessLog, metrics=metrics)
    return app


def app_from_env() -> FastAPI:
    """The app for ``sanctrace serve`` (an import string for uvicorn's workers): the store
    named by ``SANCTRACE_DB`` and the settings in ``SANCTRACE_API_*``."""
    import os

    return create_app(open_store(os.environ.get("SANCTRACE_DB")), settings=ApiSettings.from_env())


__all__: Sequence[str] = ["app_from_env", "create_app"]
