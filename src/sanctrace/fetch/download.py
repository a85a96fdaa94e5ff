"""HTTP download to a file, safe to interrupt: data goes to ``NAME.part`` and is renamed only
when complete; a later call resumes a ``.part`` file with a Range request."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from sanctrace.errors import FetchError
from sanctrace.files import file_sha256

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: No official list is near this; a larger response is refused.
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
USER_AGENT = "sanctrace (+https://github.com/sanctrace/sanctrace)"


@dataclass(frozen=True)
class DownloadResult:
    path: Path
    bytes: int
    sha256: str
    resumed: bool
    attempts: int


def download(
    url: str,
    target: Path,
    *,
    client: httpx.Client | None = None,
    retries: int = 3,
    backoff: float = 1.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int | None], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DownloadResult:
    """Download ``url`` to ``target``, retrying transient failures and resuming partial data."""
    own_client = client is None
    http = client or httpx.Client(
        timeout=DEFAULT_TIMEOUT, follow_redirects=True, headers={"User-Agent": USER_AGENT}
    )
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    resumed = False
    last_error = "no attempt made"
    try:
        for attempt in range(1, retries + 2):
            try:
                resumed = _attempt(http, url, part, max_bytes, progress) or resumed
                os.replace(part, target)
                return DownloadResult(
                    target, target.stat().st_size, file_sha256(target), resumed, attempt
                )
            except _Permanent as exc:
                raise FetchError(f"{url}: {exc}") from None
            except (httpx.TransportError, _Transient) as exc:
                last_error = str(exc) or type(exc).__name__
                if attempt <= retries:
                    sleep(backoff * 2 ** (attempt - 1))
        raise FetchError(f"{url}: failed after {retries + 1} attempts: {last_error}")
    finally:
        if own_client:
            http.close()


class _Transient(Exception):
    pass


class _Permanent(Exception):
    pass


def _attempt(
    http: httpx.Client,
    url: str,
    part: Path,
    max_bytes: int,
    progress: Callable[[int, int | None], None] | None,
) -> bool:
    """One request; returns True when it resumed a partial download."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with http.stream("GET", url, headers=headers) as response:
        status = response.status_code
        if status == 416 and have:
            part.unlink()
            raise _Transient("server refused the resume range; restarting")
        if status in (408, 425, 429) or status >= 500:
            raise _Transient(f"HTTP {status}")
        if status >= 400:
            raise _Permanent(f"HTTP {status} {response.reason_phrase}")
        resumed = status == 206 and have > 0
        mode = "ab" if resumed else "wb"
        written = have if resumed else 0
        length = response.headers.get("Content-Length")
        total = written + int(length) if length and length.isdigit() else None
        if total is not None and total > max_bytes:
            raise _Permanent(f"response of {total} bytes exceeds the {max_bytes}-byte limit")
        with part.open(mode) as fh:
            for chunk in response.iter_bytes():
                written += len(chunk)
                if written > max_bytes:
                    fh.close()
                    part.unlink()
                    raise _Permanent(f"response exceeds the {max_bytes}-byte limit")
                fh.write(chunk)
                if progress:
                    progress(written, total)
        if total is not None and written < total:
            raise _Transient(f"connection closed after {written} of {total} bytes")
        return resumed
