"""``sanctrace trade screen`` of a file of any size in bounded memory: tens of millions of rows.

Three passes, each streaming:

1. The rows are read a batch at a time, column by column (:meth:`TableReader.column_batches`);
   each field is parsed once per distinct value, each shipment judged by the
   :class:`~sanctrace.trade.run.RowChecks` parts (parties, goods, route), whose answers are kept
   per distinct value. Each row's result and the columns the whole-file checks need go to a
   Parquet file in a scratch folder.
2. DuckDB finds the unit-value anomalies and first-time lanes over that file
   (:func:`~sanctrace.trade.aggregates.iter_aggregate_flags`, in line order); their flags go to
   a second Parquet file.
3. DuckDB joins the two, ranks (risk, then evidence, then line) and hands the rows over in
   batches to the report writer, which writes them into place atomically.

The rows, flags, reasons and risks are those of :func:`~sanctrace.trade.run.screen_shipments`
(tests/trade/test_stream.py compares the two); the scratch folder goes when the run ends.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanctrace.batch.readers import CellBatch
from sanctrace.trade.model import Flag, RowError
from sanctrace.trade.read import (
    MAX_NAME_CHARS,
    PARSERS,
    PARTY_FIELDS,
    REPEATED,
    ShipmentFile,
    name_problem,
    parse_field,
    parse_transit,
)
from sanctrace.trade.run import PART_CACHE, RowChecks, checks_off, wants_aggregates
from sanctrace.trade.score import WEIGHTS, evidence, level_of

if TYPE_CHECKING:
    import pyarrow as pa

#: Rows read, judged and written at once.
BATCH_ROWS = 65_536
#: Row errors kept for the report (all are counted; every row's own are in its ``errors``).
KEEP_ERRORS = 10_000
#: DuckDB's memory for the ranking pass; beyond it DuckDB spills to the scratch folder.
DUCKDB_MEMORY = "2GB"
#: The columns of a report row, in order.
REPORT_COLUMNS = (
    "line",
    "shipment_id",
    "date",
    "shipper",
    "consignee",
    "hs_code",
    "risk",
    "level",
    "flags",
    "reasons",
    "errors",
)
_PARTY_ROLES = (
    ("shipper", "shipper_country"),
    ("consignee", "consignee_country"),
    ("notify_party", None),
    ("payer", "payer_country"),
)


@dataclass
class StreamReport:
    """What a streamed run found: shipments per level, the checks off, the row errors."""

    counts: dict[str, int] = field(default_factory=lambda: {"high": 0, "medium": 0, "low": 0})
    checks_off: dict[str, str] = field(default_factory=dict)
    parties_screened: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    rows: int = 0

    def add_errors(self, errors: list[RowError]) -> None:
        self.error_count += len(errors)
        room = KEEP_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])


@lru_cache(maxsize=1)
def _schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            ("line", pa.int64()),
            ("shipment_id", pa.string()),
            ("date", pa.date32()),
            ("shipper", pa.string()),
            ("consignee", pa.string()),
            ("hs_code", pa.string()),
            ("value", pa.float64()),
            ("quantity", pa.float64()),
            ("codes", pa.string()),
            ("reasons", pa.string()),
            ("errors", pa.string()),
            ("evidence", pa.float64()),
            ("details", pa.string()),
        ]
    )


def _summary(flags: list[Flag], weights: Mapping[str, float], details: bool) -> tuple[Any, ...]:
    """(codes, reasons, evidence, details) of one row's flags, as the report shows them."""
    if not flags:
        return "", "", 0.0, "[]" if details else None
    codes = ";".join(dict.fromkeys(f.code for f in flags))
    reasons = " | ".join(f.reason for f in flags)
    if not details:
        return codes, reasons, evidence(flags, weights), None
    shown = json.dumps([f.to_dict() for f in flags], ensure_ascii=False, default=str)
    return codes, reasons, evidence(flags, weights), shown


class _Fields:
    """The parsed fields of one batch: each distinct text parsed once (across batches for the
    fields whose values repeat), its errors kept with the rows that carry it."""

    def __init__(self) -> None:
        self.known: dict[str, dict[str, tuple[Any, str | None]]] = {r: {} for r in REPEATED}
        self.transits: dict[str, tuple[tuple[str, ...], list[str]]] = {}

    def parse(
        self, role: str, cells: list[str], numbers: list[int], errors: list[RowError]
    ) -> list[Any]:
        known = self.known.get(role)
        out: list[Any] = []
        for number, text in zip(numbers, cells, strict=True):
            if known is not None:
                got = known.get(text)
                if got is None:
                    if len(known) > PART_CACHE:
                        known.clear()
                    got = known[text] = parse_field(role, text)
            else:
                got = parse_field(role, text)
            if got[1]:
                errors.append(RowError(number, role, got[1]))
            out.append(got[0])
        return out

    def transit(self, cells: list[str], numbers: list[int], errors: list[RowError]) -> list[Any]:
        out: list[tuple[str, ...]] = []
        for number, text in zip(numbers, cells, strict=True):
            got = self.transits.get(text)
            if got is None:
                if len(self.transits) > PART_CACHE:
                    self.transits.clear()
                got = self.transits[text] = parse_transit(text)
            errors.extend(RowError(number, "transit_countries", p) for p in got[1])
            out.append(got[0])
        return out


