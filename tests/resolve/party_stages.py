"""Stores resolved into parties, on real records, made once per session, stage by stage as an
install lives: two national lists loaded and resolved; then the UN list, whose records join
parties of both; analyst judgements; then a newer UN version. Each stage is a home of its
own (tests that write copy it with :func:`homes.copy_home`).

To stay fast the national lists are cut to their records under four UN-derived regimes
(DPRK, Iraq, Libya, the Taliban): real records, about 1,100 of them; the UN lists are whole.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from sanctrace.match import Screener, build_index
from sanctrace.model.entity import Entity
from sanctrace.resolve.store import Parties, ensure_parties, judge, load_parties
from sanctrace.sources import parse_files
from sanctrace.store import Store, open_store

AU = "australia_dfat/2024-11-11/regulation8_consolidated.xlsx"
GB = "uk/2025-08-11/UK_Sanctions_List.ods"
UN_OLD = "un_sc/2025-04-19/consolidated.xml"
UN_NEW = "un_sc/2025-11-29/consolidated.xml"
REGIMES = ("DPRK", "Korea", "Iraq", "Libya", "Taliban", "Afghanistan")


@dataclass(frozen=True)
class Stage:
    home: Path
    parties: Parties


@dataclass(frozen=True)
class Stages:
    lists: Stage  # Australia and the UK, resolved
    un: Stage  # + the UN list of 2025-04-19, resolved
    judged: Stage  # + the analyst's judgements below
    reloaded: Stage  # + the UN list of 2025-11-29, resolved again
    #: A party the UN list joins: one person's Australian and UK records, which no rule joins
    #: until the UN record arrives (Australian, UK and UN record ids).
    bridged: tuple[str, str, str]
    #: An automatic "same" the analyst overrules, and an unsure pair the analyst joins.
    overruled: tuple[str, str]
    joined: tuple[str, str]


def _under_regimes(entity: Entity) -> bool:
    return any(word in program for program in entity.programs for word in REGIMES)


def load_list(store: Store, path: Path, subset: bool) -> None:
    parsed = parse_files([path])
    entities = [e for e in parsed.entities if _under_regimes(e)] if subset else parsed.entities
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    store.load(
        parsed.dataset,
        entities,
        version=parsed.published or path.parent.name,
        published=parsed.published,
        sha256=f"{digest}:{len(entities)}",
        format=parsed.format,
    )


def resolved(store: Store) -> Parties:
    build_index(store)
    return ensure_parties(store, Screener.open(store))


def _snapshot(store: Store, source: Path, target: Path, parties: Parties) -> Stage:
    store._rows("PRAGMA wal_checkpoint(TRUNCATE)")
    target.mkdir(parents=True)
    shutil.copy(source / "sanctrace.db", target / "sanctrace.db")
    shutil.copytree(source / "sanctrace.db.index", target / "sanctrace.db.index")
    if (source / "sanctrace.key").exists():
        shutil.copy2(source / "sanctrace.key", target / "sanctrace.key")
    return Stage(target, parties)


def _first_bridged(store: Store, before: Parties, after: Parties) -> tuple[str, str, str]:
    """The first party of one Australian, one UK and one UN record whose two national records
    were two parties before the UN list came and have no judgement joining them directly."""
    same = {
        (str(a), str(b))
        for a, b in store._rows("SELECT a, b FROM judgements WHERE verdict = 'same'")
    }
    for members in sorted(after.by_party.values()):
        lists = [r.split(":", 1)[0] for r in members]
        if lists != ["au_dfat_sanctions", "gb_fcdo_sanctions", "un_sc_sanctions"]:
            continue
        au, gb, un = members
        if before.party_of(au) != before.party_of(gb) and (au, gb) not in same:
            return au, gb, un
    raise AssertionError("the UN list joined no Australian and UK records")


def _first_automatic_same(store: Store, parties: Parties) -> tuple[str, str]:
    """A name-based "same" between the UN record and a national one, in a party of three."""
    rows = store._rows(
        "SELECT a, b FROM judgements WHERE verdict = 'same' AND source = 'name' "
        "AND b LIKE 'un_sc_sanctions:%' ORDER BY a, b"
    )
    for a, b in rows:
        if len(parties.members(parties.party_of(a))) == 3 and parties.party_of(b) == (
            parties.party_of(a)
        ):
            return str(a), str(b)
    raise AssertionError("no name-based join to overrule in the stage")


def _first_open_unsure(store: Store, parties: Parties) -> tuple[str, str]:
    rows = store._rows(
        "SELECT a, b FROM judgements WHERE verdict = 'unsure' ORDER BY score DESC, a, b"
    )
    for a, b in rows:
        if parties.party_of(a) != parties.party_of(b):
            return str(a), str(b)
    raise AssertionError("no unsure pair between two parties in the stage")


def build_stages(work: Path, snaps: Path, data_dir: Path) -> Stages:
    """Every stage, resolved in ``work`` and copied under ``snaps`` (about 15 s)."""
    with open_store(str(work / "sanctrace.db")) as store:
        load_list(store, data_dir / AU, subset=True)
        load_list(store, data_dir / GB, subset=True)
        lists = _snapshot(store, work, snaps / "lists", resolved(store))
        load_list(store, data_dir / UN_OLD, subset=False)
        un_parties = resolved(store)
        un = _snapshot(store, work, snaps / "un", un_parties)
        bridged = _first_bridged(store, lists.parties, un_parties)
        overruled = _first_automatic_same(store, un_parties)
        joined = _first_open_unsure(store, un_parties)
        judge(store, *overruled, "different", "tester", "two people: the UN record is another")
        judge(store, *joined, "same", "tester", "one person: same regime and listing")
        judged = _snapshot(store, work, snaps / "judged", load_parties(store))
        load_list(store, data_dir / UN_NEW, subset=False)
        reloaded = _snapshot(store, work, snaps / "reloaded", resolved(store))
    return Stages(lists, un, judged, reloaded, bridged, overruled, joined)
