"""The README's monitoring walk-through as a user runs it, in real processes: watch a customer
file, load the next list version, review the alerts, resolve one; the decision is in the audit
trail and the alerts file a spreadsheet opens safely."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

from homes import sanctrace


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return sanctrace(home, *args, check=False)


def test_watch_update_alerts_resolve(tmp_path: Path, data_dir: Path) -> None:
    home = tmp_path / "home"
    history = data_dir / "ofac_sdn_history"
    loaded = _run(home, "lists", "load", str(history / "2024-04-26/sdn.csv"))
    assert loaded.returncode == 0, loaded.stderr

    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer_id,name,country\n"
        "C1,=IEMZ Kupol,RU\n"  # a formula-looking cell, as exports from other systems have
        "C2,Wuhan Global Sensor Technology Co Ltd,CN\n"  # listed on 2024-05-01
        "C3,Carovilli Trading s.r.o.,SK\n"  # listed on 2024-05-01
        "C4,Oakridge Dairy Cooperative,US\n",
        encoding="utf-8",
    )
    watched = _run(
        home, "watch", "add", str(customers), "--list", "clients", "--key-column", "customer_id"
    )
    assert watched.returncode == 0, watched.stderr
    assert "4 added" in watched.stderr
    assert "new alerts: 1 new" in watched.stderr  # only Kupol is listed on 2024-04-26

    sink = tmp_path / "alerts.jsonl"
    added = _run(home, "alerts", "sinks", "add", "file", "--jsonl", str(sink))
    assert added.returncode == 0, added.stderr

    update = _run(home, "lists", "load", str(history / "2024-05-01/sdn.csv"))
    assert update.returncode == 0, update.stderr
    assert "screened again" in update.stderr and "new alerts: 2 new" in update.stderr
    delivered = [json.loads(line) for line in sink.read_text().splitlines()]
    assert sorted(d["alert"]["key"] for d in delivered) == ["C2", "C3"]

    listed = _run(home, "alerts", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    found = {a["key"]: a for a in json.loads(listed.stdout)}
    assert set(found) == {"C1", "C2", "C3"}
    assert found["C2"]["entity_id"] == "us_ofac_sdn:46633"

    shown = _run(home, "alerts", "show", str(found["C3"]["id"]))
    assert json.loads(shown.stdout)["details"]["match"]["caption"] == "CAROVILLI TRADING SRO"
    resolved = _run(
        home,
        "alerts",
        "resolve",
        str(found["C3"]["id"]),
        "--decision",
        "false-positive",
        "--note",
        "our customer is a Slovak coffee importer, registry no. differs",
        "--by",
        "ana",
    )
    assert resolved.returncode == 0, resolved.stderr
    assert "resolved as false-positive" in resolved.stderr
    twice = _run(
        home, "alerts", "resolve", str(found["C3"]["id"]), "--decision", "true-match", "--note", "x"
    )
    assert twice.returncode != 0 and "already resolved" in twice.stderr

    trail = _run(home, "audit", "export", "--format", "jsonl")
    decisions = [
        json.loads(line)
        for line in trail.stdout.splitlines()
        if json.loads(line)["kind"] == "alert-decision"
    ]
    assert len(decisions) == 1 and decisions[0]["caller"] == "cli:ana"
    assert _run(home, "audit", "verify").returncode == 0

    exported = tmp_path / "alerts.csv"
    out = _run(home, "alerts", "list", "--status", "all", "--format", "csv", "-o", str(exported))
    assert out.returncode == 0, out.stderr
    with exported.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    kupol = next(r for r in rows if r["key"] == "C1")
    assert kupol["customer"] == "'=IEMZ Kupol"
    assert next(r for r in rows if r["key"] == "C3")["decision"] == "false-positive"

    # Nothing changed since: re-screening has nothing to do.
    again = _run(home, "watch", "rescreen")
    assert again.returncode == 0 and "up to date" in again.stderr
