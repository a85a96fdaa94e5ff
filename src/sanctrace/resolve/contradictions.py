"""The review state of the stored resolution: its review queue and the contradictions it met.

Both follow from what the store already holds: clustering the stored judgements (automatic
and the analyst's) over the active records again is deterministic and takes under a second,
and gives back exactly the groups, review queue and contradictions of the last resolution
(``resolve.store.judge`` re-clusters the same way). So neither needs a table of its own, and
neither can go stale when an analyst's judgement re-clusters.
"""

from __future__ import annotations

from collections.abc import Sequence

from sanctrace.resolve.judgements import Judgement
from sanctrace.resolve.resolver import Contradiction, Resolution, cluster
from sanctrace.resolve.store import Parties, load_judgements
from sanctrace.store import Store


def active_records(store: Store) -> list[tuple[str, str]]:
    """(record id, list) of every record of the store's active list versions."""
    out: list[tuple[str, str]] = []
    for v in store.active_versions():
        rows = store._rows("SELECT id FROM entities WHERE version_id = ?", (v.id,))
        out.extend((str(r[0]), v.dataset) for r in rows)
    return out


def stored_resolution(store: Store) -> Resolution:
    """The last resolution again, from the stored judgements and the active records."""
    judgements = load_judgements(store)
    made = [j for j in judgements if j.source != "analyst"]
    analyst = [j for j in judgements if j.source == "analyst"]
    return cluster(active_records(store), made, analyst)


def review_queue(
    review: Sequence[Judgement], parties: Parties, limit: int | None = None
) -> list[Judgement]:
    """The unsure judgements whose two records are in different parties, highest score first
    (a pair the analyst has since joined or split is no longer a question)."""
    open_pairs = [j for j in review if parties.party_of(j.a) != parties.party_of(j.b)]
    open_pairs.sort(key=lambda j: (-(j.score or 0.0), j.pair))
    return open_pairs[:limit] if limit is not None else open_pairs


def contradictions(store: Store) -> list[Contradiction]:
    """Every "same" the last resolution could not apply because a "different" or a shared
    list stood in its way (A=B, B=C, A≠C): reported, never resolved silently."""
    return stored_resolution(store).contradictions
