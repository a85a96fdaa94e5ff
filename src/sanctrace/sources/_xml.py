"""Hardened XML parsing for list files.

Lists come from the internet; a hostile or corrupted file must not expand entities (billion
laughs), read local files or fetch DTDs. We refuse any document type declaration that declares
entities or points elsewhere, and parse with entity resolution and network access off.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from sanctrace.errors import HostileInputError, SourceError

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_DANGEROUS = re.compile(rb"<!ENTITY|SYSTEM\s+[\"']|PUBLIC\s+[\"']", re.IGNORECASE)


def check_not_hostile(path: Path, head: bytes) -> None:
    """Raise HostileInputError if the prologue declares entities or external resources."""
    match = _DOCTYPE.search(head)
    if match and _DANGEROUS.search(head, match.start()):
        line = head.count(b"\n", 0, match.start()) + 1
        raise HostileInputError(
            "XML document type declarations with entities or external references are refused "
            "(possible entity-expansion or external-entity attack)",
            file=str(path),
            line=line,
        )


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(path: Path) -> etree._Element:
    """Parse a whole (list-sized) XML file safely and return its root element."""
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}", file=str(path)) from None
    check_not_hostile(path, head)
    try:
        tree = etree.parse(str(path), _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        message = str(exc.msg)
        if "entit" in message.lower() or "amplification" in message.lower():
            raise HostileInputError(
                f"XML entity declarations or references refused: {message}",
                file=str(path),
                line=line,
            ) from None
        raise SourceError(f"malformed XML: {message}", file=str(path), line=line) from None
    except (etree.LxmlError, ValueError, LookupError) as exc:
        # lxml's other errors, a bad encoding name (LookupError) or one it cannot use.
        raise SourceError(f"malformed XML: {exc}", file=str(path)) from None
    except OSError as exc:
        raise SourceError(f"cannot read XML: {exc}", file=str(path)) from None
    _refuse_dtd(path, tree)
    root = tree.getroot()
    if root is None:
        raise SourceError("empty XML document", file=str(path))
    _refuse_entity_refs(path, root)
    return root


def _refuse_dtd(path: Path, tree: etree._ElementTree) -> None:
    """A DTD that declares entities or points to an external resource, wherever it is."""
    info = tree.docinfo
    dtd = info.internalDTD
    declares_entities = dtd is not None and any(True for _ in dtd.entities())  # type: ignore[attr-defined]
    if declares_entities or getattr(info, "system_url", None) or info.public_id:
        raise HostileInputError(
            "XML document type declarations with entities or external references are refused "
            "(possible entity-expansion or external-entity attack)",
            file=str(path),
        )


def _refuse_entity_refs(path: Path, root: etree._Element) -> None:
    for node in root.iter(etree.Entity):
        line = node.sourceline if isinstance(node.sourceline, int) else None
        raise HostileInputError(
            f"unresolved XML entity reference {node.text}; refused", file=str(path), line=line
        )


def source_line(elem: etree._Element) -> int | None:
    """The line an element starts on, when lxml knows it (the stubs type it loosely)."""
    line = elem.sourceline
    return line if isinstance(line, int) else None


def local(tag: object) -> str:
    """Tag name without its namespace."""
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def children(elem: etree._Element, name: str) -> Iterator[etree._Element]:
    for child in elem:
        if isinstance(child.tag, str) and local(child.tag) == name:
            yield child


def child(elem: etree._Element, name: str) -> etree._Element | None:
    return next(children(elem, name), None)


def text(elem: etree._Element | None, name: str | None = None) -> str | None:
    """Stripped text of ``elem`` (or of its first child called ``name``); None when empty."""
    if elem is None:
        return None
    if name is not None:
        elem = child(elem, name)
        if elem is None:
            return None
    value = elem.text
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None
