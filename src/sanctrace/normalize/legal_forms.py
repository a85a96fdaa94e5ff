"""Legal-form designations (LLC, ООО, 有限公司, GmbH …) and their removal from a token list.

A company is listed as "OOO NPK AEROKON" by one authority and "Limited Liability Company NPK
Aerokon" by another; the legal form says little about identity and much about the language of the
list, so the matcher compares names without it and keeps the canonical code on the side.

Surface forms are written here the way people write them, in any script; at import each is run
through the same folding and romanisation as names, so "ООО", "O.O.O." and "ooo" are one entry.
Words of five letters or more are compared by phonetic key, which makes the many romanisations of
the Russian phrases ("obshchestvo s ogranichennoi/ogranichennoy/ogranichennoj otvetstvennostyu")
one entry too.

Short or ambiguous designations (AO, SA, AG, Co, PT …) are removed only at the start or end of a
name, where they sit when they are legal forms; multi-word phrases and unmistakable ones (LLC, OOO,
GmbH, PJSC …) are removed anywhere. A few are also common name words (Kazakh and Tatar "ak",
white: AK BARS, AK MICROTECH): those are legal forms only beside another legal form (АК
«АЛРОСА» (ПАО), AK TRANSNEFT OAO) or before a quoted name (АК «АЛРОСА»).
"""

from __future__ import annotations

import re
from functools import lru_cache

from sanctrace.normalize.phonetic import phonetic_key
from sanctrace.normalize.text import fold
from sanctrace.normalize.translit import latinize_folded

