"""What the party page shows, as pure functions of the party's records: the status in one
sentence, each listing's fields side by side, names grouped by script, and each record's history
across the stored versions of its list."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from sanctrace.model.entity import Entity
from sanctrace.monitor.diff import change_lines, changes
from sanctrace.store import VersionInfo

#: Who stands behind each list, for the status sentence (by the dataset id's prefix).
AUTHORITIES = {
    "us_": "the US",
    "un_": "the UN Security Council",
    "gb_": "the UK",
    "eu_": "the EU",
    "ca_": "Canada",
    "au_": "Australia",
    "ch_": "Switzerland",
    "jp_": "Japan",
    "nz_": "New Zealand",
}
#: Short names of the lists, for the status sentence.
SHORT_NAMES = {
    "us_ofac_sdn": "SDN",
    "us_ofac_cons": "OFAC non-SDN",
    "un_sc_sanctions": "UN consolidated list",
    "gb_fcdo_sanctions": "UK Sanctions List",
    "ca_dfatd_sema_sanctions": "SEMA",
    "au_dfat_sanctions": "DFAT consolidated list",
}
#: Unicode script names as people call them.
SCRIPT_NAMES = {"CJK": "Han", "HANGUL": "Hangul", "HIRAGANA": "Japanese", "KATAKANA": "Japanese"}


def authority(dataset: str) -> str:
    for prefix, name in AUTHORITIES.items():
        if dataset.startswith(prefix):
            return name
    return dataset


def status_sentence(listings: Sequence[dict[str, Any]]) -> str:
    """ "Listed by the US (SDN: RUSSIA-EO14024) since 2022-11-14, Australia (…) since …": one
    clause per authority, its lists and programs, and the earliest listing date it gives."""
    if not listings:
        return "Not listed on any loaded list."
    by_authority: dict[str, list[dict[str, Any]]] = {}
    for listing in listings:
        by_authority.setdefault(authority(listing["dataset"]), []).append(listing)
    clauses = []
    for name, held in by_authority.items():
        parts = []
        for listing in held:
            short = SHORT_NAMES.get(listing["dataset"], listing["dataset"])
            programs = ", ".join(listing.get("programs") or [])
            parts.append(f"{short}: {programs}" if programs else short)
        dates = sorted(d["listed_on"] for d in held if d.get("listed_on"))
        since = f", since {dates[0]}" if dates else ""
        clauses.append(f"{name} ({'; '.join(parts)}{since})")
    if len(clauses) > 1:
        return "Listed by " + ", ".join(clauses[:-1]) + " and " + clauses[-1] + "."
    return "Listed by " + clauses[0] + "."


def script_of(text: str) -> str:
    """The writing system of a name: the script of its first letter (Latin, Cyrillic, Arabic,
    Han, …)."""
    for char in text:
        if char.isalpha():
            try:
                word = unicodedata.name(char).split()[0]
            except ValueError:
                return "Other"
            return SCRIPT_NAMES.get(word, word.title())
    return "Other"


def names_by_script(records: Sequence[Entity]) -> list[dict[str, Any]]:
    """Every name of the party once, grouped by script (Latin first), with its kind and the
    lists that give it."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for entity in records:
        for name in entity.names:
            key = (script_of(name.value), " ".join(name.value.split()))
            held = seen.setdefault(key, {"name": key[1], "kinds": set(), "lists": set()})
            held["kinds"].add(name.kind)
            held["lists"].add(entity.dataset)
    groups: dict[str, list[dict[str, Any]]] = {}
    for (script, _), held in sorted(seen.items(), key=lambda kv: kv[0][1].casefold()):
        groups.setdefault(script, []).append(
            {"name": held["name"], "kinds": sorted(held["kinds"]), "lists": sorted(held["lists"])}
        )
    order = sorted(groups, key=lambda s: (s != "Latin", s))
    return [{"script": s, "names": groups[s]} for s in order]


