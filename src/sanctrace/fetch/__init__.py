"""Downloads of official lists: timeouts, retries with backoff, size limits, resumable."""

from sanctrace.fetch.download import DownloadResult, download
from sanctrace.fetch.official import OFFICIAL_SOURCES, OfficialSource

__all__ = ["OFFICIAL_SOURCES", "DownloadResult", "OfficialSource", "download"]
