"""The audit trail: one append-only record per screening, chained by hashes and signed.

Each record is canonical JSON (sorted keys, no spaces, UTF-8) holding its sequence number,
time, caller, kind, the request, the list versions screened against and the results with
their scores. Its hash is ``sha256(previous record's hash + canonical JSON)``; the first
record chains to 64 zeros. A one-row ``audit_head`` table holds the last sequence number and
hash: appends lock it (PostgreSQL ``SELECT ... FOR UPDATE``; SQLite takes the database write
lock at ``BEGIN IMMEDIATE``), so concurrent appends, from threads or processes, queue up and
the chain never forks. Editing, deleting or reordering a record, or cutting records off the
end, breaks the chain at that record, and :func:`verify` names it.

Hashes alone only stop naive edits: whoever can write the database can recompute them. So
each record and the head also carry an HMAC under a key kept outside the database
(:mod:`sanctrace.keyring`), and :func:`anchor` exports the signed head to somewhere else, for
``verify`` to check later that the chain still holds every anchored head (docs/audit.md).
"""

from __future__ import annotations

import csv
import hashlib
import json
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any

from sanctrace import keyring
from sanctrace.errors import SanctraceError, StoreError
from sanctrace.export.csv import safe_cell
from sanctrace.keyring import AUDIT_LABEL, Keyring
from sanctrace.store import Store
from sanctrace.store.base import GENESIS_HASH

#: Records read per query when walking the trail.
_PAGE = 5000
#: One append at a time per process; the database lock orders processes.
_APPEND_LOCK = threading.Lock()

CSV_COLUMNS = (
    "seq",
    "recorded_at",
    "caller",
    "kind",
    "request",
    "lists",
    "results",
    "prev_hash",
    "hash",
)


class AuditWriteError(StoreError):
    """The audit record could not be written; the screening must not be answered."""


class AuditBrokenError(SanctraceError):
    """``sanctrace audit verify`` found a record that does not chain."""

    exit_code = 6


def canonical(value: Any) -> str:
    """The one JSON text of ``value`` that its hash is taken over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, record_text: str) -> str:
    return hashlib.sha256((prev_hash + record_text).encode("utf-8")).hexdigest()


def record_message(seq: int, digest: str) -> str:
    """What a record's MAC is taken over: its hash covers its content and, through the
    previous hash, every record before it."""
    return f"sanctrace-audit-record\x00{seq}\x00{digest}"


def head_message(seq: int, digest: str) -> str:
    """The head's MAC differs from its last record's, so one cannot be copied onto the other."""
    return f"sanctrace-audit-head\x00{seq}\x00{digest}"


def now_stamp() -> str:
    """UTC time with microseconds, fixed width, so that text order is time order."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    recorded_at: str
    caller: str
    kind: str
    record: dict[str, Any]
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "recorded_at": self.recorded_at,
            "caller": self.caller,
            "kind": self.kind,
            "request": self.record.get("request"),
            "lists": self.record.get("lists"),
            "results": self.record.get("results"),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def append(
    store: Store,
    *,
    caller: str,
    kind: str,
    request: Any,
    lists: Any,
    results: Any,
) -> AuditRecord:
    """Append one record in its own transaction; raises :class:`AuditWriteError` on failure,
    leaving nothing written."""
    try:
        ring = keyring.require(store)
        with _APPEND_LOCK, store._transaction():
            store._rows(
                "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, ?) "
                "ON CONFLICT (id) DO NOTHING",
                (GENESIS_HASH,),
            )
            head = store._rows(
                "SELECT seq, hash, key_id FROM audit_head WHERE id = 1" + store.for_update
            )
            seq, prev_hash = int(head[0][0]) + 1, str(head[0][1])
            if head[0][2] is not None and ring.get(str(head[0][2])) is None:
                ring = _foreign_head(store, str(head[0][2]))
            stamp = now_stamp()
            record = {
                "seq": seq,
                "recorded_at": stamp,
                "caller": caller,
                "kind": kind,
                "request": request,
                "lists": lists,
                "results": results,
            }
            text = canonical(record)
            digest = chain_hash(prev_hash, text)
            kid, mac = ring.mac(AUDIT_LABEL, record_message(seq, digest))
            head_mac = ring.mac(AUDIT_LABEL, head_message(seq, digest))[1]
            store._rows(
                "INSERT INTO audit_log (seq, recorded_at, caller, kind, record, prev_hash, hash, "
                "mac, key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, stamp, caller, kind, text, prev_hash, digest, mac, kid),
            )
            store._rows(
                "UPDATE audit_head SET seq = ?, hash = ?, mac = ?, key_id = ? WHERE id = 1",
                (seq, digest, head_mac, kid),
            )
    except AuditWriteError:
        raise
    except Exception as exc:
        raise AuditWriteError(f"audit trail write failed: {exc}") from None
    return AuditRecord(seq, stamp, caller, kind, json.loads(text), prev_hash, digest)


