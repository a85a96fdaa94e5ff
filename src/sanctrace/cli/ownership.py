"""``sanctrace ownership``: load stakes, and ask whether a company is owned or controlled by
listed parties under OFAC, EU or UK rules, with the arithmetic shown."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from sanctrace.cli.context import State
from sanctrace.cli.output import OutputFormat, note, out, print_json, show_data_date, warn
from sanctrace.cli.parties import party_lookup
from sanctrace.cli.tables import fitted
from sanctrace.errors import SanctraceError
from sanctrace.ownership.assess import Assessment
from sanctrace.ownership.rules import BUILT_IN, Ruleset, load_rulesets

app = typer.Typer(
    help="Ownership and control: stakes loaded from registries and reports, and the 50% rule "
    "of each regime (OFAC, EU, UK) with its calculation."
)

RegimeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--regime",
        help="ofac, eu, uk (or one a --rules file defines); repeat for several. Default: all.",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="The date to judge on, YYYY-MM-DD (default: today)."),
]
OutOption = Annotated[
    str, typer.Option("--out", help="Where to write: .csv, .xlsx, .jsonl, .parquet or - .")
]
RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", help="A JSON file of further rulesets (see docs/ownership.md)."),
]


class OwnershipError(SanctraceError):
    exit_code = 1


def _as_of(text: str | None) -> date:
    if not text:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise OwnershipError(f"--as-of {text!r} is not a date: write 2024-05-31") from None


def _rulesets(regimes: list[str] | None, rules: Path | None) -> list[Ruleset]:
    known = load_rulesets(rules) if rules is not None else dict(BUILT_IN)
    wanted = regimes or list(BUILT_IN)
    unknown = [r for r in wanted if r.lower() not in known]
    if unknown:
        raise OwnershipError(
            f"unknown regime {', '.join(unknown)}: use one of {', '.join(sorted(known))}"
        )
    return [known[r.lower()] for r in wanted]


@app.command("load")
def load(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(help="Stakes CSV, FtM JSON lines, BODS JSON or GLEIF relationships."),
    ] = None,
    format: Annotated[
        str | None, typer.Option("--format", help="The file's format (default: detected).")
    ] = None,
    from_lists: Annotated[
        bool,
        typer.Option("--from-lists", help="Also keep the links the loaded lists carry."),
    ] = False,
) -> None:
    """Keep the stakes and control links of a file (all of them, or none if a row is bad)."""
    from sanctrace.ownership.sources import read_edges
    from sanctrace.ownership.store import save_edges

    state: State = ctx.obj
    if file is None and not from_lists:
        raise OwnershipError("give a FILE to load, or --from-lists")
    store = state.store_with_data()
    if file is not None:
        kind, edges = read_edges(file, format)
        info = save_edges(store, file, kind, edges)
        if info.already:
            out.print(f"{file} is already loaded as {info.load_id} ({info.edges} edges).")
        else:
            out.print(f"Loaded {info.edges} edges from {file} ({kind}) as {info.load_id}.")
    if from_lists:
        from sanctrace.ownership.from_lists import edges_from_lists
        from sanctrace.ownership.store import save_list_edges

        info = save_list_edges(store, edges_from_lists(store))
        out.print(f"Kept {info.edges} links the loaded lists carry as {info.load_id}.")


@app.command("loads")
def loads_cmd(ctx: typer.Context, format: OutputFormat = OutputFormat.table) -> None:
    """The ownership files loaded, newest last."""
    from sanctrace.ownership.store import loads

    state: State = ctx.obj
    found = loads(state.store())
    if format is OutputFormat.json:
        print_json([i.to_dict() for i in found])
        return
    if not found:
        out.print("No ownership data loaded: `sanctrace ownership load FILE` keeps some.")
        return
    table = Table(box=box.SIMPLE)
    for column in ("load", "file", "format", "edges", "loaded at"):
        table.add_column(column, no_wrap=column in ("load", "loaded at"))
    for i in found:
        table.add_row(i.load_id, i.file, i.format, str(i.edges), i.loaded_at)
    out.print(fitted(table))


@app.command("unload")
def unload_cmd(
    ctx: typer.Context, load_id: Annotated[str, typer.Argument(help="From `ownership loads`.")]
) -> None:
    """Remove one loaded file's edges."""
    from sanctrace.ownership.store import unload

    state: State = ctx.obj
    info = unload(state.store(), load_id)
    out.print(f"Removed {info.edges} edges of {info.file} ({info.load_id}).")


