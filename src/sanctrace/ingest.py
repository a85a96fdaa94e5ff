"""The load pipeline: list files -> parser -> store, with version labels and content hashes."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sanctrace import audit
from sanctrace.errors import MissingFileError, SourceError
from sanctrace.files import file_sha256
from sanctrace.sources import parse_files
from sanctrace.store import LoadResult, Store, VersionInfo
from sanctrace.store.base import would_activate

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: A new version with fewer than this fraction of the active version's entities is refused
#: unless forced: a truncated download or a wrong file must not replace a whole list.
DEFAULT_MIN_FRACTION = 0.5
MIN_FRACTION_ENV = "SANCTRACE_MIN_LIST_FRACTION"


@dataclass
class IngestReport:
    """What one ``lists load`` did, for the CLI to print."""

    dataset: str
    format: str
    files: list[Path]
    result: LoadResult
    warnings: list[str] = field(default_factory=list)
    skipped_rows: int = 0


def files_sha256(paths: list[Path]) -> str:
    """A single file's own sha256 (so users can compare with ``sha256sum``); for a set of files,
    the sha256 of their sorted ``name sha256`` lines."""
    if len(paths) == 1:
        return file_sha256(paths[0])
    lines = sorted(f"{p.name.lower()} {file_sha256(p)}\n" for p in paths)
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def file_date(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%d")


def choose_version(
    published_in_file: str | None, explicit: str | None, paths: list[Path]
) -> tuple[str, str]:
    """(version label, published date). The file's own date wins for ``published``; without one,
    a date-shaped ``--version`` is taken as the publication date, else the file's mtime."""
    published = published_in_file
    if not published and explicit and _ISO_DATE.match(explicit):
        published = explicit
    if not published:
        published = max(file_date(p) for p in paths)
    label = explicit or published[:10]
    return label, published[:10]


def unique_label(store: Store, dataset: str, label: str) -> str:
    """``label``, or ``label.2``, ``label.3`` … when an automatic label is already taken."""
    taken = {v.version for v in store.versions(dataset)}
    if label not in taken:
        return label
    n = 2
    while f"{label}.{n}" in taken:
        n += 1
    return f"{label}.{n}"


def min_fraction_setting(given: float | None = None) -> float:
    """The shrink guard's fraction: the option if given, else the environment, else 0.5."""
    if given is None:
        raw = os.environ.get(MIN_FRACTION_ENV)
        try:
            given = DEFAULT_MIN_FRACTION if raw is None else float(raw)
        except ValueError:
            raise SourceError(f"{MIN_FRACTION_ENV}={raw!r} is not a number") from None
    if not 0.0 <= given <= 1.0:
        raise SourceError(f"the minimum fraction of entities must be between 0 and 1, not {given}")
    return given


def shrink_refusal(
    dataset: str, new_entities: int, active: VersionInfo | None, min_fraction: float
) -> str | None:
    """Why a new version that would replace ``active`` is implausibly small, or None."""
    if active is None or new_entities >= min_fraction * active.entities:
        return None
    return (
        f"refusing to replace {dataset} version {active.version} ({active.entities:,} entities) "
        f"with one of {new_entities:,} entities: fewer than {min_fraction:.0%} of the active "
        "version, which looks like a truncated or wrong file; load it with --force if it is "
        f"right (or set {MIN_FRACTION_ENV})"
    )


def audit_list_event(store: Store, kind: str, version: VersionInfo, **details: Any) -> None:
    """What is screened against is part of the record: loads and activations are audited, so
    a trail emptied in a store that holds lists is evidently a wipe."""
    audit.append(
        store,
        caller="cli",
        kind=kind,
        request={
            "dataset": version.dataset,
            "version": version.version,
            "published": version.published,
            "sha256": version.sha256,
            "entities": version.entities,
            **details,
        },
        lists={version.dataset: version.version},
        results=None,
    )


def load_paths(
    store: Store,
    paths: list[Path],
    *,
    format: str | None = None,
    dataset: str | None = None,
    version: str | None = None,
    published: str | None = None,
    skip_bad_rows: bool = False,
    force: bool = False,
    min_fraction: float | None = None,
) -> IngestReport:
    """Parse one list version from ``paths`` and store it atomically; a version that would
    serve with fewer than ``min_fraction`` of the active one's entities is refused unless
    ``force``."""
    fraction = min_fraction_setting(min_fraction)
    for path in paths:
        if not path.exists():
            raise MissingFileError(str(path))
        if not path.is_file():
            raise SourceError("not a file", file=str(path))
    parsed = parse_files(paths, format=format, dataset=dataset, skip_bad_rows=skip_bad_rows)
    if not parsed.entities:
        raise SourceError("no entries found; refusing to store an empty list", file=str(paths[0]))
    read_files = sorted({p.resolve() for p in (parsed.files or paths)})
    sha = files_sha256(read_files)
    label, pub = choose_version(published or parsed.published, version, read_files)
    if version is None:
        label = unique_label(store, parsed.dataset, label)
    active = next((v for v in store.versions(parsed.dataset) if v.active), None)
    if not force and store.find_by_sha(parsed.dataset, sha) is None and would_activate(pub, active):
        refusal = shrink_refusal(parsed.dataset, len(parsed.entities), active, fraction)
        if refusal is not None:
            raise SourceError(refusal, file=str(paths[0]))
    result = store.load(
        parsed.dataset,
        parsed.entities,
        version=label,
        published=pub,
        sha256=sha,
        format=parsed.format,
    )
    if result.created:
        audit_list_event(
            store,
            "list-load",
            result.version,
            activated=result.activated,
            files=[p.name for p in read_files],
        )
    return IngestReport(
        parsed.dataset,
        parsed.format,
        read_files,
        result,
        warnings=parsed.warnings,
        skipped_rows=parsed.skipped_rows,
    )
