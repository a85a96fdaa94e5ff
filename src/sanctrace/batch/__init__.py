"""Batch screening: every row of a CSV, TSV, XLSX, Parquet or JSON lines file against the lists.

``readers`` streams input rows, ``columns`` maps them to fields, ``queries`` makes the query of a
row, ``chunks`` screens a chunk of rows (the pure core), ``rows`` makes output rows (reusable on
its own, e.g. from Spark), ``writers`` writes tables atomically, ``workdir`` keeps finished chunks
for ``--resume``, and ``run`` puts them together across worker processes. Import what you need
from its module: this package imports nothing, so ``sanctrace.batch.rows`` stays light.
"""
