"""Generic words of other languages read as the English word they translate, in the spellings
the bundled lists use."""

from __future__ import annotations

import pytest

from sanctrace.normalize import canonical_token, name_forms, token_weight
from sanctrace.normalize.generic_words import SYNONYMS


@pytest.mark.parametrize(
    ("word", "english"),
    [
        # Russian adjectives and their inflections (us_ofac_cons, au_dfat, us_ofac_sdn)
        ("mekhanichesky", "mechanical"),
        ("mekhanicheski", "mechanical"),
        ("mekhanicheskogo", "mechanical"),
        ("elektromekhanicheskiy", "electromechanical"),
        ("mashinostroitelniy", "machinebuilding"),
        ("mashynostroyeniya", "machinebuilding"),
        ("priborostroeniya", "instrumentmaking"),
        ("eksperimentalny", "experimental"),
        ("tsentralnoe", "central"),
        ("spetsialnykh", "special"),
        ("konstruktorskoye", "design"),
        ("obyedineniye", "association"),
        ("nauchno", "research"),
        ("scientific", "research"),
        ("zavod", "plant"),
        # Ukrainian
        ("mashynobudivnyi", "machinebuilding"),
        # pinyin
        ("youxian", "limited"),
        ("gongsi", "company"),
        ("jituan", "group"),
        ("keji", "technology"),
        ("maoyi", "trading"),
        # Arabic, Persian
        ("sharikat", "company"),
        ("muassasa", "establishment"),
        ("sherkat", "company"),
        ("sanaye", "industry"),
        ("sanati", "industrial"),
        ("sazmane", "organization"),
    ],
)
def test_generic_words(word: str, english: str) -> None:
    assert canonical_token(word) == english
    assert token_weight(word) < 0.5


def test_each_word_translates_one_way() -> None:
    words = [w for ws in SYNONYMS.values() for w in ws]
    assert len(words) == len(set(words))


def test_plant_names_meet() -> None:
    """The SDN's IZHEVSKY MEKHANICHESKY ZAVOD and the English Izhevsk Mechanical Plant share
    their generic words once read in English."""
    (listed,) = name_forms("IZHEVSKY MEKHANICHESKY ZAVOD JSC")
    (english,) = name_forms("Izhevsk Mechanical Plant")
    assert listed.tokens[1:] == english.tokens[1:] == ("mechanical", "plant")
