"""Zip safety for spreadsheet list formats (ODS, XLSX are zip archives).

A hostile archive can declare small sizes and expand to gigabytes (a zip bomb), or lie in its
directory so that another reader decompresses more than we checked. ``open_zip`` checks the
central directory (entry count, total size, compression ratio) and then inflates every entry
itself, counting real output bytes, so the file is proven harmless before any reader touches it.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sanctrace.errors import HostileInputError, SourceError

#: Largest total uncompressed size we accept; real list spreadsheets stay below 50 MB.
MAX_TOTAL_BYTES = 256 * 1024 * 1024
#: Largest uncompressed/compressed ratio for a sizeable entry; real sheets stay below 50.
MAX_RATIO = 200
#: Entries smaller than this are exempt from the ratio check (tiny files compress oddly).
RATIO_MIN_BYTES = 1024 * 1024
#: Most entries an archive may hold; spreadsheets have a few dozen.
MAX_ENTRIES = 10_000

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_LOCAL_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 20


def is_zip(head: bytes) -> bool:
    """True when the bytes start like a zip archive (local file header)."""
    return head.startswith(_LOCAL_MAGIC)


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open ``path`` as a zip after proving it is neither corrupt nor a decompression bomb.

    Raises SourceError for a file that is not a readable zip and HostileInputError for one whose
    sizes or compression ratio exceed the limits above.
    """
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise SourceError(f"not a readable zip archive ({exc})", file=str(path)) from None
    except (OSError, ValueError, EOFError, struct.error) as exc:
        raise SourceError(f"cannot open zip archive ({exc})", file=str(path)) from None
    try:
        _check_directory(path, zf)
        _check_contents(path, zf)
    except BaseException:
        zf.close()
        raise
    return zf


@dataclass(frozen=True)
class ZipHazard:
    """Why an archive's central directory is refused before anything is unpacked."""

    kind: str  # "entries", "total" or "ratio"
    value: int  # the entry count, the declared total bytes, or the compression ratio
    member: str | None = None


def directory_hazard(
    infos: list[zipfile.ZipInfo],
    *,
    max_entries: int | None = None,
    max_total: int | None = None,
    max_ratio: int | None = None,
    ratio_min_bytes: int | None = None,
) -> ZipHazard | None:
    """The first limit a zip directory breaks (too many entries, too much declared output, a
    sizeable entry compressed past ``max_ratio``), or None; callers word their own errors.
    Limits left out are this module's (read at call time)."""
    max_entries = MAX_ENTRIES if max_entries is None else max_entries
    max_total = MAX_TOTAL_BYTES if max_total is None else max_total
    max_ratio = MAX_RATIO if max_ratio is None else max_ratio
    ratio_min_bytes = RATIO_MIN_BYTES if ratio_min_bytes is None else ratio_min_bytes
    if len(infos) > max_entries:
        return ZipHazard("entries", len(infos))
    total = 0
    for info in infos:
        total += info.file_size
        if total > max_total:
            return ZipHazard("total", total, info.filename)
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size >= ratio_min_bytes and info.file_size > max_ratio * max(
            info.compress_size, 1
        ):
            return ZipHazard("ratio", ratio, info.filename)
    return None


def _check_directory(path: Path, zf: zipfile.ZipFile) -> None:
    hazard = directory_hazard(zf.infolist())
    if hazard is None:
        return
    if hazard.kind == "entries":
        message = f"zip archive holds {hazard.value} entries (limit {MAX_ENTRIES})"
    elif hazard.kind == "total":
        message = (
            f"zip archive declares more than {MAX_TOTAL_BYTES} uncompressed bytes "
            "(possible zip bomb)"
        )
    else:
        message = f"zip entry compresses {hazard.value}:1 (limit {MAX_RATIO}:1; possible zip bomb)"
    raise HostileInputError(message, file=str(path), record=hazard.member)


