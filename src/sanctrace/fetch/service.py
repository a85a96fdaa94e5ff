"""``lists fetch``: download official lists, verify they parse, load them as new versions."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

from sanctrace.errors import FetchError
from sanctrace.fetch.download import DEFAULT_TIMEOUT, USER_AGENT, download
from sanctrace.fetch.official import OFFICIAL_SOURCES, OfficialSource
from sanctrace.ingest import IngestReport, load_paths
from sanctrace.store import Store


def make_client() -> httpx.Client:
    return httpx.Client(
        timeout=DEFAULT_TIMEOUT, follow_redirects=True, headers={"User-Agent": USER_AGENT}
    )


def resolve_sources(datasets: list[str]) -> list[OfficialSource]:
    if not datasets:
        return [s for s in OFFICIAL_SOURCES.values() if s.dataset != "eu_fsf" or _eu_token()]
    unknown = [d for d in datasets if d not in OFFICIAL_SOURCES]
    if unknown:
        known = ", ".join(OFFICIAL_SOURCES)
        raise FetchError(f"no official source known for {', '.join(unknown)} (known: {known})")
    return [OFFICIAL_SOURCES[d] for d in datasets]


def _eu_token() -> str | None:
    return os.environ.get("SANCTRACE_EU_FSF_TOKEN")


def source_url(source: OfficialSource) -> str:
    if source.dataset == "eu_fsf":
        token = _eu_token()
        if not token:
            raise FetchError("eu_fsf: set SANCTRACE_EU_FSF_TOKEN to the EU FSF download token")
        return f"{source.url}?token={token}"
    return source.url


def fetch_and_load(
    store: Store,
    source: OfficialSource,
    downloads: Path,
    *,
    client: httpx.Client | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    retries: int = 3,
    backoff: float = 1.0,
    force: bool = False,
) -> IngestReport:
    """Download one list into ``downloads/DATASET/`` and load it; the previous version keeps
    serving if the download, the parse or the load fails."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    target = downloads / source.dataset / stamp / source.filename
    own = client is None
    http = client or make_client()
    try:
        download(
            source_url(source),
            target,
            client=http,
            progress=progress,
            retries=retries,
            backoff=backoff,
        )
    finally:
        if own:
            http.close()
    return load_paths(store, [target], format=source.format, dataset=source.dataset, force=force)
