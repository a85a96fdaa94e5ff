"""How a persisted index reads back fast: its parts stay packed until a query touches them.

A query reads a few hundred of the index's 47,000 name entries and a few dozen of its
100,000 posting lists; unpickling all of them took a quarter of a second on every command.
So entries are kept as one buffer of separately pickled items, and postings as one array
with offsets, each decoded (and kept) on first read.
"""

from __future__ import annotations

import io
import pickle
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, overload

from sanctrace.errors import SanctraceError

T = TypeVar("T")
V = TypeVar("V")


class IndexUnpickler(pickle.Unpickler):
    """Reads back only what an index holds: a tampered index file cannot make the loader
    import and call anything else."""

    _ALLOWED = frozenset(
        {
            ("array", "array"),
            ("array", "_array_reconstructor"),
            ("sanctrace.match.index", "NameEntry"),
            ("sanctrace.match.types", "IndexedEntity"),
            ("sanctrace.normalize.forms", "NameForm"),
            ("sanctrace.match.packed", "PackedList"),
            ("sanctrace.match.packed", "PackedPostings"),
        }
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"refusing {module}.{name} in an index file")
        return super().find_class(module, name)


class PackedList(Sequence[T]):
    """A read-only list whose items are unpickled the first time they are read."""

    def __init__(self, blob: bytes, offsets: array[int]) -> None:
        self._blob = blob
        self._offsets = offsets
        self._items: list[T | None] = [None] * (len(offsets) - 1)

    @classmethod
    def pack(cls, items: Iterable[T]) -> PackedList[T]:
        if isinstance(items, PackedList):
            return items
        out = io.BytesIO()
        offsets = array("Q", [0])
        for item in items:
            out.write(pickle.dumps(item, protocol=5))
            offsets.append(out.tell())
        return cls(out.getvalue(), offsets)

    def __reduce__(self) -> tuple[Any, ...]:
        return (PackedList, (self._blob, self._offsets))

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        item = self._items[i]
        if item is None:
            if i < 0:
                i += len(self._items)
            start, stop = self._offsets[i], self._offsets[i + 1]
            try:
                item = IndexUnpickler(io.BytesIO(self._blob[start:stop])).load()
            except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as exc:
                raise SanctraceError(
                    f"the screening index is damaged at entry {i} ({exc}): delete the index "
                    "folder beside the database (DB.index) and it is rebuilt"
                ) from None
            self._items[i] = item
        return item

    def __iter__(self) -> Iterator[T]:
        for i in range(len(self._items)):
            yield self[i]


class PackedPostings(Mapping[str, V]):
    """Lists of values per key (name entries, entity positions, words) in one flat sequence,
    keys sorted for a binary search; a key's list is sliced out once and then kept, so callers
    may key caches on the list object."""

    def __init__(self, keys: list[str], offsets: array[int], data: Any) -> None:
        self._keys = keys
        self._offsets = offsets
        self._data = data
        self._lists: dict[str, V] = {}

    @classmethod
    def pack(cls, mapping: Mapping[str, V]) -> PackedPostings[V]:
        if isinstance(mapping, PackedPostings):
            return mapping
        keys = sorted(mapping)
        first: Any = mapping[keys[0]] if keys else ()
        data: Any = [] if len(first) and isinstance(first[0], str) else array("I")
        offsets = array("Q", [0])
        for key in keys:
            data.extend(mapping[key])
            offsets.append(len(data))
        return cls(keys, offsets, data)

    def __reduce__(self) -> tuple[Any, ...]:
        return (PackedPostings, (self._keys, self._offsets, self._data))

    def _slot(self, key: object) -> int:
        n = bisect_left(self._keys, key)  # type: ignore[call-overload]
        return n if n < len(self._keys) and self._keys[n] == key else -1

    def __getitem__(self, key: str) -> V:
        found = self._lists.get(key)
        if found is None:
            n = self._slot(key)
            if n < 0:
                raise KeyError(key)
            found = self._lists[key] = self._data[self._offsets[n] : self._offsets[n + 1]]
        return found

    def get(self, key: str, default: Any = None) -> Any:
        found = self._lists.get(key)
        if found is not None:
            return found
        return self[key] if self._slot(key) >= 0 else default

    def __contains__(self, key: object) -> bool:
        return key in self._lists or self._slot(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
