"""Exit codes and error lines are the same whichever command meets the problem (README,
"Errors"): a missing input file is "not found" (4), a busy port is not a database problem."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from homes import sanctrace

from sanctrace.errors import MissingFileError, NotFoundError, StoreError


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (("screen-file",), "MISSING.csv"),
        (("screen-file", "-o", "out.xlsx"), "MISSING.xlsx"),
        (("scan",), "MISSING.txt"),
        (("watch", "add"), "MISSING.csv"),
        (("lists", "load"), "MISSING.xml"),
    ],
    ids=["screen-file", "screen-file-xlsx", "scan", "watch-add", "lists-load"],
)
def test_a_missing_input_file_is_not_found_in_one_line(
    tmp_path: Path, command: tuple[str, ...], name: str
) -> None:
    missing = tmp_path / name
    proc = sanctrace(tmp_path / "home", *command, str(missing), check=False, cwd=tmp_path)
    assert proc.returncode == 4 == NotFoundError.exit_code == MissingFileError.exit_code
    assert proc.stderr.strip().splitlines() == [f"error: {missing}: file not found"]
    assert proc.stdout == ""


def test_scan_of_several_missing_files_is_not_found(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.pdf"
    proc = sanctrace(tmp_path / "home", "scan", str(a), str(b), check=False)
    assert proc.returncode == 4
    assert proc.stderr.strip().splitlines() == [
        f"error: {a}: file not found",
        f"error: {b}: file not found",
        "2 of 2 documents could not be read: nothing was screened",
    ]


def test_serve_on_a_busy_port_says_so_in_one_line(tmp_path: Path) -> None:
    """Not uvicorn's exit 3 (a "database problem" in the README's table) after loading the
    lists, nor its log lines: one line, exit 1, before anything is loaded."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = sanctrace(tmp_path / "home", "serve", "--port", str(port), check=False)
    assert proc.returncode == 1 != StoreError.exit_code
    assert proc.stderr.strip().splitlines() == [
        f"error: port {port} on 127.0.0.1 is already in use: stop the other server or pass --port N"
    ]
    assert not (tmp_path / "home" / "sanctrace.db").exists()  # refused before loading


def test_serve_refuses_a_port_out_of_range(tmp_path: Path) -> None:
    proc = sanctrace(tmp_path / "home", "serve", "--port", "70000", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: --port must be between 0 and 65535, not 70000"
