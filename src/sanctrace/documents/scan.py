"""Finding listed parties named in a document.

One pass of an Aho-Corasick automaton over the document's Latin reading (see
:mod:`sanctrace.documents.analysis`) finds the rare words of listed names ("kupol",
"kalashnikov", "antey"; in Latin texts also as a Russian passport spells them, "iamal" for
"yamal"), allowing a short inflected ending (Алмаз-Антея), and the names listed in scripts
written without spaces (Han, kana, hangul) as they are written. A cheap look at the words
around each place keeps only the names whose other words may be there; the matching engine's
scorer then picks the windows of words around it, within the sentence, that may name them, so
that re-ordered, transliterated, acronym and legal-form-less forms count and a lone common
word does not. Each window picked is screened as written by the :class:`Screener`, whose
answer is the finding (its entities, scores and explanations): scan and screen agree on every
name they both see. Runs of capitalised words that may name a person (see
:mod:`sanctrace.documents.mentions`) and hold an anchor word of a listed person's name are
screened whole too. Names that are a single word, or very short, also need corroboration:
capitals, and a legal form beside them or a country of the entity named in the sentence (or,
for a long rare word, not being used as an ordinary word in the document)."""

from __future__ import annotations

import pickle
import re
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import ahocorasick

from sanctrace.documents.analysis import Analysis, table
from sanctrace.documents.extract import Document
from sanctrace.documents.findings import DocumentReport, Finding
from sanctrace.documents.mentions import is_title, never_in_name, person_runs, written_name
from sanctrace.match.config import DEFAULT_CONFIG, MatchConfig
from sanctrace.match.index import Index
from sanctrace.match.score import NameScore, may_align, score_forms
from sanctrace.match.screener import Screener, index_path, load_or_build_index
from sanctrace.match.types import Match, Query
from sanctrace.model.countries import country_names, to_code
from sanctrace.normalize import NameForm, canonical_token, name_forms, phonetic_key
from sanctrace.normalize.legal_forms import LEGAL_FORMS, strip_legal_forms
from sanctrace.normalize.orgwords import source_words
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
#: Words beyond the listed name's length that a window may take (a name written longer).
SLACK = 2
#: Windows never take more words than this.
MAX_WINDOW = 10
_SENTENCE_END = re.compile(r"(?<!\s[A-ZА-Я])[.!?。！？]\s|\n\s*\n")
_WORD = re.compile(r"[^\W_](?:[\w\u00ad'’]*\w)?")
#: An English possessive ending, not part of the name (Sberbank's).
_POSSESSIVE = re.compile(r"['’]s\b")
#: Punctuation that separates names rather than joining the words of one.
_SEPARATOR = re.compile(r"[,;:()\[\]|/]")
#: Anything but spaces and hyphens between two words: they are not one run of a name.
_BREAK = re.compile(r"[^\s\-\u00ad]")
#: Words of legal forms that prose uses as ordinary nouns ("the company", "компании").
_GENERIC = frozenset({"company", "kompanii", "kompaniya", "board", "group", "trust", "bank"})
#: Abbreviations of kinds of Russian organisations, used like legal forms (НПО «Луч»).
_ORG_TYPES = frozenset({"npo", "nii", "okb", "npp", "npk", "fgup", "gup", "mup", "tsnii", "kb"})
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
_SURNAME = re.compile(r"(?:ов|ев|ёв|ин|ын|ова|ева|ёва|ина|ына|ский|ская|цкий|цкая)$", re.IGNORECASE)
#: Endings that make a family name of a word (Соболь: Соболев, Соболева), read in Latin: no
#: case ending of the word.
_FAMILY_ENDINGS = frozenset({"ov", "ova", "ev", "eva", "yev", "in", "ina", "yn", "yna"})
#: Scripts whose names take case endings in running text.
_INFLECTING = re.compile(r"[\u0400-\u04ff]")
_UPPER = re.compile(r"[A-ZА-ЯЁ\u0391-\u03a9]")
_NO_SPACE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
#: The share of a listed name's weight an anchor word may leave out and still carry the name
#: alone in the pre-check (generic words: "Concern", "Plant", a patronymic).
MAX_MISSING_SHARE = 0.25
#: A one-word name this long, capitalised and not used as an ordinary word in the document,
#: stands on its own (Rosoboronexport, Sberbank); shorter ones need corroboration.
DISTINCTIVE = 8
#: ... and at least this rare among listed names (weight in [0, 1]; generic words are lower).
DISTINCTIVE_WEIGHT = 0.5
#: Screening answers a window keeps at most (the same party on every list, and namesakes).
SCREEN_LIMIT = 25
#: The pre-check looks this far (in characters of the Latin reading) before and after an anchor
#: for the words beside it (legal forms) ...
_NEAR_BEFORE = 60
_NEAR_AFTER = 80
#: ... and compares the other words of its names with those around it by their first letters
#: ...
_KEY = 3
#: ... among the words a window can reach, each taken to need at most this many characters
#: of the Latin reading, with its space.
_WORD_LETTERS = 20
#: ... and needs this share of a name's weight there (the scorer's own bar, 1 -
#: MAX_MISSING_SHARE, less a margin for words spelt differently from the third letter on).
COVERED = 0.7
#: Windows' forms and scores, and places that named nothing, remembered across scans, at most
#: this many of each.
_REMEMBERED = 50_000
#: Characters a word of a name is taken to need at most, with its space (to bound the search
#: for the words around an anchor).
_WORD_CHARS = 40
#: Characters of context shown on each side when a sentence runs long.
_CONTEXT = 200


