"""Alert delivery against a real local webhook receiver that misbehaves on purpose (answers too
late, 500s, drops the connection, 429s): no alert is lost, every retry is byte-identical and
signed, failures are recorded, dead-lettered and redelivered; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from sanctrace.cli import alert_sinks
from sanctrace.cli.context import State
from sanctrace.errors import NotFoundError, SanctraceError
from sanctrace.monitor import alerts, delivery, targets
from sanctrace.store import Store, open_store

SECRET = "test-secret-0123456789abcdef"
#: The receivers here listen on plain http on loopback, which a sink must allow explicitly.
LOCAL = targets.Policy(allow_insecure=True, allow_private=True)


def public_dns(host: str, port: int) -> list[str]:
    """A resolver for the made-up public host names of these tests (no DNS lookups in tests)."""
    return ["93.184.215.14"]


TIMEOUT = 0.3


def no_sleep(seconds: float) -> None:
    return None


@dataclass(frozen=True)
class Request:
    key: str
    timestamp: str
    signature: str
    content_type: str
    body: bytes


class Receiver:
    """A webhook receiver on 127.0.0.1 that answers each request as its script says, then as
    ``default``. It records every request, and every one it processed: a receiver processes a
    request it then answers too slowly, so it must drop the retry by its idempotency key."""

    ACTIONS = ("ok", "slow", "close", "500", "429", "503")

    def __init__(self, script: Sequence[str], default: str) -> None:
        assert all(a in self.ACTIONS for a in (*script, default))
        self.script = list(script)
        self.default = default
        self.requests: list[Request] = []
        self.processed: list[Request] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                return None  # a client that gave up waiting is part of the script

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/alerts"

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers["Content-Length"]))
        request = Request(
            key=handler.headers["Idempotency-Key"],
            timestamp=handler.headers["X-Sanctrace-Timestamp"],
            signature=handler.headers["X-Sanctrace-Signature"],
            content_type=handler.headers["Content-Type"],
            body=body,
        )
        with self._lock:
            self.requests.append(request)
            action = self.script.pop(0) if self.script else self.default
            if action in ("ok", "slow"):
                self.processed.append(request)
        if action == "close":
            handler.close_connection = True
            return
        if action == "slow":
            time.sleep(TIMEOUT * 3)
        status = 200 if action in ("ok", "slow") else int(action)
        handler.send_response(status)
        if status == 429:
            handler.send_header("Retry-After", "0")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def deduplicated(self) -> dict[str, bytes]:
        """What the receiver keeps: one body per idempotency key."""
        kept: dict[str, bytes] = {}
        for request in self.processed:
            kept.setdefault(request.key, request.body)
        return kept

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(script: Sequence[str] = (), default: str = "ok") -> Receiver:
        made.append(Receiver(script, default))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened


def new_alert(n: int) -> alerts.NewAlert:
    return alerts.NewAlert(
        kind="new",
        watchlist="clients",
        key=f"C{n}",
        entity_id=f"us_ofac_sdn:{n}",
        score=0.93,
        customer_fp=f"cfp{n}",
        entity_fp=f"efp{n}",
        details={"name": "Ünïcode Trading Ltd", "lists": {"us_ofac_sdn": "2024-05-03"}},
    )


def hmac_hex(secret: str, request: Request) -> str:
    """The receiver's own check, written from the docs, not with sanctrace's helper."""
    message = request.timestamp.encode() + b"." + request.body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def by_key(requests: Sequence[Request]) -> dict[str, list[Request]]:
    grouped: dict[str, list[Request]] = {}
    for request in requests:
        grouped.setdefault(request.key, []).append(request)
    return grouped


def test_a_misbehaving_receiver_gets_every_alert_once(
    store: Store, receiver: Callable[..., Receiver]
) -> None:
    hook = receiver(["slow", "ok", "500", "close", "429", "ok"])
    delivery.add_sink(store, "siem", webhook=hook.url, secret=SECRET, policy=LOCAL)
    first, second = alerts.raise_alerts(store, [new_alert(1), new_alert(2)])
    keys = {first: f"sanctrace-siem-{first}", second: f"sanctrace-siem-{second}"}

    seen_elsewhere: list[tuple[int, str, int, str | None]] = []
    other = store.reopen()

    def sleep(seconds: float) -> None:
        """While waiting to retry, another connection already sees the failed attempt."""
        for d in delivery.deliveries(other):
            if d.status == "pending" and d.attempts:
                seen_elsewhere.append((d.alert_id, d.status, d.attempts, d.last_error))

    try:
        report = delivery.deliver(store, timeout=TIMEOUT, backoff=0.01, sleep=sleep)
    finally:
        other.close()

    assert (report.delivered, report.failed, report.dead, report.pending) == (2, 4, 0, 0)
    assert seen_elsewhere == [
        (first, "pending", 1, "timed out after 0.3 s"),
        (second, "pending", 1, "HTTP 500"),
        (second, "pending", 2, "connection closed without a response"),
        (second, "pending", 3, "HTTP 429"),
    ]
    final = [(d.alert_id, d.status, d.attempts, d.last_error) for d in delivery.deliveries(store)]
    assert final == [
        (first, "delivered", 1, "timed out after 0.3 s"),
        (second, "delivered", 3, "HTTP 429"),
    ]
    assert all(d.delivered_at for d in delivery.deliveries(store))

    sent = by_key(hook.requests)
    assert {key: len(requests) for key, requests in sent.items()} == {
        keys[first]: 2,
        keys[second]: 4,
    }
    for alert_id, key in keys.items():
        bodies = {r.body for r in sent[key]}
        assert len(bodies) == 1, "every retry must carry byte-identical bodies"
        document = json.loads(bodies.pop())
        assert document == {
            "idempotency_key": key,
            "alert": alerts.get(store, alert_id).to_dict(),
        }
    # The slow first attempt was processed, and so was its retry: the key dedupes them.
    assert [r.key for r in hook.processed] == [keys[first], keys[first], keys[second]]
    kept = hook.deduplicated()
    assert sorted(kept) == sorted(keys.values())
    assert [json.loads(kept[keys[a]])["alert"]["id"] for a in (first, second)] == [first, second]

    for request in hook.requests:
        assert request.content_type == "application/json"
        assert request.signature == hmac_hex(SECRET, request)
        assert request.signature != hmac_hex(SECRET + "x", request)
        assert delivery.verify_signature(SECRET, request.timestamp, request.body, request.signature)
        assert not delivery.verify_signature(
            "another-secret-0123456789", request.timestamp, request.body, request.signature
        )
        assert not delivery.verify_signature(
            SECRET, request.timestamp, request.body + b" ", request.signature
        )
        late = int(request.timestamp) + 3600
        assert not delivery.verify_signature(
            SECRET, request.timestamp, request.body, request.signature, now=late
        )

    again = delivery.deliver(store, timeout=TIMEOUT, sleep=no_sleep)
    assert (again.delivered, again.failed, again.pending) == (0, 0, 0)
    assert len(hook.requests) == 6


def test_a_down_receiver_dead_letters_then_redeliver_sends_once_it_recovers(
    store: Store, receiver: Callable[..., Receiver]
) -> None:
    hook = receiver(default="503")
    delivery.add_sink(store, "siem", webhook=hook.url, secret=SECRET, policy=LOCAL)
    first, second = alerts.raise_alerts(store, [new_alert(1), new_alert(2)])
    waits: list[float] = []
    report = delivery.deliver(
        store, max_attempts=3, backoff=0.5, jitter=0, timeout=TIMEOUT, sleep=waits.append
    )
    # The first alert is retried to death; the second waits for the next run, not sent into a
    # receiver that is down.
    assert (report.delivered, report.failed, report.dead, report.pending) == (0, 3, 1, 1)
    assert waits == [0.5, 1.0]
    assert [r.key for r in hook.requests] == [f"sanctrace-siem-{first}"] * 3
    [dead] = delivery.dead_letters(store)
    assert (dead.alert_id, dead.sink, dead.status, dead.attempts, dead.last_error) == (
        first,
        "siem",
        "dead",
        3,
        "HTTP 503",
    )
    assert dead.delivered_at is None

    hook.default = "ok"
    assert delivery.redeliver(store, [first]) == 1
    requeued = delivery.deliveries(store)[0]
    assert (requeued.status, requeued.attempts) == ("pending", 0)
    with pytest.raises(NotFoundError, match=f"no dead-lettered delivery for alert {first}"):
        delivery.redeliver(store, [first])

    report = delivery.deliver(store, max_attempts=3, timeout=TIMEOUT, sleep=no_sleep)
    assert (report.delivered, report.failed, report.dead, report.pending) == (2, 0, 0, 0)
    assert delivery.dead_letters(store) == []
    sent = by_key(hook.requests)
    assert len(sent[f"sanctrace-siem-{first}"]) == 4
    assert len({r.body for r in sent[f"sanctrace-siem-{first}"]}) == 1
    assert list(hook.deduplicated()) == [f"sanctrace-siem-{first}", f"sanctrace-siem-{second}"]


def test_a_crash_while_waiting_to_retry_loses_nothing(
    store: Store, receiver: Callable[..., Receiver]
) -> None:
    hook = receiver(["500"])
    delivery.add_sink(store, "siem", webhook=hook.url, secret=SECRET, policy=LOCAL)
    [alert_id] = alerts.raise_alerts(store, [new_alert(1)])
    start = 1_800_000_000.0

    def killed(seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        delivery.deliver(
            store, backoff=30, jitter=0, timeout=TIMEOUT, sleep=killed, now=lambda: start
        )
    [row] = delivery.deliveries(store)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "HTTP 500")
    assert row.next_attempt == "2027-01-15T08:00:30.000000Z"

    early = delivery.deliver(store, timeout=TIMEOUT, sleep=no_sleep, now=lambda: start + 10)
    assert (early.delivered, early.pending) == (0, 1)
    assert len(hook.requests) == 1
    due = delivery.deliver(store, timeout=TIMEOUT, sleep=no_sleep, now=lambda: start + 31)
    assert (due.delivered, due.pending) == (1, 0)
    assert [r.key for r in hook.processed] == [f"sanctrace-siem-{alert_id}"]
    assert hook.requests[0].body == hook.requests[1].body


def test_each_sink_gets_its_own_copy_and_a_late_sink_only_new_alerts(
    store: Store, receiver: Callable[..., Receiver], tmp_path: Path
) -> None:
    one, two = receiver(), receiver()
    delivery.add_sink(store, "one", webhook=one.url, secret=SECRET, policy=LOCAL)
    delivery.add_sink(store, "two", webhook=two.url, secret=SECRET + "-two", policy=LOCAL)
    lines = tmp_path / "created" / "on" / "demand" / "alerts.jsonl"
    delivery.add_sink(store, "file", jsonl=str(lines))
    [old] = alerts.raise_alerts(store, [new_alert(1)])
    late = tmp_path / "late.jsonl"
    late.write_bytes(b'{"torn": ')  # what a crash mid-write could leave behind
    delivery.add_sink(store, "late", jsonl=str(late))
    [new] = alerts.raise_alerts(store, [new_alert(2)])

    report = delivery.deliver(store, timeout=TIMEOUT, sleep=no_sleep)
    assert (report.delivered, report.failed, report.dead, report.pending) == (7, 0, 0, 0)
    for name, hook, secret in (("one", one, SECRET), ("two", two, SECRET + "-two")):
        assert [r.key for r in hook.requests] == [f"sanctrace-{name}-{a}" for a in (old, new)]
        assert all(r.signature == hmac_hex(secret, r) for r in hook.requests)
    assert hmac_hex(SECRET, two.requests[0]) != two.requests[0].signature

    written = lines.read_text(encoding="utf-8")
    assert written.endswith("\n")
    documents = [json.loads(line) for line in written.splitlines()]
    assert [d["idempotency_key"] for d in documents] == [f"sanctrace-file-{a}" for a in (old, new)]
    assert [d["alert"] for d in documents] == [alerts.get(store, a).to_dict() for a in (old, new)]
    assert "Ünïcode Trading Ltd" in written
    late_lines = late.read_text(encoding="utf-8").splitlines()
    assert late_lines[0] == '{"torn": '
    assert [json.loads(line)["alert"]["id"] for line in late_lines[1:]] == [new]
    counts = {s.name: (s.pending, s.dead, s.delivered) for s in delivery.sinks(store)}
    assert counts == {"file": (0, 0, 2), "late": (0, 0, 1), "one": (0, 0, 2), "two": (0, 0, 2)}


def test_an_unwritable_file_is_a_failed_attempt(store: Store, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    delivery.add_sink(store, "file", jsonl=str(blocker / "alerts.jsonl"))
    alerts.raise_alerts(store, [new_alert(1)])
    report = delivery.deliver(store, max_attempts=2, sleep=no_sleep)
    assert (report.delivered, report.failed, report.dead) == (0, 2, 1)
    [dead] = delivery.dead_letters(store)
    assert dead.last_error is not None
    assert dead.last_error.startswith(f"cannot write {blocker / 'alerts.jsonl'}: ")


def test_resolving_an_alert_does_not_change_the_bytes_of_its_retry(
    store: Store, receiver: Callable[..., Receiver]
) -> None:
    hook = receiver(["500"])
    delivery.add_sink(store, "siem", webhook=hook.url, secret=SECRET, policy=LOCAL)
    [alert_id] = alerts.raise_alerts(store, [new_alert(1)])

    def resolve_meanwhile(seconds: float) -> None:
        alerts.resolve(store, alert_id, decision="false-positive", note="other DOB", caller="t")

    delivery.deliver(store, timeout=TIMEOUT, sleep=resolve_meanwhile)
    assert alerts.get(store, alert_id).status == "resolved"
    assert len(hook.requests) == 2 and hook.requests[0].body == hook.requests[1].body
    assert json.loads(hook.requests[1].body)["alert"]["status"] == "open"


def test_sinks_are_checked_listed_masked_and_removed(store: Store, tmp_path: Path) -> None:
    url = "https://hooks.example.org/sanctrace"
    for kwargs, message in (
        ({}, "either a webhook URL or a JSON-lines file"),
        ({"webhook": url, "jsonl": "a.jsonl", "secret": SECRET}, "either a webhook URL"),
        ({"webhook": "ftp://example.org/x", "secret": SECRET}, "must be https:// with a host"),
        ({"webhook": "example.org/hook", "secret": SECRET}, "must be https:// with a host"),
        ({"webhook": url}, "a webhook needs a secret"),
        ({"webhook": url, "secret": "short"}, "at least 16 characters"),
        ({"jsonl": "a.jsonl", "secret": SECRET}, "takes no secret"),
        ({"jsonl": str(tmp_path)}, "is a folder"),
    ):
        with pytest.raises(SanctraceError, match=message):
            delivery.add_sink(store, "siem", resolve=public_dns, **kwargs)
    with pytest.raises(SanctraceError, match="not a short identifier"):
        delivery.add_sink(store, "my sink", webhook=url, secret=SECRET, resolve=public_dns)

    added = delivery.add_sink(store, "siem", webhook=url, secret=SECRET, resolve=public_dns)
    assert (added.kind, added.target, added.secret) == ("webhook", url, "****" + SECRET[-4:])
    with pytest.raises(SanctraceError, match="already an alert sink named 'siem'"):
        delivery.add_sink(store, "siem", jsonl=str(tmp_path / "a.jsonl"))
    delivery.add_sink(store, "file", jsonl="relative/alerts.jsonl")
    listed = delivery.sinks(store)
    assert [s.name for s in listed] == ["file", "siem"]
    assert Path(listed[0].target).is_absolute() and listed[0].secret is None
    assert SECRET not in repr(listed) and SECRET not in json.dumps([s.to_dict() for s in listed])

    alerts.raise_alerts(store, [new_alert(1), new_alert(2)])
    assert [(s.name, s.pending) for s in delivery.sinks(store)] == [("file", 2), ("siem", 2)]
    assert delivery.remove_sink(store, "siem") == 2
    left = store._rows("SELECT sink, COUNT(*) FROM alert_deliveries GROUP BY sink")
    assert [(str(s), int(n)) for s, n in left] == [("file", 2)]
    with pytest.raises(NotFoundError, match="no alert sink named 'siem'"):
        delivery.remove_sink(store, "siem")


def test_retry_schedule() -> None:
    assert [delivery.retry_delay(n, 1.0, 60.0) for n in range(1, 9)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
    ]


def test_the_command_line(store_url: str, receiver: Callable[..., Receiver]) -> None:
    cli = typer.Typer()

    @cli.callback()
    def root(ctx: typer.Context, db: str = typer.Option(...)) -> None:
        ctx.obj = state = State(db=db)
        ctx.call_on_close(state.close)  # as sanctrace's own root does

    cli.add_typer(alert_sinks.app, name="sinks")
    cli.command("deliver")(alert_sinks.deliver_command)
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None) -> Any:
        return runner.invoke(cli, ["--db", store_url, *args], env=env)

    hook = receiver(default="500")
    missing = run("sinks", "add", "siem", "--webhook", hook.url, "--secret-env", "NO_SUCH_VAR")
    assert missing.exit_code != 0
    assert "NO_SUCH_VAR is not set" in str(missing.exception)
    added = run(
        "sinks", "add", "siem", "--webhook", hook.url, "--secret-env", "HOOK_SECRET",
        "--allow-insecure", "--allow-private", env={"HOOK_SECRET": SECRET},
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    listed = run("sinks", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert SECRET not in listed.output
    [sink] = json.loads(listed.output)
    assert (sink["name"], sink["kind"], sink["secret"]) == ("siem", "webhook", "****cdef")

    with open_store(store_url) as store:
        [alert_id] = alerts.raise_alerts(store, [new_alert(1)])
    failed = run("deliver", "--max-attempts", "2", "--backoff", "0", "--timeout", "0.3")
    assert failed.exit_code == 1, failed.output
    assert "0 delivered, 2 failed attempts, 1 dead-lettered, 0 pending" in failed.output
    dead = run("sinks", "dead", "--format", "json")
    assert [(d["alert_id"], d["last_error"]) for d in json.loads(dead.output)] == [
        (alert_id, "HTTP 500")
    ]
    assert run("sinks", "redeliver").exit_code != 0
    hook.default = "ok"
    again = run("sinks", "redeliver", "--all")
    assert again.exit_code == 0 and "1 deliveries queued again" in again.output
    sent = run("deliver", "--timeout", "0.3")
    assert sent.exit_code == 0, sent.output
    assert "1 delivered, 0 failed attempts, 0 dead-lettered, 0 pending" in sent.output
    removed = run("sinks", "remove", "siem")
    assert removed.exit_code == 0 and "Removed sink 'siem'" in removed.output
    assert "No alert sinks yet" in run("sinks", "list").output
