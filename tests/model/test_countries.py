from __future__ import annotations

import pytest

from sanctrace.model.countries import to_code, to_codes


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Russia", "RU"),
        ("Korea, North", "KP"),
        ("Burma", "MM"),
        ("Iran", "IR"),
        ("Belarus / Bélarus", "BY"),
        ("Côte d'Ivoire", "CI"),
        ("RUS", "RU"),
        ("cn", "CN"),
        ("Russian", "RU"),
        ("Moscow, Russia", "RU"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("Atlantis", None),
        ("", None),
        (None, None),
    ],
)
def test_country_names_to_iso(name: str | None, code: str | None) -> None:
    assert to_code(name) == code


def test_codes_are_deduplicated_in_order() -> None:
    assert to_codes(["Russia", "Russian Federation", "China", "Nowhere"]) == ["RU", "CN"]