@dataclass(frozen=True)
class _Entry:
    """One listed name, as confirmation needs it."""

    name: int  # index of the name entry
    entity: int
    tokens: tuple[str, ...]
    weights: tuple[float, ...]
    single: str | None  # the word of a one-word name
    person: bool


def _single_word(form: NameForm) -> str | None:
    """The one word of a name of one word (after its legal form), else None."""
    core, _ = strip_legal_forms(form.tokens)
    return core[0] if len(core) == 1 else None


class _Cue(NamedTuple):
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


class Scanner:
    """Finds the entities of an index named in documents."""

    def __init__(
        self,
        index: Index,
        config: MatchConfig = DEFAULT_CONFIG,
        cache: Path | None = None,
        screener: Screener | None = None,
    ) -> None:
        """``cache``: a file path prefix under which built automata are kept for the next run
        (one per kind of text); it must belong to this index. ``screener`` scores what is
        found (by default one over the same index and configuration: what `screen` uses)."""
        self.index = index
        self.config = config
        self.screener = screener if screener is not None else Screener(index, config)
        self.versions = index.versions
        self.cache = cache
        self._entries: dict[int, _Entry] = {}
        self._cues: dict[tuple[str, bool], _Cue] = {}
        self._acronym_keys: dict[str, frozenset[str]] = {}
        self._forms: dict[str, list[NameForm]] = {}
        self._scores: dict[tuple[str, int], NameScore | None] = {}
        self._fruitless: set[tuple[str, int, frozenset[int], float, bool]] = set()
        self._anchors: tuple[dict[str, set[int]], ...] | None = None
        self._automata: dict[tuple[bool, bool], Any] = {}
        self._persons: dict[str, bool] = {}  # anchor pattern -> whether a person's name has it
        self._names_of: dict[int, list[int]] | None = None  # entity -> its name entries

    @classmethod
    def open(cls, store: Store, config: MatchConfig = DEFAULT_CONFIG) -> Scanner:
        return cls(load_or_build_index(store), config, cache=scan_cache(store))

    # -- building ----------------------------------------------------------------------------

    def _build(self) -> tuple[dict[str, set[int]], dict[str, set[int]], dict[str, set[int]]]:
        """Anchor words and unspaced names -> the name entries they stand for; acronyms apart,
        and the passport spellings of anchor words apart (Iamal for YAMAL, Khotimskii for
        KHOTIMSKIY): Latin texts write Russian names so too. Automata are made of them per kind
        of text: whole words (and their English plural or possessive), or long words open to an
        inflected ending, for texts in scripts whose names inflect (Алмаз-Антея); in lower case,
        or as capitals write them, for texts that write capitals."""
        index = self.index
        anchors: dict[str, set[int]] = defaultdict(set)
        spelled: dict[str, set[int]] = defaultdict(set)  # acronyms: written in capitals only
        passports: dict[str, set[int]] = defaultdict(set)
        for n, entry in enumerate(index.names):
            form = entry.form
            original = form.original
            if _NO_SPACE.search(original):
                written = "".join(original.lower().split())
                if len(written) >= MIN_SCRIPT_NAME:
                    anchors[written].add(n)
                continue
            words = [t for t in set(form.tokens) if len(t) >= MIN_ANCHOR and t.isalnum()]
            # Numbers (years, model numbers), places and months are everywhere in documents and
            # seldom misspelt: anchors of last resort, when a name has nothing else.
            common = [t for t in words if t.isdigit() or _is_place(t.capitalize())]
            rare = sorted(set(words) - set(common), key=lambda t: (-index.weight(t), t))
            chosen = rare[:ANCHORS_PER_NAME] or sorted(common, key=lambda t: -index.weight(t))[:1]
            for word in chosen:
                anchors[_pattern(word)].add(n)
                passport = passport_spelling(word)
                if passport != word and len(passport) >= MIN_ANCHOR:
                    passports[_pattern(passport)].add(n)
            for acronym in {form.acronym, *form.acronyms}:
                if (
                    acronym
                    and len(acronym) >= MIN_ACRONYM
                    and acronym.isalnum()
                    and acronym not in _legal_words()
                ):
                    spelled[_pattern(acronym, whole=True)].add(n)
        return anchors, spelled, passports

    def _automaton(self, cased: bool, inflected: bool) -> Any:
        """The automaton a text needs, built the first time one does (most runs need one)."""
        key = (cased, inflected)
        found = self._automata.get(key)
        if found is not None:
            return found
        path = None
        if self.cache is not None:
            path = self.cache.with_name(f"{self.cache.name}-{int(cased)}{int(inflected)}.pickle")
            found = _load_automaton(path)
        if found is None:
            if self._anchors is None:
                self._anchors = self._build()
            anchors, spelled, passports = self._anchors
            if not inflected:  # Cyrillic is romanised by the analysis: no passport spelling
                anchors = {
                    k: anchors.get(k, set()) | passports.get(k, set())
                    for k in anchors.keys() | passports.keys()
                }
            found = _automaton(anchors, spelled, cased=cased, inflected=inflected)
            if path is not None:
                _save_automaton(found, path)
        self._automata[key] = found
        return found

    def _entry(self, n: int) -> _Entry:
        found = self._entries.get(n)
        if found is None:
            name = self.index.names[n]
            found = self._entries[n] = _Entry(
                n,
                name.entity,
                name.form.tokens,
                tuple(self.index.weight(t) for t in name.form.tokens),
                _single_word(name.form),
                self.index.entities[name.entity].schema == "Person",
            )
        return found

    # -- scanning ----------------------------------------------------------------------------

    def scan(self, document: Document, threshold: float | None = None) -> DocumentReport:
        started = time.perf_counter()
        findings = self.scan_text(document.text, threshold)
        if document.pages:
            findings = [_with_page(f, document.page_at(f.start)) for f in findings]
        return DocumentReport(document, findings, time.perf_counter() - started)

    def scan_text(self, text: str, threshold: float | None = None) -> list[Finding]:
        """Every listed entity named in ``text``, one finding per entity and place, in order."""
        cutoff = self.config.threshold if threshold is None else threshold
        cased = _is_cased(text)
        analysis = Analysis(text, cased=cased)
        latin = analysis.latin
        hits: dict[int, set[int]] = defaultdict(set)  # original offset of the anchor -> names
        ordinary = _Ordinary(text)
        inflected = bool(_INFLECTING.search(text))
        automaton = self._automaton(cased, inflected)
        cues = self._cues
        # Russian writes only the first word of an organisation's name with a capital
        # (Центральный музей Тавриды): there, the other words of a name may be in lower case.
        capitals = cased and not inflected
        persons: list[int] = []  # original offsets of anchor words of listed persons' names
        for end, (pattern, names, acronym_of, word) in automaton.iter(latin):
            if pattern[0] != " ":  # a name in a script written without spaces
                hits[analysis.original(end - len(pattern) + 1)].update(names)
                continue
            start = end - len(pattern) + 2
            if pattern[-1] == " ":
                end -= 1
                if (
                    len(pattern) == len(word) + 3
                    and text[analysis.original(end) - 1] not in "'’"
                    and canonical_token(word + "s") != word
                ):
                    # a plural (Shares), not a possessive (Sberbank's) nor a plural the lists
                    # keep in the singular (Holdings: holding), is no name
                    continue
            else:  # an inflected ending of up to 3 letters, not one that makes a family name
                after = latin.find(" ", end + 1)
                if after - end - 1 > 3 or latin[end + 1 : after].lower() in _FAMILY_ENDINGS:
                    continue
                end = after - 1
            if acronym_of and pattern[-1] == " ":
                at = analysis.original(start)
                if _in_capitals(text, at, len(word)) and (
                    _may_corroborate(analysis, start, end + 1)
                    or self._spelt_out_beside(analysis, start, end + 1, pattern, acronym_of)
                ):
                    hits[at].update(acronym_of)
            if not names:
                continue
            if cased and self._of_person(pattern, names):
                persons.append(analysis.original(start))
            cue = cues.get((pattern, cased))
            if cue is None:
                cue = self._cue(pattern, word, names, cased)
            worth = _worth_confirming(analysis, start, end + 1, cue, capitals)
            if cue.distinctive:
                at = analysis.original(start)
                if not _starts_sentence(text, at) or not ordinary(word):
                    worth.extend(cue.distinctive)
            if worth:
                hits[analysis.original(start)].update(worth)
        candidates: list[tuple[Finding, _Entry]] = []
        for offset, names in sorted(hits.items()):
            candidates.extend(self._confirm(analysis.work, text, offset, names, cutoff, cased))
        if persons:
            candidates.extend(self._persons_named(analysis.work, text, persons, cutoff))
        return self._corroborated(text, candidates, ordinary)

    def _of_person(self, pattern: str, names: tuple[int, ...]) -> bool:
        found = self._persons.get(pattern)
        if found is None:
            found = self._persons[pattern] = any(self._entry(n).person for n in names)
        return found

    def _persons_named(
        self, work: str, text: str, places: list[int], cutoff: float
    ) -> list[tuple[Finding, _Entry]]:
        """The listed persons that the runs of capitalised words holding an anchor word of a
        person's name name, as the screener scores each run as written."""
        found: list[tuple[Finding, _Entry]] = []
        places.sort()
        for run in person_runs(work):
            start, end = run[0][0], run[-1][1]
            k = bisect_left(places, start)
            if k == len(places) or places[k] >= end:
                continue
            # the run whole: a shorter window would leave out a word of the name as written
            # (Анжелика Владимировна of Анжелика Владимировна Шубина names nobody listed)
            matches = [
                m
                for m in self._screened(written_name(work[start:end]), cutoff)
                if m.schema == "Person"
            ]
            if matches:
                context = _context(text, start)
                found.extend(
                    (_found(m, text, start, end, context), self._entry_of(m)) for m in matches
                )
        return found

    def _screened(self, written: str, cutoff: float) -> list[Match]:
        """What `screen` answers for the text of a window (a place names nothing)."""
        if _is_place(written):
            return []
        return self.screener.screen(Query(written), threshold=cutoff, limit=SCREEN_LIMIT)

    def _entry_of(self, match: Match) -> _Entry:
        """The name entry of a screened match: the listed name it met."""
        names_of = self._names_of
        if names_of is None:
            names_of = self._names_of = defaultdict(list)
            for n, name in enumerate(self.index.names):
                names_of[name.entity].append(n)
        ns = names_of[self._entity_position(match.id)]
        n = next((n for n in ns if self.index.names[n].form.original == match.matched_name), ns[0])
        return self._entry(n)

    def _spelt_out_beside(
        self, analysis: Analysis, start: int, end: int, pattern: str, names: tuple[int, ...]
    ) -> bool:
        """Whether a word beside an acronym belongs to a name it stands for (IEMZ Kupol)."""
        keys = self._acronym_keys.get(pattern)
        if keys is None:
            keys = self._acronym_keys[pattern] = frozenset(
                written
                for n in names
                for token in self._entry(n).tokens
                for written in _written_keys(token)
            )
        return any(w[:_KEY] in keys for w in _words_beside(analysis.latin, start, end))

    def _cue(self, pattern: str, word: str, names: tuple[int, ...], cased: bool) -> _Cue:
        """What the pre-check needs to know of the names behind an anchor (kept per pattern
        and kind of text)."""
        companions: dict[str, list[tuple[int, str, float]]] = defaultdict(list)
        anchored: dict[int, float] = {}
        alone: list[tuple[int, bool, frozenset[str]]] = []
        distinctive: list[int] = []
        for n in names:
            entry = self._entry(n)
            total = sum(entry.weights) or 1.0
            shares: dict[str, list[tuple[str, float]]] = defaultdict(list)
            own = 0.0
            listed = word
            for token, weight in zip(entry.tokens, entry.weights, strict=True):
                if word == token or word == passport_spelling(token):  # the anchor itself
                    own += weight / total
                    listed = token
                    continue
                for key in _token_keys(token, cased):
                    shares[key].append((token, weight / total))
            if shares:
                anchored[n] = own
                for key, tokens in shares.items():
                    companions[key].extend((n, token, share) for token, share in tokens)
            if 1.0 - own <= MAX_MISSING_SHARE:
                if self._distinctive(listed):
                    distinctive.append(n)
                else:
                    entity = self.index.entities[entry.entity]
                    alone.append((n, entry.person, entity.countries))
        longest = max((len(self._entry(n).tokens) for n in anchored), default=1)
        found = self._cues[pattern, cased] = _Cue(
            {key: tuple(found) for key, found in companions.items()},
            frozenset(companions),
            min(longest + SLACK, MAX_WINDOW) - 1,
            anchored,
            tuple(alone),
            tuple(distinctive),
            _is_place(word.capitalize()),
            frozenset(code for _, _, countries in alone for code in countries),
        )
        return found

    def _confirm(
        self, work: str, text: str, offset: int, names: set[int], cutoff: float, cased: bool
    ) -> list[tuple[Finding, _Entry]]:
        """Score the windows of words around ``offset`` (within its sentence) against each name;
        the best window per entity, if it reaches ``cutoff``."""
        # Only the words a window can reach (and one more each side) matter: the longest name
        # and its slack, within the sentence.
        reach = min(max(len(self._entry(n).tokens) for n in names) + SLACK, MAX_WINDOW) + 1
        low, high = _sentence(work, offset, _WORD_CHARS * reach)
        low = max(low, offset - _WORD_CHARS * reach)
        if low > 0 and not work[low - 1].isspace():  # not from the middle of a word
            low = work.rfind(" ", 0, low) + 1
        words: list[tuple[int, int]] = []
        at = None
        for m in _WORD.finditer(work, low, high):
            s, e = m.span()
            if at is None and s <= offset < e:
                at = len(words)
            words.append((s, e))
            if at is not None and len(words) > at + reach:
                break
        if at is None:
            return []
        if at > reach:
            words = words[at - reach :]
            at = reach
        # The same words around the same names (a repetitive document) name nothing again:
        # remembered, with the few characters before them that tell a sentence's start.
        base = words[0][0]
        seen = (
            work[max(0, base - 6) : words[-1][1]],
            offset - base,
            frozenset(names),
            cutoff,
            cased,
        )
        if seen in self._fruitless:
            return []
        caps = [not cased or _capital(work, s) for s, _ in words]
        gaps = [work[words[k][1] : words[k + 1][0]] for k in range(len(words) - 1)]
        written_of: dict[tuple[int, int], str] = {}

        def written_at(span: tuple[int, int]) -> str:
            """The text of a window, as the scorer and the screener read it."""
            written = written_of.get(span)
            if written is None:
                start, end = words[span[0]][0], words[span[1]][1]
                written = _POSSESSIVE.sub("", work[start:end].replace("\u00ad", ""))
                written = written_of[span] = written.replace("\n", " ")
            return written

        # Word k and k + 1 are apart when a comma, a bracket or the like stands between them:
        # a list of parties is no one name (but a list writes persons SURNAME, Given).
        apart = [bool(_SEPARATOR.search(gap)) for gap in gaps]
        listed_style = [
            gap.strip() == "," and work[words[k][0] : words[k][1]].isupper()
            for k, gap in enumerate(gaps)
        ]
        # ... and joined when nothing but spaces or a hyphen does: a name inside a longer
        # proper name (Кулакова София, Henry Wilson) is not a mention of it.
        joined = [not _BREAK.search(gap) for gap in gaps]
        legal = [_is_legal_form(work[s:e]) or _is_form_word(work[s:e]) for s, e in words]
        # In a text with capitals, a name's words are capitalised but for short words (of,
        # and, the) and in Cyrillic (Центральный музей Тавриды): a longer lower-case word is
        # no part of a name, whatever the scorer makes of it.
        plain = [
            not cased or caps[k] or e - s <= 4 or _INFLECTING.search(work, s, e) is not None
            for k, (s, e) in enumerate(words)
        ]
        # A title before or after a name is no part of it (President Qasem Soleimani).
        beside = [legal[k] or is_title(work[s:e]) for k, (s, e) in enumerate(words)]

        numeric = [work[s].isdigit() for s, _ in words]  # a date or amount ends a name

        def cut_out(first: int, last: int, person: bool) -> bool:
            """The window leaves out a capitalised word joined to it (not a legal form, not
            the opening word of the sentence: for a person's name, only if that word is a
            function word, as Russian prose opens sentences with names: Виктория
            Владимировна Комарова is not Vladimirovna KOMAROVA)."""
            if not cased:
                return False
            before = first - 1
            if (
                before >= 0
                and joined[before]
                and caps[before]
                and not numeric[before]
                and not beside[before]
                and not (
                    _starts_sentence(work, words[before][0])
                    and (not person or never_in_name(work[words[before][0] : words[before][1]]))
                )
            ):
                return True
            after = last + 1
            possessive = _POSSESSIVE.search(work, words[last][0], words[last][1]) is not None
            return (
                after < len(words)
                and not possessive
                and joined[last]
                and caps[after]
                and not numeric[after]
                and not beside[after]
            )

        # The first sound of each word (Mohammed and Muhammad alike): a window whose words do
        # not all start as some word of the name does (or spell its initials) cannot name it.
        sounds = [_first_sound(work[s:e]) for s, e in words]
        best: dict[int, tuple[float, NameScore, int, int, _Entry]] = {}
        for n in names:
            entry = self._entry(n)
            person = entry.person
            size = len(entry.tokens)
            heard = {c for t in entry.tokens for c in _first_sound(t)}
            fits = [
                legal[k] or not sounds[k] or not heard.isdisjoint(sounds[k])
                for k in range(len(words))
            ]
            for length in range(1, min(size + SLACK, MAX_WINDOW) + 1):
                for first in range(max(0, at - length + 1), min(at, len(words) - length) + 1):
                    span = (first, first + length - 1)
                    if not (caps[span[0]] and caps[span[1]]):
                        continue
                    breaks = [k for k in range(first, span[1]) if apart[k]]
                    if breaks and not (person and len(breaks) == 1 and listed_style[breaks[0]]):
                        continue
                    if cut_out(*span, person) or all(legal[first : span[1] + 1]):
                        continue
                    if not all(fits[first : span[1] + 1]):
                        continue
                    if not all(plain[first : span[1] + 1]):
                        continue  # "The contract with Islamic Revolutionary Guard Corps"
                    if (
                        person
                        and cased
                        and not all(
                            caps[k] or _is_particle(work, words[k])
                            for k in range(first, span[1] + 1)
                        )
                    ):
                        continue  # a person's name has no common words in it ("X and Y")
                    scored = self._score(written_at(span), entry)
                    if scored is None:
                        continue
                    current = best.get(entry.entity)
                    if current is None or scored.score > current[0]:
                        best[entry.entity] = (scored.score, scored, *span, entry)
        # The windows chosen are screened as written: the screener's answer (every entity it
        # puts at the threshold or above) makes the findings, each entity in its longest
        # window (the name as written: "Концерн Алмаз-Антей", not "Алмаз-Антей"), the best
        # scored of equally long ones.
        # A legal form written beside a window is part of the name as written (Tactical
        # Missiles Corporation): the window with it is screened too.
        outer = [
            legal[k] and work[words[k][0] : words[k][1]].lower() != "the" for k in range(len(words))
        ]
        windows: dict[tuple[int, int], None] = {}
        for _, _, first, last, _ in best.values():
            windows[first, last] = None
            low_k, high_k = first, last
            while low_k > 0 and joined[low_k - 1] and outer[low_k - 1]:
                low_k -= 1
            while high_k + 1 < len(words) and joined[high_k] and outer[high_k + 1]:
                high_k += 1
            windows[low_k, high_k] = None
        answers = {w: self._screened(written_at(w), cutoff) for w in windows}
        # A window inside a longer one the screener matched is part of that name as written,
        # which the screener answered for (Tactical Missiles in Tactical Missiles Corporation).
        named = [w for w, matches in answers.items() if matches]
        accepted: dict[str, tuple[Match, int, int, _Entry]] = {}
        for (first, last), matches in answers.items():
            if any(a <= first and last <= b and (a, b) != (first, last) for a, b in named):
                continue
            for match in matches:
                entry = self._entry_of(match)
                if entry.person and entry.single is None and first == last:
                    continue  # a person of several names is named by two of them
                held = accepted.get(match.id)
                if held is None or (last - first, match.score) > (
                    held[2] - held[1],
                    held[0].score,
                ):
                    accepted[match.id] = (match, first, last, entry)
        found = []
        for match, first, last, entry in accepted.values():
            start, end = words[first][0], words[last][1]
            found.append((_found(match, text, start, end, _context(text, start)), entry))
        if not found:
            if len(self._fruitless) > _REMEMBERED:
                self._fruitless.clear()
            self._fruitless.add(seen)
        return found

    def forget(self) -> None:
        """Drop the window scores remembered across scans (memory back, or a fresh start for a
        benchmark)."""
        self._scores.clear()
        self._forms.clear()
        self._fruitless.clear()

    def _score(self, written: str, entry: _Entry) -> NameScore | None:
        """The best score of a window's text against a listed name, if the window names it
        (see :func:`_names_it`); remembered, since documents repeat their names."""
        key = (written, entry.name)
        if key in self._scores:
            return self._scores[key]
        forms = self._forms.get(written)
        if forms is None:
            if len(self._forms) > _REMEMBERED:
                self._forms.clear()
            forms = self._forms[written] = [] if _is_place(written) else name_forms(written)
        best: NameScore | None = None
        target = self.index.names[entry.name].form
        for form in forms:
            scored = score_forms(
                form,
                target,
                person=entry.person,
                weight=self.index.weight,
                config=self.config,
                c_weights=entry.weights,
            )
            if _names_it(scored, entry, len(form.tokens)) and (
                best is None or scored.score > best.score
            ):
                best = scored
        if len(self._scores) > _REMEMBERED:
            self._scores.clear()
        self._scores[key] = best
        return best

    def _corroborated(
        self, text: str, candidates: list[tuple[Finding, _Entry]], ordinary: _Ordinary
    ) -> list[Finding]:
        """Keep names that stand on their own; a one-word name only when capitalised and, if it
        is short, a person's or an ordinary word in this document, corroborated (saying how);
        one finding per entity and place (the best of overlapping ones)."""
        # A mention of one word, or of a one-word name and legal forms (Focus SARL), needs
        # corroboration (not Islamic Revolutionary Guard Corps, though the screener met the
        # listed acronym IRGC in it).
        alone = [
            _core_words(f.text, whole=True) == 1
            or (entry.single is not None and _core_words(f.text) <= 1)
            for f, entry in candidates
        ]
        reasons = [
            self._one_word(text, ordinary, finding, entry) if single else None
            for (finding, entry), single in zip(candidates, alone, strict=True)
        ]
        # Words corroborated as a name for one entity are that name for every entity the
        # screener found in them (Rostec of Russia on the lists that give it no country).
        at_place: dict[tuple[int, int], str] = {}
        for (finding, _), reason in zip(candidates, reasons, strict=True):
            if reason is not None:
                at_place.setdefault((finding.start, finding.end), reason)
        kept: list[Finding] = []
        for (finding, _), single, reason in zip(candidates, alone, reasons, strict=True):
            if single:
                reason = reason or at_place.get((finding.start, finding.end))
                if reason is None:
                    continue
                finding = replace(
                    finding, explanation={**finding.explanation, "corroboration": reason}
                )
            kept.append(finding)
        kept.sort(key=lambda f: (f.start, -f.score))
        result: list[Finding] = []
        for finding in kept:
            clash = next(
                (
                    i
                    for i, other in enumerate(result)
                    if other.id == finding.id
                    and other.start < finding.end
                    and finding.start < other.end
                ),
                None,
            )
            if clash is None:
                result.append(finding)
            elif finding.score > result[clash].score:
                result[clash] = finding
        return result

    def _distinctive(self, word: str) -> bool:
        """A word long and rare enough among listed names to stand for one (Sberbank,
        Rosoboronexport; not International, Resource, nor a place or a month: September)."""
        return (
            len(word) >= DISTINCTIVE
            and self.index.weight(word) >= DISTINCTIVE_WEIGHT
            and not _is_place(word.capitalize())
        )

    def _one_word(
        self, text: str, ordinary: _Ordinary, finding: Finding, entry: _Entry
    ) -> str | None:
        """Why a one-word name stands, or None."""
        written = finding.text
        if not _capital(written, 0):
            return None
        word = written.lower()
        if not ordinary(word) and not entry.person and not _is_place(written):
            # the listed name's one word, or the word written when it is a word of the name
            listed = entry.single or (word if word in entry.tokens else "")
            if self._distinctive(listed) and not _SURNAME.search(written):
                return "a distinctive word, capitalised"
        return self._corroboration(text, finding)

    def _corroboration(self, text: str, finding: Finding) -> str | None:
        """A legal form beside the name (not for a person), or a country of its entity named
        in its sentence."""
        entity = self.index.entities[self._entity_position(finding.id)]
        # The word before, unless a sentence ends with it ("... Roberts LLC. Blue skies").
        before = [
            w
            for w in text[max(0, finding.start - 40) : finding.start].split()[-1:]
            if not w.endswith((".", "!", "?", ";", ":"))
        ]
        after = text[finding.end : finding.end + 40].split()[:1]
        inside = finding.text.split()[1:]  # Focus SARL, as the window took it with the name
        for near in () if entity.schema == "Person" else (*before, *inside, *after):
            bare = near.strip(".,;:()«»\"'“”")
            if bare and _is_legal_form(bare):
                return f"legal form beside it: {bare}"
        low, high = _sentence(text, finding.start)
        named = _countries_named(text[low : finding.start] + " " + text[finding.end : high])
        for code, written in named.items():
            if code in entity.countries:
                return f"a country of the listed entity named in the sentence: {written}"
        return None

    def _entity_position(self, entity_id: str) -> int:
        positions = getattr(self, "_positions", None)
        if positions is None:
            positions = self._positions = {e.id: i for i, e in enumerate(self.index.entities)}
        return int(positions[entity_id])


