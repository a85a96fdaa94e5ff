"""OFAC's legacy CSV set: ``sdn.csv`` with optional ``alt.csv``, ``add.csv``, ``sdn_comments.csv``
(``cons_prim.csv``/``cons_alt.csv``/``cons_add.csv``/``cons_comments.csv`` for the non-SDN list).

The files have no header, use ``-0-`` for empty, are latin-1/cp1252 and may end with a 0x1A byte.
Most facts live in the free-text remarks field (``DOB 12 Jan 1960; POB ...; Tax ID No. ...``), which
this module parses into structured fields while keeping the raw text in ``Entity.remarks``.

Schema rule for entries without a type (``-0-``): an explicit ``Target Type`` decides first
(government, charity and criminal targets stay Organization; companies, state-owned enterprises and
financial institutions become Company); then a legal form in the name (LLC, JSC, OOO, LIMITED,
S.A., GMBH, ...) makes a Company, an institution word (MINISTRY, UNIVERSITY, FOUNDATION, PARTY, ...)
an Organization; failing both, a business fact in the remarks (registration or tax number,
establishment date, SWIFT/BIC, LEI, ...) makes a Company, and everything else is an Organization.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sanctrace.errors import MissingFileError, SourceError
from sanctrace.model.countries import to_code
from sanctrace.model.dates import parse_date, parse_dates
from sanctrace.model.entity import (
    Address,
    Entity,
    Identifier,
    Name,
    Provenance,
    Relationship,
    make_id,
)
from sanctrace.sources._identifiers import russian_code
from sanctrace.sources._legal import looks_like_company
from sanctrace.sources.base import MAX_FIELD_CHARS, SNIFF_BYTES, ParsedList

NAME = "ofac_csv"
DATASETS = ("us_ofac_sdn", "us_ofac_cons")

EMPTY = "-0-"
#: More entries than this sharing one primary name leave links to that name unresolved.
MAX_NAMESAKES = 8
#: OFAC cuts the remarks cell at this length and continues it in sdn_comments.csv.
REMARKS_CELL_LIMIT = 1000
MAX_DETAILED_WARNINGS = 50

# ---------------------------------------------------------------------------------------------
# Files and their roles

_MAIN, _ALT, _ADD, _COMMENTS = "main", "alt", "add", "comments"

_ROLE_BY_NAME = {
    "sdn.csv": _MAIN,
    "alt.csv": _ALT,
    "add.csv": _ADD,
    "sdn_comments.csv": _COMMENTS,
    "cons_prim.csv": _MAIN,
    "cons_alt.csv": _ALT,
    "cons_add.csv": _ADD,
    "cons_comments.csv": _COMMENTS,
}
_SIBLINGS = {
    "sdn.csv": {_ALT: "alt.csv", _ADD: "add.csv", _COMMENTS: "sdn_comments.csv"},
    "cons_prim.csv": {_ALT: "cons_alt.csv", _ADD: "cons_add.csv", _COMMENTS: "cons_comments.csv"},
}

_COLUMNS = {
    _MAIN: (
        "ent_num",
        "SDN_Name",
        "SDN_Type",
        "Program",
        "Title",
        "Call_Sign",
        "Vess_type",
        "Tonnage",
        "GRT",
        "Vess_flag",
        "Vess_owner",
        "Remarks",
    ),
    _ALT: ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"),
    _ADD: ("ent_num", "add_num", "address", "city_state_postal", "country", "add_remarks"),
    _COMMENTS: ("ent_num", "remarks_extension"),
}

_SDN_TYPES = {"individual", "vessel", "aircraft", EMPTY}
_ALT_TYPES = {"aka", "fka", "nka"}
_SURROGATE = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _role_of_row(row: list[str], name: str) -> str | None:
    """Which file of the set a data row belongs to, judged from its shape alone."""
    cells = [c.strip() for c in row]
    if not cells or not cells[0].isdigit():
        return None
    if len(cells) == 12 and cells[1] and cells[2].lower() in _SDN_TYPES:
        return _MAIN
    if len(cells) == 5 and cells[1].isdigit() and cells[2].lower() in _ALT_TYPES:
        return _ALT
    if len(cells) == 6 and cells[1].isdigit() and EMPTY in cells:
        return _ADD
    if len(cells) == 2 and "comment" in name.lower():
        return _COMMENTS
    return None


def _head_role(path: Path, head: bytes) -> str | None:
    text = head.removeprefix(b"\xef\xbb\xbf").decode("cp1252", errors="replace")
    lines = text.splitlines()
    partial = len(head) >= SNIFF_BYTES and not text.endswith(("\n", "\r"))
    complete = lines[:-1] if partial else lines
    complete = [line for line in complete[:5] if line.strip("\x1a \t")]
    if not complete:
        if not lines:
            return None
        # A single line longer than the head: judge from its first fields.
        first = next(csv.reader([lines[0]]), [])
        cells = [c.strip() for c in first]
        ok = len(cells) >= 4 and cells[0].isdigit() and cells[1] and cells[2].lower() in _SDN_TYPES
        return _MAIN if ok else None
    rows = list(csv.reader(complete))
    role = _role_of_row(rows[0], path.name)
    if role is None:
        return None
    for row in rows[1:3]:
        if _role_of_row(row, path.name) != role:
            return None
    return role


def sniff(path: Path, head: bytes) -> bool:
    """An OFAC legacy CSV: no header, first field an entry number, ``-0-`` for empty cells."""
    try:
        return _head_role(path, head) is not None
    except Exception:
        return False


def _resolve_files(paths: list[Path]) -> dict[str, Path]:
    """Give each path its role (by file name, else by the shape of its first row)."""
    files: dict[str, Path] = {}
    for path in paths:
        role = _ROLE_BY_NAME.get(path.name.lower())
        if role is None:
            role = _head_role(path, _read_head(path))
        if role is None:
            raise SourceError(
                "cannot tell which file of the OFAC CSV set this is (expected sdn.csv, alt.csv, "
                "add.csv or sdn_comments.csv)",
                file=str(path),
            )
        if role in files and files[role] != path:
            raise SourceError(f"two {role} files given: {files[role]} and {path}", file=str(path))
        files[role] = path
    main = files.get(_MAIN)
    if main is None:
        raise SourceError(
            "no main file (sdn.csv) among the given files", file=str(paths[0]) if paths else None
        )
    siblings = _SIBLINGS.get(main.name.lower())
    if siblings:
        try:
            present = {p.name.lower(): p for p in main.parent.iterdir() if p.is_file()}
        except OSError as exc:
            raise SourceError(f"cannot list folder: {exc}", file=str(main.parent)) from exc
        for role, sibling in siblings.items():
            if role not in files and sibling in present:
                files[role] = present[sibling]
    return files


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc}", file=str(path)) from exc


# ---------------------------------------------------------------------------------------------
# Reading rows


@dataclass
class _Row:
    line: int
    cells: list[str]  # stripped, "-0-" made empty
    raw: list[str]  # as read, for remarks continued in sdn_comments.csv mid-word


@dataclass
class _Reader:
    skip_bad_rows: bool
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0

    def bad(self, error: SourceError) -> None:
        if not self.skip_bad_rows:
            raise error
        self.skipped += 1
        if self.skipped <= MAX_DETAILED_WARNINGS:
            self.warnings.append(f"skipped malformed row: {error}")

    def rows(self, path: Path, role: str) -> list[_Row]:
        """Data rows of one file, ``-0-`` made empty; malformed rows raise or are skipped."""
        columns = _COLUMNS[role]
        text = _decode(path)
        suspect = bool(_SURROGATE.search(text) or _CONTROL.search(text))
        reader = csv.reader(io.StringIO(text, newline=""))
        out: list[_Row] = []
        previous = 0
        old_limit = csv.field_size_limit()
        csv.field_size_limit(MAX_FIELD_CHARS)
        try:
            while True:
                try:
                    raw = next(reader)
                except StopIteration:
                    return out
                except csv.Error as exc:
                    line = previous + 1
                    previous = reader.line_num
                    if "field limit" in str(exc):
                        raise SourceError(
                            f"field longer than {MAX_FIELD_CHARS} characters",
                            file=str(path),
                            line=line,
                        ) from exc
                    self.bad(SourceError(f"malformed CSV: {exc}", file=str(path), line=line))
                    continue
                line = previous + 1
                previous = reader.line_num
                if not raw or (len(raw) == 1 and not raw[0].strip()):
                    continue
                row = self._check(path, columns, line, raw, suspect)
                if row is not None:
                    out.append(row)
        finally:
            csv.field_size_limit(old_limit)

    def _check(
        self, path: Path, columns: tuple[str, ...], line: int, raw: list[str], suspect: bool
    ) -> _Row | None:
        if len(raw) != len(columns):
            missing = len(raw) < len(columns)
            self.bad(
                SourceError(
                    f"expected {len(columns)} columns, found {len(raw)}",
                    file=str(path),
                    line=line,
                    field=columns[len(raw)] if missing else columns[-1],
                )
            )
            return None
        if suspect and (error := _bad_characters(path, columns, line, raw)):
            self.bad(error)
            return None
        cells = [value.strip() for value in raw]
        cells = ["" if value == EMPTY else value for value in cells]
        if not cells[0].isdigit() or not cells[0].isascii():
            self.bad(
                SourceError(
                    f"entry number is not an integer: {raw[0][:40]!r}",
                    file=str(path),
                    line=line,
                    field="ent_num",
                )
            )
            return None
        cells[0] = cells[0].lstrip("0") or "0"
        return _Row(line=line, cells=cells, raw=raw)


def _bad_characters(
    path: Path, columns: tuple[str, ...], line: int, raw: list[str]
) -> SourceError | None:
    for name, value in zip(columns, raw, strict=True):
        if _SURROGATE.search(value):
            return SourceError(
                "bytes that are not cp1252 text", file=str(path), line=line, field=name
            )
        if _CONTROL.search(value):
            return SourceError("control characters in field", file=str(path), line=line, field=name)
    return None


def _decode(path: Path) -> str:
    """UTF-8 when the bytes are valid UTF-8 (plain ASCII is), else cp1252; undecodable bytes are
    kept as surrogates so the row holding them can be reported with its line and field."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc}", file=str(path)) from exc
    data = data.removeprefix(b"\xef\xbb\xbf").rstrip(b"\x1a\r\n \t")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="surrogateescape")


