"""OFAC-style identifier labels and the Russian codes hidden in tax and registration numbers.

OFAC's XML writes an ``idType`` label ("Passport", "Tax ID No.", "SWIFT/BIC") beside each number,
and the US Consolidated Screening List republishes OFAC's lists with the same labels; one table
keeps both parsers in step. A Russian tax number of 10 or 12 digits is an INN and a registration
number of 13 or 15 digits an OGRN, whichever list writes it.
"""

from __future__ import annotations

#: Exact labels (as ``id_label`` gives them) -> identifier type.
ID_TYPES = {
    "passport": "passportNumber",
    "diplomatic passport": "passportNumber",
    "tax id no.": "taxNumber",
    "v.a.t. number": "taxNumber",
    "registration number": "registrationNumber",
    "business registration number": "registrationNumber",
    "registration id": "registrationNumber",
    "public registration number": "registrationNumber",
    "company number": "registrationNumber",
    "c.r. no.": "registrationNumber",
    "government gazette number": "okpoCode",
    "kpp": "kppCode",
    "swift/bic": "swiftBic",
    "mmsi": "mmsi",
    "vessel registration identification": "imoNumber",
    "legal entity number": "leiCode",
    "national id no.": "idNumber",
    "identification number": "idNumber",
    "cedula no.": "idNumber",
    "unified social credit code (uscc)": "uscCode",
    "d-u-n-s number": "dunsCode",
    "aircraft manufacturer's serial number (msn)": "serialNumber",
    "aircraft construction number (also called l/n or s/n or f/n)": "serialNumber",
    "aircraft tail number": "registrationMark",
    "previous aircraft tail number": "registrationMark",
    "other vessel call sign": "callSign",
}

#: Labels that are not numbers but properties of the party -> property name.
ID_PROPERTIES = {
    "website": "website",
    "email address": "email",
    "phone number": "phone",
    "target type": "sector",
    "organization type": "sector",
    "issuer name": "issuerName",
    "equity ticker": "ticker",
    "vessel year of build": "buildDate",
    "aircraft manufacture date": "buildDate",
    "aircraft model": "model",
    "aircraft operator": "operator",
    "other vessel flag": "pastFlags",
    "other vessel type": "type",
}

#: Label prefixes that describe the sanction (directives, listing dates), not the party.
SANCTIONS_INFO = (
    "secondary sanctions risk",
    "additional sanctions information",
    "executive order",
    "caatsa",
    "listing date",
    "effective date",
    "purchase/sales for divestment date",
    "ifca determination",
    "transactions prohibited",
)

#: Keyword fallbacks for the long tail of labels, tried in order.
_ID_KEYWORDS = (
    ("passport", "passportNumber"),
    ("digital currency address", "cryptoWallet"),
    ("imo", "imoNumber"),
    ("uscc", "uscCode"),
    ("social credit", "uscCode"),
    ("tax", "taxNumber"),
    ("v.a.t", "taxNumber"),
    ("fiscal", "taxNumber"),
    ("registration", "registrationNumber"),
    ("registry", "registrationNumber"),
    ("company number", "registrationNumber"),
    ("business number", "registrationNumber"),
    ("commercial", "registrationNumber"),
    ("trade license", "registrationNumber"),
    ("chamber of commerce", "registrationNumber"),
    ("incorporation", "registrationNumber"),
    ("national id", "idNumber"),
    ("cedula", "idNumber"),
    ("identification", "idNumber"),
    ("identity", "idNumber"),
    ("personal id", "idNumber"),
    ("id no", "idNumber"),
    ("ssn", "idNumber"),
)

#: Identifier types that only a company (a registered legal person) carries.
COMPANY_IDS = frozenset(
    {
        "registrationNumber",
        "ogrnCode",
        "innCode",
        "uscCode",
        "swiftBic",
        "leiCode",
        "okpoCode",
        "kppCode",
        "dunsCode",
    }
)


def id_label(raw: str) -> str:
    """A label as the tables key it: lower case, whitespace collapsed, trailing ":"/"-" dropped."""
    return " ".join(raw.lower().split()).rstrip(":- ")


def id_type(label: str) -> str:
    """Identifier type of a label from ``id_label``; "other" when no table entry fits."""
    if label in ID_TYPES:
        return ID_TYPES[label]
    for keyword, type_ in _ID_KEYWORDS:
        if keyword in label:
            return type_
    return "other"


def russian_code(type_: str, number: str, country: str | None) -> str | None:
    """``innCode`` or ``ogrnCode`` when a Russian tax or registration number is one, else None."""
    if country != "RU" or not number.isdigit():
        return None
    if type_ == "taxNumber" and len(number) in (10, 12):
        return "innCode"
    if type_ == "registrationNumber" and len(number) in (13, 15):
        return "ogrnCode"
    return None
