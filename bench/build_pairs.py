"""Rebuild bench/data/pairs-{train,dev,test}.tsv: real labelled name pairs for matching (issue 15).

Real data only, from ../shared/data, deterministic and offline, so the learned scorer is fitted and
judged on pairs nobody made up; split by party so no party is seen in training and in evaluation::

    .venv/bin/python bench/build_pairs.py            # writes bench/data/ (about a minute)
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from itertools import combinations
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process, utils

from sanctrace.model.entity import Entity
from sanctrace.sources import parse_files

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench" / "data"

#: The current list versions that dev_pairs.tsv was built from (its README).
LISTS = {
    "ofac_sdn": ["ofac_sdn/2024-05-03/sdn.csv"],
    "ofac_cons": ["ofac_consolidated/2026-01-08/consolidated.xml"],
    "un_sc": ["un_sc/2026-01-28/consolidated.xml"],
    "uk_fcdo": ["uk/2025-08-11/UK_Sanctions_List.ods"],
    "ca_sema": ["canada_sema/2025-03-20/sema-lmes.xml"],
    "au_dfat": ["australia_dfat/2024-11-11/regulation8_consolidated.xlsx"],
}
OFAC_ALT_VERSIONS = ("2022-01-31", "2021-07-07")

#: Identifier types that name one party only, and the evidence label used for each.
STRONG_IDS = {
    "passportNumber": "passport",
    "idNumber": "national_id",
    "imoNumber": "imo",
    "taxNumber": "tax_id",
    "innCode": "tax_id",
    "ogrnCode": "registration_id",
    "registrationNumber": "registration_id",
    "uscCode": "registration_id",
    "swiftBic": "swift",
    "leiCode": "lei",
}
MIN_ID_CHARS = 6  # shorter numbers collide between countries
NEG_MIN_SIM = 85  # rapidfuzz token_set_ratio for a hard negative
NEG_PER_RECORD = 2  # a record takes part in at most this many hard negatives
NEG_MAX = 4000  # hard negatives kept in all (stratified by kind)
BLOCK_MAX = 200  # token-pair blocks larger than this are skipped (too generic)
SPLITS = (("train", 60), ("dev", 80), ("test", 100))  # cumulative percent by hash of party
NEIGHBOURS_PER_NAME = 2  # nearest other OFAC entries kept per name (neighbour negatives)
NEIGHBOUR_MIN_SIM = 50  # rapidfuzz token_set_ratio: below this a name is no screening candidate


@dataclass
class Pair:
    source: str  # ofac_alias, crosslist, crosslist_ext, hard_negative, neighbour, cross_script
    tier: str
    label: int
    evidence: str
    link: str  # kind of strong identifier that links (or separates) the two records
    record_a: str
    name_a: str
    schema_a: str
    country_a: str
    dob_a: str
    record_b: str
    name_b: str
    schema_b: str
    country_b: str
    dob_b: str
    pair_id: str = ""
    party_id: str = ""  # the real-world party of record a (of both records when label is 1)
    party_id_b: str = ""
    split_group: str = ""  # parties joined by any pair, negatives too: one group, one split
    name_sim: str = ""


FIRST = ("pair_id", "source", "party_id", "party_id_b", "split_group")
COLUMNS = list(FIRST) + [f.name for f in fields(Pair) if f.name not in FIRST]


def read_ofac_csv(path: Path) -> list[list[str]]:
    """OFAC legacy CSV: no header, cp1252 (latin-1 where cp1252 has holes), -0- empty, 0x1A end."""
    raw = path.read_bytes().rstrip(b"\x1a\r\n")
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    rows = []
    for row in csv.reader(text.splitlines()):
        if row:
            rows.append(["" if c.strip() == "-0-" else c.strip() for c in row])
    return rows


def norm_id(value: str) -> str:
    """Letters and digits only, without the "IMO" some lists write before a ship's number."""
    return re.sub(r"^IMO(?=\d)", "", re.sub(r"[^0-9A-Z]", "", value.upper()))


