"""Script-agnostic text cleanup and script detection.

Everything here is cheap and total: lists carry control characters, odd quotes and stray bytes, and
the matcher must never fail on a name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Characters that separate words: punctuation of every kind (quotes, dashes, brackets, slashes),
#: symbols and controls. Apostrophes are removed without a space ("O'Brien" -> "obrien").
_APOSTROPHES = "'’‘ʼʻ`´ʹʾʿ"
_APOS_RE = re.compile(f"[{re.escape(_APOSTROPHES)}]")
_ASCII_SEP_RE = re.compile(r"[^a-z0-9]+")
#: Apostrophes used as quotes, closing at a word's end: OOO'VEKTOR', ПАО‘АЛРОСА’ (a quote, not
#: the elision of O'Brien or Ma'ruf, which has no closing mark before a space).
_APOS_QUOTED_RE = re.compile(
    f"[{re.escape(_APOSTROPHES)}]([^{re.escape(_APOSTROPHES)}]+?)"
    f"[{re.escape(_APOSTROPHES)}](?=[\\s,.;:)\\]]|$)"
)

SCRIPTS = (
    "latin",
    "cyrillic",
    "han",
    "hangul",
    "kana",
    "arabic",
    "hebrew",
    "greek",
    "thai",
    "other",
)


def fold(text: str) -> str:
    """Case- and punctuation-insensitive form of ``text`` without changing its script.

    NFKC first so that full-width letters and ligatures become ordinary ones; combining marks stay
    (they belong to the word, e.g. Devanagari vowel signs) but every other non-word character
    becomes a single space.
    """
    if not isinstance(text, str) or not text:
        return ""
    if text.isascii():
        text = text.lower()
        if "'" in text or "`" in text:
            text = _APOS_RE.sub("", _APOS_QUOTED_RE.sub(r" \1 ", text))
        return _ASCII_SEP_RE.sub(" ", text).strip()
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOS_RE.sub("", _APOS_QUOTED_RE.sub(r" \1 ", text))
    return " ".join("".join(ch if _is_word_char(ch) else " " for ch in text).split())


@lru_cache(maxsize=16384)
def _is_word_char(ch: str) -> bool:
    """Letters, digits and combining marks (vowel signs belong to their word)."""
    return unicodedata.category(ch)[0] in "LMN"


# (first code point, last code point, script); sorted, checked with a small linear scan after the
# ASCII fast path, which covers the overwhelming majority of characters in official lists.
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x00C0, 0x024F, "latin"),
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0x0E00, 0x0E7F, "thai"),
    (0x1100, 0x11FF, "hangul"),
    (0x1C80, 0x1C8F, "cyrillic"),
    (0x1E00, 0x1EFF, "latin"),
    (0x1F00, 0x1FFF, "greek"),
    (0x2DE0, 0x2DFF, "cyrillic"),
    (0x3040, 0x30FF, "kana"),
    (0x3130, 0x318F, "hangul"),
    (0x31F0, 0x31FF, "kana"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xA640, 0xA69F, "cyrillic"),
    (0xAC00, 0xD7AF, "hangul"),
    (0xF900, 0xFAFF, "han"),
    (0xFB1D, 0xFB4F, "hebrew"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0xFF66, 0xFF9F, "kana"),
    (0x20000, 0x3134F, "han"),
)


@lru_cache(maxsize=4096)
def char_script(ch: str) -> str:
    """Script of one character; "common" for digits, spaces, marks and punctuation."""
    cp = ord(ch)
    if cp < 0x80:
        return "latin" if ch.isalpha() else "common"
    for lo, hi, script in _RANGES:
        if lo <= cp <= hi:
            if script == "latin" and not ch.isalpha():
                return "common"
            return script
    if ch.isalpha():
        return "other"
    return "common"


def dominant_script(text: str) -> str:
    """The script most letters of ``text`` are written in ("latin" for an empty text)."""
    if text.isascii():
        return "latin"
    counts: dict[str, int] = {}
    for ch in text:
        script = char_script(ch)
        if script != "common":
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "latin"
    # Japanese mixes kana and kanji: any kana makes it Japanese.
    if "kana" in counts and "han" in counts:
        return "kana"
    return max(counts.items(), key=lambda kv: kv[1])[0]
