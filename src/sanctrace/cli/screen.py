"""``sanctrace screen`` and ``sanctrace compare``: one name against the lists, or two names."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sanctrace import audit
from sanctrace.cli.context import State
from sanctrace.cli.output import OutputFormat, err, out, print_json, show_data_date
from sanctrace.cli.parties import party_lookup
from sanctrace.cli.tables import fits, fitted, indent
from sanctrace.errors import SanctraceError
from sanctrace.match import DEFAULT_THRESHOLD, Match, Query, Screener, compare
from sanctrace.match.config import RULES_THRESHOLD, config_for
from sanctrace.resolve.grouping import group_matches, records_wanted
from sanctrace.screening import (
    audit_lists,
    audit_results,
    country_code,
    explain,
    only_datasets,
    screen_report,
    select_versions,
)
from sanctrace.screening import birth_date as parse_birth_date
from sanctrace.store import VersionInfo


class Algorithm(StrEnum):
    rules = "rules"
    learned = "learned"


def screen(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The name to screen, in any script.")],
    schema: Annotated[
        str | None,
        typer.Option(help="Person, Company, Organization, LegalEntity, Vessel, Aircraft."),
    ] = None,
    country: Annotated[
        list[str] | None, typer.Option("--country", help="ISO country code.")
    ] = None,
    birth_date: Annotated[
        list[str] | None, typer.Option("--birth-date", help="YYYY[-MM[-DD]].")
    ] = None,
    identifier: Annotated[
        list[str] | None,
        typer.Option("--id", help="Tax/registration number, IMO, SWIFT/BIC, LEI, passport."),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            help=f"Minimum score (default {DEFAULT_THRESHOLD}; {RULES_THRESHOLD} with "
            "--algorithm rules); 0 shows the best candidates."
        ),
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many results.")] = 10,
    dataset: Annotated[
        list[str] | None, typer.Option("--dataset", help="Only these datasets.")
    ] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    algorithm: Annotated[
        Algorithm,
        typer.Option(
            help="rules (the default): the hand-tuned score; learned: a calibrated "
            "probability fitted on labelled real pairs (docs/matching.md)."
        ),
    ] = Algorithm.rules,
) -> None:
    """Screen one name against every active list; scores explain themselves."""
    config = config_for(algorithm.value)
    if threshold is None:
        threshold = config.threshold

    if not name.strip() and not identifier:
        raise SanctraceError("the name to screen is empty (give a name, or --id with a number)")
    if not 0.0 <= threshold <= 1.0:
        raise SanctraceError(f"--threshold must be between 0 and 1, not {threshold}")
    if limit < 1:
        raise SanctraceError(f"--limit must be at least 1, not {limit}")
    dates = [parse_birth_date(value) for value in birth_date or []]
    state: State = ctx.obj
    store = state.store_with_data()
    versions = select_versions(store.active_versions(), dataset)
    screener = state.screener()
    if config.algorithm != screener.config.algorithm:
        screener = Screener(screener.index, config)
    query = Query(
        name=name,
        schema=schema,
        countries=tuple(country_code(c) for c in country or []),
        birth_dates=tuple(dates),
        identifiers=tuple(identifier or []),
    )
    parties = party_lookup(state)
    matches = screener.screen(
        query, threshold=threshold, limit=records_wanted(limit), datasets=dataset or None
    )
    listing = only_datasets(state.listing(), dataset)
    results = group_matches(matches, parties, listing, limit)
    owned = _owned(state, name, parties, versions)
    # Recorded before anything is shown: a screening that cannot be recorded is not answered.
    audit.append(
        store,
        caller="cli",
        kind="screen",
        request={
            "query": query.to_dict(),
            "threshold": threshold,
            "algorithm": config.algorithm,
            "limit": limit,
            "datasets": list(dataset or []),
        },
        lists=audit_lists(versions),
        results=audit_results(results)
        + [{k: o[k] for k in ("kind", "id", "regime", "status")} for o in owned],
    )
    if format is OutputFormat.json:
        print_json({**screen_report(query, results, versions, threshold), "ownership": owned})
        show_data_date(versions, to_stderr=True)
        return
    if not results:
        out.print(f"No match for {name!r} at threshold {threshold}.", markup=False)
    else:
        out.print(
            f"Screening {name!r} (threshold {threshold}): {len(results)} result(s)", markup=False
        )
        by_record = {m.id: m for m in matches}
        for rank, result in enumerate(results, 1):
            print_party(rank, result, by_record[result["record_id"]])
        out.print()
    for o in owned:
        out.print(
            f"Not listed, but {o['status'].replace('_', ' ')} under {o['regime'].upper()} as "
            f"owned or controlled by listed parties: {o['explanation']}",
            markup=False,
        )
    show_data_date(versions, to_stderr=False)


def _owned(
    state: State, name: str, parties: Any, versions: list[VersionInfo]
) -> list[dict[str, Any]]:
    """The ownership data's answer for an unlisted company of this name (none when no
    ownership data is loaded: the common case costs one query)."""
    from sanctrace.ownership.store import has_edges

    store = state.store()
    if not has_edges(store):
        return []
    from datetime import UTC, datetime

    from sanctrace.ownership.screening import owned_results

    loaded = {v.dataset for v in versions}
    today = datetime.now(UTC).date()
    return owned_results(store, name, parties, state.listing(), loaded, today)


def print_party(rank: int, result: dict[str, Any], best: Match) -> None:
    """One party: its best score and caption, why the best record matched, then every
    listing beneath (record id, the score of those that matched, listed date, list)."""
    count = len(result["listings"])
    lists = f"{count} listing" + ("s" if count != 1 else "")
    out.print(
        f"\n{rank:>2}. [bold]{result['score']:.2f}[/bold]  {escape(result['id'])}  "
        f"{escape(result['schema'])}  [bold]{escape(result['caption'])}[/bold]  ({lists})"
    )
    kind = best.explanation.get("name_kind", "")
    out.print(f"      matched: {best.matched_name} [{kind}] on {best.id}", markup=False)
    out.print(f"      why: {explain(best)}", markup=False)
    if result["programs"]:
        out.print(f"      programs: {', '.join(result['programs'])}", markup=False)
    out.print(listings_table(result["listings"], out.width))


#: The list title gets at least this many cells in the wide layout, else titles go in a
#: narrower column with the version and listed date beneath (on a narrow terminal).
TITLE_WIDTH = 30


def listings_table(listings: list[dict[str, Any]], width: int) -> Table:
    """A party's listings, one row each: the record id (never split), the score of those that
    matched, listed date, list version and list; within ``width`` if ids allow."""
    wide = _listings_grid()
    wide.add_column("listed", no_wrap=True)
    wide.add_column("version", no_wrap=True)
    wide.add_column("list", overflow="fold", min_width=TITLE_WIDTH)
    for listed in listings:
        wide.add_row(
            *_id_and_score(listed),
            Text(listed.get("listed_on") or ""),
            Text(list_version(listed)),
            Text(listed["list"]),
        )
    if fits(wide, width):
        return wide
    narrow = _listings_grid()
    narrow.add_column("listing", overflow="fold")
    for listed in listings:
        lines = [listed["list"], f"version {list_version(listed)}"]
        if listed.get("listed_on"):
            lines.append(f"listed {listed['listed_on']}")
        narrow.add_row(*_id_and_score(listed), Text("\n".join(lines)))
    return fitted(narrow, width)


def _listings_grid() -> Table:
    table = indent(Table(box=None, padding=(0, 1), pad_edge=False, header_style="dim"), 4)
    table.add_column("record id", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    return table


def _id_and_score(listed: dict[str, Any]) -> tuple[str, Text, str]:
    score = listed.get("score")
    return "", Text(listed["id"]), "" if score is None else f"{score:.2f}"


def list_version(listed: dict[str, Any]) -> str:
    """The version of its list a listing was read from, and the date that version was
    published when it is not the version's own label."""
    version = str(listed.get("version") or "")
    published = listed.get("published")
    if not published or published == version:
        return version
    return f"{version} (published {published})"


