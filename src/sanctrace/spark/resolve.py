"""The name pass of party resolution on Spark (``sanctrace lists resolve --engine spark``).

The screening index and the records are shipped once with ``SparkContext.addFile`` and loaded
once per Python worker. Each task is one ``(k, n)`` slice of the records
(:func:`sanctrace.resolve.parts.part_scores`); the driver merges and judges the parts as the
local engine does, so the judgements are the local engine's.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanctrace.match import Screener
from sanctrace.match.config import MatchConfig
from sanctrace.model.entity import Entity
from sanctrace.resolve.judgements import Judgement
from sanctrace.resolve.parts import PARTS_PER_WORKER, OnPart, cut, judged, part_scores
from sanctrace.resolve.rules import PairScores, name_order
from sanctrace.spark.frames import executor_screener, ship_index

if TYPE_CHECKING:
    from pyspark import RDD, SparkContext
    from pyspark.sql import SparkSession

#: The records of this Python worker: (shipped file name, records, their name order).
_ENTITIES: tuple[str, list[Entity], list[int]] | None = None

#: How often the driver looks at the finished tasks (seconds).
POLL = 0.25


def executor_entities(name: str) -> tuple[list[Entity], list[int]]:
    """The records shipped as ``name`` (JSON lines, in order) and their name order, loaded
    once per Python worker."""
    global _ENTITIES
    if _ENTITIES is None or _ENTITIES[0] != name:
        from pyspark import SparkFiles

        _ENTITIES = None
        with open(SparkFiles.get(name), encoding="utf-8") as fh:
            entities = [Entity.from_dict(json.loads(line)) for line in fh]
        _ENTITIES = (name, entities, name_order(entities))
    return _ENTITIES[1], _ENTITIES[2]


@dataclass(frozen=True)
class PartTask:
    """What a Spark task runs: the pair scores of one slice of the shipped records."""

    entities: str
    index: str
    config: MatchConfig

    def __call__(self, part: tuple[int, int]) -> PairScores:
        screener = executor_screener(self.index)
        if screener.config != self.config:
            screener = Screener(screener.index, self.config)
        entities, order = executor_entities(self.entities)
        return part_scores(entities, screener, part, order)


def spark_name_judgements(
    entities: Sequence[Entity],
    screener: Screener,
    spark: SparkSession,
    *,
    index_file: Path | None = None,
    parts: int | None = None,
    on_part: OnPart | None = None,
) -> list[Judgement]:
    """The judgements ``name_judgements(entities, screener)`` makes, computed on Spark.

    ``index_file`` is the screener's persisted index (saved to a temporary file if not given);
    ``parts`` the number of tasks (default: four per core Spark has); ``on_part`` is told
    (tasks done, tasks in all) while the job runs.
    """
    sc = spark.sparkContext
    n = parts or PARTS_PER_WORKER * max(sc.defaultParallelism, 1)
    slices = cut(len(entities), n)
    with tempfile.TemporaryDirectory(prefix="sanctrace-resolve-") as tmp:
        if index_file is None:
            index_file = Path(tmp) / f"index-{uuid.uuid4().hex}.pickle"
            screener.index.save(index_file)
        records = Path(tmp) / f"entities-{uuid.uuid4().hex}.jsonl"
        with records.open("w", encoding="utf-8") as fh:
            for e in entities:
                fh.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
        sc.addFile(str(records))
        task = PartTask(records.name, ship_index(spark, index_file), screener.config)
        rdd = sc.parallelize(slices, len(slices)).map(task)
        done = _collect(sc, rdd, len(slices), on_part)
    return judged(entities, done)


def _collect(
    sc: SparkContext, rdd: RDD[PairScores], total: int, on_part: OnPart | None
) -> list[PairScores]:
    """``rdd.collect()`` in a thread of its own, this one reporting the finished tasks; an
    interrupt cancels the job."""
    from pyspark import InheritableThread

    group = f"sanctrace-resolve-{uuid.uuid4().hex}"
    outcome: dict[str, Any] = {}

    def run() -> None:
        sc.setJobGroup(group, "sanctrace lists resolve: the name pass", interruptOnCancel=True)
        try:
            outcome["parts"] = rdd.collect()
        except BaseException as exc:  # handed to the driver's thread below
            outcome["error"] = exc

    thread = InheritableThread(target=run, daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(POLL)
            if on_part is not None:
                on_part(_finished(sc, group) if thread.is_alive() else total, total)
    except BaseException:
        sc.cancelJobGroup(group)
        raise
    if "error" in outcome:
        raise outcome["error"]
    return list(outcome["parts"])


def _finished(sc: SparkContext, group: str) -> int:
    tracker = sc.statusTracker()
    done = 0
    for job in tracker.getJobIdsForGroup(group):
        info = tracker.getJobInfo(job)
        for stage in info.stageIds if info is not None else ():
            stage_info = tracker.getStageInfo(stage)
            done += stage_info.numCompletedTasks if stage_info is not None else 0
    return done
