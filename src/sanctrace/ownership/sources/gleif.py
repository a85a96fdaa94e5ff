"""GLEIF Level 2 relationship records (RR-CDF): the API's JSON (``{"data": …}``), the golden
copy's JSON (``{"relations": […]}``, values as ``{"$": …}``) and its CSV
(``Relationship.StartNode.NodeID`` … columns). Keyed by LEI: the start node is the child, the
end node the parent.

Why these mappings: GLEIF's parents are *accounting consolidation* parents (IFRS 10, US GAAP
ASC 810): the parent controls the child (power over it, usually but not always a majority of
the votes). So a consolidation edge is control ("management": a dominant influence, as the EU
words it) with an unknown share, or the quantifier's percentage when the record gives one.
Under OFAC that reads "indeterminate, control flagged" and under the EU and UK "controlled",
never a silent pass. IS_ULTIMATELY_CONSOLIDATED_BY repeats what the chain of direct parents
says; it is kept (share type "ultimate consolidation") only when the file holds no chain of
direct parents from the child to that parent, else the calculator would count the ultimate
parent's control twice. A fund is controlled by its manager and an umbrella ("management",
no shares), a feeder fund holds shares of its master (an unknown stake) and a branch is part
of its head office (100%). Inactive relationships are kept only with a relationship-period end
date (history); annulled and duplicate registrations are dropped.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sanctrace.errors import SourceError
from sanctrace.ownership.edges import LEI, Edge
from sanctrace.ownership.shares import UNKNOWN, Share, ShareError, parse_share
from sanctrace.ownership.sources.ftm import MAX_FIELD, load_json, read_day, read_text

NAME = "gleif"

#: relationship type -> (owner is the end node, control, share type, default share)
TYPES: dict[str, tuple[bool, str | None, str, Share | None]] = {
    "IS_DIRECTLY_CONSOLIDATED_BY": (True, "management", "consolidation", UNKNOWN),
    "IS_ULTIMATELY_CONSOLIDATED_BY": (True, "management", "ultimate consolidation", UNKNOWN),
    "IS_FUND-MANAGED_BY": (True, "management", "fund management", None),
    "IS_SUBFUND_OF": (True, "management", "sub-fund", None),
    "IS_FEEDER_TO": (False, None, "feeder fund", UNKNOWN),
    "IS_INTERNATIONAL_BRANCH_OF": (True, None, "branch", parse_share("100")),
}
_DROPPED_REGISTRATIONS = {"ANNULLED", "DUPLICATE"}
_CSV_HEAD = "relationship.startnode.nodeid"
_PERIOD = re.compile(r"^relationship\.(?:relationship)?periods?\.?(\d+)\.(\w+)$")
_QUANTIFIER = re.compile(r"^relationship\.(?:relationship)?quantifiers?\.?(\d+)\.(\w+)$")


def sniff(path: Path, head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    lower = text[:2000].lower()
    if text[:1] in (b"{", b"["):
        return b"startnode" in lower and b"endnode" in lower
    return _CSV_HEAD.encode() in lower.split(b"\n", 1)[0]


@dataclass
class _Record:
    """One relationship record, whatever the form it came in."""

    where: dict[str, Any]  # line= or record= for errors
    start: str
    start_type: str
    end: str
    end_type: str
    type: str
    status: str
    registration: str
    periods: list[dict[str, str]] = field(default_factory=list)
    quantifiers: list[dict[str, str]] = field(default_factory=list)
    reference: str = ""
    provenance: str = ""


def _plain(value: Any) -> Any:
    """The golden copy's ``{"$": value}`` as the value."""
    if isinstance(value, dict) and set(value) == {"$"}:
        return value["$"]
    return value


