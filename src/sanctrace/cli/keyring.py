"""``sanctrace keyring``: the keys kept outside the database that sign the audit trail and seal
stored webhook secrets: show them (ids only), rotate, make one for the environment."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

from sanctrace import keyring
from sanctrace.cli.context import State
from sanctrace.cli.lists import OutputFormat
from sanctrace.cli.output import note, out, print_json

app = typer.Typer(
    help="The keys that sign the audit trail and seal stored secrets.", no_args_is_help=True
)


@app.command("show")
def show(
    ctx: typer.Context,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Where the keys come from, their ids and which one is current (never the keys)."""
    state: State = ctx.obj
    ring = keyring.require(state.store())
    keys = [
        {"id": k.id, "created": k.created, "current": k.id == ring.current_id} for k in ring.keys
    ]
    if format is OutputFormat.json:
        print_json({"source": ring.source, "keys": keys})
        return
    out.print(f"Keyring: {ring.source}", markup=False)
    for k in keys:
        mark = "  (current)" if k["current"] else ""
        out.print(f"  {k['id']}  created {k['created'] or 'unknown'}{mark}", markup=False)


@app.command("rotate")
def rotate(ctx: typer.Context) -> None:
    """Make a new current key in the key file; the old keys stay, to verify old records and open
    old secrets. (Keys from SANCTRACE_SECRET_KEY are rotated by adding one to it.)"""
    state: State = ctx.obj
    path = keyring.key_file_for(state.store())
    key, ring = keyring.rotate(path)
    note(f"New current key {key.id} in {path} ({len(ring.keys)} keys kept)")


@app.command("generate")
def generate() -> None:
    """Print a new random key for SANCTRACE_SECRET_KEY (servers that keep keys in the
    environment); append it after a comma to rotate."""
    typer.echo(secrets.token_urlsafe(48))
