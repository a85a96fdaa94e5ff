"""A document scanned for the names of listed parties, as ``POST /scan`` scans it (the same
extraction, the same scanner over the service's index, the same audit record), shown with its
text and every name found in a ``<mark>``: the highlighting of the standalone HTML report
(documents/html_report.py: every piece of the text escaped, overlapping findings cut into runs
that never interleave; classes, no inline style), each mark linked to its party below.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from markupsafe import Markup
from starlette.datastructures import FormData, UploadFile

from sanctrace.api.runtime import Runtime, runtime
from sanctrace.api.scan import MAX_DOCUMENT_BYTES, scan_recorded
from sanctrace.documents.extract import SUFFIX_KINDS, Document, detect_kind, extract_bytes
from sanctrace.documents.findings import DocumentReport
from sanctrace.documents.html_report import Numbered, highlighted_text
from sanctrace.errors import DocumentError
from sanctrace.ui.forms import text
from sanctrace.ui.render import page
from sanctrace.ui.session import User
from sanctrace.ui.upload_common import UploadError, check_size

MAX_BYTES = MAX_DOCUMENT_BYTES
ACCEPT = tuple(sorted(SUFFIX_KINDS))


def _threshold(rt: Runtime, form: FormData) -> float:
    assert rt.service.screener is not None
    raw = text(form, "threshold").strip()
    if not raw:
        return float(rt.service.screener.config.threshold)
    try:
        value = float(raw)
    except ValueError:
        raise UploadError(422, f"The threshold {raw[:20]!r} is not a number.") from None
    if not 0.5 <= value <= 1.0:
        raise UploadError(422, f"The threshold {value:g} is outside 0.5 to 1.")
    return value


def highlighted(report: DocumentReport) -> tuple[Markup, list[dict[str, Any]]]:
    """The document's text with its findings marked (escaped HTML), and the parties found,
    best first, each with the places it is named."""
    party_of = {id(f): p.id for p in report.grouped() for f in p.findings}
    items = []
    ordered = sorted(report.findings, key=lambda f: (f.start, -f.end, -f.score, f.id))
    for number, finding in enumerate(ordered, 1):
        items.append(Numbered(number, 1, finding, party_of.get(id(finding), finding.id)))
    parts: list[str] = []
    highlighted_text(parts, report, items)
    number_of = {id(i.finding): i.number for i in items}
    parties = []
    for party in report.grouped():
        places = []
        for place in party.places():
            best = place[0]
            places.append(
                {
                    "number": number_of.get(id(best)),
                    "text": best.text,
                    "score": best.score,
                    "page": best.page,
                    "record": best.id,
                    "dataset": best.dataset,
                    "context": best.context,
                }
            )
        parties.append(
            {
                "id": party.id,
                "caption": party.caption,
                "schema": party.schema,
                "score": party.score,
                "datasets": list(dict.fromkeys(str(d["dataset"]) for d in party.listings)),
                "programs": party.programs,
                "places": places,
            }
        )
    return Markup("".join(parts)), parties


def _scan(rt: Runtime, user: User, name: str, data: bytes, threshold: float) -> dict[str, Any]:
    """Extract, scan and record one document (in a request thread), as ``POST /scan``."""
    try:
        kind = detect_kind(name, data)
    except DocumentError as exc:
        raise UploadError(415, str(exc)) from None
    try:
        document: Document = extract_bytes(data, source=name, kind=kind, max_bytes=MAX_BYTES)
    except DocumentError as exc:
        raise UploadError(422, str(exc)) from None
    report = scan_recorded(rt, user.key.id, document, data, threshold, "/upload (ui)")
    text_html, parties = highlighted(report)
    return {
        "source": document.source,
        "kind": document.kind,
        "chars": len(document.text),
        "pages": len(document.pages),
        "notes": list(document.notes),
        "threshold": threshold,
        "mentions": sum(len(p["places"]) for p in parties),
        "parties": parties,
        "text_html": text_html,
        "has_text": bool(document.text),
    }


async def scan(
    request: Request, user: User, form: FormData, upload: UploadFile, name: str
) -> Response:
    rt = runtime(request)
    check_size(upload, name, MAX_BYTES, "documents")
    threshold = _threshold(rt, form)
    await upload.seek(0)
    data = await upload.read(MAX_BYTES + 1)
    result = await run_in_threadpool(_scan, rt, user, name, data, threshold)
    return page(request, "upload_scan.html", user, title=f"Scan: {name}", doc=result)
