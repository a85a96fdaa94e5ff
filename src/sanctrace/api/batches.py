"""``POST /batches``: screen a whole file in the background, through the same pipeline as
``sanctrace screen-file``; ``GET /batches/{id}`` for progress and ``GET /batches/{id}/result``
for the output (CSV).

A job is a folder beside the store's index (``batches/{id}/``): the uploaded file, a
``status.json`` rewritten atomically after every chunk, the work folder of the run, and the
result once done. Jobs run in threads of the process that took the upload, one worker each,
at most ``batch_jobs`` at once and ``batch_jobs_per_key`` per key; the rest wait ``queued``,
their place shown. A job's process holds a lock on its folder: a job found ``queued`` or
``running`` with no lock held (its server was killed) is resumed from its work folder at
start-up, or marked ``failed`` with the reason. Jobs finished longer ago than the retention are
deleted, each deletion audited. Every chunk is written to the audit trail under the caller's
key. Only the key that uploaded a job, or an admin key, can see it.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse

from sanctrace import audit
from sanctrace.api.auth import require
from sanctrace.api.runtime import Runtime, runtime
from sanctrace.api.service import Service
from sanctrace.api.settings import ApiSettings
from sanctrace.api.yente import ERRORS
from sanctrace.audit import now_stamp
from sanctrace.batch.chunks import ChunkResult, audit_rows
from sanctrace.batch.columns import ColumnOptions
from sanctrace.batch.limits import InputLimits
from sanctrace.batch.readers import INPUT_EXTENSIONS
from sanctrace.batch.run import BatchOptions, Lists, run_batch
from sanctrace.errors import SanctraceError
from sanctrace.files import atomic_write
from sanctrace.keys import ApiKey
from sanctrace.match import DEFAULT_THRESHOLD, Screener
from sanctrace.match.screener import index_key, index_path
from sanctrace.monitor import alerts
from sanctrace.screening import audit_lists

try:
    import fcntl
except ImportError:  # not POSIX: no cross-process claim (documented)
    fcntl = None  # type: ignore[assignment]

router = APIRouter()
log = logging.getLogger("sanctrace.api")


#: ``sanctrace serve`` options that raise each input limit of a job (named in its error).
SERVE_OPTIONS = {
    "max_bytes": "sanctrace serve --batch-max-input-bytes",
    "max_rows": "sanctrace serve --batch-max-rows",
    "max_cells": "sanctrace serve --batch-max-cells",
    "max_cell_bytes": "sanctrace serve --batch-max-cell-bytes",
    "memory": "sanctrace serve --batch-memory",
}
#: How often expired jobs are looked for (and at start-up, and on each upload).
SWEEP_SECONDS = 3600.0
#: A folder without ``status.json`` (an upload cut off) this old is removed.
_ORPHAN_SECONDS = 3600.0


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
    #: What the job was asked (name_column, key_column, threshold, best_only): to resume it.
    request: dict[str, Any] = field(default_factory=dict)
    #: While queued: 1 for the next job to start (shown, not stored).
    queue_place: int | None = None


def limits_of(settings: ApiSettings) -> InputLimits:
    """The input limits and memory budget of every job (raises on a bad setting)."""
    return InputLimits(
        max_bytes=settings.batch_max_input_bytes,
        max_rows=settings.batch_max_rows,
        max_cells=settings.batch_max_cells,
        max_cell_bytes=settings.batch_max_cell_bytes,
        memory=settings.batch_memory,
        options=SERVE_OPTIONS,
    )


def check_settings(settings: ApiSettings) -> None:
    """Refuse bad batch settings when ``sanctrace serve`` starts, not in a worker."""
    limits_of(settings)
    for name in ("batch_jobs", "batch_jobs_per_key", "batch_queue_per_key"):
        if getattr(settings, name) < 1:
            option = "--" + name.replace("_", "-")
            raise SanctraceError(f"{option} must be at least 1, not {getattr(settings, name)}")
    if settings.batch_retention_days <= 0:
        raise SanctraceError(
            f"--batch-retention-days must be positive, not {settings.batch_retention_days}"
        )


def jobs_folder(service: Service) -> Path:
    return service.store.index_dir.parent / "batches"


def save_status(folder: Path, status: JobStatus) -> None:
    data = asdict(status)
    data.pop("queue_place")
    with atomic_write(folder / "status.json") as fh:
        json.dump(data, fh)


def read_status(folder: Path) -> JobStatus | None:
    try:
        data = json.loads((folder / "status.json").read_text(encoding="utf-8"))
        return JobStatus(**data)
    except (OSError, ValueError, TypeError):
        return None


def load_job(service: Service, job_id: str, key: ApiKey) -> tuple[Path, JobStatus]:
    folder = jobs_folder(service) / job_id
    status = read_status(folder) if job_id.isalnum() else None
    if status is None or (status.owner != key.id and key.role != "admin"):
        raise HTTPException(404, f"no batch {job_id!r}")
    return folder, status


def claim_job(folder: Path) -> IO[bytes] | None:
    """A lock on the job's folder, held while this process queues or runs it (the system
    drops it when the process dies); None when another live process holds it."""
    handle = (folder / "lock").open("ab")
    if fcntl is None:
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def _stamp_age(stamp: str | None, now: float) -> float | None:
    if not stamp:
        return None
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return now - moment.timestamp()


class _Progress:
    """Keeps ``status.json`` current as chunks finish."""

    def __init__(self, folder: Path, status: JobStatus) -> None:
        self.folder, self.status = folder, status

    def start(self, total: int | None) -> None:
        self.status.status = "running"
        self.status.rows_read = 0  # a resumed run counts its saved rows again, first
        save_status(self.folder, self.status)

    def advance(self, rows: int) -> None:
        self.status.rows_read += rows
        save_status(self.folder, self.status)

    def stop(self) -> None:
        pass


@dataclass
class Job:
    folder: Path
    status: JobStatus
    options: BatchOptions
    claim: IO[bytes] | None
    resumed: bool = False


def job_options(folder: Path, status: JobStatus, limits: InputLimits, resume: bool) -> BatchOptions:
    asked = status.request
    source = next(folder.glob("input.*"), folder / "input")
    return BatchOptions(
        input=str(source),
        output=str(folder / "result.csv"),
        columns=ColumnOptions(name=asked.get("name_column"), key=asked.get("key_column")),
        threshold=float(asked.get("threshold", DEFAULT_THRESHOLD)),
        best_only=bool(asked.get("best_only", False)),
        workers=1,
        errors_file=str(folder / "errors.csv"),
        resume=resume,
        force=resume,
        limits=limits,
    )


def _run(rt: Runtime, job: Job) -> None:
    service, status, options = rt.service, job.status, job.options
    service.ready.wait()
    assert service.screener is not None
    # Its own screener: the memos of the one behind the request threads are not shared.
    screener = Screener(service.screener.index, service.screener.config)
    versions = [service.versions[d] for d in sorted(service.versions)]
    with service.pool.connection() as store:
        active = store.active_versions()
        lists = Lists(
            screener, versions, index_key(active), index_path(store, active), service.parties
        )

    def record(result: ChunkResult) -> None:
        service.record(
            caller=status.owner,
            kind="batch",
            request={
                "batch": status.id,
                "chunk": result.number,
                "threshold": options.threshold,
                "rows": audit_rows(result),
            },
            lists=audit_lists(versions),
            # [row, party id, score, the party's record ids], as sanctrace screen-file keeps.
            results=[
                [r.input_row, r.party_id, r.score, r.record_ids.split("; ")]
                for r in result.rows
                if r.id
            ],
        )
        hits = alerts.batch_hits(status.id, status.filename, result.rows)
        if hits:
            with service.pool.connection() as store:
                alerts.raise_alerts(store, hits)

    try:
        summary = run_batch(
            options,
            lambda: lists,
            notify=lambda _: None,
            progress=_Progress(job.folder, status),
            record=record,
        )
    except (SanctraceError, audit.AuditWriteError, OSError) as exc:
        again = "could not resume after a restart: " if job.resumed else ""
        said = str(exc).replace(options.input, status.filename)  # not the server's folders
        status.status, status.error = "failed", f"{again}{said}"
    except Exception as exc:  # a bug must not leave the job "running" for ever
        log.exception("batch failed", extra={"batch": status.id})
        status.status, status.error = "failed", f"internal error: {type(exc).__name__}"
    else:
        status.status, status.error = "done", None
        status.rows_read = summary.stats.read
        status.matched, status.errors = summary.stats.matched, summary.stats.errors
    status.finished_at = now_stamp()
    save_status(job.folder, status)


class Jobs:
    """The batch jobs of one app: a FIFO queue under the per-server and per-key caps, the
    recovery of jobs a killed server left, and the retention sweep."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.settings = rt.settings
        self.limits = limits_of(rt.settings)
        self.lock = threading.Lock()
        self.queue: list[Job] = []
        self.running: dict[str, str] = {}  # job id -> owner

    @property
    def folder(self) -> Path:
        return jobs_folder(self.rt.service)

    def place(self, job_id: str) -> int | None:
        with self.lock:
            for place, job in enumerate(self.queue, 1):
                if job.status.id == job_id:
                    return place
        return None

    def submit(self, job: Job) -> None:
        with self.lock:
            owner = job.status.owner
            waiting = sum(1 for j in self.queue if j.status.owner == owner)
            if not job.resumed and waiting >= self.settings.batch_queue_per_key:
                raise HTTPException(
                    429,
                    f"this key already has {waiting} batches queued (the most: "
                    f"--batch-queue-per-key {self.settings.batch_queue_per_key}); "
                    "wait for one to start",
                )
            self.queue.append(job)
            self._dispatch()

    def _dispatch(self) -> None:
        """Start the first queued jobs the caps allow (call with the lock held)."""
        for job in list(self.queue):
            if len(self.running) >= self.settings.batch_jobs:
                return
            owner = job.status.owner
            mine = sum(1 for o in self.running.values() if o == owner)
            if mine >= self.settings.batch_jobs_per_key:
                continue
            self.queue.remove(job)
            self.running[job.status.id] = owner
            thread = threading.Thread(
                target=self._work, args=(job,), name=f"batch-{job.status.id}", daemon=True
            )
            thread.start()

    def _work(self, job: Job) -> None:
        try:
            _run(self.rt, job)
        finally:
            if job.claim is not None:
                job.claim.close()
            with self.lock:
                self.running.pop(job.status.id, None)
                self._dispatch()

    def recover(self) -> None:
        """Requeue the jobs a killed server left ``queued`` or ``running`` (their work folder
        resumes them), oldest first; a job that cannot be requeued is marked failed."""
        if not self.folder.is_dir():
            return
        found = []
        for folder in self.folder.iterdir():
            status = read_status(folder) if folder.is_dir() else None
            if status is None or status.status not in ("queued", "running"):
                continue
            claim = claim_job(folder)
            if claim is None:
                continue  # a live process (another worker) has it
            found.append((status.created_at, folder, status, claim))
        for _, folder, status, claim in sorted(found, key=lambda item: item[0]):
            was = status.status
            if not any(folder.glob("input.*")):
                status.status, status.finished_at = "failed", now_stamp()
                status.error = "its uploaded file is gone, so it could not resume after a restart"
                save_status(folder, status)
                claim.close()
                continue
            status.status = "queued"
            save_status(folder, status)
            options = job_options(folder, status, self.limits, resume=True)
            log.info("batch resumed", extra={"batch": status.id, "was": was})
            self.submit(Job(folder, status, options, claim, resumed=True))

    def sweep(self, now: float | None = None) -> list[str]:
        """Delete the jobs finished more than the retention ago (each deletion audited first;
        a job whose record cannot be written stays for the next sweep). Returns their ids."""
        now = time.time() if now is None else now
        keep = self.settings.batch_retention_days * 86400.0
        deleted: list[str] = []
        if not self.folder.is_dir():
            return deleted
        for folder in sorted(self.folder.iterdir()):
            if not folder.is_dir():
                continue
            status = read_status(folder)
            if status is None:
                age: float | None = now - folder.stat().st_mtime
                if age is not None and age > max(keep, _ORPHAN_SECONDS):
                    shutil.rmtree(folder, ignore_errors=True)
                continue
            if status.status not in ("done", "failed"):
                continue
            age = _stamp_age(status.finished_at, now)
            if age is None or age <= keep:
                continue
            try:
                self.rt.service.record(
                    caller="sanctrace",
                    kind="batch-deleted",
                    request={
                        "batch": status.id,
                        "owner": status.owner,
                        "filename": status.filename,
                        "status": status.status,
                        "created_at": status.created_at,
                        "finished_at": status.finished_at,
                        "reason": f"retention of {self.settings.batch_retention_days:g} days",
                    },
                    lists=[],
                    results=[],
                )
            except audit.AuditWriteError as exc:
                log.error(
                    "batch deletion not audited", extra={"batch": status.id, "error": str(exc)}
                )
                continue
            shutil.rmtree(folder, ignore_errors=True)
            deleted.append(status.id)
            log.info("batch deleted", extra={"batch": status.id})
        return deleted

    def _sweeper(self) -> None:
        while True:  # a daemon thread: it ends with the process
            time.sleep(SWEEP_SECONDS)
            self._sweep_logged()

    def _sweep_logged(self) -> None:
        try:
            self.sweep()
        except Exception:
            log.exception("the batch retention sweep failed")


