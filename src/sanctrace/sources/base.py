"""The contract every list format module in ``sanctrace.sources`` fulfils.

A format module defines ``NAME`` (the ``--format`` value), ``DATASETS`` (dataset names it can
produce, default first), ``sniff(path, head) -> bool`` (recognise the format from the first bytes)
and ``parse(paths, *, dataset=None, skip_bad_rows=False) -> ParsedList``. Parsers are pure: they
read files and return entities; storing them is the store's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sanctrace.model.entity import Entity

#: Bytes read from the head of a file for format detection.
SNIFF_BYTES = 8192

#: Hard limit on a single field; real lists stay far below it (OFAC remarks < 20 kB).
MAX_FIELD_CHARS = 1_000_000


@dataclass
class ParsedList:
    """What a parser returns: the entities of one list version and what it learnt on the way."""

    dataset: str
    format: str
    entities: list[Entity]
    files: list[Path]
    published: str | None = None  # ISO date the publisher gives in the file, if any
    warnings: list[str] = field(default_factory=list)
    skipped_rows: int = 0


class SourceFormat(Protocol):
    NAME: str
    DATASETS: tuple[str, ...]

    def sniff(self, path: Path, head: bytes) -> bool: ...

    def parse(
        self, paths: list[Path], *, dataset: str | None = None, skip_bad_rows: bool = False
    ) -> ParsedList: ...


def read_head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    with path.open("rb") as fh:
        return fh.read(size)
