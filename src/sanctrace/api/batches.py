"""``POST /batches``: screen a whole file in the background, through the same pipeline as
``sanctrace screen-file``; ``GET /batches/{id}`` for progress and ``GET /batches/{id}/result``
for the output (CSV).

A job is a folder beside the store's index (``batches/{id}/``): the uploaded file, a
``status.json`` rewritten atomically after every chunk, and the result once done. Jobs run in
a thread of the process that took the upload, one worker each, with their own screener over
the service's index; every chunk is written to the audit trail under the caller's key. Only
the key that uploaded a job, or an admin key, can see it.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse

from sanctrace import audit
from sanctrace.api.auth import require
from sanctrace.api.runtime import Runtime, runtime
from sanctrace.api.service import Service
from sanctrace.api.yente import ERRORS
from sanctrace.audit import now_stamp
from sanctrace.batch.chunks import ChunkResult
from sanctrace.batch.columns import ColumnOptions
from sanctrace.batch.readers import INPUT_EXTENSIONS
from sanctrace.batch.run import BatchOptions, Lists, run_batch
from sanctrace.errors import SanctraceError
from sanctrace.files import atomic_write
from sanctrace.keys import ApiKey
from sanctrace.match import DEFAULT_THRESHOLD, Screener
from sanctrace.match.screener import index_key, index_path
from sanctrace.screening import audit_lists

router = APIRouter()
log = logging.getLogger("sanctrace.api")


@dataclass
class JobStatus:
    id: str
    owner: str
    status: str  # queued | running | done | failed
    filename: str
    created_at: str
    rows_read: int = 0
    matched: int = 0
    errors: int = 0
    finished_at: str | None = None
    error: str | None = None


def _jobs(service: Service) -> Path:
    return service.store.index_dir.parent / "batches"


def _save(folder: Path, status: JobStatus) -> None:
    with atomic_write(folder / "status.json") as fh:
        json.dump(asdict(status), fh)


def _load(service: Service, job_id: str, key: ApiKey) -> tuple[Path, JobStatus]:
    folder = _jobs(service) / job_id
    if not job_id.isalnum() or not (folder / "status.json").is_file():
        raise HTTPException(404, f"no batch {job_id!r}")
    status = JobStatus(**json.loads((folder / "status.json").read_text(encoding="utf-8")))
    if status.owner != key.id and key.role != "admin":
        raise HTTPException(404, f"no batch {job_id!r}")
    return folder, status


class _Progress:
    """Keeps ``status.json`` current as chunks finish."""

    def __init__(self, folder: Path, status: JobStatus) -> None:
        self.folder, self.status = folder, status

    def start(self, total: int | None) -> None:
        self.status.status = "running"
        _save(self.folder, self.status)

    def advance(self, rows: int) -> None:
        self.status.rows_read += rows
        _save(self.folder, self.status)

    def stop(self) -> None:
        pass


def _run(rt: Runtime, folder: Path, status: JobStatus, options: BatchOptions) -> None:
    service = rt.service
    assert service.screener is not None
    # Its own screener: the memos of the one behind the request threads are not shared.
    screener = Screener(service.screener.index, service.screener.config)
    versions = [service.versions[d] for d in sorted(service.versions)]
    with service.pool.connection() as store:
        active = store.active_versions()
        lists = Lists(screener, versions, index_key(active), index_path(store, active))

    def record(result: ChunkResult) -> None:
        rows = {r.input_row: [r.input_row, r.input_key, r.input_name] for r in result.rows}
        service.record(
            caller=status.owner,
            kind="batch",
            request={
                "batch": status.id,
                "chunk": result.number,
                "threshold": options.threshold,
                "rows": list(rows.values()),
            },
            lists=audit_lists(versions),
            results=[[r.input_row, r.id, r.score] for r in result.rows if r.id],
        )

    try:
        summary = run_batch(
            options,
            lambda: lists,
            notify=lambda _: None,
            progress=_Progress(folder, status),
            record=record,
        )
    except (SanctraceError, audit.AuditWriteError, OSError) as exc:
        status.status, status.error = "failed", str(exc)
    except Exception as exc:  # a bug must not leave the job "running" for ever
        log.exception("batch failed", extra={"batch": status.id})
        status.status, status.error = "failed", f"internal error: {type(exc).__name__}"
    else:
        status.status = "done"
        status.rows_read = summary.stats.read
        status.matched, status.errors = summary.stats.matched, summary.stats.errors
    status.finished_at = now_stamp()
    _save(folder, status)


@router.post(
    "/batches", status_code=202, summary="Screen a file", tags=["Batches"], responses=ERRORS
)
async def create_batch(
    request: Request,
    filename: str = Query(..., max_length=200, description="Its extension gives the format"),
    name_column: str | None = Query(None, max_length=200),
    key_column: str | None = Query(None, max_length=200),
    threshold: float = Query(DEFAULT_THRESHOLD, ge=0.0, le=1.0),
    best_only: bool = Query(False),
    key: ApiKey = require("screener"),
) -> Any:
    """The request body is the file itself (CSV, TSV, XLSX, Parquet or JSON lines). The answer,
    202, holds the job's id and status; `GET /batches/{id}` follows it."""
    rt = runtime(request)
    rt.need_ready()
    suffix = Path(filename).suffix.lower()
    if suffix not in INPUT_EXTENSIONS:
        raise HTTPException(
            422,
            [
                {
                    "type": "value_error",
                    "loc": ["query", "filename"],
                    "msg": f"{filename!r} has no known extension: "
                    + ", ".join(sorted(INPUT_EXTENSIONS)),
                }
            ],
        )
    body = await request.body()
    job_id = secrets.token_hex(8)
    folder = _jobs(rt.service) / job_id
    folder.mkdir(parents=True)
    source = folder / f"input{suffix}"
    source.write_bytes(body)
    status = JobStatus(job_id, key.id, "queued", Path(filename).name, now_stamp())
    _save(folder, status)
    options = BatchOptions(
        input=str(source),
        output=str(folder / "result.csv"),
        columns=ColumnOptions(name=name_column, key=key_column),
        threshold=threshold,
        best_only=best_only,
        workers=1,
        errors_file=str(folder / "errors.csv"),
    )
    threading.Thread(target=_run, args=(rt, folder, status, options), daemon=True).start()
    return asdict(status)


@router.get("/batches/{job_id}", summary="A batch's progress", tags=["Batches"], responses=ERRORS)
def batch_status(request: Request, job_id: str, key: ApiKey = require("screener")) -> Any:
    return asdict(_load(runtime(request).service, job_id, key)[1])


@router.get(
    "/batches/{job_id}/result", summary="A batch's output", tags=["Batches"], responses=ERRORS
)
def batch_result(request: Request, job_id: str, key: ApiKey = require("screener")) -> Any:
    """The output CSV of a finished batch (409 while it runs; the job's error if it failed)."""
    folder, status = _load(runtime(request).service, job_id, key)
    if status.status == "failed":
        raise HTTPException(409, f"batch {job_id} failed: {status.error}")
    if status.status != "done":
        raise HTTPException(
            409, f"batch {job_id} is {status.status}: {status.rows_read} rows so far"
        )
    return FileResponse(folder / "result.csv", media_type="text/csv", filename="result.csv")
