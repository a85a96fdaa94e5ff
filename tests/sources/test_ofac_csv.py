"""OFAC legacy CSV set (sdn/alt/add/sdn_comments) on the real snapshots, plus hostile input."""

from __future__ import annotations

import contextlib
import csv
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctrace.errors import SanctraceError, SourceError
from sanctrace.model.entity import Entity
from sanctrace.sources import detect_format, ofac_csv
from sanctrace.sources.base import MAX_FIELD_CHARS, ParsedList, read_head

KUPOL = "JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL"


def _by_id(result: ParsedList) -> dict[str, Entity]:
    return {e.source_id: e for e in result.entities}


def _raw_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="cp1252", newline="") as fh:
        return [row for row in csv.reader(fh) if len(row) > 1]


@pytest.fixture(scope="module")
def sdn2024(data_dir: Path) -> ParsedList:
    return ofac_csv.parse([data_dir / "ofac_sdn/2024-05-03/sdn.csv"])


@pytest.fixture(scope="module")
def set2021(data_dir: Path) -> ParsedList:
    return ofac_csv.parse([data_dir / "ofac_sdn/2021-07-07/sdn.csv"])


@pytest.fixture(scope="module")
def set2022(data_dir: Path) -> ParsedList:
    folder = data_dir / "ofac_sdn/2022-01-31"
    return ofac_csv.parse([folder / "add.csv", folder / "alt.csv", folder / "sdn.csv"])


# --- counts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "count"),
    [
        ("ofac_sdn_history/2023-10-27", 13_177),
        ("ofac_sdn_history/2023-10-31", 13_092),
        ("ofac_sdn_history/2023-11-02", 13_320),
        ("ofac_sdn_history/2024-04-26", 14_668),
        ("ofac_sdn_history/2024-05-01", 14_966),
    ],
)
def test_history_counts(data_dir: Path, folder: str, count: int) -> None:
    _check_count(ofac_csv.parse([data_dir / folder / "sdn.csv"]), count)


def test_snapshot_counts(sdn2024: ParsedList, set2021: ParsedList, set2022: ParsedList) -> None:
    _check_count(sdn2024, 14_965)
    _check_count(set2021, 8_976)
    _check_count(set2022, 9_043)  # 9,044 rows, one ent_num twice


def _check_count(result: ParsedList, count: int) -> None:
    assert len(result.entities) == count
    assert len({e.id for e in result.entities}) == count
    assert result.dataset == "us_ofac_sdn"
    assert result.format == "ofac_csv"
    assert result.published is None
    assert result.skipped_rows == 0


def test_2024_has_no_side_files(sdn2024: ParsedList) -> None:
    assert [p.name for p in sdn2024.files] == ["sdn.csv"]
    # 18 remarks cells reach OFAC's 1,000-character cut; their sdn_comments.csv is not at hand.
    assert len(sdn2024.warnings) == 18
    assert all("cut at 1000 characters" in w for w in sdn2024.warnings)
    assert sum("last fact is ignored" in w for w in sdn2024.warnings) == 17  # 42496 ends in ";"
    hacker = _by_id(sdn2024)["47682"]
    assert hacker.remarks is not None and hacker.remarks.endswith("a.k.a. '@")
    assert "@" not in {n.value for n in hacker.names}  # the cut-off last alias is dropped
    assert "@AL3XL7" in {n.value for n in hacker.names}
    schemas = Counter(e.schema for e in sdn2024.entities)
    assert schemas["Person"] == 6_854
    assert schemas["Vessel"] == 851
    assert schemas["Aircraft"] == 376
    assert schemas["Company"] + schemas["Organization"] == 6_884
    kinds = Counter(n.kind for e in sdn2024.entities for n in e.names)
    assert kinds["primary"] == 14_965
    assert kinds["strong_aka"] == 0  # no alt.csv: only the remarks' low-quality a.k.a.s
    assert kinds["weak_aka"] > 3_000


# --- the 2024 file, field by field --------------------------------------------------------------


