"""Screening results -> output rows: one per (input row, party matched), and exactly one for an
input row without a match, skipped or in error, so every input row is in the output. A party's
row names the record that scored best (``id``, ``dataset``, ``source_id``) and every listing of
the party (``record_ids``, ``datasets``).

Pure functions of their arguments, importable on their own (a Spark job maps rows with them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from sanctrace.match import Match
from sanctrace.screening import explain


class OutputRow(NamedTuple):
    input_key: str
    input_row: int
    input_name: str
    id: str
    dataset: str
    source_id: str
    schema: str
    caption: str
    score: float | None
    match: bool | None
    matched_name: str
    programs: str
    explanation: str
    threshold: float
    lists: str
    skipped: str
    #: The party matched, every record id of it and its lists (last, so that rows written
    #: before parties keep their columns in place).
    party_id: str = ""
    record_ids: str = ""
    datasets: str = ""


#: The output columns, in order.
COLUMNS: tuple[str, ...] = OutputRow._fields

#: The type of each column's values (every column may be empty: "" or None).
COLUMN_TYPES: dict[str, type] = {
    **dict.fromkeys(COLUMNS, str),
    "input_row": int,
    "score": float,
    "match": bool,
    "threshold": float,
}


def lists_label(versions: Iterable[tuple[str, str]]) -> str:
    """The list versions screened against: ``us_ofac_sdn@2024-05-03; un_sc_sanctions@…``."""
    return "; ".join(f"{dataset}@{version}" for dataset, version in versions)


def _empty(
    key: str, number: int, name: str, threshold: float, lists: str, skipped: str
) -> OutputRow:
    return OutputRow(
        key, number, name, "", "", "", "", "", None, None, "", "", "", threshold, lists, skipped
    )


def output_rows(
    key: str,
    number: int,
    name: str,
    results: Sequence[Mapping[str, Any]],
    matches: Sequence[Match],
    threshold: float,
    versions: Iterable[tuple[str, str]],
    *,
    best_only: bool = False,
) -> list[OutputRow]:
    """The output rows of one screened input row: its party results best first (only the best
    with ``best_only``), or one row with empty match fields when nothing matched. ``matches``
    are the record matches the results were grouped from (each result's ``record_id`` among
    them), for the explanation."""
    lists = lists_label(versions)
    if not results:
        return [_empty(key, number, name, threshold, lists, "")]
    chosen = results[:1] if best_only else results
    by_record = {m.id: m for m in matches}
    return [
        OutputRow(
            input_key=key,
            input_row=number,
            input_name=name,
            party_id=r["id"],
            id=r["record_id"],
            dataset=r["dataset"],
            source_id=r["source_id"],
            record_ids="; ".join(r["referents"]),
            datasets="; ".join(r["datasets"]),
            schema=r["schema"],
            caption=r["caption"],
            score=round(r["score"], 4),
            match=r["match"],
            matched_name=r["matched_name"],
            programs="; ".join(r["programs"]),
            explanation=explain(by_record[r["record_id"]]),
            threshold=threshold,
            lists=lists,
            skipped="",
        )
        for r in chosen
    ]


def skipped_row(
    key: str,
    number: int,
    name: str,
    reason: str,
    threshold: float,
    versions: Iterable[tuple[str, str]],
) -> OutputRow:
    """The one output row of an input row that was not screened, saying why."""
    return _empty(key, number, name, threshold, lists_label(versions), reason)
