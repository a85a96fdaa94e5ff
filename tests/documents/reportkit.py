"""Findings made by hand, for the report tests (as the scanner would give them)."""

from __future__ import annotations

from typing import Any

from sanctrace.documents.findings import Finding

KUPOL = "us_ofac_sdn:46431"


def finding(
    text: str,
    start: int,
    end: int,
    *,
    id: str = KUPOL,
    caption: str = "JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL",
    score: float = 0.92,
    page: int | None = None,
    explanation: dict[str, Any] | None = None,
) -> Finding:
    return Finding(
        id=id,
        caption=caption,
        dataset=id.split(":")[0],
        schema="Company",
        start=start,
        end=end,
        page=page,
        text=text[start:end],
        score=score,
        explanation=explanation if explanation is not None else {},
        context=text[max(0, start - 20) : end + 20],
        programs=("RUSSIA-EO14024",),
    )
