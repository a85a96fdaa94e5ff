"""EU FSF XML parser, tested on a small hand-written file in the published format."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from helpers import damage, parse_bytes_raises_only_typed_errors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctrace.errors import HostileInputError, SourceError
from sanctrace.model.entity import Entity
from sanctrace.sources import detect_format, eu_fsf
from sanctrace.sources.base import read_head

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "eu_fsf_sample.xml"


@pytest.fixture(scope="module")
def parsed() -> dict[str, Entity]:
    result = eu_fsf.parse([SAMPLE])
    return {e.source_id: e for e in result.entities}


def _doc(body: str, generation: str = "2025-01-02T10:00:00.000+01:00") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="{generation}">\n'
        f"{body}\n</export>\n"
    ).encode()


PERSON = (
    '<sanctionEntity logicalId="{id}" euReferenceNumber="EU.1.{id}">'
    '<regulation programme="UKR" publicationDate="2022-02-23"/>'
    '<subjectType code="person" classificationCode="P"/>'
    '<nameAlias wholeName="Name {id}" strong="true"/></sanctionEntity>'
)


def _write(tmp_path: Path, data: bytes, name: str = "eu.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_sniff_and_detect() -> None:
    assert eu_fsf.sniff(SAMPLE, read_head(SAMPLE))
    assert detect_format(SAMPLE) == "eu_fsf"
    assert not eu_fsf.sniff(SAMPLE, b'<?xml version="1.0"?><sdnList><sdnEntry/></sdnList>')
    assert not eu_fsf.sniff(SAMPLE, b"<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>")
    assert not eu_fsf.sniff(SAMPLE, b"<export><something/></export>")


def test_sniff_rejects_real_snapshots_of_other_formats(data_dir: Path) -> None:
    for path in (
        data_dir / "un_sc" / "2026-01-28" / "consolidated.xml",
        data_dir / "ofac_consolidated" / "2026-01-08" / "consolidated.xml",
        data_dir / "canada_sema" / "2025-03-20" / "sema-lmes.xml",
        data_dir / "ofac_sdn" / "2024-05-03" / "sdn.csv",
    ):
        assert not eu_fsf.sniff(path, read_head(path)), path


def test_counts_and_publication_date() -> None:
    result = eu_fsf.parse([SAMPLE])
    assert result.dataset == "eu_fsf"
    assert result.format == "eu_fsf"
    assert result.published == "2025-06-20"
    assert len(result.entities) == 5
    assert result.warnings == []
    assert result.skipped_rows == 0
    schemata = sorted(e.schema for e in result.entities)
    assert schemata == ["Company", "Company", "Person", "Person", "Person"]
    assert [e.id for e in result.entities] == [
        "eu_fsf:139062",
        "eu_fsf:139815",
        "eu_fsf:7055",
        "eu_fsf:150020",
        "eu_fsf:152777",
    ]
    assert all(e.provenance.version == "2025-06-20" for e in result.entities)
    assert result.entities[2].provenance.record == "/export/sanctionEntity[3]"


def test_person_with_cyrillic_alias(parsed: dict[str, Entity]) -> None:
    person = parsed["139062"]
    assert person.schema == "Person"
    assert person.caption == "Ivan Sergeyevich Kolokolov"
    names = [(n.value, n.kind, n.lang) for n in person.names]
    assert names == [
        ("Ivan Sergeyevich Kolokolov", "primary", None),
        ("Иван Сергеевич Колоколов", "strong_aka", "ru"),
        ("Vanya Kolokol", "weak_aka", None),
    ]
    primary = person.names[0]
    assert (primary.first_name, primary.middle_name, primary.last_name) == (
        "Ivan",
        "Sergeyevich",
        "Kolokolov",
    )
    assert person.gender == "male"
    assert person.birth_dates == ["1968-03-14"]
    assert person.birth_places == ["Kazan, Republic of Tatarstan, RUSSIAN FEDERATION"]
    assert person.citizenships == ["RU"]
    assert person.programs == ["UKR"]
    assert person.listed_on == "2022-02-23"  # designationDate
    assert person.modified_on == "2023-03-14"  # the amending regulation
    assert person.properties["authorityId"] == ["EU.7771.12"]
    assert person.properties["position"] == ["Member of the State Duma"]
    assert len(person.properties["sourceUrl"]) == 2
    idents = {(i.type, i.value, i.country) for i in person.identifiers}
    assert idents == {
        ("passportNumber", "753123456", "RU"),
        ("taxNumber", "165512345678", "RU"),
        ("innCode", "165512345678", "RU"),
    }
    assert person.addresses[0].full == "Okhotny Ryad 1, 103265 Moscow, RUSSIAN FEDERATION"
    assert person.addresses[0].postal_code == "103265"
    assert person.countries == ["RU"]
    assert person.remarks == "Deputy who voted in favour of resolution No 58243-8."


def test_enterprise_identifiers_and_contacts(parsed: dict[str, Entity]) -> None:
    bank = parsed["139815"]
    assert bank.schema == "Company"  # registration number / SWIFT make it a company
    assert bank.names[1].value == "АО «Северный Коммерческий Банк»"
    assert bank.programs == ["UKR", "RUS"]
    idents = {(i.type, i.value) for i in bank.identifiers}
    assert idents == {
        ("registrationNumber", "1027800012345"),
        ("ogrnCode", "1027800012345"),
        ("taxNumber", "7831001234"),
        ("innCode", "7831001234"),
        ("swiftBic", "SVKBRU2P"),
    }
    assert bank.properties["phone"] == ["+7 812 555 01 23"]
    assert bank.properties["email"] == ["info@sevkombank.example"]
    assert bank.properties["website"] == ["https://www.sevkombank.example"]
    assert bank.addresses[0].city == "Saint Petersburg"


def test_alias_quality_titles_and_birth_ranges(parsed: dict[str, Entity]) -> None:
    person = parsed["7055"]
    kinds = {n.value: n.kind for n in person.names}
    assert kinds == {
        "Abdul Karim Al-Fulani": "primary",
        "Abu Karim": "weak_aka",  # strong="true" but remark says low quality
        "عبد الكريم الفلاني": "strong_aka",
    }
    assert person.properties["title"] == ["Mullah", "Maulavi"]
    assert person.properties["position"] == ["Financier", "Recruiter"]
    assert person.properties["unscId"] == ["QDi.999"]
    assert person.birth_dates == ["1971", "1973", "1975"]
    assert person.birth_places == ["Khost Province, AFGHANISTAN"]
    assert person.citizenships == []  # countryIso2Code "00" = unknown
    assert person.programs == ["AQ"]
    assert person.listed_on == "2010-09-02"  # no designationDate: regulation publication date


def test_entry_without_reference_number(parsed: dict[str, Entity]) -> None:
    plant = parsed["150020"]
    assert plant.id == "eu_fsf:150020"
    assert "authorityId" not in plant.properties
    assert plant.schema == "Company"  # "Open Joint Stock Company"
    assert plant.countries == ["BY"]  # an enterprise's citizenship is its country
    assert plant.citizenships == []
    assert plant.identifiers[0].type == "other"
    assert plant.identifiers[0].note == "Taxpayer account number (UNP)"
    assert plant.remarks == "Manufacturer of optical sights"
    assert plant.names[1].lang == "be"


def test_latin_number_and_dual_citizenship(parsed: dict[str, Entity]) -> None:
    person = parsed["152777"]
    assert person.gender == "female"
    assert person.citizenships == ["UA", "RU"]
    assert [n.lang for n in person.names] == [None, "ru", "uk", None]
    assert {i.value for i in person.identifiers} == {"ЕР 123456", "EP 123456"}
    assert all(i.type == "idNumber" for i in person.identifiers)


def test_parse_is_fast_enough() -> None:
    body = "\n".join(PERSON.format(id=i) for i in range(1, 3001))
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), _doc(body))
        result = eu_fsf.parse([path])
    assert len(result.entities) == 3000


# --- hostile and broken input -------------------------------------------------------------


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE export [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<export generationDate="2025-01-01"><sanctionEntity logicalId="1">
<subjectType code="person"/><nameAlias wholeName="&lol4;"/></sanctionEntity></export>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE export [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<export generationDate="2025-01-01"><sanctionEntity logicalId="1">
<subjectType code="person"/><nameAlias wholeName="&xxe;"/></sanctionEntity></export>
"""


