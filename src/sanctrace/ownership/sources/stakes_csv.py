"""The plain stakes CSV: ``owner,asset,share,start,end,control,source`` (a header row; optional
``share_type``, ``owner_name`` and ``asset_name`` columns). ``owner`` and ``asset`` are a source
record id (us_ofac_sdn:34876), a party id (P-…), an LEI or the name of an unlisted company;
``share`` a percentage, a range, a bound or empty (unknown); ``control`` a kind of control
(voting, appointment, management, nominee, trust, joint, linked) or empty.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from sanctrace.errors import SourceError
from sanctrace.ownership.edges import Edge, EdgeError, control_type, node_key
from sanctrace.ownership.shares import ShareError, parse_share

NAME = "stakes_csv"
REQUIRED = ("owner", "asset", "share", "start", "end", "control", "source")
OPTIONAL = ("share_type", "owner_name", "asset_name")
MAX_FIELD = 10_000


def sniff(path: Path, head: bytes) -> bool:
    first = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
    columns = {c.strip().lower() for c in first[0].split(",")} if first else set()
    return {"owner", "asset", "share"} <= columns


class _Row:
    """One data row, with errors that name its file, line and field."""

    def __init__(self, path: Path, line: int, row: list[str], col: dict[str, int]) -> None:
        self.path, self.line, self.row, self.col = path, line, row, col

    def error(self, message: str, field: str | None = None) -> SourceError:
        return SourceError(message, file=str(self.path), line=self.line, field=field)

    def cell(self, name: str) -> str:
        if name not in self.col:
            return ""
        value = self.row[self.col[name]]
        if len(value) > MAX_FIELD:
            raise self.error(f"{len(value):,} characters: too long", name)
        return value.strip()

    def date(self, name: str) -> date | None:
        text = self.cell(name)
        if not text:
            return None
        try:
            if len(text) == 4 and text.isdigit():
                return date(int(text), 1, 1)
            return date.fromisoformat(text + "-01" if len(text) == 7 else text)
        except ValueError:
            raise self.error(f"{text!r} is not a date (write 2024-05-31)", name) from None

    def edge(self) -> Edge:
        ends = []
        for name in ("owner", "asset"):
            try:
                ends.append(node_key(self.cell(name)))
            except EdgeError as exc:
                raise self.error(str(exc), name) from None
        owner, asset = ends
        if owner == asset:
            raise self.error("a company cannot hold itself", "asset")
        try:
            control = control_type(self.cell("control"))
        except EdgeError as exc:
            raise self.error(str(exc), "control") from None
        written = self.cell("share")
        try:
            share = None if (not written and control) else parse_share(written)
        except ShareError as exc:
            raise self.error(str(exc), "share") from None
        start, end = self.date("start"), self.date("end")
        if start and end and end < start:
            raise self.error(f"ends ({end}) before it starts ({start})", "end")
        return Edge(
            owner=owner,
            asset=asset,
            share=share,
            control=control,
            share_type=self.cell("share_type") or "shares",
            start=start,
            end=end,
            source=self.cell("source"),
            owner_name=self.cell("owner_name")
            or (self.cell("owner") if owner.startswith("name:") else ""),
            asset_name=self.cell("asset_name")
            or (self.cell("asset") if asset.startswith("name:") else ""),
            provenance=f"{self.path.name}:{self.line}",
        )


def read(path: Path) -> list[Edge]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError("the file is not UTF-8 text", file=str(path), line=line) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise SourceError(
            "the file is empty: expected a header row owner,asset,share,…", file=str(path)
        ) from None
    except csv.Error as exc:
        raise SourceError(f"not valid CSV: {exc}", file=str(path), line=1) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SourceError(
            f"missing column(s) {', '.join(missing)}: the header must name {','.join(REQUIRED)}",
            file=str(path),
            line=1,
        )
    col = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
    edges: list[Edge] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            at = _Row(path, reader.line_num, row, col)
            if len(row) < len(header):
                raise at.error(f"{len(row)} fields, the header has {len(header)}")
            edges.append(at.edge())
    except csv.Error as exc:
        raise SourceError(f"not valid CSV: {exc}", file=str(path), line=reader.line_num) from None
    if not edges:
        raise SourceError("no stakes in the file (only a header row)", file=str(path))
    return edges
