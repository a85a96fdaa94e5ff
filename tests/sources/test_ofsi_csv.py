from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from helpers import flip_bytes, names, parse_file_raises_only_typed_errors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctrace.errors import SourceError
from sanctrace.model.entity import Entity
from sanctrace.sources import ofsi_csv
from sanctrace.sources.base import ParsedList, read_head


@pytest.fixture(scope="module")
def snapshot(data_dir: Path) -> Path:
    return data_dir / "uk" / "ofsi_conlist_2020_excerpt" / "ConList.csv"


@pytest.fixture(scope="module")
def raw_lines(snapshot: Path) -> list[bytes]:
    return snapshot.read_bytes().split(b"\n")


@pytest.fixture(scope="module")
def parsed(snapshot: Path) -> ParsedList:
    return ofsi_csv.parse([snapshot])


def test_counts(parsed: ParsedList) -> None:
    # 77 rows; 41 distinct Group IDs.
    assert len(parsed.entities) == 41
    assert sum(len(e.names) for e in parsed.entities) == 50  # distinct names per group
    assert Counter(e.schema for e in parsed.entities) == {
        "Person": 32,
        "Organization": 8,
        "Vessel": 1,
    }
    assert parsed.published is None  # this excerpt lacks the "Last Updated" line
    assert parsed.warnings == []
    assert parsed.skipped_rows == 0
    assert all(e.names[0].kind == "primary" for e in parsed.entities)


def test_grouped_aliases(by_id: dict[str, Entity]) -> None:
    entity = by_id["13814"]
    assert entity.id == "gb_hmt_sanctions:13814"
    assert entity.caption == "Yasser Aziz ABBAS"  # the "Prime Alias" row, last of six
    assert names(entity) == [
        ("Yasser Aziz ABBAS", "primary"),
        ("Yaser Aziz ABAS", "strong_aka"),
        ("Yasr Aziz ABAS", "strong_aka"),
        ("Yasser Aziz ABAS", "strong_aka"),
        ("Yaser Aziz ABBAS", "strong_aka"),
        ("Yasr Aziz ABBAS", "strong_aka"),
    ]
    assert entity.names[0].first_name == "Yasser"
    assert entity.names[0].last_name == "ABBAS"
    assert entity.birth_dates == ["1978-08-22"]
    assert entity.nationalities == ["SY"]
    assert entity.programs == ["Syria"]
    assert entity.listed_on == "2020-02-17"
    assert entity.properties["ofsiGroupId"] == ["13814"]


def test_year_only_dates_and_nationalities(by_id: dict[str, Entity]) -> None:
    entity = by_id["13349"]  # two AKA rows, no Prime Alias: the first row names it
    assert names(entity) == [("Sheikh Farooq AL-QAHTANI", "primary")]
    assert entity.birth_dates == ["1980", "1981"]  # "00/00/1980", "00/00/1981"
    assert entity.nationalities == ["SA", "QA"]  # "1) Saudi Arabia 2) Qatar"
    assert entity.countries == ["AF"]  # "Afghanistan (since 2009)"
    passport = entity.identifiers[0]
    assert (passport.type, passport.value) == ("passportNumber", "592667")
    assert "Qatari passport issued on 3 May 2007" in (passport.note or "")
    assert entity.programs == ["The ISIL (Da'esh) and Al-Qaida organisations"]


def test_enumerated_fields(by_id: dict[str, Entity]) -> None:
    entity = by_id["12999"]  # nine rows, one name
    assert names(entity) == [("Mohamed Adam Brema ABDALLAH", "primary")]
    assert entity.birth_dates == ["1970", "1969", "1971", "1970-01-01", "1971-01-01"]
    assert entity.nationalities == ["CF", "SD"]
    assert entity.birth_places == ["Ndele, Central African Republic", "Algenana, Sudan"]
    assert [(i.type, i.value, i.country) for i in entity.identifiers] == [
        ("passportNumber", "D00001184", None),
        ("passportNumber", "P04838205", None),
        ("idNumber", "202-2708-8368", "SD"),
    ]
    assert entity.addresses[0].full == "Birao, Central African Republic"
    assert entity.addresses[0].country == "CF"
    assert entity.properties["position"] == [
        "General",
        "Minister for Security",
        "Director General of the Extraordinary Committee for the Defence of Democratic "
        "Achievements",
    ]
    assert entity.modified_on == "2019-09-23"


def test_vessel_and_entities(by_id: dict[str, Entity]) -> None:
    ship = by_id["13556"]
    assert ship.schema == "Vessel"
    assert ship.caption == "TONG SAN 2"
    assert [(i.type, i.value) for i in ship.identifiers] == [
        ("imoNumber", "8937675"),
        ("mmsi", "445539000"),
    ]
    mizan = by_id["10657"]
    assert names(mizan) == [("3M MIZAN MACHINERY MANUFACTURING", "primary"), ("3MG", "strong_aka")]
    assert by_id["13526"].addresses[0].full == "115280, Moscow, Avtozavodskaya st., 14"
    # cp1252 punctuation decoded: right single quotation mark in Other Information
    assert "\u2019" in (by_id["13222"].remarks or "")


