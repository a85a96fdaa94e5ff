"""Telling a file's format from its name, for inputs and outputs alike."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from sanctrace.errors import SanctraceError

F = TypeVar("F", bound=StrEnum)


#: Standard input or output, as a file name.
STANDARD = "-"


def format_of(
    name: str, given: F | str | None, choices: type[F], extensions: Mapping[str, F], option: str
) -> F:
    """``given`` if set; CSV for standard input or output; else the format the name's extension
    says, or an error naming the ``option`` that sets it."""
    if given:
        return choices(given)
    if name == STANDARD:
        return choices("csv")
    fmt = extensions.get(Path(name).suffix.lower())
    if fmt is None:
        raise SanctraceError(
            f"cannot tell the format of {name} from its name: use {option} "
            + "|".join(f.value for f in choices)
        )
    return fmt
