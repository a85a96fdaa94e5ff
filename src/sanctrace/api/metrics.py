"""Prometheus metrics of one API process (``GET /metrics``, text exposition format).

Each worker process counts its own requests; with ``--workers N`` a scrape sees one worker.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "sanctrace_http_requests",
            "HTTP requests answered, by route template, method and status code.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "sanctrace_http_request_duration_seconds",
            "Time from request start to the last byte of the response, by route template.",
            ["route"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.screenings = Counter(
            "sanctrace_screenings",
            "Queries screened (one /match request may hold up to 100), by endpoint.",
            ["endpoint"],
            registry=self.registry,
        )
        self.audit_records = Counter(
            "sanctrace_audit_records",
            "Audit records written.",
            registry=self.registry,
        )
        self.audit_failures = Counter(
            "sanctrace_audit_failures",
            "Audit writes that failed (each failed its request with 500).",
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "sanctrace_rate_limited",
            "Requests refused with 429: per-key request or cost rate, failed authentications.",
            registry=self.registry,
        )
        self.auth_failures = Counter(
            "sanctrace_auth_failures",
            "Failed authentications (missing, malformed, unknown or revoked key).",
            registry=self.registry,
        )
        self.cost = Counter(
            "sanctrace_request_cost",
            "Cost units charged to API keys (see docs/api.md, request cost).",
            registry=self.registry,
        )
        self.cost_refused = Counter(
            "sanctrace_cost_refused",
            "Requests refused for their cost: over the per-request limit (413/422), past the "
            "key's cost rate (429) or with the costly-request queue full (503).",
            registry=self.registry,
        )
        self.ready = Gauge(
            "sanctrace_ready", "1 when the screening index is loaded.", registry=self.registry
        )
        self.indexed_entities = Gauge(
            "sanctrace_indexed_entities", "Entities in the screening index.", registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