#: Surface form -> canonical code. Keys are written naturally; see the module docstring.
LEGAL_FORMS: dict[str, str] = {
    # limited liability company
    "LLC": "llc",
    "L.L.C.": "llc",
    "Limited Liability Company": "llc",
    "Limited Liability Co": "llc",
    "Ltd Liability Co": "llc",
    "OOO": "llc",
    "ООО": "llc",
    "Obshchestvo s Ogranichennoy Otvetstvennostyu": "llc",
    "Общество с ограниченной ответственностью": "llc",
    "TOO": "llc",
    "ТОО": "llc",
    "Tovarishchestvo s Ogranichennoy Otvetstvennostyu": "llc",
    "Товарищество с ограниченной ответственностью": "llc",
    "TOV": "llc",
    "ТОВ": "llc",
    "ТзОВ": "llc",
    "Товариство з обмеженою відповідальністю": "llc",
    "MChJ": "llc",
    "Mas'uliyati cheklangan jamiyat": "llc",
    "Godo Kaisha": "llc",
    "合同会社": "llc",
    "Yuhan Chaegim Hoesa": "llc",
    "유한책임회사": "llc",
    "ЖШС": "llc",
    "Жауапкершілігі шектеулі серіктестік": "llc",
    "Sp. z o.o.": "sp_zoo",
    "Spolka z ograniczona odpowiedzialnoscia": "sp_zoo",
    # joint-stock companies
    "JSC": "jsc",
    "Joint Stock Company": "jsc",
    "Joint-Stock Company": "jsc",
    "AO": "jsc",
    "АО": "jsc",
    "Aktsionernoe Obshchestvo": "jsc",
    "Акционерное общество": "jsc",
    "НАО": "jsc",
    "NAO": "jsc",
    "Aktsionernaya Kompaniya": "jsc",
    "Акционерная компания": "jsc",
    "AK": "jsc",
    "АК": "jsc",
    "АҚ": "jsc",
    "Акционерлік қоғам": "jsc",
    "Непубличное акционерное общество": "jsc",
    "AT": "jsc",
    "Акціонерне товариство": "jsc",
    "PJSC": "pjsc",
    "Public Joint Stock Company": "pjsc",
    "PAO": "pjsc",
    "ПАО": "pjsc",
    "Publichnoe Aktsionernoe Obshchestvo": "pjsc",
    "Публичное акционерное общество": "pjsc",
    "ПАТ": "pjsc",
    "PAT": "pjsc",
    "Публічне акціонерне товариство": "pjsc",
    "CJSC": "cjsc",
    "Closed Joint Stock Company": "cjsc",
    "ZAO": "cjsc",
    "ЗАО": "cjsc",
    "Zakrytoe Aktsionernoe Obshchestvo": "cjsc",
    "Закрытое акционерное общество": "cjsc",
    "ПрАТ": "cjsc",
    "PrAT": "cjsc",
    "Private Joint Stock Company": "cjsc",
    "Приватне акціонерне товариство": "cjsc",
    "OJSC": "ojsc",
    "Open Joint Stock Company": "ojsc",
    "OAO": "ojsc",
    "ОАО": "ojsc",
    "Otkrytoe Aktsionernoe Obshchestvo": "ojsc",
    "Открытое акционерное общество": "ojsc",
    "ВАТ": "ojsc",
    "VAT": "ojsc",
    "Відкрите акціонерне товариство": "ojsc",
    # Belarusian
    "ААТ": "ojsc",
    "Адкрытае акцыянернае таварыства": "ojsc",
    "ЗАТ": "cjsc",
    "Закрытае акцыянернае таварыства": "cjsc",
    "ТАА": "llc",
    "Таварыства з абмежаванай адказнасцю": "llc",
    # state enterprises
    "FGUP": "fsue",
    "ФГУП": "fsue",
    "Federal State Unitary Enterprise": "fsue",
    "Federalnoe Gosudarstvennoe Unitarnoe Predpriyatie": "fsue",
    "Федеральное государственное унитарное предприятие": "fsue",
    "GUP": "sue",
    "ГУП": "sue",
    "State Unitary Enterprise": "sue",
    "Gosudarstvennoe Unitarnoe Predpriyatie": "sue",
    "Государственное унитарное предприятие": "sue",
    "MUP": "mue",
    "МУП": "mue",
    "Municipal Unitary Enterprise": "mue",
    "Munitsipalnoe Unitarnoe Predpriyatie": "mue",
    "Муниципальное унитарное предприятие": "mue",
    "State Enterprise": "state_enterprise",
    "Derzhavne Pidpryiemstvo": "state_enterprise",
    "Derzhavne Pidpryemstvo": "state_enterprise",
    "Державне підприємство": "state_enterprise",
    "Gosudarstvennoe Predpriyatie": "state_enterprise",
    "Государственное предприятие": "state_enterprise",
    "DP": "state_enterprise",
    "ДП": "state_enterprise",
    # East Asia
    "Co., Ltd.": "co_ltd",
    "Co. Limited": "co_ltd",
    "Company Limited": "co_ltd",
    "Company Ltd": "co_ltd",
    "有限公司": "co_ltd",
    "有限责任公司": "co_ltd",
    "有限責任公司": "co_ltd",
    "股份有限公司": "co_ltd",
    "Youxian Gongsi": "co_ltd",
    "Youxian Zeren Gongsi": "co_ltd",
    "Gufen Youxian Gongsi": "co_ltd",
    "株式会社": "co_ltd",
    "Kabushiki Kaisha": "co_ltd",
    "Kabushikigaisha": "co_ltd",
    "K.K.": "co_ltd",
    "주식회사": "co_ltd",
    "Jusik Hoesa": "co_ltd",
    "Jusikhoesa": "co_ltd",
    "Chusik Hoesa": "co_ltd",
    "有限会社": "ltd",
    "Yugen Kaisha": "ltd",
    "유한회사": "ltd",
    "Yuhan Hoesa": "ltd",
    "Pte Ltd": "pte_ltd",
    "Pte. Limited": "pte_ltd",
    "Private Limited": "pvt_ltd",
    "Pvt Ltd": "pvt_ltd",
    "Pvt. Limited": "pvt_ltd",
    "Pty Ltd": "pty_ltd",
    "Proprietary Limited": "pty_ltd",
    "Sdn Bhd": "sdn_bhd",
    "Sendirian Berhad": "sdn_bhd",
    "Bhd": "bhd",
    "Berhad": "bhd",
    "PT": "pt",
    "Perseroan Terbatas": "pt",
    "Tbk": "tbk",
    # English-speaking
    "Ltd": "ltd",
    "Limited": "ltd",
    "Inc": "inc",
    "Incorporated": "inc",
    "Corp": "corp",
    "Corporation": "corp",
    "Co": "co",
    "Company": "co",
    "LLP": "llp",
    "Limited Liability Partnership": "llp",
    "LP": "lp",
    "Limited Partnership": "lp",
    "PLC": "plc",
    "Public Limited Company": "plc",
    "W.L.L.": "wll",
    "With Limited Liability": "wll",
    # Gulf free zones
    "FZE": "fze",
    "Free Zone Establishment": "fze",
    "FZCO": "fzco",
    "Free Zone Company": "fzco",
    "FZ-LLC": "fz_llc",
    "FZC": "fzc",
    "DMCC": "dmcc",
    # continental Europe, Latin America, Turkey
    "GmbH": "gmbh",
    "Gesellschaft mit beschränkter Haftung": "gmbh",
    "GmbH & Co. KG": "gmbh_co_kg",
    "AG": "ag",
    "Aktiengesellschaft": "ag",
    "KG": "kg",
    "Kommanditgesellschaft": "kg",
    "SARL": "sarl",
    "S.A.R.L.": "sarl",
    "Société à responsabilité limitée": "sarl",
    "S.A.": "sa",
    "Société Anonyme": "sa",
    "Sociedad Anónima": "sa",
    "S.A. de C.V.": "sa_de_cv",
    "SAS": "sas",
    "S.A.S.": "sas",
    "S.A.C.": "sac",
    "C.A.": "ca",
    "Compañía Anónima": "ca",
    "SRL": "srl",
    "S.R.L.": "srl",
    "S. de R.L.": "srl",
    "Sociedad de Responsabilidad Limitada": "srl",
    "Ltda": "ltda",
    "SpA": "spa",
    "S.p.A.": "spa",
    "Società per azioni": "spa",
    "BV": "bv",
    "B.V.": "bv",
    "Besloten Vennootschap": "bv",
    "NV": "nv",
    "N.V.": "nv",
    "Naamloze Vennootschap": "nv",
    "A.Ş.": "as",
    "Anonim Şirketi": "as",
    "AS": "as",
    "ASA": "asa",
    "Ltd. Şti.": "ltd_sti",
    "Limited Şirketi": "ltd_sti",
    "Şti": "ltd_sti",
    "AB": "ab",
    "Aktiebolag": "ab",
    "Oy": "oy",
    "ApS": "aps",
    "s.r.o.": "sro",
    "d.o.o.": "doo",
    "OOD": "ood",
    "EOOD": "eood",
    "Kft": "kft",
    "Zrt": "zrt",
}

