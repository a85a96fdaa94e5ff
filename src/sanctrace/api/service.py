"""What the HTTP API holds while it runs: one screener (its index loaded once) and the parties
of the same list versions (who is the same real-world party across lists), a pool of database
connections, the list versions the index was built from, and a cache of entities."""

from __future__ import annotations

import gc
import logging
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sanctrace import audit
from sanctrace.api.answers import MatchAnswer, MatchRequest, match_answer
from sanctrace.api.far import FarAnswers
from sanctrace.errors import NotFoundError
from sanctrace.export.ftm import entity_to_ftm
from sanctrace.fetch.official import OFFICIAL_SOURCES
from sanctrace.match import Match, Query, Screener
from sanctrace.match.screener import index_path
from sanctrace.match.types import IndexedEntity
from sanctrace.model.entity import Entity
from sanctrace.resolve.listings import listing_of as listing_fields
from sanctrace.resolve.store import Parties, ensure_parties
from sanctrace.screening import audit_lists
from sanctrace.store import Store, VersionInfo

log = logging.getLogger("sanctrace.api")

#: One screening: the query, its threshold, how many results, and the datasets (None: all).
Task = tuple[Query, float, int, list[str] | None]

#: Entities kept converted in memory (their FtM form), most recently used first.
ENTITY_CACHE = 20_000
#: How long a screening request that comes while the index loads waits for it (then 503).
READY_WAIT = 120.0
#: Requests between two moves of what the caches hold out of the garbage collector's sight.
_FREEZE_EVERY = 500


def listing_of(entity: Entity | IndexedEntity, version: VersionInfo) -> dict[str, Any]:
    """One listing of a party, read through the service's entity cache (which request threads
    share safely)."""
    return listing_fields(entity, version, list_title(entity.dataset))


@lru_cache(maxsize=256)
def list_title(dataset: str) -> str:
    from sanctrace.bundle import manifest

    for item in manifest():
        if item.dataset == dataset:
            return item.title
    source = OFFICIAL_SOURCES.get(dataset)
    return source.title if source else dataset


