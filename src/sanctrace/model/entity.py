"""One entity model for every official list, named after FollowTheMoney schemata and properties.

Every parser in ``sanctrace.sources`` produces :class:`Entity` objects; the store persists them as
JSON (``to_dict``/``from_dict``) and the FtM exporter maps them onto FollowTheMoney entities.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: FollowTheMoney schemata that official lists use.
SCHEMATA = (
    "Person",
    "Company",
    "Organization",
    "LegalEntity",
    "Vessel",
    "Aircraft",
    "Vehicle",
    "CryptoWallet",
    "Security",
)

#: Name qualities, strongest first. ``primary`` is the list's main name.
NAME_KINDS = ("primary", "strong_aka", "weak_aka", "fka", "spelling")

#: Identifier types, named after the FtM property each one maps to where one exists.
IDENTIFIER_TYPES = (
    "taxNumber",  # tax ID, INN, EIN, ...
    "innCode",  # Russian INN (also copied to taxNumber by FtM convention)
    "ogrnCode",  # Russian OGRN / business registration
    "registrationNumber",
    "uscCode",  # Chinese Unified Social Credit Code
    "imoNumber",
    "mmsi",
    "swiftBic",
    "leiCode",
    "passportNumber",
    "idNumber",  # national ID, cedula, ...
    "kppCode",
    "okpoCode",
    "dunsCode",
    "serialNumber",  # aircraft manufacturer serial number
    "registrationMark",  # aircraft tail number
    "callSign",
    "cryptoWallet",
    "other",
)

#: Relationship kinds between entries of a list.
RELATIONSHIP_TYPES = ("linked_to", "owned_by", "controlled_by", "related", "family", "associate")


@dataclass(slots=True)
class Name:
    """A name as the list writes it, with its quality and (for persons) its parts."""

    value: str
    kind: str = "primary"
    lang: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    father_name: str | None = None
    title: str | None = None


@dataclass(slots=True)
class Identifier:
    """An official number: type (see IDENTIFIER_TYPES), value, ISO country, free-text note."""

    type: str
    value: str
    country: str | None = None
    note: str | None = None


@dataclass(slots=True)
class Address:
    full: str
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(slots=True)
class Relationship:
    """A link to another entry; ``target_id`` is set when that entry is found in the list."""

    type: str
    target_name: str | None = None
    target_id: str | None = None
    note: str | None = None


@dataclass(slots=True)
class Provenance:
    """Where an entity came from: dataset, the list's own record id, list version, file."""

    dataset: str
    source_id: str
    version: str | None = None
    source_file: str | None = None
    record: str | None = None  # line number or XML path of the record in the file


@dataclass(slots=True)
class Entity:
    """A listed party. ``id`` is ``{dataset}:{source_id}``."""

    id: str
    schema: str
    caption: str
    provenance: Provenance
    names: list[Name] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    citizenships: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    death_dates: list[str] = field(default_factory=list)
    incorporation_dates: list[str] = field(default_factory=list)
    gender: str | None = None
    programs: list[str] = field(default_factory=list)
    listed_on: str | None = None
    modified_on: str | None = None
    remarks: str | None = None
    relationships: list[Relationship] = field(default_factory=list)
    #: Further FtM properties (email, website, phone, position, title, flag, buildDate, ...).
    properties: dict[str, list[str]] = field(default_factory=dict)

    @property
    def dataset(self) -> str:
        return self.provenance.dataset

    @property
    def source_id(self) -> str:
        return self.provenance.source_id

    def add_name(self, value: str | None, kind: str = "strong_aka", **parts: str | None) -> None:
        """Add a name unless an identical (value, kind) pair is already there."""
        if not value:
            return
        value = " ".join(value.split())
        if not value:
            return
        for existing in self.names:
            if existing.value == value and existing.kind == kind:
                return
        self.names.append(Name(value=value, kind=kind, **parts))

    def add_property(self, prop: str, value: str | None) -> None:
        if not value:
            return
        values = self.properties.setdefault(prop, [])
        if value not in values:
            values.append(value)

    def add_identifier(
        self, type_: str, value: str | None, country: str | None = None, note: str | None = None
    ) -> None:
        if not value:
            return
        ident = Identifier(type=type_, value=value.strip(), country=country, note=note)
        if ident not in self.identifiers:
            self.identifiers.append(ident)

    def add_address(self, address: Address) -> None:
        """Add an address unless already there, and its country to the entity's countries."""
        if address not in self.addresses:
            self.addresses.append(address)
        if address.country and address.country not in self.countries:
            self.countries.append(address.country)

    def to_dict(self) -> dict[str, Any]:
        return _compact(asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        return cls(
            id=data["id"],
            schema=data["schema"],
            caption=data["caption"],
            provenance=Provenance(**data["provenance"]),
            names=[Name(**n) for n in data.get("names", [])],
            identifiers=[Identifier(**i) for i in data.get("identifiers", [])],
            addresses=[Address(**a) for a in data.get("addresses", [])],
            countries=list(data.get("countries", [])),
            nationalities=list(data.get("nationalities", [])),
            citizenships=list(data.get("citizenships", [])),
            birth_dates=list(data.get("birth_dates", [])),
            birth_places=list(data.get("birth_places", [])),
            death_dates=list(data.get("death_dates", [])),
            incorporation_dates=list(data.get("incorporation_dates", [])),
            gender=data.get("gender"),
            programs=list(data.get("programs", [])),
            listed_on=data.get("listed_on"),
            modified_on=data.get("modified_on"),
            remarks=data.get("remarks"),
            relationships=[Relationship(**r) for r in data.get("relationships", [])],
            properties={k: list(v) for k, v in data.get("properties", {}).items()},
        )


def make_id(dataset: str, source_id: str) -> str:
    return f"{dataset}:{source_id}"


def _compact(value: Any) -> Any:
    """Drop None and empty containers so stored JSON stays small."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = _compact(item)
            if item is None or item == [] or item == {}:
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value
