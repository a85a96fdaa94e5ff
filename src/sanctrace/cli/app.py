"""``sanctrace``: one command, sub-commands per capability (``lists``, ``entity`` …)."""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from sanctrace import __version__
from sanctrace.cli.context import State
from sanctrace.errors import SanctraceError

#: Every sub-command and the module it lives in, in the order the help lists them. A module is
#: imported when its command runs (or the help lists it), so `sanctrace screen` does not pay
#: for the API server, the spreadsheet readers or Spark.
COMMANDS: dict[str, tuple[str, str]] = {
    "lists": ("sanctrace.cli.lists", "app"),
    "screen": ("sanctrace.cli.screen", "screen"),
    "screen-file": ("sanctrace.cli.screen_file", "screen_file"),
    "scan": ("sanctrace.cli.scan", "scan"),
    "compare": ("sanctrace.cli.screen", "compare_cmd"),
    "entity": ("sanctrace.cli.entity", "entity"),
    "ownership": ("sanctrace.cli.ownership", "app"),
    "trade": ("sanctrace.cli.trade", "app"),
    "serve": ("sanctrace.cli.serve", "serve"),
    "keys": ("sanctrace.cli.keys", "app"),
    "keyring": ("sanctrace.cli.keyring", "app"),
    "audit": ("sanctrace.cli.audit", "app"),
    "watch": ("sanctrace.cli.watch", "app"),
    "alerts": ("sanctrace.cli.alerts", "app"),
    "review": ("sanctrace.cli.review", "app"),
}


class LazyCommands(TyperGroup):
    """The top-level group: sub-commands are built from their modules on first use."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in COMMANDS:
            module, attribute = COMMANDS[cmd_name]
            target = getattr(importlib.import_module(module), attribute)
            if not isinstance(target, typer.Typer):
                single = typer.Typer()
                single.command(cmd_name)(target)
                target = single
            command = typer.main.get_command(target)
            command.name = cmd_name
            self.commands[cmd_name] = command
        return command


app = typer.Typer(
    name="sanctrace",
    cls=LazyCommands,
    help="Sanctions and export-control screening: official lists, name matching across lists "
    "and scripts, parties, ownership and control, trade flows, documents, monitoring and an "
    "HTTP API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


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
    ctx.obj = state = State(db=db)
    ctx.call_on_close(state.close)


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
