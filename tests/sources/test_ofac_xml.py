"""OFAC sdnList XML parser, on the real non-SDN Consolidated list snapshots and broken copies."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
from helpers import damage, names_of_kind, parse_bytes_raises_only_typed_errors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctrace.errors import HostileInputError, SourceError
from sanctrace.model.entity import Entity
from sanctrace.sources import ofac_xml, un_xml
from sanctrace.sources.base import ParsedList, read_head


@pytest.fixture(scope="module")
def cons_2026_path(data_dir: Path) -> Path:
    return data_dir / "ofac_consolidated" / "2026-01-08" / "consolidated.xml"


@pytest.fixture(scope="module")
def cons_2025_path(data_dir: Path) -> Path:
    return data_dir / "ofac_consolidated" / "2025-10-22" / "consolidated.xml"


@pytest.fixture(scope="module")
def cons_2026(cons_2026_path: Path) -> ParsedList:
    return ofac_xml.parse([cons_2026_path])


@pytest.fixture(scope="module")
def cons_2025(cons_2025_path: Path) -> ParsedList:
    return ofac_xml.parse([cons_2025_path])


def by_id(parsed: ParsedList) -> dict[str, Entity]:
    return {entity.id: entity for entity in parsed.entities}


# --- the real snapshots ---------------------------------------------------------------------


def test_snapshot_2026_counts(cons_2026: ParsedList) -> None:
    assert cons_2026.format == "ofac_xml"
    assert cons_2026.dataset == "us_ofac_cons"
    assert cons_2026.published == "2026-01-08"
    assert len(cons_2026.entities) == 442
    assert cons_2026.warnings == []
    assert cons_2026.skipped_rows == 0
    schemata: dict[str, int] = {}
    for entity in cons_2026.entities:
        schemata[entity.schema] = schemata.get(entity.schema, 0) + 1
    assert schemata == {"Person": 79, "Company": 360, "Organization": 3}
    assert all(entity.id.startswith("us_ofac_cons:") for entity in cons_2026.entities)


def test_snapshot_2025_counts_and_removed_entry(
    cons_2025: ParsedList, cons_2026: ParsedList
) -> None:
    assert cons_2025.published == "2025-10-22"
    assert len(cons_2025.entities) == 443
    assert cons_2025.warnings == []
    assert set(by_id(cons_2025)) - set(by_id(cons_2026)) == {"us_ofac_cons:26182"}
    assert set(by_id(cons_2026)) <= set(by_id(cons_2025))


def test_haniya_person(cons_2026: ParsedList) -> None:
    haniya = by_id(cons_2026)["us_ofac_cons:9639"]
    assert haniya.schema == "Person"
    assert haniya.caption == "Ismail Abdul Salah HANIYA"
    primary = haniya.names[0]
    assert (primary.kind, primary.first_name, primary.last_name) == (
        "primary",
        "Ismail Abdul Salah",
        "HANIYA",
    )
    assert names_of_kind(haniya, "strong_aka") == ["Ismail HANIYA", "Ismaeel HANIYYA"]
    assert haniya.programs == ["NS-PLC"]
    assert haniya.birth_dates == ["1962"]
    assert haniya.birth_places == ["Shati"]
    assert haniya.provenance.source_id == "9639"
    assert haniya.provenance.version == "2026-01-08"
    assert haniya.provenance.record == "/sdnList/sdnEntry[1]"


def test_vtb_company_identifiers(cons_2026: ParsedList) -> None:
    vtb = by_id(cons_2026)["us_ofac_cons:17013"]
    assert vtb.schema == "Company"
    assert vtb.caption == "VTB BANK PUBLIC JOINT STOCK COMPANY"
    assert vtb.programs == ["UKRAINE-EO13662", "RUSSIA-EO14024"]
    idents = {(i.type, i.value, i.country) for i in vtb.identifiers}
    assert ("ogrnCode", "1027739609391", "RU") in idents  # "Registration ID", 13 digits
    assert ("taxNumber", "7702070139", "RU") in idents
    assert ("innCode", "7702070139", "RU") in idents
    assert ("okpoCode", "00032520", "RU") in idents  # "Government Gazette Number"
    assert ("swiftBic", "VTBRRUMM", None) in idents
    assert ("leiCode", "253400V1H6ART1UQ0N98", None) in idents
    assert ("other", "044030707", None) in idents  # "BIK (RU)"
    assert vtb.incorporation_dates == ["1990-10-17"]
    assert "JSC VTB BANK" in names_of_kind(vtb, "fka")
    assert "VTB BANK PJSC" in names_of_kind(vtb, "strong_aka")
    assert names_of_kind(vtb, "weak_aka") == ["JSC VTB BANK NEW DELHI BRANCH"]
    assert vtb.countries == ["RU", "IN", "CN"]
    first = vtb.addresses[0]
    assert first.street == "29, Bolshaya Morskaya str."
    assert first.city == "St. Petersburg"
    assert first.postal_code == "190000"
    assert first.country == "RU"
    assert vtb.properties["website"] == ["www.vtb.com", "www.vtb.ru"]
    assert vtb.properties["sector"] == ["Financial Institution"]
    assert any(v.startswith("Executive Order 13662") for v in vtb.properties["sanctionsInfo"])


def test_linked_to_relationships(cons_2026: ParsedList) -> None:
    entities = by_id(cons_2026)
    bm_bank = entities["us_ofac_cons:17017"]
    assert bm_bank.remarks is not None and bm_bank.remarks.endswith(
        "(Linked To: VTB BANK PUBLIC JOINT STOCK COMPANY)"
    )
    [link] = bm_bank.relationships
    assert link.type == "linked_to"
    assert link.target_name == "VTB BANK PUBLIC JOINT STOCK COMPANY"
    assert link.target_id == "us_ofac_cons:17013"
    zahhar = entities["us_ofac_cons:9647"]
    assert zahhar.remarks == "(Linked To: HAMAS)"
    [hamas] = zahhar.relationships
    assert (hamas.target_name, hamas.target_id) == ("HAMAS", None)  # HAMAS is on the SDN list
    linked = [r for e in cons_2026.entities for r in e.relationships]
    assert len(linked) == 283
    assert sum(1 for r in linked if r.target_id) == 282


def test_person_identifiers_and_places(cons_2025: ParsedList, cons_2026: ParsedList) -> None:
    kayakiran = by_id(cons_2025)["us_ofac_cons:26182"]
    assert kayakiran.caption == "Evren KAYAKIRAN"
    assert kayakiran.programs == ["FSE-IR"]
    assert kayakiran.gender == "male"
    assert kayakiran.citizenships == ["TR"]
    assert [(i.type, i.value, i.country) for i in kayakiran.identifiers] == [
        ("passportNumber", "U00242309", "TR")
    ]
    martelly = by_id(cons_2026)["us_ofac_cons:50476"]
    assert martelly.birth_dates == ["1961-02-12"]  # "12 Feb 1961"
    assert martelly.birth_places == ["Port-au-Prince, Haiti"]
    assert martelly.nationalities == ["HT"]
    assert ("idNumber", "0032768386", "HT") in {
        (i.type, i.value, i.country) for i in martelly.identifiers
    }
    assert names_of_kind(martelly, "weak_aka") == ["Sweet Micky"]
    zahhar = by_id(cons_2026)["us_ofac_cons:9647"]
    assert zahhar.addresses[0].full == "Region: Gaza"
    assert zahhar.countries == ["PS"]


def test_snapshots_parse_fast(cons_2025_path: Path, cons_2026_path: Path) -> None:
    for path in (cons_2025_path, cons_2026_path):
        start = time.perf_counter()
        ofac_xml.parse([path])
        assert time.perf_counter() - start < 1.0


# --- dataset choice -------------------------------------------------------------------------


def test_explicit_dataset_wins(cons_2026_path: Path) -> None:
    parsed = ofac_xml.parse([cons_2026_path], dataset="us_ofac_sdn")
    assert parsed.dataset == "us_ofac_sdn"
    assert parsed.entities[0].id == "us_ofac_sdn:9639"


def test_unknown_dataset_refused(cons_2026_path: Path) -> None:
    with pytest.raises(SourceError, match="un_sc_sanctions"):
        ofac_xml.parse([cons_2026_path], dataset="un_sc_sanctions")


def test_dataset_from_content_when_name_is_neutral(cons_2026_path: Path, tmp_path: Path) -> None:
    neutral = tmp_path / "list.xml"
    neutral.write_bytes(cons_2026_path.read_bytes())
    assert ofac_xml.parse([neutral]).dataset == "us_ofac_cons"  # NS-PLC / CMIC programs
    plain = tmp_path / "other.xml"
    plain.write_text(LEGACY_SDN, encoding="utf-8")
    assert ofac_xml.parse([plain]).dataset == "us_ofac_sdn"


# --- the legacy SDN.XML shape (namespace http://tempuri.org/sdnList.xsd) ----------------------

LEGACY_SDN = """<?xml version="1.0" standalone="yes"?>
<sdnList xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xmlns="http://tempuri.org/sdnList.xsd">
  <publshInformation>
    <Publish_Date>12/31/2020</Publish_Date>
    <Record_Count>4</Record_Count>
  </publshInformation>
  <sdnEntry>
    <uid>100</uid>
    <lastName>ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE</lastName>
    <sdnType>Entity</sdnType>
    <programList><program>SDGT</program><program>IRGC</program></programList>
  </sdnEntry>
  <sdnEntry>
    <uid>200</uid>
    <firstName>Ivan</firstName>
    <lastName>PETROV</lastName>
    <title>Director General</title>
    <sdnType>Individual</sdnType>
    <remarks>Linked To: ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE;
      Linked To: NOBODY LLC.</remarks>
    <programList><program>CYBER2</program></programList>
    <idList>
      <id><uid>1</uid><idType>Passport</idType><idNumber>7123456</idNumber>
        <idCountry>Russia</idCountry><issueDate>01 Jan 2015</issueDate>
        <expirationDate>01 Jan 2025</expirationDate></id>
      <id><uid>2</uid><idType>Digital Currency Address - XBT</idType>
        <idNumber>1AbCdEf</idNumber></id>
      <id><uid>3</uid><idType>Email Address</idType><idNumber>ivan@example.ru</idNumber></id>
      <id><uid>4</uid><idType>Phone Number</idType><idNumber>+7 495 000</idNumber></id>
      <id><uid>5</uid><idType>Additional Sanctions Information -</idType>
        <idNumber>Subject to Secondary Sanctions</idNumber></id>
      <id><uid>6</uid><idType>Cedula No.</idType><idNumber>C-1</idNumber></id>
      <id><uid>7</uid><idType>Kenyan ID No.</idType><idNumber>K-1</idNumber></id>
    </idList>
    <akaList>
      <aka><uid>10</uid><type>a.k.a.</type><category>strong</category>
        <lastName>PETROFF</lastName><firstName>Iwan</firstName></aka>
      <aka><uid>11</uid><type>n.k.a.</type><category>strong</category>
        <lastName>IVANOV</lastName><firstName>Ivan</firstName></aka>
      <aka><uid>12</uid><type>a.k.a.</type><category>weak</category><lastName>VANYA</lastName></aka>
    </akaList>
    <nationalityList><nationality><uid>20</uid><country>Russia</country>
      <mainEntry>true</mainEntry></nationality></nationalityList>
    <citizenshipList><citizenship><uid>21</uid><country>Cyprus</country>
      <mainEntry>false</mainEntry></citizenship></citizenshipList>
    <dateOfBirthList>
      <dateOfBirthItem><uid>22</uid><dateOfBirth>circa 1965</dateOfBirth></dateOfBirthItem>
      <dateOfBirthItem><uid>23</uid><dateOfBirth>1970 to 1972</dateOfBirth></dateOfBirthItem>
    </dateOfBirthList>
  </sdnEntry>
  <sdnEntry>
    <uid>300</uid>
    <lastName>SEA STAR</lastName>
    <sdnType>Vessel</sdnType>
    <programList><program>IRAN</program></programList>
    <idList>
      <id><uid>30</uid><idType>Vessel Registration Identification</idType>
        <idNumber>IMO 9187629</idNumber></id>
      <id><uid>31</uid><idType>MMSI</idType><idNumber>422123456</idNumber></id>
    </idList>
    <vesselInfo>
      <callSign>9BXY</callSign>
      <vesselType>Crude Oil Tanker</vesselType>
      <vesselFlag>Iran</vesselFlag>
      <vesselOwner>ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE</vesselOwner>
      <tonnage>150000</tonnage>
      <grossRegisteredTonnage>80000</grossRegisteredTonnage>
    </vesselInfo>
  </sdnEntry>
  <sdnEntry>
    <uid>400</uid>
    <lastName>EP-ABC</lastName>
    <sdnType>Aircraft</sdnType>
    <programList><program>SDGT</program></programList>
    <idList>
      <id><uid>40</uid><idType>Aircraft Manufacturer's Serial Number (MSN)</idType>
        <idNumber>1234</idNumber></id>
      <id><uid>41</uid><idType>Aircraft Tail Number</idType><idNumber>EP-ABC</idNumber></id>
      <id><uid>42</uid><idType>Aircraft Model</idType><idNumber>Airbus A340</idNumber></id>
    </idList>
  </sdnEntry>
