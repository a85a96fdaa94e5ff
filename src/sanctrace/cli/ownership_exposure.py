"""``sanctrace ownership exposure``: a customer or supplier file in, each row's status under
each regime out (one row per input row, spreadsheet-safe, written atomically).

A row is found in the ownership data by its id column (record id, party id, LEI) or by its
name as loaded; a name the ownership data does not hold is screened, so that a listed
counterparty is reported as listed; anything else has no known holders.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sanctrace.batch.columns import ColumnOptions, extract, resolve_columns
from sanctrace.batch.readers import open_input
from sanctrace.batch.writers import detect_output_format, open_output
from sanctrace.cli.context import State
from sanctrace.cli.output import row_progress
from sanctrace.cli.parties import party_lookup
from sanctrace.match import Query
from sanctrace.ownership.exposure import LISTED_SCORE, NO_DATA, Screen, exposure_of
from sanctrace.ownership.rules import Ruleset


def run_exposure(
    state: State,
    file: str,
    out_file: str,
    rulesets: list[Ruleset],
    as_of: date,
    *,
    name_column: str | None,
    key_column: str | None,
    id_column: str | None,
    encoding: str | None,
) -> str:
    store = state.store_with_data()
    parties = party_lookup(state)
    listing = state.listing()
    loaded = {v.dataset for v in store.active_versions()}
    screen = listed_screen(state)
    columns = ["key", "name", "company", "company_id"]
    for r in rulesets:
        columns += [f"{r.name}_status", f"{r.name}_basis", f"{r.name}_flags", f"{r.name}_why"]
    rows: list[list[Any]] = []
    counts: dict[str, int] = {}
    with open_input(file, encoding=encoding) as reader:
        options = ColumnOptions(name=name_column, key=key_column, identifier=id_column)
        mapping = resolve_columns(reader.columns, options, source=file)
        with row_progress("ownership") as progress:
            task = progress.add_task("rows", total=reader.estimate_rows())
            for raw in reader.rows():
                record = extract(raw, mapping)
                progress.advance(task)
                if record.error:
                    rows.append([record.key, record.name, "", "", *_blank(rulesets, record.error)])
                    continue
                found = exposure_of(
                    store,
                    record.identifier,
                    record.name,
                    rulesets,
                    as_of,
                    parties,
                    listing,
                    loaded,
                    screen,
                )
                if found.node is None:
                    rows.append([record.key, record.name, "", "", *_none(rulesets, NO_DATA)])
                    counts["no holders known"] = counts.get("no holders known", 0) + 1
                    continue
                line: list[Any] = [record.key, record.name, found.caption, found.node]
                for a in found.assessments:
                    line += [a.status, a.basis or "", ";".join(a.flags), a.explanation]
                    counts[f"{a.regime} {a.status}"] = counts.get(f"{a.regime} {a.status}", 0) + 1
                rows.append(line)
    fmt = detect_output_format(out_file, None)
    with open_output(out_file, fmt, columns, {}) as writer:
        writer.write(rows)
    where = "" if out_file == "-" else f" into {out_file}"
    said = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
    return f"{len(rows)} rows{where} ({said or 'none'})"


def listed_screen(state: State) -> Screen:
    """The best listed match of a name at LISTED_SCORE or more, as (record id, caption)."""

    def screen(name: str) -> tuple[str, str] | None:
        matches = state.screener().screen(Query(name=name), threshold=LISTED_SCORE, limit=1)
        return (matches[0].id, matches[0].caption) if matches else None

    return screen


def _blank(rulesets: list[Ruleset], error: str) -> list[str]:
    return [x for _ in rulesets for x in ("error", "", "", error)]


def _none(rulesets: list[Ruleset], why: str) -> list[str]:
    return [x for _ in rulesets for x in ("not_blocked", "", "no_ownership_data", why)]
