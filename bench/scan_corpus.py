"""Generated documents for the document-scanning benchmark (bench/scan.py).

Nothing is shipped but this code: the prose comes from Faker (en_US, ru_RU, zh_CN) and a few
sentence templates per language, the planted names from the bundled lists.

* :class:`Prose` writes "ordinary prose": template sentences with the things that make name
  finders raise false alarms in real text (people's names, company names, cities, countries,
  dates, amounts, job titles, capitalised sentence starts, headlines in capitals, quotations,
  section headings in title case) between Faker ``sentence()`` filler. Every proper noun it
  uses comes from a :class:`Pools`, whose person, surname, company, city, street and country
  names were each screened against the lists (``Screener.screen`` at the default threshold)
  and dropped if they matched (a real company's name from Faker's ru_RU list also part by part
  and word by word: "Аэрофлот — Российские авиалинии"): so a finding in this prose is a false
  alarm, not a listed party that Faker happened to produce.
* :func:`plant_candidates` derives from the listed entities the ways a document may write
  their names (the variants of the benchmark), and :func:`plant_sentence` puts one in a
  sentence.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sanctrace.match import Query, Screener
from sanctrace.model.entity import Entity
from sanctrace.normalize.legal_forms import strip_legal_forms

LANGUAGES = {"en": "en_US", "ru": "ru_RU", "zh": "zh_CN"}
#: Words as the scanner splits them (a hyphen splits: Almaz-Antey is two words).
WORD = re.compile(r"[^\W_]+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
#: Chinese is written without spaces: 1.5 Han characters count as one word.
HAN_PER_WORD = 1.5


def count_words(text: str) -> float:
    """Words of ``text``: runs of letters outside Han, plus Han characters / 1.5."""
    han = len(_HAN.findall(text))
    other = len(WORD.findall(_HAN.sub(" ", text)))
    return other + han / HAN_PER_WORD


# -- proper nouns, screened ----------------------------------------------------------------------

#: How many of each kind of proper noun a pool draws from Faker (before screening).
POOL_SIZES = {
    "person": 3000, "surname": 1500, "company": 2000, "city": 500, "street": 300, "country": 400
}  # fmt: skip


@dataclass
class Pools:
    """Proper nouns of one locale, none of them a listed party."""

    locale: str
    nouns: dict[str, list[str]] = field(default_factory=dict)
    #: (kind, name, matched listed caption, score) of everything screened out.
    dropped: list[tuple[str, str, str, float]] = field(default_factory=list)
    screened: int = 0

    def pick(self, rng: random.Random, kind: str) -> str:
        return rng.choice(self.nouns[kind])


def build_pools(locale: str, seed: int, screener: Screener, scale: float = 1.0) -> Pools:
    """Faker proper nouns of ``locale``, each screened at the default threshold; matches dropped."""
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(seed)
    makers: dict[str, Callable[[], str]] = {
        "person": fake.name,
        "surname": fake.last_name,
        "company": fake.company,
        "city": fake.city_name if hasattr(fake, "city_name") else fake.city,
        "street": fake.street_name,
        "country": fake.country,
    }
    pools = Pools(locale)
    real = _real_companies(fake)
    for kind, make in makers.items():
        draws = max(20, int(POOL_SIZES[kind] * scale))
        values = sorted({make() for _ in range(draws)})
        schema = "Person" if kind in ("person", "surname") else None
        kept = pools.nouns[kind] = []
        for value in values:
            # a real company's name ("Аэрофлот — Российские авиалинии") is screened part by
            # part and word by word too: a listed party may be inside it
            parts = [value, *(_parts(value) if value in real else ())]
            for part in parts:
                pools.screened += 1
                matches = screener.screen(Query(part, schema=schema), limit=1)
                if matches:
                    pools.dropped.append((kind, value, matches[0].caption, matches[0].score))
                    break
            else:
                kept.append(value)
    return pools


def _real_companies(fake: Any) -> frozenset[str]:
    """Names of real companies a Faker locale draws from (ru_RU: the RBC 500)."""
    return frozenset(
        name for provider in fake.providers for name in getattr(provider, "large_companies", ())
    )


def _parts(value: str) -> list[str]:
    """The pieces of a company name that may be names themselves: around a dash or in
    brackets, and its words of three letters or more written with a capital."""
    pieces = [p.strip() for p in re.split(r"\s[—–-]\s|[(),]", value) if p.strip()]
    words = [w for w in WORD.findall(value) if len(w) >= 3 and not w.islower()]
    return list(dict.fromkeys(p for p in (*pieces, *words) if p != value))


# -- prose ---------------------------------------------------------------------------------------

_EN_HEADLINES = (
    "{company} to open new office in {city}",
    "{country} and {country2} resume trade talks",
    "{person} named {job} at {company}",
    "Quarterly results: {company} beats forecasts",
    "{city} council approves budget of ${amount} million",
)
_EN_TEMPLATES: tuple[tuple[int, str], ...] = (
    (9, "{filler}"),
    (1, "{person} joined {company} as {job_a} in {year}."),
    (1, "According to {person}, the {city} office of {company} reported revenue of ${amount} "
        "million for the quarter ended {date}."),
    (1, "“{filler_open}” said {person}, {job_l} at {company}."),
    (1, "{CITY}, {month} {day} — {filler}"),
    (1, "The meeting in {city} on {weekday}, {month} {day}, was chaired by {title} {surname}."),
    (1, "{title} {surname} told reporters on {weekday} that {filler_l}"),
    (1, "Shares of {company} rose {pct} percent after the firm agreed to buy {company2} for "
        "${amount} million."),
    (1, "{person} and {person2} travelled to {country} in {month} to discuss the contract."),
    (1, "In {year}, {company} moved its headquarters from {city} to {city2}, {state}."),
    (1, "The report, prepared by {company} for the City of {city}, runs to {n} pages."),
    (1, "{person}, {age}, a {job_l} from {city}, has lived in {country} since {year}."),
    (1, "Contact: {person}, {company}, {number} {street}, {city}, {state_abbr} {zipcode}."),
    (1, "Our partners in {country} include {company}, {company2} and {company3}."),
    (1, "{Month} {day}, {year}: {filler}"),
    (1, "Mr. {surname} said the {Title2} would be ready by {Month}."),
    (1, "As {Surname} put it in {year}: {filler}"),
    (1, "{company} ({city}) delivered {n} units to {company2} on {date}."),
    (1, "The board of {company} thanked {title} {surname} and {person} for their work."),
    (1, "Invoice {invoice} from {company} to {company2}, dated {date}, totals ${amount},000."),
)  # fmt: skip
_RU_HEADLINES = (
    "{company} открывает филиал в городе {city}",
    "Итоги года: выручка {company} выросла",
    "{person} назначен на должность",
    "Переговоры продолжатся {date}",
)
_RU_TEMPLATES: tuple[tuple[int, str], ...] = (
    (9, "{filler}"),
    (1, "{person}, {job_l} компании {company}, заявил, что {filler_l}"),
    (1, "Как сообщил {person}, выручка {company} за {year} год составила {amount} млн рублей."),
    (1, "«{filler_open}» — сказал {person}."),
    (1, "{CITY}, {date}. {filler}"),
    (1, "{person} работает в {company} с {year} года."),
    (1, "Встреча в городе {city} состоялась {date}, её провёл {person}."),
    (1, "Делегация ({country}) прибыла в город {city} в {weekday_l}."),
    (1, "Адрес: {street}, д. {number}, г. {city}. Телефон: {phone}."),
    (1, "{person} и {person2} обсудили условия договора с {company}."),
    (1, "Раздел {n}. {Title3}"),
    (1, "{Weekday}, {date}: {filler}"),
    (1, "По данным {company}, в {year} году было продано {n} тысяч единиц."),
    (1, "Генеральный директор {company} {person} провёл переговоры в городе {city2}."),
    (1, "Счёт № {invoice} от {date} выставлен {company}."),
    (1, "Партнёрами проекта стали {company}, {company2} и {company3}."),
)  # fmt: skip
_ZH_HEADLINES = (
    "{company}在{city}开设新办事处",
    "{country}与{country2}恢复贸易谈判",
    "{person}出任{company}{job}",
)
_ZH_TEMPLATES: tuple[tuple[int, str], ...] = (
    (9, "{filler}"),
    (1, "{person}是{company}的{job}。"),
    (1, "据{person}介绍，{company}{year}年在{city}的收入为{amount}万元。"),
    (1, "“{filler}”{person}说。"),
    (1, "{company}总部位于{city}{street}{number}号。"),
    (1, "{date}，{country}代表团访问了{city}。"),
    (1, "{person}和{person2}于{year}年共同创立了{company}。"),
    (1, "联系人：{person}，电话：{phone}。"),
    (1, "第{n}章 {filler}"),
    (1, "{company}与{company2}在{city2}签署了合作协议，金额为{amount}万元。"),
    (1, "{person}（{job}）表示，{filler}"),
    (1, "合作伙伴包括{company}、{company2}和{company3}。"),
)  # fmt: skip
_TEMPLATES = {"en": _EN_TEMPLATES, "ru": _RU_TEMPLATES, "zh": _ZH_TEMPLATES}
_HEADLINES = {"en": _EN_HEADLINES, "ru": _RU_HEADLINES, "zh": _ZH_HEADLINES}


class _Slots(dict[str, str]):
    """Values for a template, each made when first asked for."""

    def __init__(self, prose: Prose) -> None:
        super().__init__()
        self.prose = prose

    def __missing__(self, key: str) -> str:
        value = self[key] = self.prose.slot(key)
        return value


class Prose:
    """Ordinary prose in one language, from screened proper nouns and Faker filler."""

    def __init__(self, language: str, pools: Pools, seed: int) -> None:
        from faker import Faker

        self.language = language
        self.pools = pools
        self.rng = random.Random(seed)
        self.fake = Faker(LANGUAGES[language])
        self.fake.seed_instance(seed)
        templates = _TEMPLATES[language]
        self._templates = [t for _, t in templates]
        self._weights = [w for w, _ in templates]

    def slot(self, key: str) -> str:
        rng, fake, pools = self.rng, self.fake, self.pools
        base = key.rstrip("0123456789")
        if base in ("person", "company", "city", "country", "street"):
            return pools.pick(rng, base)
        if base in ("surname", "Surname"):
            return pools.pick(rng, "surname")
        if base == "CITY":
            return pools.pick(rng, "city").upper()
        if base == "filler":
            return self.filler()
        if base == "filler_l":
            sentence = self.filler()
            return sentence[:1].lower() + sentence[1:]
        if base == "filler_open":
            return self.filler().rstrip(".") + ","
        if base in ("job", "job_l", "job_a"):
            job = fake.job()
            if self.language == "zh":
                return job
            if base == "job":
                return job
            job = job.split(",")[0].lower()
            if base == "job_a":
                return ("an " if job[:1] in "aeiou" else "a ") + job
            return job
        if base == "title":
            return rng.choice(("Mr.", "Ms.", "Dr.", "Mrs.", "Professor"))
        if base in ("Title", "Title3"):
            words = self.fake.words(nb=int(key[-1]) if key[-1].isdigit() else 2)
            return " ".join(w.capitalize() for w in words)
        if base in ("month", "Month"):
            return fake.month_name()
        if base in ("weekday", "Weekday"):
            return fake.day_of_week()
        if base == "weekday_l":
            return fake.day_of_week().lower()
        if base == "day":
            return str(rng.randint(1, 28))
        if base == "year":
            return str(rng.randint(1995, 2025))
        if base == "age":
            return str(rng.randint(24, 79))
        if base == "date":
            pattern = {"en": "%B %d, %Y", "ru": "%d.%m.%Y", "zh": "%Y年%m月%d日"}[self.language]
            return fake.date(pattern=pattern)
        if base == "amount":
            return f"{rng.randint(1, 950)}.{rng.randint(0, 9)}"
        if base == "pct":
            return str(rng.randint(1, 19))
        if base in ("n", "number"):
            return str(rng.randint(2, 480))
        if base == "state":
            return fake.state()
        if base == "state_abbr":
            return fake.state_abbr()
        if base == "zipcode":
            return fake.zipcode()
        if base == "phone":
            return fake.phone_number()
        if base == "invoice":
            return f"{rng.randint(1000, 99999)}/{rng.randint(1, 12)}"
        raise KeyError(key)

    def filler(self) -> str:
        sentence = str(self.fake.sentence(nb_words=self.rng.randint(6, 16)))
        return sentence[:-1] + "。" if self.language == "zh" else sentence

    def sentence(self) -> str:
        template = self.rng.choices(self._templates, self._weights)[0]
        return template.format_map(_Slots(self))

    def headline(self) -> str:
        text = self.rng.choice(_HEADLINES[self.language]).format_map(_Slots(self))
        return text.upper() if self.language != "zh" else text

    def paragraph(self, extra: Iterable[str] = ()) -> str:
        """3-7 sentences, with ``extra`` sentences put among them at random places."""
        sentences = [self.sentence() for _ in range(self.rng.randint(3, 7))]
        for planted in extra:
            sentences.insert(self.rng.randint(0, len(sentences)), planted)
        return ("" if self.language == "zh" else " ").join(sentences)

    def document(self, words: float, planted: list[str] | None = None) -> str:
        """Paragraphs of about ``words`` words under a headline in capitals, now and then a
        section heading; ``planted`` sentences spread over the paragraphs."""
        parts = [self.headline()]
        count = 0.0
        paragraphs: list[list[str]] = []
        while count < words:
            paragraphs.append([])
            count += 55 if self.language != "zh" else 60  # about one paragraph's words
        for sentence in planted or []:
            self.rng.choice(paragraphs).append(sentence)
        for extra in paragraphs:
            if self.rng.random() < 0.08:
                parts.append(self.heading())
            parts.append(self.paragraph(extra))
        return "\n\n".join(parts) + "\n"

    def heading(self) -> str:
        n = self.rng.randint(1, 12)
        words = " ".join(w.capitalize() for w in self.fake.words(nb=self.rng.randint(2, 4)))
        if self.language == "zh":
            return f"第{n}节 {words}"
        if self.rng.random() < 0.5:
            return words.upper()
        return f"{n}. {words}"

    def text_of_size(self, size: int) -> str:
        """Documents' worth of prose up to ``size`` bytes of UTF-8."""
        parts: list[str] = []
        total = 0
        while total < size:
            chunk = self.document(1500)
            parts.append(chunk)
            total += len(chunk.encode()) + 1
        return "\n".join(parts)


