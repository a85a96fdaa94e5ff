"""Ownership and control edges: who holds what of whom, from when to when, said by whom.

An end of an edge is a node key: a party id (P-…), a source record id (us_ofac_sdn:46431,
made a party id when the parties are known), an LEI (``lei:`` and the 20 characters) or an
unlisted company by name (``name:`` and its folded name). ``share`` is None for a control
edge that carries no shares (a chief executive, a nominee director).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sanctrace.ownership.shares import Share

#: Kinds of control an edge may record besides (or instead of) shares.
CONTROL_TYPES = ("voting", "appointment", "management", "nominee", "trust", "joint", "linked")

#: Words sources use for them.
CONTROL_ALIASES = {
    "votes": "voting",
    "voting-rights": "voting",
    "board": "appointment",
    "appoint": "appointment",
    "right-to-appoint-and-remove-directors": "appointment",
    "director": "management",
    "directorship": "management",
    "ceo": "management",
    "chief executive": "management",
    "significant-influence-or-control": "management",
    "dominant influence": "management",
    "nominee director": "nominee",
    "trustee": "trust",
    "joint arrangement": "joint",
    "joint-arrangement": "joint",
    "linked to": "linked",
    "linked_to": "linked",
}

LEI = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")
RECORD_ID = re.compile(r"^[a-z][a-z0-9_]*:\S+$")
PARTY_ID = re.compile(r"^P-[a-z2-7]{10}$")  # resolve.ids: base32 of a digest


def is_record_id(key: str) -> bool:
    """A list's record id (us_ofac_sdn:46431), not a name or LEI node."""
    return bool(RECORD_ID.match(key)) and not key.startswith(("name:", "lei:"))


class EdgeError(ValueError):
    """An edge that cannot be recorded (the loader names file, line and field)."""


def control_type(raw: str) -> str | None:
    text = " ".join(raw.strip().lower().split())
    if not text:
        return None
    text = CONTROL_ALIASES.get(text, text)
    if text not in CONTROL_TYPES:
        raise EdgeError(
            f"{raw.strip()!r} is not a kind of control: use one of {', '.join(CONTROL_TYPES)}"
        )
    return text


@lru_cache(maxsize=65536)
def fold_name(name: str) -> str:
    """The key of an unlisted company's name: case, accents and spacing do not matter."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def node_key(written: str) -> str:
    """The node an edge end names, as written in a source (id, LEI or company name)."""
    text = written.strip()
    if not text:
        raise EdgeError("an edge end is empty: give a record id, a party id, an LEI or a name")
    if PARTY_ID.match(text) or (RECORD_ID.match(text) and " " not in text):
        return text
    if text.lower().startswith("lei:"):
        text = text[4:].strip()
    if LEI.match(text.upper()) and text.upper() == text:
        return f"lei:{text}"
    folded = fold_name(text)
    if not folded:
        raise EdgeError(f"{written!r} names no company")
    return f"name:{folded}"


@dataclass(frozen=True)
class Edge:
    """One stake or control link of ``owner`` in ``asset``."""

    owner: str  # node key
    asset: str  # node key
    share: Share | None  # None: control without shares
    control: str | None = None  # one of CONTROL_TYPES
    share_type: str = "shares"  # shares, votes, capital …
    start: date | None = None
    end: date | None = None  # last day it held
    source: str = ""  # who says so (a registry, a report, a URL)
    owner_name: str = ""
    asset_name: str = ""
    provenance: str = ""  # file and line it was read from
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def active(self, as_of: date) -> bool:
        return (self.start is None or self.start <= as_of) and (
            self.end is None or as_of <= self.end
        )

    @property
    def is_joint(self) -> bool:
        """A joint arrangement: owner and asset are two holders acting together."""
        return self.control == "joint"

    def to_dict(self) -> dict[str, object]:
        return {
            "owner": self.owner,
            "owner_name": self.owner_name,
            "asset": self.asset,
            "asset_name": self.asset_name,
            "share": None if self.share is None else self.share.to_dict(),
            "share_type": self.share_type,
            "control": self.control,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "source": self.source,
            "provenance": self.provenance,
        }
