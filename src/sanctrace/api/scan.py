"""``POST /scan``: one uploaded document (PDF, Word, e-mail, web page, sheet, text) screened for
the names of listed parties, answered with the JSON of ``sanctrace scan --format json``.

The upload is a multipart form (field ``file``; ``threshold`` and ``kind`` optional). The form
is read here with the standard library rather than through FastAPI's ``UploadFile``, which
needs python-multipart, a package the project does not otherwise depend on. Extraction and
scanning run in a request thread, so a large document holds one thread, not the event loop.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from pathlib import PurePath
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from sanctrace.api.auth import require
from sanctrace.api.runtime import Runtime, audited, runtime
from sanctrace.api.service import Service
from sanctrace.api.wire import ERRORS
from sanctrace.documents.extract import KINDS, Document, detect_kind, extract_bytes
from sanctrace.documents.extract.base import DEFAULT_MAX_BYTES, human_size
from sanctrace.documents.findings import DocumentReport, group_findings, scan_output
from sanctrace.documents.scan import Scanner
from sanctrace.errors import DocumentError
from sanctrace.keys import ApiKey

router = APIRouter()

#: The largest document accepted: the same default as ``sanctrace scan --max-size``.
MAX_DOCUMENT_BYTES = DEFAULT_MAX_BYTES
#: The body limit of ``POST /scan`` (BodyLimit): the document plus room for the form around it.
MAX_BODY = MAX_DOCUMENT_BYTES + 1024 * 1024
#: Parts of a form beyond this many are refused: the form has three fields.
_MAX_PARTS = 16
#: Longest value of a text field (threshold, kind).
_MAX_FIELD = 100

_RESPONSES: dict[int | str, dict[str, Any]] = {
    **{code: ERRORS[code] for code in (401, 403, 429, 500, 503)},
    413: {"description": "The document (or the request body) is over the size limit"},
    415: {"description": "Not a kind of document sanctrace reads"},
    422: {"description": "No file in the form, a bad field, or a document that cannot be read"},
}
_FORM_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "The document; its name's extension helps tell its kind",
                        },
                        "threshold": {"type": "number", "minimum": 0, "maximum": 1},
                        "kind": {"type": "string", "enum": list(KINDS)},
                    },
                }
            }
        },
    }
}


@dataclass(frozen=True)
class FormPart:
    """One field of a multipart form."""

    name: str
    filename: str | None
    data: bytes


def _invalid(field: str, message: str) -> HTTPException:
    return HTTPException(422, [{"type": "value_error", "loc": ["body", field], "msg": message}])


def parse_form(content_type: str, body: bytes) -> dict[str, FormPart]:
    """The fields of a ``multipart/form-data`` body by name (the first of each name); 422 for
    anything else, or a form that is not well formed."""
    header = Message()
    header["content-type"] = content_type
    boundary = header.get_param("boundary")
    if header.get_content_type() != "multipart/form-data" or not isinstance(boundary, str):
        raise HTTPException(
            422,
            "send the document as a multipart/form-data upload with the field 'file' "
            "(curl -F file=@report.pdf)",
        )
    delimiter = b"--" + boundary.encode("latin-1")
    parts: dict[str, FormPart] = {}
    at = body.find(delimiter)
    if at < 0:
        raise HTTPException(422, "the multipart form holds no part")
    count = 0
    while True:
        at += len(delimiter)
        if body.startswith(b"--", at):
            return parts
        count += 1
        if count > _MAX_PARTS:
            raise HTTPException(422, f"the form has more than {_MAX_PARTS} parts")
        head_end = body.find(b"\r\n\r\n", at)
        if head_end < 0:
            raise HTTPException(422, "a part of the multipart form has no end to its headers")
        headers = HeaderParser().parsestr(body[at:head_end].decode("utf-8", "replace").strip())
        start = head_end + 4
        end = _next_delimiter(body, delimiter, start)
        if end < 0:
            raise HTTPException(422, "the multipart form is cut short (no closing boundary)")
        name = headers.get_param("name", header="content-disposition")
        if isinstance(name, str) and name not in parts:
            parts[name] = FormPart(name, headers.get_filename(), body[start:end])
        at = end + 2


def _next_delimiter(body: bytes, delimiter: bytes, start: int) -> int:
    """Where the line break before the next boundary is: a boundary line, one that the
    boundary ends (with "--" for the last), not the same bytes inside the content."""
    line = b"\r\n" + delimiter
    at = body.find(line, start)
    while at >= 0 and body[at + len(line) : at + len(line) + 2] not in (b"\r\n", b"--"):
        at = body.find(line, at + 1)
    return at


def _text_field(form: dict[str, FormPart], name: str) -> str | None:
    part = form.get(name)
    if part is None:
        return None
    if len(part.data) > _MAX_FIELD:
        raise _invalid(name, f"{name} is longer than {_MAX_FIELD} characters")
    value = part.data.decode("utf-8", "replace").strip()
    return value or None


@dataclass
class _Cached:
    scanner: Scanner
    lock: threading.Lock


_scanners: dict[int, _Cached] = {}
_scanners_lock = threading.Lock()


def scanner_for(service: Service) -> tuple[Scanner, threading.Lock]:
    """The scanner over the service's index, built on first use and again after the index
    was reloaded, with the lock that serialises its scans (its memos are not thread-safe)."""
    screener = service.screener
    assert screener is not None
    index = screener.index
    with _scanners_lock:
        cached = _scanners.get(id(index))
        if cached is None or cached.scanner.index is not index:
            # Only the current index's scanner is kept: an old one would keep its index alive.
            _scanners.clear()
            cached = _scanners[id(index)] = _Cached(
                Scanner(index, screener.config), threading.Lock()
            )
    return cached.scanner, cached.lock


@router.post(
    "/scan",
    summary="Screen a document",
    tags=["Screening"],
    responses=_RESPONSES,
    openapi_extra=_FORM_SCHEMA,
)
async def scan(request: Request, key: ApiKey = require("screener")) -> Any:
    """Upload one document as the form field `file` (PDF, DOCX, XLSX, CSV, HTML, EML, Markdown
    or text, up to 100 MB); optional fields `threshold` and `kind`. The answer is the JSON of
    `sanctrace scan --format json` for that document: `{"threshold", "lists", "documents"}`,
    each finding with its character offsets, page, the text as written and its `party_id`,
    and each document's `parties` (one per party named, with every listing of it). Written
    to the audit trail first."""
    rt = runtime(request)
    rt.need_ready(wait=0)
    form = parse_form(request.headers.get("content-type", ""), await request.body())
    upload = form.get("file")
    if upload is None:
        raise _invalid("file", "no document: upload it as the form field 'file'")
    assert rt.service.screener is not None
    raw_threshold = _text_field(form, "threshold")
    threshold = rt.service.screener.config.threshold
    if raw_threshold is not None:
        try:
            threshold = float(raw_threshold)
        except ValueError:
            raise _invalid("threshold", f"threshold {raw_threshold!r} is not a number") from None
        if not 0.0 <= threshold <= 1.0:
            raise _invalid("threshold", f"threshold must be between 0 and 1, not {threshold}")
    kind = _text_field(form, "kind")
    if kind is not None and kind not in KINDS:
        raise HTTPException(415, f"unknown document kind {kind!r}; use one of: {', '.join(KINDS)}")
    source = PurePath((upload.filename or "").replace("\\", "/")).name[:200] or "upload"
    data = upload.data
    del form, upload
    return await run_in_threadpool(_scan, rt, key, source, data, kind, threshold)


def _scan(
    rt: Runtime, key: ApiKey, source: str, data: bytes, kind: str | None, threshold: float
) -> JSONResponse:
    """Extract, scan and record one document (in a request thread)."""
    service = rt.service
    if len(data) > MAX_DOCUMENT_BYTES:
        raise HTTPException(
            413,
            f"{source} is {human_size(len(data))}, over the {human_size(MAX_DOCUMENT_BYTES)} "
            "limit for documents",
        )
    try:
        kind = kind or detect_kind(source, data)
    except DocumentError as exc:
        raise HTTPException(415, str(exc)) from None
    try:
        document = extract_bytes(data, source=source, kind=kind, max_bytes=MAX_DOCUMENT_BYTES)
    except DocumentError as exc:
        raise HTTPException(422, str(exc)) from None
    report = scan_recorded(rt, key.id, document, data, threshold, "/scan")
    lists = {dataset: v.version for dataset, v in sorted(service.versions.items())}
    return JSONResponse(scan_output([report], threshold, lists))


def scan_recorded(
    rt: Runtime, caller: str, document: Document, data: bytes, threshold: float, endpoint: str
) -> DocumentReport:
    """Scan an extracted document, its findings grouped into parties, and record it in the
    audit trail (what ``POST /scan`` and the UI's upload page share)."""
    service = rt.service
    scanner, lock = scanner_for(service)
    with lock:
        report = scanner.scan(document, threshold=threshold)
    report.parties = group_findings(report.findings, service.parties, service.listing)
    rt.metrics.screenings.labels("scan").inc()
    audited(
        rt,
        caller=caller,
        kind="scan",
        request=_audit_request(document, data, threshold, endpoint),
        lists=service.lists(),
        results=[
            {
                "id": f.id,
                "party_id": service.parties.party_of(f.id),
                "start": f.start,
                "end": f.end,
                "score": round(f.score, 4),
            }
            for f in report.findings
        ],
    )
    return report


def _audit_request(
    document: Document, data: bytes, threshold: float, endpoint: str
) -> dict[str, Any]:
    """What the audit trail keeps of an uploaded document: its name and hashes, not its text."""
    return {
        "endpoint": endpoint,
        "source": document.source,
        "kind": document.kind,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "chars": len(document.text),
        "pages": len(document.pages) or None,
        "notes": list(document.notes),
        "threshold": threshold,
    }