class BatchScreen:
    """Pass 1 on one batch of cells: each row's flags from the row checks, as Arrow columns."""

    def __init__(
        self,
        checks: RowChecks,
        columns: Mapping[str, int],
        weights: Mapping[str, float],
        details: bool,
    ) -> None:
        self.checks = checks
        self.columns = columns
        self.weights = weights
        self.details = details
        self.fields = _Fields()

    def cells(self, batch: CellBatch, role: str) -> list[str]:
        position = self.columns.get(role)
        if position is None:
            return [""] * len(batch.numbers)
        return [c.strip() for c in batch.columns[position]]

    def screen(self, batch: CellBatch) -> tuple[pa.RecordBatch, list[RowError]]:
        import pyarrow as pa

        numbers = batch.numbers
        errors: list[RowError] = [
            RowError(numbers[i], "row", why) for i, why in batch.errors.items()
        ]
        text = {role: self.cells(batch, role) for role in (*self.columns, "shipment_id")}
        blank = [""] * len(numbers)
        parsed = {
            role: self.fields.parse(role, text[role], numbers, errors)
            if role in self.columns
            else [PARSERS[role][1]] * len(numbers)
            for role in PARSERS
        }
        descriptions = text.get("description", blank)
        transit = self.fields.transit(text.get("transit_countries", blank), numbers, errors)
        names = {role: text.get(role, blank) for role, _ in _PARTY_ROLES}
        for role in PARTY_FIELDS:
            for number, name in zip(numbers, names[role], strict=True):
                if len(name) > MAX_NAME_CHARS:
                    errors.append(RowError(number, role, name_problem(name) or ""))
        by_line: dict[int, list[RowError]] = {}
        for e in errors:
            by_line.setdefault(e.line, []).append(e)
        countries = {role: parsed[c] if c else None for role, c in _PARTY_ROLES}
        summaries = [
            self._row(i, names, countries, parsed, text, transit, descriptions)
            for i in range(len(numbers))
        ]
        codes, reasons, weights, details = (list(c) for c in zip(*summaries, strict=True))
        shipment_ids = [t or str(n) for t, n in zip(text["shipment_id"], numbers, strict=True)]
        row_errors = [
            "; ".join(str(e) for e in by_line[n]) if n in by_line else "" for n in numbers
        ]
        arrays = [
            numbers,
            shipment_ids,
            parsed["date"],
            names["shipper"],
            names["consignee"],
            parsed["hs_code"],
            parsed["value"],
            parsed["quantity"],
            codes,
            reasons,
            row_errors,
            weights,
            details,
        ]
        return pa.RecordBatch.from_arrays(
            [pa.array(a, type=f.type) for a, f in zip(arrays, _schema(), strict=True)],
            schema=_schema(),
        ), errors

    def _row(
        self,
        i: int,
        names: dict[str, list[str]],
        countries: dict[str, list[Any] | None],
        parsed: dict[str, list[Any]],
        text: dict[str, list[str]],
        transit: list[tuple[str, ...]],
        descriptions: list[str],
    ) -> tuple[Any, ...]:
        """One row's flags, in the order :meth:`RowChecks.flags` gives them."""
        checks = self.checks
        date = parsed["date"][i]
        flags: list[Flag] = []
        for role, _ in _PARTY_ROLES:
            name = names[role][i]
            if name:
                country = countries[role]
                flags += checks.party(role, name, country[i] if country else None, date)
        consignee_country = parsed["consignee_country"][i]
        if "consignee_address" in text:
            flags += checks.address(text["consignee_address"][i], consignee_country)
        if "payer" in text and text["payer"][i]:
            flags += checks.payer(
                text["payer"][i],
                parsed["payer_country"][i],
                names["consignee"][i],
                consignee_country,
            )
        registered = parsed["consignee_registered"][i]
        if registered is not None and date is not None:
            flags += checks.new_company(registered, date)
        flags += checks.goods(parsed["hs_code"][i], descriptions[i])
        flags += checks.route(
            parsed["origin_country"][i], parsed["shipper_country"][i], transit[i], consignee_country
        )
        return _summary(flags, self.weights, self.details)