def years(entity: Entity | None) -> set[int]:
    if entity is None:
        return set()
    return {int(d[:4]) for d in entity.birth_dates if d[:4].isdigit()}


def info(entity: Entity | None) -> tuple[str, str, str]:
    """schema, countries, birth dates of a record ('' when unknown)."""
    if entity is None:
        return "", "", ""
    countries = entity.nationalities or entity.citizenships or entity.countries
    return entity.schema, ";".join(sorted(set(countries))[:3]), ";".join(entity.birth_dates[:3])


def strong_ids(entity: Entity) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for ident in entity.identifiers:
        kind = STRONG_IDS.get(ident.type)
        value = norm_id(ident.value)
        if kind and len(value) >= MIN_ID_CHARS:
            out[kind].add(value)
    return out


def load_lists() -> dict[str, Entity]:
    entities: dict[str, Entity] = {}
    for files in LISTS.values():
        parsed = parse_files([DATA / f for f in files])
        for entity in parsed.entities:
            entities[entity.id] = entity
    return entities


def ofac_alias_pairs() -> Iterator[Pair]:
    """(a) primary name (sdn.csv) against each alias (alt.csv) of the same OFAC entry."""
    seen: set[tuple[str, str, str]] = set()
    for version in OFAC_ALT_VERSIONS:
        folder = DATA / "ofac_sdn" / version
        parsed = {
            e.source_id: e
            for e in parse_files(
                [folder / "sdn.csv", folder / "alt.csv", folder / "add.csv"]
            ).entities
        }
        primary = {row[0]: row[1] for row in read_ofac_csv(folder / "sdn.csv") if len(row) > 1}
        for row in read_ofac_csv(folder / "alt.csv"):
            if len(row) < 4 or row[0] not in primary or not row[3]:
                continue
            ent_num, alt_type, alias = row[0], row[2].lower() or "aka", row[3]
            key = (ent_num, primary[ent_num], alias)
            if key in seen or alias == primary[ent_num]:
                continue
            seen.add(key)
            schema, country, dob = info(parsed.get(ent_num))
            rec = f"us_ofac_sdn:{ent_num}"
            yield Pair(
                "ofac_alias", alt_type, 1, f"alt.csv:{version}:{row[1]}", "same_entry",
                rec, primary[ent_num], schema, country, dob,
                rec, alias, schema, country, dob,
            )  # fmt: skip


