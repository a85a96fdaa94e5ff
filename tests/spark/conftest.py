from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sanctrace.batch.run import Lists
from sanctrace.match import Screener
from sanctrace.match.screener import index_key, index_path
from sanctrace.store import open_store

if TYPE_CHECKING:  # pyspark may be missing: the fixture says so
    from pyspark.sql import SparkSession

#: A small, quiet, quick Spark: two cores, no UI, two shuffle partitions, errors-only logs
#: (spark_session's default), and a JVM that compiles less (it starts in about half the time).
TEST_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """One SparkSession (local[2]) for the whole test session. Missing pyspark or Java fails
    the Spark tests, unless SANCTRACE_ALLOW_NO_SPARK=1 lets them skip."""
    from sanctrace.spark import spark_session, spark_unavailable

    reason = spark_unavailable()
    if reason is not None:
        if os.environ.get("SANCTRACE_ALLOW_NO_SPARK") == "1":
            pytest.skip(reason)
        pytest.fail(f"{reason} (set SANCTRACE_ALLOW_NO_SPARK=1 to skip the Spark tests)")
    session = spark_session(
        "local[2]", TEST_CONF, log_level="ERROR", java_options="-XX:TieredStopAtLevel=1"
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def lists(bundled_home: Path) -> Lists:
    """The screener over the bundled lists, loaded once per session (the local path's)."""
    store = open_store(str(bundled_home / "sanctrace.db"))
    active = store.active_versions()
    return Lists(Screener.open(store), active, index_key(active), index_path(store, active))


#: pyspark 3.5's DataFrame.collect() reads the rows over a loopback socket that it leaves to the
#: garbage collector on purpose (pyspark/rdd.py, _load_from_socket: "The socket will be
#: automatically closed when garbage-collected"), which is a ResourceWarning, an error here.
#: Not ours to close: ignored in the Spark tests only, where collect() is called.
PYSPARK_COLLECT_SOCKET = pytest.mark.filterwarnings(
    r"ignore:unclosed <socket\.socket .*raddr=\('127\.0\.0\.1', \d+\)>:ResourceWarning"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(PYSPARK_COLLECT_SOCKET)
