"""Word (.docx) text: body, tables, text boxes, headers, footers, footnotes and comments.

python-docx opens the package; the text is read from each part's XML directly, one line per
paragraph, because its ``Paragraph.text`` skips runs inside content controls, tracked
insertions and text boxes, where names in filled-in forms often sit. Table cells hold their
own paragraphs, so every cell lands on its own line and adjacent cells never merge.
"""

from __future__ import annotations

import io
import re
from typing import Any

import docx
from lxml import etree

from sanctrace.documents.extract.base import Document, check_zip, label
from sanctrace.errors import DocumentError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P = _W + "p"
#: Run content -> its text; deleted text (w:delText) and field codes (w:instrText) are left out.
_RUN_TEXT = {_W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
#: Parts after the main document, in the order their text is appended.
_EXTRA_PARTS = (
    "wordprocessingml.header+xml",
    "wordprocessingml.footer+xml",
    "wordprocessingml.footnotes+xml",
    "wordprocessingml.endnotes+xml",
    "wordprocessingml.comments+xml",
)


def extract_docx(data: bytes, source: str) -> Document:
    """The document's text after a zip-bomb check; refuses files Word could not open either."""
    name = label(source)
    check_zip(data, source, "Word (.docx)")
    try:
        document = docx.Document(io.BytesIO(data))
        parts: list[Any] = [document.part]
        others = [
            part
            for part in document.part.package.iter_parts()
            if any(part.content_type.endswith(kind) for kind in _EXTRA_PARTS)
        ]
        others.sort(key=_part_order)
        parts.extend(others)
        blocks = [_part_text(part) for part in parts]
    except DocumentError:
        raise
    except Exception as exc:  # python-docx and lxml raise many types for damaged files
        raise DocumentError(
            f"{name} is not a readable Word (.docx) file ({exc}); open and save it again in Word"
        ) from None
    text = "\n\n".join(block for block in blocks if block)
    return Document(source=source, kind="docx", text=re.sub(r"\n{3,}", "\n\n", text))


def _part_order(part: Any) -> int:
    return next(i for i, kind in enumerate(_EXTRA_PARTS) if part.content_type.endswith(kind))


def _part_text(part: Any) -> str:
    element = getattr(part, "element", None)
    if element is None:
        element = etree.fromstring(
            part.blob, etree.XMLParser(resolve_entities=False, no_network=True)
        )
    return paragraphs_text(element)


def paragraphs_text(element: Any) -> str:
    """One line per paragraph (w:p) at any depth, including those in tables and text boxes."""
    lines: list[str] = []
    open_paragraphs: list[list[str]] = []
    walker = etree.iterwalk(element, events=("start", "end"))
    for event, node in walker:
        tag = node.tag
        if event == "end":
            if tag == _P:
                lines.append("".join(open_paragraphs.pop()).strip())
            continue
        if tag == _P:
            open_paragraphs.append([])
        elif tag == _MC_FALLBACK:
            walker.skip_subtree()  # the same content again, for old readers
        elif open_paragraphs:
            if tag == _W + "t":
                open_paragraphs[-1].append(node.text or "")
            elif tag in _RUN_TEXT:
                open_paragraphs[-1].append(_RUN_TEXT[tag])
    return "\n".join(lines).strip("\n")
