"""Per-invocation state: which store to use, opened lazily, with the embedded default loaded the
first time a command needs data."""

from __future__ import annotations

from dataclasses import dataclass, field

from sanctrace.bundle import BundledList, load_bundle, needs_bundle
from sanctrace.cli.output import note
from sanctrace.ingest import IngestReport
from sanctrace.store import Store, open_store


@dataclass
class State:
    db: str | None = None
    _store: Store | None = field(default=None, repr=False)

    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.db)
        return self._store

    def store_with_data(self) -> Store:
        """The store, with the bundled snapshots loaded if nothing is loaded yet."""
        store = self.store()
        if needs_bundle(store):
            note(
                f"No lists loaded in {store.location} yet: loading the bundled official "
                "snapshots (run `sanctrace lists fetch` for current data)…"
            )

            def loaded(item: BundledList, report: IngestReport) -> None:
                v = report.result.version
                note(f"  {item.dataset}: {v.entities:,} entities, published {v.published}")

            load_bundle(store, on_loaded=loaded)
        return store
