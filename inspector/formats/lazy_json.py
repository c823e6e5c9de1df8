"""Big JSON containers decoded on demand from the document's bytes (issue 18: memory <= 3x the file).

A parsed JSON value costs about 4x its text in Python objects (a dict per frame, a slot per value). A big document's
bulk is a few big containers: the frame lists of an App Center log, Backtrace's ``threads`` object, a Rollbar
``custom`` object of 100 000 keys. :mod:`json_pieces` already parses those in pieces of ~256 KB and proves each
piece with orjson; above :data:`LAZY_FROM` it keeps only where each piece lies in the bytes (a :class:`Chunk`) and
drops the parsed piece. The container becomes a :class:`ChunkedList` or :class:`ChunkedDict`: a real ``list`` /
``dict`` (``isinstance`` holds, every Python-level method works) whose elements are decoded again from their
chunk when asked for, one chunk at a time, through a small least-recently-used cache per document
(:class:`Source`). So the document costs its bytes (kept anyway for a lossless save) plus the cache.

What reads a container's storage in C without its methods sees an empty one: orjson and ``json.dumps`` do.
Serialize with :func:`dumps_default` / :data:`DUMPS_OPTIONS` (what :func:`inspector.formats.jsondoc.dumps` does)
or make a plain copy first (:func:`plain`).

Edits: replacing an element or member pins its chunk (its decoded value is kept for good, never decoded again);
a structural change of an array (insert, remove, sort...) turns it into a plain list (:class:`MaterializedList`);
an object takes new and removed keys in place. :func:`pin_path` pins the chunks along a pointer before an edit
changes a value nested inside them (see :meth:`inspector.formats.jsondoc.Document.apply`).
"""

from __future__ import annotations

import copy as _copy
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, ItemsView, Iterable, Iterator, Sequence, ValuesView
from typing import Any, SupportsIndex

import orjson

#: Documents above this size keep their big containers as chunks of their bytes (at and below: plain values).
#: ``CRASH_INSPECTOR_TEST_LAZY=1`` runs the test suite with every document of more than a few hundred bytes
#: through this path (tests/conftest.py).
LAZY_FROM = 16 * 1024 * 1024
#: Bytes of chunks kept decoded per document (each decoded chunk costs ~4x its bytes): 1/32 of the document,
#: between these bounds. Reads that sweep a container (validation, the filter's index) never hit a cache smaller
#: than the container, so it is sized for what the views read again (the rows painted): a few chunks.
CACHE_MIN, CACHE_MAX = 2 * 1024 * 1024, 16 * 1024 * 1024

#: orjson options that make it ask :func:`dumps_default` for every container of this module.
DUMPS_OPTIONS = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_NON_STR_KEYS


class Chunk:
    """Whole elements (or members) of a container: ``data[start:stop]`` without brackets, ``count`` of them."""

    __slots__ = ("count", "is_object", "outlines", "start", "stop")

    def __init__(self, start: int, stop: int, count: int, is_object: bool) -> None:
        self.start = start
        self.stop = stop
        self.count = count
        self.is_object = is_object
        #: The :func:`outline` of each element (a list; for an object, in member order), made while it was parsed:
        #: what a report reads of 10 000 threads (names, flags, how many frames) without decoding them again.
        self.outlines: list[Any] | None = None

    def wrapped(self, data: bytes) -> bytearray:
        buffer = bytearray(b"{" if self.is_object else b"[")
        buffer += memoryview(data)[self.start : self.stop]
        buffer += b"}" if self.is_object else b"]"
        return buffer


class Shape:
    """What :func:`outline` keeps of a nested list or object: its kind and length."""

    __slots__ = ("kind", "length")

    def __init__(self, kind: type, length: int) -> None:
        self.kind = kind
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __repr__(self) -> str:
        return f"<{self.kind.__name__} of {self.length}>"


