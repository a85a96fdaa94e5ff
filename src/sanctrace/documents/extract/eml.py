"""E-mail (.eml): the headers people read, the body, and the attachments sanctrace can read.

The text is "Subject:", "From:", "To:", "Cc:" and "Date:" lines, a blank line, the body (plain
text where the sender gave it, else the HTML version as text), then each attachment's text
after a "--- attachment: NAME ---" line. Attachments that cannot be screened (images, damaged
or encrypted files, the 21st and later) are named in the notes, never dropped silently.
"""

from __future__ import annotations

import email.header
import re
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from pathlib import PurePath

from sanctrace.documents.extract.base import Document, human_size, label, normalize_newlines
from sanctrace.documents.extract.html import html_to_text, web_charset
from sanctrace.documents.extract.text import decode_text
from sanctrace.errors import DocumentError

#: Attachments read from one e-mail (forwarded messages inside it included).
MAX_ATTACHMENTS = 20
#: Messages nested deeper than this (a forward of a forward of ...) are not opened.
MAX_DEPTH = 3
#: Multipart levels walked within one message; real mail has a handful.
MAX_NESTING = 50
#: Headers shown at the top of the text, in this order.
HEADERS = ("Subject", "From", "To", "Cc", "Date")
#: Kinds of attachment that are extracted.
ATTACHMENT_KINDS = frozenset({"pdf", "docx", "html", "text", "markdown", "xlsx", "csv", "eml"})

_ESCAPED = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def extract_eml(data: bytes, source: str, max_bytes: int) -> Document:
    """The e-mail's text; its attachments together may hold at most ``max_bytes``."""
    reader = _Reader(max_bytes)
    text = reader.message(_parse(data, source), depth=0)
    if not reader.found_headers:
        reader.notes.insert(0, "no e-mail headers found: the whole file was read as the body")
    if reader.skipped:
        reader.notes.append(
            f"{reader.skipped} more attachment{'s' if reader.skipped > 1 else ''} not screened "
            f"(at most {MAX_ATTACHMENTS} per e-mail)"
        )
    text = "\n\n".join([text, *reader.attachments])
    return Document(
        source=source,
        kind="eml",
        text=re.sub(r"\n{3,}", "\n\n", text).rstrip("\n"),
        notes=reader.notes,
    )


def _parse(data: bytes, source: str) -> EmailMessage:
    try:
        message = BytesParser(policy=policy.default).parsebytes(data)
    except Exception as exc:  # the parser is lenient; this is a last resort
        raise DocumentError(f"{label(source)} is not a readable e-mail ({exc})") from None
    if not isinstance(message, EmailMessage):
        raise DocumentError(f"{label(source)} is not a readable e-mail")
    return message


