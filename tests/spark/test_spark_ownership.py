"""The ownership propagation on Spark finds the reference's groups for every node, under each
regime: the worked cases and a seeded random graph (ranges, unknown and third shares, control
and joint edges, cycles, dates), all in one small graph of disjoint parts."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING

import pytest

from sanctrace.ownership.calculate import Graph, propagate
from sanctrace.ownership.edges import Edge
from sanctrace.ownership.rules import EU, OFAC, UK, Ruleset
from sanctrace.ownership.shares import UNKNOWN, Share, parse_share

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

TODAY = date(2026, 12, 7)
THIRD = Share(Fraction(100, 3), Fraction(100, 3))
SHARES = ("50", "100", "25", "49", "51", "30", "60", "33.33", "25-75", ">50", "<50", "50-75")
CONTROLS = ("management", "voting", "linked", "joint")


def edge(owner: str, asset: str, share: str | None, control: str | None = None) -> Edge:
    return Edge(owner, asset, None if share is None else parse_share(share), control)


def graph() -> tuple[list[Edge], list[str]]:
    worked = [
        edge("a:X", "a:A", "50"), edge("a:X", "a:B", "50"), edge("a:A", "a:C", "25"),
        edge("a:B", "a:C", "25"),
        edge("b:X", "b:A", "30"), edge("b:Y", "b:A", "30"),
        edge("c:X", "c:A", "30"), edge("c:Y", "c:A", "30"), edge("c:X", "c:Y", None, "joint"),
        edge("d:X", "d:A", None, "management"),
        edge("e:A", "e:B", "60"), edge("e:B", "e:A", "60"), edge("e:X", "e:A", "10"),
        edge("f:X", "f:H", "60"), edge("f:H", "f:C", "30"), edge("f:X", "f:C", "25"),
        edge("g:X", "g:A", "unknown"), edge("g:A", "g:B", "80"),
        Edge("h:X", "h:A", THIRD), Edge("h:Y", "h:A", THIRD), Edge("h:Z", "h:A", THIRD),
        edge("i:X", "i:A", ">50"), edge("i:X", "i:B", "50-75"), edge("i:X", "i:C", "<50"),
        edge("i:X", "i:D", "ownership-of-shares-50-to-75-percent"),
    ]  # fmt: skip
    listed = [
        "a:X",
        "b:X",
        "b:Y",
        "c:X",
        "c:Y",
        "d:X",
        "e:X",
        "f:X",
        "g:X",
        "h:X",
        "h:Y",
        "h:Z",
        "i:X",
    ]
    rng = random.Random(18)
    nodes = [f"r:{i}" for i in range(40)]
    listed += rng.sample(nodes, 6)
    for _ in range(90):
        roll = rng.random()
        share = THIRD if roll < 0.05 else UNKNOWN if roll < 0.1 else parse_share(rng.choice(SHARES))
        control = rng.choice(CONTROLS) if roll > 0.9 else None
        share = None if control in ("management", "joint") and rng.random() < 0.7 else share
        start = TODAY + timedelta(days=rng.randint(-90, 60)) if rng.random() < 0.1 else None
        end = TODAY + timedelta(days=rng.randint(-60, 90)) if rng.random() < 0.1 else None
        owner, asset = rng.choice(nodes), rng.choice(nodes)
        worked.append(Edge(owner, asset, share, control, start=start, end=end))
    return worked, listed


@pytest.mark.parametrize(
    "ruleset",
    [OFAC, EU, UK, replace(UK, name="third", threshold=Fraction(100, 3), strict=False)],
    ids=lambda r: r.name,
)
def test_spark_propagation_gives_the_references_groups(
    spark: SparkSession, ruleset: Ruleset
) -> None:
    from sanctrace.spark.ownership import holders

    edges, listed = graph()
    prop = propagate(Graph(edges, TODAY), {n: [{}] for n in listed}, ruleset)
    want = {
        n: (frozenset(prop.sure.get(n, ())), frozenset(prop.maybe.get(n, ())))
        for n in Graph(edges, TODAY).nodes() | set(listed)
    }
    assert holders(spark, edges, listed, ruleset, TODAY) == want
    assert {prop.status(n) for n in want} == {"blocked", "indeterminate", "not_blocked"}


def test_spark_statuses_of_the_worked_cases(spark: SparkSession) -> None:
    from sanctrace.spark.ownership import statuses

    edges, listed = graph()
    got = statuses(spark, edges, listed, UK, TODAY)
    assert (got["a:C"], got["b:A"], got["c:A"], got["d:A"]) == (
        "not_blocked",  # UK: 25 + 25 is not more than 50
        "not_blocked",
        "blocked",
        "blocked",
    )
    assert (got["e:B"], got["f:C"], got["g:B"]) == ("not_blocked", "blocked", "indeterminate")
    assert [got[f"i:{n}"] for n in "ABCD"] == ["blocked", "indeterminate", "not_blocked", "blocked"]