@contextmanager
def screen_file(
    shipments: ShipmentFile,
    party_checks: Any,
    *,
    restricted: frozenset[str] = frozenset({"RU", "BY"}),
    weights: Mapping[str, float] | None = None,
    today: dt.date | None = None,
    ownership_loaded: bool = False,
    details: bool = False,
    scratch: Path | None = None,
    advance: Callable[[int], None] | None = None,
) -> Iterator[tuple[StreamReport, Iterator[dict[str, Any]]]]:
    """Screen every shipment of ``shipments``: the report and the rows, ranked, to be written
    out inside the ``with`` block (the scratch folder lives until it ends). Each row is a dict
    of :data:`REPORT_COLUMNS` (plus ``flag_details``, a list, with ``details``); the report's
    counts are complete once the rows have all been read."""
    import pyarrow.parquet as pq

    chosen = dict(weights or WEIGHTS)
    off = checks_off(shipments.roles, ownership_loaded)
    report = StreamReport(checks_off=off)
    checks = RowChecks(party_checks, off, restricted=restricted, today=today)
    screen = BatchScreen(checks, shipments.columns, chosen, details)
    with tempfile.TemporaryDirectory(prefix="sanctrace-trade-", dir=scratch) as folder:
        rows_path = Path(folder) / "rows.parquet"
        writer = pq.ParquetWriter(str(rows_path), _schema())
        try:
            for batch in shipments.reader.column_batches(BATCH_ROWS):
                table, errors = screen.screen(batch)
                writer.write_batch(table)
                report.add_errors(errors)
                report.rows += len(batch.numbers)
                if advance is not None:
                    advance(len(batch.numbers))
        finally:
            writer.close()
        report.parties_screened = party_checks.screened
        flags_path = Path(folder) / "flags.parquet"
        if report.rows and wants_aggregates(off):
            _aggregate(rows_path, flags_path, off, chosen, details)
        ranked = _ranked(rows_path, flags_path if flags_path.exists() else None, folder, report)
        yield report, ranked


def _aggregate(
    rows: Path,
    out: Path,
    off: Mapping[str, str],
    weights: Mapping[str, float],
    details: bool,
) -> None:
    """Pass 2: the whole-file checks' flags by line, in a Parquet file beside the rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sanctrace.trade.aggregates import CHECKS, iter_aggregate_flags

    schema = pa.schema(
        [
            ("line", pa.int64()),
            ("codes", pa.string()),
            ("reasons", pa.string()),
            ("evidence", pa.float64()),
            ("details", pa.string()),
        ]
    )
    checks = [c for c in CHECKS if c not in off]
    writer = pq.ParquetWriter(str(out), schema)
    pending: list[tuple[Any, ...]] = []

    def flush() -> None:
        columns = list(zip(*pending, strict=True))
        writer.write_batch(
            pa.RecordBatch.from_arrays(
                [pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)],
                schema=schema,
            )
        )
        pending.clear()

    try:
        found = iter_aggregate_flags(
            str(rows), checks=checks, threads=2, memory_limit=DUCKDB_MEMORY
        )
        for line, flags in found:
            pending.append((line, *_summary(flags, weights, details)))
            if len(pending) >= BATCH_ROWS:
                flush()
        if pending:
            flush()
    finally:
        writer.close()


def _ranked(
    rows: Path, flags: Path | None, folder: str, report: StreamReport
) -> Iterator[dict[str, Any]]:
    """Pass 3: rows and whole-file flags joined, ranked, handed out a batch at a time."""
    import duckdb

    from sanctrace.trade.aggregates import sql_literal

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    con.execute(f"SET temp_directory = {sql_literal(str(Path(folder) / 'duckdb'))}")
    con.execute("SET threads = 2")
    con.execute("SET preserve_insertion_order = false")
    source = f"read_parquet({sql_literal(str(rows))})"
    if flags is None:
        joined = f"""
            SELECT line, shipment_id, date, shipper, consignee, hs_code, codes, reasons,
                   errors, evidence AS total, details, NULL::VARCHAR AS more
            FROM {source}"""
    else:
        joined = f"""
            SELECT r.line, r.shipment_id, r.date, r.shipper, r.consignee, r.hs_code,
                   concat_ws(';', nullif(r.codes, ''), a.codes) AS codes,
                   concat_ws(' | ', nullif(r.reasons, ''), a.reasons) AS reasons,
                   r.errors, r.evidence + coalesce(a.evidence, 0) AS total, r.details,
                   a.details AS more
            FROM {source} r LEFT JOIN read_parquet({sql_literal(str(flags))}) a USING (line)"""
    result = con.execute(
        f"SELECT * FROM ({joined}) ORDER BY least(total, 100) DESC, total DESC, line"
    )
    return _rows(con, result, report)


def _rows(con: Any, result: Any, report: StreamReport) -> Iterator[dict[str, Any]]:
    counts = report.counts
    try:
        while True:
            batch = result.fetchmany(BATCH_ROWS)
            if not batch:
                return
            for (
                line,
                sid,
                date,
                shipper,
                consignee,
                hs,
                codes,
                reasons,
                errors,
                total,
                d,
                more,
            ) in batch:
                risk = min(100.0, total)
                level = level_of(risk)
                counts[level] += 1
                row = {
                    "line": line,
                    "shipment_id": sid,
                    "date": date.isoformat() if date else "",
                    "shipper": shipper,
                    "consignee": consignee,
                    "hs_code": hs,
                    "risk": round(risk, 1),
                    "level": level,
                    "flags": codes,
                    "reasons": reasons,
                    "errors": errors,
                }
                if d is not None:
                    row["flag_details"] = json.loads(d) + (json.loads(more) if more else [])
                yield row
    finally:
        con.close()
