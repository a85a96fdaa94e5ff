"""``sanctrace review``: the pairs of records the resolver was unsure about, each record's
fields side by side, and the analyst's judgement on them (``review decide``), which is stored,
re-clusters the parties at once and goes to the audit trail. ``review contradictions`` lists
the joins the last resolution refused (A=B, B=C, A≠C), which only an analyst resolves."""

from __future__ import annotations

import getpass
import os
from enum import StrEnum
from functools import partial
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from sanctrace import audit, keyring
from sanctrace.cli.context import State
from sanctrace.cli.lists import OutputFormat
from sanctrace.cli.output import out, print_json, show_data_date, warn
from sanctrace.cli.parties import current_parties, listings_table, party_view
from sanctrace.cli.tables import fitted
from sanctrace.model.entity import Entity
from sanctrace.resolve.contradictions import review_queue, stored_resolution
from sanctrace.resolve.evidence import countries
from sanctrace.resolve.ids import is_party_id
from sanctrace.resolve.judgements import Judgement
from sanctrace.resolve.listings import listing_reader
from sanctrace.resolve.store import Parties, judge, judgements_among
from sanctrace.screening import audit_lists
from sanctrace.store import Store

app = typer.Typer(help="Review the resolver's unsure pairs and record analyst judgements.")


class Verdict(StrEnum):
    same = "same"
    different = "different"
    unsure = "unsure"


#: Fields of a record shown side by side with the other's.
RECORD_ROWS = (
    ("list", "list"),
    ("record id", "id"),
    ("party", "party"),
    ("schema", "schema"),
    ("names", "names"),
    ("birth dates", "birth_dates"),
    ("countries", "countries"),
    ("identifiers", "identifiers"),
    ("programs", "programs"),
    ("listed on", "listed_on"),
)


def record_fields(entity: Entity, listing: dict[str, Any] | None, party: str) -> dict[str, Any]:
    """What an analyst compares of one record of a pair."""
    return {
        "id": entity.id,
        "party": party,
        "list": (listing or {}).get("list", entity.dataset),
        "dataset": entity.dataset,
        "version": (listing or {}).get("version", entity.provenance.version),
        "schema": entity.schema,
        "caption": entity.caption,
        "names": [n.value for n in entity.names][:12],
        "birth_dates": list(entity.birth_dates),
        "countries": sorted(countries(entity)),
        "identifiers": [f"{i.type} {i.value}" for i in entity.identifiers],
        "programs": list(entity.programs),
        "listed_on": entity.listed_on,
    }


def _pair(store: Store, j: Judgement, party_of: Any, listing: Any) -> dict[str, Any]:
    sides = []
    for record in j.pair:
        entity, _ = store.get_entity(record)
        sides.append(record_fields(entity, listing(record), party_of(record)))
    return {
        "a": sides[0],
        "b": sides[1],
        "score": round(j.score, 4) if j.score is not None else None,
        "source": j.source,
        "why": j.why,
    }


