"""Chunked containers (:mod:`inspector.formats.lazy_json`): a JSON array or object whose elements live in chunks of
the document's bytes, read through the list's or dict's Python methods (their C storage is empty)."""

from __future__ import annotations

import copy as _copy
from bisect import bisect_right
from collections.abc import Callable, ItemsView, Iterable, Iterator, ValuesView
from typing import Any, SupportsIndex

import orjson

from inspector.formats.lazy_chunks import DUMPS_OPTIONS, Chunk, Source, outline

# ---------------------------------------------------------------------------------------------------- arrays


def _segment_values(source: Source, segment: Any, pinned: Any) -> Any:
    """A segment's values: plain ones as they are, a pinned chunk's kept value, else the chunk decoded (cached)."""
    if not isinstance(segment, Chunk):
        return segment
    return pinned if pinned is not None else source.decode(segment)


def _fragment(
    source: Source, segments: list[Any], pinned: dict[int, Any], write: Callable[[int], bytes], brackets: bytes
) -> orjson.Fragment:
    """A container's compact JSON: unchanged chunks as their own bytes, other segments as ``write(k)`` gives them."""
    parts: list[bytes] = []
    view = memoryview(source.data)
    for k, segment in enumerate(segments):
        if isinstance(segment, Chunk) and k not in pinned:
            part = bytes(view[segment.start : segment.stop]).strip()
        else:
            part = write(k)
        if part:
            parts.append(part)
    return orjson.Fragment(brackets[:1] + b",".join(parts) + brackets[1:])


class _ListBase(list):  # type: ignore[type-arg]
    __slots__ = ("_ends", "_pinned", "_segments", "_source")


#: Chunked containers made in this process so far: none, and no value needs looking into (:func:`plain`).
made = 0


