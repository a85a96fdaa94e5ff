"""Output rows: a pure function of the screening results."""

from __future__ import annotations

from typing import Any

from sanctrace.batch.rows import COLUMNS, lists_label, output_rows, skipped_row
from sanctrace.match import Match
from sanctrace.resolve.grouping import group_matches
from sanctrace.resolve.store import Parties

VERSIONS = (("us_ofac_sdn", "2024-05-03"), ("un_sc_sanctions", "2026-01-28"))


def _match(
    entity: str,
    score: float,
    programs: tuple[str, ...] = ("RUSSIA-EO14024",),
    dataset: str = "us_ofac_sdn",
) -> Match:
    return Match(
        id=f"{dataset}:{entity}",
        dataset=dataset,
        source_id=entity,
        schema="Company",
        caption=f"CAPTION {entity}",
        score=score,
        match=True,
        matched_name=f"NAME {entity}",
        explanation={
            "tokens": [
                {"query": "kupol", "candidate": "kupol", "how": "exact", "similarity": 1.0},
                {
                    "query": "iemz",
                    "candidate": "izhevsk electromechanical plant",
                    "how": "acronym",
                    "similarity": 0.92,
                },
            ],
            "features": [{"feature": "name", "score": 0.9}, {"feature": "country", "delta": 0.03}],
        },
        programs=programs,
    )


#: IEMZ Kupol is one party listed by OFAC and by Australia; record 7 is a party of its own.
PARTIES = Parties({"us_ofac_sdn:46431": "P-kupol", "au_dfat_sanctions:7904": "P-kupol"})


def _listing(record: str) -> dict[str, Any]:
    dataset, source = record.split(":")
    programs = ["Autonomous (Russia)"] if dataset == "au_dfat_sanctions" else []
    return {"dataset": dataset, "id": record, "caption": f"CAPTION {source}", "programs": programs}


def _rows(matches: list[Match], **options: Any) -> list[Any]:
    results = group_matches(matches, PARTIES, _listing)
    return output_rows("C-1", 2, "IEMZ Kupol", results, matches, 0.8, VERSIONS, **options)


def test_one_row_per_party_with_every_field() -> None:
    matches = [
        _match("46431", 0.948123),
        _match("7", 0.81, ()),
        _match("7904", 0.80, ("Autonomous (Russia)",), dataset="au_dfat_sanctions"),
    ]
    rows = _rows(matches)
    assert len(rows) == 2  # the party's two records are one row
    first = rows[0]._asdict()
    assert list(first) == list(COLUMNS)
    assert first == {
        "input_key": "C-1",
        "input_row": 2,
        "input_name": "IEMZ Kupol",
        "id": "us_ofac_sdn:46431",
        "dataset": "us_ofac_sdn",
        "source_id": "46431",
        "schema": "Company",
        "caption": "CAPTION 46431",
        "score": 0.9481,
        "match": True,
        "matched_name": "NAME 46431",
        "programs": "Autonomous (Russia)",
        "explanation": "kupol = kupol (exact 1.00); "
        "iemz ~ izhevsk electromechanical plant (acronym 0.92); country +0.03",
        "threshold": 0.8,
        "lists": "us_ofac_sdn@2024-05-03; un_sc_sanctions@2026-01-28",
        "skipped": "",
        "party_id": "P-kupol",
        "record_ids": "us_ofac_sdn:46431; au_dfat_sanctions:7904",
        "datasets": "au_dfat_sanctions; us_ofac_sdn",
    }
    alone = rows[1]
    assert (alone.party_id, alone.id, alone.record_ids) == ("us_ofac_sdn:7",) * 3
    assert alone.programs == "" and alone.datasets == "us_ofac_sdn"


def test_best_only_keeps_the_best_party() -> None:
    matches = [_match("1", 0.95, ("IRAN", "SDGT")), _match("2", 0.9)]
    rows = _rows(matches, best_only=True)
    assert len(rows) == 1 and rows[0].id == rows[0].party_id == "us_ofac_sdn:1"


def test_no_match_and_skipped_rows_keep_the_input_row() -> None:
    (row,) = output_rows("C-2", 3, "Margaret Thistlewood", [], [], 0.8, VERSIONS)
    assert (row.input_key, row.input_row, row.input_name) == ("C-2", 3, "Margaret Thistlewood")
    assert row.id == row.party_id == row.record_ids == row.caption == row.explanation == ""
    assert row.skipped == ""
    assert row.score is None and row.match is None
    assert row.threshold == 0.8 and row.lists == lists_label(VERSIONS)
    skipped = skipped_row("C-3", 4, "", "empty name", 0.7, VERSIONS)
    assert skipped.skipped == "empty name" and skipped.threshold == 0.7 and skipped.id == ""
