"""PDF text, page by page, with each page's place in the text so a hit can name its page.

A page without a text layer (a scan) cannot be screened, and the user is told, page by page:
a clean result for a scanned contract would otherwise look like a clean contract.
"""

from __future__ import annotations

import io
import logging
import shlex
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from sanctrace.documents.extract.base import Document, Page, label, normalize_newlines
from sanctrace.errors import DocumentError

#: PDFs with more pages are refused: bounded work for one document.
MAX_PAGES = 5000
#: Pages are separated by a blank line in the text.
PAGE_SEPARATOR = "\n\n"
#: A complete PDF ends with "%%EOF" within this many bytes of its end.
_EOF_WINDOW = 64 * 1024


def extract_pdf(data: bytes, source: str) -> Document:
    """The text of every page, joined by blank lines, with ``pages`` giving each one's span."""
    name = label(source)
    _check_envelope(data, name)
    notes: list[str] = []
    with _quiet_pypdf():
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            _decrypt(reader, source)
            count = len(reader.pages)
        except DocumentError:
            raise
        except Exception as exc:  # pypdf raises many types for damaged files
            raise _damaged(name, exc) from None
        if count > MAX_PAGES:
            raise DocumentError(
                f"{name} has {count:,} pages, more than the {MAX_PAGES:,} one document may have; "
                "split it (e.g. qpdf --split-pages) and screen the parts"
            )
        texts: list[str] = []
        failures: list[tuple[int, Exception]] = []
        for number in range(1, count + 1):
            try:
                text = reader.pages[number - 1].extract_text()
            except Exception as exc:  # one bad page must not hide the others
                failures.append((number, exc))
                text = ""
            texts.append(normalize_newlines(text).strip())
    if count and len(failures) == count:
        raise _damaged(name, failures[0][1])

    pages: list[Page] = []
    offset = 0
    for number, text in enumerate(texts, start=1):
        if number > 1:
            offset += len(PAGE_SEPARATOR)
        pages.append(Page(number=number, start=offset, end=offset + len(text)))
        offset += len(text)
    failed = {number for number, _ in failures}
    for number, error in failures:
        notes.append(f"page {number} could not be read ({_reason(error)}): not screened")
    blank = [page.number for page in pages if page.start == page.end and page.number not in failed]
    if len(blank) == 1:
        notes.append(f"page {blank[0]} has no text layer (a scanned image?): not screened")
    elif blank:
        notes.append(f"pages {_ranges(blank)} have no text layer (scanned images?): not screened")
    if not count:
        notes.append("the PDF has no pages: nothing was screened")
    elif not any(texts):
        notes.append(
            "no page has any text, so nothing was screened; run OCR on it first "
            "(e.g. ocrmypdf) and screen the result"
        )
    return Document(
        source=source, kind="pdf", text=PAGE_SEPARATOR.join(texts), pages=pages, notes=notes
    )


def _check_envelope(data: bytes, name: str) -> None:
    """Refuse what is plainly not a whole PDF before pypdf guesses its way through it."""
    if not data:
        raise DocumentError(f"{name} is empty (0 bytes), not a PDF; download or export it again")
    if b"%PDF-" not in data[:1024]:
        raise DocumentError(
            f"{name} is not a PDF (it does not start with %PDF-); check that it is the right "
            "file, or name its real kind"
        )
    if data.rfind(b"%%EOF", max(0, len(data) - _EOF_WINDOW)) < 0:
        raise DocumentError(
            f"{name} is truncated (no %%EOF marker at its end: an interrupted download or copy?); "
            "download or export it again"
        )


def _decrypt(reader: PdfReader, source: str) -> None:
    """Open an encrypted PDF with the empty password (restrictions only), else refuse it."""
    if not reader.is_encrypted:
        return
    name = label(source)
    try:
        result = reader.decrypt("")
    except DependencyError as exc:
        raise DocumentError(f"{name} is encrypted and cannot be opened here ({exc})") from None
    except NotImplementedError as exc:
        raise DocumentError(
            f"{name} is encrypted with a method sanctrace cannot open ({exc}); decrypt it first "
            f"(qpdf --decrypt {shlex.quote(source)} decrypted.pdf)"
        ) from None
    if result == PasswordType.NOT_DECRYPTED:
        raise DocumentError(
            f"{name} is encrypted with a password; decrypt it first "
            f"(qpdf --decrypt --password=PASSWORD {shlex.quote(source)} decrypted.pdf) "
            "and screen the decrypted copy"
        )


def _damaged(name: str, exc: BaseException) -> DocumentError:
    return DocumentError(
        f"{name} is not a readable PDF ({_reason(exc)}); it may be damaged or truncated: "
        "download or export it again"
    )


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _ranges(numbers: list[int]) -> str:
    """[3, 5, 6, 7, 9] -> "3, 5-7, 9"."""
    parts: list[str] = []
    start = previous = numbers[0]
    for number in [*numbers[1:], None]:
        if number is not None and number == previous + 1:
            previous = number
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if number is not None:
            start = previous = number
    return ", ".join(parts)


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Keep pypdf's warnings about damaged files ("EOF marker not found") off the terminal:
    what matters reaches the user as a refusal or a note."""
    logger = logging.getLogger("pypdf")
    propagate = logger.propagate
    handler = logging.NullHandler()
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
