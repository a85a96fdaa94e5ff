"""Scheduled list updates: fetch, load, re-screen the watchlists, deliver their alerts.

An update that fails at any step leaves the previous versions serving and raises an
operational alert: a failed download or parse never activates anything, and a failure after
a new version was activated (building the index, re-screening) puts the previous versions back.
The new version stays stored, and the next update activates it again and retries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from sanctrace.errors import SanctraceError
from sanctrace.fetch.official import OfficialSource
from sanctrace.fetch.service import fetch_and_load
from sanctrace.ingest import audit_list_event
from sanctrace.match.index import Index
from sanctrace.match.screener import Screener, build_index, load_or_build_index
from sanctrace.monitor import alerts, delivery
from sanctrace.monitor.rescreen import Progress, RescreenReport, rescreen, watchlist_names
from sanctrace.resolve.store import ensure_parties
from sanctrace.store import Store

log = logging.getLogger(__name__)

Notify = Callable[[str], None]


@dataclass
class MonitorReport:
    """What one pass of monitoring did after the lists changed (or were checked)."""

    rescreens: list[RescreenReport] = field(default_factory=list)
    delivery: delivery.DeliveryReport | None = None


@dataclass
class UpdateReport(MonitorReport):
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    operational: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "loaded": self.loaded,
            "unchanged": self.unchanged,
            "failures": self.failures,
            "operational_alerts": self.operational,
            "rescreens": [r.to_dict() for r in self.rescreens],
            "delivery": None if self.delivery is None else self.delivery.__dict__,
        }


def monitor(
    store: Store,
    *,
    index: Index | None = None,
    progress: Progress | None = None,
    deliver_options: dict[str, Any] | None = None,
    with_parties: bool = False,
) -> MonitorReport:
    """Re-screen every watchlist against the active versions, then deliver pending alerts.
    ``with_parties``: alerts speak of parties ("party X gained a listing on list Y"), the
    parties of the active versions resolved first if the lists changed since."""
    report = MonitorReport()
    if watchlist_names(store):
        screener = Screener(index if index is not None else load_or_build_index(store))
        parties = ensure_parties(store, screener) if with_parties else None
        report.rescreens = rescreen(store, screener=screener, progress=progress, parties=parties)
    if delivery.sinks(store):
        report.delivery = delivery.deliver(store, **(deliver_options or {}))
    return report


def _reactivate(store: Store, previous: dict[str, str]) -> None:
    for dataset, version in previous.items():
        audit_list_event(store, "list-activate", store.activate(dataset, version))


def _newer_than_active(store: Store, dataset: str, version: str) -> bool:
    """A stored version that is not active but is newer than the active one: an earlier
    update loaded it and then failed."""
    candidate = store.get_version(dataset, version)
    active = next((v for v in store.versions(dataset) if v.active), None)
    if candidate.active:
        return False
    return active is None or (candidate.published or "") > (active.published or "")


def update(
    store: Store,
    sources: Sequence[OfficialSource],
    downloads: Path,
    *,
    client: httpx.Client | None = None,
    retries: int = 3,
    backoff: float = 1.0,
    notify: Notify | None = None,
    progress: Progress | None = None,
    deliver_options: dict[str, Any] | None = None,
    with_parties: bool = False,
) -> UpdateReport:
    """One scheduled update of ``sources``; see the module doc."""
    say = notify or (lambda message: None)
    report = UpdateReport()
    previous = {v.dataset: v.version for v in store.active_versions()}

    def failed(step: str, message: str, **details: Any) -> None:
        report.failures.append(f"{step}: {message}")
        report.operational.append(alerts.operational(store, step, message, **details))
        say(f"{step} failed: {message} (the previous version keeps serving)")

    for source in sources:
        try:
            loaded = fetch_and_load(
                store, source, downloads, client=client, retries=retries, backoff=backoff
            )
        except SanctraceError as exc:
            failed("fetch", f"{source.dataset}: {exc}", dataset=source.dataset)
            continue
        version = loaded.result.version
        label = f"{version.dataset} {version.version} (published {version.published})"
        if loaded.result.created and loaded.result.activated:
            report.loaded.append(label)
            say(f"{label}: loaded, {version.entities:,} entities")
        elif loaded.result.created:
            report.unchanged.append(label)
            say(f"{label}: stored, not active (the active version was published later)")
        elif _newer_than_active(store, version.dataset, version.version):
            activated = store.activate(version.dataset, version.version)
            audit_list_event(store, "list-activate", activated)
            report.loaded.append(label)
            say(f"{label}: stored by an earlier update that failed; activated again")
        else:
            report.unchanged.append(label)
            say(f"{label}: no change")
    changed = {v.dataset: v.version for v in store.active_versions()} != previous
    try:
        index = build_index(store) if changed else None
        done = monitor(
            store,
            index=index,
            progress=progress,
            deliver_options=deliver_options,
            with_parties=with_parties,
        )
    except Exception as exc:  # any failure here must put the previous versions back
        log.exception("update failed after loading")
        if changed:
            _reactivate(store, previous)
            load_or_build_index(store)
        failed("rescreen", f"{type(exc).__name__}: {exc}")
        return report
    report.rescreens, report.delivery = done.rescreens, done.delivery
    if done.delivery is not None and done.delivery.dead:
        failed("deliver", f"{done.delivery.dead:,} alerts dead-lettered (see `alerts sinks dead`)")
    return report
