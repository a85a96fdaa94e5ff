"""The tampering suite: an insider with write access to the database (the append-only triggers
dropped first) but not to the keyring tries every way to rewrite the audit trail. Each attempt
must fail ``verify``: the four that hashes alone let through (a full recompute, a cut tail with
the head moved back, a forged record, a wipe) and the naive ones. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from sanctrace import anchors, audit, keys
from sanctrace.cli.app import app as cli
from sanctrace.store import Store
from sanctrace.store.base import GENESIS_HASH
from sanctrace.store.postgres import PostgresStore

COLUMNS = "seq, recorded_at, caller, kind, record, prev_hash, hash, mac, key_id"


def lift_triggers(store: Store) -> None:
    """What someone with write access to the database can do first."""
    if isinstance(store, PostgresStore):
        store._rows("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    else:
        store._rows("DROP TRIGGER IF EXISTS audit_log_no_update")
        store._rows("DROP TRIGGER IF EXISTS audit_log_no_delete")


def rows(store: Store) -> list[tuple[Any, ...]]:
    return store._rows(f"SELECT {COLUMNS} FROM audit_log ORDER BY seq")


def rechain(store: Store, start: int, edit: dict[int, dict[str, Any]] | None = None) -> str:
    """Rewrite records from ``start`` on with valid hashes (after applying ``edit``), and the
    head to match, as a forger without the key can: the MACs stay as they were."""
    edit = edit or {}
    prev = GENESIS_HASH
    for row in rows(store):
        seq = int(row[0])
        if seq < start:
            prev = str(row[6])
            continue
        data = {**json.loads(row[4]), **edit.get(seq, {})}
        text = audit.canonical(data)
        digest = audit.chain_hash(prev, text)
        store._rows(
            "UPDATE audit_log SET record = ?, caller = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            (text, data["caller"], prev, digest, seq),
        )
        prev = digest
    last = rows(store)[-1]
    store._rows("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (last[0], prev))
    return prev


def broken(store: Store) -> audit.VerifyReport:
    report = audit.verify(store)
    assert not report.ok, "the tampering went unnoticed"
    return report


def anchored(store: Store, path: Path) -> list[tuple[str, anchors.Anchor]]:
    anchors.append_to_file(path, anchors.make(store))
    return anchors.read(path)


def test_untouched_chain_verifies(store: Store) -> None:
    report = audit.verify(store)
    assert report.ok and report.records == 5 and report.legacy == 0
    assert len(report.key_ids) == 1
    assert all(r[7] and r[8] == report.key_ids[0] for r in rows(store))


# -- the four that hashes alone let through -----------------------------------------------------


def test_a_recomputed_chain_is_caught_by_its_macs(store: Store) -> None:
    lift_triggers(store)
    rechain(store, 2, {2: {"caller": "someone else"}})
    report = broken(store)
    assert report.broken_seq == 2 and "MAC does not match" in (report.reason or "")


def test_a_recomputed_chain_with_macs_stripped_is_caught(store: Store) -> None:
    lift_triggers(store)
    rechain(store, 1, {3: {"results": ["forged"]}})
    store._rows("UPDATE audit_log SET mac = NULL, key_id = NULL")
    store._rows("UPDATE audit_head SET mac = NULL, key_id = NULL")
    report = broken(store)
    assert report.broken_seq == 1 and "its MAC was stripped" in (report.reason or "")


def test_b_a_cut_tail_is_caught_by_the_head_mac_and_by_an_anchor(
    store: Store, tmp_path: Path
) -> None:
    found = anchored(store, tmp_path / "anchors.jsonl")
    lift_triggers(store)
    third = rows(store)[2]
    store._rows("DELETE FROM audit_log WHERE seq > 3")
    # the head moved back, with the third record's own MAC copied onto it
    store._rows(
        "UPDATE audit_head SET seq = 3, hash = ?, mac = ?, key_id = ? WHERE id = 1",
        (third[6], third[7], third[8]),
    )
    report = broken(store)
    assert "chain head" in (report.reason or "") and "MAC" in (report.reason or "")
    store._rows("UPDATE audit_head SET mac = NULL, key_id = NULL WHERE id = 1")
    assert "head has no MAC" in (broken(store).reason or "")
    reason = anchors.check(store, found)
    assert reason is not None and "record 5 was anchored" in reason and "cut off" in reason


def test_c_a_forged_record_is_caught_by_its_mac(store: Store) -> None:
    lift_triggers(store)
    seq, digest = audit.head(store)
    data = {
        "seq": seq + 1,
        "recorded_at": audit.now_stamp(),
        "caller": "t",
        "kind": "test",
        "request": {"forged": True},
        "lists": [],
        "results": [],
    }
    text = audit.canonical(data)
    forged = audit.chain_hash(digest, text)
    for mac, kid in ((None, None), ("0" * 64, rows(store)[0][8])):
        store._rows("DELETE FROM audit_log WHERE seq = ?", (seq + 1,))
        store._rows(
            f"INSERT INTO audit_log ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (seq + 1, data["recorded_at"], "t", "test", text, digest, forged, mac, kid),
        )
        store._rows("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq + 1, forged))
        report = broken(store)
        assert report.broken_seq == seq + 1
        assert ("stripped" if mac is None else "MAC does not match") in (report.reason or "")


def test_d_a_wipe_is_caught_in_a_used_store_and_by_an_anchor(store: Store, tmp_path: Path) -> None:
    keys.create_key(store, "a screener", "screener")
    found = anchored(store, tmp_path / "anchors.jsonl")
    lift_triggers(store)
    store._rows("DELETE FROM audit_log")
    store._rows("DELETE FROM audit_head")
    report = broken(store)
    assert "empty" in (report.reason or "") and "1 API keys" in (report.reason or "")
    reason = anchors.check(store, found)
    assert reason is not None and "wiped" in reason
    # wiped, then written again by the application: the new chain verifies, the anchor does not
    for i in range(6):
        audit.append(store, caller="t", kind="test", request={"again": i}, lists=[], results=[])
    assert audit.verify(store).ok
    reason = anchors.check(store, found)
    assert reason is not None and "rewritten" in reason


def test_a_wiped_store_fails_verify_on_the_command_line(db: str, store: Store) -> None:
    keys.create_key(store, "a screener", "screener")
    lift_triggers(store)
    store._rows("DELETE FROM audit_log")
    store._rows("DELETE FROM audit_head")
    result = CliRunner().invoke(cli, ["--db", db, "audit", "verify"])
    assert result.exit_code != 0
    assert isinstance(result.exception, audit.AuditBrokenError)
    assert result.exception.exit_code == 6 and "wipe" in str(result.exception)


# -- the naive ones, caught by the hashes -------------------------------------------------------


def test_an_edited_record_breaks_the_chain(store: Store) -> None:
    lift_triggers(store)
    store._rows("UPDATE audit_log SET caller = 'x' WHERE seq = 3")
    assert broken(store).broken_seq == 3


def test_a_deleted_middle_record_breaks_the_chain(store: Store) -> None:
    lift_triggers(store)
    store._rows("DELETE FROM audit_log WHERE seq = 2")
    report = broken(store)
    assert report.broken_seq == 2 and "missing" in (report.reason or "")


def test_reordered_records_break_the_chain(store: Store) -> None:
    lift_triggers(store)
    second, third = rows(store)[1], rows(store)[2]
    for row, seq in ((second, 3), (third, 2)):
        store._rows(
            "UPDATE audit_log SET record = ?, prev_hash = ?, hash = ?, mac = ? WHERE seq = ?",
            (row[4], row[5], row[6], row[7], seq),
        )
    assert broken(store).broken_seq == 2


def test_an_edited_head_breaks_the_chain(store: Store) -> None:
    lift_triggers(store)
    store._rows("UPDATE audit_head SET hash = ? WHERE id = 1", ("f" * 64,))
    assert "chain head" in (broken(store).reason or "")


def test_a_forged_anchor_is_not_genuine(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "anchors.jsonl"
    anchored(store, path)
    line = json.loads(path.read_text())
    line["seq"] = 4
    path.write_text(json.dumps(line) + "\n")
    reason = anchors.check(store, anchors.read(path))
    assert reason is not None and "not genuine" in reason and f"{path} line 1" in reason
