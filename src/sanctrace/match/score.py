"""Name scoring: align the tokens of two normalized names and weigh what agrees.

Pure functions over :class:`~sanctrace.normalize.NameForm`. A score is explained by its token
links (which query token met which candidate token, how, and how similar), the tokens left over
on each side, and the legal forms found; evidence beyond names is added in ``match.evidence``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from sanctrace.match.config import DEFAULT_CONFIG, MatchConfig
from sanctrace.normalize import NameForm, is_patronymic, token_weight
from sanctrace.normalize.phonetic import phonetic_key, same_name_variant, slavic_key

Weight = Callable[[str], float]


@dataclass(frozen=True, slots=True)
class TokenLink:
    query: str
    candidate: str
    similarity: float
    how: str  # exact | phonetic | fuzzy | initial | acronym

    def to_dict(self) -> dict[str, object]:
        return {
            "query": self.query,
            "candidate": self.candidate,
            "similarity": round(self.similarity, 3),
            "how": self.how,
        }


@dataclass(slots=True)
class NameScore:
    score: float
    query_name: str
    candidate_name: str
    links: list[TokenLink] = field(default_factory=list)
    unmatched_query: list[str] = field(default_factory=list)
    unmatched_candidate: list[str] = field(default_factory=list)
    query_legal_forms: tuple[str, ...] = ()
    candidate_legal_forms: tuple[str, ...] = ()
    #: The scripts the two names were written in (a learned scorer reads cross-script pairs
    #: differently).
    scripts: tuple[str, str] = ("", "")

    def to_dict(self) -> dict[str, object]:
        return {
            "name_score": round(self.score, 3),
            "query_name": self.query_name,
            "candidate_name": self.candidate_name,
            "tokens": [link.to_dict() for link in self.links],
            "unmatched_query_tokens": self.unmatched_query,
            "unmatched_candidate_tokens": self.unmatched_candidate,
            "legal_forms": {
                "query": list(self.query_legal_forms),
                "candidate": list(self.candidate_legal_forms),
            },
        }


ZERO = NameScore(0.0, "", "")

#: Scripts whose names are abbreviated to initials; a Chinese or Korean company name is not
#: written as the initials of its romanisation.
_ACRONYM_SCRIPTS = frozenset({"latin", "cyrillic", "greek"})
_PATRONYMIC_FACTOR = 0.4
#: Arabic articles written joined to the word that follows (ELKADDAFI, ALHARAMEIN).
_ARTICLES = frozenset({"al", "el"})
#: Scripts whose person names are syllables in a fixed order.
_SYLLABIC_NAMES = frozenset({"hangul", "han"})
#: Words this light (stop words, particles, titles) do not stop a name from counting as fully
#: covered by the other.
_FILLER_WEIGHT = 0.2
#: Scripts romanised in many competing ways (vowels unwritten, or systems that differ), where
#: an equal phonetic key across scripts counts for more. Chinese pinyin is one standard.
_FREE_ROMANISATION = frozenset({"hangul", "arabic", "hebrew", "thai", "greek", "kana"})


_VOWEL_CLASSES = str.maketrans({"e": "e", "a": "a", "i": "i", "o": "o", "u": "o", "y": None})


def _vowel_classes(token: str) -> str:
    """The vowels of a short romanised syllable, with the spellings one sound takes folded
    together (eo/o/u, ae/e), so that song/sung/seong agree and song/sang do not."""
    text = token.replace("ae", "e").replace("ai", "e").replace("eo", "o").replace("eu", "o")
    vowels = "".join(ch for ch in text if ch in "aeiouy")
    folded = vowels.translate(_VOWEL_CLASSES)
    return "".join(ch for i, ch in enumerate(folded) if i == 0 or folded[i - 1] != ch)


def token_similarity(
    qt: str,
    qp: str,
    ct: str,
    cp: str,
    config: MatchConfig,
    lenient: bool = False,
    strict: bool = False,
    syllabic: bool = False,
) -> tuple[float, str]:
    """(similarity, how) of two tokens given with their phonetic keys.

    Spelling decides; an equal phonetic key lifts a near spelling (transliteration variants:
    jon/john, mohammed/muhammad) but cannot make unlike spellings alike, since consonant
    skeletons of different names collide often (krause/gracious). ``lenient`` is for names
    met in two scripts, whose romanisations differ most (Kim/Gim, Jong/Chong, Muhammad/Mohamed).
    Listed variants of one name (Lee / Yi, Cho / Jo) are alike whatever their spelling, when
    both are romanised already (from Hangul, the syllable rules below decide).
    """
    if qt == ct:
        return 1.0, "exact"
    if _unlike(qt, qp, ct, cp, config, syllabic or strict):
        return 0.0, "none"
    found = _spelling_similarity(qt, qp, ct, cp, config, lenient, strict, syllabic)
    if found[0] < config.name_variant_similarity and not syllabic and same_name_variant(qt, ct):
        return config.name_variant_similarity, "variant"
    return found


def may_align(qt: str, ct: str, config: MatchConfig = DEFAULT_CONFIG) -> bool:
    """Whether two tokens could align at all in a score (the quick no below, negated): for
    callers that rule names out cheaply before scoring them."""
    return qt == ct or not _unlike(qt, phonetic_key(qt), ct, phonetic_key(ct), config, False)


def _unlike(qt: str, qp: str, ct: str, cp: str, config: MatchConfig, syllables: bool) -> bool:
    """A quick no for most pairs of tokens (the pairs a query meets are mostly different
    words): not alike in spelling, sound, article or listed variant, so nothing below could
    align them."""
    if qp == cp or len(qt) < 3 or len(ct) < 3:
        return False
    if fuzz.ratio(qt, ct, score_cutoff=config.min_token_similarity * 100):
        return False
    if qt[:2] in _ARTICLES or ct[:2] in _ARTICLES or same_name_variant(qt, ct):
        return False
    return syllables or (slavic_key(qt) or qp) != (slavic_key(ct) or cp)


def _spelling_similarity(
    qt: str,
    qp: str,
    ct: str,
    cp: str,
    config: MatchConfig,
    lenient: bool = False,
    strict: bool = False,
    syllabic: bool = False,
) -> tuple[float, str]:
    if qt == ct:
        return 1.0, "exact"
    if len(qt) == 1 or len(ct) == 1:
        short, long_ = (qt, ct) if len(qt) == 1 else (ct, qt)
        if len(long_) > 1 and long_.startswith(short):
            return config.initial_similarity, "initial"
        return 0.0, "none"
    same_sound = len(qp) >= 1 and (
        qp == cp
        or (not syllabic and not strict and (slavic_key(qt) or qp) == (slavic_key(ct) or cp))
    )
    spelled = fuzz.ratio(qt, ct) / 100.0
    if len(qt) > 5 and qt[:2] in _ARTICLES and qt[:2] != ct[:2]:
        spelled = max(spelled, fuzz.ratio(qt[2:], ct) / 100.0 * 0.97)  # ELKADDAFI / GADDAFI
    elif len(ct) > 5 and ct[:2] in _ARTICLES and qt[:2] != ct[:2]:
        spelled = max(spelled, fuzz.ratio(qt, ct[2:]) / 100.0 * 0.97)
    if len(qt) <= 2 or len(ct) <= 2:
        if same_sound and spelled >= config.short_phonetic_spelling:
            return config.short_phonetic_similarity, "phonetic"
        return 0.0, "none"
    floor = config.phonetic_min_spelling_cross_script if lenient else config.phonetic_min_spelling
    # A Korean syllable is another syllable unless its romanisations agree in sound and vowel:
    # no spelling-only similarity (Yong/Kyong, Chong/Chang are different names).
    if (
        syllabic
        and min(len(qt), len(ct)) <= 5
        and (not same_sound or _vowel_classes(qt) != _vowel_classes(ct))
    ):
        return 0.0, "none"
    if same_sound and not strict and spelled >= floor and abs(len(qt) - len(ct)) <= 2:
        base, slope = (
            (config.phonetic_base_cross_script, config.phonetic_slope_cross_script)
            if lenient
            else (config.phonetic_base, config.phonetic_slope)
        )
        lifted = min(config.phonetic_similarity, base + slope * spelled)
        if lifted > spelled:
            return lifted, "phonetic"
    if spelled < config.short_token_similarity and min(len(qt), len(ct)) <= 4:
        return 0.0, "none"
    return spelled, "fuzzy"


#: Words shorter than this are other words, not slips, when a letter or a vowel differs.
_SLIP_MIN_LETTERS = 8
_VOWELS = frozenset("aeiouy")


def _one_slip(a: str, b: str) -> bool:
    """A long word one letter off (two in a very long one), such as INVESTKAPITALBANK /
    INVESTCAPITALBANK, or written with other vowels only (romanisations differ most in
    vowels): a spelling of one name rather than another name."""
    shorter = min(len(a), len(b))
    if shorter < _SLIP_MIN_LETTERS:
        return False
    if Levenshtein.distance(a, b, score_cutoff=2) <= (2 if shorter >= 12 else 1):
        return True
    return _consonants(a) == _consonants(b)  # vowels only: HEZBOLLAH / HIZBALLAH


def _consonants(word: str) -> str:
    return "".join(ch for ch in word if ch not in _VOWELS)


def _unmatched_factor(token: str, person: bool, syllables: bool = False) -> float:
    """A patronymic one side leaves out costs little: lists give or omit them at will. A
    one-letter Korean or Chinese syllable (the surname I) is a name, not an initial: it costs
    what a whole word costs."""
    if not person:
        return 1.0
    if syllables and len(token) == 1:
        return 1.0 / max(token_weight(token), 0.1)
    return _PATRONYMIC_FACTOR if is_patronymic(token) else 1.0


def _order_factor(placed: list[tuple[int, int]], config: MatchConfig) -> float:
    """Korean and Chinese given names are syllables in a fixed order (Eun Jong is not Jong Un):
    aligned syllables out of order, the surname aside, lower the score."""
    given = sorted((i, j) for i, j in placed if i > 0)
    positions = [j for _, j in given]
    if any(b < a for a, b in itertools.pairwise(positions)):
        return config.syllable_order_factor
    return 1.0


def _compound_links(
    tokens: Sequence[str], free: set[int], other: Sequence[str], other_free: set[int]
) -> list[tuple[int, list[int], float]]:
    """Tokens of one name written as two or three words in the other (KARIMIADEGANI /
    KARIMI-ADEGANI, ABDURAZAK / ABDU RAZAK). A word found as such on the other side is that
    word, not part of a joined one (MANUEL J / MANUEL JESUS). Claims the tokens it links."""
    found: list[tuple[int, list[int], float]] = []
    if len(other_free) < 2:
        return found
    words: set[str] | None = None
    for i in sorted(free):
        token = tokens[i]
        if len(token) < 5 or token in other:
            continue
        for start in sorted(other_free):
            if other[start][0] != token[0]:
                continue
            if words is None:
                words = set(tokens)
            if other[start] in words:
                continue
            size = len(other[start])
            for j in range(start + 1, min(start + 3, len(other))):
                if j not in other_free or other[j] in words:
                    break
                size += len(other[j])
                if abs(size - len(token)) > 2:
                    continue
                joined = "".join(other[start : j + 1])
                sim = fuzz.ratio(token, joined) / 100.0
                if sim >= (0.85 if len(token) >= 10 else 0.9):
                    run = list(range(start, j + 1))
                    found.append((i, run, sim))
                    free.discard(i)
                    other_free.difference_update(run)
                    break
            if i not in free:
                break
    return found


def _add_run(
    found: list[tuple[int, list[int], float, str]],
    forward: bool,
    q: NameForm,
    c: NameForm,
    qw: Sequence[float],
    cw: Sequence[float],
    links: list[TokenLink],
    power: float,
) -> tuple[float, float]:
    """Links for words of one name standing for several of the other; (matched, aligned)."""
    matched = aligned = 0.0
    one, one_w, other, other_w = (q, qw, c, cw) if forward else (c, cw, q, qw)
    for i, run, sim, how in found:
        w = max(one_w[i], sum(other_w[j] for j in run) / len(run))
        matched += w * sim**power
        aligned += w
        single, spread = one.tokens[i], " ".join(other.tokens[j] for j in run)
        query_side, candidate_side = (single, spread) if forward else (spread, single)
        links.append(TokenLink(query_side, candidate_side, sim, how))
    return matched, aligned


def _acronym_links(
    short_tokens: Sequence[str],
    short_free: set[int],
    other: NameForm,
    other_free: set[int],
) -> list[tuple[int, list[int]]]:
    """Tokens of one name that abbreviate the free words of the other ("iemz" for "izhevsk
    electromechanical plant"), found among the other name's acronym variants."""
    found: list[tuple[int, list[int]]] = []
    free = set(other_free)
    for i in sorted(short_free):
        token = short_tokens[i]
        if not free or not 3 <= len(token) <= 8 or token not in other.acronyms:
            continue
        if len(free) > len(token) + 1:
            continue
        run = sorted(free)
        found.append((i, run))
        free.difference_update(run)
    return found


#: A word at least this long and this rare among listed names can be a party's whole name.
_CORE_MIN_LETTERS = 5
#: Shorter cores are initials with no vowel: "VTB" / VTB BANK PUBLIC JOINT STOCK COMPANY.
_CORE_ACRONYM_LETTERS = 3
_CORE_MIN_WEIGHT = 0.6
#: Words this light (generic words, legal forms) may surround a distinctive core.
_GENERIC_WEIGHT = 0.3


def _distinctive_core(
    links: list[TokenLink],
    q: NameForm,
    c: NameForm,
    free_q: set[int],
    free_c: set[int],
    weight: Weight,
) -> bool:
    """The query is the distinctive word of the listed name, the rest of either name being
    legal-form and generic words: "Rostec" / STATE CORPORATION ROSTEC, "Kalashnikov" / CONCERN
    KALASHNIKOV, "Wagner Group" / PRIVATE MILITARY COMPANY WAGNER. Newspapers name parties so."""
    if len(links) != 1 or links[0].how != "exact" or " " in links[0].query:
        return False
    word = links[0].query
    if weight(word) < _CORE_MIN_WEIGHT or len(word) < _CORE_ACRONYM_LETTERS:
        return False
    if len(word) < _CORE_MIN_LETTERS and not _VOWELS.isdisjoint(word):
        return False  # a short core must read as initials (VTB), not as a word (Rey)
    if q.legal_forms and c.legal_forms and set(q.legal_forms).isdisjoint(c.legal_forms):
        return False  # "Newton PLC" is another incorporation than NEWTON TRADING FZE
    return all(token_weight(q.tokens[i]) <= _GENERIC_WEIGHT for i in free_q) and all(
        token_weight(c.tokens[j]) <= _GENERIC_WEIGHT for j in free_c
    )


def score_forms(
    q: NameForm,
    c: NameForm,
    *,
    person: bool,
    weight: Weight,
    config: MatchConfig = DEFAULT_CONFIG,
    memo: dict[tuple[str, str, int], tuple[float, str]] | None = None,
    q_weights: Sequence[float] | None = None,
    c_weights: Sequence[float] | None = None,
) -> NameScore:
    """How well candidate name ``c`` explains query name ``q``, in [0, 1]. ``memo`` caches token
    similarities across the candidates of one query; the weights, when given, spare the
    weight look-ups of tokens already weighed."""
    if not q.tokens or not c.tokens:
        return ZERO
    qw = q_weights if q_weights is not None else [weight(t) for t in q.tokens]
    cw = c_weights if c_weights is not None else [weight(t) for t in c.tokens]
    pairs = []
    power = config.similarity_power
    floor = config.min_token_similarity
    lenient = q.script != c.script and (
        q.script in _FREE_ROMANISATION or c.script in _FREE_ROMANISATION
    )
    strict = q.script == "han" or c.script == "han"
    syllabic = q.script == "hangul" or c.script == "hangul"
    mode = 2 if strict else 3 if syllabic else int(lenient)
    for i, (qt, qp) in enumerate(zip(q.tokens, q.phonetic, strict=True)):
        for j, (ct, cp) in enumerate(zip(c.tokens, c.phonetic, strict=True)):
            if memo is None:
                sim, how = token_similarity(qt, qp, ct, cp, config, lenient, strict, syllabic)
            else:
                key = (qt, ct, mode)
                found = memo.get(key)
                if found is None:
                    found = memo[key] = token_similarity(
                        qt, qp, ct, cp, config, lenient, strict, syllabic
                    )
                sim, how = found
            if sim >= floor:
                pairs.append((sim, i, j, how))
    pairs.sort(reverse=True)
    free_q = set(range(len(q.tokens)))
    free_c = set(range(len(c.tokens)))
    links: list[TokenLink] = []
    matched_weight = 0.0
    aligned_weight = 0.0
    # Words written joined in one name and apart in the other (BUALI / BU ALI) first: a
    # pairwise alignment would take the nearest half (DRCONGO ~ CONGO) and lose the rest.
    q_only = [t for t in q.tokens if t not in c.tokens]
    c_only = [t for t in c.tokens if t not in q.tokens]
    for forward in (True, False):
        one_only, other_only = (q_only, c_only) if forward else (c_only, q_only)
        if len(other_only) < 2 or all(len(t) < 5 for t in one_only):
            continue  # nothing one side writes joined that the other writes apart
        one, one_free, other, other_free = (
            (q, free_q, c, free_c) if forward else (c, free_c, q, free_q)
        )
        joined = [
            (i, run, sim, "joined")
            for i, run, sim in _compound_links(one.tokens, one_free, other.tokens, other_free)
        ]
        matched, aligned = _add_run(joined, forward, q, c, qw, cw, links, power)
        matched_weight += matched
        aligned_weight += aligned
    placed: list[tuple[int, int]] = []
    for sim, i, j, how in pairs:
        if i in free_q and j in free_c:
            free_q.discard(i)
            free_c.discard(j)
            placed.append((i, j))
            w = (qw[i] + cw[j]) / 2
            if how == "initial":
                w = min(qw[i], cw[j])
            matched_weight += w * sim**power
            aligned_weight += w
            links.append(TokenLink(q.tokens[i], c.tokens[j], sim, how))
    if not person and q.script in _ACRONYM_SCRIPTS and c.script in _ACRONYM_SCRIPTS:
        for forward in (True, False):
            if not (free_q and free_c):
                break
            one, one_free, other, other_free = (
                (q, free_q, c, free_c) if forward else (c, free_c, q, free_q)
            )
            abbreviated = [
                (i, run, config.acronym_similarity, "acronym")
                for i, run in _acronym_links(one.tokens, one_free, other, other_free)
            ]
            for i, run, _, _ in abbreviated:
                one_free.discard(i)
                other_free.difference_update(run)
            matched, aligned = _add_run(abbreviated, forward, q, c, qw, cw, links, power)
            matched_weight += matched
            aligned_weight += aligned
    if not links:
        return NameScore(
            0.0,
            q.original,
            c.original,
            unmatched_query=list(q.tokens),
            unmatched_candidate=list(c.tokens),
            query_legal_forms=q.legal_forms,
            candidate_legal_forms=c.legal_forms,
            scripts=(q.script, c.script),
        )
    extra = config.person_extra_token_weight if person else config.org_extra_token_weight
    missing_factor = config.person_missing_query_token_weight if person else 1.0
    solid = sum(1 for link in links if link.similarity >= 0.85 and link.how != "initial")
    syllables = q.script in _SYLLABIC_NAMES or c.script in _SYLLABIC_NAMES
    long_name = 4 if syllables else 3
    if solid >= 2:
        # A short name fully found inside a longer one (3+ words; 4+ for Korean and Chinese
        # names, where every syllable is part of the name) is that name's short form.
        if len(c.tokens) >= long_name and all(
            token_weight(q.tokens[i]) <= _FILLER_WEIGHT for i in free_q
        ):
            extra = min(extra, config.subset_extra_token_weight)
        if len(q.tokens) >= long_name and all(
            token_weight(c.tokens[j]) <= _FILLER_WEIGHT for j in free_c
        ):
            missing_factor = min(missing_factor, config.subset_extra_token_weight)
    core = not person and _distinctive_core(links, q, c, free_q, free_c, weight)
    if core:
        extra = min(extra, config.subset_extra_token_weight)
        missing_factor = min(missing_factor, config.subset_extra_token_weight)
    missing_q = sum(qw[i] * _unmatched_factor(q.tokens[i], person, syllables) for i in free_q)
    missing_q *= missing_factor
    missing_c = extra * sum(
        cw[j] * _unmatched_factor(c.tokens[j], person, syllables) for j in free_c
    )
    denominator = aligned_weight + missing_q + missing_c
    score = matched_weight / denominator if denominator > 0 else 0.0
    if person and (q.script in _SYLLABIC_NAMES or c.script in _SYLLABIC_NAMES):
        score *= _order_factor(placed, config)
    if all(link.how == "initial" for link in links):
        score = min(score, 0.5)
    elif (
        len(links) == 1
        and links[0].how in ("fuzzy", "phonetic")
        and not (person and lenient)
        and not _one_slip(links[0].query, links[0].candidate)
    ):
        score *= config.single_near_miss_factor  # one near-miss word is thin evidence
    elif len(links) == 1 and links[0].how != "acronym" and free_c and not person and not core:
        score *= config.one_word_inside_factor  # "Rey" in "REY INVESTMENT COMPANY"
    return NameScore(
        score,
        q.original,
        c.original,
        links=links,
        unmatched_query=[q.tokens[i] for i in sorted(free_q)],
        unmatched_candidate=[c.tokens[j] for j in sorted(free_c)],
        query_legal_forms=q.legal_forms,
        candidate_legal_forms=c.legal_forms,
        scripts=(q.script, c.script),
    )
