"""Corroboration of weak mentions: a one-word name stands only when distinctive, or with a legal
form beside it or a country of its entity in the sentence; one finding per entity and place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sanctrace.documents.findings import Finding
from sanctrace.documents.precheck import Entry, is_distinctive
from sanctrace.documents.words import (
    SURNAME,
    Ordinary,
    core_words,
    countries_named,
    is_capital,
    is_legal_form,
    is_place,
    sentence_span,
)
from sanctrace.match.index import Index
from sanctrace.match.types import IndexedEntity


def corroborated(
    index: Index,
    entity_at: Callable[[str], IndexedEntity],
    text: str,
    candidates: list[tuple[Finding, Entry]],
    ordinary: Ordinary,
) -> list[Finding]:
    """Keep names that stand on their own; a one-word name only when capitalised and, if it
    is short, a person's or an ordinary word in this document, corroborated (saying how);
    one finding per entity and place (the best of overlapping ones)."""
    # A mention of one word, or of a one-word name and legal forms (Focus SARL), needs
    # corroboration (not Islamic Revolutionary Guard Corps, though the screener met the
    # listed acronym IRGC in it).
    alone = [
        core_words(f.text, whole=True) == 1
        or (entry.single is not None and core_words(f.text) <= 1)
        for f, entry in candidates
    ]
    reasons = [
        _one_word(index, entity_at, text, ordinary, finding, entry) if single else None
        for (finding, entry), single in zip(candidates, alone, strict=True)
    ]
    # Words corroborated as a name for one entity are that name for every entity the
    # screener found in them (Rostec of Russia on the lists that give it no country).
    at_place: dict[tuple[int, int], str] = {}
    for (finding, _), reason in zip(candidates, reasons, strict=True):
        if reason is not None:
            at_place.setdefault((finding.start, finding.end), reason)
    kept: list[Finding] = []
    for (finding, _), single, reason in zip(candidates, alone, reasons, strict=True):
        if single:
            reason = reason or at_place.get((finding.start, finding.end))
            if reason is None:
                continue
            finding = replace(finding, explanation={**finding.explanation, "corroboration": reason})
        kept.append(finding)
    kept.sort(key=lambda f: (f.start, -f.score))
    result: list[Finding] = []
    for finding in kept:
        clash = next(
            (
                i
                for i, other in enumerate(result)
                if other.id == finding.id
                and other.start < finding.end
                and finding.start < other.end
            ),
            None,
        )
        if clash is None:
            result.append(finding)
        elif finding.score > result[clash].score:
            result[clash] = finding
    return result


def _one_word(
    index: Index,
    entity_at: Callable[[str], IndexedEntity],
    text: str,
    ordinary: Ordinary,
    finding: Finding,
    entry: Entry,
) -> str | None:
    """Why a one-word name stands, or None."""
    written = finding.text
    if not is_capital(written, 0):
        return None
    word = written.lower()
    if not ordinary(word) and not entry.person and not is_place(written):
        # the listed name's one word, or the word written when it is a word of the name
        listed = entry.single or (word if word in entry.tokens else "")
        if is_distinctive(index, listed) and not SURNAME.search(written):
            return "a distinctive word, capitalised"
    return _corroboration(entity_at(finding.id), text, finding)


def _corroboration(entity: IndexedEntity, text: str, finding: Finding) -> str | None:
    """A legal form beside the name (not for a person), or a country of its entity named
    in its sentence."""
    # The word before, unless a sentence ends with it ("... Roberts LLC. Blue skies").
    before = [
        w
        for w in text[max(0, finding.start - 40) : finding.start].split()[-1:]
        if not w.endswith((".", "!", "?", ";", ":"))
    ]
    after = text[finding.end : finding.end + 40].split()[:1]
    inside = finding.text.split()[1:]  # Focus SARL, as the window took it with the name
    for near in () if entity.schema == "Person" else (*before, *inside, *after):
        bare = near.strip(".,;:()«»\"'“”")
        if bare and is_legal_form(bare):
            return f"legal form beside it: {bare}"
    low, high = sentence_span(text, finding.start)
    named = countries_named(text[low : finding.start] + " " + text[finding.end : high])
    for code, written in named.items():
        if code in entity.countries:
            return f"a country of the listed entity named in the sentence: {written}"
    return None
