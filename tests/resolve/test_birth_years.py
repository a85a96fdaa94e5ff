"""A person with no birth date must not join two people born decades apart: the clustering
refuses a join between parties whose birth years never agree (seen at scale: look-alikes with
another birth year merged through a copy that had lost its date), and stores the refusal as
a "different", so that clustering the stored judgements again gives the same parties."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from sanctrace.bundle import _unpack, manifest
from sanctrace.model.entity import Entity, Provenance
from sanctrace.resolve.evidence import birth_years
from sanctrace.resolve.judgements import Judgement
from sanctrace.resolve.resolver import cluster, person_years
from sanctrace.sources import parse_files


@pytest.fixture(scope="module")
def dated_person() -> Entity:
    """A real SDN person with one birth year."""
    item = next(i for i in manifest() if i.dataset == "us_ofac_sdn")
    with tempfile.TemporaryDirectory() as tmp:
        parsed = parse_files(_unpack(item, Path(tmp)), format=item.format, dataset=item.dataset)
    return next(e for e in parsed.entities if e.schema == "Person" and len(birth_years(e)) == 1)


def _relisted(entity: Entity, dataset: str, birth_dates: list[str]) -> Entity:
    return Entity(
        id=f"{dataset}:{entity.source_id}",
        schema=entity.schema,
        caption=entity.caption,
        provenance=Provenance(dataset=dataset, source_id=entity.source_id),
        names=list(entity.names),
        countries=list(entity.countries),
        birth_dates=birth_dates,
    )


def test_a_dateless_record_does_not_join_people_born_decades_apart(dated_person: Entity) -> None:
    real = dated_person
    (year,) = birth_years(real)
    undated = _relisted(real, "list_b", [])
    other = _relisted(real, "list_c", [str(year + 20)])
    records = [real, undated, other]
    made = [
        Judgement.of(real.id, undated.id, "same", "name", "names 0.99", score=0.99),
        Judgement.of(undated.id, other.id, "same", "name", "names 0.98", score=0.98),
    ]
    pairs = [(e.id, e.dataset) for e in records]

    without_years = cluster(pairs, made)
    assert without_years.groups == [sorted(e.id for e in records)]

    resolution = cluster(pairs, made, years=person_years(records))
    assert sorted(resolution.groups) == sorted([sorted([real.id, undated.id]), [other.id]])
    (refusal,) = [j for j in resolution.judgements if j.verdict == "different"]
    assert refusal.source == "birth_years" and "birth years" in refusal.why
    assert set(refusal.pair) == {real.id, other.id}
    assert resolution.contradictions == []  # a name's join refused by evidence is no contradiction

    again = cluster(pairs, resolution.judgements)  # the stored judgements, without the years
    assert again.groups == resolution.groups
    assert again.contradictions == []


def test_birth_years_a_year_apart_still_join(dated_person: Entity) -> None:
    real = dated_person
    (year,) = birth_years(real)
    undated = _relisted(real, "list_b", [])
    near = _relisted(real, "list_c", [str(year + 1)])
    records = [real, undated, near]
    made = [
        Judgement.of(real.id, undated.id, "same", "name", "names 0.99", score=0.99),
        Judgement.of(undated.id, near.id, "same", "name", "names 0.98", score=0.98),
    ]
    resolution = cluster([(e.id, e.dataset) for e in records], made, years=person_years(records))
    assert resolution.groups == [sorted(e.id for e in records)]
