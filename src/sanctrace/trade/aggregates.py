"""The trade checks that need the whole data set at once, run in DuckDB so that they scale to
customs and bank files of tens of millions of rows: no row can be judged on its own.

- ``value_anomaly``: a unit value (value / quantity) far from what the same HS-6 code costs in
  the same file. Far is a robust z-score (Iglewicz and Hoaglin's modified z, 0.6745 times the
  distance to the median over the median absolute deviation), because a mean and standard
  deviation are dragged by the very outliers one looks for. Prices are log-normal (a 40-fold
  and a 1/40 price are equally odd), so by default the score is taken on the logarithm of the
  unit value; ``log_scale=False`` takes it on the unit value itself. Where more than half the
  unit values are equal (the MAD is 0) the mean absolute deviation stands in, scaled by
  1.2533 as those authors advise; a code with fewer than ``min_count`` priced shipments is not
  judged at all.
- ``first_time_lane``: the first shipment of each shipper-consignee-HS-4 lane, by date then
  line: trade on a lane never seen before is how diversion through new intermediaries shows
  in a data set. Party names are folded (case, punctuation, script, legal forms) so that
  "Shenzhen X Co., Ltd" and "SHENZHEN X CO LTD" are one party. The check needs dates; a file
  without them skips it, and :class:`Aggregates` says so.

The names are folded in Python once per distinct name (a data set repeats its parties) and
joined back in DuckDB. The flags come out in line order, in batches
(:func:`iter_aggregate_flags`), so a caller can merge them into a streamed report without
holding millions of them. DuckDB and pyarrow are imported when a check runs, not before.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from anyascii import anyascii

from sanctrace.normalize.legal_forms import strip_legal_forms
from sanctrace.normalize.text import fold
from sanctrace.trade.model import Flag, Shipment

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

VALUE_ANOMALY = "value_anomaly"
FIRST_TIME_LANE = "first_time_lane"
CHECKS = (VALUE_ANOMALY, FIRST_TIME_LANE)

#: Iglewicz and Hoaglin (1993), "How to Detect and Handle Outliers": |modified z| >= 3.5.
DEFAULT_Z = 3.5
DEFAULT_MIN_COUNT = 5
#: 0.6745 (the 0.75 quantile of the normal) makes the MAD comparable with a standard deviation;
#: 1.2533 (sqrt(pi/2)) does the same for the mean absolute deviation.
MAD_FACTOR = 0.6745
MEAN_AD_FACTOR = 1.253314

SOURCE_VALUE = (
    "sanctrace value_anomaly: modified z-score of the unit value against the other shipments "
    "of the same HS-6 code in the file (Iglewicz & Hoaglin 1993)"
)
SOURCE_LANE = (
    "sanctrace first_time_lane: first shipment of a shipper-consignee-HS-4 lane in the file "
    "(FinCEN/BIS joint alerts FIN-2022-NTC1, FIN-2023-NTC2: new customers and new trade "
    "patterns as red flags of export-control evasion)"
)

#: The columns the checks read; the rest of a shipments table is ignored.
_NEEDED = ("line", "shipper", "consignee", "hs_code")
_VALUE_COLUMNS = ("value", "quantity")

#: Arrow types of a shipments table made from :class:`Shipment` objects.
_ARROW_FIELDS = (
    ("line", "int64"),
    ("shipment_id", "string"),
    ("date", "date32"),
    ("shipper", "string"),
    ("consignee", "string"),
    ("hs_code", "string"),
    ("value", "float64"),
    ("quantity", "float64"),
    ("notify_party", "string"),
    ("payer", "string"),
)


@lru_cache(maxsize=262144)
def party_key(name: str) -> str:
    """The folded form of a party's name lanes and graphs compare: case, punctuation and script
    folded (romanised), legal forms removed. Empty only for an empty name."""
    folded = fold(name)
    if not folded.isascii():
        folded = fold(anyascii(folded))
    tokens = folded.split()
    if not tokens:
        return " ".join(name.split()).casefold()
    kept, _forms = strip_legal_forms(tokens)
    return " ".join(kept)


def shipments_arrow(shipments: Iterable[Shipment]) -> pa.Table:
    """Shipments as an Arrow table of the columns the aggregate checks and the graph read."""
    import pyarrow as pa

    cols: dict[str, list[Any]] = {name: [] for name, _ in _ARROW_FIELDS}
    for s in shipments:
        for name, _ in _ARROW_FIELDS:
            cols[name].append(getattr(s, name))
    types = {"int64": pa.int64(), "string": pa.string(), "date32": pa.date32()}
    types["float64"] = pa.float64()
    return pa.table({n: pa.array(cols[n], types[kind]) for n, kind in _ARROW_FIELDS})


@dataclass
class Aggregates:
    """What the aggregate checks found: flags by line, and the checks that could not run."""

    flags: dict[int, list[Flag]] = field(default_factory=dict)
    #: check code -> why it did not run (e.g. the file has no dates)
    skipped: dict[str, str] = field(default_factory=dict)
    #: check code -> how many shipments it flagged
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Plan:
    """The checks that can run on a source, and why the others cannot."""

    run: list[str]
    skipped: dict[str, str]


class TradeSession:
    """A DuckDB connection with the source registered as ``src``; temporaries dropped at end."""

    def __init__(
        self,
        source: object,
        con: duckdb.DuckDBPyConnection | None,
        threads: int | None,
        memory_limit: str | None,
    ) -> None:
        import duckdb

        self.own = con is None
        self.con = duckdb.connect() if con is None else con
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.con.execute(f"SET memory_limit = {sql_literal(memory_limit)}")
        self.prefix = f"_trade_{uuid.uuid4().hex[:10]}_"
        self.registered: list[str] = []
        self.tables: list[str] = []
        self.views: list[str] = []
        self.src = self.prefix + "src"
        if isinstance(source, (str, Path)):
            self.con.execute(
                f"CREATE VIEW {self.src} AS SELECT * FROM read_parquet({sql_literal(str(source))})"
            )
            self.views.append(self.src)
        elif isinstance(source, duckdb.DuckDBPyRelation):
            source.create_view(self.src, replace=True)
            self.views.append(self.src)
        else:
            self.con.register(self.src, source)
            self.registered.append(self.src)
        described = self.con.execute(f"DESCRIBE SELECT * FROM {self.src}").fetchall()
        self.columns = {str(row[0]): str(row[1]) for row in described}

    def table(self, name: str) -> str:
        full = self.prefix + name
        self.tables.append(full)
        return full

    def close(self) -> None:
        for name in reversed(self.tables):
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        for name in self.views:
            self.con.execute(f"DROP VIEW IF EXISTS {name}")
        for name in self.registered:
            self.con.unregister(name)
        if self.own:
            self.con.close()


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _plan(s: TradeSession, checks: Iterable[str]) -> _Plan:
    missing = [c for c in _NEEDED if c not in s.columns]
    if missing:
        raise ValueError(f"a shipments table needs the columns {', '.join(missing)}")
    run: list[str] = []
    skipped: dict[str, str] = {}
    for check in checks:
        if check not in CHECKS:
            raise ValueError(f"no aggregate check {check!r} (there are {', '.join(CHECKS)})")
        if check == VALUE_ANOMALY:
            absent = [c for c in _VALUE_COLUMNS if c not in s.columns]
            if absent:
                skipped[check] = f"off: the file has no {' or '.join(absent)} column"
                continue
        if check == FIRST_TIME_LANE:
            if "date" not in s.columns:
                skipped[check] = (
                    "off: the file has no date column (no order to say what came first)"
                )
                continue
            (dated,) = s.con.execute(
                f"SELECT count(*) FROM {s.src} WHERE {date_sql(s)} IS NOT NULL"
            ).fetchone() or (0,)
            if not dated:
                skipped[check] = "off: the file has no dates (no order to say what came first)"
                continue
        run.append(check)
    return _Plan(run, skipped)


def date_sql(s: TradeSession) -> str:
    kind = s.columns.get("date", "")
    if kind == "DATE":
        return "date"
    if kind.startswith("TIMESTAMP"):
        return "CAST(date AS DATE)"
    return "TRY_CAST(date AS DATE)"


def _value_sql(s: TradeSession, z: float, min_count: int, log_scale: bool) -> str:
    """One row per anomalous line: line, hs6, unit, median, z, n (the unit value, the median
    of the code, the score and the number of priced shipments of the code)."""
    if not (math.isfinite(z) and z > 0):
        raise ValueError(f"the z threshold must be a positive number, not {z}")
    if min_count < 2:
        raise ValueError(f"min_count must be 2 or more, not {min_count}")
    x = "ln(unit)" if log_scale else "unit"
    return f"""
    WITH typed AS (
        SELECT CAST(line AS BIGINT) AS line, CAST(hs_code AS VARCHAR) AS hs,
               CAST(value AS DOUBLE) AS v, CAST(quantity AS DOUBLE) AS q
        FROM {s.src}
    ), priced AS (
        SELECT line, substr(hs, 1, 6) AS hs6, v / q AS unit FROM typed
        WHERE length(hs) >= 6 AND v > 0 AND q > 0 AND isfinite(v / q)
    ), scored AS (SELECT line, hs6, unit, {x} AS x FROM priced),
    centre AS (
        SELECT hs6, median(x) AS mx, median(unit) AS med, count(*) AS n FROM scored
        GROUP BY hs6 HAVING count(*) >= {int(min_count)}
    ), spread AS (
        SELECT hs6, median(abs(x - mx)) AS mad, avg(abs(x - mx)) AS meanad
        FROM scored JOIN centre USING (hs6) GROUP BY hs6
    ), judged AS (
        SELECT line, hs6, unit, med, n,
               CASE WHEN mad > 0 THEN {MAD_FACTOR} * (x - mx) / mad
                    WHEN meanad > 0 THEN (x - mx) / ({MEAN_AD_FACTOR} * meanad) END AS z
        FROM scored JOIN centre USING (hs6) JOIN spread USING (hs6)
    )
    SELECT line, hs6, unit, med, z, n FROM judged WHERE abs(z) >= {float(z)}
    """


def _lane_sql(s: TradeSession, keys: str, warmup_days: int) -> str:
    """One row per lane: the line of its first shipment, the lane (as written and folded), its
    date, and the number of shipments on the lane."""
    day = date_sql(s)
    warm = ""
    if warmup_days > 0:
        warm = (
            f"WHERE f.d IS NULL OR f.d >= (SELECT min({day}) FROM {s.src}) "
            f"+ INTERVAL {int(warmup_days)} DAY"
        )
    return f"""
    WITH laned AS (
        SELECT CAST(t.line AS BIGINT) AS line, {day} AS d, t.shipper, t.consignee,
               substr(CAST(t.hs_code AS VARCHAR), 1, 4) AS hs4, a.key AS sk, b.key AS ck
        FROM {s.src} t JOIN {keys} a ON a.name = t.shipper JOIN {keys} b ON b.name = t.consignee
        WHERE length(CAST(t.hs_code AS VARCHAR)) >= 4 AND a.key <> '' AND b.key <> ''
    ), firsts AS (
        SELECT sk, ck, hs4, count(*) AS n,
               arg_min(struct_pack(line, d, shipper, consignee),
                       struct_pack(k1 := coalesce(d, DATE '9999-12-31'), k2 := line)) AS f
        FROM laned GROUP BY sk, ck, hs4
    )
    SELECT f.line AS line, f.shipper AS shipper, f.consignee AS consignee, hs4, sk, ck,
           f.d AS d, n
    FROM firsts {warm}
    """


def party_keys_table(s: TradeSession, columns: Iterable[str] = ("shipper", "consignee")) -> str:
    """A table (name, key) of every distinct name in ``columns`` (those the source has)."""
    import pyarrow as pa

    selects = [
        f"SELECT DISTINCT CAST({c} AS VARCHAR) FROM {s.src} WHERE {c} IS NOT NULL"
        for c in columns
        if c in s.columns
    ]
    rows = s.con.execute(" UNION ".join(selects)).fetchall()
    names = [str(n) for (n,) in rows]
    mapping = pa.table({"name": names, "key": [party_key(n) for n in names]})
    view = s.prefix + "keys_in"
    s.con.register(view, mapping)
    s.registered.append(view)
    table = s.table("keys")
    s.con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {view}")
    return table


def value_flag(unit: float, median: float, z: float, n: int, hs6: str) -> Flag:
    """The flag of an anomalous unit value (shared with the Spark version)."""
    times = unit / median if median else math.inf
    how = f"{times:,.1f} times" if times >= 1 else f"1/{1 / times:,.1f} of"
    return Flag(
        VALUE_ANOMALY,
        f"unit value {unit:,.4g} is {how} the median {median:,.4g} of the {n:,} priced "
        f"shipments of HS {hs6} in this file (robust z {z:+.1f})",
        SOURCE_VALUE,
        {"unit_value": unit, "median": median, "z": round(z, 3), "count": n, "hs6": hs6},
    )


def lane_flag(shipper: str, consignee: str, hs4: str, first: Any, n: int) -> Flag:
    """The flag of a lane's first shipment (shared with the Spark version)."""
    when = f" on {first.isoformat()}" if first is not None else ""
    later = f"; {n - 1:,} later shipment(s) on it" if n > 1 else ""
    return Flag(
        FIRST_TIME_LANE,
        f"first shipment{when} from {shipper} to {consignee} of HS heading {hs4}{later}",
        SOURCE_LANE,
        {
            "shipper": shipper,
            "consignee": consignee,
            "hs4": hs4,
            "first_date": first.isoformat() if first is not None else None,
            "lane_shipments": n,
        },
    )


