"""Generic organisation words: one English canonical per meaning, weights and acronym letters.

"Zavod", "завод", "工厂" and "plant" say the same thing; mapping them to one token lets a Russian,
Chinese and English listing of one company share their generic words. Those words still identify
little, hence their low weight.
"""

from __future__ import annotations

from functools import lru_cache

from anyascii import anyascii

from sanctrace.normalize.generic_words import SYNONYMS as _SYNONYMS
from sanctrace.normalize.phonetic import phonetic_key
from sanctrace.normalize.text import fold

#: Canonical generic words: they name a kind of organisation, not which one.
GENERIC = frozenset(
    {
        *_SYNONYMS,
        "solution",
        "engineering",
        "national",
        "general",
        "export",
        "commercial",
        "global",
        "partner",
        "management",
        "consulting",
        "capital",
        "resource",
        "science",
        "agency",
        "foundation",
        "organization",
        "organisation",
        "establishment",
        "office",
        "ministry",
        "department",
        "directorate",
        "committee",
        "council",
        "authority",
        "union",
        "society",
        "network",
        "fund",
        "firm",
        "store",
        "shop",
        "line",
        "lines",
        "airline",
        "airlines",
        "marine",
        "maritime",
        "transport",
        "construction",
        "industrial",
        "financial",
        "finance",
        "mining",
        "oil",
        "gas",
        "steel",
        "metal",
        "machinery",
        "machine",
        "electronic",
        "pharmaceutical",
        "medical",
        "security",
        "defense",
        "defence",
        "military",
        "state",
        "federal",
        "republic",
        "joint",
        "stock",
        "public",
        "private",
        "limited",
        "liability",
        "branch",
        "representative",
        "unitary",
        "complex",
        "factory",
    }
)

#: Words with no content of their own; skipped in acronyms.
STOPWORDS = frozenset(
    [
        "of",
        "the",
        "and",
        "for",
        "de",
        "la",
        "le",
        "les",
        "del",
        "des",
        "du",
        "da",
        "di",
        "do",
        "dos",
        "das",
        "e",
        "et",
        "i",
        "y",
        "und",
        "va",
        "ve",
        "yeh",  # Persian ezafe written apart (Mojtame' yeh San'ati yeh Amin)
        "&",
        "an",
        "a",
        "in",
        "on",
        "at",
        "to",
        "by",
    ]
)

#: Name particles: prefixes of surnames and patronymic links.
PARTICLES = frozenset(
    [
        "al",
        "el",
        "ul",
        "bin",
        "ibn",
        "ben",
        "bint",
        "binti",
        "abu",
        "abou",
        "van",
        "von",
        "der",
        "den",
        "ter",
        "de",
        "da",
        "di",
        "du",
        "la",
        "le",
        "dos",
        "das",
        "del",
        "mac",
        "mc",
        "st",
        "ould",
        "ag",
        "oglu",
        "ogly",
        "kyzy",
        "uulu",
    ]
)

_SOURCE_WORDS: dict[str, str] = {
    foreign: canonical for canonical, words in _SYNONYMS.items() for foreign in words
}
#: Long foreign words also by phonetic key, for inflected and variously spelt forms.
_SOURCE_KEYS: dict[str, str] = {
    phonetic_key(foreign): canonical
    for foreign, canonical in _SOURCE_WORDS.items()
    if len(phonetic_key(foreign)) >= 6
}
#: Letters a generic word contributes to Russian acronyms, romanised (ИЭМЗ: ... Zavod -> z;
#: НПО: Nauchno-Proizvodstvennoe Obedinenie; ЦНИИ: Tsentralnyy Nauchno-Issledovatelskiy Institut).
FOREIGN_INITIALS: dict[str, tuple[str, ...]] = {
    "plant": ("z", "k"),
    "factory": ("f",),
    "company": ("k",),
    "concern": ("k",),
    "corporation": ("k",),
    "industry": ("p",),
    "international": ("m",),
    "enterprise": ("p",),
    "association": ("o",),
    "center": ("ts",),
    "research": ("ni", "n"),
    "design": ("k",),
    "bureau": ("b",),
}

