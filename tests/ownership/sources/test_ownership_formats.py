"""The FtM, BODS and GLEIF readers on real samples: the edges they give, and one clear error
(file, line or record, field) for every kind of bad input, never a traceback or half a file."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from sanctrace.errors import SourceError
from sanctrace.ownership.edges import Edge
from sanctrace.ownership.shares import UNKNOWN, Share
from sanctrace.ownership.sources import detect, read_edges

DATA = Path(__file__).parent.parent / "data"


def by_ends(edges: list[Edge]) -> dict[tuple[str, str], list[Edge]]:
    out: dict[tuple[str, str], list[Edge]] = {}
    for e in edges:
        out.setdefault((e.owner, e.asset), []).append(e)
    return out


# -- FollowTheMoney -------------------------------------------------------------------------


def test_ftm_sample() -> None:
    name, edges = read_edges(DATA / "ftm_ownership.ftm.json")
    assert name == "ftm"
    ends = by_ends(edges)
    assert len(edges) == 4
    [kupol] = ends[("us_ofac_sdn:46431", "us_ofac_sdn:46437")]
    assert kupol.share == UNKNOWN and kupol.control is None
    assert kupol.owner_name == "JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL"
    assert kupol.source == "https://sanctionssearch.ofac.treas.gov/"
    [jenex] = ends[("name:mvj limited", "name:jenex limited")]
    assert jenex.share is not None and (jenex.share.low, jenex.share.high) == (75, 100)
    assert jenex.share_type == "Ordinary shares" and jenex.extra["recordId"] == "0f31559c6eec"
    [control] = ends[("lei:549300OWK6ZGNYP4G142", "lei:549300O897ZC5H7CY412")]
    assert control.share is None and control.control == "appointment"
    assert control.start == date(2006, 8, 8) and control.asset_name == "La Gare Holding AB"
    [director] = ends[("name:natalie coleman", "name:chrinon ltd")]
    assert director.control == "management" and director.share is None
    assert (director.start, director.end) == (date(2018, 1, 1), date(2019, 6, 30))
    assert director.provenance == "ftm_ownership.ftm.json:12 dir-chrinon-coleman"


# -- BODS -----------------------------------------------------------------------------------


def test_bods_mixed_direct_and_indirect() -> None:
    name, edges = read_edges(DATA / "bods_mixed_direct_indirect.json")
    assert name == "bods"
    ends = by_ends(edges)
    # Company B holds 50% of Company A; Person 1 an interest of unknown kind in Company B;
    # Person 1's own 50% of Company A is direct; the indirect 50% runs through the
    # components, so it is not a second edge.
    assert set(ends) == {
        ("name:company b", "name:company a"),
        ("name:person 1", "name:company b"),
        ("name:person 1", "name:company a"),
    }
    [b_in_a] = ends[("name:company b", "name:company a")]
    assert b_in_a.share == Share(Fraction(50), Fraction(50), text="50%")
    assert b_in_a.start == date(2017, 11, 1) and b_in_a.share_type == "shares"
    [unknown] = ends[("name:person 1", "name:company b")]
    assert unknown.share == UNKNOWN and unknown.share_type == "unknown interest"
    [direct] = ends[("name:person 1", "name:company a")]
    assert direct.start == date(2019, 5, 1) and direct.share is not None
    assert direct.share.low == 50
    assert direct.provenance == (
        "bods_mixed_direct_indirect.json: statement fffad4d7-8263-4dbc-a300-8976bed7790c"
    )


def test_bods_range_with_an_exclusive_maximum() -> None:
    [edge] = read_edges(DATA / "bods_entity_owning_entity.json")[1]
    assert (edge.owner, edge.asset) == ("name:mvj limited", "name:jenex limited")
    assert edge.share is not None
    assert (edge.share.low, edge.share.high) == (75, 100)
    assert (edge.share.low_open, edge.share.high_open) == (False, True)
    assert edge.source == "JENEX LIMITED"
    assert edge.asset_name == "JENEX LIMITED" and edge.owner_name == "MVJ LIMITED"


def _bods(path: Path, statements: list[dict[str, object]], lines: bool = False) -> Path:
    text = "\n".join(json.dumps(s) for s in statements) if lines else json.dumps(statements)
    path.write_text(text, encoding="utf-8")
    return path


def _entity(record: str, name: str, lei: str | None = None) -> dict[str, object]:
    details: dict[str, object] = {"isComponent": False, "name": name}
    if lei:
        details["identifiers"] = [{"scheme": "XI-LEI", "id": lei}]
    return {
        "statementId": f"s-{record}",
        "statementDate": "2024-01-01",
        "recordId": record,
        "recordType": "entity",
        "recordDetails": details,
    }


def _relationship(
    record: str, interests: list[object], date_: str = "2024-01-01"
) -> dict[str, object]:
    return {
        "statementId": f"s-{record}-{date_}",
        "statementDate": date_,
        "recordId": record,
        "recordType": "relationship",
        "recordDetails": {
            "isComponent": False,
            "subject": "child",
            "interestedParty": "parent",
            "interests": interests,
        },
    }


def test_bods_lei_json_lines_and_updates(tmp_path: Path) -> None:
    path = _bods(
        tmp_path / "x.jsonl",
        [
            _entity("child", "Child AB", "549300O897ZC5H7CY412"),
            _entity("parent", "Parent AB"),
            _relationship("r1", [{"type": "shareholding", "share": {"exact": 10}}]),
            _relationship(
                "r1",
                [
                    {"type": "votingRights", "share": {"exclusiveMinimum": 50, "maximum": 75}},
                    {"type": "appointmentOfBoard", "startDate": "2024-02"},
                ],
                "2024-06-01",
            ),
        ],
        lines=True,
    )
    assert detect(path) == "bods"
    edges = read_edges(path)[1]
    assert [(e.owner, e.asset) for e in edges] == [
        ("name:parent ab", "lei:549300O897ZC5H7CY412")
    ] * 2
    votes, board = edges
    assert votes.control == "voting" and votes.share is not None
    assert (votes.share.low, votes.share.low_open, votes.share.high) == (50, True, 75)
    assert board.control == "appointment" and board.share is None
    assert board.start == date(2024, 2, 1)


# -- GLEIF ----------------------------------------------------------------------------------

CHILD_A = "lei:254900RX3NW13DDG3905"
CHILD_B = "lei:529900YR7EORVQ2U3353"
PARENT = "lei:5299001ERX0K10IZUL40"
LA_GARE = "lei:549300O897ZC5H7CY412"
LA_GARE_PARENT = "lei:549300OWK6ZGNYP4G142"


def test_gleif_api_children() -> None:
    name, edges = read_edges(DATA / "gleif_api_direct_children.json")
    assert name == "gleif"
    assert [(e.owner, e.asset) for e in edges] == [(PARENT, CHILD_A), (PARENT, CHILD_B)]
    a, b = edges
    assert a.share == UNKNOWN and a.control == "management" and a.share_type == "consolidation"
    assert a.start == date(2001, 2, 20) and a.end is None  # the relationship period, not accounts
    assert b.start == date(2017, 10, 8)
    assert (
        a.source == "GLEIF Level 2" and a.provenance == "gleif_api_direct_children.json: record 1"
    )


def test_gleif_api_single_records() -> None:
    [direct] = read_edges(DATA / "gleif_api_direct_parent.json")[1]
    assert (direct.owner, direct.asset, direct.start) == (LA_GARE_PARENT, LA_GARE, date(2006, 8, 8))
    assert "allabolag.se" in direct.source
    [ultimate] = read_edges(DATA / "gleif_api_ultimate_parent.json")[1]
    assert ultimate.share_type == "ultimate consolidation"  # alone, no direct path in its file


def test_gleif_golden_copy_csv_drops_an_ultimate_parent_the_direct_chain_gives() -> None:
    name, edges = read_edges(DATA / "gleif_golden_copy_rr.csv")
    assert name == "gleif"
    assert [(e.owner, e.asset, e.share_type) for e in edges] == [
        (PARENT, CHILD_A, "consolidation"),
        (LA_GARE_PARENT, LA_GARE, "consolidation"),
    ]
    assert (
        edges[1].start == date(2006, 8, 8) and edges[1].provenance == "gleif_golden_copy_rr.csv:3"
    )


def test_gleif_golden_copy_json_quantifier_and_kinds(tmp_path: Path) -> None:
    def record(start: str, end: str, kind: str, amount: str | None = None) -> dict[str, object]:
        rel: dict[str, object] = {
            "StartNode": {"NodeID": {"$": start}, "NodeIDType": {"$": "LEI"}},
            "EndNode": {"NodeID": {"$": end}, "NodeIDType": {"$": "LEI"}},
            "RelationshipType": {"$": kind},
            "RelationshipStatus": {"$": "ACTIVE"},
            "RelationshipPeriods": {
                "RelationshipPeriod": {
                    "StartDate": {"$": "2019-01-01T00:00:00Z"},
                    "PeriodType": {"$": "RELATIONSHIP_PERIOD"},
                }
            },
        }
        if amount:
            rel["RelationshipQuantifiers"] = {
                "RelationshipQuantifier": [
                    {
                        "MeasurementMethod": {"$": "ACCOUNTING_CONSOLIDATION"},
                        "QuantifierAmount": {"$": amount},
                        "QuantifierUnits": {"$": "PERCENTAGE"},
                    }
                ]
            }
        return {"Relationship": rel, "Registration": {"RegistrationStatus": {"$": "PUBLISHED"}}}

    path = tmp_path / "rr.json"
    path.write_text(
        json.dumps(
            {
                "relations": [
                    record(LA_GARE[4:], LA_GARE_PARENT[4:], "IS_DIRECTLY_CONSOLIDATED_BY", "60.5"),
                    record(CHILD_A[4:], PARENT[4:], "IS_FUND-MANAGED_BY"),
                    record(CHILD_B[4:], PARENT[4:], "IS_FEEDER_TO"),
                ]
            }
        )
    )
    consolidated, managed, feeder = read_edges(path)[1]
    assert consolidated.share is not None and consolidated.share.low == Fraction("60.5")
    assert consolidated.share.exact and consolidated.start == date(2019, 1, 1)
    assert (managed.owner, managed.control, managed.share) == (PARENT, "management", None)
    assert (feeder.owner, feeder.asset, feeder.share) == (CHILD_B, PARENT, UNKNOWN)


# -- bad input ------------------------------------------------------------------------------

GOOD_FTM = [
    {"id": "a", "schema": "Company", "properties": {"name": ["Alpha LLC"]}},
    {"id": "b", "schema": "Company", "properties": {"name": ["Beta LLC"]}},
    {
        "id": "o",
        "schema": "Ownership",
        "properties": {"owner": ["a"], "asset": ["b"], "percentage": ["50"]},
    },
]


def _ftm(path: Path, *changes: tuple[int, str, object]) -> Path:
    lines = [json.loads(json.dumps(e)) for e in GOOD_FTM]
    for index, prop, value in changes:
        if value is None:
            del lines[index]["properties"][prop]
        else:
            lines[index]["properties"][prop] = value
    path.write_text("\n".join(json.dumps(e) for e in lines) + "\n", encoding="utf-8")
    return path


def _fails(
    path: Path,
    format: str,
    message: str,
    *,
    line: int | None = None,
    record: str | None = None,
    field: str | None = None,
) -> SourceError:
    with pytest.raises(SourceError) as caught:
        read_edges(path, format)
    err = caught.value
    assert message in err.message, err
    assert err.file == str(path)
    if line is not None:
        assert err.line == line, err
    if record is not None:
        assert err.record is not None and record in err.record, err
    if field is not None:
        assert err.field == field, err
    return err


def test_ftm_bad_input(tmp_path: Path) -> None:
    assert read_edges(_ftm(tmp_path / "ok.json"))[1][0].share is not None
    _fails(
        _ftm(tmp_path / "1.json", (2, "percentage", ["150"])),
        "ftm",
        "more than 100%",
        line=3,
        record="o",
        field="percentage",
    )
    _fails(
        _ftm(tmp_path / "2.json", (2, "owner", None)),
        "ftm",
        "without its owner",
        line=3,
        record="o",
        field="owner",
    )
    _fails(
        _ftm(tmp_path / "3.json", (2, "startDate", ["2024-05-01"]), (2, "endDate", ["2023"])),
        "ftm",
        "before it starts",
        line=3,
        field="endDate",
    )
    _fails(
        _ftm(tmp_path / "4.json", (2, "asset", ["nowhere"])),
        "ftm",
        "not an entity of this file",
        line=3,
        field="asset",
    )
    _fails(
        _ftm(tmp_path / "5.json", (0, "name", ["x" * 50_000_000])),
        "ftm",
        "too long",
        line=1,
        field="name",
    )
    path = tmp_path / "6.json"
    path.write_text(json.dumps(GOOD_FTM[0]) + "\n[1, 2]\n")
    _fails(path, "ftm", "where an object belongs", line=2)
    path.write_text(json.dumps(GOOD_FTM[0]) + '\n{"id": "x", "schema": \n')
    _fails(path, "ftm", "malformed JSON", line=2)
    path.write_text(
        '{"id": "x", "schema": "Company", "properties": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    )
    _fails(path, "ftm", "nested deeper", line=1)
    path.write_bytes(json.dumps(GOOD_FTM[0]).encode().replace(b"Alpha", b"Alph\xe4") + b"\n")
    _fails(path, "ftm", "not UTF-8", line=1)


def test_bods_bad_input(tmp_path: Path) -> None:
    good = [_entity("child", "Child AB"), _entity("parent", "Parent AB")]
    path = tmp_path / "b.json"
    _bods(path, [*good, _relationship("r", [{"type": "shareholding", "share": {"exact": 150}}])])
    _fails(
        path,
        "bods",
        "between 0 and 100",
        record="s-r-2024-01-01",
        field="recordDetails.interests[0].share.exact",
    )
    _bods(
        path,
        [
            *good,
            _relationship(
                "r", [{"type": "shareholding", "startDate": "2024-05-01", "endDate": "2023-01-01"}]
            ),
        ],
    )
    _fails(path, "bods", "before it starts", field="recordDetails.interests[0].endDate")
    rel = _relationship("r", [{"type": "shareholding"}])
    rel["recordDetails"]["interestedParty"] = "ghost"  # type: ignore[index]
    _bods(path, [*good, rel])
    _fails(path, "bods", "no entity or person statement", field="recordDetails.interestedParty")
    _bods(path, [*good, _relationship("r", [{"type": "ownsTheMoon"}])])
    _fails(path, "bods", "not a BODS interest type", field="recordDetails.interests[0].type")
    path.write_text('[{"statementId": "x",\n "recordType": }]')
    _fails(path, "bods", "malformed JSON", line=2)
    lines = tmp_path / "b.jsonl"
    lines.write_text(json.dumps(good[0]) + "\n" + '"just a string"\n')
    _fails(lines, "bods", "where an object belongs", line=2)
    _bods(path, [_entity("child", "C" * 20_000)])
    _fails(path, "bods", "too long", field="name")


def test_gleif_bad_input(tmp_path: Path) -> None:
    text = (DATA / "gleif_golden_copy_rr.csv").read_text()
    path = tmp_path / "rr.csv"
    path.write_text(text.replace('"5299001ERX0K10IZUL40"', '"NOT-AN-LEI"'))
    _fails(path, "gleif", "is not an LEI", line=2, field="EndNode.NodeID")
    path.write_text(
        text.replace(
            '"2006-08-08T02:00:00Z","","RELATIONSHIP_PERIOD"',
            '"2006-08-08T02:00:00Z","2001-01-01","RELATIONSHIP_PERIOD"',
            1,
        )
    )
    _fails(path, "gleif", "before it starts", line=3, field="RelationshipPeriod.EndDate")
    path.write_text(
        text.replace(
            '"IS_DIRECTLY_CONSOLIDATED_BY","ACTIVE","2001', '"IS_FRIENDS_WITH","ACTIVE","2001'
        )
    )
    _fails(path, "gleif", "relationship type", line=2, field="RelationshipType")
    path.write_text(
        text.replace('"ACCOUNTS_FILING","https', '"ACCOUNTS_FILING","' + "x" * 20_000 + "https", 1)
    )
    _fails(path, "gleif", "too long", line=3, field="Registration.ValidationReference")
    api = json.loads((DATA / "gleif_api_direct_children.json").read_text())
    api["data"][1]["attributes"]["relationship"]["quantifiers"] = [
        {
            "measurementMethod": "ACCOUNTING_CONSOLIDATION",
            "quantifierAmount": "150",
            "quantifierUnits": "PERCENTAGE",
        }
    ]
    json_path = tmp_path / "rr.json"
    json_path.write_text(json.dumps(api))
    _fails(json_path, "gleif", "more than 100%", record="#2", field="QuantifierAmount")
    json_path.write_text('{"data": [1]}')
    _fails(json_path, "gleif", "where a relationship record belongs", record="#1")
    json_path.write_bytes(b'{"data": [\xff]}')
    _fails(json_path, "gleif", "not UTF-8", line=1)


def test_detect_tells_the_formats_apart() -> None:
    assert detect(DATA / "ftm_ownership.ftm.json") == "ftm"
    assert detect(DATA / "bods_mixed_direct_indirect.json") == "bods"
    assert detect(DATA / "gleif_api_direct_parent.json") == "gleif"
    assert detect(DATA / "gleif_golden_copy_rr.csv") == "gleif"
