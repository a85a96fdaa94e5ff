"""Russian names in running text take case endings (Андрея Игоревича Акимова, с Алишером
Усмановым) that the lists never write and the screener's index does not propose: a person's
name is read back in the nominative before it is screened. Pure functions, no dictionary: the
endings of given names, patronymics and family names, decided for the whole name at once."""

from __future__ import annotations

import re

#: A patronymic in an oblique case, masculine (-ича, -ичу, -ичем, -иче) or feminine (-ны, -не,
#: -ной, -ну): the case and gender of the whole name.
_PATRONYMIC = re.compile(r"^(.+(?:ович|евич|ич))(а|у|ем|е)$|^(.+(?:овн|евн|ичн))(ы|е|ой|у)$")
#: Endings of masculine family names in the oblique cases, longest first, and the nominative.
_MALE_FAMILY = (
    ("ского", "ский"), ("скому", "ский"), ("ским", "ский"), ("ском", "ский"),
    ("цкого", "цкий"), ("цкому", "цкий"), ("цким", "цкий"), ("цком", "цкий"),
    ("ова", "ов"), ("ову", "ов"), ("овым", "ов"), ("ове", "ов"),
    ("ева", "ев"), ("еву", "ев"), ("евым", "ев"), ("еве", "ев"),
    ("ёва", "ёв"), ("ёву", "ёв"), ("ёвым", "ёв"),
    ("ина", "ин"), ("ину", "ин"), ("иным", "ин"), ("ине", "ин"),
    ("ына", "ын"), ("ыну", "ын"), ("ыным", "ын"),
)  # fmt: skip
#: ... of feminine ones (Акимовой, Ивановой, Вишневской).
_FEMALE_FAMILY = (
    ("ской", "ская"), ("скую", "ская"), ("цкой", "цкая"), ("цкую", "цкая"),
    ("овой", "ова"), ("еву", "ева"), ("евой", "ева"), ("ову", "ова"),
    ("иной", "ина"), ("ину", "ина"), ("ыной", "ына"),
)  # fmt: skip
#: Masculine given names in the oblique cases: Андрея, Андрею, Андреем (Андрей), Игоря
#: (Игорь), Ивана, Ивану, Иваном (Иван), Алишером (Алишер).
_MALE_GIVEN = (
    ("ием", "ий"), ("ия", "ий"), ("ию", "ий"), ("ии", "ий"),
    ("еем", "ей"), ("ея", "ей"), ("ею", "ей"), ("ее", "ей"),
    ("аем", "ай"), ("ая", "ай"), ("аю", "ай"),
    ("ем", "ь"), ("я", "ь"), ("ю", "ь"),
    ("ом", ""), ("а", ""), ("у", ""), ("е", ""),
)  # fmt: skip
#: Feminine given names: Анны, Анне, Анной, Анну (Анна), Марии, Марией, Марию (Мария), Ольги
#: (Ольга).
_FEMALE_GIVEN = (
    ("ии", "ия"), ("ией", "ия"), ("ию", "ия"),
    ("ой", "а"), ("ей", "я"), ("ы", "а"), ("у", "а"), ("ю", "я"), ("е", "а"), ("и", "а"),
)  # fmt: skip
#: A patronymic in the nominative (Игоревич, Владимировна, Ильинична): the name is as listed.
_NOMINATIVE_PATRONYMIC = re.compile(r"(?:вич|ьич|овна|евна|ична|инична)$")
_CYRILLIC_WORD = re.compile(r"[А-Яа-яЁё]+")
_VOWELS = "аеёиоуыэюя"


def nominative(words: list[str]) -> list[str] | None:
    """The words of a Cyrillic person's name in the nominative, when its patronymic (or, without
    one, every word's ending together) shows an oblique case; None when nothing shows one (the
    name is read as written). Андрея Игоревича Акимова -> Андрей Игоревич Акимов; Анны
    Сергеевны Ивановой -> Анна Сергеевна Иванова; Алишером Усмановым -> Алишер Усманов."""
    if len(words) < 2 or not all(_CYRILLIC_WORD.fullmatch(w) for w in words):
        return None
    if any(_NOMINATIVE_PATRONYMIC.search(w.lower()) for w in words):
        return None
    gender = None
    for word in words:
        m = _PATRONYMIC.match(word.lower())
        if m:
            gender = "male" if m.group(1) else "female"
            break
    if gender is None:
        # No patronymic: a masculine name whose every word ends in an oblique case (Алексея
        # Ситникова, Алишером Усмановым); a feminine one is too like its nominative to tell.
        # One of them a given name, not a family name (Николаева Владимирова may be two
        # women's family names, or a firm's).
        males = [_male(w) for w in words]
        if any(r is None for r in males) or all(_male_family(w) for w in words):
            return None
        return [r for r in males if r is not None]
    out: list[str] = []
    for word in words:
        base = _male(word) if gender == "male" else _female(word)
        out.append(word if base is None else base)
    return out if out != words else None


#: A patronymic in Latin letters, in any case (Igorevich, Vladimirovna, Igorevicha).
_LATIN_PATRONYMIC = re.compile(r"(?:ovich|evich|ovna|evna|ichna)[a-z]{0,3}$", re.IGNORECASE)


def is_patronymic(word: str) -> bool:
    """A patronymic, in the nominative or another case, in Cyrillic or Latin letters: never the
    first word of a name as written (a given name stands before it)."""
    low = word.lower()
    return bool(
        _NOMINATIVE_PATRONYMIC.search(low)
        or _PATRONYMIC.match(low)
        or _LATIN_PATRONYMIC.search(word)
    )


def _male(word: str) -> str | None:
    """A masculine given name, patronymic or family name in an oblique case, in the nominative
    (as written in capitals if it was), or None."""
    low = word.lower()
    m = _PATRONYMIC.match(low)
    if m and m.group(1):
        return _cased(word, m.group(1))
    return _male_family(word) or _strip(word, _MALE_GIVEN)


def _male_family(word: str) -> str | None:
    """A masculine family name in an oblique case (Акимова, Осеевского), in the nominative."""
    return _strip(word, _MALE_FAMILY)


def _strip(word: str, endings: tuple[tuple[str, str], ...]) -> str | None:
    low = word.lower()
    for ending, base in endings:
        stem = low[: -len(ending)]
        if low.endswith(ending) and len(stem) >= 2 and (base or stem[-1] not in _VOWELS):
            return _cased(word, stem + base)
    return None


def _female(word: str) -> str | None:
    low = word.lower()
    m = _PATRONYMIC.match(low)
    if m and m.group(3):
        return _cased(word, m.group(3) + "а")
    for table in (_FEMALE_FAMILY, _FEMALE_GIVEN):
        for ending, base in table:
            stem = low[: -len(ending)]
            if low.endswith(ending) and len(stem) >= 2:
                return _cased(word, stem + base)
    return None


def _cased(written: str, base: str) -> str:
    """``base`` in the case the word was written in: Акимов, АКИМОВ."""
    if written.isupper():
        return base.upper()
    return base[:1].upper() + base[1:] if written[:1].isupper() else base