#: Russian and English compound prefixes that contribute their own letter to an acronym
#: (ИЭМЗ: Izhevskiy ElektroMekhanicheskiy Zavod).
_COMPOUND_PREFIXES = (
    "elektro",
    "electro",
    "radio",
    "avia",
    "avto",
    "auto",
    "gidro",
    "hydro",
    "neft",
    "energo",
    "agro",
    "mikro",
    "micro",
    "aero",
    "termo",
    "thermo",
    "geo",
    "bio",
    "tele",
    "opto",
    "foto",
    "photo",
    "spets",
    "prom",
    "mash",
    "gaz",
    "vneshne",
    "vnesh",
)


def _singular(token: str) -> str | None:
    """English plural of a known generic word -> that word (technologies -> technology)."""
    if len(token) > 4 and token.endswith("ies"):
        stem = token[:-3] + "y"
        if stem in GENERIC:
            return stem
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        stem = token[:-1]
        if stem in GENERIC:
            return stem
    return None


def source_words(canonical: str) -> tuple[str, ...]:
    """The words of other languages :func:`canonical_token` reads as ``canonical`` (plant:
    zavod, kombinat, ...); none for other words."""
    return _SYNONYMS.get(canonical, ())


@lru_cache(maxsize=200_000)
def canonical_token(token: str) -> str:
    """English canonical for generic org words in any language; other tokens unchanged."""
    if token in GENERIC:
        return token
    canonical = _SOURCE_WORDS.get(token) or _singular(token)
    if canonical is not None:
        return canonical
    if len(token) >= 7:
        by_key = _SOURCE_KEYS.get(phonetic_key(token))
        if by_key is not None:
            return by_key
    return token


#: Cities and regions that companies carry in their names ("Leader (Hong Kong) International
#: Trading", "Nanjing Kaikai Technology"): they say where, not who.
_CITY_WORDS = frozenset(
    [
        "hong",
        "kong",
        "macau",
        "macao",
        "shanghai",
        "beijing",
        "shenzhen",
        "guangzhou",
        "nanjing",
        "tianjin",
        "dalian",
        "xiamen",
        "qingdao",
        "wuhan",
        "chengdu",
        "ningbo",
        "hangzhou",
        "suzhou",
        "harbin",
        "moscow",
        "moskva",
        "petersburg",
        "sankt",
        "peterburg",
        "novosibirsk",
        "yekaterinburg",
        "ekaterinburg",
        "kazan",
        "samara",
        "izhevsk",
        "dubai",
        "sharjah",
        "ajman",
        "abu",
        "dhabi",
        "tehran",
        "teheran",
        "isfahan",
        "mashhad",
        "tabriz",
        "shiraz",
        "damascus",
        "aleppo",
        "beirut",
        "baghdad",
        "basra",
        "karachi",
        "lahore",
        "istanbul",
        "ankara",
        "minsk",
        "kyiv",
        "kiev",
        "almaty",
        "tashkent",
        "caracas",
        "havana",
        "pyongyang",
        "seoul",
        "singapore",
        "london",
        "panama",
        "cyprus",
        "limassol",
        "nicosia",
        "north",
        "south",
        "east",
        "west",
        "central",
        "middle",
        "far",
        "asia",
        "asian",
        "europe",
        "european",
        "pacific",
        "atlantic",
        "gulf",
        "eastern",
        "western",
        "northern",
        "southern",
    ]
)


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    from sanctrace.model.countries import iso_records

    words = set(_CITY_WORDS)
    for country in iso_records("1"):
        for attr in ("name", "common_name"):
            value = country.get(attr)
            if value:
                words.update(w for w in fold(anyascii(value)).split() if len(w) > 3)
    return frozenset(words - {"united", "republic", "islands", "state", "states"})


