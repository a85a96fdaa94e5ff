"""The ownership fixed point of :mod:`sanctrace.ownership.calculate` over a whole graph in DuckDB,
for registries far too large for the Python work list: the same statuses, delta by delta.

Exact shares: each end of a stake is a fraction ``num/den`` (BIGINT columns). The engine scales
every end by ``D``, the least common multiple of all denominators and of the threshold's, so
that each is the whole number ``num * (D / den)`` and sums are exact integers (HUGEINT): 100/3
(a third) makes ``D`` a multiple of 3 and three thirds add up to exactly ``100 * D``.

The propagation is semi-naive. A (node, group) pair keeps running sums of the stakes of its
surely and possibly holding owners; a round joins only the pairs whose flags changed in the
last round (the delta) with their out-edges and adds what they newly bring. Each flag turns on
at most once, so each edge is added at most twice per group, and the rounds are as many as the
longest chain of changes (cycles add nothing unless stakes reach them).

The reference re-reads every stake on each visit; the two agree wherever the test only grows
with the stakes, which holds for every share :func:`~sanctrace.ownership.shares.parse_share`
reads except a meaningless "less than 0%" under a "50% or more" test.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from sanctrace.ownership.calculate import ALL
from sanctrace.ownership.edges import Edge
from sanctrace.ownership.rules import Ruleset

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

#: The columns of an edges relation; ``low_num`` NULL: control without shares.
EDGE_COLUMNS = (
    ("owner", "VARCHAR"),
    ("asset", "VARCHAR"),
    ("low_num", "BIGINT"),
    ("low_den", "BIGINT"),
    ("low_open", "BOOLEAN"),
    ("high_num", "BIGINT"),
    ("high_den", "BIGINT"),
    ("high_open", "BOOLEAN"),
    ("control", "VARCHAR"),
    ("start_date", "DATE"),
    ("end_date", "DATE"),
)

#: The group id of the one group of a regime that aggregates.
ALL_ID = -1

#: The largest exact sum the engine accepts (HUGEINT holds up to about 1.7e38).
HUGEINT_ROOM = 2**126


def edges_arrow(edges: Iterable[Edge]) -> pa.Table:
    """Edges as an Arrow table of :data:`EDGE_COLUMNS` (for ``con.register`` or Parquet)."""
    import pyarrow as pa

    cols: dict[str, list[Any]] = {name: [] for name, _ in EDGE_COLUMNS}
    for e in edges:
        cols["owner"].append(e.owner)
        cols["asset"].append(e.asset)
        s = e.share
        cols["low_num"].append(None if s is None else s.low.numerator)
        cols["low_den"].append(None if s is None else s.low.denominator)
        cols["low_open"].append(None if s is None else s.low_open)
        cols["high_num"].append(None if s is None else s.high.numerator)
        cols["high_den"].append(None if s is None else s.high.denominator)
        cols["high_open"].append(None if s is None else s.high_open)
        cols["control"].append(e.control)
        cols["start_date"].append(e.start)
        cols["end_date"].append(e.end)
    types = {
        "VARCHAR": pa.string(),
        "BIGINT": pa.int64(),
        "BOOLEAN": pa.bool_(),
        "DATE": pa.date32(),
    }
    return pa.table({name: pa.array(cols[name], types[kind]) for name, kind in EDGE_COLUMNS})


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class _Names:
    """Temporary tables of one run, dropped at its end."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.prefix = f"_own_{uuid.uuid4().hex[:10]}_"
        self.made: list[str] = []
        self.registered: list[str] = []
        self.views: list[str] = []

    def __getattr__(self, name: str) -> str:
        table = self.prefix + name
        if table not in self.made:
            self.made.append(table)
        return table

    def drop(self) -> None:
        for name in self.registered:
            self.con.unregister(name)
        for view in self.views:
            self.con.execute(f"DROP VIEW IF EXISTS {view}")
        for table in self.made:
            self.con.execute(f"DROP TABLE IF EXISTS {table}")


def _source(con: duckdb.DuckDBPyConnection, t: _Names, rel: object, what: str) -> str:
    """A table or view name as given, or a relation or Arrow/pandas object made a view."""
    if isinstance(rel, str):
        return rel
    import duckdb

    name = t.prefix + what
    if isinstance(rel, duckdb.DuckDBPyRelation):
        rel.create_view(name, replace=True)
        t.views.append(name)
    else:
        con.register(name, rel)
        t.registered.append(name)
    return name