def test_kupol_company(sdn2024: ParsedList) -> None:
    kupol = _by_id(sdn2024)["46431"]
    assert kupol.id == "us_ofac_sdn:46431"
    assert kupol.schema == "Company"
    assert kupol.caption == KUPOL
    assert kupol.programs == ["RUSSIA-EO14024"]
    assert kupol.incorporation_dates == ["2002-04-23", "1957"]
    assert kupol.properties["website"] == ["www.kupol.ru"]
    idents = {(i.type, i.value, i.country) for i in kupol.identifiers}
    assert ("taxNumber", "1831083343", "RU") in idents
    assert ("innCode", "1831083343", "RU") in idents
    assert ("ogrnCode", "1021801143374", "RU") in idents
    assert ("okpoCode", "07502963", "RU") in idents
    assert kupol.remarks is not None and kupol.remarks.startswith("Website www.kupol.ru;")


def test_linked_to_kupol_resolves(data_dir: Path, sdn2024: ParsedList) -> None:
    raw = _raw_rows(data_dir / "ofac_sdn/2024-05-03/sdn.csv")
    linking = {r[0] for r in raw if f"Linked To: {KUPOL}" in r[11]}
    assert linking == {"46437", "46441", "46442"}
    entities = _by_id(sdn2024)
    for ent_num in linking:
        rels = [r for r in entities[ent_num].relationships if r.type == "linked_to"]
        assert [(r.target_name, r.target_id) for r in rels] == [(KUPOL, "us_ofac_sdn:46431")]


def test_linked_to_at_end_of_remarks_keeps_name_with_final_dot(sdn2024: ParsedList) -> None:
    # "...; Linked To: PROMO RAIZ S.A.S." ends the field: the final "." is the name's own.
    resolved = [r for e in sdn2024.entities for r in e.relationships if r.type == "linked_to"]
    assert len(resolved) > 6_000
    unresolved = {r.target_name for r in resolved if r.target_id is None}
    # Targets that are not SDN entries (SSI-list companies) stay unresolved, and so do names two
    # entries share when the programmes do not tell them apart.
    assert unresolved == {
        "GAZPROMBANK JOINT STOCK COMPANY",
        "OPEN JOINT-STOCK COMPANY ROSNEFT OIL COMPANY",
        "PRESIDENCY OF DEFENSE INDUSTRIES",
        "PUBLIC JOINT STOCK COMPANY GAZPROM",
        "MINISTRY OF STATE SECURITY",  # 20129 (DPRK3) and 25437 (CAATSA - RUSSIA)
        "SMILE PROPERTY & TRAVEL LTD",  # two SDNTK entries
    }
    entities = _by_id(sdn2024)
    for rel in resolved:
        if rel.target_id:
            assert entities[rel.target_id.split(":")[1]].caption == rel.target_name


def test_person(sdn2024: ParsedList) -> None:
    person = _by_id(sdn2024)["16662"]
    assert person.schema == "Person"
    primary = person.names[0]
    assert (primary.value, primary.kind) == ("SLUTSKY, Leonid Eduardovich", "primary")
    assert (primary.last_name, primary.first_name) == ("SLUTSKY", "Leonid Eduardovich")
    assert person.birth_dates == ["1968-01-04"]
    assert person.birth_places == ["Moscow, Russia"]
    assert person.nationalities == ["RU"]
    assert person.gender == "male"
    assert person.programs == ["UKRAINE-EO13661", "RUSSIA-EO14024"]
    assert person.properties["position"] == [
        "Member of the State Duma of the Federal Assembly of the Russian Federation"
    ]
    assert person.properties["sanctionsInfo"][0].startswith(
        "Secondary sanctions risk: Ukraine-/Russia"
    )


