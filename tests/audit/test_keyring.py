"""The keyring and what rests on it: rotation (old and new records verify; a removed key fails
with a reason), key file permissions, anchors through a file and syslog, the legacy unsigned
prefix of an older store, and webhook secrets sealed at rest."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from sanctrace import anchors, audit, keyring
from sanctrace.cli.app import app as cli
from sanctrace.errors import SanctraceError
from sanctrace.monitor import alerts, delivery, targets
from sanctrace.store import Store, open_store
from sanctrace.store.base import GENESIS_HASH


def _append(store: Store, n: int) -> None:
    for i in range(n):
        audit.append(store, caller="t", kind="test", request={"i": i}, lists=[], results=[])


def test_rotation_keeps_old_records_verifying(store: Store, _keyring_here: Path) -> None:
    old = keyring.require(store).current_id
    new, ring = keyring.rotate(_keyring_here)
    assert ring.current_id == new.id != old and {k.id for k in ring.keys} == {old, new.id}
    store._keyring = None  # a new process, or a reopened store, loads the rotated file
    _append(store, 2)
    report = audit.verify(store)
    assert report.ok and report.records == 7 and set(report.key_ids) == {old, new.id}
    assert audit.get(store, 7) is not None
    assert store._rows("SELECT key_id FROM audit_head")[0][0] == new.id
    # a writer still holding the old keyring meets a head signed with the new key: reloads
    stale = store.reopen()
    stale._keyring = keyring.Keyring((ring.get(old),), old, "stale")  # type: ignore[arg-type]
    _append(stale, 1)
    assert stale._keyring.current_id == new.id
    stale.close()


def test_a_record_signed_with_a_removed_key_fails(store: Store, _keyring_here: Path) -> None:
    old = keyring.require(store).current_id
    keyring.rotate(_keyring_here)
    document = json.loads(_keyring_here.read_text())
    document["keys"] = [k for k in document["keys"] if k["id"] != old]
    _keyring_here.write_text(json.dumps(document))
    store._keyring = None
    report = audit.verify(store)
    assert not report.ok and report.broken_seq == 1
    assert f"signed with key {old}, which is not in the keyring" in (report.reason or "")


def test_an_open_key_file_is_refused(store: Store, _keyring_here: Path) -> None:
    assert _keyring_here.stat().st_mode & 0o777 == 0o600
    _keyring_here.chmod(0o644)
    store._keyring = None
    with pytest.raises(audit.AuditWriteError, match="chmod 600"):
        _append(store, 1)
    with pytest.raises(keyring.KeyringError, match=r"open to group or others \(mode 0644\)"):
        audit.verify(store)
    _keyring_here.chmod(0o600)
    assert audit.verify(store).ok


def test_keys_from_the_environment(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = "a" * 40, "b" * 40
    monkeypatch.setenv(keyring.ENV_KEY, first)
    with open_store(db) as store:
        _append(store, 2)
    monkeypatch.setenv(keyring.ENV_KEY, f"{first},{second}")
    with open_store(db) as store:
        _append(store, 1)
        report = audit.verify(store)
        assert report.ok and report.key_ids == tuple(
            sorted({keyring.key_id(first.encode()), keyring.key_id(second.encode())})
        )
        with pytest.raises(keyring.KeyringError, match="adding a new key"):
            keyring.rotate(Path("unused"))
    monkeypatch.setenv(keyring.ENV_KEY, "short")
    with open_store(db) as store, pytest.raises(keyring.KeyringError, match="at least 32"):
        audit.verify(store)


def test_anchor_round_trip_on_the_command_line(db: str, store: Store, tmp_path: Path) -> None:
    runner = CliRunner()
    path = tmp_path / "anchors.jsonl"
    for _ in range(2):
        made = runner.invoke(cli, ["--db", db, "audit", "anchor", "--file", str(path)])
        assert made.exit_code == 0, made.output
        _append(store, 1)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [a["seq"] for a in lines] == [5, 6] and all(len(a["mac"]) == 64 for a in lines)
    ok = runner.invoke(cli, ["--db", db, "audit", "verify", "--anchor", str(path)])
    assert ok.exit_code == 0, ok.output
    assert "2 anchored heads hold" in ok.stdout
    printed = runner.invoke(cli, ["--db", db, "audit", "anchor"])
    assert json.loads(printed.stdout)["seq"] == 7
    path.write_text(path.read_text() + "not json\n")
    bad = runner.invoke(cli, ["--db", db, "audit", "verify", "--anchor", str(path)])
    assert bad.exit_code != 0 and f"{path} line 3: not an audit anchor" in str(bad.exception)


def test_anchor_to_syslog(store: Store) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(10)
        made = anchors.make(store)
        anchors.to_syslog(f"127.0.0.1:{receiver.getsockname()[1]}", made)
        message = receiver.recv(65536).decode()
    assert anchors.SYSLOG_PREFIX in message
    line = message.split(anchors.SYSLOG_PREFIX, 1)[1].rstrip("\x00")
    assert anchors.check(store, [("syslog", anchors.parse(line, "syslog"))]) is None


def test_anchor_webhook_must_be_public_https(store: Store) -> None:
    made = anchors.make(store)
    with pytest.raises(targets.UnsafeTarget, match="plain http"):
        anchors.post("http://169.254.169.254/latest", made)
    with pytest.raises(targets.UnsafeTarget, match="refused"):
        anchors.post("https://127.0.0.1/anchor", made)


def test_a_tampered_head_is_not_anchored(store: Store) -> None:
    store._rows("UPDATE audit_head SET mac = ? WHERE id = 1", ("0" * 64,))
    with pytest.raises(audit.AuditBrokenError, match="nothing was anchored"):
        anchors.make(store)


def test_older_unsigned_records_verify_as_a_legacy_prefix(db: str, _keyring_here: Path) -> None:
    with open_store(db) as store:
        prev = GENESIS_HASH
        for seq in (1, 2, 3):  # as the version before MACs wrote them, before any key existed
            data = {"seq": seq, "recorded_at": f"2026-01-0{seq}T00:00:00.000000Z", "caller": "t"}
            data |= {"kind": "test", "request": {}, "lists": [], "results": []}
            text = audit.canonical(data)
            digest = audit.chain_hash(prev, text)
            store._rows(
                "INSERT INTO audit_log (seq, recorded_at, caller, kind, record, prev_hash, hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, data["recorded_at"], "t", "test", text, prev, digest),
            )
            prev = digest
        store._rows("INSERT INTO audit_head (id, seq, hash) VALUES (1, 3, ?)", (prev,))
        assert not _keyring_here.exists()
        report = audit.verify(store)
        assert report.ok and report.legacy == 3
        _append(store, 2)
        report = audit.verify(store)
        assert report.ok and report.records == 5 and report.legacy == 3
        result = CliRunner().invoke(cli, ["--db", db, "audit", "verify"])
        assert "(3 legacy records without MAC)" in result.stdout


SECRET = "webhook-secret-0123456789"


def test_webhook_secrets_are_sealed_at_rest(store: Store, db: str) -> None:
    delivery.add_sink(store, "hook", webhook="https://hooks.example.com/in", secret=SECRET,
                      resolve=lambda host, port: ["93.184.215.14"])  # fmt: skip
    stored = store._rows("SELECT secret FROM alert_sinks WHERE name = 'hook'")[0][0]
    assert SECRET not in stored and stored.startswith("enc1:" + keyring.require(store).current_id)
    assert [s.secret for s in delivery.sinks(store)] == ["****" + SECRET[-4:]]
    listed = CliRunner().invoke(cli, ["--db", db, "alerts", "sinks", "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert SECRET not in listed.stdout and "****6789" in listed.stdout
    # a secret stored in plain text by an older version is sealed on first use
    store._rows("UPDATE alert_sinks SET secret = ? WHERE name = 'hook'", (SECRET,))
    assert delivery.sinks(store)[0].secret == "****" + SECRET[-4:]
    assert keyring.is_sealed(store._rows("SELECT secret FROM alert_sinks")[0][0])


def test_a_delivery_is_signed_with_the_unsealed_secret(store: Store) -> None:
    seen: list[httpx.Request] = []

    def receive(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    public = lambda host, port: ["93.184.215.14"]  # noqa: E731
    delivery.add_sink(store, "hook", webhook="https://hooks.example.com/in", secret=SECRET,
                      resolve=public)  # fmt: skip
    alerts.operational(store, "fetch", "a test alert")
    with httpx.Client(transport=httpx.MockTransport(receive)) as client:
        report = delivery.deliver(store, client=client, resolve=public)
    assert report.delivered == 1
    request = seen[0]
    stamp = request.headers[delivery.TIMESTAMP_HEADER]
    expected = hmac.new(SECRET.encode(), f"{stamp}.".encode() + request.content, hashlib.sha256)
    assert request.headers[delivery.SIGNATURE_HEADER] == "sha256=" + expected.hexdigest()


def test_store_and_key_files_are_private(tmp_path: Path, _keyring_here: Path) -> None:
    os.umask(0o022)
    path = tmp_path / "fresh" / "sanctrace.db"
    with open_store(str(path)) as store:
        _append(store, 1)
        for name in ("sanctrace.db", "sanctrace.db-wal", "sanctrace.db-shm"):
            assert (path.parent / name).stat().st_mode & 0o777 == 0o600, name
    assert _keyring_here.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("bound", "end"),
    [("9999-12-31", True), ("0001-01-01T00:00:00+05:00", False), ("10000-01-01", False)],
)
def test_time_bounds_past_the_calendar_are_a_clear_error(bound: str, end: bool) -> None:
    """``audit export --until 9999-12-31`` raised OverflowError with a traceback."""
    with pytest.raises(SanctraceError, match=r"outside the calendar|not a date"):
        audit.parse_bound(bound, end=end)


def test_an_empty_anchor_file_is_no_check(tmp_path: Path) -> None:
    empty = tmp_path / "anchors.jsonl"
    empty.write_text("\n")
    with pytest.raises(SanctraceError, match="holds no anchors"):
        anchors.read(empty)
