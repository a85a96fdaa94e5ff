"""Settings of the HTTP API: command-line options of ``sanctrace serve``, passed to every
worker process through ``SANCTRACE_API_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from sanctrace.errors import SanctraceError

_PREFIX = "SANCTRACE_API_"


@dataclass(frozen=True)
class ApiSettings:
    #: Requests per second each API key may make on average (0: no limit) ...
    rate_limit: float = 50.0
    #: ... and in one burst.
    burst: int = 100
    #: Request bodies larger than this many bytes are refused with 413.
    max_body: int = 1_000_000
    #: ... except files uploaded to ``POST /batches``, up to this many bytes.
    max_batch_body: int = 200_000_000
    #: Origins allowed to call the API from a browser; none (no CORS headers) by default.
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    #: A key lookup is remembered this many seconds: a revocation takes effect within it.
    key_cache_seconds: float = 5.0
    #: Threads that answer requests (each holds at most one database connection).
    threads: int = 16
    #: Least score of a ``/search`` result.
    search_threshold: float = 0.3
    log_level: str = "info"

    # request cost (docs/api.md, "Request cost"): a unit is one name of up to 8 words screened
    # at a threshold of 0.5 or more (about 0.6 ms of CPU here).
    #: Queries in one ``/match`` request, names in one query, characters in one name, and
    #: characters in one query key (which is audited).
    max_queries: int = 100
    max_names: int = 20
    max_name_chars: int = 500
    max_key_chars: int = 200
    #: Most cost units one request may take; a costlier one is refused (413) before any work.
    max_request_cost: int = 1000
    #: Cost units each API key may spend per second on average (0: no cost limit) ...
    cost_rate: float = 200.0
    #: ... and at once (at least ``max_request_cost``).
    cost_burst: int = 2000
    #: Results one ``/match`` answer may hold (queries x limit), and its size in bytes.
    max_results: int = 5000
    max_response_bytes: int = 10_000_000
    #: Requests costing more than this run on their own threads, at most this many at once,
    #: with at most this many waiting (more: 503), so that they cannot starve cheap ones.
    costly_cost: int = 50
    costly_threads: int = 1
    costly_queue: int = 8
    #: Costly requests are screened in this many processes of their own (0: in the costly
    #: threads), at this ``nice`` priority, so that cheap requests get the CPU first.
    costly_processes: int = 1
    costly_nice: int = 10
    #: Failed authentications each client address may make per second on average, and at once.
    auth_fail_rate: float = 1.0
    auth_fail_burst: int = 20

    # batch jobs and uploaded files (docs/batch.md, "Limits"; checked by api.batches)
    #: Jobs running at once in each server process, and per API key; more wait, queued ...
    batch_jobs: int = 2
    batch_jobs_per_key: int = 1
    #: ... at most this many per key (more: 429).
    batch_queue_per_key: int = 10
    #: Finished jobs (upload, result) are deleted this many days after they end.
    batch_retention_days: float = 7.0
    #: Memory a job's reading may commit, and the limits of an uploaded file.
    batch_memory: int = 512_000_000
    batch_max_input_bytes: int = 2_000_000_000
    batch_max_rows: int = 10_000_000
    batch_max_cells: int = 1_000
    batch_max_cell_bytes: int = 1_000_000

    def __post_init__(self) -> None:
        if self.rate_limit < 0:
            raise SanctraceError(f"--rate-limit must be 0 (off) or positive, not {self.rate_limit}")
        if self.burst < 1:
            raise SanctraceError(f"--burst must be at least 1, not {self.burst}")
        if self.max_body < 1024:
            raise SanctraceError(f"--max-body must be at least 1024 bytes, not {self.max_body}")
        if self.threads < 1:
            raise SanctraceError(f"threads must be at least 1, not {self.threads}")
        self._check_cost()

    def _check_cost(self) -> None:
        from sanctrace.match.screener import MAX_QUERY_CHARS

        for name in (
            "max_queries",
            "max_names",
            "max_key_chars",
            "max_request_cost",
            "max_results",
            "costly_threads",
            "auth_fail_burst",
        ):
            if getattr(self, name) < 1:
                raise SanctraceError(f"--{name.replace('_', '-')} must be at least 1")
        if not 1 <= self.max_name_chars <= MAX_QUERY_CHARS:
            raise SanctraceError(f"--max-name-chars must be 1 to {MAX_QUERY_CHARS:,}")
        if self.costly_processes < 0 or not 0 <= self.costly_nice <= 19:
            raise SanctraceError("--costly-processes: 0 or more; --costly-nice: 0 to 19")
        if self.cost_rate < 0 or self.auth_fail_rate < 0 or self.costly_queue < 0:
            raise SanctraceError("--cost-rate, --auth-fail-rate, --costly-queue: 0 or more")
        if self.cost_burst < self.max_request_cost:
            raise SanctraceError(
                f"--cost-burst ({self.cost_burst}) must be at least --max-request-cost "
                f"({self.max_request_cost}), or no request at that limit could ever run"
            )
        if self.max_response_bytes < 10_000:
            raise SanctraceError("--max-response-bytes must be at least 10,000")

    def to_env(self) -> dict[str, str]:
        env = {}
        for f in fields(self):
            value = getattr(self, f.name)
            text = ",".join(value) if isinstance(value, tuple) else str(value)
            env[_PREFIX + f.name.upper()] = text
        return env

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiSettings:
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = environ.get(_PREFIX + f.name.upper())
            if raw is None:
                continue
            default = getattr(cls(), f.name)
            try:
                if isinstance(default, tuple):
                    values[f.name] = tuple(v.strip() for v in raw.split(",") if v.strip())
                elif isinstance(default, bool):
                    values[f.name] = raw.lower() in ("1", "true", "yes")
                elif isinstance(default, int):
                    values[f.name] = int(raw)
                elif isinstance(default, float):
                    values[f.name] = float(raw)
                else:
                    values[f.name] = raw
            except ValueError:
                raise SanctraceError(f"{_PREFIX}{f.name.upper()}={raw!r} is not valid") from None
        return cls(**values)  # type: ignore[arg-type]