def outline(value: Any) -> Any:
    """``value`` with each list or object inside it (one level down) replaced by its :class:`Shape`."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return value


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return Shape(dict, len(value))
    if isinstance(value, list):
        return Shape(list, len(value))
    return value


#: Elements of a chunked container get outlines when they are this big on average (they hold lists, e.g. stacks).
OUTLINE_FROM = 1024


class Source:
    """A document's bytes and its decoded chunks, least recently used dropped beyond ``budget`` bytes of chunks.
    Thread-safe: the GUI reads while validation reads on a worker."""

    __slots__ = ("budget", "data", "decoded", "lock", "used")

    def __init__(self, data: bytes, budget: int | None = None) -> None:
        self.data = data
        self.budget = budget if budget is not None else max(CACHE_MIN, min(CACHE_MAX, len(data) // 32))
        self.decoded: OrderedDict[Chunk, Any] = OrderedDict()
        self.used = 0
        self.lock = threading.Lock()

    def decode(self, chunk: Chunk) -> Any:
        with self.lock:
            found = self.decoded.get(chunk)
            if found is not None:
                self.decoded.move_to_end(chunk)
                return found
        value = orjson.loads(chunk.wrapped(self.data))  # proven when the document was parsed
        with self.lock:
            if chunk not in self.decoded:
                self.decoded[chunk] = value
                self.used += chunk.stop - chunk.start
                while self.used > self.budget and len(self.decoded) > 1:
                    old, _ = self.decoded.popitem(last=False)
                    self.used -= old.stop - old.start
        return value

    def fresh(self, chunk: Chunk) -> Any:
        """The chunk decoded anew (not cached): a copy to keep (pinning) or to serialize."""
        return orjson.loads(chunk.wrapped(self.data))


# ---------------------------------------------------------------------------------------------------- arrays


class _ListBase(list):  # type: ignore[type-arg]
    __slots__ = ("_ends", "_pinned", "_segments", "_source")


#: Chunked containers made in this process so far: none, and no value needs looking into (:func:`plain`).
_made = 0


class ChunkedList(_ListBase):
    """A JSON array whose elements live in chunks of the document's bytes (and plain lists between them)."""

    __slots__ = ()

    def __init__(self, source: Source, segments: list[Chunk | list[Any]]) -> None:
        global _made
        _made += 1
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
        segment = self._segments[k]
        if not isinstance(segment, Chunk):
            return segment
        pinned = self._pinned.get(k)
        if pinned is not None:
            return pinned
        decoded: list[Any] = self._source.decode(segment)
        return decoded

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
            with self._source.lock:
                cached = self._source.decoded.pop(segment, None)
                if cached is not None:
                    self._source.used -= segment.stop - segment.start
            self._pinned[k] = cached if cached is not None else self._source.fresh(segment)

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
        parts: list[bytes] = []
        data = self._source.data
        for k, segment in enumerate(self._segments):
            if isinstance(segment, Chunk) and k not in self._pinned:
                part = bytes(memoryview(data)[segment.start : segment.stop]).strip()
            else:
                part = orjson.dumps(self._values(k), default=default, option=DUMPS_OPTIONS)[1:-1]
            if part:
                parts.append(part)
        return orjson.Fragment(b"[" + b",".join(parts) + b"]")


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
        global _made
        _made += 1
        super().__init__()
        self._source = source
        self._segments = segments
        self._index = index
        self._pinned: dict[int, dict[str, Any]] = {}

    def _values(self, k: int) -> dict[str, Any]:
        segment = self._segments[k]
        if not isinstance(segment, Chunk):
            return segment
        pinned = self._pinned.get(k)
        if pinned is not None:
            return pinned
        decoded: dict[str, Any] = self._source.decode(segment)
        return decoded

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
            with self._source.lock:
                cached = self._source.decoded.pop(segment, None)
                if cached is not None:
                    self._source.used -= segment.stop - segment.start
            self._pinned[k] = cached if cached is not None else self._source.fresh(segment)

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
        parts: list[bytes] = []
        data = self._source.data
        for k, segment in enumerate(self._segments):
            if isinstance(segment, Chunk) and k not in self._pinned:
                part = bytes(memoryview(data)[segment.start : segment.stop]).strip()
            else:
                members = {key: value for key, value in self._values(k).items() if self._index.get(key) == k}
                part = orjson.dumps(members, default=default, option=DUMPS_OPTIONS)[1:-1]
            if part:
                parts.append(part)
        return orjson.Fragment(b"{" + b",".join(parts) + b"}")


class _Values(ValuesView):  # type: ignore[type-arg]
    _mapping: ChunkedDict

    def __iter__(self) -> Iterator[Any]:
        return (value for _, value in self._mapping._pairs())


class _Items(ItemsView):  # type: ignore[type-arg]
    _mapping: ChunkedDict

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return self._mapping._pairs()


# ---------------------------------------------------------------------------------------------------- helpers


