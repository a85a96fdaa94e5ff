from __future__ import annotations

import contextlib
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from helpers import flip_bytes, names, parse_file_raises_only_typed_errors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctrace.errors import HostileInputError, SanctraceError, SourceError
from sanctrace.model.entity import Entity
from sanctrace.sources import ca_sema
from sanctrace.sources.base import ParsedList, read_head

RECORD = (
    "<record><Country>Belarus / Bélarus</Country><LastName>Atabekov</LastName>"
    "<GivenName>Khazalbek Bakhtibekovich</GivenName><Schedule>1, Part 1</Schedule>"
    "<Item>1</Item><DateOfListing>2020-09-28</DateOfListing></record>"
)


def xml(*records: str, prologue: str = "") -> bytes:
    body = "".join(records)
    return f'<?xml version="1.0" encoding="UTF-8"?>{prologue}<data-set>{body}</data-set>'.encode()


@pytest.fixture(scope="module")
def snapshot(data_dir: Path) -> Path:
    return data_dir / "canada_sema" / "2025-03-20" / "sema-lmes.xml"


@pytest.fixture(scope="module")
def excerpt(snapshot: Path) -> bytes:
    data = snapshot.read_bytes()
    end = 0
    for _ in range(30):
        end = data.index(b"</record>", end) + len(b"</record>")
    return data[:end] + b"\n</data-set>\n"


@pytest.fixture(scope="module")
def parsed(snapshot: Path) -> ParsedList:
    return ca_sema.parse([snapshot])


def test_counts(parsed: ParsedList) -> None:
    assert len(parsed.entities) == 4759
    # Country + Schedule + Item is unique in this file: no id needed disambiguation.
    assert len({e.id for e in parsed.entities}) == 4759
    assert parsed.warnings == []
    schemas = Counter(e.schema for e in parsed.entities)
    assert schemas["Person"] == 3334
    assert schemas["Vessel"] == 109
    assert schemas["Company"] + schemas["Organization"] == 1316
    assert sum(1 for e in parsed.entities if e.identifiers) == 109  # every ship has an IMO
    assert Counter(p for e in parsed.entities for p in e.programs)["Russia"] == 2426
    assert parsed.published == "2025-03-20"  # the latest DateOfListing
    assert parsed.dataset == "ca_dfatd_sema_sanctions"


def test_person(by_id: dict[str, Entity]) -> None:
    entity = by_id["belarus-1-part-1-8"]
    assert entity.id == "ca_dfatd_sema_sanctions:belarus-1-part-1-8"
    assert entity.schema == "Person"
    assert entity.caption == "Aleksandr Grigoryevich Lukashenko"
    assert entity.names[0].first_name == "Aleksandr Grigoryevich"
    assert entity.names[0].last_name == "Lukashenko"
    assert entity.birth_dates == ["1954-08-30"]
    assert entity.programs == ["Belarus"]
    assert entity.countries == ["BY"]
    assert entity.listed_on == "2020-09-28"
    assert entity.properties["schedule"] == ["Schedule 1, Part 1, item 8"]


def test_vessel(by_id: dict[str, Entity]) -> None:
    ship = by_id["russia-1-1-1"]  # Schedule 1.1, item 1
    assert ship.schema == "Vessel"
    assert ship.caption == "Balitiyskiy III"
    assert [(i.type, i.value) for i in ship.identifiers] == [("imoNumber", "7612448")]
    assert ship.properties["buildDate"] == ["1980"]
    assert ship.properties["type"] == ["General Cargo / Multi Purpose"]
    assert ship.listed_on == "2025-02-21"
    assert ship.birth_dates == []


def test_aliases(by_id: dict[str, Entity]) -> None:
    # "Raman Ivanavich BIZIUK,  Belarusian: Раман Iванавiч БIЗЮК, Russian: Роман Иванович БИЗЮК"
    assert names(by_id["belarus-1-part-1-102"]) == [
        ("Roman Ivanovich BIZYUK", "primary"),
        ("Raman Ivanavich BIZIUK", "strong_aka"),
        ("Раман Iванавiч БIЗЮК", "strong_aka"),
        ("Роман Иванович БИЗЮК", "strong_aka"),
    ]
    hemedti = names(by_id["sudan-part-1-5"])
    assert hemedti[0] == ("Mohamed Hamdan Dagalo Mousa", "primary")
    assert ("Hemedti", "weak_aka") in hemedti
    assert ("محمد حمدان دقلو موسى", "strong_aka") in hemedti  # "Arabic: " label dropped
    assert names(by_id["guatemala-3"]) == [
        ("José Rafael CURRUCHICHE Cucul", "primary"),
        ("Rafael CURRUCHICHE", "strong_aka"),
    ]
    labels = ("Russian:", "Belarusian:", "Arabic:")
    assert not [n for e in by_id.values() for n in e.names if n.value.startswith(labels)]


