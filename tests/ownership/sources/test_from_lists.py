"""The links the bundled official lists already carry come out as edges."""

from __future__ import annotations

from pathlib import Path

from sanctrace.ownership.from_lists import edges_from_lists
from sanctrace.ownership.shares import UNKNOWN
from sanctrace.store import open_store


def test_edges_from_the_bundled_lists(bundled_home: Path) -> None:
    store = open_store(str(bundled_home / "sanctrace.db"))
    try:
        edges = edges_from_lists(store)
    finally:
        store.close()
    # IEMZ Kupol: three SDN records say "Linked To: ... KUPOL"; a link, no stake.
    kupol = sorted(e.asset for e in edges if e.owner == "us_ofac_sdn:46431")
    assert kupol == ["us_ofac_sdn:46437", "us_ofac_sdn:46441", "us_ofac_sdn:46442"]
    linked = next(e for e in edges if e.asset == "us_ofac_sdn:46437")
    assert (linked.share, linked.control, linked.share_type) == (None, "linked", "linked to")
    assert linked.provenance == "us_ofac_sdn:2024-05-03 us_ofac_sdn:46437"
    assert "KUPOL" in linked.owner_name
    # UN: "Owned or controlled by, or acts on behalf of, DIO": an unknown share, never counted
    # as control, resolved to DIO's own record by its acronym.
    [sssi] = [e for e in edges if e.asset == "un_sc_sanctions:110334"]
    assert sssi.owner == "un_sc_sanctions:110393" and sssi.share == UNKNOWN
    assert (sssi.control, sssi.share_type) == ("linked", "owned or controlled")
    assert "DIO" in sssi.extra["phrase"]
    # "Korea Ryonbong General Corporation is the parent company of ...".
    assert any(
        e.owner == "un_sc_sanctions:690751" and e.asset == "un_sc_sanctions:690770" for e in edges
    )
    # A vessel's registered owner holds it, the share unstated.
    [dino] = [e for e in edges if e.asset == "us_ofac_sdn:15904" and e.share_type == "owned by"]
    assert (dino.owner, dino.share, dino.share_type) == ("name:nitc", UNKNOWN, "owned by")
    # OFAC's "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial
    # Institutions" names no holder.
    assert not any("Financial Institutions" in e.extra.get("phrase", "") for e in edges)
    assert not any(e.owner == e.asset for e in edges)