def crosslist_pairs(entities: dict[str, Entity]) -> Iterator[Pair]:
    """(b) the pairs of crosslist/dev_pairs.tsv, with each record's schema, country and dob."""
    with (DATA / "crosslist" / "dev_pairs.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            a = entities.get(row["left_sanctrace_id"])
            b = entities.get(row["right_sanctrace_id"])
            sa, ca, da = info(a)
            sb, cb, db = info(b)
            yield Pair(
                "crosslist", row["tier"], int(row["label"]), row["evidence"],
                row["evidence"].split(":", 1)[0],
                row["left_sanctrace_id"], row["left_name"], sa or row["schema"], ca, da,
                row["right_sanctrace_id"], row["right_name"], sb or row["schema"], cb, db,
            )  # fmt: skip


def id_links(entities: dict[str, Entity]) -> Iterator[tuple[str, str, str, str]]:
    """Records of two different lists that share a strong identifier: (id_a, id_b, kind, value)."""
    index: dict[tuple[str, str], list[str]] = defaultdict(list)
    for eid, entity in entities.items():
        for kind, values in strong_ids(entity).items():
            for value in values:
                index[(kind, value)].append(eid)
    for (kind, value), ids in sorted(index.items()):
        per_list = Counter(entities[i].dataset for i in ids)
        if len(per_list) < 2 or max(per_list.values()) > 1:
            continue  # one list only, or a number shared inside one list: not one party
        for a, b in combinations(sorted(ids), 2):
            yield a, b, kind, value


def extended_pairs(entities: dict[str, Entity], known: set[frozenset[str]]) -> Iterator[Pair]:
    """(b, extended) cross-list pairs sharing a strong identifier, not already in dev_pairs."""
    done: set[frozenset[str]] = set()
    for a, b, kind, value in id_links(entities):
        key = frozenset((a, b))
        if key in known or key in done:
            continue
        ea, eb = entities[a], entities[b]
        ya, yb = years(ea), years(eb)
        if ya and yb and min(abs(x - y) for x in ya for y in yb) > 1:
            continue  # same number but birth dates apart: not safe as a positive
        done.add(key)
        yield Pair(
            "crosslist_ext", "id", 1, f"{kind}:{value}", kind,
            a, ea.caption, *info(ea), b, eb.caption, *info(eb),
        )  # fmt: skip


def _tokens(name: str) -> list[str]:
    return sorted({t for t in utils.default_process(name).split() if len(t) >= 3})


def _conflict(ea: Entity, eb: Entity) -> tuple[str, str] | None:
    """Why two records are different parties: birth years 2+ apart, or different ids of a kind."""
    if ea.schema == "Person" and eb.schema == "Person":
        ya, yb = years(ea), years(eb)
        if ya and yb and min(abs(x - y) for x in ya for y in yb) >= 2:
            return "dob_conflict", f"dob_conflict:{min(ya)}/{min(yb)}"
        return None
    ia, ib = strong_ids(ea), strong_ids(eb)
    if any(ia[k] & ib[k] for k in ia if k in ib):
        return None
    for kind in sorted(set(ia) & set(ib)):
        return f"{kind}_conflict", f"{kind}_conflict"
    return None


def hard_negatives(
    entities: dict[str, Entity], same_party: dict[str, str], taken: set[frozenset[str]]
) -> Iterator[Pair]:
    """(c) look-alike names (token_set_ratio >= 85, 2+ shared words) that conflicting strong
    identifiers or birth dates prove to be different parties."""
    blocks: dict[tuple[str, str], list[str]] = defaultdict(list)
    for eid in sorted(entities):
        toks = _tokens(entities[eid].caption)[:8]
        for key in combinations(toks, 2):
            blocks[key].append(eid)
    candidates: set[tuple[str, str]] = set()
    for ids in blocks.values():
        if len(ids) <= BLOCK_MAX:
            candidates.update(combinations(ids, 2))
    found: dict[str, list[Pair]] = defaultdict(list)
    for a, b in sorted(candidates):
        ea, eb = entities[a], entities[b]
        if same_party.get(a, a) == same_party.get(b, b) or frozenset((a, b)) in taken:
            continue
        if ea.schema != eb.schema:
            continue
        sim = fuzz.token_set_ratio(ea.caption, eb.caption, processor=utils.default_process)
        if sim < NEG_MIN_SIM:
            continue
        why = _conflict(ea, eb)
        if why is None:
            continue
        tier = "same_list" if ea.dataset == eb.dataset else "cross_list"
        pair = Pair(
            "hard_negative", tier, 0, why[1], why[0],
            a, ea.caption, *info(ea), b, eb.caption, *info(eb),
        )  # fmt: skip
        found[why[0]].append(pair)
    yield from _cap_negatives(found)


def _family(schema: str) -> str:
    return "person" if schema == "Person" else schema or "org"


def neighbour_negatives(rows: list[Pair]) -> Iterator[Pair]:
    """(e) what screening meets most: a name of one OFAC entry against the nearest primary names
    of other entries of the same kind in the same split (OFAC lists a party once, so these are
    different parties). Nearest by rapidfuzz token_set_ratio, so no sanctrace code chooses them."""
    entries: dict[str, Pair] = {}
    for p in rows:
        if p.source == "ofac_alias":
            entries.setdefault(p.record_a, p)
    if not entries:
        return
    ids = sorted(entries)
    primaries = [utils.default_process(entries[r].name_a) for r in ids]
    queries = [(r, entries[r].name_a) for r in ids]
    queries += [(p.record_a, p.name_b) for p in rows if p.source == "ofac_alias"]
    matrix = process.cdist(
        [utils.default_process(q) for _, q in queries],
        primaries,
        scorer=fuzz.token_set_ratio,
        dtype=np.uint8,
        workers=-1,
    )
    for (record, name), scores in zip(queries, matrix, strict=True):
        own = entries[record]
        kept = 0
        for j in np.argsort(-scores.astype(np.int16), kind="stable"):
            if kept >= NEIGHBOURS_PER_NAME or scores[j] < NEIGHBOUR_MIN_SIM:
                break
            other = entries[ids[j]]
            if ids[j] == record or _family(other.schema_a) != _family(own.schema_a):
                continue
            kept += 1
            yield Pair(
                "neighbour", "same_list", 0, f"token_set_ratio:{scores[j]}", "different_entry",
                record, name, own.schema_a, own.country_a, own.dob_a,
                ids[j], other.name_a, other.schema_a, other.country_a, other.dob_a,
                split_group=own.split_group,
            )  # fmt: skip


def _cap_negatives(found: dict[str, list[Pair]]) -> Iterator[Pair]:
    """Keep NEG_MAX negatives, shared evenly by kind, each record in at most NEG_PER_RECORD."""
    uses: Counter[str] = Counter()
    share = NEG_MAX // max(1, len(found))
    for kind in sorted(found):
        kept = 0
        for pair in sorted(found[kind], key=lambda p: _hash(p.record_a + p.record_b)):
            if kept >= share:
                break
            if uses[pair.record_a] >= NEG_PER_RECORD or uses[pair.record_b] >= NEG_PER_RECORD:
                continue
            uses[pair.record_a] += 1
            uses[pair.record_b] += 1
            kept += 1
            yield pair


def cross_script_pairs() -> Iterator[Pair]:
    """(d) name_matching/watchman_cross_script_pairs.csv: one name in two scripts."""
    path = DATA / "name_matching" / "watchman_cross_script_pairs.csv"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    for row in csv.reader(ln for ln in lines if not ln.lstrip().startswith("#")):
        if len(row) < 3:
            continue
        query, expected, min_score = row[0].strip(), row[1].strip(), row[2].strip()
        note = row[3].strip() if len(row) > 3 else ""
        rec = "watchman:" + _hash(expected)[:10]
        yield Pair(
            "cross_script", "cross_script", 1, f"min_score:{min_score} {note}".strip(),
            "transliteration", rec, query, "", "", "", rec, expected, "", "", "",
        )  # fmt: skip


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class Groups:
    """Union-find over record ids: records of one party, or of one split group."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the smallest id names the group: stable


def leaks_identifier(pair: Pair) -> bool:
    """True when a name column quotes the identifier that links the pair (it would give it away)."""
    value = norm_id(pair.evidence.split(":", 1)[1]) if ":" in pair.evidence else ""
    if pair.source not in ("crosslist", "crosslist_ext") or len(value) < 4:
        return False
    return any(value in norm_id(name) for name in (pair.name_a, pair.name_b))


def split_of(party_id: str) -> str:
    bucket = int(_hash(party_id)[:8], 16) % 100
    return next(name for name, upper in SPLITS if bucket < upper)


def build() -> tuple[dict[str, list[Pair]], Counter[str]]:
    entities = load_lists()
    dropped: Counter[str] = Counter()
    positives: list[Pair] = list(ofac_alias_pairs())
    cross = list(crosslist_pairs(entities))
    known = {frozenset((p.record_a, p.record_b)) for p in cross}
    positives += [p for p in cross if p.label == 1]
    positives += list(extended_pairs(entities, known))
    party = Groups()
    for p in positives:
        party.union(p.record_a, p.record_b)
    same_party = {r: party.find(r) for r in list(party.parent)}
    pairs = positives + [p for p in cross if p.label == 0]
    pairs += list(hard_negatives(entities, same_party, known))
    pairs += list(cross_script_pairs())
    kept = []
    for p in pairs:
        if leaks_identifier(p):
            dropped[f"{p.source}:identifier_in_name"] += 1
        else:
            kept.append(p)
    groups = Groups()
    for p in kept:
        groups.union(p.record_a, p.record_b)
    out: dict[str, list[Pair]] = {name: [] for name, _ in SPLITS}
    seen_ids: set[str] = set()
    for p in kept:
        p.party_id, p.party_id_b = party.find(p.record_a), party.find(p.record_b)
        p.split_group = groups.find(p.record_a)
        p.pair_id = _hash("\t".join((p.source, p.record_a, p.name_a, p.record_b, p.name_b)))[:16]
        if p.pair_id in seen_ids:
            dropped[f"{p.source}:duplicate"] += 1
            continue
        seen_ids.add(p.pair_id)
        p.name_sim = str(round(fuzz.token_set_ratio(p.name_a, p.name_b) / 100, 3))
        out[split_of(p.split_group)].append(p)
    for rows in out.values():
        labelled = {frozenset((p.record_a, p.record_b)) for p in rows}
        for p in list(neighbour_negatives(rows)):
            if frozenset((p.record_a, p.record_b)) in labelled:
                continue
            p.party_id, p.party_id_b = party.find(p.record_a), party.find(p.record_b)
            p.pair_id = _hash("\t".join((p.source, p.record_a, p.name_a, p.record_b, p.name_b)))
            p.pair_id = p.pair_id[:16]
            if p.pair_id in seen_ids:
                continue
            seen_ids.add(p.pair_id)
            p.name_sim = str(round(fuzz.token_set_ratio(p.name_a, p.name_b) / 100, 3))
            rows.append(p)
        rows.sort(key=lambda p: (p.source, p.split_group, p.pair_id))
    return out, dropped


def write_tsv(path: Path, rows: Iterable[Pair]) -> None:
    """Atomic write: a reader never sees half a file."""
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(COLUMNS)
        for p in rows:
            writer.writerow([_clean(str(getattr(p, c))) for c in COLUMNS])
    os.replace(tmp, path)


def _clean(value: str) -> str:
    return " ".join(value.replace("\t", " ").split())


def summary(out: dict[str, list[Pair]], dropped: Counter[str]) -> str:
    counts: Counter[tuple[str, str, int, str]] = Counter()
    for split, rows in out.items():
        for p in rows:
            counts[(p.source, p.tier, p.label, split)] += 1
    names = [name for name, _ in SPLITS]
    lines = ["| source | tier | label | " + " | ".join(names) + " | all |", "|---" * 7 + "|"]
    for source, tier, label in sorted({k[:3] for k in counts}):
        row = [counts[(source, tier, label, s)] for s in names]
        lines.append(
            f"| {source} | {tier} | {label} | " + " | ".join(map(str, row)) + f" | {sum(row)} |"
        )
    totals = [len(out[s]) for s in names]
    lines.append("| **all** | | | " + " | ".join(map(str, totals)) + f" | {sum(totals)} |")
    parties = [len({p.party_id for p in out[s]} | {p.party_id_b for p in out[s]}) for s in names]
    lines.append("| *parties* | | | " + " | ".join(map(str, parties)) + f" | {sum(parties)} |")
    groups = [len({p.split_group for p in out[s]}) for s in names]
    lines.append("| *split groups* | | | " + " | ".join(map(str, groups)) + f" | {sum(groups)} |")
    if dropped:
        lines.append("")
        lines.append("Dropped: " + ", ".join(f"{k} {v}" for k, v in sorted(dropped.items())) + ".")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (bench/data)")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"error: shared data not found: {DATA}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    out, dropped = build()
    for split, rows in out.items():
        write_tsv(args.out / f"pairs-{split}.tsv", rows)
    print(summary(out, dropped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
