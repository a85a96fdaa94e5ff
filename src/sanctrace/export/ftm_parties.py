"""Parties as FollowTheMoney entities: one entity per party, its records' properties unioned,
``referents`` naming every record, the way OpenSanctions publishes merged entities; the
records' sanctions and links follow, pointed at the party."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import IO, Any

from sanctrace.export.ftm import entity_to_ftm
from sanctrace.model.entity import Entity
from sanctrace.resolve.grouping import CAPTION_ORDER

#: The schema a party takes when its records disagree (a Company on one list, an
#: Organization on another).
_COMMON = {frozenset({"Company", "Organization"}): "Organization"}


def party_to_ftm(party_id: str, records: Sequence[Entity]) -> list[dict[str, Any]]:
    """The FtM entities of one party: the party first, then its records' adjuncts."""
    rank = {d: i for i, d in enumerate(CAPTION_ORDER)}
    records = sorted(records, key=lambda e: (rank.get(e.dataset, len(rank)), e.id))
    built = [entity_to_ftm(e) for e in records]
    renamed = {objs[0]["id"]: party_id for objs in built}
    props: dict[str, list[str]] = {}
    for objs in built:
        for prop, values in objs[0]["properties"].items():
            held = props.setdefault(prop, [])
            held.extend(v for v in values if v not in held)
    schemata = {e.schema for e in records}
    schema = (
        records[0].schema if len(schemata) == 1 else _COMMON.get(frozenset(schemata), "LegalEntity")
    )
    party = {
        "id": party_id,
        "schema": schema,
        "caption": records[0].caption,
        "properties": props,
        "datasets": sorted({e.dataset for e in records}),
        "referents": sorted({e.id for e in records} | set(renamed)),
        "target": True,
    }
    extra = []
    for objs in built:
        for obj in objs[1:]:
            extra.append({**obj, "properties": _point_at(obj["properties"], renamed)})
    return [party, *extra]


def _point_at(props: dict[str, list[str]], renamed: dict[str, str]) -> dict[str, list[str]]:
    return {k: [renamed.get(v, v) for v in values] for k, values in props.items()}


def write_party_ftm(parties: Iterable[tuple[str, Sequence[Entity]]], fh: IO[str]) -> int:
    """FtM JSON lines for every (party id, records); returns the number of lines written."""
    count = 0
    for party_id, records in parties:
        for obj in party_to_ftm(party_id, records):
            fh.write(json.dumps(obj, ensure_ascii=False, sort_keys=True))
            fh.write("\n")
            count += 1
    return count
