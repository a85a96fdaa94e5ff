"""The CLI as a user runs it: a real process, a fresh SANCTRACE_HOME, the real bundled data."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from homes import sanctrace as run

SDN_2024 = "ofac_sdn/2024-05-03/sdn.csv"


@pytest.fixture(scope="module")
def loaded_home(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A home whose first command loaded the embedded default."""
    home = tmp_path_factory.mktemp("home")
    first = run(home, "lists", "show", "--format", "json")
    return home, first


@pytest.fixture
def home(loaded_home: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path) -> Path:
    """A private copy of the loaded home, for tests that change it."""
    target = tmp_path / "home"
    shutil.copytree(loaded_home[0], target)
    return target


def test_first_command_loads_the_bundle_and_says_so(loaded_home) -> None:  # type: ignore[no-untyped-def]
    _, first = loaded_home
    assert "installed the bundled official snapshots" in first.stderr
    versions = json.loads(first.stdout)
    assert all(
        set(v) == {"dataset", "version", "published", "sha256", "entities", "loaded_at", "active"}
        for v in versions
    )
    by_dataset = {v["dataset"]: v for v in versions}
    assert set(by_dataset) == {
        "us_ofac_sdn",
        "us_ofac_cons",
        "un_sc_sanctions",
        "gb_fcdo_sanctions",
        "ca_dfatd_sema_sanctions",
        "au_dfat_sanctions",
    }
    assert by_dataset["us_ofac_sdn"]["entities"] == 14965
    assert by_dataset["us_ofac_sdn"]["published"] == "2024-05-03"
    assert by_dataset["us_ofac_cons"]["entities"] == 442
    assert by_dataset["un_sc_sanctions"]["entities"] == 999
    assert all(v["active"] for v in versions)
    assert "Data: " in first.stderr and "us_ofac_sdn 2024-05-03" in first.stderr
    assert "6 lists are more than 30 days old: " in first.stderr
    assert "us_ofac_sdn 2024-05-03 (" in first.stderr
    assert "update them with: sanctrace lists fetch" in first.stderr


def test_second_command_does_not_reload(home: Path) -> None:
    proc = run(home, "lists", "show")
    assert "the bundled official snapshots" not in proc.stderr
    assert "us_ofac_sdn" in proc.stdout and "14,965" in proc.stdout
    assert "Data: " in proc.stdout


def test_entity_kupol_with_links(home: Path) -> None:
    proc = run(home, "entity", "us_ofac_sdn:46431", "--format", "json")
    data = json.loads(proc.stdout)
    assert data["schema"] == "Company"
    assert data["caption"] == "JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL"
    assert {"type": "taxNumber", "value": "1831083343", "country": "RU"}.items() <= next(
        i for i in data["identifiers"] if i["type"] == "taxNumber"
    ).items()
    assert "2002-04-23" in data["incorporation_dates"]
    assert data["provenance"] == {
        "dataset": "us_ofac_sdn",
        "source_id": "46431",
        "version": "2024-05-03",
        **{k: v for k, v in data["provenance"].items() if k in ("source_file", "record")},
    }
    assert data["list_version"]["published"] == "2024-05-03"
    assert data["linked_from"], "entries 'Linked To' Kupol must be listed"
    assert all(link["type"] == "linked_to" for link in data["linked_from"])
    table = run(home, "entity", "us_ofac_sdn:46431")
    assert "IZHEVSK ELECTROMECHANICAL PLANT KUPOL" in table.stdout
    assert "Data: us_ofac_sdn 2024-05-03" in table.stdout


def test_load_keeps_versions_and_same_file_is_a_no_op(home: Path, data_dir: Path) -> None:
    older = run(
        home,
        "lists",
        "load",
        str(data_dir / "ofac_sdn_history/2024-05-01/sdn.csv"),
        "--version",
        "2024-05-01",
        "--json",
    )
    info = json.loads(older.stdout)
    assert info["created"] and not info["activated"] and info["entities"] == 14966
    assert info["published"] == "2024-05-01"
    same = run(home, "lists", "load", str(data_dir / SDN_2024))
    assert "already loaded as version 2024-05-03" in same.stdout
    un = run(home, "lists", "load", str(data_dir / "un_sc/2025-11-29/consolidated.xml"), "--json")
    un_info = json.loads(un.stdout)
    assert un_info["dataset"] == "un_sc_sanctions" and un_info["version"] == "2025-11-29"
    assert un_info["entities"] == 1000 and not un_info["activated"]
    versions = json.loads(run(home, "lists", "show", "--format", "json").stdout)
    sdn = [(v["version"], v["active"]) for v in versions if v["dataset"] == "us_ofac_sdn"]
    assert sdn == [("2024-05-01", False), ("2024-05-03", True)]
    run(home, "lists", "activate", "us_ofac_sdn", "2024-05-01")
    entity = json.loads(run(home, "entity", "us_ofac_sdn:46431", "--format", "json").stdout)
    assert entity["list_version"]["version"] == "2024-05-01"


