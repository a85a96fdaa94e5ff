"""Plain text and Markdown (files or standard input): decoding that never guesses silently.

UTF-8 (with or without BOM) and UTF-16 with BOM are read as they are. Other bytes are read as
cp1252 or latin-1, or, when the file is mostly UTF-8 with a few bad bytes, as UTF-8 with the bad
bytes replaced; either way a note says so, because a mis-decoded name is a name not found.
"""

from __future__ import annotations

import codecs
import re

from sanctrace.documents.extract.base import Document, label, normalize_newlines
from sanctrace.errors import DocumentError

#: How much of the start is checked for binary content.
BINARY_SAMPLE = 8192
#: Share of control bytes above which content is binary, not text.
CONTROL_SHARE = 0.30

_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
#: What the "surrogateescape" error handler makes of undecodable bytes.
_ESCAPED = re.compile("[\udc80-\udcff]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def extract_text(data: bytes, source: str, kind: str = "text") -> Document:
    """A text or Markdown document; Markdown is screened as written, markup and all."""
    text, notes = decode_text(data, source)
    return Document(source=source, kind=kind, text=text, notes=notes)


def decode_text(data: bytes, source: str) -> tuple[str, list[str]]:
    """The text of ``data`` with newlines normalized to "\\n", and notes on how it was decoded.

    Raises DocumentError when the bytes look binary (an image, an archive) rather than text.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _utf8(data[len(codecs.BOM_UTF8) :], legacy=False)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return normalize_newlines(data.decode("utf-16")), []
        except UnicodeDecodeError:
            text = normalize_newlines(data.decode("utf-16", "replace"))
            return text, ["invalid UTF-16 sequences were replaced with U+FFFD"]
    refuse_binary(data, source)
    return _utf8(data, legacy=True)


def refuse_binary(data: bytes, source: str) -> None:
    """Raise DocumentError when the start of ``data`` is binary: NUL bytes or many controls."""
    sample = data[:BINARY_SAMPLE]
    if b"\0" in sample:
        reason = "it has NUL bytes"
    elif sample and len(sample) - len(sample.translate(None, _CONTROL_BYTES)) > CONTROL_SHARE * len(
        sample
    ):
        reason = "more than 30% of its first bytes are control characters"
    else:
        return
    raise DocumentError(
        f"{label(source)} looks binary, not text ({reason}); sanctrace reads PDF, DOCX, XLSX, "
        "HTML, EML, CSV and plain text (UTF-8, UTF-16 with BOM, cp1252): convert it to one "
        "of those first"
    )


def _utf8(data: bytes, *, legacy: bool) -> tuple[str, list[str]]:
    try:
        return normalize_newlines(data.decode("utf-8")), []
    except UnicodeDecodeError:
        pass
    escaped = data.decode("utf-8", "surrogateescape")
    valid = _ESCAPED.sub("", escaped)
    bad = len(escaped) - len(valid)
    valid_non_ascii = len(valid) - len(valid.encode("ascii", "ignore"))
    if legacy and valid_non_ascii < bad:
        return _legacy(data)
    first = _ESCAPED.search(escaped)
    line = len(_LINE_BREAK.findall(escaped, 0, first.start() if first else 0)) + 1
    plural = "byte that is" if bad == 1 else "bytes that are"
    note = (
        f"{bad:,} {plural} not valid UTF-8 replaced with U+FFFD (the first on line {line}); "
        "names there may not be found"
    )
    return normalize_newlines(_ESCAPED.sub("\ufffd", escaped)), [note]


def _legacy(data: bytes) -> tuple[str, list[str]]:
    """Bytes that are not UTF-8 at all: Windows' Western encoding, else latin-1 (never fails)."""
    try:
        text = data.decode("cp1252")
        note = "decoded as cp1252 (not valid UTF-8)"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        note = "decoded as latin-1 (neither valid UTF-8 nor cp1252)"
    return normalize_newlines(text), [note]
