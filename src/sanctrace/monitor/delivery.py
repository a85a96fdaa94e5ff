"""Alert delivery: every alert goes to every sink that existed when it was raised, at least once.

A sink is a webhook (an HTTPS endpoint that gets a signed JSON POST) or a JSON-lines file.
Raising an alert queues one ``alert_deliveries`` row per sink; :func:`deliver` sends the due
rows and commits the outcome of each attempt before the next, so a crash or a kill loses no
alert: a row is marked delivered only after a 2xx answer (or an fsynced line), and anything
unfinished is sent again. A retry carries the same idempotency key and the same body bytes, so
a receiver that saw the first attempt can drop the repeat. A delivery that fails
``max_attempts`` times is dead-lettered; :func:`redeliver` queues it again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from sanctrace import __version__, keyring
from sanctrace.audit import now_stamp
from sanctrace.errors import NotFoundError, SanctraceError
from sanctrace.monitor import alerts, targets
from sanctrace.store import Store

KINDS = ("webhook", "jsonl")
#: Sink names: they appear in idempotency keys and on the command line.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
#: Shorter HMAC keys are too easy to guess.
MIN_SECRET = 16
SIGNATURE_HEADER = "X-Sanctrace-Signature"
TIMESTAMP_HEADER = "X-Sanctrace-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Sink:
    """A sink as shown to people: the secret is masked, and the queue is counted."""

    name: str
    kind: str
    target: str
    secret: str | None
    created_at: str
    pending: int = 0
    dead: int = 0
    delivered: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "target": self.target,
            "secret": self.secret,
            "created_at": self.created_at,
            "pending": self.pending,
            "dead": self.dead,
            "delivered": self.delivered,
        }


@dataclass(frozen=True)
class Delivery:
    """One alert's delivery to one sink."""

    alert_id: int
    sink: str
    status: str
    attempts: int
    next_attempt: str | None
    last_error: str | None
    delivered_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "alert_id": self.alert_id,
            "sink": self.sink,
            "status": self.status,
            "attempts": self.attempts,
            "next_attempt": self.next_attempt,
            "last_error": self.last_error,
            "delivered_at": self.delivered_at,
        }


@dataclass(frozen=True)
class Attempt:
    """A failed attempt, reported to the caller as it happens (the CLI prints it)."""

    alert_id: int
    sink: str
    attempt: int
    error: str
    retry_in: float | None  # None: dead-lettered


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0  # failed attempts, retried or not
    dead: int = 0  # dead-lettered in this run
    pending: int = 0  # still queued after this run (not yet due, or its sink was failing)

    def summary(self) -> str:
        return (
            f"{self.delivered:,} delivered, {self.failed:,} failed attempts, "
            f"{self.dead:,} dead-lettered, {self.pending:,} pending"
        )


# -- pure helpers ---------------------------------------------------------------------------


def idempotency_key(sink: str, alert_id: int) -> str:
    """The same for every attempt of one delivery, so the receiver can drop repeats."""
    return f"sanctrace-{sink}-{alert_id}"


def as_raised(alert: alerts.Alert) -> alerts.Alert:
    """The alert as it was raised: a later decision on it must not change the bytes of a retry."""
    return replace(
        alert,
        status="open",
        decision=None,
        note=None,
        resolved_by=None,
        resolved_at=None,
        audit_seq=None,
        assignee=None,
        assigned_at=None,
        audit_seqs=(),
    )


