"""Goods checks: is the declared HS code on the Common High Priority List, and does the
description fit the code?

Russia's weapons run on a short list of foreign parts. BIS, the EU, Japan and the UK published
those parts as 50 HS-6 codes in tiers (the CHPL); customs and bank data carry HS codes, so a
match on the code's first six digits finds them. A code can be wrong on purpose, though:
"flight controller for quadcopter" declared as toys (9503) hides Tier 3.B goods under an
innocuous heading. So the description is read too, two ways: against the words of the HS 2022
nomenclature (does it fit the declared heading better than some other?) and against a short
list of words that name CHPL goods and drones (``data/chpl_words.json``). Where no usable code
is declared the same reading suggests the likely headings. Complete drones (HS 8806) are not
on the CHPL; a ``drone`` flag says when the goods are, or are for, unmanned aircraft.

docs/trade-goods.md gives each rule, its source and the measured accuracy.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from rapidfuzz import fuzz, process

from sanctrace.trade.model import Flag, Shipment

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
DRONE_HEADING = "8806"

#: A description fits its declared heading unless the best heading scores at least MIN_TOP and
#: the declared one less than FIT_RATIO of it (calibrated in tests/trade/test_goods.py).
MIN_TOP = 0.30
FIT_RATIO = 0.25
#: A suggestion on the CHPL is reported as an inferred ``chpl`` flag from this score on.
MIN_INFER = 0.45

_STOP_WORDS = """a an and or of the for with other than not nec n e c i excluding including whether
    heading headings no item items chapter kind kinds used use in on to by as its their be
    being such like similar etc thereof therefor therewith suitable solely principally mainly
    containing contained whatever form forms elsewhere specified included incl excl but
    any all more less exceeding only from at into which this these those type types"""
_STOP = frozenset(_STOP_WORDS.split())
#: Words that name no kind of goods: a description made only of them contradicts no heading.
_VAGUE = frozenset(
    {
        "part",
        "spare",
        "accessory",
        "component",
        "good",
        "item",
        "equipment",
        "material",
        "sample",
        "cargo",
        "general",
        "product",
        "merchandise",
        "article",
        "misc",
        "miscellaneous",
        "various",
        "assorted",
        "commodity",
        "unit",
        "set",
        "kit",
        "new",
        "used",
        "pc",
        "pcs",
        "piece",
        "box",
        "carton",
        "pallet",
    }
)
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


def _terms(text: str) -> list[str]:
    """The words that carry meaning: stop words and bare numbers left out."""
    return [w for w in _words(text) if w not in _STOP and not w.isdigit() and len(w) > 1]


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


# --- description -> headings ----------------------------------------------------------------


class HeadingIndex:
    """The nomenclature's headings and subheadings as bags of words weighted by rarity (idf);
    a description scores each heading by the cosine of its words with the heading's best
    entry. Words not in the nomenclature are matched to the nearest one (rapidfuzz, >= 88)."""

    def __init__(self, entries: Iterable[HsEntry]) -> None:
        docs = [(e.code, set(_terms(e.description))) for e in entries if e.level in (4, 6)]
        docs = [(code, terms) for code, terms in docs if terms]
        df: dict[str, int] = defaultdict(int)
        for _, terms in docs:
            for t in terms:
                df[t] += 1
        n = len(docs)
        self.idf = {t: math.log(1 + n / k) for t, k in df.items()}
        self.vocab = list(self.idf)
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.codes = [code for code, _ in docs]
        self.norms = []
        for i, (_, terms) in enumerate(docs):
            for t in terms:
                self.postings[t].append(i)
            self.norms.append(math.sqrt(sum(self.idf[t] ** 2 for t in terms)))
        self._cache: dict[str, dict[str, tuple[float, str]]] = {}

    def _known(self, term: str) -> str | None:
        if term in self.idf:
            return term
        if len(term) < 5 or not term.isalpha():
            return None
        found = process.extractOne(term, self.vocab, scorer=fuzz.ratio, score_cutoff=88)
        return str(found[0]) if found else None

    def scores(self, description: str) -> dict[str, tuple[float, str]]:
        """heading -> (score 0..1, the code of its best-scoring entry)."""
        cached = self._cache.get(description)
        if cached is not None:
            return cached
        terms = {k for k in (self._known(t) for t in _terms(description)) if k}
        out: dict[str, tuple[float, str]] = {}
        if terms:
            qnorm = math.sqrt(sum(self.idf[t] ** 2 for t in terms))
            acc: dict[int, float] = defaultdict(float)
            for t in terms:
                w = self.idf[t] ** 2
                for i in self.postings[t]:
                    acc[i] += w
            for i, dot in acc.items():
                score = dot / (qnorm * self.norms[i])
                code = self.codes[i]
                best = out.get(code[:4])
                if best is None or score > best[0] or (score == best[0] and len(code) > 4):
                    out[code[:4]] = (score, code)
        if len(self._cache) < 100_000:
            self._cache[description] = out
        return out


@lru_cache(maxsize=1)
def default_index() -> HeadingIndex:
    return HeadingIndex(nomenclature().values())


@dataclass(frozen=True)
class Suggestion:
    """A likely heading for a description; ``subheading`` is its most likely 6-digit code."""

    heading: str
    description: str
    score: float
    subheading: str
    via: str  # "words" (chpl_words.json) or "text" (the nomenclature's words)
    chpl: ChplEntry | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "heading": self.heading,
            "description": self.description,
            "score": round(self.score, 3),
            "subheading": self.subheading,
            "via": self.via,
            "chpl_tier": self.chpl.tier if self.chpl else None,
        }


def suggest_headings(
    description: str, limit: int = 3, index: HeadingIndex | None = None
) -> list[Suggestion]:
    """The likely HS headings of a goods description, best first.

    Words that name CHPL goods or drones put their headings first (the goods a description
    names come before the drones they are for); the nomenclature's words rank the rest.
    """
    index = index or default_index()
    table = nomenclature()
    text = index.scores(description)
    ranked: dict[str, tuple[float, str, str]] = {}
    hits = goods_named(description)
    has_part = any(h.group.kind != "drone" for h in hits)
    for order, hit in enumerate(hits):
        if hit.group.kind == "drone" and (has_part or hit.context):
            # goods for drones: their own words decide among the headings drone goods take
            for code in hit.group.fits():
                score = max(0.85 if code == "8807" else 0.0, 0.5 + text.get(code, (0.0,))[0] / 2)
                sub = text.get(code, (0.0, "880730" if code == "8807" else ""))[1]
                if score > 0.5 and (code not in ranked or ranked[code][0] < score):
                    ranked[code] = (min(score, 0.99) - (0.1 if has_part else 0.0), sub, "words")
            continue
        for j, code in enumerate(h for h in hit.group.headings if len(h) == 4):
            score = 1.0 - 0.05 * j - 0.01 * order + 0.2 * text.get(code, (0.0,))[0]
            sub = next((c for c in hit.group.chpl_hs6 if c.startswith(code)), "")
            sub = (
                sub
                or next((h for h in hit.group.headings if len(h) == 6 and h.startswith(code)), "")
                or text.get(code, (0.0, code))[1]
            )
            if code not in ranked or ranked[code][0] < score:
                ranked[code] = (score, sub, "words")
    for code, (score, sub) in text.items():
        if code not in ranked:
            ranked[code] = (score * 0.95, sub, "text")
    best = sorted(ranked.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
    return [
        Suggestion(
            code,
            table[code].description if code in table else "",
            min(score, 1.0),
            sub if len(sub) == 6 else "",
            via,
            chpl().get(sub),
        )
        for code, (score, sub, via) in best
    ]


@dataclass(frozen=True)
class Fit:
    """How a description fits its declared heading (text scores, 0..1)."""

    declared: str
    declared_score: float
    top: str
    top_score: float

    @property
    def fits(self) -> bool:
        return not (
            self.top_score >= MIN_TOP
            and self.declared != self.top
            and self.declared_score < FIT_RATIO * self.top_score
        )


def description_fit(description: str, heading: str, index: HeadingIndex | None = None) -> Fit:
    """The declared heading's text score against the best heading's for this description."""
    scores = (index or default_index()).scores(description)
    if not scores or all(t in _VAGUE for t in _terms(description)):
        return Fit(heading, 0.0, "", 0.0)
    top, (top_score, _) = max(scores.items(), key=lambda kv: (kv[1][0], kv[0]))
    return Fit(heading, scores.get(heading, (0.0, ""))[0], top, top_score)


# --- flags ----------------------------------------------------------------------------------


def _chpl_flag(entry: ChplEntry, declared: str, inferred: Suggestion | None = None) -> Flag:
    evidence: dict[str, Any] = {
        "tier": entry.tier,
        "tier_label": entry.label,
        "meaning": entry.meaning,
        "hs6": entry.hs6,
        "hs6_description": entry.description,
        "declared_hs_code": declared,
        "chpl_version": CHPL_VERSION,
        "inferred_from_description": inferred is not None,
    }
    if inferred is None:
        reason = f"HS {entry.hs6} is on the CHPL, {entry.label}: {entry.meaning}"
    else:
        evidence["suggestion"] = inferred.to_dict()
        reason = (
            f"no usable HS code, but the description points to HS {entry.hs6}, on the "
            f"CHPL, {entry.label}: {entry.meaning}"
        )
    return Flag("chpl", reason, CHPL_SOURCE, evidence)


def _drone_flag(hits: list[WordHit], heading: str, complete: bool) -> Flag:
    named = sorted({h.phrase for h in hits if h.group.kind == "drone"})
    if complete:
        reason = "the goods are unmanned aircraft (HS 8806): not on the CHPL, but drones"
    else:
        reason = f"the description names drones ({', '.join(named)}): goods for unmanned aircraft"
    return Flag(
        "drone",
        reason,
        f"{HS_SOURCE}, heading 8806; {WORDS_SOURCE}",
        {"drone": True, "complete_drone": complete, "named": named, "declared_heading": heading},
    )


def goods_flags(shipment: Shipment, index: HeadingIndex | None = None) -> list[Flag]:
    """``chpl``, ``hs_description_mismatch``, ``drone`` and ``hs_code_missing`` for a shipment.

    - ``chpl``: the code's first six digits are a CHPL code (or, with no usable code, the
      description's best suggestion is, from MIN_INFER on: ``inferred_from_description``).
    - ``hs_description_mismatch``: the description names CHPL goods or drones and the declared
      heading is not one they belong under, or its words fit another heading far better.
    - ``drone``: the heading is 8806, or the description names drones (evidence says which).
    - ``hs_code_missing``: no usable code; the evidence holds why and the suggested headings.
    """
    flags: list[Flag] = []
    description = shipment.description.strip()
    hits = goods_named(description) if description else []
    digits, problem = clean_hs_code(shipment.hs_code)
    drone_named = any(h.group.kind == "drone" for h in hits)
    if problem:
        suggestions = suggest_headings(description, 3, index) if description else []
        flags.append(
            Flag(
                "hs_code_missing",
                problem
                + (
                    f"; likely headings: {', '.join(s.heading for s in suggestions)}"
                    if suggestions
                    else "; no description to suggest a heading from"
                ),
                HS_SOURCE,
                {
                    "declared_hs_code": shipment.hs_code,
                    "problem": problem,
                    "suggestions": [s.to_dict() for s in suggestions],
                },
            )
        )
        inferred = next((s for s in suggestions if s.chpl and s.score >= MIN_INFER), None)
        if inferred and inferred.chpl:
            flags.append(_chpl_flag(inferred.chpl, shipment.hs_code, inferred))
        top = suggestions[0].heading if suggestions else ""
        if drone_named or top == DRONE_HEADING:
            flags.append(_drone_flag(hits, "", top == DRONE_HEADING))
        return flags
    heading = digits[:4]
    entry = chpl().get(digits[:6]) if len(digits) >= 6 else None
    if entry:
        flags.append(_chpl_flag(entry, digits))
    mismatch = _mismatch(description, digits, hits, index) if description else None
    if mismatch:
        flags.append(mismatch)
    if heading == DRONE_HEADING or drone_named:
        flags.append(_drone_flag(hits, heading, heading == DRONE_HEADING))
    return flags


def _mismatch(
    description: str, digits: str, hits: list[WordHit], index: HeadingIndex | None
) -> Flag | None:
    heading = digits[:4]
    table = nomenclature()
    declared = table.get(digits[:6]) or table[heading]
    if hits:
        wrong = [h for h in hits if heading not in h.group.fits()]
        if len(wrong) < len(hits):
            return None  # the goods named fit the heading (other words may be their context)
        expected = sorted({c[:4] for h in wrong for c in h.group.headings})
        named = [h.phrase for h in wrong]
        chpl_codes = sorted({c for h in wrong for c in h.group.chpl_hs6})
        return Flag(
            "hs_description_mismatch",
            f"the description names {', '.join(named)} (HS {', '.join(expected)}), "
            f"declared as {heading} ({declared.description})",
            WORDS_SOURCE,
            {
                "rule": "named_goods",
                "declared_hs_code": digits,
                "declared_heading": heading,
                "declared_description": declared.description,
                "named": named,
                "expected_headings": expected,
                "chpl_hs6": chpl_codes,
                "drone": any(h.group.kind == "drone" for h in wrong),
            },
        )
    fit = description_fit(description, heading, index)
    if fit.fits:
        return None
    top = table.get(fit.top)
    return Flag(
        "hs_description_mismatch",
        f"the description reads as {fit.top} ({top.description if top else ''}), not as the "
        f"declared {heading} ({declared.description})",
        HS_SOURCE,
        {
            "rule": "text",
            "declared_hs_code": digits,
            "declared_heading": heading,
            "declared_description": declared.description,
            "declared_score": round(fit.declared_score, 3),
            "best_heading": fit.top,
            "best_score": round(fit.top_score, 3),
            "suggestions": [s.to_dict() for s in suggest_headings(description, 3, index)],
        },
    )