class ChunkedList(_ListBase):
    """A JSON array whose elements live in chunks of the document's bytes (and plain lists between them)."""

    __slots__ = ()

    def __init__(self, source: Source, segments: list[Chunk | list[Any]]) -> None:
        global made
        made += 1
        super().__init__()
        self._source = source
        self._segments = segments
        self._pinned: dict[int, list[Any]] = {}
        ends: list[int] = []
        total = 0
        for segment in segments:
            total += segment.count if isinstance(segment, Chunk) else len(segment)
            ends.append(total)
        self._ends = ends

    # -- reading
    def _values(self, k: int) -> list[Any]:
        values: list[Any] = _segment_values(self._source, self._segments[k], self._pinned.get(k))
        return values

    def _locate(self, index: SupportsIndex) -> tuple[int, int]:
        i = index.__index__()
        size = self._ends[-1] if self._ends else 0
        if i < 0:
            i += size
        if not 0 <= i < size:
            raise IndexError("list index out of range")
        k = bisect_right(self._ends, i)
        return k, i - (self._ends[k - 1] if k else 0)

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def __bool__(self) -> bool:
        return bool(self._ends) and self._ends[-1] > 0

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        k, at = self._locate(index)
        return self._values(k)[at]

    def __iter__(self) -> Iterator[Any]:
        for k in range(len(self._segments)):
            yield from self._values(k)

    def between(self, start: int, stop: int | None = None) -> Iterator[Any]:
        """The elements ``start:stop`` (clamped as a slice is, steps of 1), a chunk at a time: unlike a slice, only
        the chunk being read is decoded at once (65 536 frames with source lines sliced: 72 MB). Readers that do not
        import this module look for the method (``report.LazyList.texts``)."""
        start, stop, _ = slice(start, stop).indices(len(self))
        if start >= stop:
            return
        k, at = self._locate(start)
        left = stop - start
        while left > 0:
            values = self._values(k)[at : at + left]
            yield from values
            left -= len(values)
            k, at = k + 1, 0

    def __reversed__(self) -> Iterator[Any]:
        for k in range(len(self._segments) - 1, -1, -1):
            yield from reversed(self._values(k))

    def __contains__(self, item: object) -> bool:
        return any(value is item or value == item for value in self)

    def index(self, item: Any, start: SupportsIndex = 0, stop: SupportsIndex = 2**62) -> int:
        for i in range(*slice(start, stop).indices(len(self))):
            value = self[i]
            if value is item or value == item:
                return i
        raise ValueError(f"{item!r} is not in list")

    def count(self, item: Any) -> int:
        return sum(1 for value in self if value is item or value == item)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, list):
            return NotImplemented
        return len(self) == len(other) and all(a is b or a == b for a, b in zip(self, other, strict=False))

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __lt__(self, other: list[Any]) -> bool:
        return list(self) < list(other)

    def __le__(self, other: list[Any]) -> bool:
        return list(self) <= list(other)

    def __gt__(self, other: list[Any]) -> bool:
        return list(self) > list(other)

    def __ge__(self, other: list[Any]) -> bool:
        return list(self) >= list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))

    def __add__(self, other: Iterable[Any]) -> list[Any]:
        return [*self, *other]

    def __radd__(self, other: Iterable[Any]) -> list[Any]:
        return [*other, *self]

    def __mul__(self, times: SupportsIndex) -> list[Any]:
        return list(self) * times

    __rmul__ = __mul__

    def copy(self) -> list[Any]:
        return list(self)

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> ChunkedList:
        """A copy sharing the (immutable) chunks; pinned and plain elements are copied."""
        twin = ChunkedList(
            self._source, [s if isinstance(s, Chunk) else _copy.deepcopy(s, memo) for s in self._segments]
        )
        twin._pinned = {k: _copy.deepcopy(v, memo) for k, v in self._pinned.items()}
        return twin

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return (list, (list(self),))

    def outlines(self) -> Iterator[tuple[int, Any]]:
        """(index, :func:`outline` of the element), from the outlines made while parsing where there are some."""
        i = 0
        for k, segment in enumerate(self._segments):
            if isinstance(segment, Chunk) and segment.outlines is not None and k not in self._pinned:
                values: Iterable[Any] = segment.outlines
            else:
                values = (outline(v) for v in self._values(k))
            for shape in values:
                yield i, shape
                i += 1

    # -- changing
    def pin(self, index: SupportsIndex) -> None:
        """Keep the decoded chunk of element ``index`` for good: a value inside it is about to change."""
        k, _ = self._locate(index)
        segment = self._segments[k]
        if isinstance(segment, Chunk) and k not in self._pinned:
            self._pinned[k] = self._source.take(segment)

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            self._materialize()
            list.__setitem__(self, index, value)
            return
        self.pin(index)
        k, at = self._locate(index)
        self._values(k)[at] = value

    def _materialize(self) -> None:
        """Become a plain list (a structural change: the elements move between chunks)."""
        values = list(self)
        self._segments, self._ends, self._pinned = [], [], {}
        list.extend(self, values)
        self.__class__ = MaterializedList  # type: ignore[assignment]

    def _changing(name: str) -> Callable[..., Any]:  # type: ignore[misc]
        method = getattr(list, name)

        def change(self: ChunkedList, *args: Any, **kwargs: Any) -> Any:
            self._materialize()
            return method(self, *args, **kwargs)

        change.__name__ = name
        return change

    __delitem__ = _changing("__delitem__")
    __iadd__ = _changing("__iadd__")
    __imul__ = _changing("__imul__")
    append = _changing("append")
    extend = _changing("extend")
    insert = _changing("insert")
    pop = _changing("pop")
    remove = _changing("remove")
    clear = _changing("clear")
    sort = _changing("sort")
    reverse = _changing("reverse")
    del _changing

    # -- writing
    def to_json(self, default: Callable[[Any], Any]) -> orjson.Fragment:
        """The compact JSON of the array: unchanged chunks as their bytes, the rest serialized."""

        def write(k: int) -> bytes:
            return orjson.dumps(self._values(k), default=default, option=DUMPS_OPTIONS)[1:-1]

        return _fragment(self._source, self._segments, self._pinned, write, b"[]")


class MaterializedList(_ListBase):
    """A :class:`ChunkedList` after a structural change: a plain list in all but name."""

    __slots__ = ()


# ---------------------------------------------------------------------------------------------------- objects


class _DictBase(dict):  # type: ignore[type-arg]
    __slots__ = ("_index", "_pinned", "_segments", "_source")


