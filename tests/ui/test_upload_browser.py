"""The upload page in a real browser: a customer file screened as a batch job (the progress bar
advancing to 100%, the results downloaded with a hit for each listed name and none for the
clean ones), a press article whose listed names are highlighted, the founding case's shipments
ranked high, and files the page cannot take refused with a message naming what is wrong."""

from __future__ import annotations

import csv
import io
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from examples_loader import example
from uikit import LoggedIn, Server

LISTED = ["IEMZ Kupol", "Almaz-Antey", "Bank Melli Iran"]
CLEAN = ["Blue Meadow Bakery Ltd", "Margaret Thistlewood", "Harold Pemberton-Smythe"]
FORMULA = '=HYPERLINK("http://example.com","click")'

PRESS = """<!doctype html>
<html><head><title>Drone plant</title></head><body>
<h1>Izhevsk drone maker sourced parts in China</h1>
<p>IEMZ Kupol, a subsidiary of the Russian state arms maker Almaz-Antey, developed and produced
an attack drone in China, according to documents seen by reporters.
<script>window.pwned = true</script> The company &lt;b&gt;did not reply&lt;/b&gt;.</p>
<p>A spokeswoman for Blue Meadow Bakery Ltd, a bakery in Kent, said it has never traded with
Russia.</p>
</body></html>
"""


def customer_file(path: Path, clean_rows: int) -> Path:
    """The listed names and the clean ones first, then ``clean_rows`` invented people."""
    rng = random.Random(20)
    first = ["Alice", "Bruno", "Chen", "Dara", "Emil", "Farah", "Goran", "Hana", "Ivo", "Jana"]
    last = ["Brightwater", "Cobblestone", "Dunmore", "Elmsworth", "Fairweather", "Greystone"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["customer_id", "name", "country"])
        for n, name in enumerate([*LISTED, *CLEAN, FORMULA], 1):
            writer.writerow([f"K-{n}", name, ""])
        for n in range(clean_rows):
            writer.writerow([f"G-{n}", f"{rng.choice(first)} {rng.choice(last)}", "GB"])
    return path


def _progress(page: Any) -> int | None:
    value = page.evaluate(
        "() => { const p = document.getElementById('batch-progress');"
        " return p && p.hasAttribute('value') ? Math.round(p.value) : null; }"
    )
    return None if value is None else int(value)


def test_customer_file_progress_and_results(
    logged_in: LoggedIn, ui_server: Server, tmp_path: Path
) -> None:
    source = customer_file(tmp_path / "customers.csv", 20_000)
    page: Any = logged_in("screener")
    page.goto(ui_server.url + "/upload")
    page.set_input_files("#batch-file", str(source))
    page.click("#batch-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/upload/batch/[0-9a-f]+$"))
    job_url = page.url
    seen: list[int] = []
    deadline = time.monotonic() + 240
    while page.locator("#batch-download").count() == 0:
        assert time.monotonic() < deadline, f"the batch did not finish; bar values {seen}"
        assert page.locator("#batch-failure").count() == 0, page.inner_text("#batch-failure")
        value = _progress(page)
        if value is not None and (not seen or seen[-1] != value):
            seen.append(value)
        page.wait_for_timeout(200)
    seen.append(_progress(page) or 0)
    assert seen[-1] == 100, seen
    assert seen == sorted(seen), f"the bar went back: {seen}"
    assert any(0 < v < 100 for v in seen), f"the bar never showed a value between: {seen}"
    total = 20_000 + len(LISTED) + len(CLEAN) + 1
    assert page.inner_text("#batch-rows") == f"{total:,}"
    assert int(page.inner_text("#batch-matched").replace(",", "")) >= len(LISTED)
    with page.expect_download() as download:
        page.click("#batch-download")
    assert download.value.suggested_filename == "customers-results.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert {int(r["input_row"]) for r in rows} == set(range(2, total + 2))
    by_name: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_name.setdefault(r["input_name"], []).append(r)
    for name in LISTED:
        assert any(r["match"] == "true" for r in by_name[name]), (name, by_name[name])
    kupol = [r for r in by_name["IEMZ Kupol"] if r["match"] == "true"]
    assert any("KUPOL" in r["caption"].upper() for r in kupol)
    for name in CLEAN:
        assert all(r["match"] != "true" for r in by_name[name]), (name, by_name[name])
    formula = [r for r in rows if r["input_key"] == f"K-{len(LISTED) + len(CLEAN) + 1}"]
    assert formula and all(r["input_name"] == "'" + FORMULA for r in formula), formula
    # The job is its uploader's (and an admin's): another key is told there is none.
    job_path = job_url.removeprefix(ui_server.url)
    assert ui_server.get(job_path, "analyst").status_code == 404
    assert ui_server.get(job_path + "/result.csv", "analyst").status_code == 404
    assert ui_server.get(job_path + "/progress", "analyst").status_code == 404
    assert ui_server.get(job_path, "admin").status_code == 200
    # The upload page lists it among the uploader's batches.
    page.goto(ui_server.url + "/upload")
    assert page.locator(f"table.jobs a[href='{job_path}']").inner_text() == "customers.csv"


