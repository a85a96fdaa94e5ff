"""The README's examples, run as written, so that a broken example fails CI (issue 17).

Every fenced ``sh`` and ``python`` block of README.md runs, in the README's order, in ONE bash
process: blocks that build on each other (load, then watch, then alerts) run as a reader runs
them, and ``cd`` and ``export`` carry over. It starts in a scratch folder that stands for the
checkout's root (``.venv`` and ``examples`` linked into it), with a fresh SANCTRACE_HOME, TMPDIR
and HOME inside the test's temporary folder and the virtualenv's ``bin`` first on PATH.

How a block is read:

- a ``sh`` block with lines that start with ``$ `` is a session: each ``$ `` line is a command,
  the lines after it (up to the next ``$ `` line) are what it prints;
- in any other ``sh`` block every line is a command, but blank lines and ``#`` comments;
- a line ending with ``\\`` goes on on the next line, as in bash;
- a ``python`` block is one program, run by the virtualenv's ``python``.

What is checked: every command exits 0 (or N, when its comment ends with ``(exit N)``), and every
line of sample output appears in what the command printed (stdout and stderr together), runs of
whitespace counting as one space; ``…`` stands for anything (a timing, a path), and a line that
is only ``…`` for lines left out.

What does not run as written is listed below, each with its reason: SETUP, the two set-up
blocks (handled explicitly, and nothing else may be); SKIP, commands that need the network, never
stop, or are benchmarks; REWRITE, textual changes made before a command runs.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
VENV = Path(sys.prefix) if (Path(sys.prefix) / "bin" / "activate").exists() else ROOT / ".venv"

#: The Set up section's two blocks, the only ones not run as written: each one's command and
#: what runs in its place (None: nothing), with the output lines that must appear.
SETUP: dict[str, tuple[str | None, list[str]]] = {
    # The install is the virtualenv this test runs in: only the screening runs (the first one in
    # the fresh home: it installs the bundled lists).
    "python3 -m venv .venv && .venv/bin/pip install -q . && "
    '.venv/bin/sanctrace screen "IEMZ Kupol"': (
        '.venv/bin/sanctrace screen "IEMZ Kupol"',
        [
            "Screening 'IEMZ Kupol' (threshold 0.8): 1 result(s)",
            "JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL",
            "installed the bundled official snapshots",
        ],
    ),
    # The suite that runs this test.
    "bash scripts/test": (None, []),
}

#: Commands that do not run: the start of the command as written, and why.
SKIP: dict[str, str] = {
    "sanctrace screen-file customers.csv -o results.spark.csv --engine spark": (
        "starts a local Spark JVM (about 30 s) and needs Java; tests/spark runs the same path"
    ),
    "sanctrace lists fetch": "downloads from the official URLs (network)",
    "sanctrace lists load ~/Downloads/consolidated.xml": "placeholder: a file you downloaded",
    "sanctrace lists load sdn.csv alt.csv add.csv": "placeholder: files you downloaded",
    "sanctrace lists load UK_Sanctions_List.ods": "placeholder: a file you downloaded",
    "sanctrace lists load ConList.csv": "placeholder: a file you downloaded",
    "sanctrace lists update": "downloads from the official URLs (network); --every never stops",
    ".venv/bin/pip install -e '.[bench]'": "installs from PyPI (network); sets up the baselines",
    ".venv/bin/python bench/": "benchmarks: minutes to hours, on the full ../shared/data snapshots",
}

#: Textual changes made to every command before it runs: (text, replacement, why).
REWRITE: list[tuple[str, str, str]] = [
    (
        "sanctrace serve ",
        "sanctrace serve --port $README_PORT ",
        "port 8000 may be taken on a shared machine: the server listens on a free port",
    ),
    ("127.0.0.1:8000", "127.0.0.1:$README_PORT", "… and the requests go to that port"),
]

TIMEOUT = 600  # seconds, for the whole README
ELLIPSIS = "…"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass
class Command:
    line: int  # the README line it starts on
    text: str  # as written, continuation lines included
    output: list[str] = field(default_factory=list)  # the sample output shown after it

    @property
    def expected_exit(self) -> int:
        found = re.search(r"#.*\(exit (\d+)\)\s*$", self.text)
        return int(found.group(1)) if found else 0


@dataclass
class Block:
    line: int  # the README line of its opening fence
    lang: str
    section: str  # the heading it is under
    body: list[str]
    commands: list[Command] = field(default_factory=list)

    @property
    def id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.section.lower()).strip("-")
        return f"L{self.line}-{slug[:40]}"


def parse_sh(body: list[str], first_line: int) -> list[Command]:
    session = any(line.startswith("$ ") for line in body)
    commands: list[Command] = []
    continued: Command | None = None
    for number, line in enumerate(body, first_line):
        if continued is not None:
            continued.text += "\n" + line
            if not line.endswith("\\"):
                continued = None
            continue
        if session and not line.startswith("$ "):
            if line.strip():
                assert commands, f"README line {number}: output before the block's first $ command"
                commands[-1].output.append(line)
            continue
        if not session and (not line.strip() or line.lstrip().startswith("#")):
            continue
        command = Command(number, line[2:] if session else line)
        commands.append(command)
        if line.endswith("\\"):
            continued = command
    assert continued is None, f"README line {first_line}: the block ends with a continued line"
    return commands


def parse_readme(text: str) -> list[Block]:
    blocks: list[Block] = []
    section = ""
    current: Block | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if current is not None:
            if line.startswith("```"):
                if current.lang == "sh":
                    current.commands = parse_sh(current.body, current.line + 1)
                blocks.append(current)
                current = None
            else:
                current.body.append(line)
        elif line.startswith("```"):
            current = Block(number, line[3:].strip(), section, [])
        elif line.startswith("#"):
            section = line.lstrip("#").strip()
    assert current is None, "README.md ends inside a fenced block"
    return blocks


BLOCKS = parse_readme(README.read_text(encoding="utf-8"))


def skip_reason(command: Command) -> str | None:
    for start, reason in SKIP.items():
        if command.text.startswith(start):
            return reason
    return None


def rewritten(text: str) -> str:
    for old, new, _ in REWRITE:
        text = text.replace(old, new)
    return text


def normalize(line: str) -> str:
    return " ".join(ANSI.sub("", line).split())


def shows(output: str, sample: str) -> bool:
    """Whether a line of ``output`` has the fragments of ``sample`` between its ``…``, in order."""
    fragments = normalize(sample).split(ELLIPSIS)
    if not "".join(fragments).strip():
        return True
    for line in output.splitlines():
        line, at = normalize(line), 0
        for fragment in fragments:
            found = line.find(fragment, at)
            if found < 0:
                break
            at = found + len(fragment)
        else:
            return True
    return False


def script(results: Path) -> tuple[str, dict[str, tuple[Command, str]]]:
    """The bash script that runs the README, and each run command's key (its result files'
    name) with the command and the text that ran."""
    lines = ["trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT", ""]
    ran: dict[str, tuple[Command, str]] = {}
    for block in BLOCKS:
        if block.lang == "python":
            program = Command(block.line, "\n".join(block.body))
            runs = [(program, "python - <<'README_PYTHON'\n" + program.text + "\nREADME_PYTHON")]
        else:
            runs = []
            for command in block.commands:
                if command.text in SETUP:
                    replacement = SETUP[command.text][0]
                    if replacement is not None:
                        runs.append((command, replacement))
                elif skip_reason(command) is None:
                    runs.append((command, rewritten(command.text)))
        for command, text in runs:
            key = f"L{command.line}"
            ran[key] = (command, text)
            out = shlex.quote(str(results / f"{key}.out"))
            lines += [
                f"echo {key} > {shlex.quote(str(results / 'current'))}",
                "{ " + text,
                f"}} > {out} 2>&1 < /dev/null",
                f"echo $? > {shlex.quote(str(results / f'{key}.rc'))}",
                "",
            ]
    return "\n".join(lines), ran


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Result:
    text: str  # what ran
    exit: int | None  # None: it did not run (the script stopped before it)
    output: str


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Result]:
    """Every runnable command of the README, run in order in one shell; by README line."""
    base = tmp_path_factory.mktemp("readme")
    checkout, results = base / "checkout", base / "results"
    for folder in (checkout, results, base / "home", base / "tmp", base / "user"):
        folder.mkdir()
    (checkout / ".venv").symlink_to(VENV)
    (checkout / "examples").symlink_to(ROOT / "examples")
    text, ran = script(results)
    (base / "readme.sh").write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANCTRACE_")}
    env.update(
        PATH=f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        SANCTRACE_HOME=str(base / "home"),
        TMPDIR=str(base / "tmp"),
        HOME=str(base / "user"),
        COLUMNS="200",
        PYTHONUNBUFFERED="1",
        README_PORT=str(free_port()),
    )
    env.pop("VIRTUAL_ENV", None)
    try:
        subprocess.run(
            ["bash", str(base / "readme.sh")],
            cwd=checkout,
            env=env,
            timeout=TIMEOUT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
        )
    except subprocess.TimeoutExpired:
        current = (results / "current").read_text().strip()
        pytest.fail(f"the README's commands did not finish in {TIMEOUT} s: README {current} hung")
    run: dict[str, Result] = {}
    for key, (_, text) in ran.items():
        rc = results / f"{key}.rc"
        out = results / f"{key}.out"
        run[key] = Result(
            text,
            int(rc.read_text()) if rc.exists() else None,
            out.read_text(encoding="utf-8", errors="replace") if out.exists() else "",
        )
    return run


RUNNABLE = [block for block in BLOCKS if block.lang == "python" or block.commands]


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.id for block in RUNNABLE])
def test_block(block: Block, readme_run: dict[str, Result]) -> None:
    if block.lang == "python":
        checks = [(Command(block.line, "\n".join(block.body)), [])]
    else:
        checks = [
            (command, SETUP[command.text][1] if command.text in SETUP else command.output)
            for command in block.commands
        ]
    failures = []
    for command, samples in checks:
        result = readme_run.get(f"L{command.line}")
        if result is None:
            continue  # skipped (SKIP, or the set-up block that runs nothing)
        where = f"README line {command.line}: {result.text}"
        if result.exit is None:
            failures.append(f"{where}\n  did not run (the shell stopped before it)")
            continue
        if result.exit != command.expected_exit:
            failures.append(
                f"{where}\n  exited {result.exit}, not {command.expected_exit}:\n{result.output}"
            )
            continue
        missing = [sample for sample in samples if not shows(result.output, sample)]
        if missing:
            lines = "\n".join(f"    {sample}" for sample in missing)
            failures.append(f"{where}\n  does not print\n{lines}\n  but:\n{result.output}")
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


def test_every_block_is_run_or_listed() -> None:
    """Every fenced block is sh or python; the Set up section is exactly SETUP's two blocks,
    and SETUP's commands are nowhere else; every SKIP and REWRITE entry is still used."""
    assert {block.lang for block in BLOCKS} <= {"sh", "python"}, [
        (block.line, block.lang) for block in BLOCKS if block.lang not in ("sh", "python")
    ]
    setup = [block for block in BLOCKS if block.section.startswith("Set up")]
    assert [[command.text for command in block.commands] for block in setup] == [
        [text] for text in SETUP
    ], "the Set up section must hold exactly the two set-up commands"
    commands = [command for block in BLOCKS for command in block.commands]
    assert sum(command.text in SETUP for command in commands) == len(SETUP)
    for start in SKIP:
        assert any(command.text.startswith(start) for command in commands), (
            f"SKIP entry {start!r} matches no README command: remove it"
        )
    for old, _, _ in REWRITE:
        assert any(old in command.text for command in commands), f"REWRITE {old!r} is unused"