# -- transliteration -----------------------------------------------------------------------------

#: Latin (BGN/PCGN-style, as the lists write Russian names) -> Cyrillic, longest first.
_TO_CYRILLIC = sorted(
    {
        "shch": "щ", "zh": "ж", "kh": "х", "ts": "ц", "ch": "ч", "sh": "ш", "ph": "ф",
        "a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и",
        "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с",
        "t": "т", "u": "у", "f": "ф", "h": "х", "c": "к", "x": "кс", "w": "в", "q": "к",
        "j": "дж", "'": "ь",
    }.items(),
    key=lambda kv: -len(kv[0]),
)  # fmt: skip
_SOFT = {"a": "я", "u": "ю", "e": "е", "o": "ё"}  # y + vowel
_LATIN_VOWELS = set("aeiouy")
#: Cyrillic -> Latin, the passport (ICAO 9303) spelling: another way to write the same name.
_ICAO = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip


def _word_to_cyrillic(word: str) -> str:
    low = word.lower()
    out: list[str] = []
    i = 0
    while i < len(low):
        ch = low[i]
        prev = low[i - 1] if i else ""
        if ch == "y":
            nxt = low[i + 1] if i + 1 < len(low) else ""
            if nxt in _SOFT:
                soft = _SOFT[nxt]
                # after a consonant, BGN's y is often a soft sign: Anatolyevich, Ilya (but
                # Vyacheslav, Lyudmila)
                end = i + 2 >= len(low)
                hard = not prev or prev in _LATIN_VOWELS or not (nxt == "e" or end)
                out.append(soft if hard else "ь" + soft)
                i += 2
                continue
            if prev and prev in _LATIN_VOWELS:  # Sergey, Yuriy, Belyy
                out.append("й")
            else:  # Krylov
                out.append("ы")
            i += 1
            continue
        if ch == "e" and not prev:  # BGN writes an initial е as ye: this is э
            out.append("э")
            i += 1
            continue
        if ch == "c" and low[i + 1 : i + 2] in ("e", "i", "y"):  # Concern
            out.append("ц")
            i += 1
            continue
        for latin, cyr in _TO_CYRILLIC:
            if low.startswith(latin, i):
                out.append(cyr)
                i += len(latin)
                break
        else:
            out.append(ch)
            i += 1
    text = "".join(out)
    if word.isupper() and len(word) > 1:
        return text.upper()
    return text[:1].upper() + text[1:] if word[:1].isupper() else text


