"""The graph page's pure part: Cytoscape elements (nodes and edges) made from a party's listings,
its records' list relationships ("Linked To", owned by, controlled by, related) and the
ownership edges loaded; no I/O here (``ui.graph`` reads the store and the service).

A node is a party (``P-…``) or a company the ownership data names (``name:…``, ``lei:…``, or a
record id no loaded list holds). An edge runs from holder to held for ownership and control,
and from the record that names a link to the party it names for "linked to" and "related".
Labels are plain text: Cytoscape draws them on a canvas, and the page's table escapes them.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sanctrace.model.entity import Relationship
from sanctrace.ownership.edges import Edge, fold_name

#: The kinds of edge the graph draws.
KINDS = ("ownership", "control", "linked-to", "related")
#: The list relationship types and the kind of edge each makes.
RELATIONSHIP_KINDS = {
    "linked_to": "linked-to",
    "owned_by": "ownership",
    "controlled_by": "control",
    "related": "related",
}
#: Longest caption drawn on the canvas (the table shows it whole).
LABEL_CHARS = 48
_CONTROL = re.compile(r"\s+")


@dataclass
class Elements:
    """Nodes by id and edges by id, in the order first met."""

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_node(self, node: dict[str, Any]) -> None:
        known = self.nodes.get(node["id"])
        if known is None or (not known["listed"] and node["listed"]):
            self.nodes[node["id"]] = node

    def add_edge(self, edge: dict[str, Any]) -> None:
        """An edge, unless one of the same ends and kind that says more is there already."""
        same = (edge["source"], edge["target"], edge["kind"])
        for key, known in list(self.edges.items()):
            if (known["source"], known["target"], known["kind"]) == same:
                if _weight(known) >= _weight(edge):
                    return
                del self.edges[key]
        self.edges[edge["id"]] = edge

    def cytoscape(self) -> list[dict[str, Any]]:
        """Cytoscape's element list: ``{"group", "data"}`` for each node, then each edge."""
        out = [{"group": "nodes", "data": n} for n in self.nodes.values()]
        out += [
            {"group": "edges", "data": e}
            for e in self.edges.values()
            if e["source"] in self.nodes and e["target"] in self.nodes
        ]
        return out


def _weight(edge: dict[str, Any]) -> int:
    return (edge.get("share") is not None) * 4 + bool(edge.get("start") or edge.get("end")) * 2


def plain(text: object, limit: int = 300) -> str:
    """``text`` on one line, control characters made spaces, at most ``limit`` characters."""
    value = "".join(" " if ord(c) < 32 or 0x7F <= ord(c) < 0xA0 else c for c in str(text or ""))
    value = _CONTROL.sub(" ", value).strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"


def graph_href(node: str) -> str:
    """The graph page of a node (a party id, or an ownership node's key, quoted)."""
    return f"/party/{quote(node, safe='')}/graph"


def node_element(
    node: str,
    caption: str,
    listings: Sequence[dict[str, Any]] = (),
    schema: str | None = None,
    *,
    focus: bool = False,
) -> dict[str, Any]:
    """A node: a party with its listings (listed), or a company known from ownership data."""
    datasets = sorted({str(d.get("dataset")) for d in listings if d.get("dataset")})
    programs = sorted({str(p) for d in listings for p in d.get("programs") or ()})
    full = plain(caption) or node.removeprefix("name:")
    return {
        "id": node,
        "caption": full,
        "label": plain(full, LABEL_CHARS),
        "listed": bool(listings),
        "lists": datasets,
        "programs": programs[:12],
        "schema": schema or (str(listings[0].get("schema") or "") if listings else ""),
        "href": graph_href(node),
        "party": node.startswith("P-"),
        "focus": focus,
    }


def edge_id(source: str, target: str, kind: str, detail: str) -> str:
    digest = hashlib.sha1(f"{source}\x00{target}\x00{kind}\x00{detail}".encode()).hexdigest()
    return "e-" + digest[:16]


def share_text(edge: Edge) -> str | None:
    """A stake as the source wrote it ("60%", "25-50%"), None when none is recorded."""
    if edge.share is None:
        return None
    text = str(edge.share)
    return None if text in ("", "unknown", "?") else text


