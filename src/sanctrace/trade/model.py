"""A shipment as trade screening reads it, and a flag as every check raises it.

Every check is a pure function of shipments (and of the lists and ownership data it is
given) that returns flags; the run (``trade.run``) reads the file, calls the checks, scores
the flags and writes the report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

#: The columns a shipments file may have (``--column role=header`` maps others). The first
#: ones are required: a file without them is refused; the optional ones switch checks on.
REQUIRED_ROLES = ("shipment_id", "shipper", "consignee", "hs_code")
ROLES = (
    "shipment_id",
    "date",
    "shipper",
    "shipper_country",
    "consignee",
    "consignee_country",
    "hs_code",
    "description",
    "value",
    "currency",
    "quantity",
    "unit",
    "notify_party",
    "payer",
    "payer_country",
    "origin_country",
    "transit_countries",
    "consignee_address",
    "consignee_registered",
)


@dataclass(frozen=True)
class Shipment:
    """One shipment row; countries are ISO alpha-2 codes (None when not given or unknown)."""

    line: int  # the row's line (or row, or record) number in its file
    shipment_id: str
    shipper: str
    consignee: str
    hs_code: str  # digits only, as declared (6, 8 or 10 digits; "" when not given)
    description: str = ""
    date: dt.date | None = None
    shipper_country: str | None = None
    consignee_country: str | None = None
    value: float | None = None
    currency: str = ""
    quantity: float | None = None
    unit: str = ""
    notify_party: str = ""
    payer: str = ""
    payer_country: str | None = None
    origin_country: str | None = None
    transit_countries: tuple[str, ...] = ()
    consignee_address: str = ""
    consignee_registered: dt.date | None = None

    @property
    def hs6(self) -> str:
        return self.hs_code[:6] if len(self.hs_code) >= 6 else ""

    @property
    def unit_value(self) -> float | None:
        if self.value is None or not self.quantity:
            return None
        return self.value / self.quantity

    def parties(self) -> list[tuple[str, str]]:
        """(role, name) of every party named on it."""
        named = [
            ("shipper", self.shipper),
            ("consignee", self.consignee),
            ("notify_party", self.notify_party),
            ("payer", self.payer),
        ]
        return [(role, name) for role, name in named if name.strip()]


@dataclass(frozen=True)
class Flag:
    """One reason for concern: a stable ``code``, a ``reason`` in plain words, the evidence,
    and the rule or source it comes from."""

    code: str
    reason: str
    source: str
    evidence: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "reason": self.reason,
            "source": self.source,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class RowError:
    """A row that could not be read: its line, the field, and why (the rest is screened)."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, field {self.field!r}: {self.message}"