_NOT_BGN = re.compile(r"[cwqxj]|(?<![kzcs])h")


def romanised_russian(value: str) -> bool:
    """Whether a Latin name could be Russian romanised the BGN way (no c but in ch, no w, q, x,
    j, no h but in kh, zh, ch, sh): "Kalashnikov", not "Helicopter Service"."""
    return not _NOT_BGN.search(value.lower().replace("ch", ""))


def to_cyrillic(latin: str) -> str:
    """A Latin (romanised Russian) name written back in Cyrillic: Kalashnikov -> Калашников."""
    return re.sub(r"[A-Za-z]+(?:'[A-Za-z]+)*", lambda m: _word_to_cyrillic(m.group()), latin)


def to_icao(cyrillic: str) -> str:
    """A Cyrillic name in the passport (ICAO) spelling: Сергей Юрьевич -> Sergei Iurevich."""

    def word(m: re.Match[str]) -> str:
        w = m.group()
        latin = "".join(_ICAO.get(c, c) for c in w.lower())
        return latin.upper() if w.isupper() and len(w) > 1 else latin.capitalize()

    return re.sub(r"[\u0400-\u04ff]+", word, cyrillic)


#: Genitive endings of masculine nouns and names, longest first (Вишневский -> Вишневского,
#: Белый -> Белого, Юрий -> Юрия, Антей -> Антея, Петров -> Петрова).
_GENITIVE = (
    ("кий", "кого"), ("гий", "гого"), ("хий", "хого"), ("ый", "ого"), ("ой", "ого"),
    ("ий", "ия"), ("й", "я"), ("ь", "я"),
)  # fmt: skip


