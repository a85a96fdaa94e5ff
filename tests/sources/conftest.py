"""Fixtures the parser tests share."""

from __future__ import annotations

import pytest
from helpers import by_source_id

from sanctrace.model.entity import Entity
from sanctrace.sources.base import ParsedList


@pytest.fixture(scope="module")
def by_id(parsed: ParsedList) -> dict[str, Entity]:
    """The entities of the test module's ``parsed`` list, by source id."""
    return by_source_id(parsed)
