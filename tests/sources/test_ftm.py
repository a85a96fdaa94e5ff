"""FollowTheMoney JSON-lines import, on a small hand-written OpenSanctions-style file."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

import pytest
from helpers import damage, parse_bytes_raises_only_typed_errors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctrace.errors import SanctraceError, SourceError
from sanctrace.model.entity import Entity
from sanctrace.sources import detect_format, ftm
from sanctrace.sources.base import read_head

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "ftm_sample.ftm.json"
PERSON = "NK-9cXk2mB7rPq4Lw5sYzT8aH"
BANK = "NK-4RtY8uI2oP6aS1dF3gH5jK"


@pytest.fixture(scope="module")
def parsed() -> dict[str, Entity]:
    return {e.source_id: e for e in ftm.parse([SAMPLE]).entities}


def _line(entity_id: str, schema: str = "Person", **props: list[str]) -> dict[str, object]:
    return {"id": entity_id, "schema": schema, "properties": props, "datasets": ["d1"]}


def _write(tmp_path: Path, lines: list[object] | bytes, name: str = "x.ftm.json") -> Path:
    path = tmp_path / name
    if isinstance(lines, bytes):
        path.write_bytes(lines)
    else:
        text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
        path.write_text(text + "\n", encoding="utf-8")
    return path


def test_sniff_and_detect(data_dir: Path) -> None:
    assert ftm.sniff(SAMPLE, read_head(SAMPLE))
    assert detect_format(SAMPLE) == "ftm"
    assert ftm.sniff(SAMPLE, b'\n\n{"schema": "Person", "properties": {}, "id": "a"}\n')
    long_line = b'{"id": "a", "schema": "Person", "properties": {"notes": ["' + b"x" * 9000
    assert ftm.sniff(SAMPLE, long_line[:8192])
    assert not ftm.sniff(SAMPLE, b'{"results": [{"name": "x", "source": "y"}]}')
    assert not ftm.sniff(SAMPLE, b'{"id": "a", "schema": "Person"}\n')
    assert not ftm.sniff(SAMPLE, b"[1, 2]")
    for path in (
        FIXTURES / "us_csl_sample.json",
        FIXTURES / "eu_fsf_sample.xml",
        data_dir / "ofac_sdn" / "2024-05-03" / "sdn.csv",
    ):
        assert not ftm.sniff(path, read_head(path)), path


def test_counts_dataset_and_date() -> None:
    result = ftm.parse([SAMPLE])
    assert result.format == "ftm"
    assert result.dataset == "ru_sample"  # the one dataset every entity shares
    assert result.published == "2025-06-20"  # latest last_seen
    assert len(result.entities) == 7
    assert sorted(e.schema for e in result.entities) == [
        "Aircraft",
        "Company",
        "Company",
        "CryptoWallet",
        "Person",
        "Person",
        "Vessel",
    ]
    assert result.warnings == [f"{SAMPLE}: schemata not read: Document"]
    person = result.entities[0]
    assert person.id == f"ru_sample:{PERSON}"
    assert person.provenance.record == "line 1"
    assert person.provenance.version == "2025-06-20"


def test_person_properties_and_folded_entities(parsed: dict[str, Entity]) -> None:
    person = parsed[PERSON]
    assert person.caption == "Ivan Sergeyevich Kolokolov"
    assert [(n.value, n.kind) for n in person.names] == [
        ("Ivan Sergeyevich Kolokolov", "primary"),
        ("Иван Сергеевич Колоколов", "strong_aka"),
        ("Kolokolov Ivan", "strong_aka"),
        ("Vanya", "weak_aka"),
    ]
    primary = person.names[0]
    assert (primary.first_name, primary.last_name, primary.father_name) == (
        "Ivan",
        "Kolokolov",
        "Sergeyevich",
    )
    assert person.birth_dates == ["1968-03-14"]
    assert person.nationalities == ["RU"] and person.citizenships == ["RU"]
    assert person.gender == "male"
    # Sanction entities give programs, the listing date and authority details.
    assert person.programs == ["UKR", "RUSSIA-EO14024"]
    assert person.listed_on == "2022-02-23"
    assert person.properties["authorityId"] == ["EU.7771.12"]
    assert person.properties["provisions"] == ["Block"]
    assert person.properties["topics"] == ["sanction", "role.pep"]
    assert person.modified_on == "2023-03-15"  # last_change
    # The Passport entity gives the passport its country.
    assert {(i.type, i.value, i.country) for i in person.identifiers} == {
        ("passportNumber", "753123456", "RU"),
        ("innCode", "165512345678", None),
        ("taxNumber", "165512345678", None),
        ("cryptoWallet", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", None),
    }
    # The Address entity.
    assert len(person.addresses) == 1
    assert person.addresses[0].city == "Moscow"
    assert person.addresses[0].country == "RU"
    rels = {(r.type, r.target_id, r.note) for r in person.relationships}
    assert rels == {
        ("related", f"ru_sample:{BANK}", "Chairman of the board"),
        ("family", "ru_sample:NK-2aB4cD6eF8gH0iJ2kL4mN", "spouse"),
    }


def test_ownership_and_links(parsed: dict[str, Entity]) -> None:
    leasing = parsed["NK-7HjK3lM9nB2vC5xZ8qW1eR"]
    rel = leasing.relationships[0]
    assert (rel.type, rel.target_id, rel.target_name, rel.note) == (
        "owned_by",
        f"ru_sample:{BANK}",
        "Joint Stock Company Severny Kommercheskiy Bank",
        "100%",
    )
    bank = parsed[BANK]
    assert [r.type for r in bank.relationships] == ["related"]  # UnknownLink goes both ways
    assert [n.kind for n in bank.names] == ["primary", "strong_aka", "strong_aka", "fka"]
    assert bank.incorporation_dates == ["1991-08-14"]
    assert bank.properties["jurisdiction"] == ["RU"]
    assert {i.type for i in bank.identifiers} == {"ogrnCode", "innCode", "swiftBic"}
    assert bank.programs == ["RUSSIA-EO14024"]  # the Thing's own program property
    assert bank.listed_on is None
    spouse = parsed["NK-2aB4cD6eF8gH0iJ2kL4mN"]
    assert [(r.type, r.target_id) for r in spouse.relationships] == [
        ("family", f"ru_sample:{PERSON}")
    ]


def test_nested_sanction_vessel_wallet_aircraft(parsed: dict[str, Entity]) -> None:
    vessel = parsed["ofac-51234"]
    assert vessel.programs == ["RUSSIA-EO14024"]
    assert vessel.listed_on == "2024-02-23"
    assert "sanctions" not in vessel.properties
    assert vessel.properties["flag"] == ["RU"]
    assert [(r.type, r.target_id) for r in vessel.relationships] == [
        ("owned_by", f"ru_sample:{BANK}")
    ]
    wallet = parsed["ofac-wallet-7ab1"]
    assert wallet.identifiers[0].type == "cryptoWallet"
    assert wallet.relationships[0].target_id == f"ru_sample:{PERSON}"
    aircraft = parsed["ofac-aircraft-ra73000"]
    assert {(i.type, i.value) for i in aircraft.identifiers} == {
        ("registrationMark", "RA-73000"),
        ("serialNumber", "30045"),
    }
    assert aircraft.relationships[0].note == "operator"


def test_dataset_rules(tmp_path: Path) -> None:
    assert ftm.parse([SAMPLE], dataset="my_list").entities[0].id == f"my_list:{PERSON}"
    mixed = [_line("a", name=["A"]), {**_line("b", name=["B"]), "datasets": ["d2"]}]
    assert ftm.parse([_write(tmp_path, mixed)]).dataset == "ftm"
    shared = [
        {**_line("a", name=["A"]), "datasets": ["d2", "d1"]},
        {**_line("b", name=["B"]), "datasets": ["d1", "d2"]},
    ]
    assert ftm.parse([_write(tmp_path, shared)]).dataset == "d2"
    hostile = [{**_line("a", name=["A"]), "datasets": ["../../etc"]}]
    assert ftm.parse([_write(tmp_path, hostile)]).dataset == "ftm"
    with pytest.raises(SourceError, match="invalid dataset"):
        ftm.parse([SAMPLE], dataset="bad name")


def test_unresolved_references_warn(tmp_path: Path) -> None:
    lines = [
        _line("a", name=["A"]),
        _line("s", "Sanction", entity=["missing"], program=["X"]),
        _line("o", "Ownership", owner=["elsewhere"], asset=["a"]),
    ]
    result = ftm.parse([_write(tmp_path, lines)])
    assert result.entities[0].relationships[0].note == "unresolved FtM reference elsewhere"
    assert any("2 references" in w for w in result.warnings)


# --- broken input -------------------------------------------------------------------------


def test_malformed_line_names_line(tmp_path: Path) -> None:
    lines: list[object] = [_line("a", name=["A"]), _line("b", name=["B"]), '{"id": "c", "sch']
    path = _write(tmp_path, lines)
    with pytest.raises(SourceError, match="malformed JSON") as info:
        ftm.parse([path])
    assert info.value.line == 3
    result = ftm.parse([path], skip_bad_rows=True)
    assert len(result.entities) == 2
    assert result.skipped_rows == 1


def test_truncated_file(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes()
    with pytest.raises(SourceError) as info:
        ftm.parse([_write(tmp_path, data[: len(data) // 2])])
    assert info.value.line is not None


def test_bad_encoding(tmp_path: Path) -> None:
    good = json.dumps(_line("a", name=["A"])).encode()
    bad = json.dumps(_line("b", name=["Bxx"])).encode().replace(b"Bxx", "Bü".encode("latin-1"))
    with pytest.raises(SourceError, match="not UTF-8") as info:
        ftm.parse([_write(tmp_path, good + b"\n" + bad + b"\n")])
    assert info.value.line == 2


def test_structural_errors(tmp_path: Path) -> None:
    cases: list[tuple[object, str | None]] = [
        ([1, 2], None),
        ({"schema": "Person", "properties": {"name": ["x"]}}, "id"),
        ({"id": "a", "properties": {}}, "schema"),
        ({"id": "a", "schema": "Person", "properties": ["x"]}, "properties"),
        (_line("a"), "name"),
    ]
    for obj, field in cases:
        with pytest.raises(SourceError) as info:
            ftm.parse([_write(tmp_path, [obj])])
        assert info.value.field == field
        assert info.value.line == 1


def test_deep_nesting_and_huge_values(tmp_path: Path) -> None:
    nested: dict[str, object] = {"id": "leaf", "schema": "Person", "properties": {}}
    for depth in range(20):
        nested = {"id": f"n{depth}", "schema": "Person", "properties": {"sanctions": [nested]}}
    with pytest.raises(SourceError, match="nested deeper"):
        ftm.parse([_write(tmp_path, [nested])])
    with pytest.raises(SourceError, match="unreadable JSON"):
        ftm.parse([_write(tmp_path, b"[" * 200_000 + b"\n")])
    with pytest.raises(SourceError, match="longer than"):
        ftm.parse([_write(tmp_path, [_line("a", name=["x" * 1_000_001])])])


def test_empty_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no FtM entities"):
        ftm.parse([_write(tmp_path, b"\n\n")])
    with pytest.raises(SourceError, match="cannot read"):
        ftm.parse([tmp_path])
    with pytest.raises(SourceError, match="exactly one"):
        ftm.parse([SAMPLE, SAMPLE])


def test_duplicate_ids_and_odd_values(tmp_path: Path) -> None:
    lines = [
        _line("a", name=["A"], birthDate=["not a date", "1970-02"], country=["zz", "ua-cri"]),
        _line("a", name=["Other"]),
        {"id": "b", "schema": "Person", "properties": {"name": "B", "alias": [1, None, True]}},
    ]
    result = ftm.parse([_write(tmp_path, lines)])
    first, second = result.entities
    assert first.caption == "A"
    assert first.birth_dates == ["1970-02"]
    assert first.countries == ["UA"]
    assert [n.value for n in second.names] == ["B", "1"]
    assert "duplicate FtM id 'a'" in result.warnings[0]


def test_parse_is_fast_enough(tmp_path: Path) -> None:
    lines = []
    for i in range(3000):
        lines.append(_line(f"p{i}", name=[f"Person {i}"], birthDate=["1970"]))
        lines.append(_line(f"s{i}", "Sanction", entity=[f"p{i}"], program=["X"]))
    result = ftm.parse([_write(tmp_path, lines)])
    assert len(result.entities) == 3000


# --- fuzzing ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_sample_raises_only_typed_errors(data: st.DataObject) -> None:
    inserts = [b'"', b"{", b"}", b"[", b"]", b"\n", b"\x00", b"\xff", b":"]
    blob = damage(data, bytearray(SAMPLE.read_bytes()), inserts)
    parse_bytes_raises_only_typed_errors(
        ftm, blob, "x.ftm.json", skip_bad_rows=data.draw(st.booleans())
    )


@settings(max_examples=50, deadline=None)
@given(blob=st.binary(max_size=2000))
def test_random_bytes_raise_only_typed_errors(blob: bytes) -> None:
    parse_bytes_raises_only_typed_errors(ftm, blob, "x.ftm.json")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=25,
)


@settings(max_examples=60, deadline=None)
@given(
    schema=st.sampled_from(["Person", "Sanction", "Ownership", "UnknownLink", "Address", "X"]),
    props=st.dictionaries(
        st.sampled_from(["name", "entity", "owner", "asset", "subject", "sanctions", "country"]),
        _JSON,
        max_size=5,
    ),
)
def test_random_entity_shapes_raise_only_typed_errors(schema: str, props: object) -> None:
    lines = [
        json.dumps({"id": "p", "schema": "Person", "properties": {"name": ["P"]}}),
        json.dumps({"id": "x", "schema": schema, "properties": props}),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.ftm.json"
        path.write_text("\n".join(lines))
        with contextlib.suppress(SanctraceError):
            ftm.parse([path])