def payload(sink: str, alert: alerts.Alert) -> bytes:
    """The body sent to a sink: canonical JSON (sorted keys, no spaces), identical on retries."""
    document = {"idempotency_key": idempotency_key(sink, alert.id), "alert": alert.to_dict()}
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 over ``"<timestamp>." + body``: the timestamp is signed
    too, so a captured request cannot be replayed later with a fresh timestamp."""
    message = f"{timestamp}.".encode("ascii") + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    header: str,
    *,
    tolerance: float = 300.0,
    now: float | None = None,
) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - stamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, stamp, body), header)


def headers(secret: str, timestamp: int, key: str, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": f"sanctrace/{__version__}",
        IDEMPOTENCY_HEADER: key,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def retry_delay(attempts: int, backoff: float, max_backoff: float) -> float:
    """Seconds to wait after the ``attempts``-th failure: doubling from ``backoff``, capped."""
    return min(max_backoff, backoff * 2 ** max(0, attempts - 1))


def mask(secret: str | None) -> str | None:
    """Enough of a secret to tell two apart, never enough to use it."""
    if secret is None:
        return None
    return "****" + secret[-4:] if len(secret) >= MIN_SECRET else "****"


def _stamp(seconds: float) -> str:
    """Same fixed-width UTC text as ``audit.now_stamp``, so text order is time order."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _check_name(name: str) -> None:
    if not NAME_PATTERN.fullmatch(name):
        raise SanctraceError(
            f"sink name {name!r} is not a short identifier: up to 40 letters, digits, '-', '_' "
            "or '.', starting with a letter or digit"
        )


def _policy_text(policy: targets.Policy) -> str | None:
    """The stored form of a sink's exceptions to public HTTPS (None: no exception)."""
    allowed = {k: True for k, v in asdict(policy).items() if v}
    return json.dumps(allowed, sort_keys=True) if allowed else None


def _policy(text: str | None) -> targets.Policy:
    return targets.Policy(**json.loads(text)) if text else targets.Policy()


# -- sinks ----------------------------------------------------------------------------------


