"""The party page's pure parts on real records: the status sentence of the founding case, names
grouped by script, and a record's history across real SDN versions (absent in January 2022,
added by April 2024, changed or not by May 2024 as the files say)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.monitor.diff import changes
from sanctrace.sources import ofac_csv
from sanctrace.store import VersionInfo, open_store
from sanctrace.ui import party_view as view

KUPOL = "us_ofac_sdn:46431"


def version(label: str) -> VersionInfo:
    return VersionInfo(0, "us_ofac_sdn", label, label, "", 0, label, False)


@pytest.fixture(scope="module")
def sdn_versions(data_dir: Path) -> dict[str, dict[str, object]]:
    folders = {
        "2022-01-31": data_dir / "ofac_sdn/2022-01-31",
        "2024-04-26": data_dir / "ofac_sdn_history/2024-04-26",
        "2024-05-03": data_dir / "ofac_sdn/2024-05-03",
    }
    out = {}
    for label, folder in folders.items():
        files = sorted(folder.glob("*.csv"), key=lambda p: p.name != "add.csv")
        parsed = ofac_csv.parse(files)
        out[label] = {e.id: e for e in parsed.entities}
    return out


def test_history_of_a_record_across_real_versions(sdn_versions: dict[str, dict]) -> None:
    held = [(version(label), by_id.get(KUPOL)) for label, by_id in sdn_versions.items()]
    events = view.record_history(KUPOL, held)
    assert events[0]["kind"] == "added" and events[0]["version"] == "2024-04-26"
    assert sdn_versions["2022-01-31"].get(KUPOL) is None
    april, may = sdn_versions["2024-04-26"][KUPOL], sdn_versions["2024-05-03"][KUPOL]
    expected = 2 if changes(april, may) else 1
    assert len(events) == expected
    # a record that left the list between two versions
    gone = next(i for i in sdn_versions["2022-01-31"] if i not in sdn_versions["2024-05-03"])
    left = view.record_history(
        gone, [(version(label), by_id.get(gone)) for label, by_id in sdn_versions.items()]
    )
    assert [e["kind"] for e in left] == ["added", "removed"]
    assert left[1]["version"] == "2024-04-26"


def test_status_sentence_and_scripts_of_the_founding_case(bundled_home: Path) -> None:
    with open_store(str(bundled_home / "sanctrace.db")) as store:
        records = [
            store.get_entity(i)[0]
            for i in (
                KUPOL,
                "au_dfat_sanctions:7904",
                "ca_dfatd_sema_sanctions:russia-1-part-2-306",
            )
        ]
    listings = [
        {"dataset": e.dataset, "programs": e.programs, "listed_on": e.listed_on} for e in records
    ]
    sentence = view.status_sentence(listings)
    assert sentence == (
        "Listed by the US (SDN: RUSSIA-EO14024), Australia (DFAT consolidated list: Autonomous "
        "(Russia)) and Canada (SEMA: Russia, since 2023-02-23)."
    )
    groups = {g["script"]: g["names"] for g in view.names_by_script(records)}
    assert list(groups) == ["Latin", "Cyrillic"]
    assert any("Купол" in n["name"] for n in groups["Cyrillic"])
    assert view.script_of("李明") == "Han" and view.script_of("محمد") == "Arabic"
    assert view.status_sentence([]) == "Not listed on any loaded list."