def assessments(state: State, asked: str, rulesets: list[Ruleset], as_of: date) -> list[Assessment]:
    from sanctrace.ownership.check import check, find_node

    store = state.store_with_data()
    parties = party_lookup(state)
    node = find_node(store, asked, parties)
    loaded = {v.dataset for v in store.active_versions()}
    return [check(store, node, r, as_of, parties, state.listing(), loaded) for r in rulesets]


@app.command("check")
def check_cmd(
    ctx: typer.Context,
    company: Annotated[
        str, typer.Argument(help="A company's name as loaded, a record id or a party id.")
    ],
    regime: RegimeOption = None,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    format: OutputFormat = OutputFormat.table,
) -> None:
    """Is this company blocked as owned or controlled by listed parties, and why."""
    state: State = ctx.obj
    rulesets = _rulesets(regime, rules)
    found = assessments(state, company, rulesets, _as_of(as_of))
    versions = state.store().active_versions()
    if format is OutputFormat.json:
        data = [a.to_dict() for a in found]
        print_json(data[0] if len(data) == 1 else {"results": data})
        show_data_date(versions, to_stderr=True)
        return
    for a in found:
        print_assessment(a)
    show_data_date(versions, to_stderr=False)


_STATUS_STYLE = {"blocked": "bold red", "indeterminate": "bold yellow", "not_blocked": "green"}


def print_assessment(a: Assessment) -> None:
    out.print(
        f"[{_STATUS_STYLE[a.status]}]{a.status.replace('_', ' ')}[/] under {a.regime_title}"
        f" as of {a.as_of.isoformat()}: {a.caption} ({a.node})",
        highlight=False,
    )
    out.print(a.explanation, markup=False)
    rows = stake_rows(a.trace)
    if rows:
        table = Table(box=box.SIMPLE, show_header=True)
        for column in ("holder", "stake", "holder's status", "source"):
            table.add_column(column, overflow="fold")
        for holder, stake, status, source in rows:
            table.add_row(holder, stake, status, source)
        out.print(fitted(table))
    if a.paths:
        paths = a.path_captions()[:10]
        out.print("paths: " + "; ".join(" → ".join(p) for p in paths), markup=False)
    if a.flags:
        out.print("flags: " + ", ".join(a.flags), markup=False)
    out.print()


def stake_rows(trace: dict[str, Any], depth: int = 0) -> list[tuple[str, str, str, str]]:
    """The stakes counted, holders of holders indented."""
    rows: list[tuple[str, str, str, str]] = []
    groups = [g for g in trace.get("groups", []) if g["passes"] != "no"] or trace.get("groups", [])
    for g in groups[:1]:
        for s in g["stakes"]:
            what = s["share"] if s["share"] is not None else f"control ({s['control']})"
            dates = "–".join(x for x in (s.get("start"), s.get("end")) if x)
            source = ", ".join(x for x in (s.get("source"), s.get("provenance"), dates) if x)
            rows.append(("  " * depth + s["owner_caption"], what, s["owner_status"], source))
            inner = s.get("owner_trace")
            if inner and inner.get("basis") != "listed" and depth < 3:
                rows.extend(stake_rows(inner, depth + 1))
            elif inner and inner.get("basis") == "listed":
                lists = ", ".join(sorted({str(d.get("dataset")) for d in inner["listings"]}))
                rows.append(("  " * (depth + 1) + "listed on " + lists, "", "", ""))
        if len(groups) and g["stakes"]:
            rows.append(("  " * depth + "total", g["sum"], "", ""))
    return rows


