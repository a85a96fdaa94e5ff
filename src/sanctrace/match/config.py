"""Every knob of the matcher in one place, with the reason for its value.

The defaults are tuned with ``bench/quality.py`` (alias hold-out recall against the false-alert
rate on generated unlisted names); change them there, not in the code that uses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class MatchConfig:
    #: A result at or above this score is a match. One documented default for all schemata.
    threshold: float = 0.80
    #: ``learned`` (a calibrated probability, match/learned.py) or ``rules`` (the hand-tuned
    #: score of match/score.py and match/evidence.py, kept for comparison).
    algorithm: str = "rules"
    #: The learned score is a probability, the index's coverage a share of the query's weight:
    #: at the default threshold, candidates whose keys cover less than this (less the coverage
    #: margin) are not scored (the rule scorer's threshold, where no recall was lost).
    candidate_reach: float = 0.80

    # -- candidate generation -------------------------------------------------------------
    #: Name entries scored per query after the index ranks them.
    candidate_names: int = 40
    #: ... and only those whose index weight is at least this share of the best one's.
    candidate_relative_floor: float = 0.35
    #: A name entry whose keys cover less than (threshold - this) of the query's token weight
    #: cannot reach the threshold and is not scored.
    coverage_margin: float = 0.2
    #: ... except the best this many of the candidates short of that by at most
    #: ``long_shot_margin``: the index cannot see every way a name is written (joined words,
    #: variant spellings), and these few hold most true matches it underrates.
    long_shot_candidates: int = 3
    long_shot_margin: float = 0.15
    #: Query tokens are expanded to vocabulary tokens at least this similar (rapidfuzz ratio).
    fuzzy_token_cutoff: float = 80.0
    #: Trigrams shared by more vocabulary tokens than this are too common to suggest a typo's
    #: correction (measured: no recall lost at 300, a third of the query time saved).
    trigram_bucket_limit: int = 300
    #: At most this many vocabulary tokens per query token from fuzzy expansion.
    fuzzy_token_limit: int = 12
    #: Posting lists longer than this only confirm candidates found through rarer keys.
    open_postings: int = 120
    #: Index keys on more than this share of name entries carry no signal for candidates.
    max_posting_share: float = 0.05
    #: ... and at most this many entries open the search, however large the index (None: no
    #: cap). Cross-list resolution caps it: its index grows with the records it resolves.
    max_open_postings: int | None = None

    # -- token alignment --------------------------------------------------------------------
    #: Token pairs less similar than this are left unaligned.
    min_token_similarity: float = 0.72
    #: Aligned pairs count with their similarity to this power, so that several near-misses
    #: (Kim Song Min / Kim Sang Man) do not add up to a match while one variant (Jon/John) does.
    similarity_power: float = 2.0
    #: Two tokens with the same phonetic key score base + slope x spelling similarity, at most
    #: ``phonetic_similarity`` (jon/john 0.89, aleksandr/alexander 0.86, krause/gracious 0.78).
    phonetic_similarity: float = 0.97
    phonetic_base: float = 0.6
    phonetic_slope: float = 0.45
    #: ... but only when their spelling is this similar already: skeletons of short Chinese
    #: and Korean syllables collide (zhang/zhiyong), spelling variants stay close (jon/john).
    phonetic_min_spelling: float = 0.6
    phonetic_min_spelling_cross_script: float = 0.5
    #: Across scripts a romanisation is a guess, so an equal key says more: 0.7 + 0.3 x spelling.
    phonetic_base_cross_script: float = 0.7
    phonetic_slope_cross_script: float = 0.3
    #: Tokens of one or two letters align only on an equal phonetic key, at this similarity.
    short_phonetic_similarity: float = 0.8
    short_phonetic_spelling: float = 0.6
    #: Tokens of up to four letters need this spelling similarity (one edit) to align at all.
    short_token_similarity: float = 0.8
    #: Listed spellings of one name that differ too much to compare (Lee / Yi, Cho / Jo).
    name_variant_similarity: float = 0.9
    #: Similarity of an initial ("J") to a token starting with that letter ("John").
    initial_similarity: float = 0.75
    #: Similarity of an acronym to the run of tokens whose initials spell it.
    acronym_similarity: float = 0.92
    #: Unmatched candidate tokens count this much against persons (middle names, patronymics).
    person_extra_token_weight: float = 0.5
    #: When every query word found its match and at least two of them are solid, the candidate's
    #: further words (a longer form of the same name) count only this much.
    subset_extra_token_weight: float = 0.3
    #: Names that meet through one inexact word only (Renner / RENERA) are scored this much
    #: lower: a one-word name needs its exact spelling, or another script's, to alert.
    single_near_miss_factor: float = 0.8
    #: An organisation met through one word, inside a longer name, is scored this much lower
    #: ("Blanc" / "BLANC BANK", "Rey" / "REY INVESTMENT COMPANY").
    one_word_inside_factor: float = 0.9
    #: Korean and Chinese given-name syllables aligned out of order multiply the score by this.
    syllable_order_factor: float = 0.75
    #: ... and query tokens the candidate lacks (a middle name the list does not give).
    person_missing_query_token_weight: float = 0.7
    #: ... and against organisations (extra words usually mean a different company).
    org_extra_token_weight: float = 0.8

    # -- evidence beyond the name -----------------------------------------------------------
    name_kind_factor: dict[str, float] = field(
        default_factory=lambda: {
            "primary": 1.0,
            "strong_aka": 1.0,
            "spelling": 1.0,
            "fka": 0.97,
            "weak_aka": 0.9,
        }
    )
    legal_form_agree_bonus: float = 0.02
    legal_form_conflict_penalty: float = 0.05
    country_agree_bonus: float = 0.03
    country_conflict_penalty: float = 0.10
    birth_date_agree_bonus: float = 0.05
    birth_date_conflict_penalty: float = 0.20
    #: An identifier (tax/registration number, IMO, SWIFT/BIC, LEI, passport) that agrees
    #: exactly makes the score at least this, whatever the names.
    identifier_match_score: float = 0.98

    def reach(self, cutoff: float) -> float:
        """The index coverage a candidate needs to be scored for a result at ``cutoff``."""
        if self.algorithm == "rules":
            return cutoff
        return self.candidate_reach * min(1.0, cutoff / self.threshold)


DEFAULT_CONFIG = MatchConfig()
DEFAULT_THRESHOLD = DEFAULT_CONFIG.threshold
ALGORITHMS = ("learned", "rules")
#: The learned score's default threshold, chosen on the dev split and dev-seed generated names
#: (bench/train_scorer.py, docs/matching.md): the lowest (in steps of 0.05) with at most 0.5 %
#: false alerts. The rule scorer's own default stays 0.80.
LEARNED_THRESHOLD = 0.45
RULES_THRESHOLD = 0.80


def config_for(algorithm: str, base: MatchConfig = DEFAULT_CONFIG) -> MatchConfig:
    """The matcher settings of one algorithm, each with its own default threshold."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}; use one of {', '.join(ALGORITHMS)}")
    threshold = LEARNED_THRESHOLD if algorithm == "learned" else RULES_THRESHOLD
    return replace(base, algorithm=algorithm, threshold=threshold)
