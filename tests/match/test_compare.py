"""Name-against-name scoring, on the cases where open-source matchers are known to fail."""

from __future__ import annotations

from sanctrace import compare
from sanctrace.match import DEFAULT_THRESHOLD


def test_spelling_variants_of_a_person_match() -> None:
    assert compare("Jon Smith", "John Smith", schema="Person").score >= DEFAULT_THRESHOLD


def test_reversed_person_names_match_but_different_people_do_not() -> None:
    assert compare("SMITH, John", "John Smith", schema="Person").score >= 0.95
    assert compare("John Smith", "John Miller", schema="Person").score < DEFAULT_THRESHOLD


def test_separated_initials_do_not_match_anything() -> None:
    assert compare("J. S.", "John Smith", schema="Person").score < DEFAULT_THRESHOLD
    assert compare("J. Smith", "John Smith", schema="Person").score >= 0.75


def test_acronym_both_ways() -> None:
    assert compare("IBM", "International Business Machines").score >= DEFAULT_THRESHOLD
    assert compare("International Business Machines", "IBM").score >= DEFAULT_THRESHOLD


def test_legal_form_alone_is_never_the_match() -> None:
    assert compare("CORP", "ACME CORP").score < 0.5
    assert compare("LLC", "OOO").score == 0.0
    acme = compare("ACME LLC", "ACME Limited Liability Company")
    assert acme.score >= 0.95
    assert acme.explanation["legal_forms"] == {"query": ["llc"], "candidate": ["llc"]}


def test_cyrillic_and_latin_forms_of_an_sdn_company() -> None:
    assert compare("Алмаз-Антей", "ALMAZ-ANTEY").score >= DEFAULT_THRESHOLD
    assert (
        compare("ООО Аэрокон", "OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU AEROKON").score >= 0.9
    )


def test_chinese_and_korean_names() -> None:
    assert compare("华为技术有限公司", "Huawei Technologies Co., Ltd.").score >= DEFAULT_THRESHOLD
    assert compare("김정은", "Kim Jong Un", schema="Person").score >= DEFAULT_THRESHOLD


def test_explanation_names_each_token_link() -> None:
    result = compare("Kalashnikov Concern", "KALASHNIKOV CONCERN JSC")
    links = {(t["query"], t["candidate"], t["how"]) for t in result.explanation["tokens"]}
    assert ("kalashnikov", "kalashnikov", "exact") in links


def test_garbage_gets_a_clear_zero() -> None:
    result = compare("   ", "John Smith", schema="Person")
    assert result.score == 0.0 and "reason" in result.explanation


def test_words_written_joined_or_apart() -> None:
    result = compare("KARIMIADEGANI, Afsaneh", "KARIMI-ADEGANI, Afsaneh", schema="Person")
    assert result.score >= 0.9
    assert any(t["how"] == "joined" for t in result.explanation["tokens"])


def test_short_form_inside_a_long_name() -> None:
    long_name = "AL-HOUTHI, Abdul Malik Badruddin Ameerudin Hussain"
    short_form = compare(long_name, "AL HOUTHI, Abdul Malik", schema="Person")
    assert short_form.score >= 0.7
    assert short_form.explanation["unmatched_query_tokens"] == ["badruddin", "ameerudin", "hussain"]
    # ... but a two-syllable Korean name is not the short form of a three-syllable one
    assert compare("김성민", "KIM, Song", schema="Person").score < DEFAULT_THRESHOLD


def test_korean_syllable_order_matters() -> None:
    assert compare("김정은", "KIM, Jong Un", schema="Person").score >= 0.95
    assert compare("김은정", "KIM, Jong Un", schema="Person").score < DEFAULT_THRESHOLD


def test_transliteration_vowels_across_scripts() -> None:
    assert compare("박지성", "Park Ji Sung", schema="Person").score >= DEFAULT_THRESHOLD
    assert compare("김성민", "KIM, Sang Man", schema="Person").score < DEFAULT_THRESHOLD
    assert compare("محمد علي", "Mohamed Ali", schema="Person").score >= DEFAULT_THRESHOLD


def test_one_near_miss_word_is_not_a_name_match() -> None:
    assert compare("Renner", "RENERA").score < DEFAULT_THRESHOLD
    assert compare("Heß AG", "HESA").score < DEFAULT_THRESHOLD
    assert compare("Gazprom", "GAZPROM").score == 1.0


def test_pinyin_is_one_standard() -> None:
    assert compare("萧凤英", "XIA, Fengbing", schema="Person").score < DEFAULT_THRESHOLD
    assert compare("习近平", "Xi Jinping", schema="Person").score >= 0.95


def test_one_word_inside_a_longer_company_name_is_weaker() -> None:
    inside = compare("Rey", "REY INVESTMENT COMPANY").score
    whole = compare("Rey Investment", "REY INVESTMENT COMPANY").score
    assert inside < DEFAULT_THRESHOLD <= whole


def test_a_one_letter_korean_surname_is_a_name() -> None:
    assert compare("이유진", "YU, Jin", schema="Person").score < DEFAULT_THRESHOLD
    assert compare("이민호", "Lee Min Ho", schema="Person").score >= 0.95


def test_words_that_name_a_kind_of_body_weigh_little() -> None:
    assert compare("IZZ AL-DIN AL QASSAM FORCES", "IZZ AL-DIN AL QASSAM BRIGADES").score >= 0.8
    assert compare("SHAM AL-ISLAM MOVEMENT", "SHAM AL-ISLAM").score >= 0.9