def is_chunked(value: Any) -> bool:
    return isinstance(value, ChunkedList | ChunkedDict)


def outlines(container: Any) -> Iterator[tuple[Any, Any]]:
    """(key or index, :func:`outline` of the element) of a list or object: a chunked one answers from what was
    kept while parsing (nothing decoded again), a plain one from its values."""
    if isinstance(container, ChunkedList | ChunkedDict):
        return container.outlines()
    if isinstance(container, dict):
        return ((k, outline(v)) for k, v in container.items())
    if isinstance(container, list):
        return ((i, outline(v)) for i, v in enumerate(container))
    return iter(())


class Deferred(Sequence[Any]):
    """A list inside an element of a chunked container, found again at each read (``fetch()``; not a list there:
    empty). What a report keeps must not be a decoded chunk's value: that would keep the chunk's whole decoded
    contents alive, whatever the cache drops (10 000 threads' stacks, 4x the file)."""

    __slots__ = ("_fetch", "_length")

    def __init__(self, fetch: Callable[[], Any], length: int | None = None) -> None:
        self._fetch = fetch
        #: The length when known (an edit makes new reports): counting 10 000 threads' frames decodes nothing.
        self._length = length

    def _list(self) -> Sequence[Any]:
        found = self._fetch()
        return found if isinstance(found, list) else ()

    def __len__(self) -> int:
        if self._length is None:
            self._length = len(self._list())
        return self._length

    def __getitem__(self, index: Any) -> Any:
        return self._list()[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._list())


def kept(container: Any, key: Any, get: Callable[[Any], Any], length: int | None = None) -> Any:
    """``get(container[key])``, or when ``container`` is chunked a :class:`Deferred` that does that at each read:
    for what a report keeps of an element (its frames list; ``length`` when it is known)."""
    if isinstance(container, ChunkedDict | ChunkedList):
        return Deferred(lambda: get(container[key]), length)
    return get(container[key])


def dumps_default(value: Any) -> Any:
    """orjson's ``default`` under :data:`DUMPS_OPTIONS` (compact output): chunked containers as their JSON,
    other subclasses of the JSON types as those types."""
    if isinstance(value, ChunkedList | ChunkedDict):
        return value.to_json(dumps_default)
    return _base_value(value)


def pretty(value: Any) -> bytes:
    """``orjson.dumps(value, option=OPT_INDENT_2)`` of a value holding chunked containers, the same bytes, with
    each chunked container written an element at a time (decoding one chunk at a time, not all of it at once)."""
    out: list[bytes] = []
    _pretty(value, 0, out)
    return b"".join(out)


def _pretty(value: Any, depth: int, out: list[bytes]) -> None:
    if isinstance(value, dict | list) and value and _holds_chunked(value):
        pad = b"  " * (depth + 1)
        is_dict = isinstance(value, dict)
        out.append(b"{\n" if is_dict else b"[\n")
        items: Iterable[tuple[Any, Any]] = value.items() if isinstance(value, dict) else enumerate(value)
        for i, (key, item) in enumerate(items):
            out.append(b",\n" + pad if i else pad)
            if is_dict:
                out.append(orjson.dumps(key, option=orjson.OPT_NON_STR_KEYS) + b": ")
            _pretty(item, depth + 1, out)
        out.append(b"\n" + b"  " * depth + (b"}" if is_dict else b"]"))
        return
    piece = orjson.dumps(value, default=pretty_default, option=orjson.OPT_INDENT_2 | DUMPS_OPTIONS)
    out.append(piece.replace(b"\n", b"\n" + b"  " * depth) if depth else piece)


def pretty_default(value: Any) -> Any:
    """orjson's ``default`` for indented output: chunked containers as plain ones (decoded while written)."""
    if isinstance(value, ChunkedList):
        return list(value)
    if isinstance(value, ChunkedDict):
        return dict(value._pairs())
    return _base_value(value)


