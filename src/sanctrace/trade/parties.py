"""The party checks of a shipment: a party on a list (``party_listed``), owned or controlled by
listed parties (``party_owned_by_listed``), a consignee at a listed party's address
(``address_match_listed``), someone else paying (``third_party_payer``), and a consignee
formed shortly before (``new_company``).

Names repeat across a shipments file (a few thousand parties in a million rows), so each name
is screened once and its answer kept: the cost of a file grows with its distinct parties.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from sanctrace.match import Query, Screener
from sanctrace.model.entity import Entity
from sanctrace.normalize.text import fold
from sanctrace.resolve.store import PartyLookup
from sanctrace.trade.model import Flag, Shipment
from sanctrace.trade.read import MAX_NAME_CHARS

Listing = Callable[[str], dict[str, Any] | None]
#: ``(name, date) -> ownership answers`` (see :func:`sanctrace.ownership.screening.owned_results`).
Ownership = Callable[[str, dt.date], list[dict[str, Any]]]

#: A party name counts as a listed party's from this score (higher than `screen`'s 0.8: a
#: shipment file names tens of thousands of ordinary companies).
PARTY_THRESHOLD = 0.9
#: A consignee address counts as a listed party's from this token-set similarity (0-100).
ADDRESS_SIMILARITY = 92
#: A consignee registered less than this many days before the shipment is new.
NEW_COMPANY_DAYS = 365


@dataclass(frozen=True)
class ListedHit:
    party: str
    record_id: str
    caption: str
    score: float
    datasets: tuple[str, ...]


class AddressIndex:
    """The listed parties' addresses, by country, folded for comparison."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.by_country: dict[str | None, list[tuple[str, str, str]]] = {}
        for e in entities:
            for a in e.addresses:
                key = fold(a.full)
                if len(key.split()) >= 3:
                    self.by_country.setdefault(a.country, []).append((key, e.id, a.full))

    def match(self, address: str, country: str | None) -> tuple[str, str, float] | None:
        """(record id, listed address, similarity) of the closest listed address, if close."""
        key = fold(address)
        if len(key.split()) < 3:
            return None
        best: tuple[str, str, float] | None = None
        # a listed address without a country (many lists give it only in the text) is a
        # candidate for a consignee in any country
        pools = (
            [self.by_country.get(country, []), self.by_country.get(None, [])]
            if country
            else list(self.by_country.values())
        )
        for pool in pools:
            for listed, record, full in pool:
                score = fuzz.token_set_ratio(key, listed, score_cutoff=ADDRESS_SIMILARITY)
                if score and (best is None or score > best[2]):
                    best = (record, full, score)
        return best


