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
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import orjson

from inspector.compose.locate import locate
from inspector.formats.jsondoc import split

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


def pretty_bytes(value: Any) -> tuple[bytearray, Node] | None:
    """``value`` pretty-printed (two-space indent, as :func:`inspector.services.document_text.initial_text` makes
    it: the same characters) as UTF-8 in one bytearray, and where its containers' members are. None when a value
    needs the standard library (a non-string key, a huge integer...)."""
    out = bytearray()
    try:
        node = _write(value, 0, out)
    except (TypeError, orjson.JSONEncodeError):
        return None
    out += b"\n"
    assert node is not None
    return out, node


def _write(value: Any, depth: int, out: bytearray) -> Node | None:
    start = len(out)
    if isinstance(value, dict | list) and value and depth >= 2:
        piece = orjson.dumps(value, option=orjson.OPT_INDENT_2)
        if len(piece) <= BIG_PIECE:
            out += piece.replace(b"\n", b"\n" + b"  " * depth)
            return None
        del piece
    if isinstance(value, dict | list) and value:
        node = Node(start)
        pad = b"  " * (depth + 1)
        is_dict = isinstance(value, dict)
        out += b"{\n" if is_dict else b"[\n"
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for i, (key, item) in enumerate(items):
            if is_dict and not isinstance(key, str):
                raise TypeError("a non-string key")
            out += b",\n" + pad if i else pad
            if is_dict:
                out += orjson.dumps(key) + b": "
            node.starts.append(len(out))
            child = _write(item, depth + 1, out)
            node.ends.append(len(out))
            if child is not None:
                node.children[i] = child
        out += b"\n" + b"  " * depth + (b"}" if is_dict else b"]")
        node.end = len(out)
        return node
    piece = orjson.dumps(value, option=orjson.OPT_INDENT_2)
    out += piece.replace(b"\n", b"\n" + b"  " * depth) if depth and b"\n" in piece else piece
    return None


