"""``sanctrace alerts sinks``: where alerts are delivered (webhooks, JSON-lines files), and
``sanctrace alerts deliver``, which sends them."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from sanctrace.cli.context import State
from sanctrace.cli.lists import OutputFormat
from sanctrace.cli.output import note, out, print_json
from sanctrace.cli.tables import fitted
from sanctrace.errors import SanctraceError
from sanctrace.monitor import delivery, targets

app = typer.Typer(help="Alert sinks: webhooks and JSON-lines files.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A short name for the sink, e.g. siem.")],
    webhook: Annotated[
        str | None, typer.Option("--webhook", metavar="URL", help="POST each alert here.")
    ] = None,
    jsonl: Annotated[
        str | None, typer.Option("--jsonl", metavar="PATH", help="Append each alert here.")
    ] = None,
    secret_env: Annotated[
        str | None,
        typer.Option(
            "--secret-env",
            metavar="VAR",
            help="Environment variable holding the webhook's HMAC signing secret.",
        ),
    ] = None,
    secret: Annotated[
        str | None,
        typer.Option(
            "--secret",
            metavar="TEXT",
            help="The signing secret itself (visible in shell history: prefer --secret-env).",
        ),
    ] = None,
    allow_insecure: Annotated[
        bool,
        typer.Option(
            "--allow-insecure", help="Allow a plain http:// webhook (alerts sent unencrypted)."
        ),
    ] = False,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Allow a webhook on loopback or a private network (10/8, 192.168/16, fc00::/7…); "
            "link-local and cloud-metadata addresses are always refused.",
        ),
    ] = False,
) -> None:
    """Add a sink. It receives the alerts raised from now on, not the ones already raised."""
    state: State = ctx.obj
    if secret_env is not None and secret is not None:
        raise SanctraceError("give the secret once: --secret-env VAR or --secret TEXT")
    if secret_env is not None:
        secret = os.environ.get(secret_env)
        if not secret:
            raise SanctraceError(f"environment variable {secret_env} is not set or empty")
    policy = targets.Policy(allow_insecure=allow_insecure, allow_private=allow_private)
    sink = delivery.add_sink(
        state.store(), name, webhook=webhook, jsonl=jsonl, secret=secret, policy=policy
    )
    out.print(f"Added {sink.kind} sink {sink.name!r}: {sink.target}", markup=False)


@app.command("list")
def list_sinks(
    ctx: typer.Context,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Every sink, with its deliveries counted (secrets are masked)."""
    state: State = ctx.obj
    found = delivery.sinks(state.store())
    if format is OutputFormat.json:
        print_json([s.to_dict() for s in found])
        return
    if not found:
        out.print(
            "No alert sinks yet: sanctrace alerts sinks add NAME --jsonl PATH "
            "(or --webhook URL --secret-env VAR)",
            markup=False,
        )
        return
    table = Table(box=box.SIMPLE)
    for column in ("name", "kind", "target", "secret", "pending", "dead", "delivered"):
        table.add_column(column, no_wrap=column not in ("target", "secret"), overflow="fold")
    for s in found:
        table.add_row(
            Text(s.name),
            s.kind,
            Text(s.target),
            Text(s.secret or ""),
            f"{s.pending:,}",
            f"{s.dead:,}",
            f"{s.delivered:,}",
        )
    out.print(fitted(table))


@app.command("remove")
def remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The sink's name (sinks list).")],
) -> None:
    """Remove a sink; its undelivered alerts are dropped (the alerts themselves stay)."""
    state: State = ctx.obj
    dropped = delivery.remove_sink(state.store(), name)
    out.print(f"Removed sink {name!r}; {dropped:,} undelivered alerts dropped.", markup=False)


@app.command("dead")
def dead(
    ctx: typer.Context,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Dead letters: deliveries that failed every attempt."""
    state: State = ctx.obj
    found = delivery.dead_letters(state.store())
    if format is OutputFormat.json:
        print_json([d.to_dict() for d in found])
        return
    if not found:
        out.print("No dead letters.", markup=False)
        return
    table = Table(box=box.SIMPLE)
    for column in ("alert", "sink", "attempts"):
        table.add_column(column, no_wrap=True)
    table.add_column("last error", overflow="fold")
    for d in found:
        table.add_row(str(d.alert_id), Text(d.sink), str(d.attempts), Text(d.last_error or ""))
    out.print(fitted(table))


@app.command("redeliver")
def redeliver(
    ctx: typer.Context,
    alert_ids: Annotated[
        list[int] | None, typer.Argument(metavar="[ALERT_ID]...", help="Alerts to send again.")
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every dead letter.")] = False,
    sink: Annotated[str | None, typer.Option("--sink", help="Only to this sink.")] = None,
) -> None:
    """Queue dead letters again, with their attempts reset; `alerts deliver` sends them."""
    state: State = ctx.obj
    if bool(alert_ids) == everything:
        raise SanctraceError("name the alert ids to redeliver, or --all")
    queued = delivery.redeliver(state.store(), None if everything else alert_ids, sink=sink)
    out.print(f"{queued:,} deliveries queued again: run `sanctrace alerts deliver`.", markup=False)


def deliver_command(
    ctx: typer.Context,
    max_attempts: Annotated[
        int, typer.Option(min=1, help="Attempts before a delivery is dead-lettered.")
    ] = 6,
    backoff: Annotated[
        float, typer.Option(min=0, help="Seconds before the first retry; doubles each time.")
    ] = 1.0,
    max_backoff: Annotated[float, typer.Option(min=0, help="Longest wait between retries.")] = 60.0,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds to wait for a webhook.")] = 10.0,
) -> None:
    """Send pending alerts to their sinks, retrying failures; exits 1 if any was dead-lettered."""
    state: State = ctx.obj

    def failed(attempt: delivery.Attempt) -> None:
        then = (
            f"retrying in {attempt.retry_in:.1f} s"
            if attempt.retry_in is not None
            else "dead-lettered"
        )
        note(
            f"alert {attempt.alert_id} to {attempt.sink}: attempt {attempt.attempt} failed "
            f"({attempt.error}); {then}"
        )

    report = delivery.deliver(
        state.store(),
        max_attempts=max_attempts,
        backoff=backoff,
        max_backoff=max_backoff,
        timeout=timeout,
        on_failure=failed,
    )
    out.print(f"Alerts: {report.summary()}.", markup=False)
    if report.dead:
        note(
            "Dead letters: sanctrace alerts sinks dead; send them again with "
            "sanctrace alerts sinks redeliver"
        )
        raise typer.Exit(1)
