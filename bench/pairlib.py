"""Labelled pairs of bench/data scored the way a screening scores a candidate.

Shared by bench/train_scorer.py (fits the learned scorer) and bench/quality.py (judges it): each
pair becomes a Query (name a, with its schema) and a listed entity (name b), and is scored by the
screener's own ``score_candidate`` with the token weights of the bundled lists' index.
"""

from __future__ import annotations

import csv
import hashlib
import pickle
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import benchlib

from sanctrace.match.config import DEFAULT_CONFIG, MatchConfig
from sanctrace.match.index import Index, distinct_forms
from sanctrace.match.screener import score_candidate
from sanctrace.match.types import IndexedEntity, Query
from sanctrace.normalize import name_forms

ROOT = Path(__file__).resolve().parent
PAIRS = ROOT / "data"
CACHE = ROOT / ".cache"
#: Sources whose two names come from one record: its country and birth date are no evidence.
SAME_RECORD = frozenset({"ofac_alias", "cross_script"})
#: Sources whose labels were decided by a birth-date or identifier rule: that evidence is hidden
#: when scoring, or the model would learn the rule that made the label.
LABEL_BY_DOB = frozenset({"dob_name"})


def load_pairs(split: str) -> list[dict[str, str]]:
    with (PAIRS / f"pairs-{split}.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_MINIMAL))


def bundled_index() -> Index:
    """The index of every bundled list (its token weights), built once and cached."""
    CACHE.mkdir(exist_ok=True)
    key = benchlib.bundled_versions().replace(" ", "_").replace(",", "")
    path = CACHE / f"index-{hashlib.sha1(key.encode()).hexdigest()[:12]}.pickle"
    if path.exists():
        with path.open("rb") as fh:
            index: Index = pickle.load(fh)
        index._finish()  # the caches of the code that runs now, not of the one that pickled it
        return index
    print("building the index of the bundled lists (once)...", file=sys.stderr)
    index = Index.build(benchlib.load_bundled_entities())
    with path.open("wb") as fh:
        pickle.dump(index, fh)
    return index


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip().upper() for v in value.replace(",", ";").split(";") if v.strip())


def _dates(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.replace(",", ";").split(";") if v.strip())


def pair_query(row: dict[str, str], with_evidence: bool = True) -> Query:
    schema = "Person" if row["schema_a"] == "Person" else None
    if not with_evidence or row["source"] in SAME_RECORD:
        return Query(row["name_a"], schema)
    dates = () if row["tier"] in LABEL_BY_DOB else _dates(row["dob_a"])
    return Query(row["name_a"], schema, countries=_split(row["country_a"]), birth_dates=dates)


def pair_entity(row: dict[str, str]) -> IndexedEntity:
    dates = () if row["tier"] in LABEL_BY_DOB else _dates(row["dob_b"])
    return IndexedEntity(
        id=row["record_b"],
        dataset=row["record_b"].split(":", 1)[0],
        source_id=row["record_b"].split(":", 1)[-1],
        schema=row["schema_b"] or row["schema_a"] or "LegalEntity",
        caption=row["name_b"],
        programs=(),
        countries=frozenset(_split(row["country_b"])),
        birth_dates=dates,
        identifiers=frozenset(),
        names=((row["name_b"], "primary"),),
    )


def score_pair(
    row: dict[str, str],
    index: Index,
    config: MatchConfig = DEFAULT_CONFIG,
    with_evidence: bool = True,
) -> tuple[float, Any, list[dict[str, Any]]] | None:
    """(score, NameScore, features) of the best reading of name b for query name a."""
    query = pair_query(row, with_evidence)
    entity = pair_entity(row)
    if query.schema is None and entity.schema == "Person":
        query = replace(query, schema="Person")
    forms = distinct_forms(name_forms(query.name, query.schema))
    best = None
    for form in name_forms(entity.caption, entity.schema):
        found = score_candidate(
            query, forms, entity, form, "primary", weight=index.weight, config=config
        )
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    return best


