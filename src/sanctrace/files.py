"""File helpers: atomic writes (output appears whole or not at all) and content hashes."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

from sanctrace.errors import SanctraceError


@contextmanager
def atomic_write(
    path: Path, *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[TextIO]:
    """Write text to a temporary file beside ``path`` and rename it into place on success."""
    with atomic_path(path) as tmp:
        try:
            fh = tmp.open("w", encoding=encoding, newline=newline)
        except OSError as exc:
            raise SanctraceError(f"cannot write {path}: {exc.strerror or exc}") from None
        with fh:
            yield fh


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` for any writer (a spreadsheet or Parquet library) to
    create; renamed into place when the block succeeds, removed when it fails."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise SanctraceError(f"cannot write {path}: folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        _usual_mode(fd)
        os.close(fd)
    except OSError as exc:
        raise SanctraceError(f"cannot write {path}: {exc.strerror}") from None
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _unlink(tmp)
        raise SanctraceError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        _unlink(tmp)
        raise


def _usual_mode(fd: int) -> None:
    """Give a temporary file (created 0600) the mode a new file gets: 0666 less the umask."""
    if os.name != "posix":
        return
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)


def _unlink(path: str) -> None:
    with suppress(FileNotFoundError):
        os.unlink(path)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
