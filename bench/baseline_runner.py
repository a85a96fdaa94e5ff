"""Score name pairs with OpenSanctions' matchers: the baselines sanctrace is measured against.

Runs INSIDE bench/.venv-baselines (made by ``bash bench/setup_baselines.sh``), where nomenklatura,
followthemoney and rapidfuzz are installed; sanctrace itself is not needed there. Algorithms:

* ``logic_v1``: ``nomenklatura.matching.LogicV1`` (NAME "logic-v1"), the older rule-based matcher;
* ``logic_v2``: ``nomenklatura.matching.LogicV2`` (NAME "logic-v2"), the current rule-based matcher
  with its cross-script, culture-aware name matcher; the matcher yente's ``/match`` uses;
* ``wratio``: the naive baseline, rapidfuzz ``fuzz.WRatio`` (with ``utils.default_process``) of the
  best query name / candidate name pair, divided by 100.

Both nomenklatura algorithms are called as ``Algo.compare(query, candidate, Algo.default_config())``
on followthemoney ``EntityProxy`` objects and return a ``MatchingResult`` with ``.score``.

Input, JSON lines (stdin, or a file argument)::

    {"pair_id": "...", "schema": "Person",
     "query": {"name": ["..."], "country": ["ru"], "birthDate": ["1970"]},
     "candidate": {"schema": "Person", "properties": {"name": [...], "alias": [...]}}}

``schema`` is the query's FtM schema (default "LegalEntity"). Output, JSON lines (stdout, or
``--output``)::

    {"pair_id": "...", "logic_v1": 0.5, "logic_v2": 0.7, "wratio": 0.9}

Per-algorithm total time and mean milliseconds per pair go to stderr (and, with ``--timing-json``,
to a file). One warm-up pair, not counted, loads each algorithm's reference data first.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import IO, Any

from followthemoney import EntityProxy, model
from nomenklatura.matching import LogicV1, LogicV2
from nomenklatura.matching.types import ScoringAlgorithm, ScoringConfig
from rapidfuzz import fuzz, utils

#: The FtM properties that hold names.
NAME_PROPS = ("name", "alias", "weakAlias", "previousName")
ALGORITHMS = ("logic_v1", "logic_v2", "wratio")
#: Schema names some lists (and sanctrace) use that followthemoney spells differently.
FTM_SCHEMATA = {"Aircraft": "Airplane"}

Scorer = Callable[[EntityProxy, EntityProxy], float]


def make_proxy(prefix: str, schema: str, properties: dict[str, Any]) -> EntityProxy:
    """An FtM entity with an id derived from its content.

    nomenklatura's logic-v2 memoises name analysis per entity, keyed by entity id only, so two
    different entities must never share an id (and equal ones may, which helps its cache).
    """
    canonical = json.dumps([schema, properties], sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:20]
    if model.get(schema) is None:  # e.g. a list's "Aircraft": FtM calls it "Airplane"
        schema = FTM_SCHEMATA.get(schema, "LegalEntity")
    proxy = model.make_entity(schema)
    proxy.id = f"{prefix}-{digest}"
    for prop, values in properties.items():
        if isinstance(values, str):
            values = [values]
        if prop in proxy.schema.properties:
            proxy.add(prop, values, quiet=True)
    return proxy


def names_of(proxy: EntityProxy) -> list[str]:
    names: list[str] = []
    for prop in NAME_PROPS:
        if prop in proxy.schema.properties:
            names.extend(proxy.get(prop, quiet=True))
    return names


def wratio(query: EntityProxy, candidate: EntityProxy) -> float:
    best = 0.0
    for q in names_of(query):
        for c in names_of(candidate):
            best = max(best, fuzz.WRatio(q, c, processor=utils.default_process))
    return best / 100.0


def nomenklatura_scorer(algorithm: type[ScoringAlgorithm]) -> Scorer:
    def score(query: EntityProxy, candidate: EntityProxy) -> float:
        config: ScoringConfig = algorithm.default_config()
        return float(algorithm.compare(query, candidate, config).score)

    return score


SCORERS: dict[str, Scorer] = {
    "logic_v1": nomenklatura_scorer(LogicV1),
    "logic_v2": nomenklatura_scorer(LogicV2),
    "wratio": wratio,
}


def read_pairs(stream: IO[str]) -> Iterator[dict[str, Any]]:
    for line in stream:
        line = line.strip()
        if line:
            yield json.loads(line)


def to_proxies(pair: dict[str, Any]) -> tuple[EntityProxy, EntityProxy]:
    schema = pair.get("schema") or "LegalEntity"
    query = make_proxy("q", schema, pair.get("query") or {})
    cand = pair.get("candidate") or {}
    candidate = make_proxy("c", cand.get("schema") or "LegalEntity", cand.get("properties") or {})
    return query, candidate


def warm_up(algorithms: Iterable[str]) -> None:
    """Load each algorithm's lazily built reference data (transliteration, name tables)."""
    samples = (
        ("Person", "Vladimir Putin", "Владимир Путин"),
        ("Person", "Kim Jong Un", "김정은"),
        ("Company", "Huawei Technologies Co., Ltd.", "华为技术有限公司"),
        ("Person", "Mohamed Ali", "محمد علي"),
    )
    for schema, left, right in samples:
        query = make_proxy("warm", schema, {"name": [left]})
        candidate = make_proxy("warm", schema, {"name": [right]})
        for name in algorithms:
            SCORERS[name](query, candidate)


