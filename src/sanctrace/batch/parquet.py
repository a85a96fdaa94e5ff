"""Parquet input, checked before it is decoded: the footer's record count, columns and declared
uncompressed sizes first; then each record batch from its Arrow buffers (strings kept
dictionary-encoded, so a value used by 2,000 records is held once), before any cell becomes a
Python string, and cut into slices of bounded size."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sanctrace.batch.limits import Counter, InputLimits
from sanctrace.batch.readers import (
    _SURROGATES,
    CellBatch,
    RawRow,
    TableReader,
    _clean,
    _undecodable,
    value_text,
)
from sanctrace.errors import SanctraceError

#: Parquet records decoded at once (then sliced by their size before they become Python text).
_PARQUET_BATCH = 1024


def _cell_sizes(array: Any) -> Any:
    """The byte size of each cell of an Arrow column as text, from its buffers (no Python
    strings): strings and binaries by length, dictionary cells by their value's length, lists
    by the sum over their items; None for a type measured after it becomes text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = array.type
    if pa.types.is_dictionary(kind):
        sizes = _cell_sizes(array.dictionary)
        return None if sizes is None else pc.take(sizes, array.indices)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind):
        return pc.binary_length(array)
    if pa.types.is_large_binary(kind):
        return pc.binary_length(array)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        items = _cell_sizes(array.flatten())
        if items is None:
            return None
        parents = pc.list_parent_indices(array)
        summed = (
            pa.table({"p": parents, "n": pc.fill_null(items, 0)})
            .group_by("p")
            .aggregate([("n", "sum")])
        )
        sizes = [0] * len(array)
        for parent, size in zip(summed["p"].to_pylist(), summed["n_sum"].to_pylist(), strict=True):
            sizes[parent] = size
        return pa.array(sizes, pa.int64())
    if pa.types.is_struct(kind) or pa.types.is_map(kind) or pa.types.is_union(kind):
        return None
    return pa.array([0] * len(array), pa.int64())  # numbers, dates, booleans: a few bytes


@dataclass
class _Texts:
    texts: list[str]
    #: True when the cells need no further check (text columns: sized from their buffers).
    checked: bool


