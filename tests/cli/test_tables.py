"""No table the CLI prints splits an id across lines or cuts it, at 80 columns or at 60; other
long text wraps at words (issue 17: "Consolidat / ed List," at 80 columns)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from homes import copy_home, sanctrace
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sanctrace.cli.tables import fit, fits, fitted, stacked

KUPOL_RECORDS = (
    "au_dfat_sanctions:7904",
    "ca_dfatd_sema_sanctions:russia-1-part-2-306",
    "us_ofac_sdn:46431",
)
WIDTHS = (80, 60)


def at_width(home: Path, columns: int, *args: str) -> str:
    """``sanctrace ARGS``'s standard output as printed ``columns`` wide."""
    return sanctrace(home, *args, columns=columns).stdout


def assert_whole(text: str, ids: set[str]) -> None:
    """Every id printed whole on one line, nothing cut short with an ellipsis."""
    assert ids
    missing = sorted(i for i in ids if i not in text)
    assert not missing, f"split or cut: {missing}\n{text}"
    assert "…" not in text


@pytest.fixture(scope="module")
def watched(bundled_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with a watchlist and its alerts."""
    home = copy_home(bundled_home, tmp_path_factory.mktemp("tables-home"))
    customers = home / "customers.csv"
    customers.write_text("id,name\nC-1,IEMZ Kupol\nC-2,Bank Melli\n", encoding="utf-8")
    sanctrace(home, "watch", "add", str(customers), "--key-column", "id")
    return home


@pytest.mark.parametrize("columns", WIDTHS)
def test_screen_listing_table_keeps_ids_whole(bundled_home: Path, columns: int) -> None:
    text = at_width(bundled_home, columns, "screen", "IEMZ Kupol")
    report = json.loads(at_width(bundled_home, 200, "screen", "IEMZ Kupol", "-f", "json"))
    [result] = report["results"]
    assert set(result["referents"]) == set(KUPOL_RECORDS)
    assert_whole(text, {result["id"], *result["referents"]})
    # the list titles wrap at words, not in 10-character pieces
    assert "Consolidated" in text and "Consolidat\n" not in text
    assert re.search(r"(?m)^\s+ed\b", text) is None


def test_screen_listing_table_at_80_columns_is_one_row_per_listing(bundled_home: Path) -> None:
    text = at_width(bundled_home, 80, "screen", "IEMZ Kupol")
    lines = text.splitlines()
    table = lines[next(i for i, line in enumerate(lines) if "record id" in line) :]
    table = table[: table.index("")]
    assert [line.split()[0] for line in table if line.split()[0] in KUPOL_RECORDS] == list(
        KUPOL_RECORDS
    )
    assert all(len(line) <= 80 for line in table), table


@pytest.mark.parametrize("columns", WIDTHS)
def test_entity_tables_keep_ids_whole(bundled_home: Path, columns: int) -> None:
    text = at_width(bundled_home, columns, "entity", "P-cxlfmbsfth")
    assert_whole(text, {"P-cxlfmbsfth", *KUPOL_RECORDS})


@pytest.mark.parametrize("columns", WIDTHS)
def test_alerts_table_keeps_ids_whole(watched: Path, columns: int) -> None:
    text = at_width(watched, columns, "alerts", "list")
    alerts = json.loads(at_width(watched, 200, "alerts", "list", "-f", "json"))
    assert_whole(text, {a["entity_id"] for a in alerts})


@pytest.mark.parametrize("columns", WIDTHS)
def test_lists_show_and_watch_list_keep_names_whole(watched: Path, columns: int) -> None:
    text = at_width(watched, columns, "lists", "show")
    versions = json.loads(at_width(watched, 200, "lists", "show", "-f", "json"))
    assert_whole(text, {v["dataset"] for v in versions})
    assert "default" in at_width(watched, columns, "watch", "list")


@pytest.mark.parametrize("columns", WIDTHS)
def test_scan_table_keeps_ids_whole(bundled_home: Path, tmp_path: Path, columns: int) -> None:
    memo = tmp_path / "memo.txt"
    memo.write_text("Payments went to IEMZ Kupol through a broker.\n", encoding="utf-8")
    text = at_width(bundled_home, columns, "scan", str(memo))
    assert_whole(text, {"P-cxlfmbsfth", *KUPOL_RECORDS})


def _render(table: Table, width: int) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, soft_wrap=True, color_system=None).print(table)
    return buffer.getvalue()


def _wide_table() -> Table:
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("id", no_wrap=True)
    table.add_column("entity", overflow="fold")
    table.add_column("why", overflow="fold")
    for record in KUPOL_RECORDS:
        table.add_row(
            "1",
            Text(f"{record}\nJoint Stock Company Izhevsk Electromechanical Plant Kupol"),
            Text("new match: party P-cxlfmbsfth, listed on three lists of three countries"),
        )
    return table


@pytest.mark.parametrize("width", [120, 80, 60, 40])
def test_fitted_never_splits_an_id(width: int) -> None:
    text = _render(fitted(_wide_table(), width), width)
    assert_whole(text, {"P-cxlfmbsfth", *KUPOL_RECORDS})
    longest_id = max(map(len, KUPOL_RECORDS))
    for line in text.splitlines():  # within the width, unless an id is wider than it
        assert len(line) <= max(width, longest_id + 16), line


def test_rich_alone_would_cut_the_ids() -> None:
    """What `fit` guards against: rich squeezes no_wrap columns too when a table is too wide."""
    table = Table(box=None)
    table.add_column("record id", no_wrap=True)
    table.add_column("list", overflow="fold")
    for record in KUPOL_RECORDS:
        table.add_row(record, "Canada Consolidated Autonomous Sanctions List (SEMA), XML")
    assert "ca_dfatd_sema_sanctions:russia-1-part-2-306" not in _render(table, 40)
    assert "ca_dfatd_sema_sanctions:russia-1-part-2-306" in _render(fit(table), 40)


def test_a_table_that_cannot_fit_is_stacked() -> None:
    table = _wide_table()
    assert fits(_wide_table(), 120) and not fits(table, 60)
    blocks = stacked(table)
    assert [c.header for c in blocks.columns] == ["", ""]
    text = _render(fitted(_wide_table(), 60), 60)
    assert text.count("entity ") == 3 and text.count("why ") == 3
