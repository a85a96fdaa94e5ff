"""Legal forms as the real lists write them."""

from __future__ import annotations

import pytest

from sanctrace.normalize import LEGAL_FORMS, latinize, name_forms, strip_legal_forms


def _strip(name: str) -> tuple[list[str], list[str]]:
    return strip_legal_forms(latinize(name)[0].split())


@pytest.mark.parametrize(
    ("name", "tokens", "codes"),
    [
        # OFAC SDN 2024-05-03, as written there
        ("OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU NPK AEROKON", ["npk", "aerokon"], ["llc"]),
        ("AEROKON, OOO", ["aerokon"], ["llc"]),
        ('JOINT STOCK COMPANY "KALASHNIKOV CONCERN"', ["kalashnikov", "concern"], ["jsc"]),
        ("AKTSIONERNOE OBSHCHESTVO SG-DEVELOPMENT", ["sg", "development"], ["jsc"]),
        ("AKTSIONERNOYE OBSHCHESTVO PASIT", ["pasit"], ["jsc"]),
        ("OPEN JOINT STOCK COMPANY MUROMTEPLOVOZ", ["muromteplovoz"], ["ojsc"]),
        (
            "KONSTRUKTORSKOE BYURO PRIBOROSTROENIYA OTKRYTOE AKTSIONERNOE OBSHCHESTVO",
            ["konstruktorskoe", "byuro", "priborostroeniya"],
            ["ojsc"],
        ),
        ("ANGLO-CARIBBEAN CO., LTD.", ["anglo", "caribbean"], ["co_ltd"]),
        ("CECOEX, S.A.", ["cecoex"], ["sa"]),
        ("AUDITKONSALT OOO", ["auditkonsalt"], ["llc"]),
        ("COMERCIALIZADORA EMPRESARIAL TEAM BUSINESS S.A.", None, ["sa"]),
        # spelling variants of the Russian phrase
        ("Obshchestvo s Ogranichennoy Otvetstvennostyu Vector", ["vector"], ["llc"]),
        ("Obschestvo s Ogranichennoj Otvetstvennostiu Vector", ["vector"], ["llc"]),
        # other scripts
        ("ООО «Рога и копыта»", ["roga", "i", "kopyta"], ["llc"]),
        ("Общество с ограниченной ответственностью Вектор", ["vektor"], ["llc"]),
        ("АКЦИОНЕРНОЕ ОБЩЕСТВО «КОНЦЕРН»", ["kontsern"], ["jsc"]),
        ("ПАО Сбербанк", ["sberbank"], ["pjsc"]),
        ("华为技术有限公司", ["huawei", "jishu"], ["co_ltd"]),
        ("삼성전자 주식회사", ["samseong", "jeonja"], ["co_ltd"]),
        ("Huawei Technologies Co., Ltd.", ["huawei", "technologies"], ["co_ltd"]),
        ("ABC GmbH & Co. KG", ["abc"], ["gmbh_co_kg"]),
        ("Demir Ticaret Ltd. Şti.", ["demir", "ticaret"], ["ltd_sti"]),
        ("Gulf Star FZE", ["gulf", "star"], ["fze"]),
        ("Gulf Star FZ-LLC", ["gulf", "star"], ["fz_llc"]),
        ("Petro Trading DMCC", ["petro", "trading"], ["dmcc"]),
        ("Ocean Link Pte. Ltd.", ["ocean", "link"], ["pte_ltd"]),
        ("Mega Sdn. Bhd.", ["mega"], ["sdn_bhd"]),
        ("Ford Motor Company", ["ford", "motor"], ["co"]),
    ],
)
def test_strip(name: str, tokens: list[str] | None, codes: list[str]) -> None:
    got_tokens, got_codes = _strip(name)
    if tokens is not None:
        assert got_tokens == tokens
    assert got_codes == codes


def test_sdn_examples_are_real(sdn_text: str) -> None:
    for name in (
        "OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU NPK AEROKON",
        "AKTSIONERNOE OBSHCHESTVO SG-DEVELOPMENT",
        "OPEN JOINT STOCK COMPANY MUROMTEPLOVOZ",
        "ANGLO-CARIBBEAN CO., LTD.",
        "AUDITKONSALT OOO",
    ):
        assert name in sdn_text


