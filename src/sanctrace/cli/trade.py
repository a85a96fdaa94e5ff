"""``sanctrace trade``: shipments screened by party, ownership, goods and route."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer

from sanctrace.batch.limits import InputLimits
from sanctrace.cli.context import State
from sanctrace.cli.output import note, out, row_progress, show_data_date
from sanctrace.errors import SanctraceError

app = typer.Typer(
    help="Trade flows: shipments screened by party (listed or owned by listed parties), goods "
    "(the Common High Priority List), route (transshipment hubs) and pattern."
)

ColumnOption = Annotated[
    list[str] | None,
    typer.Option(
        "--column",
        help="role=header for a column not found by its name (roles: shipment_id, date, "
        "shipper, consignee, hs_code, description, value, quantity, payer, …); repeat.",
    ),
]


InputFormatOption = Annotated[
    str | None,
    typer.Option(
        "--input-format", help="csv, tsv, xlsx, parquet or jsonl (default: from the name)."
    ),
]


class TradeError(SanctraceError):
    exit_code = 1


#: ``trade screen`` streams, so its input limits guard against hostile files, not memory: a
#: customs year of 100 million rows is allowed (``screen-file`` stops at 10 million).
STREAMED_MAX_ROWS = 100_000_000
STREAMED_MAX_BYTES = 50_000_000_000


def _columns(given: list[str] | None) -> dict[str, str]:
    out_: dict[str, str] = {}
    for item in given or []:
        role, sep, header = item.partition("=")
        if not sep or not role.strip() or not header.strip():
            raise TradeError(f"--column {item!r}: write role=header, e.g. hs_code='HS Code'")
        out_[role.strip()] = header.strip()
    return out_


@app.command("screen")
def screen_cmd(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="Shipments or invoices: CSV, XLSX, Parquet, JSONL.")],
    out_file: Annotated[
        str,
        typer.Option("--out", help="Report: .xlsx, .csv, .json, .jsonl, .parquet, or - ."),
    ] = "-",
    regime: Annotated[
        str, typer.Option("--regime", help="Ownership rules: ofac, eu or uk.")
    ] = "ofac",
    column: ColumnOption = None,
    restricted: Annotated[
        str, typer.Option(help="Restricted destinations, ISO codes joined by commas.")
    ] = "RU,BY",
    weights: Annotated[
        Path | None, typer.Option(help="A JSON object of flag code -> weight (docs/trade.md).")
    ] = None,
    threshold: Annotated[
        float, typer.Option(min=0.5, max=1.0, help="Score from which a party is a listed one.")
    ] = 0.9,
    encoding: Annotated[str | None, typer.Option(help="CSV text encoding.")] = None,
    input_format: InputFormatOption = None,
    max_input_bytes: Annotated[
        int, typer.Option(help="Refuse an input whose cell text passes this many bytes.")
    ] = STREAMED_MAX_BYTES,
    max_rows: Annotated[
        int, typer.Option(help="Refuse an input of more rows than this.")
    ] = STREAMED_MAX_ROWS,
    output_format: Annotated[
        str | None,
        typer.Option(help="json, csv, tsv, xlsx, parquet or jsonl (default: from --out's name)."),
    ] = None,
) -> None:
    """Screen every shipment: one row each with its risk, level, flags and reasons, highest
    risk first; rows with fields that cannot be read are screened on the rest, and listed.
    Files of any size: the rows stream through a scratch folder, not memory."""
    from sanctrace.trade.read import open_shipments
    from sanctrace.trade.score import load_weights
    from sanctrace.trade.setup import open_party_checks
    from sanctrace.trade.stream import screen_file

    state: State = ctx.obj
    given = _columns(column)
    report_format = _report_format(out_file, output_format)
    codes = frozenset(c.strip().upper() for c in restricted.split(",") if c.strip())
    chosen = load_weights(weights) if weights is not None else None
    checks, with_ownership, addresses = open_party_checks(state, regime, threshold)
    limits = InputLimits(max_bytes=max_input_bytes, max_rows=max_rows)
    shipments = open_shipments(
        file, given, encoding=encoding, input_format=input_format, limits=limits
    )
    try:
        _fits(report_format, shipments.reader.estimate_rows())
        if "consignee_address" in shipments.roles:
            checks.addresses = addresses()
        with row_progress("shipments") as progress:
            task = progress.add_task("screen", total=shipments.reader.estimate_rows())
            with screen_file(
                shipments,
                checks,
                restricted=codes,
                weights=chosen,
                ownership_loaded=with_ownership,
                details=report_format == "json",
                advance=lambda n: progress.advance(task, n),
            ) as (report, rows):
                progress.update(task, description="ranking and writing", completed=0)
                _write(out_file, report_format, rows, report, lambda n: progress.advance(task, n))
    finally:
        shipments.close()
    counts = report.counts
    note(
        f"{report.rows:,} shipments: {counts['high']:,} high, {counts['medium']:,} medium, "
        f"{counts['low']:,} low; {report.parties_screened:,} distinct parties screened"
        + (f"; {report.error_count:,} fields could not be read" if report.error_count else "")
    )
    for check, why in sorted(report.checks_off.items()):
        note(f"off: {check} ({why})")
    for e in report.errors[:20]:
        note(f"{file}: {e}")
    show_data_date(state.store().active_versions(), to_stderr=True)


def _report_format(target: str, given: str | None) -> str:
    """The report's format, and a folder to write it in, checked before any work is done."""
    from sanctrace.batch.writers import detect_output_format

    wants_json = given.lower() == "json" if given else target.lower().endswith(".json")
    if wants_json:
        fmt = "json"
    else:
        try:
            fmt = str(detect_output_format(target, given)).lower()
        except (ValueError, SanctraceError):
            told = f"--output-format {given!r}" if given else f"cannot tell the format of {target}"
            raise TradeError(
                f"{told}: name the report .json, .csv, .tsv, .xlsx, .parquet or .jsonl, or give "
                "--output-format"
            ) from None
    folder = Path(target).parent
    if target != "-" and not folder.is_dir():
        raise TradeError(f"cannot write {target}: folder {folder} does not exist")
    return fmt


