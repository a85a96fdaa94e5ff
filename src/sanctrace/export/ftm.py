"""Entities as FollowTheMoney JSON lines, readable by OpenSanctions tools and ``sources.ftm``.

Each entity gives its main FtM entity (schema and properties checked against the FtM schema
definitions, which we follow without depending on the ``followthemoney`` package), a ``Sanction``
with its programs, authority and listing date, ``Passport``/``Identification`` entities for
identifiers that carry a country or note, and ``Ownership``/``Family``/``Associate``/
``UnknownLink`` entities for relationships whose target is a known entity.

Ids: everywhere else an entity is ``{dataset}:{source id}`` (``us_ofac_sdn:46431``), but an FtM
id may hold only ``[0-9a-zA-Z.-]`` (followthemoney's ``EntityType``: a reference such as a
``Sanction``'s ``entity`` that is not so is dropped when cleaned, and the sanction with it). So
the main entity's ``id`` is `ftm_id`'s slug (``us-ofac-sdn-46431``) and its ``referents`` hold
the sanctrace id, where OpenSanctions tools look for the ids an entity stands for (yente
redirects ``/entities/us_ofac_sdn:46431`` to it); adjuncts are ``{slug}-sanction`` and so on.
Read back by ``sources.ftm``, an export gets its ``{dataset}:{source id}`` ids again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import IO, Any

from sanctrace.model.entity import Entity, Identifier, Relationship

#: Our schema -> FtM schema.
_SCHEMA = {"Aircraft": "Airplane"}

_THING = frozenset(
    {
        "name",
        "alias",
        "previousName",
        "weakAlias",
        "country",
        "summary",
        "notes",
        "description",
        "sourceUrl",
        "publisher",
        "publisherUrl",
        "wikipediaUrl",
        "wikidataId",
        "keywords",
        "topics",
        "address",
        "program",
        "programId",
        "createdAt",
        "modifiedAt",
        "retrievedAt",
    }
)
_LEGAL = _THING | {
    "email",
    "phone",
    "website",
    "legalForm",
    "incorporationDate",
    "dissolutionDate",
    "taxStatus",
    "status",
    "sector",
    "classification",
    "registrationNumber",
    "idNumber",
    "taxNumber",
    "licenseNumber",
    "vatCode",
    "jurisdiction",
    "mainCountry",
    "opencorporatesUrl",
    "bvdId",
    "uscCode",
    "icijId",
    "okpoCode",
    "innCode",
    "ogrnCode",
    "leiCode",
    "dunsCode",
    "uniqueEntityId",
    "npiCode",
    "swiftBic",
}
_PERSON = _LEGAL | {
    "title",
    "firstName",
    "secondName",
    "middleName",
    "fatherName",
    "motherName",
    "lastName",
    "nameSuffix",
    "birthDate",
    "birthPlace",
    "birthCountry",
    "deathDate",
    "position",
    "nationality",
    "citizenship",
    "passportNumber",
    "socialSecurityNumber",
    "gender",
    "ethnicity",
    "religion",
    "political",
    "profession",
    "education",
    "spokenLanguage",
}
_ORGANIZATION = _LEGAL | {"cageCode", "permId", "imoNumber", "giiNumber"}
_COMPANY = _ORGANIZATION | {
    "capital",
    "voenCode",
    "coatoCode",
    "irsCode",
    "cikCode",
    "kppCode",
    "okvedCode",
    "okopfCode",
    "fnsCode",
    "bikCode",
    "ticker",
    "ricCode",
}
_VEHICLE = _THING | {
    "registrationNumber",
    "type",
    "model",
    "owner",
    "operator",
    "buildDate",
    "registrationDate",
}
_VESSEL = _VEHICLE | {
    "imoNumber",
    "crsNumber",
    "flag",
    "registrationPort",
    "navigationArea",
    "tonnage",
    "grossRegisteredTonnage",
    "deadweightTonnage",
    "nameChangeDate",
    "callSign",
    "pastFlags",
    "pastTypes",
    "mmsi",
}
_AIRPLANE = _VEHICLE | {"serialNumber", "icaoCode", "manufacturer"}
_WALLET = _THING | {
    "publicKey",
    "creationDate",
    "currencySymbol",
    "managingExchange",
    "holder",
    "balance",
    "balanceDate",
}
_SECURITY = _THING | {
    "isin",
    "registrationNumber",
    "ticker",
    "figiCode",
    "issuer",
    "issueDate",
    "maturityDate",
    "type",
    "classification",
    "collateral",
}

#: FtM schema -> the properties it has (from the followthemoney schema YAML files).
PROPERTIES: dict[str, frozenset[str]] = {
    "Person": frozenset(_PERSON),
    "Company": frozenset(_COMPANY),
    "Organization": frozenset(_ORGANIZATION),
    "LegalEntity": frozenset(_LEGAL),
    "Vessel": frozenset(_VESSEL),
    "Vehicle": frozenset(_VEHICLE),
    "Airplane": frozenset(_AIRPLANE),
    "CryptoWallet": frozenset(_WALLET),
    "Security": frozenset(_SECURITY),
}

_LEGAL_SCHEMATA = frozenset({"Person", "Company", "Organization", "LegalEntity"})
_ASSETS = frozenset({"Company", "Vessel", "Vehicle", "Airplane", "Security"})

#: Identifier type -> FtM property, where the name differs.
_ID_PROPS = {"cryptoWallet": "publicKey", "registrationMark": "registrationNumber"}

#: Entity properties that describe the designation: they go on the Sanction entity.
_SANCTION_PROPS = {
    "authority": "authority",
    "csl_source": "authority",
    "authorityId": "authorityId",
    "unscId": "unscId",
    "provisions": "provisions",
    "reason": "reason",
    "status": "status",
    "programId": "programId",
    "endDate": "endDate",
}
_COUNTRY_PROPS = frozenset({"flag", "pastFlags", "jurisdiction", "mainCountry", "birthCountry"})

#: Dataset prefix -> sanctioning authority, for Sanction entities without an explicit one.
_AUTHORITIES = (
    ("eu_", "European Union"),
    ("us_ofac", "Office of Foreign Assets Control"),
    ("us_trade_csl", "US Consolidated Screening List"),
    ("un_", "United Nations Security Council"),
    ("gb_hmt", "Office of Financial Sanctions Implementation"),
    ("gb_fcdo", "Foreign, Commonwealth and Development Office"),
    ("ca_", "Global Affairs Canada"),
    ("au_", "Department of Foreign Affairs and Trade"),
)

_UNSAFE = re.compile(r"[^0-9A-Za-z.\-]+")
_MAX_ID = 120


def _hash(text: str, size: int = 12) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:size]


def _slug(text: str) -> str:
    return _UNSAFE.sub("-", text).strip(".-")


def ftm_id(entity_id: str) -> str:
    """A valid FtM id (``[0-9a-zA-Z.-]``) for ``{dataset}:{source_id}``, stable and unique:
    ``us_ofac_sdn:46431`` -> ``us-ofac-sdn-46431`` (a hash ends ids that do not slug cleanly)."""
    dataset, sep, source = entity_id.partition(":")
    if not sep:
        dataset, source = "", entity_id
    left = _slug(dataset) or "x"
    right = _slug(source)
    slug = f"{left}-{right}" if right else left
    if right != source or len(slug) > _MAX_ID:
        slug = _slug(f"{left}-{right[:60]}") + "-" + _hash(entity_id)
    return slug


def _country(code: str) -> str:
    return code.lower() if len(code) == 2 and code.isalpha() else code


def _authority(entity: Entity) -> str | None:
    for prefix, name in _AUTHORITIES:
        if entity.dataset.startswith(prefix):
            return name
    return None


class _Builder:
    """Collects the FtM entities for one of our entities."""

    def __init__(self, entity: Entity) -> None:
        self.entity = entity
        self.id = ftm_id(entity.id)
        self.schema = _SCHEMA.get(entity.schema, entity.schema)
        if self.schema not in PROPERTIES:
            self.schema = "LegalEntity"
        self.allowed = PROPERTIES[self.schema]
        self.props: dict[str, list[str]] = {}
        self.sanction: dict[str, list[str]] = {}
        self.extra: list[dict[str, Any]] = []

    @staticmethod
    def _add(props: dict[str, list[str]], prop: str, value: str | None) -> None:
        if value:
            values = props.setdefault(prop, [])
            if value not in values:
                values.append(value)

    def add(self, prop: str, value: str | None) -> bool:
        """Set ``prop`` on the main entity if its schema has it; False when it does not."""
        if prop not in self.allowed:
            return False
        self._add(self.props, prop, value)
        return True

    def adjunct(self, schema: str, key: str, props: dict[str, list[str]]) -> None:
        self.extra.append(
            {
                "id": f"{self.id}-{key}",
                "schema": schema,
                "properties": {k: v for k, v in props.items() if v},
                "datasets": [self.entity.dataset],
                "target": False,
            }
        )

    def build(self) -> list[dict[str, Any]]:
        entity = self.entity
        self._names()
        for prop, values in (
            ("country", entity.countries),
            ("nationality", entity.nationalities),
            ("citizenship", entity.citizenships),
        ):
            for code in values:
                if not self.add(prop, _country(code)):
                    self.add("country", _country(code))
        for prop, values in (
            ("birthDate", entity.birth_dates),
            ("birthPlace", entity.birth_places),
            ("deathDate", entity.death_dates),
            ("incorporationDate", entity.incorporation_dates),
        ):
            for value in values:
                self.add(prop, value)
        self.add("gender", entity.gender)
        self.add("notes", entity.remarks)
        self.add("modifiedAt", entity.modified_on)
        for address in entity.addresses:
            self.add("address", address.full)
        for ident in entity.identifiers:
            self._identifier(ident)
        self._properties()
        if "topics" not in self.props:
            self.add("topics", "sanction")
        self._sanction()
        for rel in entity.relationships:
            self._relationship(rel)
        main = {
            "id": self.id,
            "schema": self.schema,
            "caption": entity.caption,
            "properties": self.props,
            "datasets": [entity.dataset],
            "referents": [entity.id],
            "target": True,
        }
        return [main, *self.extra]

    def _names(self) -> None:
        kinds = {
            "primary": "name",
            "strong_aka": "alias",
            "spelling": "alias",
            "weak_aka": "weakAlias",
            "fka": "previousName",
        }
        for name in self.entity.names:
            self.add(kinds.get(name.kind, "alias"), name.value)
        primary = next((n for n in self.entity.names if n.kind == "primary"), None)
        if primary is not None:
            self.add("firstName", primary.first_name)
            self.add("middleName", primary.middle_name)
            self.add("lastName", primary.last_name)
            self.add("fatherName", primary.father_name)
            self.add("title", primary.title)
        if "name" not in self.props:
            self.add("name", self.entity.caption)

    def _identifier(self, ident: Identifier) -> None:
        prop = _ID_PROPS.get(ident.type, ident.type)
        if ident.type == "cryptoWallet" and self.schema != "CryptoWallet":
            self.adjunct(
                "CryptoWallet",
                f"wallet-{_hash(ident.value)}",
                {"publicKey": [ident.value], "holder": [self.id], "topics": ["sanction"]},
            )
            return
        placed = ident.type != "other" and self.add(prop, ident.value)
        legal = self.schema in _LEGAL_SCHEMATA
        if legal and (not placed or ident.country or ident.note):
            passport = ident.type == "passportNumber" and self.schema == "Person"
            props: dict[str, list[str]] = {
                "holder": [self.id],
                "number": [ident.value],
                "type": ["passport" if passport else ident.type],
            }
            if ident.country:
                props["country"] = [_country(ident.country)]
            if ident.note:
                props["summary"] = [ident.note]
            key = _hash(f"{ident.type}:{ident.value}:{ident.country}")
            self.adjunct("Passport" if passport else "Identification", f"id-{key}", props)
        elif not placed:
            self.add("notes", f"{ident.type}: {ident.value}")

    def _properties(self) -> None:
        for prop, values in self.entity.properties.items():
            for value in values:
                if prop in _SANCTION_PROPS:
                    self._add(self.sanction, _SANCTION_PROPS[prop], value)
                    continue
                if prop == "sourceUrl":
                    self._add(self.sanction, "sourceUrl", value)
                self.add(prop, _country(value) if prop in _COUNTRY_PROPS else value)

    def _sanction(self) -> None:
        entity = self.entity
        props = self.sanction
        props["entity"] = [self.id]
        for program in entity.programs:
            self._add(props, "program", program)
        if "authority" not in props:
            self._add(props, "authority", _authority(entity))
        self._add(props, "listingDate", entity.listed_on)
        self.adjunct("Sanction", "sanction", props)

    def _relationship(self, rel: Relationship) -> None:
        if rel.target_id is None:
            return
        target = ftm_id(rel.target_id)
        if target == self.id:
            return
        key = _slug(f"{rel.type}-{_hash(rel.target_id + rel.type)}")
        summary = [rel.note] if rel.note else []
        if rel.type == "owned_by" and self.schema == "CryptoWallet":
            self.add("holder", target)
        elif rel.type == "owned_by" and self.schema in _ASSETS:
            self.adjunct(
                "Ownership", key, {"owner": [target], "asset": [self.id], "summary": summary}
            )
        elif rel.type in ("family", "associate") and self.schema == "Person":
            schema, other = (
                ("Family", "relative") if rel.type == "family" else ("Associate", "associate")
            )
            self.adjunct(
                schema,
                key,
                {"person": [self.id], other: [target], "relationship": summary},
            )
        else:
            self.adjunct(
                "UnknownLink",
                key,
                {"subject": [self.id], "object": [target], "role": [rel.type], "summary": summary},
            )


def entity_to_ftm(entity: Entity) -> list[dict[str, Any]]:
    """The FtM entities (as JSON-ready dicts) for one entity: the main one first."""
    return _Builder(entity).build()


def write_ftm(entities: Iterable[Entity], fh: IO[str]) -> int:
    """Write FtM JSON lines for every entity; returns the number of lines written."""
    count = 0
    for entity in entities:
        for obj in entity_to_ftm(entity):
            fh.write(json.dumps(obj, ensure_ascii=False, sort_keys=True))
            fh.write("\n")
            count += 1
    return count
