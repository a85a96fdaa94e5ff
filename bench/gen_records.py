"""Noisy copies of real list records, as fictitious lists would re-list them, for scale tests.

Issue 16 needs up to 1,000,000 records whose true grouping is known. Each copy is a real bundled
record as another list (``synthetic_N``) might write it: names with dropped or reordered words,
transliteration variants, typos and no legal form, a subset of the aliases, a birth date dropped
or cut to the year, identifiers dropped or reformatted, countries dropped. Round N copies every
record at most once into ``synthetic_N``, so no synthetic list names a party twice.

Truth labels: a copy carries ``properties["copiedFrom"] = [real id]``. A few look-alike negatives
(a real person's name with another birth year, no identifiers) carry
``properties["lookalikeOf"] = [real id]`` instead: they are other parties.

Usage: .venv/bin/python bench/gen_records.py --total 1000000 --seed 1 --out records.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from sanctrace.model.entity import Address, Entity, Identifier, Name, Provenance

#: Property a copy keeps its real record's id in; a look-alike negative's is LOOKALIKE_OF.
COPIED_FROM = "copiedFrom"
LOOKALIKE_OF = "lookalikeOf"
#: Share of copies of a dated person that are look-alike negatives instead.
NEGATIVE_RATE = 0.03

#: Spelling variants lists really use for the same name (Khalid/Halid, Yusuf/Iusuf/Yousouf ...).
TRANSLITERATIONS = (
    ("kh", "h"),
    ("h", "kh"),
    ("y", "i"),
    ("i", "y"),
    ("ou", "u"),
    ("u", "ou"),
    ("ee", "i"),
    ("j", "dj"),
    ("q", "k"),
    ("ph", "f"),
    ("sh", "ch"),
    ("mm", "m"),
    ("e", "a"),
    ("ov", "off"),
)
#: Legal forms a list may leave out of a company's name.
LEGAL_FORMS = frozenset(
    [
        "LLC",
        "LTD",
        "LIMITED",
        "PLC",
        "GMBH",
        "INC",
        "CORP",
        "CO",
        "JSC",
        "PJSC",
        "OJSC",
        "CJSC",
        "OOO",
        "OAO",
        "ZAO",
        "AO",
        "PAO",
        "SA",
        "S.A.",
        "FZE",
        "FZCO",
        "SARL",
        "SRL",
        "BV",
        "AG",
        "LLP",
    ]
)
#: Properties that repeat a real list's own reference, which another list would not have.
DROPPED_PROPERTIES = frozenset({"unscId"})
_WORD = re.compile(r"\S+")


def _match_case(template: str, text: str) -> str:
    if template.isupper():
        return text.upper()
    if template[:1].isupper():
        return text[:1].upper() + text[1:]
    return text


def transliterate(token: str, rng: random.Random) -> str:
    """One spelling variant of a Latin-script word, or the word itself when no rule applies."""
    lower = token.lower()
    rules = [(a, b) for a, b in TRANSLITERATIONS if a in lower]
    if not rules:
        return token
    old, new = rng.choice(rules)
    starts = [m.start() for m in re.finditer(re.escape(old), lower)]
    at = rng.choice(starts)
    changed = lower[:at] + new + lower[at + len(old) :]
    return changed.upper() if token.isupper() else _match_case(token, changed)


def typo(token: str, rng: random.Random) -> str:
    """One letter deleted, doubled, swapped with its neighbour, or replaced by a similar one."""
    if len(token) < 4:
        return token
    at = rng.randrange(1, len(token) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return token[:at] + token[at + 1 :]
    if kind == 1:
        return token[:at] + token[at] + token[at:]
    if kind == 2:
        return token[: at - 1] + token[at] + token[at - 1] + token[at + 1 :]
    letter = token[at]
    near = "aeiou" if letter.lower() in "aeiou" else "bcdfghklmnprstvz"
    new = rng.choice(near)
    return token[:at] + (new.upper() if letter.isupper() else new) + token[at + 1 :]


def noisy_name(value: str, schema: str, rng: random.Random) -> str:
    """``value`` as another list might write it; at least sometimes unchanged."""
    words = _WORD.findall(value.replace(",", " "))
    if schema != "Person":
        kept = [w for w in words if w.strip(".,").upper() not in LEGAL_FORMS]
        if kept and kept != words and rng.random() < 0.6:
            words = kept
    if len(words) >= 3 and rng.random() < 0.15:
        del words[rng.randrange(len(words))]
    if len(words) >= 2 and rng.random() < 0.35:
        if schema == "Person" and "," in value:  # "ABBAS, Abu" -> "Abu ABBAS"
            words = words[1:] + words[:1]
        else:
            rng.shuffle(words)
    if words and rng.random() < 0.35:
        at = rng.randrange(len(words))
        words[at] = transliterate(words[at], rng)
    if words and rng.random() < 0.2:
        at = rng.randrange(len(words))
        words[at] = typo(words[at], rng)
    out = " ".join(words) or value
    roll = rng.random()
    if roll < 0.2:
        out = out.upper()
    elif roll < 0.3:
        out = out.title()
    return out


def noisy_identifier(ident: Identifier, rng: random.Random) -> Identifier:
    """The same number, sometimes written with spaces or dashes or in lower case."""
    value = ident.value
    roll = rng.random()
    if roll < 0.15 and len(value) > 4:
        step = rng.choice((2, 3, 4))
        sep = rng.choice((" ", "-"))
        compact = re.sub(r"[\s-]", "", value)
        value = sep.join(compact[i : i + step] for i in range(0, len(compact), step))
    elif roll < 0.25:
        value = value.lower()
    return Identifier(type=ident.type, value=value, country=ident.country)


def _dates(dates: Sequence[str], rng: random.Random) -> list[str]:
    roll = rng.random()
    if roll < 0.15:
        return []
    if roll < 0.35:
        return sorted({d[:4] for d in dates})
    return list(dates)


def _maybe(values: Sequence[str], rng: random.Random, keep: float = 0.75) -> list[str]:
    return list(values) if rng.random() < keep else []


def _names(entity: Entity, rng: random.Random) -> list[Name]:
    primary, *aliases = entity.names or [Name(value=entity.caption)]
    names = [Name(value=noisy_name(primary.value, entity.schema, rng), lang=primary.lang)]
    for alias in aliases:
        if rng.random() < 0.55:
            value = (
                noisy_name(alias.value, entity.schema, rng) if rng.random() < 0.5 else alias.value
            )
            names.append(Name(value=value, kind=alias.kind, lang=alias.lang))
    return names


def copy_record(entity: Entity, dataset: str, rng: random.Random) -> Entity:
    """A noisy copy of ``entity`` as listed by ``dataset``, labelled with its origin."""
    names = _names(entity, rng)
    identifiers = (
        [] if rng.random() < 0.3 else [noisy_identifier(i, rng) for i in entity.identifiers]
    )
    properties = {k: list(v) for k, v in entity.properties.items() if k not in DROPPED_PROPERTIES}
    properties[COPIED_FROM] = [entity.id]
    return Entity(
        id=f"{dataset}:{entity.id.replace(':', '-')}",
        schema=entity.schema,
        caption=names[0].value,
        provenance=Provenance(dataset=dataset, source_id=entity.id.replace(":", "-")),
        names=names,
        identifiers=identifiers,
        addresses=[Address(full=a.full, country=a.country) for a in entity.addresses]
        if rng.random() < 0.5
        else [],
        countries=_maybe(entity.countries, rng),
        nationalities=_maybe(entity.nationalities, rng),
        citizenships=_maybe(entity.citizenships, rng),
        birth_dates=_dates(entity.birth_dates, rng),
        birth_places=_maybe(entity.birth_places, rng, 0.5),
        incorporation_dates=_dates(entity.incorporation_dates, rng),
        gender=entity.gender,
        programs=list(entity.programs),
        properties=properties,
    )


def lookalike(entity: Entity, dataset: str, rng: random.Random) -> Entity:
    """Another person with ``entity``'s name: a birth year 3 to 30 years off every birth year
    the real record gives (lists give alternatives: 1959 and 1962), no identifiers."""
    years = [int(d[:4]) for d in entity.birth_dates if d[:4].isdigit()]
    year = years[0]
    while min(abs(year - y) for y in years) < 3:
        year = years[0] + rng.choice((-1, 1)) * rng.randint(3, 30)
    source_id = f"lookalike-{entity.id.replace(':', '-')}"
    return Entity(
        id=f"{dataset}:{source_id}",
        schema=entity.schema,
        caption=entity.caption,
        provenance=Provenance(dataset=dataset, source_id=source_id),
        names=[Name(value=entity.caption)],
        countries=_maybe(entity.countries, rng, 0.5),
        nationalities=_maybe(entity.nationalities, rng, 0.5),
        birth_dates=[f"{year:04d}{entity.birth_dates[0][4:]}"],
        gender=entity.gender,
        programs=list(entity.programs),
        properties={LOOKALIKE_OF: [entity.id]},
    )


def _can_have_lookalike(entity: Entity) -> bool:
    return (
        entity.schema == "Person"
        and bool(entity.birth_dates)
        and entity.birth_dates[0][:4].isdigit()
    )


def noisy_copies(entities: Sequence[Entity], total: int, seed: int) -> Iterator[Entity]:
    """``total`` copies, round after round: round N lists each real record at most once.

    Deterministic for ``seed``; the order of records within a round is shuffled.
    """
    if not entities:
        return
    emitted = 0
    rounds = 0
    while emitted < total:
        rng = random.Random(f"{seed}:{rounds}")
        dataset = f"synthetic_{rounds}"
        order = list(range(len(entities)))
        rng.shuffle(order)
        for index in order:
            if emitted >= total:
                return
            entity = entities[index]
            if _can_have_lookalike(entity) and rng.random() < NEGATIVE_RATE:
                yield lookalike(entity, dataset, rng)
            else:
                yield copy_record(entity, dataset, rng)
            emitted += 1
        rounds += 1


def truth_of(entity: Entity) -> str:
    """The real party a generated record stands for: its source record's id, or its own."""
    return (entity.properties.get(COPIED_FROM) or [entity.id])[0]


def write_jsonl(records: Iterable[Entity], out: Path) -> int:
    count = 0
    with out.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
            count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, required=True, help="number of records to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="JSON lines of Entity.to_dict()")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from benchlib import load_bundled_entities

    entities = load_bundled_entities()
    count = write_jsonl(noisy_copies(entities, args.total, args.seed), args.out)
    print(f"wrote {count} records from {len(entities)} real ones to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