def _fits(report_format: str, rows: int | None) -> None:
    """Refuse before the work an XLSX report that cannot hold the file's rows."""
    from sanctrace.batch.writers import XLSX_MAX_ROWS

    if report_format == "xlsx" and rows is not None and rows > XLSX_MAX_ROWS:
        raise TradeError(
            f"{rows:,} shipments do not fit in an XLSX sheet ({XLSX_MAX_ROWS:,} rows at most): "
            "write the report to .csv or .parquet"
        )


def _screen(
    state: State,
    file: str,
    column: list[str] | None,
    regime: str,
    restricted: str,
    weights: Path | None,
    threshold: float,
    encoding: str | None,
    input_format: str | None = None,
) -> Any:
    """The shipments of ``file`` through every check, with a progress bar."""
    from sanctrace.trade.read import open_shipments
    from sanctrace.trade.run import screen_shipments
    from sanctrace.trade.score import load_weights
    from sanctrace.trade.setup import open_party_checks

    given = _columns(column)
    codes = frozenset(c.strip().upper() for c in restricted.split(",") if c.strip())
    chosen = load_weights(weights) if weights is not None else None
    checks, with_ownership, addresses = open_party_checks(state, regime, threshold)
    shipments = open_shipments(file, given, encoding=encoding, input_format=input_format)
    try:
        if "consignee_address" in shipments.roles:
            checks.addresses = addresses()
        with row_progress("shipments") as progress:
            task = progress.add_task("screen", total=shipments.reader.estimate_rows())
            return screen_shipments(
                shipments.rows(),
                shipments.roles,
                checks,
                restricted=codes,
                weights=chosen,
                ownership_loaded=with_ownership,
                advance=lambda n: progress.advance(task, n),
            )
    finally:
        shipments.close()


