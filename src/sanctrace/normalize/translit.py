"""Romanisation of names written in non-Latin scripts.

``anyascii`` gives a decent single reading for most scripts. On top of it we add what name matching
needs and a generic transliterator lacks: Cyrillic in the two spellings lists actually use
(BGN/PCGN as in OFAC, and the passport/ICAO one), vowels for the Arabic and Hebrew names lists hold
most often, Chinese pinyin with the given name joined, Japanese and Korean readings of Han
characters, and Hangul in Revised Romanization plus the older spelling with people's usual surnames.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from anyascii import anyascii

from sanctrace.normalize.cjk_tables import (
    DOUBLE_SURNAMES_HAN,
    DOUBLE_SURNAMES_HANGUL,
    HAN_WORDS,
    HANGUL_WORDS,
    JA_WORDS,
    KO_HANJA,
    KO_SURNAME_POPULAR,
    SURNAME_PINYIN,
)
from sanctrace.normalize.text import char_script, fold

#: At most this many renderings per name: alternates multiply index size.
MAX_FORMS = 4

_NON_ASCII_WORD_RE = re.compile(r"[^a-z0-9 ]+")

# --- Cyrillic --------------------------------------------------------------------------------

_CYR_COMMON = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    # Ukrainian, Belarusian
    "і": "i",
    "ї": "yi",
    "є": "ye",
    "ґ": "g",
    "ў": "u",
    # Kazakh, Kyrgyz, Tajik, Uzbek Cyrillic
    "ә": "a",
    "ғ": "gh",
    "қ": "q",
    "ң": "ng",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    "ҳ": "h",
    "ҷ": "j",
    "ӣ": "i",
    "ӯ": "u",
    "ҡ": "k",
    "ҙ": "z",
    "ҫ": "s",
    # Serbian, Macedonian
    "ђ": "dj",
    "ј": "j",
    "љ": "lj",
    "њ": "nj",
    "ћ": "c",
    "џ": "dz",
    "ѓ": "gj",
    "ќ": "kj",
    "ѕ": "dz",
}
#: BGN/PCGN as OFAC and most English-language lists write Russian names.
_CYR_BGN = {**_CYR_COMMON, "й": "y", "ю": "yu", "я": "ya"}
#: The passport (ICAO 9303) spelling, which Russian documents have used since 2013.
_CYR_ICAO = {**_CYR_COMMON, "й": "i", "ю": "iu", "я": "ia", "ъ": "ie"}
_CYR_VOWELS = frozenset("аеёиоуыэюяіїєәөұүӣӯ")


def _cyrillic(word: str) -> tuple[str, ...]:
    """BGN/PCGN spelling first, passport spelling as the alternate when it differs."""
    bgn: list[str] = []
    icao: list[str] = []
    prev = ""
    for ch in word:
        if ch in ("е", "ё") and (not prev or prev in _CYR_VOWELS or prev in "ъь"):
            bgn.append("ye")  # initial and post-vowel е: Yevgeny, Sergeyev
            icao.append("e")
        else:
            fallback = anyascii(ch).lower()
            bgn.append(_CYR_BGN.get(ch, fallback))
            icao.append(_CYR_ICAO.get(ch, fallback))
        prev = ch
    first = "".join(bgn)
    second = "".join(icao)
    return (first,) if first == second else (first, second)


#: Where a BGN/PCGN romanisation and the passport one part: я, ю, initial or post-vowel е, ё
#: (ya, yu, ye, yo), and й, a y after a vowel and before none (Sergey, Khotimskiy).
_BGN_ONLY = re.compile(r"y[aeou]|(?<=[aeiouy])y(?![aeiou])")
_BGN_TO_PASSPORT = {"ya": "ia", "yu": "iu", "ye": "e", "yo": "e", "y": "i"}


@lru_cache(maxsize=65536)
def passport_spelling(word: str) -> str:
    """A folded Latin word as the passport (ICAO 9303) spelling would write it, had it been
    romanised from Russian the BGN/PCGN way, as the lists write Russian names (the alternate
    that ``_cyrillic`` gives a name listed in Cyrillic): Yamal -> iamal, Svyaz -> sviaz,
    Khotimskiy -> khotimskii, Sergeyev -> sergeev. The word itself where they agree."""
    if "y" not in word:
        return word
    return _BGN_ONLY.sub(lambda m: _BGN_TO_PASSPORT[m.group(0)], word)


# --- Arabic ----------------------------------------------------------------------------------

#: Vocalised spellings of the words Arabic personal names are mostly made of: the script omits short
#: vowels, so a letter-by-letter reading of محمد is "mhmd".
_ARABIC_WORDS = {
    "محمد": "muhammad",
    "احمد": "ahmad",
    "علي": "ali",
    "حسن": "hasan",
    "حسين": "husayn",
    "خالد": "khalid",
    "محمود": "mahmud",
    "عبد": "abd",
    "الله": "allah",
    "عبدالله": "abdallah",
    "عمر": "umar",
    "عثمان": "uthman",
    "يوسف": "yusuf",
    "ابراهيم": "ibrahim",
    "مصطفى": "mustafa",
    "سعيد": "said",
    "صالح": "salih",
    "فاطمة": "fatima",
    "عائشة": "aisha",
    "مريم": "maryam",
    "زينب": "zaynab",
    "حمد": "hamad",
    "حامد": "hamid",
    "جمال": "jamal",
    "كريم": "karim",
    "رحمن": "rahman",
    "ناصر": "nasir",
    "نصر": "nasr",
    "طارق": "tariq",
    "زياد": "ziyad",
    "يحيى": "yahya",
    "موسى": "musa",
    "عيسى": "isa",
    "اسماعيل": "ismail",
    "سليمان": "sulayman",
    "بن": "bin",
    "ابن": "ibn",
    "بنت": "bint",
    "ابو": "abu",
    "اسامة": "usama",
    "لادن": "ladin",
    "قاسم": "qasim",
    "جعفر": "jafar",
    "حيدر": "haydar",
    "رضا": "rida",
    "مهدي": "mahdi",
    "عباس": "abbas",
    "نور": "nur",
    "الدين": "al din",
    "دين": "din",
    "صدام": "saddam",
    "بشار": "bashar",
    "اسد": "asad",
    "شريف": "sharif",
    "فيصل": "faysal",
    "عادل": "adil",
    "وليد": "walid",
    "هشام": "hisham",
    "منصور": "mansur",
    "رشيد": "rashid",
    "ياسين": "yasin",
    "امين": "amin",
    "عزيز": "aziz",
    "حافظ": "hafiz",
    "قادر": "qadir",
    "مجيد": "majid",
    "سلمان": "salman",
    "سالم": "salim",
    "اياد": "iyad",
    "ماجد": "majid",
    "فهد": "fahd",
    "سلطان": "sultan",
    "عبدالرحمن": "abd al rahman",
    "الرحمن": "al rahman",
    "رحيم": "rahim",
    "حمزة": "hamza",
    "بكر": "bakr",
    "ابوبكر": "abu bakr",
    "جواد": "jawad",
    "مراد": "murad",
    "نبيل": "nabil",
    "سمير": "samir",
    "انور": "anwar",
    "قاسمي": "qasimi",
    "زاده": "zadeh",
    "رضائي": "rezaei",
    "حسيني": "husayni",
    "موسوي": "musawi",
    "خامنئي": "khamenei",
    "حزب": "hizb",
    "بنك": "bank",
    "شركة": "sharika",
}
_ARABIC_MAP = {
    "ا": "a",
    "أ": "a",
    "إ": "i",
    "آ": "a",
    "ٱ": "a",
    "ء": "",
    "ؤ": "u",
    "ئ": "",
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "ع": "",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "ة": "a",
    "ى": "a",
    # Persian, Urdu
    "پ": "p",
    "چ": "ch",
    "ژ": "zh",
    "گ": "g",
    "ک": "k",
    "ی": "i",
    "ھ": "h",
    "ۀ": "eh",
    "ٹ": "t",
    "ڈ": "d",
    "ڑ": "r",
    "ں": "n",
    "ے": "e",
}
_ARABIC_LONG = frozenset("اأإآٱىوي")
_ARABIC_MARKS_RE = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ک": "ك"})


def _arabic_letters(word: str) -> str:
    """Letter-by-letter reading; و and ي become vowels between consonants, as they mostly are.

    Four-letter words of the pattern C-alef-C-C are read as fāʿil (Khalid, Hashim, Tahir, Kazim),
    the participle most such given names are.
    """
    out: list[str] = []
    last = len(word) - 1
    fail = (
        last == 3 and word[1] == "ا" and not _ARABIC_LONG.intersection(word[2:]) and word[0] != "ا"
    )
    for i, ch in enumerate(word):
        prev = word[i - 1] if i else ""
        nxt = word[i + 1] if i < last else ""
        if ch in ("و", "ي", "ی"):
            glide = "w" if ch == "و" else "y"
            vowel = "u" if ch == "و" else "i"
            out.append(glide if i == 0 or nxt in _ARABIC_LONG or prev == "ا" else vowel)
        elif ch == "ع":
            out.append("a" if i == 0 and nxt not in _ARABIC_LONG else "")
        else:
            if fail and i == last:
                out.append("i")
            out.append(_ARABIC_MAP.get(ch, anyascii(ch).lower()))
    return "".join(out)


def _arabic(word: str) -> tuple[str, ...]:
    word = _ARABIC_MARKS_RE.sub("", word)
    plain = word.translate(_ARABIC_FOLD)
    known = _ARABIC_WORDS.get(plain)
    if known is not None:
        return (known,)
    if plain.startswith("ال") and len(plain) > 3:
        rest = plain[2:]
        return ("al " + (_ARABIC_WORDS.get(rest) or _arabic_letters(rest)),)
    if plain.startswith("عبد") and len(plain) > 4:
        rest = plain[3:]
        if rest.startswith("ال"):
            rest = rest[2:]
        return ("abd al " + (_ARABIC_WORDS.get(rest) or _arabic_letters(rest)),)
    return (_arabic_letters(word),)


# --- Hebrew ----------------------------------------------------------------------------------

_HEBREW_WORDS = {
    "משה": "moshe",
    "דוד": "david",
    "יוסף": "yosef",
    "אברהם": "avraham",
    "יצחק": "yitzhak",
    "יעקב": "yaakov",
    "שלמה": "shlomo",
    "בנימין": "binyamin",
    "נתניהו": "netanyahu",
    "שמואל": "shmuel",
    "אהרון": "aharon",
    "אהרן": "aharon",
    "מרדכי": "mordechai",
    "חיים": "chaim",
    "יהודה": "yehuda",
    "מיכאל": "michael",
    "דניאל": "daniel",
    "אליהו": "eliyahu",
    "שרה": "sarah",
    "רחל": "rachel",
    "לאה": "leah",
    "רבקה": "rivka",
    "מרים": "miriam",
    "אסתר": "esther",
    "כהן": "cohen",
    "לוי": "levi",
    "ישראל": "yisrael",
    "יוחנן": "yohanan",
    "אריה": "arye",
    "צבי": "tzvi",
    "מנחם": "menachem",
    "שמעון": "shimon",
    "ראובן": "reuven",
    "גדעון": "gideon",
    "אלכסנדר": "alexander",
    "יגאל": "yigal",
    "עמוס": "amos",
    "אורי": "uri",
    "רון": "ron",
}
_HEBREW_MAP = {
    "א": "",
    "ב": "v",
    "ג": "g",
    "ד": "d",
    "ה": "h",
    "ז": "z",
    "ח": "kh",
    "ט": "t",
    "כ": "kh",
    "ך": "kh",
    "ל": "l",
    "מ": "m",
    "ם": "m",
    "נ": "n",
    "ן": "n",
    "ס": "s",
    "ע": "",
    "פ": "f",
    "ף": "f",
    "צ": "ts",
    "ץ": "ts",
    "ק": "k",
    "ר": "r",
    "ש": "sh",
    "ת": "t",
}
_HEBREW_INITIAL = {"ב": "b", "כ": "k", "פ": "p", "א": "a", "ע": "a"}
_HEBREW_MARKS_RE = re.compile("[\u0591-\u05c7]")


def _hebrew(word: str) -> tuple[str, ...]:
    """Known names first; else letters, with medial vav read as a vowel and, alternately, as v."""
    word = _HEBREW_MARKS_RE.sub("", word)
    known = _HEBREW_WORDS.get(word)
    if known is not None:
        return (known,)
    vowel: list[str] = []
    consonant: list[str] = []
    last = len(word) - 1
    for i, ch in enumerate(word):
        if ch == "ו":
            if i == 0 or (i < last and word[i + 1] == "ו"):
                vowel.append("v")
                consonant.append("v")
            elif i > 0 and word[i - 1] == "ו":
                continue
            else:
                vowel.append("o")
                consonant.append("v")
        elif ch == "י":
            vowel.append("y" if i == 0 else "i")
            consonant.append("y" if i == 0 else "i")
        elif ch == "ה" and i == last:
            vowel.append("a")
            consonant.append("a")
        else:
            rendered = (_HEBREW_INITIAL.get(ch) if i == 0 else None) or _HEBREW_MAP.get(
                ch, anyascii(ch).lower()
            )
            vowel.append(rendered)
            consonant.append(rendered)
    first = "".join(vowel)
    second = "".join(consonant)
    return (first,) if first == second else (first, second)


# --- Greek, kana, other ----------------------------------------------------------------------

_GREEK_ENDING_RE = re.compile(r"(?<=[a-z]{3})(os|as|is)$")


def _greek(word: str) -> tuple[str, ...]:
    """anyascii reading, plus one without the nominative ending (Alexandros -> Alexandr)."""
    latin = anyascii(word).lower()
    short = _GREEK_ENDING_RE.sub("", latin)
    return (latin,) if short == latin else (latin, short)


_LONG_VOWEL_RE = re.compile(r"ou|uu|oo|aa|ii|ee")


def _kana(text: str) -> str:
    """Hepburn from anyascii, without long-vowel doubling (Tarou -> Taro), as passports write it."""
    return _LONG_VOWEL_RE.sub(lambda m: m.group(0)[0], anyascii(text).lower())


# --- Hangul ----------------------------------------------------------------------------------

_RR_INITIAL = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch",
               "k", "t", "p", "h")  # fmt: skip
_MR_INITIAL = ("k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch",
               "k", "t", "p", "h")  # fmt: skip
_RR_MEDIAL = ("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u",
              "wo", "we", "wi", "yu", "eu", "ui", "i")  # fmt: skip
_MR_MEDIAL = ("a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u",
              "wo", "we", "wi", "yu", "u", "ui", "i")  # fmt: skip
_FINAL = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p",
          "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t")  # fmt: skip


def _hangul_syllable(ch: str, mr: bool, popular: bool = False) -> str:
    """One syllable in Revised Romanization, McCune-Reischauer style, or the popular spelling
    of names (McCune-Reischauer with j for ㅈ: Kim Jong Un)."""
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return anyascii(ch).lower()
    initial, medial, final = code // 588, (code % 588) // 28, code % 28
    if mr:
        head = "j" if popular and initial == 12 else _MR_INITIAL[initial]
        if head == "s" and _RR_MEDIAL[medial] in ("i", "wi", "ya", "yeo", "yo", "yu", "ye"):
            head = "sh"
        return head + _MR_MEDIAL[medial] + _FINAL[final]
    return _RR_INITIAL[initial] + _RR_MEDIAL[medial] + _FINAL[final]


def _hangul_person(word: str) -> tuple[str, ...]:
    """Surname then given-name syllables as separate tokens (Kim Jong Un, Kim Jong-un)."""
    split = 2 if word[:2] in DOUBLE_SURNAMES_HANGUL else 1
    surname, given = word[:split], word[split:]
    rr = [_hangul_run(surname, False), *(_hangul_syllable(c, False) for c in given)]
    popular = KO_SURNAME_POPULAR.get(surname) or _hangul_run(surname, True)
    mr = [popular, *(_hangul_syllable(c, True) for c in given)]
    common = [popular, *(_hangul_syllable(c, True, popular=True) for c in given)]
    return _dedupe((" ".join(rr), " ".join(mr), " ".join(common)))


def _hangul_run(run: str, mr: bool) -> str:
    return "".join(_hangul_syllable(c, mr) for c in run)


def _hangul(word: str, person: bool | None) -> tuple[str, ...]:
    pieces = _segment(word, HANGUL_WORDS)
    has_org = any(known for _, known in pieces)
    if not has_org and person is not False and 2 <= len(word) <= 4:
        return _hangul_person(word)
    forms = []
    for mr in (False, True):
        forms.append(" ".join(known or _hangul_run(piece, mr) for piece, known in pieces))
    return _dedupe(forms)


# --- Han -------------------------------------------------------------------------------------

_pinyin: Callable[[str], list[str]] | None = None


def _load_pinyin() -> Callable[[str], list[str]]:
    """pypinyin loads its dictionaries on import: only pay for it when a Han name shows up."""
    global _pinyin
    if _pinyin is None:
        from pypinyin import lazy_pinyin

        def reader(text: str) -> list[str]:
            return [p for p in lazy_pinyin(text, errors="ignore") if p.isascii() and p.strip()]

        _pinyin = reader
    return _pinyin


def _segment(run: str, table: dict[str, str], longest: int = 6) -> list[tuple[str, str | None]]:
    """Greedy longest-match split of ``run`` into (text, known reading or None) pieces."""
    out: list[tuple[str, str | None]] = []
    unknown: list[str] = []
    i = 0
    n = len(run)
    while i < n:
        for size in range(min(longest, n - i), 0, -1):
            piece = run[i : i + size]
            known = table.get(piece)
            if known is not None:
                if unknown:
                    out.append(("".join(unknown), None))
                    unknown = []
                out.append((piece, known))
                i += size
                break
        else:
            unknown.append(run[i])
            i += 1
    if unknown:
        out.append(("".join(unknown), None))
    return out


def _chunks(run: str) -> list[str]:
    """Chinese words are mostly two characters: split long unknown runs into pairs."""
    if len(run) <= 3:
        return [run]
    parts = [run[i : i + 2] for i in range(0, len(run), 2)]
    if len(parts[-1]) == 1:
        parts[-2] += parts.pop()
    return parts


def _ja_reading(run: str) -> str | None:
    pieces = _segment(run, JA_WORDS, 3)
    if any(known is None for _, known in pieces):
        return None
    return " ".join(known for _, known in pieces if known)


def _ko_reading(run: str) -> str | None:
    if not all(c in KO_HANJA for c in run):
        return None
    return "".join(KO_HANJA[c] for c in run)


def _han_person(word: str) -> tuple[str, ...]:
    pinyin = _load_pinyin()
    split = 2 if word[:2] in DOUBLE_SURNAMES_HAN else 1
    surname, given = word[:split], word[split:]
    forms = [
        " ".join(
            filter(
                None,
                (SURNAME_PINYIN.get(surname) or "".join(pinyin(surname)), "".join(pinyin(given))),
            )
        )
    ]
    japanese = _ja_reading(word)
    if japanese:
        forms.append(japanese)
    korean = _ko_reading(word)
    if korean:
        forms.extend(_hangul_person(korean))
    return _dedupe(forms)


def _han(word: str, person: bool | None) -> tuple[str, ...]:
    pieces = _segment(word, HAN_WORDS)
    has_org = any(known for _, known in pieces)
    if not has_org and person is not False and 2 <= len(word) <= 4:
        return _han_person(word)
    pinyin = _load_pinyin()
    mandarin: list[str] = []
    japanese: list[str] | None = []
    korean: list[str] | None = []
    for piece, known in pieces:
        if known is not None:
            mandarin.append(known)
            if japanese is not None:
                japanese.append(known)
            if korean is not None:
                korean.append(known)
            continue
        mandarin.extend("".join(pinyin(chunk)) for chunk in _chunks(piece))
        if japanese is not None:
            reading = _ja_reading(piece)
            japanese = None if reading is None else [*japanese, reading]
        if korean is not None:
            hangul = _ko_reading(piece)
            korean = None if hangul is None else [*korean, _hangul_run(hangul, False)]
    forms = [" ".join(mandarin)]
    for alt in (japanese, korean):
        if alt is not None:
            forms.append(" ".join(alt))
    return _dedupe(forms)


def _japanese(word: str) -> tuple[str, ...]:
    """A word mixing kana and kanji is Japanese: kanji from the tables, pinyin as a last resort."""
    out: list[str] = []
    for script, run in _runs(word):
        if script == "han":
            reading = _ja_reading(run)
            if reading is None:
                reading = " ".join(
                    known or _kana(piece) for piece, known in _segment(run, HAN_WORDS)
                )
            out.append(reading)
        elif script == "kana":
            out.append(_kana(run))
        else:
            out.append(_other(run))
    return (" ".join(out),)


# --- dispatch --------------------------------------------------------------------------------


def _other(text: str) -> str:
    return anyascii(text).lower()


def _runs(word: str) -> list[tuple[str, str]]:
    """Split a word into runs of one script; digits and marks stay with the run before them."""
    runs: list[tuple[str, str]] = []
    current = ""
    buf: list[str] = []
    for ch in word:
        script = char_script(ch)
        if script == "common":
            script = current or "latin"
        if script != current and buf:
            runs.append((current, "".join(buf)))
            buf = []
        current = script
        buf.append(ch)
    if buf:
        runs.append((current, "".join(buf)))
    return runs


def _word_forms(word: str, person: bool | None) -> tuple[str, ...]:
    if word.isascii():
        return (word,)
    runs = _runs(word)
    scripts = {script for script, _ in runs}
    if "kana" in scripts:
        return _japanese(word)
    parts: list[tuple[str, ...]] = []
    for script, run in runs:
        if script == "cyrillic":
            parts.append(_cyrillic(run))
        elif script == "arabic":
            parts.append(_arabic(run))
        elif script == "hebrew":
            parts.append(_hebrew(run))
        elif script == "greek":
            parts.append(_greek(run))
        elif script == "han":
            parts.append(_han(run, person))
        elif script == "hangul":
            parts.append(_hangul(run, person))
        else:
            parts.append((_other(run),))
    return _combine(parts, "")


def _combine(parts: list[tuple[str, ...]], sep: str) -> tuple[str, ...]:
    """Form i takes alternate i of each part (or its primary): systems stay aligned, size capped."""
    parts = [p for p in parts if p]
    if not parts:
        return ()
    if len(parts) == 1:
        return parts[0][:MAX_FORMS]
    width = min(MAX_FORMS, max(len(p) for p in parts))
    return _dedupe(sep.join(p[min(i, len(p) - 1)] for p in parts) for i in range(width))


def _dedupe(forms: object) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for form in forms:  # type: ignore[attr-defined]
        cleaned = " ".join(_NON_ASCII_WORD_RE.sub(" ", form).split())
        if cleaned:
            seen.setdefault(cleaned, None)
    return tuple(seen)


@lru_cache(maxsize=65536)
def latinize_folded(folded: str, person: bool | None = None) -> tuple[str, ...]:
    """Romanisations of an already folded text: the primary first, then alternates."""
    if folded.isascii():
        return (folded,) if folded else ()
    words = folded.split()
    return _combine([_word_forms(w, person) for w in words], " ")


def latinize(text: str) -> list[str]:
    """ASCII renderings of ``text``: ``[primary, *alternates]``, lower-case, words space-separated.

    Alternates appear only where a script does not determine the reading: Han (Mandarin pinyin,
    Japanese, Korean), Hangul (Revised Romanization and the older spelling people use), Cyrillic
    (BGN/PCGN and passport spelling), Hebrew (medial vav as vowel or v), Greek (with and without
    the nominative ending).
    """
    return list(latinize_folded(fold(text)))
