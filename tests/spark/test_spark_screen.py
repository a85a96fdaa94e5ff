"""``sanctrace.spark.screen`` on a real Spark (local[2]) and the real bundled lists: the same
output rows as the local path on the same input, every column, in the same order."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sparkkit import (
    BAD,
    LISTED,
    SCREEN_COLUMNS,
    parquet_rows,
    run_local,
    sample,
    write_csv,
    write_parquet,
)

from sanctrace.batch.readers import open_input
from sanctrace.batch.rows import COLUMN_TYPES, COLUMNS
from sanctrace.batch.run import Lists
from sanctrace.errors import SanctraceError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def _rows(df: DataFrame) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in df.collect()]


def _by_input_row(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Stable: the rows of one input row keep their order (best match first)."""
    return sorted(rows, key=lambda r: r[1])


@pytest.mark.parametrize("best_only", [False, True])
def test_same_rows_as_the_local_path_on_parquet(
    spark: SparkSession, lists: Lists, tmp_path: Path, best_only: bool
) -> None:
    source = write_parquet(tmp_path / "in.parquet", sample())
    run_local(lists, source, tmp_path / "local.parquet", best_only=best_only)
    local = parquet_rows(tmp_path / "local.parquet")

    from sanctrace.spark import screen

    # several partitions, to number the rows across them as the local path does (1, 2, …)
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    try:
        df = spark.read.parquet(str(source))
        assert df.rdd.getNumPartitions() > 1
        out = screen(df, best_only=best_only, index_path=lists.index_file, **SCREEN_COLUMNS)
        got = _rows(out)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")

    assert [(f.name, f.dataType.typeName()) for f in out.schema.fields] == [
        (c, {str: "string", int: "long", float: "double", bool: "boolean"}[COLUMN_TYPES[c]])
        for c in COLUMNS
    ]
    assert got == local  # all columns, in input order
    assert _by_input_row(got) == local
    # and the rows are what they should be
    found: dict[str, set[str]] = {}
    for r in got:
        found.setdefault(r[COLUMNS.index("input_name")].lower(), set()).add(r[COLUMNS.index("id")])
    if not best_only:
        for name, entity in LISTED.items():
            assert entity in found[name.lower()], name
    assert "us_ofac_sdn:46431" in found["unknown trading llc"]  # by its tax number
    assert found["margaret thistlewood"] == {""}
    per_row = Counter(r[1] for r in got)
    assert sorted(per_row) == list(range(1, len(sample()) + 1))
    if best_only:
        assert set(per_row.values()) == {1}
    skipped = Counter(r[COLUMNS.index("skipped")] for r in got)
    assert skipped["empty name"] == 4 and skipped["name has no letters or digits"] == 1
    errors = sorted(s for s in skipped if s.startswith("error: "))
    assert len(errors) == len(BAD)
    for _, (*_, reason) in BAD.items():
        assert any(e.startswith(reason) for e in errors), reason


def test_row_numbers_keys_and_store_from_the_caller(
    spark: SparkSession, lists: Lists, bundled_home: Path, tmp_path: Path
) -> None:
    """A CSV's line numbers given as ``row_col``, the index found from ``db``."""
    source = write_csv(tmp_path / "in.csv", sample())
    run_local(lists, source, tmp_path / "local.parquet")
    local = parquet_rows(tmp_path / "local.parquet")

    from sanctrace.spark import screen

    with open_input(str(source)) as reader:
        header = list(reader.columns)
        records = [(row.number, *row.cells) for row in reader.rows()]
    assert max(r[0] for r in records) > len(records) + 1  # a quoted line break, a blank line
    df = spark.createDataFrame(records, ["line", *header])
    out = screen(df, row_col="line", db=str(bundled_home / "sanctrace.db"), **SCREEN_COLUMNS)
    assert _by_input_row(_rows(out)) == local


def test_an_error_row_does_not_stop_the_job(spark: SparkSession, lists: Lists) -> None:
    from sanctrace.spark import screen

    df = spark.createDataFrame(
        [
            ("IEMZ Kupol", "RU", ""),
            ("Atlantis Trading", "Atlantis", ""),
            ("B" * 1001, "", ""),
            ("Dated Person", "", "1984-13-45"),
            ("Kim Jong Un", "KP", "1984"),
        ],
        ["name", "country", "dob"],
    )
    rows = screen(
        df, "name", country_col="country", birth_date_col="dob", index_path=lists.index_file
    ).collect()
    by_row: dict[int, list[Any]] = {}
    for row in rows:
        by_row.setdefault(row.input_row, []).append(row)
    assert sorted(by_row) == [1, 2, 3, 4, 5]
    assert by_row[1][0].id and by_row[5][0].id  # screened around the bad rows
    assert [r.input_key for r in rows] == [str(r.input_row) for r in rows]  # no key column
    for number, text in ((2, "Atlantis"), (3, "1,001 characters"), (4, "1984-13-45")):
        (row,) = by_row[number]
        assert row.skipped.startswith("error: ") and text in row.skipped
        assert row.id == "" and row.score is None and row.match is None


def test_options_are_checked_on_the_driver(spark: SparkSession, lists: Lists) -> None:
    from sanctrace.spark import screen

    df = spark.createDataFrame([("IEMZ Kupol",)], ["name"])
    with pytest.raises(SanctraceError, match=r"no column 'Name'; its columns are: 'name'"):
        screen(df, "Name", index_path=lists.index_file)
    with pytest.raises(SanctraceError, match="threshold must be between 0 and 1"):
        screen(df, "name", threshold=2, index_path=lists.index_file)
    with pytest.raises(SanctraceError, match="schema: schema 'robot'"):
        screen(df, "name", schema="robot", index_path=lists.index_file)
    with pytest.raises(SanctraceError, match="no screening index at"):
        screen(df, "name", index_path="/nonexistent/index.pickle")