@app.command("graph")
def graph_cmd(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="Shipments: CSV, XLSX, Parquet, JSONL.")],
    out_file: Annotated[
        str | None,
        typer.Option("--out", help="graph.graphml, or a prefix for PREFIX-nodes/edges.csv."),
    ] = None,
    regime: Annotated[
        str, typer.Option("--regime", help="Ownership rules: ofac, eu or uk.")
    ] = "ofac",
    column: ColumnOption = None,
    restricted: Annotated[str, typer.Option(help="Restricted destinations.")] = "RU,BY",
    threshold: Annotated[float, typer.Option(min=0.5, max=1.0)] = 0.9,
    hops: Annotated[int, typer.Option(min=1, max=4, help="Edges on a path at most.")] = 2,
    encoding: Annotated[str | None, typer.Option(help="CSV text encoding.")] = None,
    input_format: InputFormatOption = None,
) -> None:
    """The shipments as a counterparty graph (who ships what to whom, who pays, who forwards),
    and every path from a supplier of a flagged shipment to a listed (or listed-owned) party,
    through one intermediary at most by default."""
    from sanctrace.trade.network import build_graph, paths, write_csv, write_graphml

    state: State = ctx.obj
    report = _screen(
        state, file, column, regime, restricted, None, threshold, encoding, input_format
    )
    graph = build_graph(s.shipment for s in report.shipments)
    flagged = {s.shipment.shipper for s in report.shipments if s.level != "low"}
    listed = {
        str(f.evidence["name"])
        for s in report.shipments
        for f in s.flags
        if f.code in ("party_listed", "party_owned_by_listed")
    }
    found = paths(graph, flagged, listed, max_hops=hops)
    out.print(
        f"{len(graph.nodes):,} parties, {len(graph.edges):,} links; {len(found)} path(s) from a "
        f"supplier of a flagged shipment to a listed party:",
        markup=False,
    )
    for p in found[:50]:
        out.print(f"  {p.describe(graph)}", markup=False)
    if out_file:
        if out_file.lower().endswith(".graphml"):
            write_graphml(graph, Path(out_file))
            out.print(f"Wrote {out_file}.", markup=False)
        else:
            write_csv(graph, Path(f"{out_file}-nodes.csv"), Path(f"{out_file}-edges.csv"))
            out.print(f"Wrote {out_file}-nodes.csv and {out_file}-edges.csv.", markup=False)
    show_data_date(state.store().active_versions(), to_stderr=True)


def _write(
    target: str,
    report_format: str,
    rows: Iterator[dict[str, Any]],
    report: Any,
    advance: Callable[[int], None],
) -> None:
    """The ranked rows to ``target`` (written into place when complete)."""
    from sanctrace.batch.writers import OutputFormat, open_output
    from sanctrace.files import atomic_write
    from sanctrace.trade.stream import REPORT_COLUMNS

    if report_format == "json":
        sink = nullcontext(sys.stdout) if target == "-" else atomic_write(Path(target))
        with sink as fh:
            fh.write('{"shipments": [')
            for n, row in enumerate(rows):
                fh.write(",\n" if n else "\n")
                fh.write(json.dumps(row, ensure_ascii=False, default=str))
                advance(1)
            tail = {
                "summary": report.counts,
                "checks_off": report.checks_off,
                "errors": [str(e) for e in report.errors],
                "errors_total": report.error_count,
            }
            fh.write("\n], " + json.dumps(tail, ensure_ascii=False, indent=1)[1:])
        if target != "-":
            out.print(f"Wrote {target}.", markup=False)
        return
    fmt = OutputFormat(report_format)
    types = {"line": int, "risk": float}
    with open_output(target, fmt, REPORT_COLUMNS, types) as writer:
        chunk: list[list[Any]] = []
        for row in rows:
            chunk.append([row[c] for c in REPORT_COLUMNS])
            if len(chunk) >= 10_000:
                writer.write(chunk)
                advance(len(chunk))
                chunk = []
        writer.write(chunk)
        advance(len(chunk))
    if target != "-":
        out.print(f"Wrote {target}.", markup=False)
