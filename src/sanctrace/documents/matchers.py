"""What finds a text's anchor words: the automaton of its kind of text (cased or not, in an
inflecting script or not), built once and kept beside the index, or for a short text the
automaton's patterns as a table, which reads back in a tenth of the time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sanctrace.documents.anchor_table import SHORT_TEXT, AnchorTable, load_table, save_table
from sanctrace.documents.anchors import (
    anchor_words,
    build_automaton,
    load_automaton,
    save_automaton,
)
from sanctrace.match.index import Index

Kind = tuple[bool, bool]  # (cased, inflected)


class AnchorMatchers:
    """The matchers of one index; ``cache``: the path prefix they are kept under (or None)."""

    def __init__(self, index: Index, cache: Path | None) -> None:
        self.index = index
        self.cache = cache
        self._anchors: tuple[dict[str, set[int]], ...] | None = None
        self._automata: dict[Kind, Any] = {}
        self._tables: dict[Kind, AnchorTable] = {}

    def automaton(self, cased: bool, inflected: bool) -> Any:
        """The automaton a kind of text needs, built the first time one does."""
        key = (cased, inflected)
        found = self._automata.get(key)
        if found is not None:
            return found
        path = self._kept(key, "pickle")
        if path is not None:
            found = load_automaton(path)
        if found is None:
            if self._anchors is None:
                self._anchors = anchor_words(self.index)
            anchors, spelled, passports = self._anchors
            if not inflected:  # Cyrillic is romanised by the analysis: no passport spelling
                anchors = {
                    k: anchors.get(k, set()) | passports.get(k, set())
                    for k in anchors.keys() | passports.keys()
                }
            found = build_automaton(anchors, spelled, cased=cased, inflected=inflected)
            if path is not None:
                save_automaton(found, path)
        self._automata[key] = found
        return found

    def for_text(self, cased: bool, inflected: bool, latin: str) -> Any:
        """The automaton, or for a short text (once no automaton is loaded) the table."""
        key = (cased, inflected)
        if len(latin) > SHORT_TEXT or key in self._automata:
            return self.automaton(cased, inflected)
        found = self._tables.get(key)
        if found is None:
            path = self._kept(key, "table.pickle")
            found = load_table(path) if path is not None else None
            if found is None:
                found = AnchorTable.of(self.automaton(cased, inflected))
                if path is not None:
                    save_table(found, path)
            self._tables[key] = found
        return found

    def _kept(self, kind: Kind, suffix: str) -> Path | None:
        if self.cache is None:
            return None
        cased, inflected = kind
        return self.cache.with_name(f"{self.cache.name}-{int(cased)}{int(inflected)}.{suffix}")
