"""Where a document may name a person: runs of two to four capitalised words, with the titles,
peoples and function words around them left out ("Russian President Vladimir Putin" names
"Vladimir Putin"), so that the screener can be asked about each such run as it is written."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from sanctrace.documents.inflection import is_patronymic, nominative
from sanctrace.model.countries import to_code

#: A person's name in running text has at least this many words (one word is a surname or a
#: first name, which the anchor route holds back without corroboration) ...
MIN_PERSON_WORDS = 2
#: ... and at most this many capitalised ones (particles such as bin, al, van not counted);
#: a longer run of capitalised words is an organisation or a heading, left to the anchors.
MAX_PERSON_WORDS = 4

_WORD = re.compile(r"[^\W_](?:[\w\u00ad'’]*\w)?")
#: What may stand between two words of one name: spaces (one line break at most) or a hyphen.
_JOIN = re.compile(r"[ \t\u00a0]*(?:\r?\n)?[ \t\u00a0]*|[ \t]*[-\u2010\u2011][ \t]*|\u00ad+")
#: ... and after an initial (Vladimir V. Putin).
_INITIAL_JOIN = re.compile(r"\.[ \t\u00a0]*(?:\r?\n)?[ \t\u00a0]*")
_POSSESSIVE = re.compile(r"['’]s$")

#: Titles, offices and forms of address, in English and Russian (lower case, without dots):
#: they say a person follows, and are no part of the name.
_TITLES = """
    mr mrs ms miss mx dr prof sir dame lord lady madam madame monsieur herr frau
    president vice prime minister deputy secretary general chairman chairwoman chair ceo cfo
    coo cto founder owner director head chief executive officer governor mayor senator
    congressman congresswoman ambassador envoy spokesman spokeswoman spokesperson judge
    justice attorney prosecutor commander colonel lieutenant major captain admiral marshal
    sergeant king queen prince princess sheikh shaikh emir sultan ayatollah imam mullah
    cardinal patriarch metropolitan bishop father pope tsar oligarch businessman
    businesswoman tycoon billionaire banker leader premier chancellor commissioner
    академик президент премьер министр вице глава замглавы председатель директор
    генеральный гендиректор губернатор мэр сенатор депутат посол генерал полковник
    господин госпожа г-н г-жа патриарх митрополит олигарх бизнесмен миллиардер банкир
    лидер канцлер
"""
TITLES = frozenset(_TITLES.split())
#: Words that open sentences and clauses, capitalised there: no part of a name.
_FUNCTION_WORDS = """
    the a an this that these those he she it we they i you his her its our their my your
    and but or nor so yet if as at on in by for with from to of into onto about after before
    while when where whereas since until unless because although though then there here
    also however meanwhile yesterday today tomorrow last next according both either neither
    mr said says told asked added
    он она они мы я вы его ее её их и но или а в во на с со к ко по от до за из о об при для
    это этот эта эти тот та те как когда где если также однако вчера сегодня завтра
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())


def person_runs(
    work: str, ordinary: Callable[[str], bool] | None = None
) -> list[list[tuple[int, int]]]:
    """The runs of capitalised words in ``work`` that may name a person, each as the offsets
    ``(start, end)`` of its words. ``ordinary(word)`` says whether the document uses a word in
    lower case: such a word opening a sentence is an ordinary word, not a first name."""
    runs: list[list[tuple[int, int]]] = []
    run: list[tuple[int, int]] = []  # the words of the current run
    capitalised = 0
    last_end = -1
    last_initial = False

    def close() -> None:
        nonlocal run, capitalised
        while run and not work[run[-1][0]].isupper():  # a particle does not end a name
            run.pop()
        if len(run) >= MIN_PERSON_WORDS and capitalised <= MAX_PERSON_WORDS:
            runs.append(run)
        run = []
        capitalised = 0

    for m in _WORD.finditer(work):
        start, end = m.span()
        word = m.group()
        joined = bool(run) and _joined(work, last_end, start, last_initial)
        if not joined:
            close()
        last_end, last_initial = end, len(word) == 1 and word.isupper()
        if _breaks(work, start, word, ordinary):
            close()
            continue
        if word[0].isupper():
            run.append((start, end))
            capitalised += 1
        elif run and word.lower() in PARTICLES:
            run.append((start, end))
        else:
            close()
    close()
    return runs


#: Characters looked at on each side of a word for the edges of its run, at first (doubled
#: until an edge is found: a run's words are few, so once is almost always enough).
_RUN_REACH = 64


def person_run_at(work: str, start: int) -> list[tuple[int, int]] | None:
    """The run of :func:`person_runs` holding the word that starts at ``start``, or None; found
    from the words around it only, so that a document with few anchors is not read word by word.
    The slice looked at starts and ends where the whole-text pass closes a run, so the answer
    is the same as that pass's."""
    low = _edge(work, start, before=True)
    high = _edge(work, start, before=False)
    for run in person_runs(work[low:high]):
        if run[0][0] + low <= start < run[-1][1] + low:
            return [(s + low, e + low) for s, e in run]
    return None