def test_vessel(sdn2024: ParsedList) -> None:
    entities = _by_id(sdn2024)
    vessel = entities["15036"]
    assert vessel.schema == "Vessel"
    idents = {(i.type, i.value) for i in vessel.identifiers}
    assert idents == {("callSign", "T2EU4"), ("imoNumber", "IMO 9187629"), ("mmsi", "572469210")}
    assert vessel.properties["type"] == ["Crude/Oil Products Tanker"]
    assert vessel.properties["tonnage"] == ["99144"]
    assert vessel.properties["grossRegisteredTonnage"] == ["56068"]
    assert vessel.properties["flag"] == ["IR"]
    assert vessel.properties["pastFlags"] == ["MT", "TV", "TZ"]
    assert vessel.countries == ["IR"]
    assert [(n.value, n.kind) for n in vessel.names] == [("ARTAVIL", "primary"), ("ALPHA", "fka")]
    (rel,) = vessel.relationships
    assert (rel.type, rel.target_name) == ("linked_to", "NATIONAL IRANIAN TANKER COMPANY")
    assert rel.target_id == "us_ofac_sdn:15117"
    assert entities["15117"].caption == "NATIONAL IRANIAN TANKER COMPANY"

    tug = entities["4238"]
    assert [(r.type, r.target_name, r.target_id) for r in tug.relationships] == [
        ("owned_by", "Samir de Navegacion S.A.", None)
    ]
    assert tug.properties["flag"] == ["CU"]


def test_aircraft(sdn2024: ParsedList) -> None:
    aircraft = _by_id(sdn2024)["15431"]
    assert aircraft.schema == "Aircraft"
    assert ("serialNumber", "1023409321") in {(i.type, i.value) for i in aircraft.identifiers}
    assert aircraft.properties["model"] == ["IL76-TD"]
    assert aircraft.properties["buildDate"] == ["1992"]
    rels = {(r.type, r.target_name, r.note) for r in aircraft.relationships}
    assert ("related", "YAS AIR", "operator") in rels
    assert any(r.target_id == "us_ofac_sdn:13109" for r in aircraft.relationships)


def test_weak_aliases_from_remarks(sdn2024: ParsedList) -> None:
    entities = _by_id(sdn2024)
    bank = entities["306"]
    assert bank.schema == "Company"  # BANCO is a legal-form word
    assert [(n.value, n.kind) for n in bank.names] == [
        ("BANCO NACIONAL DE CUBA", "primary"),
        ("BNC", "weak_aka"),
    ]
    # Apostrophes inside a quoted alias belong to the name.
    names = {n.value for e in sdn2024.entities for n in e.names}
    assert "ABU-'UMAR" in names


def test_every_entity_keeps_raw_remarks(data_dir: Path, sdn2024: ParsedList) -> None:
    raw = {r[0]: r[11].strip() for r in _raw_rows(data_dir / "ofac_sdn/2024-05-03/sdn.csv")}
    for entity in sdn2024.entities:
        expected = raw[entity.source_id]
        assert entity.remarks == (None if expected == "-0-" else expected)


# --- the 2021 set: alt, add, comments -----------------------------------------------------------


def test_2021_picks_up_siblings(set2021: ParsedList) -> None:
    assert [p.name for p in set2021.files] == ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]
    assert set2021.warnings == []


def test_2021_aliases_attached(data_dir: Path, set2021: ParsedList) -> None:
    rows = _raw_rows(data_dir / "ofac_sdn/2021-07-07/alt.csv")
    assert len(rows) == 11_910
    entities = _by_id(set2021)
    kinds = {"aka": "strong_aka", "fka": "fka", "nka": "strong_aka"}
    for ent_num, _alt_num, alt_type, alt_name, _remarks in rows:
        names = {(n.value, n.kind) for n in entities[ent_num].names}
        assert (" ".join(alt_name.split()), kinds[alt_type]) in names
    # Two rows repeat a name already given for the same entry (8407, 16448).
    distinct = {(r[0], r[2], " ".join(r[3].split())) for r in rows}
    assert len(distinct) == 11_908


def test_2021_addresses(data_dir: Path, set2021: ParsedList) -> None:
    rows = _raw_rows(data_dir / "ofac_sdn/2021-07-07/add.csv")
    assert len(rows) == 13_837
    empty = [r for r in rows if all(c.strip() == "-0-" for c in r[2:5])]
    assert len(empty) == 2_397  # rows with no street, city or country at all
    assert sum(len(e.addresses) for e in set2021.entities) == 13_837 - 2_397
    bank = _by_id(set2021)["306"]
    assert [a.country for a in bank.addresses] == ["CH", "ES", "JP", "PA"]
    assert bank.addresses[0].full == "Zweierstrasse 35, Zurich CH-8022, Switzerland"
    assert bank.addresses[0].city == "Zurich CH-8022"
    assert bank.countries == ["CH", "ES", "JP", "PA"]
    assert ("NATIONAL BANK OF CUBA", "strong_aka") in {(n.value, n.kind) for n in bank.names}


