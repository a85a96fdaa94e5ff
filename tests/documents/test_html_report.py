"""The HTML report: hostile text stays text, every finding is highlighted where it is and linked
to its entity, overlapping findings never break the markup, and long documents render fast."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest
from reportkit import KUPOL, finding

from sanctrace.documents.extract import Document, Page
from sanctrace.documents.findings import DocumentReport
from sanctrace.documents.html_report import HIGHLIGHT, render_html

LISTS = {"us_ofac_sdn": "2024-05-03", "un_sc_sanctions": "2026-01-28"}
_VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr"}


def render(*reports: DocumentReport) -> str:
    return render_html(
        list(reports), threshold=0.8, lists=LISTS, generated="2026-01-30 10:00:00 UTC"
    )


class Page_(HTMLParser):
    """Checks that tags nest properly and collects the document text as the browser shows it:
    all of it, and what is inside marks (the highlights)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.marks: list[dict[str, str | None]] = []
        self.texts: list[str] = []  # the text of each <pre class="text">
        self.marked: list[list[str]] = []  # per <pre>, the text inside each mark
        self.scripts = 0
        self._in_pre = False
        self._in_mark = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if values.get("href"):
            self.hrefs.append(str(values["href"]))
        if tag in _VOID:
            return
        self.stack.append(tag)
        if tag == "pre" and values.get("class") == "text":
            self._in_pre = True
            self.texts.append("")
            self.marked.append([])
        elif self._in_pre and tag == "mark":
            self._in_mark += 1
            self.marks.append(values)
            self.marked[-1].append("")
        elif self._in_pre and tag == "span" and values.get("class") == "page-break":
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag == "pre":
            self._in_pre = False
        elif self._in_pre and tag == "mark":
            self._in_mark -= 1
        elif self._skip and tag == "span":
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._in_pre or self._skip:
            return
        self.texts[-1] += data
        if self._in_mark:
            self.marked[-1][-1] += data


def parse(html: str) -> Page_:
    page = Page_()
    page.feed(html)
    page.close()
    assert not page.errors, page.errors
    assert page.stack == [], page.stack
    return page


def test_document_and_list_text_is_escaped() -> None:
    text = 'Invoice <script>alert("x")</script> from IEMZ Kupol & <b>partners</b>\n'
    start = text.index("IEMZ")
    hostile = finding(
        text,
        start,
        start + len("IEMZ Kupol"),
        id='us_ofac_sdn:"><script>1</script>',
        caption="<img src=x onerror=alert(1)>",
        explanation={"corroboration": "<script>evil()</script>"},
    )
    document = Document(
        source="<b>memo</b>.txt",
        kind="text",
        text=text,
        notes=["<script>note()</script>"],
    )
    html = render_html(
        [DocumentReport(document, [hostile])],
        threshold=0.8,
        lists={"<list>": "<v>"},
        generated="<now>",
    )
    page = parse(html)
    assert page.scripts == 0
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;memo&lt;/b&gt;.txt" in html
    assert "&lt;list&gt;" in html and "&lt;now&gt;" in html
    assert page.texts == [text]  # the browser shows the document's text exactly


def test_findings_are_highlighted_and_linked_to_their_entity() -> None:
    text = "Payment to IEMZ Kupol via Almaz-Antey on 3 May.\nNothing else here."
    kupol = text.index("IEMZ Kupol")
    almaz = text.index("Almaz-Antey")
    report = DocumentReport(
        Document(source="memo.txt", kind="text", text=text),
        [
            finding(text, almaz, almaz + 11, id="us_ofac_sdn:9999", caption="ALMAZ-ANTEY"),
            finding(
                text,
                kupol,
                kupol + 10,
                explanation={
                    "query_name": "IEMZ Kupol",
                    "candidate_name": "IEMZ Kupol JSC",
                    "name_score": 1.0,
                    "tokens": [
                        {"query": "iemz", "candidate": "iemz", "similarity": 1.0, "how": "exact"},
                        {"query": "kupol", "candidate": "kupol", "similarity": 1.0, "how": "exact"},
                    ],
                    "unmatched_candidate_tokens": ["jsc"],
                    "corroboration": "a distinctive word, capitalised",
                },
            ),
        ],
    )
    html = render(report)
    page = parse(html)
    assert page.texts == [text]
    assert page.marked == [["IEMZ Kupol", "Almaz-Antey"]]  # in document order
    assert re.search(
        rf'<mark class="finding" id="f-1" data-entity="{KUPOL}"[^>]*><a href="#entity-{KUPOL}">'
        r"IEMZ Kupol</a></mark>",
        html,
    )
    assert 'id="f-2" data-entity="us_ofac_sdn:9999"' in html
    for target in (f"entity-{KUPOL}", "entity-us_ofac_sdn:9999", "f-1", "f-2", "doc-1"):
        assert target in page.ids
        assert f"#{target}" in page.hrefs
    assert len(page.ids) == len(set(page.ids))
    # the details: caption, list, programs, how the words aligned, why it stands
    details = html[html.index(f'id="entity-{KUPOL}"') :]
    assert "JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL" in details
    assert "RUSSIA-EO14024" in details and "us_ofac_sdn" in details
    assert "IEMZ Kupol JSC" in details and "<td>kupol</td><td>kupol</td><td>exact</td>" in details
    assert "Only in the list</dt><dd>jsc" in details
    assert "Corroboration</dt><dd>a distinctive word, capitalised" in details
    assert '<mark class="finding">IEMZ Kupol</mark>' in details  # in the context sentence
    # the header: lists and versions, threshold, when
    assert "us_ofac_sdn</td><td>2024-05-03" in html and "2026-01-30 10:00:00 UTC" in html
    assert "<dt>Threshold</dt><dd>0.8</dd>" in html
    assert HIGHLIGHT in html


