"""Parties, judgements and party ids kept in the store (the I/O edge of resolution).

The automatic judgements are remade when the active list versions change; the analyst's stay.
Clustering is fast, so a new analyst judgement re-clusters from the stored judgements at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from sanctrace.errors import NotFoundError, SanctraceError
from sanctrace.match import Screener
from sanctrace.model.entity import Entity
from sanctrace.resolve.ids import Assignment, assign, is_party_id
from sanctrace.resolve.judgements import VERDICTS, Judgement
from sanctrace.store import Store, VersionInfo

if TYPE_CHECKING:
    from sanctrace.resolve.parts import NamePass
    from sanctrace.resolve.resolver import Resolution


class PartyLookup(Protocol):
    """Who is the same party: all of it in memory (:class:`Parties`) or read from the store
    one id at a time (:class:`StoredParties`)."""

    def is_member(self, record_id: str) -> bool: ...
    def party_of(self, record_id: str) -> str: ...
    def members(self, party_id: str) -> list[str]: ...
    def canonical(self, any_id: str) -> str: ...


@dataclass
class Parties:
    """Who belongs to which party, as stored."""

    membership: dict[str, str]  # record id -> party id
    redirects: dict[str, str] = field(default_factory=dict)  # merged party id -> surviving id
    _by_party: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)

    @property
    def by_party(self) -> dict[str, list[str]]:
        """Party id -> its records, sorted; made on first use (a screening needs a handful)."""
        if self._by_party is None:
            grouped: dict[str, list[str]] = {}
            for record, party in self.membership.items():
                grouped.setdefault(party, []).append(record)
            for records in grouped.values():
                records.sort()
            self._by_party = dict(sorted(grouped.items()))
        return self._by_party

    def is_member(self, record_id: str) -> bool:
        return record_id in self.membership

    def party_of(self, record_id: str) -> str:
        return self.membership.get(record_id, record_id)

    def members(self, party_id: str) -> list[str]:
        return self.by_party.get(self.canonical(party_id), [])

    def canonical(self, any_id: str) -> str:
        """The current party id of a party id (following merges) or of a record id."""
        seen = set()
        while any_id in self.redirects and any_id not in seen:
            seen.add(any_id)
            any_id = self.redirects[any_id]
        return self.membership.get(any_id, any_id)


class StoredParties:
    """The stored parties read one id at a time: a command that shows a few parties reads a
    few rows instead of all 30,000 memberships (90 ms of every ``scan`` and ``entity``).
    Answers as :class:`Parties` does; only for a store whose resolution is current."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._party: dict[str, str | None] = {}
        self._members: dict[str, list[str]] = {}

    def _stored_party(self, record_id: str) -> str | None:
        if record_id not in self._party:
            rows = self._store._rows(
                "SELECT party_id FROM party_members WHERE record_id = ?", (record_id,)
            )
            self._party[record_id] = rows[0][0] if rows else None
        return self._party[record_id]

    def is_member(self, record_id: str) -> bool:
        return self._stored_party(record_id) is not None

    def party_of(self, record_id: str) -> str:
        return self._stored_party(record_id) or record_id

    def members(self, party_id: str) -> list[str]:
        party = self.canonical(party_id)
        if party not in self._members:
            rows = self._store._rows(
                "SELECT record_id FROM party_members WHERE party_id = ? ORDER BY record_id",
                (party,),
            )
            self._members[party] = [r[0] for r in rows]
        return self._members[party]

    def canonical(self, any_id: str) -> str:
        seen = set()
        while any_id not in seen:
            seen.add(any_id)
            rows = self._store._rows(
                "SELECT redirect_to FROM parties WHERE party_id = ? AND redirect_to IS NOT NULL",
                (any_id,),
            )
            if not rows:
                break
            any_id = rows[0][0]
        return self.party_of(any_id)


