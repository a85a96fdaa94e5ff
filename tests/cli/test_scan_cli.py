"""`sanctrace scan` as a user runs it: real processes on the real bundled lists."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest
from homes import copy_home, sanctrace
from rich.console import Console

from sanctrace import audit
from sanctrace.cli.scan import parse_size, print_table, render_table
from sanctrace.documents.extract import Document
from sanctrace.documents.findings import DocumentReport, Finding
from sanctrace.errors import SanctraceError
from sanctrace.store import open_store

KUPOL = "us_ofac_sdn:46431"
MEMO = (
    "Shipping note 4471\n\n"
    "The bearings were sold by Bluewater Orchard Supplies to IEMZ Kupol last spring, and paid "
    "for in May.\n"
)
MADE_UP = "Bluewater Orchard Supplies"


@pytest.fixture(scope="module")
def home(bundled_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled home: scanning writes audit records into its store."""
    return copy_home(bundled_home, tmp_path_factory.mktemp("scan-home"))


@pytest.fixture
def memo(tmp_path: Path) -> Path:
    path = tmp_path / "memo.txt"
    path.write_text(MEMO, encoding="utf-8")
    return path


def test_json_points_each_finding_at_its_place(home: Path, memo: Path) -> None:
    proc = sanctrace(home, "scan", str(memo), "--format", "json")
    data = json.loads(proc.stdout)
    assert set(data) == {"threshold", "lists", "documents"}
    assert data["threshold"] == 0.8
    assert data["lists"]["us_ofac_sdn"] == "2024-05-03"
    [document] = data["documents"]
    assert document["source"] == str(memo)
    assert document["kind"] == "text"
    assert document["chars"] == len(MEMO) and document["pages"] is None
    assert document["notes"] == []
    found = {f["id"]: f for f in document["findings"]}
    kupol = found[KUPOL]
    assert set(kupol) == {
        "id",
        "party_id",
        "caption",
        "dataset",
        "schema",
        "programs",
        "start",
        "end",
        "page",
        "text",
        "score",
        "explanation",
        "context",
    }
    assert MEMO[kupol["start"] : kupol["end"]] == kupol["text"] == "IEMZ Kupol"
    assert kupol["score"] >= 0.8 and kupol["dataset"] == "us_ofac_sdn"
    assert "IEMZ Kupol" in kupol["context"]
    # the party named once, with its listing on each list and its one mention
    [party] = [p for p in document["parties"] if KUPOL in p["referents"]]
    assert kupol["party_id"] == party["id"] and party["id"].startswith("P-")
    assert {"au_dfat_sanctions:7904", "ca_dfatd_sema_sanctions:russia-1-part-2-306"} <= set(
        party["referents"]
    )
    assert [(m["start"], m["text"]) for m in party["mentions"]] == [(kupol["start"], "IEMZ Kupol")]
    firm = MEMO.index(MADE_UP)
    for f in document["findings"]:
        assert MEMO[f["start"] : f["end"]] == f["text"]
        assert f["end"] <= firm or f["start"] >= firm + len(MADE_UP), f  # the made-up firm
    assert "Data: " in proc.stderr and "us_ofac_sdn 2024-05-03" in proc.stderr