def dates_text(start: str | None, end: str | None) -> str:
    if start and end:
        return f"{start} to {end}"
    if start:
        return f"from {start}"
    if end:
        return f"until {end}"
    return ""


def ownership_kind(edge: Edge) -> str:
    """ownership (a stake), control (no stake, or a kind of control) or linked-to (a list's
    link kept as an edge by ``ownership load --from-lists``)."""
    if edge.control == "linked":
        return "linked-to"
    if edge.control is not None or edge.share is None:
        return "control"
    return "ownership"


def _label(kind: str, share: str | None, control: str | None, dates: str) -> str:
    words = {"ownership": "", "control": "control", "linked-to": "linked to", "related": "related"}
    parts = [share or "", words[kind] if not share or kind != "ownership" else ""]
    if control and kind == "control" and control != "linked":
        parts[1] = f"control ({control})"
    if kind == "ownership" and not share:
        parts[1] = "stake (share unknown)"
    text = " ".join(p for p in parts if p)
    return f"{text} · {dates}" if dates else text


def ownership_edge(edge: Edge, owner: str, asset: str) -> dict[str, Any]:
    """An edge of the ownership data (ends made nodes). A list's "linked to" kept there runs
    from the record that names the link to the party named, as the list's own links do."""
    kind = ownership_kind(edge)
    source, target = (asset, owner) if kind == "linked-to" else (owner, asset)
    share = share_text(edge)
    start = edge.start.isoformat() if edge.start else None
    end = edge.end.isoformat() if edge.end else None
    dates = dates_text(start, end)
    control = edge.control if kind == "control" else None
    return {
        "id": edge_id(source, target, kind, f"{share}|{start}|{end}|{edge.source}"),
        "source": source,
        "target": target,
        "kind": kind,
        "share": share,
        "share_type": plain(edge.share_type, 60),
        "control": control,
        "start": start,
        "end": end,
        "label": _label(kind, share, control, dates),
        "said_by": plain(edge.source or "ownership data", 200),
        "provenance": plain(edge.provenance, 200),
    }


def relationship_edge(record: str, source: str, target: str, rel: Relationship) -> dict[str, Any]:
    """A list's relationship of ``record`` (of the party ``source``) to the node ``target``."""
    kind = RELATIONSHIP_KINDS.get(rel.type, "related")
    note = plain(rel.note, 120) if rel.note else ""
    share = None
    if kind == "ownership" and note and "%" in note:
        share = note
    label = _label(kind, share, None, "") if kind != "related" or not note else f"related: {note}"
    if kind == "ownership" and not share:
        label = "owned by"
    return {
        "id": edge_id(source, target, kind, record),
        "source": source,
        "target": target,
        "kind": kind,
        "share": share,
        "share_type": plain(rel.type, 60),
        "control": None,
        "start": None,
        "end": None,
        "label": label,
        "said_by": f"{record.split(':', 1)[0]} list ({record})",
        "provenance": record,
    }


class NameIndex:
    """Record ids by folded name, to find the listed record a relationship names without an
    id (``Linked To: NAME`` the list did not resolve itself)."""

    def __init__(self, names: Iterable[tuple[str, str, Iterable[str]]]) -> None:
        """``names``: (record id, dataset, its names)."""
        self.by_name: dict[str, set[str]] = defaultdict(set)
        self.dataset: dict[str, str] = {}
        for record, dataset, values in names:
            self.dataset[record] = dataset
            for value in values:
                if key := fold_name(value):
                    self.by_name[key].add(record)

    def find(self, name: str, dataset: str | None = None) -> list[str]:
        """The records named ``name``: those of ``dataset`` when it has some, else all."""
        found = sorted(self.by_name.get(fold_name(name), ()))
        own = [r for r in found if self.dataset.get(r) == dataset]
        return own or found


def relation_rows(elements: Elements) -> list[dict[str, Any]]:
    """The edges in words for the table under the graph, each end with its caption."""
    nodes = elements.nodes
    rows = []
    for e in elements.edges.values():
        if e["source"] not in nodes or e["target"] not in nodes:
            continue
        rows.append({**e, "source_node": nodes[e["source"]], "target_node": nodes[e["target"]]})
    rows.sort(key=lambda r: (KINDS.index(r["kind"]), r["source_node"]["caption"]))
    return rows