#: Single-word forms that are never part of a name, so they may be removed anywhere in it.
_ANYWHERE_SINGLE = frozenset(
    [
        "llc",
        "ooo",
        "jsc",
        "pjsc",
        "cjsc",
        "ojsc",
        "gmbh",
        "ltd",
        "limited",
        "inc",
        "incorporated",
        "plc",
        "fze",
        "fzco",
        "dmcc",
        "sarl",
        "llp",
        "fgup",
        "fsue",
        "oao",
        "zao",
    ]
)


#: Legal forms that are also name words: removed only at the name's own start or end, beside
#: another legal form or before a quoted name (see the module docstring).
_COMPANIONS = frozenset({"ak", "aq"})
_COMPANION_WORDS = "ак|ak|ақ|aq"
_OPENING = "«\"„“”‹‘’'‚"
_CLOSING = "»\"“”›’‘'"
#: One of those words before an opening quote or after a closing one: АК «АЛРОСА», «X» (АҚ).
_BESIDE_QUOTES = re.compile(
    f"(?:^|\\W)(?:{_COMPANION_WORDS})\\s*[{_OPENING}]|[{_CLOSING}]\\W*(?:{_COMPANION_WORDS})\\W*$",
    re.IGNORECASE,
)


def names_a_quoted_party(text: str) -> bool:
    """Whether a word that can be a legal form or a name word (AK) stands beside a quoted name
    in ``text`` as written, which makes it the legal form."""
    return _BESIDE_QUOTES.search(text) is not None


def _match_key(token: str) -> str:
    """Exact for short tokens, phonetic for long ones (where spelling variants live)."""
    return token if len(token) < 5 else "~" + phonetic_key(token)


#: The readings of the legal forms written in Han characters, spelled out so that building the
#: table does not load pypinyin's dictionaries (150 ms on every start of the command line);
#: tests/normalize/test_legal_forms.py checks them against the transliterator.
HAN_READINGS: dict[str, tuple[str, ...]] = {
    "合同会社": ("godo kaisha",),
    "有限公司": ("youxian gongsi",),
    "有限责任公司": ("youxian zeren gongsi",),
    "有限責任公司": ("youxian zeren gongsi",),
    "股份有限公司": ("gufen youxian gongsi",),
    "株式会社": ("kabushiki kaisha",),
    "有限会社": ("yugen kaisha",),
}


