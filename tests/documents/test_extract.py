"""Text extraction for document screening: every format, and every way a document can fail."""

from __future__ import annotations

import io
import sys
import zipfile
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
import xlsxwriter
from lxml import etree
from pdfkit import make_pdf
from pypdf import PdfReader, PdfWriter

from sanctrace.documents.extract import (
    DEFAULT_MAX_BYTES,
    Document,
    Page,
    detect_kind,
    extract_bytes,
    extract_path,
)
from sanctrace.documents.extract import base as extract_base
from sanctrace.documents.extract import pdf as extract_pdf
from sanctrace.documents.extract.docx import paragraphs_text
from sanctrace.documents.extract.eml import extract_eml
from sanctrace.documents.extract.html import html_to_text
from sanctrace.errors import DocumentError, MissingFileError, SanctraceError

# --- fixtures -------------------------------------------------------------------------------


def encrypt(pdf: bytes, user: str, owner: str = "owner", algorithm: str = "RC4-128") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user, owner_password=owner, algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx() -> bytes:
    document = docx.Document()
    paragraph = document.add_paragraph("Payment approved for ")
    paragraph.add_run("Kala")
    paragraph.add_run("shnikov").bold = True
    paragraph.add_run(" on Monday.")
    document.add_paragraph("Second paragraph.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Viktor"
    table.cell(0, 1).text = "Bout"
    table.cell(1, 0).text = "Ivan"
    table.cell(1, 1).text = "Petrov"
    document.sections[0].header.paragraphs[0].text = "Confidential: Rosneft dossier"
    document.sections[0].footer.paragraphs[0].text = "Prepared by Sberbank compliance"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    workbook.close()
    return out.getvalue()


def zip_bomb(first_member: str, megabytes: int) -> bytes:
    """An Office-looking archive with a member of ``megabytes`` MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(first_member, "w") as member:
            chunk = bytes(1 << 20)
            for _ in range(megabytes):
                member.write(chunk)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb_300mb() -> bytes:
    return zip_bomb("word/document.xml", 300)


# --- HTML -----------------------------------------------------------------------------------


def test_inline_tags_keep_a_split_name_whole() -> None:
    text = html_to_text(
        "<p>Shipment for Mr. Kala<span>shni</span><b>kov</b> &amp; <i>Viktor</i>&nbsp;Bout"
        " and Kalash&shy;nikov.</p>"
    )
    assert text == "Shipment for Mr. Kalashnikov & Viktor Bout and Kalashnikov."


def test_block_tags_become_line_breaks_and_hidden_content_is_dropped() -> None:
    markup = (
        "<html><head><title>Report</title><style>p { color: red }</style>"
        "<script>var name = 'Putin';</script></head><body>"
        "<h1>Findings</h1><p>First  sentence\n here.</p><p>Second sentence.</p>"
        "<ul><li>Rosneft</li><li>Gazprom</li></ul>"
        "<table><tr><td>Ivan</td><td>Petrov</td></tr></table>"
        "one<br>two<noscript>Hidden Name</noscript><template><p>Template Name</p></template>"
        "<pre>line one\n  line two</pre></body></html>"
    )
    assert html_to_text(markup) == (
        "Report\n\nFindings\n\nFirst sentence here.\n\nSecond sentence.\n\nRosneft\nGazprom"
        "\n\nIvan\nPetrov\n\none\ntwo\n\nline one\nline two"
    )


def test_html_deeply_nested_does_not_overflow_the_stack() -> None:
    markup = "<div>" * 5000 + "Viktor Bout" + "</div>" * 5000
    assert html_to_text(markup) == "Viktor Bout"


def test_html_nested_without_end_is_stripped_not_parsed() -> None:
    """200,000 nested elements would keep the HTML parser busy for minutes: past the limit the
    tags are stripped instead, scripts still hidden, blocks still on their own lines, and the
    document says so."""
    markup = (
        "<div>" * 200_000
        + "<p>Payments to <b>IEMZ</b> Kupol<script>var Rosoboronexport = 1</script></p>"
        + "<div>Almaz-Antey</div>"
        + "<b>" * 100_000
    )
    document = extract_bytes(markup.encode(), source="deep.html")
    assert document.text == "Payments to IEMZ Kupol\nAlmaz-Antey"
    assert "nested more than 2,000 deep" in document.notes[0]
    # a page of ordinary depth, with list items and paragraphs left open, is parsed as before
    ordinary = "<ul>" + "<li>item" * 5000 + "</ul><p>one<p>two"
    assert html_to_text(ordinary).endswith("item\n\none\n\ntwo")


def test_html_file_uses_its_declared_charset() -> None:
    data = '<html><head><meta charset="windows-1251"></head><body><p>Иван Петров</p>'.encode(
        "cp1251"
    )
    document = extract_bytes(data, source="page.html")
    assert document.kind == "html"
    assert document.text == "Иван Петров"
    assert document.notes == []


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_pages_have_offsets_and_page_at_finds_them() -> None:
    pdf = make_pdf([["Invoice 17", "Buyer: Viktor Bout"], ["Seller: Rosneft"], ["Total: 3"]])
    document = extract_bytes(pdf, source="invoice.pdf")
    assert document.kind == "pdf"
    assert [page.number for page in document.pages] == [1, 2, 3]
    texts = [document.text[page.start : page.end] for page in document.pages]
    assert texts == ["Invoice 17\nBuyer: Viktor Bout", "Seller: Rosneft", "Total: 3"]
    assert document.text == "\n\n".join(texts)
    assert document.page_at(document.text.index("Viktor Bout")) == 1
    assert document.page_at(document.text.index("Rosneft")) == 2
    assert document.page_at(len(document.text) - 1) == 3
    assert document.page_at(document.pages[0].end) is None  # the blank line between pages
    assert document.page_at(len(document.text)) is None
    assert document.notes == []


def test_compressed_pdf_with_accents() -> None:
    document = extract_bytes(make_pdf([["Müller & Société (Genève)"]], compress=True), source="a")
    assert document.text == "Müller & Société (Genève)"


def test_pdf_page_without_text_layer_gets_a_note() -> None:
    document = extract_bytes(make_pdf([["Viktor Bout"], None, ["End"]]), source="scan.pdf")
    assert document.notes == ["page 2 has no text layer (a scanned image?): not screened"]
    assert document.pages[1].start == document.pages[1].end
    assert document.page_at(document.text.index("End")) == 3


def test_pdf_without_any_text_is_a_document_with_loud_notes() -> None:
    document = extract_bytes(make_pdf([None, None, None]), source="scan.pdf")
    assert document.text.strip() == ""
    assert document.notes[0] == "pages 1-3 have no text layer (scanned images?): not screened"
    assert "nothing was screened" in document.notes[1]
    assert "OCR" in document.notes[1]


def test_encrypted_pdf_is_refused_with_what_to_do() -> None:
    pdf = encrypt(make_pdf([["Secret Name"]]), user="secret")
    with pytest.raises(DocumentError) as info:
        extract_bytes(pdf, source="locked.pdf")
    message = str(info.value)
    assert "locked.pdf is encrypted" in message
    assert "qpdf --decrypt" in message


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128"])
def test_pdf_encrypted_only_against_editing_is_read(algorithm: str) -> None:
    pdf = encrypt(make_pdf([["Viktor Bout"]]), user="", algorithm=algorithm)
    assert extract_bytes(pdf, source="restricted.pdf").text == "Viktor Bout"


def test_zero_byte_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(DocumentError, match=r"empty\.pdf is empty \(0 bytes\)"):
        extract_path(path)


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_pdf_is_refused(keep: float) -> None:
    pdf = make_pdf([["Viktor Bout"], ["Rosneft"]], compress=True)
    with pytest.raises(DocumentError, match=r"cut\.pdf is truncated"):
        extract_bytes(pdf[: int(len(pdf) * keep)], source="cut.pdf")


def test_corrupt_pdf_is_refused_without_noise(capsys: pytest.CaptureFixture[str]) -> None:
    corrupt = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    with pytest.raises(DocumentError, match=r"bad\.pdf is not a readable PDF"):
        extract_bytes(corrupt, source="bad.pdf")
    assert capsys.readouterr().err == ""


def test_file_named_pdf_that_is_not_one_is_refused() -> None:
    with pytest.raises(DocumentError, match=r"fake\.pdf is not a PDF"):
        extract_bytes(b"just some text", source="fake.pdf")


def test_pdf_with_too_many_pages_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract_pdf, "MAX_PAGES", 2)
    with pytest.raises(DocumentError, match=r"long\.pdf has 3 pages, more than the 2"):
        extract_bytes(make_pdf([["a"], ["b"], ["c"]]), source="long.pdf")


# --- DOCX -----------------------------------------------------------------------------------


def test_docx_paragraphs_tables_headers_and_footers() -> None:
    document = extract_bytes(make_docx(), source="memo.docx")
    assert document.kind == "docx"
    lines = document.text.split("\n")
    assert "Payment approved for Kalashnikov on Monday." in lines
    assert "Second paragraph." in lines
    assert lines[lines.index("Viktor") : lines.index("Viktor") + 4] == [
        "Viktor",
        "Bout",
        "Ivan",
        "Petrov",
    ]
    assert "Confidential: Rosneft dossier" in lines
    assert "Prepared by Sberbank compliance" in lines
    assert document.text.index("Second paragraph.") < document.text.index("Confidential")


def test_docx_text_in_content_controls_insertions_and_text_boxes() -> None:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    xml = f"""<w:body xmlns:w="{w}" xmlns:mc="{mc}">
      <w:p><w:sdt><w:sdtContent><w:r><w:t>Viktor</w:t></w:r></w:sdtContent></w:sdt>
        <w:ins><w:r><w:t xml:space="preserve"> Bout</w:t></w:r></w:ins>
        <w:del><w:r><w:delText>Deleted Name</w:delText></w:r></w:del>
        <w:r><w:tab/><w:t>Tab</w:t><w:br/><w:t>Break</w:t></w:r></w:p>
      <w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent>
        <w:p><w:r><w:t>In a box</w:t></w:r></w:p></w:txbxContent></mc:Choice>
        <mc:Fallback><w:txbxContent><w:p><w:r><w:t>In a box</w:t></w:r></w:p></w:txbxContent>
        </mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>After</w:t></w:r></w:p>
    </w:body>"""
    assert paragraphs_text(etree.fromstring(xml)) == "Viktor Bout\tTab\nBreak\nIn a box\nAfter"


def test_docx_zip_bomb_is_refused_without_unpacking(
    bomb_300mb: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: object) -> None:
        raise AssertionError("the archive was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    with pytest.raises(DocumentError, match=r"bomb\.docx would unpack to more than 200 MB"):
        extract_bytes(bomb_300mb, source="bomb.docx")


def test_xlsx_zip_bomb_is_refused(bomb_300mb: bytes) -> None:
    with pytest.raises(DocumentError, match=r"bomb\.xlsx would unpack to more than 200 MB"):
        extract_bytes(bomb_300mb, source="bomb.xlsx", kind="xlsx")


def test_member_compressing_too_well_is_refused() -> None:
    with pytest.raises(DocumentError, match=r"member 'xl/workbook.xml' compresses \d+:1"):
        extract_bytes(zip_bomb("xl/workbook.xml", 20), source="dense.xlsx")


def test_damaged_docx_is_refused() -> None:
    data = make_docx()
    with pytest.raises(DocumentError, match=r"broken\.docx is not a readable Word"):
        extract_bytes(data[: len(data) // 2], source="broken.docx")


# --- text -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"GIF89a\x01\x00\x01\x00\x00\x00\x00" + bytes(200), bytes(range(1, 32)) * 40],
    ids=["nul-bytes", "control-chars"],
)
def test_binary_file_named_txt_is_refused(data: bytes) -> None:
    with pytest.raises(DocumentError, match=r"photo\.txt looks binary, not text"):
        extract_bytes(data, source="photo.txt")


def test_cp1252_text_is_decoded_with_a_note() -> None:
    document = extract_bytes("Société Générale – “Müller”\r\n".encode("cp1252"), source="a.txt")
    assert document.text == "Société Générale – “Müller”\n"
    assert document.notes == ["decoded as cp1252 (not valid UTF-8)"]


def test_mixed_encoding_text_keeps_utf8_and_says_where_it_broke() -> None:
    data = "Zoë Müller\r\nГазпром\r\n".encode() + b"caf\xe9 and na\xefve\r\nend\n"
    document = extract_bytes(data, source="mixed.txt")
    assert document.text == "Zoë Müller\nГазпром\ncaf\ufffd and na\ufffdve\nend\n"
    assert document.notes == [
        "2 bytes that are not valid UTF-8 replaced with U+FFFD (the first on line 3); "
        "names there may not be found"
    ]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_text_with_a_byte_order_mark(codec: str) -> None:
    bom = {"utf-16-be": b"\xfe\xff"}.get(codec, b"")
    data = bom + "Алексей Навальный\r\nline 2".encode(codec)
    document = extract_bytes(data, source="names.txt")
    assert document.text == "Алексей Навальный\nline 2"
    assert document.notes == []


def test_markdown_keeps_its_kind() -> None:
    document = extract_bytes(b"# Notes\n\n* Viktor Bout\n", source="notes.md")
    assert (document.kind, document.text) == ("markdown", "# Notes\n\n* Viktor Bout\n")


def test_empty_text_says_nothing_was_screened() -> None:
    assert extract_bytes(b"", source="empty.txt").notes == ["no text found: nothing was screened"]


# --- sheets ---------------------------------------------------------------------------------


def test_xlsx_cells_on_separate_lines_and_sheets_apart() -> None:
    data = make_xlsx({"Clients": [["Name", "Surname"], ["Viktor", "Bout"]], "Other": [[42.0]]})
    document = extract_bytes(data, source="clients.xlsx")
    assert document.kind == "xlsx"
    assert document.text == (
        "--- sheet: Clients ---\nName\nSurname\nViktor\nBout\n\n--- sheet: Other ---\n42"
    )


def test_csv_cells_on_separate_lines() -> None:
    data = 'name;city\n"Bout, Viktor";Moscow\n;\nIvan;"Saint\nPetersburg"\n'.encode("cp1252")
    document = extract_bytes(data, source="list.csv")
    assert document.kind == "csv"
    assert document.text == "name\ncity\nBout, Viktor\nMoscow\nIvan\nSaint\nPetersburg"


def test_tsv_and_csv_decoding_rules() -> None:
    document = extract_bytes("Müller\tSociété\n".encode("cp1252"), source="list.tsv")
    assert document.text == "Müller\nSociété"
    assert document.notes == ["decoded as cp1252 (not valid UTF-8)"]


def test_unparsable_csv_is_screened_as_plain_text() -> None:
    data = b'name\n"' + b"Bout " * 40_000 + b'"\n'
    document = extract_bytes(data, source="big.csv")
    assert document.text == data.decode()
    assert document.notes[0].startswith("not readable as CSV (field larger than field limit")


# --- e-mail ---------------------------------------------------------------------------------


def mail(subject: str = "Invoice") -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = "Anna Schmidt <anna@example.com>"
    message["To"] = "Иван Петров <ivan@example.com>"
    message["Date"] = "Mon, 03 Mar 2025 10:00:00 +0000"
    message["Message-ID"] = "<1@example.com>"
    return message


def test_eml_html_body_and_pdf_attachment() -> None:
    message = mail("Re: Kalashnikov order")
    message.set_content("<p>Please pay Kala<b>shnikov</b>.</p><p>Thanks</p>", subtype="html")
    pdf = make_pdf([["Beneficiary: Viktor Bout"], None])
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename="invoice.pdf")
    document = extract_bytes(message.as_bytes(), source="order.eml")
    assert document.kind == "eml"
    assert document.text == (
        "Subject: Re: Kalashnikov order\n"
        "From: Anna Schmidt <anna@example.com>\n"
        "To: Иван Петров <ivan@example.com>\n"
        "Date: Mon, 03 Mar 2025 10:00:00 +0000\n\n"
        "Please pay Kalashnikov.\n\nThanks\n\n"
        "--- attachment: invoice.pdf ---\n"
        "Beneficiary: Viktor Bout"
    )
    assert document.notes == [
        "attachment invoice.pdf: page 2 has no text layer (a scanned image?): not screened"
    ]


def test_eml_prefers_plain_text_alternative_and_decodes_charsets() -> None:
    message = mail()
    message.set_content("Платёж для Иван Петров", charset="koi8-r")
    message.add_alternative("<p>Платёж для <b>Иван</b> Петров</p>", subtype="html")
    document = extract_bytes(message.as_bytes(), source="-")
    assert document.kind == "eml"
    body = document.text.split("\n\n", 1)[1]
    assert body.strip() == "Платёж для Иван Петров"


def test_eml_attachments_that_cannot_be_screened_are_named() -> None:
    message = mail()
    message.set_content("See attached.")
    locked = encrypt(make_pdf([["Secret"]]), user="pw")
    message.add_attachment(locked, maintype="application", subtype="pdf", filename="locked.pdf")
    message.add_attachment(b"\x89PNG\r\n\x1a\n" + bytes(64), maintype="image", subtype="png",
                           filename="logo.png")  # fmt: skip
    for number in range(22):
        message.add_attachment(f"name {number}", filename=f"n{number}.txt")
    document = extract_bytes(message.as_bytes(), source="mail.eml")
    assert document.notes[0].startswith("attachment locked.pdf not screened: locked.pdf is encry")
    assert document.notes[1] == (
        "attachment logo.png (image/png) not screened: not a kind sanctrace reads"
    )
    assert document.notes[2] == "4 more attachments not screened (at most 20 per e-mail)"
    assert "--- attachment: n17.txt ---\nname 17" in document.text
    assert "n18.txt" not in document.text


def test_eml_attachments_share_the_size_limit() -> None:
    message = mail()
    message.set_content("body")
    message.add_attachment("a" * 600, filename="a.txt")
    message.add_attachment("b" * 600, filename="b.txt")
    document = extract_eml(message.as_bytes(), "mail.eml", max_bytes=1000)
    assert "--- attachment: a.txt ---" in document.text
    assert "b.txt" not in document.text
    assert document.notes == [
        "attachment b.txt not screened: it is 601 bytes, more than the 399 bytes left of the "
        "size limit (raise it with --max-size)"
    ]


# --- size limits, paths, standard input, detection ----------------------------------------


def test_oversize_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as fh:
        fh.truncate(DEFAULT_MAX_BYTES + 1)  # sparse: nothing is written or read
    with pytest.raises(DocumentError) as info:
        extract_path(path)
    message = str(info.value)
    assert str(path) in message
    assert "100 MB limit" in message
    assert "--max-size" in message


def test_small_max_size_is_enforced(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(DocumentError, match=r"notes\.txt is 2 KB, over the 1 KB limit"):
        extract_path(path, max_bytes=1024)
    assert extract_path(path, max_bytes=2048).text == "x" * 2048


def test_stdin_is_read_within_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = io.BytesIO(b"<!DOCTYPE html><p>Viktor <b>Bout</b></p>")

    monkeypatch.setattr(sys, "stdin", Stdin)
    document = extract_path("-")
    assert (document.source, document.kind, document.text) == ("-", "html", "Viktor Bout")
    Stdin.buffer = io.BytesIO(b"y" * 100)
    with pytest.raises(DocumentError, match=r"standard input holds more than 50 bytes"):
        extract_path("-", max_bytes=50)


def test_missing_file_and_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError, match=r"nope\.pdf: file not found"):
        extract_path(tmp_path / "nope.pdf")
    with pytest.raises(DocumentError, match="is a folder"):
        extract_path(tmp_path)


def test_detect_kind_by_name_and_content() -> None:
    pdf = make_pdf([["x"]])
    assert detect_kind("report.txt", pdf) == "pdf"
    assert detect_kind("attachment.bin", make_docx()) == "docx"
    assert detect_kind("-", make_xlsx({"S": [["a"]]})) == "xlsx"
    assert detect_kind("-", b"  <html><body>x</body></html>") == "html"
    assert detect_kind("page", b"<!-- saved -->\n<!DOCTYPE html>") == "html"
    headers = b"Received: by x\r\nFrom: a@b\r\nSubject: hi\r\n\r\nbody"
    assert detect_kind("-", headers) == "eml"
    assert detect_kind("-", b"To: the board\nSubject: plan\n\nbody") == "text"
    assert detect_kind("data.TSV", b"a\tb") == "csv"
    assert detect_kind("readme", b"plain words") == "text"
    with pytest.raises(DocumentError, match=r"old\.doc is a legacy Office"):
        detect_kind("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.txt", "hello")
    with pytest.raises(DocumentError, match=r"files\.zip is a zip archive but neither"):
        detect_kind("files.zip", archive.getvalue())


def test_detect_docx_from_a_head_only() -> None:
    data = make_docx()
    assert detect_kind("-", data[:4096]) == "docx"


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(DocumentError, match="unknown document kind 'rtf'"):
        extract_bytes(b"x", source="a.rtf", kind="rtf")


def test_errors_are_sanctrace_errors_and_documents_are_plain_data() -> None:
    assert issubclass(DocumentError, SanctraceError)
    assert Document(source="a", kind="text", text="abc").page_at(1) is None
    assert Page(number=1, start=0, end=3) == Page(1, 0, 3)
    assert extract_base.human_size(3 * 1024 * 1024) == "3 MB"
