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

#: How many answers of one part (parties, goods, routes) are kept before its cache starts again.
PART_CACHE = 400_000

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
    Each part is judged by the few fields it reads, and its answer kept for those values:
    names, descriptions and routes repeat, so a file costs what its distinct values cost."""

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
        self._routes: dict[tuple[Any, ...], list[Flag]] = {}
        self._parties: dict[tuple[str, str, str | None], tuple[list[Flag], bool]] = {}
        self._addresses: dict[tuple[str, str | None], list[Flag]] = {}

    def flags(self, s: Shipment) -> list[Flag]:
        out: list[Flag] = []
        countries = {
            "shipper": s.shipper_country,
            "consignee": s.consignee_country,
            "payer": s.payer_country,
        }
        for role, name in s.parties():
            out.extend(self.party(role, name, countries.get(role), s.date))
        out.extend(self.address(s.consignee_address, s.consignee_country))
        if s.payer:
            out.extend(self.payer(s.payer, s.payer_country, s.consignee, s.consignee_country))
        if s.consignee_registered is not None and s.date is not None:
            out.extend(self.new_company(s.consignee_registered, s.date))
        out.extend(self.goods(s.hs_code, s.description))
        out.extend(
            self.route(
                s.origin_country, s.shipper_country, s.transit_countries, s.consignee_country
            )
        )
        return out

    def _kept(self, flags: list[Flag]) -> list[Flag]:
        return [f for f in flags if f.code not in self.off] if self.off and flags else flags

    def party(self, role: str, name: str, country: str | None, date: dt.date | None) -> list[Flag]:
        key = (role, name, country)
        known = self._parties.get(key)
        checks = self.party_checks
        if known is None:
            if len(self._parties) > PART_CACHE:
                self._parties.clear()
            flags = self._kept(checks.party_flags(role, name, country, date or self.day))
            listed = checks.listed(name, country) is not None
            known = self._parties[key] = (flags, not listed and checks.may_be_owned(name))
        if known[1]:  # the answer depends on the day: ownership changes over time
            return self._kept(checks.party_flags(role, name, country, date or self.day))
        return known[0]

    def address(self, address: str, country: str | None) -> list[Flag]:
        if not address or self.party_checks.addresses is None:
            return []
        key = (address, country)
        if key not in self._addresses:
            if len(self._addresses) > PART_CACHE:
                self._addresses.clear()
            s = Shipment(0, "", "", "", "", consignee_address=address, consignee_country=country)
            self._addresses[key] = self._kept(self.party_checks.address_flags(s))
        return self._addresses[key]

    def payer(
        self,
        payer: str,
        payer_country: str | None,
        consignee: str,
        consignee_country: str | None,
    ) -> list[Flag]:
        s = Shipment(
            0,
            "",
            "",
            consignee,
            "",
            payer=payer,
            payer_country=payer_country,
            consignee_country=consignee_country,
        )
        return self._kept(self.party_checks.payer_flags(s))

    def new_company(self, registered: dt.date, date: dt.date) -> list[Flag]:
        s = Shipment(0, "", "", "", "", date=date, consignee_registered=registered)
        return self._kept(self.party_checks.new_company_flags(s))

    def goods(self, hs_code: str, description: str) -> list[Flag]:
        key = (hs_code, description)
        found = self._goods.get(key)
        if found is None:
            if len(self._goods) > PART_CACHE:
                self._goods.clear()
            s = Shipment(0, "", "", "", hs_code, description=description)
            found = self._goods[key] = self._kept(self._goods_flags(s))
        return found

    def route(
        self,
        origin: str | None,
        shipper_country: str | None,
        transit: tuple[str, ...],
        consignee_country: str | None,
    ) -> list[Flag]:
        key = (origin, shipper_country, transit, consignee_country)
        found = self._routes.get(key)
        if found is None:
            if len(self._routes) > PART_CACHE:
                self._routes.clear()
            s = Shipment(
                0,
                "",
                "",
                "",
                "",
                origin_country=origin,
                shipper_country=shipper_country,
                transit_countries=transit,
                consignee_country=consignee_country,
            )
            found = self._routes[key] = self._kept(self._route_flags(s, restricted=self.restricted))
        return found


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
