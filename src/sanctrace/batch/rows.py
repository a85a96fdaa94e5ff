"""Screening results -> output rows: one per (input row, match), and exactly one for an input
row without a match, skipped or in error, so every input row is in the output.

Pure functions of their arguments, importable on their own (a Spark job maps rows with them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

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
    matches: Sequence[Match],
    threshold: float,
    versions: Iterable[tuple[str, str]],
    *,
    best_only: bool = False,
) -> list[OutputRow]:
    """The output rows of one screened input row: its matches best first (only the best with
    ``best_only``), or one row with empty match fields when nothing matched."""
    lists = lists_label(versions)
    if not matches:
        return [_empty(key, number, name, threshold, lists, "")]
    chosen = matches[:1] if best_only else matches
    return [
        OutputRow(
            input_key=key,
            input_row=number,
            input_name=name,
            id=m.id,
            dataset=m.dataset,
            source_id=m.source_id,
            schema=m.schema,
            caption=m.caption,
            score=round(m.score, 4),
            match=m.match,
            matched_name=m.matched_name,
            programs="; ".join(m.programs),
            explanation=explain(m),
            threshold=threshold,
            lists=lists,
            skipped="",
        )
        for m in chosen
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