def test_block_convention() -> None:
    """How a block is read: $ lines and their output, comments, continuations, (exit N)."""
    session = parse_sh(["$ a \\", "  b", "out 1", "", "out 2", "$ c  # fails (exit 4)"], 10)
    assert [(c.line, c.text, c.output, c.expected_exit) for c in session] == [
        (10, "a \\\n  b", ["out 1", "out 2"], 0),
        (15, "c  # fails (exit 4)", [], 4),
    ]
    plain = parse_sh(["# a comment", "a  # a comment", "", "b"], 1)
    assert [(c.line, c.text, c.output) for c in plain] == [(2, "a  # a comment", []), (4, "b", [])]


def test_sample_convention() -> None:
    """The matching of sample lines: whitespace runs are one space, … stands for anything."""
    output = "Wrote 5 rows to standard output in 0.3 s (14 rows/s)\n  a    b\n"
    assert shows(output, "Wrote 5 rows to standard output in … s (… rows/s)")
    assert shows(output, "a b")
    assert shows(output, "…")
    assert not shows(output, "Wrote 6 rows")
    assert not shows(output, "b … a")


def test_example_data_is_the_documented_cut(data_dir: Path) -> None:
    """examples/data holds exactly what examples/cut_sdn_history.py cuts from the full files."""
    spec = importlib.util.spec_from_file_location("cut", ROOT / "examples" / "cut_sdn_history.py")
    assert spec and spec.loader
    cut = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cut)
    files = cut.cut(data_dir / "ofac_sdn_history")
    assert sorted(files) == ["sdn-2024-04-26.csv", "sdn-2024-05-01.csv"]
    for name, data in files.items():
        assert (ROOT / "examples" / "data" / name).read_bytes() == data, name
    assert sum(len(data) for data in files.values()) < 500_000