def _build() -> tuple[dict[tuple[str, ...], tuple[str, bool]], int]:
    table: dict[tuple[str, ...], tuple[str, bool]] = {}
    for surface, code in LEGAL_FORMS.items():
        for form in HAN_READINGS.get(surface) or latinize_folded(fold(surface)):
            tokens = form.split()
            if not tokens:
                continue
            anywhere = (
                tokens[0] in _ANYWHERE_SINGLE
                if len(tokens) == 1
                else any(len(t) >= 3 for t in tokens)
            )
            key = tuple(_match_key(t) for t in tokens)
            previous = table.get(key)
            table[key] = (code, anywhere or (previous[1] if previous else False))
    return table, max(len(k) for k in table)


_PHRASES, _LONGEST = _build()
_FIRST = frozenset(k[0] for k in _PHRASES)
_LAST = frozenset(k[-1] for k in _PHRASES)


def _keys(tokens: list[str]) -> list[str]:
    return [_match_key(t) for t in tokens]


def _phrase(keys: list[str], start: int, stop: int, companions: bool) -> tuple[str, bool] | None:
    if not companions and stop - start == 1 and keys[start] in _COMPANIONS:
        return None
    return _PHRASES.get(tuple(keys[start:stop]))


def _longest_at(
    keys: list[str], start: int, stop: int, companions: bool
) -> tuple[int, str, bool] | None:
    for size in range(min(_LONGEST, stop - start), 0, -1):
        hit = _phrase(keys, start, start + size, companions)
        if hit is not None:
            return size, hit[0], hit[1]
    return None


def _longest_ending(keys: list[str], stop: int, companions: bool) -> tuple[int, str] | None:
    for size in range(min(_LONGEST, stop), 0, -1):
        hit = _phrase(keys, stop - size, stop, companions)
        if hit is not None:
            return size, hit[0]
    return None


def strip_legal_forms(
    tokens: list[str] | tuple[str, ...], quoted_name: bool = False
) -> tuple[list[str], list[str]]:
    """Split ``tokens`` (folded ASCII words) into (name tokens, canonical legal-form codes).

    Codes come in the order found. If the legal form is all there is ("Limited"), the tokens are
    returned unchanged, as the name. ``quoted_name``: the name as written has such a word beside
    a quoted name (:func:`names_a_quoted_party`: АК «АЛРОСА»), which makes it a legal form.
    """
    words = _spelled_out(tuple(tokens))
    result = _strip(words, quoted_name, quoted_name)
    if not quoted_name and result[1] and _COMPANIONS.intersection(words):
        result = _strip(words, True, False)
    return list(result[0]), list(result[1])


def _spelled_out(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Three letters or more written with dots or spaces joined where they spell a legal form:
    О.О.О. and Z.A.O. fold to "o o o" and "z a o", which no form matched (two are initials:
    A. B. Smith is no Aktiebolag)."""
    if sum(len(t) == 1 for t in tokens) < 3:
        return tokens
    out: list[str] = []
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and len(tokens[j]) == 1 and tokens[j].isalpha():
            j += 1
        joined = "".join(tokens[i:j])
        if j - i >= 3 and (joined,) in _PHRASES:
            out.append(joined)
            i = j
        else:
            out.append(tokens[i])
            i += 1
    return tuple(out)


@lru_cache(maxsize=65536)
def _strip(
    tokens: tuple[str, ...], companions: bool, quoted: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    keys = _keys(list(tokens))
    if not (_FIRST.intersection(keys) or _LAST.intersection(keys)):
        return tokens, ()
    kept: list[str] = []
    kept_keys: list[str] = []
    found: list[str] = []
    i = 0
    n = len(keys)
    while i < n:
        if keys[i] in _FIRST:
            hit = _longest_at(keys, i, n, companions)
            if hit is not None and (hit[2] or i == 0 or i + hit[0] == n):
                found.append(hit[1])
                i += hit[0]
                continue
        kept.append(tokens[i])
        kept_keys.append(keys[i])
        i += 1
    # Forms that sit at the edges once others are gone ("X Co. LLC", "OOO 'X' AO"); not a name
    # word that can be a legal form (LLC AK MICROTECH), unless it stands by quotes.
    changed = True
    while changed and kept:
        changed = False
        head = _longest_at(kept_keys, 0, len(kept_keys), companions and quoted)
        if head is not None and head[0] < len(kept):
            found.append(head[1])
            del kept[: head[0]], kept_keys[: head[0]]
            changed = True
        tail = _longest_ending(kept_keys, len(kept_keys), companions and quoted)
        if tail is not None and tail[0] < len(kept):
            found.append(tail[1])
            del kept[-tail[0] :], kept_keys[-tail[0] :]
            changed = True
    if not kept:
        return tokens, ()
    return tuple(kept), tuple(found)
