"""HTML to text that keeps names whole: inline tags join, block tags break lines.

A browser shows "Kala<span>shnikov</span>" as one word, so the text must hold one word too;
a naive "text of every node joined with spaces" would split the name and hide it from the
matcher. Paragraph-like blocks are separated by a blank line so sentences never run together.
"""

from __future__ import annotations

import codecs
import html
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
    return Document(source=source, kind="html", text=html_to_text(markup, notes), notes=notes)


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


def html_to_text(markup: str, notes: list[str] | None = None) -> str:
    """Visible text of ``markup``: entities decoded, script/style dropped, blocks on own lines.
    Markup nested past ``MAX_DEPTH`` has its tags stripped instead (said in ``notes``)."""
    depth = _depth(markup)
    if depth > MAX_DEPTH:
        if notes is not None:
            notes.append(
                f"elements nested more than {MAX_DEPTH:,} deep: the text is taken with its tags "
                "stripped, without parsing the page"
            )
        return _stripped(markup)
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


#: Deeper nesting than this slows the HTML parser down quadratically (80,000 nested elements
#: take it seconds, 200,000 minutes); real pages nest a few dozen deep.
MAX_DEPTH = 2_000
_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)[^>]*?(/?)>")
#: Elements that hold no content, or whose end tag may be left out (browsers close them).
_UNCOUNTED = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead",
        "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rp", "html", "head", "body",
    }
)  # fmt: skip
_HIDDEN_OPEN = re.compile(r"<(script|style|noscript|template)\b", re.I)
_BLOCK_TAG = re.compile(
    r"</?(?:{}|br)\b[^>]*>".format("|".join(sorted(_PARAGRAPHS | _LINES))), re.I
)
_ANY_TAG = re.compile(r"<[^>]*>")


def _depth(markup: str) -> int:
    """How deep the elements of ``markup`` nest, by its tags (stops counting past the limit)."""
    depth = 0
    for m in _TAG.finditer(markup):
        if m.group(3) or m.group(2).lower() in _UNCOUNTED:
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            if depth > MAX_DEPTH:
                break
    return depth


def _shown(markup: str) -> str:
    """``markup`` without the content of script, style and the like (one pass: an element left
    open hides the rest, as in a browser)."""
    kept: list[str] = []
    at = 0
    while (found := _HIDDEN_OPEN.search(markup, at)) is not None:
        kept.append(markup[at : found.start()])
        close = re.compile(rf"</{found.group(1)}[^>]*>", re.I).search(markup, found.end())
        if close is None:
            return " ".join(kept)
        at = close.end()
    kept.append(markup[at:])
    return " ".join(kept)


def _stripped(markup: str) -> str:
    """The text of markup with its tags taken out: block tags break lines, inline tags join."""
    pieces: list[str | int] = []
    for block in _BLOCK_TAG.split(_shown(markup)):
        pieces += [html.unescape(_ANY_TAG.sub("", block)), 1]
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
