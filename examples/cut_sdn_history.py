"""Cut the two real OFAC SDN versions of the README's monitoring walk-through out of the full files.

    python examples/cut_sdn_history.py [SOURCE] [--check]

SOURCE (default ../shared/data/ofac_sdn_history) holds 2024-04-26/sdn.csv and 2024-05-01/sdn.csv,
the full OFAC SDN legacy CSV main files of those days (14,668 and 14,966 entries). The cut writes
examples/data/sdn-2024-04-26.csv and examples/data/sdn-2024-05-01.csv, each holding, byte for
byte and in the full file's order, the rows of that day whose ent_num (first field) is

1. one whose row differs between the two days: added, removed, or changed in any byte (between
   these two days: 298 added, 0 removed, 0 changed), so that the diff of the two cuts is the
   diff of the two full files;
2. one of WALKTHROUGH below: the entries the walk-through's customers match;
3. a multiple of SAMPLE_EVERY (40) among the rows that did not change: a deterministic sample of
   the rest of the list (375 entries), so that the screening has unrelated entries to pass over.

Rows are the files' own CRLF-terminated lines (latin-1, no header, ``-0-`` for empty, each file
ending with the 0x1A byte it ends with); no field is edited. With --check nothing is written:
the command fails unless the files in examples/data are exactly what the cut makes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "examples" / "data"
DAYS = ("2024-04-26", "2024-05-01")
SAMPLE_EVERY = 40
WALKTHROUGH = {
    "46431",  # JOINT STOCK COMPANY IZHEVSK ELECTROMECHANICAL PLANT KUPOL (customer "IEMZ Kupol")
    "46633",  # WUHAN GLOBAL SENSOR TECHNOLOGY CO., LTD. (added 2024-05-01)
    "48626",  # CAROVILLI TRADING SRO (added 2024-05-01)
}


def split_rows(data: bytes) -> tuple[list[bytes], bytes]:
    """A full sdn.csv's CRLF-terminated lines (one per entry) and whatever follows the last."""
    lines = data.split(b"\r\n")
    tail = lines.pop()  # b"\x1a" (the DOS end-of-file byte OFAC appends) or b""
    return [line + b"\r\n" for line in lines], tail


def ent_num(row: bytes) -> str:
    return row.split(b",", 1)[0].decode("ascii")


def cut(source: Path) -> dict[str, bytes]:
    """Each output file's name and content."""
    parsed = {day: split_rows((source / day / "sdn.csv").read_bytes()) for day in DAYS}
    by_num = {day: {ent_num(row): row for row in rows} for day, (rows, _) in parsed.items()}
    first, second = (by_num[day] for day in DAYS)
    differ = {num for num in first.keys() | second.keys() if first.get(num) != second.get(num)}
    sample = {num for num in first.keys() & second.keys() - differ if int(num) % SAMPLE_EVERY == 0}
    keep = differ | WALKTHROUGH | sample
    return {
        f"sdn-{day}.csv": b"".join(row for row in rows if ent_num(row) in keep) + tail
        for day, (rows, tail) in parsed.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source", nargs="?", type=Path, default=ROOT.parent / "shared" / "data" / "ofac_sdn_history"
    )
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args()
    files = cut(args.source)
    if args.check:
        stale = [name for name, data in files.items() if (OUT / name).read_bytes() != data]
        for name in stale:
            print(f"examples/data/{name} is not what the cut makes", file=sys.stderr)
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (OUT / name).write_bytes(data)
        entries = data.count(b"\r\n")
        print(f"examples/data/{name}: {entries:,} entries, {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
