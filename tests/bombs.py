"""The hostile files of issue 14, made as the probe made them: for the batch and API tests and
bench/bombs.py."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter


def parquet_bomb(path: Path) -> Path:
    """Exactly the acceptance script's bomb: one 1 MiB dictionary value, 2,000 references."""
    big = "A" * (1 << 20)
    col = pa.DictionaryArray.from_arrays(pa.array([0] * 2000, pa.int32()), pa.array([big]))
    pq.write_table(pa.table({"name": col}), path, compression="zstd")
    return path


def xlsx_bomb(path: Path, rows: int) -> Path:
    """A sheet whose every row uses one 32,000-character shared string (calamine clones it)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_string(0, 0, "name")
    text = "A" * 32_000
    for row in range(1, rows + 1):
        sheet.write_string(row, 0, text)
    book.close()
    return path
