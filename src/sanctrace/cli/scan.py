"""``sanctrace scan``: the names of listed parties in documents (PDF, Word, e-mail, web pages,
sheets, text), each pointed at its place in the document.

One bad file among several is reported and skipped; the others are still screened and shown,
and the exit status tells that something was missed: 1, or when nothing could be read 4 if
every file was missing ("not found", as for every command) and 2 otherwise.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sanctrace import audit
from sanctrace.cli.context import State
from sanctrace.cli.output import err, out, print_json, show_data_date
from sanctrace.cli.parties import party_lookup
from sanctrace.cli.tables import fit, fitted
from sanctrace.documents.extract import KINDS, Document, extract_path
from sanctrace.documents.extract.base import label
from sanctrace.documents.findings import DocumentReport, PartyFound, group_findings, scan_output
from sanctrace.errors import DocumentError, MissingFileError, SanctraceError
from sanctrace.files import atomic_write
from sanctrace.match import DEFAULT_THRESHOLD
from sanctrace.screening import audit_lists
from sanctrace.store import VersionInfo

if TYPE_CHECKING:
    from sanctrace.documents.scan import Scanner
    from sanctrace.resolve.store import PartyLookup


class ScanFormat(StrEnum):
    table = "table"
    json = "json"
    html = "html"


#: ``--format`` when it is not given: from the output file's name, else a table.
_SUFFIX_FORMATS = {".json": ScanFormat.json, ".html": ScanFormat.html, ".htm": ScanFormat.html}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*", re.I)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
#: Characters a terminal would act on (escape sequences, bells) and line breaks.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def parse_size(value: str) -> int:
    """A size as people write it: "100MB", "500k", "1.5 GB" or a byte count (K = 1024)."""
    match = _SIZE.fullmatch(value)
    if not match:
        raise SanctraceError(
            f"--max-size {value!r} is not a size: write a byte count, or a number with K, MB "
            "or GB (100MB, 500k)"
        )
    size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if size < 1:
        raise SanctraceError(f"--max-size must be at least 1 byte, not {value!r}")
    return size


def scan(
    ctx: typer.Context,
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...",
            help="Documents to screen: PDF, DOCX, XLSX, CSV, HTML, EML, Markdown, text; "
            "- reads standard input.",
            show_default=False,
        ),
    ],
    format: Annotated[
        ScanFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="table, json or html (default: from --output's name, else table).",
            show_default=False,
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(help=f"Minimum score of a finding (default {DEFAULT_THRESHOLD})."),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write the result to this file (default: stdout)."),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            help=f"Read every file as this kind: {', '.join(KINDS)} (default: from its name "
            "and content).",
            show_default=False,
        ),
    ] = None,
    max_size: Annotated[
        str,
        typer.Option(help="Refuse documents larger than this: 100MB, 500k, or bytes."),
    ] = "100MB",
) -> None:
    """Find listed parties named in documents; every finding points at its place in the text."""
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise SanctraceError(f"--threshold must be between 0 and 1, not {threshold}")
    if kind is not None and kind not in KINDS:
        raise SanctraceError(f"--kind {kind!r} is not one of: {', '.join(KINDS)}")
    if files.count("-") > 1:
        raise SanctraceError("standard input (-) can be read only once")
    limit = parse_size(max_size)
    chosen = format or _SUFFIX_FORMATS.get(PurePath(output or "").suffix.lower(), ScanFormat.table)
    cutoff = DEFAULT_THRESHOLD if threshold is None else threshold
    state: State = ctx.obj

    scanner: Scanner | None = None
    parties: PartyLookup | None = None
    versions: list[VersionInfo] = []
    reports: list[DocumentReport] = []
    failures: list[SanctraceError] = []
    for source in files:
        try:
            document = extract_path(source, kind=kind, max_bytes=limit)
        except (DocumentError, MissingFileError) as exc:
            failures.append(exc)
            _error(source, exc)
            continue
        if scanner is None or parties is None:
            scanner, versions = _open_scanner(state)
            parties = party_lookup(state)
        _warn_notes(document)
        report = scanner.scan(document, threshold=cutoff)
        report.parties = group_findings(report.findings, parties, state.listing())
        party_of = {r: p.id for p in report.parties for r in p.referents}
        # Recorded before anything is shown: a screening that cannot be recorded is not answered.
        audit.append(
            state.store(),
            caller="cli",
            kind="scan",
            request=_audit_request(document, cutoff),
            lists=audit_lists(versions),
            results=[
                {
                    "id": f.id,
                    "party_id": party_of.get(f.id, f.id),
                    "start": f.start,
                    "end": f.end,
                    "score": round(f.score, 4),
                }
                for f in report.findings
            ],
        )
        reports.append(report)

    if reports:
        lists = {v.dataset: v.version for v in versions}
        _emit(reports, chosen, output, cutoff, lists, versions)
        show_data_date(versions, to_stderr=chosen is not ScanFormat.table or output is not None)
    if failures:
        if len(files) > 1:  # one file: its error line says it all
            err.print(
                f"{len(failures)} of {len(files)} documents could not be read"
                + ("" if reports else ": nothing was screened"),
                markup=False,
            )
        if reports:
            raise typer.Exit(1)
        missing = all(isinstance(exc, MissingFileError) for exc in failures)
        raise typer.Exit(MissingFileError.exit_code if missing else 2)


def _open_scanner(state: State) -> tuple[Scanner, list[VersionInfo]]:
    """The scanner over the active lists (loaded and indexed on first use) and their versions."""
    from sanctrace.documents.scan import Scanner, scan_cache

    screener = state.screener()
    scanner = Scanner(screener.index, cache=scan_cache(state.store()))
    stored = {(v.dataset, v.version): v for v in state.store().versions()}
    versions = [stored[pair] for pair in scanner.versions if pair in stored]
    return scanner, sorted(versions, key=lambda v: v.dataset)


def _audit_request(document: Document, threshold: float) -> dict[str, object]:
    """What the audit trail keeps of a scanned document: enough to tell which one it was."""
    return {
        "source": document.source,
        "kind": document.kind,
        "chars": len(document.text),
        "pages": len(document.pages) or None,
        "text_sha256": hashlib.sha256(document.text.encode("utf-8", "surrogatepass")).hexdigest(),
        "notes": list(document.notes),
        "threshold": threshold,
    }


def _error(source: str, exc: SanctraceError) -> None:
    name = label(source)
    message = str(exc)
    text = message if message.startswith(name) else f"{name}: {message}"
    err.print(f"[bold red]error:[/bold red] {escape(_plain(text))}")


def _warn_notes(document: Document) -> None:
    """Every note on stderr; parts of a document that were not screened loudly, since a clean
    result for them would mean nothing."""
    name = escape(_plain(label(document.source)))
    for note in document.notes:
        if "not screened" in note or "nothing was screened" in note:
            err.print(f"[bold red]WARNING:[/bold red] {name}: {escape(_plain(note))}")
        else:
            err.print(f"[yellow]warning:[/yellow] {name}: {escape(_plain(note))}")


def _emit(
    reports: list[DocumentReport],
    chosen: ScanFormat,
    output: str | None,
    threshold: float,
    lists: dict[str, str],
    versions: list[VersionInfo],
) -> None:
    if chosen is ScanFormat.table:
        if output is None:
            print_table(reports, out)
            return
        with atomic_write(Path(output)) as fh:
            print_table(reports, Console(file=fh, width=160, highlight=False, soft_wrap=True))
        err.print(f"Wrote {output}", markup=False)
        return
    if chosen is ScanFormat.json:
        data = scan_output(reports, threshold, lists)
        if output is None:
            print_json(data)
            return
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        from sanctrace.documents.html_report import render_html

        generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        text = render_html(
            reports, threshold=threshold, lists=_list_labels(versions), generated=generated
        )
        if output is None:
            sys.stdout.write(text)
            return
    with atomic_write(Path(output)) as fh:
        fh.write(text if text.endswith("\n") else text + "\n")
    err.print(f"Wrote {output}", markup=False)


def _list_labels(versions: list[VersionInfo]) -> dict[str, str]:
    """Each list's version and, when it differs, the date its data was published."""
    return {
        v.dataset: v.version
        if v.published in (None, v.version)
        else f"{v.version} (published {v.published})"
        for v in versions
    }


