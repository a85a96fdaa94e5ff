"""The audit trail: one record per screening request, a hash chain that verifies and that
finds a tampered or removed record, serialized appends, no answer without a record."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from apikit import KUPOL, audit_delta, audit_refused
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sanctrace import audit, keyring
from sanctrace.cli.app import app as cli
from sanctrace.keys import ApiKey
from sanctrace.store import Store
from sanctrace.store.postgres import PostgresStore

MakeKey = Callable[[str], tuple[ApiKey, dict[str, str]]]


def test_one_record_per_screening_request(
    client: TestClient, make_key: MakeKey, store: Store
) -> None:
    key, headers = make_key("screener")
    two = {
        "queries": {
            **KUPOL["queries"],
            "q2": {"schema": "Person", "properties": {"name": ["Kim Jong Un"]}},
        }
    }
    with audit_delta(store) as delta:
        assert client.post("/match/default", json=KUPOL, headers=headers).status_code == 200
        assert client.post("/match/us_ofac_sdn", json=two, headers=headers).status_code == 200
        assert (
            client.post("/screen", json={"name": "IEMZ Kupol"}, headers=headers).status_code == 200
        )
        assert (
            client.get("/search/default", params={"q": "kupol"}, headers=headers).status_code == 200
        )
        # Not screenings: entity reads, the catalog, browsing without a name.
        client.get("/entities/us_ofac_sdn:46431", headers=headers)
        client.get("/catalog", headers=headers)
        client.get("/search/default", headers=headers)
    assert delta == [4]
    mine = [r for r in audit.records(store) if r.caller == key.id]
    assert [r.kind for r in mine] == ["match", "match", "screen", "search"]
    first = mine[0].to_dict()
    assert first["request"]["endpoint"] == "/match/default"
    assert first["request"]["queries"]["q1"]["properties"] == {"name": ["IEMZ Kupol"]}
    assert {x["dataset"] for x in first["lists"]} >= {"us_ofac_sdn", "un_sc_sanctions"}
    sdn = next(x for x in first["lists"] if x["dataset"] == "us_ofac_sdn")
    assert sdn["version"] == "2024-05-03" and len(sdn["sha256"]) == 64
    # Each record of a party result, with the party's id (as sanctrace screen keeps it).
    kupol = next(r for r in first["results"]["q1"] if r["id"] == "us_ofac_sdn:46431")
    assert kupol["party_id"].startswith("P-")
    assert kupol["match"] is True and 0.8 <= kupol["score"] <= 1
    assert set(mine[1].record["results"]) == {"q1", "q2"}
    assert [x["dataset"] for x in mine[1].record["lists"]] == ["us_ofac_sdn"]
    screened = mine[2].record["results"]
    assert screened[0]["id"] == "au_dfat_sanctions:7904"  # the party's best-scoring record
    assert {"us_ofac_sdn:46431", "au_dfat_sanctions:7904"} <= {r["id"] for r in screened}
    assert len({r["party_id"] for r in screened if r["id"] == "us_ofac_sdn:46431"}) == 1
    assert audit.verify(store).ok


@contextmanager
def tampering(store: Store) -> Iterator[None]:
    """Lift the append-only triggers, as someone with write access to the database could."""
    if isinstance(store, PostgresStore):
        store._rows("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        try:
            yield
        finally:
            store._rows("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    else:
        store._rows("DROP TRIGGER audit_log_no_update")
        store._rows("DROP TRIGGER audit_log_no_delete")
        try:
            yield
        finally:
            store.reopen().close()  # opening the store puts the triggers back


def test_chain_verifies_and_finds_tampering(
    client: TestClient, auth: dict[str, str], store: Store
) -> None:
    for name in ("IEMZ Kupol", "Bank Melli", "Kim Jong Un", "Margaret Thistlewood"):
        body = {"queries": {"q": {"schema": "LegalEntity", "properties": {"name": [name]}}}}
        assert client.post("/match/default", json=body, headers=auth).status_code == 200
    report = audit.verify(store)
    assert report.ok and report.records >= 4
    seq, original = store._rows(
        "SELECT seq, record FROM audit_log ORDER BY seq DESC LIMIT 1 OFFSET 2"
    )[0]
    with pytest.raises(Exception, match="append-only"):
        store._rows("UPDATE audit_log SET caller = 'x' WHERE seq = ?", (seq,))
    with pytest.raises(Exception, match="append-only"):
        store._rows("DELETE FROM audit_log WHERE seq = ?", (seq,))
    forged = original.replace('"match":true', '"match":false', 1)
    assert forged != original
    with tampering(store):
        store._rows("UPDATE audit_log SET record = ? WHERE seq = ?", (forged, seq))
        broken = audit.verify(store)
        assert not broken.ok and broken.broken_seq == seq
        assert "edited" in (broken.reason or "")
        store._rows("UPDATE audit_log SET record = ? WHERE seq = ?", (original, seq))
        assert audit.verify(store).ok
        # A record cut off the end: the chain head remembers it.
        last = store._rows(
            "SELECT seq, recorded_at, caller, kind, record, prev_hash, hash, mac, key_id "
            "FROM audit_log ORDER BY seq DESC LIMIT 1"
        )[0]
        store._rows("DELETE FROM audit_log WHERE seq = ?", (last[0],))
        cut = audit.verify(store)
        assert not cut.ok and cut.broken_seq == last[0]
        store._rows(
            "INSERT INTO audit_log (seq, recorded_at, caller, kind, record, prev_hash, hash, "
            "mac, key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            last,
        )
    assert audit.verify(store).ok
    runner = CliRunner()
    db = store.url
    result = runner.invoke(cli, ["--db", db, "audit", "verify", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] is True


def test_concurrent_appends_keep_one_chain(store: Store) -> None:
    errors: list[BaseException] = []
    before = audit.count(store)

    def worker(n: int) -> None:
        own = store.reopen()
        try:
            for i in range(10):
                audit.append(
                    own, caller=f"t{n}", kind="test", request={"i": i}, lists=[], results=[]
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert audit.count(store) == before + 80
    assert audit.verify(store).ok


def test_no_answer_without_a_record(client: TestClient, auth: dict[str, str], store: Store) -> None:
    """A database that refuses the audit row makes the request fail, with no results."""
    with audit_refused(store), audit_delta(store) as delta:
        response = client.post("/match/default", json=KUPOL, headers=auth)
        screen = client.post("/screen", json={"name": "IEMZ Kupol"}, headers=auth)
    assert delta == [0]
    for failed in (response, screen):
        assert failed.status_code == 500
        assert failed.json() == {
            "detail": "the audit trail could not be written, so no result is returned"
        }
    assert audit.verify(store).ok
    assert client.post("/match/default", json=KUPOL, headers=auth).status_code == 200


def test_cli_screen_is_recorded_and_exported(
    store: Store,
    db: str,
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("SANCTRACE_HOME", str(tmp_path))  # a PostgreSQL store's index goes here
    monkeypatch.setenv(keyring.ENV_FILE, str(store.key_path))  # but its keyring stays
    runner = CliRunner()
    with audit_delta(store) as delta:
        result = runner.invoke(cli, ["--db", db, "screen", "=HYPERLINK(1)", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert delta == [1]
    seq, last_head = audit.head(store)
    record = next(r for r in audit.records(store) if r.seq == seq)
    assert record.caller == "cli" and record.kind == "screen"
    assert record.record["request"]["query"]["name"] == "=HYPERLINK(1)"
    assert record.hash == last_head

    out = runner.invoke(
        cli, ["--db", db, "audit", "export", "--since", "2000-01-01", "--format", "csv"]
    )
    assert out.exit_code == 0, out.output
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0] == list(audit.CSV_COLUMNS)
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert any(row[2] == "cli" for row in rows[1:])
    lines = runner.invoke(cli, ["--db", db, "audit", "export", "--since", "2000-01-01"]).stdout
    exported = [json.loads(line) for line in lines.splitlines()]
    assert exported[-1]["hash"] == last_head and exported[-1]["seq"] == seq
    assert set(exported[-1]) == {
        "seq",
        "recorded_at",
        "caller",
        "kind",
        "request",
        "lists",
        "results",
        "prev_hash",
        "hash",
    }
    none = runner.invoke(cli, ["--db", db, "audit", "export", "--until", "2000-01-01"]).stdout
    assert none == ""
    bad = runner.invoke(cli, ["--db", db, "audit", "export", "--since", "soon"])
    assert bad.exit_code != 0


def test_verify_command_fails_on_a_broken_chain(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sanctrace.store import open_store

    path = str(tmp_path / "audit.db")
    with open_store(path) as fresh:
        for i in range(3):
            audit.append(fresh, caller="t", kind="test", request={"i": i}, lists=[], results=[])
        fresh._rows("DROP TRIGGER audit_log_no_update")
        fresh._rows("UPDATE audit_log SET caller = 'someone else' WHERE seq = 2")
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", path, "audit", "verify"])
    assert result.exit_code != 0
    assert isinstance(result.exception, audit.AuditBrokenError)
    assert "record 2" in str(result.exception)
    assert result.exception.exit_code == 6


def test_decisions_name_their_screening(
    client: TestClient, make_key: Callable[[str], tuple[Any, dict[str, str]]], store: Store
) -> None:
    screener_headers = make_key("screener")[1]
    analyst = make_key("analyst")[1]
    screened = client.post("/screen", json={"name": "IEMZ Kupol"}, headers=screener_headers)
    assert screened.status_code == 200
    seq = audit.head(store)[0]
    # A result is a party; a decision names any record of it.
    assert "us_ofac_sdn:46431" in screened.json()["results"][0]["referents"]
    body = {"screening": seq, "entity": "us_ofac_sdn:46431", "decision": "match", "note": "IEMZ"}
    assert client.post("/decisions", json=body, headers=screener_headers).status_code == 403
    made = client.post("/decisions", json=body, headers=analyst)
    assert made.status_code == 201, made.text
    record = made.json()
    assert record["kind"] == "decision" and record["request"]["screening"] == seq
    for wrong, field in (
        ({**body, "entity": "us_ofac_sdn:1"}, "not among the results"),
        ({**body, "decision": "maybe"}, "is not one of"),
        ({**body, "screening": record["seq"]}, "no screening"),
    ):
        refused = client.post("/decisions", json=wrong, headers=analyst)
        assert refused.status_code == 422 and field in refused.text
    assert audit.verify(store).ok


def test_cli_decision_on_a_cli_screening(db: str, store: Store) -> None:
    runner = CliRunner()
    screened = runner.invoke(cli, ["--db", db, "screen", "Bank Melli Iran", "--format", "json"])
    assert screened.exit_code == 0, screened.output
    seq = audit.head(store)[0]
    results = json.loads(screened.stdout)["results"]
    assert any("us_ofac_sdn:25578" in r["referents"] for r in results)  # one party's record
    args = ["--db", db, "audit", "decide", str(seq), "us_ofac_sdn:25578", "--decision"]
    made = runner.invoke(cli, [*args, "no_match", "--note", "a namesake bank"])
    assert made.exit_code == 0, made.output
    record = audit.get(store, seq + 1)
    assert record is not None and record.kind == "decision" and record.caller == "cli"
    assert record.record["request"] == {
        "screening": seq,
        "entity": "us_ofac_sdn:25578",
        "decision": "no_match",
        "note": "a namesake bank",
    }
    refused = runner.invoke(cli, [*args, "perhaps"])
    assert refused.exit_code != 0


def test_cli_decision_may_name_the_party(db: str, store: Store) -> None:
    """A screening answers with parties: a decision may name the party id it showed."""
    runner = CliRunner()
    screened = runner.invoke(cli, ["--db", db, "screen", "IEMZ Kupol", "--format", "json"])
    assert screened.exit_code == 0, screened.output
    seq = audit.head(store)[0]
    party = json.loads(screened.stdout)["results"][0]["id"]
    assert party.startswith("P-")
    args = ["--db", db, "audit", "decide", str(seq), party, "--decision", "match"]
    made = runner.invoke(cli, [*args, "--note", "the Izhevsk plant"])
    assert made.exit_code == 0, made.output
    stranger = runner.invoke(cli, [*args[:4], "P-notaparty", "--decision", "match"])
    assert stranger.exit_code != 0