# ---------------------------------------------------------------------------------------------
# Remarks

_AKA_START = re.compile(r"([afn])\.k\.a\.,?\s*", re.IGNORECASE)
_QUOTE_END = re.compile(r"'\s*(?=;|$)")


def split_remarks(text: str) -> list[str]:
    """The ``;``-separated facts of a remarks field, whitespace collapsed. Quoted a.k.a. names may
    hold ``;`` and apostrophes; a final ``.`` ends the field and is dropped."""
    text = " ".join(text.split())
    if text.endswith("."):
        text = text[:-1]
    parts: list[str] = []
    pos, end = 0, len(text)
    # The next closing quote at or after some position; searches only move forward, so one
    # result (or its absence) serves every later a.k.a. and hostile text stays linear.
    close: re.Match[str] | None = None
    searched_from = end + 1
    while pos < end:
        while pos < end and text[pos] in "; ":
            pos += 1
        if pos >= end:
            break
        start = _AKA_START.match(text, pos)
        if start and text.startswith("'", start.end()):
            begin = start.end() + 1
            if begin < searched_from or (close is not None and close.start() < begin):
                close = _QUOTE_END.search(text, begin)
                searched_from = begin
            if close is not None and close.start() >= begin:
                parts.append(text[pos : close.end()].strip())
                pos = close.end()
                continue
        stop = text.find(";", pos)
        if stop < 0:
            stop = end
        part = text[pos:stop].strip()
        if part:
            parts.append(part)
        pos = stop + 1
    return parts


