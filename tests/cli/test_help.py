"""Every command's ``--help`` reads as words: no raw type placeholders (``<bool>``, ``<str>``,
``<int>``, ``<path>`` …) nor ``{file}`` for an argument; and the top-level help advertises only
what exists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
import typer
from typer.testing import CliRunner

from sanctrace.cli.app import COMMANDS, app
from sanctrace.cli.help import READABLE

RAW = re.compile("<(" + "|".join(map(re.escape, READABLE)) + ")>")
BRACED = re.compile(r"\{[a-z_]+\}")
runner = CliRunner()


def commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path of every command and sub-command under ``command`` (itself first)."""
    yield path
    if hasattr(command, "list_commands"):
        ctx = typer.Context(command)
        for name in command.list_commands(ctx):
            yield from commands(command.get_command(ctx, name), (*path, name))


ALL = list(commands(typer.main.get_command(app)))


def help_text(*path: str) -> str:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_is_walked() -> None:
    assert len(ALL) > 40
    assert {("lists", "diff"), ("watch", "add"), ("alerts", "sinks", "add"), ("serve",)} <= set(ALL)


@pytest.mark.parametrize("path", ALL, ids=[" ".join(p) or "sanctrace" for p in ALL])
def test_help_has_no_raw_placeholders(path: tuple[str, ...]) -> None:
    text = help_text(*path)
    assert "Usage:" in text
    assert not RAW.findall(text), RAW.findall(text)
    assert not BRACED.findall(text), BRACED.findall(text)


def test_options_and_arguments_read_as_words() -> None:
    text = help_text("watch", "add")
    assert "watch add [OPTIONS] FILE" in text
    assert re.search(r"--list\s+TEXT\s", text)
    text = help_text("alerts", "list")
    assert re.search(r"--limit\s+INTEGER \[x>=1\]", text) and re.search(r"--output.*PATH", text)
    assert "<open|resolved|all>" in text  # choices are the values to type: kept


def test_booleans_show_no_placeholder() -> None:
    """Where ``<bool>`` comes from: a boolean option that is not a plain flag."""
    demo = typer.Typer()

    @demo.command()
    def main(
        maybe: Annotated[bool | None, typer.Option(help="Optional.")] = None,
        value: Annotated[bool, typer.Option("--value", is_flag=False, help="Not a flag.")] = False,
        name: Annotated[str, typer.Option(help="A name.")] = "x",
        path: Annotated[str, typer.Argument(help="A path.")] = ".",
    ) -> None:
        pass

    # typer 0.27 warns that is_flag is going away (the annotations are read here, in invoke)
    with pytest.warns(DeprecationWarning, match="'is_flag' and 'flag_value'"):
        text = runner.invoke(demo, ["--help"], env={"COLUMNS": "200"}).output
    assert not RAW.findall(text) and "--name" in text and "TEXT" in text


def test_top_level_help_advertises_only_what_exists() -> None:
    text = help_text().lower()
    assert "web ui" not in text and "browser" not in text  # not built yet (issue 20)
    listed = {
        line.split()[1]
        for line in text.splitlines()
        if line.startswith("│ ") and len(line.split()) > 2
    }
    assert set(COMMANDS) <= listed
    for command in ("lists", "screen", "screen-file", "scan", "entity", "ownership", "trade"):
        assert command in text
