"""US Consolidated Screening List parser, tested on small hand-written CSV and JSON files."""

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
from sanctrace.sources import detect_format, us_csl
from sanctrace.sources.base import read_head

FIXTURES = Path(__file__).parent / "fixtures"
CSV_SAMPLE = FIXTURES / "us_csl_sample.csv"
JSON_SAMPLE = FIXTURES / "us_csl_sample.json"

HEADER = (
    "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,"
    "start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,"
    "gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,"
    "alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids"
)
EL = "Entity List (EL) - Bureau of Industry and Security"


def _row(**cells: str) -> str:
    columns = HEADER.split(",")
    values = [cells.get(c, "") for c in columns]
    return ",".join(f'"{v}"' if ("," in v or '"' in v) else v for v in values)


def _write(tmp_path: Path, data: bytes | str, name: str = "csl.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.fixture(scope="module")
def from_csv() -> dict[str, Entity]:
    return {e.caption: e for e in us_csl.parse([CSV_SAMPLE]).entities}


@pytest.fixture(scope="module")
def from_json() -> dict[str, Entity]:
    return {e.caption: e for e in us_csl.parse([JSON_SAMPLE]).entities}


def test_sniff_and_detect() -> None:
    assert us_csl.sniff(CSV_SAMPLE, read_head(CSV_SAMPLE))
    assert us_csl.sniff(JSON_SAMPLE, read_head(JSON_SAMPLE))
    assert detect_format(CSV_SAMPLE) == "us_csl"
    assert detect_format(JSON_SAMPLE) == "us_csl"
    bare = b'[{"source": "Entity List (EL) - Bureau of Industry and Security", "name": "X"}]'
    assert us_csl.sniff(CSV_SAMPLE, bare)
    assert not us_csl.sniff(CSV_SAMPLE, b'[{"name": "X"}]')
    assert not us_csl.sniff(CSV_SAMPLE, b"name,source\nX,Y\n")
    ftm_line = b'{"id": "x", "schema": "Person", "properties": {"name": ["results"]}}\n'
    assert not us_csl.sniff(CSV_SAMPLE, ftm_line)
    assert not us_csl.sniff(CSV_SAMPLE, b"\x00\x01\x02")


def test_sniff_rejects_real_snapshots_of_other_formats(data_dir: Path) -> None:
    for path in (
        data_dir / "ofac_sdn" / "2024-05-03" / "sdn.csv",
        data_dir / "uk" / "ofsi_conlist_2020_excerpt" / "ConList.csv",
        data_dir / "un_sc" / "2026-01-28" / "consolidated.xml",
        data_dir / "chpl" / "chpl_hs6_tiers.csv",
        FIXTURES / "eu_fsf_sample.xml",
        FIXTURES / "ftm_sample.ftm.json",
    ):
        assert not us_csl.sniff(path, read_head(path)), path


def test_csv_counts() -> None:
    result = us_csl.parse([CSV_SAMPLE])
    assert result.dataset == "us_trade_csl"
    assert result.format == "us_csl"
    assert result.published is None  # the CSV carries no date
    assert len(result.entities) == 8
    assert result.warnings == []
    schemata = sorted(e.schema for e in result.entities)
    assert schemata == [
        "Company",
        "Company",
        "Company",
        "LegalEntity",
        "LegalEntity",
        "Person",
        "Person",
        "Vessel",
    ]
    entity_list = [e for e in result.entities if "Entity List" in e.properties["csl_source"][0]]
    assert len(entity_list) == 2
    first = result.entities[0]
    assert first.id == "us_trade_csl:9f2c41d07b3e5a18c6e0d4b2a7f19c3e5d8b6a40"
    assert first.provenance.record == "line 2"
    assert result.entities[1].provenance.record == "line 3"


def test_bis_entity_list_chinese_company(from_csv: dict[str, Entity]) -> None:
    company = from_csv["Shenzhen Huaxin Microelectronics Co., Ltd."]
    assert company.schema == "Company"
    assert company.properties["csl_source"] == [EL]
    assert [n.value for n in company.names if n.kind == "strong_aka"] == [
        "Huaxin Micro",
        "Shenzhen Huaxin Weidianzi Youxian Gongsi",
        "深圳华芯微电子有限公司",
    ]
    assert [a.country for a in company.addresses] == ["CN", "HK"]
    assert company.addresses[0].full.startswith("Room 1201, Block B, Tianan Cyber Park")
    assert company.countries == ["CN", "HK"]
    assert company.listed_on == "2024-04-11"
    assert company.programs == []
    assert company.properties["authorityId"] == ["89 FR 28594"]
    assert company.properties["provisions"] == ["Presumption of denial."]
    assert company.properties["reason"] == [
        "For all items subject to the EAR. (See §744.11 of the EAR)."
    ]


def test_bis_entity_list_russian_company(from_csv: dict[str, Entity]) -> None:
    company = from_csv["Limited Liability Company Tekhnopromsnab"]
    assert company.properties["csl_source"] == [EL]
    assert "ООО «Технопромснаб»" in [n.value for n in company.names]
    assert company.addresses[0].country == "RU"
    assert company.listed_on == "2023-02-27"


def test_sdn_individual_ids(from_csv: dict[str, Entity]) -> None:
    person = from_csv["KOLOKOLOV, Ivan Sergeyevich"]
    assert person.schema == "Person"
    assert person.gender == "male"
    assert person.programs == ["RUSSIA-EO14024"]
    assert person.birth_dates == ["1968-03-14"]
    assert person.citizenships == ["RU"]
    assert person.nationalities == ["RU"]
    assert person.birth_places == ["Kazan, Russia"]
    assert person.properties["position"] == ["Member of the State Duma"]
    assert {(i.type, i.value, i.country) for i in person.identifiers} == {
        ("passportNumber", "753123456", "RU"),
        ("taxNumber", "165512345678", "RU"),
        ("innCode", "165512345678", "RU"),
    }


def test_vessel_and_owner_link(from_csv: dict[str, Entity]) -> None:
    vessel = from_csv["OCEAN PEARL STAR"]
    owner = from_csv["SEVMORTRANS SHIPPING LLC"]
    assert vessel.schema == "Vessel"
    assert {(i.type, i.value) for i in vessel.identifiers} == {
        ("callSign", "UBXY7"),
        ("imoNumber", "IMO9301234"),
        ("mmsi", "273456780"),
    }
    assert vessel.properties["flag"] == ["RU"]
    assert vessel.properties["type"] == ["Crude Oil Tanker"]
    assert vessel.properties["tonnage"] == ["81502"]
    rel = vessel.relationships[0]
    assert (rel.type, rel.target_name, rel.target_id) == (
        "owned_by",
        "SEVMORTRANS SHIPPING LLC",
        owner.id,
    )
    assert owner.schema == "Company"


def test_denied_person_and_dates(from_csv: dict[str, Entity]) -> None:
    denied = from_csv["Jonathan Q. Smithfield"]
    assert denied.schema == "LegalEntity"  # the DPL gives no type
    assert denied.properties["endDate"] == ["2031-05-20"]
    assert denied.properties["csl_standard_order"] == ["Y"]
    isn = from_csv["Hamid Reza Tehrani"]
    assert isn.birth_dates == ["1962", "1964"]  # "1962; circa 1964"
    assert isn.citizenships == ["IR"]
    assert isn.identifiers[0].type == "idNumber"
    assert isn.identifiers[0].note == "National ID No."
    assert isn.remarks == "Listed for transfers to a missile programme."


def test_json_matches_csv(from_csv: dict[str, Entity], from_json: dict[str, Entity]) -> None:
    result = us_csl.parse([JSON_SAMPLE])
    assert len(result.entities) == 3
    assert result.published == "2025-05-30"  # latest source_last_updated
    assert all(e.provenance.version == "2025-05-30" for e in result.entities)
    assert result.entities[0].provenance.record == "results[0]"
    for caption, entity in from_json.items():
        other = from_csv[caption]
        assert entity.id == other.id
        assert entity.schema == other.schema
        assert [(n.value, n.kind) for n in entity.names] == [(n.value, n.kind) for n in other.names]
        assert entity.identifiers == other.identifiers
        assert entity.programs == other.programs
        assert [a.full for a in entity.addresses] == [a.full for a in other.addresses]
    address = from_json["Shenzhen Huaxin Microelectronics Co., Ltd."].addresses[0]
    assert (address.city, address.region, address.postal_code) == (
        "Shenzhen",
        "Guangdong",
        "518040",
    )


def test_bare_json_list_and_hashed_ids(tmp_path: Path) -> None:
    rows = [{"source": EL, "name": "Acme Optics Co., Ltd.", "alt_names": "Acme; Acme Optics"}]
    path = _write(tmp_path, json.dumps(rows), "csl.json")
    first = us_csl.parse([path]).entities[0]
    assert first.source_id.startswith("h") and len(first.source_id) == 17
    assert us_csl.parse([path]).entities[0].id == first.id  # stable
    assert [n.value for n in first.names] == ["Acme Optics Co., Ltd.", "Acme", "Acme Optics"]


def test_parse_is_fast_enough(tmp_path: Path) -> None:
    lines = [HEADER] + [
        _row(_id=str(i), source=EL, name=f"Company {i} Ltd", addresses="1 Road, Town, CN")
        for i in range(5000)
    ]
    result = us_csl.parse([_write(tmp_path, "\n".join(lines))])
    assert len(result.entities) == 5000


# --- broken input -------------------------------------------------------------------------


def test_truncated_csv(tmp_path: Path) -> None:
    data = CSV_SAMPLE.read_bytes()
    cut = data[: data.index(b"Limited Liability Company Tekhnopromsnab")]
    with pytest.raises(SourceError) as info:
        us_csl.parse([_write(tmp_path, cut)])
    assert info.value.line == 4
    result = us_csl.parse([_write(tmp_path, cut)], skip_bad_rows=True)
    assert len(result.entities) == 2
    assert result.skipped_rows == 1


def test_truncated_json(tmp_path: Path) -> None:
    data = JSON_SAMPLE.read_bytes()
    with pytest.raises(SourceError, match="malformed JSON") as info:
        us_csl.parse([_write(tmp_path, data[:2000], "csl.json")])
    assert info.value.line is not None and info.value.line > 1


def test_bad_encoding(tmp_path: Path) -> None:
    text = HEADER + "\n" + _row(_id="1", source=EL, name="Müller GmbH") + "\n"
    with pytest.raises(SourceError, match="not UTF-8") as info:
        us_csl.parse([_write(tmp_path, text.encode("latin-1"))])
    assert info.value.line == 2


def test_row_without_name(tmp_path: Path) -> None:
    text = "\n".join([HEADER, _row(_id="1", source=EL, name="A Co"), _row(_id="2", source=EL)])
    path = _write(tmp_path, text)
    with pytest.raises(SourceError) as info:
        us_csl.parse([path])
    assert (info.value.line, info.value.field) == (3, "name")
    result = us_csl.parse([path], skip_bad_rows=True)
    assert [e.source_id for e in result.entities] == ["1"]
    assert result.skipped_rows == 1


def test_csv_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no 'name' column"):
        us_csl.parse([_write(tmp_path, "_id,source\n1,x\n")])
    with pytest.raises(SourceError, match="malformed CSV"):
        us_csl.parse([_write(tmp_path, HEADER + '\n1,"unterminated\x00,x\n')])
    with pytest.raises(SourceError, match="empty"):
        us_csl.parse([_write(tmp_path, b"\xef\xbb\xbf \n")])


def test_json_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no list of results"):
        us_csl.parse([_write(tmp_path, '{"results": {"a": 1}}', "x.json")])
    with pytest.raises(SourceError, match="unreadable JSON"):
        us_csl.parse([_write(tmp_path, "[" * 100_000, "x.json")])
    path = _write(tmp_path, json.dumps({"results": [3, {"name": "B Co", "id": "b"}]}), "y.json")
    with pytest.raises(SourceError, match="not an object") as info:
        us_csl.parse([path])
    assert info.value.record == "results[0]"
    assert len(us_csl.parse([path], skip_bad_rows=True).entities) == 1


def test_duplicate_ids_warn(tmp_path: Path) -> None:
    rows = [_row(_id="7", source=EL, name=name) for name in ("A Co", "B Co")]
    result = us_csl.parse([_write(tmp_path, "\n".join([HEADER, *rows]))])
    assert [e.caption for e in result.entities] == ["A Co"]
    assert "duplicate id 7" in result.warnings[0]


def test_bad_arguments() -> None:
    with pytest.raises(SourceError, match="exactly one"):
        us_csl.parse([CSV_SAMPLE, JSON_SAMPLE])
    with pytest.raises(SourceError, match="not produced"):
        us_csl.parse([CSV_SAMPLE], dataset="eu_fsf")


# --- fuzzing ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), use_json=st.booleans())
def test_mutated_samples_raise_only_typed_errors(data: st.DataObject, use_json: bool) -> None:
    sample = JSON_SAMPLE if use_json else CSV_SAMPLE
    inserts = [b'"', b",", b";", b"\n", b"\x00", b"\xff", b"{", b"[", b"]"]
    blob = damage(data, bytearray(sample.read_bytes()), inserts)
    parse_bytes_raises_only_typed_errors(
        us_csl, blob, sample.name, skip_bad_rows=data.draw(st.booleans())
    )


@settings(max_examples=50, deadline=None)
@given(blob=st.binary(max_size=2000))
def test_random_bytes_raise_only_typed_errors(blob: bytes) -> None:
    parse_bytes_raises_only_typed_errors(us_csl, blob, "csl.csv")


@settings(max_examples=50, deadline=None)
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=30,
    )
)
def test_random_json_shapes_raise_only_typed_errors(value: object) -> None:
    doc = {"results": [{"name": "X", "source": EL, "ids": value, "addresses": value, "id": value}]}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "csl.json"
        path.write_text(json.dumps(doc))
        with contextlib.suppress(SanctraceError):
            us_csl.parse([path])
