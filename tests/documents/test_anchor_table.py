"""The patterns' table finds in a short text exactly what the automaton finds, in the same
order, so that a short scan (which uses the table) and a long one agree."""

from __future__ import annotations

import csv
import io
import lzma
from importlib import resources
from pathlib import Path

import pytest

from sanctrace.documents import matchers as matchers_module
from sanctrace.documents.analysis import Analysis
from sanctrace.documents.anchor_table import AnchorTable, load_table, save_table
from sanctrace.documents.scan import Scanner
from sanctrace.documents.words import is_cased


def _sdn_remarks(count: int) -> list[str]:
    """Real text: the remarks of the bundled OFAC SDN snapshot, which name other parties."""
    data = resources.files("sanctrace.bundle").joinpath("data/us_ofac_sdn-2024-05-03-sdn.csv.xz")
    rows = csv.reader(io.StringIO(lzma.decompress(data.read_bytes()).decode("latin-1")))
    remarks = [r[11] for r in rows if len(r) > 11 and len(r[11]) > 80]
    return remarks[:: max(1, len(remarks) // count)][:count]


def _unspaced_names(table: AnchorTable, count: int) -> list[str]:
    return [k for k in table._keys if not k.startswith(" ")][:count]


@pytest.fixture(scope="module")
def table(scanner: Scanner) -> AnchorTable:
    return AnchorTable.of(scanner.matchers.automaton(True, False))


def test_the_table_finds_what_the_automaton_finds_in_real_text(
    scanner: Scanner, table: AnchorTable
) -> None:
    automaton = scanner.matchers.automaton(True, False)
    han = _unspaced_names(table, 5)
    assert han, "the bundled lists hold names written without spaces"
    texts = [*_sdn_remarks(300), f"付款给{han[0]}和{han[1]}。", f"Paid {han[2]} via IEMZ Kupol."]
    compared = 0
    for text in texts:
        latin = Analysis(text, cased=is_cased(text)).latin
        expected = list(automaton.iter(latin))
        assert list(table.iter(latin)) == expected, text
        compared += len(expected)
    assert compared > 300  # the texts really name listed parties


def test_a_short_scan_and_a_long_one_find_the_same(
    scanner: Scanner, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = " ".join(_sdn_remarks(40))
    by_table = scanner.scan_text(text)
    monkeypatch.setattr(matchers_module, "SHORT_TEXT", 0)
    by_automaton = Scanner(scanner.index, cache=scanner.cache).scan_text(text)
    assert [(f.start, f.end, f.id, f.score) for f in by_table] == [
        (f.start, f.end, f.id, f.score) for f in by_automaton
    ]
    assert len(by_table) >= 10


def test_the_table_is_kept_and_read_back(table: AnchorTable, tmp_path: Path) -> None:
    path = tmp_path / "table.pickle"
    save_table(table, path)
    again = load_table(path)
    assert again is not None and len(again) == len(table)
    text = " joint stock company izhevsk electromechanical plant kupol "
    assert list(again.iter(text)) == list(table.iter(text))
    path.write_bytes(path.read_bytes()[:1000])
    assert load_table(path) is None  # a damaged table is rebuilt, not trusted