def iter_aggregate_flags(
    source: object,
    *,
    checks: Iterable[str] = CHECKS,
    z: float = DEFAULT_Z,
    min_count: int = DEFAULT_MIN_COUNT,
    log_scale: bool = True,
    lane_warmup_days: int = 0,
    con: duckdb.DuckDBPyConnection | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
    batch_rows: int = 100_000,
    skipped: dict[str, str] | None = None,
) -> Iterator[tuple[int, list[Flag]]]:
    """(line, flags) of every flagged shipment, in line order, fetched ``batch_rows`` at a time.

    ``source``: a Parquet path (or glob), an Arrow table, a pandas frame or a DuckDB relation,
    with the columns ``line``, ``shipper``, ``consignee``, ``hs_code`` and, for the checks that
    need them, ``value`` and ``quantity`` (value anomaly) and ``date`` (first-time lane). The
    checks that cannot run are put into ``skipped`` (code -> why), if given.
    ``lane_warmup_days``: lanes first seen within that many days of the file's first date are
    not flagged (the file has no history before them); 0 flags every lane's first shipment.
    """
    s = TradeSession(source, con, threads, memory_limit)
    try:
        plan = _plan(s, checks)
        if skipped is not None:
            skipped.update(plan.skipped)
        parts: list[str] = []
        if VALUE_ANOMALY in plan.run:
            found = s.table("value")
            s.con.execute(f"CREATE TEMP TABLE {found} AS {_value_sql(s, z, min_count, log_scale)}")
            parts.append(
                f"SELECT line, 0 AS k, hs6 AS a, NULL::VARCHAR AS b, NULL::VARCHAR AS c, "
                f"unit AS u, med AS m, z, n, NULL::DATE AS d FROM {found}"
            )
        if FIRST_TIME_LANE in plan.run:
            keys = party_keys_table(s)
            lanes = s.table("lanes")
            s.con.execute(f"CREATE TEMP TABLE {lanes} AS {_lane_sql(s, keys, lane_warmup_days)}")
            parts.append(
                f"SELECT line, 1 AS k, hs4 AS a, shipper AS b, consignee AS c, NULL::DOUBLE AS u, "
                f"NULL::DOUBLE AS m, NULL::DOUBLE AS z, n, d FROM {lanes}"
            )
        if not parts:
            return
        result = s.con.execute(" UNION ALL ".join(parts) + " ORDER BY line, k")
        yield from _grouped(_rows(result, batch_rows))
    finally:
        s.close()