def genitive(word: str) -> str | None:
    """The genitive of a masculine noun or name ending in a consonant, й or ь; None for other
    endings (their forms vary too much to guess)."""
    if not word or not _CYRILLIC.search(word[-1]):
        return None
    low = word.lower()
    upper = word.isupper() and len(word) > 1
    for ending, replacement in _GENITIVE:
        if low.endswith(ending):
            stem, added = word[: -len(ending)], replacement
            break
    else:
        if low[-1] in "аеёиоуыэюя":
            return None
        stem, added = word, "а"
    return stem + (added.upper() if upper else added)


def inflect(name: str, *, person: bool) -> str | None:
    """The genitive of a Cyrillic name: every word of a (male) person's name, the last part of
    an organisation's name of one word ("Алмаз-Антей" -> "Алмаз-Антея"; in a longer name the
    word that inflects is not always the last)."""
    words = list(re.finditer(r"[\u0400-\u04ff]+", name))
    if not words or (not person and len(name.split()) > 1):
        return None
    chosen = words if person else words[-1:]
    out = name
    for m in reversed(chosen):
        inflected = genitive(m.group())
        if inflected is None:
            return None
        out = out[: m.start()] + inflected + out[m.end() :]
    return out


# -- planted names -------------------------------------------------------------------------------

