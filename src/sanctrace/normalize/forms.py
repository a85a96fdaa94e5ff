"""From a name as a list writes it to the comparable forms the matcher indexes and queries."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from sanctrace.normalize.legal_forms import names_a_quoted_party, strip_legal_forms
from sanctrace.normalize.orgwords import acronym_of, acronym_variants, canonical_token
from sanctrace.normalize.phonetic import phonetic_key
from sanctrace.normalize.text import dominant_script, fold
from sanctrace.normalize.translit import latinize_folded


class NameForm(NamedTuple):
    """One romanised reading of a name, split into comparable tokens. A named tuple, because
    the screening index holds ~100,000 of them and tuples load from disk several times faster.

    ``acronym`` is made from the tokens as written (before generic words are translated), so a
    Russian "... zavod" gives a z; ``acronyms`` adds the variants the matcher should also accept
    (translated words, foreign initials of generic words, compound prefixes, and the leading and
    trailing runs of the name, so "IEMZ Kupol" finds "iemz" in "Izhevsk Electromechanical Plant
    Kupol").
    """

    original: str
    tokens: tuple[str, ...]
    legal_forms: tuple[str, ...]
    phonetic: tuple[str, ...]
    acronym: str | None
    script: str
    acronyms: tuple[str, ...] = ()


#: Schemata whose names never carry legal forms: removing "AO" or "SA" there would cut real names.
_NO_LEGAL_FORMS = frozenset({"Person", "Vessel", "Aircraft", "Vehicle", "CryptoWallet"})
_ORG_SCHEMATA = frozenset({"Company", "Organization", "LegalEntity", "Vessel", "Aircraft"})
#: Prefixes joined with the following word: Abd Allah / Abdul Rahman are written both ways.
_ABD = frozenset({"abd", "abdul", "abdel", "abdal", "abdu", "abdoul", "abdol", "abdool", "abdur"})
_ARTICLES = frozenset({"al", "el", "ul", "ar", "ur", "an", "as", "ad", "ash", "at", "az"})
_ARTICLE_PREFIXES = frozenset({"al", "el", "ul"})
_ABD_PREFIXES = ("abdoul", "abdool", "abdul", "abdel", "abdal", "abdol", "abdur", "abdu", "abd")
_MAX_INPUT = 2000


def _abd(rest: str) -> str:
    """Canonical "Abd al-X" spelling: abd + al + X without its own article."""
    if rest[:2] in _ARTICLE_PREFIXES and len(rest) > 3:
        rest = rest[2:]
    return "abdal" + rest


def _join_abd(tokens: list[str]) -> list[str]:
    """Abd Allah, Abdullah, Abd al-Rahman, Abdulrahman, Abdurrahman -> one spelling each."""
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        token = tokens[i]
        if token in _ABD and i + 1 < n:
            nxt = tokens[i + 1]
            if nxt in _ARTICLES and i + 2 < n:
                out.append(_abd(tokens[i + 2]))
                i += 3
            else:
                out.append(_abd(nxt))
                i += 2
            continue
        if token.startswith("abd") and len(token) > 6:
            for prefix in _ABD_PREFIXES:
                if token.startswith(prefix):
                    token = _abd(token[len(prefix) :])
                    break
        out.append(token)
        i += 1
    return out


#: Legal forms that acronyms often spell out as a last letter (National Iranian Oil Products
#: Distribution Company, NIOPDC).
_COMPANY_FORMS = frozenset({"co", "corp"})


def _make_form(
    original: str,
    latin: str,
    script: str,
    strip_legal: bool,
    person: bool | None,
    quoted: bool = False,
) -> NameForm | None:
    words = latin.split()
    if "abd" in latin:
        words = _join_abd(words)
    if not words:
        return None
    if strip_legal:
        words, legal = strip_legal_forms(words, quoted)
    else:
        legal = []
    originals = tuple(words)
    tokens = tuple(canonical_token(t) for t in originals)
    acronyms = () if person else acronym_variants(originals, tokens)
    if acronyms and _COMPANY_FORMS.intersection(legal):
        acronyms = (*acronyms, acronyms[0] + "c")  # NIOPDC: the C is the stripped Company
    return NameForm(
        original=original,
        tokens=tokens,
        legal_forms=tuple(legal),
        phonetic=tuple(phonetic_key(t) for t in tokens),
        acronym=acronym_of(originals),
        script=script,
        acronyms=acronyms,
    )


def _reordered(name: str, schema: str | None) -> str | None:
    """ "LAST, First Middle" -> "First Middle LAST" for persons (and unknown schemata)."""
    if name.count(",") != 1 or schema not in ("Person", None):
        return None
    last, first = (part.strip() for part in name.split(","))
    if not last or not first:
        return None
    if schema is None:
        tail = fold(first).split()
        if len(fold(last).split()) > 3 or strip_legal_forms(tail)[1] or len(tail) > 4:
            return None
    return f"{first} {last}"


@lru_cache(maxsize=65536)
def _name_forms(name: str, schema: str | None) -> tuple[NameForm, ...]:
    if len(name) > _MAX_INPUT:
        name = name[:_MAX_INPUT]
    person = True if schema == "Person" else False if schema in _ORG_SCHEMATA else None
    strip_legal = schema not in _NO_LEGAL_FORMS
    script = dominant_script(name)
    texts = [name]
    natural = _reordered(name, schema)
    if natural is not None:
        texts.append(natural)
    forms: list[NameForm] = []
    seen: set[tuple[str, ...]] = set()
    for text in texts:
        quoted = names_a_quoted_party(text)
        for latin in latinize_folded(fold(text), person):
            form = _make_form(name, latin, script, strip_legal, person, quoted)
            if form is None or form.tokens in seen:
                continue
            seen.add(form.tokens)
            forms.append(form)
    return tuple(forms)


def name_forms(name: str, schema: str | None = None) -> list[NameForm]:
    """All comparable forms of ``name``: one per romanisation, plus natural order for persons.

    Empty, blank or letterless input gives ``[]``; nothing raises.
    """
    if not isinstance(name, str) or not name or name.isspace():
        return []
    return list(_name_forms(name, schema))
