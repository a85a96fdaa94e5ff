"""The ownership and control links the loaded lists already carry, as edges: OFAC's "Linked
To", vessel owners, FtM ``Ownership``/``Control`` links of a loaded FtM list, and the "owned or
controlled by X", "subsidiary of X" and "X is the parent company of" phrases of remarks.

Why these mappings: a "Linked To" names the designated party a record was listed for (owned
by, controlled by, acting for, or an official of it); it says no stake, so it is control
"linked" with no share: shown in traces, never counted. "Owned or controlled by X" is a
designation criterion, not a measured stake: it may be 0% and control, or 100%. A share of
"50% or more" would be false for control, and control would be false for ownership; so the
edge has an unknown share and control "linked" (the calculator says "indeterminate" with the
reason, never blocked or cleared on its strength), the phrase kept in ``extra``. A
"subsidiary of" is the same. A remark's name counts only when it is a name or alias of one
record of the same list, so prose ("a designated individual or entity") makes no edge. The
owner of a vessel holds it (unknown share); a list's "controlled by" is control
("management", the EU's dominant influence). Family, associates and other "related" links are
not ownership and make no edge.
"""

from __future__ import annotations

import re
from collections import defaultdict
from fractions import Fraction

from sanctrace.model.entity import Entity, Relationship
from sanctrace.ownership.edges import Edge, EdgeError, control_type, fold_name, node_key
from sanctrace.ownership.shares import UNKNOWN, Share, ShareError, parse_share
from sanctrace.store.base import Store

#: "owned or controlled by", "owned and controlled by", "owned or controlled by, or acts for or
#: on behalf of," and "subsidiary of": the holder's name follows.
_HELD_BY = re.compile(
    r"\b(?:(?P<oc>owned\s+(?:or|and)\s+controlled\s+by)|(?P<sub>subsidiary\s+of))\b"
    r"(?:,?\s*or\s+(?:acts?|acting)\s+(?:or\s+purports\s+to\s+act\s+)?(?:for\s+or\s+)?"
    r"on\s+behalf\s+of)?,?\s+",
    re.IGNORECASE,
)
#: "X is the parent company of Y": the record's own remark naming its holder first.
_PARENT_OF = re.compile(r"(?P<owner>[^.;]{2,120}?)\s+is\s+the\s+parent\s+company\s+of\s+", re.I)
_NAME_END = re.compile(r"[.;:\[\]]|,\s|\s(?:which|who|that|and\s+is|a\s+designated)\b", re.I)
_PAREN = re.compile(r"\s*\([^)]*\)")
_NOT_NAMES = ("u.s. financial institutions", "a designated", "the government of")


class _Names:
    """Every record of a list by its folded names and aliases, to resolve a remark's name."""

    def __init__(self, entities: list[Entity]) -> None:
        self.by_name: dict[str, set[str]] = defaultdict(set)
        self.caption: dict[str, str] = {}
        for e in entities:
            self.caption[e.id] = e.caption
            for name in e.names:
                bare = _PAREN.sub("", name.value)
                for variant in (name.value, bare, re.sub(r"^the\s+", "", bare, flags=re.I)):
                    if key := fold_name(variant):
                        self.by_name[key].add(e.id)
                for acronym in re.findall(r"\(([A-Z][A-Z0-9&-]{1,11})\)", name.value):
                    self.by_name[fold_name(acronym)].add(e.id)

    def find(self, written: str) -> str | None:
        text = written.strip().strip(",").strip()
        text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.I)
        if not text or any(text.lower().startswith(p) for p in _NOT_NAMES):
            return None
        for candidate in (text, _PAREN.sub("", text)):
            found = self.by_name.get(fold_name(candidate), set())
            if len(found) == 1:
                return next(iter(found))
        return None


def _names_in(rest: str) -> list[str]:
    """The holder names at the start of ``rest``: "A", or "A and B"."""
    cut = _NAME_END.search(rest)
    segment = rest[: cut.start()] if cut else rest
    segment = segment[:200]
    parts = re.split(r"\s+and\s+|\s*&\s*", segment)
    return [p for p in (segment, *parts) if p.strip()]


