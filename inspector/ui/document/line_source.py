"""The text of a big document for :mod:`~inspector.ui.document.line_view`, without Qt: a line-start index over one
buffer, the lines cut out on demand, find, and where a JSON Pointer's value sits.

The buffer is either the document's own text (``str``: the editor path or a form edit made it) or bytes: the
original file when it is written on many lines, else the pretty-printed form made here in pieces straight into one
``bytearray`` (:func:`pretty_bytes`; no list of pieces, no second joined copy, no ``str`` of it). The index holds one
integer per line (4 bytes while the buffer is under 4 GB). Offsets are positions in the buffer: characters of a
``str``, bytes of a ``bytes``; a column is a character index in the line as shown.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import orjson

from inspector.compose.locate import locate
from inspector.formats.jsondoc import split
from inspector.formats.lazy_chunks import DUMPS_OPTIONS
from inspector.formats.lazy_json import dumps_default, is_chunked, pretty_default

#: Characters (or bytes) of the buffer split into lines per step while indexing (a short hold of the GIL each).
INDEX_CHUNK = 1 << 20
#: Containers above the root's children are pretty-printed as one piece unless the piece is bigger than this:
#: then they are written member by member, so a pointer inside finds its value without reading a huge piece.
BIG_PIECE = 1 << 20
#: A search looks at this much of the buffer per step (backward, case-insensitive).
FIND_CHUNK = 4 << 20


def _starts(size: int) -> array:
    return array("I" if size < 2**32 else "q")


@dataclass(slots=True)
class Node:
    """Where a container written member by member sits: its span, each member's value span, and the nodes of the
    members that were written member by member too (by member index)."""

    start: int
    end: int = 0
    starts: array = field(default_factory=lambda: array("q"))
    ends: array = field(default_factory=lambda: array("q"))
    children: dict[int, Node] = field(default_factory=dict)
    #: An object's member names in order (a chunked object finds a name's place, or a run of members, without
    #: decoding every chunk before it).
    keys: list[str] | None = None


def pretty_bytes(value: Any) -> tuple[bytearray, Node] | None:
    """``value`` pretty-printed (two-space indent, as :func:`inspector.services.document_text.initial_text` makes
    it: the same characters) as UTF-8 in one bytearray, and where its containers' members are. None when a value
    needs the standard library (a non-string key, a huge integer...)."""
    out = bytearray()
    try:
        node = _write_root(value, out)
    except (TypeError, orjson.JSONEncodeError):
        return None
    out += b"\n"
    return out, node


def _write_root(value: Any, out: Any, cancelled: Callable[[], bool] = lambda: False) -> Node:
    if isinstance(value, dict | list) and value:
        return _write(value, 0, out, cancelled)
    out += _pretty_json(value)
    return Node(0, len(out))


def _pretty_json(value: Any) -> bytes:
    """``orjson.dumps(value, option=OPT_INDENT_2)``, also of the document's chunked containers (decoded while
    written: :mod:`inspector.formats.lazy_json`), as the document's text is made."""
    return orjson.dumps(value, default=pretty_default, option=orjson.OPT_INDENT_2 | DUMPS_OPTIONS)


def _dumped(item: Any, depth: int, check_compact: bool = False) -> tuple[bytes | None, float]:
    """``item`` pretty-printed at ``depth``, or None when it is written member by member: a non-empty container
    of the root or its children (as the document's text is made), or one whose text (indented at its depth) is
    above :data:`BIG_PIECE`.

    ``check_compact``: the item may well be big (its container's members are big on average): a container whose
    compact text is already above :data:`BIG_PIECE` is not written pretty to find out. Each level of a deep
    document would otherwise write all it holds again, with an indentation that grows with the depth (200 levels:
    30 times the file), where the compact text costs little and does not grow.

    Also returns the size of the text measured (compact or pretty; infinite when none was), from which the
    members' size is guessed when the item is written member by member."""
    if isinstance(item, dict | list) and item:
        if depth < 2:
            return None, float("inf")
        if check_compact or is_chunked(item):  # (a chunked container's compact text is its own bytes: cheap)
            compact = len(orjson.dumps(item, default=dumps_default, option=DUMPS_OPTIONS))
            if compact > BIG_PIECE:
                return None, compact
        data = _pretty_json(item)
        if len(data) + 2 * depth * data.count(b"\n") > BIG_PIECE:  # its size once indented at its depth
            return None, len(data)
    else:
        data = _pretty_json(item)
    return (data.replace(b"\n", b"\n" + b"  " * depth) if b"\n" in data else data), len(data)