def test_press_article_highlights_the_listed_names(
    logged_in: LoggedIn, ui_server: Server, tmp_path: Path
) -> None:
    article = tmp_path / "drone-plant.html"
    article.write_text(PRESS, encoding="utf-8")
    page: Any = logged_in("analyst")
    page.goto(ui_server.url + "/upload")
    page.set_input_files("#scan-file", str(article))
    page.click("#scan-form button[type=submit]")
    page.wait_for_selector("#scan-text")
    marks = [t.strip() for t in page.locator("#scan-text mark").all_inner_texts()]
    assert "IEMZ Kupol" in marks and "Almaz-Antey" in marks, marks
    assert not any("Bakery" in m for m in marks), marks
    text = page.inner_text("#scan-text")
    assert "<b>did not reply</b>" in text  # the document's markup shown as text
    assert page.evaluate("() => window.pwned === undefined")
    captions = page.locator("#scan-findings .caption").all_inner_texts()
    assert any("KUPOL" in c.upper() for c in captions), captions
    assert any("ALMAZ" in c.upper() for c in captions), captions
    for href in page.locator("#scan-findings a.caption").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    ):
        assert re.fullmatch(r"/party/[A-Za-z0-9_.:-]+", href), href
    # A highlight leads to its party's entry on the page.
    page.locator("#scan-text mark a").first.click()
    assert page.evaluate("() => location.hash").startswith("#entity-")


def test_founding_case_shipments_rank_high(
    logged_in: LoggedIn, ui_server: Server, tmp_path: Path
) -> None:
    shipments = tmp_path / "shipments.csv"
    example("trade_founding_case").write(shipments, clean=200)
    page: Any = logged_in("screener")
    page.goto(ui_server.url + "/upload")
    page.set_input_files("#trade-file", str(shipments))
    page.click("#trade-form button[type=submit]")
    page.wait_for_selector("#trade-shipments", timeout=120_000)
    assert page.inner_text("#trade-total") == "208"
    assert page.inner_text("#trade-high") == "8"
    top = page.locator("#trade-shipments tbody tr").first
    assert top.get_attribute("data-level") == "high"
    assert top.get_attribute("data-shipment").startswith("FC-")
    flags = top.locator(".flag").all_inner_texts()
    assert "party_listed" in flags or "party_owned_by_listed" in flags, flags
    highs = page.locator("#trade-shipments tr[data-level=high]")
    assert sorted(highs.evaluate_all("rows => rows.map(r => r.dataset.shipment)")) == [
        f"FC-{n:03d}" for n in range(1, 9)
    ]
    with page.expect_download() as download:
        page.click("#trade-download")
    assert download.value.suggested_filename == "shipments-report.csv"
    report = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert len(report) == 208
    assert {r["shipment_id"] for r in report[:8]} == {f"FC-{n:03d}" for n in range(1, 9)}
    assert all(r["level"] == "high" for r in report[:8])
    # Another key cannot download it.
    report_path = page.locator("#trade-download").get_attribute("href")
    assert ui_server.get(report_path, "analyst").status_code == 404
    assert ui_server.get(report_path, "admin").status_code == 200


