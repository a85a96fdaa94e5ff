"""The words of a document as the scanner reads them: sentences and their contexts, capitals,
legal forms, places, months and countries named, and which words a document uses in lower case
(pure functions and small caches, shared by the anchors, the pre-check and corroboration)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import ahocorasick

from sanctrace.documents.analysis import Analysis, latin_key, reading
from sanctrace.model.countries import country_names, iso_records, subdivision_names, to_code
from sanctrace.normalize.legal_forms import strip_legal_forms

_SENTENCE_END = re.compile(r"(?<!\s[A-ZА-Я])[.!?。！？]\s|\n\s*\n")

WORD = re.compile(r"[^\W_](?:[\w\u00ad'’]*\w)?")

#: An English possessive ending, not part of the name (Sberbank's).
POSSESSIVE = re.compile(r"['’]s\b")

#: Punctuation that separates names rather than joining the words of one.
SEPARATOR = re.compile(r"[,;:()\[\]|/]")

#: Anything but spaces and hyphens between two words: they are not one run of a name.
BREAK = re.compile(r"[^\s\-\u00ad]")

#: Words of legal forms that prose uses as ordinary nouns ("the company", "компании").
_GENERIC = frozenset({"company", "kompanii", "kompaniya", "board", "group", "trust", "bank"})

#: Abbreviations of kinds of Russian organisations, used like legal forms (НПО «Луч»).
ORG_TYPES = frozenset({"npo", "nii", "okb", "npp", "npk", "fgup", "gup", "mup", "tsnii", "kb"})

#: Words of spelt-out legal forms.
_FORM_WORDS = _GENERIC | frozenset(
    {"open", "closed", "joint", "stock", "public", "private", "limited", "liability", "the"}
)

#: Months and weekdays, which any text writes with capitals.
_CALENDAR = (
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday "
    "yanvar fevral mart aprel may iyun iyul avgust sentyabr oktyabr noyabr dekabr"
)

#: Endings of Russian family names: such a word alone names a person as often as a firm.
SURNAME = re.compile(r"(?:ов|ев|ёв|ин|ын|ова|ева|ёва|ина|ына|ский|ская|цкий|цкая)$", re.IGNORECASE)

#: Endings that make a family name of a word (Соболь: Соболев, Соболева), read in Latin: no
#: case ending of the word.
FAMILY_ENDINGS = frozenset({"ov", "ova", "ev", "eva", "yev", "in", "ina", "yn", "yna"})

#: Scripts whose names take case endings in running text.
INFLECTING = re.compile(r"[\u0400-\u04ff]")

_UPPER = re.compile(r"[A-ZА-ЯЁ\u0391-\u03a9]")

#: Characters of context shown on each side when a sentence runs long.
CONTEXT = 200


def is_cased(text: str) -> bool:
    """Whether the text writes capitals at all (a lower-cased text cannot show names by case)."""
    sample = text[:200_000]
    upper = len(_UPPER.findall(sample))
    return upper >= max(1.0, 0.002 * len(sample))


@lru_cache(maxsize=65536)
def is_legal_form(word: str) -> bool:
    """Whether a word, as written, is a legal form (LLC, Ltd, GmbH, ООО) before or after a
    name: capitalised, and in capitals when it is two letters (AS, AG; not "as", "at")."""
    if not word[:1].isupper() or (len(word) <= 2 and not word.isupper()):
        return False
    folded = word.translate(reading()).split()
    if len(folded) != 1 or folded[0] in _GENERIC:
        return False
    if folded[0] in ORG_TYPES:
        return True
    return bool(strip_legal_forms(("x", *folded))[1] or strip_legal_forms((*folded, "x"))[1])


def countries_named(text: str) -> dict[str, str]:
    """The countries a text names, capitalised (Iran, Iranian, IRAN, the United Kingdom):
    code -> as written, in the order written."""
    analysis = Analysis(text)
    named: dict[str, str] = {}
    for end, (key, code) in country_automaton().iter(analysis.latin):
        at = analysis.original(end - len(key) + 2)
        if text[at : at + 1].isupper():
            written = text[at : analysis.original(end - 1) + 1]
            named.setdefault(code, written)
    return named


@lru_cache(maxsize=1)
def country_automaton() -> Any:
    """An automaton of countries' names and their peoples, as Latin readings (" iran ",
    " united kingdom "), to their codes."""
    automaton = ahocorasick.Automaton()
    for name in country_names():
        latin = " ".join(name.translate(reading()).split())
        code = to_code(name)
        if len(latin) >= 4 and code:
            automaton.add_word(f" {latin} ", (f" {latin} ", code))
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=65536)
def is_form_word(word: str) -> bool:
    """A capitalised word of a spelt-out legal form (Open, Joint, Stock, Company): a name's
    neighbour that does not make it part of a longer proper name."""
    return word[:1].isupper() and word.translate(reading()).strip().lower() in _FORM_WORDS


@lru_cache(maxsize=65536)
def is_place(written: str) -> bool:
    """Whether a mention is only the name of a country, a region or a month: what a list's
    one-word name (SEPTEMBER, WASHINGTON) would otherwise match in any text."""
    key = latin_key(written)
    return key in _places() or (to_code(written) is not None and len(key) > 3)


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    names: set[str] = set(_CALENDAR.split())
    for country in iso_records("1"):
        names.add(country["name"])
        names.add(country.get("common_name", country["name"]))
    names.update(subdivision_names())
    return frozenset(latin_key(n) for n in names)


_PARTICLES = frozenset(
    [
        "al",
        "el",
        "ul",
        "bin",
        "ibn",
        "bint",
        "abu",
        "abd",
        "de",
        "da",
        "do",
        "dos",
        "das",
        "di",
        "del",
        "della",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "du",
        "y",
        "e",
        "ben",
        "ter",
    ]
)


def is_particle(text: str, span: tuple[int, int]) -> bool:
    """A lower-case word that belongs inside persons' names (bin, al, de, van)."""
    return text[span[0] : span[1]].lower() in _PARTICLES


