"""FtM JSON-lines and CSV export: valid FtM, round trip through ``sources.ftm``, CSV safety."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from homes import sanctrace
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctrace.export import entity_to_ftm, ftm_id, safe_cell, write_csv, write_ftm
from sanctrace.export.csv import COLUMNS
from sanctrace.export.ftm import PROPERTIES
from sanctrace.model.entity import Entity, Identifier, Provenance, Relationship
from sanctrace.sources import eu_fsf, ftm, us_csl

FIXTURES = Path(__file__).parent / "sources" / "fixtures"

#: FtM's entity id rule (followthemoney/types/entity.py).
FTM_ID = re.compile(r"^[0-9a-zA-Z]([0-9a-zA-Z\.\-]*[0-9a-zA-Z])?$")

#: Properties of the adjunct schemata, from the FtM schema YAML files.
_INTERVAL = {"startDate", "endDate", "date", "summary", "description", "recordId", "sourceUrl"}
ADJUNCT_PROPERTIES = {
    "Sanction": _INTERVAL
    | {
        "entity",
        "authority",
        "authorityId",
        "unscId",
        "program",
        "programId",
        "programUrl",
        "provisions",
        "status",
        "duration",
        "reason",
        "country",
        "listingDate",
    },
    "Identification": _INTERVAL | {"holder", "type", "country", "number", "authority"},
    "Passport": _INTERVAL | {"holder", "type", "country", "number", "authority", "passportNumber"},
    "Ownership": _INTERVAL | {"owner", "asset", "percentage", "role", "status", "ownershipType"},
    "UnknownLink": _INTERVAL | {"subject", "object", "role", "status"},
    "Family": _INTERVAL | {"person", "relative", "relationship"},
    "Associate": _INTERVAL | {"person", "associate", "relationship"},
    "CryptoWallet": PROPERTIES["CryptoWallet"],
}


@pytest.fixture(scope="module")
def entities() -> list[Entity]:
    eu = eu_fsf.parse([FIXTURES / "eu_fsf_sample.xml"]).entities
    csl = us_csl.parse([FIXTURES / "us_csl_sample.csv"]).entities
    imported = ftm.parse([FIXTURES / "ftm_sample.ftm.json"]).entities
    return eu + csl + imported


def _entity(**fields: object) -> Entity:
    base: dict[str, object] = {
        "id": "test_list:1",
        "schema": "Person",
        "caption": "Test Person",
        "provenance": Provenance(dataset="test_list", source_id="1", version="2025-01-01"),
    }
    base.update(fields)
    entity = Entity(**base)  # type: ignore[arg-type]
    if not entity.names:
        entity.add_name(entity.caption, "primary")
    return entity


def test_every_ftm_entity_is_schema_valid(entities: list[Entity]) -> None:
    seen: set[str] = set()
    for entity in entities:
        objs = entity_to_ftm(entity)
        assert objs[0]["target"] is True
        for obj in objs:
            assert FTM_ID.match(obj["id"]), obj["id"]
            assert obj["id"] not in seen
            seen.add(obj["id"])
            allowed = PROPERTIES.get(obj["schema"]) or ADJUNCT_PROPERTIES[obj["schema"]]
            assert set(obj["properties"]) <= allowed, (obj["schema"], set(obj["properties"]))
            for values in obj["properties"].values():
                assert values and all(isinstance(v, str) and v for v in values)
            assert obj["datasets"] == [entity.dataset]


def test_main_entity_and_sanction(entities: list[Entity]) -> None:
    person = next(e for e in entities if e.id == "eu_fsf:139062")
    main, *rest = entity_to_ftm(person)
    assert main["id"] == "eu-fsf-139062"
    assert main["schema"] == "Person"
    assert main["caption"] == "Ivan Sergeyevich Kolokolov"
    assert main["referents"] == ["eu_fsf:139062"]
    props = main["properties"]
    assert props["topics"] == ["sanction"]
    assert props["name"] == ["Ivan Sergeyevich Kolokolov"]
    assert props["alias"] == ["Иван Сергеевич Колоколов"]
    assert props["weakAlias"] == ["Vanya Kolokol"]
    assert props["citizenship"] == ["ru"]
    assert props["birthDate"] == ["1968-03-14"]
    assert props["innCode"] == ["165512345678"]
    assert props["position"] == ["Member of the State Duma"]
    sanction = next(o for o in rest if o["schema"] == "Sanction")
    assert sanction["id"] == "eu-fsf-139062-sanction"
    assert sanction["properties"]["entity"] == ["eu-fsf-139062"]
    assert sanction["properties"]["program"] == ["UKR"]
    assert sanction["properties"]["authority"] == ["European Union"]
    assert sanction["properties"]["authorityId"] == ["EU.7771.12"]
    assert sanction["properties"]["listingDate"] == ["2022-02-23"]
    assert len(sanction["properties"]["sourceUrl"]) == 2
    passport = next(o for o in rest if o["schema"] == "Passport")
    assert passport["properties"]["number"] == ["753123456"]
    assert passport["properties"]["country"] == ["ru"]


def test_csl_exports(entities: list[Entity]) -> None:
    vessel = next(e for e in entities if e.caption == "OCEAN PEARL STAR" and e.schema == "Vessel")
    main, *rest = entity_to_ftm(vessel)
    assert main["properties"]["imoNumber"] == ["IMO9301234"]
    assert main["properties"]["callSign"] == ["UBXY7"]
    assert main["properties"]["flag"] == ["ru"]
    ownership = next(o for o in rest if o["schema"] == "Ownership")
    assert ownership["properties"]["asset"] == [main["id"]]
    assert ownership["properties"]["owner"] == [ftm_id(vessel.relationships[0].target_id or "")]
    el = next(e for e in entities if e.caption == "Limited Liability Company Tekhnopromsnab")
    sanction = next(o for o in entity_to_ftm(el) if o["schema"] == "Sanction")
    assert sanction["properties"]["authority"] == [
        "Entity List (EL) - Bureau of Industry and Security"
    ]
    assert sanction["properties"]["provisions"] == [
        "Policy of denial for all items subject to the EAR apart from food and medicine "
        "designated as EAR99."
    ]


def test_relationship_entities() -> None:
    person = _entity(
        relationships=[
            Relationship(type="family", target_id="test_list:2", note="brother"),
            Relationship(type="associate", target_id="test_list:3"),
            Relationship(type="controlled_by", target_id="test_list:4"),
            Relationship(type="linked_to", target_name="Unresolved Name"),
        ]
    )
    schemata = [o["schema"] for o in entity_to_ftm(person)]
    assert schemata == ["Person", "Sanction", "Family", "Associate", "UnknownLink"]
    family = entity_to_ftm(person)[2]
    assert family["properties"] == {
        "person": ["test-list-1"],
        "relative": ["test-list-2"],
        "relationship": ["brother"],
    }


def test_aircraft_wallet_and_misplaced_identifiers() -> None:
    aircraft = _entity(schema="Aircraft", caption="RA-73000")
    aircraft.add_identifier("registrationMark", "RA-73000")
    aircraft.add_identifier("taxNumber", "123")
    main = entity_to_ftm(aircraft)[0]
    assert main["schema"] == "Airplane"
    assert main["properties"]["registrationNumber"] == ["RA-73000"]
    assert main["properties"]["notes"] == ["taxNumber: 123"]  # an Airplane has no tax number
    person = _entity()
    person.add_identifier("cryptoWallet", "0xabc", note="ETH")
    person.add_identifier("imoNumber", "IMO1234567")
    objs = entity_to_ftm(person)
    wallet = next(o for o in objs if o["schema"] == "CryptoWallet")
    assert wallet["properties"]["holder"] == ["test-list-1"]
    ident = next(o for o in objs if o["schema"] == "Identification")
    assert ident["properties"]["type"] == ["imoNumber"]


def test_ftm_ids() -> None:
    assert ftm_id("eu_fsf:139062") == "eu-fsf-139062"
    assert ftm_id("us_ofac_sdn:36012") == "us-ofac-sdn-36012"
    odd = [
        ftm_id("x:a b"),
        ftm_id("x:a-b"),
        ftm_id("x:a/b"),
        ftm_id("x:日本"),
        ftm_id("x:" + "9" * 300),
    ]
    assert len(set(odd)) == len(odd)
    for value in odd:
        assert FTM_ID.match(value) and len(value) <= 140, value


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80), st.text(min_size=1, max_size=80))
def test_ftm_ids_always_valid(dataset: str, source: str) -> None:
    assert FTM_ID.match(ftm_id(f"{dataset}:{source}"))


def test_round_trip(entities: list[Entity], tmp_path: Path) -> None:
    path = tmp_path / "out.ftm.json"
    with path.open("w", encoding="utf-8") as fh:
        lines = write_ftm(entities, fh)
    assert lines == len(path.read_text(encoding="utf-8").splitlines())
    for line in path.read_text(encoding="utf-8").splitlines():
        json.loads(line)
    back = {e.source_id: e for e in ftm.parse([path]).entities}
    # One more: the person holding a wallet gets a CryptoWallet entity of its own.
    assert len(back) == len(entities) + 1
    for entity in entities:
        other = back[ftm_id(entity.id)]
        assert other.schema == entity.schema
        assert other.caption == entity.caption
        assert sorted((n.value, n.kind) for n in other.names) == sorted(
            (n.value, n.kind) for n in entity.names
        )
        assert sorted((i.type, i.value, i.country) for i in other.identifiers) == sorted(
            (i.type, i.value, i.country) for i in entity.identifiers
        ), entity.id
        assert other.programs == entity.programs
        assert other.listed_on == entity.listed_on
        assert other.birth_dates == entity.birth_dates
        assert sorted(other.countries) == sorted(entity.countries)


def test_round_trip_keeps_single_dataset(tmp_path: Path) -> None:
    eu = eu_fsf.parse([FIXTURES / "eu_fsf_sample.xml"]).entities
    path = tmp_path / "eu.ftm.json"
    with path.open("w", encoding="utf-8") as fh:
        write_ftm(eu, fh)
    result = ftm.parse([path])
    assert result.dataset == "eu_fsf"
    # the FtM id is a slug (eu-fsf-139062); the record's own id comes back from `referents`
    assert result.entities[0].id == "eu_fsf:139062"
    assert [e.id for e in result.entities] == [e.id for e in eu]
    assert [e.programs for e in result.entities] == [e.programs for e in eu]


# --- CSV ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Ivan", "Ivan"),
        ("1968-03-14", "1968-03-14"),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_cell(value: str | None, expected: str) -> None:
    assert safe_cell(value) == expected


def test_csv_neutralises_formulas(tmp_path: Path) -> None:
    hostile = _entity(
        caption="=cmd|' /C calc'!A0",
        remarks="@SUM(1+1)*cmd|' /C calc'!A0",
        programs=["+RUSSIA"],
        provenance=Provenance(dataset="test_list", source_id="-1", version="2025-01-01"),
    )
    hostile.add_name("-Minus Alias", "strong_aka")
    hostile.birth_places.append("\tTabbed")
    hostile.identifiers.append(Identifier(type="other", value="x"))
    buf = io.StringIO(newline="")
    assert write_csv([hostile], buf) == 1
    rows = list(csv.reader(io.StringIO(buf.getvalue(), newline="")))
    assert rows[0] == list(COLUMNS)
    row = dict(zip(COLUMNS, rows[1], strict=True))
    assert row["caption"] == "'=cmd|' /C calc'!A0"
    assert row["remarks"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["programs"] == "'+RUSSIA"
    assert row["source_id"] == "'-1"
    assert row["aliases"] == "'-Minus Alias"
    assert row["birth_places"] == "'\tTabbed"
    for cell in rows[1]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_csv_columns(entities: list[Entity]) -> None:
    buf = io.StringIO(newline="")
    assert write_csv(entities, buf) == len(entities)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))
    assert len(rows) == len(entities)
    person = next(r for r in rows if r["id"] == "eu_fsf:139062")
    assert person["aliases"] == "Иван Сергеевич Колоколов"
    assert person["weak_aliases"] == "Vanya Kolokol"
    assert person["identifiers"] == (
        "passportNumber:753123456 (RU); taxNumber:165512345678 (RU); innCode:165512345678 (RU)"
    )
    assert person["programs"] == "UKR"
    assert person["version"] == "2025-06-20"
    assert person["dataset"] == "eu_fsf"
    assert person["source_id"] == "139062"


def test_ftm_export_names_the_sanctrace_id(bundled_home: Path, tmp_path: Path) -> None:
    """`lists export --format ftm`: each main entity's FtM id is the slug of its sanctrace id,
    which its `referents` hold; every reference points at an exported id; and the file read
    back gives the same `dataset:id` ids (us_ofac_sdn:46431, as everywhere else)."""
    path = tmp_path / "sdn.ftm.json"
    sanctrace(bundled_home, "lists", "export", "us_ofac_sdn", "--format", "ftm", "-o", str(path))
    objs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    mains = [o for o in objs if o["target"]]
    kupol = next(o for o in mains if o["referents"] == ["us_ofac_sdn:46431"])
    assert kupol["id"] == "us-ofac-sdn-46431" == ftm_id("us_ofac_sdn:46431")
    assert kupol["datasets"] == ["us_ofac_sdn"]
    for main in mains:
        [record] = main["referents"]
        assert record.startswith("us_ofac_sdn:") and main["id"] == ftm_id(record)
    ids = {o["id"] for o in objs}
    assert all(FTM_ID.match(i) for i in ids)
    sanction = next(o for o in objs if o["id"] == "us-ofac-sdn-46431-sanction")
    assert sanction["properties"]["entity"] == ["us-ofac-sdn-46431"]
    back = ftm.parse([path])
    assert back.dataset == "us_ofac_sdn"
    records = {r for m in mains for r in m["referents"]}
    read = {e.id: e for e in back.entities}
    assert records <= set(read)  # and the wallets a record holds, read as entities of their own
    assert all(read[i].schema == "CryptoWallet" for i in set(read) - records)
    assert "us_ofac_sdn:46431" in {e.id for e in back.entities}