def _scale(con: duckdb.DuckDBPyConnection, active: str, ruleset: Ruleset) -> int:
    """``D``: the least common multiple of every denominator (and the threshold's)."""
    rows = con.execute(
        f"SELECT DISTINCT d FROM (SELECT low_den AS d FROM {active} "
        f"UNION SELECT high_den FROM {active}) WHERE d IS NOT NULL"
    ).fetchall()
    scale = ruleset.threshold.denominator
    for (den,) in rows:
        if den <= 0:
            raise ValueError(f"a share's denominator is {den}: it must be positive")
        scale = math.lcm(scale, int(den))
    return scale


def joint_groups(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Listed parties joined by joint arrangements: each one's group, the smallest key among
    them (as the reference's union-find names it)."""
    parent: dict[str, str] = {}

    def find(n: str) -> str:
        parent.setdefault(n, n)
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {n: find(n) for n in list(parent)}


def _tests(ruleset: Ruleset, scale: int) -> tuple[str, str]:
    """SQL of surely passing (on ``lo``) and possibly passing (on the capped ``hi``)."""
    t = ruleset.threshold * scale
    assert t.denominator == 1
    th, full = t.numerator, 100 * scale
    hc = f"(CASE WHEN hi > {full} THEN {full} ELSE hi END)"
    ho = f"(CASE WHEN hi > {full} THEN false ELSE hi_open END)"
    if ruleset.strict:
        return f"(lo > {th} OR (lo = {th} AND lo_open))", f"({hc} > {th})"
    return f"(lo >= {th})", f"({hc} > {th} OR ({hc} = {th} AND NOT {ho}))"


def statuses_duckdb(
    con: duckdb.DuckDBPyConnection,
    edges: object,
    listed: object,
    ruleset: Ruleset,
    as_of: date,
    *,
    out: str = "ownership_status",
) -> str:
    """Write table ``out`` (node, status, sure, maybe): every node of the edges in force on
    ``as_of`` and every listed one, its status (blocked, indeterminate, not_blocked) and the
    groups surely and possibly holding it ('*' for a regime that aggregates, else each group's
    smallest listed key), as :func:`~sanctrace.ownership.calculate.propagate` finds them.

    ``edges`` has the :data:`EDGE_COLUMNS`, ``listed`` a column ``node``; each is a table or
    view name, a DuckDB relation, or an Arrow table or pandas frame. Returns ``out``.
    """
    t = _Names(con)
    try:
        src = _source(con, t, edges, "edges_in")
        _run(con, t, src, _source(con, t, listed, "listed_in"), ruleset, as_of, out)
    finally:
        t.drop()
    return out


def _run(
    con: duckdb.DuckDBPyConnection,
    t: _Names,
    src: str,
    listed_src: str,
    ruleset: Ruleset,
    as_of: date,
    out: str,
) -> None:
    day = f"DATE '{as_of.isoformat()}'"
    sql = con.execute
    sql(
        f"CREATE TEMP TABLE {t.active} AS SELECT * FROM {src} "
        f"WHERE (start_date IS NULL OR start_date <= {day}) "
        f"AND (end_date IS NULL OR {day} <= end_date)"
    )
    sql(
        f"CREATE TEMP TABLE {t.listed} AS SELECT DISTINCT CAST(node AS VARCHAR) AS key "
        f"FROM {listed_src} WHERE node IS NOT NULL"
    )
    scale = _scale(con, t.active, ruleset)
    (count,) = con.execute(f"SELECT count(*) FROM {t.active}").fetchone() or (0,)
    if 100 * scale * max(count, 1) >= HUGEINT_ROOM:
        raise ValueError(
            f"the shares' common denominator ({scale}) is too large for exact sums over "
            f"{count:,} edges: round the stakes to fewer digits"
        )
    sql(
        f"CREATE TEMP TABLE {t.nodes} AS SELECT key, CAST(row_number() OVER () AS BIGINT) AS id "
        f"FROM (SELECT owner AS key FROM {t.active} UNION SELECT asset FROM {t.active} "
        f"UNION SELECT key FROM {t.listed})"
    )
    # groups: one for all, or each listed party alone unless joint arrangements join them
    if ruleset.aggregate:
        sql(
            f"CREATE TEMP TABLE {t.seeds} AS SELECT n.id AS node, {ALL_ID} AS grp "
            f"FROM {t.listed} l JOIN {t.nodes} n USING (key)"
        )
    else:
        pairs = con.execute(
            f"SELECT owner, asset FROM {t.active} WHERE control = 'joint' "
            f"AND owner IN (SELECT key FROM {t.listed}) AND asset IN (SELECT key FROM {t.listed})"
        ).fetchall()
        groups = joint_groups(pairs)
        import pyarrow as pa

        joined = pa.table(
            {"key": pa.array(list(groups), pa.string()), "rep": pa.array(list(groups.values()))}
        )
        con.register(t.joined, joined)
        sql(
            f"CREATE TEMP TABLE {t.seeds} AS SELECT n.id AS node, coalesce(r.id, n.id) AS grp "
            f"FROM {t.listed} l JOIN {t.nodes} n USING (key) "
            f"LEFT JOIN {t.joined} j ON j.key = l.key LEFT JOIN {t.nodes} r ON r.key = j.rep"
        )
        con.unregister(t.joined)
    counted = sorted(ruleset.control_types) if ruleset.control_counts else []
    ctl = (
        f"coalesce(e.control IN ({', '.join(sql_literal(c) for c in counted)}), false)"
        if counted
        else "false"
    )
    full = 100 * scale
    # the edges stakes pass along: not joint arrangements, not links without a stake, not
    # into listed parties (fixed), and only those that bring a stake or a counted control
    sql(
        f"""CREATE TEMP TABLE {t.he} AS
        SELECT src, dst, lo, lo_open, hi, hi_open AND hi < {full} AS hi_open, ctl FROM (
          SELECT o.id AS src, a.id AS dst,
            CAST(e.low_num AS HUGEINT) * ({scale}::HUGEINT // e.low_den) AS lo,
            coalesce(e.low_open, false) AS lo_open,
            CAST(e.high_num AS HUGEINT) * ({scale}::HUGEINT // e.high_den) AS hi,
            coalesce(e.high_open, false) AS hi_open, {ctl} AS ctl
          FROM {t.active} e JOIN {t.nodes} o ON o.key = e.owner JOIN {t.nodes} a ON a.key = e.asset
          WHERE e.control IS DISTINCT FROM 'joint'
            AND NOT (e.control IS NOT DISTINCT FROM 'linked' AND e.low_num IS NULL)
            AND a.id NOT IN (SELECT node FROM {t.seeds})
        ) WHERE lo IS NOT NULL OR ctl"""
    )
    _iterate(con, t, ruleset, scale)
    gkey = f"CASE WHEN g.grp = {ALL_ID} THEN {sql_literal(ALL)} ELSE gn.key END"
    sql(
        f"""CREATE OR REPLACE TABLE {out} AS
        WITH held AS (
          SELECT node, grp, sure, maybe FROM {t.acc} WHERE sure OR maybe
          UNION ALL SELECT node, grp, true, true FROM {t.seeds}
        ), named AS (
          SELECT g.node, {gkey} AS gkey, g.sure, g.maybe
          FROM held g LEFT JOIN {t.nodes} gn ON gn.id = g.grp
        ), per AS (
          SELECT node, list_sort(list(gkey) FILTER (WHERE sure)) AS sure,
            list_sort(list(gkey) FILTER (WHERE maybe)) AS maybe
          FROM named GROUP BY node
        )
        SELECT n.key AS node,
          CASE WHEN len(coalesce(p.sure, [])) > 0 THEN 'blocked'
               WHEN len(coalesce(p.maybe, [])) > 0 THEN 'indeterminate'
               ELSE 'not_blocked' END AS status,
          coalesce(p.sure, []::VARCHAR[]) AS sure, coalesce(p.maybe, []::VARCHAR[]) AS maybe
        FROM {t.nodes} n LEFT JOIN per p ON p.node = n.id"""
    )


def _iterate(con: duckdb.DuckDBPyConnection, t: _Names, ruleset: Ruleset, scale: int) -> int:
    """Rounds until no flag changes; returns their number."""
    sql = con.execute
    surely, possibly = _tests(ruleset, scale)
    sql(
        f"CREATE TEMP TABLE {t.acc} (node BIGINT, grp BIGINT, lo HUGEINT, lo_open BOOLEAN, "
        "hi HUGEINT, hi_open BOOLEAN, ctl BOOLEAN, mctl BOOLEAN, sure BOOLEAN, maybe BOOLEAN)"
    )
    sql(
        f"CREATE TEMP TABLE {t.delta} AS SELECT node, grp, true AS add_low, true AS add_high "
        f"FROM {t.seeds}"
    )
    rounds = 0
    while True:
        rounds += 1
        sql(
            f"""CREATE OR REPLACE TEMP TABLE {t.step} AS
            WITH c AS (
              SELECT e.dst AS node, d.grp,
                coalesce(sum(e.lo) FILTER (WHERE d.add_low), 0) AS lo,
                coalesce(bool_or(e.lo_open) FILTER (WHERE d.add_low), false) AS lo_open,
                coalesce(sum(e.hi) FILTER (WHERE d.add_high), 0) AS hi,
                coalesce(bool_or(e.hi_open) FILTER (WHERE d.add_high), false) AS hi_open,
                coalesce(bool_or(e.ctl) FILTER (WHERE d.add_low), false) AS ctl,
                coalesce(bool_or(e.ctl) FILTER (WHERE d.add_high), false) AS mctl
              FROM {t.delta} d JOIN {t.he} e ON e.src = d.node
              GROUP BY e.dst, d.grp
            ), n AS (
              SELECT c.node, c.grp,
                CAST(coalesce(a.lo, 0) + c.lo AS HUGEINT) AS lo,
                coalesce(a.lo_open, false) OR c.lo_open AS lo_open,
                CAST(coalesce(a.hi, 0) + c.hi AS HUGEINT) AS hi,
                coalesce(a.hi_open, false) OR c.hi_open AS hi_open,
                coalesce(a.ctl, false) OR c.ctl AS ctl,
                coalesce(a.mctl, false) OR c.mctl AS mctl,
                coalesce(a.sure, false) AS was_sure, coalesce(a.maybe, false) AS was_maybe
              FROM c LEFT JOIN {t.acc} a ON a.node = c.node AND a.grp = c.grp
            )
            SELECT *, {surely} OR ctl AS sure, {possibly} OR mctl AS maybe FROM n"""
        )
        sql(
            f"DELETE FROM {t.acc} USING {t.step} s WHERE {t.acc}.node = s.node "
            f"AND {t.acc}.grp = s.grp"
        )
        sql(
            f"INSERT INTO {t.acc} SELECT node, grp, lo, lo_open, hi, hi_open, ctl, mctl, sure, "
            f"maybe FROM {t.step}"
        )
        sql(
            f"""CREATE OR REPLACE TEMP TABLE {t.delta} AS SELECT * FROM (
              SELECT node, grp, sure AND maybe AND NOT (was_sure AND was_maybe) AS add_low,
                maybe AND NOT was_maybe AS add_high FROM {t.step}
            ) WHERE add_low OR add_high"""
        )
        row = con.execute(f"SELECT count(*) FROM {t.delta}").fetchone()
        if not row or row[0] == 0:
            return rounds


def _listed_keys(listed: Iterable[str] | Mapping[str, Any]) -> list[str]:
    return sorted(set(listed))


def _connect(threads: int | None) -> duckdb.DuckDBPyConnection:
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _rows(
    edges: Iterable[Edge],
    listed: Iterable[str] | Mapping[str, Any],
    ruleset: Ruleset,
    as_of: date,
    threads: int | None,
) -> Iterator[tuple[str, str, list[str], list[str]]]:
    import pyarrow as pa

    con = _connect(threads)
    try:
        names = pa.table({"node": pa.array(_listed_keys(listed), pa.string())})
        statuses_duckdb(con, edges_arrow(edges), names, ruleset, as_of, out="ownership_status")
        yield from con.execute("SELECT node, status, sure, maybe FROM ownership_status").fetchall()
    finally:
        con.close()


def statuses(
    edges: Iterable[Edge],
    listed: Iterable[str] | Mapping[str, Any],
    ruleset: Ruleset,
    as_of: date,
    *,
    threads: int | None = None,
) -> dict[str, str]:
    """Each node's status under ``ruleset`` on ``as_of``, computed in an in-memory DuckDB."""
    return {node: status for node, status, _, _ in _rows(edges, listed, ruleset, as_of, threads)}


def holders(
    edges: Iterable[Edge],
    listed: Iterable[str] | Mapping[str, Any],
    ruleset: Ruleset,
    as_of: date,
    *,
    threads: int | None = None,
) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Each node's groups surely and possibly holding it (the reference's ``sure``/``maybe``)."""
    return {
        node: (frozenset(sure), frozenset(maybe))
        for node, _, sure, maybe in _rows(edges, listed, ruleset, as_of, threads)
    }
