"""What scanning a document finds: listed parties named in it, each pointed at its place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sanctrace.documents.extract import Document


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


@dataclass
class DocumentReport:
    """The findings of one document, with what the user must know about its text."""

    document: Document
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.document.source,
            "kind": self.document.kind,
            "chars": len(self.document.text),
            "pages": len(self.document.pages) or None,
            "notes": list(self.document.notes),
            "findings": [f.to_dict() for f in self.findings],
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