@dataclass(frozen=True)
class _Id:
    """Identifier type of a remarks keyword; with ``russian_codes`` a Russian value of the right
    length is also an INN (besides the tax number) or an OGRN (instead of the registration
    number), as ofac_xml reads it."""

    type: str
    russian_codes: bool = False


_TAX = _Id("taxNumber")
_REG = _Id("registrationNumber")
_NID = _Id("idNumber")

#: Remarks keyword -> identifier type. Matched case-insensitively, longest keyword first.
_IDENTIFIERS: dict[str, _Id] = {
    "Tax ID No.": _Id("taxNumber", russian_codes=True),
    "V.A.T. Number": _TAX,
    "US FEIN": _TAX,
    "C.U.I.T.": _TAX,
    "RTN": _TAX,
    "R.F.C.": _TAX,
    "RFC": _TAX,
    "NIT #": _TAX,
    "RUC #": _TAX,
    "R.U.C. #": _TAX,
    "RIF #": _TAX,
    "C.I.F.": _TAX,
    "Italian Fiscal Code": _TAX,
    "Numero Unico de Identificacao Tributaria (NUIT)": _TAX,
    "Paraguayan tax identification number": _TAX,
    "Registration Number": _Id("registrationNumber", russian_codes=True),
    "Business Registration Number": _Id("registrationNumber", russian_codes=True),
    "Business Registration Document #": _Id("registrationNumber", russian_codes=True),
    "Registration ID": _Id("registrationNumber", russian_codes=True),
    "Company Number": _REG,
    "UK Company Number": _REG,
    "Commercial Registry Number": _REG,
    "C.R. No.": _REG,
    "Folio Mercantil No.": _REG,
    "Matricula Mercantil No": _REG,
    "Trade License No.": _REG,
    "Chamber of Commerce Number": _REG,
    "Economic Register Number (CBLS)": _REG,
    "Certificate of Incorporation Number": _REG,
    "Enterprise Number": _REG,
    "Branch Unit Number": _REG,
    "Business Number": _REG,
    "Central Registration System Number": _REG,
    "Istanbul Chamber of Comm. No.": _REG,
    "Dubai Chamber of Commerce Membership No.": _REG,
    "Public Registration Number": _REG,
    "Registered Charity No.": _REG,
    "LE Number": _REG,
    "License": _REG,
    "Organization Code": _REG,
    "Afghan Money Service Provider License Number": _REG,
    "Vessel Registration Identification": _REG,
    "Unified Social Credit Code (USCC)": _Id("uscCode"),
    "United Social Credit Code Certificate (USCCC)": _Id("uscCode"),
    "SWIFT/BIC": _Id("swiftBic"),
    "D-U-N-S Number": _Id("dunsCode"),
    "Aircraft Manufacturer's Serial Number (MSN)": _Id("serialNumber"),
    "Aircraft Serial Identification": _Id("serialNumber"),
    "Aircraft Construction Number (also called L/N or S/N or F/N)": _Id("serialNumber"),
    "Aircraft Tail Number": _Id("registrationMark"),
    "Previous Aircraft Tail Number": _Id("registrationMark"),
    "Aircraft Mode S Transponder Code": _Id("other"),
    "Other Vessel Call Sign": _Id("callSign"),
    "MMSI": _Id("mmsi"),
    "Passport": _Id("passportNumber"),
    "Diplomatic Passport": _Id("passportNumber"),
    "Travel Document Number": _Id("passportNumber"),
    "National ID No.": _Id("idNumber"),
    "Cedula No.": _NID,
    "D.N.I.": _NID,
    "Identification Number": _NID,
    "SSN": _NID,
    "C.U.I.": _NID,
    "C.U.I.P.": _NID,
    "C.U.R.P.": _NID,
    "C.U.R.P. #": _NID,
    "CURP": _NID,
    "Kenyan ID No.": _NID,
    "Personal ID Card": _NID,
    "Birth Certificate Number": _NID,
    "Residency Number": _NID,
    "Driver's License No.": _NID,
    "Credencial electoral": _NID,
    "Cartilla de Servicio Militar Nacional": _NID,
    "Turkish Identification Number": _NID,
    "Numero de Identidad": _NID,
    "Citizen's Card Number": _NID,
    "National Foreign ID Number": _NID,
    "Electoral Registry No.": _NID,
    "I.F.E.": _NID,
    "Refugee ID Card": _NID,
    "Tazkira National ID Card": _NID,
    "UAE Identification": _NID,
    "Moroccan Personal ID No.": _NID,
    "Immigration No.": _NID,
    "VisaNumberID": _NID,
    "Pilot License Number": _NID,
    "Permit Number": _NID,
    "SRE Permit No.": _NID,
    "File Number": _NID,
    "Chinese Commercial Code": _Id("other"),
    "BIK (RU)": _Id("other"),
    "ISIN": _Id("other"),
    "Serial No.": _Id("other"),
}

