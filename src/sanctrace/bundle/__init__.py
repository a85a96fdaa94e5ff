"""The embedded default: dated official list snapshots shipped inside the package.

The first command that needs data loads them, so a new user can screen without downloading
anything. Files are stored xz-compressed and unpacked to a temporary folder for parsing; the
content hash is that of the original file, so loading the same official file later is a no-op.
"""

from __future__ import annotations

import json
import lzma
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanctrace.errors import SanctraceError
from sanctrace.store import Store

if TYPE_CHECKING:
    from sanctrace.ingest import IngestReport

DATA_PACKAGE = "sanctrace.bundle"


@dataclass(frozen=True)
class BundledList:
    dataset: str
    format: str
    version: str
    published: str
    title: str
    files: list[dict[str, str]]


def manifest() -> list[BundledList]:
    text = resources.files(DATA_PACKAGE).joinpath("data/manifest.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return [BundledList(**entry) for entry in data["lists"]]


def _unpack(item: BundledList, folder: Path) -> list[Path]:
    out = []
    target_dir = folder / item.dataset
    target_dir.mkdir(parents=True, exist_ok=True)
    for spec in item.files:
        source = resources.files(DATA_PACKAGE).joinpath("data/" + spec["bundle"])
        target = target_dir / spec["name"]
        with source.open("rb") as src, target.open("wb") as dst:
            if spec["bundle"].endswith(".xz"):
                with lzma.open(src) as unpacked:
                    shutil.copyfileobj(unpacked, dst)
            else:
                shutil.copyfileobj(src, dst)
        out.append(target)
    return out


def load_bundle(
    store: Store,
    datasets: list[str] | None = None,
    on_loaded: Callable[[BundledList, IngestReport], None] | None = None,
) -> list[IngestReport]:
    """Load the bundled snapshots (all, or the named datasets) into ``store``."""
    from sanctrace.ingest import load_paths

    items = manifest()
    if datasets:
        unknown = set(datasets) - {i.dataset for i in items}
        if unknown:
            raise SanctraceError(f"no bundled snapshot for: {', '.join(sorted(unknown))}")
        items = [i for i in items if i.dataset in datasets]
    reports = []
    with tempfile.TemporaryDirectory(prefix="sanctrace-bundle-") as tmp:
        for item in items:
            paths = _unpack(item, Path(tmp))
            report = load_paths(
                store,
                paths,
                format=item.format,
                dataset=item.dataset,
                version=item.version,
                published=item.published,
            )
            reports.append(report)
            if on_loaded:
                on_loaded(item, report)
    return reports


def needs_bundle(store: Store) -> bool:
    """True when nothing is loaded yet: the moment to load the embedded default."""
    return not store.versions()
