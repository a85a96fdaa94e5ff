"""The graph's pure element builders on real data: the bundled lists' records (Kupol, the SDN
records whose "Linked To" names it, Almaz-Antey) and the founding case's stakes file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sanctrace.model.entity import Relationship
from sanctrace.ownership.edges import Edge
from sanctrace.ownership.sources import read_edges
from sanctrace.store import Store, open_store
from sanctrace.ui.graph_data import (
    Elements,
    NameIndex,
    graph_href,
    node_element,
    ownership_edge,
    ownership_kind,
    plain,
    relation_rows,
    relationship_edge,
)

FOUNDING = Path(__file__).resolve().parents[2] / "examples" / "data" / "founding_case_stakes.csv"
KUPOL = "us_ofac_sdn:46431"


@pytest.fixture(scope="module")
def store(bundled_home: Path) -> Iterator[Store]:
    with open_store(str(bundled_home / "sanctrace.db")) as opened:
        yield opened


def test_the_sdn_records_that_name_kupol_make_linked_to_edges(store: Store) -> None:
    kupol, info = store.get_entity(KUPOL)
    assert kupol.relationships == []  # Kupol's own record names no link (Almaz-Antey neither)
    sources = store.linked_from(KUPOL, info.id)
    assert [s for s, _, _ in sources] == [
        "us_ofac_sdn:46437",
        "us_ofac_sdn:46441",
        "us_ofac_sdn:46442",
    ]
    aerokon, _ = store.get_entity("us_ofac_sdn:46437")
    (rel,) = aerokon.relationships
    assert (rel.type, rel.target_id) == ("linked_to", KUPOL)
    edge = relationship_edge(aerokon.id, "P-aerokonaaa", "P-kupolaaaaa", rel)
    assert edge["kind"] == "linked-to" and edge["label"] == "linked to"
    assert (edge["source"], edge["target"]) == ("P-aerokonaaa", "P-kupolaaaaa")
    assert edge["share"] is None and "us_ofac_sdn:46437" in edge["said_by"]
    same = relationship_edge(aerokon.id, "P-aerokonaaa", "P-kupolaaaaa", Relationship("linked_to"))
    assert same["id"] == edge["id"]  # the same link met from either end is one edge


def test_the_founding_stakes_are_labelled_with_share_and_dates() -> None:
    _, edges = read_edges(FOUNDING)
    made = [ownership_edge(e, e.owner, e.asset) for e in edges]
    assert [m["label"] for m in made] == [
        "60% · from 2021-03-01",
        "30% · from 2022-01-15",
        "25% · from 2022-01-15",
    ]
    assert {m["kind"] for m in made} == {"ownership"}
    assert made[0]["source"] == "us_ofac_sdn:16865"
    assert made[0]["target"] == "name:izhevsk example holding llc"
    assert made[0]["said_by"] == "worked example (hypothetical holding)"


def test_control_linked_and_unknown_stakes() -> None:
    _, edges = read_edges(FOUNDING)
    base = edges[0]
    control = Edge(owner=base.owner, asset=base.asset, share=None, control="appointment")
    assert ownership_kind(control) == "control"
    assert ownership_edge(control, control.owner, control.asset)["label"] == "control (appointment)"
    ended = Edge(
        owner=base.owner,
        asset=base.asset,
        share=base.share,
        start=base.start,
        end=base.start.replace(year=2023) if base.start else None,
    )
    assert ownership_edge(ended, ended.owner, ended.asset)["label"] == (
        "60% · 2021-03-01 to 2023-03-01"
    )
    linked = Edge(owner="P-almazaaaaa", asset="us_ofac_sdn:46437", share=None, control="linked")
    made = ownership_edge(linked, linked.owner, linked.asset)
    # a list's link kept as an ownership edge runs as the list's own link does
    assert (made["kind"], made["source"], made["target"]) == (
        "linked-to",
        "us_ofac_sdn:46437",
        "P-almazaaaaa",
    )


def test_an_edge_that_says_more_replaces_one_of_the_same_ends() -> None:
    _, edges = read_edges(FOUNDING)
    found = Elements()
    found.add_node(node_element("us_ofac_sdn:16865", "Almaz-Antey", [{"dataset": "us_ofac_sdn"}]))
    found.add_node(node_element("name:izhevsk example holding llc", "Izhevsk Example Holding LLC"))
    bare = Edge(owner=edges[0].owner, asset=edges[0].asset, share=edges[0].share)
    found.add_edge(ownership_edge(bare, bare.owner, bare.asset))
    found.add_edge(ownership_edge(edges[0], edges[0].owner, edges[0].asset))
    found.add_edge(ownership_edge(bare, bare.owner, bare.asset))
    (kept,) = found.edges.values()
    assert kept["label"] == "60% · from 2021-03-01"
    found.add_edge(ownership_edge(edges[1], edges[1].owner, edges[1].asset))  # to a node not here
    elements = found.cytoscape()
    assert [e["group"] for e in elements] == ["nodes", "nodes", "edges"]
    (row,) = relation_rows(found)
    assert row["source_node"]["caption"] == "Almaz-Antey" and row["source_node"]["listed"]
    assert not row["target_node"]["listed"]


def test_a_name_finds_the_listed_record(store: Store) -> None:
    entities = list(store.iter_entities("us_ofac_sdn"))
    index = NameIndex((e.id, e.dataset, [n.value for n in e.names]) for e in entities)
    almaz = "Joint Stock Company Aerospace Defense Concern Almaz-Antey"
    assert index.find(almaz, "us_ofac_sdn") == ["us_ofac_sdn:16865"]
    assert index.find(almaz.upper(), "gb_fcdo_sanctions") == ["us_ofac_sdn:16865"]
    assert index.find("Quiet Meadow Bakery Ltd") == []


def test_nodes_and_text() -> None:
    listed = node_element(
        "P-cxlfmbsfth",
        "JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL",
        [
            {"dataset": "us_ofac_sdn", "programs": ["RUSSIA-EO14024"], "schema": "Company"},
            {"dataset": "au_dfat_sanctions", "programs": ["Autonomous (Russia)"]},
        ],
        focus=True,
    )
    assert listed["listed"] and listed["lists"] == ["au_dfat_sanctions", "us_ofac_sdn"]
    assert listed["schema"] == "Company" and listed["party"] and listed["focus"]
    assert len(listed["label"]) <= 48 and listed["label"].endswith("…")
    assert listed["caption"].endswith("KUPOL")
    company = node_element("name:kama example components llc", "")
    assert company["caption"] == "kama example components llc" and not company["listed"]
    assert company["href"] == "/party/name%3Akama%20example%20components%20llc/graph"
    assert graph_href("P-cxlfmbsfth") == "/party/P-cxlfmbsfth/graph"
    assert plain("a\x00b\n\tc\u0085d  e") == "a b c d e"
    assert plain("x" * 10, 5) == "xxxx…"
    hostile = node_element("name:x", '<img src=x onerror="alert(1)">')
    assert hostile["caption"] == '<img src=x onerror="alert(1)">'  # text: the page escapes it
