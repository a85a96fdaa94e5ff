from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def sdn_text(data_dir: Path) -> str:
    """The raw 2024-05-03 SDN file, to show that test names really occur in a list."""
    return (
        (data_dir / "ofac_sdn" / "2024-05-03" / "sdn.csv").read_bytes().decode("cp1252", "replace")
    )
