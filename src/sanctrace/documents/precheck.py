"""The cheap look around an anchor word before the scorer: which listed names could be there,
by the first letters and sounds of the words beside it, so that the scorer and the screener see
few places and names."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from sanctrace.documents.analysis import Analysis, reading
from sanctrace.documents.anchors import capital_forms
from sanctrace.documents.words import (
    CONTEXT,
    POSSESSIVE,
    countries_named,
    country_automaton,
    is_legal_form,
    is_place,
    sentence_span,
)
from sanctrace.match.index import Index
from sanctrace.match.score import may_align
from sanctrace.normalize import NameForm, canonical_token, phonetic_key
from sanctrace.normalize.legal_forms import strip_legal_forms
from sanctrace.normalize.orgwords import source_words
from sanctrace.normalize.translit import passport_spelling

#: Words beyond the listed name's length that a window may take (a name written longer).
SLACK = 2
#: Windows never take more words than this.
MAX_WINDOW = 10
#: Words on each side of an anchor that a person's run may hold (four capitalised words and
#: the particles between them: Bashar al Assad).
PERSON_REACH = 5

#: The share of a listed name's weight an anchor word may leave out and still carry the name
#: alone in the pre-check (generic words: "Concern", "Plant", a patronymic).
MAX_MISSING_SHARE = 0.25

#: A one-word name this long, capitalised and not used as an ordinary word in the document,
#: stands on its own (Rosoboronexport, Sberbank); shorter ones need corroboration.
DISTINCTIVE = 8

#: ... and at least this rare among listed names (weight in [0, 1]; generic words are lower).
DISTINCTIVE_WEIGHT = 0.5

#: The pre-check looks this far (in characters of the Latin reading) before and after an anchor
#: for the words beside it (legal forms) ...
_NEAR_BEFORE = 60

_NEAR_AFTER = 80

#: ... and compares the other words of its names with those around it by their first letters
#: ...
KEY = 3

#: ... among the words a window can reach, each taken to need at most this many characters
#: of the Latin reading, with its space.
_WORD_LETTERS = 20

#: ... and needs this share of a name's weight there (the scorer's own bar, 1 -
#: MAX_MISSING_SHARE, less a margin for words spelt differently from the third letter on).
COVERED = 0.7


@dataclass(frozen=True)
class Entry:
    """One listed name, as confirmation needs it."""

    name: int  # index of the name entry
    entity: int
    tokens: tuple[str, ...]
    weights: tuple[float, ...]
    single: str | None  # the word of a one-word name
    person: bool


def single_word(form: NameForm) -> str | None:
    """The one word of a name of one word (after its legal form), else None."""
    core, _ = strip_legal_forms(form.tokens)
    return core[0] if len(core) == 1 else None


class Cue(NamedTuple):
    """What the names behind one anchor word need to be worth scoring, worked out once."""

    #: the first letters of the names' other words (also as capitals write them, for a text
    #: that writes capitals) -> (name, the word, the share of the name's weight it carries);
    #: a name needs ``COVERED`` of its weight among the words near the anchor ...
    companions: dict[str, tuple[tuple[int, str, float], ...]]
    keys: frozenset[str]  # the companions' keys
    reach: int  # words from the anchor a window of these names can reach
    anchored: dict[int, float]  # ... counting the anchor's own share
    #: names the anchor carries by itself (with whether a person's, and the entity's
    #: countries) ...
    alone: tuple[tuple[int, bool, frozenset[str]], ...]
    distinctive: tuple[int, ...]  # ... being long enough to stand without corroboration
    alone_place: bool  # the anchor is a place or a month: only a legal form beside it counts
    countries: frozenset[str]  # the countries of the names it carries alone


def worth_confirming(
    analysis: Analysis, start: int, end: int, cue: Cue, capitals: bool
) -> list[int]:
    """Cheap pre-check on the Latin reading around an anchor (``latin[start:end]``), so that
    the scorer sees few places and names: the names whose words, by their first letters, are
    enough of them among the capitalised words nearby (any words, where ``capitals`` is
    false); and those the anchor carries alone, with a legal form beside it or a country
    named in its clause (the confirmation checks which)."""
    latin = analysis.latin
    worth: list[int] = []
    if cue.companions:
        # The run of words on each side a window could take (every word of a window belongs
        # to the name; in English its edges are capitalised, in Russian only an organisation's
        # first word is: Центральный музей Тавриды): capitalised, or beginning like a word of
        # the name. Most runs are short: the loops stop at the first other word.
        reach, known = cue.reach, cue.keys
        span = _WORD_LETTERS * reach
        low = start - span
        words: list[str] = []
        for w in latin[low if low > 0 else 0 : start].rsplit(None, reach)[::-1][:reach]:
            if not (w[0].isupper() or w[0].isdigit() or w[:KEY] in known):
                break
            words.append(w)
        words.reverse()
        for w in latin[end : end + span].split(None, reach)[:reach]:
            if not (w[0].isupper() or w[0].isdigit() or w[:KEY] in known):
                break
            words.append(w)
        if words:
            keys = known.intersection([w[:KEY] for w in words if not capitals or w[0].isupper()])
            if keys:
                worth = _covered(cue, keys, words)
    if cue.alone:
        legal = legal_form_beside(analysis.latin, start, end)
        named: dict[str, str] | None = None
        for n, person, countries in cue.alone:
            if legal and not person:
                worth.append(n)
            elif not cue.alone_place and countries:
                if named is None:
                    named = countries_near(analysis, start, end, cue.countries)
                if not countries.isdisjoint(named):
                    worth.append(n)
    return worth


def _covered(cue: Cue, keys: frozenset[str], words: list[str]) -> list[int]:
    """The names enough of whose weight (``COVERED``) the words near an anchor may stand for:
    first by the words' first letters (``keys``, those found among the cue's), then, for the
    names that pass, by whether each word could align with the name's word at all in the
    scorer (Kira is no Kirill, Zavody may be plant)."""
    covered: dict[int, float] = {}
    companions, anchored = cue.companions, cue.anchored
    for key in keys:
        for n, _, share in companions[key]:
            covered[n] = covered.get(n, anchored[n]) + share
    candidates = {n for n, share in covered.items() if share >= COVERED}
    if not candidates:
        return []
    # Each word, and run together with the next one or two, as lists join them (Abd Al-Salam:
    # abdalsalam).
    near: dict[str, list[str]] = defaultdict(list)
    lowered = [w.lower() for w in words]
    for i, w in enumerate(words):
        near[w[:KEY]].extend({"".join(lowered[i:j]) for j in range(i + 1, i + 4)})
    aligned: dict[int, dict[str, float]] = defaultdict(dict)
    for key in keys:
        for n, token, share in companions[key]:
            if (
                n in candidates
                and token not in aligned[n]
                and any(_may_align(w, token) for w in near[key])
            ):
                aligned[n][token] = share
    return [n for n in candidates if anchored[n] + sum(aligned[n].values()) >= COVERED]


@lru_cache(maxsize=65536)
def _may_align(word: str, token: str) -> bool:
    """Whether a document's word (folded) could align with a listed name's word in the scorer,
    as written or as the generic word the index keeps (Zavody: plant)."""
    return may_align(word, token) or may_align(canonical_token(word), token)


def words_beside(latin: str, start: int, end: int) -> list[str]:
    """The two words before and the two after the word at ``latin[start:end]``."""
    before = latin[max(0, start - _NEAR_BEFORE) : start].rsplit(None, 2)[-2:]
    return before + latin[end : end + _NEAR_AFTER].split(None, 2)[:2]


def legal_form_beside(latin: str, start: int, end: int) -> bool:
    """Whether a legal form stands just before or after the word at ``latin[start:end]``."""
    return any(is_legal_form(w) for w in words_beside(latin, start, end))


def may_corroborate(analysis: Analysis, start: int, end: int) -> bool:
    """Whether the word at ``latin[start:end]`` has a legal form beside it or a country named
    in its sentence: what a one-word name or an acronym needs."""
    return legal_form_beside(analysis.latin, start, end) or bool(
        countries_near(analysis, start, end)
    )


def countries_near(
    analysis: Analysis, start: int, end: int, wanted: frozenset[str] | None = None
) -> dict[str, str]:
    """The countries named (capitalised) in the sentence of the word at ``latin[start:end]``,
    but for the word itself: code -> as written (only if one of ``wanted`` may be)."""
    near = analysis.latin[max(0, start - CONTEXT) : end + CONTEXT]
    codes = {code for _, (_, code) in country_automaton().iter(f" {near.lower()} ")}
    if not codes or (wanted is not None and wanted.isdisjoint(codes)):  # usually, quickly
        return {}
    work = analysis.work
    at, until = analysis.original(start), analysis.original(end - 1) + 1
    low, high = sentence_span(work, at)
    return countries_named(work[low:at] + " " + work[until:high])


#: First letters that romanisations swap (Yamal / Iamal, Khotimsky / Hotimsky, Qaddafi /
#: Gaddafi, Tsvetkov / Cvetkov): one class each, so the pre-check never tells them apart.
_SOUND_CLASSES = {
    **dict.fromkeys("aeiouyjhw", "a"),
    **dict.fromkeys("kqgx", "k"),
    "c": "ks",
    **dict.fromkeys("sz", "s"),
    "t": "ts",
    **dict.fromkeys("bpfv", "b"),
}


@lru_cache(maxsize=65536)
def first_sound(word: str) -> str:
    """The first letter of a word's phonetic key and of its Latin reading, together (either may
    be the one a listed spelling shares), and of the English word the index keeps for a generic
    word of a name (Mezhdunarodnaya is kept as international, Zavod as plant); "" for a word
    without letters."""
    latin = "".join(POSSESSIVE.sub("", word).translate(reading()).lower().split())
    if not latin:
        return ""
    canonical = canonical_token(latin)
    return (
        _SOUND_CLASSES.get(latin[0], latin[0])
        + _SOUND_CLASSES.get(phonetic_key(latin)[:1], "")
        + _SOUND_CLASSES.get(canonical[0], canonical[0])
    )


def written_keys(key: str) -> tuple[str, ...]:
    """The first letters of a word as a text with capitals writes them: Kup, KUP (ZHu)."""
    return tuple(dict.fromkeys(k[:KEY] for k in capital_forms(key, acronym=False)))


@lru_cache(maxsize=65536)
def token_keys(token: str, cased: bool) -> tuple[str, ...]:
    """The first letters by which the pre-check knows a listed name's word: as listed, as a
    passport spells it, and a generic word as other languages write it (plant: Zavod); in a
    text with capitals, also as capitals write them."""
    keys = {w[:KEY] for w in (token, passport_spelling(token), *source_words(token))}
    if cased:
        keys.update(written for key in tuple(keys) for written in written_keys(key))
    return tuple(sorted(keys))


def aligns_with_companion(cue: Cue, words: Iterable[str], is_person: Callable[[int], bool]) -> bool:
    """Whether one of ``words`` (the Latin reading of a run's other words) could align with
    another word of a listed person's name behind the anchor: a run without one names none of
    the persons the anchor stands for (a person of several names is named by two of them), so
    the screener need not be asked about it."""
    companions = cue.companions
    for word in words:
        for n, token, _ in companions.get(word[:KEY], ()):
            if is_person(n) and _may_align(word.lower(), token):
                return True
    return False


def is_distinctive(index: Index, word: str) -> bool:
    """A word long and rare enough among listed names to stand for one (Sberbank,
    Rosoboronexport; not International, Resource, nor a place or a month: September)."""
    return (
        len(word) >= DISTINCTIVE
        and index.weight(word) >= DISTINCTIVE_WEIGHT
        and not is_place(word.capitalize())
    )


def make_cue(
    index: Index, entry_of: Callable[[int], Entry], word: str, names: tuple[int, ...], cased: bool
) -> Cue:
    """What the pre-check needs to know of the names behind an anchor word (the caller keeps it
    per pattern and kind of text)."""
    companions: dict[str, list[tuple[int, str, float]]] = defaultdict(list)
    anchored: dict[int, float] = {}
    alone: list[tuple[int, bool, frozenset[str]]] = []
    distinctive: list[int] = []
    for n in names:
        entry = entry_of(n)
        total = sum(entry.weights) or 1.0
        shares: dict[str, list[tuple[str, float]]] = defaultdict(list)
        own = 0.0
        listed = word
        for token, weight in zip(entry.tokens, entry.weights, strict=True):
            if word == token or word == passport_spelling(token):  # the anchor itself
                own += weight / total
                listed = token
                continue
            for key in token_keys(token, cased):
                shares[key].append((token, weight / total))
        if shares:
            anchored[n] = own
            for key, tokens in shares.items():
                companions[key].extend((n, token, share) for token, share in tokens)
        if 1.0 - own <= MAX_MISSING_SHARE:
            if is_distinctive(index, listed):
                distinctive.append(n)
            else:
                entity = index.entities[entry.entity]
                alone.append((n, entry.person, entity.countries))
    longest = max((len(entry_of(n).tokens) for n in anchored), default=1)
    return Cue(
        {key: tuple(found) for key, found in companions.items()},
        frozenset(companions),
        min(longest + SLACK, MAX_WINDOW) - 1,
        anchored,
        tuple(alone),
        tuple(distinctive),
        is_place(word.capitalize()),
        frozenset(code for _, _, countries in alone for code in countries),
    )


def near_words(latin: str, start: int, end: int) -> list[str]:
    """The words a person's run could hold beside the word at ``latin[start:end]``: the cheap
    check before the run is looked for at all."""
    span = 2 * _WORD_LETTERS * PERSON_REACH  # a long word of a name, and its space
    before = latin[max(0, start - span) : start].rsplit(None, PERSON_REACH)[-PERSON_REACH:]
    return before + latin[end : end + span].split(None, PERSON_REACH)[:PERSON_REACH]


def latin_words(word: str) -> list[str]:
    """A word of the document as the pre-check reads it (Latin, capitals kept)."""
    return word.translate(reading(True)).split()
