"""Scaffolding the parser tests share: damaging files for fuzzing and reading parse results.

Every format must meet hostile or broken input with a SanctraceError and nothing else; the fuzz
tests of all formats damage a real or sample file the same ways and check that promise here.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from types import ModuleType

from hypothesis import strategies as st

from sanctrace.errors import SanctraceError
from sanctrace.model.entity import Entity
from sanctrace.sources.base import ParsedList, read_head


def names(entity: Entity) -> list[tuple[str, str]]:
    """An entity's names as (value, kind), in order."""
    return [(n.value, n.kind) for n in entity.names]


def names_of_kind(entity: Entity, kind: str) -> list[str]:
    """The values of an entity's names of one kind, in order."""
    return [name.value for name in entity.names if name.kind == kind]


def by_source_id(parsed: ParsedList) -> dict[str, Entity]:
    """A parse result's entities keyed by the id the list gives them."""
    return {e.source_id: e for e in parsed.entities}


def damage(
    data: st.DataObject,
    blob: bytearray,
    inserts: list[bytes],
    *,
    refill: bytes | None = None,
) -> bytes:
    """Flip, delete, insert (one of ``inserts``) or truncate at 1 to 8 drawn places.

    ``refill`` replaces a document damaged down to nothing, for parsers that need a byte to sniff.
    """
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        pos = data.draw(st.integers(min_value=0, max_value=max(len(blob) - 1, 0)))
        action = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        if action == "flip" and blob:
            blob[pos] = data.draw(st.integers(min_value=0, max_value=255))
        elif action == "delete":
            del blob[pos : pos + data.draw(st.integers(min_value=1, max_value=40))]
        elif action == "insert":
            blob[pos:pos] = data.draw(st.sampled_from(inserts))
        else:
            del blob[pos:]
        if not blob and refill is not None:
            blob = bytearray(refill)
    return bytes(blob)


def flip_bytes(data: st.DataObject, blob: bytes, *, most: int, least: int = 0) -> bytearray:
    """``blob`` with between ``least`` and ``most`` drawn bytes overwritten."""
    mutated = bytearray(blob)
    for _ in range(data.draw(st.integers(least, most))):
        position = data.draw(st.integers(0, len(mutated) - 1))
        mutated[position] = data.draw(st.integers(0, 255))
    return mutated


def parse_file_raises_only_typed_errors(
    module: ModuleType, path: Path, *, skip_bad_rows: bool = False
) -> None:
    """Sniffing answers True or False, and parsing fails (if at all) with a SanctraceError."""
    assert module.sniff(path, read_head(path)) in (True, False)
    with contextlib.suppress(SanctraceError):
        module.parse([path], skip_bad_rows=skip_bad_rows)


def parse_bytes_raises_only_typed_errors(
    module: ModuleType, blob: bytes, name: str, *, skip_bad_rows: bool = False
) -> None:
    """``parse_file_raises_only_typed_errors`` on ``blob`` written to a file called ``name``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(blob)
        parse_file_raises_only_typed_errors(module, path, skip_bad_rows=skip_bad_rows)
