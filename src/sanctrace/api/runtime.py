"""What every route reaches through ``request.app.state.runtime``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request

from sanctrace.api.cost import Costs
from sanctrace.api.metrics import Metrics
from sanctrace.api.service import READY_WAIT, Service
from sanctrace.api.settings import ApiSettings
from sanctrace.audit import AuditRecord, AuditWriteError

log = logging.getLogger("sanctrace.api")


@dataclass
class Runtime:
    service: Service
    settings: ApiSettings
    metrics: Metrics
    #: Cost buckets per key and the costly-request threads.
    costs: Costs

    def need_ready(self, wait: float = READY_WAIT) -> None:
        """503 unless the index is ready; a request that comes while it loads (and its
        parties are resolved, once per list update) waits up to ``wait`` seconds for it.
        Call with ``wait=0`` on the event loop."""
        if not self.service.wait_ready(wait):
            raise HTTPException(503, "Index not ready.")


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def audited(
    rt: Runtime, *, caller: str, kind: str, request: Any, lists: Any, results: Any
) -> AuditRecord:
    """Write the audit record of a screening; if that fails, the request fails with 500 and
    the results are not sent."""
    try:
        record = rt.service.record(
            caller=caller, kind=kind, request=request, lists=lists, results=results
        )
    except AuditWriteError as exc:
        rt.metrics.audit_failures.inc()
        log.error("audit write failed", extra={"caller": caller, "error": str(exc)})
        raise HTTPException(
            500, "the audit trail could not be written, so no result is returned"
        ) from None
    rt.metrics.audit_records.inc()
    return record
