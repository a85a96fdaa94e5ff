"""The ISO tables read from pycountry's data files are pycountry's own records."""

from __future__ import annotations

import pycountry

from sanctrace.model.countries import iso_records, subdivision_names, to_code


def test_the_iso_records_are_pycountrys() -> None:
    assert [dict(c._fields) for c in pycountry.countries] == list(iso_records("1"))
    assert [dict(c._fields) for c in pycountry.historic_countries] == list(iso_records("3"))
    assert sorted(d.name for d in pycountry.subdivisions) == sorted(subdivision_names())


def test_country_names_still_read_as_codes() -> None:
    assert to_code("Russian Federation") == "RU"
    assert to_code("Côte d'Ivoire") == "CI"
    assert to_code("Korea, Democratic People's Republic of") == "KP"
    assert to_code("Bolivia, Plurinational State of") == "BO"
    assert to_code("Netherlands Antilles") == "AN"
    assert to_code("Türkiye") == "TR"
