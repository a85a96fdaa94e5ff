"""Helpers of the Spark tests: a few hundred rows of real listed and unlisted names with bad
values mixed in, written as CSV and Parquet, and the local path's output to compare with."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from listed import LISTED

from sanctrace.batch.columns import ColumnOptions
from sanctrace.batch.rows import COLUMNS
from sanctrace.batch.run import BatchOptions, Lists, ScreenChunks, Summary, run_batch

FIRST = ("Margaret", "Harold", "Olivia", "Samuel", "Priya", "Tomasz", "Ingrid", "Kwame", "Lucia")
LAST = ("Thistlewood", "Pemberton", "Okafor", "Lindqvist", "Moreau", "Castellanos", "Whitcombe")
COMPANIES = ("Blue Meadow Bakery Ltd", "Northgate Plumbing", "Kestrel Analytics GmbH")

HEADER = ["customer_id", "name", "type", "country", "dob", "tax_id"]
COLUMN_OPTIONS = ColumnOptions(
    name="name",
    key="customer_id",
    schema="type",
    country="country",
    birth_date="dob",
    identifier="tax_id",
)
#: The same columns as keyword arguments of ``sanctrace.spark.screen``.
SCREEN_COLUMNS = {
    "name_col": "name",
    "key_col": "customer_id",
    "schema_col": "type",
    "country_col": "country",
    "birth_date_col": "dob",
    "id_col": "tax_id",
}

#: Rows that cannot be screened, and the start of their ``skipped``.
BAD = {
    "Atlantis Trading": ("", "Atlantis", "", "", "error: country 'Atlantis'"),
    "A" * 1001: ("", "", "", "", "error: name is 1,001 characters long"),
    "Robot Person": ("robot", "", "", "", "error: schema 'robot'"),
    "Dated Person": ("Person", "", "31/31/2020", "", "error: birth date"),
}


def sample() -> list[dict[str, Any]]:
    """About 300 rows; ``country`` is a list (several countries) or None."""
    rows: list[dict[str, Any]] = []

    def add(
        name: str | None, kind: str = "", country: list[str] | None = None, **more: str
    ) -> None:
        rows.append(
            {
                "customer_id": f"C-{len(rows) + 1:04d}",
                "name": name,
                "type": kind,
                "country": country,
                "dob": more.get("dob", ""),
                "tax_id": more.get("tax_id", ""),
            }
        )

    listed = list(LISTED)
    for i in range(40):
        name = listed[i % len(listed)]
        country = [["RU"], [], ["KP", "CN"], None][i % 4]
        add(name.upper() if i % 3 == 1 else name, ["", "Company", "entity"][i % 3], country)
    for i, (first, last) in enumerate((f, la) for f in FIRST for la in LAST):
        add(f"{first} {last}", ["", "Person", "individual"][i % 3], [["GB"], ["US"], None][i % 3])
        add(f"{last}, {first}", "", None, dob=str(1950 + i % 50))
        add(f"{first} {last}-Smythe", "", ["FR"], dob=f"{1960 + i % 30}-0{1 + i % 9}")
    for i, company in enumerate(COMPANIES * 10):
        add(company if i % 2 else company.upper(), "company", [["DE"], ["IR"]][i % 2])
    add("Kim Jong Un", "Person", ["KP"], dob="1984")
    add("Unknown Trading LLC", "", ["RU"], tax_id="1831083343")
    add("", "", None, tax_id="1831083343")  # an identifier alone is screened
    for _ in range(3):
        add("")  # empty name: skipped
    add(None)
    add("???")  # no letters: skipped
    add('=HYPERLINK("http://evil.example","x")')
    for name, (kind, country, dob, tax_id, _) in BAD.items():
        add(name, kind, [country] if country else None, dob=dob, tax_id=tax_id)
    return rows


def write_parquet(path: Path, rows: list[dict[str, Any]], row_group_size: int = 50) -> Path:
    schema = pa.schema(
        [(c, pa.list_(pa.string()) if c == "country" else pa.string()) for c in HEADER]
    )
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path, row_group_size=row_group_size)
    return path


def write_csv(path: Path, rows: list[dict[str, Any]], *, malformed: bool = False) -> Path:
    """The rows as CSV (countries joined with ";"); ``malformed`` adds a blank line, a name with
    a line break and a row with too many fields."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i, row in enumerate(rows):
            cells = [row[c] or "" for c in HEADER]
            cells[3] = ";".join(row["country"] or [])
            writer.writerow(cells)
            if i == 10:
                writer.writerow(["C-X1", "Bank Melli\nIran", "", "IR", "", ""])
                fh.write("\n")
            if malformed and i == 20:
                writer.writerow(["C-X2", "Too", "Many", "Fields", "In", "This", "Row"])
    return path


def run_local(
    lists: Lists, source: Path, output: Path, *, screen: ScreenChunks | None = None, **options: Any
) -> Summary:
    """The local path (``screen-file --workers 1``) on ``source``; or its file handling with
    another screening engine (``screen``)."""
    options.setdefault("columns", COLUMN_OPTIONS)
    return run_batch(
        BatchOptions(input=str(source), output=str(output), workers=1, **options),
        lambda: lists,
        notify=lambda _: None,
        screen=screen,
    )


def parquet_rows(path: Path) -> list[tuple[Any, ...]]:
    """The rows of an output Parquet file, as tuples of ``COLUMNS`` values."""
    return [tuple(r[c] for c in COLUMNS) for r in pq.read_table(path).to_pylist()]