def _write(
    value: dict | list, depth: int, out: Any, cancelled: Callable[[], bool], member_size: float = float("inf")
) -> Node:
    """Write the non-empty container ``value`` at ``depth`` member by member to ``out`` (a bytearray, or a
    :class:`PieceSource`, which keeps runs of members as references to them); where its members are.
    ``member_size``: about how big its members are (their compact text), when known."""
    if cancelled():
        raise InterruptedError
    node = Node(len(out))
    pad = b"  " * (depth + 1)
    is_dict = isinstance(value, dict)
    if is_dict:
        node.keys = []
    check_compact = member_size > BIG_PIECE / 16
    out += b"{\n" if is_dict else b"[\n"
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for i, (key, item) in enumerate(items):
        if is_dict and not isinstance(key, str):
            raise TypeError("a non-string key")
        if node.keys is not None:
            node.keys.append(key)
        sep = (b",\n" + pad if i else pad) + (orjson.dumps(key) + b": " if is_dict else b"")
        data, size = _dumped(item, depth + 1, check_compact)
        if data is None:
            out += sep
            node.starts.append(len(out))
            node.children[i] = _write(item, depth + 1, out, cancelled, size / len(item))
        elif isinstance(out, bytearray):
            out += sep
            node.starts.append(len(out))
            out += data
        else:
            out.member(value, node.keys, i, depth + 1, sep, data)
            node.starts.append(len(out) - len(data))
        node.ends.append(len(out))
    out += b"\n" + b"  " * depth + (b"}" if is_dict else b"]")
    node.end = len(out)
    return node


@dataclass(slots=True)
class _Run:
    """Members ``first``..``end`` (exclusive) of ``container``, at ``depth``: one segment of a PieceSource."""

    container: dict | list
    keys: list[str] | None  # an object's member names (its node's)
    first: int
    end: int
    depth: int

    def render(self) -> bytes:
        pad = b"  " * self.depth
        parts = []
        container: Any = self.container
        items: Any = (
            ((key, container[key]) for key in self.keys[self.first : self.end])
            if self.keys is not None
            else ((None, item) for item in container[self.first : self.end])
        )
        for index, (key, item) in enumerate(items, start=self.first):
            parts.append(b",\n" + pad if index else pad)
            if key is not None:
                parts.append(orjson.dumps(key) + b": ")
            data, _size = _dumped(item, self.depth)
            assert data is not None  # a run holds members written whole
            parts.append(data)
        return b"".join(parts)


