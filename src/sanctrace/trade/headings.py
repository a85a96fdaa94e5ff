"""Reading a goods description against the words of the HS 2022 nomenclature: the headings it
likely belongs under, and whether it fits the declared one."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from sanctrace.trade.nomenclature import (
    ChplEntry,
    HsEntry,
    _words,
    chpl,
    goods_named,
    nomenclature,
)

#: A description fits its declared heading unless the best heading scores at least MIN_TOP and
#: the declared one less than FIT_RATIO of it (calibrated in tests/trade/test_goods.py).
MIN_TOP = 0.30
FIT_RATIO = 0.25

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


def _terms(text: str) -> list[str]:
    """The words that carry meaning: stop words and bare numbers left out."""
    return [w for w in _words(text) if w not in _STOP and not w.isdigit() and len(w) > 1]


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