#: Remarks keywords whose whole statement is kept as a note on sanctions programmes.
_NOTES = (
    "Secondary sanctions risk:",
    "Additional Sanctions Information -",
    "Transactions Prohibited For Persons Owned or Controlled By U.S.",
    "Executive Order 13662 Directive Determination -",
    "Executive Order 13846 information:",
    "Executive Order 14024 Directive Information",
    "CAATSA Section 235 Information:",
    "IFCA Determination -",
    "Listing Date (EO 14024 Directive",
    "Effective Date (EO 14024 Directive",
    "For more information on directives",
)

_OTHER_KEYS = (
    "DOB",
    "POB",
    "nationality",
    "citizen",
    "Gender",
    "Linked To:",
    "Nationality of Registration",
    "Organization Established Date",
    "Digital Currency Address -",
    "Aircraft Manufacture Date",
    "Aircraft Operator",
    "Vessel Year of Build",
    "Former Vessel Flag",
    "Other Vessel Flag",
    "Identification Number IMO",
    "Company Number IMO",
    "Vessel Registration Identification IMO",
    "Government Gazette Number",
    "Legal Entity Number",
)

#: Remarks keyword -> FtM property holding the value as written.
_PROPERTIES = {
    "Website": "website",
    "Email Address": "email",
    "Phone Number": "phone",
    "Phone No.": "phone",
    "Phone": "phone",
    "Telephone Number": "phone",
    "Telephone No.": "phone",
    "Telephone": "phone",
    "Organization Type:": "sector",
    "Target Type": "sector",
    "Aircraft Model": "model",
    "Other Vessel Type": "type",
}