#: The variants of a listed name that documents are built with, and the language of the
#: documents each goes into.
EN_VARIANTS = (
    "exact caption",
    "exact caption, SURNAME, Given",
    "legal form dropped",
    "title case",
    "word order (person)",
    "transliterated (passport spelling)",
    "acronym (listed alias)",
    "line break inside",
    "hyphenated across lines",
    "possessive",
)
RU_VARIANTS = ("Cyrillic (as listed)", "Cyrillic (transliterated)", "Cyrillic, inflected")
PARTY_SCHEMATA = ("Person", "Company", "Organization", "LegalEntity")
#: A one-word name needs this many letters to stand without corroboration (the scanner's
#: ``DISTINCTIVE``); shorter ones are left to the one-word set.
DISTINCTIVE = 8
MAX_WORDS = 8


@dataclass(frozen=True)
class Candidate:
    entity: str
    dataset: str
    schema: str
    variant: str
    text: str
    countries: tuple[str, ...]


def _is_russian(entity: Entity) -> bool:
    countries = {*entity.countries, *entity.nationalities, *entity.citizenships}
    countries.update(a.country for a in entity.addresses if a.country)
    return bool(countries & {"RU", "BY"}) or any("russia" in p.lower() for p in entity.programs)


def _latin(value: str) -> bool:
    letters = [c for c in value if c.isalpha()]
    return bool(letters) and all(c.isascii() for c in letters)


