"""`sanctrace lists update` as a user runs it, the network replaced by recorded official files."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from sanctrace.cli import lists as lists_cli
from sanctrace.cli.app import app
from sanctrace.errors import SanctraceError
from sanctrace.fetch.official import OFFICIAL_SOURCES

CONS = OFFICIAL_SOURCES["us_ofac_cons"].url


def _client(data_dir: Path, serving: list[str]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) != CONS or not serving:
            return httpx.Response(503)
        return httpx.Response(200, content=(data_dir / serving[0]).read_bytes())

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_update_then_a_failed_update(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serving = ["ofac_consolidated/2025-10-22/consolidated.xml"]
    monkeypatch.setattr(lists_cli, "make_client", lambda: _client(data_dir, serving))
    monkeypatch.setenv("SANCTRACE_HOME", str(tmp_path / "home"))
    customers = tmp_path / "c.csv"
    customers.write_text("id,name\nK1,IEMZ Kupol\nK2,Oakridge Dairy Cooperative\n")
    runner = CliRunner()
    watched = runner.invoke(app, ["watch", "add", str(customers), "--key-column", "id"])
    assert watched.exit_code == 0, watched.output
    args = ["lists", "update", "us_ofac_cons", "--downloads", str(tmp_path / "dl"), "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    # Older than the bundled 2026-01-08: stored, not made active, nothing to re-screen.
    assert report["ok"] and not report["loaded"]
    assert report["unchanged"][0].startswith("us_ofac_cons 2025-10-22")
    assert "stored, not active" in first.stderr
    assert report["rescreens"][0]["mode"] == "current"

    serving.clear()  # the official site is down
    failed = runner.invoke(app, [*args, "--retries", "0"])
    assert failed.exit_code == 5
    report = json.loads(failed.stdout)
    assert not report["ok"] and report["operational_alerts"]
    assert "keeps serving" in failed.stderr
    listed = runner.invoke(app, ["alerts", "list", "--kind", "operational", "--format", "json"])
    (alert,) = json.loads(listed.stdout)
    assert alert["details"]["step"] == "fetch"


@pytest.mark.parametrize(("text", "seconds"), [("6h", 21600), ("30m", 1800), ("1d", 86400)])
def test_interval(text: str, seconds: float) -> None:
    assert lists_cli.parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["6", "h", "-1h", "0m", "six hours"])
def test_bad_interval(text: str) -> None:
    with pytest.raises(SanctraceError, match="--every"):
        lists_cli.parse_interval(text)
