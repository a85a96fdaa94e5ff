"""The name pass cut into parts that each report when done, so that a long resolution can show
its progress: the local engine's forked workers here, Spark's tasks in ``spark/resolve.py``.

Every part is :func:`~sanctrace.resolve.rules.pair_scores` over a contiguous slice of the
records in name order (the records of one name together, so the screener's memo answers it
once), merged, then each pair judged once on its best score: the judgements are the same for any cut
and any number of workers.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Sequence

from sanctrace.match import Screener
from sanctrace.model.entity import Entity
from sanctrace.resolve.judgements import Judgement
from sanctrace.resolve.rules import (
    PairScores,
    judge_pairs,
    merge_parts,
    name_order,
    pair_scores,
)

#: Called with (parts done, parts in all) as each part finishes.
OnPart = Callable[[int, int], None]

#: A name pass (local, Spark, or one that reports progress): the judgements
#: :func:`name_judgements` makes for the entities, through the screener's index.
NamePass = Callable[[Sequence[Entity], Screener], list[Judgement]]

#: Parts per worker: enough for a progress bar that moves, and for small stragglers.
PARTS_PER_WORKER = 4

#: Fewer records than this are not worth forking for .
FORK_FROM = 2000


def cut(count: int, parts: int) -> list[tuple[int, int]]:
    """The ``(k, n)`` parts of ``count`` records: part k is the k-th of n slices."""
    n = max(1, min(parts, count))
    return [(k, n) for k in range(n)]


def part_scores(
    entities: Sequence[Entity], screener: Screener, part: tuple[int, int], order: Sequence[int]
) -> PairScores:
    """The pair scores of part ``(k, n)``: the k-th of n slices of ``order`` (``name_order``)."""
    k, n = part
    size = len(order)
    return pair_scores(entities, screener, order[k * size // n : (k + 1) * size // n])


def judged(entities: Sequence[Entity], parts: Sequence[PairScores]) -> list[Judgement]:
    """The judgements of the parts' pair scores: each pair decided once, on its best score."""
    scores, rivals = merge_parts(parts)
    return judge_pairs(entities, scores, rivals)


_SHARED: tuple[Sequence[Entity], Screener, list[int]] | None = None


def _forked_part(part: tuple[int, int]) -> PairScores:
    assert _SHARED is not None
    entities, screener, order = _SHARED
    return part_scores(entities, screener, part, order)


def local_name_pass(workers: int, on_part: OnPart | None = None) -> NamePass:
    """The name pass on ``workers`` forked processes (the index shared copy-on-write), each
    finished part reported to ``on_part`` from this thread (a progress display must not run
    a thread of its own: forking a threaded process is refused, the pass then runs here)."""

    def run(entities: Sequence[Entity], screener: Screener) -> list[Judgement]:
        global _SHARED
        fork = workers > 1 and len(entities) >= FORK_FROM and threading.active_count() == 1
        parts = cut(len(entities), workers * PARTS_PER_WORKER if fork else PARTS_PER_WORKER)
        order = name_order(entities)
        done: list[PairScores] = []

        def finished(scores: PairScores) -> None:
            done.append(scores)
            if on_part is not None:
                on_part(len(done), len(parts))

        if not fork:
            for part in parts:
                finished(part_scores(entities, screener, part, order))
            return judged(entities, done)
        _SHARED = (entities, screener, order)
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for scores in pool.imap_unordered(_forked_part, parts):
                    finished(scores)
        finally:
            _SHARED = None
        return judged(entities, done)

    return run


def name_judgements(
    entities: Sequence[Entity], screener: Screener, workers: int = 1
) -> list[Judgement]:
    """Each record's names screened against the other lists; each pair then decided once, on
    its best name score either way, with the two records' birth dates, countries and listings.
    ``workers`` > 1 shares the screening among forked processes (the index is shared
    copy-on-write); the outcome is the same for any number of workers."""
    return local_name_pass(workers)(entities, screener)
