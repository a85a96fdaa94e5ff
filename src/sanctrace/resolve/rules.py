"""The automatic judgements: pairs proposed by shared keys (blocking) and by the name matcher,
each decided by the strongest evidence the two records give. Pure functions; the name pass
takes the project's Screener, so both lists' spellings are compared as a screening would
(``resolve/parts.py`` runs it on forked workers, ``spark/resolve.py`` on Spark)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from itertools import combinations

from sanctrace.errors import SanctraceError
from sanctrace.match import Query, Screener
from sanctrace.model.entity import Entity
from sanctrace.resolve.evidence import (
    Facts,
    birth_dates_agree,
    conflict,
    same_full_birth_date,
)
from sanctrace.resolve.judgements import Judgement
from sanctrace.resolve.keys import (
    identifier_keys,
    ofac_entry,
    quoted_numbers,
    uk_group,
    un_references,
)

#: A key shared by more records than this names a registry or an agent, not one party.
MAX_KEY_GROUP = 6
#: Name scores (the rule scorer's scale) that make a pair, with evidence or without.
NAME_WITH_EVIDENCE = 0.80
NAME_WITH_FULL_BIRTH_DATE = 0.70
NAME_ALONE = 0.92
NAME_PERSON_ALONE = 0.97
NAME_UNSURE = 0.80
#: A name scoring this high against two records of one list does not single either out.
NAME_RIVAL = 0.90
#: Names of a record screened against the other lists: the primary and a few strong aliases.
NAMES_PER_RECORD = 3
CANDIDATES_PER_NAME = 8
#: Places kept for the record's own list (itself, and a look-alike it lists beside it).
OWN_LIST_PLACES = 2
#: The most name entries one query word opens the search with. Screening opens up to 5 % of
#: the index, which grows with the records resolved (a million records: 80,000 entries a
#: common word); this cap is what the bundled lists open (5 % of 47,232 names), so their
#: resolution is unchanged and a larger one costs near-linearly.
OPEN_POSTINGS = 2_400
#: Name entries scored per query (screening scores 40): eight candidates are kept.
CANDIDATE_ENTRIES = 20


def key_judgements(entities: Sequence[Entity]) -> Iterator[Judgement]:
    """ "same" for records that share a strong identifier, a UN reference, OFAC's entry number
    or the UK's group id; "different" instead when their own fields conflict."""
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, e in enumerate(entities):
        for kind, value in identifier_keys(e):
            by_key[(kind, value)].append(i)
        for ref in un_references(e):
            by_key[("un_reference", ref)].append(i)
        entry = ofac_entry(e)
        if entry:
            by_key[("ofac_entry", entry)].append(i)
        ofsi = uk_group(e)
        if ofsi:
            by_key[("uk_group", f"{e.dataset}:{ofsi}")].append(i)
    values: dict[str, list[int]] = defaultdict(list)
    for (kind, value), members in by_key.items():
        if kind not in ("un_reference", "ofac_entry", "uk_group"):
            values[value].extend(members)
    for i, e in enumerate(entities):
        for value in quoted_numbers(e):
            for j in values.get(value, ()):
                if entities[j].dataset != e.dataset:
                    by_key[("quoted", value)].extend((i, j))
    seen: set[tuple[str, str]] = set()
    for (kind, value), members in sorted(by_key.items()):
        linked = sorted(set(members))
        if len(linked) < 2 or len(linked) > MAX_KEY_GROUP:
            continue
        if kind != "uk_group" and _repeats_a_list(entities, linked):
            continue  # a number two records of one list share is not one party's
        for i, j in combinations(linked, 2):
            a, b = entities[i], entities[j]
            if kind == "ofac_entry" and a.dataset == b.dataset:
                continue
            pair = tuple(sorted((a.id, b.id)))
            if pair in seen:
                continue
            seen.add(pair)  # type: ignore[arg-type]
            why = _KEY_WHY.get(kind, "{kind} {value} on both").format(kind=kind, value=value)
            veto = conflict(a, b)
            if veto:
                yield Judgement.of(a.id, b.id, "different", "conflict", f"{why}, but {veto}")
                continue
            source = (
                "listing" if kind in ("un_reference", "ofac_entry", "uk_group") else "identifier"
            )
            yield Judgement.of(a.id, b.id, "same", source, why)


_KEY_WHY = {
    "un_reference": "UN reference {value} on both",
    "ofac_entry": "OFAC entry {value} on both OFAC lists",
    "uk_group": "one OFSI group ({value})",
    "quoted": "number {value} of one record quoted in the other's text",
}


def _repeats_a_list(entities: Sequence[Entity], group: list[int]) -> bool:
    lists = [entities[i].dataset for i in group]
    return len(set(lists)) < len(lists)


def merge_parts(parts: Iterable[PairScores]) -> PairScores:
    """The pair scores of the name pass's parts (workers, Spark tasks) as one: each pair's
    best score, every rival."""
    scores: dict[tuple[str, str], float] = {}
    rivals: set[tuple[str, str]] = set()
    for part, part_rivals in parts:
        rivals |= part_rivals
        for pair, score in part.items():
            if score > scores.get(pair, 0.0):
                scores[pair] = score
    return scores, rivals


def judge_pairs(
    entities: Sequence[Entity],
    scores: dict[tuple[str, str], float],
    rivals: set[tuple[str, str]],
) -> list[Judgement]:
    """Each scored pair decided once, on its best name score, with the two records' evidence."""
    by_id = {e.id: e for e in entities}
    facts = Facts()
    out = []
    for (a, b), score in sorted(scores.items()):
        ea, eb = by_id[a], by_id[b]
        unique = (a, eb.dataset) not in rivals and (b, ea.dataset) not in rivals
        judgement = decide(ea, eb, score, unique, facts)
        if judgement is not None:
            out.append(judgement)
    return out