#: Honorifics and titles written into names (Daw Thet Thet Khine, Haji Khairullah).
_TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "sir",
        "haji",
        "hajji",
        "hadji",
        "sheikh",
        "shaykh",
        "sheik",
        "mullah",
        "mulla",
        "maulana",
        "maulvi",
        "mawlawi",
        "sayyid",
        "sayed",
        "seyyed",
        "syed",
        "imam",
        "qari",
        "daw",
        "u",
        "ko",
        "ma",
        "gen",
        "general",
        "col",
        "colonel",
        "maj",
        "major",
        "capt",
        "captain",
        "lt",
        "admiral",
    ]
)
#: Words armed groups and charities put around their names (Izz al-Din al-Qassam Brigades /
#: Forces, Sham al-Islam Movement): they say what kind of body, not which one.
_BODY_WORDS = frozenset(
    [
        "force",
        "forces",
        "brigade",
        "brigades",
        "battalion",
        "battalions",
        "regiment",
        "corps",
        "army",
        "militia",
        "legion",
        "movement",
        "front",
        "party",
        "charity",
        "charitable",
        "trust",
    ]
)
#: Russian and Turkic patronymic endings: a patronymic is often left out of a listed name.
_PATRONYMIC_ENDINGS = ("ovich", "evich", "ovna", "evna", "ichna", "ogly", "oglu", "kyzy", "qizi")


@lru_cache(maxsize=200_000)
def token_weight(token: str) -> float:
    """How much a token identifies a name: 1.0 for ordinary words, less for generic ones and
    for places."""
    if not token:
        return 0.0
    if token in STOPWORDS and token not in PARTICLES:
        return 0.1
    if token in PARTICLES:
        return 0.2
    if len(token) == 1:
        return 0.3
    if token in GENERIC or canonical_token(token) in GENERIC:
        return 0.3
    if token.isdigit():
        return 0.6
    if token in _place_words():
        return 0.4
    if token in _TITLES:
        return 0.2
    if token in _BODY_WORDS:
        return 0.3
    return 1.0


def is_patronymic(token: str) -> bool:
    """Russian and Turkic patronymics (Petrovich, Ivanovna, Aliyev ogly); surnames end so too
    (Miklashevich), so the matcher only discounts them when they are left unmatched."""
    return len(token) > 6 and token.endswith(_PATRONYMIC_ENDINGS)


@lru_cache(maxsize=200_000)
def acronym_letters(original: str, canonical: str) -> tuple[str, ...]:
    """The letter groups one token may contribute to an acronym, most likely first."""
    letters = [original[0]]
    for prefix in _COMPOUND_PREFIXES:
        if original.startswith(prefix) and len(original) >= len(prefix) + 3:
            letters.append(prefix[0] + original[len(prefix)])
            break
    if canonical != original:
        letters.append(canonical[0])
    letters.extend(FOREIGN_INITIALS.get(canonical, ()))
    return tuple(dict.fromkeys(letters))


#: Cap on acronym variants per name form.
MAX_ACRONYMS = 24


def acronym_of(tokens: list[str] | tuple[str, ...]) -> str | None:
    """Initials of the significant tokens, when there are at least two ("ibm" for IBM's name)."""
    significant = [t for t in tokens if t and t not in STOPWORDS and not t.isdigit()]
    if len(significant) < 2:
        return None
    return "".join(t[0] for t in significant)


def acronym_variants(originals: tuple[str, ...], canonicals: tuple[str, ...]) -> tuple[str, ...]:
    """Acronyms of the whole name and of its leading and trailing runs, with letter variants.

    "IEMZ Kupol" must meet "Izhevsk Electromechanical Plant Kupol": the run "izhevsk
    electromechanical plant" gives "iemz" through electro-m(echanical) and plant's Russian z.
    """
    pairs = [
        (o, c)
        for o, c in zip(originals, canonicals, strict=True)
        if o and o not in STOPWORDS and not o.isdigit()
    ]
    n = len(pairs)
    if n < 2:
        return ()
    options = [acronym_letters(o, c) for o, c in pairs]
    runs = [(0, n)]
    runs.extend((0, end) for end in range(n - 1, 1, -1))
    runs.extend((start, n) for start in range(1, n - 1))
    runs = [(start, end) for start, end in runs if end - start <= 10]
    if all(len(opts) == 1 for opts in options):
        plain = "".join(opts[0] for opts in options)
        return tuple(dict.fromkeys(plain[start:end] for start, end in runs[:MAX_ACRONYMS]))
    out: dict[str, None] = {}
    for start, end in runs:
        variants = [""]
        for opts in options[start:end]:
            variants = [v + letter for v in variants for letter in opts][: MAX_ACRONYMS * 2]
        for v in variants:
            out.setdefault(v, None)
            if len(out) >= MAX_ACRONYMS:
                return tuple(out)
    return tuple(out)