def add_sink(
    store: Store,
    name: str,
    *,
    webhook: str | None = None,
    jsonl: str | None = None,
    secret: str | None = None,
    policy: targets.Policy | None = None,
    resolve: targets.Resolver = targets.system_resolver,
) -> Sink:
    """Add a sink. It receives the alerts raised from now on, not the ones already raised.
    A webhook must be public HTTPS unless ``policy`` allows more (:mod:`.targets`)."""
    _check_name(name)
    policy = policy or targets.Policy()
    if (webhook is None) == (jsonl is None):
        raise SanctraceError("a sink is either a webhook URL or a JSON-lines file: give one")
    if webhook is not None:
        kind, target = "webhook", str(targets.pin(webhook, policy, resolve).url)
        if not secret:
            raise SanctraceError(
                "a webhook needs a secret to sign its requests (--secret-env VAR); make one "
                "with: python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        if len(secret) < MIN_SECRET:
            raise SanctraceError(f"the webhook secret must be at least {MIN_SECRET} characters")
    else:
        assert jsonl is not None
        if secret is not None:
            raise SanctraceError("a JSON-lines sink is a local file and takes no secret")
        if policy != targets.Policy():
            raise SanctraceError("--allow-insecure and --allow-private are for webhooks only")
        if not jsonl.strip():
            raise SanctraceError("the JSON-lines sink needs a file path")
        path = Path(jsonl).expanduser().absolute()
        if path.is_dir():
            raise SanctraceError(f"{path} is a folder: name the JSON-lines file inside it")
        kind, target = "jsonl", str(path)
    sealed = keyring.seal(store, secret) if secret else None  # stored encrypted, never plain
    with store._transaction():
        if store._rows("SELECT name FROM alert_sinks WHERE name = ?", (name,)):
            raise SanctraceError(
                f"there is already an alert sink named {name!r}: pick another name, or remove "
                "that one first"
            )
        store._rows(
            "INSERT INTO alert_sinks (name, kind, target, secret, created_at, policy) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (name, kind, target, sealed, now_stamp(), _policy_text(policy)),
        )
    return next(s for s in sinks(store) if s.name == name)


def sinks(store: Store) -> list[Sink]:
    """Every sink by name, with its secret masked and its deliveries counted by status."""
    keyring.migrate_sink_secrets(store)
    rows = store._rows(
        "SELECT s.name, s.kind, s.target, s.secret, s.created_at, "
        "SUM(CASE WHEN d.status = 'pending' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN d.status = 'dead' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN d.status = 'delivered' THEN 1 ELSE 0 END) "
        "FROM alert_sinks s LEFT JOIN alert_deliveries d ON d.sink = s.name "
        "GROUP BY s.name, s.kind, s.target, s.secret, s.created_at ORDER BY s.name"
    )
    return [
        Sink(
            name=str(r[0]),
            kind=str(r[1]),
            target=str(r[2]),
            secret=keyring.sealed_hint(r[3]) if keyring.is_sealed(r[3]) else mask(r[3]),
            created_at=str(r[4]),
            pending=int(r[5] or 0),
            dead=int(r[6] or 0),
            delivered=int(r[7] or 0),
        )
        for r in rows
    ]


def remove_sink(store: Store, name: str) -> int:
    """Remove a sink and drop its undelivered (pending and dead) deliveries; returns how many
    were dropped. Delivered rows stay as a record of what was sent."""
    with store._transaction():
        if not store._rows(
            f"SELECT name FROM alert_sinks WHERE name = ?{store.for_update}", (name,)
        ):
            raise NotFoundError(f"no alert sink named {name!r}")
        dropped = store._rows(
            "SELECT COUNT(*) FROM alert_deliveries WHERE sink = ? AND status <> 'delivered'",
            (name,),
        )
        store._rows(
            "DELETE FROM alert_deliveries WHERE sink = ? AND status <> 'delivered'", (name,)
        )
        store._rows("DELETE FROM alert_sinks WHERE name = ?", (name,))
    return int(dropped[0][0])


# -- deliveries -----------------------------------------------------------------------------

_DELIVERY_COLUMNS = (
    "d.alert_id, d.sink, d.status, d.attempts, d.next_attempt, d.last_error, d.delivered_at"
)


def _delivery(row: tuple[Any, ...]) -> Delivery:
    return Delivery(
        alert_id=int(row[0]),
        sink=str(row[1]),
        status=str(row[2]),
        attempts=int(row[3]),
        next_attempt=row[4],
        last_error=row[5],
        delivered_at=row[6],
    )


def deliveries(
    store: Store, *, status: str | None = None, sink: str | None = None
) -> list[Delivery]:
    """Deliveries to existing sinks, oldest alert first."""
    where, params = ["1 = 1"], []
    if status is not None:
        where.append("d.status = ?")
        params.append(status)
    if sink is not None:
        where.append("d.sink = ?")
        params.append(sink)
    rows = store._rows(
        f"SELECT {_DELIVERY_COLUMNS} FROM alert_deliveries d JOIN alert_sinks s ON s.name = d.sink "
        f"WHERE {' AND '.join(where)} ORDER BY d.alert_id, d.sink",
        params,
    )
    return [_delivery(r) for r in rows]


def dead_letters(store: Store) -> list[Delivery]:
    """Deliveries that failed ``max_attempts`` times and wait for :func:`redeliver`."""
    return deliveries(store, status="dead")


def redeliver(
    store: Store, alert_ids: Sequence[int] | None = None, *, sink: str | None = None
) -> int:
    """Queue dead-lettered deliveries again (all of them, or those of some alerts and/or one
    sink), with their attempts reset; returns how many. Naming an alert that has nothing
    dead-lettered changes nothing and is an error."""
    dead = [
        d
        for d in dead_letters(store)
        if (alert_ids is None or d.alert_id in alert_ids) and (sink is None or d.sink == sink)
    ]
    if alert_ids is not None:
        missing = sorted(set(alert_ids) - {d.alert_id for d in dead})
        if missing:
            where = f" to sink {sink!r}" if sink else ""
            raise NotFoundError(
                f"no dead-lettered delivery{where} for alert {', '.join(str(i) for i in missing)}"
            )
    with store._transaction():
        for d in dead:
            store._rows(
                "UPDATE alert_deliveries SET status = 'pending', attempts = 0, "
                "next_attempt = NULL WHERE alert_id = ? AND sink = ? AND status = 'dead'",
                (d.alert_id, d.sink),
            )
    return len(dead)


@dataclass(frozen=True)
class _Target:
    name: str
    kind: str
    target: str
    secret: str | None
    policy: targets.Policy


def _send_webhook(
    client: httpx.Client,
    sink: _Target,
    key: str,
    body: bytes,
    timestamp: int,
    timeout: float,
    resolve: targets.Resolver,
) -> tuple[str | None, float]:
    """POST the body to the address just checked; (None, 0) on a 2xx, else (a short error, the
    Retry-After seconds or 0). Redirects are not followed: their target was never checked."""
    assert sink.secret is not None
    try:
        pinned = targets.pin(sink.target, sink.policy, resolve)
    except targets.UnsafeTarget as exc:
        return str(exc), 0.0
    sending = headers(sink.secret, timestamp, key, body)
    sending["Host"] = pinned.host_header()
    extensions = {"sni_hostname": pinned.url.host} if pinned.url.scheme == "https" else {}
    try:
        response = client.post(
            pinned.request_url(),
            content=body,
            headers=sending,
            timeout=timeout,
            follow_redirects=False,
            extensions=extensions,
        )
    except httpx.TimeoutException:
        return f"timed out after {timeout:g} s", 0.0
    except httpx.RemoteProtocolError:
        return "connection closed without a response", 0.0
    except httpx.ConnectError as exc:
        return f"cannot connect: {exc}", 0.0
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}", 0.0
    if 200 <= response.status_code < 300:
        return None, 0.0
    if response.is_redirect:
        return (
            f"HTTP {response.status_code} redirect not followed (point the sink at the final URL)",
            0.0,
        )
    retry_after = response.headers.get("Retry-After", "")
    wait = float(retry_after) if retry_after.isdigit() else 0.0
    return f"HTTP {response.status_code}", wait


