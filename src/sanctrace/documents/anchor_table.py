"""The anchor automaton's patterns as a sorted table, for short texts.

Reading the 20 MB automaton back takes 120 ms, more than the whole scan of a short text. The
table holds the same patterns and values (each value unpickled when first found), and finds
in a short text exactly what the automaton finds, in the same order, by looking up the
substrings that can be patterns: from a space (or from any letter of a script written without
spaces), of the lengths the patterns have.
"""

from __future__ import annotations

import pickle
from bisect import bisect_left
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sanctrace.match.packed import IndexUnpickler, PackedList

#: Texts up to this many characters (of their Latin reading) are matched with the table; longer
#: ones with the automaton, whose one pass costs less than the table's lookups from there on.
SHORT_TEXT = 4000

#: The lengths of the patterns that start with a space, of those that do not, and whether one
#: of the latter starts with an ASCII character (none does today): where lookups start.
Lengths = tuple[tuple[int, ...], tuple[int, ...], bool]


class AnchorTable:
    """Patterns -> values, looked up by binary search; ``iter`` answers as the automaton's."""

    def __init__(self, keys: list[str], values: PackedList[Any], lengths: Lengths) -> None:
        self._keys = keys
        self._values = values
        self._lengths = lengths
        self._spaced, self._unspaced, self._ascii_unspaced = lengths

    @classmethod
    def of(cls, automaton: Any) -> AnchorTable:
        items = sorted(automaton.items())
        keys = [k for k, _ in items]
        spaced = {len(k) for k in keys if k.startswith(" ")}
        unspaced = {len(k) for k in keys if not k.startswith(" ")}
        lengths = (
            tuple(sorted(spaced, reverse=True)),
            tuple(sorted(unspaced, reverse=True)),
            any(k[:1].isascii() for k in keys if not k.startswith(" ")),
        )
        return cls(keys, PackedList.pack(v for _, v in items), lengths)

    def __len__(self) -> int:
        return len(self._keys)

    def _value(self, key: str) -> Any:
        n = bisect_left(self._keys, key)
        if n < len(self._keys) and self._keys[n] == key:
            return self._values[n]
        return None

    def iter(self, text: str) -> Iterator[tuple[int, Any]]:
        """(end offset, value) of every pattern occurring in ``text``, by end and then longest
        first: the order of ``ahocorasick.Automaton.iter``."""
        found: list[tuple[int, int, Any]] = []
        size = len(text)
        for start, char in enumerate(text):
            if char == " ":
                lengths = self._spaced
            elif self._ascii_unspaced or not char.isascii():
                lengths = self._unspaced
            else:
                continue
            for length in lengths:
                stop = start + length
                if stop <= size:
                    value = self._value(text[start:stop])
                    if value is not None:
                        found.append((stop - 1, -length, value))
        found.sort(key=lambda hit: hit[:2])
        for end, _, value in found:
            yield end, value


def save_table(table: AnchorTable, path: Path) -> None:
    """Written atomically; a table that cannot be written is only a slower next scan."""
    try:
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("wb") as fh:
            pickle.dump((table._keys, table._values, table._lengths), fh, protocol=5)
        tmp.replace(path)
    except OSError:
        return


def load_table(path: Path) -> AnchorTable | None:
    try:
        with path.open("rb") as fh:
            keys, values, lengths = IndexUnpickler(fh).load()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        return None
    if not isinstance(keys, list) or not isinstance(values, PackedList) or len(keys) != len(values):
        return None
    return AnchorTable(keys, values, lengths)