def _check_contents(path: Path, zf: zipfile.ZipFile) -> None:
    """Inflate every entry, counting real bytes and checking CRCs, without keeping the data."""
    fp = zf.fp
    if fp is None:
        raise SourceError("zip archive is closed", file=str(path))
    total = 0
    for info in zf.infolist():
        if info.is_dir() or (info.file_size == 0 and info.compress_size == 0):
            continue
        if info.flag_bits & 0x1:
            raise SourceError(
                "encrypted zip entries are not supported", file=str(path), record=info.filename
            )
        try:
            fp.seek(info.header_offset)
            header = fp.read(_LOCAL_HEADER.size)
            if len(header) != _LOCAL_HEADER.size:
                raise SourceError("truncated zip archive", file=str(path), record=info.filename)
            fields = _LOCAL_HEADER.unpack(header)
            if fields[0] != _LOCAL_MAGIC:
                raise SourceError(
                    "corrupt zip archive (bad local header)", file=str(path), record=info.filename
                )
            fp.seek(info.header_offset + _LOCAL_HEADER.size + fields[9] + fields[10])
            total += _inflate_entry(path, fp, info, MAX_TOTAL_BYTES - total)
        except (OSError, ValueError, struct.error) as exc:
            raise SourceError(
                f"cannot read zip entry ({exc})", file=str(path), record=info.filename
            ) from None


def _inflate_entry(path: Path, fp: IO[bytes], info: zipfile.ZipInfo, budget: int) -> int:
    remaining = info.compress_size
    limit = min(info.file_size, budget)
    produced = 0
    crc = 0
    if info.compress_type == zipfile.ZIP_STORED:
        inflater = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
    else:
        raise SourceError(
            f"unsupported zip compression method {info.compress_type}",
            file=str(path),
            record=info.filename,
        )
    pending = b""
    while True:
        if not pending and remaining > 0:
            pending = fp.read(min(_CHUNK, remaining))
            if not pending:
                raise SourceError("truncated zip archive", file=str(path), record=info.filename)
            remaining -= len(pending)
        if inflater is None:
            out, pending = pending, b""
        else:
            try:
                out = inflater.decompress(pending, _CHUNK)
            except zlib.error as exc:
                raise SourceError(
                    f"corrupt compressed data ({exc})", file=str(path), record=info.filename
                ) from None
            pending = inflater.unconsumed_tail
        produced += len(out)
        crc = zlib.crc32(out, crc)
        if produced > limit:
            raise HostileInputError(
                "zip entry inflates beyond its declared size or the size limit (possible zip bomb)",
                file=str(path),
                record=info.filename,
            )
        finished = inflater.eof if inflater is not None else remaining <= 0
        if finished or (not out and not pending and remaining <= 0):
            break
    if inflater is not None and not inflater.eof:
        raise SourceError(
            "truncated zip archive (compressed data ends early)",
            file=str(path),
            record=info.filename,
        )
    if produced != info.file_size:
        raise SourceError(
            f"zip entry size mismatch (declared {info.file_size}, found {produced})",
            file=str(path),
            record=info.filename,
        )
    if crc != info.CRC:
        raise SourceError(
            "zip entry fails its CRC check (corrupt archive)", file=str(path), record=info.filename
        )
    return produced


def peek_member(path: Path, name: str, size: int = 65536) -> bytes | None:
    """The first ``size`` decompressed bytes of one entry, or None; for cheap sniffing only.

    Never raises: reading stops after ``size`` bytes, so a bomb costs nothing here.
    """
    try:
        with zipfile.ZipFile(path) as zf, zf.open(name) as fh:
            return fh.read(size)
    except Exception:
        return None


def member_names(path: Path) -> set[str] | None:
    """Entry names of a zip archive (reads only its directory), or None if unreadable."""
    try:
        with zipfile.ZipFile(path) as zf:
            return set(zf.namelist())
    except Exception:
        return None
