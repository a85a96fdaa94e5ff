"""The JSON settings files users give (--rules, --weights): missing, not JSON or not the
right shape is one clear error naming the file (and the line), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.errors import MissingFileError, SanctraceError, SourceError
from sanctrace.ownership.rules import load_rulesets
from sanctrace.trade.score import load_weights


def test_a_missing_settings_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError) as caught:
        load_rulesets(tmp_path / "none.json")
    assert caught.value.exit_code == 4


def test_broken_json_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "weights.json"
    path.write_text('{\n  "chpl": 20,\n  "drone" 5\n}\n', "utf-8")
    with pytest.raises(SourceError) as caught:
        load_weights(path)
    assert caught.value.line == 3 and str(path) in str(caught.value)


def test_settings_of_the_wrong_shape_say_what_is_expected(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text('{"name": "ch"}', "utf-8")
    with pytest.raises(SanctraceError, match="expected a JSON list of rulesets"):
        load_rulesets(path)
    path.write_text('[{"name": "ch", "based_on": "eu", "threshold": 150}]', "utf-8")
    with pytest.raises(SanctraceError, match="threshold must be between 0 and 100"):
        load_rulesets(path)
    path.write_text('[{"name": "ch", "based_on": "eu", "lists": ["ch_seco"]}]', "utf-8")
    assert load_rulesets(path)["ch"].lists == ("ch_seco",)
    huge = tmp_path / "huge.json"
    huge.write_text("[" + " " * (2 << 20) + "]", "utf-8")
    with pytest.raises(SourceError, match="more than"):
        load_weights(huge)
