"""``sanctrace screen-file --engine spark``: the same files as ``--engine local``."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sparkkit import run_local, sample, write_csv
from typer.testing import CliRunner

from sanctrace.batch.run import Lists
from sanctrace.cli.app import app
from sanctrace.errors import SanctraceError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.mark.parametrize("best_only", [False, True])
def test_the_spark_engine_writes_the_local_paths_files(
    spark: SparkSession, lists: Lists, tmp_path: Path, best_only: bool
) -> None:
    from sanctrace.spark.engine import SparkChunks

    source = write_csv(tmp_path / "in.csv", sample(), malformed=True)
    local = run_local(lists, source, tmp_path / "local.csv", best_only=best_only, chunk_size=64)
    engine = SparkChunks(spark=spark)
    on_spark = run_local(
        lists, source, tmp_path / "spark.csv", best_only=best_only, chunk_size=64, screen=engine
    )
    assert (tmp_path / "spark.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
    errors = (tmp_path / "spark.errors.csv").read_bytes()
    assert errors == (tmp_path / "local.errors.csv").read_bytes()
    assert b"expected 6 fields (as in the header), found 7" in errors
    assert on_spark.stats.to_dict() == local.stats.to_dict()
    assert on_spark.lines()[0].replace("spark.errors", "local.errors") == local.lines()[0]
    assert local.stats.errors == 5 and local.stats.read == len(sample()) + 2
    assert not list(tmp_path.glob("*.partial"))


def _sanctrace(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SANCTRACE_HOME": str(home),
        "COLUMNS": "200",
        "JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1",  # a JVM that starts faster
    }
    env.pop("SANCTRACE_DB", None)
    proc = subprocess.run(
        [sys.executable, "-m", "sanctrace", *args], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def test_cli_engine_spark_writes_the_same_file(
    spark: SparkSession, bundled_home: Path, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "customers.csv", sample(), malformed=True)
    local = _sanctrace(bundled_home, "screen-file", str(source), "-o", str(tmp_path / "local.csv"))
    remote = _sanctrace(
        bundled_home,
        "screen-file",
        str(source),
        "-o",
        str(tmp_path / "spark.csv"),
        "--engine",
        "spark",
        "--spark-master",
        "local[2]",
    )
    assert (tmp_path / "spark.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
    errors = (tmp_path / "spark.errors.csv").read_bytes()
    assert errors == (tmp_path / "local.errors.csv").read_bytes()
    assert "Starting Spark (local[2])…" in remote.stderr

    def summary(proc: subprocess.CompletedProcess[str]) -> str:
        return next(line for line in proc.stderr.splitlines() if line.startswith("Read "))

    assert summary(remote).replace("spark.errors", "local.errors") == summary(local)
    assert "WARN" not in remote.stderr and "Setting default log level" not in remote.stderr


def test_missing_pyspark_or_java_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from sanctrace.spark import screen, spark_unavailable

    monkeypatch.setitem(sys.modules, "pyspark", types.ModuleType("pyspark"))  # installed
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    reason = spark_unavailable()
    assert reason is not None and "no Java runtime" in reason
    assert "pip install 'sanctrace[spark]' and a Java 17 runtime" in reason
    source = write_csv(tmp_path / "in.csv", sample()[:3])
    result = CliRunner().invoke(app, ["screen-file", str(source), "--engine", "spark"])
    assert isinstance(result.exception, SanctraceError)
    assert str(result.exception) == reason

    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark fails
    with pytest.raises(SanctraceError, match=r"pyspark is not installed \(install with pip"):
        screen(None, "name")  # type: ignore[arg-type]


def test_spark_options_need_the_spark_engine(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", sample()[:3])
    result = CliRunner().invoke(app, ["screen-file", str(source), "--spark-master", "local[2]"])
    assert str(result.exception) == "--spark-master needs --engine spark"
    result = CliRunner().invoke(
        app, ["screen-file", str(source), "--engine", "spark", "--workers", "2"]
    )
    assert "--workers is for --engine local" in str(result.exception)


def test_results_are_cut_into_the_chunks_that_were_screened() -> None:
    """After --resume only some chunks are screened: the rows go back to the right ones."""
    from sanctrace.batch.rows import OutputRow
    from sanctrace.spark.engine import _Chunk, _regroup

    def row(number: int, id: str = "", skipped: str = "") -> OutputRow:
        return OutputRow(
            str(number), number, "n", id, "", "", "", "", None, None, "", "", "", 0.8, "", skipped
        )

    rows = [row(2, "a"), row(2, "b"), row(3), row(9, skipped="empty name")]
    rows += [row(10, skipped="error: bad"), row(14, "c")]
    results = list(_regroup(rows, [_Chunk(0, 2, 2), _Chunk(2, 9, 3)]))
    assert [r.number for r in results] == [0, 2]
    assert [len(r.rows) for r in results] == [3, 3]
    assert results[0].stats.to_dict() == {
        "read": 2,
        "screened": 2,
        "matched": 1,
        "errors": 0,
        "output_rows": 3,
        "skipped": {},
    }
    assert results[1].stats.skipped == {"empty name": 1} and results[1].stats.errors == 1
    assert [tuple(e) for e in results[1].errors] == [(10, "10", "n", "bad")]
    with pytest.raises(SanctraceError, match="rows for 2 of the 3 input rows of chunk 2"):
        list(_regroup(rows[:5], [_Chunk(0, 2, 2), _Chunk(2, 9, 3)]))


def test_resume_on_spark_finishes_an_interrupted_local_run(
    spark: SparkSession, lists: Lists, tmp_path: Path
) -> None:
    from sanctrace.batch.run import screen_chunks
    from sanctrace.spark.engine import SparkChunks

    source = write_csv(tmp_path / "in.csv", sample(), malformed=True)
    run_local(lists, source, tmp_path / "local.csv", chunk_size=50)

    def interrupted(*args: Any) -> Iterator[Any]:
        for number, result in enumerate(screen_chunks(*args)):
            if number == 2:
                raise KeyboardInterrupt
            yield result

    with pytest.raises(KeyboardInterrupt):
        run_local(lists, source, tmp_path / "out.csv", chunk_size=50, screen=interrupted)
    assert len(list((tmp_path / "out.csv.partial").glob("chunk-*"))) == 2
    summary = run_local(
        lists,
        source,
        tmp_path / "out.csv",
        chunk_size=50,
        resume=True,
        screen=SparkChunks(spark=spark),
    )
    assert summary.resumed_rows == 100
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
    assert (tmp_path / "out.errors.csv").read_bytes() == (
        tmp_path / "local.errors.csv"
    ).read_bytes()
