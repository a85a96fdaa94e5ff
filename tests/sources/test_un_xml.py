"""UN Security Council consolidated list XML parser, on the real snapshots and broken copies."""

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

SNAPSHOTS = {"2025-04-19": (684, 193), "2025-11-29": (727, 273), "2026-01-28": (726, 273)}


def snapshot(data_dir: Path, day: str) -> Path:
    return data_dir / "un_sc" / day / "consolidated.xml"


@pytest.fixture(scope="module")
def un_2026(data_dir: Path) -> ParsedList:
    return un_xml.parse([snapshot(data_dir, "2026-01-28")])


@pytest.fixture(scope="module")
def entities(un_2026: ParsedList) -> dict[str, Entity]:
    return {entity.source_id: entity for entity in un_2026.entities}


# --- the real snapshots ---------------------------------------------------------------------


@pytest.mark.parametrize("day", sorted(SNAPSHOTS))
def test_snapshot_counts(data_dir: Path, day: str) -> None:
    start = time.perf_counter()
    parsed = un_xml.parse([snapshot(data_dir, day)])
    assert time.perf_counter() - start < 1.0
    individuals, organisations = SNAPSHOTS[day]
    assert parsed.format == "un_xml"
    assert parsed.dataset == "un_sc_sanctions"
    assert parsed.published == day
    assert parsed.warnings == []
    assert parsed.skipped_rows == 0
    assert len(parsed.entities) == individuals + organisations
    persons = [e for e in parsed.entities if e.schema == "Person"]
    assert len(persons) == individuals
    assert {e.schema for e in parsed.entities} == {"Person", "Organization", "Company"}
    assert all(e.id == f"un_sc_sanctions:{e.source_id}" for e in parsed.entities)
    assert all(e.properties.get("unscId") for e in parsed.entities)


def test_totals_2026(un_2026: ParsedList) -> None:
    assert len(un_2026.entities) == 999
    schemata: dict[str, int] = {}
    for entity in un_2026.entities:
        schemata[entity.schema] = schemata.get(entity.schema, 0) + 1
    assert schemata == {"Person": 726, "Organization": 171, "Company": 102}


def test_eric_badege(entities: dict[str, Entity]) -> None:
    badege = entities["6907993"]
    assert badege.id == "un_sc_sanctions:6907993"
    assert badege.schema == "Person"
    assert badege.caption == "ERIC BADEGE"
    primary = badege.names[0]
    assert (primary.kind, primary.first_name, primary.last_name) == ("primary", "ERIC", "BADEGE")
    assert badege.programs == ["DRC"]
    assert badege.listed_on == "2012-12-31"
    assert badege.modified_on == "2016-10-13"
    assert badege.gender == "male"
    assert badege.properties["unscId"] == ["CDi.001"]
    assert ("other", "CDi.001") in {(i.type, i.value) for i in badege.identifiers}
    assert badege.nationalities == ["CD"]
    assert badege.birth_dates == ["1971"]
    assert [a.country for a in badege.addresses] == ["RW"]
    assert badege.remarks is not None and badege.remarks.startswith("He fled to Rwanda")
    assert badege.provenance.record == "/CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL[1]"
    assert badege.provenance.version == "2026-01-28"


def test_taliban_minister(entities: dict[str, Entity]) -> None:
    anwari = entities["110447"]
    assert anwari.caption == "MUHAMMAD TAHER ANWARI"
    assert anwari.names[0].middle_name == "TAHER"
    assert anwari.names[0].title == "Mullah"
    assert names_of_kind(anwari, "strong_aka") == [
        "محمد طاهر أنوري",  # NAME_ORIGINAL_SCRIPT
        "Mohammad Taher Anwari",
        "Muhammad Tahir Anwari",
        "Mohammad Tahre Anwari",
    ]
    assert names_of_kind(anwari, "weak_aka") == ["Haji Mudir"]
    assert anwari.properties["title"] == ["Mullah"]
    assert anwari.properties["position"] == [
        "a) Director of Administrative Affairs under the Taliban regime",
        "Minister of Finance under the Taliban regime",
    ]
    assert anwari.programs == ["Taliban"]
    assert anwari.listed_on == "2001-02-23"
    assert anwari.modified_on == "2011-11-29"  # the latest of four LAST_DAY_UPDATED values
    assert anwari.nationalities == ["AF"]
    assert anwari.birth_dates == ["1961"]
    assert anwari.birth_places == ["Zurmat District, Paktia Province, Afghanistan"]
    assert anwari.addresses == []  # an empty <COUNTRY/> is no address


def test_documents_and_alias_birth_data(entities: dict[str, Entity]) -> None:
    lakhal = entities["111796"]
    [national_id] = [i for i in lakhal.identifiers if i.type != "other"]
    assert (national_id.type, national_id.value, national_id.country) == (
        "idNumber",
        "W374031",
        "TN",
    )
    assert national_id.note == "National Identification Number; issued 2011-04-11"
    assert lakhal.birth_dates == ["1969-02-05", "1970-02-05"]
    assert lakhal.birth_places == ["Tripoli, Libya", "Tunis, Tunisia"]


