"""The counterparty graph of shipments, the paths from a flagged supplier to a listed party
(the founding case: maker -> trading company -> listed plant), and its GraphML and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

from sanctrace.trade.aggregates import shipments_arrow
from sanctrace.trade.model import Shipment
from sanctrace.trade.network import (
    FORWARDS_TO,
    PAYS_FOR,
    SHIPS_TO,
    build_graph,
    graph_from_table,
    paths,
    write_csv,
    write_graphml,
)

MAKER = "Shenzhen Skyline UAV Technology Co., Ltd"  # invented
TRADER = "OOO Aerotrade Logistik"  # invented: the newly formed intermediary
KUPOL = "JSC Izhevsk Electromechanical Plant Kupol"  # listed (OFAC, UK, EU, ...)
BAKERY = "Blue Meadow Bakery Ltd"
NS = "{http://graphml.graphdrawing.org/xmlns}"


def founding_case() -> list[Shipment]:
    day = dt.date(2024, 2, 1)
    rows = [
        Shipment(1, "CN-1", MAKER, TRADER, "880622", "unmanned aircraft", day, "CN", "RU",
                 120000.0, "USD", 20.0, notify_party=KUPOL, payer=TRADER),
        Shipment(2, "CN-2", "SHENZHEN SKYLINE UAV TECHNOLOGY CO LTD", TRADER, "880790",
                 "parts of UAV", day, "CN", "RU", 30000.0, "USD", 300.0, notify_party=KUPOL),
        Shipment(3, "CN-3", MAKER, "Techno Hub FZE", "852589", "cameras", day, "CN", "AE",
                 5000.0, "USD", 50.0, payer=TRADER),
        Shipment(4, "DE-1", "Muller Mehl GmbH", BAKERY, "110100", "wheat flour", day, "DE",
                 "GB", 800.0, "EUR", 1000.0),
    ]  # fmt: skip
    return rows


def test_graph_of_the_founding_case() -> None:
    graph = build_graph(founding_case())
    maker = graph.node_of(MAKER)
    assert maker is not None and maker.name == MAKER and maker.shipments == 3
    assert maker.countries == {"CN"} and maker.roles == {"shipper"}
    ships = graph.edges[(maker.key, graph.node_of(TRADER).key, SHIPS_TO)]  # type: ignore[union-attr]
    assert (ships.count, ships.value, ships.hs_chapters) == (2, 150000.0, {"88"})
    kinds = {(graph.nodes[a].name, graph.nodes[b].name, k) for a, b, k in graph.edges}
    assert (TRADER, KUPOL, FORWARDS_TO) in kinds
    assert (TRADER, "Techno Hub FZE", PAYS_FOR) in kinds
    assert not any(k == PAYS_FOR and a == TRADER and b == TRADER for a, b, k in kinds)


def test_one_hop_path_supplier_intermediary_listed() -> None:
    graph = build_graph(founding_case())
    found = paths(graph, [MAKER], [KUPOL, "Rosoboronexport"])
    assert [p.hops for p in found] == [1]
    (path,) = found
    assert [graph.nodes[n].name for n in path.nodes] == [MAKER, TRADER, KUPOL]
    assert [e.kind for e in path.edges] == [SHIPS_TO, FORWARDS_TO]
    assert path.describe(graph) == f"{MAKER} --ships_to--> {TRADER} --forwards_to--> {KUPOL}"
    assert paths(graph, [MAKER], [KUPOL], max_hops=1) == []
    direct = paths(graph, [MAKER], [TRADER.upper()])
    assert [p.hops for p in direct] == [0]
    assert paths(graph, ["Muller Mehl GmbH"], [KUPOL]) == []
    assert paths(graph, ["Nobody"], [KUPOL]) == []


def test_graph_from_table_agrees_with_python() -> None:
    rows = founding_case()
    ours = build_graph(rows)
    theirs = graph_from_table(shipments_arrow(rows))
    assert set(ours.nodes) == set(theirs.nodes)
    assert set(ours.edges) == set(theirs.edges)
    for key, edge in ours.edges.items():
        other = theirs.edges[key]
        assert (edge.count, edge.value, edge.hs_chapters, edge.first_line) == (
            other.count, other.value, other.hs_chapters, other.first_line,
        )  # fmt: skip
    for key, node in ours.nodes.items():
        assert (node.name, node.shipments, node.roles) == (
            theirs.nodes[key].name, theirs.nodes[key].shipments, theirs.nodes[key].roles,
        )  # fmt: skip


HOSTILE = '<Evil & "Co"> \x01\x0b Ltd</data></node><node id="x">'
FORMULA = '=HYPERLINK("http://evil.example","click")'


def hostile_graph() -> list[Shipment]:
    day = dt.date(2024, 2, 1)
    return [
        Shipment(1, "H-1", HOSTILE, FORMULA, "854231", "", day, "CN", "RU", 10.0, "USD", 1.0),
        Shipment(2, "H-2", "+Plus Trading", "@At Holdings", "854231", "", day, value=1.0,
                 quantity=1.0),
    ]  # fmt: skip


def test_graphml_parses_with_hostile_names(tmp_path: Path) -> None:
    graph = build_graph(hostile_graph())
    graph.tag([FORMULA], "listed")
    out = tmp_path / "graph.graphml"
    write_graphml(graph, out)
    root = ET.parse(out).getroot()
    nodes = root.findall(f"{NS}graph/{NS}node")
    edges = root.findall(f"{NS}graph/{NS}edge")
    assert len(nodes) == 4 and len(edges) == 2
    names = {d.text for n in nodes for d in n.findall(f"{NS}data") if d.get("key") == "node_name"}
    assert '<Evil & "Co"> \ufffd Ltd</data></node><node id="x">' in names
    assert FORMULA in names
    ids = {n.get("id") for n in nodes}
    assert {e.get("source") for e in edges} <= ids and {e.get("target") for e in edges} <= ids
    tags = [d.text for n in nodes for d in n.findall(f"{NS}data") if d.get("key") == "node_tags"]
    assert tags == ["listed"]
    assert [p.name for p in tmp_path.iterdir()] == ["graph.graphml"]  # no temporary left


def test_csv_is_spreadsheet_safe(tmp_path: Path) -> None:
    graph = build_graph(hostile_graph())
    write_csv(graph, tmp_path / "nodes.csv", tmp_path / "edges.csv")
    with (tmp_path / "nodes.csv").open(newline="", encoding="utf-8") as fh:
        nodes = list(csv.DictReader(fh))
    with (tmp_path / "edges.csv").open(newline="", encoding="utf-8") as fh:
        edges = list(csv.DictReader(fh))
    names = {row["name"] for row in nodes}
    assert "'" + FORMULA in names and FORMULA not in names
    assert {"'+Plus Trading", "'@At Holdings"} <= names
    for row in [*nodes, *edges]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values())
    assert {row["kind"] for row in edges} == {SHIPS_TO}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edges.csv", "nodes.csv"]
