"""The upload page, ``/upload``: a customer or supplier file screened in the background (a
batch job of the API, with its progress and its results to download), a document scanned for
listed names (its text shown with them highlighted), or a shipments file screened for trade
risk (ranked, with its report to download).

One form address, ``POST /upload``, takes the three (the field ``kind``: ``batch``, ``scan`` or
``trade``), so that one body limit covers them (api/app.py's BodyLimit, ``"/upload"``); each
kind checks its own size limit after. The uploaded file's name is shown (escaped), never used
as a path: a file is kept as ``input.EXT`` in a folder of the server's choosing, and the
multipart parser's temporary files are closed when the request ends.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from sanctrace.api.runtime import runtime
from sanctrace.documents.extract.base import human_size
from sanctrace.ui import upload_batch, upload_scan, upload_trade
from sanctrace.ui.forms import read_form, text
from sanctrace.ui.render import index_ready, page
from sanctrace.ui.session import User, check_csrf, current_user
from sanctrace.ui.upload_common import UploadError, display_name, the_file

router = APIRouter(include_in_schema=False)
router.include_router(upload_batch.router)
router.include_router(upload_trade.router)

#: The role that may upload (as the API's ``POST /batches``, ``/scan`` and ``/trade/screen``).
ROLE = "screener"
KINDS = ("batch", "scan", "trade")


def upload_context(request: Request, user: User, **extra: Any) -> dict[str, Any]:
    """What the upload page shows: its three forms (with their limits) and the user's recent
    batches."""
    rt = runtime(request)
    context: dict[str, Any] = {
        "batch_limit": upload_batch.max_bytes(rt),
        "scan_limit": upload_scan.MAX_BYTES,
        "trade_limit": upload_trade.MAX_BYTES,
        "trade_rows": upload_trade.MAX_SHIPMENTS,
        "batch_accept": ",".join(upload_batch.ACCEPT),
        "scan_accept": ",".join(upload_scan.ACCEPT),
        "trade_accept": ",".join(upload_trade.ACCEPT),
        "human_size": human_size,
        "threshold": upload_batch.DEFAULT_THRESHOLD,
        "regimes": upload_trade.REGIMES,
        "jobs": upload_batch.recent_jobs(rt, user),
        "failure": None,
        "failed_kind": None,
        "form": {},
    }
    context.update(extra)
    return context


@router.get("/upload")
async def upload_page(request: Request) -> Response:
    user = await current_user(request, ROLE)
    context = await run_in_threadpool(upload_context, request, user)
    return page(request, "upload.html", user, title="Upload", **context)


@router.post("/upload")
async def upload(request: Request) -> Response:
    """A file of one of the three kinds: a batch goes to its job's page; a document and a
    shipments file are answered with their results; a file the page cannot take, with the
    upload page and what is wrong."""
    user = await current_user(request, ROLE)
    form = await read_form(request, max_files=1, max_fields=20)
    try:
        check_csrf(user, form)
        kind = text(form, "kind")
        fields = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}
        try:
            if kind not in KINDS:
                raise UploadError(
                    422, f"Unknown upload kind {kind[:20]!r}: one of batch, scan, trade."
                )
            if not await index_ready(request):
                raise UploadError(503, "The lists are still loading: try again shortly.")
            upload = the_file(form)
            name = display_name(upload.filename)
            if kind == "batch":
                return await upload_batch.start(request, user, form, upload, name)
            if kind == "scan":
                return await upload_scan.scan(request, user, form, upload, name)
            return await upload_trade.screen(request, user, form, upload, name)
        except UploadError as exc:
            context = await run_in_threadpool(
                upload_context,
                request,
                user,
                failure=exc.message,
                failed_kind=kind,
                form=fields,
            )
            return page(request, "upload.html", user, status=exc.status, title="Upload", **context)
        except HTTPException as exc:  # an audit write that failed, a queue that is full
            detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
            context = await run_in_threadpool(
                upload_context, request, user, failure=detail, failed_kind=kind, form=fields
            )
            return page(
                request, "upload.html", user, status=exc.status_code, title="Upload", **context
            )
    finally:
        await form.close()