def _edge(work: str, start: int, *, before: bool) -> int:
    """Where the run of the word at ``start`` is sure to be closed, before or after it: at a gap
    that does not join two words, or at a word that is no part of a name."""
    if not before:
        words = _WORD.finditer(work, start)
        next(words, None)  # the word at ``start`` itself
        edge = _closed(work, start, (m.span() for m in words), before=False)
        return len(work) if edge is None else edge
    reach = _RUN_REACH
    while True:
        low = max(0, start - reach)
        spans = [m.span() for m in _WORD.finditer(work, low, start)][::-1]
        if low > 0 and spans and spans[-1][0] == low and work[low - 1].isalnum():
            spans.pop()  # the tail of a word cut by the slice
        edge = _closed(work, start, iter(spans), before=True)
        if edge is not None or low == 0:
            return 0 if edge is None else edge
        reach *= 2


def _closed(work: str, start: int, words: Iterator[tuple[int, int]], *, before: bool) -> int | None:
    """The first place among ``words`` (going away from the word at ``start``) where a run
    closes, or None when it does not within them."""
    end = _WORD.match(work, start)
    near = (start, end.end() if end else start)
    for span in words:
        first, second = (span, near) if before else (near, span)
        gap_initial = first[1] - first[0] == 1 and work[first[0]].isupper()
        if not _joined(work, first[1], second[0], gap_initial):
            return near[0] if before else near[1]
        word = work[span[0] : span[1]]
        if _breaks(work, span[0], word, None) or not (
            word[0].isupper() or word.lower() in PARTICLES
        ):
            return near[0] if before else span[1]
        near = span
    return None


def person_readings(
    work: str, run: list[tuple[int, int]]
) -> tuple[list[tuple[str, int, str | None]], tuple[str, int] | None]:
    """How a person's run is screened: (text, start, nominative or None) of each reading, and
    a reading to try when none names anybody. The run whole, as written: a shorter window
    would leave out a word of the name (Анжелика Владимировна of Анжелика Владимировна Шубина
    names nobody listed); and a Russian name in an oblique case in the nominative (see
    :mod:`sanctrace.documents.inflection`). Failing those, the run without a sentence's
    opening word (Контрагент Абу Ясир), but never a given name before its patronymic nor a
    family name before a given name and patronymic (Виктория Владимировна Комарова is no
    Vladimirovna KOMAROVA, Пестова Мария Валериевна no Maria Valerievna)."""
    start, end = run[0][0], run[-1][1]
    words = [work[s:e] for s, e in run]
    readings: list[tuple[str, int, str | None]] = [(written_name(work[start:end]), start, None)]
    opens = len(run) > 2 and _opens_sentence(work, start)
    base, at = nominative(words), start
    if base is None and opens:  # the opening word is no case ending (Заявление Дмитрия Пескова)
        base, at = nominative(words[1:]), run[1][0]
    if base is not None:
        read_as = " ".join(base)
        readings.append((read_as, at, read_as))
    rest = words[1:]
    if (
        opens
        and not is_patronymic(rest[0])
        and (len(rest) > 2 or not any(is_patronymic(w) for w in rest))
    ):
        return readings, (written_name(work[run[1][0] : end]), run[1][0])
    return readings, None


def written_name(text: str) -> str:
    """A person span as the screener is asked about it: on one line, without a possessive."""
    return _POSSESSIVE.sub("", " ".join(text.replace("\u00ad", "").split()))


def is_title(word: str) -> bool:
    """A title, an office or a form of address (President, Mr, CEO, Президент)."""
    return _POSSESSIVE.sub("", word).lower() in TITLES


def _joined(work: str, end: int, start: int, initial: bool) -> bool:
    gap = work[end:start]
    if _JOIN.fullmatch(gap):
        return True
    return initial and _INITIAL_JOIN.fullmatch(gap) is not None


def _breaks(work: str, start: int, word: str, ordinary: Callable[[str], bool] | None) -> bool:
    """A title, a people or country, a function word, or an ordinary word opening a sentence:
    it ends the run before it and starts none."""
    if never_in_name(word):
        return True
    return ordinary is not None and _opens_sentence(work, start) and ordinary(word.lower())


@lru_cache(maxsize=65536)
def never_in_name(word: str) -> bool:
    """A title, a function word, a people or a country (Russian, Iranian, Russia)."""
    folded = _POSSESSIVE.sub("", word).lower()
    if folded in TITLES or folded in FUNCTION_WORDS:
        return True
    return word[0].isupper() and len(folded) > 3 and to_code(folded) is not None


def _opens_sentence(work: str, at: int) -> bool:
    before = work[max(0, at - 5) : at].rstrip(" \t\"'“‘«([")
    return not before or before[-1] in ".!?…:;\n"


#: Lower-case words found inside persons' names.
_PARTICLES = (
    "al el ul bin ibn bint abu abd de da do dos das di del della van von der den la le du ben ter"
)
PARTICLES = frozenset(_PARTICLES.split())
