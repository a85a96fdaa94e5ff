"""The anchor automata: the rare words, acronyms and unspaced names of every listed name, in
one Aho-Corasick automaton per kind of text, built once and kept beside the screening index
(keyed on the index, its format and this module's own format, so a changed normaliser never
reads a stale one)."""

from __future__ import annotations

import pickle
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import ahocorasick

from sanctrace.documents.analysis import reading
from sanctrace.documents.words import ORG_TYPES, is_place
from sanctrace.match import index as match_index
from sanctrace.match.index import Index
from sanctrace.match.screener import index_path
from sanctrace.normalize.legal_forms import LEGAL_FORMS
from sanctrace.normalize.translit import passport_spelling
from sanctrace.store import Store

#: Anchor words need at least this many letters (shorter ones are everywhere).
MIN_ANCHOR = 4

#: A word of this many letters or more may carry an inflected ending of up to 3 letters.
INFLECTED_FROM = 5

#: The rarest words of each name used as anchors (a misspelt one leaves another).
ANCHORS_PER_NAME = 2

#: Acronyms need at least this many letters, written in capitals.
MIN_ACRONYM = 3

#: Names in a script without spaces are found as written when at least this long.
MIN_SCRIPT_NAME = 3

NO_SPACE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")

#: Romanised Cyrillic letters of more than one Latin letter: a capital Ж reads ZH.
_DIGRAPHS = ("shch", "zh", "kh", "ts", "ch", "sh", "yu", "ya", "ye", "yo")


def capital_forms(word: str, *, acronym: bool) -> list[str]:
    """How a folded word is written with capitals: Kupol, KUPOL (and ZHukov for Жуков);
    an acronym only in capitals."""
    if acronym or not word[:1].isalpha():
        return [word.upper()]
    forms = [word[:1].upper() + word[1:], word.upper()]
    forms.extend(word[: len(d)].upper() + word[len(d) :] for d in _DIGRAPHS if word.startswith(d))
    return forms


#: Bumped when the automata's patterns or values change, so that kept ones are rebuilt.
CACHE_FORMAT = 6


