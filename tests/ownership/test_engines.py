"""The DuckDB propagation finds the reference's groups, and so statuses, for every node: on the
worked cases and on a few hundred seeded random graphs with ranges, open bounds, unknown and
third shares, control-only, linked and joint edges, cycles, self-stakes and dated stakes."""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction

import pytest

from sanctrace.ownership import engine_duckdb
from sanctrace.ownership.calculate import Graph, propagate
from sanctrace.ownership.edges import Edge
from sanctrace.ownership.rules import EU, OFAC, UK, Ruleset
from sanctrace.ownership.shares import UNKNOWN, Share, parse_share

TODAY = date(2026, 12, 7)
THIRD = Share(Fraction(100, 3), Fraction(100, 3), text="a third")

#: The built-in regimes and configured ones: "25% or more" (UK-like), "more than a third"
#: (no decimal: the scale must be a multiple of 3) counting links as control, and two tests
#: at 100%, where capped sums, open ends at 100 and "more than 99.5%" decide.
RULESETS = (
    OFAC,
    EU,
    UK,
    replace(UK, name="quarter", threshold=Fraction(25), strict=False),
    replace(EU, name="third", threshold=Fraction(100, 3), control_types=frozenset({"linked"})),
    replace(OFAC, name="whole", threshold=Fraction(100), control_counts=True),
    replace(UK, name="beyond", threshold=Fraction(100)),
)
SHARES = (
    "50", "50", "100", "100", "25", "49", "51", "10", "30", "60", "0", "33.33", "12.5",
    "25-50", "50-75", "25-75", ">50", ">=50", "<50", "<=50", "at most 100", "more than 99.5",
    "<100",
    "ownership-of-shares-50-to-75-percent", "voting-rights-25-to-50-percent",
    "ownership-of-shares-75-to-100-percent", "",
)  # fmt: skip
CONTROLS = ("management", "voting", "appointment", "nominee", "trust", "linked")
Holders = dict[str, tuple[frozenset[str], frozenset[str]]]


def edge(owner: str, asset: str, share: str | None, control: str | None = None) -> Edge:
    return Edge(owner, asset, None if share is None else parse_share(share), control)


def reference(edges: list[Edge], listed: list[str], ruleset: Ruleset, as_of: date) -> Holders:
    graph = Graph(edges, as_of)
    prop = propagate(graph, {n: [{"id": n}] for n in listed}, ruleset)
    return {
        n: (frozenset(prop.sure.get(n, ())), frozenset(prop.maybe.get(n, ())))
        for n in graph.nodes() | set(listed)
    }


def random_graph(rng: random.Random, prefix: str) -> tuple[list[Edge], list[str]]:
    """A small graph: a few listed parties among up to a dozen nodes, 1-4 stakes each."""
    nodes = [f"{prefix}{i}" for i in range(rng.randint(2, 12))]
    listed = rng.sample(nodes, rng.randint(1, min(3, len(nodes))))
    edges: list[Edge] = []
    for _ in range(rng.randint(1, 3 * len(nodes))):
        owner, asset = rng.choice(nodes), rng.choice(nodes)
        roll = rng.random()
        share: Share | None
        control = None
        if roll < 0.1:
            share, control = None, rng.choice(CONTROLS)
        elif roll < 0.15:
            share = THIRD
        elif roll < 0.2:
            share = UNKNOWN
        else:
            share = parse_share(rng.choice(SHARES))
            if rng.random() < 0.1:
                control = rng.choice(CONTROLS)
        start = end = None
        if rng.random() < 0.15:
            start = TODAY + timedelta(days=rng.randint(-400, 200))
        if rng.random() < 0.15:
            end = TODAY + timedelta(days=rng.randint(-200, 400))
        edges.append(Edge(owner, asset, share, control, start=start, end=end))
    for _ in range(rng.choice((0, 0, 1, 2))):  # joint arrangements, mostly between listed
        pool = listed if len(listed) > 1 and rng.random() < 0.8 else nodes
        a, b = rng.sample(pool, 2) if len(pool) > 1 else (pool[0], pool[0])
        edges.append(Edge(a, b, rng.choice((None, parse_share("50"))), "joint"))
    return edges, listed


