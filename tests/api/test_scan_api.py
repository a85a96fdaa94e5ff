"""``POST /scan``: a document uploaded as a form, screened, recorded, answered; bad uploads get
the status that says why (401/403, 413, 415, 422), and nothing is answered unrecorded."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from apikit import audit_delta, audit_refused
from fastapi import HTTPException
from fastapi.testclient import TestClient

from sanctrace import audit, keys
from sanctrace.api import scan as scan_api
from sanctrace.keys import ApiKey
from sanctrace.store import Store

MakeKey = Callable[[str], tuple[ApiKey, dict[str, str]]]
ClientFactory = Callable[..., Any]

KUPOL = "us_ofac_sdn:46431"
MEMO = "Shipping note.\n\nThe bearings were sold to IEMZ Kupol last spring and paid in May.\n"
PAGE = (
    "<!DOCTYPE html><html><head><title>Supplier list</title>"
    "<script>var IEMZ = 'not text';</script></head><body><h1>Suppliers</h1>"
    "<p>Bluewater Orchard Supplies</p><p>IEMZ&nbsp;Kupol</p></body></html>"
)


def upload(
    client: TestClient,
    headers: dict[str, str],
    name: str,
    data: bytes,
    **fields: str,
) -> Any:
    return client.post("/scan", files={"file": (name, data)}, data=fields, headers=headers)


def test_a_text_file_is_screened_and_recorded(
    client: TestClient, make_key: MakeKey, store: Store
) -> None:
    key, headers = make_key("screener")
    with audit_delta(store) as delta:
        response = upload(client, headers, "memo.txt", MEMO.encode())
    assert response.status_code == 200, response.text
    assert delta == [1]
    data = response.json()
    assert set(data) == {"threshold", "lists", "documents"}
    assert data["threshold"] == 0.8
    assert data["lists"]["us_ofac_sdn"] == "2024-05-03"
    [document] = data["documents"]
    assert document["source"] == "memo.txt" and document["kind"] == "text"
    assert document["chars"] == len(MEMO) and document["notes"] == []
    kupol = next(f for f in document["findings"] if f["id"] == KUPOL)
    assert MEMO[kupol["start"] : kupol["end"]] == kupol["text"] == "IEMZ Kupol"

    record = audit.get(store, audit.head(store)[0])
    assert record is not None and record.kind == "scan" and record.caller == key.id
    request = record.record["request"]
    assert request["endpoint"] == "/scan" and request["source"] == "memo.txt"
    assert request["bytes"] == len(MEMO.encode()) and len(request["sha256"]) == 64
    # The document names one party, listed on three lists; the audit keeps record and party.
    [party] = [p for p in document["parties"] if KUPOL in p["referents"]]
    assert party["id"].startswith("P-") and kupol["party_id"] == party["id"]
    assert {"au_dfat_sanctions:7904", "ca_dfatd_sema_sanctions:russia-1-part-2-306"} <= set(
        party["referents"]
    )
    kept = {"id": KUPOL, "party_id": party["id"], "start": kupol["start"], "end": kupol["end"]}
    assert kept in [{k: v for k, v in r.items() if k != "score"} for r in record.record["results"]]
    assert {item["dataset"] for item in record.record["lists"]} >= {"us_ofac_sdn"}


def test_a_web_page_is_screened_as_html(client: TestClient, auth: dict[str, str]) -> None:
    response = upload(client, auth, "suppliers.html", PAGE.encode(), threshold="0.85")
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["threshold"] == 0.85
    [document] = data["documents"]
    assert document["kind"] == "html"
    assert KUPOL in {f["id"] for f in document["findings"]}
    assert all(f["score"] >= 0.85 for f in document["findings"])


def test_keys_are_needed(client: TestClient, make_key: MakeKey, store: Store) -> None:
    assert upload(client, {}, "memo.txt", MEMO.encode()).status_code == 401
    bad = {"Authorization": "ApiKey st_123_nope"}
    assert upload(client, bad, "memo.txt", MEMO.encode()).status_code == 401
    key, headers = make_key("screener")
    keys.revoke_key(store, key.id)
    response = upload(client, headers, "memo.txt", MEMO.encode())
    assert response.status_code == 403 and "revoked" in response.json()["detail"]


def test_unreadable_documents(client: TestClient, auth: dict[str, str], store: Store) -> None:
    with audit_delta(store) as delta:
        corrupt = upload(client, auth, "report.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
        legacy = upload(client, auth, "old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
        unknown_kind = upload(client, auth, "memo.txt", MEMO.encode(), kind="doc")
        no_file = client.post("/scan", files={"threshold": (None, "0.8")}, headers=auth)
        bad_threshold = upload(client, auth, "memo.txt", MEMO.encode(), threshold="high")
        far_threshold = upload(client, auth, "memo.txt", MEMO.encode(), threshold="1.5")
        not_a_form = client.post("/scan", json={"file": MEMO}, headers=auth)
    assert delta == [0]  # nothing was screened, nothing recorded
    assert corrupt.status_code == 422 and "report.pdf" in corrupt.json()["detail"]
    assert legacy.status_code == 415 and "legacy Office" in legacy.json()["detail"]
    assert unknown_kind.status_code == 415 and "unknown document kind" in unknown_kind.text
    assert no_file.status_code == 422
    assert no_file.json()["detail"][0]["loc"] == ["body", "file"]
    assert bad_threshold.status_code == 422 and "not a number" in bad_threshold.text
    assert far_threshold.status_code == 422 and "between 0 and 1" in far_threshold.text
    assert not_a_form.status_code == 422 and "multipart/form-data" in not_a_form.text


def test_size_limits(
    make_client: ClientFactory, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan_api, "MAX_BODY", 64 * 1024)
    monkeypatch.setattr(scan_api, "MAX_DOCUMENT_BYTES", 16 * 1024)
    client = make_client()
    body = upload(client, auth, "big.txt", b"IEMZ Kupol. " * 10_000)  # 120 KB
    assert body.status_code == 413
    assert "65,536 bytes" in body.json()["detail"]
    document = upload(client, auth, "big.txt", b"IEMZ Kupol. " * 2_000)  # 24 KB
    assert document.status_code == 413
    assert "over the 16 KB limit for documents" in document.json()["detail"]
    assert upload(client, auth, "small.txt", MEMO.encode()).status_code == 200
    # other endpoints keep their own limit
    assert client.post("/screen", json={"name": "IEMZ Kupol"}, headers=auth).status_code == 200


def test_no_answer_without_a_record(client: TestClient, auth: dict[str, str], store: Store) -> None:
    with audit_refused(store):
        response = upload(client, auth, "memo.txt", MEMO.encode())
    assert response.status_code == 500
    assert response.json() == {
        "detail": "the audit trail could not be written, so no result is returned"
    }
    assert "IEMZ" not in response.text
    assert audit.verify(store).ok


def test_one_scanner_per_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Built once per index, again after a reload, and the old one let go."""
    built: list[object] = []

    class Recorder:
        def __init__(self, index: object, config: object) -> None:
            self.index = index
            built.append(index)

    monkeypatch.setattr(scan_api, "Scanner", Recorder)
    monkeypatch.setattr(scan_api, "_scanners", {})
    service = SimpleNamespace(screener=SimpleNamespace(index=object(), config=None))
    first, lock = scan_api.scanner_for(service)  # type: ignore[arg-type]
    assert scan_api.scanner_for(service) == (first, lock)  # type: ignore[arg-type]
    service.screener = SimpleNamespace(index=object(), config=None)  # the index was reloaded
    second, _ = scan_api.scanner_for(service)  # type: ignore[arg-type]
    assert second is not first and second.index is service.screener.index
    assert len(built) == 2 and len(scan_api._scanners) == 1


def test_parse_form() -> None:
    body = (
        b"preamble\r\n--XyZ\r\n"
        b'Content-Disposition: form-data; name="threshold"\r\n\r\n0.9\r\n'
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="file"; filename="Be\xc5\x99icht \\"Q1\\".pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n"
        b"line one\r\n--XyZnot a boundary\r\nend\r\n"
        b"--XyZ--\r\nepilogue"
    )
    form = scan_api.parse_form('multipart/form-data; boundary="XyZ"', body)
    assert set(form) == {"threshold", "file"}
    assert form["threshold"].data == b"0.9" and form["threshold"].filename is None
    assert form["file"].filename == 'Beřicht "Q1".pdf'
    assert form["file"].data == b"line one\r\n--XyZnot a boundary\r\nend"
    for content_type, broken in (
        ("application/json", body),
        ("multipart/form-data", body),  # no boundary
        ("multipart/form-data; boundary=XyZ", b"--XyZ\r\nContent-Disposition: form-data"),
        ("multipart/form-data; boundary=XyZ", b"no parts at all"),
    ):
        with pytest.raises(HTTPException) as caught:
            scan_api.parse_form(content_type, broken)
        assert caught.value.status_code == 422
