"""bench/gen_records.py: noisy copies of the real bundled records, with truth labels (issue 16)."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from sanctrace.model.entity import Entity

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import gen_records
from benchlib import load_bundled_entities

TOTAL = 4000


@pytest.fixture(scope="module")
def real() -> list[Entity]:
    """Every 10th bundled record: all six lists, persons, companies, vessels."""
    return load_bundled_entities()[::10]


@pytest.fixture(scope="module")
def copies(real: list[Entity]) -> list[Entity]:
    return list(gen_records.noisy_copies(real, TOTAL, seed=7))


def test_exactly_total_records_each_valid_and_unique(copies: list[Entity]) -> None:
    assert len(copies) == TOTAL
    assert len({c.id for c in copies}) == TOTAL
    for copy in copies:
        again = Entity.from_dict(json.loads(json.dumps(copy.to_dict())))
        assert again.to_dict() == copy.to_dict()
        assert copy.id == f"{copy.dataset}:{copy.source_id}"
        assert copy.names and copy.caption == copy.names[0].value


def test_deterministic_for_a_seed(real: list[Entity], copies: list[Entity]) -> None:
    again = [c.to_dict() for c in gen_records.noisy_copies(real, TOTAL, seed=7)]
    assert again == [c.to_dict() for c in copies]
    other = [c.to_dict() for c in gen_records.noisy_copies(real, TOTAL, seed=8)]
    assert other != again


def test_each_synthetic_list_names_a_real_party_at_most_once(
    real: list[Entity], copies: list[Entity]
) -> None:
    per_list = Counter((c.dataset, gen_records.truth_of(c)) for c in copies)
    assert max(per_list.values()) == 1
    lookalike_sources = Counter(
        (c.dataset, c.properties[gen_records.LOOKALIKE_OF][0])
        for c in copies
        if gen_records.LOOKALIKE_OF in c.properties
    )
    assert max(lookalike_sources.values()) == 1
    datasets = {c.dataset for c in copies}
    assert datasets == {f"synthetic_{n}" for n in range(-(-TOTAL // len(real)))}
    assert all(re.fullmatch(r"synthetic_\d+", d) for d in datasets)


def test_truth_labels_point_at_the_real_record(real: list[Entity], copies: list[Entity]) -> None:
    by_id = {e.id: e for e in real}
    negatives = 0
    for copy in copies:
        if gen_records.LOOKALIKE_OF in copy.properties:
            negatives += 1
            source = by_id[copy.properties[gen_records.LOOKALIKE_OF][0]]
            assert gen_records.COPIED_FROM not in copy.properties
            assert gen_records.truth_of(copy) == copy.id  # a party of its own
            assert copy.schema == "Person" and copy.caption == source.caption
            assert copy.birth_dates[0][:4] != source.birth_dates[0][:4]
            year = int(copy.birth_dates[0][:4])
            assert all(abs(year - int(d[:4])) >= 3 for d in source.birth_dates if d[:4].isdigit())
            assert not copy.identifiers
        else:
            source = by_id[copy.properties[gen_records.COPIED_FROM][0]]
            assert gen_records.truth_of(copy) == source.id
            assert copy.schema == source.schema
            assert set(copy.birth_dates) <= set(source.birth_dates) | {
                d[:4] for d in source.birth_dates
            }
            assert set(copy.countries) <= set(source.countries)
    assert 0 < negatives < TOTAL * 0.05


def _compact(value: str) -> str:
    return re.sub(r"[\s-]", "", value).upper()


def test_the_noise_is_there(real: list[Entity], copies: list[Entity]) -> None:
    by_id = {e.id: e for e in real}
    changed_names = dropped_dates = year_only = dropped_ids = reformatted_ids = fewer_aliases = 0
    copied = [c for c in copies if gen_records.COPIED_FROM in c.properties]
    for copy in copied:
        source = by_id[copy.properties[gen_records.COPIED_FROM][0]]
        changed_names += copy.caption != source.names[0].value
        fewer_aliases += len(copy.names) < len(source.names)
        if source.birth_dates:
            dropped_dates += not copy.birth_dates
            year_only += (
                bool(copy.birth_dates)
                and all(len(d) == 4 for d in copy.birth_dates)
                and any(len(d) == 10 for d in source.birth_dates)
            )
        if source.identifiers:
            dropped_ids += not copy.identifiers
            source_values = {i.value for i in source.identifiers}
            for ident in copy.identifiers:
                assert _compact(ident.value) in {_compact(v) for v in source_values}
                reformatted_ids += ident.value not in source_values
    assert 0.3 * len(copied) < changed_names < 0.95 * len(copied)
    assert fewer_aliases and dropped_dates and year_only and dropped_ids and reformatted_ids


def test_name_noise_kinds() -> None:
    import random

    rng = random.Random(3)
    assert gen_records.transliterate("KHALID", rng) in {"HALID", "KHALYD"}
    assert gen_records.transliterate("XXX", rng) == "XXX"
    typos = {gen_records.typo("Mohammed", random.Random(n)) for n in range(40)}
    assert all(abs(len(t) - len("Mohammed")) <= 1 and t != "" for t in typos)
    assert len(typos) > 10
    names = {
        gen_records.noisy_name("ROSNEFT TRADING LLC", "Company", random.Random(n))
        for n in range(60)
    }
    assert any("LLC" not in n.upper() for n in names)
    assert any(n.split()[0].upper() != "ROSNEFT" for n in names)  # word order changed
    people = {gen_records.noisy_name("ABBAS, Abu", "Person", random.Random(n)) for n in range(60)}
    assert any(n.lower() == "abu abbas" for n in people)


def test_cli_streams_json_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "records.jsonl"
    monkeypatch.setattr("benchlib.load_bundled_entities", lambda: load_bundled_entities()[:500])
    assert gen_records.main(["--total", "1200", "--seed", "1", "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1200
    records = [Entity.from_dict(json.loads(line)) for line in lines]
    assert {r.dataset for r in records} == {"synthetic_0", "synthetic_1", "synthetic_2"}
