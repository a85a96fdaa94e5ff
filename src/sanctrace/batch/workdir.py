"""The work folder of a run writing to a file (``OUTPUT.partial/``): a manifest of what is being
screened, and one file per finished chunk, each written atomically. A run that stops (Ctrl-C, a
crash, ``kill -9``) leaves it behind; ``--resume`` screens only the chunks that are missing, and
the final output is put together from the chunk files in input order."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sanctrace.batch.chunks import ChunkResult, ChunkStats
from sanctrace.errors import SanctraceError

MANIFEST = "manifest.json"
_CHUNK = re.compile(r"^chunk-(\d{8})\.jsonl$")


def partial_dir(output: Path) -> Path:
    return output.with_name(output.name + ".partial")


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class WorkDir:
    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        return self.path.exists()

    def create(self, manifest: dict[str, Any]) -> None:
        try:
            self.path.mkdir()
            _write_atomic(self.path / MANIFEST, json.dumps(manifest, indent=2))
        except OSError as exc:
            raise SanctraceError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    def manifest(self) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads((self.path / MANIFEST).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data

    def chunk_path(self, number: int) -> Path:
        return self.path / f"chunk-{number:08d}.jsonl"

    def done(self) -> set[int]:
        """Numbers of the chunks already written whole."""
        found = set()
        for entry in os.listdir(self.path):
            if m := _CHUNK.match(entry):
                found.add(int(m.group(1)))
        return found

    def save(self, result: ChunkResult) -> None:
        lines = [json.dumps({"chunk": result.number, "stats": result.stats.to_dict()})]
        lines.extend(json.dumps(["r", *row], ensure_ascii=False) for row in result.rows)
        lines.extend(json.dumps(["e", *error], ensure_ascii=False) for error in result.errors)
        try:
            _write_atomic(self.chunk_path(result.number), "\n".join(lines) + "\n")
        except OSError as exc:
            raise SanctraceError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    def stats(self, number: int) -> ChunkStats:
        with self.chunk_path(number).open(encoding="utf-8") as fh:
            return ChunkStats.from_dict(json.loads(fh.readline())["stats"])

    def read(self, number: int) -> Iterator[tuple[str, list[Any]]]:
        """The rows of a chunk file: ("r", output row values) and ("e", error row values)."""
        path = self.chunk_path(number)
        try:
            with path.open(encoding="utf-8") as fh:
                fh.readline()
                for line in fh:
                    kind, *values = json.loads(line)
                    yield kind, values
        except FileNotFoundError:
            raise SanctraceError(
                f"{path} is missing: the work folder is incomplete; start over with --force"
            ) from None

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
