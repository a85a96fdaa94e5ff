"""What every extractor shares: the Document it returns, size limits and the zip-bomb guard.

Kept apart from the package's ``__init__`` so the format modules can import it without a cycle.
"""

from __future__ import annotations

import io
import zipfile
from bisect import bisect_right
from dataclasses import dataclass, field

from sanctrace.errors import DocumentError
from sanctrace.sources._zip import ZipHazard, directory_hazard

#: Largest document read by default; ``--max-size`` raises it.
DEFAULT_MAX_BYTES = 100 * 1024 * 1024

#: Kinds of document, as ``Document.kind`` names them.
KINDS = ("text", "markdown", "html", "pdf", "docx", "eml", "xlsx", "csv")

#: Zip archives (DOCX, XLSX) that declare more than this uncompressed are refused.
ZIP_MAX_TOTAL = 200 * 1024 * 1024
#: Largest uncompressed/compressed ratio of a member; real Office XML stays far below it.
ZIP_MAX_RATIO = 100
#: Members smaller than this skip the ratio check: they cannot blow up, and tiny files compress
#: oddly.
ZIP_RATIO_MIN_BYTES = 1024 * 1024
#: Most members an archive may hold; Office files have a few dozen.
ZIP_MAX_MEMBERS = 10_000


@dataclass(frozen=True)
class Page:
    """Where one PDF page's text sits in ``Document.text``."""

    number: int
    start: int
    end: int


@dataclass
class Document:
    """The screenable text of one document, with what the user must know about it."""

    source: str
    kind: str
    text: str
    pages: list[Page] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding the character at ``offset``; None between pages or no pages."""
        index = bisect_right(self.pages, offset, key=lambda page: page.start) - 1
        if index < 0:
            return None
        page = self.pages[index]
        return page.number if page.start <= offset < page.end else None


def label(source: str) -> str:
    """How messages name a source: its path, or "standard input" for "-"."""
    return "standard input" if source == "-" else source


def human_size(size: int) -> str:
    """A byte count as people read it: "1.5 MB", "900 bytes"."""
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    return f"{value:.1f} {unit}".replace(".0 ", " ")


def too_big(source: str, size: int | None, max_bytes: int) -> DocumentError:
    """The refusal for a document over the size limit; ``size`` None means "more than"."""
    what = (
        f"is {human_size(size)}" if size is not None else f"holds more than {human_size(max_bytes)}"
    )
    return DocumentError(
        f"{label(source)} {what}, over the {human_size(max_bytes)} limit for documents; "
        "raise the limit with --max-size if it should be screened"
    )


def normalize_newlines(text: str) -> str:
    """ "\\r\\n" and lone "\\r" become "\\n", so offsets and line numbers mean one thing."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _hazard_message(name: str, what: str, hazard: ZipHazard) -> str:
    if hazard.kind == "entries":
        return (
            f"{name} holds {hazard.value:,} zip members (limit {ZIP_MAX_MEMBERS:,}); "
            f"it is not a normal {what} file"
        )
    if hazard.kind == "total":
        return (
            f"{name} would unpack to more than {human_size(ZIP_MAX_TOTAL)} "
            "(a zip bomb?); refused without unpacking it"
        )
    return (
        f"{name}: member {hazard.member!r} compresses {hazard.value:,}:1 "
        f"(limit {ZIP_MAX_RATIO}:1), like a zip bomb; refused without unpacking it"
    )


def check_zip(data: bytes, source: str, what: str, *, verify: bool = False) -> None:
    """Refuse a zip archive that is unreadable or a decompression bomb, reading only its directory.

    ``verify`` also inflates every member through :mod:`zipfile`, which stops at the declared
    size and checks the CRC, so a member that lies about its size is caught before a reader that
    trusts the data (calamine) sees it.
    """
    name = label(source)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            hazard = directory_hazard(
                infos,
                max_entries=ZIP_MAX_MEMBERS,
                max_total=ZIP_MAX_TOTAL,
                max_ratio=ZIP_MAX_RATIO,
                ratio_min_bytes=ZIP_RATIO_MIN_BYTES,
            )
            if hazard is not None:
                raise DocumentError(_hazard_message(name, what, hazard))
            if verify:
                for info in infos:
                    with archive.open(info) as member:
                        while member.read(1 << 20):
                            pass
    except DocumentError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise DocumentError(
            f"{name} is not a readable {what} file (damaged zip archive: {exc}); "
            "open and save it again"
        ) from None
    except (OSError, ValueError, EOFError, RuntimeError) as exc:
        raise DocumentError(
            f"{name} is not a readable {what} file ({exc}); open and save it again"
        ) from None
