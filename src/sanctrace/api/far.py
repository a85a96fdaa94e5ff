"""Costly requests answered in a process of their own, at a lower CPU priority.

A thread of the server cannot keep a costly request from slowing cheap ones: Python runs one
thread at a time (the GIL), so a request screening 250 names at a low threshold and rendering
thousands of results takes the interpreter from every other request for as long as it runs
(measured: normal clients' p99 went from 30 ms to a third of a second). A child process has an
interpreter of its own, and a raised ``nice`` value tells the kernel to give the CPU to the
server and its cheap requests first. The child opens the same store and loads the same
persisted index file, so its answers are the parent's (:func:`answers.match_answer` in both);
it does so when the first costly request comes, and again when the lists change. The parent
still writes the audit record and sends the answer.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

from sanctrace.api.answers import MatchAnswer, MatchRequest, match_answer

if TYPE_CHECKING:
    from sanctrace.api.service import Service

log = logging.getLogger("sanctrace.api")

_SERVICE: Service | None = None
_OPENED: tuple[str, str] | None = None


def _start(niceness: int) -> None:
    """In the child: lower its priority, once."""
    if niceness:
        try:
            os.nice(niceness)
        except OSError:
            log.warning("could not lower the costly-request process's priority")


def _service(store_url: str, index_file: str) -> Service:
    """In the child: the service over ``store_url`` with the index of ``index_file``."""
    global _SERVICE, _OPENED
    if _SERVICE is None or (store_url, index_file) != _OPENED:
        from sanctrace.api.service import Service
        from sanctrace.match import Screener
        from sanctrace.match.index import Index
        from sanctrace.store import open_store

        if _SERVICE is not None:
            _SERVICE.close()
        _SERVICE = None
        gc.collect()
        _SERVICE = Service(open_store(store_url), Screener(Index.load(Path(index_file))))
        _OPENED = (store_url, index_file)
        gc.collect()
        gc.freeze()  # the index is long-lived: out of the collector's full passes
    return _SERVICE


def _answer(store_url: str, index_file: str, request: MatchRequest) -> MatchAnswer:
    return match_answer(_service(store_url, index_file), request)


class FarAnswers:
    """A pool of ``workers`` child processes that answer costly requests, started when first
    needed; a child that dies is replaced at the next request."""

    def __init__(self, workers: int = 1, niceness: int = 10) -> None:
        self.workers = workers
        self.niceness = niceness
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start,
                    initargs=(self.niceness,),
                )
            return self._pool

    def answer(self, store_url: str, index_file: Path, request: MatchRequest) -> MatchAnswer:
        """The answer, made in a child process (blocks the calling thread, not the
        interpreter); BrokenProcessPool when the child died."""
        future: Future[MatchAnswer] = self._executor().submit(
            _answer, store_url, str(index_file), request
        )
        try:
            return future.result()
        except BrokenProcessPool:
            with self._lock:
                self._pool = None  # replaced at the next request
            raise

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