def test_2021_comments_continue_remarks(set2021: ParsedList) -> None:
    entity = _by_id(set2021)["12300"]
    assert entity.remarks is not None
    assert "Linked To: PROMO RAIZ S.A.S.; Linked To: RED MUNDIAL" in entity.remarks
    rels = {r.target_name: r.target_id for r in entity.relationships}
    assert rels["PROMO RAIZ S.A.S."] == "us_ofac_sdn:12396"
    assert rels["R D I S.A."] == "us_ofac_sdn:12904"  # last fact, from sdn_comments.csv
    assert len(rels) == 25


def test_2021_crypto_wallets(set2021: ParsedList) -> None:
    entity = _by_id(set2021)["28263"]
    wallets = [i for i in entity.identifiers if i.type == "cryptoWallet"]
    assert len(wallets) == 8
    assert (wallets[0].value, wallets[0].note) == ("134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak", "XBT")
    assert {(n.value, n.kind) for n in entity.names[1:]} == {
        ("tianyinyin0404", "weak_aka"),
        ("snowsjohn", "weak_aka"),
    }
    assert entity.properties["email"] == ["417136259@qq.com"]
    assert entity.properties["phone"] == ["8613621583465"]
    assert ("idNumber", "321284198607120616", "CN") in {
        (i.type, i.value, i.country) for i in entity.identifiers
    }


# --- the 2022 set: duplicates and orphans -------------------------------------------------------


def test_2022_duplicate_and_orphan(data_dir: Path, set2022: ParsedList) -> None:
    assert len(set2022.entities) == 9_043
    assert [p.name for p in set2022.files] == ["sdn.csv", "alt.csv", "add.csv"]
    dup = [w for w in set2022.warnings if "duplicate" in w]
    assert len(dup) == 1
    assert "sdn.csv" in dup[0] and "line 9044" in dup[0] and "2677" in dup[0]
    orphan = [w for w in set2022.warnings if "unknown ent_num" in w]
    assert len(orphan) == 1
    assert "add.csv" in orphan[0] and "34489" in orphan[0] and "line 13625" in orphan[0]
    kept = _by_id(set2022)["2677"]
    assert kept.caption == "AL-ZOMOR, Abboud Abdul Latif Hassan"  # the first row is kept
    assert kept.provenance.record == "57"


def test_2022_addresses(data_dir: Path, set2022: ParsedList) -> None:
    rows = _raw_rows(data_dir / "ofac_sdn/2022-01-31/add.csv")
    assert len(rows) == 13_625
    empty = [r for r in rows if all(c.strip() == "-0-" for c in r[2:5])]
    assert len(empty) == 2_328
    # every non-empty row is attached, except the one for the missing entry 34489
    assert sum(len(e.addresses) for e in set2022.entities) == 13_625 - 2_328 - 1


def test_2022_aliases(data_dir: Path, set2022: ParsedList) -> None:
    rows = _raw_rows(data_dir / "ofac_sdn/2022-01-31/alt.csv")
    assert len(rows) == 12_409
    entities = _by_id(set2022)
    kinds = {"aka": "strong_aka", "fka": "fka", "nka": "strong_aka"}
    for ent_num, _alt_num, alt_type, alt_name, _remarks in rows:
        assert (" ".join(alt_name.split()), kinds[alt_type]) in {
            (n.value, n.kind) for n in entities[ent_num].names
        }
    assert ("Another name", "strong_aka") in {(n.value, n.kind) for n in entities["34111"].names}


def test_path_order_does_not_matter(data_dir: Path, set2022: ParsedList) -> None:
    alone = ofac_csv.parse([data_dir / "ofac_sdn/2022-01-31/sdn.csv"])
    assert alone.entities == set2022.entities
    assert alone.warnings == set2022.warnings


# --- roles, datasets, sniffing ------------------------------------------------------------------