def _rows(result: duckdb.DuckDBPyConnection, size: int) -> Iterator[tuple[int, Flag]]:
    while True:
        rows = result.fetchmany(size)
        if not rows:
            return
        for line, kind, a, b, c, u, m, z, n, d in rows:
            if kind == 0:
                yield int(line), value_flag(u, m, z, int(n), a)
            else:
                yield int(line), lane_flag(b, c, a, d, int(n))


def _grouped(pairs: Iterator[tuple[int, Flag]]) -> Iterator[tuple[int, list[Flag]]]:
    line: int | None = None
    flags: list[Flag] = []
    for at, flag in pairs:
        if at != line:
            if line is not None:
                yield line, flags
            line, flags = at, []
        flags.append(flag)
    if line is not None:
        yield line, flags


def run_aggregates(source: object, **options: Any) -> Aggregates:
    """Every aggregate check on ``source`` (see :func:`iter_aggregate_flags` for the options):
    the flags by line, the checks skipped and why, and how many shipments each flagged."""
    out = Aggregates()
    for line, flags in iter_aggregate_flags(source, skipped=out.skipped, **options):
        out.flags[line] = flags
        for flag in flags:
            out.counts[flag.code] = out.counts.get(flag.code, 0) + 1
    return out


def aggregate_flags(
    table_or_path: object,
    *,
    checks: Iterable[str] = CHECKS,
    z: float = DEFAULT_Z,
    min_count: int = DEFAULT_MIN_COUNT,
    log_scale: bool = True,
    lane_warmup_days: int = 0,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> dict[int, list[Flag]]:
    """The aggregate flags of a shipments table or Parquet file, by line (see
    :func:`iter_aggregate_flags`; :func:`run_aggregates` also says which checks were off)."""
    options: Mapping[str, Any] = {
        "checks": checks,
        "z": z,
        "min_count": min_count,
        "log_scale": log_scale,
        "lane_warmup_days": lane_warmup_days,
        "threads": threads,
        "memory_limit": memory_limit,
    }
    return run_aggregates(table_or_path, **options).flags