_KEYS = {k.lower(): k for k in (*_IDENTIFIERS, *_PROPERTIES, *_NOTES, *_OTHER_KEYS)}
_KEY_RE = re.compile(
    r"^(?:alt\.\s+)?("
    + "|".join(re.escape(k) for k in sorted(_KEYS, key=len, reverse=True))
    + r")(?![A-Za-z0-9])[\s:]*",
    re.IGNORECASE,
)
_ISSUED = re.compile(r"\s+((?:issued|expires)\b.*)$", re.IGNORECASE)
_WHEN = re.compile(r"\b(issued|expires)\s+(.*?)(?=\s+(?:issued|expires)\b|$)", re.IGNORECASE)
_TRAILING_PAREN = re.compile(r"\s*\(([^()]*)\)\s*$")
_LEI = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")
_CURRENCY = re.compile(r"^([A-Za-z0-9]{2,6})\s+(\S+)$")
_GENDERS = {"male": "male", "female": "female"}
_OKPO_COUNTRIES = {"RU", "BY", "UA"}
_CLASS_ORGANIZATION = (
    "government entity",
    "unrecognized government entity",
    "charity or nonprofit organization",
    "criminal organization",
)
_CLASS_COMPANY = (
    "private company",
    "public company",
    "state-owned enterprise",
    "financial institution",
)


def _id_value(text: str) -> tuple[str, str | None, list[str]]:
    """``123 (Russia) issued 2010`` -> value, ISO country, extra notes."""
    notes: list[str] = []
    if m := _ISSUED.search(text):
        for word, when in _WHEN.findall(m.group(1)):
            notes.append(f"{word.lower()} {parse_date(when.strip()) or when.strip()}")
        text = text[: m.start()]
    country: str | None = None
    for _ in range(3):
        m = _TRAILING_PAREN.search(text)
        if not m or m.start() == 0:
            break
        inner = m.group(1).strip()
        code = to_code(inner) if country is None else None
        if code:
            country = code
        else:
            notes.insert(0, inner)
        text = text[: m.start()]
    return text.strip().strip(",").strip(), country, notes


_AKA, _FKA = "a.k.a.", "f.k.a."


def _classify(part: str) -> tuple[str, str] | None:
    """A remarks fact -> (keyword, value); quoted aliases give ``a.k.a.``/``f.k.a.`` and the name,
    notes on sanctions programmes give their keyword and the whole statement."""
    if aka := _AKA_START.match(part):
        name = part[aka.end() :].strip()
        name = name.removeprefix("'").removesuffix("'").strip()
        if not name:
            return None
        return (_AKA if aka.group(1).lower() == "a" else _FKA), name
    m = _KEY_RE.match(part)
    if not m:
        return None
    key = _KEYS[m.group(1).lower()]
    if key in _NOTES:
        return key, part.removeprefix("alt. ")
    value = part[m.end() :].strip()
    return (key, value) if value else None


@dataclass
class _Pending:
    """Relationships waiting for target ids until every entity of the file is known."""

    entity: Entity
    relationship: Relationship


