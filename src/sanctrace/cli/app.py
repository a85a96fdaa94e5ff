"""``sanctrace``: one command, sub-commands per capability (``lists``, ``entity`` …)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from sanctrace import __version__
from sanctrace.cli import alerts as alerts_cmd
from sanctrace.cli import audit as audit_cmd
from sanctrace.cli import entity as entity_cmd
from sanctrace.cli import keyring as keyring_cmd
from sanctrace.cli import keys as keys_cmd
from sanctrace.cli import lists as lists_cmd
from sanctrace.cli import review as review_cmd
from sanctrace.cli import scan as scan_cmd
from sanctrace.cli import screen as screen_cmd
from sanctrace.cli import screen_file as screen_file_cmd
from sanctrace.cli import serve as serve_cmd
from sanctrace.cli import watch as watch_cmd
from sanctrace.cli.context import State
from sanctrace.errors import SanctraceError

app = typer.Typer(
    name="sanctrace",
    help="Sanctions and export-control screening: official lists, matching, networks, trade.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(lists_cmd.app, name="lists")
app.command("screen")(screen_cmd.screen)
app.command("screen-file")(screen_file_cmd.screen_file)
app.command("scan")(scan_cmd.scan)
app.command("compare")(screen_cmd.compare_cmd)
app.command("entity")(entity_cmd.entity)
app.command("serve")(serve_cmd.serve)
app.add_typer(keys_cmd.app, name="keys")
app.add_typer(keyring_cmd.app, name="keyring")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(watch_cmd.app, name="watch")
app.add_typer(alerts_cmd.app, name="alerts")
app.add_typer(review_cmd.app, name="review")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sanctrace {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="SANCTRACE_DB",
            help="SQLite file or postgresql:// URL (default: $SANCTRACE_HOME/sanctrace.db, "
            "else the user data dir).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    ctx.obj = State(db=db)


def main() -> None:
    """Entry point: user errors print one line and exit non-zero, without a traceback."""
    try:
        app()
    except SanctraceError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
