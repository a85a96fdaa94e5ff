"""Russian names in the oblique cases are read back in the nominative before they are screened;
names already in the nominative (women's too, which look like men's genitives) are left alone."""

from __future__ import annotations

import pytest

from sanctrace.documents.inflection import is_patronymic, nominative


@pytest.mark.parametrize(
    ("written", "base"),
    [
        ("Андрея Игоревича Акимова", "Андрей Игоревич Акимов"),  # genitive
        ("Андрею Игоревичу Акимову", "Андрей Игоревич Акимов"),  # dative
        ("Андреем Игоревичем Акимовым", "Андрей Игоревич Акимов"),  # instrumental
        ("Андрее Игоревиче Акимове", "Андрей Игоревич Акимов"),  # prepositional
        ("Алишером Усмановым", "Алишер Усманов"),
        ("Дмитрия Пескова", "Дмитрий Песков"),
        ("Игоря Сечина", "Игорь Сечин"),
        ("Михаила Эдуардовича Осеевского", "Михаил Эдуардович Осеевский"),
        ("НОВОЖИЛОВА Виктора Феодосьевича", "НОВОЖИЛОВ Виктор Феодосьевич"),
        ("Анны Сергеевны Ивановой", "Анна Сергеевна Иванова"),
        ("Марией Петровной Вишневской", "Мария Петровна Вишневская"),
    ],
)
def test_an_oblique_case_is_read_in_the_nominative(written: str, base: str) -> None:
    assert nominative(written.split()) == base.split()


@pytest.mark.parametrize(
    "written",
    [
        "Андрей Игоревич Акимов",
        "Роман Абрамович",
        "Игорь Сечин",
        "Анжелика Владимировна Шубина",  # a woman's name in the nominative
        "Кира Артемовна Комарова",
        "Пестова Мария Валериевна",
        "Vladimir Putin",
        "Сечин",
        "Николаева Владимирова",  # two family names (a firm's name, or two women)
    ],
)
def test_a_name_in_the_nominative_is_left_as_written(written: str) -> None:
    assert nominative(written.split()) is None


@pytest.mark.parametrize(
    ("word", "patronymic"),
    [
        ("Владимировна", True),
        ("Игоревича", True),
        ("Vladimirovna", True),
        ("Igorevich", True),
        ("Абу", False),
        ("Ислам", False),
        ("Комарова", False),
    ],
)
def test_a_patronymic_is_told(word: str, patronymic: bool) -> None:
    assert is_patronymic(word) is patronymic
