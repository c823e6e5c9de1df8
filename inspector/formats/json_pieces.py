"""Parse a big JSON document with orjson in pieces, so the thread doing it never holds the GIL for long.

One ``orjson.loads`` of 100 MB holds the GIL for ~0.6 s: the loading worker would freeze the window for that long
(Python threads only switch between bytecodes, never inside a C call). Here the document is split into pieces of
about :data:`PIECE_BYTES` at the boundaries of the elements of its big containers (a Backtrace ``threads`` object,
an App Center ``logs`` array, ...) and each piece is one short orjson call. The result is the same value
``orjson.loads`` gives, in the same key order.

Finding element boundaries without a tokenizer in Python:

- A container's elements usually begin alike (``{"type":"managedError"``, ``{"name":``): the bytes from the start
  of the first element through its first key (and a short scalar value) are a *signature*, and ``bytes.find``
  finds its next occurrences at C speed. Each occurrence, stepped back over its separator, is a candidate
  boundary. Candidates where the brackets between two boundaries do not balance are skipped (cheap
  ``bytes.count``).
- A piece is accepted only when orjson parses it, wrapped in ``[...]`` or ``{...}``. That is a proof, not a
  heuristic: a piece that starts at an element boundary and parses as a sequence of whole elements cannot end
  inside a string or inside a nested value, so the next piece starts at a true boundary too.
- Where no signature helps (the last element, a lone member), one element is parsed from a window of the bytes:
  orjson reports "unexpected content after document" at the element's end, which gives the boundary; the window
  doubles until the element fits, and containers too big for a window are split recursively.

Anything unexpected (a syntax error, a shape this does not handle) raises :class:`Unsplittable`; the caller then
parses the whole document in one call, which also produces the proper error message.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from inspector.formats.progress import report

#: Target size of one piece: ~5 ms of orjson.
PIECE_BYTES = 1024 * 1024
#: First window for a single element; it doubles until the element fits.
FIRST_WINDOW = 256 * 1024
#: Containers nested deeper than this are parsed whole (one call), however big.
MAX_DEPTH = 3
#: At most this many bytes of the first element make its signature.
SIGNATURE_MAX = 96
#: How far ahead a signature must recur to be used (elements bigger than this are split one at a time).
SIGNATURE_REACH = 32 * 1024 * 1024
#: Bytes searched per call (a short hold of the GIL).
SCAN_STEP = 2 * 1024 * 1024
#: Candidate boundaries tried for one piece before giving up on pieces there.
MAX_CANDIDATES = 64
#: Pieces that failed to parse in one container before its elements are parsed one at a time.
MAX_FAILED_PIECES = 8

_WS = b" \t\r\n"
#: Bytes a complete scalar may end with that could also be cut short by a window (a number, true/false/null).
_NUMBER_TAIL = b"0123456789.eE+-l"
#: Possessive (``++``/``*+``): the plain ``(?:[^"\\]|\\.)*`` keeps one backtracking mark per character, ~150 bytes
#: of memory per byte of a key (a 20 MB key cost 2.4 GB); this form keeps none and is ~50x faster.
_KEY = re.compile(rb'"(?:[^"\\]++|\\.)*+"')
_AFTER_DOCUMENT = "unexpected content after document"


class Unsplittable(Exception):
    """The document cannot be parsed in pieces here; parse it whole."""


def loads_in_pieces(data: bytes) -> Any:
    """``orjson.loads(data)`` computed in pieces of about :data:`PIECE_BYTES`. Raises :class:`Unsplittable`."""
    start = _skip_ws(data, 0)
    if start >= len(data) or data[start] not in b"[{":
        raise Unsplittable("not a container")
    value, end = _container(memoryview(data), data, start, 0)
    if _skip_ws(data, end) != len(data):
        raise Unsplittable("content after the document")
    return value


def _skip_ws(data: bytes, pos: int) -> int:
    size = len(data)
    while pos < size and data[pos] in _WS:
        pos += 1
    return pos


def _container(view: memoryview, data: bytes, start: int, depth: int) -> tuple[Any, int]:
    """The container beginning at ``start`` (``[`` or ``{``) and the offset after its closing bracket."""
    is_object = data[start] == 0x7B  # "{"
    close = 0x7D if is_object else 0x5D
    result: dict[str, Any] | list[Any] = {} if is_object else []
    pos = _skip_ws(data, start + 1)
    if pos < len(data) and data[pos] == close:
        return result, pos + 1
    signature = _signature(data, pos, is_object)
    failures = 0
    while True:
        end = _piece_end(data, pos, signature, is_object) if signature else None
        if end is not None:
            piece = _try_piece(view, pos, end, is_object)
            if piece is not None:
                if is_object:
                    result.update(piece)  # type: ignore[union-attr]
                else:
                    result.extend(piece)  # type: ignore[union-attr]
                pos = _skip_ws(data, end + 1)  # data[end] is the comma
                report(pos, len(data))  # the loading bar: bytes parsed of the whole
                continue
            failures += 1
            if failures > MAX_FAILED_PIECES:  # the signature misleads here: one element at a time
                signature = None
        pos = _one_element(view, data, pos, is_object, depth, result)
        pos = _skip_ws(data, pos)
        if pos >= len(data):
            raise Unsplittable("the document ends inside a container")
        if data[pos] == close:
            return result, pos + 1
        if data[pos] != 0x2C:  # ","
            raise Unsplittable("expected a comma between elements")
        pos = _skip_ws(data, pos + 1)


def _signature(data: bytes, pos: int, is_object: bool) -> bytes | None:
    """The bytes that begin this element's value through its first key (and a short string value after it, when
    that value recurs: ``{"type":"managedError"`` tells a log from an exception, ``{"name":"thread-0"`` is unique).
    None when the element is not an object or its beginning does not recur."""
    if is_object:  # skip the member's key and colon: the signature is taken from its value
        match = _KEY.match(data, pos)
        if match is None:
            return None
        pos = _skip_ws(data, match.end())
        if pos >= len(data) or data[pos] != 0x3A:  # ":"
            return None
        pos = _skip_ws(data, pos + 1)
    if pos >= len(data) or data[pos] != 0x7B:  # only elements that are objects have a telling beginning
        return None
    key_start = _skip_ws(data, pos + 1)
    match = _KEY.match(data, key_start, key_start + SIGNATURE_MAX)
    if match is None:
        return None
    colon = _skip_ws(data, match.end())
    if colon >= len(data) or data[colon] != 0x3A:
        return None
    blunt = data[pos : colon + 1]
    value_start = _skip_ws(data, colon + 1)
    string = _KEY.match(data, value_start, value_start + SIGNATURE_MAX // 2)
    if string is not None:
        sharp = data[pos : string.end()]
        if _find(data, sharp, pos + 1, pos + SIGNATURE_REACH) >= 0:
            return sharp
    return blunt if _find(data, blunt, pos + 1, pos + SIGNATURE_REACH) >= 0 else None


def _piece_end(data: bytes, pos: int, signature: bytes, is_object: bool) -> int | None:
    """Offset of a separating comma that ends a piece of about :data:`PIECE_BYTES` starting at ``pos``: the first
    balanced boundary after that many bytes, else the last one before (a short container or its end)."""
    hit = _find(data, signature, pos + PIECE_BYTES)
    for _ in range(MAX_CANDIDATES):
        if hit < 0:
            break
        comma = _boundary(data, hit, is_object)
        if comma is not None and _balanced(data, pos, comma):
            return comma
        hit = _find(data, signature, hit + 1)
    hit = data.rfind(signature, pos + 1, pos + PIECE_BYTES + len(signature))
    for _ in range(MAX_CANDIDATES):
        if hit <= pos:
            return None
        comma = _boundary(data, hit, is_object)
        if comma is not None and comma > pos and _balanced(data, pos, comma):
            return comma
        hit = data.rfind(signature, pos + 1, hit)
    return None


def _find(data: bytes, sub: bytes, start: int, end: int | None = None) -> int:
    """``data.find(sub, start, end)`` in steps of :data:`SCAN_STEP` bytes (one search over 100 MB holds the GIL
    for ~30 ms)."""
    stop = len(data) if end is None else min(end, len(data))
    overlap = len(sub) - 1
    while start < stop:
        step_end = min(stop, start + SCAN_STEP)
        hit = data.find(sub, start, min(stop, step_end + overlap))
        if hit >= 0:
            return hit
        start = step_end
    return -1


def _boundary(data: bytes, value_start: int, is_object: bool) -> int | None:
    """The comma before the element whose value begins at ``value_start``, or None."""
    start = _member_start(data, value_start) if is_object else value_start
    return None if start is None else _comma_before(data, start)


def _member_start(data: bytes, value_start: int) -> int | None:
    """For an object member whose value begins at ``value_start``: where its key's opening quote is."""
    colon = value_start - 1
    while colon > 0 and data[colon] in _WS:
        colon -= 1
    if data[colon] != 0x3A:
        return None
    quote = colon - 1
    while quote > 0 and data[quote] in _WS:
        quote -= 1
    if data[quote] != 0x22:
        return None
    opening = data.rfind(b'"', 0, quote)
    return opening if opening >= 0 else None


def _comma_before(data: bytes, pos: int) -> int | None:
    pos -= 1
    while pos > 0 and data[pos] in _WS:
        pos -= 1
    return pos if data[pos] == 0x2C else None


def _balanced(data: bytes, start: int, end: int) -> bool:
    """Whether the braces of ``data[start:end]`` balance: a cheap test that skips most boundaries inside nested
    objects (braces inside strings may mislead it either way: orjson decides)."""
    return data.count(b"{", start, end) == data.count(b"}", start, end)


def _try_piece(view: memoryview, start: int, end: int, is_object: bool) -> Any | None:
    buffer = bytearray(b"{" if is_object else b"[")
    buffer += view[start:end]
    buffer += b"}" if is_object else b"]"
    try:
        return orjson.loads(buffer)
    except orjson.JSONDecodeError:
        return None


def _one_element(
    view: memoryview, data: bytes, pos: int, is_object: bool, depth: int, result: dict[str, Any] | list[Any]
) -> int:
    """Parse the element (or member) at ``pos`` into ``result``; the offset after it."""
    if is_object:
        match = _KEY.match(data, pos)
        if match is None:
            raise Unsplittable("expected a key")
        try:
            key = orjson.loads(match.group())
        except orjson.JSONDecodeError:
            raise Unsplittable("a bad key") from None
        pos = _skip_ws(data, match.end())
        if pos >= len(data) or data[pos] != 0x3A:
            raise Unsplittable("expected a colon")
        pos = _skip_ws(data, pos + 1)
    value, pos = _value(view, data, pos, depth)
    if is_object:
        result[key] = value  # type: ignore[index]
    else:
        result.append(value)  # type: ignore[union-attr]
    return pos


def _value(view: memoryview, data: bytes, pos: int, depth: int) -> tuple[Any, int]:
    """The value at ``pos`` and the offset after it: from a window of the bytes, or split when too big."""
    window = FIRST_WINDOW
    size = len(data)
    while True:
        end = min(size, pos + window)
        chunk = view[pos:end]
        try:
            value = orjson.loads(chunk)
        except orjson.JSONDecodeError as exc:
            if exc.msg == _AFTER_DOCUMENT:
                stop = _byte_offset(chunk, exc.pos)
                return orjson.loads(view[pos : pos + stop]), pos + stop
            if end >= size:
                raise Unsplittable(exc.msg) from None
        else:
            if end >= size or data[end - 1] not in _NUMBER_TAIL:
                return value, end
            # the window may have cut a number (or a literal) short: widen it
        if data[pos] in b"[{" and depth + 1 < MAX_DEPTH:  # bigger than a window: split it too
            return _container(view, data, pos, depth + 1)
        window *= 2


def _byte_offset(chunk: memoryview, char_pos: int) -> int:
    """orjson reports positions in characters; the same position in bytes."""
    raw = bytes(chunk)
    if raw.isascii():
        return char_pos
    return len(raw.decode("utf-8", "replace")[:char_pos].encode("utf-8"))
