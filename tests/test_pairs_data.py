"""The labelled pairs in bench/data/ (issue 15) stay well-formed and split by party.

Reads the committed files only (no rebuild), so a bad regeneration or a hand edit is caught fast.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "bench" / "data"
SPLITS = ("train", "dev", "test")
SOURCES = ("ofac_alias", "crosslist", "crosslist_ext", "hard_negative", "neighbour", "cross_script")


def _read(split: str) -> list[dict[str, str]]:
    with (DATA / f"pairs-{split}.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="module")
def splits() -> dict[str, list[dict[str, str]]]:
    return {split: _read(split) for split in SPLITS}


def _norm(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def test_every_row_parses_with_a_binary_label(splits: dict[str, list[dict[str, str]]]) -> None:
    for split, rows in splits.items():
        assert rows, split
        for row in rows:
            assert None not in row.values(), (split, row["pair_id"])  # no short or long row
            assert row["label"] in ("0", "1"), (split, row["pair_id"])
            assert row["name_a"] and row["name_b"], (split, row["pair_id"])
            assert row["source"] in SOURCES, (split, row["pair_id"])


def test_pair_ids_are_unique(splits: dict[str, list[dict[str, str]]]) -> None:
    ids = Counter(row["pair_id"] for rows in splits.values() for row in rows)
    assert [k for k, n in ids.items() if n > 1] == []


def test_no_party_record_or_group_in_two_splits(splits: dict[str, list[dict[str, str]]]) -> None:
    for column_set in (("party_id", "party_id_b"), ("record_a", "record_b"), ("split_group",)):
        owner: dict[str, str] = {}
        for split, rows in splits.items():
            for row in rows:
                for column in column_set:
                    assert owner.setdefault(row[column], split) == split, (column, row[column])


def test_positive_pairs_are_one_party(splits: dict[str, list[dict[str, str]]]) -> None:
    for rows in splits.values():
        for row in rows:
            if row["label"] == "1":
                assert row["party_id"] == row["party_id_b"], row["pair_id"]
            else:
                assert row["party_id"] != row["party_id_b"], row["pair_id"]


def test_no_name_quotes_the_identifier_that_links_its_pair(
    splits: dict[str, list[dict[str, str]]],
) -> None:
    checked = 0
    for rows in splits.values():
        for row in rows:
            if not row["source"].startswith("crosslist") or ":" not in row["evidence"]:
                continue
            value = _norm(row["evidence"].split(":", 1)[1])
            if len(value) < 4:
                continue
            checked += 1
            assert value not in _norm(row["name_a"]), row["pair_id"]
            assert value not in _norm(row["name_b"]), row["pair_id"]
    assert checked > 1000


def test_every_source_and_label_is_in_every_split(
    splits: dict[str, list[dict[str, str]]],
) -> None:
    for split, rows in splits.items():
        sources = Counter(row["source"] for row in rows)
        labels = Counter(row["label"] for row in rows)
        assert all(sources[s] > 0 for s in SOURCES), (split, sources)
        assert labels["0"] > 0 and labels["1"] > 0, (split, labels)
