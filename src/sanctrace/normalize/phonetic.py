"""A phonetic key that makes transliteration variants of one name compare equal.

Names on sanctions lists reach us through many romanisation systems (BGN/PCGN, passport ICAO,
German, French, Revised Romanization, McCune-Reischauer, pinyin, ad-hoc Arabic). The differences
between them are almost all in vowels and in how one sound is spelt with Latin letters, so the key
is a consonant skeleton in the tradition of Metaphone:

1. a few whole-word exceptions for variants no rule can join: Korean surnames (Lee/Yi/Rhee/I/Ri,
   Park/Bak/Pak, Lim/Im/Rim, Roh/Noh) and abbreviations of Muhammad (Mohd, Md);
2. multi-letter spellings of one sound become one letter: shch/sch/sh/sz -> x, zh/dzh/dj/ch/tch/cz/j
   -> j (so Korean Jong/Chong, Russian zh/dzh, pinyin zh all meet), kh -> h (Mikhail/Mihail),
   ph -> f, th/dh -> t, gh -> k, ck -> k, ts/tz -> s and c before e/i/y/z/v -> s (Tsvetkov/Cvetkov),
   x -> ks (Alexander/Aleksandr);
3. voiced and voiceless pairs merge: b/p -> p, d/t -> t, g/k/q/c -> k, v/w/f -> f (z and s stay
   apart: Arabic, Russian and Persian all keep them distinct): Kim/Gim, Bak/Pak, Ivanov/Iwanow;
   A final j after a vowel is the Russian й (Ogranichennoj, Jurij) and counts as a vowel.
4. h is dropped after a consonant and at the end of the word (Allah/Alla, Rhee/Ree);
5. vowels (a, e, i, o, u, y) are dropped, except that a word starting with a vowel keeps one "a"
   as a marker (Yevgeny/Evgeny -> "afkn", Un/Eun -> "an"), which also makes endings -iy/-y/-ii/-i,
   e/ye/yo, ou/u and Mohammed/Muhammad/Mohamed/Mehmet agree;
6. doubled letters collapse.

Dropping vowels is what lets abjad sources (Arabic, Hebrew: "mhmd", "dvd") meet their vocalised
Latin forms. Its price is that names differing only in vowels share a key (Mohamed and Mahmoud
both give "mhmt"): the key is a recall signal, and the scorer keeps comparing the tokens themselves.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

#: Spellings of one name that no rule joins and a spelling comparison would reject, with the key
#: they share: Korean surnames (Lee/Yi/Rhee/I/Ri, Park/Bak/Pak, Cho/Jo …) and abbreviations of
#: Muhammad (Mohd, Md).
_VARIANTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # 이/李 (South: I/Yi/Lee/Rhee, North: Ri) and Chinese Li.
    ("l", ("lee", "yi", "i", "rhee", "ri", "rhie", "ree", "rie", "leigh")),
    ("pk", ("park", "bak", "pak", "bahk", "pag", "bark")),  # 박/朴
    ("lm", ("lim", "im", "rim", "lym", "yim")),  # 임/林
    ("n", ("roh", "noh", "no", "ro", "rho")),  # 노/盧
    ("a", ("ryu", "yoo", "yu", "you", "ryoo", "rew", "yew")),  # 류/유/柳
    ("j", ("cho", "jo", "joh", "choh")),  # 조/趙
    ("j", ("ju", "chu", "joo", "choo")),  # 주/朱
    ("mhmt", ("mohd", "muhd", "md", "mhd", "moh", "muhammad", "mohammad", "mohammed")),
)
_EXCEPTIONS: dict[str, str] = {name: key for key, names in _VARIANTS for name in names}
_VARIANT_GROUP: dict[str, int] = {
    name: group for group, (_, names) in enumerate(_VARIANTS) for name in names
}


def same_name_variant(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are listed spellings of one name (Lee / Yi, Cho / Jo)."""
    group = _VARIANT_GROUP.get(a)
    return group is not None and group == _VARIANT_GROUP.get(b)


