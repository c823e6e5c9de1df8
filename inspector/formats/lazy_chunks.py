"""The bytes side of the lazy document (:mod:`inspector.formats.lazy_json`): where a piece lies in the document's
bytes (:class:`Chunk`), the bytes and their decoded-chunk cache (:class:`Source`), and what is kept of an element
while it is parsed (:func:`outline`)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import orjson

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

    def take(self, chunk: Chunk) -> Any:
        """The chunk decoded, for its container to keep for good (pinned): out of the cache if it is there."""
        with self.lock:
            cached = self.decoded.pop(chunk, None)
            if cached is not None:
                self.used -= chunk.stop - chunk.start
                return cached
        return self.fresh(chunk)

    def fresh(self, chunk: Chunk) -> Any:
        """The chunk decoded anew (not cached): a copy to keep (pinning) or to serialize."""
        return orjson.loads(chunk.wrapped(self.data))