</sdnList>
"""


@pytest.fixture()
def legacy(tmp_path: Path) -> ParsedList:
    path = tmp_path / "SDN.XML"
    path.write_text(LEGACY_SDN, encoding="utf-8")
    return ofac_xml.parse([path])


def test_legacy_namespace_and_sdn_dataset(legacy: ParsedList) -> None:
    assert legacy.dataset == "us_ofac_sdn"
    assert legacy.published == "2020-12-31"
    assert [e.id for e in legacy.entities] == [
        "us_ofac_sdn:100",
        "us_ofac_sdn:200",
        "us_ofac_sdn:300",
        "us_ofac_sdn:400",
    ]
    assert [e.schema for e in legacy.entities] == ["Organization", "Person", "Vessel", "Aircraft"]
    assert legacy.warnings == []


def test_legacy_person_fields(legacy: ParsedList) -> None:
    petrov = by_id(legacy)["us_ofac_sdn:200"]
    assert petrov.caption == "Ivan PETROV"
    assert petrov.properties["position"] == ["Director General"]
    assert names_of_kind(petrov, "strong_aka") == ["Iwan PETROFF", "Ivan IVANOV"]
    assert names_of_kind(petrov, "weak_aka") == ["VANYA"]
    assert petrov.nationalities == ["RU"]
    assert petrov.citizenships == ["CY"]
    assert petrov.birth_dates == ["1965", "1970", "1972"]
    idents = {(i.type, i.value): i for i in petrov.identifiers}
    passport = idents[("passportNumber", "7123456")]
    assert passport.country == "RU"
    assert passport.note == "Passport; issued 2015-01-01; expires 2025-01-01"
    assert idents[("cryptoWallet", "1AbCdEf")].note == "Digital Currency Address - XBT"
    assert ("idNumber", "C-1") in idents
    assert idents[("idNumber", "K-1")].note == "Kenyan ID No."
    assert petrov.properties["email"] == ["ivan@example.ru"]
    assert petrov.properties["phone"] == ["+7 495 000"]
    assert petrov.properties["sanctionsInfo"] == [
        "Additional Sanctions Information - Subject to Secondary Sanctions"
    ]
    targets = [(r.target_name, r.target_id) for r in petrov.relationships]
    assert targets == [
        ("ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE", "us_ofac_sdn:100"),
        ("NOBODY LLC", None),
    ]


def test_legacy_vessel_and_aircraft(legacy: ParsedList) -> None:
    vessel = by_id(legacy)["us_ofac_sdn:300"]
    idents = {(i.type, i.value) for i in vessel.identifiers}
    assert idents == {("imoNumber", "IMO 9187629"), ("mmsi", "422123456"), ("callSign", "9BXY")}
    assert vessel.properties["flag"] == ["IR"]
    assert vessel.properties["type"] == ["Crude Oil Tanker"]
    assert vessel.properties["tonnage"] == ["150000"]
    assert vessel.properties["grossRegisteredTonnage"] == ["80000"]
    [owner] = vessel.relationships
    assert (owner.type, owner.target_id) == ("owned_by", "us_ofac_sdn:100")
    aircraft = by_id(legacy)["us_ofac_sdn:400"]
    assert {(i.type, i.value) for i in aircraft.identifiers} == {
        ("serialNumber", "1234"),
        ("registrationMark", "EP-ABC"),
    }
    assert aircraft.properties["model"] == ["Airbus A340"]


def test_record_count_mismatch_and_duplicates_warn(tmp_path: Path) -> None:
    text = LEGACY_SDN.replace("<Record_Count>4</Record_Count>", "<Record_Count>9</Record_Count>")
    text = text.replace("<uid>400</uid>", "<uid>300</uid>")
    path = tmp_path / "sdn.xml"
    path.write_text(text, encoding="utf-8")
    parsed = ofac_xml.parse([path])
    assert len(parsed.entities) == 3
    assert any("Record_Count says 9" in w for w in parsed.warnings)
    assert any("duplicate uid 300" in w for w in parsed.warnings)


# --- format detection -----------------------------------------------------------------------


def test_sniff_only_claims_sdnlist_files(data_dir: Path) -> None:
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            expected = path.parts[-3] == "ofac_consolidated"
            assert ofac_xml.sniff(path, read_head(path)) is expected, path


def test_sniff_never_raises(tmp_path: Path) -> None:
    for head in (b"", b"\xff\xfe\x00", b"<CONSOLIDATED_LIST><sdnList>", b"<?xml?><sdnList"):
        assert ofac_xml.sniff(tmp_path / "x", head) in (True, False)


# --- bad input ------------------------------------------------------------------------------


def test_truncated_file(cons_2026_path: Path, tmp_path: Path) -> None:
    data = cons_2026_path.read_bytes()
    path = tmp_path / "consolidated.xml"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError) as info:
        ofac_xml.parse([path])
    assert info.value.file == str(path)
    assert info.value.line is not None


def test_un_file_is_not_ofac(data_dir: Path) -> None:
    un_path = data_dir / "un_sc" / "2026-01-28" / "consolidated.xml"
    assert not ofac_xml.sniff(un_path, read_head(un_path))
    with pytest.raises(SourceError, match="not an OFAC sdnList"):
        ofac_xml.parse([un_path])


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(SourceError):
        ofac_xml.parse([empty])
    with pytest.raises(SourceError):
        ofac_xml.parse([tmp_path / "missing.xml"])
    with pytest.raises(SourceError, match="exactly one"):
        ofac_xml.parse([empty, empty])


def test_bad_encoding(tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    path.write_bytes(LEGACY_SDN.replace("PETROV", "PETR\xd6V").encode("latin-1"))
    with pytest.raises(SourceError) as info:
        ofac_xml.parse([path])
    assert info.value.file == str(path)


def test_malformed_entry_names_record_and_field(tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text(LEGACY_SDN.replace("<uid>200</uid>", ""), encoding="utf-8")
    with pytest.raises(SourceError) as info:
        ofac_xml.parse([path])
    assert info.value.field == "uid"
    assert info.value.record == "sdnEntry #2"
    assert info.value.line == 14
    parsed = ofac_xml.parse([path], skip_bad_rows=True)
    assert parsed.skipped_rows == 1
    assert len(parsed.entities) == 3

    path.write_text(LEGACY_SDN.replace("<lastName>SEA STAR</lastName>", ""), encoding="utf-8")
    with pytest.raises(SourceError) as info:
        ofac_xml.parse([path])
    assert (info.value.field, info.value.record) == ("lastName", "sdnEntry uid=300")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE sdnList [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sdnList><sdnEntry><uid>1</uid><lastName>&lol9;</lastName><sdnType>Entity</sdnType>
</sdnEntry></sdnList>
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE sdnList [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<sdnList><sdnEntry><uid>1</uid><lastName>&xxe;</lastName><sdnType>Entity</sdnType>
</sdnEntry></sdnList>
"""