def test_regulations_without_country(by_id: dict[str, Entity]) -> None:
    maduro = by_id["jvcfor-1"]  # long regulation names are cited by their acronym
    assert maduro.caption == "Nicolás MADURO MOROS"
    assert maduro.programs == [
        "Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)"
    ]
    assert maduro.countries == []
    assert by_id["belarus-1-part-2-1"].schema == "Company"  # "... Services Enterprise"


def test_sniff(snapshot: Path, data_dir: Path) -> None:
    assert ca_sema.sniff(snapshot, read_head(snapshot))
    for other in [
        data_dir / "un_sc" / "2025-04-19" / "consolidated.xml",
        data_dir / "ofac_consolidated" / "2025-10-22" / "consolidated.xml",
        data_dir / "uk" / "ofsi_conlist_2020_excerpt" / "ConList.csv",
        data_dir / "uk" / "2025-08-11" / "UK_Sanctions_List.ods",
    ]:
        assert not ca_sema.sniff(other, read_head(other)), other


def test_duplicate_key_is_disambiguated(tmp_path: Path) -> None:
    path = tmp_path / "dup.xml"
    path.write_bytes(xml(RECORD, RECORD.replace("Atabekov", "Atabekova")))
    result = ca_sema.parse([path])
    assert [e.source_id for e in result.entities] == ["belarus-1-part-1-1", "belarus-1-part-1-1-2"]
    assert "repeats" in result.warnings[0]


def test_malformed_record(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(
        xml(RECORD, "\n<record><Country>Iran</Country><LastName>X</LastName></record>")
    )
    with pytest.raises(SourceError) as info:
        ca_sema.parse([path])
    assert (info.value.line, info.value.record, info.value.field) == (2, "record 2", "Item")
    result = ca_sema.parse([path], skip_bad_rows=True)
    assert result.skipped_rows == 1
    assert len(result.entities) == 1

    path.write_bytes(xml(RECORD.replace("2020-09-28", "28/09/2020x")))
    with pytest.raises(SourceError) as info:
        ca_sema.parse([path])
    assert info.value.field == "DateOfListing"


def test_wrong_format(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(SourceError, match="expected <data-set>"):
        ca_sema.parse([data_dir / "un_sc" / "2025-04-19" / "consolidated.xml"])
    path = tmp_path / "empty.xml"
    path.write_bytes(xml())
    with pytest.raises(SourceError, match="no <record>"):
        ca_sema.parse([path])


def test_truncated(excerpt: bytes, tmp_path: Path) -> None:
    path = tmp_path / "truncated.xml"
    path.write_bytes(excerpt[: len(excerpt) // 2])
    with pytest.raises(SourceError) as info:
        ca_sema.parse([path])
    assert info.value.line is not None


def test_bad_encoding(tmp_path: Path) -> None:
    path = tmp_path / "latin1.xml"
    path.write_bytes(xml(RECORD).replace("Bélarus".encode(), b"B\xe9larus"))
    with pytest.raises(SourceError):
        ca_sema.parse([path])


def test_hostile_xml(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    prologue = '<!DOCTYPE data-set [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    path.write_bytes(xml(RECORD.replace("Atabekov", "&b;"), prologue=prologue))
    with pytest.raises(HostileInputError):
        ca_sema.parse([path])


def test_split_aliases() -> None:
    assert ca_sema.split_aliases("КВЗ-Ремсервис, АО", person=False) == [
        ("КВЗ-Ремсервис, АО", "strong_aka")
    ]
    assert ca_sema.split_aliases("Министерство финансов or МинФин; MinFin", person=False) == [
        ("Министерство финансов", "strong_aka"),
        ("МинФин", "strong_aka"),
        ("MinFin", "strong_aka"),
    ]
    assert ca_sema.split_aliases("Alexei, Aleksei ", person=True) == [
        ("Alexei", "weak_aka"),
        ("Aleksei", "weak_aka"),
    ]
    assert ca_sema.split_aliases("Центр (исследовательский, боевого) 924", person=False) == [
        ("Центр (исследовательский, боевого) 924", "strong_aka")
    ]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_bytes_raise_only_typed_errors(
    excerpt: bytes, tmp_path: Path, data: st.DataObject
) -> None:
    mutated = flip_bytes(data, excerpt, most=8)
    if data.draw(st.booleans()):
        mutated = mutated[: data.draw(st.integers(0, len(mutated)))]
    path = tmp_path / "mutated.xml"
    path.write_bytes(bytes(mutated))
    parse_file_raises_only_typed_errors(ca_sema, path, skip_bad_rows=data.draw(st.booleans()))


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fields=st.dictionaries(
        st.sampled_from(ca_sema.FIELDS),
        st.text(max_size=60).map(lambda t: t.replace("]", "")),
        max_size=8,
    )
)
def test_random_records_raise_only_typed_errors(tmp_path: Path, fields: dict[str, str]) -> None:
    body = "".join(
        f"<{k}>{escape(''.join(c for c in v if c.isprintable()))}</{k}>" for k, v in fields.items()
    )
    path = tmp_path / "random.xml"
    path.write_bytes(xml(f"<record>{body}</record>"))
    with contextlib.suppress(SanctraceError):
        ca_sema.parse([path])
