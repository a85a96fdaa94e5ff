"""The name pass of party resolution on Spark gives the local engine's judgements, and
`sanctrace lists resolve --engine spark` the local engine's parties, on real records: the two
smallest bundled lists (OFAC's consolidated list, the UN's) and every record of the other
lists that the bundled resolution pairs with them, about 4,600 records."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sanctrace.batch.run import Lists
from sanctrace.match import build_index
from sanctrace.model.entity import Entity
from sanctrace.resolve.parts import local_name_pass, name_judgements
from sanctrace.resolve.store import load_judgements, load_parties
from sanctrace.store import open_store

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SMALL = ("us_ofac_cons", "un_sc_sanctions")


@pytest.fixture(scope="module")
def subset(bundled_home: Path) -> list[Entity]:
    """The records of the small lists and their partners, in the store's order."""
    with open_store(str(bundled_home / "sanctrace.db")) as store:
        everyone = [
            e for v in store.active_versions() for e in store.iter_entities(v.dataset, v.version)
        ]
        mine = {e.id for e in everyone if e.dataset in SMALL}
        keep = set(mine)
        for j in load_judgements(store):
            if (j.a in mine) != (j.b in mine):
                keep |= {j.a, j.b}
    return [e for e in everyone if e.id in keep]


def test_spark_name_pass_gives_the_local_judgements(
    spark: SparkSession, lists: Lists, subset: list[Entity]
) -> None:
    from sanctrace.spark.resolve import spark_name_judgements

    assert 4_000 < len(subset) < 5_000 and len({e.dataset for e in subset}) == 6
    local = [j.to_dict() for j in name_judgements(subset, lists.screener, workers=1)]
    seen: list[tuple[int, int]] = []
    on_spark = spark_name_judgements(
        subset,
        lists.screener,
        spark,
        index_file=lists.index_file,
        parts=7,
        on_part=lambda done, total: seen.append((done, total)),
    )
    assert [j.to_dict() for j in on_spark] == local
    assert [j.to_dict() for j in local_name_pass(2)(subset, lists.screener)] == local
    verdicts = {j["verdict"] for j in local}
    assert len(local) > 1_000 and verdicts == {"same", "unsure", "different"}
    assert seen[-1] == (7, 7) and all(total == 7 for _, total in seen)


@pytest.fixture(scope="module")
def subset_home(subset: list[Entity], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home holding only the subset's records, one version per list, never resolved."""
    home = tmp_path_factory.mktemp("spark-resolve-home")
    with open_store(str(home / "sanctrace.db")) as store:
        for dataset in sorted({e.dataset for e in subset}):
            records = [e for e in subset if e.dataset == dataset]
            store.load(
                dataset, records, version="subset", published=None, sha256=f"subset-{dataset}"
            )
        build_index(store)
    return home


def _resolve(home: Path, *args: str) -> tuple[dict, dict[str, str], str]:
    env = {
        **os.environ,
        "SANCTRACE_HOME": str(home),
        "JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1",  # a JVM that starts faster
    }
    env.pop("SANCTRACE_DB", None)
    proc = subprocess.run(
        [sys.executable, "-m", "sanctrace", "lists", "resolve", "--format", "json", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    with open_store(str(home / "sanctrace.db")) as store:
        membership = load_parties(store).membership
    return json.loads(proc.stdout), membership, proc.stderr


def test_cli_engine_spark_resolves_the_local_parties(
    spark: SparkSession, subset_home: Path
) -> None:
    remote, on_spark, stderr = _resolve(
        subset_home, "--engine", "spark", "--spark-master", "local[2]"
    )
    assert "Starting Spark (local[2])…" in stderr and "(Spark local[2])" in stderr
    assert "WARN" not in stderr
    local, here, _ = _resolve(subset_home, "--force")
    assert remote["resolved"] is local["resolved"] is True
    assert here == on_spark and len(set(here.values())) == remote["parties"]

    def kept(summary: dict) -> dict:
        return {
            k: v for k, v in summary.items() if k not in ("seconds", "names_seconds", "resolved_at")
        }

    assert kept(remote) == kept(local)
    assert remote["parties_with_several_listings"] > 1_000