class LineSource:
    """A buffer and its line-start index. ``buffer`` is a ``str`` or a bytes-like object (UTF-8)."""

    def __init__(self, buffer: str | bytes | bytearray, starts: array, longest: int) -> None:
        self.buffer = buffer
        self.is_text = isinstance(buffer, str)
        self._starts = starts
        #: Length of the longest line (in buffer units): the horizontal scroll range.
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

    def line_end(self, line: int) -> int:
        """Offset of the end of ``line`` (before its newline)."""
        end = self._starts[line + 1] - 1 if line + 1 < len(self._starts) else len(self.buffer)
        if end > self._starts[line] and self.buffer[end - 1 : end] in ("\r", b"\r"):
            end -= 1
        return end

    def line(self, line: int) -> str:
        """The text of ``line`` as shown (without its newline)."""
        return self.decode(self.buffer[self._starts[line] : self.line_end(line)])

    def decode(self, piece: str | bytes | bytearray) -> str:
        return piece if isinstance(piece, str) else piece.decode("utf-8", "replace")

    def line_of(self, offset: int) -> int:
        return max(0, bisect_right(self._starts, offset) - 1)

    def offset(self, line: int, column: int) -> int:
        """The buffer offset of ``column`` (a character index) in ``line``."""
        start, end = self._starts[line], self.line_end(line)
        if self.is_text:
            return min(start + max(0, column), end)
        raw = self.buffer[start:end]
        if raw.isascii():
            return start + min(max(0, column), len(raw))
        return start + len(raw.decode("utf-8", "replace")[: max(0, column)].encode("utf-8"))

    def column(self, line: int, offset: int) -> int:
        """The character index in ``line`` of a buffer ``offset`` (clamped to the line)."""
        start, end = self._starts[line], self.line_end(line)
        offset = min(max(offset, start), end)
        if self.is_text:
            return offset - start
        return len(self.buffer[start:offset].decode("utf-8", "ignore"))

    def text(self, start: int, end: int) -> str:
        """The text between two offsets."""
        return self.decode(self.buffer[max(0, start) : max(0, end)])

    def snap(self, offset: int) -> int:
        """``offset`` moved back to the start of its character (bytes: never inside a UTF-8 sequence)."""
        if self.is_text:
            return offset
        while 0 < offset < len(self.buffer) and (self.buffer[offset] & 0xC0) == 0x80:
            offset -= 1
        return offset

    # ------------------------------------------------------------------ find

    def find(self, needle: str, start: int, *, backward: bool = False, case: bool = False) -> tuple[int, int] | None:
        """The next match of ``needle`` from ``start`` (before it when ``backward``), wrapping around, as offsets.
        Without ``case`` the match ignores case (for a bytes buffer: ASCII letters only)."""
        if not needle:
            return None
        pattern: Any = needle if self.is_text else needle.encode("utf-8")
        if case:
            found = self._find_exact(pattern, start, backward)
        else:
            found = self._find_re(re.compile(re.escape(pattern), re.IGNORECASE), start, backward)
        return None if found is None else (found, found + len(pattern))

    def _find_exact(self, pattern: Any, start: int, backward: bool) -> int | None:
        buf = self.buffer
        if backward:
            at = buf.rfind(pattern, 0, max(0, start))
            return at if at >= 0 else (buf.rfind(pattern) if buf.rfind(pattern) >= 0 else None)
        at = buf.find(pattern, start)
        if at < 0:
            at = buf.find(pattern)
        return at if at >= 0 else None

    def _find_re(self, regex: re.Pattern[Any], start: int, backward: bool) -> int | None:
        buf = self.buffer
        if not backward:
            match = regex.search(buf, start) or regex.search(buf, 0)
            return match.start() if match else None
        for end in (start, len(buf)):  # before the start, then (wrapping) from the end
            while end > 0:
                begin = max(0, end - FIND_CHUNK)
                last = None
                for last in regex.finditer(buf, begin, end):  # noqa: B007 (the last one is wanted)
                    pass
                if last is not None:
                    return last.start()
                if begin == 0:
                    break
                end = begin + len(regex.pattern)  # overlap a needle's length
        return None


@dataclass(slots=True)
class PointerIndex:
    """Where values sit in text made by :func:`pretty_bytes`: a pointer is followed through the containers written
    member by member; the rest of it is found in its piece (a few kilobytes) by :func:`locate`."""

    root: Node
    value_of: Callable[[str], Any]  # the container at a pointer (to turn a member name into its index)

    def span(self, buffer: bytes | bytearray, pointer: str) -> tuple[int, int] | None:
        tokens = split(pointer)
        node = self.root
        start, end = node.start, node.end
        prefix = ""
        for depth, token in enumerate(tokens):
            container = self.value_of(prefix)
            index = _member_index(container, token)
            if index is None or index >= len(node.starts):
                return None
            start, end = node.starts[index], node.ends[index]
            prefix = f"{prefix}/{_escape(token)}"
            child = node.children.get(index)
            if child is None:
                rest = tokens[depth + 1 :]
                return (start, end) if not rest else self._in_piece(buffer, start, end, rest)
            node = child
        return start, end

    @staticmethod
    def _in_piece(buffer: bytes | bytearray, start: int, end: int, rest: list[str]) -> tuple[int, int] | None:
        raw = bytes(buffer[start:end])
        text = raw.decode("utf-8")
        where = locate(text, "".join(f"/{_escape(t)}" for t in rest))
        if where is None:
            return None
        if raw.isascii():
            return start + where.start, start + where.end
        return start + len(text[: where.start].encode()), start + len(text[: where.end].encode())


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _member_index(container: Any, token: str) -> int | None:
    if isinstance(container, list):
        return int(token) if token.isdigit() and int(token) < len(container) else None
    if isinstance(container, dict):
        for index, key in enumerate(container):
            if key == token:
                return index
    return None
