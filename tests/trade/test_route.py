"""Route checks: transshipment hubs from the FinCEN/BIS alerts, restricted destinations."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from sanctrace.model.countries import to_code
from sanctrace.trade.model import Shipment
from sanctrace.trade.route import DEFAULT_RESTRICTED, default_hubs, route_flags

ALERT_2022 = "FIN-2022-Alert003"


def ship(**kw: object) -> Shipment:
    base: dict[str, object] = {
        "line": 1,
        "shipment_id": "S-1",
        "shipper": "Shenzhen Example Electronics Co",
        "consignee": "OOO Example Trading",
        "hs_code": "854231",
    }
    base.update(kw)
    return Shipment(**base)  # type: ignore[arg-type]


def codes(flags: list) -> list[str]:
    return [f.code for f in flags]


def test_hubs_file_has_its_sources_dates_and_the_2022_list() -> None:
    text = (
        resources.files("sanctrace.trade")
        .joinpath("data/transshipment_hubs.json")
        .read_text("utf-8")
    )
    data = json.loads(text)
    assert data["compiled"] == "2026-12-07"
    by_id = {s["id"]: s for s in data["sources"]}
    assert by_id[ALERT_2022]["date"] == "2022-06-28"
    assert by_id["FIN-2023-Alert004"]["date"] == "2023-05-19"
    assert by_id["BIS-FinCEN-Notice-2023-11-06"]["date"] == "2023-11-06"
    named = by_id[ALERT_2022]["names"]
    assert len(named) == 18
    # the names as the alert writes them are the codes the file uses
    assert [to_code(n) for n in by_id[ALERT_2022]["names_as_written"]] == named
    assert set(data["hubs"]) == set(named)
    assert all(data["hubs"][c]["sources"] == [ALERT_2022] for c in named)
    for source in data["sources"]:
        assert source["title"] and source["verified_via"]


def test_default_hubs_loaded_once() -> None:
    assert default_hubs() is default_hubs()
    hubs = default_hubs()
    assert {"AE", "AM", "CN", "GE", "KG", "KZ", "TR", "UZ"} <= set(hubs.countries)
    assert not {"RU", "BY", "DE", "US"} & set(hubs.countries)


def test_china_to_russia() -> None:
    flags = route_flags(ship(shipper_country="CN", consignee_country="RU"))
    assert codes(flags) == ["transshipment_route", "destination_restricted"]
    hub = flags[0].evidence["hubs"]
    assert hub == [{"role": "shipper_country", "country": "CN", "alerts": [ALERT_2022]}]
    assert "FIN-2022-Alert003 (2022-06-28)" in flags[0].source
    assert flags[1].evidence["destinations"] == [{"role": "consignee_country", "country": "RU"}]
    assert "746.8" in flags[1].source


def test_through_the_emirates_to_kazakhstan() -> None:
    flags = route_flags(
        ship(
            shipper_country="DE",
            origin_country="DE",
            transit_countries=("AE",),
            consignee_country="KZ",
        )
    )
    assert codes(flags) == ["transshipment_route"]
    roles = [(h["role"], h["country"]) for h in flags[0].evidence["hubs"]]
    assert roles == [("transit", "AE"), ("consignee_country", "KZ")]
    assert "AE (transit)" in flags[0].reason and "KZ (consignee_country)" in flags[0].reason


def test_origin_before_shipper_country() -> None:
    flags = route_flags(ship(shipper_country="DE", origin_country="TW", consignee_country="NL"))
    assert flags[0].evidence["hubs"][0] == {
        "role": "origin",
        "country": "TW",
        "alerts": [ALERT_2022],
    }


def test_clean_route() -> None:
    assert route_flags(ship(shipper_country="DE", consignee_country="FR")) == []
    assert route_flags(ship()) == []


def test_last_transit_restricted() -> None:
    flags = route_flags(
        ship(shipper_country="DE", transit_countries=("PL", "BY"), consignee_country="KZ")
    )
    assert codes(flags) == ["transshipment_route", "destination_restricted"]
    assert flags[1].evidence["destinations"] == [{"role": "last_transit", "country": "BY"}]


def test_restricted_transit_that_is_not_last_is_not_the_destination() -> None:
    flags = route_flags(
        ship(shipper_country="DE", transit_countries=("RU", "PL"), consignee_country="FR")
    )
    assert flags == []


def test_restricted_is_configurable_by_code_or_name() -> None:
    shipment = ship(shipper_country="DE", consignee_country="IR")
    assert route_flags(shipment) == []
    for restricted in ({"IR"}, ["Iran"], frozenset({"RU", "BY", "KP", "IR"})):
        flags = route_flags(shipment, restricted=restricted)
        assert codes(flags) == ["destination_restricted"]
        assert "IR" in flags[0].evidence["restricted"]
        assert "configured" in flags[0].source
    assert sorted(DEFAULT_RESTRICTED) == ["BY", "RU"]


def test_a_restricted_hub_is_left_to_the_destination_flag() -> None:
    flags = route_flags(ship(shipper_country="DE", consignee_country="KZ"), restricted={"KZ"})
    assert codes(flags) == ["destination_restricted"]


def test_hubs_given_by_the_user() -> None:
    shipment = ship(shipper_country="DE", transit_countries=("Finland",), consignee_country="FI")
    flags = route_flags(ship(shipper_country="DE", consignee_country="FI"), hubs=["Finland"])
    assert codes(flags) == ["transshipment_route"]
    assert flags[0].evidence["hubs"][0]["alerts"] == ["user"]
    assert route_flags(shipment, hubs=[]) == []


def test_unknown_country_is_an_error() -> None:
    with pytest.raises(ValueError, match="Atlantis"):
        route_flags(ship(consignee_country="RU"), restricted=["Atlantis"])


def test_flags_serialise() -> None:
    flags = route_flags(
        ship(shipper_country="CN", transit_countries=("KG",), consignee_country="RU")
    )
    for flag in flags:
        json.dumps(flag.to_dict())
