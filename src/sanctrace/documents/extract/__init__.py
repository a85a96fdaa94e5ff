"""Text extraction for document screening: one module per format, one entry point for all.

``extract_path`` reads a file (or standard input for "-") within a size limit; ``extract_bytes``
does the rest without touching the file system, so every format can be tested on bytes.
The kind of a document comes from its name and, where they disagree, from its content: a
PDF named ".txt" is read as a PDF; binary content named ".txt" is refused, never screened
as gibberish.
"""

from __future__ import annotations

import re
import stat
import sys
import zipfile
from io import BytesIO
from pathlib import Path, PurePath

from sanctrace.documents.extract.base import (
    DEFAULT_MAX_BYTES,
    KINDS,
    Document,
    Page,
    label,
    too_big,
)
from sanctrace.errors import DocumentError, MissingFileError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "KINDS",
    "SUFFIX_KINDS",
    "Document",
    "Page",
    "detect_kind",
    "extract_bytes",
    "extract_path",
]

#: File name endings -> kind.
SUFFIX_KINDS = {
    ".txt": "text",
    ".text": "text",
    ".log": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".docm": "docx",
    ".eml": "eml",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".csv": "csv",
    ".tsv": "csv",
}

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_HTML_START = re.compile(
    rb"\s*(?:<!--.*?-->\s*|<\?xml[^>]*>\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_HEADER_LINE = re.compile(rb"([!-9;-~]+):")
_MAIL_HEADERS = frozenset(
    {b"from", b"to", b"cc", b"subject", b"date", b"received", b"message-id", b"mime-version",
     b"return-path", b"delivered-to", b"content-type", b"reply-to", b"sender", b"x-mailer"}
)  # fmt: skip
#: Headers only a real message has (a memo may well start with "To:" and "Subject:").
_MAIL_ONLY = frozenset(
    {b"received", b"message-id", b"mime-version", b"return-path", b"delivered-to", b"from"}
)


def detect_kind(source: str, head: bytes) -> str:
    """The kind of a document from its name and first bytes (the whole content is best: a zip
    archive lists its members at its end).

    Unmistakable content wins over the name (PDF, Word and Excel signatures); otherwise the
    name decides, and content without a known name is sniffed for HTML and e-mail headers,
    else read as text. Legacy Office files and other zip archives are refused.
    """
    name = label(source)
    suffix = "" if source == "-" else PurePath(source).suffix.lower()
    if head[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_OLE2):
        raise DocumentError(
            f"{name} is a legacy Office 97-2003 file (.doc, .xls, .msg); sanctrace reads .docx "
            "and .xlsx: save it in the newer format first"
        )
    if head.startswith(_ZIP):
        members = _zip_members(head)
        if any(member.startswith("word/") for member in members):
            return "docx"
        if any(member.startswith("xl/") for member in members):
            return "xlsx"
        if not members and SUFFIX_KINDS.get(suffix) in ("docx", "xlsx"):
            return SUFFIX_KINDS[suffix]  # an unreadable archive: its extractor says why
        raise DocumentError(
            f"{name} is a zip archive but neither a Word (.docx) nor an Excel (.xlsx) file; "
            "save OpenDocument files as .docx or .xlsx, and unpack other archives to screen "
            "the files inside"
        )
    if suffix in SUFFIX_KINDS:
        return SUFFIX_KINDS[suffix]
    if _HTML_START.match(head[:4096].removeprefix(b"\xef\xbb\xbf")):
        return "html"
    if _looks_like_mail(head[:16384]):
        return "eml"
    return "text"


def extract_bytes(
    data: bytes, *, source: str, kind: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Document:
    """The text of a document held in memory; ``source`` names it in messages ("-" for stdin)."""
    if len(data) > max_bytes:
        raise too_big(source, len(data), max_bytes)
    if kind is None:
        kind = detect_kind(source, data)
    elif kind not in KINDS:
        raise DocumentError(f"unknown document kind {kind!r}; use one of: {', '.join(KINDS)}")
    document = _extract(data, source, kind, max_bytes)
    if not document.text.strip() and not document.notes:
        document.notes.append("no text found: nothing was screened")
    return document


def extract_path(
    path: str | Path, *, kind: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Document:
    """The text of the file at ``path``, or of standard input for "-"; a file over
    ``max_bytes`` is refused before it is read."""
    source = str(path)
    if source == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise DocumentError("there is no standard input to read the document from")
        data = stream.read(max_bytes + 1)
    else:
        data = _read_file(Path(path), source, max_bytes)
    if len(data) > max_bytes:
        raise too_big(source, None, max_bytes)
    return extract_bytes(data, source=source, kind=kind, max_bytes=max_bytes)


def _read_file(path: Path, source: str, max_bytes: int) -> bytes:
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise DocumentError(f"{source} is a folder, not a document; name the files in it")
        if info.st_size > max_bytes:
            raise too_big(source, info.st_size, max_bytes)
        with path.open("rb") as fh:
            return fh.read(max_bytes + 1)  # it may have grown, or be a pipe
    except FileNotFoundError:
        raise MissingFileError(source) from None
    except PermissionError:
        raise DocumentError(f"cannot read {source}: permission denied") from None
    except OSError as exc:
        raise DocumentError(f"cannot read {source}: {exc.strerror or exc}") from None


def _extract(data: bytes, source: str, kind: str, max_bytes: int) -> Document:
    if kind in ("text", "markdown"):
        from sanctrace.documents.extract.text import extract_text

        return extract_text(data, source, kind)
    if kind == "html":
        from sanctrace.documents.extract.html import extract_html

        return extract_html(data, source)
    if kind == "pdf":
        from sanctrace.documents.extract.pdf import extract_pdf

        return extract_pdf(data, source)
    if kind == "docx":
        from sanctrace.documents.extract.docx import extract_docx

        return extract_docx(data, source)
    if kind == "eml":
        from sanctrace.documents.extract.eml import extract_eml

        return extract_eml(data, source, max_bytes)
    if kind == "xlsx":
        from sanctrace.documents.extract.sheet import extract_xlsx

        return extract_xlsx(data, source)
    from sanctrace.documents.extract.sheet import extract_csv

    return extract_csv(data, source)


def _zip_members(head: bytes) -> list[str]:
    """Member names of a zip archive: from its directory if ``head`` is whole, else from the
    local headers in the bytes at hand."""
    try:
        with zipfile.ZipFile(BytesIO(head)) as archive:
            return archive.namelist()
    except Exception:
        found = re.findall(rb"PK\x03\x04.{26}((?:word|xl)/[\x20-\x7e]{1,100})", head, re.S)
        return [member.decode("ascii") for member in found]


def _looks_like_mail(head: bytes) -> bool:
    """True when ``head`` opens with a block of RFC 5322 header lines like a real message's."""
    names: set[bytes] = set()
    for number, line in enumerate(head.split(b"\n")[:300]):
        line = line.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t") or (number == 0 and line.startswith(b"From ")):
            continue  # a folded header, or an mbox "From " line
        match = _HEADER_LINE.match(line)
        if not match:
            return False
        names.add(match.group(1).lower())
    return len(names & _MAIL_HEADERS) >= 2 and bool(names & _MAIL_ONLY)