def run(
    pairs: Iterable[dict[str, Any]], out: IO[str], algorithms: tuple[str, ...]
) -> dict[str, dict[str, float]]:
    """Score every pair, write one JSON line per pair; return the timing per algorithm."""
    warm_up(algorithms)
    totals = dict.fromkeys(algorithms, 0.0)
    count = 0
    for pair in pairs:
        query, candidate = to_proxies(pair)
        row: dict[str, Any] = {"pair_id": pair.get("pair_id")}
        for name in algorithms:
            start = time.perf_counter()
            score = SCORERS[name](query, candidate)
            totals[name] += time.perf_counter() - start
            row[name] = round(score, 4)
        out.write(json.dumps(row) + "\n")
        count += 1
    return {
        name: {
            "pairs": count,
            "total_s": round(total, 4),
            "mean_ms": round(total * 1000 / count, 4) if count else 0.0,
        }
        for name, total in totals.items()
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", nargs="?", help="JSON lines file (default: stdin)")
    parser.add_argument("--output", "-o", help="write JSON lines here (default: stdout)")
    parser.add_argument(
        "--algorithms",
        default=",".join(ALGORITHMS),
        help=f"comma-separated subset of {', '.join(ALGORITHMS)}",
    )
    parser.add_argument("--timing-json", help="also write the timing summary to this file")
    args = parser.parse_args(argv)

    algorithms = tuple(a.strip() for a in args.algorithms.split(",") if a.strip())
    unknown = set(algorithms) - set(ALGORITHMS)
    if unknown:
        parser.error(f"unknown algorithm(s): {', '.join(sorted(unknown))}")

    source = open(args.input, encoding="utf-8") if args.input else sys.stdin  # noqa: SIM115
    sink = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        timing = run(read_pairs(source), sink, algorithms)
    finally:
        if args.input:
            source.close()
        if args.output:
            sink.close()
        else:
            sink.flush()

    print(f"nomenklatura {version('nomenklatura')}", file=sys.stderr)
    for name, t in timing.items():
        print(
            f"{name}: {t['pairs']:.0f} pairs, {t['total_s']:.3f} s total, "
            f"{t['mean_ms']:.3f} ms/pair",
            file=sys.stderr,
        )
    if args.timing_json:
        info = {"nomenklatura": version("nomenklatura"), "algorithms": timing}
        Path(args.timing_json).write_text(json.dumps(info, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
