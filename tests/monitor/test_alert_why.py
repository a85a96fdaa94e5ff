"""Every alert says why it was raised (`sanctrace alerts list`'s "why" column, the CSV's
"reason"): a new match its matched name and score, a removed or changed one what changed."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from homes import sanctrace

from sanctrace.monitor.alerts import Alert, why

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "data"


def alert(kind: str, score: float | None = None, **details: Any) -> Alert:
    return Alert(
        id=1,
        created_at="2026-01-01T00:00:00Z",
        kind=kind,
        watchlist="clients",
        key="C1",
        entity_id="us_ofac_sdn:46431",
        status="open",
        score=score,
        customer_fp="c",
        entity_fp="e",
        details=details,
    )


KUPOL = {"matched_name": "IEMZ Kupol JSC", "caption": "IEMZ KUPOL", "score": 1.0}


@pytest.mark.parametrize(
    ("made", "said"),
    [
        (alert("new", 1.0, match=KUPOL), 'matched "IEMZ Kupol JSC" 1.00'),
        (  # a party alert: the short why, not the stored "new match: party …, listed on …"
            alert("new", 0.92, match=KUPOL, party={"event": "new", "summary": "new match: …"}),
            'matched "IEMZ Kupol JSC" 0.92',
        ),
        (alert("new", None, match={"caption": "IEMZ KUPOL"}), 'matched "IEMZ KUPOL"'),
        (alert("new", 0.9), 'matched "us_ofac_sdn:46431" 0.90'),
        (
            alert(
                "changed",
                0.92,
                match=KUPOL,
                party={"event": "gained", "summary": "party P-x gained a listing on UN"},
            ),
            'party P-x gained a listing on UN; matched "IEMZ Kupol JSC" 0.92',
        ),
        (
            alert("removed", previous=KUPOL, reason="delisted"),
            'no match now: delisted; was matched "IEMZ Kupol JSC" 1.00',
        ),
        (
            alert(
                "removed",
                previous=KUPOL,
                reason="listing changed",
                entity_changes={"names": {}, "programs": {}},
            ),
            'no match now: listing changed (names, programs); was matched "IEMZ Kupol JSC" 1.00',
        ),
        (
            alert(
                "changed",
                party={"event": "lost", "summary": "party P-x lost its listing on GB"},
                reason="delisted",
            ),
            "party P-x lost its listing on GB: delisted",
        ),
        (alert("removed"), "no match now: no longer matched"),
        (
            alert(
                "changed",
                0.95,
                match={**KUPOL, "score": 0.95},
                previous={**KUPOL, "score": 0.92},
                customer_changed=False,
                entity_changes={"names": {}},
            ),
            "listing changed: names; score 0.92 → 0.95",
        ),
        (
            alert(
                "changed",
                0.92,
                match={**KUPOL, "matched_name": "KUPOL"},
                previous=KUPOL,
                customer_changed=True,
            ),
            'customer record changed; score 1.00 → 0.92; now matched "KUPOL"',
        ),
        (alert("changed", 1.0, match=KUPOL, previous=KUPOL), "listing changed"),
        (alert("operational", step="fetch", error="timeout"), "fetch failed: timeout"),
    ],
)
def test_why(made: Alert, said: str) -> None:
    assert why(made) == said


def test_alerts_list_fills_why_for_every_alert(tmp_path: Path) -> None:
    """The README's walk-through: new alerts, a roll-back that removes one, and a customer
    record changed; every row's why is filled, in the table and in the CSV."""

    def run(*args: str) -> str:
        return sanctrace(tmp_path, *args, cwd=tmp_path, columns=250).stdout

    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer_id,name,country\nC1,IEMZ Kupol,RU\nC2,Wuhan Global Sensor Technology Co Ltd,CN\n"
        "C3,Carovilli Trading s.r.o.,SK\nC4,Oakridge Dairy Cooperative,US\n",
        encoding="utf-8",
    )
    run("lists", "load", str(EXAMPLES / "sdn-2024-04-26.csv"), "--version", "2024-04-26")
    run("watch", "add", str(customers), "--list", "clients", "--key-column", "customer_id")
    run("lists", "load", str(EXAMPLES / "sdn-2024-05-01.csv"), "--version", "2024-05-01")
    run("lists", "activate", "us_ofac_sdn", "2024-04-26")
    customers.write_text(
        "customer_id,name,country\nC1,IEMZ Kupol JSC,RU\n", encoding="utf-8"
    )  # C1's record changed: its match is raised again, as changed
    run("watch", "add", str(customers), "--list", "clients", "--key-column", "customer_id")

    rows = list(csv.DictReader(io.StringIO(run("alerts", "list", "--format", "csv"))))
    kinds = {row["kind"] for row in rows}
    assert {"new", "removed", "changed"} <= kinds, rows
    assert all(row["reason"].strip() for row in rows), rows
    new = [row for row in rows if row["kind"] == "new"]
    assert all(row["reason"].startswith('matched "') for row in new), new
    table = run("alerts", "list")
    for row in rows:
        line = next(
            line for line in table.splitlines() if line.split()[:2] == [row["id"], row["kind"]]
        )
        assert line.rstrip().endswith(row["reason"]), (line, row["reason"])