def test_user_errors_name_the_file_and_exit_non_zero(
    home: Path, tmp_path: Path, data_dir: Path
) -> None:
    missing = run(home, "lists", "load", str(tmp_path / "nope.xml"), check=False)
    assert (
        missing.returncode == 4
        and "nope.xml" in missing.stderr
        and "Traceback" not in missing.stderr
    )

    truncated = tmp_path / "consolidated.xml"
    truncated.write_bytes((data_dir / "un_sc/2026-01-28/consolidated.xml").read_bytes()[:50_000])
    bad = run(home, "lists", "load", str(truncated), check=False)
    assert bad.returncode == 2
    assert str(truncated) in bad.stderr and "line" in bad.stderr
    assert "Traceback" not in bad.stderr

    official = run(
        home,
        "lists",
        "load",
        str(data_dir / "un_sc/2025-11-29/consolidated.xml"),
        "--dataset",
        "us_ofac_sdn",
        check=False,
    )
    assert official.returncode == 2 and "not produced by format un_xml" in official.stderr
    colon = run(home, "lists", "load", str(truncated), "--dataset", "my:list", check=False)
    assert colon.returncode == 2 and "lower-case letters" in colon.stderr
    junk = tmp_path / "notes.txt"
    junk.write_text("just some notes\nnothing to see\n")
    unknown = run(home, "lists", "load", str(junk), check=False)
    assert unknown.returncode == 2 and "not a list format" in unknown.stderr

    nothing = run(home, "entity", "us_ofac_sdn:999999999", check=False)
    assert nothing.returncode == 4 and "no entity" in nothing.stderr

    active = json.loads(run(home, "lists", "show", "--format", "json").stdout)
    assert len(active) == 6, "failed loads must not add versions"


def test_export_ftm_and_csv(home: Path, tmp_path: Path) -> None:
    ftm_path = tmp_path / "cons.ftm.json"
    run(home, "lists", "export", "us_ofac_cons", "--format", "ftm", "--output", str(ftm_path))
    records = [json.loads(line) for line in ftm_path.read_text().splitlines()]
    listed = {"Person", "Company", "Organization", "LegalEntity", "Vessel", "Aircraft"}
    things = [r for r in records if r["schema"] in listed]
    assert len(things) == 442
    assert all(r["id"].startswith("us-ofac-cons-") for r in things)
    sanctions = [r for r in records if r["schema"] == "Sanction"]
    assert len(sanctions) == 442
    assert all(r["datasets"] == ["us_ofac_cons"] for r in things)

    csv_path = tmp_path / "un.csv"
    run(home, "lists", "export", "un_sc_sanctions", "--format", "csv", "--output", str(csv_path))
    import csv

    with csv_path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 1 + 999
    assert not any(cell[:1] in ("=", "+", "-", "@") for row in rows for cell in row)


def test_version_and_module_entry_point(tmp_path: Path) -> None:
    proc = run(tmp_path, "--version")
    assert proc.stdout.startswith("sanctrace ")


def test_kill_during_cli_load_keeps_previous_version(
    home: Path, tmp_path: Path, data_dir: Path
) -> None:
    """A real `lists load` of a large file, killed with SIGKILL while it writes."""
    source = (data_dir / SDN_2024).read_bytes().rstrip(b"\x1a").splitlines(keepends=True)
    big = tmp_path / "big" / "sdn.csv"
    big.parent.mkdir()
    with big.open("wb") as fh:
        for copy in range(8):
            for line in source:
                num, rest = line.split(b",", 1)
                fh.write(str(int(num) + copy * 10_000_000).encode() + b"," + rest)
    db = home / "sanctrace.db"
    wal = db.with_name("sanctrace.db-wal")
    env = {**os.environ, "SANCTRACE_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sanctrace", "lists", "load", str(big), "--version", "big"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    start_size = wal.stat().st_size if wal.exists() else 0
    deadline = time.monotonic() + 120
    while (wal.stat().st_size if wal.exists() else 0) < start_size + 16 * 1024 * 1024:
        assert proc.poll() is None, "the load finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    versions = json.loads(
        run(home, "lists", "show", "--format", "json", "--dataset", "us_ofac_sdn").stdout
    )
    assert [(v["version"], v["active"], v["entities"]) for v in versions] == [
        ("2024-05-03", True, 14965)
    ]
    entity = json.loads(run(home, "entity", "us_ofac_sdn:46431", "--format", "json").stdout)
    assert entity["caption"].endswith("KUPOL")