def _remark_edges(entity: Entity, names: _Names, provenance: str) -> list[Edge]:
    text = " ".join((entity.remarks or "").split())
    if not text:
        return []
    found: list[tuple[str, str, str]] = []  # owner id, phrase, kind
    for match in _HELD_BY.finditer(text):
        kind = "owned or controlled" if match.group("oc") else "subsidiary"
        written = _names_in(text[match.end() :])
        whole = names.find(written[0]) if written else None
        owners = [whole] if whole else [names.find(w) for w in written[1:]]
        for owner in owners:
            if owner and owner != entity.id:
                found.append((owner, text[match.start() : match.end() + 120].strip(), kind))
    for match in _PARENT_OF.finditer(text):
        sentence_start = max(text.rfind(".", 0, match.start()) + 1, 0)
        owner = names.find(text[sentence_start : match.start() + len(match.group("owner"))])
        if owner and owner != entity.id:
            after = names.find(_names_in(text[match.end() :])[0]) if text[match.end() :] else None
            if after == entity.id:
                found.append((owner, match.group(0).strip(), "subsidiary"))
    edges, seen = [], set()
    for owner, phrase, kind in found:
        if owner in seen:
            continue
        seen.add(owner)
        edges.append(
            Edge(
                owner=owner,
                asset=entity.id,
                share=UNKNOWN,
                control="linked",
                share_type=kind,
                source=f"{entity.dataset} remarks",
                owner_name=names.caption.get(owner, ""),
                asset_name=entity.caption,
                provenance=provenance,
                extra={"phrase": phrase[:300]},
            )
        )
    return edges


def _share_of(note: str | None) -> Share:
    """A share written in a link's note ("50%"), else unknown."""
    if note:
        try:
            share = parse_share(note)
        except (ShareError, ValueError, ZeroDivisionError):
            return UNKNOWN
        if share.high <= Fraction(100):
            return share
    return UNKNOWN


def _control_of(note: str | None) -> str:
    if note:
        try:
            if found := control_type(note):
                return found
        except EdgeError:
            pass
    return "management"


def _relationship_edge(entity: Entity, rel: Relationship, provenance: str) -> Edge | None:
    if rel.type not in ("linked_to", "owned_by", "controlled_by"):
        return None
    if rel.target_id:
        owner = rel.target_id
    else:
        try:
            owner = node_key(rel.target_name or "")
        except EdgeError:
            return None
    if owner == entity.id:
        return None
    share: Share | None
    if rel.type == "linked_to":
        share, control, share_type = None, "linked", "linked to"
    elif rel.type == "owned_by":
        share, control, share_type = _share_of(rel.note), None, "owned by"
    else:
        share, control, share_type = None, _control_of(rel.note), "controlled by"
    return Edge(
        owner=owner,
        asset=entity.id,
        share=share,
        control=control,
        share_type=share_type,
        source=f"{entity.dataset} list",
        owner_name=rel.target_name or "",
        asset_name=entity.caption,
        provenance=provenance,
        extra={"note": rel.note} if rel.note else {},
    )


def edges_from_lists(store: Store) -> list[Edge]:
    """Every ownership or control link of the active list versions, in list and record order."""
    edges: list[Edge] = []
    for version in store.active_versions():
        entities = list(store.iter_entities(version.dataset, version.version))
        names = _Names(entities)
        for entity in entities:
            provenance = f"{version.dataset}:{version.version} {entity.id}"
            seen: set[tuple[str, str]] = set()
            for rel in entity.relationships:
                edge = _relationship_edge(entity, rel, provenance)
                if edge is not None and (edge.owner, edge.share_type) not in seen:
                    seen.add((edge.owner, edge.share_type))
                    edges.append(edge)
            edges.extend(_remark_edges(entity, names, provenance))
    return edges