def _title(value: str) -> str:
    """Title case of a name written in capitals (O'Neil, Almaz-Antey); others as written."""
    if not value.isupper():
        return value
    return re.sub(r"[^\W_]+", lambda m: m.group()[:1] + m.group()[1:].lower(), value)


def _core(value: str) -> str | None:
    """The name without its legal-form words (in their order), or None when it has none."""
    words = value.replace(",", " , ").split()
    keys = [w.strip('.,"“”«»()').lower() for w in words]
    usable = [k for k in keys if k]
    core, forms = strip_legal_forms(usable)
    if not forms:
        return None
    kept: list[str] = []
    rest = list(core)
    for word, key in zip(words, keys, strict=True):
        if rest and key == rest[0]:
            kept.append(word)
            rest.pop(0)
    if rest or not kept:
        return None
    text = " ".join(kept).strip(" ,&-'\"“”«»")
    return re.sub(r"\s+,", ",", text) or None


def plantable(value: str, *, person: bool, ordinary: frozenset[str]) -> bool:
    """Whether a name is one a document scan should find on its own: at least two words, one
    of them of 4 letters or more (a person: two words), or one long and unusual word; not a
    list's note ("(a.k.a. ...)")."""
    if not value or any(c in value for c in "();[]/") or len(value) > 80:
        return False
    words = WORD.findall(value)
    if not words or len(words) > MAX_WORDS:
        return False
    core = _core(value)
    core_words = WORD.findall(core) if core else words
    if len(core_words) >= 2:
        return any(len(w) >= 4 for w in core_words)
    if person:
        return False
    word = core_words[0]
    return len(word) >= DISTINCTIVE and word.lower() not in ordinary


def _prose_form(entity: Entity, value: str) -> str:
    """How prose writes a listed name: without its legal form, title-cased if in capitals, a
    person's given names first."""
    if entity.schema == "Person":
        reordered = _reordered(entity, value)
        return _title(reordered or value)
    return _title(_core(value) or value)


def _reordered(entity: Entity, value: str) -> str | None:
    """ "SURNAME, Given" -> "Given Surname" (from the list's name parts, or at the comma)."""
    for name in entity.names:
        if name.value == value and name.first_name and name.last_name:
            given = " ".join(p for p in (name.first_name, name.middle_name) if p)
            out = f"{_title(given)} {_title(name.last_name)}"
            if WORD.findall(out.lower()) != WORD.findall(value.lower()):
                return out
    if value.count(",") == 1:
        surname, given = (p.strip() for p in value.split(","))
        if surname and given:
            return f"{_title(given)} {_title(surname)}"
    return None


def _country_name(entity: Entity) -> str | None:
    """The English short name of one of the entity's countries, if it has one."""
    import pycountry

    for code in sorted({*entity.countries, *entity.nationalities}):
        country = pycountry.countries.get(alpha_2=code)
        if country is not None:
            name = str(getattr(country, "common_name", country.name))
            if ", " not in name:
                return name
            # as prose writes it: "the Democratic Republic of the Congo" for "Congo, The
            # Democratic Republic of the"; "Moldova" for "Moldova, Republic of"
            head, tail = name.split(", ", 1)
            return f"the {tail.removeprefix('The ')} {head}" if tail.endswith(" of the") else head
    return None


def _acronyms(entity: Entity) -> list[str]:
    """Aliases that are acronyms of the entity's other names: one word in capitals, 3 to 6
    letters, starting as another name of two words or more starts."""
    values = [n.value for n in entity.names]
    longer = [v for v in values if len(WORD.findall(v)) >= 2]
    found = []
    for value in values:
        word = value.strip()
        if not (word.isalpha() and word.isupper() and 3 <= len(word) <= 6):
            continue
        starts = {(_core(v) or v).lstrip('"“«')[:1].upper() for v in longer}
        if word[0] in starts:
            found.append(word)
    return found


