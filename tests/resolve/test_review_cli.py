"""``sanctrace review`` as an analyst runs it, on real records (see party_stages): the queue
with both records' fields side by side, a judgement that re-clusters and is audited, one-line
refusals that change nothing, and the contradictions the resolution did not apply."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pytest
from homes import copy_home
from homes import sanctrace as run
from party_stages import Stages

from sanctrace.resolve.store import judge, load_judgements, load_parties
from sanctrace.store import open_store


@pytest.fixture
def home(party_stages: Stages, tmp_path: Path) -> Path:
    return copy_home(party_stages.un.home, tmp_path / "home")


def _counts(home: Path) -> tuple[int, int, int]:
    with open_store(str(home / "sanctrace.db")) as store:
        return (
            int(store._rows("SELECT COUNT(*) FROM judgements WHERE source = 'analyst'")[0][0]),
            int(store._rows("SELECT COUNT(*) FROM audit_log")[0][0]),
            len(store._rows("SELECT DISTINCT party_id FROM party_members")),
        )


def test_the_queue_shows_both_records_side_by_side(home: Path, party_stages: Stages) -> None:
    data = json.loads(run(home, "review", "--limit", "5", "--format", "json").stdout)
    assert data["total"] >= len(data["pairs"]) == 5
    scores = [p["score"] for p in data["pairs"]]
    assert scores == sorted(scores, reverse=True)
    for pair in data["pairs"]:
        a, b = pair["a"], pair["b"]
        assert a["party"] != b["party"] and a["dataset"] != b["dataset"]
        assert {"names", "schema", "birth_dates", "countries", "identifiers", "programs"} <= set(a)
        assert {"list", "listed_on", "version"} <= set(b) and a["names"] and b["names"]
    first = data["pairs"][0]
    table = run(home, "review", "--limit", "1").stdout
    assert f"{data['total']:,} pair(s) to review" in table
    assert first["a"]["id"] in table and first["b"]["id"] in table and "names" in table


def test_decide_joins_two_parties_and_is_audited(home: Path, party_stages: Stages) -> None:
    a, b = party_stages.joined
    decided = run(
        home,
        "review",
        "decide",
        a,
        b,
        "same",
        "--why",
        "one person: same regime and listing date",
        "--user",
        "alice",
        "--format",
        "json",
    )
    data = json.loads(decided.stdout)
    assert data["judgement"]["verdict"] == "same" and data["judgement"]["user"] == "alice"
    (party,) = data["parties"]
    assert {a, b} <= set(party["referents"])
    assert any(j["source"] == "analyst" for j in party["judgements"])
    trail = [json.loads(line) for line in run(home, "audit", "export").stdout.splitlines()]
    last = trail[-1]
    assert last["kind"] == "judgement" and last["caller"] == "cli:alice"
    assert last["request"]["verdict"] == "same" and last["results"][0]["id"] == party["id"]
    assert "Audit trail OK" in run(home, "audit", "verify").stdout
    table = run(home, "review", "decide", a, b, "different", "--why", "two people").stdout
    assert "They are two parties" in table and a in table and b in table


def test_refusals_are_one_line_and_change_nothing(home: Path, party_stages: Stages) -> None:
    au, gb, un = party_stages.bridged
    with open_store(str(home / "sanctrace.db")) as store:
        judge(store, au, gb, "same", "tester", "one official")
        judge(store, gb, un, "same", "tester", "one official")
    before = _counts(home)
    unknown = run(
        home, "review", "decide", "un_sc_sanctions:1", au, "same", "--why", "x", check=False
    )
    assert unknown.returncode == 4 and unknown.stderr.count("\n") == 1
    assert unknown.stderr.startswith("error: no record or party 'un_sc_sanctions:1'")
    contra = run(home, "review", "decide", au, un, "different", "--why", "no", check=False)
    assert contra.returncode == 1 and contra.stderr.count("\n") == 1
    assert "contradicts" in contra.stderr and "Traceback" not in contra.stderr
    assert _counts(home) == before


def _triangle(home: Path) -> list[str]:
    """A party of three records every pair of which a rule judged "same"."""
    with open_store(str(home / "sanctrace.db")) as store:
        same = {j.pair for j in load_judgements(store) if j.verdict == "same"}
        for members in load_parties(store).by_party.values():
            if len(members) == 3 and all(p in same for p in combinations(members, 2)):
                return members
    raise AssertionError("no party of three joined pair by pair")


def test_contradictions_of_the_last_resolution_are_listed(home: Path) -> None:
    """A=B and B=C by the rules, A≠C by the analyst: one of the two "same" is not applied,
    and said so, with the analyst's judgement that stops it."""
    a, b, c = _triangle(home)
    run(home, "review", "decide", a, c, "different", "--why", "two people, another birth year")
    found = json.loads(run(home, "review", "contradictions", "--format", "json").stdout)
    mine = [x for x in found if b in (x["refused"]["a"], x["refused"]["b"])]
    assert len(mine) == 1 and mine[0]["refused"]["verdict"] == "same"
    assert mine[0]["because"]["source"] == "analyst"
    assert (mine[0]["because"]["a"], mine[0]["because"]["b"]) == (a, c)
    table = run(home, "review", "contradictions").stdout
    assert f"{len(found)} judgement(s) not applied" in table
    assert f"{mine[0]['refused']['a']} = {mine[0]['refused']['b']}" in table