def test_roles_by_shape_and_consolidated_names(data_dir: Path, tmp_path: Path) -> None:
    src = data_dir / "ofac_sdn/2021-07-07"
    _copy_lines(src / "sdn.csv", tmp_path / "main_list.csv", 100)
    _copy_lines(src / "alt.csv", tmp_path / "aliases.csv", 40)
    result = ofac_csv.parse([tmp_path / "aliases.csv", tmp_path / "main_list.csv"])
    assert len(result.entities) == 100
    assert ("NATIONAL BANK OF CUBA", "strong_aka") in {
        (n.value, n.kind) for n in _by_id(result)["306"].names
    }

    cons = tmp_path / "cons"
    cons.mkdir()
    _copy_lines(src / "sdn.csv", cons / "CONS_PRIM.CSV", 100)
    _copy_lines(src / "add.csv", cons / "cons_add.csv", 40)
    result = ofac_csv.parse([cons / "CONS_PRIM.CSV"])
    assert result.dataset == "us_ofac_cons"
    assert [p.name for p in result.files] == ["CONS_PRIM.CSV", "cons_add.csv"]
    assert result.entities[0].id.startswith("us_ofac_cons:")

    forced = ofac_csv.parse([cons / "CONS_PRIM.CSV"], dataset="us_ofac_sdn")
    assert forced.entities[0].id.startswith("us_ofac_sdn:")
    with pytest.raises(SourceError, match="unknown dataset"):
        ofac_csv.parse([cons / "CONS_PRIM.CSV"], dataset="eu_fsf")


def test_sniff(data_dir: Path, tmp_path: Path) -> None:
    for name in (
        "2024-05-03/sdn.csv",
        "2022-01-31/sdn.csv",
        "2021-07-07/alt.csv",
        "2021-07-07/add.csv",
        "2022-01-31/add.csv",
        "2021-07-07/sdn_comments.csv",
    ):
        path = data_dir / "ofac_sdn" / name
        assert ofac_csv.sniff(path, read_head(path)), name
    for other in (
        "uk/ofsi_conlist_2020_excerpt/ConList.csv",
        "un_sc/2025-04-19/consolidated.xml",
        "chpl/chpl_hs6_tiers.csv",
        "chpl/hs2022_harmonized-system.csv",
        "name_matching/watchman_cross_script_pairs.csv",
    ):
        path = data_dir / other
        assert not ofac_csv.sniff(path, read_head(path)), other
    csl = tmp_path / "csl.csv"
    csl.write_text("_id,source,entity_number,type,programs,name\n1,SDN,36,Entity,CUBA,X\n")
    assert not ofac_csv.sniff(csl, read_head(csl))
    assert not ofac_csv.sniff(csl, b"\xff\xfe\x00garbage")
    assert not ofac_csv.sniff(csl, b"")
    assert detect_format(data_dir / "ofac_sdn/2024-05-03/sdn.csv") == "ofac_csv"


def test_sniff_long_first_line(tmp_path: Path) -> None:
    line = '36,"LONG NAME",-0- ,"CUBA",' + ",".join(["-0- "] * 7) + ',"' + "x" * 9000 + '"\r\n'
    path = tmp_path / "sdn.csv"
    path.write_text(line, encoding="cp1252")
    assert ofac_csv.sniff(path, read_head(path))


# --- remarks ------------------------------------------------------------------------------------


def test_split_remarks() -> None:
    assert ofac_csv.split_remarks("a.k.a. 'A; B'; DOB 1960; Linked To: X S.A.") == [
        "a.k.a. 'A; B'",
        "DOB 1960",
        "Linked To: X S.A",
    ]
    assert ofac_csv.split_remarks("a.k.a. 'ABU-'UMAR'; f.k.a. ''ALI'.") == [
        "a.k.a. 'ABU-'UMAR'",
        "f.k.a. ''ALI'",
    ]
    assert ofac_csv.split_remarks("Ba'th party member; a.k.a. 'X") == [
        "Ba'th party member",
        "a.k.a. 'X",
    ]
    assert ofac_csv.split_remarks("  ;; ") == []


