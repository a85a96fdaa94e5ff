"""Reading the stored parties one id at a time answers exactly as loading all of them does."""

from __future__ import annotations

from pathlib import Path

from sanctrace.resolve.store import (
    StoredParties,
    judgements_among,
    load_judgements,
    load_parties,
)
from sanctrace.store import open_store


def test_stored_parties_answer_as_the_loaded_ones(bundled_home: Path) -> None:
    store = open_store(str(bundled_home / "sanctrace.db"))
    try:
        loaded = load_parties(store)
        stored = StoredParties(store)
        joined = [p for p, members in loaded.by_party.items() if len(members) > 1][:50]
        assert len(joined) == 50
        records = [r for p in joined for r in loaded.members(p)][:100]
        asked = [*records, *joined, "us_ofac_sdn:no-such-record", "P-aaaaaaaaaa"]
        for any_id in asked:
            assert stored.is_member(any_id) == loaded.is_member(any_id), any_id
            assert stored.party_of(any_id) == loaded.party_of(any_id), any_id
            assert stored.canonical(any_id) == loaded.canonical(any_id), any_id
            assert stored.members(any_id) == loaded.members(any_id), any_id
        every = load_judgements(store)
        for party in joined[:10]:
            members = set(loaded.members(party))
            among = [j for j in every if j.a in members and j.b in members]
            assert among, party
            assert judgements_among(store, sorted(members)) == among
    finally:
        store.close()
