"""Watchlists: files taken whole or not at all, records replaced only when they changed, on
SQLite and PostgreSQL; and `sanctrace watch` as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sanctrace.batch.columns import ColumnOptions
from sanctrace.errors import SanctraceError
from sanctrace.monitor import watchlists as watch
from sanctrace.store import open_store


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_add_update_remove(store_url: str, tmp_path: Path) -> None:
    with open_store(store_url) as store:
        first = _write(
            tmp_path / "c.csv",
            "customer_id,name,country\nC1,IEMZ Kupol,RU\nC2,Margaret Thistlewood,GB\n",
        )
        found = watch.read_records(first, ColumnOptions())
        report = watch.add(store, "clients", found)
        assert (report.added, report.updated, report.unchanged) == (2, 0, 0)
        again = watch.add(store, "clients", watch.read_records(first, ColumnOptions()))
        assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
        changed = _write(
            tmp_path / "d.csv",
            "customer_id,name,country\nC1,IEMZ Kupol,RU\nC2,Margaret Thistlewood,FR\n"
            "C3,Kim Jong Un,\n",
        )
        third = watch.add(store, "clients", watch.read_records(changed, ColumnOptions()))
        assert (third.added, third.updated, third.unchanged) == (1, 1, 1)
        rows = {r["key"]: r["query"] for r in watch.records(store, "clients")}
        assert rows["C2"]["countries"] == ["FR"] and rows["C3"]["name"] == "Kim Jong Un"
        assert watch.watchlists(store)[0][:2] == ("clients", 3)
        assert watch.remove(store, "clients", ["C1", "nobody"]) == 1
        assert watch.remove(store, "clients") == 2
        assert watch.watchlists(store) == []


def test_bad_files_are_refused_whole(tmp_path: Path) -> None:
    duplicate = _write(tmp_path / "dup.csv", "id,name\n7,Alpha Trading\n8,\n7,Beta Shipping\n")
    with pytest.raises(SanctraceError) as caught:
        watch.read_records(duplicate, ColumnOptions())
    message = str(caught.value)
    assert "nothing was added" in message
    assert "line 3: empty name" in message and "line 4: id '7' again (first on line 2)" in message
    open_quote = _write(tmp_path / "quote.csv", 'id,name\n1,Alpha\n2,"Beta\n3,Gamma\n')
    with pytest.raises(SanctraceError, match="line 3: not a valid CSV row"):
        watch.read_records(open_quote, ColumnOptions())
    no_key = _write(tmp_path / "nokey.csv", "name,country\nAlpha Trading,GB\n")
    with pytest.raises(SanctraceError, match="customer's own id"):
        watch.read_records(no_key, ColumnOptions())
    with pytest.raises(SanctraceError, match="nope"):
        watch.read_records(no_key, ColumnOptions(name="nope"))


def test_watch_commands(tmp_path: Path) -> None:
    env = {**os.environ, "SANCTRACE_HOME": str(tmp_path)}
    env.pop("SANCTRACE_DB", None)

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sanctrace", *args],
            env=env,
            capture_output=True,
            text=True,
            check=check,
        )

    source = _write(tmp_path / "w.csv", "ref,party\nA-1,IEMZ Kupol\nA-2,Bank Melli Iran\n")
    added = run("watch", "add", source, "--list", "suppliers", "--key-column", "ref")
    assert "2 added, 0 updated, 0 unchanged" in added.stderr
    assert "suppliers" in run("watch", "list").stdout
    assert "A-2  Bank Melli Iran" in run("watch", "list", "--list", "suppliers").stdout
    bad = run(
        "watch",
        "add",
        _write(tmp_path / "x.csv", "ref,party\nB,\n"),
        "--key-column",
        "ref",
        check=False,
    )
    assert bad.returncode != 0 and "empty name" in bad.stderr
    assert "1 records removed" in run("watch", "remove", "A-1", "--list", "suppliers").stderr
