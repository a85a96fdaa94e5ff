"""The same query gets the same answer in every process: where candidate generation truncates
(near spellings of a word, the best name entries), ties are broken by spelling and by entry,
never by the hash order of sets, which PYTHONHASHSEED changes from one process to the next
(it changed the low-score results of a real /match request between two server runs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import json, sys
from sanctrace.match.index import Index
from sanctrace.normalize import name_forms
index = Index.load(__import__("pathlib").Path(sys.argv[1]))
words = sorted({t for t in index.tokens if len(t) >= 6})[::97][:300]
names = ["Kupol Trading", "Bank Melli", "Ivanov", "Global Trading LLC", "Petrov Oil Company"]
print(json.dumps({
    "similar": {w: index.similar_tokens(w) for w in words},
    "ranked": {n: index.ranked_candidates(name_forms(n, None)) for n in names},
}))
"""


def _probe(index_file: Path, seed: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(index_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_candidates_do_not_depend_on_the_hash_seed(bundled_home: Path) -> None:
    [index_file] = (bundled_home / "sanctrace.db.index").glob("index-*.pickle")
    first = _probe(index_file, "1")
    assert sum(len(v) for v in first["similar"].values()) > 300  # type: ignore[attr-defined]
    assert _probe(index_file, "2") == first
    assert _probe(index_file, "3") == first
