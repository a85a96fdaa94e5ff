"""Readers of ownership data, one module per format, each the same shape: ``NAME``,
``sniff(path, head) -> bool`` and ``read(path) -> list[Edge]``, raising a
:class:`sanctrace.errors.SourceError` that names the file, the line (or record) and the field.
A reader is pure: storing the edges is :mod:`sanctrace.ownership.store`'s job.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from sanctrace.errors import FormatDetectionError, MissingFileError
from sanctrace.ownership.edges import Edge

#: format name -> module
FORMATS = {
    "stakes_csv": "sanctrace.ownership.sources.stakes_csv",
    "gleif": "sanctrace.ownership.sources.gleif",
    "bods": "sanctrace.ownership.sources.bods",
    "ftm": "sanctrace.ownership.sources.ftm",
}


def module(name: str) -> ModuleType:
    return importlib.import_module(FORMATS[name])


def detect(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(8192)
    for name in FORMATS:
        if module(name).sniff(path, head):
            return name
    raise FormatDetectionError(
        "not an ownership file sanctrace reads (a CSV with owner,asset,share,… columns, "
        "FollowTheMoney JSON lines, BODS JSON or GLEIF relationship records); give --format",
        file=str(path),
    )


def read_edges(path: Path, format: str | None = None) -> tuple[str, list[Edge]]:
    """The edges of one file and the format they were read as."""
    if not path.is_file():
        raise MissingFileError(str(path))
    name = format or detect(path)
    if name not in FORMATS:
        raise FormatDetectionError(
            f"unknown ownership format {name!r}: use one of {', '.join(FORMATS)}"
        )
    return name, module(name).read(path)
