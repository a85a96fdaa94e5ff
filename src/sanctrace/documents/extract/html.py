"""HTML to text that keeps names whole: inline tags join, block tags break lines.

A browser shows "Kala<span>shnikov</span>" as one word, so the text must hold one word too;
a naive "text of every node joined with spaces" would split the name and hide it from the
matcher. Paragraph-like blocks are separated by a blank line so sentences never run together.
"""

from __future__ import annotations

import codecs
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from sanctrace.documents.extract.base import Document, normalize_newlines
from sanctrace.documents.extract.text import decode_text

#: Elements whose content is never shown as text.
_DROPPED = frozenset({"script", "style", "noscript", "template"})
#: Blocks that start a new paragraph (a blank line before and after).
_PARAGRAPHS = frozenset(
    {
        "address", "article", "aside", "blockquote", "caption", "center", "dl", "fieldset",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup",
        "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul", "title", "details",
        "dialog", "figcaption", "legend", "menu", "summary",
    }
)  # fmt: skip
#: Blocks that start a new line.
_LINES = frozenset(
    {
        "body", "dd", "dir", "div", "dt", "html", "li", "optgroup", "option", "tbody",
        "td", "tfoot", "th", "thead", "tr", "textarea", "select", "frameset", "frame",
    }
)  # fmt: skip
#: Characters that are not shown and only hint where a line may break: soft hyphen, zero-width
#: space, word joiner, BOM. (Zero-width (non-)joiners stay: Persian spelling needs them.)
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
_SPACES = re.compile(r"[ \t\n\r\f\u00a0]+")
_RUNS = re.compile(" {2,}")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
#: Labels that browsers read as windows-1252 (the WHATWG encoding standard).
_WINDOWS_1252 = frozenset({"ascii", "us-ascii", "iso-8859-1", "latin-1", "latin1", "l1"})


def extract_html(data: bytes, source: str) -> Document:
    """An HTML file: decoded by its BOM or ``<meta charset>``, else like a text file."""
    markup, notes = decode_html(data, source)
    return Document(source=source, kind="html", text=html_to_text(markup), notes=notes)


def decode_html(data: bytes, source: str) -> tuple[str, list[str]]:
    """The markup as text: a declared charset is used when the bytes agree with it."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            charset = web_charset(declared.group(1).decode("ascii"))
            try:
                return normalize_newlines(data.decode(charset)), []
            except (LookupError, UnicodeDecodeError):
                pass
    return decode_text(data, source)


def web_charset(name: str) -> str:
    """The codec a browser would use for a declared charset (latin-1 means cp1252 there)."""
    return "cp1252" if name.strip().lower() in _WINDOWS_1252 else name.strip()


def html_to_text(markup: str) -> str:
    """Visible text of ``markup``: entities decoded, script/style dropped, blocks on own lines."""
    root = LexborHTMLParser(markup).root
    if root is None:
        return ""
    pieces: list[str | int] = []
    # Depth-first walk with an explicit stack (pages nest deeper than Python's recursion limit);
    # an int on the stack is the line break to emit when an element closes, None leaves a <pre>.
    stack: list[LexborNode | int | None] = [root]
    preformatted = 0
    while stack:
        item = stack.pop()
        if item is None:
            preformatted -= 1
            continue
        if isinstance(item, int):
            pieces.append(item)
            continue
        tag = item.tag or ""
        if tag == "-text":
            text = item.text_content or ""
            if preformatted:
                for number, line in enumerate(normalize_newlines(text).split("\n")):
                    pieces.extend(["\n", line] if number else [line])
            else:
                pieces.append(text)
            continue
        if tag.startswith("-") or tag in _DROPPED:
            continue
        if tag == "br":
            pieces.append("\n")
            continue
        brk = 2 if tag in _PARAGRAPHS else 1 if tag in _LINES else 0
        if brk:
            pieces.append(brk)
            stack.append(brk)
        if tag == "pre":
            preformatted += 1
            stack.append(None)
        children = []
        child = item.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend(reversed(children))
    return _assemble(pieces)


def _assemble(pieces: list[str | int]) -> str:
    """Join text pieces, turning break requests (ints) into at most that many newlines."""
    out: list[str] = []
    pending = 0
    for piece in pieces:
        if isinstance(piece, int):
            pending = max(pending, piece)
            continue
        if piece == "\n":
            out.append("\n" * pending + "\n")
            pending = 0
            continue
        text = _SPACES.sub(" ", piece.translate(_INVISIBLE))
        if not text:
            continue
        if pending:
            if text == " ":
                continue
            out.append("\n" * pending)
            pending = 0
        out.append(text)
    lines = [_RUNS.sub(" ", line).strip(" ") for line in "".join(out).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
