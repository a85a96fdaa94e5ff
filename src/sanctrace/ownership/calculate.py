"""The ownership test as a fixed point over the whole graph, safe on cycles and diamonds.

Each listed party starts a *group*: under a regime that aggregates (OFAC, EU) all listed parties
are one group; otherwise (UK) each is its own, and a joint arrangement joins two. A company is
*surely* held by a group when the lowest reading of the stakes of the group's surely-blocked
holders passes the test, and *possibly* held when the highest reading of the stakes of its
possibly-blocked holders does. Stakes pass only through blocked holders, whole (not
multiplied). Both sets only grow, so a work list reaches the least fixed point: a cycle of
companies owning each other blocks none of them unless a listed party's stakes reach in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from sanctrace.ownership.edges import Edge
from sanctrace.ownership.rules import Ruleset
from sanctrace.ownership.shares import HUNDRED, ZERO

ALL = "*"  # the one group of a regime that aggregates


@dataclass(frozen=True)
class Bound:
    """A sum of stakes' ends: the value and whether it is exclusive (a "more than")."""

    value: Fraction
    open: bool = False

    def plus(self, value: Fraction, open_: bool) -> Bound:
        return Bound(self.value + value, self.open or open_)


def surely_passes(low: Bound, ruleset: Ruleset) -> bool:
    if ruleset.strict:
        return low.value > ruleset.threshold or (low.value == ruleset.threshold and low.open)
    return low.value >= ruleset.threshold


def possibly_passes(high: Bound, ruleset: Ruleset) -> bool:
    if ruleset.strict:
        return high.value > ruleset.threshold
    return high.value > ruleset.threshold or (high.value == ruleset.threshold and not high.open)


@dataclass
class Holding:
    """What one group holds of a company: the stakes' lowest and highest sums, and how."""

    low: Bound = field(default_factory=lambda: Bound(ZERO))
    high: Bound = field(default_factory=lambda: Bound(ZERO))
    controlled: bool = False  # surely, by a counted control edge
    maybe_controlled: bool = False


class Graph:
    """The edges in force on one date, indexed both ways."""

    def __init__(self, edges: Iterable[Edge], as_of: date) -> None:
        self.as_of = as_of
        self.holders: dict[str, list[Edge]] = defaultdict(list)
        self.holdings: dict[str, list[Edge]] = defaultdict(list)
        self.joint: list[Edge] = []
        self.linked: list[Edge] = []
        self.names: dict[str, str] = {}
        for e in edges:
            if not e.active(as_of):
                continue
            if e.owner_name:
                self.names.setdefault(e.owner, e.owner_name)
            if e.asset_name:
                self.names.setdefault(e.asset, e.asset_name)
            if e.is_joint:
                self.joint.append(e)
            elif e.control == "linked" and e.share is None:
                self.linked.append(e)
            else:
                self.holders[e.asset].append(e)
                self.holdings[e.owner].append(e)

    def nodes(self) -> set[str]:
        out = set(self.holders) | set(self.holdings)
        for e in (*self.joint, *self.linked):
            out.update((e.owner, e.asset))
        return out

    def ancestors(self, node: str) -> set[str]:
        """Every node whose stakes may reach ``node`` (its status depends on these only)."""
        seen = {node}
        todo = [node]
        while todo:
            for e in self.holders.get(todo.pop(), ()):
                if e.owner not in seen:
                    seen.add(e.owner)
                    todo.append(e.owner)
        return seen


class _Groups:
    """Union-find of listed parties joined by joint arrangements."""

    def __init__(self, listed: Iterable[str], joint: Iterable[Edge], aggregate: bool) -> None:
        self.aggregate = aggregate
        self.parent = {n: n for n in listed}
        for e in joint:
            if e.owner in self.parent and e.asset in self.parent:
                a, b = self.find(e.owner), self.find(e.asset)
                if a != b:
                    self.parent[max(a, b)] = min(a, b)

    def find(self, n: str) -> str:
        if self.aggregate:
            return ALL
        while self.parent[n] != n:
            self.parent[n] = self.parent[self.parent[n]]
            n = self.parent[n]
        return n

    def members(self, group: str) -> list[str]:
        return sorted(n for n in self.parent if self.find(n) == group)


@dataclass
class Propagation:
    """Every node's groups: surely and possibly holding it, with each group's holding."""

    ruleset: Ruleset
    graph: Graph
    listed: Mapping[str, list[dict[str, Any]]]
    groups: _Groups
    sure: dict[str, set[str]]
    maybe: dict[str, set[str]]
    held: dict[str, dict[str, Holding]]

    def status(self, node: str) -> str:
        if self.sure.get(node):
            return "blocked"
        if self.maybe.get(node):
            return "indeterminate"
        return "not_blocked"


def holding_of(
    node: str,
    group: str,
    graph: Graph,
    ruleset: Ruleset,
    sure: Mapping[str, set[str]],
    maybe: Mapping[str, set[str]],
) -> Holding:
    """What ``group`` holds of ``node`` through its blocked holders' edges."""
    h = Holding()
    for e in graph.holders.get(node, ()):
        surely = group in sure.get(e.owner, ())
        possibly = group in maybe.get(e.owner, ())
        if not possibly:
            continue
        if e.share is not None:
            if surely:
                h.low = h.low.plus(e.share.low, e.share.low_open)
            h.high = h.high.plus(e.share.high, e.share.high_open and e.share.high < HUNDRED)
        if ruleset.control_counts and e.control in ruleset.control_types:
            h.controlled = h.controlled or surely
            h.maybe_controlled = True
    if h.high.value > HUNDRED:
        h.high = Bound(HUNDRED)
    return h


def propagate(
    graph: Graph, listed: Mapping[str, list[dict[str, Any]]], ruleset: Ruleset
) -> Propagation:
    """The least fixed point of the regime's test over ``graph`` (see the module's note)."""
    groups = _Groups(listed, graph.joint, ruleset.aggregate)
    sure: dict[str, set[str]] = {n: {groups.find(n)} for n in listed}
    maybe: dict[str, set[str]] = {n: {groups.find(n)} for n in listed}
    held: dict[str, dict[str, Holding]] = {}
    todo = {e.asset for n in listed for e in graph.holdings.get(n, ())}
    while todo:
        node = todo.pop()
        if node in listed:
            continue
        candidates = set().union(*(maybe.get(e.owner, set()) for e in graph.holders.get(node, ())))
        now_sure: set[str] = set()
        now_maybe: set[str] = set()
        holdings: dict[str, Holding] = {}
        for group in candidates:
            h = holding_of(node, group, graph, ruleset, sure, maybe)
            holdings[group] = h
            if surely_passes(h.low, ruleset) or h.controlled:
                now_sure.add(group)
            if possibly_passes(h.high, ruleset) or h.maybe_controlled:
                now_maybe.add(group)
        held[node] = holdings
        if now_sure != sure.get(node, set()) or now_maybe != maybe.get(node, set()):
            sure[node] = now_sure
            maybe[node] = now_maybe
            todo.update(e.asset for e in graph.holdings.get(node, ()))
    return Propagation(ruleset, graph, listed, groups, sure, maybe, held)
