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

import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

from sanctrace.documents.analysis import Analysis
from sanctrace.documents.anchors import scan_cache
from sanctrace.documents.corroborate import corroborated
from sanctrace.documents.extract import Document
from sanctrace.documents.findings import DocumentReport, Finding
from sanctrace.documents.matchers import AnchorMatchers
from sanctrace.documents.mentions import (
    is_title,
    never_in_name,
    person_readings,
    person_run_at,
)
from sanctrace.documents.precheck import (
    KEY,
    MAX_WINDOW,
    SLACK,
    Cue,
    Entry,
    aligns_with_companion,
    first_sound,
    latin_words,
    make_cue,
    may_corroborate,
    near_words,
    single_word,
    words_beside,
    worth_confirming,
    written_keys,
)
from sanctrace.documents.words import (
    BREAK,
    FAMILY_ENDINGS,
    INFLECTING,
    POSSESSIVE,
    SEPARATOR,
    WORD,
    Ordinary,
    in_capitals,
    is_capital,
    is_cased,
    is_form_word,
    is_legal_form,
    is_particle,
    is_place,
    sentence_context,
    sentence_span,
    starts_sentence,
)
from sanctrace.match.config import DEFAULT_CONFIG, MatchConfig
from sanctrace.match.index import Index
from sanctrace.match.score import NameScore, score_forms
from sanctrace.match.screener import Screener, load_or_build_index
from sanctrace.match.types import IndexedEntity, Match, Query
from sanctrace.normalize import NameForm, canonical_token, name_forms
from sanctrace.store import Store

#: Screening answers a window keeps at most (the same party on every list, and namesakes).
SCREEN_LIMIT = 25

#: Windows' forms and scores, and places that named nothing, remembered across scans, at most
#: this many of each.
_REMEMBERED = 50_000