PairScores = tuple[dict[tuple[str, str], float], set[tuple[str, str]]]


def pair_scores(entities: Sequence[Entity], screener: Screener, which: Iterable[int]) -> PairScores:
    """Best name score of each pair of records of two lists, from the records ``which``, and
    the (record, list) whose names score high against two or more records of that list."""
    if screener.config.max_open_postings is None:
        screener = Screener(
            screener.index,
            replace(
                screener.config,
                max_open_postings=OPEN_POSTINGS,
                candidate_names=CANDIDATE_ENTRIES,
            ),
        )
    known = {e.id for e in entities}
    if len({e.dataset for e in entities}) < 2:
        return {}, set()
    scores: dict[tuple[str, str], float] = {}
    rivals: set[tuple[str, str]] = set()
    # Lists copy each other's spellings (the UN's names on every national list): in name order,
    # a name screened for one record is answered from the screener's memo for the next.
    for i in sorted(which, key=lambda i: _name_key(entities[i])):
        a = entities[i]
        close: dict[str, set[str]] = {}
        # Only a day-precise birth date can confirm a name below NAME_UNSURE.
        floor = NAME_WITH_FULL_BIRTH_DATE if _full_birth_date(a) else NAME_UNSURE
        for name in _names(a):
            query = Query(name, "Person" if a.schema == "Person" else None)
            try:
                # Every list screened, the record's own dropped after: the answer is the same
                # for every record of that name, whichever list it is on.
                found = screener.screen(query, floor, CANDIDATES_PER_NAME + OWN_LIST_PLACES)
            except SanctraceError:  # a name the screener refuses (too long, no letters)
                continue
            found = [m for m in found if m.dataset != a.dataset][:CANDIDATES_PER_NAME]
            for m in found:
                if m.id not in known:
                    continue
                if m.score >= NAME_RIVAL:
                    close.setdefault(m.dataset, set()).add(m.id)
                pair = (a.id, m.id) if a.id < m.id else (m.id, a.id)
                if m.score > scores.get(pair, 0.0):
                    scores[pair] = m.score
        rivals.update((a.id, d) for d, ids in close.items() if len(ids) > 1)
    return scores, rivals


def _name_key(entity: Entity) -> tuple[list[str], bool]:
    return _names(entity), entity.schema == "Person"


def name_order(entities: Sequence[Entity]) -> list[int]:
    """The records' positions in name order: parts of the name pass cut from it contiguously
    keep the records of one name together, and so their memo hits."""
    return sorted(range(len(entities)), key=lambda i: _name_key(entities[i]))


def _full_birth_date(entity: Entity) -> bool:
    return entity.schema == "Person" and any(len(d) == 10 for d in entity.birth_dates)


def _names(entity: Entity) -> list[str]:
    names = [n.value for n in entity.names if n.kind == "primary"] or [entity.caption]
    names += [n.value for n in entity.names if n.kind == "strong_aka"]
    out: list[str] = []
    for n in names:
        if n and n not in out:
            out.append(n)
    return out[:NAMES_PER_RECORD]


def decide(
    a: Entity, b: Entity, score: float, unique: bool = False, facts: Facts | None = None
) -> Judgement | None:
    """Same, different or unsure for two records whose names score ``score``; ``unique``: each
    name singles out the other record on its list (no second record scores as high)."""
    facts = facts or Facts()
    veto = facts.conflict(a, b)
    if veto:
        return Judgement.of(
            a.id, b.id, "different", "conflict", f"names {score:.2f}, but {veto}", score=score
        )
    person = a.schema == "Person" or b.schema == "Person"
    dob = birth_dates_agree(a, b) if person else None
    full_date = person and same_full_birth_date(a, b)
    country = facts.countries_agree(a, b)
    listed = _same_un_listing(a, b)
    reasons = [f"names {score:.2f}"]
    if full_date:
        reasons.append("the same full birth date")
    elif dob:
        reasons.append("a birth date on both")
    if country:
        reasons.append("a country on both")
    if listed:
        reasons.append(f"both designated by the UN on {a.listed_on}")
    if unique:
        reasons.append("no other record of either list named so")
    why = ", ".join(reasons)
    if score >= NAME_WITH_FULL_BIRTH_DATE and full_date:
        return Judgement.of(a.id, b.id, "same", "name", why, score=score)
    if score >= NAME_WITH_EVIDENCE and (dob or listed):
        return Judgement.of(a.id, b.id, "same", "name", why, score=score)
    if country is not False:
        alone = NAME_PERSON_ALONE if person else NAME_ALONE
        if score >= alone and (not person or country or (unique and dob is None)):
            return Judgement.of(a.id, b.id, "same", "name", why, score=score)
    if score >= NAME_UNSURE:
        lacking = "no birth date on one side" if person else "no country or listing to confirm"
        if country is False:
            lacking = "the countries differ"
        return Judgement.of(a.id, b.id, "unsure", "name", f"{why}; {lacking}", score=score)
    return None


def _same_un_listing(a: Entity, b: Entity) -> bool:
    """Both are the UN's designation of one listing date (the UK's summary names only that)."""
    if not a.listed_on or a.listed_on != b.listed_on:
        return False
    return _un_designated(a) and _un_designated(b)


def _un_designated(e: Entity) -> bool:
    return e.dataset == "un_sc_sanctions" or "UN" in e.properties.get("designationSource", [])
