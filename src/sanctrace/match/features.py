"""The explainable facts a learned scorer weighs about one name pair and its evidence.

Pure functions over a :class:`NameScore` (the rule scorer's token alignment) and the token
weights of the list being screened: the learned model never sees raw strings, only facts an
analyst can check ("80% of the query's weight was found", "a birth year conflicts").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sanctrace.match.evidence import normalize_identifier
from sanctrace.match.score import NameScore
from sanctrace.match.types import IndexedEntity, Query

Weight = Callable[[str], float]

#: The name features, in the order the model's coefficients are stored.
NAME_FEATURES: tuple[str, ...] = (
    "rule_score",
    "rule_score_above_half",
    "rule_score_above_08",
    "shared_weight",
    "rarest_shared",
    "query_covered",
    "candidate_covered",
    "exact_words",
    "distinctive_exact",
    "near_words",
    "near_similarity",
    "initials",
    "acronym",
    "query_left",
    "core_only",
    "core_distinctive",
    "same_words",
    "all_found",
    "long_name_found",
    "generic_only",
    "number_differs",
    "one_word",
    "person",
    "person_one_word",
    "person_query_covered",
    "person_candidate_covered",
    "cross_script",
    "cross_script_syllables",
    "legal_form_agree",
    "legal_form_conflict",
)

#: What each feature means, in an analyst's words (``--explain`` prints these).
FEATURE_WORDS: dict[str, str] = {
    "intercept": "starting point",
    "rule_score": "token alignment score",
    "rule_score_above_half": "token alignment score above 0.5",
    "rule_score_above_08": "token alignment score above 0.8",
    "shared_weight": "how much rare wording the names share",
    "rarest_shared": "the rarest word the names share",
    "query_covered": "share of the query's words found",
    "candidate_covered": "share of the listed name's words found",
    "exact_words": "words spelled the same",
    "distinctive_exact": "a rare word spelled the same",
    "near_words": "words spelled alike but not the same",
    "near_similarity": "how alike the near spellings are",
    "initials": "words matched only by an initial",
    "acronym": "an acronym spelled out",
    "query_left": "distinctive query words not found",
    "core_only": "the listed name adds only legal-form and generic words",
    "core_distinctive": "a rare word found, the rest of the listed name generic",
    "same_words": "the same words in both names",
    "all_found": "every word of both names found",
    "long_name_found": "every word of a long name found",
    "generic_only": "only generic words agree",
    "number_differs": "a number or ordinal in one name only (vessel III, Second Academy)",
    "one_word": "the query is a single word",
    "person": "a person's name",
    "person_one_word": "one word against a person's fuller name",
    "person_query_covered": "a person's query words found",
    "person_candidate_covered": "a person's listed words found",
    "cross_script": "names written in different scripts",
    "cross_script_syllables": "a Korean, Chinese, Japanese, Arabic, Hebrew or Thai name against "
    "a romanised one (short syllables coincide often)",
    "legal_form_agree": "legal forms agree",
    "legal_form_conflict": "legal forms differ",
    "country_agree": "a country agrees",
    "country_conflict": "countries differ",
    "birth_year_agree": "a birth year agrees",
    "birth_year_conflict": "birth years differ by more than a year",
    "weak_alias": "matched a weak alias",
}

#: Words this light (generic words, legal forms, particles) do not identify anyone.
_GENERIC_WEIGHT = 0.35
#: A word this heavy identifies a name.
_DISTINCTIVE_WEIGHT = 0.6
_NEAR = frozenset({"fuzzy", "phonetic", "variant", "joined"})
#: Scripts whose romanisations are guesses over short syllables or unwritten vowels: names in
#: them meet listed romanised names by coincidence far more often than Cyrillic or Greek ones.
_GUESSED_SCRIPTS = frozenset({"hangul", "han", "kana", "arabic", "hebrew", "thai"})
#: Words that number one of several like-named parties (vessels, branches, academies).
_ORDINALS = frozenset(
    {
        *("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "no"),
        *("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"),
        *("ninth", "tenth"),
    }
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What beyond the name agrees or conflicts (each a yes/no fact)."""

    country_agree: bool = False
    country_conflict: bool = False
    birth_year_agree: bool = False
    birth_year_conflict: bool = False
    identifier_agree: tuple[str, ...] = ()
    weak_alias: bool = False

    def facts(self) -> list[str]:
        names = (
            "country_agree",
            "country_conflict",
            "birth_year_agree",
            "birth_year_conflict",
            "weak_alias",
        )
        return [name for name in names if getattr(self, name)]


def _words(side: str) -> list[str]:
    return side.split(" ")


def _side_weight(side: str, weight: Weight) -> float:
    return sum(weight(t) for t in side.split(" "))