def candidate_negatives(
    rows: list[dict[str, str]], index: Index, per_name: int = 3, floor: float = 0.3
) -> list[dict[str, str]]:
    """What a screening meets: each name of an OFAC entry of ``rows`` screened against the
    bundled OFAC SDN list, and the best candidates that are other entries (OFAC lists a party
    once, so they are different parties) kept as negatives. Built when needed, from the
    screener's own candidate generation and rule scorer, so they follow the code."""
    from sanctrace.match import Screener

    screener = Screener(index, replace(DEFAULT_CONFIG, algorithm="rules"))
    parties = {r["record_a"]: r["party_id"] for r in rows}
    parties.update({r["record_b"]: r["party_id_b"] for r in rows})
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, str]] = []
    for r in rows:
        if r["source"] != "ofac_alias":
            continue
        for name in (r["name_a"], r["name_b"]):
            if (r["record_a"], name) in seen:
                continue
            seen.add((r["record_a"], name))
            schema = "Person" if r["schema_a"] == "Person" else None
            kept = 0
            for match in screener.screen(Query(name, schema), floor, 10, ["us_ofac_sdn"]):
                if kept >= per_name:
                    break
                if match.id == r["record_a"] or parties.get(match.id) == r["party_id"]:
                    continue
                kept += 1
                out.append(
                    {
                        **r,
                        "pair_id": hashlib.sha1(
                            f"{r['record_a']}\t{name}\t{match.id}".encode()
                        ).hexdigest()[:16],
                        "source": "candidate",
                        "tier": "same_list",
                        "label": "0",
                        "name_a": name,
                        "record_b": match.id,
                        "name_b": match.matched_name,
                        "schema_b": match.schema,
                        "country_b": "",
                        "dob_b": "",
                    }
                )
    return out


#: Faker seed of the generated negatives the scorer is fitted on; bench/quality.py draws its
#: unlisted names with another seed, so the false-alert figure is measured on unseen names.
TRAINING_FAKER_SEED = 4242


def _namesake(explanation: dict[str, Any]) -> bool:
    """Every word of both names the same (in any script): a namesake, which a screening must
    show whoever the generated name stands for, so no lesson about telling names apart."""
    tokens = explanation.get("tokens") or []
    return bool(
        tokens
        and not explanation.get("unmatched_query_tokens")
        and not explanation.get("unmatched_candidate_tokens")
        and all(t["how"] == "exact" or t["similarity"] >= 0.95 for t in tokens)
    )


def _core_namesake(explanation: dict[str, Any], index: Index) -> bool:
    """The generated name is the distinctive core of the listed one (Kalashnikov GmbH /
    CONCERN KALASHNIKOV JSC: every query word found exactly, a rare one among them, the rest of
    the listed name generic): the alert issue 15 asks for, so no negative to learn from."""
    tokens = explanation.get("tokens") or []
    if not tokens or explanation.get("unmatched_query_tokens"):
        return False
    if not all(t["how"] == "exact" for t in tokens):
        return False
    rare = any(len(t["query"]) >= 4 and index.weight(t["query"]) >= 0.6 for t in tokens)
    rest = explanation.get("unmatched_candidate_tokens") or []
    return rare and all(index.weight(t) <= 0.35 for t in rest)


def generated_negatives(index: Index, count: int = 8000, per_name: int = 2) -> list[dict[str, str]]:
    """Generated unlisted names (Faker, 8 locales, several scripts) against their best listed
    candidates: the coincidences a screening of a customer file meets (a common Korean name,
    a Chinese syllable, a shared generic word). Synthetic queries, real listed candidates."""
    from sanctrace.match import Screener

    entities = benchlib.load_bundled_entities()
    generated = benchlib.generate_unlisted(
        count, TRAINING_FAKER_SEED, benchlib.listed_name_set(entities)
    )
    screener = Screener(index, replace(DEFAULT_CONFIG, algorithm="rules"))
    out: list[dict[str, str]] = []
    for g in generated.names:
        schema = benchlib.query_schema(g.kind)
        for match in screener.screen(Query(g.name, schema), 0.3, per_name):
            if _namesake(match.explanation) or _core_namesake(match.explanation, index):
                continue
            out.append(
                {
                    "pair_id": hashlib.sha1(f"{g.name}\t{match.id}".encode()).hexdigest()[:16],
                    "source": "generated",
                    "party_id": "",
                    "party_id_b": match.id,
                    "split_group": "",
                    "tier": g.locale,
                    "label": "0",
                    "evidence": "faker",
                    "link": "",
                    "record_a": "",
                    "name_a": g.name,
                    "schema_a": schema or "",
                    "country_a": "",
                    "dob_a": "",
                    "record_b": match.id,
                    "name_b": match.matched_name,
                    "schema_b": match.schema,
                    "country_b": "",
                    "dob_b": "",
                    "name_sim": "",
                }
            )
    return out
