"""Shipments as a counterparty graph, and the paths in it from a flagged supplier to a listed
party: the founding case was a Chinese maker shipping to a Russian trading company that paid
for, and forwarded to, a listed plant, so the listed party was never the consignee of record.
Only the graph shows that structure, and an analyst needs it drawn (GraphML for Gephi, yEd or
Cytoscape; CSV for a spreadsheet).

Nodes are parties under their folded name (:func:`~sanctrace.trade.aggregates.party_key`:
case, punctuation, script, legal forms), so spellings of one company are one node. Edges are
directed and of three kinds: ``ships_to`` (shipper to consignee, with the HS chapters, total
value and count of the shipments), ``pays_for`` (a payer other than the consignee, to the
consignee) and ``forwards_to`` (consignee to a notify party other than itself).

A graph is built from :class:`~sanctrace.trade.model.Shipment` objects in Python, or from a
shipments table or Parquet file in DuckDB (:func:`graph_from_table`) for large data sets.
Files are written atomically and every text cell is made spreadsheet-safe.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sanctrace.export.csv import safe_cell
from sanctrace.files import atomic_write
from sanctrace.trade.aggregates import TradeSession, date_sql, party_key, party_keys_table
from sanctrace.trade.model import Shipment

if TYPE_CHECKING:
    import duckdb

SHIPS_TO = "ships_to"
PAYS_FOR = "pays_for"
FORWARDS_TO = "forwards_to"
EDGE_KINDS = (SHIPS_TO, PAYS_FOR, FORWARDS_TO)

#: The party columns and the edges they make: (source role, target role, kind).
_ROLE_EDGES = (
    ("shipper", "consignee", SHIPS_TO),
    ("payer", "consignee", PAYS_FOR),
    ("consignee", "notify_party", FORWARDS_TO),
)
_COUNTRY_OF = {
    "shipper": "shipper_country",
    "consignee": "consignee_country",
    "payer": "payer_country",
}

#: Characters XML 1.0 cannot hold even escaped (C0 controls but tab, newline, return; and
#: the non-characters U+FFFE, U+FFFF): replaced by U+FFFD so the file still parses.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Node:
    """A party: its folded key, the name as first seen, and what the shipments say of it."""

    key: str
    name: str
    countries: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    shipments: int = 0
    tags: set[str] = field(default_factory=set)


@dataclass
class Edge:
    """Shipments (or payments, or forwardings) from one party to another, aggregated."""

    source: str
    target: str
    kind: str
    count: int = 0
    value: float = 0.0
    hs_chapters: set[str] = field(default_factory=set)
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    first_line: int | None = None


@dataclass
class Graph:
    """Parties by key and edges by (source, target, kind)."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], Edge] = field(default_factory=dict)

    def out_edges(self) -> dict[str, list[Edge]]:
        out: dict[str, list[Edge]] = {}
        for edge in self.edges.values():
            out.setdefault(edge.source, []).append(edge)
        return out

    def node_of(self, name: str) -> Node | None:
        """The node of a party named ``name`` in any spelling that folds to its key."""
        return self.nodes.get(party_key(name))

    def tag(self, names: Iterable[str], tag: str) -> int:
        """Tag the nodes of these parties (e.g. "listed"); returns how many were found."""
        found = 0
        for name in names:
            node = self.node_of(name)
            if node is not None:
                node.tags.add(tag)
                found += 1
        return found


def _node(graph: Graph, name: str, role: str, country: str | None) -> str | None:
    key = party_key(name) if name and name.strip() else ""
    if not key:
        return None
    node = graph.nodes.get(key)
    if node is None:
        node = graph.nodes[key] = Node(key, " ".join(name.split()))
    node.roles.add(role)
    if country:
        node.countries.add(country)
    return key


def _add(
    graph: Graph, source: str, target: str, kind: str, s: Shipment, hs2: str, value: float
) -> None:
    edge = graph.edges.get((source, target, kind))
    if edge is None:
        edge = graph.edges[(source, target, kind)] = Edge(source, target, kind)
    edge.count += 1
    edge.value += value
    if hs2:
        edge.hs_chapters.add(hs2)
    if s.date is not None:
        edge.first_date = s.date if edge.first_date is None else min(edge.first_date, s.date)
        edge.last_date = s.date if edge.last_date is None else max(edge.last_date, s.date)
    if edge.first_line is None or s.line < edge.first_line:
        edge.first_line = s.line


