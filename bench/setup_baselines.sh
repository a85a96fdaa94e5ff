#!/usr/bin/env bash
# Create bench/.venv-baselines: a separate virtualenv with OpenSanctions' nomenklatura
# (logic-v1 / logic-v2 matchers, with followthemoney and rigour) and rapidfuzz, used by
# bench/baseline_runner.py, and Splink with DuckDB (and pyarrow, for Parquet), used by
# bench/resolve_splink.py. Benchmark-only: none of this is a sanctrace dependency.
#
# Usage (from the repository root): bash bench/setup_baselines.sh
# Re-running is safe; it only installs what is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv-baselines"
python="${PYTHON:-python3}"
# Pinned: the version this harness was written and checked against (see bench/baseline_runner.py).
nomenklatura_spec="${NOMENKLATURA_SPEC:-nomenklatura==4.17.4}"
rapidfuzz_spec="${RAPIDFUZZ_SPEC:-rapidfuzz>=3}"
# Splink 5 (DuckDB backend): the entity-resolution engine issue 16 measures against our own.
splink_spec="${SPLINK_SPEC:-splink==5.0.0}"
duckdb_spec="${DUCKDB_SPEC:-duckdb>=1.1}"
pyarrow_spec="${PYARROW_SPEC:-pyarrow>=14}"

# PyICU (needed by followthemoney/rigour) builds from source against the system ICU.
missing=()
for pkg in libicu-dev pkg-config g++; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "installing Debian packages: ${missing[*]}" >&2
    sudo_cmd=()
    [[ "$(id -u)" != 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip wheel
"$venv/bin/python" -m pip install --quiet "$nomenklatura_spec" "$rapidfuzz_spec" \
    "$splink_spec" "$duckdb_spec" "$pyarrow_spec"

"$venv/bin/python" - <<'PY'
from importlib.metadata import version

import duckdb
import splink  # noqa: F401  (import check)
from nomenklatura.matching import get_algorithm

for name in ("logic-v1", "logic-v2"):
    algo = get_algorithm(name)
    assert algo is not None, name
print(
    "baselines ready: nomenklatura", version("nomenklatura"),
    "followthemoney", version("followthemoney"),
    "rigour", version("rigour"),
    "rapidfuzz", version("rapidfuzz"),
    "splink", version("splink"),
    "duckdb", duckdb.__version__,
)
PY
