"""`sanctrace lists fetch` end to end, with the network replaced by recorded official files."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from sanctrace.cli import lists as lists_cli
from sanctrace.cli.app import app
from sanctrace.fetch.official import OFFICIAL_SOURCES

RECORDED = {
    OFFICIAL_SOURCES["un_sc_sanctions"].url: "un_sc/2026-01-28/consolidated.xml",
    OFFICIAL_SOURCES["us_ofac_cons"].url: "ofac_consolidated/2026-01-08/consolidated.xml",
}


def _recorded_client(data_dir: Path, broken: set[str]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url in broken:
            return httpx.Response(200, content=b"<html>maintenance</html>")
        if url not in RECORDED:
            return httpx.Response(404)
        return httpx.Response(200, content=(data_dir / RECORDED[url]).read_bytes())

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_fetch_downloads_verifies_and_loads(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken: set[str] = set()
    monkeypatch.setattr(lists_cli, "make_client", lambda: _recorded_client(data_dir, broken))
    db = str(tmp_path / "s.db")
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "--db",
            db,
            "lists",
            "fetch",
            "un_sc_sanctions",
            "us_ofac_cons",
            "--downloads",
            str(tmp_path / "dl"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "un_sc_sanctions: loaded version 2026-01-28" in result.output
    assert "us_ofac_cons: loaded version 2026-01-08" in result.output
    assert list((tmp_path / "dl" / "un_sc_sanctions").glob("*/consolidated.xml"))

    again = runner.invoke(
        app, ["--db", db, "lists", "fetch", "un_sc_sanctions", "--downloads", str(tmp_path / "dl")]
    )
    assert again.exit_code == 0 and "already loaded" in again.output

    broken.add(OFFICIAL_SOURCES["us_ofac_cons"].url)
    failed = runner.invoke(
        app, ["--db", db, "lists", "fetch", "us_ofac_cons", "--downloads", str(tmp_path / "dl2")]
    )
    assert failed.exit_code == 5
    assert "keeps serving" in failed.output
    shown = runner.invoke(app, ["--db", db, "lists", "show", "--format", "json"])
    versions = {v["dataset"]: v for v in json.loads(shown.stdout)}
    assert versions["us_ofac_cons"]["active"] and versions["us_ofac_cons"]["entities"] == 442


def test_unknown_dataset_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "s.db"), "lists", "fetch", "xx_nowhere"]
    )
    assert result.exit_code != 0
    assert "no official source known for xx_nowhere" in str(result.exception)
