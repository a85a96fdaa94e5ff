"""The resolved stores of :mod:`party_stages`, made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from party_stages import Stages, build_stages


@pytest.fixture(scope="session")
def party_stages(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Stages:
    return build_stages(
        tmp_path_factory.mktemp("party-work"), tmp_path_factory.mktemp("party-stages"), data_dir
    )
