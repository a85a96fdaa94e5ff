"""One company's answer under one regime: status, flags, and the arithmetic that led there,
as JSON (the trace: each listed party, each path, each stake counted, the sums) and in words.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sanctrace.ownership.calculate import ALL, Bound, Holding, Propagation, surely_passes
from sanctrace.ownership.rules import CONTROLLING
from sanctrace.ownership.shares import HUNDRED, ZERO, describe

#: How deep a trace follows the holders of holders (the paths list them all).
MAX_DEPTH = 6
MAX_PATHS = 100


@dataclass
class Assessment:
    node: str
    caption: str
    regime: str
    regime_title: str
    as_of: date
    status: str  # blocked, not_blocked, indeterminate
    basis: str | None  # listed, ownership, control
    flags: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    trace: dict[str, Any] = field(default_factory=dict)
    paths: list[list[str]] = field(default_factory=list)
    explanation: str = ""
    #: the caption of each node on a path
    names: dict[str, str] = field(default_factory=dict)

    def path_captions(self) -> list[list[str]]:
        return [[self.names.get(n, n) for n in path] for path in self.paths]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.node,
            "caption": self.caption,
            "regime": self.regime,
            "regime_title": self.regime_title,
            "as_of": self.as_of.isoformat(),
            "status": self.status,
            "basis": self.basis,
            "flags": self.flags,
            "reasons": self.reasons,
            "explanation": self.explanation,
            "paths": self.paths,
            "path_captions": self.path_captions(),
            "trace": self.trace,
        }


def caption_of(prop: Propagation, node: str) -> str:
    listings = prop.listed.get(node)
    if listings:
        return str(listings[0].get("caption") or node)
    return prop.graph.names.get(node, node.removeprefix("name:"))


def _sum(h: Holding) -> str:
    high = min(h.high.value, HUNDRED)
    return describe(h.low.value, high, h.low.open, h.high.open and high < HUNDRED)


def _trace(prop: Propagation, node: str, depth: int, seen: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": node,
        "caption": caption_of(prop, node),
        "status": prop.status(node),
    }
    if node in prop.listed:
        out["basis"] = "listed"
        out["listings"] = prop.listed[node]
        return out
    holdings = prop.held.get(node, {})
    out["groups"] = []
    for group in sorted(holdings, key=lambda g: (g not in prop.maybe.get(node, ()), g)):
        h = holdings[group]
        stakes = []
        for e in prop.graph.holders.get(node, ()):
            if group not in prop.maybe.get(e.owner, ()):
                continue
            surely = group in prop.sure.get(e.owner, ())
            stake: dict[str, Any] = {
                "owner": e.owner,
                "owner_caption": caption_of(prop, e.owner),
                "owner_status": "blocked" if surely else "indeterminate",
                "share": None if e.share is None else str(e.share),
                "share_as_written": None if e.share is None else e.share.text,
                "counted_low": float(e.share.low) if (e.share is not None and surely) else 0.0,
                "counted_high": float(e.share.high) if e.share is not None else 0.0,
                "control": e.control,
                "share_type": e.share_type,
                "start": e.start.isoformat() if e.start else None,
                "end": e.end.isoformat() if e.end else None,
                "source": e.source,
                "provenance": e.provenance,
            }
            if e.owner not in seen and depth < MAX_DEPTH:
                stake["owner_trace"] = _trace(prop, e.owner, depth + 1, seen | {node})
            stakes.append(stake)
        passes = (
            "surely"
            if group in prop.sure.get(node, ())
            else "possibly"
            if group in prop.maybe.get(node, ())
            else "no"
        )
        out["groups"].append(
            {
                "group": "all listed parties" if group == ALL else group,
                "listed_parties": [] if group == ALL else prop.groups.members(group),
                "sum": _sum(h),
                "sum_low": float(h.low.value),
                "sum_high": float(min(h.high.value, HUNDRED)),
                "controlled": h.controlled,
                "passes": passes,
                "stakes": stakes,
            }
        )
    return out


def paths_to(prop: Propagation, node: str) -> list[list[str]]:
    """Each chain from a listed party through blocked (or possibly blocked) holders to ``node``."""
    out: list[list[str]] = []

    def walk(at: str, chain: list[str]) -> None:
        if len(out) >= MAX_PATHS:
            return
        if at in prop.listed:
            out.append(list(reversed(chain)))
            return
        for e in prop.graph.holders.get(at, ()):
            if e.owner not in chain and prop.maybe.get(e.owner):
                walk(e.owner, [*chain, e.owner])

    walk(node, [node])
    return out


def _phrase(trace: dict[str, Any], depth: int = 0) -> str:
    if trace.get("basis") == "listed":
        lists = sorted({str(item.get("dataset")) for item in trace.get("listings", [])})
        return f"listed on {', '.join(lists)}"
    groups = [g for g in trace.get("groups", []) if g["passes"] != "no"] or trace.get("groups", [])[
        :1
    ]
    if not groups:
        return "no listed holder"
    g = groups[0]
    parts = []
    for s in g["stakes"]:
        what = s["share"] if s["share"] is not None else f"control ({s['control']})"
        owner = s["owner_caption"]
        inner = s.get("owner_trace")
        if inner is not None and inner.get("basis") == "listed":
            owner += f" ({_phrase(inner, depth + 1)})"
        elif inner is not None and depth < 2:
            owner += f" ({s['owner_status']}: {_phrase(inner, depth + 1)})"
        parts.append(f"{what} by {owner}")
    return f"{g['sum']} held: " + "; ".join(parts)


def assess(prop: Propagation, node: str, lists_loaded: Collection[str], as_of: date) -> Assessment:
    r = prop.ruleset
    status = prop.status(node)
    trace = _trace(prop, node, 0, frozenset())
    flags: list[str] = []
    reasons: list[str] = []
    basis: str | None = None
    holdings = prop.held.get(node, {})
    if node in prop.listed:
        basis = "listed"
    elif status != "not_blocked":
        passing = [holdings[g] for g in prop.maybe.get(node, ()) if g in holdings]
        by_shares = any(surely_passes(h.low, r) for h in passing) or status == "indeterminate"
        basis = "ownership" if by_shares or not any(h.controlled for h in passing) else "control"
    paths = paths_to(prop, node) if basis != "listed" else []
    roots = {p[0] for p in paths}
    if basis in ("ownership", "control") and len(roots) > 1 and r.aggregate:
        flags.append("aggregated")
        reasons.append(
            f"the holdings of {len(roots)} listed parties are added up, as {r.title} does"
        )
    if status == "indeterminate":
        flags.append("indeterminate_stakes")
        for g in trace.get("groups", []):
            for s in g["stakes"]:
                if s["owner_status"] == "indeterminate":
                    reasons.append(f"{s['owner_caption']} may or may not be blocked itself")
                elif s["share"] is not None and s["counted_low"] != s["counted_high"]:
                    reasons.append(
                        f"the stake of {s['owner_caption']} is {s['share']}: it may or may not "
                        f"reach {r.test}"
                    )
    if status == "not_blocked" and not r.control_counts:
        controllers = [
            e
            for e in prop.graph.holders.get(node, ())
            if e.control in CONTROLLING and prop.maybe.get(e.owner)
        ]
        if controllers:
            flags.append("control_without_ownership")
            reasons.append(
                "controlled without majority ownership by "
                + ", ".join(f"{caption_of(prop, e.owner)} ({e.control})" for e in controllers)
                + f": not blocked under {r.title}, but deal with caution"
            )
    if status == "not_blocked" and not r.aggregate and len(holdings) > 1:
        low = Bound(ZERO)
        for h in holdings.values():
            low = low.plus(h.low.value, h.low.open)
        if surely_passes(low, r):
            flags.append("holdings_not_aggregated")
            reasons.append(
                f"listed parties hold {describe(low.value, low.value, False, False)} together, "
                f"but {r.title} does not add up the holdings of different listed persons unless "
                "a joint arrangement is recorded"
            )
    linked = [
        e
        for e in prop.graph.linked
        if node in (e.owner, e.asset) and (prop.maybe.get(e.owner) or prop.maybe.get(e.asset))
    ]
    if linked and basis is None:
        flags.append("linked_to_listed")
        others = sorted({caption_of(prop, e.asset if e.owner == node else e.owner) for e in linked})
        reasons.append("a list links it to " + ", ".join(others) + " (no stake recorded)")
    own_list = r.lists[0] if r.lists else None
    if own_list and own_list not in lists_loaded and status == "not_blocked":
        status = "indeterminate"
        flags.append("regime_list_not_loaded")
        counted = [d for d in r.lists if d in lists_loaded]
        reasons.append(
            f"the regime's own list {own_list} is not loaded "
            f"(sanctrace lists fetch {own_list}); only "
            + (", ".join(counted) if counted else "no list")
            + f" counted for {r.title}"
        )
    caption = caption_of(prop, node)
    assessment = Assessment(
        node=node,
        caption=caption,
        regime=r.name,
        regime_title=r.title,
        as_of=as_of,
        status=status,
        basis=basis,
        flags=flags,
        reasons=reasons,
        trace={
            **trace,
            "test": r.test,
            "aggregate": r.aggregate,
            "control_counts": r.control_counts,
        },
        paths=paths,
        names={n: caption_of(prop, n) for path in paths for n in path},
    )
    assessment.explanation = explain(assessment)
    return assessment


def explain(a: Assessment) -> str:
    said = {
        "blocked": "is blocked",
        "not_blocked": "is not blocked",
        "indeterminate": "may be blocked",
    }
    head = f"{a.caption} {said[a.status]} under {a.regime_title} as of {a.as_of.isoformat()}"
    test = a.trace.get("test", "")
    how = "in aggregate" if a.trace.get("aggregate") else "each listed person apart"
    rule = f"(test: {test}, {how})"
    if a.basis is not None:
        body = _phrase(a.trace)
    else:
        body = (
            "no listed party holds enough of it"
            if a.trace.get("groups")
            else "no listed party holds any of it"
        )
    text = f"{head} {rule}: {body}."
    if a.reasons:
        text += " " + " ".join(r[:1].upper() + r[1:] + "." for r in a.reasons)
    return text
