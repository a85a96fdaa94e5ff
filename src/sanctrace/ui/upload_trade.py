"""A shipments file screened for trade risk in memory, as ``POST /trade/screen`` screens its
shipments (the same party, goods, route and whole-file checks, the same row cap, the same audit
record): the shipments shown highest risk first with their flags and reasons, and the report
(the columns of ``sanctrace trade screen``, as a CSV whose formula-like cells are defused by the
batch writer) kept for download at ``/upload/trade/ID/report.csv`` by its owner (or an admin)
until the batch retention passes. Larger files go through ``sanctrace trade screen``, which
streams them.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from pathlib import Path, PurePath
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response
from starlette.datastructures import FormData, UploadFile

from sanctrace.api.runtime import Runtime, audited, runtime
from sanctrace.api.trade import MAX_SHIPMENTS, screen_rows
from sanctrace.batch.limits import CLI_OPTIONS, InputLimits
from sanctrace.batch.readers import INPUT_EXTENSIONS
from sanctrace.batch.writers import OutputFormat, open_output
from sanctrace.errors import SanctraceError
from sanctrace.trade.read import ReadRow, open_shipments
from sanctrace.trade.stream import REPORT_COLUMNS
from sanctrace.ui.forms import text
from sanctrace.ui.render import error_page, page
from sanctrace.ui.session import User, current_user
from sanctrace.ui.upload_common import UploadError, check_size, download_name, save_to

router = APIRouter(include_in_schema=False)

ROLE = "screener"
ACCEPT = tuple(sorted(INPUT_EXTENSIONS))
#: The largest shipments file (its rows are capped at :data:`MAX_SHIPMENTS` too).
MAX_BYTES = 50_000_000
REGIMES = ("ofac", "eu", "uk")
#: Shipments shown on the page (all are in the report).
SHOWN = 500
#: What a shipments file may make the reader hold (its rows are capped before these).
LIMITS = InputLimits(
    max_rows=MAX_SHIPMENTS + 1,
    max_bytes=2 * MAX_BYTES,
    max_cell_bytes=100_000,
    options=dict.fromkeys(CLI_OPTIONS, "sanctrace trade screen on the command line"),
)
__all__ = ["MAX_SHIPMENTS", "router"]


def reports_folder(rt: Runtime) -> Path:
    return Path(rt.service.store.index_dir).parent / "ui-trade"


def _restricted(form: FormData) -> frozenset[str]:
    raw = text(form, "restricted", "RU,BY")
    codes = [c.strip().upper() for c in raw.split(",") if c.strip()]
    bad = [c for c in codes if len(c) != 2 or not c.isalpha()]
    if bad or len(codes) > 50:
        raise UploadError(
            422, "Restricted destinations: two-letter country codes separated by commas (RU,BY)."
        )
    return frozenset(codes)


def read_rows(source: Path, name: str) -> tuple[list[ReadRow], set[str]]:
    """The shipments of ``source`` (at most :data:`MAX_SHIPMENTS`) and the roles of its
    columns; UploadError naming the file (``name``) when it cannot be read."""
    said = {
        str(source): name,
        "(name them with --column role=header)": (
            "(rename those columns, or use sanctrace trade screen --column role=header)"
        ),
    }
    try:
        shipments = open_shipments(str(source), limits=LIMITS)
        try:
            rows: list[ReadRow] = []
            for row in shipments.rows():
                rows.append(row)
                if len(rows) > MAX_SHIPMENTS:
                    raise UploadError(
                        413,
                        f"{name} has more than {MAX_SHIPMENTS:,} shipments, the most this page "
                        "screens: screen it with sanctrace trade screen, which streams any size.",
                    )
            return rows, shipments.roles
        finally:
            shipments.close()
    except SanctraceError as exc:
        message = str(exc)
        for old, new in said.items():
            message = message.replace(old, new)
        raise UploadError(422, message) from None
    except UploadError:
        raise
    except Exception:
        raise UploadError(
            422, f"{name} could not be read as a {source.suffix[1:].upper()} file."
        ) from None


def _screen(
    rt: Runtime, user: User, source: Path, name: str, regime: str, restricted: frozenset[str]
) -> dict[str, Any]:
    """Read, screen, record and keep the report of one shipments file (in a request thread)."""
    from sanctrace.ownership.rules import BUILT_IN
    from sanctrace.trade.run import ranked

    rows, roles = read_rows(source, name)
    if not rows:
        raise UploadError(422, f"{name} holds no shipment (only a header, or nothing).")
    ruleset = BUILT_IN[regime]
    report = screen_rows(rt.service, rows, roles, ruleset, restricted)
    shipments = ranked(report.shipments)
    answers = [{**s.row(), "flag_details": [f.to_dict() for f in s.flags]} for s in shipments]
    audited(
        rt,
        caller=user.key.id,
        kind="trade",
        request={
            "endpoint": "/upload (ui)",
            "source": name,
            "shipments": len(rows),
            "regime": ruleset.name,
        },
        lists=rt.service.lists(),
        results=[
            {"shipment_id": a["shipment_id"], "level": a["level"], "flags": a["flags"]}
            for a in answers
            if a["level"] != "low"
        ],
    )
    off = dict(report.checks_off)
    if "consignee_address" in roles and "address_match_listed" not in off:
        off["address_match_listed"] = "not run on this page (sanctrace trade screen runs it)"
    report_id = _keep(rt, user, name, answers)
    return {
        "id": report_id,
        "source": name,
        "regime": ruleset.name,
        "restricted": ", ".join(sorted(restricted)),
        "counts": report.counts(),
        "total": len(answers),
        "checks_off": sorted(off.items()),
        "errors": [str(e) for e in report.errors[:50]],
        "error_count": len(report.errors),
        "shipments": answers[:SHOWN],
        "shown": min(SHOWN, len(answers)),
    }


def _keep(rt: Runtime, user: User, name: str, answers: list[dict[str, Any]]) -> str:
    """The report written for its download; reports older than the retention are removed."""
    root = reports_folder(rt)
    sweep(root, rt.settings.batch_retention_days * 86400.0)
    report_id = secrets.token_hex(8)
    folder = root / report_id
    folder.mkdir(parents=True)
    types = {"line": int, "risk": float}
    with open_output(str(folder / "report.csv"), OutputFormat.csv, REPORT_COLUMNS, types) as out:
        out.write([[a[c] for c in REPORT_COLUMNS] for a in answers])
    meta = {"owner": user.key.id, "filename": name, "created": time.time()}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return report_id


def sweep(root: Path, keep_seconds: float, now: float | None = None) -> None:
    if not root.is_dir():
        return
    now = time.time() if now is None else now
    for folder in root.iterdir():
        try:
            age = now - folder.stat().st_mtime
        except OSError:
            continue
        if folder.is_dir() and age > keep_seconds:
            shutil.rmtree(folder, ignore_errors=True)


async def screen(
    request: Request, user: User, form: FormData, upload: UploadFile, name: str
) -> Response:
    rt = runtime(request)
    suffix = PurePath(name).suffix.lower()
    if suffix not in INPUT_EXTENSIONS:
        raise UploadError(415, f"{name} is not a shipments file: name it {', '.join(ACCEPT)}.")
    check_size(upload, name, MAX_BYTES, "a shipments file")
    regime = text(form, "regime", "ofac").lower()
    if regime not in REGIMES:
        raise UploadError(422, f"Unknown regime {regime[:20]!r}: one of {', '.join(REGIMES)}.")
    restricted = _restricted(form)
    root = reports_folder(rt)
    scratch = root / f".upload-{secrets.token_hex(8)}"
    scratch.mkdir(parents=True)
    try:
        source = scratch / f"input{suffix}"
        await save_to(upload, source)
        result = await run_in_threadpool(_screen, rt, user, source, name, regime, restricted)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return page(request, "upload_trade.html", user, title=f"Shipments: {name}", trade=result)


def _owned(rt: Runtime, user: User, report_id: str) -> tuple[Path, dict[str, Any]] | None:
    if not report_id.isalnum():
        return None
    folder = reports_folder(rt) / report_id
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("owner") != user.key.id and user.role != "admin":
        return None
    return folder, meta


@router.get("/upload/trade/{report_id}/report.csv")
async def trade_report(request: Request, report_id: str) -> Response:
    """The report of a shipments file screened on the page, as a CSV download."""
    user = await current_user(request, ROLE)
    found = await run_in_threadpool(_owned, runtime(request), user, report_id)
    if found is None:
        return error_page(request, user, 404, f"No shipments report {report_id[:40]!r}.")
    folder, meta = found
    return FileResponse(
        folder / "report.csv",
        media_type="text/csv",
        filename=download_name(str(meta.get("filename") or "shipments"), "-report.csv"),
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"},
    )