def starts_sentence(text: str, at: int) -> bool:
    """Whether the word at ``at`` opens a sentence (its capital then says nothing)."""
    before = text[max(0, at - 5) : at].rstrip(" \t\"'“‘«([")
    return not before or before[-1] in ".!?…:;\n"


def core_words(written: str, *, whole: bool = False) -> int:
    """The words of a mention that are not legal forms nor words of one (Focus SARL: 1); with
    ``whole``, all its words."""
    found = WORD.findall(written)
    return len(found) if whole else sum(not (is_legal_form(w) or is_form_word(w)) for w in found)


def in_capitals(text: str, start: int, length: int) -> bool:
    """Whether the word at ``start`` is written in capitals (as acronyms are)."""
    word = text[start : start + length]
    return len(word) == length and word.isupper()


def is_capital(text: str, start: int) -> bool:
    """A word that starts with a capital, a digit, or a letter of a script without case."""
    first = text[start]
    return first.isupper() or first.isdigit() or (not first.islower() and first.isalpha())


class Ordinary:
    """Whether a document uses a word in lower case: an ordinary word there, not a name
    (looked up once per word and document)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._seen: dict[str, bool] = {}

    def __call__(self, word: str) -> bool:
        found = self._seen.get(word)
        if found is None:
            found = self._seen[word] = self._find(word)
        return found

    def _find(self, word: str) -> bool:
        text = self.text
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if (start == 0 or not text[start - 1].isalnum()) and (
                end >= len(text) or not text[end].isalnum()
            ):
                return True
            start = text.find(word, end)
        return False


def sentence_span(text: str, offset: int, most: int = 400) -> tuple[int, int]:
    """Start and end of the sentence holding ``offset`` (at most ``most`` characters on each
    side)."""
    low = max(0, offset - most)
    high = min(len(text), offset + most)
    start = low
    for m in _SENTENCE_END.finditer(text, low, offset):
        start = m.end()
    found = _SENTENCE_END.search(text, offset, high)
    end = found.start() + 1 if found else high
    return start, end


def sentence_context(text: str, offset: int) -> str:
    """The sentence around ``offset``, on one line (cut when it runs long)."""
    low, high = sentence_span(text, offset)
    sentence = " ".join(text[low:high].split())
    return sentence if len(sentence) <= 2 * CONTEXT else sentence[: 2 * CONTEXT] + "…"
