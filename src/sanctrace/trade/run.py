"""``sanctrace trade screen``: a shipments file through every check, scored, in one report.

One pass reads the rows and runs the checks of each shipment (parties, goods, route), keeping
the columns the whole-file checks need; DuckDB then finds the unit-value anomalies and the
first-time lanes over those columns; each shipment's flags are scored. A check whose columns
the file lacks is switched off, and the report says which.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sanctrace.trade.model import Flag, RowError, Shipment
from sanctrace.trade.parties import PartyChecks
from sanctrace.trade.read import ReadRow
from sanctrace.trade.score import WEIGHTS, evidence, risk

#: Each check and the columns it needs (any one of a tuple in a tuple).
NEEDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "party_listed": (),
    "party_owned_by_listed": (),
    "chpl": (("hs_code", "description"),),
    "hs_description_mismatch": (("description",),),
    "transshipment_route": (("origin_country", "transit_countries", "consignee_country"),),
    "destination_restricted": (("consignee_country", "transit_countries"),),
    "third_party_payer": (("payer",),),
    "new_company": (("consignee_registered",), ("date",)),
    "address_match_listed": (("consignee_address",),),
    "value_anomaly": (("value",), ("quantity",)),
    "first_time_lane": (("date",),),
}

#: How many (HS code, description) answers are kept before the cache starts again.
GOODS_CACHE = 200_000

#: The columns kept for the whole-file checks.
AGGREGATE_COLUMNS = ("line", "date", "shipper", "consignee", "hs_code", "value", "quantity")


@dataclass
class Screened:
    shipment: Shipment
    flags: list[Flag]
    errors: list[RowError]
    risk: float = 0.0
    level: str = "low"
    evidence: float = 0.0  # the weights uncapped, to rank shipments of equal risk

    def row(self) -> dict[str, Any]:
        s = self.shipment
        return {
            "line": s.line,
            "shipment_id": s.shipment_id,
            "date": s.date.isoformat() if s.date else "",
            "shipper": s.shipper,
            "consignee": s.consignee,
            "hs_code": s.hs_code,
            "risk": round(self.risk, 1),
            "level": self.level,
            "flags": ";".join(dict.fromkeys(f.code for f in self.flags)),
            "reasons": " | ".join(f.reason for f in self.flags),
            "errors": "; ".join(str(e) for e in self.errors),
        }


@dataclass
class TradeReport:
    shipments: list[Screened]
    checks_off: dict[str, str]
    parties_screened: int = 0
    errors: list[RowError] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"high": 0, "medium": 0, "low": 0}
        for s in self.shipments:
            out[s.level] += 1
        return out


def checks_off(roles: set[str], ownership_loaded: bool) -> dict[str, str]:
    """The checks the file's columns (and the loaded data) do not allow, and why."""
    off: dict[str, str] = {}
    for check, needs in NEEDS.items():
        missing = [" or ".join(any_of) for any_of in needs if not set(any_of) & roles]
        if missing:
            off[check] = "no " + " and no ".join(missing) + " column"
    if not ownership_loaded:
        off["party_owned_by_listed"] = "no ownership data loaded (sanctrace ownership load)"
    return off


class RowChecks:
    """The checks one shipment can be judged by on its own (parties, goods, route), with the
    checks that are off left out: what every path (in memory, streamed, Spark) runs per row.
    Descriptions repeat, so the goods of each (HS code, description) are judged once."""

    def __init__(
        self,
        party_checks: PartyChecks,
        off: Mapping[str, str],
        *,
        restricted: frozenset[str] = frozenset({"RU", "BY"}),
        today: dt.date | None = None,
    ) -> None:
        from sanctrace.trade.goods import goods_flags
        from sanctrace.trade.route import route_flags

        self.party_checks = party_checks
        self.off = frozenset(off)
        self.restricted = restricted
        self.day = today or dt.datetime.now(dt.UTC).date()
        self._goods_flags = goods_flags
        self._route_flags = route_flags
        self._goods: dict[tuple[str, str], list[Flag]] = {}

    def flags(self, s: Shipment) -> list[Flag]:
        key = (s.hs_code, s.description)
        goods = self._goods.get(key)
        if goods is None:
            if len(self._goods) > GOODS_CACHE:
                self._goods.clear()
            goods = self._goods[key] = self._goods_flags(s)
        found = [
            *self.party_checks.flags(s, self.day),
            *goods,
            *self._route_flags(s, restricted=self.restricted),
        ]
        return [f for f in found if f.code not in self.off] if self.off else found


def wants_aggregates(off: Mapping[str, str]) -> bool:
    return "value_anomaly" not in off or "first_time_lane" not in off


def screen_shipments(
    rows: Iterable[ReadRow],
    roles: set[str],
    party_checks: PartyChecks,
    *,
    restricted: frozenset[str] = frozenset({"RU", "BY"}),
    weights: dict[str, float] | None = None,
    today: dt.date | None = None,
    ownership_loaded: bool = False,
    advance: Callable[[int], None] | None = None,
) -> TradeReport:
    """Every shipment screened in memory, for a batch (the API) or a small file; the CLI
    streams larger ones through :mod:`sanctrace.trade.stream` with the same checks."""
    from sanctrace.trade.aggregates import aggregate_flags

    off = checks_off(roles, ownership_loaded)
    checks = RowChecks(party_checks, off, restricted=restricted, today=today)
    screened: list[Screened] = []
    columns: dict[str, list[Any]] = {c: [] for c in AGGREGATE_COLUMNS}
    errors: list[RowError] = []
    for read in rows:
        s = read.shipment
        errors.extend(read.errors)
        screened.append(Screened(s, checks.flags(s), read.errors))
        for name in AGGREGATE_COLUMNS:
            columns[name].append(getattr(s, name))
        if advance is not None:
            advance(1)
    if screened and wants_aggregates(off):
        found = aggregate_flags(_table(columns))
        for item in screened:
            extra = [f for f in found.get(item.shipment.line, []) if f.code not in off]
            item.flags.extend(extra)
    for item in screened:
        item.risk, item.level = risk(item.flags, weights or WEIGHTS)
        item.evidence = evidence(item.flags, weights or WEIGHTS)
    return TradeReport(screened, off, party_checks.screened, errors)


def _table(columns: dict[str, list[Any]]) -> Any:
    import pyarrow as pa

    return pa.table(columns)


def ranked(shipments: Iterable[Screened]) -> list[Screened]:
    """Highest risk first; of equal risk, the one with more evidence; then in file order."""
    return sorted(shipments, key=lambda s: (-s.risk, -s.evidence, s.shipment.line))
