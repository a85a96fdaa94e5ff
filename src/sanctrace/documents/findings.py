"""What scanning a document finds: listed parties named in it, each pointed at its place.

A finding names one listed record; the records of one real-world party (its listings on
several lists) are folded into one :class:`PartyFound` by :func:`group_findings`, with the
party grouping passed in (documents/ reads no store).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sanctrace.documents.extract import Document
from sanctrace.resolve.grouping import CAPTION_ORDER


@dataclass(frozen=True)
class Finding:
    """One listed entity named at one place of a document."""

    id: str
    caption: str
    dataset: str
    schema: str
    start: int  # char offset in the document's text
    end: int  # exclusive
    page: int | None  # PDFs: 1-based page
    text: str  # the text as written there
    score: float
    explanation: dict[str, Any]
    context: str  # the sentence around it
    programs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "caption": self.caption,
            "dataset": self.dataset,
            "schema": self.schema,
            "programs": list(self.programs),
            "start": self.start,
            "end": self.end,
            "page": self.page,
            "text": self.text,
            "score": round(self.score, 4),
            "explanation": self.explanation,
            "context": self.context,
        }


class PartyGrouping(Protocol):
    """Who is the same party (:class:`sanctrace.resolve.store.Parties`)."""

    def party_of(self, record_id: str) -> str: ...
    def members(self, party_id: str) -> list[str]: ...


#: ``record id -> listing dict`` (dataset, id, list, programs, listed date, version, names).
Listing = Callable[[str], dict[str, Any] | None]


@dataclass(frozen=True)
class PartyFound:
    """One real-world party named in a document: every listing of it, and every place it is
    named (the findings of its records, best first within a place)."""

    id: str
    caption: str
    schema: str
    listings: tuple[dict[str, Any], ...]
    findings: tuple[Finding, ...]

    @property
    def score(self) -> float:
        return max(f.score for f in self.findings)

    @property
    def referents(self) -> list[str]:
        return [d["id"] for d in self.listings]

    @property
    def programs(self) -> list[str]:
        return sorted({p for d in self.listings for p in d.get("programs") or []})

    def places(self) -> list[list[Finding]]:
        """The findings grouped by place (start, end), in document order."""
        at: dict[tuple[int, int], list[Finding]] = {}
        for f in sorted(self.findings, key=lambda f: (f.start, f.end, -f.score, f.id)):
            at.setdefault((f.start, f.end), []).append(f)
        return list(at.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "caption": self.caption,
            "schema": self.schema,
            "score": round(self.score, 4),
            "referents": self.referents,
            "datasets": sorted({d["dataset"] for d in self.listings}),
            "programs": self.programs,
            "listings": list(self.listings),
            "mentions": [
                {
                    "start": place[0].start,
                    "end": place[0].end,
                    "page": place[0].page,
                    "text": place[0].text,
                    "score": round(place[0].score, 4),
                    "record_ids": [f.id for f in place],
                }
                for place in self.places()
            ],
        }


def group_findings(
    findings: Sequence[Finding], parties: PartyGrouping, listing: Listing
) -> list[PartyFound]:
    """The findings folded into one entry per party, best first; a party's listings are all
    its records that ``listing`` describes (the ones found carry their best score)."""
    by_party: dict[str, list[Finding]] = {}
    for f in findings:
        by_party.setdefault(parties.party_of(f.id), []).append(f)
    out = []
    for party, found in by_party.items():
        best: dict[str, Finding] = {}
        for f in found:
            if f.id not in best or f.score > best[f.id].score:
                best[f.id] = f
        listings = []
        for record in parties.members(party) or list(best):
            described = listing(record)
            if described is None and record in best:
                f = best[record]
                described = {
                    "dataset": f.dataset,
                    "id": f.id,
                    "list": f.dataset,
                    "caption": f.caption,
                    "schema": f.schema,
                    "programs": list(f.programs),
                }
            if described is None:
                continue
            if record in best:
                described = {**described, "score": round(best[record].score, 4)}
            listings.append(described)
        listings.sort(key=lambda d: (-(d.get("score") or -1.0), d["dataset"], d["id"]))
        top = max(found, key=lambda f: (f.score, f.id))
        out.append(
            PartyFound(
                party, _caption(listings) or top.caption, top.schema, tuple(listings), tuple(found)
            )
        )
    out.sort(key=lambda p: (-p.score, p.id))
    return out


def _caption(listings: Sequence[dict[str, Any]]) -> str | None:
    rank = {d: i for i, d in enumerate(CAPTION_ORDER)}
    named = [d for d in listings if d.get("caption")]
    if not named:
        return None
    first = min(named, key=lambda d: (rank.get(d["dataset"], len(rank)), d["id"]))
    return str(first["caption"])


class _Alone:
    """No grouping: every record is a party of its own."""

    def party_of(self, record_id: str) -> str:
        return record_id

    def members(self, party_id: str) -> list[str]:
        return []


@dataclass
class DocumentReport:
    """The findings of one document, with what the user must know about its text, and the
    parties they name once grouped (:func:`group_findings`; empty until then)."""

    document: Document
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    parties: list[PartyFound] = field(default_factory=list)

    def grouped(self) -> list[PartyFound]:
        """The parties named, best first: as grouped, or before grouping each record found
        its own party."""
        return self.parties or group_findings(self.findings, _Alone(), lambda _: None)

    def to_dict(self) -> dict[str, Any]:
        party = {r: p.id for p in self.parties for r in p.referents}
        return {
            "source": self.document.source,
            "kind": self.document.kind,
            "chars": len(self.document.text),
            "pages": len(self.document.pages) or None,
            "notes": list(self.document.notes),
            "findings": [{**f.to_dict(), "party_id": party.get(f.id, f.id)} for f in self.findings],
            "parties": [p.to_dict() for p in self.parties],
        }


def scan_output(
    reports: list[DocumentReport], threshold: float, lists: dict[str, str]
) -> dict[str, Any]:
    """The JSON of ``sanctrace scan --format json`` and ``POST /scan``."""
    return {
        "threshold": threshold,
        "lists": lists,
        "documents": [r.to_dict() for r in reports],
    }