def versions_key(versions: Sequence[VersionInfo]) -> str:
    text = ";".join(f"{v.dataset}={v.sha256}" for v in sorted(versions, key=lambda v: v.dataset))
    return hashlib.sha256(text.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def resolved_for(store: Store) -> str | None:
    rows = store._rows("SELECT versions FROM party_state WHERE id = 1")
    return rows[0][0] if rows else None


def load_parties(store: Store) -> Parties:
    membership = {r: p for r, p in store._rows("SELECT record_id, party_id FROM party_members")}
    redirects = {
        p: t
        for p, t in store._rows(
            "SELECT party_id, redirect_to FROM parties WHERE redirect_to IS NOT NULL"
        )
    }
    return Parties(membership, redirects)


def load_judgements(store: Store, analyst_only: bool = False) -> list[Judgement]:
    sql = "SELECT a, b, verdict, source, why, score, username, at FROM judgements"
    if analyst_only:
        sql += " WHERE source = 'analyst'"
    return [
        Judgement(a, b, verdict, source, why, score, user, at)
        for a, b, verdict, source, why, score, user, at in store._rows(sql + " ORDER BY a, b")
    ]


def judgements_among(store: Store, records: Sequence[str]) -> list[Judgement]:
    """The judgements between two of ``records`` (a party's), without reading the other
    20,000."""
    marks = ",".join("?" * len(records))
    sql = (
        "SELECT a, b, verdict, source, why, score, username, at FROM judgements "
        f"WHERE a IN ({marks}) AND b IN ({marks}) ORDER BY a, b"
    )
    return [
        Judgement(a, b, verdict, source, why, score, user, at)
        for a, b, verdict, source, why, score, user, at in store._rows(sql, (*records, *records))
    ]


def _records(store: Store) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for v in store.active_versions():
        rows = store._rows("SELECT id FROM entities WHERE version_id = ?", (v.id,))
        out.extend((r[0], v.dataset) for r in rows)
    return out


def ensure_parties(
    store: Store,
    screener: Screener,
    entities: Sequence[Entity] | None = None,
    workers: int = 1,
    *,
    force: bool = False,
    name_pass: NamePass | None = None,
) -> Parties:
    """The parties of the store's active versions: those stored when they are current (unless
    ``force``), else resolved now (identifiers, listings, then names through ``screener``) and
    stored. ``workers`` > 1 forks processes for the name pass (not from a threaded server);
    ``name_pass`` replaces that pass (``sanctrace lists resolve --engine spark``). Nothing is
    written before every judgement is made: a failed pass leaves the stored parties serving."""
    key = versions_key(store.active_versions())
    if not force and resolved_for(store) == key:
        return load_parties(store)
    from sanctrace.resolve.resolver import automatic_judgements, cluster, person_years

    if entities is None:
        entities = [
            e for v in store.active_versions() for e in store.iter_entities(v.dataset, v.version)
        ]
    made = automatic_judgements(entities, screener, workers, name_pass)
    analyst = load_judgements(store, analyst_only=True)
    resolution = cluster(
        [(e.id, e.dataset) for e in entities], made, analyst, person_years(entities)
    )
    save(store, resolution, key, replace_automatic=True)
    return load_parties(store)


def save(
    store: Store, resolution: Resolution, key: str, replace_automatic: bool = False
) -> Assignment:
    """Store a resolution in one transaction: party ids assigned against the stored ones
    (kept, merged with a redirect, split, retired), the automatic judgements replaced."""
    previous = {r: p for r, p in store._rows("SELECT record_id, party_id FROM party_members")}
    parties = store._rows("SELECT party_id, seq FROM parties")
    seniority = {p: int(s) for p, s in parties}
    assignment = assign(resolution.groups, previous, seniority, set(seniority))
    now = _now()
    next_seq = max(seniority.values(), default=0) + 1
    with store._transaction():
        if replace_automatic:
            store._rows("DELETE FROM judgements WHERE source <> 'analyst'")
            store._executemany(
                store._q(
                    "INSERT INTO judgements (a, b, verdict, source, why, score, username, at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                [
                    (j.a, j.b, j.verdict, j.source, j.why, j.score, None, now)
                    for j in _unique(resolution.judgements)
                ],
            )
        for offset, party in enumerate(assignment.created):
            store._rows(
                "INSERT INTO parties (party_id, seq, created_at, status, redirect_to) "
                "VALUES (?, ?, ?, 'active', NULL)",
                (party, next_seq + offset, now),
            )
        for old, new in assignment.redirects.items():
            store._rows(
                "UPDATE parties SET status = 'merged', redirect_to = ? WHERE party_id = ?",
                (new, old),
            )
        for old in assignment.retired:
            if old not in assignment.redirects:
                store._rows("UPDATE parties SET status = 'retired' WHERE party_id = ?", (old,))
        store._rows("DELETE FROM party_members")
        store._executemany(
            store._q("INSERT INTO party_members (record_id, party_id) VALUES (?, ?)"),
            sorted(assignment.membership.items()),
        )
        store._rows("DELETE FROM party_state")
        store._rows(
            "INSERT INTO party_state (id, versions, resolved_at) VALUES (1, ?, ?)", (key, now)
        )
    return assignment


def _unique(judgements: Sequence[Judgement]) -> list[Judgement]:
    seen: dict[tuple[str, str, str], Judgement] = {}
    for j in judgements:
        seen.setdefault((j.a, j.b, j.source), j)
    return list(seen.values())


def judge(
    store: Store, a: str, b: str, verdict: str, user: str, why: str
) -> tuple[Judgement, Parties]:
    """Record an analyst's judgement on two records (or parties) and re-cluster at once. An
    unknown id, or a judgement that contradicts the analyst's earlier ones, is refused and
    nothing changes."""
    if verdict not in VERDICTS:
        raise SanctraceError(f"verdict {verdict!r}: use one of {', '.join(VERDICTS)}")
    if not why.strip():
        raise SanctraceError("a judgement needs a reason (--why)")
    records = _records(store)
    known = {r for r, _ in records}
    parties = load_parties(store)
    ra, rb = (_record_of(x, known, parties) for x in (a, b))
    if ra == rb:
        raise SanctraceError(f"{a} and {b} are the same record")
    judgement = Judgement.of(ra, rb, verdict, "analyst", why.strip(), user=user, at=_now())
    analyst = [j for j in load_judgements(store, analyst_only=True) if j.pair != judgement.pair]
    _refuse_contradiction(judgement, analyst)
    made = [j for j in load_judgements(store) if j.source != "analyst"]
    from sanctrace.resolve.resolver import cluster

    resolution = cluster(records, made, [*analyst, judgement])
    with store._transaction():
        store._rows(
            "DELETE FROM judgements WHERE a = ? AND b = ? AND source = 'analyst'", judgement.pair
        )
        store._rows(
            "INSERT INTO judgements (a, b, verdict, source, why, score, username, at) "
            "VALUES (?, ?, ?, 'analyst', ?, NULL, ?, ?)",
            (judgement.a, judgement.b, verdict, judgement.why, user, judgement.at),
        )
    save(store, resolution, resolved_for(store) or versions_key(store.active_versions()))
    return judgement, load_parties(store)


def _record_of(any_id: str, known: set[str], parties: Parties) -> str:
    """A record id for a record id, or for a party id the first record of that party."""
    if any_id in known:
        return any_id
    if is_party_id(any_id):
        members = parties.members(any_id)
        if members:
            return members[0]
    raise NotFoundError(
        f"no record or party {any_id!r} in the loaded lists (ids look like us_ofac_sdn:46431 "
        "or P-abcdefghij)"
    )


def _refuse_contradiction(new: Judgement, analyst: Sequence[Judgement]) -> None:
    """An analyst's "same" judgements chain (A=B, B=C); a "different" inside one chain
    contradicts them (A≠C). Refused with the judgements it contradicts."""
    if new.verdict == "unsure":
        return
    records = sorted({r for j in [*analyst, new] for r in j.pair})
    from sanctrace.resolve.clusters import Clusters

    chains = Clusters.of((r, r) for r in records)
    same = [j for j in [*analyst, new] if j.verdict == "same"]
    for j in same:
        chains.join(j.a, j.b)
    for j in [*analyst, new]:
        if j.verdict == "different" and chains.find(j.a) == chains.find(j.b):
            path = ", ".join(f"{s.a} = {s.b}" for s in same if chains.find(s.a) == chains.find(j.a))
            raise SanctraceError(
                f"refused: {j.a} ≠ {j.b} contradicts the judgements {path}; nothing changed "
                "(withdraw one of them first)"
            )