def test_between_dates_expand(entities: dict[str, Entity]) -> None:
    ntaganda = entities["6908021"]
    assert ntaganda.birth_dates == ["1973", "1974"]  # BETWEEN 1973 and 1974
    assert names_of_kind(ntaganda, "weak_aka")[:2] == ["Lydia", "Terminator"]
    assert ntaganda.modified_on == "2023-03-01"


def test_timezone_dates(entities: dict[str, Entity]) -> None:
    assert entities["6908451"].listed_on == "2015-03-27"  # written "2015-03-27-04:00"


def test_entity_with_relationships(entities: dict[str, Entity]) -> None:
    adf = entities["6908402"]
    assert adf.schema == "Organization"
    assert adf.caption == "ADF"
    assert names_of_kind(adf, "strong_aka") == ["Allied Democratic Forces"]
    assert names_of_kind(adf, "fka") == [
        "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda",
        "ADF/NALU",
        "NALU",
    ]
    assert adf.modified_on == "2020-08-19"
    [address] = adf.addresses
    assert (address.region, address.country) == ("North Kivu", "CD")
    related = [(r.type, r.target_id, r.target_name, r.note) for r in adf.relationships]
    assert related == [
        ("related", "un_sc_sanctions:6908005", "JAMIL MUKULU", "CDi.015"),
        ("related", "un_sc_sanctions:6908834", "SEKA BALUKU", "CDi.036"),
    ]


def test_company_entity(entities: dict[str, Entity]) -> None:
    komid = entities["690735"]
    assert komid.caption == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert komid.schema == "Company"
    assert komid.programs == ["DPRK"]
    assert '"KOMID"' in names_of_kind(komid, "strong_aka")
    [address] = komid.addresses
    assert (address.street, address.city, address.country) == (
        "Central District",
        "Pyongyang",
        "KP",
    )


def test_explicit_dataset(data_dir: Path) -> None:
    path = snapshot(data_dir, "2025-04-19")
    assert un_xml.parse([path], dataset="un_sc_sanctions").dataset == "un_sc_sanctions"
    with pytest.raises(SourceError, match="us_ofac_sdn"):
        un_xml.parse([path], dataset="us_ofac_sdn")


# --- format detection -----------------------------------------------------------------------


def test_sniff_only_claims_un_files(data_dir: Path) -> None:
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            expected = path.parts[-3] == "un_sc"
            assert un_xml.sniff(path, read_head(path)) is expected, path


# --- bad input ------------------------------------------------------------------------------

MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-01-28T00:00:11.197Z">
  <INDIVIDUALS>
    <INDIVIDUAL>
      <DATAID>1</DATAID>
      <FIRST_NAME>ANNA</FIRST_NAME>
      <SECOND_NAME>MÜLLER</SECOND_NAME>
      <UN_LIST_TYPE>Test</UN_LIST_TYPE>
      <REFERENCE_NUMBER>XXi.001</REFERENCE_NUMBER>
      <LISTED_ON>2020-01-01</LISTED_ON>
      <INDIVIDUAL_DOCUMENT>
        <TYPE_OF_DOCUMENT>Numéro de passeport </TYPE_OF_DOCUMENT>
        <NUMBER>P-1</NUMBER>
        <ISSUING_COUNTRY>Côte d'Ivoire</ISSUING_COUNTRY>
      </INDIVIDUAL_DOCUMENT>
      <INDIVIDUAL_DATE_OF_BIRTH>
        <TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE>
        <FROM_YEAR>1940</FROM_YEAR>
        <TO_YEAR>1960</TO_YEAR>
      </INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DATE_OF_BIRTH>
        <TYPE_OF_DATE>EXACT</TYPE_OF_DATE>
        <NOTE>Nov. 1973</NOTE>
      </INDIVIDUAL_DATE_OF_BIRTH>
    </INDIVIDUAL>
    <INDIVIDUAL>
      <DATAID>2</DATAID>
      <FIRST_NAME>BEN</FIRST_NAME>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <DATAID>3</DATAID>
      <FIRST_NAME>ALPHA TRADING LLC ; BETA GROUP</FIRST_NAME>
      <COMMENTS1>Owned by Anna Müller (XXi.001).</COMMENTS1>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>