def test_billion_laughs_refused(tmp_path: Path) -> None:
    with pytest.raises(HostileInputError) as info:
        eu_fsf.parse([_write(tmp_path, BILLION_LAUGHS)])
    assert info.value.file and info.value.file.endswith("eu.xml")
    assert info.value.line == 2


def test_external_entity_refused(tmp_path: Path) -> None:
    with pytest.raises(HostileInputError):
        eu_fsf.parse([_write(tmp_path, XXE)])


def test_external_dtd_refused(tmp_path: Path) -> None:
    data = b'<?xml version="1.0"?>\n<!DOCTYPE export SYSTEM "http://evil.example/x.dtd">\n'
    data += _doc(PERSON.format(id=1)).split(b"\n", 1)[1]
    with pytest.raises(HostileInputError):
        eu_fsf.parse([_write(tmp_path, data)])


def test_entity_declaration_beyond_the_checked_head_still_refused(tmp_path: Path) -> None:
    padding = b"<!-- " + b"x" * 70_000 + b" -->\n"
    data = BILLION_LAUGHS.replace(b"<!DOCTYPE", padding + b"<!DOCTYPE", 1)
    with pytest.raises(SourceError):
        eu_fsf.parse([_write(tmp_path, data)])


def test_truncated_file(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes()
    with pytest.raises(SourceError) as info:
        eu_fsf.parse([_write(tmp_path, data[: len(data) // 2])])
    assert "malformed XML" in str(info.value)
    assert info.value.line is not None


def test_wrong_format(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(SourceError, match="not an EU FSF export"):
        eu_fsf.parse([data_dir / "un_sc" / "2026-01-28" / "consolidated.xml"])
    with pytest.raises(SourceError, match="malformed XML"):
        eu_fsf.parse([_write(tmp_path, b"_id,source,name\n1,x,y\n", "x.csv")])


def test_bad_encoding(tmp_path: Path) -> None:
    data = _doc(PERSON.format(id=1)).replace(b"Name 1", "Name Müller".encode("latin-1"))
    with pytest.raises(SourceError) as info:
        eu_fsf.parse([_write(tmp_path, data)])
    assert info.value.line == 3


def test_entry_without_id_names_line_and_field(tmp_path: Path) -> None:
    body = (
        PERSON.format(id=1) + "\n" + '<sanctionEntity><nameAlias wholeName="X"/></sanctionEntity>'
    )
    path = _write(tmp_path, _doc(body))
    with pytest.raises(SourceError) as info:
        eu_fsf.parse([path])
    assert info.value.field == "logicalId"
    assert info.value.line == 4
    assert info.value.record == "sanctionEntity #2"
    result = eu_fsf.parse([path], skip_bad_rows=True)
    assert len(result.entities) == 1
    assert result.skipped_rows == 1


def test_entry_without_name(tmp_path: Path) -> None:
    body = '<sanctionEntity logicalId="9"><subjectType code="person"/></sanctionEntity>'
    with pytest.raises(SourceError) as info:
        eu_fsf.parse([_write(tmp_path, _doc(body))])
    assert info.value.field == "nameAlias"
    assert info.value.record == "sanctionEntity logicalId=9"


def test_duplicates_and_unknown_subject_type_warn(tmp_path: Path) -> None:
    body = PERSON.format(id=1) + PERSON.format(id=1)
    body += '<sanctionEntity logicalId="2"><subjectType code="vessel"/>'
    body += '<nameAlias wholeName="MV Ship" strong="true"/></sanctionEntity>'
    result = eu_fsf.parse([_write(tmp_path, _doc(body))])
    assert [e.id for e in result.entities] == ["eu_fsf:1", "eu_fsf:2"]
    assert result.entities[1].schema == "LegalEntity"
    assert len(result.warnings) == 2
    assert "duplicate logicalId 1" in result.warnings[0]
    assert "unknown subjectType 'vessel'" in result.warnings[1]


def test_empty_export_and_odd_generation_date(tmp_path: Path) -> None:
    result = eu_fsf.parse([_write(tmp_path, _doc("", generation="yesterday"))])
    assert result.entities == []
    assert result.published is None
    assert any("generationDate" in w for w in result.warnings)


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="exactly one"):
        eu_fsf.parse([SAMPLE, SAMPLE])
    with pytest.raises(SourceError, match="not produced"):
        eu_fsf.parse([SAMPLE], dataset="us_ofac_sdn")
    with pytest.raises(SourceError):
        eu_fsf.parse([tmp_path / "missing.xml"])


# --- fuzzing ------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_sample_raises_only_typed_errors(data: st.DataObject) -> None:
    inserts = [b"<", b">", b'"', b"&lol;", b"<!ENTITY x 'y'>", b"\x00", b"\xff"]
    blob = damage(data, bytearray(SAMPLE.read_bytes()[:6000]), inserts, refill=b"<")
    parse_bytes_raises_only_typed_errors(
        eu_fsf, blob, "eu.xml", skip_bad_rows=data.draw(st.booleans())
    )


@settings(max_examples=50, deadline=None)
@given(blob=st.binary(max_size=2000))
def test_random_bytes_raise_only_typed_errors(blob: bytes) -> None:
    parse_bytes_raises_only_typed_errors(eu_fsf, blob, "eu.xml")
