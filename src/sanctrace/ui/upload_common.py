"""What the upload page's three kinds share: the error a file gets, its name (shown, never
used as a path), its size checked, and its copy to a place of the server's choosing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path, PurePath
from typing import IO, Any

from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from sanctrace.api.guards import text_problem
from sanctrace.documents.extract.base import human_size


class UploadError(Exception):
    """A file the page cannot take, with the status and the message the user reads."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def display_name(filename: str | None) -> str:
    """The uploaded file's own name, for showing only: its last part, at most 200 characters,
    with characters that are not text replaced."""
    name = PurePath((filename or "").replace("\\", "/")).name[:200].strip()
    if text_problem(name):
        name = re.sub("[\x00\ud800-\udfff]", "\ufffd", name)
    name = re.sub(r"[\x00-\x1f\x7f]", " ", name)
    return name or "upload"


def download_name(display: str, suffix: str) -> str:
    """A file name for a download made from ``display`` (letters, digits, ``._-`` only)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", PurePath(display).stem).strip("._")[:60]
    return f"{stem or 'upload'}{suffix}"


def the_file(form: FormData) -> UploadFile:
    value: Any = form.get("file")
    if not isinstance(value, UploadFile) or (not value.filename and not value.size):
        raise UploadError(422, "Choose a file to upload.")
    return value


def check_size(upload: UploadFile, name: str, limit: int, what: str) -> int:
    size = upload.size
    if size is None:
        upload.file.seek(0, 2)
        size = upload.file.tell()
        upload.file.seek(0)
    if size == 0:
        raise UploadError(422, f"{name} is empty.")
    if size > limit:
        raise UploadError(
            413, f"{name} is {human_size(size)}, over the {human_size(limit)} limit for {what}."
        )
    return size


def _copy(source: IO[bytes], target: Path) -> None:
    source.seek(0)
    with target.open("wb") as fh:
        shutil.copyfileobj(source, fh, 1 << 20)


async def save_to(upload: UploadFile, target: Path) -> None:
    """The uploaded file written to ``target`` (a path of the server's choosing)."""
    await run_in_threadpool(_copy, upload.file, target)
