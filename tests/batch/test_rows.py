"""Output rows: a pure function of the screening results."""

from __future__ import annotations

from sanctrace.batch.rows import COLUMNS, lists_label, output_rows, skipped_row
from sanctrace.match import Match

VERSIONS = (("us_ofac_sdn", "2024-05-03"), ("un_sc_sanctions", "2026-01-28"))


def _match(entity: str, score: float, programs: tuple[str, ...] = ("RUSSIA-EO14024",)) -> Match:
    return Match(
        id=f"us_ofac_sdn:{entity}",
        dataset="us_ofac_sdn",
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


def test_one_row_per_match_with_every_field() -> None:
    rows = output_rows(
        "C-1", 2, "IEMZ Kupol", [_match("46431", 0.948123), _match("7", 0.81, ())], 0.8, VERSIONS
    )
    assert len(rows) == 2
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
        "programs": "RUSSIA-EO14024",
        "explanation": "kupol = kupol (exact 1.00); "
        "iemz ~ izhevsk electromechanical plant (acronym 0.92); country +0.03",
        "threshold": 0.8,
        "lists": "us_ofac_sdn@2024-05-03; un_sc_sanctions@2026-01-28",
        "skipped": "",
    }
    assert rows[1].programs == "" and rows[1].id == "us_ofac_sdn:7"


def test_programs_joined_and_best_only() -> None:
    matches = [_match("1", 0.95, ("IRAN", "SDGT")), _match("2", 0.9)]
    rows = output_rows("k", 5, "x", matches, 0.8, VERSIONS, best_only=True)
    assert len(rows) == 1 and rows[0].id == "us_ofac_sdn:1" and rows[0].programs == "IRAN; SDGT"


def test_no_match_and_skipped_rows_keep_the_input_row() -> None:
    (row,) = output_rows("C-2", 3, "Margaret Thistlewood", [], 0.8, VERSIONS)
    assert (row.input_key, row.input_row, row.input_name) == ("C-2", 3, "Margaret Thistlewood")
    assert row.id == row.caption == row.explanation == row.skipped == ""
    assert row.score is None and row.match is None
    assert row.threshold == 0.8 and row.lists == lists_label(VERSIONS)
    skipped = skipped_row("C-3", 4, "", "empty name", 0.7, VERSIONS)
    assert skipped.skipped == "empty name" and skipped.threshold == 0.7 and skipped.id == ""
