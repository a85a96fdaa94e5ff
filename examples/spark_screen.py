"""Screen a CSV or Parquet file on Spark with sanctrace, and write the results as Parquet.

    spark-submit --master local[2] examples/spark_screen.py examples/customers.csv results/

Columns are named with --name-col (default "name"), --key-col and --country-col. The lists are
the default store's (the bundled ones are loaded into an empty store), or --db's, or the
index file --index. sanctrace and pyarrow must be installed for the Python that runs the
executors (PYSPARK_PYTHON or spark.pyspark.python).
"""

from __future__ import annotations

import argparse

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from sanctrace.spark import screen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="a .csv (with a header) or .parquet file or folder")
    parser.add_argument("output", help="the folder to write the results to (Parquet)")
    parser.add_argument("--name-col", default="name")
    parser.add_argument("--key-col")
    parser.add_argument("--country-col")
    parser.add_argument("--best-only", action="store_true")
    parser.add_argument("--db", help="the sanctrace store (default: the default store)")
    parser.add_argument("--index", help="a persisted screening index file instead of --db")
    args = parser.parse_args()

    spark = SparkSession.builder.appName("sanctrace-screen").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    if args.input.endswith(".csv"):
        # every column as text, as sanctrace screen-file reads a CSV
        df = spark.read.option("header", True).csv(args.input)
    else:
        df = spark.read.parquet(args.input)

    results = screen(
        df,
        args.name_col,
        key_col=args.key_col,
        country_col=args.country_col,
        best_only=args.best_only,
        db=args.db,
        index_path=args.index,
    )
    results.write.mode("overwrite").parquet(args.output)

    written = spark.read.parquet(args.output)
    matched = written.filter("match").select("input_row").distinct().count()
    errors = written.filter(F.col("skipped").startswith("error: ")).count()
    print(
        f"{df.count()} rows screened: {matched} with a match, {errors} in error; "
        f"{written.count()} result rows in {args.output}"
    )
    written.filter("match OR skipped != ''").orderBy("input_row", F.desc("score")).select(
        "input_key", "input_name", "id", "score", "skipped"
    ).show(truncate=42)
    spark.stop()


if __name__ == "__main__":
    main()
