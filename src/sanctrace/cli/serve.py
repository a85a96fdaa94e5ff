"""``sanctrace serve``: the HTTP API on uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from sanctrace.api.settings import ApiSettings
from sanctrace.cli.context import State
from sanctrace.cli.output import note


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Worker processes (each loads the index; about 0.5 GB each).")
    ] = 1,
    rate_limit: Annotated[
        float, typer.Option(help="Requests per second per API key, per worker (0: no limit).")
    ] = ApiSettings.rate_limit,
    burst: Annotated[
        int, typer.Option(help="Requests one API key may make at once.")
    ] = ApiSettings.burst,
    max_body: Annotated[
        int, typer.Option(help="Largest request body in bytes (larger: 413).")
    ] = ApiSettings.max_body,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="Allow browser calls from this origin (repeatable)."),
    ] = None,
    threads: Annotated[
        int, typer.Option(help="Request threads per worker (each may hold a DB connection).")
    ] = ApiSettings.threads,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Serve the HTTP API: yente-compatible /match, /search, /entities, /catalog; native
    /screen, /lists, /audit; /healthz, /readyz, /metrics; OpenAPI docs at /docs."""
    import uvicorn

    from sanctrace.api.logging import log_config

    settings = ApiSettings(
        rate_limit=rate_limit,
        burst=burst,
        max_body=max_body,
        cors_origins=tuple(cors_origin or ()),
        threads=threads,
        log_level=log_level,
    )
    state: State = ctx.obj
    # Load the bundled lists and build the index once, here, so that workers only load it.
    state.screener()
    if state.db:
        os.environ["SANCTRACE_DB"] = state.db
    os.environ.update(settings.to_env())
    note(f"sanctrace API on http://{host}:{port} (docs at /docs), data in {state.store().location}")
    uvicorn.run(
        "sanctrace.api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=log_config(log_level),
        access_log=False,
        server_header=False,
    )
