"""The worked cases of OFAC FAQ 401 and the EU/UK differences, per regime, with their traces."""

from __future__ import annotations

from datetime import date

import pytest

from sanctrace.ownership.assess import Assessment, assess
from sanctrace.ownership.calculate import Graph, propagate
from sanctrace.ownership.edges import Edge
from sanctrace.ownership.rules import EU, OFAC, UK, Ruleset
from sanctrace.ownership.shares import parse_share

TODAY = date(2026, 12, 7)
ALL_LISTS = ("us_ofac_sdn", "eu_fsf", "gb_fcdo_sanctions")


def edge(
    owner: str, asset: str, share: str | None, control: str | None = None, **kw: object
) -> Edge:
    return Edge(owner, asset, None if share is None else parse_share(share), control, **kw)  # type: ignore[arg-type]


def check(
    edges: list[Edge], listed: list[str], node: str, ruleset: Ruleset, as_of: date = TODAY
) -> Assessment:
    graph = Graph(edges, as_of)
    marks = {n: [{"id": n, "dataset": ruleset.lists[0], "caption": n}] for n in listed}
    return assess(propagate(graph, marks, ruleset), node, ALL_LISTS, as_of)


@pytest.mark.parametrize("ruleset", [OFAC, EU, UK], ids=lambda r: r.name)
def test_a_chain_of_majority_stakes_blocks_each_link(ruleset: Ruleset) -> None:
    share = "51" if ruleset is UK else "50"
    edges = [edge("X", "A", share), edge("A", "B", share)]
    a, b = check(edges, ["X"], "A", ruleset), check(edges, ["X"], "B", ruleset)
    assert (a.status, b.status) == ("blocked", "blocked")
    assert b.paths == [["X", "A", "B"]]
    stake = b.trace["groups"][0]["stakes"][0]
    assert (stake["owner"], stake["share"], stake["owner_status"]) == ("A", f"{share}%", "blocked")
    assert stake["owner_trace"]["groups"][0]["stakes"][0]["owner"] == "X"
    assert f"{share}% by A" in b.explanation


def test_ofac_stakes_of_blocked_companies_add_up_unmultiplied() -> None:
    edges = [edge("X", "A", "50"), edge("X", "B", "50"), edge("A", "C", "25"), edge("B", "C", "25")]
    c = check(edges, ["X"], "C", OFAC)
    assert c.status == "blocked"
    assert c.trace["groups"][0]["sum"] == "50%"
    assert sorted(p[1] for p in c.paths) == ["A", "B"]


def test_ofac_direct_and_indirect_stakes_add_up() -> None:
    edges = [edge("X", "A", "50"), edge("X", "B", "10"), edge("A", "B", "40")]
    b = check(edges, ["X"], "B", OFAC)
    assert b.status == "blocked" and b.trace["groups"][0]["sum"] == "50%"


def test_ofac_aggregates_different_blocked_persons() -> None:
    edges = [edge("X", "A", "25"), edge("Y", "A", "25"), edge("A", "B", "50")]
    a, b = check(edges, ["X", "Y"], "A", OFAC), check(edges, ["X", "Y"], "B", OFAC)
    assert (a.status, b.status) == ("blocked", "blocked")
    assert "aggregated" in a.flags


def test_ofac_a_49_percent_holding_blocks_nothing_downstream() -> None:
    edges = [edge("X", "A", "49"), edge("A", "B", "100")]
    a, b = check(edges, ["X"], "A", OFAC), check(edges, ["X"], "B", OFAC)
    assert (a.status, b.status) == ("not_blocked", "not_blocked")
    assert a.trace["groups"][0]["sum"] == "49%"


def test_eu_aggregates_two_listed_persons() -> None:
    edges = [edge("X", "A", "30"), edge("Y", "A", "25")]
    assert check(edges, ["X", "Y"], "A", EU).status == "blocked"


def test_uk_does_not_aggregate_unless_a_joint_arrangement_is_recorded() -> None:
    edges = [edge("X", "A", "30"), edge("Y", "A", "30")]
    apart = check(edges, ["X", "Y"], "A", UK)
    assert apart.status == "not_blocked"
    assert "holdings_not_aggregated" in apart.flags
    joint = check([*edges, edge("X", "Y", None, "joint")], ["X", "Y"], "A", UK)
    assert joint.status == "blocked"
    assert check(edges, ["X", "Y"], "A", OFAC).status == "blocked"


def test_uk_counts_one_listed_persons_direct_and_indirect_stakes_together() -> None:
    edges = [edge("X", "H", "60"), edge("H", "C", "30"), edge("X", "C", "25")]
    assert check(edges, ["X"], "C", UK).status == "blocked"


def test_a_chief_executive_controls_under_eu_and_uk_but_only_cautions_under_ofac() -> None:
    edges = [edge("X", "A", None, "management")]
    ofac = check(edges, ["X"], "A", OFAC)
    assert ofac.status == "not_blocked" and "control_without_ownership" in ofac.flags
    for ruleset in (EU, UK):
        got = check(edges, ["X"], "A", ruleset)
        assert (got.status, got.basis) == ("blocked", "control")