def record_fields(entity: Entity, version: VersionInfo) -> list[tuple[str, list[str]]]:
    """A listing's own fields as (label, values), empty ones left out, in reading order."""
    rows: list[tuple[str, list[str]]] = [
        ("List version", [f"{version.version} (published {version.published or 'unknown'})"]),
        ("Record", [f"{entity.id} (source id {entity.source_id})"]),
        ("Schema", [entity.schema]),
        ("Programs", list(entity.programs)),
        ("Listed on", [entity.listed_on] if entity.listed_on else []),
        ("Modified on", [entity.modified_on] if entity.modified_on else []),
        ("Countries", list(entity.countries)),
        ("Nationalities", list(entity.nationalities)),
        ("Citizenships", list(entity.citizenships)),
        ("Birth dates", list(entity.birth_dates)),
        ("Birth places", list(entity.birth_places)),
        ("Death dates", list(entity.death_dates)),
        ("Incorporated", list(entity.incorporation_dates)),
        ("Gender", [entity.gender] if entity.gender else []),
        ("Names", [n.value for n in entity.names]),
        ("Remarks", [entity.remarks] if entity.remarks else []),
    ]
    for prop, values in sorted(entity.properties.items()):
        rows.append((prop.replace("_", " ").capitalize(), list(values)))
    source = entity.provenance.source_file
    if source:
        where = f"{source}, {entity.provenance.record}" if entity.provenance.record else source
        rows.append(("Source", [where]))
    return [(label, values) for label, values in rows if values]


def identifiers(records: Sequence[Entity]) -> list[dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for entity in records:
        for ident in entity.identifiers:
            held = out.setdefault(
                (ident.type, ident.value),
                {"type": ident.type, "value": ident.value, "country": ident.country, "lists": []},
            )
            if entity.dataset not in held["lists"]:
                held["lists"].append(entity.dataset)
            if ident.note and "note" not in held:
                held["note"] = ident.note
    return sorted(out.values(), key=lambda d: (d["type"], d["value"]))


def addresses(records: Sequence[Entity]) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for entity in records:
        for address in entity.addresses:
            key = " ".join(address.full.split()).casefold()
            held = out.setdefault(
                key, {"full": address.full, "country": address.country, "lists": []}
            )
            if entity.dataset not in held["lists"]:
                held["lists"].append(entity.dataset)
    return list(out.values())


def relationships(records: Sequence[Entity]) -> list[dict[str, Any]]:
    """The lists' own relations of the party's records ("linked to", "owned by", …)."""
    out = []
    seen = set()
    for entity in records:
        for rel in entity.relationships:
            key = (rel.type, rel.target_id or "", (rel.target_name or "").casefold())
            if key in seen:
                continue
            seen.add(key)
            out.append(
                {
                    "type": rel.type,
                    "target_name": rel.target_name or rel.target_id or "",
                    "target_id": rel.target_id,
                    "note": rel.note,
                    "list": entity.dataset,
                }
            )
    return out


def record_history(
    record_id: str, versions: Sequence[tuple[VersionInfo, Entity | None]]
) -> list[dict[str, Any]]:
    """A record's events across its list's stored versions, oldest first: added, changed (the
    fields, as the monitoring diff tells them), removed, or listed again."""
    events: list[dict[str, Any]] = []
    before: Entity | None = None
    seen_before = False
    for version, entity in versions:
        stamp = {"record": record_id, "version": version.version, "published": version.published}
        if entity is not None and before is None:
            kind = "listed again" if seen_before else "added"
            events.append({**stamp, "kind": kind, "lines": []})
        elif entity is not None and before is not None:
            lines = change_lines(changes(before, entity))
            if lines:
                events.append({**stamp, "kind": "changed", "lines": lines})
        elif entity is None and before is not None:
            events.append({**stamp, "kind": "removed", "lines": []})
        seen_before = seen_before or entity is not None
        before = entity
    return events