@pytest.mark.parametrize(
    "spans",
    [
        [(10, 20), (15, 30)],  # crossing
        [(10, 30), (12, 14)],  # nested
        [(10, 20), (10, 20)],  # the same place, two entities
        [(10, 20), (20, 25)],  # touching
        [(0, 5), (3, 40), (8, 12), (38, 45)],  # a chain
    ],
)
def test_overlapping_findings_highlight_their_union_without_breaking_html(
    spans: list[tuple[int, int]],
) -> None:
    text = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"
    found = [
        finding(text, start, end, id=f"ds:{n}", caption=f"entity {n}", score=0.8 + n / 100)
        for n, (start, end) in enumerate(spans)
    ]
    html = render(DocumentReport(Document(source="x.txt", kind="text", text=text), found))
    page = parse(html)
    assert page.texts == [text]
    covered = {i for start, end in spans for i in range(start, end)}
    highlighted = "".join(page.marked[0])
    assert highlighted == "".join(text[i] for i in sorted(covered))
    for n in range(1, len(spans) + 1):
        assert f"f-{n}" in page.ids  # every finding keeps its anchor
    assert len(page.ids) == len(set(page.ids))
    for mark in page.marks:
        href_targets = mark["data-entity"] or ""
        assert href_targets and all(e.startswith("ds:") for e in href_targets.split())


def test_notes_are_shown_prominently_and_pages_marked() -> None:
    pages = ["first page names IEMZ Kupol", "", "third page"]
    text = "\n\n".join(pages)
    spans = []
    offset = 0
    for number, content in enumerate(pages, 1):
        spans.append(Page(number, offset, offset + len(content)))
        offset += len(content) + 2
    note = "page 2 has no text layer (a scanned image?): not screened"
    document = Document(source="scan.pdf", kind="pdf", text=text, pages=spans, notes=[note])
    start = text.index("IEMZ")
    html = render(DocumentReport(document, [finding(text, start, start + 10, page=1)]))
    page = parse(html)
    assert re.search(r'<div class="notes" role="alert">[^<]*<ul><li>' + re.escape(note), html)
    assert "<dt>Pages</dt><dd>3</dd>" in html
    assert html.count('class="page-break"') == 2  # before pages 2 and 3
    assert page.texts == [text]
    assert "page 1, characters 17–27" in html


def test_a_document_without_findings_says_so() -> None:
    clean = DocumentReport(Document(source="clean.txt", kind="text", text="Nothing to see."))
    empty = DocumentReport(
        Document(source="empty.txt", kind="text", text="", notes=["no text found"])
    )
    html = render(clean, empty)
    parse(html)
    assert html.count("No listed party found in this document.") == 2
    assert "(no text)" in html and "no text found" in html
    assert "Listed parties found" not in html


def test_finding_anchors_are_unique_across_documents() -> None:
    text = "IEMZ Kupol"
    reports = [
        DocumentReport(Document(source=f"{n}.txt", kind="text", text=text), [finding(text, 0, 10)])
        for n in range(3)
    ]
    page = parse(render(*reports))
    assert {"f-1", "f-2", "f-3", "doc-1", "doc-2", "doc-3"} <= set(page.ids)
    assert len(page.ids) == len(set(page.ids))
    assert page.ids.count(f"entity-{KUPOL}") == 1  # one details section, three occurrences


def test_a_long_document_renders_fast() -> None:
    line = "Shipment of bearings <to> the plant & the IEMZ Kupol office, invoice 4471.\n"
    text = line * (5_000_000 // len(line))
    found = []
    for n in range(0, len(text) // len(line), 70):  # about a thousand findings
        start = n * len(line) + line.index("IEMZ")
        found.append(finding(text, start, start + 10))
    report = DocumentReport(Document(source="big.txt", kind="text", text=text), found)
    began = time.perf_counter()
    html = render(report)
    elapsed = time.perf_counter() - began
    assert elapsed < 1.0, f"{elapsed:.2f} s"
    assert html.count('<mark class="finding"') >= len(found)
    assert "&lt;to&gt;" in html
