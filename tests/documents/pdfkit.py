"""A tiny PDF writer for tests and benchmarks: real, valid multi-page PDFs with Helvetica text.

No PDF library is needed to make them, so what the extractor reads is exactly what was written.
A page given as None holds only an image (a 1x1 grey pixel drawn page-sized), like a scan.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

_LINE_HEIGHT = 14
_TOP = 770


def make_pdf(pages: Sequence[Sequence[str] | None], *, compress: bool = False) -> bytes:
    """A PDF with one page per item: each line of text on its own line, top to bottom.

    Text is written in WinAnsiEncoding (cp1252), so Western accented letters come through.
    """
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below, once the page tree's number is known
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    image = add(_stream(b"\x80", b"/Type /XObject /Subtype /Image /Width 1 /Height 1 "
                        b"/ColorSpace /DeviceGray /BitsPerComponent 8", compress))  # fmt: skip
    tree = len(objects) + 2 * len(pages) + 1
    kids = []
    for lines in pages:
        content = _text_content(lines) if lines is not None else b"q 595 0 0 842 0 0 cm /Im1 Do Q"
        stream = add(_stream(content, b"", compress))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
                b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >> "
                b"/Contents %d 0 R >>" % (tree, font, image, stream)
            )
        )
    refs = b" ".join(b"%d 0 R" % kid for kid in kids)
    if add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))) != tree:
        raise AssertionError("page tree numbered wrongly")
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        xref,
    )
    return bytes(out)


def _text_content(lines: Sequence[str]) -> bytes:
    ops = [b"BT /F1 11 Tf %d TL 56 %d Td" % (_LINE_HEIGHT, _TOP)]
    for line in lines:
        ops.append(b"(%s) Tj T*" % _escape(line))
    ops.append(b"ET")
    return b"\n".join(ops)


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _stream(data: bytes, extra: bytes, compress: bool) -> bytes:
    if compress:
        data = zlib.compress(data)
        extra += b" /Filter /FlateDecode"
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (extra.strip(), len(data), data)