def _get(obj: Any, *keys: str) -> Any:
    """Case-insensitive nested lookup (the API says startNode, the golden copy StartNode)."""
    for key in keys:
        obj = _plain(obj)
        if not isinstance(obj, dict):
            return None
        lowered = {str(k).lower(): v for k, v in obj.items()}
        obj = lowered.get(key.lower())
    return _plain(obj)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _items(value: Any, inner: str) -> list[dict[str, Any]]:
    """A list of objects, as the API (a list) or the golden copy (``{inner: [...]}``) has it."""
    value = _plain(value)
    if isinstance(value, dict) and inner.lower() in {k.lower() for k in value}:
        value = _get(value, inner)
    if isinstance(value, dict):
        value = [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _from_json(obj: dict[str, Any], where: dict[str, Any], provenance: str) -> _Record:
    attributes = _get(obj, "attributes")
    body = attributes if isinstance(attributes, dict) else obj
    if isinstance(_get(body, "RelationshipRecord"), dict):
        body = _get(body, "RelationshipRecord")
    rel = _get(body, "relationship")
    if not isinstance(rel, dict):
        raise SourceError("a record without its relationship", field="relationship", **where)
    periods = [
        {
            "startDate": _text(_get(p, "startDate")),
            "endDate": _text(_get(p, "endDate")),
            "periodType": _text(_get(p, "periodType") or _get(p, "type")),
        }
        for p in _items(
            _get(rel, "periods") or _get(rel, "RelationshipPeriods"), "RelationshipPeriod"
        )
    ]
    quantifiers = [
        {
            "measurementMethod": _text(_get(q, "measurementMethod")),
            "quantifierAmount": str(_get(q, "quantifierAmount") or "").strip(),
            "quantifierUnits": _text(_get(q, "quantifierUnits")),
        }
        for q in _items(
            _get(rel, "quantifiers") or _get(rel, "RelationshipQuantifiers"),
            "RelationshipQuantifier",
        )
    ]
    registration = _get(body, "registration")
    return _Record(
        where=where,
        start=_text(_get(rel, "startNode", "id") or _get(rel, "startNode", "nodeID")),
        start_type=_text(_get(rel, "startNode", "type") or _get(rel, "startNode", "nodeIDType")),
        end=_text(_get(rel, "endNode", "id") or _get(rel, "endNode", "nodeID")),
        end_type=_text(_get(rel, "endNode", "type") or _get(rel, "endNode", "nodeIDType")),
        type=_text(_get(rel, "type") or _get(rel, "relationshipType")),
        status=_text(_get(rel, "status") or _get(rel, "relationshipStatus")),
        registration=_text(
            _get(registration, "status") or _get(registration, "registrationStatus")
        ),
        periods=periods,
        quantifiers=quantifiers,
        reference=_text(
            _get(registration, "corroborationReference")
            or _get(registration, "validationReference")
        ),
        provenance=provenance,
    )


def _json_records(path: Path, text: str) -> list[_Record]:
    data = load_json(text, path)
    if isinstance(data, dict):
        items = _get(data, "data")
        if items is None:
            items = _get(data, "relations")
        if items is None and _get(data, "relationship") is not None:
            items = [data]
    else:
        items = data
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise SourceError(
            'not GLEIF relationship records: expected {"data": […]} (the API), '
            '{"relations": […]} (the golden copy) or a list of records',
            file=str(path),
        )
    out = []
    for index, item in enumerate(items, start=1):
        where: dict[str, Any] = {"file": str(path), "record": f"#{index}"}
        if not isinstance(item, dict):
            raise SourceError(
                f"a JSON {type(item).__name__} where a relationship record belongs", **where
            )
        record_id = _text(_get(item, "id"))
        if record_id:
            where["record"] = f"#{index} ({record_id[:80]})"
        out.append(_from_json(item, where, f"{path.name}: record {index}"))
    return out


def _csv_records(path: Path, text: str) -> list[_Record]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise SourceError("the file is empty or not CSV", file=str(path), line=1) from None
    col = {h.lower(): i for i, h in enumerate(header)}
    for needed in ("Relationship.StartNode.NodeID", "Relationship.EndNode.NodeID"):
        if needed.lower() not in col:
            raise SourceError(f"missing column {needed}", file=str(path), line=1)
    periods: dict[int, dict[str, int]] = defaultdict(dict)
    quantifiers: dict[int, dict[str, int]] = defaultdict(dict)
    for name, i in col.items():
        if m := _PERIOD.match(name):
            periods[int(m.group(1))][m.group(2)] = i
        elif m := _QUANTIFIER.match(name):
            quantifiers[int(m.group(1))][m.group(2)] = i
    out = []
    try:
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            line = reader.line_num
            where: dict[str, Any] = {"file": str(path), "line": line}
            if len(row) < len(header):
                raise SourceError(f"{len(row)} fields, the header has {len(header)}", **where)
            for i, value in enumerate(row):
                if len(value) > MAX_FIELD:
                    raise SourceError(
                        f"{len(value):,} characters: too long", field=header[i], **where
                    )

            def cell(name: str, row: list[str] = row) -> str:
                i = col.get(name.lower())
                return row[i].strip() if i is not None else ""

            def group(index: Mapping[str, int], row: list[str] = row) -> dict[str, str]:
                return {k.lower(): row[i].strip() for k, i in index.items()}

            out.append(
                _Record(
                    where=where,
                    start=cell("Relationship.StartNode.NodeID"),
                    start_type=cell("Relationship.StartNode.NodeIDType"),
                    end=cell("Relationship.EndNode.NodeID"),
                    end_type=cell("Relationship.EndNode.NodeIDType"),
                    type=cell("Relationship.RelationshipType"),
                    status=cell("Relationship.RelationshipStatus"),
                    registration=cell("Registration.RegistrationStatus"),
                    periods=[
                        {
                            "startDate": g.get("startdate", ""),
                            "endDate": g.get("enddate", ""),
                            "periodType": g.get("periodtype", ""),
                        }
                        for g in (group(periods[n]) for n in sorted(periods))
                    ],
                    quantifiers=[
                        {
                            "measurementMethod": g.get("measurementmethod", ""),
                            "quantifierAmount": g.get("quantifieramount", ""),
                            "quantifierUnits": g.get("quantifierunits", ""),
                        }
                        for g in (group(quantifiers[n]) for n in sorted(quantifiers))
                    ],
                    reference=cell("Registration.ValidationReference"),
                    provenance=f"{path.name}:{line}",
                )
            )
    except csv.Error as exc:
        raise SourceError(f"not valid CSV: {exc}", file=str(path), line=reader.line_num) from None
    return out


def _edge(r: _Record) -> Edge | None:
    """The edge of one record, or None for one that is dropped (see the module's note)."""
    for value, name in ((r.start, "StartNode"), (r.end, "EndNode")):
        if not value:
            raise SourceError(f"the record has no {name}", field=f"{name}.NodeID", **r.where)
        if not LEI.match(value):
            raise SourceError(f"{value[:40]!r} is not an LEI", field=f"{name}.NodeID", **r.where)
    for kind, name in ((r.start_type, "StartNode"), (r.end_type, "EndNode")):
        if kind and kind != "LEI":
            raise SourceError(
                f"node type {kind!r}: only LEI nodes are read",
                field=f"{name}.NodeIDType",
                **r.where,
            )
    if r.start == r.end:
        raise SourceError("an entity cannot be its own parent", field="EndNode.NodeID", **r.where)
    if r.type not in TYPES:
        raise SourceError(
            f"relationship type {r.type!r}: expected one of {', '.join(TYPES)}",
            field="RelationshipType",
            **r.where,
        )
    if r.registration.upper() in _DROPPED_REGISTRATIONS:
        return None
    parent_owns, control, share_type, share = TYPES[r.type]
    start = end = None
    for period in r.periods:
        if period["periodType"] not in ("RELATIONSHIP_PERIOD", ""):
            continue
        try:
            start = read_day(period["startDate"])
            end = read_day(period["endDate"], last=True)
        except ValueError as exc:
            raise SourceError(str(exc), field="RelationshipPeriod", **r.where) from None
        if start and end and end < start:
            raise SourceError(
                f"ends ({end}) before it starts ({start})",
                field="RelationshipPeriod.EndDate",
                **r.where,
            )
        if period["periodType"]:
            break
    if r.status.upper() == "INACTIVE" and end is None:
        return None
    for q in r.quantifiers:
        if q["quantifierUnits"].upper() == "PERCENTAGE" and q["quantifierAmount"]:
            try:
                share = parse_share(q["quantifierAmount"])
            except ShareError as exc:
                raise SourceError(str(exc), field="QuantifierAmount", **r.where) from None
            break
    owner, asset = (r.end, r.start) if parent_owns else (r.start, r.end)
    return Edge(
        owner=f"lei:{owner}",
        asset=f"lei:{asset}",
        share=share,
        control=control,
        share_type=share_type,
        start=start,
        end=end,
        source="GLEIF Level 2" + (f" ({r.reference})" if r.reference else ""),
        provenance=r.provenance,
        extra={"relationship": r.type, "status": r.status, "registration": r.registration},
    )


def _direct_path(parents: dict[str, set[str]], child: str, ancestor: str) -> bool:
    seen, todo = {child}, [child]
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent == ancestor:
                return True
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return False


def read(path: Path) -> list[Edge]:
    text = read_text(path)
    head = text.lstrip()[:1]
    records = _json_records(path, text) if head in ("{", "[") else _csv_records(path, text)
    if not records:
        raise SourceError("the file holds no relationship records", file=str(path))
    edges = [e for e in (_edge(r) for r in records) if e is not None]
    parents: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        if e.share_type == "consolidation":
            parents[e.asset].add(e.owner)
    return [
        e
        for e in edges
        if e.share_type != "ultimate consolidation" or not _direct_path(parents, e.asset, e.owner)
    ]
