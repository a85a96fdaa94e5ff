"""Shared pieces of the matching benchmarks (bench/quality.py, bench/speed.py).

Loading the list snapshots, generating unlisted names with Faker, turning sanctrace entities into
followthemoney-shaped dicts, and calling bench/baseline_runner.py in its own virtualenv.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from anyascii import anyascii

from sanctrace.model.entity import Entity

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
#: Real list snapshots, never modified (see shared/data/README.md).
DATA_DIR = Path(os.environ.get("SANCTRACE_DATA", REPO_ROOT.parent / "shared" / "data"))
BASELINE_PYTHON = BENCH_DIR / ".venv-baselines" / "bin" / "python"
BASELINE_RUNNER = BENCH_DIR / "baseline_runner.py"

#: Each baseline's own documented default match threshold. yente (OpenSanctions' API, which
#: runs nomenklatura's matchers) marks a result as a match at ``SCORE_THRESHOLD = 0.70`` for
#: every algorithm; WRatio has no vendor default, 90 (of 100) is the usual fuzzy-matching one.
BASELINE_THRESHOLDS: dict[str, float] = {"logic_v1": 0.70, "logic_v2": 0.70, "wratio": 0.90}
BASELINE_LABELS: dict[str, str] = {
    "logic_v1": "nomenklatura logic-v1",
    "logic_v2": "nomenklatura logic-v2",
    "wratio": "rapidfuzz WRatio (naive)",
}

#: Faker locales of the generated unlisted names.
LOCALES = ("en_US", "ru_RU", "zh_CN", "ar_AA", "ko_KR", "de_DE", "fr_FR", "tr_TR")
PARTY_SCHEMATA = ("Person", "LegalEntity")


# -- lists ------------------------------------------------------------------------------------


def load_sdn_2022() -> list[Entity]:
    """OFAC SDN 2022-01-31 (sdn.csv; parse_files picks up alt.csv and add.csv beside it)."""
    from sanctrace.sources import parse_files

    return parse_files([DATA_DIR / "ofac_sdn" / "2022-01-31" / "sdn.csv"]).entities


def load_bundled_entities() -> list[Entity]:
    """Every entity of every list in the embedded default (the bundle's own files)."""
    from sanctrace.bundle import _unpack, manifest
    from sanctrace.sources import parse_files

    entities: list[Entity] = []
    with tempfile.TemporaryDirectory(prefix="sanctrace-bench-") as tmp:
        for item in manifest():
            paths = _unpack(item, Path(tmp))
            parsed = parse_files(paths, format=item.format, dataset=item.dataset)
            entities.extend(parsed.entities)
    return entities


def bundled_versions() -> str:
    from sanctrace.bundle import manifest

    return ", ".join(f"{item.dataset} {item.version}" for item in manifest())


# -- names ------------------------------------------------------------------------------------


def normalize_name(value: str) -> str:
    """Romanised with anyascii, case-folded, punctuation dropped, words sorted.

    Used only to decide that a generated name *is* a listed name, written in another script or
    word order (Faker's ru_RU companies include real sanctioned firms such as "СУЭК"), and so
    not an "unlisted" name; deliberately independent of sanctrace's own normalisation.
    """
    romanised = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", anyascii(value))  # ZhangJian -> Zhang Jian
    text = unicodedata.normalize("NFKD", romanised.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(sorted(re.findall(r"\w+", text)))


#: Legal-form words (Latin, and Russian romanised) that say what kind of company a name is,
#: not which one: "SURGUTNEFTEGAZ OAO" is the Сургутнефтегаз a Faker locale generates.
LEGAL_WORDS = frozenset(
    [
        "ooo",
        "oao",
        "ao",
        "pao",
        "zao",
        "jsc",
        "pjsc",
        "ojsc",
        "cjsc",
        "llc",
        "ltd",
        "limited",
        "plc",
        "gmbh",
        "inc",
        "corp",
        "co",
        "company",
        "public",
        "joint",
        "stock",
        "closed",
        "open",
        "liability",
        "aktsionernoe",
        "obshchestvo",
        "publichnoe",
        "otkrytoe",
        "zakrytoe",
        "s",
        "ogranichennoi",
        "otvetstvennostiu",
        "otvetstvennostyu",
    ]
)


def listed_keys(value: str) -> set[str]:
    """Forms under which a generated name counts as a listed one: its words sorted, without
    legal-form words, and its letters run together (КамАЗ / KAMAZ, АвтоВАЗ / AVTOVAZ)."""
    words = normalize_name(value).split()
    core = [w for w in words if w not in LEGAL_WORDS] or words
    joined = "".join(re.findall(r"\w+", anyascii(value).casefold()))
    return {key for key in (" ".join(core), "".join(core), joined) if key}


def listed_name_set(entities: Iterable[Entity]) -> set[str]:
    out: set[str] = set()
    for entity in entities:
        for name in (*(n.value for n in entity.names), entity.caption):
            out.update(listed_keys(name))
    return out


@dataclass(frozen=True)
class GeneratedName:
    name: str
    locale: str
    kind: str  # "person" or "company"


@dataclass(frozen=True)
class GeneratedSet:
    names: list[GeneratedName]
    attempts: int
    duplicates: int
    excluded: list[GeneratedName]  # literally equal to a listed name


def generate_unlisted(count: int, seed: int, listed: set[str]) -> GeneratedSet:
    """``count`` distinct Faker person and company names, round-robin over LOCALES.

    A name equal to a listed name under :func:`listed_keys` is set aside (reported as excluded),
    as are repeats; generation goes on until ``count`` names are kept or a locale and kind
    stops producing new names.
    """
    from faker import Faker

    buckets = [(locale, kind) for locale in LOCALES for kind in ("person", "company")]
    fakers: dict[str, Faker] = {}
    for i, locale in enumerate(LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + i)
        fakers[locale] = fake
    seen: set[str] = set()
    kept: list[GeneratedName] = []
    excluded: list[GeneratedName] = []
    attempts = duplicates = 0
    misses = dict.fromkeys(buckets, 0)
    active = list(buckets)
    while len(kept) < count and active:
        for bucket in list(active):
            if len(kept) >= count:
                break
            locale, kind = bucket
            fake = fakers[locale]
            value = fake.name() if kind == "person" else fake.company()
            attempts += 1
            key = normalize_name(value)
            if not key or key in seen:
                duplicates += 1
                misses[bucket] += 1
                if misses[bucket] > 200:  # this generator has run dry
                    active.remove(bucket)
                continue
            misses[bucket] = 0
            seen.add(key)
            item = GeneratedName(value, locale, kind)
            if listed_keys(value) & listed:
                excluded.append(item)
            else:
                kept.append(item)
    return GeneratedSet(kept, attempts, duplicates, excluded)


def query_schema(kind_or_schema: str) -> str | None:
    """The schema a benchmark query carries: "Person" for persons, none for everything else.

    A screening user usually knows that a party is a person; for companies, organisations and
    vessels the exact FtM schema is rarely known, so those queries carry none.
    """
    return "Person" if kind_or_schema in ("Person", "person") else None


def schema_compatible(query_schema_: str | None, entity_schema: str) -> bool:
    """A Person query is compared with Person (and schema-less LegalEntity) entries only."""
    return query_schema_ != "Person" or entity_schema in PARTY_SCHEMATA


# -- followthemoney shapes --------------------------------------------------------------------


def entity_to_ftm(entity: Entity) -> dict[str, Any]:
    """An FtM-ish dict of what the matchers compare: names, countries, birth dates."""
    props: dict[str, list[str]] = {}

    def add(prop: str, value: str | None) -> None:
        if value:
            values = props.setdefault(prop, [])
            if value not in values:
                values.append(value)

    kinds = {"primary": "name", "strong_aka": "alias", "spelling": "alias"}
    kinds |= {"weak_aka": "weakAlias", "fka": "previousName"}
    for name in entity.names:
        add(kinds.get(name.kind, "alias"), name.value)
        if name.kind == "primary" and entity.schema == "Person":
            add("firstName", name.first_name)
            add("middleName", name.middle_name)
            add("lastName", name.last_name)
            add("fatherName", name.father_name)
    if "name" not in props:
        add("name", entity.caption)
    for country in (*entity.countries, *entity.nationalities, *entity.citizenships):
        add("country", country.lower())
    if entity.schema == "Person":
        for birth in entity.birth_dates:
            add("birthDate", birth)
    return {"schema": entity.schema, "properties": props}


def make_pair(
    pair_id: str, query_name: str, schema: str | None, candidate: dict[str, Any]
) -> dict[str, Any]:
    """One runner input line. A schema-less query takes the candidate's schema, so that
    nomenklatura compares it as it would an entity of the candidate's type."""
    return {
        "pair_id": pair_id,
        "schema": schema or candidate["schema"],
        "query": {"name": [query_name]},
        "candidate": candidate,
    }


# -- the baseline runner ----------------------------------------------------------------------


def baselines_available() -> bool:
    return BASELINE_PYTHON.exists()


@dataclass
class BaselineRun:
    scores: dict[str, dict[str, float]]  # pair_id -> {algorithm: score}
    timing: dict[str, dict[str, float]]  # algorithm -> {pairs, total_s, mean_ms}
    version: str


def run_baselines(
    pairs: Sequence[dict[str, Any]], algorithms: Sequence[str] = ("logic_v1", "logic_v2", "wratio")
) -> BaselineRun:
    """Score ``pairs`` with bench/baseline_runner.py inside bench/.venv-baselines."""
    if not baselines_available():
        raise RuntimeError("no bench/.venv-baselines: run `bash bench/setup_baselines.sh` first")
    with tempfile.TemporaryDirectory(prefix="sanctrace-baselines-") as tmp:
        folder = Path(tmp)
        source, sink, timing = folder / "in.jsonl", folder / "out.jsonl", folder / "timing.json"
        with source.open("w", encoding="utf-8") as fh:
            for pair in pairs:
                fh.write(json.dumps(pair, ensure_ascii=False) + "\n")
        command = [str(BASELINE_PYTHON), str(BASELINE_RUNNER), str(source)]
        command += ["--output", str(sink), "--timing-json", str(timing)]
        command += ["--algorithms", ",".join(algorithms)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"baseline runner failed:\n{done.stderr[-4000:]}")
        scores: dict[str, dict[str, float]] = {}
        with sink.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                pair_id = row.pop("pair_id")
                scores[pair_id] = row
        info = json.loads(timing.read_text(encoding="utf-8"))
    return BaselineRun(scores, info["algorithms"], info["nomenklatura"])


# -- reporting --------------------------------------------------------------------------------


def machine_line() -> str:
    cpu = platform.processor() or platform.machine()
    return (
        f"{date.today().isoformat()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}"
    )


def pct(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.1f} %" if whole else "n/a"


def table(header: Sequence[str], rows: Iterable[Sequence[Any]], align: str = "") -> list[str]:
    """Markdown table lines; ``align`` holds one of l/r per column (default: first l, rest r)."""
    align = align or "l" + "r" * (len(header) - 1)
    marks = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines
