from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.match import Screener
from sanctrace.model.entity import Entity
from sanctrace.sources import parse_files


@pytest.fixture(scope="session")
def sdn_entities(data_dir: Path) -> list[Entity]:
    return parse_files([data_dir / "ofac_sdn/2024-05-03/sdn.csv"]).entities


@pytest.fixture(scope="session")
def sdn_screener(sdn_entities: list[Entity]) -> Screener:
    return Screener.from_entities(sdn_entities)


@pytest.fixture(scope="session")
def un_screener(data_dir: Path) -> Screener:
    return Screener.from_entities(
        parse_files([data_dir / "un_sc/2026-01-28/consolidated.xml"]).entities
    )
