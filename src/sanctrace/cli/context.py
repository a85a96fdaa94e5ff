"""Per-invocation state: which store to use, opened lazily, with the embedded default loaded the
first time a command needs data."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sanctrace.cli.output import note
from sanctrace.store import Store, open_store

if TYPE_CHECKING:
    from sanctrace.bundle import BundledList
    from sanctrace.ingest import IngestReport
    from sanctrace.match import Screener
    from sanctrace.match.index import Index
    from sanctrace.resolve.grouping import Listing
    from sanctrace.resolve.store import Parties


@dataclass
class State:
    db: str | None = None
    _store: Store | None = field(default=None, repr=False)
    _screener: Screener | None = field(default=None, repr=False)
    _parties: Parties | None = field(default=None, repr=False)
    _listing: Listing | None = field(default=None, repr=False)

    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.db)
        return self._store

    def close(self) -> None:
        """The store opened for this command, closed when it ends (a PostgreSQL connection
        would otherwise wait for the garbage collector)."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def store_with_data(self) -> Store:
        """The store, with the bundled snapshots loaded if nothing is loaded yet."""
        from sanctrace.bundle import load_bundle, needs_bundle

        store = self.store()
        if needs_bundle(store) and self._install_seed(store):
            return store
        if needs_bundle(store):
            note(
                f"No lists loaded in {store.location} yet: loading the bundled official "
                "snapshots (run `sanctrace lists fetch` for current data)…"
            )

            def loaded(item: BundledList, report: IngestReport) -> None:
                v = report.result.version
                note(f"  {item.dataset}: {v.entities:,} entities, published {v.published}")

            load_bundle(store, on_loaded=loaded)
            self.lists_changed()
        return store

    def _install_seed(self, store: Store) -> bool:
        """The bundled snapshots as shipped prebuilt (parsed, indexed, parties resolved): a
        second instead of twenty; False when they do not fit this store or this code."""
        from sanctrace.bundle import seed

        versions = seed.install(store)
        if versions is None:
            return False
        dates = ", ".join(f"{v.dataset} {v.published}" for v in versions)
        note(
            f"No lists loaded in {store.location} yet: installed the bundled official snapshots "
            f"({dates}); run `sanctrace lists fetch` for current data."
        )
        self._screener = self._parties = self._listing = None
        if store._rows("SELECT 1 FROM watch_records LIMIT 1"):
            self.monitor()
        return True

    def refresh_index(self) -> Index:
        """Rebuild the persisted screening index after the active versions changed."""
        from sanctrace.cli.output import err
        from sanctrace.match import build_index

        with err.status("Building the screening index…"):
            index = build_index(self.store())
        note(f"Screening index: {len(index.entities):,} entities, {len(index.names):,} names")
        return index

    def lists_changed(self) -> None:
        """After the active versions moved: a new index, the watchlists re-screened against
        it, their alerts delivered."""
        self._screener = self._parties = self._listing = None
        index = self.refresh_index()
        self.monitor(index)

    def monitor(self, index: Index | None = None) -> None:
        from sanctrace.cli.monitoring import print_monitor_report, rescreen_progress
        from sanctrace.monitor.update import monitor

        with rescreen_progress() as progress:
            report = monitor(self.store(), index=index, progress=progress, with_parties=True)
        print_monitor_report(report)

    def screener(self) -> Screener:
        """The screener over the active versions (opened once per command); builds the index
        if it is missing."""
        from sanctrace.match import Screener
        from sanctrace.match.screener import index_path

        store = self.store_with_data()
        if self._screener is None or tuple(sorted(self._screener.versions)) != _pairs(store):
            if not index_path(store, store.active_versions()).exists():
                self.refresh_index()
            self._screener = Screener.open(store)
        return self._screener

    def parties(self) -> Parties:
        """Who is the same party across the active lists, once per command: read from the
        store, or resolved now (about 20 s on every bundled list) after the lists changed."""
        from sanctrace.resolve.store import ensure_parties, resolved_for, versions_key

        if self._parties is None:
            screener = self.screener()
            store = self.store()
            active = store.active_versions()
            if resolved_for(store) != versions_key(active):
                note(f"resolving parties across {len(active)} lists (once per list update)…")
            self._parties = ensure_parties(store, screener, workers=min(2, os.cpu_count() or 1))
        return self._parties

    def listing(self) -> Listing:
        """What a result says of each listing of a party (list, programs, listed date,
        version, names), read from the store and remembered for the command."""
        from sanctrace.resolve.listings import listing_reader

        if self._listing is None:
            self._listing = listing_reader(self.store_with_data())
        return self._listing


def _pairs(store: Store) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((v.dataset, v.version) for v in store.active_versions()))
