"""POST /trade/screen answers as `sanctrace trade screen` does, on the real bundled lists."""

from __future__ import annotations

from fastapi.testclient import TestClient

KUPOL = "JSC Izhevsk Electromechanical Plant Kupol"


def test_a_batch_of_shipments_is_scored_with_its_reasons(
    client: TestClient, auth: dict[str, str]
) -> None:
    body = {
        "shipments": [
            {
                "shipment_id": "S1",
                "date": "2023-06-01",
                "shipper": "Shenzhen Lanxiang Aviation Technology Co., Ltd.",
                "shipper_country": "CN",
                "consignee": KUPOL,
                "consignee_country": "RU",
                "hs_code": "8807300000",
                "description": "Parts of unmanned aircraft",
                "value": 96500,
                "quantity": 40,
            },
            {
                "shipment_id": "S2",
                "shipper": "Quillmere Packaging GmbH",
                "consignee": "Brackenfold Foods B.V.",
                "hs_code": "190590",
            },
        ]
    }
    got = client.post("/trade/screen", json=body, headers=auth)
    assert got.status_code == 200, got.text
    data = got.json()
    first, second = data["shipments"]
    assert first["shipment_id"] == "S1" and first["level"] == "high"
    assert {"party_listed", "chpl", "destination_restricted"} <= set(first["flags"].split(";"))
    assert any(
        f["code"] == "chpl" and f["evidence"]["tier"] == "TIER_3_B" for f in first["flag_details"]
    )
    assert second["level"] == "low"
    assert "third_party_payer" in data["checks_off"]


def test_bad_requests_are_refused_clearly(client: TestClient, auth: dict[str, str]) -> None:
    unknown = client.post(
        "/trade/screen", json={"shipments": [{"shipper": "A", "colour": "red"}]}, headers=auth
    )
    assert unknown.status_code == 422 and "colour" in unknown.text
    regime = client.post(
        "/trade/screen", json={"shipments": [{"shipper": "A"}], "regime": "ch"}, headers=auth
    )
    assert regime.status_code == 422
    assert client.post("/trade/screen", json={"shipments": [{"shipper": "A"}]}).status_code == 401
