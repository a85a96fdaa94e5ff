"""A new list version far smaller than the active one is refused unless forced: a 1-entity UN
list must not silently replace the ~1,000-entity one (issue 14, finding 8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from homes import sanctrace
from lxml import etree

from sanctrace.errors import SourceError
from sanctrace.ingest import load_paths, min_fraction_setting, shrink_refusal
from sanctrace.store import open_store


def _truncated_un_list(source: Path, target: Path, keep: int, generated: str) -> Path:
    """The real UN list cut down to its first ``keep`` individuals, no entities, a later date."""
    tree = etree.parse(str(source))
    root = tree.getroot()
    root.set("dateGenerated", generated)
    individuals = root.find("INDIVIDUALS")
    assert individuals is not None
    for extra in list(individuals)[keep:]:
        individuals.remove(extra)
    entities = root.find("ENTITIES")
    if entities is not None:
        for entity in list(entities):
            entities.remove(entity)
    tree.write(str(target), xml_declaration=True, encoding="UTF-8")
    return target


@pytest.fixture
def un_home(tmp_path: Path, data_dir: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    sanctrace(home, "lists", "load", str(data_dir / "un_sc" / "2025-04-19" / "consolidated.xml"))
    return home


def _active_un(home: Path) -> tuple[str, int]:
    with open_store(str(home / "sanctrace.db")) as store:
        [active] = [v for v in store.versions("un_sc_sanctions") if v.active]
        return active.version, active.entities


def test_a_one_entity_list_does_not_replace_the_whole_one(
    un_home: Path, tmp_path: Path, data_dir: Path
) -> None:
    before = _active_un(un_home)
    assert before[1] > 800
    tiny = _truncated_un_list(
        data_dir / "un_sc" / "2025-04-19" / "consolidated.xml",
        tmp_path / "consolidated.xml",
        keep=1,
        generated="2025-05-01T23:00:00.000Z",
    )
    refused = sanctrace(un_home, "lists", "load", str(tiny), check=False)
    assert refused.returncode == 2
    message = " ".join(refused.stderr.split())
    assert str(tiny) in message
    assert f"({before[1]:,} entities) with one of 1 entities" in message
    assert "--force" in message
    assert _active_un(un_home) == before

    forced = sanctrace(un_home, "lists", "load", str(tiny), "--force")
    assert "with 1 entities" in forced.stdout
    assert _active_un(un_home) == ("2025-05-01", 1)


def test_the_fraction_is_configurable(un_home: Path, tmp_path: Path, data_dir: Path) -> None:
    source = data_dir / "un_sc" / "2025-04-19" / "consolidated.xml"
    before = _active_un(un_home)
    keep = before[1] * 6 // 10
    part = _truncated_un_list(source, tmp_path / "part.xml", keep, "2025-05-02T23:00:00.000Z")
    strict = sanctrace(un_home, "lists", "load", str(part), "--min-fraction", "0.9", check=False)
    assert strict.returncode == 2 and "fewer than 90%" in " ".join(strict.stderr.split())
    assert _active_un(un_home) == before
    sanctrace(un_home, "lists", "load", str(part))  # 60 % passes the default of one half
    assert _active_un(un_home)[1] == keep


def test_an_older_small_version_is_kept_as_history(tmp_path: Path, data_dir: Path) -> None:
    """A smaller version that would not serve (published before the active one) is stored."""
    source = data_dir / "un_sc" / "2025-04-19" / "consolidated.xml"
    old = _truncated_un_list(source, tmp_path / "old.xml", 1, "2024-01-01T00:00:00.000Z")
    with open_store(str(tmp_path / "s.db")) as store:
        load_paths(store, [source])
        report = load_paths(store, [old])
        assert report.result.created and not report.result.activated


def test_the_guard_itself() -> None:
    assert shrink_refusal("d", 10, None, 0.5) is None
    with pytest.raises(SourceError, match="between 0 and 1"):
        min_fraction_setting(1.5)


def test_the_environment_sets_the_fraction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTRACE_MIN_LIST_FRACTION", "0.25")
    assert min_fraction_setting() == 0.25
    monkeypatch.setenv("SANCTRACE_MIN_LIST_FRACTION", "half")
    with pytest.raises(SourceError, match="not a number"):
        min_fraction_setting()
