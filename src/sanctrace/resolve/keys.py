"""What proves two records are one party whatever their names say: a strong identifier on both,
one list quoting the other's identifier in its free text, the UN reference a national list
cites for a UN listing, or the entry number OFAC's two lists share.

Pure functions of one :class:`~sanctrace.model.entity.Entity`; the resolver joins the keys of
all records (blocking), so the cost grows with the number of records, not their pairs.
"""

from __future__ import annotations

import re

from sanctrace.model.entity import Entity

#: Identifier types that name one party, and the kind they are compared as.
STRONG_KINDS: dict[str, str] = {
    "passportNumber": "passport",
    "idNumber": "national_id",
    "imoNumber": "imo",
    "mmsi": "mmsi",
    "taxNumber": "tax",
    "innCode": "tax",
    "ogrnCode": "registration",
    "registrationNumber": "registration",
    "uscCode": "registration",
    "swiftBic": "swift",
    "leiCode": "lei",
}
#: Kinds a party holds one of: two different values on two records say "different parties".
#: (A person may hold several passports and national ids over a life, so those never veto.)
SINGLE_VALUED = frozenset({"imo", "mmsi", "lei", "tax"})
#: Shorter numbers collide between countries and registries.
MIN_ID_CHARS = 6
#: OFAC numbers its SDN and non-SDN (consolidated) entries from one sequence.
OFAC_DATASETS = frozenset({"us_ofac_sdn", "us_ofac_cons"})

#: Kinds whose numbers some lists write after their name.
_PREFIXED = {"imo": "IMO", "mmsi": "MMSI"}
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_UN_REFERENCE = re.compile(r"\b([A-Z]{2}[ie])\s?\.\s?(\d{1,4})\b")
_WORDISH = re.compile(r"[0-9A-Za-z]+(?:[-/.][0-9A-Za-z]+)*")


def normalize_id(value: str) -> str:
    """An identifier as compared: upper case, letters and digits only."""
    return _NOT_ALNUM.sub("", value.upper())


def identifier_keys(entity: Entity) -> set[tuple[str, str]]:
    """(kind, value) of each strong identifier of the record."""
    keys = set()
    for ident in entity.identifiers:
        kind = STRONG_KINDS.get(ident.type)
        value = normalize_id(ident.value)
        if kind in _PREFIXED and value.startswith(_PREFIXED[kind]):
            value = value[len(_PREFIXED[kind]) :]  # "IMO 9187629" is 9187629
        if kind and len(value) >= MIN_ID_CHARS and any(ch.isdigit() for ch in value):
            keys.add((kind, value))
    return keys


def un_references(entity: Entity) -> set[str]:
    """UN Security Council reference numbers (QDi.265) the record carries or cites."""
    found = {normalize_un(v) for v in entity.properties.get("unscId", [])}
    for ident in entity.identifiers:
        if ident.note and "UN reference" in ident.note:
            found.add(normalize_un(ident.value))
    for text in free_texts(entity):
        found.update(f"{a.upper()[:2]}{a[2]}.{int(n):03d}" for a, n in _UN_REFERENCE.findall(text))
    return {f for f in found if f}


def normalize_un(value: str) -> str:
    match = _UN_REFERENCE.search(value.strip())
    if not match:
        return ""
    prefix, number = match.groups()
    return f"{prefix[:2].upper()}{prefix[2]}.{int(number):03d}"


def free_texts(entity: Entity) -> list[str]:
    texts = [entity.remarks] if entity.remarks else []
    texts.extend(entity.properties.get("notes", []))
    return texts


def quoted_numbers(entity: Entity) -> set[str]:
    """Number-like words of the record's free text ("Passport no: 645120196"), normalized:
    looked up among other records' identifiers, they link a list that writes identifiers
    only in prose to one that structures them."""
    out = set()
    for text in free_texts(entity):
        for word in _WORDISH.findall(text):
            value = normalize_id(word)
            if len(value) >= MIN_ID_CHARS and sum(ch.isdigit() for ch in value) >= 4:
                out.add(value)
    return out


def ofac_entry(entity: Entity) -> str | None:
    """The OFAC entry number of a record of either OFAC list."""
    return entity.source_id if entity.dataset in OFAC_DATASETS else None


def uk_group(entity: Entity) -> str | None:
    """The OFSI group id: the UK lists one party once per regime under one group."""
    values = entity.properties.get("ofsiGroupId")
    return values[0] if values else None