# The same attacks behind 70 kB of comment, past the prologue check of the first 64 kB.
PADDING = "<!--" + "x" * 70_000 + "-->\n"


def _late(doc: str) -> str:
    return doc.replace('<?xml version="1.0"?>\n', '<?xml version="1.0"?>\n' + PADDING, 1)


def _peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, _late(BILLION_LAUGHS)], ids=["head", "late"])
def test_billion_laughs_refused(doc: str, tmp_path: Path) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text(doc, encoding="utf-8")
    before = _peak_rss_kb()
    start = time.perf_counter()
    with pytest.raises(HostileInputError) as info:
        ofac_xml.parse([path])
    assert time.perf_counter() - start < 1.0
    assert _peak_rss_kb() - before < 50_000
    assert info.value.file == str(path)


@pytest.mark.parametrize("late", [False, True], ids=["head", "late"])
def test_external_entity_refused(late: bool, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    path = tmp_path / "sdn.xml"
    path.write_text(_late(XXE) if late else XXE, encoding="utf-8")
    with pytest.raises(HostileInputError) as info:
        ofac_xml.parse([path])
    assert "root:" not in str(info.value)
    path.write_text(XXE.replace("file:///etc/passwd", secret.as_uri()), encoding="utf-8")
    with pytest.raises(HostileInputError) as info:
        ofac_xml.parse([path])
    assert "TOP-SECRET" not in str(info.value)


# --- property test: mutated real excerpt ----------------------------------------------------


def _excerpt(path: Path) -> bytes:
    data = path.read_bytes()
    cut = data.index(b"</sdnEntry>", data.index(b"<uid>9641</uid>")) + len(b"</sdnEntry>")
    return data[:cut] + b"\n</sdnList>\n"


def test_excerpt_parses(cons_2026_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "excerpt.xml"
    path.write_bytes(_excerpt(cons_2026_path))
    parsed = ofac_xml.parse([path])
    assert [e.source_id for e in parsed.entities] == ["9639", "9640", "9641"]
    assert any("Record_Count says 442" in w for w in parsed.warnings)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_excerpt_raises_only_typed_errors(data_dir: Path, data: st.DataObject) -> None:
    excerpt = _excerpt(data_dir / "ofac_consolidated" / "2026-01-08" / "consolidated.xml")
    inserts = [b"<", b"&", b"]]>", b"<sdnEntry>", b"\x00", b"\xc3", b"<!DOCTYPE"]
    blob = damage(data, bytearray(excerpt), inserts, refill=b"<")
    assert un_xml.sniff(Path("consolidated.xml"), blob[:8192]) is False
    parse_bytes_raises_only_typed_errors(ofac_xml, blob, "consolidated.xml")


@settings(max_examples=40, deadline=None)
@given(blob=st.binary(max_size=2000))
def test_random_bytes_raise_only_typed_errors(blob: bytes) -> None:
    parse_bytes_raises_only_typed_errors(ofac_xml, blob, "sdn.xml")
