"""Shipment files read as written: columns by header or --column, values that cannot be read
reported with their line and field while the rest of the row is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.trade.read import TradeInputError, hs_digits, open_shipments


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "shipments.csv"
    path.write_text(text, "utf-8")
    return path


def test_columns_are_found_by_header_and_values_read(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "Shipment ID,Date,Exporter,Importer,HS Code,Goods Description,Value,Qty,Transit,"
        "Consignee Country\n"
        'S1,2024-03-05,Acme GmbH,Vostok OOO,8542.31.00,Microcontrollers,"1,250.50",10,'
        "Kazakhstan; UAE,Russia\n",
    )
    opened = open_shipments(str(path))
    try:
        (row,) = list(opened.rows())
    finally:
        opened.close()
    s = row.shipment
    assert not row.errors
    assert (s.shipment_id, s.shipper, s.consignee, s.hs_code, s.hs6) == (
        "S1",
        "Acme GmbH",
        "Vostok OOO",
        "85423100",
        "854231",
    )
    assert s.value == 1250.5 and s.quantity == 10 and s.unit_value == 125.05
    assert s.transit_countries == ("KZ", "AE") and s.consignee_country == "RU"
    assert s.date is not None and s.date.isoformat() == "2024-03-05"


def test_a_bad_field_is_reported_and_the_rest_of_the_row_kept(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "shipment_id,date,shipper,consignee,hs_code,value,consignee_country\n"
        "S1,2024-02-30,Acme GmbH,Vostok OOO,85AB31,-5,Atlantis\n"
        "S2,2024-02-01,Acme GmbH,Vostok OOO,880730,100,RU\n",
    )
    opened = open_shipments(str(path))
    try:
        first, second = list(opened.rows())
    finally:
        opened.close()
    fields = {(e.line, e.field) for e in first.errors}
    assert fields == {(2, "date"), (2, "hs_code"), (2, "value"), (2, "consignee_country")}
    assert "85AB31" in str(next(e for e in first.errors if e.field == "hs_code"))
    assert first.shipment.consignee == "Vostok OOO" and first.shipment.hs_code == ""
    assert not second.errors and second.shipment.hs_code == "880730"


def test_a_file_without_the_required_columns_is_refused_naming_them(tmp_path: Path) -> None:
    path = _file(tmp_path, "id,seller,goods\n1,Acme,toys\n")
    with pytest.raises(TradeInputError, match="no column for consignee, hs_code"):
        open_shipments(str(path))
    with pytest.raises(TradeInputError, match="no column 'Buyer'"):
        open_shipments(str(path), {"consignee": "Buyer"})


@pytest.mark.parametrize(
    ("written", "digits"), [("8806.21", "880621"), ("8542 31 00 00", "8542310000"), ("", "")]
)
def test_hs_codes_keep_their_digits(written: str, digits: str) -> None:
    assert hs_digits(written) == digits


@pytest.mark.parametrize("written", ["ABC", "85.42.3X", "1"])
def test_what_is_no_hs_code_is_refused(written: str) -> None:
    with pytest.raises(ValueError, match="not an HS code"):
        hs_digits(written)
