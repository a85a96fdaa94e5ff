"""Anchors of the audit trail: its signed head, exported outside the database (a file, a webhook,
syslog), so that a later rewrite, truncation or wipe of the chain contradicts a copy the
database's writers cannot reach. ``audit verify --anchor FILE`` checks every anchored head is
still in the chain, with the same hash."""

from __future__ import annotations

import json
import logging
import logging.handlers
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from sanctrace import audit, keyring
from sanctrace.errors import SanctraceError
from sanctrace.files import atomic_write
from sanctrace.keyring import AUDIT_LABEL, Keyring
from sanctrace.store import Store
from sanctrace.store.base import GENESIS_HASH

FIELDS = ("seq", "hash", "anchored_at", "key_id", "mac")
SYSLOG_PREFIX = "sanctrace-audit-anchor "


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    anchored_at: str
    key_id: str
    mac: str
    store: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "hash": self.hash,
            "anchored_at": self.anchored_at,
            "key_id": self.key_id,
            "mac": self.mac,
            "store": self.store,
        }

    def line(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))


def message(seq: int, digest: str, anchored_at: str) -> str:
    """What an anchor's MAC is over: distinct from a record's and the head's."""
    return f"sanctrace-audit-anchor\x00{seq}\x00{digest}\x00{anchored_at}"


def make(store: Store) -> Anchor:
    """The signed head of ``store``'s chain now. Refuses a head that does not hold (its MAC, or
    its last record), so a tampered head is never anchored as if it were good."""
    ring = keyring.require(store)
    rows = store._rows("SELECT seq, hash, mac, key_id FROM audit_head WHERE id = 1")
    seq, digest, mac, kid = rows[0] if rows else (0, GENESIS_HASH, None, None)
    seq, digest = int(seq), str(digest)
    fault = None
    if mac is not None:
        fault = ring.mac_fault(AUDIT_LABEL, audit.head_message(seq, digest), str(kid), str(mac))
    if fault is None and seq:
        last = audit.get(store, seq)
        if last is None or last.hash != digest:
            fault = f"record {seq}, which it names, is missing or differs"
    if fault is not None:
        raise audit.AuditBrokenError(
            f"the chain head does not hold ({fault}): run `sanctrace audit verify`; nothing "
            "was anchored"
        )
    stamp = audit.now_stamp()
    kid, signed = ring.mac(AUDIT_LABEL, message(seq, digest, stamp))
    return Anchor(seq, digest, stamp, kid, signed, store.location)


def parse(text: str, where: str) -> Anchor:
    """One anchor from its JSON line; ``where`` (file and line) names it in errors."""
    try:
        data = json.loads(text)
        missing = [f for f in FIELDS if f not in data]
        if missing:
            raise ValueError(f"it lacks {', '.join(missing)}")
        return Anchor(
            int(data["seq"]),
            str(data["hash"]),
            str(data["anchored_at"]),
            str(data["key_id"]),
            str(data["mac"]),
            str(data.get("store", "")),
        )
    except (ValueError, TypeError, AttributeError) as exc:
        raise SanctraceError(f"{where}: not an audit anchor ({exc})") from None


