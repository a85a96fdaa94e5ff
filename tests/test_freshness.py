from __future__ import annotations

from datetime import date

from sanctrace.freshness import data_line, stale_warnings
from sanctrace.store import VersionInfo


def _v(dataset: str, published: str) -> VersionInfo:
    return VersionInfo(1, dataset, published, published, "0" * 64, 10, "2026-01-01T00:00:00Z", True)


def test_fresh_data_gives_no_warning() -> None:
    assert stale_warnings([_v("us_ofac_sdn", "2026-11-20")], date(2026, 11, 27)) == []


def test_one_stale_list_names_its_update_command() -> None:
    (message,) = stale_warnings(
        [_v("us_ofac_sdn", "2024-05-03"), _v("un_sc_sanctions", "2026-11-26")], date(2026, 11, 27)
    )
    assert message == (
        "us_ofac_sdn data is from 2024-05-03 (938 days old); "
        "update it with: sanctrace lists fetch us_ofac_sdn"
    )


def test_several_stale_lists_give_one_warning() -> None:
    (message,) = stale_warnings(
        [_v("us_ofac_sdn", "2024-05-03"), _v("un_sc_sanctions", "2026-01-28")], date(2026, 11, 27)
    )
    assert message.startswith(
        "2 lists are more than 30 days old: us_ofac_sdn 2024-05-03 (938 days)"
    )


def test_data_line_names_each_date() -> None:
    line = data_line([_v("us_ofac_sdn", "2024-05-03"), _v("un_sc_sanctions", "2026-01-28")])
    assert line == "Data: us_ofac_sdn 2024-05-03; un_sc_sanctions 2026-01-28"
