"""``sanctrace serve``: the HTTP API on uvicorn."""

from __future__ import annotations

import errno
import os
import socket
from typing import Annotated

import typer

from sanctrace.api.settings import ApiSettings
from sanctrace.cli.context import State
from sanctrace.cli.output import note
from sanctrace.errors import SanctraceError


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
    max_request_cost: Annotated[
        int, typer.Option(help="Most cost units one request may take (docs/api.md; more: 413).")
    ] = ApiSettings.max_request_cost,
    cost_rate: Annotated[
        float, typer.Option(help="Cost units per second per API key, per worker (0: no limit).")
    ] = ApiSettings.cost_rate,
    cost_burst: Annotated[
        int, typer.Option(help="Cost units one API key may spend at once.")
    ] = ApiSettings.cost_burst,
    max_queries: Annotated[
        int, typer.Option(help="Queries in one /match request.")
    ] = ApiSettings.max_queries,
    max_names: Annotated[int, typer.Option(help="Names in one query.")] = ApiSettings.max_names,
    max_name_chars: Annotated[
        int, typer.Option(help="Characters in one name (at most 1,000).")
    ] = ApiSettings.max_name_chars,
    max_key_chars: Annotated[
        int, typer.Option(help="Characters in one query key of /match.")
    ] = ApiSettings.max_key_chars,
    max_results: Annotated[
        int, typer.Option(help="Results in one /match answer (queries x limit).")
    ] = ApiSettings.max_results,
    max_response_bytes: Annotated[
        int, typer.Option(help="Bytes of one /match answer (more: 413, nothing audited).")
    ] = ApiSettings.max_response_bytes,
    costly_cost: Annotated[
        int, typer.Option(help="Requests costing more run on the costly threads.")
    ] = ApiSettings.costly_cost,
    costly_threads: Annotated[
        int, typer.Option(help="Costly requests run at once, per worker.")
    ] = ApiSettings.costly_threads,
    costly_queue: Annotated[
        int, typer.Option(help="Costly requests that may wait (more: 503).")
    ] = ApiSettings.costly_queue,
    costly_processes: Annotated[
        int,
        typer.Option(help="Processes that screen costly requests (0: the costly threads do)."),
    ] = ApiSettings.costly_processes,
    costly_nice: Annotated[
        int, typer.Option(help="CPU priority (nice, 0-19) of the costly-request processes.")
    ] = ApiSettings.costly_nice,
    auth_fail_rate: Annotated[
        float, typer.Option(help="Failed authentications per second per client address.")
    ] = ApiSettings.auth_fail_rate,
    auth_fail_burst: Annotated[
        int, typer.Option(help="Failed authentications one client address may make at once.")
    ] = ApiSettings.auth_fail_burst,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
    batch_jobs: Annotated[
        int, typer.Option(help="Batch jobs running at once per worker (more are queued).")
    ] = ApiSettings.batch_jobs,
    batch_jobs_per_key: Annotated[
        int, typer.Option(help="Batch jobs running at once per API key.")
    ] = ApiSettings.batch_jobs_per_key,
    batch_queue_per_key: Annotated[
        int, typer.Option(help="Batch jobs one API key may have queued (more: 429).")
    ] = ApiSettings.batch_queue_per_key,
    batch_retention_days: Annotated[
        float, typer.Option(help="Delete batch uploads and results this many days after.")
    ] = ApiSettings.batch_retention_days,
    batch_memory: Annotated[
        int, typer.Option(help="Bytes a batch job's reading may commit.")
    ] = ApiSettings.batch_memory,
    batch_max_input_bytes: Annotated[
        int, typer.Option(help="Refuse a batch file whose cell text passes this many bytes.")
    ] = ApiSettings.batch_max_input_bytes,
    batch_max_rows: Annotated[
        int, typer.Option(help="Refuse a batch file of more rows than this.")
    ] = ApiSettings.batch_max_rows,
    batch_max_cells: Annotated[
        int, typer.Option(help="Refuse a batch file with a row of more cells than this.")
    ] = ApiSettings.batch_max_cells,
    batch_max_cell_bytes: Annotated[
        int, typer.Option(help="Refuse a batch file with a cell longer than this.")
    ] = ApiSettings.batch_max_cell_bytes,
) -> None:
    """Serve the HTTP API: yente-compatible /match, /search, /entities, /catalog; native
    /screen, /lists, /audit; /healthz, /readyz, /metrics; OpenAPI docs at /docs."""
    import uvicorn

    from sanctrace.api import batches
    from sanctrace.api.logging import log_config

    settings = ApiSettings(
        rate_limit=rate_limit,
        burst=burst,
        max_body=max_body,
        cors_origins=tuple(cors_origin or ()),
        threads=threads,
        log_level=log_level,
        max_request_cost=max_request_cost,
        cost_rate=cost_rate,
        cost_burst=cost_burst,
        max_queries=max_queries,
        max_names=max_names,
        max_name_chars=max_name_chars,
        max_key_chars=max_key_chars,
        max_results=max_results,
        max_response_bytes=max_response_bytes,
        costly_cost=costly_cost,
        costly_threads=costly_threads,
        costly_queue=costly_queue,
        costly_processes=costly_processes,
        costly_nice=costly_nice,
        auth_fail_rate=auth_fail_rate,
        auth_fail_burst=auth_fail_burst,
        batch_jobs=batch_jobs,
        batch_jobs_per_key=batch_jobs_per_key,
        batch_queue_per_key=batch_queue_per_key,
        batch_retention_days=batch_retention_days,
        batch_memory=batch_memory,
        batch_max_input_bytes=batch_max_input_bytes,
        batch_max_rows=batch_max_rows,
        batch_max_cells=batch_max_cells,
        batch_max_cell_bytes=batch_max_cell_bytes,
    )
    batches.check_settings(settings)
    check_port(host, port)  # before the lists load: a busy port is told at once
    state: State = ctx.obj
    # Load the bundled lists and build the index once, here, so that workers only load it.
    state.screener()
    check_port(host, port)  # and again: loading may take long enough for another server
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


def check_port(host: str, port: int) -> None:
    """Refuse, in one line, an address uvicorn could not listen on (it would log the error and
    exit 3, the code of a database problem): bound and let go at once, as uvicorn binds it
    (SO_REUSEADDR, so a port whose last connections are closing counts as free)."""
    if not 0 <= port <= 65535:
        raise SanctraceError(f"--port must be between 0 and 65535, not {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise SanctraceError(f"--host {host!r} is not an address to listen on ({exc})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise SanctraceError(
                    f"port {port} on {host} is already in use: stop the other server or pass "
                    "--port N"
                ) from None
            if exc.errno == errno.EACCES:
                raise SanctraceError(
                    f"port {port} on {host} needs privileges this user lacks: pass --port N "
                    "(1024 or more)"
                ) from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise SanctraceError(
                    f"--host {host} is not an address of this machine: pass --host 127.0.0.1 "
                    "or 0.0.0.0"
                ) from None
            raise SanctraceError(f"cannot listen on {host} port {port}: {exc.strerror}") from None
