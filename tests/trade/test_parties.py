"""The party checks of shipments on the real bundled lists: real listed names are found under
the role they play, once per name, and the payer and new-company checks say why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from sanctrace.match import Screener
from sanctrace.resolve.listings import listing_reader
from sanctrace.resolve.store import StoredParties
from sanctrace.store import Store, open_store
from sanctrace.trade.model import Shipment
from sanctrace.trade.parties import AddressIndex, PartyChecks

TODAY = dt.date(2026, 12, 7)


@pytest.fixture(scope="module")
def store(bundled_home: Path) -> Iterator[Store]:
    opened = open_store(str(bundled_home / "sanctrace.db"))
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def checks(store: Store) -> PartyChecks:
    return PartyChecks(Screener.open(store), StoredParties(store), listing_reader(store))


def shipment(**kw: object) -> Shipment:
    base: dict[str, object] = {
        "line": 2,
        "shipment_id": "S1",
        "shipper": "Quillmere Packaging GmbH",
        "consignee": "Brackenfold Foods B.V.",
        "hs_code": "880730",
    }
    return Shipment(**{**base, **kw})  # type: ignore[arg-type]


def codes(flags: list) -> list[str]:  # type: ignore[type-arg]
    return [f.code for f in flags]


def test_a_listed_notify_party_is_found_with_its_party_and_lists(checks: PartyChecks) -> None:
    flags = checks.flags(shipment(notify_party="JSC Izhevsk Electromechanical Plant Kupol"), TODAY)
    (hit,) = [f for f in flags if f.code == "party_listed"]
    assert hit.evidence["role"] == "notify_party"
    assert {"us_ofac_sdn", "au_dfat_sanctions"} <= set(hit.evidence["lists"])
    assert "KUPOL" in hit.evidence["caption"].upper() and hit.evidence["score"] >= 0.9


def test_a_listed_consignee_in_another_spelling_and_a_clean_shipper(checks: PartyChecks) -> None:
    flags = checks.flags(
        shipment(consignee="Tactical Missiles Corporation JSC", consignee_country="RU"), TODAY
    )
    assert codes(flags) == ["party_listed"]
    assert flags[0].evidence["role"] == "consignee"


def test_names_are_screened_once(store: Store) -> None:
    fresh = PartyChecks(Screener.open(store), StoredParties(store), listing_reader(store))
    for _ in range(5):
        fresh.flags(shipment(payer="Brackenfold Foods B.V."), TODAY)
    assert fresh.screened == 2  # the shipper and the consignee (also the payer)


def test_a_third_party_payer_in_another_country(checks: PartyChecks) -> None:
    flags = checks.flags(
        shipment(payer="Ashenwick Logistics LLC", payer_country="AE", consignee_country="RU"), TODAY
    )
    (flag,) = [f for f in flags if f.code == "third_party_payer"]
    assert "another country (AE, consignee RU)" in flag.reason
    same = checks.flags(shipment(payer="BRACKENFOLD FOODS B.V."), TODAY)
    assert "third_party_payer" not in codes(same)


def test_a_consignee_formed_months_before_the_shipment_is_new(checks: PartyChecks) -> None:
    new = shipment(date=dt.date(2023, 6, 1), consignee_registered=dt.date(2023, 2, 14))
    (flag,) = [f for f in checks.flags(new, TODAY) if f.code == "new_company"]
    assert flag.evidence["age_days"] == 107
    old = shipment(date=dt.date(2023, 6, 1), consignee_registered=dt.date(2019, 2, 14))
    assert "new_company" not in codes(checks.flags(old, TODAY))


def test_a_consignee_at_a_listed_address(store: Store) -> None:
    entities = [
        e for v in store.active_versions() for e in store.iter_entities(v.dataset, v.version)
    ]
    index = AddressIndex(entities)
    listed = next(
        a for e in entities for a in e.addresses if a.country and len(a.full.split()) >= 4
    )
    checks = PartyChecks(
        Screener.open(store), StoredParties(store), listing_reader(store), addresses=index
    )
    flags = checks.flags(
        shipment(consignee_address=listed.full.upper(), consignee_country=listed.country), TODAY
    )
    (flag,) = [f for f in flags if f.code == "address_match_listed"]
    assert flag.evidence["similarity"] >= 92
    none = checks.flags(
        shipment(consignee_address="14 Quillmere Lane, Sheffield S1 2AB", consignee_country="GB"),
        TODAY,
    )
    assert "address_match_listed" not in codes(none)