def _foreign_head(store: Store, kid: str) -> Keyring:
    """The keyring again when the head is signed with a key it lacks (rotated since it was
    loaded); refuses to fork the chain onto a key the other writers do not share."""
    store._keyring = None
    ring = keyring.require(store)
    if ring.get(kid) is None:
        raise AuditWriteError(
            f"the chain head is signed with key {kid}, which is not in this keyring "
            f"({ring.source}): every writer of a store needs the same keyring (set "
            f"{keyring.ENV_KEY} or {keyring.ENV_FILE})"
        )
    return ring


_COLUMNS = "seq, recorded_at, caller, kind, record, prev_hash, hash, mac, key_id"


def _pages(
    store: Store, where: str = "", params: tuple[Any, ...] = ()
) -> Iterator[tuple[Any, ...]]:
    last = 0
    while True:
        rows = store._rows(
            f"SELECT {_COLUMNS} FROM audit_log WHERE seq > ?{where} ORDER BY seq LIMIT {_PAGE}",
            (last, *params),
        )
        yield from rows
        if len(rows) < _PAGE:
            return
        last = int(rows[-1][0])


def _record(row: tuple[Any, ...]) -> AuditRecord:
    try:
        data = json.loads(row[4])
    except ValueError:
        data = {"unreadable": row[4]}
    return AuditRecord(int(row[0]), row[1], row[2], row[3], data, row[5], row[6])


#: What an analyst may decide about a result of a recorded screening.
DECISIONS = ("match", "no_match", "escalate")


def get(store: Store, seq: int) -> AuditRecord | None:
    rows = store._rows(f"SELECT {_COLUMNS} FROM audit_log WHERE seq = ?", (seq,))
    return _record(rows[0]) if rows else None


def decide(
    store: Store, *, caller: str, screening: int, entity: str, decision: str, note: str = ""
) -> AuditRecord:
    """Record an analyst's decision on one result of a recorded screening (a true match, a
    false positive, or escalated), as a record of its own that names the screening."""
    if decision not in DECISIONS:
        raise SanctraceError(f"decision {decision!r} is not one of {', '.join(DECISIONS)}")
    target = get(store, screening)
    if target is None or target.kind == "decision":
        raise SanctraceError(f"no screening with audit record {screening}")
    if entity not in _result_ids(target.record["results"]):
        raise SanctraceError(f"{entity!r} is not among the results of audit record {screening}")
    return append(
        store,
        caller=caller,
        kind="decision",
        request={"screening": screening, "entity": entity, "decision": decision, "note": note},
        lists=target.record["lists"],
        results=[],
    )


def _result_ids(results: Any) -> set[str]:
    """Record and party ids in a record's results: ``[{"id", "party_id", "referents"...}]``
    (screen), ``{"q1": [...]}`` (yente /match) or ``[[row, id, score, party or record ids]]``
    (batch)."""
    if isinstance(results, dict):
        return {i for value in results.values() for i in _result_ids(value)}
    ids = set()
    for item in results or ():
        if isinstance(item, dict) and "id" in item:
            ids.add(str(item["id"]))
            if item.get("party_id"):
                ids.add(str(item["party_id"]))
            ids.update(str(r) for r in item.get("referents") or ())
        elif isinstance(item, list) and len(item) > 1:
            ids.add(str(item[1]))
            extra = item[3] if len(item) > 3 else ()
            ids.update([extra] if isinstance(extra, str) else [str(x) for x in extra or ()])
    return ids


def count(store: Store) -> int:
    return int(store._rows("SELECT COUNT(*) FROM audit_log")[0][0])


def head(store: Store) -> tuple[int, str]:
    rows = store._rows("SELECT seq, hash FROM audit_head WHERE id = 1")
    return (int(rows[0][0]), str(rows[0][1])) if rows else (0, GENESIS_HASH)


@dataclass(frozen=True)
class VerifyReport:
    records: int
    head_hash: str
    broken_seq: int | None = None
    reason: str | None = None
    #: Records written before MACs existed (an unsigned prefix of the chain).
    legacy: int = 0
    #: Ids of the keys whose MACs were checked.
    key_ids: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def _fault(row: tuple[Any, ...], expected_seq: int, prev: str) -> str | None:
    """Why ``row`` does not chain onto ``prev`` as record ``expected_seq``, or None."""
    seq, text = int(row[0]), str(row[4])
    if seq != expected_seq:
        return f"record {expected_seq} is missing (the next one is {seq})"
    if row[5] != prev:
        return "its previous-hash does not match the record before it"
    try:
        data = json.loads(text)
    except ValueError:
        return "its content is not JSON"
    if not isinstance(data, dict) or canonical(data) != text:
        return "its content is not in canonical form (it was edited)"
    stored = (data.get("seq"), data.get("recorded_at"), data.get("caller"), data.get("kind"))
    if stored != (seq, row[1], row[2], row[3]):
        return "its columns differ from its hashed content (it was edited)"
    if chain_hash(prev, text) != row[6]:
        return "its hash does not match its content (it was edited)"
    return None


