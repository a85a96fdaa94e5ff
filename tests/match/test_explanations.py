"""Every word of both names is in the one-line explanation, matched or not (issue 15:
"International Business Machines" scored 0.94 against INTERNATIONAL BUSINESS CORPORATION
while the explanation left out that "machines" matched nothing)."""

from __future__ import annotations

from sanctrace.match import Query, Screener
from sanctrace.screening import explain


def test_unmatched_words_are_named(sdn_screener: Screener) -> None:
    [found] = [
        m
        for m in sdn_screener.screen(Query("International Business Machines"), limit=5)
        if m.id == "us_ofac_sdn:45091"
    ]
    line = explain(found)
    assert "international = international" in line and "business = business" in line
    assert "unmatched in query name: machine" in line


def test_a_whole_match_names_no_unmatched_word(sdn_screener: Screener) -> None:
    [best, *_] = sdn_screener.screen(Query("Bank Melli Iran"), limit=1)
    assert "unmatched" not in explain(best)
