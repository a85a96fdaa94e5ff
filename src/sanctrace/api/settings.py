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

    def __post_init__(self) -> None:
        if self.rate_limit < 0:
            raise SanctraceError(f"--rate-limit must be 0 (off) or positive, not {self.rate_limit}")
        if self.burst < 1:
            raise SanctraceError(f"--burst must be at least 1, not {self.burst}")
        if self.max_body < 1024:
            raise SanctraceError(f"--max-body must be at least 1024 bytes, not {self.max_body}")
        if self.threads < 1:
            raise SanctraceError(f"threads must be at least 1, not {self.threads}")

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
