"""A document's text as the name automaton reads it: lower-case Latin words between spaces.

One ``str.translate`` pass (C speed) folds case and accents, romanises Cyrillic and Greek the
way the lists write them (BGN/PCGN), drops apostrophes and soft hyphens and turns everything
else into spaces; scripts written without spaces (Han, kana, hangul) become spaces here and
are matched in their own script. Words hyphenated across a line break ("Kalash-\\nnikov") are
joined first, in a copy of the text of the same length, so offsets stay the original's. A
position in the Latin text maps back to the original through per-chunk lengths.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache

from anyascii import anyascii

from sanctrace.normalize.translit import _CYR_BGN

#: Chunks of the original text whose Latin lengths are kept, to map positions back.
_CHUNK = 32
#: Replaces the "-\n" of a word hyphenated across a line break (same length, so offsets hold).
_JOINER = "\u00ad"
_HYPHENATED = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n[ \t]*(?=[a-zа-яё])")
_NO_SPACE_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL")


def _latin(ch: str, cased: bool = False) -> str:
    """How one character reads in the Latin analysis text (keeping its case, if ``cased``:
    capitals say where names are)."""
    if ch in "'’ʼ`\u00ad":
        return ""
    lower = ch.lower()
    if len(lower) != 1:  # İ: a letter that lower-cases to two
        lower = ch
    if cased and lower != ch:
        return _latin(lower).upper()
    if lower in _CYR_BGN:
        return _CYR_BGN[lower]
    if not unicodedata.category(ch).startswith(("L", "N", "M")):
        return " "
    if any(unicodedata.name(ch, "").startswith(s) for s in _NO_SPACE_SCRIPTS):
        return " "
    if unicodedata.category(ch).startswith("M"):
        return ""
    folded = "".join(c for c in anyascii(lower).lower() if c.isascii() and c.isalnum())
    return folded or " "


@lru_cache(maxsize=2)
def table(cased: bool = False) -> dict[int, str]:
    """The translation table, for every code point below U+3000 (and full-width forms)."""
    found: dict[int, str] = {}
    for code in list(range(0x3000)) + list(range(0xFF00, 0xFFF0)):
        ch = chr(code)
        value = _latin(ch, cased)
        if value != ch:
            found[code] = value
    return found


def dehyphenate(text: str) -> str:
    """``text`` with words hyphenated across a line break joined (same length)."""
    if "-" not in text:
        return text
    return _HYPHENATED.sub(lambda m: _JOINER * len(m.group(0)), text)


class Analysis:
    """The Latin reading of a text, padded with a space at each end, and the way back."""

    def __init__(self, text: str, cased: bool = False) -> None:
        self.work = dehyphenate(text)
        self.mapping = mapping = table(cased)
        self._starts: list[int] = []
        parts: list[str] = []
        position = 1
        for start in range(0, len(self.work), _CHUNK):
            part = self.work[start : start + _CHUNK].translate(mapping)
            self._starts.append(position)
            parts.append(part)
            position += len(part)
        self.latin = " " + "".join(parts) + " "
        self._identity = len(self.latin) == len(self.work) + 2

    def original(self, position: int) -> int:
        """The offset in the original text of the character at ``position`` in ``latin``."""
        if self._identity:
            return max(0, min(len(self.work), position - 1))
        k = max(0, bisect_right(self._starts, position) - 1)
        if not self._starts:
            return 0
        local = position - self._starts[k]
        mapping = self.mapping
        offset = k * _CHUNK
        for ch in self.work[offset : offset + _CHUNK]:
            length = len(mapping.get(ord(ch), ch))
            if 0 <= local < length:
                break
            local -= length
            offset += 1
        return min(offset, len(self.work))