class _Builder:
    """Fills one entity from its row, remarks, aliases and addresses. Values are deduplicated
    through a set rather than the entity's list scans, so hostile input stays linear."""

    def __init__(self, entity: Entity, pending: list[_Pending]) -> None:
        self.entity = entity
        self.pending = pending
        self.seen: set[tuple[str | None, ...]] = set()

    def _new(self, *key: str | None) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def name(self, value: str, kind: str) -> None:
        """Person names are written "LAST, Given Names": the part before the first comma is the
        last name, the rest the first name(s), as ofac_xml takes them from lastName/firstName."""
        value = " ".join(value.split())
        if not value or not self._new("name", value, kind):
            return
        if self.entity.schema == "Person" and "," in value:
            last, _, given = value.partition(",")
            self.entity.names.append(
                Name(value, kind, last_name=last.strip() or None, first_name=given.strip() or None)
            )
        else:
            self.entity.names.append(Name(value, kind))

    def identifier(
        self, type_: str, value: str, country: str | None = None, note: str | None = None
    ) -> None:
        value = value.strip()
        if value and self._new("id", type_, value, country, note):
            self.entity.identifiers.append(Identifier(type_, value, country, note))

    def prop(self, prop: str, value: str | None) -> None:
        if value and self._new("prop", prop, value):
            self.entity.properties.setdefault(prop, []).append(value)

    def add(self, values: list[str], tag: str, value: str | None) -> None:
        if value and self._new(tag, value):
            values.append(value)

    def relate(self, type_: str, target: str, note: str | None = None) -> None:
        if self._new("rel", type_, target):
            rel = Relationship(type=type_, target_name=target, note=note)
            self.entity.relationships.append(rel)
            self.pending.append(_Pending(self.entity, rel))

    def address(self, street: str, city: str, country: str) -> None:
        full = ", ".join(p for p in (street, city, country) if p)
        if not full or not self._new("address", street, city, country):
            return
        code = to_code(country) if country else None
        self.entity.addresses.append(
            Address(full=full, street=street or None, city=city or None, country=code)
        )
        self.add(self.entity.countries, "country", code)

    def remarks(self, remarks: str, title: str | None, cut_mid_fact: bool) -> None:
        parts = split_remarks(remarks)
        if cut_mid_fact and parts:
            parts.pop()  # a partial number or name would mislead
        title = " ".join(title.split()) if title else None
        for part in parts:
            if part == title:
                continue
            fact = _classify(part)
            if fact is None:
                continue
            key, value = fact
            if key == _AKA:
                self.name(value, "weak_aka")
            elif key == _FKA:
                self.name(value, "fka")
            elif key in _NOTES:
                self.prop("sanctionsInfo", value)
            else:
                self._fact(key, value)

    def _fact(self, key: str, value: str) -> None:
        entity = self.entity
        if prop := _PROPERTIES.get(key):
            self.prop(prop, value)
        elif key in _IDENTIFIERS:
            self._identifier(key, _IDENTIFIERS[key], value)
        elif key == "DOB":
            for date in parse_dates(value):
                self.add(entity.birth_dates, "dob", date)
        elif key == "POB":
            self.add(entity.birth_places, "pob", value)
        elif key == "nationality":
            self.add(entity.nationalities, "nationality", to_code(value))
        elif key == "citizen":
            self.add(entity.citizenships, "citizen", to_code(value))
        elif key == "Nationality of Registration":
            code = to_code(value)
            self.prop("jurisdiction", code or value)
            self.add(entity.countries, "country", code)
        elif key == "Gender":
            entity.gender = _GENDERS.get(value.lower(), entity.gender)
        elif key == "Linked To:":
            self.relate("linked_to", value)
        elif key == "Aircraft Operator":
            self.prop("operator", value)
            self.relate("related", value, note="operator")
        elif key == "Organization Established Date":
            for date in parse_dates(value):
                self.add(entity.incorporation_dates, "incorporated", date)
        elif key in ("Aircraft Manufacture Date", "Vessel Year of Build"):
            for date in parse_dates(value):
                self.prop("buildDate", date)
        elif key == "Digital Currency Address -":
            if m := _CURRENCY.match(value):
                self.identifier("cryptoWallet", m.group(2), note=m.group(1).upper())
            else:
                self.identifier("cryptoWallet", value)
        elif key == "Former Vessel Flag":
            self.prop("pastFlags", to_code(value))
        elif key == "Other Vessel Flag":
            code = to_code(value)
            self.prop("flag", code)
            self.add(entity.countries, "country", code)
        elif key.endswith("IMO"):
            self.identifier("imoNumber", f"IMO {value}", note=key)
        elif key == "Government Gazette Number":
            number, country, notes = _id_value(value)
            type_ = "okpoCode" if country in _OKPO_COUNTRIES else "registrationNumber"
            self.identifier(type_, number, country, "; ".join([key, *notes]))
        elif key == "Legal Entity Number":
            number, country, notes = _id_value(value)
            type_ = "leiCode" if _LEI.match(number) else "registrationNumber"
            self.identifier(type_, number, country, "; ".join([key, *notes]))

    def _identifier(self, key: str, spec: _Id, value: str) -> None:
        number, country, notes = _id_value(value)
        if not number:
            return
        if key == "BIK (RU)":
            country = country or "RU"
        note = "; ".join([key.rstrip(":"), *notes])
        russian = russian_code(spec.type, number, country) if spec.russian_codes else None
        if russian == "ogrnCode":
            self.identifier(russian, number, country, note)
            return
        self.identifier(spec.type, number, country, note)
        if russian == "innCode":
            self.identifier(russian, number, country, note)


# ---------------------------------------------------------------------------------------------
# Names and schema