class _AutomatonUnpickler(pickle.Unpickler):
    """Kept automata are read back with nothing but the automaton and plain values allowed."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("ahocorasick", "Automaton") or (
            module == "builtins" and name in {"tuple", "str", "int", "frozenset", "set"}
        ):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a kept automaton")


def scan_cache(store: Store) -> Path:
    """Where a store's scanner keeps its automata: beside the screening index they belong to,
    named by this module's format and the index's (a changed normaliser bumps INDEX_FORMAT:
    automata of the old tokens would silently find nothing)."""
    index_file = index_path(store, store.active_versions())
    return index_file.with_name(f"scan-{CACHE_FORMAT}-{match_index.INDEX_FORMAT}-{index_file.stem}")


def load_automaton(path: Path) -> Any:
    try:
        with path.open("rb") as fh:
            return _AutomatonUnpickler(fh).load()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        return None


def save_automaton(automaton: Any, path: Path) -> None:
    """Written atomically; a cache that cannot be written is only a slower next run."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("scan-*.pickle"):
            if not old.name.startswith(path.name.rsplit("-", 1)[0]):
                old.unlink(missing_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(automaton, fh, protocol=5)
        tmp.replace(path)
    except OSError:
        return


def build_automaton(
    anchors: dict[str, set[int]], spelled: dict[str, set[int]], *, cased: bool, inflected: bool
) -> Any:
    """One automaton over the analysis text; values are (pattern, names, acronym names, word).
    Whole words also match with an English possessive s (the caller tells it from a plural);
    with ``inflected``, long words also with an ending of up to three letters (checked by the
    caller)."""
    keys: dict[str, tuple[set[int], set[int], str]] = {}

    def add(key: str, named: Iterable[int], spelt: Iterable[int], word: str) -> None:
        found = keys.get(key)
        if found is None:
            keys[key] = (set(named), set(spelt), word)
            return
        found[0].update(named)
        found[1].update(spelt)
        if key.strip().lower() == word and found[2] != word:  # the word wins its own key
            keys[key] = (found[0], found[1], word)

    for pattern in sorted(set(anchors) | set(spelled)):
        names = anchors.get(pattern, set())
        acronyms = spelled.get(pattern, set())
        word = pattern.strip()
        if pattern[0] != " ":  # a name in a script without spaces
            add(pattern, names, acronyms, word)
            continue
        open_ended = inflected and pattern[-1] != " "
        variants: list[tuple[str, set[int], set[int]]] = [(word, names, acronyms)]
        if cased:
            variants = (
                [(w, names, set()) for w in capital_forms(word, acronym=False)] if names else []
            )
            if acronyms:
                variants += [(w, set(), acronyms) for w in capital_forms(word, acronym=True)]
        for written, named, spelt in variants:
            if named and open_ended:
                add(f" {written}", named, (), word)
            elif named:
                for ending in ("", "s"):
                    add(f" {written}{ending} ", named, (), word)
            if spelt:
                add(f" {written} ", (), spelt, word)
    automaton = ahocorasick.Automaton()
    for key, (named, spelt, word) in keys.items():
        automaton.add_word(key, (key, tuple(sorted(named)), tuple(sorted(spelt)), word))
    automaton.make_automaton()
    return automaton


def pattern_of(word: str, *, whole: bool = False) -> str:
    """The automaton pattern of a word: whole-word, or open to an inflected ending when long."""
    return f" {word} " if whole or len(word) < INFLECTED_FROM else f" {word}"


@lru_cache(maxsize=1)
def legal_words() -> frozenset[str]:
    """Legal forms and kinds of organisation written as one word, folded (llc, ooo, npo)."""
    words = {" ".join(surface.translate(reading()).split()) for surface in LEGAL_FORMS}
    return frozenset(w for w in words if " " not in w) | ORG_TYPES


def anchor_words(
    index: Index,
) -> tuple[dict[str, set[int]], dict[str, set[int]], dict[str, set[int]]]:
    """Anchor words and unspaced names -> the name entries they stand for; acronyms apart,
    and the passport spellings of anchor words apart (Iamal for YAMAL, Khotimskii for
    KHOTIMSKIY): Latin texts write Russian names so too. Automata are made of them per kind
    of text: whole words (and their English plural or possessive), or long words open to an
    inflected ending, for texts in scripts whose names inflect (Алмаз-Антея); in lower case,
    or as capitals write them, for texts that write capitals."""
    anchors: dict[str, set[int]] = defaultdict(set)
    spelled: dict[str, set[int]] = defaultdict(set)  # acronyms: written in capitals only
    passports: dict[str, set[int]] = defaultdict(set)
    for n, entry in enumerate(index.names):
        form = entry.form
        original = form.original
        if NO_SPACE.search(original):
            written = "".join(original.lower().split())
            if len(written) >= MIN_SCRIPT_NAME:
                anchors[written].add(n)
            continue
        words = [t for t in set(form.tokens) if len(t) >= MIN_ANCHOR and t.isalnum()]
        # Numbers (years, model numbers), places and months are everywhere in documents and
        # seldom misspelt: anchors of last resort, when a name has nothing else.
        common = [t for t in words if t.isdigit() or is_place(t.capitalize())]
        rare = sorted(set(words) - set(common), key=lambda t: (-index.weight(t), t))
        chosen = rare[:ANCHORS_PER_NAME] or sorted(common, key=lambda t: -index.weight(t))[:1]
        for word in chosen:
            anchors[pattern_of(word)].add(n)
            passport = passport_spelling(word)
            if passport != word and len(passport) >= MIN_ANCHOR:
                passports[pattern_of(passport)].add(n)
        for acronym in {form.acronym, *form.acronyms}:
            if (
                acronym
                and len(acronym) >= MIN_ACRONYM
                and acronym.isalnum()
                and acronym not in legal_words()
            ):
                spelled[pattern_of(acronym, whole=True)].add(n)
    return anchors, spelled, passports
