"""Readable placeholders in every ``--help``. Typer 0.27 prints the raw names of Python and
click types (``--list <str>``, ``--limit <int>``, ``--output <path>``, ``<int range>``, and
``<bool>`` for a boolean option that is not a flag), and an argument as ``{file}`` with
``<str>`` beside it. Here an option's value reads ``TEXT``, ``INTEGER``, ``NUMBER``, ``PATH``…
and an argument is named in capitals (``FILE``). Choices stay as typer shows them
(``<table|json>``): those are the values to type.

Installed by importing this module (``sanctrace.cli`` does), on typer's parameter classes;
typer is pinned (``>=0.27,<0.28``), and ``tests/cli/test_help.py`` walks every command's help.
"""

from __future__ import annotations

import re
from typing import Any

from typer import core

#: A raw type placeholder and the word shown instead ("" for a boolean: the flag says it).
READABLE = {
    "str": "TEXT",
    "text": "TEXT",
    "int": "INTEGER",
    "integer": "INTEGER",
    "int range": "INTEGER",
    "float": "NUMBER",
    "float range": "NUMBER",
    "path": "PATH",
    "filename": "FILE",
    "file": "FILE",
    "uuid": "UUID",
    "datetime": "DATE",
    "bool": "",
    "boolean": "",
}
RAW = re.compile("<(" + "|".join(map(re.escape, sorted(READABLE, key=len, reverse=True))) + ")>")


def readable(metavar: str) -> str:
    """``metavar`` with every raw type placeholder replaced by its readable word."""
    return RAW.sub(lambda found: READABLE[found.group(1)], metavar).strip()


_option_metavar = core.TyperOption.make_metavar
_argument_init = core.TyperArgument.__init__
_argument_metavar = core.TyperArgument.make_metavar


def _make_option_metavar(self: core.TyperOption, ctx: Any) -> str:
    return readable(_option_metavar(self, ctx))


def _init_argument(self: core.TyperArgument, *args: Any, **kwargs: Any) -> None:
    _argument_init(self, *args, **kwargs)
    if self.metavar is None and self.name:
        self.metavar = self.name.upper() + ("..." if self.nargs != 1 else "")
    word = readable(f"<{self.type.name}>")
    if not word.startswith("<"):
        # The arguments panel shows the type's metavar beside the name (else "<str>"): this
        # argument's own copy of its type says the word.
        kind = type(self.type).__new__(type(self.type))
        kind.__dict__.update(self.type.__dict__)
        kind.get_metavar = lambda *args, **kwargs: word  # type: ignore[method-assign]
        self.type = kind


def _make_argument_metavar(self: core.TyperArgument, ctx: Any, *, usage: bool = False) -> str:
    metavar: str = _argument_metavar(self, ctx, usage=usage)
    # the usage line: FILE, not typer's "{FILE}" for a required argument
    return metavar[1:-1] if metavar.startswith("{") and metavar.endswith("}") else metavar


core.TyperOption.make_metavar = _make_option_metavar  # type: ignore[method-assign]
core.TyperArgument.__init__ = _init_argument  # type: ignore[method-assign]
core.TyperArgument.make_metavar = _make_argument_metavar  # type: ignore[method-assign]