"""


def write(tmp_path: Path, text: str, name: str = "consolidated.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_document(tmp_path: Path) -> None:
    parsed = un_xml.parse([write(tmp_path, MINIMAL)])
    anna, ben, alpha = parsed.entities
    assert [(i.type, i.value, i.country) for i in anna.identifiers if i.type != "other"] == [
        ("passportNumber", "P-1", "CI")
    ]
    assert anna.birth_dates == ["1940", "1960", "1973-11"]  # a 20-year range keeps its ends
    assert ben.caption == "BEN" and ben.names[0].last_name is None
    assert alpha.schema == "Company"
    assert names_of_kind(alpha, "strong_aka") == ["ALPHA TRADING LLC", "BETA GROUP"]
    [link] = alpha.relationships
    assert (link.target_id, link.target_name) == ("un_sc_sanctions:1", "ANNA MÜLLER")


def test_malformed_entry_names_record_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("<DATAID>2</DATAID>", ""))
    with pytest.raises(SourceError) as info:
        un_xml.parse([path])
    assert info.value.field == "DATAID"
    assert info.value.record == "/CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL[2]"
    assert info.value.line == 26  # the <INDIVIDUAL> start tag
    parsed = un_xml.parse([path], skip_bad_rows=True)
    assert parsed.skipped_rows == 1
    assert [e.source_id for e in parsed.entities] == ["1", "3"]

    path = write(tmp_path, MINIMAL.replace("<FIRST_NAME>BEN</FIRST_NAME>", ""))
    with pytest.raises(SourceError) as info:
        un_xml.parse([path])
    assert (info.value.field, info.value.record) == ("FIRST_NAME", "INDIVIDUAL DATAID=2")


def test_duplicate_dataid_warns(tmp_path: Path) -> None:
    parsed = un_xml.parse(
        [write(tmp_path, MINIMAL.replace("<DATAID>3</DATAID>", "<DATAID>2</DATAID>"))]
    )
    assert [e.source_id for e in parsed.entities] == ["1", "2"]
    assert any("duplicate DATAID 2" in w for w in parsed.warnings)


def test_truncated_file(data_dir: Path, tmp_path: Path) -> None:
    data = snapshot(data_dir, "2026-01-28").read_bytes()
    path = tmp_path / "consolidated.xml"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(SourceError) as info:
        un_xml.parse([path])
    assert info.value.file == str(path)
    assert info.value.line is not None


def test_ofac_file_is_not_un(data_dir: Path) -> None:
    ofac_path = data_dir / "ofac_consolidated" / "2026-01-08" / "consolidated.xml"
    assert not un_xml.sniff(ofac_path, read_head(ofac_path))
    with pytest.raises(SourceError, match="not a UN consolidated list"):
        un_xml.parse([ofac_path])


def test_empty_missing_and_badly_encoded(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        un_xml.parse([write(tmp_path, "", "empty.xml")])
    with pytest.raises(SourceError):
        un_xml.parse([tmp_path / "missing.xml"])
    latin = tmp_path / "latin.xml"
    latin.write_bytes(MINIMAL.encode("latin-1", errors="replace"))
    with pytest.raises(SourceError) as info:
        un_xml.parse([latin])
    assert info.value.file == str(latin)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&g;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&xxe;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""

PADDING = "<!--" + "x" * 70_000 + "-->\n"


def _late(doc: str) -> str:
    return doc.replace('<?xml version="1.0"?>\n', '<?xml version="1.0"?>\n' + PADDING, 1)


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, _late(BILLION_LAUGHS)], ids=["head", "late"])
def test_billion_laughs_refused(doc: str, tmp_path: Path) -> None:
    path = write(tmp_path, doc)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(HostileInputError) as info:
        un_xml.parse([path])
    assert time.perf_counter() - start < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000
    assert info.value.file == str(path)


@pytest.mark.parametrize("late", [False, True], ids=["head", "late"])
def test_external_entity_refused(late: bool, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    for doc in (XXE, XXE.replace("file:///etc/passwd", secret.as_uri())):
        path = write(tmp_path, _late(doc) if late else doc)
        with pytest.raises(HostileInputError) as info:
            un_xml.parse([path])
        assert "root:" not in str(info.value)
        assert "TOP-SECRET" not in str(info.value)


# --- property test: mutated real excerpt ----------------------------------------------------


def _excerpt(path: Path) -> bytes:
    data = path.read_bytes()
    start = data.index(b"<DATAID>6907995</DATAID>")
    cut = data.index(b"</INDIVIDUAL>", start) + len(b"</INDIVIDUAL>")
    return data[:cut] + b"\n</INDIVIDUALS>\n</CONSOLIDATED_LIST>\n"


def test_excerpt_parses(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "excerpt.xml"
    path.write_bytes(_excerpt(snapshot(data_dir, "2026-01-28")))
    parsed = un_xml.parse([path])
    assert [e.source_id for e in parsed.entities] == ["6907993", "6907994", "6907995"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_excerpt_raises_only_typed_errors(data_dir: Path, data: st.DataObject) -> None:
    inserts = [b"<", b"&", b"]]>", b"<INDIVIDUAL>", b"\x00", b"\xc3", b"<!DOCTYPE", b"<sdnList>"]
    excerpt = bytearray(_excerpt(snapshot(data_dir, "2026-01-28")))
    blob = damage(data, excerpt, inserts, refill=b"<")
    head = Path("consolidated.xml"), blob[:8192]
    if un_xml.sniff(*head):
        assert ofac_xml.sniff(*head) is False
    parse_bytes_raises_only_typed_errors(un_xml, blob, "consolidated.xml")


@settings(max_examples=40, deadline=None)
@given(blob=st.binary(max_size=2000))
def test_random_bytes_raise_only_typed_errors(blob: bytes) -> None:
    parse_bytes_raises_only_typed_errors(un_xml, blob, "consolidated.xml")
