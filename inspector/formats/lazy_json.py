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

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import orjson

from inspector.formats import lazy_containers
from inspector.formats.lazy_chunks import DUMPS_OPTIONS, Chunk, Shape, Source, outline
from inspector.formats.lazy_containers import ChunkedDict, ChunkedList, MaterializedList

#: Documents above this size keep their big containers as chunks of their bytes (at and below: plain values).
#: ``CRASH_INSPECTOR_TEST_LAZY=1`` runs the test suite with every document of more than a few hundred bytes
#: through this path (tests/conftest.py).
LAZY_FROM = 16 * 1024 * 1024
#: Elements of a chunked container get outlines when they are this big on average (they hold lists, e.g. stacks).
OUTLINE_FROM = 1024


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

    def between(self, start: int, stop: int | None = None) -> Iterable[Any]:
        """``self[start:stop]`` to be read once (see :meth:`ChunkedList.between`)."""
        found = self._list()
        return found.between(start, stop) if isinstance(found, ChunkedList) else found[start:stop]


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
    if not lazy_containers.made:
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


__all__ = [
    "DUMPS_OPTIONS",
    "LAZY_FROM",
    "Builder",
    "ChunkedDict",
    "ChunkedList",
    "Deferred",
    "MaterializedList",
    "Shape",
    "Source",
    "dumps_default",
    "is_chunked",
    "kept",
    "outline",
    "outlines",
    "pin_path",
    "plain",
    "pretty",
    "pretty_default",
]
