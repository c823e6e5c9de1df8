"""Byte scanning for json_pieces: whitespace, member starts and commas, long strings and their closing quotes."""

from __future__ import annotations

import re
from typing import Any

import orjson

#: At most this many bytes of the first element make its signature.
SIGNATURE_MAX = 96
#: Bytes searched per call (a short hold of the GIL).
SCAN_STEP = 2 * 1024 * 1024
#: Bytes of a long string searched for its closing quote per step.
STRING_BLOCK = 256 * 1024
#: A string longer than this is parsed in chunks of :data:`STRING_CHUNK` bytes and their values joined: orjson reads
#: a long string slower per byte than a short one (40 MB of base64: 70 ms in one call, ~20 ms in 256 KB chunks, plus
#: ~20 ms to join them; 1 MB: 0.4 ns a byte, 16 MB: 1.3 ns).
LONG_STRING = 2 * 1024 * 1024
STRING_CHUNK = 256 * 1024
#: The longest escape (``\uXXXX``): a chunk never ends within this many bytes after a backslash.
_ESCAPE_MAX = 6
#: Steps back over backslashes looking for a chunk's end before the string is parsed in one call.
_CHUNK_END_TRIES = 64
_WS = b" \t\r\n"
_AFTER_DOCUMENT = "unexpected content after document"
#: Possessive (``++``/``*+``): the plain ``(?:[^"\\]|\\.)*`` keeps one backtracking mark per character, ~150 bytes
#: of memory per byte of a key (a 20 MB key cost 2.4 GB); this form keeps none and is ~50x faster.
_KEY = re.compile(rb'"(?:[^"\\]++|\\.)*+"')


class Unsplittable(Exception):
    """The document cannot be parsed in pieces here; parse it whole."""


def _skip_ws(data: bytes, pos: int) -> int:
    size = len(data)
    while pos < size and data[pos] in _WS:
        pos += 1
    return pos


def _member_value(data: bytes, pos: int) -> int:
    """Where the value of the object member whose key begins at ``pos`` begins, or -1."""
    match = _KEY.match(data, pos, pos + SIGNATURE_MAX)
    if match is None:
        return -1
    pos = _skip_ws(data, match.end())
    if pos >= len(data) or data[pos] != 0x3A:  # ":"
        return -1
    return _skip_ws(data, pos + 1)


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


def _string(view: memoryview, data: bytes, pos: int) -> tuple[Any, int]:
    """The string beginning at ``pos`` (a quote) and the offset after its closing quote.

    The first quote that no backslash precedes is found at C speed (``bytes.find``, then a regex for text full of
    escaped quotes); it closes the string unless an escaped backslash comes before the real closing quote
    (``\\\\"``): orjson then refuses the string and the quotes are counted (:func:`_closing_quote`)."""
    quote = data.find(b'"', pos + 1, pos + 1 + LONG_STRING)
    if quote < 0 or data[quote - 1] == 0x5C:  # a long string, or escaped quotes: in chunks, the end found as it goes
        found = _long_string(view, data, pos)
        if found is not None:
            return found
        quote = _unescaped_quote(data, pos + 1)
    if quote >= 0:
        try:
            return _string_value(view, data, pos, quote), quote + 1
        except orjson.JSONDecodeError:
            pass
    quote = _closing_quote(data, pos + 1)
    try:
        return _string_value(view, data, pos, quote), quote + 1
    except orjson.JSONDecodeError as exc:
        raise Unsplittable(exc.msg) from None


def _long_string(view: memoryview, data: bytes, pos: int) -> tuple[str, int] | None:
    """The long string beginning at ``pos`` and the offset after its closing quote, parsed in chunks (see
    :func:`_string_value`), its end found as they are read (the bytes come from memory once): the first quote of a
    chunk when no backslash precedes it (``bytes.find``), else where orjson says the chunk's string ended. None when
    orjson refuses a chunk (bad JSON: :func:`_string` then takes its slower ways)."""
    parts: list[str] = []
    start = pos + 1
    size = len(data)
    while start < size:
        end = _chunk_end(data, start, size)
        if end <= start:
            return None
        quote = data.find(b'"', start, end)
        if quote >= 0 and data[quote - 1] == 0x5C:  # an escaped quote, or an escaped backslash before the end
            quote = -1
        chunk = bytearray(b'"')
        chunk += view[start : end if quote < 0 else quote]
        chunk += b'"'
        try:
            parts.append(orjson.loads(chunk))
        except orjson.JSONDecodeError as exc:
            if quote >= 0 or exc.msg != _AFTER_DOCUMENT:
                return None
            # the string closed inside the chunk: at the last quote before what orjson did not expect
            quote = chunk.rfind(b'"', 0, _byte_offset(chunk, exc.pos))
            try:
                parts.append(orjson.loads(memoryview(chunk)[: quote + 1]))
            except orjson.JSONDecodeError:  # pragma: no cover - orjson just read it
                return None
            return "".join(parts), start + quote
        if quote >= 0:
            return "".join(parts), quote + 1
        start = end
    return None


