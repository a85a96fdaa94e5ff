"""The ASCII shortcut of a place name's key reads every character as the full table does."""

from __future__ import annotations

from sanctrace.documents.analysis import latin_key, reading
from sanctrace.model.countries import iso_records, subdivision_names


def _slow(text: str) -> str:
    return " ".join(text.translate(reading()).split())


def test_every_ascii_character_reads_as_the_table_reads_it() -> None:
    for code in range(128):
        text = f"a{chr(code)}b"
        assert latin_key(text) == _slow(text), repr(chr(code))


def test_place_names_get_the_same_key_either_way() -> None:
    names = [c["name"] for c in iso_records("1")] + list(subdivision_names())
    assert [latin_key(n) for n in names] == [_slow(n) for n in names]
    assert latin_key("Côte d'Ivoire") == "cote divoire"
