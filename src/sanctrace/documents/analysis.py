"""A document's text as the name automaton reads it: lower-case Latin words between spaces.

One ``str.translate`` pass (C speed) folds case and accents, romanises Cyrillic and Greek the
way the lists write them (BGN/PCGN), drops apostrophes and soft hyphens and turns everything
else into spaces; scripts written without spaces (Han, kana, hangul) become spaces here and
are matched in their own script. Words hyphenated across a line break ("Kalash-\\nnikov") are
joined first, in a copy of the text of the same length, so offsets stay the original's. A
position in the Latin text maps back to the original through the few characters that do not
read as one Latin character.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate
from operator import add, sub

from anyascii import anyascii

from sanctrace.normalize.translit import _CYR_BGN

#: Replaces the "-\n" of a word hyphenated across a line break (same length, so offsets hold).
_JOINER = "\u00ad"
#: A hyphen at the end of a line before a lower-case letter (the letter before it is checked
#: apart: a pattern that starts with a literal is searched for much faster).
_HYPHENATED = re.compile(r"-[ \t]*\r?\n[ \t]*(?=[a-zа-яё])")
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


#: ``reading()`` of the ASCII characters as a bytes table: letters lower-cased, digits kept,
#: apostrophes and backticks dropped, everything else a space.
_ASCII_READING = (
    bytes(c if chr(c).isalnum() else 32 for c in bytes(range(128)).lower()) + b" " * 128
)


def latin_key(text: str) -> str:
    """``text`` as the automaton reads it, words single-spaced (the key of a place name):
    ASCII names skip the per-character table (5,000 region names at every scan)."""
    if text.isascii():
        read = text.encode("ascii").translate(_ASCII_READING, b"'`").decode("ascii")
    else:
        read = text.translate(reading())
    return " ".join(read.split())


class _Reading(dict[int, str]):
    """``table(cased)`` as ``str.translate`` reads it, filled in as characters come: building
    the whole table takes 150 ms, and a short text or a country name meets a few dozen."""

    def __init__(self, cased: bool) -> None:
        super().__init__()
        self.cased = cased

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        value = _latin(ch, self.cased) if code < 0x3000 or 0xFF00 <= code < 0xFFF0 else ch
        self[code] = value
        return value


@lru_cache(maxsize=2)
def reading(cased: bool = False) -> dict[int, str]:
    """A translation table for ``str.translate`` with the readings of :func:`table`."""
    return _Reading(cased)


def table(cased: bool = False) -> dict[int, str]:
    """The translation table, for every code point below U+3000 (and full-width forms)."""
    return _tables()[bool(cased)]


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], dict[int, str]]:
    """Both translation tables, built once (by whatever way ``table`` is called)."""
    return _table(False), _table(True)


def _table(cased: bool) -> dict[int, str]:
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

    def join(m: re.Match[str]) -> str:
        before = text[m.start() - 1 : m.start()]
        if before.isalpha():
            return _JOINER * len(m.group(0))
        return m.group(0)

    return _HYPHENATED.sub(join, text)


class Analysis:
    """The Latin reading of a text, padded with a space at each end, and the way back.

    Most characters read as one Latin letter or space; the way back keeps only the others
    (apostrophes, Ж as "zh"), as sorted positions, so a position maps back by one bisection."""

    def __init__(self, text: str, cased: bool = False) -> None:
        self.work = work = dehyphenate(text)
        self.latin = " " + _translate(work, cased) + " "
        # For each character that does not read as one: where it is in the text, where its
        # reading starts and ends in ``latin`` (before the padding), and how far ``latin`` has
        # run ahead of the text after it. Built with C-level maps: Russian text has many.
        if work.isascii():  # only apostrophes change length: they read as nothing
            changed = _changed_ascii(cased)
            self._offsets = [m.start() for m in changed.finditer(work)]
            lengths = bytes(len(self._offsets))
        else:
            changed = _changed()
            self._offsets = [m.start() for m in changed.finditer(work)]
            lengths = "".join(changed.findall(work)).translate(_lengths(cased)).encode("latin-1")
        ahead = list(map(sub, accumulate(lengths), range(1, len(lengths) + 1)))
        self._ahead = ahead
        self._latin_starts = list(map(add, self._offsets, [0, *ahead[:-1]]))
        self._ends = list(map(add, self._latin_starts, lengths))

    def original(self, position: int) -> int:
        """The offset in the original text of the character at ``position`` in ``latin``."""
        at = position - 1
        k = bisect_right(self._latin_starts, at) - 1
        if k < 0:
            found = at
        elif at < self._ends[k]:
            found = self._offsets[k]
        else:
            found = at - self._ahead[k]
        return max(0, min(len(self.work), found))


_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _translate(work: str, cased: bool) -> str:
    """``work.translate(table(cased))``, faster: ASCII stretches go through ``bytes.translate``
    (a C loop with no lookups), which matters for English text with the odd dash or accent."""
    ascii_table, dropped = _ascii_table(cased)
    if work.isascii():
        return work.encode("ascii").translate(ascii_table, dropped).decode("ascii")
    mapping = _sequence(cased)
    if len(work.encode("utf-8")) - len(work) > len(work) // 16:  # mostly another script
        return work.translate(mapping)
    parts: list[str] = []
    last = 0
    for m in _NOT_ASCII.finditer(work):
        parts.append(work[last : m.start()].encode().translate(ascii_table, dropped).decode())
        parts.append(m.group().translate(mapping))
        last = m.end()
    parts.append(work[last:].encode().translate(ascii_table, dropped).decode())
    return "".join(parts)


@lru_cache(maxsize=2)
def _sequence(cased: bool) -> list[str]:
    """``table(cased)`` as a list indexed by code point (the Basic Multilingual Plane), which
    ``str.translate`` reads twice as fast as a dict; code points past it read as themselves."""
    mapping = table(cased)
    return [mapping.get(code, chr(code)) for code in range(0x10000)]


@lru_cache(maxsize=2)
def _ascii_table(cased: bool) -> tuple[bytes, bytes]:
    """``table(cased)`` for ASCII text, as ``bytes.translate`` takes it: a 256-byte table and
    the characters it drops (apostrophes; everything else reads as one character)."""
    out = bytearray(range(256))
    dropped = bytearray()
    for code in range(128):
        value = _latin(chr(code), cased)
        if value == "":
            dropped.append(code)
        else:
            out[code] = ord(value)
    return bytes(out), bytes(dropped)


@lru_cache(maxsize=2)
def _lengths(cased: bool) -> dict[int, str]:
    """A translation table from each character :func:`_changed` finds to its reading's length
    (as a character with that code)."""
    return {code: chr(len(value)) for code, value in table(cased).items() if len(value) != 1} | {
        code: chr(1) for code in _changed_codes() if len(table(cased).get(code, " ")) == 1
    }


@lru_cache(maxsize=1)
def _changed_codes() -> frozenset[int]:
    return frozenset(
        code for cased in (False, True) for code, v in table(cased).items() if len(v) != 1
    )


@lru_cache(maxsize=2)
def _changed_ascii(cased: bool) -> re.Pattern[str]:
    """:func:`_changed` for ASCII text, without building the tables of every script."""
    dropped = _ascii_table(cased)[1].decode("ascii")
    return re.compile("[" + re.escape(dropped) + "]") if dropped else re.compile("(?!)")


@lru_cache(maxsize=1)
def _changed() -> re.Pattern[str]:
    """Characters whose reading is not one character (dropped, or several letters)."""
    codes = sorted(_changed_codes())
    return re.compile("[" + "".join(re.escape(chr(code)) for code in codes) + "]")