def test_sniff(snapshot: Path, data_dir: Path) -> None:
    assert ofsi_csv.sniff(snapshot, read_head(snapshot))
    for other in [
        data_dir / "uk" / "2025-08-11" / "UK_Sanctions_List.ods",
        data_dir / "canada_sema" / "2025-03-20" / "sema-lmes.xml",
        data_dir / "ofac_sdn" / "2024-05-03" / "sdn.csv",
        data_dir / "chpl" / "chpl_hs6_tiers.csv",
    ]:
        assert not ofsi_csv.sniff(other, read_head(other)), other


def test_last_updated_line_and_utf8(snapshot: Path, tmp_path: Path) -> None:
    # The published file opens with "Last Updated,<date>" and has no blank first header cell.
    text = snapshot.read_bytes().decode("cp1252")
    header, rest = text.split("\n", 1)
    path = tmp_path / "ConList.csv"
    path.write_text(f"Last Updated,20/11/2020\n{header[1:]}\n{rest}", encoding="utf-8")
    assert ofsi_csv.sniff(path, read_head(path))
    result = ofsi_csv.parse([path])
    assert result.published == "2020-11-20"
    assert len(result.entities) == 41
    assert "\u2019" in (next(e for e in result.entities if e.source_id == "13222").remarks or "")


def test_bad_encoding(raw_lines: list[bytes], tmp_path: Path) -> None:
    lines = list(raw_lines)
    lines[3] = lines[3].replace(b"ANSAR", b"ANS\x81R")  # 0x81: not UTF-8, not cp1252
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(SourceError) as info:
        ofsi_csv.parse([path])
    assert info.value.line == 4
    assert "0x81" in str(info.value)
    result = ofsi_csv.parse([path], skip_bad_rows=True)
    assert len(result.entities) == 41
    assert result.warnings


def test_malformed_row(raw_lines: list[bytes], tmp_path: Path) -> None:
    lines = list(raw_lines)
    lines[2] = lines[2].replace(b",13349", b",13x49")
    path = tmp_path / "bad_id.csv"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(SourceError) as info:
        ofsi_csv.parse([path])
    assert (info.value.line, info.value.field) == (3, "Group ID")
    assert info.value.file == str(path)
    result = ofsi_csv.parse([path], skip_bad_rows=True)
    assert result.skipped_rows == 1
    assert len(result.entities) == 41  # the group's other row remains

    lines = list(raw_lines)
    lines[4] = lines[4].replace(b"01/08/1979,", b"01/08/1979,extra,")
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(SourceError, match="fields") as info:
        ofsi_csv.parse([path])
    assert info.value.line == 5

    lines = list(raw_lines)
    lines[2] = lines[2].replace(b"01/04/2016,01/04/2016", b"2016-04-01,01/04/2016")
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(SourceError) as info:
        ofsi_csv.parse([path])
    assert (info.value.line, info.value.field) == (3, "Listed On")


def test_truncated(snapshot: Path, tmp_path: Path) -> None:
    data = snapshot.read_bytes()
    path = tmp_path / "truncated.csv"
    path.write_bytes(data[: data.index(b"Noureddine is one")])  # inside a quoted field
    with pytest.raises(SourceError) as info:
        ofsi_csv.parse([path])
    assert info.value.line is not None


def test_wrong_columns(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Name,Type,ID\nFoo,Entity,1\n", encoding="utf-8")
    with pytest.raises(SourceError) as info:
        ofsi_csv.parse([path])
    assert "Name 6" in str(info.value) and "Group ID" in str(info.value)
    assert "found Name, Type, ID" in str(info.value)
    with pytest.raises(SourceError):
        ofsi_csv.parse([data_dir / "uk" / "2025-08-11" / "UK_Sanctions_List.ods"])


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_bytes_raise_only_typed_errors(
    raw_lines: list[bytes], tmp_path: Path, data: st.DataObject
) -> None:
    excerpt = flip_bytes(data, b"\n".join(raw_lines[:12]), most=8)
    if data.draw(st.booleans()):
        excerpt = excerpt[: data.draw(st.integers(0, len(excerpt)))]
    path = tmp_path / "mutated.csv"
    path.write_bytes(bytes(excerpt))
    parse_file_raises_only_typed_errors(ofsi_csv, path, skip_bad_rows=data.draw(st.booleans()))


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(blob=st.binary(max_size=2000))
def test_random_bytes_raise_only_typed_errors(tmp_path: Path, blob: bytes) -> None:
    path = tmp_path / "random.csv"
    path.write_bytes(blob)
    parse_file_raises_only_typed_errors(ofsi_csv, path)