@app.command("statuses")
def statuses_cmd(
    ctx: typer.Context,
    out_file: OutOption = "-",
    regime: RegimeOption = None,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    every: Annotated[
        bool, typer.Option("--all", help="Also the companies that are not blocked.")
    ] = False,
) -> None:
    """Every company of the ownership data judged at once (in DuckDB: a registry of a million
    companies in seconds): one row per company and regime, blocked and indeterminate ones
    unless --all. `check` gives one company's calculation."""
    from sanctrace.batch.writers import detect_output_format, open_output
    from sanctrace.cli.parties import current_parties
    from sanctrace.ownership.check import canonical_edges, listed_under
    from sanctrace.ownership.engine_duckdb import statuses
    from sanctrace.ownership.store import all_edges

    state: State = ctx.obj
    rulesets = _rulesets(regime, rules)
    day = _as_of(as_of)
    store = state.store_with_data()
    parties = current_parties(state)
    edges = canonical_edges(all_edges(store), parties)
    if not edges:
        raise OwnershipError("no ownership data loaded: `sanctrace ownership load FILE` first")
    names: dict[str, str] = {}
    for e in edges:
        names.setdefault(e.owner, e.owner_name)
        names.setdefault(e.asset, e.asset_name)
    nodes = sorted(names)
    listing = state.listing()
    rows: list[list[Any]] = []
    counts: dict[str, int] = {}
    loaded = {v.dataset for v in store.active_versions()}
    for r in rulesets:
        listed = listed_under(nodes, r, parties, listing)
        found = statuses(edges, listed, r, day)
        missing = bool(r.lists) and r.lists[0] not in loaded
        if missing:
            warn(f"{r.name}: its own list {r.lists[0]} is not loaded: no company is cleared")
        for node in nodes:
            status = "blocked" if node in listed else found.get(node, "not_blocked")
            flags = ""
            if status == "not_blocked" and missing:
                status, flags = "indeterminate", "regime_list_not_loaded"
            counts[f"{r.name} {status}"] = counts.get(f"{r.name} {status}", 0) + 1
            if status == "not_blocked" and not every:
                continue
            caption = names[node] or (str(listed[node][0].get("caption")) if node in listed else "")
            basis = "listed" if node in listed else ""
            rows.append([node, caption, r.name, status, basis, flags])
    columns = ["id", "caption", "regime", "status", "basis", "flags"]
    with open_output(out_file, detect_output_format(out_file, None), columns, {}) as writer:
        writer.write(rows)
    said = ", ".join(f"{k}: {v:,}" for k, v in sorted(counts.items()))
    note(
        f"{len(nodes):,} companies as of {day.isoformat()} ({said}); `ownership check` explains one"
    )
    show_data_date(store.active_versions(), to_stderr=True)


@app.command("exposure")
def exposure_cmd(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="Customers or suppliers: CSV, XLSX, Parquet…")],
    out_file: OutOption = "-",
    regime: RegimeOption = None,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    name_column: Annotated[str | None, typer.Option(help="Column with the company name.")] = None,
    key_column: Annotated[str | None, typer.Option(help="Column with your record id.")] = None,
    id_column: Annotated[
        str | None, typer.Option(help="Column with a record id, party id or LEI.")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="CSV text encoding.")] = None,
) -> None:
    """Each row's status under each regime, with the reason, into one table."""
    from sanctrace.cli.ownership_exposure import run_exposure

    state: State = ctx.obj
    rulesets = _rulesets(regime, rules)
    summary = run_exposure(
        state,
        file,
        out_file,
        rulesets,
        _as_of(as_of),
        name_column=name_column,
        key_column=key_column,
        id_column=id_column,
        encoding=encoding,
    )
    note(summary)
    show_data_date(state.store().active_versions(), to_stderr=True)