def _append_line(path: Path, body: bytes) -> str | None:
    """Append one line and fsync it; None on success, else the OS error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+b") as fh:
            end = fh.seek(0, os.SEEK_END)
            if end:
                fh.seek(end - 1)
                if fh.read(1) != b"\n":
                    body = b"\n" + body  # a torn line from a crash: start a line of our own
            fh.write(body + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    return None


def deliver(
    store: Store,
    *,
    client: httpx.Client | None = None,
    max_attempts: int = 6,
    backoff: float = 1.0,
    max_backoff: float = 60.0,
    timeout: float = 10.0,
    jitter: float = 0.1,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = time.time,
    on_failure: Callable[[Attempt], None] | None = None,
    resolve: targets.Resolver = targets.system_resolver,
) -> DeliveryReport:
    """Send every due pending delivery, oldest alert first, retrying each with backoff until it
    is delivered or dead-lettered at ``max_attempts``.

    Each attempt's outcome is committed before the next. Once a delivery to a sink is
    dead-lettered, that sink's later deliveries wait for the next run instead of each being
    retried to death against a receiver that is down.
    """
    if max_attempts < 1:
        raise SanctraceError("max_attempts must be at least 1")
    keyring.migrate_sink_secrets(store)
    rows = store._rows(
        "SELECT d.alert_id, d.sink, d.attempts, s.kind, s.target, s.secret, s.policy "
        "FROM alert_deliveries d JOIN alert_sinks s ON s.name = d.sink "
        "WHERE d.status = 'pending' AND (d.next_attempt IS NULL OR d.next_attempt <= ?) "
        "ORDER BY d.alert_id, d.sink",
        (_stamp(now()),),
    )
    report = DeliveryReport()
    own_client = client is None
    http = client if client is not None else httpx.Client(follow_redirects=False)
    broken: set[str] = set()
    try:
        for alert_id, sink_name, attempts, kind, target, secret, policy in rows:
            if sink_name in broken:
                continue
            secret = keyring.reveal(store, secret)  # decrypted only to sign this delivery
            sink = _Target(str(sink_name), str(kind), str(target), secret, _policy(policy))
            outcome = _deliver_one(
                store,
                http,
                sink,
                int(alert_id),
                int(attempts),
                max_attempts=max_attempts,
                backoff=backoff,
                max_backoff=max_backoff,
                timeout=timeout,
                jitter=jitter,
                sleep=sleep,
                now=now,
                on_failure=on_failure,
                resolve=resolve,
            )
            report.failed += outcome.failed
            if outcome.delivered:
                report.delivered += 1
            else:
                report.dead += 1
                broken.add(sink.name)
    finally:
        if own_client:
            http.close()
    counted = store._rows(
        "SELECT COUNT(*) FROM alert_deliveries d JOIN alert_sinks s ON s.name = d.sink "
        "WHERE d.status = 'pending'"
    )
    report.pending = int(counted[0][0])
    return report


@dataclass(frozen=True)
class _Outcome:
    delivered: bool
    failed: int


def _deliver_one(
    store: Store,
    http: httpx.Client,
    sink: _Target,
    alert_id: int,
    attempts: int,
    *,
    max_attempts: int,
    backoff: float,
    max_backoff: float,
    timeout: float,
    jitter: float,
    sleep: Callable[[float], None],
    now: Callable[[], float],
    on_failure: Callable[[Attempt], None] | None,
    resolve: targets.Resolver,
) -> _Outcome:
    """Attempt one delivery until it is delivered or dead, committing each outcome."""
    failed = 0
    try:
        alert = alerts.get(store, alert_id)
    except NotFoundError:
        _update(store, alert_id, sink.name, "dead", attempts, None, f"alert {alert_id} is gone")
        return _Outcome(delivered=False, failed=0)
    key = idempotency_key(sink.name, alert_id)
    body = payload(sink.name, as_raised(alert))
    while True:
        wait = 0.0
        if sink.kind == "webhook":
            error, wait = _send_webhook(http, sink, key, body, int(now()), timeout, resolve)
        elif sink.kind == "jsonl":
            error = _append_line(Path(sink.target), body)
        else:
            error = f"unknown sink kind {sink.kind!r}"
        if error is None:
            with store._transaction():
                store._rows(
                    "UPDATE alert_deliveries SET status = 'delivered', delivered_at = ?, "
                    "next_attempt = NULL WHERE alert_id = ? AND sink = ?",
                    (_stamp(now()), alert_id, sink.name),
                )
            return _Outcome(delivered=True, failed=failed)
        attempts += 1
        failed += 1
        if attempts >= max_attempts:
            _update(store, alert_id, sink.name, "dead", attempts, None, error)
            if on_failure is not None:
                on_failure(Attempt(alert_id, sink.name, attempts, error, None))
            return _Outcome(delivered=False, failed=failed)
        delay = retry_delay(attempts, backoff, max_backoff)
        delay = min(max_backoff, max(wait, delay * (1 + jitter * random.random())))
        _update(store, alert_id, sink.name, "pending", attempts, _stamp(now() + delay), error)
        if on_failure is not None:
            on_failure(Attempt(alert_id, sink.name, attempts, error, delay))
        sleep(delay)


def _update(
    store: Store,
    alert_id: int,
    sink: str,
    status: str,
    attempts: int,
    next_attempt: str | None,
    error: str,
) -> None:
    with store._transaction():
        store._rows(
            "UPDATE alert_deliveries SET status = ?, attempts = ?, next_attempt = ?, "
            "last_error = ? WHERE alert_id = ? AND sink = ?",
            (status, attempts, next_attempt, error, alert_id, sink),
        )
