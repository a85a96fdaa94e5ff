"""Typed errors. Every user-facing failure is one of these, so the CLI can print it without a
traceback and exit non-zero."""

from __future__ import annotations


class SanctraceError(Exception):
    """Base class for errors that are the user's input, not our bug."""

    exit_code = 1


class SourceError(SanctraceError):
    """A list file could not be read. Names the file, the line or record, and the field."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.record = record
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.record:
            where.append(f"record {self.record}")
        if self.field:
            where.append(f"field {self.field!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class MissingFileError(SourceError):
    """A file named as input (a list file, a file or document to screen, a watchlist) does not
    exist: exit 4, "not found", whichever command was given it."""

    exit_code = 4

    def __init__(self, file: str) -> None:
        super().__init__("file not found", file=file)


class FormatDetectionError(SourceError):
    """The file's format could not be recognised from its content."""


class HostileInputError(SourceError):
    """The file tries entity expansion, external entities, DTD fetches or decompression bombs."""


class StoreError(SanctraceError):
    """The database could not be opened, or the request does not fit what is stored."""

    exit_code = 3


class NotFoundError(StoreError):
    exit_code = 4


class FetchError(SanctraceError):
    """A download failed after retries, or the downloaded file failed verification."""

    exit_code = 5


class DocumentError(SanctraceError):
    """A document to screen could not be read: too big, encrypted, corrupt or not a known kind."""
