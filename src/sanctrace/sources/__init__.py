"""List parsers, one module per format, all of the shape described in ``sources.base``.

``FORMATS`` maps each ``--format`` name to its module, in the order formats are tried when
detecting a file's format from its content.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

from sanctrace.errors import FormatDetectionError, MissingFileError, SourceError
from sanctrace.sources.base import ParsedList, read_head

FORMATS: dict[str, str] = {
    "ofac_xml": "sanctrace.sources.ofac_xml",
    "un_xml": "sanctrace.sources.un_xml",
    "eu_fsf": "sanctrace.sources.eu_fsf",
    "ca_sema": "sanctrace.sources.ca_sema",
    "uk_fcdo": "sanctrace.sources.uk_fcdo",
    "au_dfat": "sanctrace.sources.au_dfat",
    "ofsi_csv": "sanctrace.sources.ofsi_csv",
    "us_csl": "sanctrace.sources.us_csl",
    "ftm": "sanctrace.sources.ftm",
    "ofac_csv": "sanctrace.sources.ofac_csv",
}


def get_format(name: str) -> ModuleType:
    if name not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise SourceError(f"unknown format {name!r}; known formats: {known}")
    return importlib.import_module(FORMATS[name])


def detect_format(path: Path) -> str:
    """The format name of a list file, recognised from its content."""
    if not path.exists():
        raise MissingFileError(str(path))
    if path.is_dir():
        raise SourceError("is a directory, not a list file", file=str(path))
    head = read_head(path)
    if not head.strip(b"\x00\x1a \t\r\n"):
        raise SourceError("file is empty", file=str(path))
    for name in FORMATS:
        module = get_format(name)
        if module.sniff(path, head):
            return name
    raise FormatDetectionError(
        "not a list format sanctrace knows (use --format to name one: "
        + ", ".join(sorted(FORMATS))
        + ")",
        file=str(path),
    )


#: A dataset name: it becomes the prefix of every entity id ("us_ofac_sdn:46431").
_DATASET_NAME = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


def check_dataset_name(dataset: str, format_name: str) -> None:
    """One rule for every format: a lower-case identifier, and never an official list that
    another format produces (loading a UN file as ``us_ofac_sdn`` would corrupt its history).
    FollowTheMoney files may carry any dataset."""
    if not _DATASET_NAME.match(dataset):
        raise SourceError(
            f"dataset name {dataset!r} must be lower-case letters, digits and _ "
            "(2-64 characters, starting with a letter)"
        )
    if format_name == "ftm":
        return
    own = get_format(format_name).DATASETS
    for other in FORMATS:
        if other != "ftm" and dataset not in own and dataset in get_format(other).DATASETS:
            raise SourceError(
                f"dataset {dataset!r} is the {other} list and not produced by format "
                f"{format_name} (use {' or '.join(own)}, or a name of your own)"
            )


def parse_files(
    paths: list[Path],
    *,
    format: str | None = None,
    dataset: str | None = None,
    skip_bad_rows: bool = False,
) -> ParsedList:
    """Parse one list version (one file, or a set such as OFAC's sdn/alt/add CSVs)."""
    if not paths:
        raise SourceError("no files given")
    for path in paths:
        if not path.exists():
            raise MissingFileError(str(path))
    name = format or detect_format(paths[0])
    module = get_format(name)
    result: ParsedList = module.parse(paths, dataset=dataset, skip_bad_rows=skip_bad_rows)
    return result