def test_a_range_straddling_the_test_is_indeterminate_and_says_why() -> None:
    got = check([edge("X", "R", "25-75")], ["X"], "R", OFAC)
    assert got.status == "indeterminate"
    assert any("25-75%" in r for r in got.reasons)
    assert check([edge("X", "R", ">50")], ["X"], "R", UK).status == "blocked"
    assert check([edge("X", "R", "50-75")], ["X"], "R", UK).status == "indeterminate"
    assert (
        check([edge("X", "R", "ownership-of-shares-50-to-75-percent")], ["X"], "R", UK).status
        == "blocked"
    )


def test_an_unknown_stake_is_indeterminate_never_a_silent_pass() -> None:
    got = check([edge("X", "A", "")], ["X"], "A", OFAC)
    assert got.status == "indeterminate"
    downstream = check([edge("X", "A", "unknown"), edge("A", "B", "80")], ["X"], "B", OFAC)
    assert downstream.status == "indeterminate"
    assert any("may or may not be blocked" in r for r in downstream.reasons)


def test_a_divested_stake_counts_only_while_it_was_held() -> None:
    edges = [edge("X", "D", "60", start=date(2020, 1, 1), end=date(2023, 6, 30))]
    assert check(edges, ["X"], "D", OFAC, date(2023, 1, 1)).status == "blocked"
    assert check(edges, ["X"], "D", OFAC, date(2024, 1, 1)).status == "not_blocked"


def test_a_cycle_of_companies_blocks_nothing_by_itself_and_a_diamond_counts_once() -> None:
    cycle = [edge("A", "B", "60"), edge("B", "A", "60"), edge("X", "A", "10")]
    assert check(cycle, ["X"], "B", OFAC).status == "not_blocked"
    fed = [*cycle, edge("X", "B", "50")]
    assert check(fed, ["X"], "A", OFAC).status == "blocked"  # 10% + 60% from blocked B
    diamond = [
        edge("X", "A", "100"),
        edge("A", "L", "50"),
        edge("A", "R", "50"),
        edge("L", "D", "25"),
        edge("R", "D", "25"),
    ]
    got = check(diamond, ["X"], "D", OFAC)
    assert got.status == "blocked" and got.trace["groups"][0]["sum"] == "50%"


def test_the_regimes_own_list_missing_is_no_silent_pass() -> None:
    graph = Graph([edge("X", "A", "60")], TODAY)
    got = assess(propagate(graph, {}, EU), "A", ("us_ofac_sdn",), TODAY)
    assert got.status == "indeterminate" and "regime_list_not_loaded" in got.flags


#: OFAC FAQ 401's cases, as written (50% stakes), under each regime: OFAC's and (since the
#: Council's 2024 update) the EU's test is "50% or more", the UK's "more than 50%"; the UK does
#: not add up X's and Y's holdings.
FAQ_401 = [
    (
        "chain",
        [("X", "A", "50"), ("A", "B", "50")],
        ["X"],
        {"A": "blocked", "B": "blocked"},
        {"A": "blocked", "B": "blocked"},
        {"A": "not_blocked", "B": "not_blocked"},
    ),
    (
        "two halves",
        [("X", "A", "50"), ("X", "B", "50"), ("A", "C", "25"), ("B", "C", "25")],
        ["X"],
        {"C": "blocked"},
        {"C": "blocked"},
        {"C": "not_blocked"},
    ),
    (
        "direct and indirect",
        [("X", "A", "50"), ("X", "B", "10"), ("A", "B", "40")],
        ["X"],
        {"B": "blocked"},
        {"B": "blocked"},
        {"B": "not_blocked"},
    ),
    (
        "two listed",
        [("X", "A", "25"), ("Y", "A", "25"), ("A", "B", "50")],
        ["X", "Y"],
        {"A": "blocked", "B": "blocked"},
        {"A": "blocked", "B": "blocked"},
        {"A": "not_blocked", "B": "not_blocked"},
    ),
    (
        "49 percent",
        [("X", "A", "49"), ("A", "B", "100")],
        ["X"],
        {"A": "not_blocked", "B": "not_blocked"},
        {"A": "not_blocked", "B": "not_blocked"},
        {"A": "not_blocked", "B": "not_blocked"},
    ),
    (
        "majorities",
        [("X", "A", "51"), ("A", "B", "51"), ("X", "C", "30"), ("Y", "C", "25")],
        ["X", "Y"],
        {"B": "blocked", "C": "blocked"},
        {"B": "blocked", "C": "blocked"},
        {"B": "blocked", "C": "not_blocked"},
    ),
]


@pytest.mark.parametrize(
    ("case", "stakes", "listed", "ofac", "eu", "uk"), FAQ_401, ids=[c[0] for c in FAQ_401]
)
def test_the_faq_401_cases_under_each_regime(
    case: str,
    stakes: list[tuple[str, str, str]],
    listed: list[str],
    ofac: dict[str, str],
    eu: dict[str, str],
    uk: dict[str, str],
) -> None:
    edges = [edge(o, a, s) for o, a, s in stakes]
    for ruleset, expected in ((OFAC, ofac), (EU, eu), (UK, uk)):
        for company, status in expected.items():
            got = check(edges, listed, company, ruleset)
            assert got.status == status, (case, ruleset.name, company, got.explanation)
            if status == "blocked":
                counted = [s for g in got.trace["groups"] for s in g["stakes"]]
                assert counted and all(s["share"] for s in counted), got.trace