def _column_text(array: Any) -> _Texts:
    """A column's cells as :func:`value_text` gives them, each distinct value converted once
    (columns repeat their values: countries, dates, codes, names)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = array.type
    if pa.types.is_dictionary(kind) and (
        pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)
    ):  # a slice's dictionary is the whole column chunk's: decode only the values used
        array, kind = array.dictionary_decode(), kind.value_type
    plain_text = pa.types.is_string(kind) or pa.types.is_large_string(kind)
    if plain_text:
        return _Texts([v if v is not None else "" for v in array.to_pylist()], True)
    simple = pa.types.is_primitive(kind) or pa.types.is_dictionary(kind)
    if not simple:
        return _Texts([value_text(v) for v in array.to_pylist()], False)
    if not pa.types.is_dictionary(kind):
        array = pc.dictionary_encode(array)
    value_type = array.type.value_type
    is_text = pa.types.is_string(value_type) or pa.types.is_large_string(value_type)
    values = array.dictionary.to_pylist()
    texts = values if is_text else [value_text(v) for v in values]
    texts.append("")  # the cell of a null
    nulls = len(texts) - 1
    indices = pc.fill_null(array.indices, nulls).to_pylist()
    binary = pa.types.is_binary(value_type) or pa.types.is_large_binary(value_type)
    return _Texts([texts[i] for i in indices], not binary)


class ParquetReader(TableReader):
    unit = "record"

    def __init__(self, name: str, source: Path | IO[bytes], limits: InputLimits) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.name = name
        self.limits = limits
        self.counter = Counter(limits, name, "record")
        handle = source if not isinstance(source, Path) else str(source)
        try:
            probe = pq.ParquetFile(handle)
            schema = probe.schema_arrow
            # Strings stay dictionary-encoded as read: a value used by many records is held once.
            texts = [
                f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_binary(f.type)
            ]
            probe.close()
            if not isinstance(source, Path):
                source.seek(0)
            self._file = pq.ParquetFile(handle, read_dictionary=texts)
        except Exception as exc:
            raise SanctraceError(f"{name}: not a readable Parquet file ({exc})") from None
        self.columns = tuple(self._file.schema_arrow.names)
        self._check_metadata()

    def _check_metadata(self) -> None:
        """Refuse from the footer alone: too many records or columns, or column chunks that
        declare more uncompressed bytes than the limit."""
        meta, limits = self._file.metadata, self.limits
        self.counter.header(len(self.columns), "(its columns)")
        if meta.num_rows > limits.max_rows:
            raise limits.refuse(self.name, "", "max_rows", f"{meta.num_rows:,} records")
        declared = 0
        for group in range(meta.num_row_groups):
            row_group = meta.row_group(group)
            for column in range(row_group.num_columns):
                declared += row_group.column(column).total_uncompressed_size
        if declared > limits.max_bytes:
            raise limits.refuse(
                self.name, "", "max_bytes", f"{declared:,} uncompressed bytes in its column chunks"
            )

    def _slices(self, batch: Any, first: int) -> Iterator[Any]:
        """``batch`` checked cell by cell from its Arrow buffers, cut into slices of at most a
        chunk's bytes; ``first`` is the record number of its first row."""
        import pyarrow as pa
        import pyarrow.compute as pc

        limits = self.limits
        total = pa.array([0] * batch.num_rows, pa.int64())
        for position in range(batch.num_columns):
            sizes = _cell_sizes(batch.column(position))
            if sizes is None:
                continue
            sizes = pc.fill_null(sizes, 0)
            largest = pc.max(sizes).as_py() or 0
            if largest > limits.max_cell_bytes:
                row = pc.index(sizes, largest).as_py()
                raise limits.refuse(
                    self.name,
                    f"record {first + row}, column {self.columns[position]!r}",
                    "max_cell_bytes",
                    f"a cell of {largest:,} bytes",
                )
            total = pc.add(total, sizes)
        start, size = 0, 0
        for row, cell_bytes in enumerate(total.to_pylist()):
            self.counter.add(cell_bytes, first + row)
            if size and size + cell_bytes > limits.chunk_bytes:
                yield batch.slice(start, row - start)
                start, size = row, 0
            size += cell_bytes
        if start < batch.num_rows:
            yield batch.slice(start)

    def rows(self) -> Iterator[RawRow]:
        number = 0
        counter = self.counter
        try:
            batches = self._file.iter_batches(batch_size=_PARQUET_BATCH, use_threads=False)
            for batch in batches:
                for piece in self._slices(batch, number + 1):
                    values = [piece.column(i).to_pylist() for i in range(piece.num_columns)]
                    for record in zip(*values, strict=True):
                        number += 1
                        cells = tuple(value_text(v) for v in record)
                        counter.rows += 1
                        if counter.rows > self.limits.max_rows:
                            raise self.limits.refuse(
                                self.name, f"record {number}", "max_rows", "the file"
                            )
                        for position, cell in enumerate(cells):
                            if len(cell) > self.limits.max_cell_bytes:  # a struct, as JSON
                                raise self.limits.refuse(
                                    self.name,
                                    f"record {number}, column {self.columns[position]!r}",
                                    "max_cell_bytes",
                                    f"a cell of {len(cell):,} characters",
                                )
                        if _undecodable(cells):
                            yield RawRow(
                                number,
                                tuple(_clean(c) for c in cells),
                                "undecodable bytes: not UTF-8 text",
                            )
                        else:
                            yield RawRow(number, cells)
        except (OSError, ValueError) as exc:
            raise SanctraceError(f"{self.name} record {number + 1}: cannot read ({exc})") from None

    def column_batches(self, size: int = 65_536) -> Iterator[CellBatch]:
        """The cells :meth:`rows` gives, a column at a time from the Arrow batches (text columns
        are not turned into rows and back), with the same limits and the same row errors.
        Records are decoded as :meth:`rows` decodes them, a small batch at a time and checked
        before they become text; the text is handed out ``size`` rows at a time."""
        number = 0
        limits = self.limits
        width = len(self.columns)
        out = CellBatch([], [[] for _ in range(width)], {})
        held = 0  # the counter's bytes when ``out`` was started: a batch holds a chunk at most
        try:
            for batch in self._file.iter_batches(batch_size=self._decoded(size), use_threads=False):
                for piece in self._slices(batch, number + 1):
                    first = number + 1
                    number += piece.num_rows
                    self.counter.rows += piece.num_rows
                    if self.counter.rows > limits.max_rows:
                        raise limits.refuse(self.name, f"record {number}", "max_rows", "the file")
                    offset = len(out.numbers)
                    columns = [
                        self._texts(piece, position, first, out, offset)
                        for position in range(width)
                    ]
                    for row in [r for r in out.errors if r >= offset]:
                        for column in columns:
                            column[row - offset] = _clean(column[row - offset])
                    out.numbers.extend(range(first, number + 1))
                    for target, column in zip(out.columns, columns, strict=True):
                        target.extend(column)
                    if len(out.numbers) >= size or self.counter.bytes - held > limits.chunk_bytes:
                        yield out
                        out = CellBatch([], [[] for _ in range(width)], {})
                        held = self.counter.bytes
            if out.numbers:
                yield out
        except (OSError, ValueError) as exc:
            raise SanctraceError(f"{self.name} record {number + 1}: cannot read ({exc})") from None

    def _decoded(self, size: int) -> int:
        """Records decoded at once: ``size`` when every column is flat (numbers, and text kept
        dictionary-encoded, so a batch holds its indices and one dictionary), else as few as
        :meth:`rows` decodes (a nested cell can unfold to far more than its stored bytes)."""
        import pyarrow as pa

        flat = all(
            pa.types.is_primitive(f.type) or pa.types.is_dictionary(f.type)
            for f in self._file.schema_arrow
        )
        return size if flat else _PARQUET_BATCH

    def _texts(
        self, piece: Any, position: int, first: int, out: CellBatch, offset: int
    ) -> list[str]:
        """One column of a decoded slice as text, its struct cells checked for size and its
        binary cells for undecodable bytes (marked in ``out.errors``)."""
        cells = _column_text(piece.column(position))
        if cells.checked:
            return cells.texts
        limits = self.limits
        for row, cell in enumerate(cells.texts):
            if len(cell) > limits.max_cell_bytes:  # a struct, as JSON
                raise limits.refuse(
                    self.name,
                    f"record {first + row}, column {self.columns[position]!r}",
                    "max_cell_bytes",
                    f"a cell of {len(cell):,} characters",
                )
            if _SURROGATES.search(cell):
                out.errors[offset + row] = "undecodable bytes: not UTF-8 text"
        return cells.texts

    def estimate_rows(self) -> int | None:
        return int(self._file.metadata.num_rows)

    def close(self) -> None:
        self._file.close()
        super().close()