class Recent:
    """The ``size`` most recently used answers, shared by request threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            if len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class StorePool:
    """Database connections for request threads: one connection per thread at a time."""

    def __init__(self, base: Store, max_idle: int = 16) -> None:
        self._base = base
        self._idle: list[Store] = []
        self._lock = threading.Lock()
        self._max_idle = max_idle
        self._closed = False

    @contextmanager
    def connection(self) -> Iterator[Store]:
        with self._lock:
            store = self._idle.pop() if self._idle else None
        if store is None:
            store = self._base.reopen()
        try:
            yield store
        except BaseException:
            store.close()  # it may be in a failed transaction: do not reuse it
            raise
        with self._lock:
            if not self._closed and len(self._idle) < self._max_idle:
                self._idle.append(store)
                return
        store.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for store in idle:
            store.close()


class Service:
    """The screening service behind every endpoint."""

    def __init__(
        self,
        store: Store,
        screener: Screener | None = None,
        *,
        pool_size: int = 16,
        far: FarAnswers | None = None,
    ) -> None:
        self.store = store
        #: Where costly requests are screened (None: in the request's own thread).
        self.far = far
        #: The persisted index the screener was loaded from, which the far process loads.
        self.index_file: Path | None = None
        self.pool = StorePool(store, max_idle=pool_size)
        self.location = store.location
        self.screener: Screener | None = None
        self.versions: dict[str, VersionInfo] = {}
        self.by_id: dict[str, IndexedEntity] = {}
        #: Who is the same party across the indexed lists (record id -> party id).
        self.parties = Parties({})
        self.ready = threading.Event()
        self.load_error: str | None = None
        #: Why the last reload failed while the previous index went on serving.
        self.reload_error: str | None = None
        self._screen_lock = threading.Lock()
        self._ftm = lru_cache(maxsize=ENTITY_CACHE)(self._load_ftm)
        self._listing = lru_cache(maxsize=ENTITY_CACHE)(self._load_listing)
        #: Parties as the API sends them (before their score), per party and lists shown.
        self.party_answers = Recent(ENTITY_CACHE)
        if screener is not None:
            self._use(screener, self._resolve(screener))

    # -- start-up ---------------------------------------------------------------------------

    def load(self) -> None:
        """Load (or build) the index of the active versions and their parties (resolved
        once per list update); the service is ready after. Both are swapped in together:
        when this fails, what served before goes on serving."""
        try:
            with self.pool.connection() as store:
                screener = Screener.open(store)
            parties = self._resolve(screener)
            # The index is millions of long-lived objects: keep them out of the garbage
            # collector's full passes, which would otherwise stall requests for 100 ms and more.
            gc.collect()
            gc.freeze()
            self._use(screener, parties)
        except Exception as exc:
            if self.ready.is_set():
                self.reload_error = str(exc)
                log.error("index reload failed; the previous one serves", extra={"error": str(exc)})
            else:
                self.load_error = str(exc)
                log.error("index load failed", extra={"error": str(exc)})
            raise

    def _resolve(self, screener: Screener) -> Parties:
        """The parties of the screener's list versions: read from the store, or resolved
        there now when the lists changed since they were last resolved."""
        with self.pool.connection() as store:
            return ensure_parties(store, screener)

    def wait_ready(self, timeout: float) -> bool:
        """Whether the index is ready, waiting up to ``timeout`` seconds while it loads."""
        if self.ready.is_set():
            return True
        if self.load_error or timeout <= 0:
            return False
        return self.ready.wait(timeout)

    def _use(self, screener: Screener, parties: Parties) -> None:
        with self.pool.connection() as store:
            stored = {(v.dataset, v.version): v for v in store.versions()}
        self.versions = {
            dataset: stored[(dataset, version)]
            for dataset, version in screener.versions
            if (dataset, version) in stored
        }
        self.by_id = {e.id: e for e in screener.index.entities}
        covered = len(self.versions) == len(screener.versions)
        self.index_file = index_path(self.store, list(self.versions.values())) if covered else None
        self.screener = screener
        self.parties = parties
        self._ftm.cache_clear()
        self._listing.cache_clear()
        self.party_answers.clear()
        self.load_error = self.reload_error = None
        self.ready.set()
        log.info(
            "index ready",
            extra={
                "entities": len(screener.index.entities),
                "parties": len(parties.by_party),
                "lists": {v.dataset: v.version for v in self.versions.values()},
            },
        )

    # -- screening --------------------------------------------------------------------------

    @property
    def datasets(self) -> list[str]:
        return sorted(self.versions)

    def screen(
        self, query: Query, threshold: float, limit: int, datasets: Iterable[str] | None
    ) -> list[Match]:
        assert self.screener is not None
        only = sorted(set(datasets)) if datasets is not None else None
        if only is not None and set(only) >= set(self.versions):
            only = None
        with self._screen_lock:  # the screener's memos are not safe across threads
            return self.screener.screen(query, threshold=threshold, limit=limit, datasets=only)

    def screen_many(self, tasks: Sequence[Task]) -> list[list[Match]]:
        """The matches of every (query, threshold, limit, datasets) task, in order."""
        return [self.screen(q, t, n, d) for q, t, n, d in tasks]

    def answer(self, request: MatchRequest, *, far: bool = False) -> MatchAnswer:
        """A ``/match`` answer; with ``far``, made in the costly-request process when there is
        one (and an index file it can load), else here."""
        index_file = self.index_file
        if far and self.far is not None and index_file is not None and index_file.exists():
            try:
                return self.far.answer(self.store.url, index_file, request)
            except BrokenProcessPool:
                log.error("the costly-request process died; answering in the request thread")
        return match_answer(self, request)

    def lists(self, datasets: Iterable[str] | None = None) -> list[dict[str, Any]]:
        names = sorted(set(datasets)) if datasets is not None else self.datasets
        return audit_lists([self.versions[d] for d in names if d in self.versions])

    # -- entities ---------------------------------------------------------------------------

    def _load_ftm(self, entity_id: str) -> tuple[Entity, list[dict[str, Any]]]:
        dataset = entity_id.split(":", 1)[0]
        info = self.versions.get(dataset)
        if info is None or ":" not in entity_id:
            raise NotFoundError(f"no entity {entity_id!r}")
        with self.pool.connection() as store:
            entity, _ = store.get_entity(entity_id, info.version)
        return entity, entity_to_ftm(entity)

    def entity(self, entity_id: str) -> tuple[Entity, list[dict[str, Any]], VersionInfo]:
        """An entity of an indexed version and its FtM entities (main first); the FtM dicts
        are shared: copy before changing them."""
        entity, ftm = self._ftm(entity_id)
        return entity, ftm, self.versions[entity.dataset]

    def _load_listing(self, record_id: str) -> dict[str, Any] | None:
        # The index keeps what a listing says: a party's other records need no store read.
        indexed = self.by_id.get(record_id)
        version = self.versions.get(indexed.dataset) if indexed is not None else None
        if indexed is not None and version is not None:
            return listing_of(indexed, version)
        try:
            entity, _, version = self.entity(record_id)
        except NotFoundError:
            return None
        return listing_of(entity, version)

    def listing(self, record_id: str) -> dict[str, Any] | None:
        """What a party result says of one of its listings (list, programs, listed date,
        version, names), or None for a record the index does not hold; shared: copy to
        change it."""
        return self._listing(record_id)

    # -- audit ------------------------------------------------------------------------------

    def record(
        self, *, caller: str, kind: str, request: Any, lists: Any, results: Any
    ) -> audit.AuditRecord:
        with self.pool.connection() as store:
            record = audit.append(
                store, caller=caller, kind=kind, request=request, lists=lists, results=results
            )
        if record.seq % _FREEZE_EVERY == 0:
            # Entities and answers cached by now are long-lived and acyclic: out of the
            # collector's full passes, which would rescan them all and stall requests.
            gc.freeze()
        return record

    def close(self) -> None:
        """Stop the far process and close every connection, the one the service was given
        included (the app owns it): an app that ends leaves no connection open."""
        if self.far is not None:
            self.far.close()
        self.pool.close()
        self.store.close()
