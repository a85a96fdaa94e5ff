"""Downloads against recorded official responses (the shared snapshots), never the network."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from sanctrace.errors import FetchError, SourceError
from sanctrace.fetch.download import download
from sanctrace.fetch.official import OFFICIAL_SOURCES
from sanctrace.fetch.service import fetch_and_load
from sanctrace.files import file_sha256
from sanctrace.store import open_store


def _no_sleep(_: float) -> None:
    return None


def _serve(body: bytes, *, fail_first: int = 0, cut_first_at: int | None = None):
    """A recorded response: optional 503s first, optional early close, honours Range."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) <= fail_first:
            return httpx.Response(503)
        start = 0
        if "range" in request.headers:
            start = int(request.headers["range"].removeprefix("bytes=").rstrip("-"))
        payload = body[start:]
        headers = {"Content-Length": str(len(payload))}
        status = 206 if start else 200
        if cut_first_at is not None and len(calls) == 1:
            stream = _Truncated(payload[:cut_first_at])
            return httpx.Response(status, headers=headers, stream=stream)
        return httpx.Response(status, headers=headers, content=payload)

    return handler, calls


class _Truncated(httpx.SyncByteStream):
    """A body that stops early, as a dropped connection does."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield self.data
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


def test_retries_server_errors_then_succeeds(tmp_path: Path, data_dir: Path) -> None:
    body = (data_dir / "un_sc/2026-01-28/consolidated.xml").read_bytes()
    handler, calls = _serve(body, fail_first=2)
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        result = download(
            "https://example.test/un.xml", tmp_path / "un.xml", client=client, sleep=_no_sleep
        )
    assert result.attempts == 3 and len(calls) == 3
    assert result.sha256 == file_sha256(data_dir / "un_sc/2026-01-28/consolidated.xml")
    assert not (tmp_path / "un.xml.part").exists()


def test_resumes_after_dropped_connection(tmp_path: Path, data_dir: Path) -> None:
    body = (data_dir / "ofac_consolidated/2026-01-08/consolidated.xml").read_bytes()
    handler, calls = _serve(body, cut_first_at=300_000)
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        result = download(
            "https://example.test/c.xml", tmp_path / "c.xml", client=client, sleep=_no_sleep
        )
    assert result.resumed
    assert calls[1].headers["range"] == "bytes=300000-"
    assert (tmp_path / "c.xml").read_bytes() == body


def test_size_limit_and_client_errors_fail_clearly(tmp_path: Path) -> None:
    handler, _ = _serve(b"x" * 5000)
    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as client,
        pytest.raises(FetchError, match="exceeds the 1000-byte limit"),
    ):
        download("https://example.test/big", tmp_path / "big", client=client, max_bytes=1000)
    assert not (tmp_path / "big").exists()

    def not_found(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404)

    with (
        httpx.Client(transport=httpx.MockTransport(not_found)) as client,
        pytest.raises(FetchError, match="HTTP 404"),
    ):
        download("https://example.test/gone", tmp_path / "gone", client=client)


def test_gives_up_after_retries(tmp_path: Path) -> None:
    handler, calls = _serve(b"", fail_first=100)
    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as client,
        pytest.raises(FetchError, match="failed after 3 attempts: HTTP 503"),
    ):
        download(
            "https://example.test/x", tmp_path / "x", client=client, retries=2, sleep=_no_sleep
        )
    assert len(calls) == 3


def test_fetch_loads_a_new_version_and_a_failed_fetch_keeps_it(
    tmp_path: Path, data_dir: Path
) -> None:
    source = OFFICIAL_SOURCES["un_sc_sanctions"]
    body = (data_dir / "un_sc/2026-01-28/consolidated.xml").read_bytes()
    handler, calls = _serve(body)
    with open_store(str(tmp_path / "s.db")) as store:
        with httpx.Client(transport=httpx.MockTransport(handler)) as client:
            report = fetch_and_load(store, source, tmp_path / "dl", client=client)
        assert str(calls[0].url) == source.url
        assert report.result.created and report.result.version.published == "2026-01-28"
        assert report.result.version.entities == 999

        truncated = body[: len(body) // 2]
        handler2, _ = _serve(truncated + b"garbage")
        with (
            httpx.Client(transport=httpx.MockTransport(handler2)) as client,
            pytest.raises(SourceError, match=r"consolidated\.xml"),
        ):
            fetch_and_load(store, source, tmp_path / "dl2", client=client)
        active = store.active_versions()
        assert [(v.dataset, v.published, v.entities) for v in active] == [
            ("un_sc_sanctions", "2026-01-28", 999)
        ]