def compare_cmd(
    name_a: Annotated[str, typer.Argument(metavar="NAME_A")],
    name_b: Annotated[str, typer.Argument(metavar="NAME_B")],
    schema: Annotated[str, typer.Option(help="Person, Company, Organization, ...")] = "Company",
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    algorithm: Annotated[
        Algorithm, typer.Option(help="rules (hand-tuned) or learned (calibrated probability).")
    ] = Algorithm.rules,
) -> None:
    """Score two names against each other and explain the score."""
    result = compare(name_a, name_b, schema=schema, config=config_for(algorithm.value))
    if format is OutputFormat.json:
        print_json(
            {
                "name_a": name_a,
                "name_b": name_b,
                "schema": schema,
                "score": result.score,
                "explanation": result.explanation,
            }
        )
        return
    out.print(
        f"score {result.score:.3f}  ({name_a!r} vs {name_b!r}, schema {schema})", markup=False
    )
    for link in result.explanation.get("tokens", []):
        out.print(
            f"  {link['query']} ~ {link['candidate']}: {link['how']} {link['similarity']:.2f}",
            markup=False,
        )
    for side, key in (
        ("only in A", "unmatched_query_tokens"),
        ("only in B", "unmatched_candidate_tokens"),
    ):
        if result.explanation.get(key):
            out.print(f"  {side}: {' '.join(result.explanation[key])}", markup=False)
    if "reason" in result.explanation:
        err.print(result.explanation["reason"], markup=False)