def _mac_fault(
    row: tuple[Any, ...], ring: Keyring | None, signed_before: bool, nokey: str
) -> str | None:
    """Why ``row``'s MAC does not hold, or None. A record without a MAC is legacy (written
    before MACs existed) only if no record before it has one and the keyring is younger."""
    seq, stamp, digest, mac, kid = int(row[0]), str(row[1]), str(row[6]), row[7], row[8]
    if mac is None:
        if signed_before:
            return "it has no MAC, but records before it have one (its MAC was stripped)"
        since = ring.first_created if ring is not None else None
        if since is not None and stamp >= since:
            return (
                f"it has no MAC, but was written after the keyring's first key was made "
                f"({since}): its MAC was stripped"
            )
        return None
    if ring is None:
        return f"it is signed with key {kid}, but there is no keyring ({nokey})"
    return ring.mac_fault(AUDIT_LABEL, record_message(seq, digest), str(kid), str(mac))


def _head_fault(
    store: Store, ring: Keyring | None, checked: int, prev: str, signed: bool, nokey: str
) -> str | None:
    rows = store._rows("SELECT seq, hash, mac, key_id FROM audit_head WHERE id = 1")
    head_seq, head_hash, mac, kid = rows[0] if rows else (0, GENESIS_HASH, None, None)
    if int(head_seq) != checked or head_hash != prev:
        return (
            f"the chain head says {head_seq} records ending in {str(head_hash)[:12]}…, but the "
            f"table holds {checked} ending in {prev[:12]}… (records were cut off the end)"
        )
    if mac is None:
        if signed:
            return "the chain head has no MAC, but its last record has one (it was rewritten)"
        return None
    if ring is None:
        return f"the chain head is signed with key {kid}, but there is no keyring ({nokey})"
    fault = ring.mac_fault(AUDIT_LABEL, head_message(checked, prev), str(kid), str(mac))
    return None if fault is None else f"the chain head: {fault.replace('its', 'the')}"


def _emptiness(store: Store) -> str | None:
    """An empty trail in a store that was used: its records (and head) were deleted."""
    api_keys = int(store._rows("SELECT COUNT(*) FROM api_keys")[0][0])
    versions = int(store._rows("SELECT COUNT(*) FROM list_versions")[0][0])
    if not api_keys and not versions:
        return None
    return (
        f"the audit trail is empty, but the store holds {api_keys:,} API keys and "
        f"{versions:,} list versions: its records were deleted (a wipe is suspected)"
    )


def verify(store: Store) -> VerifyReport:
    """Walk the chain from the first record; report the first one that does not hold: by its
    hash, by its MAC, or by the head."""
    ring = keyring.for_store(store, create=False)
    nokey = f"{keyring.ENV_KEY} is not set and there is no key file {keyring.key_file_for(store)}"
    prev, checked, legacy = GENESIS_HASH, 0, 0
    kids: set[str] = set()
    for row in _pages(store):
        fault = _fault(row, checked + 1, prev) or _mac_fault(row, ring, checked > legacy, nokey)
        if fault is not None:
            return VerifyReport(checked, prev, checked + 1, fault, legacy, tuple(sorted(kids)))
        prev = str(row[6])
        checked += 1
        if row[7] is None:
            legacy += 1
        else:
            kids.add(str(row[8]))
    fault = _head_fault(store, ring, checked, prev, checked > legacy, nokey)
    if fault is None and checked == 0:
        fault = _emptiness(store)
    report = VerifyReport(checked, prev, None, None, legacy, tuple(sorted(kids)))
    if fault is not None:
        return VerifyReport(checked, prev, checked + 1, fault, legacy, report.key_ids)
    return report


def parse_bound(value: str, *, end: bool = False) -> str:
    """A time bound as the stored text: a date means its start (``--since``) or the start of
    the next day (``--until``, so that the day is included); a date-time is taken as UTC
    unless it gives an offset."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            if end:
                moment += timedelta(days=1)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
        stamp = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        raise SanctraceError(
            f"{value!r} is not a date or time (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)"
        ) from None
    except OverflowError:
        raise SanctraceError(f"{value!r} is outside the calendar (years 1 to 9999, UTC)") from None
    return stamp


def records(
    store: Store, since: str | None = None, until: str | None = None
) -> Iterator[AuditRecord]:
    """Records with ``since <= recorded_at < until`` (bounds from :func:`parse_bound`)."""
    where = ""
    params: tuple[str, ...] = ()
    if since:
        where += " AND recorded_at >= ?"
        params += (since,)
    if until:
        where += " AND recorded_at < ?"
        params += (until,)
    for row in _pages(store, where, params):
        yield _record(row)


def write_jsonl(items: Iterable[AuditRecord], fh: IO[str]) -> int:
    n = 0
    for item in items:
        fh.write(json.dumps(item.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        n += 1
    return n


def write_csv(items: Iterable[AuditRecord], fh: IO[str]) -> int:
    """One row per record; JSON columns as canonical JSON, every cell spreadsheet-safe."""
    writer = csv.writer(fh)
    writer.writerow(CSV_COLUMNS)
    n = 0
    for item in items:
        data = item.to_dict()
        cells = [data[c] if isinstance(data[c], str) else canonical(data[c]) for c in CSV_COLUMNS]
        writer.writerow([safe_cell(c) for c in cells])
        n += 1
    return n
