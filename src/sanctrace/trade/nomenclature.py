"""The reference data the goods checks read (``data/``): the HS 2022 nomenclature, the CHPL and
the words that name CHPL goods and drones, with the word folding they share."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

CHPL_VERSION = "2024-02-23"
CHPL_SOURCE = f"BIS Common High Priority List ({CHPL_VERSION}), https://bis.gov/node/6280"
HS_SOURCE = "HS 2022 nomenclature (WCO; datasets/harmonized-system, ODC-PDDL)"
WORDS_SOURCE = "sanctrace chpl_words.json (HS 2022 heading texts, BIS CHPL tiers)"

#: The tiers in BIS's words (CHPL notice of 2024-02-23), shortened.
TIER_MEANINGS: dict[str, str] = {
    "TIER_1": "integrated circuits: the highest concern, critical to Russia's advanced "
    "precision-guided weapons, with no Russian production and few manufacturers worldwide",
    "TIER_2": "further electronics (wireless communication, satellite navigation, passive "
    "components) that Russia can partly make but prefers to buy from the coalition",
    "TIER_3_A": "further electronic components used in Russian weapons, with a broader range "
    "of suppliers",
    "TIER_3_B": "mechanical and other components used in Russian weapons (bearings, optics, "
    "navigation instruments, aircraft parts)",
    "TIER_4_A": "manufacturing, production and quality-testing equipment for electronic "
    "components, circuit boards and modules",
    "TIER_4_B": "computer numerically controlled (CNC) machine tools and their parts",
}
TIER_LABELS = {
    "TIER_1": "Tier 1",
    "TIER_2": "Tier 2",
    "TIER_3_A": "Tier 3.A",
    "TIER_3_B": "Tier 3.B",
    "TIER_4_A": "Tier 4.A",
    "TIER_4_B": "Tier 4.B",
}

_WORD = re.compile(r"[a-z0-9]+")


def _fold(word: str) -> str:
    """Plurals folded to the singular, roughly: enough for nomenclature and invoice words."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [_fold(w) for w in _WORD.findall(text.lower().replace("'", ""))]


def _data(name: str) -> str:
    return resources.files("sanctrace.trade").joinpath(f"data/{name}").read_text("utf-8")


# --- HS codes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HsEntry:
    """One row of the HS 2022 nomenclature: a chapter (2 digits), heading (4) or subheading (6)."""

    code: str
    description: str
    level: int
    parent: str
    section: str


@lru_cache(maxsize=1)
def nomenclature() -> dict[str, HsEntry]:
    """The HS 2022 nomenclature by code (chapters, headings and subheadings)."""
    out: dict[str, HsEntry] = {}
    for row in csv.DictReader(io.StringIO(_data("hs2022_harmonized-system.csv"))):
        code = row["hscode"]
        if code.isdigit():
            out[code] = HsEntry(
                code, row["description"], int(row["level"]), row["parent"], row["section"]
            )
    return out


def clean_hs_code(raw: str) -> tuple[str, str | None]:
    """(digits, problem): the declared code's digits, and why they cannot be used (or None).

    Separators are dropped ("85.42.31" -> "854231", "8542 31 00 00" -> "8542310000"): that
    reading is sound. Anything else is not guessed: letters ("ABC", "HS8542"), an odd number of
    digits (a dropped leading zero cannot be told from a typo), only a chapter, or a heading the
    nomenclature does not have are reported as the problem, and no CHPL match is made.
    """
    text = (raw or "").strip()
    if not text:
        return "", "no HS code declared"
    digits = re.sub(r"[\s.\-/]", "", text)
    if not digits.isdigit():
        return "", f"HS code {text!r} is not made of digits"
    if len(digits) > 10:
        return "", f"HS code {text!r} has more than 10 digits"
    if len(digits) % 2:
        return "", (
            f"HS code {text!r} has an odd number of digits ({len(digits)}); "
            "a leading zero may have been dropped"
        )
    if len(digits) == 2:
        return "", f"HS code {text!r} gives only the chapter"
    if digits[:4] not in nomenclature():
        return "", f"heading {digits[:4]} of HS code {text!r} is not in the HS 2022 nomenclature"
    return digits, None


def hs_heading(hs_code: str) -> HsEntry | None:
    """The nomenclature's most specific entry for a code: its subheading (first 6 digits) if the
    nomenclature has it, else its heading (first 4); None for an unusable code."""
    digits, problem = clean_hs_code(hs_code)
    if problem:
        return None
    table = nomenclature()
    return table.get(digits[:6]) or table.get(digits[:4])


# --- the CHPL -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChplEntry:
    """A CHPL code: its tier (``TIER_3_B``), the tier as BIS writes it, and what it means."""

    tier: str
    hs6: str
    description: str
    label: str
    meaning: str


@lru_cache(maxsize=1)
def chpl() -> dict[str, ChplEntry]:
    """The 50 CHPL codes by HS-6 code."""
    out = {}
    for row in csv.DictReader(io.StringIO(_data("chpl_hs6_tiers.csv"))):
        tier = row["tier"]
        out[row["hs6"]] = ChplEntry(
            tier,
            row["hs6"],
            row["hs2022_description_from_datasets_harmonized-system"],
            TIER_LABELS[tier],
            TIER_MEANINGS[tier],
        )
    return out


def chpl_entry(hs_code: str) -> ChplEntry | None:
    """The CHPL entry of a declared code (6, 8 or 10 digits, matched on its first six)."""
    digits, problem = clean_hs_code(hs_code)
    if problem or len(digits) < 6:
        return None
    return chpl().get(digits[:6])


# --- words that name CHPL goods and drones --------------------------------------------------


@dataclass(frozen=True)
class WordGroup:
    group: str
    kind: str  # "drone", "drone_part" or "chpl_goods"
    phrases: tuple[str, ...]
    headings: tuple[str, ...]
    also_fits: tuple[str, ...]
    chpl_hs6: tuple[str, ...]

    def fits(self) -> frozenset[str]:
        """The 4-digit headings under which a description naming these goods is no mismatch."""
        return frozenset(h[:4] for h in self.headings + self.also_fits)


@dataclass(frozen=True)
class WordHit:
    """A phrase found; ``context`` when it follows "for", "fits", "compatible with" ...: the
    goods are for it ("battery for drone"), not it."""

    phrase: str
    group: WordGroup
    context: bool = False


_CONTEXT = frozenset({"for", "fit", "fits", "fitting", "compatible", "with", "use", "to"})


@lru_cache(maxsize=1)
def _groups() -> tuple[tuple[WordGroup, ...], dict[tuple[str, ...], WordGroup]]:
    data = json.loads(_data("chpl_words.json"))
    groups = tuple(
        WordGroup(
            g["group"],
            g["kind"],
            tuple(g["phrases"]),
            tuple(g["headings"]),
            tuple(g["also_fits"]),
            tuple(g["chpl_hs6"]),
        )
        for g in data["groups"]
    )
    phrases = {tuple(_words(p)): g for g in groups for p in g.phrases}
    return groups, phrases


def goods_named(description: str) -> list[WordHit]:
    """The CHPL goods and drone words a description names, longest phrase first at each place."""
    _, phrases = _groups()
    longest = max(len(p) for p in phrases)
    words = _words(description)
    hits: list[WordHit] = []
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            group = phrases.get(tuple(words[i : i + n]))
            if group:
                before = words[max(0, i - 3) : i]
                context = bool(hits) or any(w in _CONTEXT and w != "with" for w in before)
                hits.append(WordHit(" ".join(words[i : i + n]), group, context))
                i += n
                break
        else:
            i += 1
    return hits