def _plain(value: str) -> str:
    """Text from a document (or a file name) safe for a terminal: control characters, such as
    the escape sequences a hostile document may hold, and line breaks become spaces."""
    return _CONTROL.sub(" ", value)


def _cell(value: str) -> Text:
    return Text(_plain(value))


def render_table(reports: list[DocumentReport]) -> Table:
    """The parties found in ``reports`` as one table, document by document, best first: each
    party once, with its listings and every place it is named; the source column only when
    there are several documents."""
    several = len(reports) > 1
    table = Table(show_lines=False, header_style="bold")
    if several:
        table.add_column("source", overflow="fold")
    table.add_column("party", overflow="fold", min_width=24)
    table.add_column("listings", overflow="fold")
    table.add_column("found at", overflow="fold")
    table.add_column("score", justify="right", no_wrap=True)
    for number, report in enumerate(reports):
        parties = report.grouped()
        for index, party in enumerate(parties):
            cells: list[str | Text] = [
                Text.assemble((_plain(party.caption), "bold"), f"\n{_plain(party.id)}"),
                _listing_lines(party),
                _places(party),
                f"{party.score:.2f}",
            ]
            if several:
                cells.insert(0, _cell(label(report.document.source)) if index == 0 else "")
            last = index == len(parties) - 1 and number < len(reports) - 1
            table.add_row(*cells, end_section=last)
    return fit(table)


def _listing_lines(party: PartyFound) -> Text:
    """One line per listing: its record id, and the score of those found."""
    lines = []
    for listed in party.listings:
        score = listed.get("score")
        lines.append(_plain(str(listed["id"])) + ("" if score is None else f"  {score:.2f}"))
    return Text("\n".join(lines))


def _places(party: PartyFound) -> Text:
    """One line per place the party is named: page, offsets and the text as written."""
    lines = []
    for place in party.places():
        f = place[0]
        page = "" if f.page is None else f"p. {f.page} "
        lines.append(f"{page}{f.start}-{f.end} {_plain(f.text)}")
    return Text("\n".join(lines))


def print_table(reports: list[DocumentReport], console: Console) -> None:
    """Document by document: what was read, notes, then the findings or a line saying none."""
    for report in reports:
        document = report.document
        name = label(document.source)
        pages = f", {len(document.pages):,} pages" if document.pages else ""
        console.print(
            Text.assemble(
                (_plain(name), "bold"),
                f" ({document.kind}, {len(document.text):,} characters{pages})",
            )
        )
        for note in document.notes:
            console.print(Text.assemble(("  note: ", "yellow"), _plain(note)))
        if not report.findings:
            console.print(Text(f"No listed party found in {_plain(name)}"))
        else:
            count = len(report.grouped())
            console.print(f"{count} listed part{'ies' if count != 1 else 'y'} found:", markup=False)
            console.print(fitted(render_table([report]), console.width))
        console.print()