def test_every_document_is_audited(home: Path, memo: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean.txt"
    clean.write_text("Nothing to report this week.\n", encoding="utf-8")
    with open_store(str(home / "sanctrace.db")) as store:
        before = audit.count(store)
    sanctrace(home, "scan", str(memo), str(clean), "--format", "json")
    with open_store(str(home / "sanctrace.db")) as store:
        added = [r for r in audit.records(store) if r.seq > before]
    assert [r.kind for r in added] == ["scan", "scan"]
    assert [r.caller for r in added] == ["cli", "cli"]
    first, second = (r.to_dict() for r in added)
    assert first["request"]["source"] == str(memo)
    assert first["request"]["kind"] == "text" and first["request"]["threshold"] == 0.8
    assert {"dataset": "us_ofac_sdn", "version": "2024-05-03"}.items() <= next(
        item for item in first["lists"] if item["dataset"] == "us_ofac_sdn"
    ).items()
    start = MEMO.index("IEMZ Kupol")
    [kupol] = [r for r in first["results"] if r["id"] == KUPOL]
    assert (kupol["start"], kupol["end"]) == (start, start + 10)
    assert kupol["party_id"].startswith("P-")
    assert all(set(r) == {"id", "party_id", "start", "end", "score"} for r in first["results"])
    assert second["request"]["source"] == str(clean) and second["results"] == []


def test_table_groups_by_document(home: Path, memo: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean.txt"
    clean.write_text("Nothing to report this week.\n", encoding="utf-8")
    proc = sanctrace(home, "scan", str(memo), str(clean))
    assert f"No listed party found in {clean}" in proc.stdout
    memo_part = proc.stdout[: proc.stdout.index(str(clean))]
    assert KUPOL in memo_part and "IEMZ Kupol" in memo_part
    start = MEMO.index("IEMZ Kupol")
    assert f"{start}-{start + 10}" in memo_part
    assert "Data: " in proc.stdout  # a table names its data where it is read


def test_html_report_is_written(home: Path, memo: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    proc = sanctrace(home, "scan", str(memo), "-o", str(target))  # format from the name
    assert proc.stdout == ""
    assert f"Wrote {target}" in proc.stderr and "Data: " in proc.stderr
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert re.search(rf'<mark class="finding[^"]*" id="f-1" data-entity="[^"]*{KUPOL}', html)
    assert f'id="entity-{KUPOL}"' in html
    assert "us_ofac_sdn</td><td>2024-05-03" in html
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]  # no temporary left


def test_standard_input(home: Path) -> None:
    proc = sanctrace(home, "scan", "-", "-f", "json", stdin=MEMO)
    [document] = json.loads(proc.stdout)["documents"]
    assert document["source"] == "-"
    assert KUPOL in {f["id"] for f in document["findings"]}


def test_a_bad_file_is_reported_and_the_others_screened(
    home: Path, memo: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj\n<<")
    missing = tmp_path / "missing.txt"
    proc = sanctrace(home, "scan", str(broken), str(memo), str(missing), "-f", "json", check=False)
    assert proc.returncode == 1
    assert f"error: {broken}" in proc.stderr and f"error: {missing}" in proc.stderr
    assert "2 of 3 documents could not be read" in proc.stderr
    [document] = json.loads(proc.stdout)["documents"]
    assert document["source"] == str(memo)
    assert KUPOL in {f["id"] for f in document["findings"]}

    proc = sanctrace(home, "scan", str(broken), str(missing), check=False)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "nothing was screened" in proc.stderr


def test_a_scanned_pdf_is_warned_about_loudly(home: Path, tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "documents"))
    try:
        from pdfkit import make_pdf
    finally:
        sys.path.pop(0)
    scanned = tmp_path / "scanned.pdf"
    scanned.write_bytes(make_pdf([None, ["Paid to IEMZ Kupol on 3 May."]]))
    proc = sanctrace(home, "scan", str(scanned), "-f", "json")
    assert "WARNING:" in proc.stderr and "page 1 has no text layer" in proc.stderr
    [document] = json.loads(proc.stdout)["documents"]
    assert document["pages"] == 2
    assert [f["page"] for f in document["findings"] if f["id"] == KUPOL] == [2]


def test_size_limit_and_bad_options(home: Path, memo: Path) -> None:
    proc = sanctrace(home, "scan", str(memo), "--max-size", "10", check=False)
    assert proc.returncode == 2
    assert "over the 10 bytes limit" in proc.stderr
    proc = sanctrace(home, "scan", str(memo), "--max-size", "lots", check=False)
    assert proc.returncode == 1 and "is not a size" in proc.stderr
    proc = sanctrace(home, "scan", str(memo), "--kind", "doc", check=False)
    assert proc.returncode == 1 and "--kind 'doc' is not one of" in proc.stderr
    proc = sanctrace(home, "scan", str(memo), "--threshold", "2", check=False)
    assert proc.returncode == 1 and "--threshold must be between 0 and 1" in proc.stderr


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("100MB", 100 * 1024 * 1024),
        ("500k", 500 * 1024),
        ("1.5 GB", 3 * 1024**3 // 2),
        ("2MiB", 2 * 1024 * 1024),
        ("12345", 12345),
        ("64kb", 64 * 1024),
    ],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "MB", "-5", "1e6", "0", "10 TB"])
def test_parse_size_refuses(text: str) -> None:
    with pytest.raises(SanctraceError):
        parse_size(text)


def test_table_keeps_terminal_escapes_out() -> None:
    text = "Paid \x1b[2J\x1b[31mIEMZ Kupol\x07 in May"
    start = text.index("\x1b")
    hostile = Finding(
        id=KUPOL,
        caption="KUPOL\x1b]0;owned\x07",
        dataset="us_ofac_sdn",
        schema="Company",
        start=start,
        end=start + 20,
        page=None,
        text=text[start : start + 20],
        score=0.9,
        explanation={},
        context=text,
    )
    reports = [
        DocumentReport(Document(source="a\x1b[1m.txt", kind="text", text=text), [hostile]),
        DocumentReport(Document(source="b.txt", kind="text", text="nothing")),
    ]
    buffer = io.StringIO()
    print_table(reports, Console(file=buffer, width=200, force_terminal=False))
    shown = buffer.getvalue()
    assert "\x1b" not in shown and "\x07" not in shown
    assert "IEMZ Kupol" in shown and KUPOL in shown
    assert "No listed party found in b.txt" in shown
    columns = [column.header for column in render_table(reports).columns]
    assert columns == ["source", "party", "listings", "found at", "score"]