def random_graphs(seed: int, count: int) -> list[tuple[list[Edge], list[str]]]:
    rng = random.Random(seed)
    return [random_graph(rng, f"g{i}:") for i in range(count)]


def cases() -> list[tuple[str, list[Edge], list[str]]]:
    """The worked cases of tests/ownership/test_worked_cases.py, as graphs."""
    return [
        ("chain", [edge("X", "A", "50"), edge("A", "B", "50")], ["X"]),
        (
            "two-halves",
            [
                edge("X", "A", "50"),
                edge("X", "B", "50"),
                edge("A", "C", "25"),
                edge("B", "C", "25"),
            ],
            ["X"],
        ),
        (
            "direct+indirect",
            [edge("X", "A", "50"), edge("X", "B", "10"), edge("A", "B", "40")],
            ["X"],
        ),
        (
            "aggregate",
            [edge("X", "A", "25"), edge("Y", "A", "25"), edge("A", "B", "50")],
            ["X", "Y"],
        ),
        ("49", [edge("X", "A", "49"), edge("A", "B", "100")], ["X"]),
        ("eu-30+25", [edge("X", "A", "30"), edge("Y", "A", "25")], ["X", "Y"]),
        ("uk-apart", [edge("X", "A", "30"), edge("Y", "A", "30")], ["X", "Y"]),
        (
            "uk-joint",
            [edge("X", "A", "30"), edge("Y", "A", "30"), edge("X", "Y", None, "joint")],
            ["X", "Y"],
        ),
        ("founding", [edge("X", "H", "60"), edge("H", "C", "30"), edge("X", "C", "25")], ["X"]),
        ("ceo", [edge("X", "A", None, "management")], ["X"]),
        ("linked", [edge("X", "A", None, "linked"), edge("X", "B", "60", "linked")], ["X"]),
        (
            "range",
            [edge("X", "R", "25-75"), edge("X", "S", ">50"), edge("X", "T", "50-75")],
            ["X"],
        ),
        ("unknown", [edge("X", "A", "unknown"), edge("A", "B", "80")], ["X"]),
        ("cycle", [edge("A", "B", "60"), edge("B", "A", "60"), edge("X", "A", "10")], ["X"]),
        (
            "fed-cycle",
            [
                edge("A", "B", "60"),
                edge("B", "A", "60"),
                edge("X", "A", "10"),
                edge("X", "B", "50"),
            ],
            ["X"],
        ),
        (
            "thirds",
            [Edge("X", "A", THIRD), Edge("Y", "A", THIRD), Edge("Z", "A", THIRD)],
            ["X", "Y", "Z"],
        ),
        ("listed-alone", [edge("A", "B", "60")], ["X"]),
    ]


@pytest.mark.parametrize("ruleset", RULESETS, ids=lambda r: r.name)
def test_worked_cases_agree(ruleset: Ruleset) -> None:
    """Every case in one run, each under its own prefix (the graphs are disjoint)."""
    edges, listed = [], []
    for name, case, seeds in cases():
        edges += [replace(e, owner=f"{name}:{e.owner}", asset=f"{name}:{e.asset}") for e in case]
        listed += [f"{name}:{n}" for n in seeds]
    want = reference(edges, listed, ruleset, TODAY)
    assert engine_duckdb.holders(edges, listed, ruleset, TODAY) == want
    for name, case, seeds in cases():
        one = reference(case, seeds, ruleset, TODAY)

        def named(groups: frozenset[str], name: str = name) -> frozenset[str]:
            return frozenset(g if g == "*" else f"{name}:{g}" for g in groups)

        assert {f"{name}:{n}": (named(s), named(m)) for n, (s, m) in one.items()} == {
            n: held for n, held in want.items() if n.startswith(f"{name}:")
        }