#: Characters a word of a name is taken to need at most, with its space (to bound the search
#: for the words around an anchor).
_WORD_CHARS = 40


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
        self._entries: dict[int, Entry] = {}
        self._cues: dict[tuple[str, bool], Cue] = {}
        self._acronym_keys: dict[str, frozenset[str]] = {}
        self._forms: dict[str, list[NameForm]] = {}
        self._scores: dict[tuple[str, int], NameScore | None] = {}
        self._fruitless: set[tuple[str, int, frozenset[int], float, bool]] = set()
        self.matchers = AnchorMatchers(index, cache)
        self._persons: dict[str, bool] = {}  # anchor pattern -> whether a person's name has it
        self._person_checks: dict[tuple[Any, ...], bool] = {}  # the words near a person's anchor

    @classmethod
    def open(cls, store: Store, config: MatchConfig = DEFAULT_CONFIG) -> Scanner:
        return cls(load_or_build_index(store), config, cache=scan_cache(store))

    # -- building ----------------------------------------------------------------------------

    def _entry(self, n: int) -> Entry:
        found = self._entries.get(n)
        if found is None:
            name = self.index.names[n]
            found = self._entries[n] = Entry(
                n,
                name.entity,
                name.form.tokens,
                tuple(self.index.weight(t) for t in name.form.tokens),
                single_word(name.form),
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
        cased = is_cased(text)
        analysis = Analysis(text, cased=cased)
        latin = analysis.latin
        hits: dict[int, set[int]] = defaultdict(set)  # original offset of the anchor -> names
        ordinary = Ordinary(text)
        inflected = bool(INFLECTING.search(text))
        automaton = self.matchers.for_text(cased, inflected, latin)
        cues = self._cues
        # Russian writes only the first word of an organisation's name with a capital
        # (Центральный музей Тавриды): there, the other words of a name may be in lower case.
        capitals = cased and not inflected
        # original offsets of anchor words of listed persons' names, and their cues
        persons: list[tuple[int, Cue]] = []
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
                if after - end - 1 > 3 or latin[end + 1 : after].lower() in FAMILY_ENDINGS:
                    continue
                end = after - 1
            if acronym_of and pattern[-1] == " ":
                at = analysis.original(start)
                if in_capitals(text, at, len(word)) and (
                    may_corroborate(analysis, start, end + 1)
                    or self._spelt_out_beside(analysis, start, end + 1, pattern, acronym_of)
                ):
                    hits[at].update(acronym_of)
            if not names:
                continue
            cue = cues.get((pattern, cased))
            if cue is None:
                cue = self._cues[pattern, cased] = make_cue(
                    self.index, self._entry, word, names, cased
                )
            if (
                cased
                and self._of_person(pattern, names)
                and self._may_name_person(pattern, cased, cue, near_words(latin, start, end + 1))
            ):
                persons.append((analysis.original(start), cue))
            worth = worth_confirming(analysis, start, end + 1, cue, capitals)
            if cue.distinctive:
                at = analysis.original(start)
                if not starts_sentence(text, at) or not ordinary(word):
                    worth.extend(cue.distinctive)
            if worth:
                hits[analysis.original(start)].update(worth)
        candidates: list[tuple[Finding, Entry]] = []
        for offset, names in sorted(hits.items()):
            candidates.extend(self._confirm(analysis.work, text, offset, names, cutoff, cased))
        if persons:
            candidates.extend(self._persons_named(analysis.work, text, persons, cutoff))
        return corroborated(self.index, self._entity_at, text, candidates, ordinary)

    def _of_person(self, pattern: str, names: tuple[int, ...]) -> bool:
        found = self._persons.get(pattern)
        if found is None:
            found = self._persons[pattern] = any(self._entry(n).person for n in names)
        return found

    def _may_name_person(self, pattern: str, cased: bool, cue: Cue, near: list[str]) -> bool:
        """The cheap check of a person's anchor, remembered: documents repeat their names."""
        key = (pattern, cased, *near)
        found = self._person_checks.get(key)
        if found is None:
            if len(self._person_checks) > _REMEMBERED:
                self._person_checks.clear()
            found = aligns_with_companion(cue, near, self._is_person)
            self._person_checks[key] = found
        return found

    def _persons_named(
        self, work: str, text: str, places: list[tuple[int, Cue]], cutoff: float
    ) -> list[tuple[Finding, Entry]]:
        """The listed persons that the runs of capitalised words holding an anchor word of a
        person's name name, as the screener scores each run as written (or, for a Russian name
        in an oblique case, as the nominative reads it: Андрея Игоревича Акимова). A run is
        screened only when another of its words could align with a word of a listed person's
        name behind its anchor (the cheap check: most runs in prose are other people)."""
        found: list[tuple[Finding, Entry]] = []
        places.sort(key=lambda p: p[0])
        k = 0
        while k < len(places):
            run = person_run_at(work, places[k][0])
            if run is None:
                k += 1
                continue
            end = run[-1][1]
            cues = []
            while k < len(places) and places[k][0] < end:  # the run's anchors
                cues.append(places[k][1])
                k += 1
            readings, fallback = person_readings(work, run)
            latin = [w for written, _, _ in readings for w in latin_words(written)]
            if not any(aligns_with_companion(cue, latin, self._is_person) for cue in cues):
                continue
            # each entity at the best of its readings' scores
            best: dict[str, tuple[Match, int, str | None]] = {}
            for written, first, read in readings:
                for m in self._persons_screened(written, cutoff):
                    held = best.get(m.id)
                    if held is None or m.score > held[0].score:
                        best[m.id] = (m, first, read)
            if not best and fallback is not None:
                for m in self._persons_screened(fallback[0], cutoff):
                    best[m.id] = (m, fallback[1], None)
            for m, first, read in best.values():
                finding = _found(m, text, first, end, sentence_context(text, first))
                if read is not None:
                    explanation = {**finding.explanation, "read_as": read}
                    finding = replace(finding, explanation=explanation)
                found.append((finding, self._entry_of(m)))
        return found

    def _persons_screened(self, written: str, cutoff: float) -> list[Match]:
        return [m for m in self._screened(written, cutoff) if m.schema == "Person"]

    def _is_person(self, n: int) -> bool:
        return self._entry(n).person

    def _screened(self, written: str, cutoff: float) -> list[Match]:
        """What `screen` answers for the text of a window (a place names nothing)."""
        if is_place(written):
            return []
        return self.screener.screen(Query(written), threshold=cutoff, limit=SCREEN_LIMIT)

    def _entry_of(self, match: Match) -> Entry:
        """The name entry of a screened match: the listed name it met."""
        ns = self.index.entries_of(self._entity_position(match.id))
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
                for written in written_keys(token)
            )
        return any(w[:KEY] in keys for w in words_beside(analysis.latin, start, end))

    def _confirm(
        self, work: str, text: str, offset: int, names: set[int], cutoff: float, cased: bool
    ) -> list[tuple[Finding, Entry]]:
        """Score the windows of words around ``offset`` (within its sentence) against each name;
        the best window per entity, if it reaches ``cutoff``."""
        # Only the words a window can reach (and one more each side) matter: the longest name
        # and its slack, within the sentence.
        reach = min(max(len(self._entry(n).tokens) for n in names) + SLACK, MAX_WINDOW) + 1
        low, high = sentence_span(work, offset, _WORD_CHARS * reach)
        low = max(low, offset - _WORD_CHARS * reach)
        if low > 0 and not work[low - 1].isspace():  # not from the middle of a word
            low = work.rfind(" ", 0, low) + 1
        words: list[tuple[int, int]] = []
        at = None
        for m in WORD.finditer(work, low, high):
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
        caps = [not cased or is_capital(work, s) for s, _ in words]
        gaps = [work[words[k][1] : words[k + 1][0]] for k in range(len(words) - 1)]
        written_of: dict[tuple[int, int], str] = {}

        def written_at(span: tuple[int, int]) -> str:
            """The text of a window, as the scorer and the screener read it."""
            written = written_of.get(span)
            if written is None:
                start, end = words[span[0]][0], words[span[1]][1]
                written = POSSESSIVE.sub("", work[start:end].replace("\u00ad", ""))
                written = written_of[span] = written.replace("\n", " ")
            return written

        # Word k and k + 1 are apart when a comma, a bracket or the like stands between them:
        # a list of parties is no one name (but a list writes persons SURNAME, Given).
        apart = [bool(SEPARATOR.search(gap)) for gap in gaps]
        listed_style = [
            gap.strip() == "," and work[words[k][0] : words[k][1]].isupper()
            for k, gap in enumerate(gaps)
        ]
        # ... and joined when nothing but spaces or a hyphen does: a name inside a longer
        # proper name (Кулакова София, Henry Wilson) is not a mention of it.
        joined = [not BREAK.search(gap) for gap in gaps]
        legal = [is_legal_form(work[s:e]) or is_form_word(work[s:e]) for s, e in words]
        # In a text with capitals, a name's words are capitalised but for short words (of,
        # and, the) and in Cyrillic (Центральный музей Тавриды): a longer lower-case word is
        # no part of a name, whatever the scorer makes of it.
        plain = [
            not cased or caps[k] or e - s <= 4 or INFLECTING.search(work, s, e) is not None
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
                    starts_sentence(work, words[before][0])
                    and (not person or never_in_name(work[words[before][0] : words[before][1]]))
                )
            ):
                return True
            after = last + 1
            possessive = POSSESSIVE.search(work, words[last][0], words[last][1]) is not None
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
        sounds = [first_sound(work[s:e]) for s, e in words]
        best: dict[int, tuple[float, NameScore, int, int, Entry]] = {}
        for n in names:
            entry = self._entry(n)
            person = entry.person
            size = len(entry.tokens)
            heard = {c for t in entry.tokens for c in first_sound(t)}
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
                            caps[k] or is_particle(work, words[k])
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
        accepted: dict[str, tuple[Match, int, int, Entry]] = {}
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
            found.append((_found(match, text, start, end, sentence_context(text, start)), entry))
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
        self._person_checks.clear()

    def _score(self, written: str, entry: Entry) -> NameScore | None:
        """The best score of a window's text against a listed name, if the window names it
        (see :func:`_names_it`); remembered, since documents repeat their names."""
        key = (written, entry.name)
        if key in self._scores:
            return self._scores[key]
        forms = self._forms.get(written)
        if forms is None:
            if len(self._forms) > _REMEMBERED:
                self._forms.clear()
            forms = self._forms[written] = [] if is_place(written) else name_forms(written)
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

    def _entity_at(self, entity_id: str) -> IndexedEntity:
        return self.index.entities[self._entity_position(entity_id)]

    def _entity_position(self, entity_id: str) -> int:
        return self.index.position(entity_id)


def _names_it(scored: NameScore, entry: Entry, words: int) -> bool:
    """A window may name a listed name when every word of it belongs to the name (a stray word
    around a name is no part of it); a person of several names needs two of them. How much of
    the name it may leave out is the screener's to say."""
    if scored.unmatched_query:
        return False
    return not (entry.person and entry.single is None and words < 2)


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
