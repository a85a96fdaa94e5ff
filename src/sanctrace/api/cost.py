"""What a screening request costs, known before any work is done, and how costly requests are
kept from starving cheap ones.

One ``/match`` body under 1 MB (100 queries x 50 names) once took 42 s of CPU: the request
count says nothing about the work. The cost of a request is counted in units, from the body
alone: a unit is one name of up to 8 words (or 60 characters) screened at a threshold of 0.5 or
more, about 0.6 ms of CPU on the reference machine; a longer name costs a unit per 8 further
words, and a low threshold, which opens the index wider, multiplies it (x2 under 0.5, x4 under
0.1). The candidates each name is scored against are capped by the matcher (40 name entries
and 3 long shots), so names x words x threshold bounds the work.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import HTTPException
from fastapi.concurrency import run_in_threadpool

from sanctrace.api.ftm import NAME_PARTS, NAME_PROPS
from sanctrace.api.guards import printable
from sanctrace.api.limits import RateLimiter, retry_after
from sanctrace.api.metrics import Metrics
from sanctrace.api.penalties import Penalties
from sanctrace.api.settings import ApiSettings

T = TypeVar("T")

#: Words, and characters, one unit covers.
UNIT_WORDS = 8
UNIT_CHARS = 60
#: Cost of ``/search`` with no name: every entity of the scope is walked for the facets.
BROWSE_COST = 20


class CostError(HTTPException):
    """A request refused for what it would cost: 413 (the whole request) or 422 (one field)."""

    def __init__(self, status: int, loc: list[Any], message: str) -> None:
        detail: Any = message
        if status == 422:
            detail = [{"type": "too_costly", "loc": loc, "msg": message}]
        super().__init__(status, detail)


def name_units(name: str) -> int:
    """Units of one name at a normal threshold."""
    return 1 + max(len(name.split()) // UNIT_WORDS, len(name) // UNIT_CHARS)


def threshold_factor(floor: float) -> int:
    """How much wider a low threshold opens the index (measured: x3.4 at 0, x2 at 0.3)."""
    return 4 if floor < 0.1 else 2 if floor < 0.5 else 1


def _values(raw: Any) -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    return [" ".join(str(item).split()) for item in items if str(item).strip()]


def query_names(properties: Mapping[str, Any]) -> list[str]:
    """The names a query example is screened under, as :func:`parse_example` makes them
    (its full names, else the combinations of its name parts, at most 50)."""
    names = [v for prop in NAME_PROPS for v in _values(properties.get(prop, []))]
    if names:
        return list(dict.fromkeys(names))
    parts = [_values(properties[p]) for p in NAME_PARTS if properties.get(p)]
    parts = [p for p in parts if p]
    if not parts:
        return []
    return [" ".join(combo) for combo in itertools.islice(itertools.product(*parts), 50)]


def match_cost(
    queries: Mapping[str, Mapping[str, Any]], floor: float, limit: int, settings: ApiSettings
) -> int:
    """The cost of a ``/match`` body (query key -> FtM properties); refuses, before any work,
    a body past one of the limits of ``settings`` with a message naming it."""
    split = "split the queries over several requests"
    if len(queries) * limit > settings.max_results:
        raise CostError(
            413,
            ["query", "limit"],
            f"{len(queries)} queries x limit {limit} = {len(queries) * limit:,} results, over the "
            f"limit of {settings.max_results:,} per answer: lower limit or {split}",
        )
    total = 0
    factor = threshold_factor(floor)
    for key, properties in queries.items():
        if len(key) > settings.max_key_chars:
            raise CostError(
                422,
                ["body", "queries", printable(key, 40)],
                f"a query key is {len(key):,} characters long; the limit is "
                f"{settings.max_key_chars:,} (keys are echoed and audited)",
            )
        names = query_names(properties)
        if len(names) > settings.max_names:
            raise CostError(
                422,
                ["body", "queries", key, "properties"],
                f"query {key!r} has {len(names)} names; the limit is {settings.max_names} per "
                "query: send the others as queries of their own",
            )
        for prop in (*NAME_PROPS, *NAME_PARTS):
            raw = properties.get(prop, [])
            for i, item in enumerate(raw if isinstance(raw, list) else [raw]):
                text = " ".join(str(item).split())
                if len(text) > settings.max_name_chars:
                    raise CostError(
                        422,
                        ["body", "queries", key, "properties", prop, i],
                        f"queries.{key}.properties.{prop}[{i}] is {len(text):,} characters "
                        f"long; the limit is {settings.max_name_chars:,}",
                    )
        total += sum(name_units(n) for n in names) * factor or 1
    if total > settings.max_request_cost:
        raise CostError(
            413,
            ["body", "queries"],
            f"this request costs {total:,} units; the limit is {settings.max_request_cost:,} "
            f"per request (a unit: one name of up to {UNIT_WORDS} words; a threshold or cutoff "
            f"under 0.5 doubles it, under 0.1 quadruples it): {split}",
        )
    return total


def name_cost(name: str, floor: float, settings: ApiSettings, loc: list[Any]) -> int:
    """The cost of screening one name (``/screen``, ``/search``)."""
    if len(name) > settings.max_name_chars:
        raise CostError(
            422,
            loc,
            f"the name is {len(name):,} characters long; the limit is {settings.max_name_chars:,}",
        )
    return name_units(name) * threshold_factor(floor) if name.strip() else 1


class Costs:
    """The cost bucket of each key, and the threads costly requests run on."""

    def __init__(
        self, settings: ApiSettings, metrics: Metrics, penalties: Penalties | None = None
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.penalties = penalties or Penalties()
        self.limiter = RateLimiter(settings.cost_rate, settings.cost_burst)
        self.queued = 0
        self._slots: anyio.Semaphore | None = None
        self._threads: anyio.CapacityLimiter | None = None

    def charge(self, key_id: str, cost: int) -> None:
        """Take ``cost`` from the key's bucket, or refuse with 429."""
        wait = self.limiter.take(key_id, cost=float(cost))
        if wait > 0:
            self.metrics.rate_limited.inc()
            self.metrics.cost_refused.inc()
            self.penalties.refuse("key:" + key_id, wait)
            raise HTTPException(
                429,
                f"cost limit exceeded for key {key_id}: this request costs {cost:,} units; the "
                f"key may spend {self.limiter.rate:g} per second, {self.limiter.burst:g} at "
                f"once; retry after {retry_after(wait)} s",
                headers={"Retry-After": retry_after(wait)},
            )
        self.metrics.cost.inc(cost)

    async def run(self, key_id: str, cost: int, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` in a request thread once charged; a costly request waits for one of
        the few costly threads (without holding a request thread meanwhile)."""
        self.charge(key_id, cost)
        if cost <= self.settings.costly_cost:
            return await run_in_threadpool(work, *args)
        if self.queued >= self.settings.costly_threads + self.settings.costly_queue:
            self.metrics.cost_refused.inc()
            raise HTTPException(
                503,
                f"the server is busy with costly requests ({self.queued} running or waiting); "
                f"retry later, or send requests costing at most {self.settings.costly_cost} units",
                headers={"Retry-After": "1"},
            )
        if self._slots is None or self._threads is None:
            self._slots = anyio.Semaphore(self.settings.costly_threads)
            self._threads = anyio.CapacityLimiter(self.settings.costly_threads)
        self.queued += 1
        try:
            async with self._slots:
                return await anyio.to_thread.run_sync(work, *args, limiter=self._threads)
        finally:
            self.queued -= 1