def test_postgres_store_end_to_end(tmp_path: Path, data_dir: Path, pg_url: str) -> None:
    """The same commands against a real PostgreSQL server (started by scripts/test)."""
    url = pg_url
    first = run(tmp_path, "--db", url, "lists", "show", "--format", "json")
    assert "loading the bundled official snapshots" in first.stderr
    assert {v["dataset"]: v["entities"] for v in json.loads(first.stdout)}["us_ofac_sdn"] == 14965
    entity = json.loads(
        run(tmp_path, "--db", url, "entity", "us_ofac_sdn:46431", "--format", "json").stdout
    )
    assert entity["schema"] == "Company" and len(entity["linked_from"]) == 3
    older = run(
        tmp_path,
        "--db",
        url,
        "lists",
        "load",
        str(data_dir / "un_sc/2025-04-19/consolidated.xml"),
        "--json",
    )
    assert json.loads(older.stdout)["entities"] == 877
    versions = json.loads(run(tmp_path, "--db", url, "lists", "show", "--format", "json").stdout)
    un = [(v["version"], v["active"]) for v in versions if v["dataset"] == "un_sc_sanctions"]
    assert un == [("2025-04-19", False), ("2026-01-28", True)]


def test_bad_rows_named_or_skipped_and_counted(home: Path, tmp_path: Path, data_dir: Path) -> None:
    lines = (data_dir / SDN_2024).read_bytes().splitlines(keepends=True)
    lines.insert(
        100, b'NOT-A-NUMBER,"BROKEN ROW",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    )
    broken = tmp_path / "sdn.csv"
    broken.write_bytes(b"".join(lines))
    refused = run(home, "lists", "load", str(broken), "--version", "broken", check=False)
    assert refused.returncode == 2
    assert str(broken) in refused.stderr and "line 101" in refused.stderr
    assert "Traceback" not in refused.stderr
    skipped = run(
        home, "lists", "load", str(broken), "--version", "skipped", "--skip-bad-rows", "--json"
    )
    info = json.loads(skipped.stdout)
    assert info["skipped_rows"] == 1 and info["entities"] == 14965
    assert any("line 101" in w for w in info["warnings"])
    text = run(home, "lists", "load", str(broken), "--version", "again", "--skip-bad-rows")
    assert "already loaded" in text.stdout


def test_screen_iemz_kupol_finds_the_sdn_entry(home: Path) -> None:
    proc = run(home, "screen", "IEMZ Kupol", "--format", "json")
    data = json.loads(proc.stdout)
    assert data["threshold"] == 0.8
    assert {d["dataset"] for d in data["datasets"]} >= {"us_ofac_sdn", "un_sc_sanctions"}
    [kupol] = [r for r in data["results"] if "us_ofac_sdn:46431" in r["referents"]]
    assert kupol["id"].startswith("P-")  # a party: its records are its referents
    assert all(r["score"] >= 0.8 and r["match"] for r in data["results"])
    assert data["results"] == sorted(data["results"], key=lambda r: -r["score"])
    first = data["results"][0]
    assert set(first) == {
        "id",
        "record_id",
        "referents",
        "datasets",
        "listings",
        "dataset",
        "source_id",
        "schema",
        "caption",
        "score",
        "match",
        "matched_name",
        "explanation",
        "programs",
        "list_version",
    }
    # Each result names the version of its record's list, as each listing does its own.
    for result in data["results"]:
        [listed] = [d for d in result["listings"] if d["id"] == result["record_id"]]
        assert result["list_version"] == {
            "dataset": listed["dataset"],
            "version": listed["version"],
            "published": listed["published"],
        }
        assert all(d["version"] and "published" in d for d in result["listings"])
    table = run(home, "screen", "IEMZ Kupol", "--dataset", "us_ofac_sdn")
    assert "us_ofac_sdn:46431" in table.stdout and "acronym" in table.stdout
    assert "Data: us_ofac_sdn 2024-05-03" in table.stdout
    # and in text, each listing row its list version, not only the Data: line
    [row] = [
        line for line in table.stdout.splitlines() if line.split()[:1] == ["us_ofac_sdn:46431"]
    ]
    assert "2024-05-03" in row


def test_screen_options_and_errors(home: Path) -> None:
    by_id = json.loads(
        run(home, "screen", "Unknown Name", "--id", "1831083343", "--format", "json").stdout
    )
    assert any("us_ofac_sdn:46431" in r["referents"] for r in by_id["results"])
    empty = run(home, "screen", "   ", check=False)
    assert empty.returncode != 0 and "empty" in empty.stderr
    for option, words in (
        (("--schema", "Foo"), "unknown schema"),
        (("--country", "ZZZ"), "not a country"),
        (("--limit", "0"), "at least 1"),
    ):
        refused = run(home, "screen", "Kupol", *option, check=False)
        assert (
            refused.returncode != 0
            and words in refused.stderr
            and "Traceback" not in refused.stderr
        )
    long_name = run(home, "compare", "A" * 2000, "B", check=False)
    assert long_name.returncode != 0 and "limit is 1,000" in long_name.stderr
    bad = run(home, "screen", "x", "--threshold", "2", check=False)
    assert bad.returncode != 0 and "threshold" in bad.stderr
    bad_date = run(home, "screen", "x", "--birth-date", "someday", check=False)
    assert bad_date.returncode != 0 and "--birth-date" in bad_date.stderr
    compare = json.loads(
        run(
            home, "compare", "Jon Smith", "John Smith", "--schema", "Person", "--format", "json"
        ).stdout
    )
    assert compare["score"] >= 0.8
