"""``sanctrace keys``: API keys of the HTTP API (create, list, revoke)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from sanctrace import keys as api_keys
from sanctrace.cli.context import State
from sanctrace.cli.lists import OutputFormat
from sanctrace.cli.output import note, out, print_json
from sanctrace.cli.tables import fitted

app = typer.Typer(help="API keys for `sanctrace serve`.", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Who or what uses the key.")],
    role: Annotated[str, typer.Option("--role", help="screener, analyst or admin.")] = "screener",
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Make a key. Its secret is printed once, here, and never stored: keep it now."""
    state: State = ctx.obj
    api_keys.check_role(role)
    key, secret = api_keys.create_key(state.store(), name, role)
    if format is OutputFormat.json:
        print_json({"id": key.id, "name": key.name, "role": key.role, "key": secret})
        return
    note(f"Created API key {key.id} ({key.name!r}, role {key.role}). It is shown only once:")
    out.print(secret, markup=False)


@app.command("list")
def list_keys(
    ctx: typer.Context,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Every key, active and revoked (never their secrets)."""
    state: State = ctx.obj
    found = api_keys.list_keys(state.store())
    if format is OutputFormat.json:
        print_json([k.to_dict() for k in found])
        return
    if not found:
        out.print("No API keys yet: sanctrace keys create NAME --role screener", markup=False)
        return
    table = Table(box=box.SIMPLE)
    for column in ("id", "name", "role", "created", "revoked"):
        table.add_column(column, no_wrap=column != "name", overflow="fold")
    for k in found:
        table.add_row(k.id, Text(k.name), k.role, k.created_at, k.revoked_at or "")
    out.print(fitted(table))


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(metavar="ID", help="The key's id (keys list).")],
) -> None:
    """Revoke a key: requests with it get 403 (within the server's key cache time, 5 s)."""
    state: State = ctx.obj
    key = api_keys.revoke_key(state.store(), key_id)
    out.print(f"Revoked API key {key.id} ({key.name!r}) on {key.revoked_at}.", markup=False)
