"""File helpers: atomic writes (output appears whole or not at all), content hashes, and the
JSON settings files users give (rulesets, weights)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TextIO

from sanctrace.errors import MissingFileError, SanctraceError, SourceError


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


#: A settings file larger than this is no settings file.
MAX_SETTINGS_BYTES = 1 << 20


def read_json_settings(path: Path, what: str) -> Any:
    """A JSON settings file the user names (``what`` it holds, for the message): missing is
    "not found" (exit 4); unreadable, too large or not JSON names the file and the line."""
    if not path.is_file():
        raise MissingFileError(str(path))
    if path.stat().st_size > MAX_SETTINGS_BYTES:
        raise SourceError(f"{what}: more than {MAX_SETTINGS_BYTES:,} bytes", file=str(path))
    try:
        return json.loads(path.read_text("utf-8"))
    except UnicodeDecodeError:
        raise SourceError(f"{what}: not UTF-8 text", file=str(path)) from None
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{what}: not JSON ({exc.msg})", file=str(path), line=exc.lineno
        ) from None
    except OSError as exc:
        raise SanctraceError(f"cannot read {what} from {path}: {exc.strerror}") from None