class _Reader:
    """Walks one e-mail, gathering body text, attachment blocks and notes."""

    def __init__(self, max_bytes: int) -> None:
        self.budget = max_bytes
        self.attachments: list[str] = []
        self.notes: list[str] = []
        self.count = 0
        self.skipped = 0
        self.found_headers = False
        self.too_deep = False

    def message(self, message: EmailMessage, depth: int) -> str:
        lines = []
        for name in HEADERS:
            value = _header(message, name)
            if value:
                lines.append(f"{name}: {value}")
        self.found_headers = self.found_headers or bool(message.keys())
        body: list[str] = []
        self._walk(message, depth, body, 0)
        return "\n".join(lines) + "\n\n" + "\n\n".join(part for part in body if part.strip())

    def _walk(self, part: EmailMessage, depth: int, body: list[str], level: int) -> None:
        ctype = part.get_content_type()
        if level > MAX_NESTING:
            if not self.too_deep:
                self.notes.append(f"parts nested more than {MAX_NESTING} deep: not screened")
            self.too_deep = True
            return
        if ctype == "message/rfc822":
            self._forwarded(part, depth)
            return
        if part.is_multipart():
            subparts = list(part.iter_parts())
            if ctype == "multipart/alternative":
                plain = [p for p in subparts if p.get_content_type() == "text/plain"]
                # The same content in several forms: plain text if given, else the richest.
                subparts = plain[:1] or subparts[-1:]
            for subpart in subparts:
                if isinstance(subpart, EmailMessage):
                    self._walk(subpart, depth, body, level + 1)
            return
        is_text = ctype in ("text/plain", "text/html")
        if is_text and part.get_content_disposition() != "attachment" and not part.get_filename():
            text = self._part_text(part, ctype)
            body.append(html_to_text(text) if ctype == "text/html" else text)
            return
        self._attachment(part, ctype, depth)

    def _part_text(self, part: Message, ctype: str) -> str:
        """A text part decoded by its declared charset, else by the rules for text files."""
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        charset = part.get_content_charset()
        if charset:
            try:
                return normalize_newlines(data.decode(web_charset(charset)))
            except (LookupError, UnicodeDecodeError):
                pass
        try:
            text, notes = decode_text(data, "a text part")
        except DocumentError:
            self.notes.append(f"a {ctype} part looks binary, not text: not screened")
            return ""
        if charset:
            how = "; ".join(notes) or "decoded as UTF-8"
            self.notes.append(f"a {ctype} part is not the {charset} it declares: {how}")
        else:
            self.notes.extend(f"a {ctype} part: {note}" for note in notes)
        return text

    def _forwarded(self, part: EmailMessage, depth: int) -> None:
        inner = part.get_payload(0) if part.is_multipart() else None
        if not isinstance(inner, EmailMessage):
            self._attachment(part, "message/rfc822", depth)
            return
        name = _clean(part.get_filename() or _header(inner, "Subject") or "forwarded message")
        if not self._take(name):
            return
        if depth >= MAX_DEPTH:
            self.notes.append(f"attachment {name} not screened: messages nest too deep")
            return
        slot = len(self.attachments)
        self.attachments.append("")  # the message comes before its own attachments
        self.attachments[slot] = f"--- attachment: {name} ---\n" + self.message(inner, depth + 1)

    def _attachment(self, part: Message, ctype: str, depth: int) -> None:
        from sanctrace.documents.extract import SUFFIX_KINDS, detect_kind, extract_bytes

        filename = part.get_filename()
        if not filename and part.get_content_maintype() in ("image", "audio", "video"):
            return  # pictures in the message body; an HTML mail is full of them
        name = _clean(filename or f"unnamed {ctype} part")
        if not self._take(name):
            return
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if len(data) > self.budget:
            self.notes.append(
                f"attachment {name} not screened: it is {human_size(len(data))}, more than the "
                f"{human_size(self.budget)} left of the size limit (raise it with --max-size)"
            )
            return
        try:
            kind = detect_kind(name, data)
        except DocumentError as exc:
            self.notes.append(f"attachment {name} not screened: {exc}")
            return
        suffix = PurePath(name).suffix.lower()
        textual = ctype.startswith("text/") or SUFFIX_KINDS.get(suffix) in ("text", "markdown")
        if kind not in ATTACHMENT_KINDS or (kind in ("text", "markdown") and not textual):
            self.notes.append(
                f"attachment {name} ({ctype}) not screened: not a kind sanctrace reads"
            )
            return
        budget = self.budget
        self.budget -= len(data)
        try:
            if kind == "eml":
                if depth >= MAX_DEPTH:
                    self.notes.append(f"attachment {name} not screened: messages nest too deep")
                    return
                slot = len(self.attachments)
                self.attachments.append("")
                text = self.message(_parse(data, name), depth + 1)
                self.attachments[slot] = f"--- attachment: {name} ---\n{text}"
                return
            document = extract_bytes(data, source=name, kind=kind, max_bytes=budget)
        except DocumentError as exc:
            self.notes.append(f"attachment {name} not screened: {exc}")
            return
        self.attachments.append(f"--- attachment: {name} ---\n{document.text}")
        self.notes.extend(f"attachment {name}: {note}" for note in document.notes)

    def _take(self, name: str) -> bool:
        """Count one attachment; False once the limit is reached (counted as skipped)."""
        self.count += 1
        if self.count > MAX_ATTACHMENTS:
            self.skipped += 1
            return False
        return True


def _header(message: Message, name: str) -> str:
    """A header's values, decoded (RFC 2047, 8-bit bytes) and on one line."""
    try:
        values = [str(value) for value in message.get_all(name) or []]
    except Exception:  # a malformed header the strict parser rejects: decode the raw value
        values = []
        for key, raw in message.raw_items():
            if key.lower() == name.lower():
                try:
                    values.append(str(email.header.make_header(email.header.decode_header(raw))))
                except Exception:
                    values.append(str(raw))
    return _clean(", ".join(_unescape(value) for value in values))


def _unescape(text: str) -> str:
    """Undo the parser's escaping of raw 8-bit header bytes: UTF-8 if they are, else cp1252."""
    if not _ESCAPED.search(text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()