def build_graph(shipments: Iterable[Shipment]) -> Graph:
    """The counterparty graph of these shipments (see the module's note)."""
    graph = Graph()
    for s in shipments:
        keys: dict[str, str | None] = {}
        for role in ("shipper", "consignee", "payer", "notify_party"):
            name = getattr(s, role)
            country = getattr(s, _COUNTRY_OF[role]) if role in _COUNTRY_OF else None
            keys[role] = _node(graph, name, role, country)
        for role, key in keys.items():
            if key is not None and role in ("shipper", "consignee"):
                graph.nodes[key].shipments += 1
        hs2 = s.hs_code[:2] if len(s.hs_code) >= 2 else ""
        value = s.value if s.value is not None and s.value > 0 else 0.0
        for a, b, kind in _ROLE_EDGES:
            ka, kb = keys[a], keys[b]
            if ka is not None and kb is not None and ka != kb:
                _add(graph, ka, kb, kind, s, hs2, value)
    return graph


def graph_from_table(
    source: object,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    threads: int | None = None,
) -> Graph:
    """The counterparty graph of a shipments table (Parquet path, Arrow table, pandas frame or
    DuckDB relation with the :class:`Shipment` columns and ``line``), aggregated in DuckDB."""
    s = TradeSession(source, con, threads, None)
    try:
        return _graph_sql(s)
    finally:
        s.close()


def _graph_sql(s: TradeSession) -> Graph:
    has = s.columns
    roles = [r for r in ("shipper", "consignee", "payer", "notify_party") if r in has]
    keys = party_keys_table(s, roles)
    graph = Graph()
    day = date_sql(s) if "date" in has else "NULL::DATE"
    value = "CAST(value AS DOUBLE)" if "value" in has else "NULL::DOUBLE"
    for role in roles:
        country = _COUNTRY_OF.get(role)
        cc = f"CAST({country} AS VARCHAR)" if country in has else "NULL::VARCHAR"
        shipments = "count(*)" if role in ("shipper", "consignee") else "0"
        rows = s.con.execute(
            f"SELECT k.key, arg_min(t.{role}, t.line), list(DISTINCT {cc}), {shipments} "
            f"FROM {s.src} t JOIN {keys} k ON k.name = t.{role} WHERE k.key <> '' GROUP BY k.key"
        ).fetchall()
        for key, name, countries, count in rows:
            node = graph.nodes.get(key)
            if node is None:
                node = graph.nodes[key] = Node(key, " ".join(str(name).split()))
            node.roles.add(role)
            node.countries.update(c for c in countries if c)
            node.shipments += int(count)
    for a, b, kind in _ROLE_EDGES:
        if a not in has or b not in has:
            continue
        rows = s.con.execute(
            f"SELECT ka.key, kb.key, count(*), coalesce(sum(CASE WHEN {value} > 0 "
            f"THEN {value} END), 0), list(DISTINCT substr(CAST(t.hs_code AS VARCHAR), 1, 2)), "
            f"min({day}), max({day}), min(t.line) "
            f"FROM {s.src} t JOIN {keys} ka ON ka.name = t.{a} JOIN {keys} kb ON kb.name = t.{b} "
            f"WHERE ka.key <> '' AND kb.key <> '' AND ka.key <> kb.key GROUP BY ka.key, kb.key"
        ).fetchall()
        for ka, kb, count, total, chapters, first, last, line in rows:
            graph.edges[(ka, kb, kind)] = Edge(
                ka,
                kb,
                kind,
                int(count),
                float(total),
                {c for c in chapters if c and len(c) == 2},
                first,
                last,
                int(line),
            )
    return graph


@dataclass(frozen=True)
class GraphPath:
    """A path of edges from a flagged supplier to a listed party."""

    edges: tuple[Edge, ...]

    @property
    def nodes(self) -> tuple[str, ...]:
        return (self.edges[0].source, *(e.target for e in self.edges))

    @property
    def hops(self) -> int:
        """Intermediaries between the two ends (0: the supplier deals with the listed party)."""
        return len(self.edges) - 1

    def describe(self, graph: Graph) -> str:
        """The path in words: "A --ships_to--> B --forwards_to--> C"."""
        text = graph.nodes[self.edges[0].source].name
        for e in self.edges:
            text += f" --{e.kind}--> {graph.nodes[e.target].name}"
        return text


def paths(
    graph: Graph,
    flagged_suppliers: Iterable[str],
    listed_parties: Iterable[str],
    max_hops: int = 2,
) -> list[GraphPath]:
    """Every simple path of at most ``max_hops`` edges from a flagged supplier to a listed
    party, following the edges' direction (the goods, the money, the forwarding): with the
    default 2, the supplier's direct dealings with a listed party and those through one
    intermediary. Parties are given by name (any spelling with the same folded key) or key;
    shortest paths first."""
    if max_hops < 1:
        raise ValueError(f"max_hops must be 1 or more, not {max_hops}")
    starts = _keys(graph, flagged_suppliers)
    ends = set(_keys(graph, listed_parties))
    if not starts or not ends:
        return []
    out_edges = graph.out_edges()
    found: list[GraphPath] = []
    for start in starts:
        for walk in _walks(out_edges, start, max_hops):
            if walk[-1].target in ends:
                found.append(GraphPath(tuple(walk)))
    found.sort(key=lambda p: (p.hops, p.nodes, tuple(e.kind for e in p.edges)))
    return found


