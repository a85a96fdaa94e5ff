"""List diffs on the real snapshots: the counts OFAC's own changes give, noise that is no change,
and `sanctrace lists diff` on a store holding two versions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sanctrace.monitor.diff import change_lines, diff_entities
from sanctrace.sources import parse_files


def _diff(data_dir: Path, old: str, new: str):  # type: ignore[no-untyped-def]
    a = parse_files([data_dir / old]).entities
    b = parse_files([data_dir / new]).entities
    return diff_entities("us_ofac_sdn", old, a, new, b)


@pytest.mark.parametrize(
    ("old", "new", "added", "removed", "changed"),
    [
        ("ofac_sdn_history/2023-10-27/sdn.csv", "ofac_sdn_history/2023-10-31/sdn.csv", 8, 93, 0),
        ("ofac_sdn_history/2023-10-31/sdn.csv", "ofac_sdn_history/2023-11-02/sdn.csv", 229, 1, 5),
        ("ofac_sdn_history/2024-04-26/sdn.csv", "ofac_sdn_history/2024-05-01/sdn.csv", 298, 0, 0),
        ("ofac_sdn_history/2024-05-01/sdn.csv", "ofac_sdn/2024-05-03/sdn.csv", 7, 8, 0),
    ],
)
def test_sdn_changes(  # type: ignore[no-untyped-def]
    data_dir: Path, old, new, added, removed, changed
) -> None:
    result = _diff(data_dir, old, new)
    assert (len(result.added), len(result.removed), len(result.changed)) == (
        added,
        removed,
        changed,
    )


def test_field_level_changes(data_dir: Path) -> None:
    result = _diff(
        data_dir, "ofac_sdn_history/2023-10-31/sdn.csv", "ofac_sdn_history/2023-11-02/sdn.csv"
    )
    by_id = {item["id"]: item["changes"] for item in result.changed}
    # Luxembourg dropped from a person's nationalities (and from the remarks that say so).
    person = by_id["us_ofac_sdn:44290"]
    assert set(person) == {"nationalities", "remarks"}
    assert person["nationalities"] == {"old": ["LU", "LV", "RU"], "new": ["LV", "RU"]}
    # A renamed company: its caption and primary name change.
    novator = by_id["us_ofac_sdn:45026"]
    assert novator["caption"]["new"] == "JOINT STOCK COMPANY EXPERIMENTAL DESIGN BUREAU NOVATOR"
    assert {"caption", "names", "identifiers"} <= set(novator)


def test_reordering_is_no_change_but_real_edits_are(data_dir: Path) -> None:
    """The two OFAC non-SDN snapshots: one entry removed, elements reordered throughout, and two
    real edits (a postal code corrected, an alias dropped)."""
    old = parse_files([data_dir / "ofac_consolidated/2025-10-22/consolidated.xml"]).entities
    new = parse_files([data_dir / "ofac_consolidated/2026-01-08/consolidated.xml"]).entities
    result = diff_entities("us_ofac_cons", "2025-10-22", old, "2026-01-08", new)
    assert (len(result.added), len(result.removed)) == (0, 1)
    changes = {item["id"]: item["changes"] for item in result.changed}
    assert set(changes) == {"us_ofac_cons:17018", "us_ofac_cons:18721"}
    assert set(changes["us_ofac_cons:17018"]) == {"addresses"}
    assert any("400051" in a for a in changes["us_ofac_cons:17018"]["addresses"]["new"])
    assert set(changes["us_ofac_cons:18721"]) == {"names"}
    same = diff_entities("us_ofac_cons", "a", old, "b", list(reversed(old)))
    assert not (same.added or same.removed or same.changed)


def test_lists_diff_command(data_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "SANCTRACE_HOME": str(tmp_path)}
    env.pop("SANCTRACE_DB", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sanctrace", *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )

    run(
        "lists",
        "load",
        str(data_dir / "ofac_sdn_history/2024-05-01/sdn.csv"),
        "--version",
        "2024-05-01",
    )
    run("lists", "load", str(data_dir / "ofac_sdn/2024-05-03/sdn.csv"), "--version", "2024-05-03")
    data = json.loads(run("lists", "diff", "us_ofac_sdn", "--format", "json").stdout)
    assert (data["from"], data["to"]) == ("2024-05-01", "2024-05-03")
    assert (len(data["added"]), len(data["removed"]), len(data["changed"])) == (7, 8, 0)
    table = run("lists", "diff", "us_ofac_sdn").stdout
    assert "7 added, 8 removed, 0 changed" in table
    rows = run("lists", "diff", "us_ofac_sdn", "--format", "csv").stdout.splitlines()
    assert rows[0] == "change,id,field,old,new" and len(rows) == 1 + 7 + 8


def test_diff_names_every_entity_and_the_fields_changed(data_dir: Path) -> None:
    result = _diff(
        data_dir, "ofac_sdn_history/2023-10-31/sdn.csv", "ofac_sdn_history/2023-11-02/sdn.csv"
    )
    assert set(result.captions) == {
        *result.added,
        *result.removed,
        *(c["id"] for c in result.changed),
    }
    assert (
        result.captions["us_ofac_sdn:45030"] == "PUBLIC JOINT STOCK COMPANY ODK SATURN"
    )  # removed
    aven = next(c for c in result.changed if c["id"] == "us_ofac_sdn:44290")
    assert (aven["caption"], aven["fields"]) == (
        "AVEN, Petr Olegovich",
        ["nationalities", "remarks"],
    )
    assert change_lines({"nationalities": aven["changes"]["nationalities"]}) == [
        "nationalities: - LU"
    ]
    data = result.to_dict()
    assert data["added"] == result.added and data["captions"] == result.captions


def test_lists_diff_text_names_the_changes(data_dir: Path, tmp_path: Path) -> None:
    """Not one line of bare ids: a line per entity with its change, id and name; for a changed
    one the fields, and beneath them what changed."""
    env = {**os.environ, "SANCTRACE_HOME": str(tmp_path), "COLUMNS": "80"}
    env.pop("SANCTRACE_DB", None)

    def run(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "sanctrace", *args], env=env, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    history = data_dir / "ofac_sdn_history"
    run("lists", "load", str(history / "2023-10-31/sdn.csv"), "--version", "2023-10-31")
    run("lists", "load", str(history / "2023-11-02/sdn.csv"), "--version", "2023-11-02")
    lines = run("lists", "diff", "us_ofac_sdn").splitlines()
    assert lines[0] == "us_ofac_sdn: 2023-10-31 → 2023-11-02: 229 added, 1 removed, 5 changed"
    assert "  added    us_ofac_sdn:45370  KAMI GROUP LIMITED LIABILITY COMPANY" in lines
    assert "  removed  us_ofac_sdn:45030  PUBLIC JOINT STOCK COMPANY ODK SATURN" in lines
    aven = lines.index(
        "  changed  us_ofac_sdn:44290  AVEN, Petr Olegovich  (nationalities, remarks)"
    )
    assert lines[aven + 1] == "      nationalities: - LU"
    assert lines[aven + 2].startswith("      remarks: DOB 16 Mar 1955;")
    novator = next(i for i, line in enumerate(lines) if "us_ofac_sdn:45026" in line)
    assert "(caption, identifiers, names, remarks)" in lines[novator]
    assert (
        "      names: + JOINT STOCK COMPANY EXPERIMENTAL DESIGN BUREAU NOVATOR"
        in lines[novator + 2]
    )
    assert sum(line.startswith("  added ") for line in lines) == 229
    data = json.loads(run("lists", "diff", "us_ofac_sdn", "--format", "json"))
    assert data["captions"]["us_ofac_sdn:45030"] == "PUBLIC JOINT STOCK COMPANY ODK SATURN"
    assert {c["id"]: c["fields"] for c in data["changed"]}["us_ofac_sdn:44290"] == [
        "nationalities",
        "remarks",
    ]