_MULTI = (
    ("shch", "x"),
    ("tsch", "j"),
    ("sch", "x"),
    ("dzh", "j"),
    ("tch", "j"),
    ("sh", "x"),
    ("sz", "x"),
    ("zh", "j"),
    ("dj", "j"),
    ("ch", "j"),
    ("cz", "j"),
    ("kh", "h"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "t"),
    ("gh", "k"),
    ("ck", "k"),
    ("ts", "s"),
    ("tz", "s"),
    ("ce", "se"),
    ("ci", "si"),
    ("cy", "sy"),
    ("cv", "sv"),
    ("x", "ks"),
)
_MULTI_RE = re.compile("|".join(re.escape(src) for src, _ in _MULTI))
_MULTI_MAP = dict(_MULTI)
_SINGLE = str.maketrans({"b": "p", "d": "t", "g": "k", "q": "k", "c": "k", "v": "f", "w": "f"})
_VOWELS = frozenset("aeiouy")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=200_000)
def phonetic_key(token: str) -> str:
    """Consonant-skeleton key of one token; equal keys mean "may be the same name"."""
    if not token:
        return ""
    word = token if token.isascii() else anyascii(token)
    word = _NON_ALNUM_RE.sub("", word.lower())
    if not word:
        return ""
    if word.isdigit():
        return word
    exception = _EXCEPTIONS.get(word)
    if exception is not None:
        return exception
    if len(word) > 2 and word[-1] == "j" and word[-2] in _VOWELS:
        word = word[:-1] + "y"  # Polish/German-style й: Ogranichennoj, Jurij
    word = _MULTI_RE.sub(lambda m: _MULTI_MAP[m.group(0)], word).translate(_SINGLE)
    out: list[str] = []
    prev = ""
    last = len(word) - 1
    for i, ch in enumerate(word):
        if ch in _VOWELS:
            if i == 0:
                out.append("a")
                prev = "a"
            else:
                prev = ch
            continue
        if ch == "h" and (i == last or (prev and prev not in _VOWELS)):
            continue
        if out and out[-1] == ch:
            prev = ch
            continue
        out.append(ch)
        prev = ch
    return "".join(out) or word


_SLAVIC_H = re.compile(r"(?<![cskztpgd])h")
_SLAVIC_INITIAL_J = re.compile(r"^j(?=[aeiou])")


@lru_cache(maxsize=200_000)
def slavic_key(token: str) -> str:
    """The phonetic key after folding the Ukrainian, Polish and German romanisations of
    Cyrillic into the Russian one: h for г (Oleh / Oleg, Serhiy / Sergey), an initial j for й
    (Jurij / Yuri, Jelena / Yelena). Only a second chance for two keys that differ."""
    word = _SLAVIC_INITIAL_J.sub("y", _SLAVIC_H.sub("g", token))
    return phonetic_key(word) if word != token else ""


#: Romanisations of one Cyrillic letter that the key keeps apart, because elsewhere they are
#: two sounds: ch for х (German and English habit: Technodinamika, Michail) beside kh and h;
#: c for ц (Kuznecov) beside ts; j for й (Lukojl, Iljushin) beside y.
_SPELLINGS = (
    (re.compile("ch"), "kh"),
    (re.compile("kh"), "ch"),
    (re.compile("(?<![ckszptgdr])h"), "ch"),
    (re.compile("c(?![eiyhkzs])"), "ts"),
    (re.compile("ts"), "c"),
    (re.compile("(?<![dz])j"), "y"),
    (re.compile("y(?=[aeiou])"), "j"),
)
#: Variants tried per word: one per rule and per place it applies, the first few.
MAX_SPELLING_VARIANTS = 8
#: Shorter words have short keys that collide anyway (john -> yohn, jochn): no variants.
_MIN_VARIANT_LENGTH = 5


@lru_cache(maxsize=200_000)
def variant_keys(token: str) -> tuple[str, ...]:
    """Phonetic keys of a word's other romanisations, where they differ from its own key
    (Technodinamika -> the key of Tekhnodinamika): candidate generation looks them up, so that
    a listed spelling the key keeps apart is still found. Each rule is applied everywhere it
    applies and at each single place (elektromechanicheskiy: only the first ch is х)."""
    if len(token) < _MIN_VARIANT_LENGTH or not token.isascii() or not token.isalpha():
        return ()
    own = phonetic_key(token)
    keys: dict[str, None] = {}
    for pattern, replacement in _SPELLINGS:
        places = list(pattern.finditer(token))
        if not places:
            continue
        spellings = [pattern.sub(replacement, token)]
        if len(places) > 1:
            spellings.extend(
                token[: m.start()] + replacement + token[m.end() :] for m in places[:3]
            )
        for spelling in spellings:
            key = phonetic_key(spelling)
            if key != own:
                keys.setdefault(key, None)
        if len(keys) >= MAX_SPELLING_VARIANTS:
            break
    return tuple(keys)[:MAX_SPELLING_VARIANTS]