_ORGANIZATION_WORD = re.compile(
    r"\b(INSTITUTE|INSTITUTION|UNIVERSITY|ACADEMY|FOUNDATION|ASSOCIATION|ORGANI[SZ]ATION"
    r"|MOVEMENT|MINISTRY|PARTY|UNION|COUNCIL|AGENCY|COMMITTEE|ARMY|BRIGADES?|FRONT|CHARITY"
    r"|SOCIETY|DIRECTORATE|GUARD|POLICE|SCHOOL|COLLEGE|CENTER|CENTRE)\b",
    re.IGNORECASE,
)
_BUSINESS_REMARKS = re.compile(
    r"Organization Established Date|Tax ID No\.|Registration (?:Number|ID)|Company Number"
    r"|Commercial Registry|C\.R\. No\.|Government Gazette Number|Social Credit Code|SWIFT/BIC"
    r"|Legal Entity Number|D-U-N-S|V\.A\.T\.|Folio Mercantil|Matricula Mercantil|Trade License"
    r"|Chamber of Comm|Certificate of Incorporation|Enterprise Number|Business Number"
    r"|Economic Register Number|NIT #|RUC #|RIF #|C\.U\.I\.T\.|US FEIN",
)


def _schema(sdn_type: str, name: str, remarks: str | None) -> str:
    kind = sdn_type.lower()
    if kind == "individual":
        return "Person"
    if kind == "vessel":
        return "Vessel"
    if kind == "aircraft":
        return "Aircraft"
    text = remarks or ""
    lowered = text.lower()
    for value in _CLASS_ORGANIZATION:
        if f"target type {value}" in lowered:
            return "Organization"
    for value in _CLASS_COMPANY:
        if f"target type {value}" in lowered:
            return "Company"
    if looks_like_company(name, trade_words=True):
        return "Company"
    if _ORGANIZATION_WORD.search(name):
        return "Organization"
    if _BUSINESS_REMARKS.search(text):
        return "Company"
    return "Organization"


def _programs(text: str) -> list[str]:
    """``SDGT] [IFSR`` (OFAC strips the outer brackets) -> ``["SDGT", "IFSR"]``."""
    return list(dict.fromkeys(p.strip() for p in re.split(r"[\[\]]", text) if p.strip()))


def _number(text: str) -> str:
    compact = text.replace(",", "").strip()
    return compact if compact.replace(".", "", 1).isdigit() else text


def _name_key(name: str) -> str:
    return " ".join(name.upper().split()).rstrip(" .,;:")


# ---------------------------------------------------------------------------------------------
# Parse


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Building ~15k entities allocates ~300k containers and no cycles; the cyclic collector's
    repeated passes over them would double the parse time, so it pauses meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse(
    paths: list[Path], *, dataset: str | None = None, skip_bad_rows: bool = False
) -> ParsedList:
    """Parse one version of the OFAC legacy CSV set into entities."""
    with _gc_paused():
        return _parse(paths, dataset=dataset, skip_bad_rows=skip_bad_rows)