def name_features(name: NameScore, weight: Weight, person: bool) -> list[float]:
    """The values of :data:`NAME_FEATURES` for one aligned name pair, each in [0, 1]."""
    query_found = [t for link in name.links for t in _words(link.query)]
    candidate_found = [t for link in name.links for t in _words(link.candidate)]
    query_weight = sum(weight(t) for t in query_found)
    candidate_weight = sum(weight(t) for t in candidate_found)
    query_missing = sum(weight(t) for t in name.unmatched_query)
    candidate_missing = sum(weight(t) for t in name.unmatched_candidate)
    query_covered = query_weight / (query_weight + query_missing or 1.0)
    candidate_covered = candidate_weight / (candidate_weight + candidate_missing or 1.0)
    # What the names share, each word counted at the lighter of its two sides and by how alike
    # they are: an initial or a one-letter word shares little, whatever the other side.
    shared = [
        min(_side_weight(link.query, weight), _side_weight(link.candidate, weight))
        * link.similarity**2
        for link in name.links
        if link.how != "initial"
    ]
    exact = near = initials = 0
    acronym = distinctive = False
    near_total = 0.0
    for link in name.links:
        how = link.how
        if how == "exact":
            exact += 1
            if len(link.query) >= 4 and weight(link.query) >= _DISTINCTIVE_WEIGHT:
                distinctive = True
        elif how == "initial":
            initials += 1
        elif how == "acronym":
            acronym = True
        else:
            near += how in _NEAR
            near_total += link.similarity
    links = len(name.links) or 1
    query_left = sum(weight(t) for t in name.unmatched_query if weight(t) >= _DISTINCTIVE_WEIGHT)
    core_only = bool(
        name.links
        and not query_left
        and name.unmatched_candidate
        and all(weight(t) <= _GENERIC_WEIGHT for t in name.unmatched_candidate)
    )
    query_words = [t for t in (*query_found, *name.unmatched_query) if weight(t) > _GENERIC_WEIGHT]
    candidate_words = [
        t for t in (*candidate_found, *name.unmatched_candidate) if weight(t) > _GENERIC_WEIGHT
    ]
    one_word = len(set(query_words)) <= 1
    all_found = bool(name.links) and not name.unmatched_query and not name.unmatched_candidate
    exact_all = all_found and all(link.how == "exact" for link in name.links)
    words = len(set(query_found))
    generic_only = bool(name.links) and all(s <= _GENERIC_WEIGHT * 0.5 for s in shared)
    cross_script = bool(name.scripts[0]) and name.scripts[0] != name.scripts[1]
    q_forms, c_forms = set(name.query_legal_forms), set(name.candidate_legal_forms)
    both_forms = bool(q_forms and c_forms)
    return [
        name.score,
        max(0.0, name.score - 0.5),
        max(0.0, name.score - 0.8),
        min(sum(shared), 3.0) / 3,
        max(shared, default=0.0),
        query_covered,
        candidate_covered,
        min(exact, 4) / 4,
        float(distinctive),
        min(near, 4) / 4,
        near_total / near if near else 0.0,
        initials / links,
        float(acronym),
        min(query_left, 3.0) / 3,
        float(core_only),
        float(core_only and distinctive),
        float(exact_all),
        float(all_found),
        float(all_found) * min(words, 5) / 5,
        float(generic_only),
        float(
            any(
                t.isdigit() or t in _ORDINALS
                for t in (*name.unmatched_query, *name.unmatched_candidate)
            )
        ),
        float(one_word),
        float(person),
        float(person and one_word and len(set(candidate_words)) >= 2),
        query_covered if person else 0.0,
        candidate_covered if person else 0.0,
        float(cross_script),
        float(cross_script and bool(_GUESSED_SCRIPTS.intersection(name.scripts))),
        float(both_forms and bool(q_forms & c_forms)),
        float(both_forms and not q_forms & c_forms),
    ]


def _years(dates: tuple[str, ...] | frozenset[str]) -> set[int]:
    return {int(d[:4]) for d in dates if len(d) >= 4 and d[:4].isdigit()}


def evidence_of(query: Query, entity: IndexedEntity, kind: str) -> Evidence:
    """Country, birth-year and identifier agreement between a query and a listed entity."""
    country_agree = country_conflict = False
    if query.countries and entity.countries:
        wanted = {c.upper() for c in query.countries}
        country_agree = bool(wanted & entity.countries)
        country_conflict = not country_agree
    year_agree = year_conflict = False
    if query.birth_dates and entity.birth_dates:
        q_years, e_years = _years(query.birth_dates), _years(entity.birth_dates)
        year_agree = bool(q_years & e_years)
        year_conflict = bool(
            not year_agree
            and q_years
            and e_years
            and min(abs(a - b) for a in q_years for b in e_years) > 1
        )
    shared: tuple[str, ...] = ()
    if query.identifiers and entity.identifiers:
        wanted_ids = {normalize_identifier(i) for i in query.identifiers}
        shared = tuple(sorted(wanted_ids & entity.identifiers))
    return Evidence(
        country_agree=country_agree,
        country_conflict=country_conflict,
        birth_year_agree=year_agree,
        birth_year_conflict=year_conflict,
        identifier_agree=shared,
        weak_alias=kind == "weak_aka",
    )
