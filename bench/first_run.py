"""A newcomer's first minute: each command run as a user runs it, a new process every time.

Cold: a new, empty SANCTRACE_HOME (the first command after install). Warm: the same command
again in a home that has answered once. The commands are `sanctrace screen "IEMZ Kupol"`,
`sanctrace scan` of a 40-character text file and `sanctrace entity us_ofac_sdn:46431`,
timed as wall clock from process start to exit. The baseline is the code before this work
(commit BASELINE, checked out in a temporary git worktree), run by the same interpreter and
packages, so the difference is the code; `--install` also times building and installing
each side's wheel into a new virtualenv.

    .venv/bin/python bench/first_run.py [--runs 5] [--baseline COMMIT] [--install]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "eedc1e0"  # main before issue 17
TEXT = "Payment to IEMZ Kupol via Sky Frontier.\n"
COMMANDS = {
    "screen": ["screen", "IEMZ Kupol"],
    "scan": ["scan", "{text}"],
    "entity": ["entity", "us_ofac_sdn:46431"],
}


def log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def run(src: Path, home: Path, args: list[str], text: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(src), "SANCTRACE_HOME": str(home), "COLUMNS": "100"}
    env.pop("SANCTRACE_DB", None)
    # as installed: pip compiles the package, and Python keeps the bytecode of what it imports
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    argv = [sys.executable, "-m", "sanctrace", *(a.format(text=text) for a in args)]
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return took


def measure(src: Path, runs: int, work: Path) -> dict[str, dict[str, float]]:
    text = work / "note.txt"
    text.write_text(TEXT, "utf-8")
    out: dict[str, dict[str, float]] = {}
    for name, args in COMMANDS.items():
        cold = []
        for i in range(runs):
            home = work / f"cold-{name}-{i}"
            cold.append(run(src, home, args, text))
            shutil.rmtree(home, ignore_errors=True)
        home = work / f"warm-{name}"
        run(src, home, args, text)
        warm = [run(src, home, args, text) for _ in range(runs)]
        shutil.rmtree(home, ignore_errors=True)
        out[name] = {
            "cold_median": statistics.median(cold),
            "cold_best": min(cold),
            "warm_median": statistics.median(warm),
            "warm_best": min(warm),
        }
        got = out[name]
        log(f"  {name}: cold {got['cold_median']:.2f} s, warm {got['warm_median']:.2f} s")
    return out


def install_time(tree: Path, work: Path) -> dict[str, float]:
    """Build the wheel and install it (no dependencies: they are the same on both sides)."""
    wheels = work / "wheels"
    venv = work / "venv"
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(wheels),
            str(tree),
        ],
        check=True,
    )
    built = time.perf_counter() - start
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    wheel = next(wheels.glob("sanctrace-*.whl"))
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "-q",
            "--no-deps",
            str(wheel),
        ],
        check=True,
    )
    installed = time.perf_counter() - start
    return {"wheel_build_s": built, "install_s": installed, "wheel_mb": wheel.stat().st_size / 1e6}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--install", action="store_true")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args(argv)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="sanctrace-first-run-") as tmp:
        work = Path(tmp)
        tree = work / "baseline"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree), args.baseline],
            check=True,
        )
        try:
            for side, src in (("baseline", tree), ("this", ROOT)):
                log(f"{side} ({args.baseline if side == 'baseline' else 'working tree'}):")
                side_work = work / side
                side_work.mkdir(exist_ok=True)
                results[side] = measure(src / "src", args.runs, side_work)
                if args.install:
                    results[side]["install"] = install_time(src, side_work)
                    log(f"  install: {results[side]['install']}")
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False
            )
    print("| command | baseline cold | this cold | baseline warm | this warm |")
    print("|---|---|---|---|---|")
    for name in COMMANDS:
        b, t = results["baseline"][name], results["this"][name]
        print(
            f"| `{' '.join(COMMANDS[name])}` | {b['cold_median']:.2f} s | {t['cold_median']:.2f} s "
            f"| {b['warm_median']:.2f} s | {t['warm_median']:.2f} s |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