class PartyChecks:
    """The party checks of shipments against one set of lists (and ownership data)."""

    def __init__(
        self,
        screener: Screener,
        parties: PartyLookup,
        listing: Listing,
        *,
        threshold: float = PARTY_THRESHOLD,
        ownership: Ownership | None = None,
        holds: Callable[[str], bool] | None = None,
        addresses: AddressIndex | None = None,
        new_company_days: int = NEW_COMPANY_DAYS,
        lists_source: str = "",
    ) -> None:
        self.screener = screener
        self.parties = parties
        self.listing = listing
        self.threshold = threshold
        self.ownership = ownership
        #: Whether the ownership data names a party (None: ask ``ownership`` every time).
        self.holds = holds
        self.addresses = addresses
        self.new_company_days = new_company_days
        self.lists_source = lists_source
        self._listed: dict[tuple[str, str | None], ListedHit | None] = {}
        self._written: dict[tuple[str, str | None], ListedHit | None] = {}  # as written
        self._owned: dict[tuple[str, dt.date], list[dict[str, Any]]] = {}
        self.screened = 0

    def listed(self, name: str, country: str | None) -> ListedHit | None:
        """The listed party this name is, screened once per (name, country)."""
        raw = (name, country)
        if raw in self._written:
            return self._written[raw]
        key = (fold(name), country)
        if key in self._listed:
            self._written[raw] = self._listed[key]
            return self._listed[key]
        if len(name) > MAX_NAME_CHARS:  # reported as a field error by the reader
            self._written[raw] = None
            return None
        self.screened += 1
        query = Query(name=name, countries=(country,) if country else ())
        matches = self.screener.screen(query, threshold=self.threshold, limit=1)
        hit = None
        if matches:
            best = matches[0]
            party = self.parties.party_of(best.id)
            members = self.parties.members(party) or [best.id]
            datasets = tuple(sorted({m.split(":", 1)[0] for m in members}))
            hit = ListedHit(party, best.id, best.caption, best.score, datasets)
        self._listed[key] = self._written[raw] = hit
        return hit

    def may_be_owned(self, name: str) -> bool:
        """Whether the ownership data may hold this name (so its answer depends on the day)."""
        return self.ownership is not None and (self.holds is None or self.holds(name))

    def owned(self, name: str, day: dt.date) -> list[dict[str, Any]]:
        if self.ownership is None or not self.may_be_owned(name):
            return []
        key = (name, day)
        if key not in self._owned:
            self._owned[key] = self.ownership(name, day)
        return self._owned[key]

    def flags(self, s: Shipment, today: dt.date) -> list[Flag]:
        countries = {
            "shipper": s.shipper_country,
            "consignee": s.consignee_country,
            "payer": s.payer_country,
        }
        out: list[Flag] = []
        for role, name in s.parties():
            out.extend(self.party_flags(role, name, countries.get(role), s.date or today))
        out.extend(self.address_flags(s))
        out.extend(self.payer_flags(s))
        out.extend(self.new_company_flags(s))
        return out

    def party_flags(self, role: str, name: str, country: str | None, day: dt.date) -> list[Flag]:
        """``party_listed`` for a listed party, else ``party_owned_by_listed`` per answer."""
        hit = self.listed(name, country)
        if hit is not None:
            return [
                Flag(
                    "party_listed",
                    f"the {role.replace('_', ' ')} {name!r} is the listed {hit.caption} "
                    f"(score {hit.score:.2f}; on {', '.join(hit.datasets)})",
                    self.lists_source or "the loaded lists",
                    {
                        "role": role,
                        "name": name,
                        "party_id": hit.party,
                        "record_id": hit.record_id,
                        "caption": hit.caption,
                        "score": round(hit.score, 4),
                        "lists": list(hit.datasets),
                    },
                )
            ]
        out: list[Flag] = []
        for answer in self.owned(name, day):
            status = answer["status"].replace("_", " ")
            out.append(
                Flag(
                    "party_owned_by_listed",
                    f"the {role.replace('_', ' ')} {name!r} is {status} under"
                    f" {answer['regime'].upper()}: {answer['explanation']}",
                    f"ownership data, {answer['regime'].upper()} rules",
                    {
                        "role": role,
                        "name": name,
                        **{k: answer[k] for k in ("id", "regime", "status", "basis")},
                    },
                )
            )
        return out

    def address_flags(self, s: Shipment) -> list[Flag]:
        if self.addresses is None or not s.consignee_address:
            return []
        found = self.addresses.match(s.consignee_address, s.consignee_country)
        if found is None:
            return []
        record, listed, score = found
        described = self.listing(record)
        caption = described.get("caption", record) if described else record
        return [
            Flag(
                "address_match_listed",
                f"the consignee's address is {caption}'s listed address {listed!r} "
                f"(similarity {score:.0f}%)",
                self.lists_source or "the loaded lists",
                {
                    "record_id": record,
                    "caption": caption,
                    "listed_address": listed,
                    "similarity": round(score, 1),
                },
            )
        ]

    @staticmethod
    def payer_flags(s: Shipment) -> list[Flag]:
        if not s.payer or fold(s.payer) == fold(s.consignee):
            return []
        where = ""
        if s.payer_country and s.consignee_country and s.payer_country != s.consignee_country:
            where = f", from another country ({s.payer_country}, consignee {s.consignee_country})"
        return [
            Flag(
                "third_party_payer",
                f"{s.payer!r} pays for goods shipped to {s.consignee!r}{where}",
                "FinCEN/BIS joint alerts: red flags of export-control evasion",
                {
                    "payer": s.payer,
                    "payer_country": s.payer_country,
                    "consignee": s.consignee,
                    "consignee_country": s.consignee_country,
                },
            )
        ]

    def new_company_flags(self, s: Shipment) -> list[Flag]:
        if s.consignee_registered is None or s.date is None:
            return []
        age = (s.date - s.consignee_registered).days
        if age < 0 or age >= self.new_company_days:
            return []
        return [
            Flag(
                "new_company",
                f"the consignee was registered {age} days before the shipment "
                f"({s.consignee_registered.isoformat()})",
                "FinCEN/BIS joint alerts: red flags of export-control evasion",
                {"registered": s.consignee_registered.isoformat(), "age_days": age},
            )
        ]
