"""`lists activate` of the version already serving changes nothing: no audit record, no new
index, no re-screen (it rebuilt the index every time: 5 s for nothing)."""

from __future__ import annotations

from pathlib import Path

from homes import copy_home, sanctrace


def test_activating_the_active_version_is_a_no_op(bundled_home: Path, tmp_path: Path) -> None:
    home = copy_home(bundled_home, tmp_path / "home")
    before = sanctrace(home, "audit", "verify").stdout
    proc = sanctrace(home, "lists", "activate", "us_ofac_sdn", "2024-05-03")
    assert "us_ofac_sdn: version 2024-05-03 (published 2024-05-03) is already active" in proc.stdout
    assert "Screening index" not in proc.stderr
    assert sanctrace(home, "audit", "verify").stdout == before


def test_activating_an_unknown_version_is_not_found(bundled_home: Path, tmp_path: Path) -> None:
    home = copy_home(bundled_home, tmp_path / "home")
    proc = sanctrace(home, "lists", "activate", "us_ofac_sdn", "1999-01-01", check=False)
    assert proc.returncode == 4, proc.stderr