def _base_value(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def plain(value: Any) -> Any:
    """``value`` with every chunked container replaced by a plain one, deeply (what C code that reads a list's
    or dict's storage needs: ``json.dumps``, Qt's conversions). Values without chunked containers are returned
    as they are (checked without copying where nothing is chunked)."""
    if isinstance(value, ChunkedList | MaterializedList):
        return [plain(v) for v in value]
    if isinstance(value, ChunkedDict):
        return {k: plain(v) for k, v in value._pairs()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()} if _holds_chunked(value) else value
    if isinstance(value, list):
        return [plain(v) for v in value] if _holds_chunked(value) else value
    return value


class _Found(Exception):
    pass


def _probe(value: Any) -> Any:
    if isinstance(value, ChunkedList | ChunkedDict | MaterializedList):
        raise _Found
    return _base_value(value)


def _holds_chunked(value: Any) -> bool:
    """Whether a chunked container is inside ``value``: orjson walks it at C speed and asks :func:`_probe` about
    subclasses only (a plain value is never asked about); values orjson refuses are walked in Python."""
    if not _made:
        return False
    try:
        orjson.dumps(value, default=_probe, option=DUMPS_OPTIONS)
    except TypeError as exc:  # (orjson wraps what ``default`` raises)
        if isinstance(exc.__cause__, _Found):
            return True
        return _walk_holds_chunked(value)
    except orjson.JSONEncodeError:
        return _walk_holds_chunked(value)
    return False


def _walk_holds_chunked(value: Any) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, ChunkedList | ChunkedDict | MaterializedList):
            return True
        if isinstance(node, dict):
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, dict | list))
    return False


def pin_path(value: Any, tokens: list[str]) -> None:
    """Pin every chunk along ``tokens`` (a pointer's reference tokens) from ``value``: the edit about to change a
    value below them must not be lost when the cache drops a chunk."""
    node = value
    for token in tokens:
        if isinstance(node, ChunkedDict):
            node.pin(token)
            node = node.get(token)
        elif isinstance(node, ChunkedList):
            if not token.isdigit() or int(token) >= len(node):
                return
            node.pin(int(token))
            node = node[int(token)]
        elif isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                return
            node = node[int(token)]
        else:
            return


class Builder:
    """Collects one container's elements while :mod:`json_pieces` parses it: whole pieces as chunks, elements
    parsed one at a time (``eager``, filled by the parser) as plain values.

    The container stays plain (:meth:`value` merges everything as the parser did before) when no piece was kept,
    when it is an array of scalars (``str.join`` and friends read a list's storage in C) or when a key repeats
    across its pieces (the last value must win: :attr:`repeated` tells the parser, which may report it)."""

    __slots__ = ("chunks", "eager", "index", "is_object", "repeated", "segments", "source", "unchunked")

    def __init__(self, source: Source, is_object: bool) -> None:
        self.source = source
        self.is_object = is_object
        self.segments: list[Any] = []
        self.eager: Any = {} if is_object else []
        self.index: dict[str, int] = {}
        self.chunks = 0
        self.unchunked = False
        self.repeated = False

    def add_piece(self, start: int, stop: int, piece: Any) -> None:
        """A piece orjson parsed from ``data[start:stop]`` (without brackets)."""
        if not self.unchunked and not self.is_object and not self.chunks:
            self.unchunked = not (piece and isinstance(piece[0], dict | list))
        if self.unchunked:
            if self.is_object:
                self.eager.update(piece)
            else:
                self.eager.extend(piece)
            return
        self._close_eager()
        if self.is_object:
            self._index_keys(piece, len(self.segments))
        chunk = Chunk(start, stop, len(piece), self.is_object)
        if piece and stop - start >= OUTLINE_FROM * len(piece):
            chunk.outlines = [outline(v) for v in (piece.values() if self.is_object else piece)]
        self.segments.append(chunk)
        self.chunks += 1

    def _index_keys(self, keys: Iterable[str], k: int) -> None:
        index = self.index
        before = len(index)
        added = 0
        for key in keys:
            index[key] = k
            added += 1
        if len(index) != before + added:
            self.repeated = True

    def _close_eager(self) -> None:
        if self.eager:
            if self.is_object:
                self._index_keys(self.eager, len(self.segments))
            self.segments.append(self.eager)
            self.eager = {} if self.is_object else []

    def value(self) -> Any:
        """The container: chunked when pieces were kept, else plain."""
        self._close_eager()
        if self.chunks and not self.unchunked and not self.repeated:
            if self.is_object:
                return ChunkedDict(self.source, self.segments, self.index)
            return ChunkedList(self.source, self.segments)
        result: Any = {} if self.is_object else []
        for segment in self.segments:
            values = self.source.fresh(segment) if isinstance(segment, Chunk) else segment
            if self.is_object:
                result.update(values)
            else:
                result.extend(values)
        return result