@pytest.mark.parametrize(
    "name",
    ["PAO YU YI", "SAO PAULO TRADING", "AO SHAN TRADING", "JOSE SA PEREIRA", "MAO ZEDONG"],
)
def test_short_forms_only_at_edges(name: str) -> None:
    """Ambiguous short forms (AO, SA, PAO) are removed at the edges only, and never from persons."""
    tokens, _ = _strip(name)
    assert len(tokens) >= len(name.split()) - 1
    (form,) = name_forms(name, "Person")
    assert form.legal_forms == ()
    assert len(form.tokens) == len(name.split())


def test_legal_form_alone_is_kept_as_name() -> None:
    assert strip_legal_forms(["limited"]) == (["limited"], [])
    assert strip_legal_forms([]) == ([], [])


def test_every_surface_form_is_recognised() -> None:
    """Every form is recognised at the end of a name; the ones that are name words too (AK)
    only before a quoted name, or beside another legal form."""
    for surface, code in LEGAL_FORMS.items():
        for latin in latinize(surface):
            _, codes = strip_legal_forms(["acme", *latin.split()])
            _, quoted = strip_legal_forms([*latin.split(), "acme"], quoted_name=True)
            _, beside = strip_legal_forms([*latin.split(), "acme", "ooo"])
            assert code in codes or (code in quoted and code in beside), (surface, latin, codes)


@pytest.mark.parametrize(
    ("name", "tokens", "codes"),
    [
        # AK (акционерная компания) beside another form or a quoted name is a legal form ...
        ("«АК «АЛРОСА» (ПАО)»", ("alrosa",), ("jsc", "pjsc")),
        ("АК «АЛРОСА»", ("alrosa",), ("jsc",)),
        ("(ПАО) АК „АЛРОСА“", ("alrosa",), ("pjsc", "jsc")),
        ("“АЛРОСА” (АҚ)", ("alrosa",), ("jsc",)),
        ("AK TRANSNEFT OAO", ("transneft",), ("jsc", "ojsc")),  # us_ofac_cons
        ("AKTSIONERNAYA KOMPANIYA PO TRANSPORTU NEFTI TRANSNEFT PAO", None, ("jsc", "pjsc")),
        # ... and a name word (Tatar, Kazakh: white) otherwise, as the lists write them
        ("AK BARS BANK", ("ak", "bars", "bank"), ()),
        ("AK MICROTECH", ("ak", "microtech"), ()),
        ("LIMITED LIABILITY COMPANY AK MICROTECH", ("ak", "microtech"), ("llc",)),
        ("Акционерное общество Судостроительная Корпорация «Ак Барс»", None, ("jsc",)),
        # the other short forms of Russia, Ukraine, Kazakhstan and Belarus
        ("МУП «Водоканал»", ("vodokanal",), ("mue",)),
        ("ТОВ «Вектор»", ("vektor",), ("llc",)),
        ("ТзОВ «Вектор»", ("vektor",), ("llc",)),
        ("ПрАТ «Вектор»", ("vektor",), ("cjsc",)),
        ("ЖШС «Вектор»", ("vektor",), ("llc",)),
        ("OOO'VEKTOR'", ("vektor",), ("llc",)),
        # letters with dots
        ("О.О.О. «Вектор»", ("vektor",), ("llc",)),
        ("VEKTOR, Z.A.O.", ("vektor",), ("cjsc",)),
        ("A. B. Vektor", ("a", "b", "vektor"), ()),
    ],
)
def test_ak_and_short_forms(
    name: str, tokens: tuple[str, ...] | None, codes: tuple[str, ...]
) -> None:
    form = name_forms(name)[0]
    if tokens is not None:
        assert form.tokens == tokens
    assert form.legal_forms == codes


def test_ak_bars_stays_in_the_listed_names(sdn_text: str) -> None:
    for name in ("AK BARS", "AK MICROTECH", "AK SYSTEMS"):
        assert name in sdn_text


def test_han_readings_are_what_the_transliterator_reads() -> None:
    """The spelled-out readings of Han legal forms (kept so start-up skips pypinyin) cover every
    Han form in the table and say what latinizing the form itself says."""
    from sanctrace.normalize.legal_forms import HAN_READINGS, LEGAL_FORMS
    from sanctrace.normalize.text import fold
    from sanctrace.normalize.translit import latinize_folded

    han = {s for s in LEGAL_FORMS if any("\u3400" <= c <= "\u9fff" for c in s)}
    assert han == set(HAN_READINGS)
    for surface, readings in HAN_READINGS.items():
        assert readings == latinize_folded(fold(surface)), surface
