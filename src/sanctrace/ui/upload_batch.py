"""A customer or supplier file screened as a batch job: the API's own jobs (api/batches.py:
the same folder, queue, caps, resumption after a restart, audit trail and retention), started
from the upload form, followed on ``/upload/batch/ID`` (a progress bar that htmx refreshes
every second from ``/upload/batch/ID/progress``), and its results downloaded from
``/upload/batch/ID/result.csv`` (the batch writer's CSV: a cell a spreadsheet would read as a
formula gets a leading apostrophe).

The file's columns are checked when it is uploaded, not in the job: a file without a name
column that sanctrace recognises (or without the column the form names) is refused at once,
the message naming the file and its columns. The rows it holds (an estimate: lines of a CSV,
rows of a sheet) are kept beside the job (``ui.json``) as the progress bar's end. Only the key
that uploaded a job, or an admin key, sees it (as ``GET /batches/ID``).
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
from pathlib import Path, PurePath
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile

from sanctrace.api.batches import (
    Job,
    JobStatus,
    claim_job,
    job_options,
    jobs_folder,
    jobs_of,
    load_job,
    read_status,
    save_status,
)
from sanctrace.api.runtime import Runtime, runtime
from sanctrace.audit import now_stamp
from sanctrace.batch.columns import OPTIONS, ColumnOptions, resolve_columns
from sanctrace.batch.limits import InputLimits
from sanctrace.batch.readers import INPUT_EXTENSIONS, open_input
from sanctrace.errors import SanctraceError
from sanctrace.match import DEFAULT_THRESHOLD
from sanctrace.ui.forms import text
from sanctrace.ui.render import SECURITY_HEADERS, error_page, fragment, page, redirect
from sanctrace.ui.session import User, current_user
from sanctrace.ui.upload_common import UploadError, check_size, download_name, save_to

router = APIRouter(include_in_schema=False)
log = logging.getLogger("sanctrace.ui")

ROLE = "screener"
ACCEPT = tuple(sorted(INPUT_EXTENSIONS))
#: Lowest threshold the form takes (the API's ``POST /batches`` takes any).
FLOOR = 0.5
#: Jobs listed on the upload page.
RECENT = 20
#: What the form calls the options that the batch's messages name.
_FIELDS = {OPTIONS["name"]: "the “Name column” field", OPTIONS["key"]: "the “Key column” field"}
__all__ = ["DEFAULT_THRESHOLD", "router"]


def max_bytes(rt: Runtime) -> int:
    """The largest customer file: the upload's body limit, within the jobs' input limit."""
    return min(rt.settings.max_batch_body, rt.settings.batch_max_input_bytes)


def _said(message: str, *replace: tuple[str, str]) -> str:
    for old, new in (*replace, *_FIELDS.items()):
        message = message.replace(old, new)
    return message


def _threshold(form: FormData) -> float:
    raw = text(form, "threshold").strip()
    try:
        value = float(raw) if raw else DEFAULT_THRESHOLD
    except ValueError:
        raise UploadError(422, f"The threshold {raw[:20]!r} is not a number.") from None
    if not FLOOR <= value <= 1.0:
        raise UploadError(422, f"The threshold {value:g} is outside {FLOOR} to 1.")
    return value


def inspect(source: Path, name: str, columns: ColumnOptions, limits: InputLimits) -> int | None:
    """The rows ``source`` holds (about), once its columns are found; UploadError naming the
    file (``name``, not the server's path) when they are not, or it cannot be read."""
    try:
        with open_input(str(source), limits=limits) as reader:
            resolve_columns(reader.columns, columns, source=name)
            return reader.estimate_rows()
    except SanctraceError as exc:
        said = _said(str(exc), (str(source), name), (str(source.parent), "the upload"))
        raise UploadError(422, said) from None
    except Exception as exc:  # a reader's own failure on a malformed file
        log.info("batch upload unreadable", extra={"error": repr(exc)})
        raise UploadError(
            422, f"{name} could not be read as a {source.suffix[1:].upper()} file."
        ) from None


async def start(
    request: Request, user: User, form: FormData, upload: UploadFile, name: str
) -> Response:
    """The job of an uploaded customer file, queued as ``POST /batches`` queues one; the
    answer sends the browser to its page."""
    rt = runtime(request)
    suffix = PurePath(name).suffix.lower()
    if suffix not in INPUT_EXTENSIONS:
        raise UploadError(
            415, f"{name} is not a file the batch reads: name it {', '.join(ACCEPT)}."
        )
    check_size(upload, name, max_bytes(rt), "a customer file")
    threshold = _threshold(form)
    name_column = text(form, "name_column").strip()[:200] or None
    key_column = text(form, "key_column").strip()[:200] or None
    best_only = text(form, "best_only") == "on"
    jobs = jobs_of(request.app)
    job_id = secrets.token_hex(8)
    folder = jobs.folder / job_id
    folder.mkdir(parents=True)
    try:
        source = folder / f"input{suffix}"
        await save_to(upload, source)
        columns = ColumnOptions(name=name_column, key=key_column)
        total = await run_in_threadpool(inspect, source, name, columns, jobs.limits)
        (folder / "ui.json").write_text(json.dumps({"total": total}), encoding="utf-8")
        asked = {
            "name_column": name_column,
            "key_column": key_column,
            "threshold": threshold,
            "best_only": best_only,
        }
        status = JobStatus(job_id, user.key.id, "queued", name, now_stamp(), request=asked)
        save_status(folder, status)
        claim = claim_job(folder)
        assert claim is not None, "a new job's folder is locked by no one"
        try:
            jobs.submit(Job(folder, status, job_options(folder, status, jobs.limits, False), claim))
        except HTTPException:
            claim.close()
            raise
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    log.info("batch uploaded", extra={"batch": job_id, "rows": total})
    return redirect(f"/upload/batch/{job_id}")


def _total(folder: Path) -> int | None:
    try:
        total = json.loads((folder / "ui.json").read_text(encoding="utf-8")).get("total")
    except (OSError, ValueError, AttributeError):
        return None
    return total if isinstance(total, int) and total > 0 else None


def job_view(folder: Path, status: JobStatus) -> dict[str, Any]:
    """What the job's page shows: its state, the progress bar's value (None: not known yet),
    the summary once done."""
    total = _total(folder)
    if status.status == "done":
        percent: int | None = 100
    elif status.status == "running" and total:
        percent = min(99, status.rows_read * 100 // total)
    elif status.status == "running":
        percent = None
    else:
        percent = 0
    return {
        "id": status.id,
        "filename": status.filename,
        "status": status.status,
        "created_at": status.created_at[:19].replace("T", " "),
        "finished_at": (status.finished_at or "")[:19].replace("T", " "),
        "rows_read": status.rows_read,
        "total": total,
        "matched": status.matched,
        "errors": status.errors,
        "error": _said(status.error or ""),
        "percent": percent,
        "queue_place": status.queue_place,
        "threshold": status.request.get("threshold", DEFAULT_THRESHOLD),
        "has_errors_file": (folder / "errors.csv").is_file(),
        "polling": status.status in ("queued", "running"),
    }


def _job(request: Request, user: User, job_id: str) -> tuple[Path, JobStatus]:
    folder, status = load_job(runtime(request).service, job_id, user.key)
    if status.status == "queued":
        status.queue_place = jobs_of(request.app).place(job_id)
    return folder, status


def recent_jobs(rt: Runtime, user: User) -> list[dict[str, Any]]:
    """The user's latest jobs (an admin's: everyone's), newest first."""
    folder = jobs_folder(rt.service)
    if not folder.is_dir():
        return []
    found = []
    for sub in folder.iterdir():
        if not sub.is_dir() or not sub.name.isalnum():
            continue
        status = read_status(sub)
        if status is None or (status.owner != user.key.id and user.role != "admin"):
            continue
        found.append((status.created_at, sub, status))
    found.sort(key=lambda item: item[0], reverse=True)
    return [job_view(sub, status) | {"owner": status.owner} for _, sub, status in found[:RECENT]]


@router.get("/upload/batch/{job_id}")
async def batch_page(request: Request, job_id: str) -> Response:
    user = await current_user(request, ROLE)
    try:
        folder, status = await run_in_threadpool(_job, request, user, job_id)
    except HTTPException as exc:
        return error_page(request, user, exc.status_code, str(exc.detail))
    job = job_view(folder, status)
    return page(request, "upload_batch.html", user, title=f"Batch: {status.filename}", job=job)


@router.get("/upload/batch/{job_id}/progress")
async def batch_progress(request: Request, job_id: str) -> Response:
    """The job's status panel, for the page to swap in while the job runs."""
    user = await current_user(request, ROLE)
    folder, status = await run_in_threadpool(_job, request, user, job_id)
    html = fragment("upload_batch_status.html", job=job_view(folder, status))
    return HTMLResponse(html, headers=SECURITY_HEADERS)


def _finished(request: Request, user: User, job_id: str, file: str) -> tuple[Path, JobStatus]:
    folder, status = _job(request, user, job_id)
    if status.status != "done":
        raise HTTPException(409, f"batch {job_id} is {status.status}: no results yet")
    if not (folder / file).is_file():
        raise HTTPException(404, f"batch {job_id} has no {file}")
    return folder, status


async def _download(request: Request, job_id: str, file: str, suffix: str) -> Response:
    """One of a finished job's CSV files, to its owner (or an admin), named after the upload."""
    user = await current_user(request, ROLE)
    try:
        folder, status = await run_in_threadpool(_finished, request, user, job_id, file)
    except HTTPException as exc:
        return error_page(request, user, exc.status_code, str(exc.detail))
    return FileResponse(
        folder / file,
        media_type="text/csv",
        filename=download_name(status.filename, suffix),
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"},
    )


@router.get("/upload/batch/{job_id}/result.csv")
async def batch_result(request: Request, job_id: str) -> Response:
    """The results (one row per input row and party matched), as a CSV download."""
    return await _download(request, job_id, "result.csv", "-results.csv")


@router.get("/upload/batch/{job_id}/errors.csv")
async def batch_errors(request: Request, job_id: str) -> Response:
    """The rows that could not be read, and why."""
    return await _download(request, job_id, "errors.csv", "-errors.csv")