def _string_value(view: memoryview, data: bytes, pos: int, quote: int) -> Any:
    """The value of the string from the quote at ``pos`` to the one at ``quote``, by orjson: in one call, or above
    :data:`LONG_STRING` in chunks, each wrapped in quotes. Raises ``orjson.JSONDecodeError``.

    The chunks are a proof too: each is a complete string body (orjson refuses a bare quote, a cut escape, a cut
    UTF-8 sequence, half a surrogate pair), so the bytes between the quotes are one string body, the joined values
    are its value and the quote at ``quote`` closes it. Chunks end where no UTF-8 sequence continues, and no escape:
    no backslash in the 6 bytes before, or just before an escape (otherwise orjson would refuse the chunk: the
    string is then parsed in one call)."""
    if quote - pos <= LONG_STRING:
        return orjson.loads(view[pos : quote + 1])
    parts: list[str] = []
    start = pos + 1
    while start < quote:
        end = _chunk_end(data, start, quote)
        if end <= start:
            return orjson.loads(view[pos : quote + 1])
        chunk = bytearray(b'"')
        chunk += view[start:end]
        chunk += b'"'
        parts.append(orjson.loads(chunk))
        start = end
    return "".join(parts)


def _chunk_end(data: bytes, start: int, stop: int) -> int:
    """Where the chunk of a long string that begins at ``start`` ends (``stop`` for the last one): about
    :data:`STRING_CHUNK` on, at a character boundary no escape straddles; ``start`` when none is found nearby."""
    end = start + STRING_CHUNK
    if end >= stop - STRING_CHUNK // 4:
        return stop
    while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: the character began before
        end -= 1
    for _ in range(_CHUNK_END_TRIES):
        backslash = data.rfind(b"\\", max(start, end - _ESCAPE_MAX), end)
        if backslash < 0:
            return end
        if backslash > start and data[backslash - 1] != 0x5C and _LOW_SURROGATE.match(data, backslash) is None:
            return backslash  # an escape begins there (not the second half of a surrogate pair)
        end = backslash  # before the escape (or the run of backslashes) that may straddle ``end``
    return start


#: The second half of a surrogate pair (``\ud83d\ude00``): a chunk does not end before it.
_LOW_SURROGATE = re.compile(rb"\\u[dD][c-fC-F]")


#: A quote that does not follow a backslash (``"`` first: the regex engine skips to each quote at C speed).
_BARE_QUOTE = re.compile(rb'"(?<=[^\\]")')


def _unescaped_quote(data: bytes, at: int, stop: int | None = None) -> int:
    """The first quote from ``at`` on (before ``stop``) that no backslash precedes, or -1."""
    stop = len(data) if stop is None else min(stop, len(data))
    quote = data.find(b'"', at, stop)
    if quote < 0 or data[quote - 1] != 0x5C:  # base64 and most text: the first quote
        return quote
    match = _BARE_QUOTE.search(data, quote + 1, stop)
    return -1 if match is None else match.start()


def _closing_quote(data: bytes, at: int) -> int:
    """The first quote from ``at`` on that no backslash escapes. Blocks whose every quote follows exactly one
    backslash are skipped with three counts (a text full of ``\\"`` costs no loop per quote)."""
    size = len(data)
    while at < size:
        end = min(size, at + STRING_BLOCK)
        quotes = data.count(b'"', at, end)
        if quotes and (quotes != data.count(b'\\"', max(0, at - 1), end) or data.count(b'\\\\"', max(0, at - 2), end)):
            while True:  # a closing quote may be in this block: look at each
                quote = data.find(b'"', at, end)
                if quote < 0:
                    break
                slashes = 0
                while data[quote - 1 - slashes] == 0x5C:  # after an odd number of backslashes it is escaped
                    slashes += 1
                if slashes % 2 == 0:
                    return quote
                at = quote + 1
        at = end
    raise Unsplittable("the document ends inside a string")


def _byte_offset(chunk: memoryview | bytearray, char_pos: int) -> int:
    """orjson reports positions in characters; the same position in bytes (reading only as far as needed)."""
    head = bytes(chunk[:char_pos])
    if head.isascii():
        return char_pos
    raw = bytes(chunk[: 4 * char_pos])  # a character takes at most 4 bytes
    return len(raw.decode("utf-8", "replace")[:char_pos].encode("utf-8"))