def _worth_confirming(
    analysis: Analysis, start: int, end: int, cue: _Cue, capitals: bool
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
            if not (w[0].isupper() or w[0].isdigit() or w[:_KEY] in known):
                break
            words.append(w)
        words.reverse()
        for w in latin[end : end + span].split(None, reach)[:reach]:
            if not (w[0].isupper() or w[0].isdigit() or w[:_KEY] in known):
                break
            words.append(w)
        if words:
            keys = known.intersection([w[:_KEY] for w in words if not capitals or w[0].isupper()])
            if keys:
                worth = _covered(cue, keys, words)
    if cue.alone:
        legal = _legal_form_beside(analysis.latin, start, end)
        named: dict[str, str] | None = None
        for n, person, countries in cue.alone:
            if legal and not person:
                worth.append(n)
            elif not cue.alone_place and countries:
                if named is None:
                    named = _countries_near(analysis, start, end, cue.countries)
                if not countries.isdisjoint(named):
                    worth.append(n)
    return worth


def _covered(cue: _Cue, keys: frozenset[str], words: list[str]) -> list[int]:
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
        near[w[:_KEY]].extend({"".join(lowered[i:j]) for j in range(i + 1, i + 4)})
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


def _words_beside(latin: str, start: int, end: int) -> list[str]:
    """The two words before and the two after the word at ``latin[start:end]``."""
    before = latin[max(0, start - _NEAR_BEFORE) : start].rsplit(None, 2)[-2:]
    return before + latin[end : end + _NEAR_AFTER].split(None, 2)[:2]


def _legal_form_beside(latin: str, start: int, end: int) -> bool:
    """Whether a legal form stands just before or after the word at ``latin[start:end]``."""
    return any(_is_legal_form(w) for w in _words_beside(latin, start, end))


def _may_corroborate(analysis: Analysis, start: int, end: int) -> bool:
    """Whether the word at ``latin[start:end]`` has a legal form beside it or a country named
    in its sentence: what a one-word name or an acronym needs."""
    return _legal_form_beside(analysis.latin, start, end) or bool(
        _countries_near(analysis, start, end)
    )


def _countries_near(
    analysis: Analysis, start: int, end: int, wanted: frozenset[str] | None = None
) -> dict[str, str]:
    """The countries named (capitalised) in the sentence of the word at ``latin[start:end]``,
    but for the word itself: code -> as written (only if one of ``wanted`` may be)."""
    near = analysis.latin[max(0, start - _CONTEXT) : end + _CONTEXT]
    codes = {code for _, (_, code) in _countries().iter(f" {near.lower()} ")}
    if not codes or (wanted is not None and wanted.isdisjoint(codes)):  # usually, quickly
        return {}
    work = analysis.work
    at, until = analysis.original(start), analysis.original(end - 1) + 1
    low, high = _sentence(work, at)
    return _countries_named(work[low:at] + " " + work[until:high])


def _is_cased(text: str) -> bool:
    """Whether the text writes capitals at all (a lower-cased text cannot show names by case)."""
    sample = text[:200_000]
    upper = len(_UPPER.findall(sample))
    return upper >= max(1.0, 0.002 * len(sample))


#: Romanised Cyrillic letters of more than one Latin letter: a capital Ж reads ZH.
_DIGRAPHS = ("shch", "zh", "kh", "ts", "ch", "sh", "yu", "ya", "ye", "yo")


def _written(word: str, *, acronym: bool) -> list[str]:
    """How a folded word is written with capitals: Kupol, KUPOL (and ZHukov for Жуков);
    an acronym only in capitals."""
    if acronym or not word[:1].isalpha():
        return [word.upper()]
    forms = [word[:1].upper() + word[1:], word.upper()]
    forms.extend(word[: len(d)].upper() + word[len(d) :] for d in _DIGRAPHS if word.startswith(d))
    return forms


#: Bumped when the automata's patterns or values change, so that kept ones are rebuilt.
_CACHE_FORMAT = 6


class _AutomatonUnpickler(pickle.Unpickler):
    """Kept automata are read back with nothing but the automaton and plain values allowed."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("ahocorasick", "Automaton") or (
            module == "builtins" and name in {"tuple", "str", "int", "frozenset", "set"}
        ):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a kept automaton")


def scan_cache(store: Store) -> Path:
    """Where a store's scanner keeps its automata: beside the screening index they belong to."""
    index_file = index_path(store, store.active_versions())
    return index_file.with_name(f"scan-{_CACHE_FORMAT}-{index_file.stem}")


def _load_automaton(path: Path) -> Any:
    try:
        with path.open("rb") as fh:
            return _AutomatonUnpickler(fh).load()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        return None


def _save_automaton(automaton: Any, path: Path) -> None:
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


def _automaton(
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
            variants = [(w, names, set()) for w in _written(word, acronym=False)] if names else []
            if acronyms:
                variants += [(w, set(), acronyms) for w in _written(word, acronym=True)]
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


def _pattern(word: str, *, whole: bool = False) -> str:
    """The automaton pattern of a word: whole-word, or open to an inflected ending when long."""
    return f" {word} " if whole or len(word) < INFLECTED_FROM else f" {word}"


@lru_cache(maxsize=1)
def _legal_words() -> frozenset[str]:
    """Legal forms and kinds of organisation written as one word, folded (llc, ooo, npo)."""
    words = {" ".join(surface.translate(table()).split()) for surface in LEGAL_FORMS}
    return frozenset(w for w in words if " " not in w) | _ORG_TYPES


@lru_cache(maxsize=65536)
def _is_legal_form(word: str) -> bool:
    """Whether a word, as written, is a legal form (LLC, Ltd, GmbH, ООО) before or after a
    name: capitalised, and in capitals when it is two letters (AS, AG; not "as", "at")."""
    if not word[:1].isupper() or (len(word) <= 2 and not word.isupper()):
        return False
    folded = word.translate(table()).split()
    if len(folded) != 1 or folded[0] in _GENERIC:
        return False
    if folded[0] in _ORG_TYPES:
        return True
    return bool(strip_legal_forms(("x", *folded))[1] or strip_legal_forms((*folded, "x"))[1])


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
def _first_sound(word: str) -> str:
    """The first letter of a word's phonetic key and of its Latin reading, together (either may
    be the one a listed spelling shares), and of the English word the index keeps for a generic
    word of a name (Mezhdunarodnaya is kept as international, Zavod as plant); "" for a word
    without letters."""
    latin = "".join(_POSSESSIVE.sub("", word).translate(table()).lower().split())
    if not latin:
        return ""
    canonical = canonical_token(latin)
    return (
        _SOUND_CLASSES.get(latin[0], latin[0])
        + _SOUND_CLASSES.get(phonetic_key(latin)[:1], "")
        + _SOUND_CLASSES.get(canonical[0], canonical[0])
    )


def _written_keys(key: str) -> tuple[str, ...]:
    """The first letters of a word as a text with capitals writes them: Kup, KUP (ZHu)."""
    return tuple(dict.fromkeys(k[:_KEY] for k in _written(key, acronym=False)))


@lru_cache(maxsize=65536)
def _token_keys(token: str, cased: bool) -> tuple[str, ...]:
    """The first letters by which the pre-check knows a listed name's word: as listed, as a
    passport spells it, and a generic word as other languages write it (plant: Zavod); in a
    text with capitals, also as capitals write them."""
    keys = {w[:_KEY] for w in (token, passport_spelling(token), *source_words(token))}
    if cased:
        keys.update(written for key in tuple(keys) for written in _written_keys(key))
    return tuple(sorted(keys))


def _countries_named(text: str) -> dict[str, str]:
    """The countries a text names, capitalised (Iran, Iranian, IRAN, the United Kingdom):
    code -> as written, in the order written."""
    analysis = Analysis(text)
    named: dict[str, str] = {}
    for end, (key, code) in _countries().iter(analysis.latin):
        at = analysis.original(end - len(key) + 2)
        if text[at : at + 1].isupper():
            written = text[at : analysis.original(end - 1) + 1]
            named.setdefault(code, written)
    return named


@lru_cache(maxsize=1)
def _countries() -> Any:
    """An automaton of countries' names and their peoples, as Latin readings (" iran ",
    " united kingdom "), to their codes."""
    automaton = ahocorasick.Automaton()
    for name in country_names():
        latin = " ".join(name.translate(table()).split())
        code = to_code(name)
        if len(latin) >= 4 and code:
            automaton.add_word(f" {latin} ", (f" {latin} ", code))
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=65536)
def _is_form_word(word: str) -> bool:
    """A capitalised word of a spelt-out legal form (Open, Joint, Stock, Company): a name's
    neighbour that does not make it part of a longer proper name."""
    return word[:1].isupper() and word.translate(table()).strip().lower() in _FORM_WORDS


@lru_cache(maxsize=65536)
def _is_place(written: str) -> bool:
    """Whether a mention is only the name of a country, a region or a month: what a list's
    one-word name (SEPTEMBER, WASHINGTON) would otherwise match in any text."""
    key = " ".join(written.translate(table()).split())
    return key in _places() or (to_code(written) is not None and len(key) > 3)


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    import pycountry

    names: set[str] = set(_CALENDAR.split())
    for country in pycountry.countries:
        names.add(country.name)
        names.add(getattr(country, "common_name", country.name))
    for division in pycountry.subdivisions:
        names.add(division.name)
    return frozenset(" ".join(n.translate(table()).split()) for n in names)


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


def _is_particle(text: str, span: tuple[int, int]) -> bool:
    """A lower-case word that belongs inside persons' names (bin, al, de, van)."""
    return text[span[0] : span[1]].lower() in _PARTICLES


def _starts_sentence(text: str, at: int) -> bool:
    """Whether the word at ``at`` opens a sentence (its capital then says nothing)."""
    before = text[max(0, at - 5) : at].rstrip(" \t\"'“‘«([")
    return not before or before[-1] in ".!?…:;\n"


def _core_words(written: str, *, whole: bool = False) -> int:
    """The words of a mention that are not legal forms nor words of one (Focus SARL: 1); with
    ``whole``, all its words."""
    found = _WORD.findall(written)
    return len(found) if whole else sum(not (_is_legal_form(w) or _is_form_word(w)) for w in found)


def _in_capitals(text: str, start: int, length: int) -> bool:
    """Whether the word at ``start`` is written in capitals (as acronyms are)."""
    word = text[start : start + length]
    return len(word) == length and word.isupper()


def _capital(text: str, start: int) -> bool:
    """A word that starts with a capital, a digit, or a letter of a script without case."""
    first = text[start]
    return first.isupper() or first.isdigit() or (not first.islower() and first.isalpha())


class _Ordinary:
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


def _names_it(scored: NameScore, entry: _Entry, words: int) -> bool:
    """A window may name a listed name when every word of it belongs to the name (a stray word
    around a name is no part of it); a person of several names needs two of them. How much of
    the name it may leave out is the screener's to say."""
    if scored.unmatched_query:
        return False
    return not (entry.person and entry.single is None and words < 2)


def _sentence(text: str, offset: int, most: int = 400) -> tuple[int, int]:
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


def _context(text: str, offset: int) -> str:
    """The sentence around ``offset``, on one line (cut when it runs long)."""
    low, high = _sentence(text, offset)
    sentence = " ".join(text[low:high].split())
    return sentence if len(sentence) <= 2 * _CONTEXT else sentence[: 2 * _CONTEXT] + "…"


def _found(match: Match, text: str, start: int, end: int, context: str) -> Finding:
    """A finding of what the screener matched to ``text[start:end]``, with its score and
    explanation."""
    return Finding(
        id=match.id,
        caption=match.caption,
        dataset=match.dataset,
        schema=match.schema,
        start=start,
        end=end,
        page=None,
        text=text[start:end],
        score=round(match.score, 4),
        explanation=dict(match.explanation),
        context=context,
        programs=match.programs,
    )


def _with_page(finding: Finding, page: int | None) -> Finding:
    return replace(finding, page=page)