def read(path: Path) -> list[tuple[str, Anchor]]:
    """Every anchor in an anchor file, with where it is (``FILE line N``)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise SanctraceError(f"anchor file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SanctraceError(f"cannot read anchor file {path}: {exc}") from None
    found = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            where = f"{path} line {number}"
            found.append((where, parse(line, where)))
    if not found:
        # An anchor file is written by `audit anchor` and only grows: an empty one was
        # emptied, or is the wrong file, and must not pass for a check that was made.
        raise SanctraceError(f"anchor file {path} holds no anchors: nothing to check against")
    return found


def fault(store: Store, ring: Keyring | None, anchor: Anchor, last_seq: int) -> str | None:
    """Why the chain no longer holds ``anchor`` (or the anchor is forged), or None."""
    if ring is None:
        return f"anchor of record {anchor.seq} is signed, but there is no keyring"
    bad = ring.mac_fault(
        AUDIT_LABEL, message(anchor.seq, anchor.hash, anchor.anchored_at), anchor.key_id, anchor.mac
    )
    if bad is not None:
        return f"the anchor of record {anchor.seq} is not genuine: {bad}"
    if anchor.seq == 0:
        return None
    if last_seq < anchor.seq:
        return (
            f"record {anchor.seq} was anchored at {anchor.anchored_at}, but the chain now ends at "
            f"record {last_seq}: records were cut off or wiped"
        )
    record = audit.get(store, anchor.seq)
    if record is None:
        return f"record {anchor.seq}, anchored at {anchor.anchored_at}, is missing"
    if record.hash != anchor.hash:
        return (
            f"record {anchor.seq} no longer has the hash anchored at {anchor.anchored_at} "
            f"({anchor.hash[:12]}…, now {record.hash[:12]}…): the chain was rewritten"
        )
    return None


def check(store: Store, found: list[tuple[str, Anchor]]) -> str | None:
    """The first anchor the chain contradicts, as a reason naming where it is, or None."""
    ring = keyring.for_store(store, create=False)
    last = store._rows("SELECT MAX(seq) FROM audit_log")[0][0]
    last_seq = int(last or 0)
    for where, anchor in found:
        reason = fault(store, ring, anchor, last_seq)
        if reason is not None:
            return f"{reason} ({where})"
    return None


# -- destinations ---------------------------------------------------------------------------


def append_to_file(path: Path, anchor: Anchor) -> None:
    """Add one line to the anchor file: the new file replaces the old whole or not at all."""
    try:
        before = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise SanctraceError(f"cannot read anchor file {path}: {exc}") from None
    if before and not before.endswith("\n"):
        before += "\n"
    with atomic_write(path) as fh:
        fh.write(before + anchor.line() + "\n")


def post(url: str, anchor: Anchor, *, timeout: float = 10.0) -> None:
    """POST the anchor as JSON to a public https URL (checked as webhook sinks are)."""
    from sanctrace.monitor import targets

    pinned = targets.pin(url, targets.Policy())
    extensions = {"sni_hostname": pinned.url.host} if pinned.url.scheme == "https" else {}
    try:
        with httpx.Client(follow_redirects=False) as client:
            response = client.post(
                pinned.request_url(),
                content=anchor.line().encode("utf-8"),
                headers={"Content-Type": "application/json", "Host": pinned.host_header()},
                timeout=timeout,
                extensions=extensions,
            )
    except httpx.HTTPError as exc:
        raise SanctraceError(f"cannot send the anchor to {url}: {exc}") from None
    if not 200 <= response.status_code < 300:
        raise SanctraceError(f"{url} refused the anchor: HTTP {response.status_code}")


def syslog_address(target: str) -> str | tuple[str, int]:
    """``local`` (the /dev/log socket), or ``host`` / ``host:port`` over UDP (port 514)."""
    if target == "local":
        return "/dev/log"
    host, _, port = target.rpartition(":") if ":" in target else (target, "", "514")
    if not host or not port.isdigit():
        raise SanctraceError(f"--syslog {target!r}: give local, HOST or HOST:PORT")
    return host, int(port)


class _SysLog(logging.handlers.SysLogHandler):
    """A syslog handler that lets a failed send be an error instead of a printed traceback."""

    def handleError(self, record: logging.LogRecord) -> None:
        raise SanctraceError(f"cannot send the anchor to syslog at {self.address}")


def to_syslog(target: str, anchor: Anchor) -> None:
    """One syslog message (facility auth, level warning): ``sanctrace-audit-anchor {json}``."""
    try:
        handler = _SysLog(
            address=syslog_address(target), facility=logging.handlers.SysLogHandler.LOG_AUTH
        )
    except OSError as exc:
        raise SanctraceError(f"cannot reach syslog at {target}: {exc}") from None
    record = logging.LogRecord(
        "sanctrace.audit", logging.WARNING, __file__, 0, SYSLOG_PREFIX + anchor.line(), None, None
    )
    try:
        handler.emit(record)
    finally:
        handler.close()
