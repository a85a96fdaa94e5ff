"""Party ids that outlive list versions: assigned once, kept by the larger part of a split
and by the older party of a merge (the younger one's id redirects to it)."""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

PREFIX = "P-"


def new_party_id(founder: str, taken: set[str]) -> str:
    """A readable id derived from the founding record, so a fresh install gives the same ids."""
    salt = 0
    while True:
        digest = hashlib.sha256(f"{founder}#{salt}".encode()).digest()
        candidate = PREFIX + base64.b32encode(digest).decode()[:10].lower()
        if candidate not in taken:
            return candidate
        salt += 1


def is_party_id(value: str) -> bool:
    return value.startswith(PREFIX) and ":" not in value


@dataclass
class Assignment:
    membership: dict[str, str]  # record id -> party id
    created: list[str] = field(default_factory=list)
    redirects: dict[str, str] = field(default_factory=dict)  # merged id -> surviving id
    retired: list[str] = field(default_factory=list)  # ids left with no record


def assign(
    groups: Sequence[Sequence[str]],
    previous: dict[str, str],
    seniority: dict[str, int],
    known: set[str] = frozenset(),  # type: ignore[assignment]
) -> Assignment:
    """Party ids for ``groups`` given last time's ``previous`` membership; ``seniority`` orders
    the existing ids (lower is older); ``known`` are every id ever issued (never reused)."""
    counts: dict[str, Counter[int]] = {}
    for g, group in enumerate(groups):
        for record in group:
            old = previous.get(record)
            if old is not None:
                counts.setdefault(old, Counter())[g] += 1
    claims = {old: max(held, key=lambda g: (held[g], -g)) for old, held in sorted(counts.items())}
    by_group: dict[int, list[str]] = {}
    for old, g in claims.items():
        by_group.setdefault(g, []).append(old)
    taken = set(known) | set(previous.values())
    out = Assignment({})
    for g, group in enumerate(groups):
        held = sorted(by_group.get(g, []), key=lambda p: (seniority.get(p, 1 << 62), p))
        if held:
            party = held[0]
            for younger in held[1:]:
                out.redirects[younger] = party
        else:
            party = new_party_id(min(group), taken)
            taken.add(party)
            out.created.append(party)
        for record in group:
            out.membership[record] = party
    out.retired = sorted(set(previous.values()) - set(claims))
    return out