def _keys(graph: Graph, names: Iterable[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        key = name if name in graph.nodes else party_key(name)
        if key in graph.nodes and key not in out:
            out.append(key)
    return out


def _walks(out_edges: dict[str, list[Edge]], start: str, depth: int) -> Iterator[list[Edge]]:
    stack: list[tuple[list[Edge], set[str]]] = [([], {start})]
    while stack:
        walk, seen = stack.pop()
        at = walk[-1].target if walk else start
        for edge in out_edges.get(at, ()):
            if edge.target in seen:
                continue
            step = [*walk, edge]
            yield step
            if len(step) < depth:
                stack.append((step, seen | {edge.target}))


# -- export ------------------------------------------------------------------------------------

_NODE_ATTRS = (
    ("name", "string"),
    ("countries", "string"),
    ("roles", "string"),
    ("shipments", "long"),
    ("tags", "string"),
)
_EDGE_ATTRS = (
    ("kind", "string"),
    ("count", "long"),
    ("value", "double"),
    ("hs_chapters", "string"),
    ("first_date", "string"),
    ("last_date", "string"),
    ("first_line", "long"),
)


def _xml(text: str) -> str:
    text = _NOT_XML.sub("\ufffd", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;").replace("\r", "&#13;").replace("\t", "&#9;")


def _xml_attr(text: str) -> str:
    return _xml(text).replace("\n", "&#10;")


def _node_values(node: Node) -> dict[str, str]:
    return {
        "name": node.name,
        "countries": ";".join(sorted(node.countries)),
        "roles": ";".join(sorted(node.roles)),
        "shipments": str(node.shipments),
        "tags": ";".join(sorted(node.tags)),
    }


def _edge_values(edge: Edge) -> dict[str, str]:
    return {
        "kind": edge.kind,
        "count": str(edge.count),
        "value": repr(float(edge.value)),
        "hs_chapters": ";".join(sorted(edge.hs_chapters)),
        "first_date": edge.first_date.isoformat() if edge.first_date else "",
        "last_date": edge.last_date.isoformat() if edge.last_date else "",
        "first_line": "" if edge.first_line is None else str(edge.first_line),
    }


def write_graphml(graph: Graph, path: Path) -> None:
    """The graph as GraphML (directed; node ids are the folded keys), written atomically."""
    with atomic_write(Path(path)) as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        fh.write('<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
        for what, attrs in (("node", _NODE_ATTRS), ("edge", _EDGE_ATTRS)):
            for name, kind in attrs:
                fh.write(
                    f'  <key id="{what}_{name}" for="{what}" attr.name="{name}" '
                    f'attr.type="{kind}"/>\n'
                )
        fh.write('  <graph id="shipments" edgedefault="directed">\n')
        for node in graph.nodes.values():
            fh.write(f'    <node id="{_xml_attr(node.key)}">\n')
            _data(fh.write, "node", _node_values(node))
            fh.write("    </node>\n")
        for i, edge in enumerate(graph.edges.values()):
            fh.write(
                f'    <edge id="e{i}" source="{_xml_attr(edge.source)}" '
                f'target="{_xml_attr(edge.target)}">\n'
            )
            _data(fh.write, "edge", _edge_values(edge))
            fh.write("    </edge>\n")
        fh.write("  </graph>\n</graphml>\n")


def _data(write: Callable[[str], object], what: str, values: dict[str, str]) -> None:
    for name, value in values.items():
        if value:
            write(f'      <data key="{what}_{name}">{_xml(value)}</data>\n')


NODE_COLUMNS = ("id", *(name for name, _ in _NODE_ATTRS))
EDGE_COLUMNS = ("source", "target", *(name for name, _ in _EDGE_ATTRS))


def write_csv(graph: Graph, nodes_path: Path, edges_path: Path) -> None:
    """The graph as two CSV files (nodes, edges), each written atomically, every text cell
    safe to open in a spreadsheet (formula-like text gets a leading apostrophe)."""
    with atomic_write(Path(nodes_path), newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(NODE_COLUMNS)
        for node in graph.nodes.values():
            values = _node_values(node)
            writer.writerow(
                [safe_cell(node.key), *(safe_cell(values[c]) for c in NODE_COLUMNS[1:])]
            )
    with atomic_write(Path(edges_path), newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(EDGE_COLUMNS)
        for edge in graph.edges.values():
            values = _edge_values(edge)
            cells = [safe_cell(edge.source), safe_cell(edge.target)]
            writer.writerow([*cells, *(safe_cell(values[c]) for c in EDGE_COLUMNS[2:])])
