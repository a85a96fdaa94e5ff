"""`sanctrace lists resolve` on the real bundled lists, as a user runs it: it resolves when
the parties are not current, says so when they are, re-resolves with --force keeping every
party id, and its summary is what the store holds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from homes import copy_home, sanctrace
from typer.testing import CliRunner

from sanctrace.cli.app import app
from sanctrace.cli.resolve import CURRENT
from sanctrace.errors import SanctraceError
from sanctrace.match import Screener
from sanctrace.resolve.store import ensure_parties, load_judgements, load_parties, resolved_for
from sanctrace.store import open_store

KUPOL = {
    "us_ofac_sdn:46431",
    "au_dfat_sanctions:7904",
    "ca_dfatd_sema_sanctions:russia-1-part-2-306",
}


@pytest.fixture(scope="module")
def home(bundled_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled home, whose parties the tests resolve again."""
    return copy_home(bundled_home, tmp_path_factory.mktemp("resolve-home"))


def _stored(home: Path) -> tuple[dict[str, str], list[tuple[str, str]], str | None]:
    """Membership, the party rows (id, status) and the versions key the parties are for."""
    with open_store(str(home / "sanctrace.db")) as store:
        rows = store._rows("SELECT party_id, status FROM parties ORDER BY party_id")
        return load_parties(store).membership, [tuple(r) for r in rows], resolved_for(store)


def test_current_parties_are_not_resolved_again(home: Path) -> None:
    before = _stored(home)
    proc = sanctrace(home, "lists", "resolve")
    assert CURRENT in proc.stdout.lower() and "--force resolves them again" in proc.stdout
    assert "Resolving" not in proc.stderr and "Data: " in proc.stdout
    summary = json.loads(sanctrace(home, "lists", "resolve", "--format", "json").stdout)
    assert summary["resolved"] is False and summary["seconds"] is None
    assert summary["records"] == len(before[0]) == 29_529
    assert _stored(home) == before


def test_resolve_then_current_then_force_keeps_every_party_id(home: Path) -> None:
    membership, parties, key = _stored(home)
    with open_store(str(home / "sanctrace.db")) as store:  # as after a list update
        store._rows("DELETE FROM party_state")
    proc = sanctrace(home, "lists", "resolve", "--format", "json")
    summary = json.loads(proc.stdout)
    assert "Resolving 29,529 records of 6 lists into parties (2 worker(s))" in proc.stderr
    assert summary["resolved"] is True and 0 < summary["names_seconds"] < summary["seconds"]
    assert _stored(home) == (membership, parties, key)

    # the summary is what the store holds
    sizes = Counter(membership.values())
    assert summary["records"] == len(membership)
    assert summary["parties"] == len(sizes) == len(parties)
    assert summary["parties_with_several_listings"] == sum(1 for n in sizes.values() if n > 1)
    with open_store(str(home / "sanctrace.db")) as store:
        judgements = Counter((j.source, j.verdict) for j in load_judgements(store))
        active = store.active_versions()
    assert {
        (source, verdict): n
        for source, verdicts in summary["judgements"].items()
        for verdict, n in verdicts.items()
    } == judgements
    assert judgements[("name", "same")] > 10_000 and judgements[("identifier", "same")] > 100
    review = json.loads(sanctrace(home, "review", "--format", "json").stdout)
    assert summary["review_queue"] == review["total"] > 0
    assert summary["contradictions"] == review["contradictions"]
    assert summary["lists"] == [
        {"dataset": v.dataset, "version": v.version, "published": v.published} for v in active
    ]
    assert {membership[r] for r in KUPOL} == {membership["us_ofac_sdn:46431"]}

    again = sanctrace(home, "lists", "resolve")
    assert CURRENT in again.stdout.lower()

    forced = sanctrace(home, "lists", "resolve", "--force", "--workers", "2")
    assert forced.stdout.startswith("Resolved 29,529 records into parties in ")
    assert f"parties: {len(sizes):,}, of them " in forced.stdout
    assert "Data: au_dfat_sanctions 2024-11-11;" in forced.stdout
    assert _stored(home) == (membership, parties, key)


def test_a_failed_name_pass_leaves_the_parties_serving(home: Path) -> None:
    before = _stored(home)
    with open_store(str(home / "sanctrace.db")) as store:
        judgements = load_judgements(store)

        def failing(*_: object) -> list:
            raise SanctraceError("the name pass stopped")

        with pytest.raises(SanctraceError, match="the name pass stopped"):
            ensure_parties(store, Screener.open(store), force=True, name_pass=failing)
        assert load_judgements(store) == judgements
    assert _stored(home) == before


def test_spark_without_java_is_one_line_and_exit_1(home: Path, tmp_path: Path) -> None:
    env = {**os.environ, "SANCTRACE_HOME": str(home), "PATH": str(tmp_path)}
    env.pop("JAVA_HOME", None)
    env.pop("SANCTRACE_DB", None)
    proc = subprocess.run(
        [sys.executable, "-m", "sanctrace", "lists", "resolve", "--engine", "spark"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "error: Spark is not available: no Java runtime (no java on PATH or in JAVA_HOME) "
        "(install with pip install 'sanctrace[spark]' and a Java 17 runtime)"
    ]


def test_engine_options_are_checked_first(home: Path) -> None:
    runner = CliRunner()
    db = ["--db", str(home / "sanctrace.db")]
    result = runner.invoke(app, [*db, "lists", "resolve", "--spark-master", "local[2]"])
    assert str(result.exception) == "--spark-master needs --engine spark"
    result = runner.invoke(app, [*db, "lists", "resolve", "--engine", "spark", "--workers", "2"])
    assert "--workers is for --engine local" in str(result.exception)
