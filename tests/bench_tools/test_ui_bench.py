"""bench/ui.py: its statistics and the pages it times (the browser run itself is the bench)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import ui


def test_p95_by_nearest_rank_and_median() -> None:
    values = [float(v) for v in range(1, 21)]  # 20 runs: the 19th is the 95th percentile
    assert ui.p95(values) == 19.0
    assert ui.median(values) == 10.5
    assert ui.p95([5.0]) == 5.0
    assert math.isnan(ui.p95([])) and math.isnan(ui.median([]))
    assert ui.ms(math.nan) == "n/a" and ui.ms(12.6) == "13"


def test_a_target_keeps_the_timings_it_got() -> None:
    target = ui.Target("search", "/search?q=x", "/screen", "POST /screen", {"name": "x"}, 300)
    target.add({"fcp": 120.5, "dcl": 90, "load": 95, "html": 20, "ttfb": 18, "api": 15})
    target.add({"fcp": None, "dcl": 80, "load": 85, "html": 19, "ttfb": 17, "api": 14})
    assert target.samples["fcp"] == [120.5]  # a paint the browser did not report is left out
    assert target.samples["api"] == [15.0, 14.0]


def test_the_search_baseline_is_the_pages_own_search() -> None:
    from sanctrace.ui import search

    assert (ui.FLOOR, ui.LIMIT) == (search.FLOOR, search.LIMIT)
