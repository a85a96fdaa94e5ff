"""Spelling rules met in the OFAC SDN list itself: each query is a spelling another list (or
an earlier SDN entry) uses for a listed party, screened against the 2024-05-03 SDN list."""

from __future__ import annotations

import pytest

from sanctrace import compare
from sanctrace.match import DEFAULT_THRESHOLD, Query, Screener


@pytest.mark.parametrize(
    ("query", "schema", "listed_id", "rule"),
    [
        ("GOTSANIUK, Jurij Mikhailovich", "Person", "us_ofac_sdn:28344", "Polish/German й, j"),
        ("KURCHENKO, Serhiy Vitalievich", "Person", "us_ofac_sdn:18323", "Ukrainian h for г"),
        ("CHO, Yongwon", "Person", "us_ofac_sdn:21303", "Cho/Jo; Yong-Won joined"),
        ("INVESTKAPITALBANK", None, "us_ofac_sdn:16810", "one letter off in a long word"),
        ("NATIONAL IRANIAN OIL PRODUCTS DISTRIBUTION CO", None, "us_ofac_sdn:29793", "legal form"),
    ],
)
def test_listed_spellings_find_their_entry(
    sdn_screener: Screener, query: str, schema: str | None, listed_id: str, rule: str
) -> None:
    results = sdn_screener.screen(Query(query, schema=schema), limit=3)
    assert results, f"{query!r} ({rule}) found nothing"
    assert results[0].id == listed_id, (rule, [(m.id, m.caption, m.score) for m in results])
    assert results[0].score >= DEFAULT_THRESHOLD


def test_joined_words_against_the_list(sdn_screener: Screener) -> None:
    results = sdn_screener.screen(Query("BUALI SINA PETROCHEMICAL COMPANY"), limit=3)
    assert results and results[0].caption == "BU ALI SINA PETROCHEMICAL COMPANY"
    links = results[0].explanation["tokens"]
    assert {"query": "buali", "candidate": "bu ali", "similarity": 1.0, "how": "joined"} in links


def test_a_word_found_as_such_is_not_part_of_a_joined_one() -> None:
    result = compare("TORRES, Manuel J", "TORRES, Manuel Jesus", schema="Person")
    links = {(t["query"], t["candidate"], t["how"]) for t in result.explanation["tokens"]}
    assert ("manuel", "manuel", "exact") in links
    assert all(how != "joined" for _, _, how in links)


def test_listed_variants_of_korean_surnames() -> None:
    assert compare("LEE Chang Ho", "YI Chang Ho", schema="Person").score >= DEFAULT_THRESHOLD
    assert compare("JU, Kyu-Chang", "CHU, Kyu-Chang", schema="Person").score >= DEFAULT_THRESHOLD
    # ... but other surnames stay apart
    assert compare("KANG, Kyu-Chang", "CHU, Kyu-Chang", schema="Person").score < DEFAULT_THRESHOLD


def test_ukrainian_h_is_not_applied_to_chinese_syllables() -> None:
    assert compare("Oleh VOLOSHYN", "Oleg VOLOSHYN", schema="Person").score >= 0.9
    assert compare("胡浩", "HU Gao", schema="Person").score < DEFAULT_THRESHOLD


def test_acronym_spelling_out_a_stripped_company() -> None:
    niopdc = compare("NIOPDC", "NATIONAL IRANIAN OIL PRODUCTS DISTRIBUTION COMPANY")
    assert niopdc.score >= DEFAULT_THRESHOLD
    assert niopdc.explanation["tokens"][0]["how"] == "acronym"


def test_state_enterprise_is_a_legal_form() -> None:
    result = compare("TSENTRKURORT", "STATE ENTERPRISE TSENTRKURORT")
    assert result.score >= 0.95
    assert result.explanation["legal_forms"]["candidate"] == ["state_enterprise"]
    ukrainian = compare("AGROFIRMA MAGARACH, DP", "DERZHAVNE PIDPRYEMSTVO AGROFIRMA MAGARACH")
    assert ukrainian.score >= 0.95