@pytest.fixture
def tolerant_page(browser: Any, ui_server: Server) -> Iterator[Any]:
    """A logged-in page on which the browser's own note of a 4xx answer ("Failed to load
    resource: … status of 422") is expected (the page answers a bad file with its status);
    any other console error fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(ui_server.url + "/login")
    page.fill("#api_key", ui_server.keys["screener"])
    page.click("button[type=submit]")
    page.wait_for_url(ui_server.url + "/search")
    try:
        yield page
    finally:
        context.close()
    status = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d")
    unexpected = [e for e in errors if not status.match(e)]
    assert not unexpected, f"console errors in the browser: {unexpected}"


def _submit(page: Any, server: Server, form: str, path: Path) -> str:
    page.goto(server.url + "/upload")
    page.set_input_files(f"#{form}-file", str(path))
    page.click(f"#{form}-form button[type=submit]")
    page.wait_for_selector(f"#{form}-error")
    return str(page.inner_text(f"#{form}-error"))


def test_malformed_files_are_refused_with_a_clear_message(
    tolerant_page: Any, ui_server: Server, tmp_path: Path
) -> None:
    page = tolerant_page
    no_name = tmp_path / "suppliers.csv"
    no_name.write_text("id,city\n1,Izhevsk\n", encoding="utf-8")
    said = _submit(page, ui_server, "batch", no_name)
    assert "suppliers.csv has no name column" in said and "'id', 'city'" in said, said
    assert "Name column" in said
    assert str(ui_server.home) not in page.content()
    # Naming a column the file lacks: the file and the column are named.
    page.goto(ui_server.url + "/upload")
    page.set_input_files("#batch-file", str(no_name))
    page.click("#batch-form summary")
    page.fill("#batch-name-column", "supplier_name")
    page.click("#batch-form button[type=submit]")
    said = page.inner_text("#batch-error")
    assert "suppliers.csv has no column 'supplier_name'" in said, said
    fake = tmp_path / "report.pdf"
    fake.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    said = _submit(page, ui_server, "scan", fake)
    assert said.startswith("report.pdf"), said
    binary = tmp_path / "notes.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    assert "notes.txt" in _submit(page, ui_server, "scan", binary)
    no_hs = tmp_path / "lanes.csv"
    no_hs.write_text("shipment_id,shipper,consignee\nS1,A Ltd,B Ltd\n", encoding="utf-8")
    said = _submit(page, ui_server, "trade", no_hs)
    assert "lanes.csv has no column for hs_code" in said, said
    # A file over the form's limit is refused in the browser before it is sent.
    page.goto(ui_server.url + "/upload")
    page.evaluate("() => document.getElementById('trade-file').dataset.maxBytes = '10'")
    page.set_input_files("#trade-file", str(no_hs))
    page.click("#trade-form button[type=submit]")
    problem = page.locator("#trade-form .upload-problem")
    problem.wait_for()
    assert "lanes.csv is" in problem.inner_text() and "over the 10 bytes limit" in (
        problem.inner_text()
    )
    assert page.url == ui_server.url + "/upload"


def _post(server: Server, kind: str, name: str, data: bytes, **fields: str) -> httpx.Response:
    return httpx.post(
        server.url + "/upload",
        headers={"Authorization": f"ApiKey {server.keys['screener']}"},
        data={"kind": kind, **fields},
        files={"file": (name, data)},
        timeout=120,
        follow_redirects=True,
    )


def test_word_and_pdf_documents_are_highlighted(ui_server: Server) -> None:
    import docx
    from examples_loader import EXAMPLES

    document = docx.Document()
    document.add_paragraph("Memo: the drones were paid for on behalf of IEMZ Kupol.")
    document.add_paragraph("The group, Almaz-Antey, owns the plant.")
    out = io.BytesIO()
    document.save(out)
    answer = _post(ui_server, "scan", "memo.docx", out.getvalue())
    assert answer.status_code == 200, answer.text
    marks = re.findall(
        r"<mark [^>]*>(?:<span[^>]*></span>)*<a [^>]*>([^<]+)</a></mark>", answer.text
    )
    assert "IEMZ Kupol" in marks and "Almaz-Antey" in marks, marks

    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "pdfkit", EXAMPLES.parent / "tests" / "documents" / "pdfkit.py"
    )
    assert spec is not None and spec.loader is not None
    pdfkit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pdfkit)
    pdf = pdfkit.make_pdf([["Shipment for IEMZ Kupol"], ["Owner: Almaz-Antey"]])
    answer = _post(ui_server, "scan", "dossier.pdf", pdf)
    assert answer.status_code == 200, answer.text
    assert ">IEMZ Kupol</a></mark>" in answer.text and ">Almaz-Antey</a></mark>" in answer.text
    assert 'class="page-break">page 2<' in answer.text


def test_bad_uploads_answer_their_status(ui_server: Server) -> None:
    assert _post(ui_server, "batch", "customers.exe", b"name\nx\n").status_code == 415
    assert _post(ui_server, "batch", "empty.csv", b"").status_code == 422
    answer = _post(ui_server, "batch", "sheet.xlsx", b"PK\x03\x04 not a workbook")
    assert answer.status_code == 422 and "sheet.xlsx" in answer.text
    answer = _post(ui_server, "batch", "c.csv", b"name\nx\n", threshold="2")
    assert answer.status_code == 422 and "threshold" in answer.text
    assert _post(ui_server, "nothing", "c.csv", b"name\nx\n").status_code == 422
    answer = _post(ui_server, "trade", "s.csv", b"shipment_id,shipper,consignee,hs_code\n")
    assert answer.status_code == 422 and "no shipment" in answer.text
    # Without the form's CSRF token, a session's upload is refused.
    with httpx.Client(base_url=ui_server.url, timeout=60) as login:
        form = login.get("/login").text
        token = re.search(r'name="csrf" value="([^"]+)"', form)
        assert token
        key = ui_server.keys["screener"]
        login.post("/login", data={"csrf": token.group(1), "api_key": key})
        assert "st_session" in login.cookies
        refused = login.post(
            "/upload", data={"kind": "scan"}, files={"file": ("a.txt", b"IEMZ Kupol")}
        )
    assert refused.status_code == 403


def test_spreadsheet_batch_and_the_shipment_cap(ui_server: Server) -> None:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Customers")
    for r, row in enumerate([["Client Name", "Ref"], ["Almaz-Antey", "A1"], ["Jane Brook", "A2"]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    answer = _post(ui_server, "batch", "clients.xlsx", out.getvalue(), key_column="Ref")
    assert answer.status_code == 200 and "/upload/batch/" in str(answer.url), answer.text
    job = str(answer.url).removeprefix(ui_server.url)
    deadline = time.monotonic() + 120
    while 'data-status="done"' not in (panel := ui_server.get(job + "/progress", "screener").text):
        assert 'data-status="failed"' not in panel, panel
        assert time.monotonic() < deadline, panel
        time.sleep(0.5)
    assert 'value="100"' in panel
    result = ui_server.get(job + "/result.csv", "screener")
    rows = list(csv.DictReader(io.StringIO(result.text)))
    assert {r["input_key"] for r in rows} == {"A1", "A2"}
    assert any(r["input_key"] == "A1" and r["match"] == "true" for r in rows), rows
    assert not any(r["input_key"] == "A2" and r["match"] == "true" for r in rows), rows

    header = "shipment_id,shipper,consignee,hs_code\n"
    many = header + "".join(f"S{n},A Ltd,B Ltd,850440\n" for n in range(5001))
    answer = _post(ui_server, "trade", "year.csv", many.encode())
    assert answer.status_code == 413
    assert "year.csv has more than 5,000 shipments" in answer.text