class ChunkedDict(_DictBase):
    """A JSON object whose members live in chunks of the document's bytes (and plain dicts between them). The keys
    are known (``_index``: key -> segment, in document order); the values are decoded with their chunk."""

    __slots__ = ()

    def __init__(self, source: Source, segments: list[Chunk | dict[str, Any]], index: dict[str, int]) -> None:
        global made
        made += 1
        super().__init__()
        self._source = source
        self._segments = segments
        self._index = index
        self._pinned: dict[int, dict[str, Any]] = {}

    def _values(self, k: int) -> dict[str, Any]:
        values: dict[str, Any] = _segment_values(self._source, self._segments[k], self._pinned.get(k))
        return values

    # -- reading
    def __len__(self) -> int:
        return len(self._index)

    def __bool__(self) -> bool:
        return bool(self._index)

    def __getitem__(self, key: Any) -> Any:
        k = self._index.get(key)
        if k is None:
            raise KeyError(key)
        return self._values(k)[key]

    def get(self, key: Any, default: Any = None) -> Any:
        k = self._index.get(key)
        return default if k is None else self._values(k)[key]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._index)

    def keys(self) -> Any:
        return self._index.keys()

    def values(self) -> Any:
        return _Values(self)

    def items(self) -> Any:
        return _Items(self)

    def _pairs(self) -> Iterator[tuple[str, Any]]:
        """Members in document order, a chunk at a time."""
        index = self._index
        for k in range(len(self._segments)):
            for key, value in self._values(k).items():
                if index.get(key) == k:
                    yield key, value

    def outlines(self) -> Iterator[tuple[str, Any]]:
        """(key, :func:`outline` of the value) in document order, from the outlines made while parsing (nothing
        decoded) where the chunk has them and is unchanged."""
        at: dict[int, int] = {}  # a chunk's keys are in the index in its members' order (the same as its outlines)
        for key, k in self._index.items():
            segment = self._segments[k]
            if isinstance(segment, Chunk) and segment.outlines is not None and k not in self._pinned:
                i = at.get(k, 0)
                at[k] = i + 1
                yield key, segment.outlines[i]
            else:
                yield key, outline(self._values(k)[key])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, dict):
            return NotImplemented
        if len(self) != len(other):
            return False
        missing = object()
        for key, value in self._pairs():
            theirs = other.get(key, missing)
            if theirs is missing or not (theirs is value or theirs == value):
                return False
        return True

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(dict(self._pairs()))

    def __or__(self, other: Any) -> dict[str, Any]:  # type: ignore[override]
        return {**dict(self._pairs()), **other}

    def __ror__(self, other: Any) -> dict[str, Any]:  # type: ignore[override]
        return {**other, **dict(self._pairs())}

    def copy(self) -> dict[str, Any]:
        return dict(self._pairs())

    def __copy__(self) -> dict[str, Any]:
        return dict(self._pairs())

    def __deepcopy__(self, memo: dict[int, Any]) -> ChunkedDict:
        """A copy sharing the (immutable) chunks; pinned and plain members are copied."""
        segments = [s if isinstance(s, Chunk) else _copy.deepcopy(s, memo) for s in self._segments]
        twin = ChunkedDict(self._source, segments, dict(self._index))
        twin._pinned = {k: _copy.deepcopy(v, memo) for k, v in self._pinned.items()}
        return twin

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return (dict, (dict(self._pairs()),))

    # -- changing
    def pin(self, key: Any) -> None:
        """Keep the decoded chunk of member ``key`` for good: a value inside it is about to change."""
        k = self._index.get(key)
        if k is None:
            return
        segment = self._segments[k]
        if isinstance(segment, Chunk) and k not in self._pinned:
            self._pinned[k] = self._source.take(segment)

    def __setitem__(self, key: Any, value: Any) -> None:
        k = self._index.get(key)
        if k is None:  # a new member goes last
            last = self._segments[-1] if self._segments else None
            if not isinstance(last, dict):
                last = {}
                self._segments.append(last)
            last[key] = value
            self._index[key] = len(self._segments) - 1
            return
        self.pin(key)
        self._values(k)[key] = value

    def __delitem__(self, key: Any) -> None:
        if key not in self._index:
            raise KeyError(key)
        self.pin(key)
        k = self._index.pop(key)
        del self._values(k)[key]

    def pop(self, key: Any, *default: Any) -> Any:
        if key not in self._index:
            if default:
                return default[0]
            raise KeyError(key)
        value = self[key]
        del self[key]
        return value

    def popitem(self) -> tuple[str, Any]:
        if not self._index:
            raise KeyError("popitem(): dictionary is empty")
        key = next(reversed(self._index))
        return key, self.pop(key)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key in self._index:
            return self[key]
        self[key] = default
        return default

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        pairs = ((key, other[key]) for key in other) if hasattr(other, "keys") else other
        for key, value in pairs:
            self[key] = value
        for key, value in kwargs.items():
            self[key] = value

    def __ior__(self, other: Any) -> ChunkedDict:
        self.update(other)
        return self

    def clear(self) -> None:
        self._segments, self._index, self._pinned = [], {}, {}

    # -- writing
    def to_json(self, default: Callable[[Any], Any]) -> orjson.Fragment:
        """The compact JSON of the object: unchanged chunks as their bytes, the rest serialized."""

        def write(k: int) -> bytes:
            members = {key: value for key, value in self._values(k).items() if self._index.get(key) == k}
            return orjson.dumps(members, default=default, option=DUMPS_OPTIONS)[1:-1]

        return _fragment(self._source, self._segments, self._pinned, write, b"{}")


class _Values(ValuesView):  # type: ignore[type-arg]
    _mapping: ChunkedDict

    def __iter__(self) -> Iterator[Any]:
        return (value for _, value in self._mapping._pairs())


class _Items(ItemsView):  # type: ignore[type-arg]
    _mapping: ChunkedDict

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return self._mapping._pairs()