def _variants(
    entity: Entity, ordinary: frozenset[str], rng: random.Random
) -> list[tuple[str, str]]:
    """(variant, text) of every way the benchmark writes this entity's names."""
    person = entity.schema == "Person"
    out: list[tuple[str, str]] = []
    names = [n.value for n in entity.names]
    latin = [v for v in names if _latin(v) and plantable(v, person=person, ordinary=ordinary)]
    cyrillic = [
        v for v in names if _CYRILLIC.search(v) and plantable(v, person=person, ordinary=ordinary)
    ]
    if entity.caption in latin:
        comma = person and "," in entity.caption
        out.append(("exact caption, SURNAME, Given" if comma else "exact caption", entity.caption))
    for value in latin:
        core = None if person else _core(value)
        if core and plantable(core, person=False, ordinary=ordinary):
            out.append(("legal form dropped", _title(core)))
        if value.isupper():
            out.append(("title case", _title(value)))
        reordered = _reordered(entity, value) if person else None
        if reordered and plantable(reordered, person=True, ordinary=ordinary):
            out.append(("word order (person)", _title(reordered)))
    prose = sorted({_prose_form(entity, v) for v in latin})
    russian = _is_russian(entity)
    for value in prose:
        if not plantable(value, person=person, ordinary=ordinary):
            continue
        spaces = [m.start() for m in re.finditer(" ", value)]
        if spaces:
            at = rng.choice(spaces)
            out.append(("line break inside", value[:at] + "\n" + value[at + 1 :]))
        longs = [m for m in re.finditer(r"[A-Za-z]{8,}", value) if not m.group().isupper()]
        if longs:
            m = rng.choice(longs)
            cut = m.start() + rng.randint(3, len(m.group()) - 3)
            out.append(("hyphenated across lines", value[:cut] + "-\n" + value[cut:]))
        out.append(("possessive", value + ("'" if value.endswith("s") else "'s")))
        if russian and romanised_russian(value):
            cyr = to_cyrillic(value)
            out.append(("Cyrillic (transliterated)", cyr))
            inflected = inflect(cyr, person=person)
            if inflected:
                out.append(("Cyrillic, inflected", inflected))
            icao = to_icao(cyr)
            if icao.lower() != value.lower():
                out.append(("transliterated (passport spelling)", icao))
    for value in cyrillic:
        out.append(("Cyrillic (as listed)", value))
        inflected = inflect(value, person=person)
        if inflected and inflected != value:
            out.append(("Cyrillic, inflected", inflected))
    # An acronym alone is a very short name: it counts only with corroboration, here the way a
    # report writes one, with the entity's country ("HESA of Iran").
    country = _country_name(entity)
    if country:
        out.extend(
            ("acronym (listed alias)", f"{acronym} of {country}") for acronym in _acronyms(entity)
        )
    return out


def plant_candidates(
    entities: Iterable[Entity], ordinary: frozenset[str], seed: int
) -> dict[str, list[Candidate]]:
    """Variant -> every (entity, text) a document could be built with, over every list."""
    rng = random.Random(seed)
    out: dict[str, list[Candidate]] = {v: [] for v in (*EN_VARIANTS, *RU_VARIANTS)}
    for entity in entities:
        if entity.schema not in PARTY_SCHEMATA:
            continue
        countries = tuple(sorted({*entity.countries, *entity.nationalities, *entity.citizenships}))
        for variant, text in dict.fromkeys(_variants(entity, ordinary, rng)):
            out[variant].append(
                Candidate(entity.id, entity.dataset, entity.schema, variant, text, countries)
            )
    return out


def one_word_candidates(entities: Iterable[Entity]) -> list[tuple[Entity, str, str]]:
    """Companies whose name is one short word (5-7 letters) and a legal form: (entity, the name
    as listed, the word alone in title case)."""
    found = []
    for entity in entities:
        if entity.schema not in ("Company", "Organization"):
            continue
        for name in entity.names:
            value = name.value
            if not _latin(value) or any(c in value for c in '();[]/"“«'):
                continue
            core = _core(value)
            if not core:
                continue
            words = WORD.findall(core)
            if len(words) == 1 and 5 <= len(words[0]) <= 7 and words[0].isalpha():
                found.append((entity, value, words[0].capitalize()))
                break
    return found