def _write_set(folder: Path, sdn_rows: list[str], alt_rows: list[str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sdn.csv").write_bytes(("\r\n".join(sdn_rows) + "\r\n\x1a").encode("cp1252"))
    if alt_rows is not None:
        (folder / "alt.csv").write_bytes(("\r\n".join(alt_rows) + "\r\n").encode("cp1252"))
    return folder / "sdn.csv"


def _row(ent: str, name: str, kind: str = "-0- ", remarks: str = "-0- ") -> str:
    rem = remarks if remarks == "-0- " else f'"{remarks}"'
    return f'{ent},"{name}",{kind},"SDGT] [IFSR",' + ",".join(["-0- "] * 7) + f",{rem}"


def test_remarks_facts(tmp_path: Path) -> None:
    remarks = (
        "DOB 12 Jan 1960; alt. DOB circa 1962; POB Tehran, Iran; nationality Iran; "
        "alt. citizen Iraq; Gender Female; Passport A123 (Iran) issued 01 Jan 2000 expires "
        "01 Jan 2010; National ID No. 555 (Iran); Email Address a@b.ir; a.k.a. 'X; Y'; "
        "Linked To: ACME LLC."
    )
    path = _write_set(
        tmp_path / "s",
        [
            _row("1", "DOE, Jane Ann", "individual", remarks),
            _row("2", "ACME LLC"),
            _row(
                "3",
                "SOME HOLDER",
                remarks="Legal Entity Number 5299007BJ0JWBN3WVQ35; "
                "SWIFT/BIC ABCDRUMM; Unified Social Credit Code (USCC) 9111 (China); "
                "Vessel Registration Identification IMO 1234567",
            ),
            _row(
                "4",
                "HELPERS",
                remarks="Target Type Charity or Nonprofit Organization; Tax ID No. 7701 (Russia)",
            ),
            _row("5", "ANOTHER ONE", remarks="Tax ID No. 7701234567 (Russia)"),
        ],
        ['1,10,aka,"ROE, Janet",-0- ', '1,11,"aka","ROE, J.","weak"', "1,12,nka,NEW NAME,-0- "],
    )
    entities = _by_id(ofac_csv.parse([path]))
    doe = entities["1"]
    assert doe.programs == ["SDGT", "IFSR"]
    assert doe.birth_dates == ["1960-01-12", "1962"]
    assert doe.birth_places == ["Tehran, Iran"]
    assert (doe.nationalities, doe.citizenships, doe.gender) == (["IR"], ["IQ"], "female")
    passport = next(i for i in doe.identifiers if i.type == "passportNumber")
    assert (passport.value, passport.country) == ("A123", "IR")
    assert passport.note == "Passport; issued 2000-01-01; expires 2010-01-01"
    assert ("idNumber", "555", "IR") in {(i.type, i.value, i.country) for i in doe.identifiers}
    assert doe.properties["email"] == ["a@b.ir"]
    assert [(n.value, n.kind) for n in doe.names] == [
        ("DOE, Jane Ann", "primary"),
        ("X; Y", "weak_aka"),
        ("ROE, Janet", "strong_aka"),
        ("ROE, J.", "weak_aka"),
        ("NEW NAME", "strong_aka"),
    ]
    assert (doe.names[2].last_name, doe.names[2].first_name) == ("ROE", "Janet")
    (rel,) = doe.relationships
    assert (rel.target_name, rel.target_id) == ("ACME LLC", "us_ofac_sdn:2")

    assert entities["2"].schema == "Company"
    front = entities["3"]
    assert front.schema == "Company"
    assert {(i.type, i.value) for i in front.identifiers} == {
        ("leiCode", "5299007BJ0JWBN3WVQ35"),
        ("swiftBic", "ABCDRUMM"),
        ("uscCode", "9111"),
        ("imoNumber", "IMO 1234567"),
    }
    assert entities["4"].schema == "Organization"
    assert entities["4"].properties["sector"] == ["Charity or Nonprofit Organization"]
    assert [i.type for i in entities["4"].identifiers] == ["taxNumber"]  # too short for an INN
    assert entities["5"].schema == "Company"
    assert [i.type for i in entities["5"].identifiers] == ["taxNumber", "innCode"]


def test_ambiguous_target_prefers_shared_program(tmp_path: Path) -> None:
    row_a = '10,"MINISTRY OF STATE SECURITY",-0- ,"DPRK",' + ",".join(["-0- "] * 8)
    row_b = '11,"MINISTRY OF STATE SECURITY",-0- ,"CUBA",' + ",".join(["-0- "] * 8)
    linker = '12,"SOMEONE",individual,"DPRK",' + ",".join(["-0- "] * 7)
    linker += ',"Linked To: MINISTRY OF STATE SECURITY."'
    other = '13,"NOBODY",individual,"IRAN",' + ",".join(["-0- "] * 7)
    other += ',"Linked To: MINISTRY OF STATE SECURITY."'
    entities = _by_id(ofac_csv.parse([_write_set(tmp_path, [row_a, row_b, linker, other])]))
    assert entities["12"].relationships[0].target_id == "us_ofac_sdn:10"
    assert entities["13"].relationships[0].target_id is None


# --- bad input ----------------------------------------------------------------------------------


def _copy_lines(src: Path, dest: Path, lines: int) -> bytes:
    data = b"".join(src.read_bytes().splitlines(keepends=True)[:lines])
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return data


def _copy_head(data_dir: Path, dest: Path, lines: int) -> bytes:
    return _copy_lines(data_dir / "ofac_sdn/2021-07-07/sdn.csv", dest, lines)


def test_truncated_file(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    data = _copy_head(data_dir, path, 40)
    path.write_bytes(data[: len(data) - 30])  # cut inside the last row
    with pytest.raises(SourceError) as info:
        ofac_csv.parse([path])
    assert info.value.file == str(path)
    assert info.value.line == 40
    assert info.value.field is not None
    result = ofac_csv.parse([path], skip_bad_rows=True)
    assert len(result.entities) == 39
    assert result.skipped_rows == 1
    assert any("line 40" in w for w in result.warnings)


def test_wrong_format(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes((data_dir / "un_sc/2025-04-19/consolidated.xml").read_bytes()[:5000])
    with pytest.raises(SourceError):
        ofac_csv.parse([path])
    conlist = tmp_path / "x" / "ConList.csv"
    conlist.parent.mkdir()
    shutil.copy(data_dir / "uk/ofsi_conlist_2020_excerpt/ConList.csv", conlist)
    with pytest.raises(SourceError, match="cannot tell"):
        ofac_csv.parse([conlist])


def test_bad_encoding_and_cp1252(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    data = _copy_head(data_dir, path, 10)
    lines = data.splitlines(keepends=True)
    lines[4] = lines[4].replace(b"CASA DE CUBA", b"CASA DE CUB\x81")  # not cp1252, not UTF-8
    lines[5] = lines[5].replace(b"CECOEX", b"C\xc9COEX")  # cp1252 E acute
    path.write_bytes(b"".join(lines))
    with pytest.raises(SourceError) as info:
        ofac_csv.parse([path])
    assert (info.value.line, info.value.field) == (5, "SDN_Name")
    result = ofac_csv.parse([path], skip_bad_rows=True)
    assert result.skipped_rows == 1
    assert len(result.entities) == 9
    assert _by_id(result)["480"].caption == "CÉCOEX, S.A."


def test_malformed_rows(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    data = _copy_head(data_dir, path, 10)
    lines = data.splitlines(keepends=True)
    lines[2] = b"X" + lines[2]  # non-integer ent_num
    lines[6] = b'999,"ONLY TWO"\r\n'  # wrong column count
    path.write_bytes(b"".join(lines))
    with pytest.raises(SourceError) as info:
        ofac_csv.parse([path])
    assert (info.value.line, info.value.field) == (3, "ent_num")
    result = ofac_csv.parse([path], skip_bad_rows=True)
    assert result.skipped_rows == 2
    assert len(result.entities) == 8
    assert any("line 7" in w and "SDN_Type" in w for w in result.warnings)


def test_comment_continues_mid_field(tmp_path: Path) -> None:
    path = _write_set(tmp_path, [_row("1", "DOE, John", "individual", "DOB 1960; POB ")])
    (tmp_path / "sdn_comments.csv").write_text("1,\"Paris, France; a.k.a. 'JD'.\"\r\n")
    (entity,) = ofac_csv.parse([path]).entities
    assert entity.remarks == "DOB 1960; POB Paris, France; a.k.a. 'JD'."
    assert entity.birth_places == ["Paris, France"]
    assert ("JD", "weak_aka") in {(n.value, n.kind) for n in entity.names}


def test_orphan_alias_and_comment(tmp_path: Path) -> None:
    path = _write_set(tmp_path, [_row("1", "A")], ["2,5,aka,B,-0- "])
    (tmp_path / "sdn_comments.csv").write_text('3,"more"\r\n')
    result = ofac_csv.parse([path])
    assert len(result.warnings) == 2
    assert all("unknown ent_num" in w for w in result.warnings)


def test_many_facts_stay_linear(tmp_path: Path) -> None:
    # Quadratic deduplication would take minutes here.
    many = 20_000
    remarks = "; ".join(f"Linked To: T{i}; SWIFT/BIC B{i}" for i in range(many)) + "."
    path = _write_set(
        tmp_path, [_row("1", "A", remarks=remarks)], [f"1,{i},aka,N{i},-0- " for i in range(many)]
    )
    (entity,) = ofac_csv.parse([path]).entities
    assert len(entity.relationships) == many
    assert len(entity.identifiers) == many
    assert len(entity.names) == many + 1


def test_huge_field(tmp_path: Path) -> None:
    path = _write_set(tmp_path, [_row("1", "A", remarks="x" * (MAX_FIELD_CHARS + 10))])
    with pytest.raises(SourceError, match="longer than") as info:
        ofac_csv.parse([path], skip_bad_rows=True)
    assert info.value.line == 1


def test_missing_and_empty_inputs(data_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found"):
        ofac_csv.parse([tmp_path / "sdn.csv"])
    with pytest.raises(SourceError, match="directory"):
        ofac_csv.parse([tmp_path])
    with pytest.raises(SourceError, match="no files"):
        ofac_csv.parse([])
    empty = tmp_path / "sdn.csv"
    empty.write_bytes(b"\x1a")
    with pytest.raises(SourceError, match="no entries"):
        ofac_csv.parse([empty])
    alt_only = tmp_path / "only" / "alt.csv"
    alt_only.parent.mkdir()
    shutil.copy(data_dir / "ofac_sdn/2021-07-07/alt.csv", alt_only)
    with pytest.raises(SourceError, match="no main file"):
        ofac_csv.parse([alt_only])


# --- property tests -----------------------------------------------------------------------------

_EXCERPT_LINES = 25


@pytest.fixture(scope="module")
def excerpt(data_dir: Path) -> tuple[bytes, bytes]:
    folder = data_dir / "ofac_sdn/2021-07-07"
    sdn = b"".join((folder / "sdn.csv").read_bytes().splitlines(keepends=True)[:_EXCERPT_LINES])
    alt = b"".join((folder / "alt.csv").read_bytes().splitlines(keepends=True)[:_EXCERPT_LINES])
    return sdn, alt


def _parse_bytes(sdn: bytes, alt: bytes | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "sdn.csv").write_bytes(sdn)
        if alt is not None:
            (folder / "alt.csv").write_bytes(alt)
        for skip in (False, True):
            with contextlib.suppress(SanctraceError):
                ofac_csv.parse([folder / "sdn.csv"], skip_bad_rows=skip)
        ofac_csv.sniff(folder / "sdn.csv", sdn[:8192])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_raise_only_typed_errors(data: bytes) -> None:
    _parse_bytes(data, data[::-1])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_snapshot_raises_only_typed_errors(
    data: st.DataObject, excerpt: tuple[bytes, bytes]
) -> None:
    sdn, alt = (bytearray(b) for b in excerpt)
    for target in (sdn, alt):
        for _ in range(data.draw(st.integers(0, 8))):
            pos = data.draw(st.integers(0, len(target) - 1))
            action = data.draw(st.sampled_from(["replace", "insert", "delete"]))
            byte = data.draw(st.sampled_from([0, 0x1A, 0x22, 0x2C, 0x0A, 0x27, 0x3B, 0x81, 0xFF]))
            if action == "replace":
                target[pos] = byte
            elif action == "insert":
                target.insert(pos, byte)
            else:
                del target[pos]
    cut = data.draw(st.integers(0, len(sdn)))
    _parse_bytes(bytes(sdn[:cut] if data.draw(st.booleans()) else sdn), bytes(alt))