def _parse(paths: list[Path], *, dataset: str | None, skip_bad_rows: bool) -> ParsedList:
    if not paths:
        raise SourceError("no files given")
    for path in paths:
        if not path.exists():
            raise MissingFileError(str(path))
        if path.is_dir():
            raise SourceError("is a directory, not a list file", file=str(path))
    files = _resolve_files(paths)
    main = files[_MAIN]
    if dataset is None:
        dataset = DATASETS[1] if main.name.lower().startswith("cons") else DATASETS[0]
    elif dataset not in DATASETS:
        raise SourceError(
            f"unknown dataset {dataset!r} for format {NAME} (one of {', '.join(DATASETS)})",
            file=str(main),
        )
    reader = _Reader(skip_bad_rows=skip_bad_rows)
    warnings: list[str] = []

    rows: dict[str, _Row] = {}
    for row in reader.rows(main, _MAIN):
        ent_num = row.cells[0]
        if ent_num in rows:
            warnings.append(
                f"{main} line {row.line}: duplicate ent_num {ent_num} "
                f"(kept the row on line {rows[ent_num].line})"
            )
            continue
        rows[ent_num] = row

    if _COMMENTS in files:
        path = files[_COMMENTS]
        continued: dict[str, list[str]] = {}
        for row in reader.rows(path, _COMMENTS):
            if row.cells[0] not in rows:
                warnings.append(
                    f"{path} line {row.line}: comment for unknown ent_num {row.cells[0]}"
                )
                continue
            continued.setdefault(row.cells[0], []).append(row.raw[1])
        for ent_num, texts in continued.items():
            target = rows[ent_num]
            target.raw[11] = "".join([target.raw[11] if target.cells[11] else "", *texts])
            target.cells[11] = target.raw[11].strip()

    if not rows:
        raise SourceError("no entries found", file=str(main))

    pending: list[_Pending] = []
    builders: dict[str, _Builder] = {}
    for ent_num, row in rows.items():
        raw = row.raw[11]
        cut_mid_fact = False
        if len(raw) >= REMARKS_CELL_LIMIT and not raw.endswith("."):
            cut_mid_fact = not raw.rstrip().endswith(";")
            warnings.append(
                f"{main} line {row.line}: remarks of ent_num {ent_num} are cut at "
                f"{REMARKS_CELL_LIMIT} characters with no continuation"
                + ("; the cut-off last fact is ignored" if cut_mid_fact else "")
            )
        builders[ent_num] = _entity(dataset, main, row, pending, cut_mid_fact)

    if _ALT in files:
        path = files[_ALT]
        for row in reader.rows(path, _ALT):
            builder = builders.get(row.cells[0])
            if builder is None:
                warnings.append(f"{path} line {row.line}: alias for unknown ent_num {row.cells[0]}")
                continue
            alt_type, alt_name, alt_remarks = row.cells[2].lower(), row.cells[3], row.cells[4]
            if alt_type == "aka":
                kind = "weak_aka" if "weak" in alt_remarks.lower() else "strong_aka"
            elif alt_type == "fka":
                kind = "fka"
            else:  # "nka" (now known as) is a current name
                kind = "strong_aka"
            builder.name(alt_name, kind)

    if _ADD in files:
        path = files[_ADD]
        for row in reader.rows(path, _ADD):
            builder = builders.get(row.cells[0])
            if builder is None:
                warnings.append(
                    f"{path} line {row.line}: address for unknown ent_num {row.cells[0]}"
                )
                continue
            builder.address(row.cells[2], row.cells[3], row.cells[4])

    _resolve(dataset, rows, pending)
    warnings.extend(reader.warnings)
    if reader.skipped > MAX_DETAILED_WARNINGS:
        warnings.append(f"{reader.skipped - MAX_DETAILED_WARNINGS} more malformed rows skipped")
    ordered = [main] + [files[r] for r in (_ALT, _ADD, _COMMENTS) if r in files]
    return ParsedList(
        dataset=dataset,
        format=NAME,
        entities=[builder.entity for builder in builders.values()],
        files=ordered,
        published=None,
        warnings=warnings,
        skipped_rows=reader.skipped,
    )


def _entity(
    dataset: str, path: Path, row: _Row, pending: list[_Pending], cut_mid_fact: bool
) -> _Builder:
    (ent_num, name, sdn_type, program, title, call_sign, vess_type, tonnage, grt, flag, owner,
     remarks) = row.cells  # fmt: skip
    schema = _schema(sdn_type, name, remarks)
    entity = Entity(
        id=make_id(dataset, ent_num),
        schema=schema,
        caption=name or ent_num,
        provenance=Provenance(
            dataset=dataset, source_id=ent_num, source_file=path.name, record=str(row.line)
        ),
        programs=_programs(program),
        remarks=remarks or None,
    )
    builder = _Builder(entity, pending)
    builder.name(name, "primary")
    builder.prop("position", title)
    if call_sign:
        builder.identifier("callSign", call_sign)
    builder.prop("type", vess_type)
    builder.prop("tonnage", _number(tonnage))
    builder.prop("grossRegisteredTonnage", _number(grt))
    if flag:
        code = to_code(flag)
        builder.prop("flag", code or flag)
        builder.add(entity.countries, "country", code)
    if owner:
        builder.relate("owned_by", owner)
    if remarks:
        builder.remarks(remarks, title, cut_mid_fact)
    return builder


def _resolve(dataset: str, rows: dict[str, _Row], pending: list[_Pending]) -> None:
    """Point relationships at the entry whose primary name they give; when several entries share
    that name, prefer the one sharing a programme, and leave truly ambiguous targets unresolved."""
    by_name: dict[str, list[str]] = {}
    for ent_num, row in rows.items():
        by_name.setdefault(_name_key(row.cells[1]), []).append(ent_num)
    for item in pending:
        rel = item.relationship
        namesakes = by_name.get(_name_key(rel.target_name or ""), [])
        if len(namesakes) > MAX_NAMESAKES:
            continue
        candidates = [n for n in namesakes if n != item.entity.source_id]
        if len(candidates) > 1:
            programs = set(item.entity.programs)
            candidates = [
                n for n in candidates if programs.intersection(_programs(rows[n].cells[3]))
            ]
        if len(candidates) == 1:
            rel.target_id = make_id(dataset, candidates[0])
            rel.target_name = rows[candidates[0]].cells[1]