class Lines:
    """What :class:`~inspector.ui.document.line_view.LineView` reads: lines by number, text between offsets, find.

    Subclasses give ``size``, ``line_count``, ``line_start``, ``line_of``, ``raw`` (the buffer's units between two
    offsets) and ``is_text`` (offsets count characters of a ``str``; else bytes of UTF-8).
    """

    is_text = False
    #: Length of the longest line (in buffer units, roughly): the horizontal scroll range.
    longest = 0

    @property
    def size(self) -> int:
        raise NotImplementedError

    @property
    def line_count(self) -> int:
        raise NotImplementedError

    def line_start(self, line: int) -> int:
        raise NotImplementedError

    def line_of(self, offset: int) -> int:
        raise NotImplementedError

    def raw(self, start: int, end: int, keep: bool = True) -> Any:
        """The buffer between two offsets (a ``str`` or ``bytes``). ``keep=False``: from another thread (a search on
        the pool), without touching what is kept for painting."""
        raise NotImplementedError

    def line_end(self, line: int) -> int:
        """Offset of the end of ``line`` (before its newline, and before a ``\r`` ending it)."""
        start = self.line_start(line)
        end = self.line_start(line + 1) - 1 if line + 1 < self.line_count else self.size
        if end > start and self.raw(end - 1, end) in ("\r", b"\r"):
            end -= 1
        return end

    def line(self, line: int) -> str:
        """The text of ``line`` as shown (without its newline)."""
        return self.decode(self.raw(self.line_start(line), self.line_end(line)))

    def line_part(self, line: int, first: int, count: int) -> str:
        """Characters ``first``..``first + count`` of ``line`` (a long line's window: not decoded whole when the
        characters before the window are ASCII)."""
        start, end = self.line_start(line), self.line_end(line)
        if self.is_text:
            return str(self.raw(min(end, start + first), min(end, start + first + count)))
        head = self.raw(start, min(end, start + first))
        if len(head) == first and head.isascii():
            at = start + first
            return self.decode(self.raw(at, min(end, at + 4 * count)))[:count]
        return self.line(line)[first : first + count]

    def decode(self, piece: str | bytes | bytearray) -> str:
        return piece if isinstance(piece, str) else piece.decode("utf-8", "replace")

    def offset(self, line: int, column: int) -> int:
        """The buffer offset of ``column`` (a character index) in ``line``."""
        start, end = self.line_start(line), self.line_end(line)
        if self.is_text:
            return min(start + max(0, column), end)
        raw = self.raw(start, end)
        if raw.isascii():
            return start + min(max(0, column), len(raw))
        return start + len(raw.decode("utf-8", "replace")[: max(0, column)].encode("utf-8"))

    def column(self, line: int, offset: int) -> int:
        """The character index in ``line`` of a buffer ``offset`` (clamped to the line)."""
        start, end = self.line_start(line), self.line_end(line)
        offset = min(max(offset, start), end)
        if self.is_text:
            return offset - start
        return len(self.raw(start, offset).decode("utf-8", "ignore"))

    def text(self, start: int, end: int) -> str:
        """The text between two offsets."""
        return self.decode(self.raw(max(0, start), min(self.size, max(0, end))))

    # ------------------------------------------------------------------ find

    def find(
        self,
        needle: str,
        start: int,
        *,
        backward: bool = False,
        case: bool = False,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> tuple[int, int] | None:
        """The next match of ``needle`` from ``start`` (before it when ``backward``), wrapping around, as offsets.
        Without ``case`` the match ignores case (for a bytes buffer: ASCII letters only). The buffer is read
        :data:`FIND_CHUNK` at a time (without touching what painting keeps: this may run on a worker thread)."""
        if not needle:
            return None
        pattern: Any = needle if self.is_text else needle.encode("utf-8")
        flags = 0 if case else re.IGNORECASE
        regex = re.compile(re.escape(pattern), flags)
        size, overlap = self.size, len(pattern) - 1
        start = min(max(0, start), size)
        if not backward:
            for begin, stop in ((start, size), (0, min(size, start + overlap))):
                while begin < stop:
                    if cancelled():
                        raise InterruptedError
                    end = min(stop, begin + FIND_CHUNK)
                    match = regex.search(self.raw(begin, min(size, end + overlap), keep=False))
                    if match is not None and begin + match.start() + len(pattern) <= size:
                        return begin + match.start(), begin + match.end()
                    begin = end
            return None
        for stop, floor in ((start, 0), (size, max(0, start - overlap))):
            while stop > floor:
                if cancelled():
                    raise InterruptedError
                begin = max(floor, stop - FIND_CHUNK)
                last = None
                for last in regex.finditer(self.raw(begin, min(size, stop + overlap), keep=False)):
                    if begin + last.start() >= stop:
                        break
                    found = last
                else:
                    found = last
                if found is not None and begin + found.start() < stop:
                    return begin + found.start(), begin + found.end()
                stop = begin
        return None


class LineSource(Lines):
    """A buffer and its line-start index. ``buffer`` is a ``str`` or a bytes-like object (UTF-8)."""

    def __init__(self, buffer: str | bytes | bytearray, starts: array, longest: int) -> None:
        self.buffer = buffer
        self.is_text = isinstance(buffer, str)
        self._starts = starts
        self.longest = longest

    @classmethod
    def index(cls, buffer: str | bytes | bytearray, cancelled: Callable[[], bool] = lambda: False) -> LineSource:
        """Index the lines of ``buffer`` (a step of :data:`INDEX_CHUNK` at a time)."""
        size = len(buffer)
        starts = _starts(size)
        newline: Any = "\n" if isinstance(buffer, str) else b"\n"
        longest = 0
        pos = 0
        while pos < size:
            if cancelled():
                raise InterruptedError
            end = buffer.find(newline, pos + INDEX_CHUNK)
            end = size if end < 0 else end + 1
            lengths = [len(line) + 1 for line in buffer[pos:end].split(newline)]
            longest = max(longest, max(lengths) - 1)
            lengths.pop()  # each part starts where the ones before it end
            starts.extend(accumulate(lengths, initial=pos))
            if end < size:
                starts.pop()  # the empty part after the chunk's last newline: the next chunk's first line
            pos = end
        if not starts:
            starts.append(0)
        # A final newline leaves an empty last line (as editors show it); a text without one ends on its last line.
        return cls(buffer, starts, longest)

    @property
    def line_count(self) -> int:
        return len(self._starts)

    @property
    def size(self) -> int:
        return len(self.buffer)

    def line_start(self, line: int) -> int:
        return self._starts[line]

    def line_of(self, offset: int) -> int:
        return max(0, bisect_right(self._starts, offset) - 1)

    def raw(self, start: int, end: int, keep: bool = True) -> Any:
        return self.buffer[start:end]


#: Bytes of text per segment at most (a segment is written again, and its newlines found, each time it is read).
LITERAL_RUN = 64 * 1024
#: Pieces kept written out (the ones on screen and around).
PIECE_CACHE = 32
#: ... and at most about this many bytes of them (a few 8 MB strings are a few segments), but always the last
#: :data:`KEEP_RECENT` used (a screen's lines may touch a few segments: evicting one of them would write it again
#: for every line).
CACHE_BYTES = 64 * 1024 * 1024
KEEP_RECENT = 8


def _newlines(data: bytes) -> array:
    """Offsets of the newlines in ``data``: found one by one when few (a long line: no copies), else the lengths
    of the lines summed (a loop of find() over many short lines is 4x slower)."""
    if data.count(b"\n") < 1000:
        newlines = array("q")
        at = data.find(b"\n")
        while at >= 0:
            newlines.append(at)
            at = data.find(b"\n", at + 1)
        return newlines
    return array("q", accumulate((len(line) + 1 for line in data.split(b"\n")), initial=-1))[1:-1]


class PieceSource(Lines):
    """The pretty-printed text of a value, never held whole. The text is cut into segments of up to
    :data:`LITERAL_RUN` bytes: the brackets of the containers written member by member are kept as bytes, and each
    run of members between them is kept as a reference (container, first and last member), written again with
    ``orjson`` when a line in it is read (the last :data:`PIECE_CACHE` kept). An index of segments (offset, newlines
    before: 16 bytes each) finds a line's segment; the text is the same, byte for byte, as :func:`pretty_bytes`."""

    def __init__(self) -> None:
        self._glue = bytearray()
        self._seg_start = array("q")
        self._seg_lines = array("q")  # newlines before the segment
        self._seg_ref = array("q")  # >= 0: offset in the glue; < 0: -1 - index in _runs
        self._runs: list[_Run] = []
        self._size = 0
        self._newlines = 0
        self._open_literal = False
        self._column = 0
        self._cached = 0
        self._cache: OrderedDict[int, tuple[bytes, array]] = OrderedDict()
        self.longest = 0

    @classmethod
    def build(cls, value: Any, cancelled: Callable[[], bool] = lambda: False) -> tuple[PieceSource, Node] | None:
        """The source of ``value``'s pretty text and where its values sit; None when a value needs the standard
        library (a non-string key, a huge integer...)."""
        source = cls()
        try:
            node = _write_root(value, source, cancelled)
        except (TypeError, orjson.JSONEncodeError):
            return None
        source.literal(b"\n")
        return source, node

    # ------------------------------------------------------------------ writing (the same calls as a bytearray)

    def __len__(self) -> int:
        return self._size

    def __iadd__(self, data: bytes) -> PieceSource:
        self.literal(data)
        return self

    def literal(self, data: bytes) -> None:
        if not self._open_literal or self._long_segment():
            self._new_segment(len(self._glue))
            self._open_literal = True
        self._glue += data
        self._end_segment(data)

    def member(
        self, container: dict | list, keys: list[str] | None, index: int, depth: int, sep: bytes, data: bytes
    ) -> None:
        """Member ``index`` of ``container`` (``keys``: an object's member names; ``sep``: the comma, indent and key
        before it; ``data``: its text)."""
        run = self._runs[-1] if self._runs and not self._open_literal else None
        if run is None or run.container is not container or run.end != index or self._long_segment():
            self._new_segment(-1 - len(self._runs))
            self._runs.append(_Run(container, keys, index, index + 1, depth))
            self._open_literal = False
        else:
            run.end += 1
        self._end_segment(sep + data)

    def _long_segment(self) -> bool:
        return self._size - self._seg_start[-1] >= LITERAL_RUN

    def _new_segment(self, ref: int) -> None:
        self._seg_start.append(self._size)
        self._seg_lines.append(self._newlines)
        self._seg_ref.append(ref)

    def _end_segment(self, data: bytes) -> None:
        """Count ``data``, just written: size, newlines, the longest line."""
        self._size += len(data)
        last = data.rfind(b"\n")
        if last < 0:
            self._column += len(data)
            self.longest = max(self.longest, self._column)
            return
        self._newlines += data.count(b"\n")
        first = data.find(b"\n")
        self.longest = max(self.longest, self._column + first)
        if last > first and last - first > self.longest:  # a line inside may be longer
            self.longest = max(self.longest, *map(len, data[first + 1 : last].split(b"\n")))
        self._column = len(data) - last - 1
        self.longest = max(self.longest, self._column)

    # ------------------------------------------------------------------ reading

    @property
    def size(self) -> int:
        return self._size

    @property
    def line_count(self) -> int:
        return self._newlines + 1

    def _bytes(self, index: int) -> bytes:
        """A segment's text: kept bytes, or a run of members written again."""
        ref = self._seg_ref[index]
        if ref < 0:
            return self._runs[-1 - ref].render()
        end = self._seg_start[index + 1] if index + 1 < len(self._seg_start) else self._size
        return bytes(self._glue[ref : ref + end - self._seg_start[index]])

    def _segment(self, index: int) -> tuple[bytes, array]:
        """A segment's text and the offsets of its newlines (the last :data:`PIECE_CACHE` kept)."""
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        data = self._bytes(index)
        newlines = _newlines(data)
        self._cache[index] = (data, newlines)
        self._cached += len(data) + 8 * len(newlines)
        while len(self._cache) > KEEP_RECENT and (len(self._cache) > PIECE_CACHE or self._cached > CACHE_BYTES):
            old, old_newlines = self._cache.popitem(last=False)[1]
            self._cached -= len(old) + 8 * len(old_newlines)
        return data, newlines

    def line_start(self, line: int) -> int:
        if line <= 0:
            return 0
        index = bisect_left(self._seg_lines, line) - 1  # the segment holding the line-th newline
        _data, newlines = self._segment(index)
        return self._seg_start[index] + newlines[line - self._seg_lines[index] - 1] + 1

    def line_of(self, offset: int) -> int:
        offset = min(max(0, offset), self._size)
        index = max(0, bisect_right(self._seg_start, offset) - 1)
        _data, newlines = self._segment(index)
        return self._seg_lines[index] + bisect_left(newlines, offset - self._seg_start[index])

    def raw(self, start: int, end: int, keep: bool = True) -> bytes:
        start, end = max(0, start), min(self._size, end)
        if start >= end:
            return b""
        index = max(0, bisect_right(self._seg_start, start) - 1)
        parts = []
        while start < end:
            data = self._segment(index)[0] if keep else self._bytes(index)
            base = self._seg_start[index]
            parts.append(data[start - base : end - base])
            start = base + len(data)
            index += 1
        return b"".join(parts)


@dataclass(slots=True)
class PointerIndex:
    """Where values sit in text made by :func:`pretty_bytes` or a :class:`PieceSource`: a pointer is followed
    through the containers written member by member; the rest of it is found in its piece (a few kilobytes) by
    :func:`locate`."""

    root: Node
    value_of: Callable[[str], Any]  # the container at a pointer (to turn a member name into its index)

    def span(self, source: Lines, pointer: str) -> tuple[int, int] | None:
        """Offsets of the value at ``pointer`` in ``source`` (the text this index was made with)."""
        tokens = split(pointer)
        node = self.root
        start, end = node.start, node.end
        prefix = ""
        for depth, token in enumerate(tokens):
            container = self.value_of(prefix)
            index = _member_index(container, token, node.keys)
            if index is None or index >= len(node.starts):
                return None
            start, end = node.starts[index], node.ends[index]
            prefix = f"{prefix}/{_escape(token)}"
            child = node.children.get(index)
            if child is None:
                rest = tokens[depth + 1 :]
                return (start, end) if not rest else self._in_piece(source, start, end, rest)
            node = child
        return start, end

    @staticmethod
    def _in_piece(source: Lines, start: int, end: int, rest: list[str]) -> tuple[int, int] | None:
        raw = bytes(source.raw(start, end))
        text = raw.decode("utf-8")
        where = locate(text, "".join(f"/{_escape(t)}" for t in rest))
        if where is None:
            return None
        if raw.isascii():
            return start + where.start, start + where.end
        return start + len(text[: where.start].encode()), start + len(text[: where.end].encode())


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _member_index(container: Any, token: str, keys: list[str] | None = None) -> int | None:
    if isinstance(container, list):
        return int(token) if token.isdigit() and int(token) < len(container) else None
    if keys is not None:
        try:
            return keys.index(token)
        except ValueError:
            return None
    if isinstance(container, dict):
        for index, key in enumerate(container):
            if key == token:
                return index
    return None
