"""Beneficial Ownership Data Standard 0.4 (a JSON array of statements, or JSON lines): the
interests of relationship statements as edges, their ends named by the entity and person
statements (an XI-LEI identifier makes the node an LEI). The latest statement of a record wins
and a closed record is gone, as the standard's updating rules say.

An interest that BODS marks indirect is skipped when its relationship lists the component
relationships it runs through: those components are the direct edges, and the calculator
follows chains itself (counting both would count a stake twice). An indirect interest with no
components keeps its edge, its share type saying "indirect", as the only trace of that stake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

from sanctrace.errors import SourceError
from sanctrace.ownership.edges import LEI, Edge, fold_name
from sanctrace.ownership.shares import HUNDRED, UNKNOWN, ZERO, Share, describe
from sanctrace.ownership.sources.ftm import json_lines, load_json, read_day, read_text

NAME = "bods"

#: interest type -> (share type, control kind, whether a stake is held: unknown share if none
#: is given, else no share at all)
INTERESTS: dict[str, tuple[str, str | None, bool]] = {
    "shareholding": ("shares", None, True),
    "votingRights": ("votes", "voting", True),
    "appointmentOfBoard": ("board appointment", "appointment", False),
    "otherInfluenceOrControl": ("other influence or control", "management", False),
    "seniorManagingOfficial": ("senior managing official", "management", False),
    "settlor": ("settlor", "trust", False),
    "trustee": ("trustee", "trust", False),
    "protector": ("protector", "trust", False),
    "beneficiaryOfLegalArrangement": ("beneficiary of a legal arrangement", "trust", True),
    "rightsToSurplusAssetsOnDissolution": ("rights to surplus assets", None, True),
    "rightsToProfitOrIncome": ("rights to profit or income", None, True),
    "rightToProfitOrIncomeFromAssets": ("rights to profit or income from assets", None, True),
    "enjoymentAndUseOfAssets": ("enjoyment and use of assets", None, True),
    "rightsGrantedByContract": ("rights granted by contract", "management", False),
    "conditionalRightsGrantedByContract": ("conditional rights by contract", None, False),
    "controlViaCompanyRulesOrArticles": ("control via company rules", "management", False),
    "controlByLegalFramework": ("control by legal framework", "management", False),
    "boardMember": ("board member", "management", False),
    "boardChair": ("board chair", "management", False),
    "nominee": ("nominee", "nominee", False),
    "nominator": ("nominator", "nominee", False),
    "unknownInterest": ("unknown interest", None, True),
    "unpublishedInterest": ("unpublished interest", None, True),
}


def sniff(path: Path, head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return text[:1] in (b"[", b"{") and b'"statementId"' in text and b'"recordType"' in text


@dataclass
class _Statement:
    id: str
    record: str
    kind: str  # entity, person, relationship
    details: dict[str, Any]
    date: str
    closed: bool
    line: int | None
    index: int
    publisher: str


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, message: str, at: _Statement | None, field: str | None = None) -> SourceError:
        return SourceError(
            message,
            file=str(self.path),
            line=at.line if at else None,
            record=None if at is None else f"statement {at.id}",
            field=field,
        )

    def statements(self, text: str) -> list[_Statement]:
        if text.lstrip().startswith("["):
            data = load_json(text, self.path)
            if not isinstance(data, list):
                raise SourceError("not a JSON array of statements", file=str(self.path))
            items: list[tuple[int | None, Any]] = [(None, item) for item in data]
        else:
            items = list(json_lines(text, self.path))
        out = []
        for index, (line, obj) in enumerate(items):
            out.append(self.statement(obj, line, index))
        return out

    def statement(self, obj: Any, line: int | None, index: int) -> _Statement:
        record_at = f"#{index + 1}"
        if not isinstance(obj, dict):
            raise SourceError(
                f"a JSON {type(obj).__name__} where a statement object belongs",
                file=str(self.path),
                line=line,
                record=record_at,
            )
        statement_id = obj.get("statementId")
        if not isinstance(statement_id, str) or not statement_id.strip():
            raise SourceError(
                "a statement without a statementId",
                file=str(self.path),
                line=line,
                record=record_at,
                field="statementId",
            )
        if "statementType" in obj and "recordType" not in obj:
            raise SourceError(
                "a BODS 0.2/0.3 statement (statementType): sanctrace reads BODS 0.4",
                file=str(self.path),
                line=line,
                record=f"statement {statement_id}",
                field="statementType",
            )
        stub = _Statement(statement_id, "", "", {}, "", False, line, index, "")
        kind = obj.get("recordType")
        if kind not in ("entity", "person", "relationship"):
            raise self.error(
                f"recordType {kind!r}: expected entity, person or relationship", stub, "recordType"
            )
        record = obj.get("recordId")
        if not isinstance(record, str) or not record.strip():
            raise self.error("a statement without a recordId", stub, "recordId")
        details = obj.get("recordDetails")
        if not isinstance(details, dict):
            raise self.error("recordDetails is missing or not an object", stub, "recordDetails")
        published = obj.get("publicationDetails")
        publisher = published.get("publisher") if isinstance(published, dict) else None
        name = publisher.get("name") if isinstance(publisher, dict) else None
        statement_date = obj.get("statementDate")
        return _Statement(
            id=statement_id,
            record=record,
            kind=kind,
            details=details,
            date=statement_date if isinstance(statement_date, str) else "",
            closed=obj.get("recordStatus") == "closed",
            line=line,
            index=index,
            publisher=name if isinstance(name, str) else "",
        )

    def node(self, statement: _Statement) -> tuple[str, str]:
        """The node key and name of an entity or person statement."""
        details = statement.details
        for ident in details.get("identifiers") or []:
            if isinstance(ident, dict) and ident.get("scheme") == "XI-LEI":
                lei = str(ident.get("id", "")).strip().upper()
                if not LEI.match(lei):
                    raise self.error(f"{lei!r} is not an LEI", statement, "identifiers")
                return f"lei:{lei}", _name(details)
        name = _name(details)
        folded = fold_name(name)
        if not folded:
            return f"name:bods record {fold_name(statement.record)}", name
        return f"name:{folded}", name

    def share(self, raw: Any, at: _Statement, field: str) -> Share:
        if not isinstance(raw, dict):
            raise self.error("share is not an object", at, field)

        def bound(key: str) -> Fraction | None:
            value = raw.get(key)
            if value is None or isinstance(value, bool):
                return None
            if not isinstance(value, int | float | str):
                raise self.error(f"{key} is not a number", at, f"{field}.{key}")
            try:
                number = Fraction(str(value).strip().rstrip("%"))
            except (ValueError, ZeroDivisionError):
                raise self.error(f"{value!r} is not a number", at, f"{field}.{key}") from None
            if not ZERO <= number <= HUNDRED:
                raise self.error(f"{value}% is not between 0 and 100%", at, f"{field}.{key}")
            return number

        exact = bound("exact")
        if exact is not None:
            return Share(exact, exact, text=f"{exact}%")
        low, high = bound("minimum"), bound("maximum")
        low_open = high_open = False
        if (value := bound("exclusiveMinimum")) is not None:
            low, low_open = value, True
        elif raw.get("exclusiveMinimum") is True and low is not None:
            low_open = True  # BODS 0.2's boolean form
        if (value := bound("exclusiveMaximum")) is not None:
            high, high_open = value, True
        elif raw.get("exclusiveMaximum") is True and high is not None:
            high_open = True
        if low is None and high is None:
            return UNKNOWN
        low = ZERO if low is None else low
        high = HUNDRED if high is None else high
        if low > high or (low == high and (low_open or high_open)):
            raise self.error(f"the range {low}-{high}% is empty", at, field)
        return Share(low, high, low_open, high_open, describe(low, high, low_open, high_open))

    def edges(self, rel: _Statement, parties: dict[str, _Statement]) -> list[Edge]:
        details = rel.details
        ends: list[tuple[str, str]] = []
        for field in ("subject", "interestedParty"):
            ref = details.get(field)
            if isinstance(ref, dict):
                return []  # an unspecified party (a reason, no one to hold or be held)
            if not isinstance(ref, str) or not ref.strip():
                raise self.error(f"the relationship has no {field}", rel, f"recordDetails.{field}")
            party = parties.get(ref)
            if party is None:
                raise self.error(
                    f"{field} {ref!r} is no entity or person statement of the file",
                    rel,
                    f"recordDetails.{field}",
                )
            ends.append(self.node(party))
        (asset, asset_name), (owner, owner_name) = ends
        if owner == asset:
            raise self.error("a party cannot hold itself", rel, "recordDetails.interestedParty")
        interests = details.get("interests") or [{}]
        if not isinstance(interests, list):
            raise self.error("interests is not a list", rel, "recordDetails.interests")
        components = bool(details.get("componentRecords"))
        out = []
        for i, interest in enumerate(interests):
            field = f"recordDetails.interests[{i}]"
            if not isinstance(interest, dict):
                raise self.error("an interest is not an object", rel, field)
            kind = interest.get("type") or "unknownInterest"
            if kind not in INTERESTS:
                raise self.error(f"{kind!r} is not a BODS interest type", rel, f"{field}.type")
            share_type, control, holds = INTERESTS[kind]
            indirect = interest.get("directOrIndirect") == "indirect"
            if indirect and components:
                continue
            if "share" in interest and interest["share"] is not None:
                share: Share | None = self.share(interest["share"], rel, f"{field}.share")
            else:
                share = UNKNOWN if holds else None
            start, end = self.dates(interest, rel, field)
            out.append(
                Edge(
                    owner=owner,
                    asset=asset,
                    share=share,
                    control=control,
                    share_type=f"indirect {share_type}" if indirect else share_type,
                    start=start,
                    end=end,
                    source=rel.publisher or "BODS",
                    owner_name=owner_name,
                    asset_name=asset_name,
                    provenance=f"{self.path.name}: statement {rel.id}",
                    extra={"interest": kind, "record": rel.record},
                )
            )
        return out

    def dates(
        self, interest: dict[str, Any], at: _Statement, field: str
    ) -> tuple[date | None, date | None]:
        found: list[date | None] = []
        for key, last in (("startDate", False), ("endDate", True)):
            try:
                found.append(read_day(interest.get(key), last=last))
            except ValueError as exc:
                raise self.error(str(exc), at, f"{field}.{key}") from None
        start, end = found
        if start and end and end < start:
            raise self.error(f"ends ({end}) before it starts ({start})", at, f"{field}.endDate")
        return start, end


def _name(details: dict[str, Any]) -> str:
    name = details.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    for entry in details.get("names") or []:
        if not isinstance(entry, dict):
            continue
        full = entry.get("fullName")
        if isinstance(full, str) and full.strip():
            return full.strip()
        parts = [entry.get(k) for k in ("givenName", "familyName")]
        joined = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
        if joined:
            return joined
    return ""


def read(path: Path) -> list[Edge]:
    reader = _Reader(path)
    statements = reader.statements(read_text(path))
    if not statements:
        raise SourceError("the file holds no BODS statements", file=str(path))
    latest: dict[str, _Statement] = {}
    for s in statements:
        known = latest.get(s.record)
        if known is not None and known.kind != s.kind:
            raise reader.error(
                f"record {s.record!r} is a {known.kind} and a {s.kind}", s, "recordType"
            )
        if known is None or s.date >= known.date:
            latest[s.record] = s
    parties = {r: s for r, s in latest.items() if s.kind != "relationship"}
    relations = [s for s in latest.values() if s.kind == "relationship" and not s.closed]
    if not any(s.kind == "relationship" for s in statements):
        raise SourceError("no relationship statements in the file", file=str(path))
    relations.sort(key=lambda s: s.index)
    return [e for rel in relations for e in reader.edges(rel, parties)]