@app.callback(invoke_without_command=True)
def review(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Pairs to show.")] = 20,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """List the review queue: unsure pairs in different parties, highest score first."""
    if ctx.invoked_subcommand is not None:
        return
    state: State = ctx.obj
    parties = current_parties(state)
    store = state.store()
    resolution = stored_resolution(store)
    queue = review_queue(resolution.review, parties)
    listing = listing_reader(store)
    pairs = [_pair(store, j, parties.party_of, listing) for j in queue[:limit]]
    versions = store.active_versions()
    if format is OutputFormat.json:
        print_json(
            {
                "total": len(queue),
                "pairs": pairs,
                "contradictions": len(resolution.contradictions),
            }
        )
        show_data_date(versions, to_stderr=True)
        return
    if not queue:
        out.print("Nothing to review: no unsure pair is left between two parties.", markup=False)
    else:
        out.print(
            f"{len(queue):,} pair(s) to review, highest score first; showing {len(pairs)}. "
            "Decide with: sanctrace review decide A B same|different|unsure --why '...'",
            markup=False,
        )
    for rank, pair in enumerate(pairs, 1):
        out.print(_pair_table(rank, pair))
    if resolution.contradictions:
        out.print(
            f"{len(resolution.contradictions)} contradiction(s) the resolution did not apply: "
            "sanctrace review contradictions",
            markup=False,
        )
    show_data_date(versions, to_stderr=False)


def _pair_table(rank: int, pair: dict[str, Any]) -> Table:
    score = f"{pair['score']:.2f}" if pair["score"] is not None else "-"
    table = Table(
        title=f"{rank}. score {score}: {pair['why']}", title_justify="left", box=box.SIMPLE
    )
    table.add_column("", style="bold", no_wrap=True)
    table.add_column("A", overflow="fold")
    table.add_column("B", overflow="fold")
    for label, key in RECORD_ROWS:
        a, b = pair["a"].get(key), pair["b"].get(key)
        if not a and not b:
            continue
        table.add_row(label, Text(_text(a)), Text(_text(b)))
    return fitted(table)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def _default_user() -> str:
    try:
        return os.environ.get("SANCTRACE_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "analyst"


@app.command("decide")
def decide(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(metavar="A", help="A record id or a party id.")],
    b: Annotated[str, typer.Argument(metavar="B", help="A record id or a party id.")],
    verdict: Annotated[Verdict, typer.Argument(help="same, different or unsure.")],
    why: Annotated[str, typer.Option("--why", help="The reason, kept with the judgement.")],
    user: Annotated[
        str | None,
        typer.Option("--user", help="Who decides (default: $SANCTRACE_USER, else the login)."),
    ] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Record an analyst judgement on two records (or parties): it wins over the automatic
    ones, survives list reloads, and re-clusters the parties at once."""
    state: State = ctx.obj
    before = current_parties(state)
    store = state.store()
    who = user or _default_user()
    # The trail must be writable before anything changes: a judgement is not made unrecorded.
    keyring.require(store)
    judgement, parties = judge(store, a, b, verdict.value, who, why)
    asked = (_records_meant(a, before), _records_meant(b, before))
    apart = not_followed(judgement.verdict, *asked, parties)
    listing = listing_reader(store)
    shown = dict.fromkeys(parties.party_of(r) for r in judgement.pair)
    views = [party_view(p, parties, listing, partial(judgements_among, store)) for p in shown]
    audit.append(
        store,
        caller=f"cli:{who}",
        kind="judgement",
        request={"a": a, "b": b, **judgement.to_dict()},
        lists=audit_lists(store.active_versions()),
        results=[{"id": v["id"], "referents": v["referents"]} for v in views],
    )
    if format is OutputFormat.json:
        print_json({"judgement": judgement.to_dict(), "parties": views, "not_followed": apart})
        return
    relation = {"same": "=", "different": "≠", "unsure": "?"}[judgement.verdict]
    out.print(
        f"Recorded: {judgement.a} {relation} {judgement.b} by {who}: {judgement.why}",
        markup=False,
    )
    if len(views) == 1:
        out.print(f"They are one party now: {views[0]['id']}", markup=False)
    else:
        out.print(f"They are two parties: {', '.join(v['id'] for v in views)}", markup=False)
    for view in views:
        out.print(listings_table(view))
    if apart:
        warn(
            f"{len(apart)} record(s) did not follow the judgement ({', '.join(apart)}): another "
            "judgement or one list's second record of the party stands in the way; see "
            "sanctrace review contradictions"
        )


def _records_meant(any_id: str, parties: Parties) -> list[str]:
    """The records an id stands for: a record, or every record of a party."""
    if is_party_id(any_id):
        return parties.members(any_id) or [any_id]
    return [any_id]


def not_followed(verdict: str, a: list[str], b: list[str], parties: Parties) -> list[str]:
    """The records a judgement meant to join ("same") or part ("different") that the
    re-clustering left otherwise: for "same", those outside the first record's party; for
    "different", both sides when they still share a party."""
    if verdict == "same":
        party = parties.party_of(a[0])
        return sorted(r for r in [*a, *b] if parties.party_of(r) != party)
    if verdict == "different" and {parties.party_of(r) for r in a} & {
        parties.party_of(r) for r in b
    }:
        return sorted({*a, *b})
    return []


@app.command("contradictions")
def contradictions_cmd(
    ctx: typer.Context,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """List the joins the last resolution refused because a "different" judgement or a
    shared list stood in their way (A=B, B=C, A≠C): never resolved silently."""
    state: State = ctx.obj
    current_parties(state)
    found = stored_resolution(state.store()).contradictions
    if format is OutputFormat.json:
        print_json([c.to_dict() for c in found])
        return
    if not found:
        out.print("No contradictions in the last resolution.", markup=False)
        return
    out.print(
        f"{len(found)} judgement(s) not applied; settle each with sanctrace review decide:",
        markup=False,
    )
    for c in found:
        out.print(f"- {c.describe()}", markup=False)
