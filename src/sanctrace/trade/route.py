"""Route checks: does a shipment touch a known transshipment hub, or end in a restricted place?

Controlled goods reach Russia less and less directly: they are sold to a trader in a third
country and forwarded. FinCEN and BIS named the countries they had seen used that way in their
joint alert of 28 June 2022 (FIN-2022-Alert003); the list, its sources and the date it was
compiled are data (``data/transshipment_hubs.json``), so it can be read, cited and replaced.
A hub on the route is a reason to look, not a finding: most trade through these countries is
lawful, so the flag weighs little alone and much with the others (``trade.score``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from sanctrace.model.countries import to_code
from sanctrace.trade.model import Flag, Shipment

DEFAULT_RESTRICTED = frozenset({"RU", "BY"})
_DEFAULT_BASIS = " (US EAR 15 CFR 746.8; EU Regulations 833/2014 and 765/2006)"


@dataclass(frozen=True)
class Hubs:
    """The hub countries (ISO alpha-2) with the ids of the alerts naming each, and the alerts."""

    countries: dict[str, tuple[str, ...]]
    sources: dict[str, dict[str, Any]]
    compiled: str


@lru_cache(maxsize=1)
def default_hubs() -> Hubs:
    """The hubs of ``data/transshipment_hubs.json`` (read once)."""
    text = (
        resources.files("sanctrace.trade")
        .joinpath("data/transshipment_hubs.json")
        .read_text("utf-8")
    )
    data = json.loads(text)
    return Hubs(
        {code: tuple(entry["sources"]) for code, entry in data["hubs"].items()},
        {s["id"]: s for s in data["sources"]},
        data["compiled"],
    )


def _codes(countries: Iterable[str]) -> frozenset[str]:
    """Codes for codes or names ("RU", "Russia", "Belarus"); unknown ones are an error."""
    out = set()
    for country in countries:
        code = country.upper() if len(country) == 2 and country.isalpha() else to_code(country)
        if not code:
            raise ValueError(f"unknown country {country!r}")
        out.add(code)
    return frozenset(out)


def _as_hubs(hubs: Hubs | Iterable[str] | None) -> Hubs:
    if hubs is None:
        return default_hubs()
    if isinstance(hubs, Hubs):
        return hubs
    return Hubs(
        {code: ("user",) for code in _codes(hubs)},
        {"user": {"id": "user", "title": "hub list given by the user", "date": "?"}},
        "",
    )


def route_flags(
    shipment: Shipment,
    restricted: Iterable[str] = DEFAULT_RESTRICTED,
    hubs: Hubs | Iterable[str] | None = None,
) -> list[Flag]:
    """``transshipment_route`` and ``destination_restricted`` for one shipment.

    - ``transshipment_route``: the origin, a transit or the consignee's country is a hub; the
      evidence lists each (role, country, alerts). The shipper's own country counts as origin
      when no origin is given. A hub that is also restricted is left to the second flag.
    - ``destination_restricted``: the consignee's country, or the last transit country, is in
      ``restricted`` (Russia and Belarus unless configured; codes or names).
    """
    found = _as_hubs(hubs)
    blocked = _codes(restricted)
    flags: list[Flag] = []
    origin = shipment.origin_country or shipment.shipper_country
    origin_role = "origin" if shipment.origin_country else "shipper_country"
    legs: list[tuple[str, str]] = []
    if origin:
        legs.append((origin_role, origin))
    legs += [("transit", c) for c in shipment.transit_countries]
    if shipment.consignee_country:
        legs.append(("consignee_country", shipment.consignee_country))
    touched = [
        {"role": role, "country": code, "alerts": list(found.countries[code])}
        for role, code in legs
        if code in found.countries and code not in blocked
    ]
    if touched:
        names = ", ".join(f"{t['country']} ({t['role']})" for t in touched)
        sources = sorted({a for t in touched for a in t["alerts"]})
        flags.append(
            Flag(
                "transshipment_route",
                f"the route passes {names}: named as a transshipment point for Russia- and "
                f"Belarus-bound controlled goods",
                "FinCEN/BIS joint alerts: "
                + "; ".join(f"{s} ({found.sources.get(s, {}).get('date', '?')})" for s in sources),
                {"hubs": touched, "alerts": sources, "hubs_compiled": found.compiled},
            )
        )
    end: list[tuple[str, str]] = []
    if shipment.consignee_country in blocked:
        end.append(("consignee_country", shipment.consignee_country))
    if shipment.transit_countries and shipment.transit_countries[-1] in blocked:
        end.append(("last_transit", shipment.transit_countries[-1]))
    if end:
        flags.append(
            Flag(
                "destination_restricted",
                "the goods go to "
                + ", ".join(f"{code} ({role})" for role, code in end)
                + ", a restricted destination",
                "restricted destinations: "
                + ", ".join(sorted(blocked))
                + (_DEFAULT_BASIS if blocked == DEFAULT_RESTRICTED else " (configured)"),
                {
                    "destinations": [{"role": r, "country": c} for r, c in end],
                    "restricted": sorted(blocked),
                },
            )
        )
    return flags