_EN_PLANT = (
    "Payments to {name} were routed through a bank in {city}.",
    "The consignment was shipped to {name} on {date}.",
    "Among the customers listed in the annex is {name}, which ordered {n} units.",
    "{name} signed the framework agreement last year.",
    "Our agent met representatives of {name} in {city} in {month}.",
)
_EN_PLANT_COUNTRY = (
    "{name}, based in {country}, signed the framework agreement last year.",
    "The invoice names {name} of {country} as the final consignee.",
)
_RU_PLANT = (
    "Платёж в адрес {name} прошёл через банк в городе {city}.",
    "Груз был отправлен получателю {name} {date}.",
    "Договор с {name} подписан в прошлом году.",
    "Среди покупателей указан {name}.",
)
_RU_PLANT_COUNTRY = ("Контрагент {name} ({country}) подписал договор в прошлом году.",)
_RU_PLANT_GENITIVE = (
    "Представители {name} отказались от комментариев.",
    "Акции {name} подорожали на {n} процентов.",
    "По данным {name}, поставки выросли.",
)
#: Country names the plant sentences name, for the entity's country codes (English, Russian).
COUNTRY_NAMES = {
    "RU": ("Russia", "Россия"), "BY": ("Belarus", "Беларусь"), "IR": ("Iran", "Иран"),
    "KP": ("North Korea", "КНДР"), "SY": ("Syria", "Сирия"), "CN": ("China", "Китай"),
    "VE": ("Venezuela", "Венесуэла"), "CU": ("Cuba", "Куба"), "IQ": ("Iraq", "Ирак"),
    "LB": ("Lebanon", "Ливан"), "AE": ("the United Arab Emirates", "ОАЭ"),
    "TR": ("Turkey", "Турция"), "MM": ("Myanmar", "Мьянма"), "UA": ("Ukraine", "Украина"),
}  # fmt: skip
#: The share of plant sentences that name the entity's country (as reports often do).
COUNTRY_SHARE = 1 / 3


#: Around a planted name in a generated document (taken out, with the offsets kept).
OPEN, TAG_END, CLOSE = "\ue000", "\ue001", "\ue002"
_MARKED = re.compile(OPEN + r"(\d+)" + TAG_END + "(.*?)" + CLOSE, re.S)


def plant_sentence(
    candidate: Candidate, tag: int, language: str, prose: Prose, rng: random.Random
) -> str:
    """A sentence naming the candidate, the name marked with ``tag`` (see :func:`unmark`)."""
    country = next((COUNTRY_NAMES[c] for c in candidate.countries if c in COUNTRY_NAMES), None)
    with_country = country is not None and rng.random() < COUNTRY_SHARE
    pick: tuple[str, ...]
    if language == "en":
        pick = _EN_PLANT_COUNTRY if with_country else _EN_PLANT
    elif candidate.variant == "Cyrillic, inflected":
        pick = _RU_PLANT_GENITIVE
    else:
        pick = _RU_PLANT_COUNTRY if with_country else _RU_PLANT
    template = rng.choice(pick)
    slots = _Slots(prose)
    if country:
        slots["country"] = country[0 if language == "en" else 1]
    slots["name"] = f"{OPEN}{tag}{TAG_END}{candidate.text}{CLOSE}"
    return template.format_map(slots)


def unmark(text: str) -> tuple[str, dict[int, tuple[int, int]]]:
    """The text without the marks, and tag -> (start, end) of each marked name in it."""
    out: list[str] = []
    spans: dict[int, tuple[int, int]] = {}
    last = 0
    length = 0
    for m in _MARKED.finditer(text):
        out.append(text[last : m.start()])
        length += m.start() - last
        spans[int(m.group(1))] = (length, length + len(m.group(2)))
        out.append(m.group(2))
        length += len(m.group(2))
        last = m.end()
    out.append(text[last:])
    return "".join(out), spans
