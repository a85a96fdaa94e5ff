"""name_forms: tokens, org words, acronyms, weights, person order, and cross-script pairs."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from sanctrace.normalize import NameForm, acronym_of, name_forms, token_weight
from sanctrace.normalize.orgwords import canonical_token


def _first(name: str, schema: str | None = None) -> NameForm:
    return name_forms(name, schema)[0]


def _key_overlap(a: NameForm, b: NameForm) -> float:
    """Dice overlap of the phonetic keys of two forms."""
    rest = list(b.phonetic)
    common = 0
    for key in a.phonetic:
        if key in rest:
            rest.remove(key)
            common += 1
    return 2 * common / (len(a.phonetic) + len(b.phonetic))


def _best_overlap(a: str, b: str) -> float:
    return max(_key_overlap(fa, fb) for fa in name_forms(a) for fb in name_forms(b))


def _pairs(data_dir: Path) -> list[tuple[str, str]]:
    path = data_dir / "name_matching" / "watchman_cross_script_pairs.csv"
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if line and line[0] != "#"
    ]
    return [(row[0], row[1]) for row in csv.reader(lines)]


def test_cross_script_pairs(data_dir: Path) -> None:
    """Every pair of the cross-script file shares its phonetic keys in some pair of forms."""
    pairs = _pairs(data_dir)
    assert len(pairs) >= 20
    scores = {pair: _best_overlap(*pair) for pair in pairs}
    assert all(score == 1.0 for score in scores.values()), scores


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("华为技术有限公司", "Huawei Technologies Co., Ltd."),
        ("Алмаз-Антей", "Almaz-Antey"),
        ("Дмитрий Медведев", "Dmitry Medvedev"),
        ("Иван Иванов", "Ivan Ivanov"),
        ("Общество с ограниченной ответственностью НПК Аэрокон", "NPK AEROKON, OOO"),
        ("김정은", "Kim Jong-un"),
        ("Абдулла", "Abdullah"),
        ("Abd al-Rahman", "Abdulrahman"),
        ("عبد الرحمن", "Abdul Rahman"),
    ],
)
def test_more_pairs(a: str, b: str) -> None:
    assert _best_overlap(a, b) == 1.0


def test_huawei_forms_are_equal() -> None:
    chinese = _first("华为技术有限公司")
    english = _first("Huawei Technologies Co., Ltd.")
    assert chinese.tokens == english.tokens == ("huawei", "technology")
    assert chinese.legal_forms == english.legal_forms == ("co_ltd",)
    assert chinese.script == "han" and english.script == "latin"


def test_form_fields() -> None:
    form = _first('JOINT STOCK COMPANY "KALASHNIKOV CONCERN"', "Company")
    assert form.original == 'JOINT STOCK COMPANY "KALASHNIKOV CONCERN"'
    assert form.tokens == ("kalashnikov", "concern")
    assert form.legal_forms == ("jsc",)
    assert len(form.phonetic) == len(form.tokens)
    assert form.acronym == "kc"
    assert form.script == "latin"


@pytest.mark.parametrize(
    ("word", "canonical"),
    [
        ("zavod", "plant"),
        ("gruppa", "group"),
        ("technologies", "technology"),
        ("industries", "industry"),
        ("tekhnologii", "technology"),
        ("predpriyatiya", "enterprise"),  # genitive, by phonetic key
        ("holdings", "holding"),
        ("kupol", "kupol"),
        ("sistema", "sistema"),  # a brand (AFK Sistema), not "system"
        ("hongkong", "hongkong"),
    ],
)
def test_org_words(word: str, canonical: str) -> None:
    assert canonical_token(word) == canonical


def test_cyrillic_org_words_translate() -> None:
    assert _first("Ижевский электромеханический завод Купол").tokens[2] == "plant"
    assert _first("ГРУППА КОМПАНИЙ «АЛЬФА»").tokens == ("group", "company", "alfa")


def test_person_reordering() -> None:
    forms = name_forms("PUTIN, Vladimir Vladimirovich", "Person")
    assert [f.tokens for f in forms] == [
        ("putin", "vladimir", "vladimirovich"),
        ("vladimir", "vladimirovich", "putin"),
    ]
    assert all(f.acronyms == () for f in forms)
    assert len(name_forms("ANGLO-CARIBBEAN CO., LTD.", "Company")) == 1
    assert len(name_forms("ANGLO-CARIBBEAN CO., LTD.")) == 1


def test_acronyms_both_ways() -> None:
    ibm = _first("International Business Machines Corporation", "Company")
    assert ibm.acronym == "ibm"
    assert "ibm" in ibm.acronyms
    english = _first("JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL", "Company")
    russian = _first("Izhevskiy Elektromekhanicheskiy Zavod Kupol", "Company")
    cyrillic = _first("АО «Ижевский электромеханический завод «Купол»", "Company")
    short = _first("IEMZ Kupol", "Company")
    assert russian.acronym == "iezk"
    for form in (english, russian, cyrillic):
        assert "iemz" in form.acronyms, form
    assert short.tokens[0] == "iemz"
    assert acronym_of(["bank", "of", "america"]) == "ba"
    assert acronym_of(["gazprom"]) is None


def test_kupol_names_are_real(sdn_text: str) -> None:
    assert "JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL" in sdn_text


@pytest.mark.parametrize(
    ("token", "low", "high"),
    [
        ("kalashnikov", 1.0, 1.0),
        ("company", 0.2, 0.4),
        ("group", 0.2, 0.4),
        ("plant", 0.2, 0.4),
        ("technology", 0.2, 0.4),
        ("international", 0.2, 0.4),
        ("al", 0.15, 0.25),
        ("bin", 0.15, 0.25),
        ("van", 0.15, 0.25),
        ("j", 0.0, 0.4),
        ("of", 0.0, 0.15),
        ("", 0.0, 0.0),
    ],
)
def test_token_weight(token: str, low: float, high: float) -> None:
    assert low <= token_weight(token) <= high


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "!!!", "«»", "\x00\x01", "🙂🙂"])
def test_garbage_gives_nothing(name: str) -> None:
    assert name_forms(name) == []


def test_speed_on_sdn(data_dir: Path) -> None:
    """Every SDN name normalises without error and fast (the index builds from all lists)."""
    from sanctrace.normalize import forms as forms_module
    from sanctrace.sources import parse_files

    parsed = parse_files([data_dir / "ofac_sdn" / "2024-05-03" / "sdn.csv"])
    names = [(n.value, e.schema) for e in parsed.entities for n in e.names]
    forms_module._name_forms.cache_clear()
    start = time.perf_counter()
    produced = sum(len(name_forms(value, schema)) for value, schema in names)
    elapsed = time.perf_counter() - start
    assert produced >= len(names)
    # Measured ~35,000 names/s; the bound leaves room for slow CI machines.
    assert len(names) / elapsed > 5_000