_JOBS_LOCK = threading.Lock()


def jobs_of(app: FastAPI) -> Jobs:
    with _JOBS_LOCK:
        jobs: Jobs | None = getattr(app.state, "batch_jobs", None)
        if jobs is None:
            jobs = app.state.batch_jobs = Jobs(app.state.runtime)
        return jobs


def start(app: FastAPI) -> None:
    """At start-up: resume the jobs a killed server left, delete expired ones, and sweep
    every hour after."""
    jobs = jobs_of(app)
    try:
        jobs.recover()
    except Exception:
        log.exception("batch jobs could not be recovered")
    jobs._sweep_logged()
    threading.Thread(target=jobs._sweeper, name="sanctrace-batch-sweep", daemon=True).start()


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
    202, holds the job's id and status (``queued`` with its ``queue_place`` when the caps are
    reached); `GET /batches/{id}` follows it."""
    rt = runtime(request)
    rt.need_ready(wait=0)
    suffix = Path(filename).suffix.lower()
    if suffix not in INPUT_EXTENSIONS:
        raise HTTPException(
            422,
            [
                {
                    "type": "value_error",
                    "loc": ["query", "filename"],
                    "msg": f"{filename[:60]!r} has no known extension: "
                    + ", ".join(sorted(INPUT_EXTENSIONS)),
                }
            ],
        )
    jobs = jobs_of(request.app)
    body = await request.body()
    job_id = secrets.token_hex(8)
    folder = jobs.folder / job_id
    folder.mkdir(parents=True)
    source = folder / f"input{suffix}"
    partial = folder / f".input{suffix}.tmp"
    partial.write_bytes(body)
    os.replace(partial, source)
    del body
    asked = {
        "name_column": name_column,
        "key_column": key_column,
        "threshold": threshold,
        "best_only": best_only,
    }
    status = JobStatus(job_id, key.id, "queued", Path(filename).name, now_stamp(), request=asked)
    save_status(folder, status)
    claim = claim_job(folder)
    assert claim is not None, "a new job's folder is locked by no one"
    try:
        jobs.submit(Job(folder, status, job_options(folder, status, jobs.limits, False), claim))
    except HTTPException:
        claim.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    answer = asdict(status)
    answer["queue_place"] = jobs.place(job_id)
    return answer


@router.get("/batches/{job_id}", summary="A batch's progress", tags=["Batches"], responses=ERRORS)
def batch_status(request: Request, job_id: str, key: ApiKey = require("screener")) -> Any:
    """The job's status; a queued job's ``queue_place`` (1: it starts next) is its place among
    the jobs this server process has waiting."""
    status = load_job(runtime(request).service, job_id, key)[1]
    if status.status == "queued":
        status.queue_place = jobs_of(request.app).place(job_id)
    return asdict(status)


@router.get(
    "/batches/{job_id}/result", summary="A batch's output", tags=["Batches"], responses=ERRORS
)
def batch_result(request: Request, job_id: str, key: ApiKey = require("screener")) -> Any:
    """The output CSV of a finished batch (409 while it runs; the job's error if it failed)."""
    folder, status = load_job(runtime(request).service, job_id, key)
    if status.status == "failed":
        raise HTTPException(409, f"batch {job_id} failed: {status.error}")
    if status.status != "done":
        raise HTTPException(
            409, f"batch {job_id} is {status.status}: {status.rows_read} rows so far"
        )
    return FileResponse(folder / "result.csv", media_type="text/csv", filename="result.csv")