def test_worked_case_statuses() -> None:
    c = dict((name, (edges, listed)) for name, edges, listed in cases())
    assert engine_duckdb.statuses(*c["two-halves"], OFAC, TODAY)["C"] == "blocked"
    apart, joint = (engine_duckdb.statuses(*c[n], UK, TODAY)["A"] for n in ("uk-apart", "uk-joint"))
    assert (apart, joint) == ("not_blocked", "blocked")
    assert engine_duckdb.statuses(*c["unknown"], OFAC, TODAY)["B"] == "indeterminate"
    assert engine_duckdb.statuses(*c["thirds"], OFAC, TODAY)["A"] == "blocked"
    assert engine_duckdb.statuses(*c["ceo"], OFAC, TODAY)["A"] == "not_blocked"
    assert engine_duckdb.statuses(*c["ceo"], EU, TODAY)["A"] == "blocked"


@pytest.mark.parametrize("ruleset", RULESETS, ids=lambda r: r.name)
def test_random_graphs_agree(ruleset: Ruleset) -> None:
    """400 graphs side by side in one run (disjoint, so each propagates alone)."""
    graphs = random_graphs(18, 400)
    edges = [e for g, _ in graphs for e in g]
    listed = [n for _, seeds in graphs for n in seeds]
    want = reference(edges, listed, ruleset, TODAY)
    got = engine_duckdb.holders(edges, listed, ruleset, TODAY)
    assert got == want
    assert any(s for s, _ in want.values() if s)
    if ruleset in (OFAC, EU, UK):  # some blocked and some indeterminate that are not listed
        assert sum(bool(s) for s, _ in want.values()) > len(set(listed))
        assert any(m - s for s, m in want.values())


@pytest.mark.parametrize("ruleset", (OFAC, UK), ids=lambda r: r.name)
def test_random_graphs_one_by_one_on_other_dates(ruleset: Ruleset) -> None:
    rng = random.Random(401)
    for edges, listed in random_graphs(7, 12):
        as_of = TODAY + timedelta(days=rng.randint(-300, 300))
        got = engine_duckdb.statuses(edges, listed, ruleset, as_of)
        prop = propagate(Graph(edges, as_of), {n: [{}] for n in listed}, ruleset)
        assert got == {n: prop.status(n) for n in got}
        assert set(got) == Graph(edges, as_of).nodes() | set(listed)


def test_tables_in_a_connection_and_nothing_left_behind() -> None:
    import duckdb

    edges, listed = random_graphs(3, 1)[0]
    con = duckdb.connect()
    con.register("arrow_edges", engine_duckdb.edges_arrow(edges))
    con.execute("CREATE TABLE edges AS SELECT * FROM arrow_edges")
    con.unregister("arrow_edges")
    con.execute("CREATE TABLE seeds AS SELECT unnest(?::VARCHAR[]) AS node", [listed])
    before = set(con.execute("SELECT table_name FROM information_schema.tables").fetchall())
    out = engine_duckdb.statuses_duckdb(con, "edges", "seeds", OFAC, TODAY, out="result")
    after = set(con.execute("SELECT table_name FROM information_schema.tables").fetchall())
    assert after - before == {("result",)}
    got = dict(con.execute(f"SELECT node, status FROM {out}").fetchall())
    prop = propagate(Graph(edges, TODAY), {n: [{}] for n in listed}, OFAC)
    assert got == {n: prop.status(n) for n in got}
    relation = con.sql("SELECT * FROM edges")
    engine_duckdb.statuses_duckdb(con, relation, con.sql("FROM seeds"), OFAC, TODAY, out="again")
    assert dict(con.execute("SELECT node, status FROM again").fetchall()) == got


def test_duckdb_is_imported_only_when_used() -> None:
    code = "import sys, sanctrace.ownership.engine_duckdb; print('duckdb' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
