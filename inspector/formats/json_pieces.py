"""Parse a big JSON document with orjson in pieces, so the thread doing it never holds the GIL for long.

One ``orjson.loads`` of 100 MB holds the GIL for ~0.6 s: the loading worker would freeze the window for that long
(Python threads only switch between bytecodes, never inside a C call). Here the document is split into pieces of
about :data:`PIECE_BYTES` at the boundaries of the elements of its big containers (a Backtrace ``threads`` object,
an App Center ``logs`` array, a Rollbar ``custom`` object of 100 000 keys, ...) and each piece is one short orjson
call. The result is the same value ``orjson.loads`` gives, in the same key order.

Finding element boundaries without a tokenizer in Python (every search below is one C call over a bounded range,
and every byte is counted a bounded number of times, so the work stays linear in the document):

- A container's elements usually begin alike (``{"type":"managedError"``, ``{"name":``): the bytes from the start
  of the first element through its first key (and a short scalar value) are a *signature*, and ``bytes.find``
  finds its next occurrences at C speed. Where elements do not begin alike (the members of a wide object, an
  array of strings or numbers) a *separator* pattern does the same (``,"`` between members, ``","`` between
  strings, ...). Each hit, stepped back over its separator, is a candidate boundary. Candidates inside a nested
  value are skipped because the brackets between the piece's start and the candidate do not balance (cheap
  ``bytes.count`` over the gap since the previous candidate only). When a nested value straddles the piece's
  end, the piece is halved until it ends before it.
- A piece is accepted only when orjson parses it, wrapped in ``[...]`` or ``{...}``. That is a proof, not a
  heuristic: a piece that starts at an element boundary and parses as a sequence of whole elements cannot end
  inside a string or inside a nested value, so the next piece starts at a true boundary too.
- A search is made only where it can pay: the first element of a container is parsed alone (its size tells), a
  container whose elements are too big for a piece (or, chunked, for a chunk) is parsed an element at a time, and
  where the last pieces ended at the first candidate after their target (flat elements, learnt across sibling
  containers whose elements begin with the same key) the next boundary is taken without counting brackets: the
  piece's parse proves it, and a piece that does not parse is searched again with counting.
- The rest of a container is parsed in one call when it is short: ``[`` + the remaining bytes makes orjson stop
  with "unexpected content after document" just after the container's real closing bracket.
- Where nothing else helps (a lone big member), one element is parsed from a window of the bytes that grows
  until the element fits (orjson's "unexpected content after document" gives its end); containers too big for
  :data:`SPLIT_WINDOW` are split recursively, a long string is ended by searching its closing quote.

Anything unexpected (a syntax error, a shape this does not handle) raises :class:`Unsplittable`; the caller then
parses the whole document in one call, which also produces the proper error message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from inspector.formats.json_pieces_scan import (
    _KEY,
    SIGNATURE_MAX,
    _boundary,
    _byte_offset,
    _find,
    _member_value,
    _skip_ws,
    _string,
)
from inspector.formats.json_pieces_scan import Unsplittable as Unsplittable
from inspector.formats.lazy_json import Builder, Source
from inspector.formats.progress import report

#: Target size of one piece: ~5 ms of orjson.
PIECE_BYTES = 256 * 1024
#: First window for a single element; it grows fourfold until the element fits.
FIRST_WINDOW = 4 * 1024
#: A single container element that does not fit a window this big is split into pieces itself.
SPLIT_WINDOW = 64 * 1024
#: Pieces whose elements are bigger than this on average are not kept as chunks (see :func:`_coarse`).
CHUNK_ELEMENT_MAX = 64 * 1024
#: Containers nested deeper than this are parsed whole (one call), however big.
MAX_DEPTH = 12
#: How far ahead a signature must recur to be used (elements bigger than this are split one at a time).
SIGNATURE_REACH = 2 * 1024 * 1024
#: How far past a piece's target size a separator is looked for.
SEPARATOR_REACH = 1024 * 1024
#: Candidate boundaries tried for one piece before giving up on pieces there.
MAX_CANDIDATES = 64
#: Pieces that failed to parse in one container before its elements are parsed one at a time.
MAX_FAILED_PIECES = 8

#: Bytes a complete scalar may end with that could also be cut short by a window (a number, true/false/null).
_NUMBER_TAIL = b"0123456789.eE+-l"
_AFTER_DOCUMENT = "unexpected content after document"
#: Separators between elements that do not begin alike, by what the first element begins with; group 1 is the comma.
_MEMBER_SEPARATOR = re.compile(rb'(,)[ \t\r\n]*"')
_ELEMENT_SEPARATORS = {
    0x7B: re.compile(rb"\}[ \t\r\n]*(,)[ \t\r\n]*\{"),  # {...},{...}
    0x5B: re.compile(rb"\][ \t\r\n]*(,)[ \t\r\n]*\["),  # [...],[...]
    0x22: re.compile(rb'"[ \t\r\n]*(,)[ \t\r\n]*"'),  # "...","..."
}
_ANY_SEPARATOR = re.compile(rb"(,)")
#: Outcomes of a search for a piece's end besides a comma's offset.
_INSIDE = -1  # every candidate lies inside a nested value
_LEFT = -2  # the candidates lie past the container's end
_FAR = -3  # no candidate within reach: the element at hand is big
_CLOSED = -4  # the brackets show the container closes before the returned hint
_FIRST = 1  # (the hint of a found boundary) it was the first candidate after the target


@dataclass(slots=True)
class Parsed:
    """What :func:`loads_checked` read: the value, and whether orjson may have lost data reading it."""

    value: Any
    #: An integer literal beyond 64 bits may be there (orjson reads it as a float): ask the standard library.
    big_int: bool = False
    #: A member may have been dropped (a repeated key; or an escaped colon made the count unsure). Only looked
    #: for when ``loads_checked(..., members=True)``.
    members_lost: bool = False


class _Checks:
    """The checks of :func:`loads_checked`, made on every byte range orjson parses (not on long strings parsed
    alone: they hold no number and no member, and are most of the bytes of a document full of text or base64).

    - A big integer: a run of 19 digits (digits mapped by ``bytes.translate``, runs found by ``bytes.find``),
      checked exactly by a regex at each run.
    - A lost member: each member of the text has one colon outside strings and every string keeps its colons, so
      the value written back (``orjson.dumps``) has as many colons as its bytes, plus one per colon written as an
      escape (``\\u003a``: counted as if each were one; fewer written means a member was dropped). Pieces of one
      object merged into one dict must add up too, and a key parsed alone must be new.
    """

    __slots__ = ("big_int", "blocks", "flat", "lazy", "lost", "members", "numbers", "on_piece")

    def __init__(
        self,
        members: bool,
        numbers: bool = True,
        on_piece: Callable[[Any], None] | None = None,
        lazy: Source | None = None,
    ) -> None:
        self.members = members
        self.numbers = numbers
        self.on_piece = on_piece
        #: Keep the pieces of containers below the top level as chunks of these bytes (see :mod:`lazy_json`).
        self.lazy = lazy
        #: Bracket counts of whole blocks of the document (see :func:`_net`), by (opening bracket, block number).
        self.blocks: dict[tuple[bytes, int], int] = {}
        #: Signatures of elements found flat (pieces ended at their first candidate): siblings skip the counting.
        self.flat: set[bytes] = set()
        self.big_int = False
        self.lost = False

    def span(self, raw: bytes | bytearray, start: int, end: int, value: Any) -> None:
        """``value`` was parsed from ``raw[start:end]`` (the same bytes as the document's, maybe wrapped).

        When members are checked, the value is written back first: bytes equal to what orjson writes (compact
        machine-written JSON) prove both checks at memcmp speed. No member was dropped (the writing has one per
        member of the value) and no integer was read as a float (orjson writes a float with ``.`` or ``e``, an
        integer literal has neither)."""
        if self.members and not self.lost:
            try:
                written = orjson.dumps(value)
            except (TypeError, orjson.JSONEncodeError):  # pragma: no cover - orjson wrote what it read
                self.lost = True
                return
            first, last = start, end  # without the whitespace around the value (a file's last newline)
            while first < last and raw[first] in _WHITESPACE:
                first += 1
            while last > first and raw[last - 1] in _WHITESPACE:
                last -= 1
            if len(written) == last - first and raw.startswith(written, first):
                return
            expected = raw.count(b":", start, end)
            if raw.find(b"\\", start, end) >= 0 and raw.find(b"\\u003", start, end) >= 0:
                expected += raw.count(b"\\u003a", start, end) + raw.count(b"\\u003A", start, end)
            if written.count(b":") != expected:
                self.lost = True
        if self.numbers and not self.big_int and _has_big_int(raw, start, end):
            self.big_int = True

    def shared(self, value: Any) -> Any:
        """A value parsed alone (not in a piece), its repeated values shared as a piece's are."""
        if self.on_piece is not None and isinstance(value, dict | list):
            holder = [value]
            self.on_piece(holder)
            return holder[0]
        return value

    def merge(self, result: dict[str, Any] | list[Any], piece: Any) -> None:
        if self.on_piece is not None:
            self.on_piece(piece)
        if isinstance(result, dict):
            before = len(result)
            result.update(piece)
            if self.members and len(result) != before + len(piece):
                self.lost = True
        else:
            result.extend(piece)


def loads_in_pieces(data: bytes) -> Any:
    """``orjson.loads(data)`` computed in pieces of about :data:`PIECE_BYTES`. Raises :class:`Unsplittable`."""
    return _loads(data, _Checks(members=False, numbers=False))


def loads_checked(
    data: bytes,
    members: bool,
    split: bool = True,
    on_piece: Callable[[Any], None] | None = None,
    lazy: Source | None = None,
) -> Parsed:
    """``orjson.loads(data)`` (in pieces when ``split`` and the document has big containers), and whether it may
    have lost data: an integer beyond 64 bits (read as a float), a member dropped by a repeated key (looked for
    when ``members``). ``on_piece`` is called with each piece (a list of elements or a dict of members, after its
    checks) before it joins the value; it may change it in place (jsondoc shares repeated strings). With ``lazy``
    (the :class:`~inspector.formats.lazy_json.Source` of ``data``) the containers below the top level keep their
    pieces as chunks of the bytes, decoded again when read (:mod:`lazy_json`). Raises ``orjson.JSONDecodeError``
    as ``orjson.loads`` does."""
    checks = _Checks(members, on_piece=on_piece, lazy=lazy)
    try:
        if not split:
            raise Unsplittable("asked for one call")
        value = _loads(data, checks)
    except Unsplittable:
        checks = _Checks(members)
        value = orjson.loads(data)
        checks.span(data, 0, len(data), value)
    return Parsed(value, checks.big_int, checks.lost)


def _loads(data: bytes, checks: _Checks) -> Any:
    start = _skip_ws(data, 0)
    if start >= len(data) or data[start] not in b"[{":
        raise Unsplittable("not a container")
    try:
        value, end = _container(memoryview(data), data, start, 0, checks)
    except RecursionError:  # deep nesting on a thread with a small stack: one call will do
        raise Unsplittable("nested too deep") from None
    if _skip_ws(data, end) != len(data):
        raise Unsplittable("content after the document")
    return value


_WHITESPACE = b" \t\r\n"
#: Digits become b"0", everything else b" ": a run of 19 zeros marks a possible integer beyond 64 bits.
_DIGIT_MAP = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
_RUN = b"0" * 19
_BIG_INT = re.compile(rb"(?<![\d.eE\"])-?\d{19,}(?![\d.eE])")
#: What orjson reads exactly: int64 and uint64.
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1


def _has_big_int(raw: bytes | bytearray, start: int, end: int) -> bool:
    """Whether ``raw[start:end]`` holds an integer literal orjson would read as a float (beyond int64/uint64)."""
    mapped = raw[start:end].translate(_DIGIT_MAP)
    hit = mapped.find(_RUN)
    while hit >= 0:
        run_end = mapped.find(b" ", hit)
        if run_end < 0:
            run_end = len(mapped)
        # the run plus one byte either side: the sign or the byte that makes it part of a string or a float
        match = _BIG_INT.search(raw, max(start, start + hit - 1), min(end, start + run_end + 1))
        if match is not None and (len(match.group()) > 40 or not _INT_MIN <= int(match.group()) <= _INT_MAX):
            return True  # (a long literal is big without converting it: int() refuses beyond 4 300 digits)
        hit = mapped.find(_RUN, run_end)
    return False


def _container(view: memoryview, data: bytes, start: int, depth: int, checks: _Checks) -> tuple[Any, int]:
    """The container beginning at ``start`` (``[`` or ``{``) and the offset after its closing bracket."""
    is_object = data[start] == 0x7B  # "{"
    close = 0x7D if is_object else 0x5D
    result: dict[str, Any] | list[Any] = {} if is_object else []
    pos = _skip_ws(data, start + 1)
    if pos < len(data) and data[pos] == close:
        return result, pos + 1
    builder = Builder(checks.lazy, is_object) if checks.lazy is not None and depth >= 1 else None
    signature: bytes | None = None
    separator = _ANY_SEPARATOR
    searched = False  # the signature and separator are taken from the second element, when first needed
    failures = 0
    # No piece boundary is to be found before this offset: one element at a time until there. The first element is
    # always parsed alone: its size tells whether a search is worth it (a container of elements bigger than a piece
    # -- 5 MB App Center logs, 1 MB threads, a one-element ``innerExceptions`` -- is parsed an element at a time,
    # and a search would only find where the element at hand ends, scanning and counting its bytes for nothing).
    skip_until = pos + 1
    big = False  # the last element was too big for a piece: so is the next, probably (split it without windows)
    far = False  # no boundary within reach: if the next element is small, the container probably ends soon
    # Pieces in a row whose end was the first candidate found by the signature and balanced: from 2 on the counting
    # is skipped (never with separators alone: a ``,"`` is as likely inside a member's nested value as between two).
    trusted = 0
    while True:
        if failures <= MAX_FAILED_PIECES and pos >= skip_until and not big:
            if not searched:
                searched = True
                signature = _signature(data, pos, is_object)
                separator = _separator(data, pos, is_object)
                if signature is not None and _first_key(signature) in checks.flat:
                    trusted = 2  # a sibling's elements of the same beginning were flat
            counted = trusted < 2 or signature is None  # (an uncounted far candidate: the piece simply fails)
            end, hint = _piece_end(
                data,
                pos,
                signature,
                separator,
                is_object,
                signature is None or failures > 0,
                checks.blocks,
                count=counted,
            )
            trusted = trusted + 1 if signature is not None and end >= 0 and hint == _FIRST else 0
            if trusted == 2 and signature is not None:
                checks.flat.add(_first_key(signature))
            if counted and end >= 0 and builder is not None and end - pos > PIECE_BYTES + CHUNK_ELEMENT_MAX:
                skip_until = end  # an element too big to keep whole: one at a time, their insides chunked
            elif end >= 0:
                piece = _try_piece(view, pos, end, is_object, checks)
                if piece is not None and _coarse(builder, pos, end, piece):
                    skip_until = end
                elif piece is not None:
                    if builder is not None:
                        builder.add_piece(pos, end, piece)
                    else:
                        checks.merge(result, piece)
                    pos = _skip_ws(data, end + 1)  # data[end] is the comma
                    report(pos, len(data))  # the loading bar: bytes parsed of the whole
                    continue
                else:
                    # the container may close and a sibling open between the two ends ("},{" balances)
                    rest = _rest(view, data, pos, is_object, end, checks)
                    if rest is None and not counted and signature is not None:  # not flat after all: count again
                        trusted = 0
                        checks.flat.discard(_first_key(signature))
                        continue  # (a guess that failed is not a failure of the signature)
                    if rest is not None and _coarse(builder, pos, rest[1], rest[0]):
                        skip_until = rest[1]
                    elif rest is not None:
                        return _last(builder, result, pos, rest, checks, close)
                    else:
                        failures += 1
                        if failures > MAX_FAILED_PIECES // 2:  # the signature misleads here: separators only
                            signature = None
            else:
                rest = None
                if end in (_LEFT, _CLOSED):  # the container ends soon: its rest in one call
                    rest = _rest(view, data, pos, is_object, hint if end == _CLOSED else -1, checks)
                    if rest is not None and not _coarse(builder, pos, rest[1], rest[0]):
                        return _last(builder, result, pos, rest, checks, close)
                    if rest is None:
                        failures += 1
                far = end == _FAR
                skip_until = hint if rest is None or end not in (_LEFT, _CLOSED) else rest[1]
        before = pos
        pos = _one_element(
            view, data, pos, is_object, depth, result if builder is None else builder.eager, checks, split=big
        )
        # (chunked, an element bigger than CHUNK_ELEMENT_MAX is parsed alone anyway: see _coarse)
        big = pos - before > (PIECE_BYTES if builder is None else CHUNK_ELEMENT_MAX)
        if far and pos - before < FIRST_WINDOW:
            far = False
            comma = _skip_ws(data, pos)
            if comma < len(data) and data[comma] == 0x2C:
                after = _skip_ws(data, comma + 1)
                rest = _rest(view, data, after, is_object, -1, checks)
                if rest is not None and not _coarse(builder, after, rest[1], rest[0]):
                    return _last(builder, result, after, rest, checks, close)
        pos = _skip_ws(data, pos)
        if pos >= len(data):
            raise Unsplittable("the document ends inside a container")
        if data[pos] == close:
            return (result if builder is None else _built(builder, checks)), pos + 1
        if data[pos] != 0x2C:  # ","
            raise Unsplittable("expected a comma between elements")
        pos = _skip_ws(data, pos + 1)


def _last(
    builder: Builder | None,
    result: dict[str, Any] | list[Any],
    pos: int,
    rest: tuple[Any, int],
    checks: _Checks,
    close: int,
) -> tuple[Any, int]:
    """The container after its last piece ``rest`` (parsed from ``pos`` through the closing bracket)."""
    if builder is None:
        checks.merge(result, rest[0])
        return result, rest[1]
    # the piece's bytes end at the closing bracket (only whitespace may follow it before ``rest[1]``)
    builder.add_piece(pos, builder.source.data.rfind(bytes((close,)), pos, rest[1]), rest[0])
    return _built(builder, checks), rest[1]


def _coarse(builder: Builder | None, start: int, end: int, piece: Any) -> bool:
    """Whether a piece's elements are too big to keep as one chunk (a chunk is decoded whole when any element is
    read, and what a report keeps of an element keeps its chunk's values): parsed one at a time instead, so the
    big containers inside them are chunked."""
    return builder is not None and (end - start) > CHUNK_ELEMENT_MAX * max(1, len(piece))


def _built(builder: Builder, checks: _Checks) -> Any:
    value = builder.value()
    if builder.repeated and checks.members:
        checks.lost = True
    return value


def _signature(data: bytes, pos: int, is_object: bool) -> bytes | None:
    """The bytes that begin this element's value through its first key (and a short string value after it, when
    that value recurs: ``{"type":"managedError"`` tells a log from an exception, ``{"name":"thread-0"`` is unique).
    None when the element is not an object or its beginning does not recur."""
    if is_object:  # skip the member's key and colon: the signature is taken from its value
        pos = _member_value(data, pos)
        if pos < 0:
            return None
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


def _first_key(signature: bytes) -> bytes:
    """A signature through its first key (``{"className":"io.x.Y"`` -> ``{"className"``): what tells siblings' elements
    alike."""
    return signature.split(b'":', 1)[0]


def _separator(data: bytes, pos: int, is_object: bool) -> re.Pattern[bytes]:
    """The pattern of the separator between this container's elements, by what its first element begins with."""
    if is_object:
        return _MEMBER_SEPARATOR
    return _ELEMENT_SEPARATORS.get(data[pos], _ANY_SEPARATOR) if pos < len(data) else _ANY_SEPARATOR


def _piece_end(
    data: bytes,
    pos: int,
    signature: bytes | None,
    separator: re.Pattern[bytes],
    is_object: bool,
    brackets_too: bool = True,
    blocks: dict[tuple[bytes, int], int] | None = None,
    count: bool = True,
) -> tuple[int, int]:
    """Offset of a separating comma that ends a piece of about :data:`PIECE_BYTES` starting at ``pos``; else
    :data:`_LEFT` (the container ends within the piece), :data:`_CLOSED` (it ends before the hint),
    :data:`_FAR` (no candidate within reach) or
    :data:`_INSIDE` (every candidate lies inside a nested value), with the offset before which no piece is worth
    looking for again."""
    size = PIECE_BYTES
    tries = MAX_CANDIDATES
    while True:
        end, hint = _boundary_after(
            data, pos, pos + size, signature, separator, is_object, tries, brackets_too, blocks, count
        )
        if end != _INSIDE:
            return end, hint
        tries = MAX_CANDIDATES // 8
        # a nested value straddles the target: a smaller piece ends before it (if the elements before it are small);
        # each try counts the brackets from ``pos`` again, so the sizes drop fast (1 MB, 16 KB, 256 B)
        size //= 64
        if size < 64:
            return _INSIDE, hint


def _boundary_after(
    data: bytes,
    pos: int,
    target: int,
    signature: bytes | None,
    separator: re.Pattern[bytes],
    is_object: bool,
    tries: int,
    brackets_too: bool = True,
    blocks: dict[tuple[bytes, int], int] | None = None,
    count: bool = True,
) -> tuple[int, int]:
    """The first candidate comma at or after ``target`` where the brackets since ``pos`` balance (and, when there
    is none, where the search stopped; the hint is :data:`_FIRST` when the comma was the first candidate). Without
    ``brackets_too`` only the braces are counted: elements found by their signature are objects, so where their
    braces balance so do their brackets (orjson proves the piece; the caller counts both after a piece that
    failed). Without ``count`` the first candidate is returned as is: where the last pieces ended at their first
    candidate (flat elements, ~0.12 ms of counting per 256 KB piece), orjson's proof of the piece is enough (a piece
    ending inside a nested value, or past the container's end, does not parse; the caller then counts again)."""
    last = pos
    braces = 0
    brackets_at = pos  # brackets are counted only where the braces balance (half the counting inside objects)
    brackets = 0
    limit = min(len(data), target + SEPARATOR_REACH)
    at = target
    first = -1
    for _ in range(tries):
        if signature is not None:
            hit = _find(data, signature, at, limit)
            comma = _boundary(data, hit, is_object) if hit >= 0 else None
        else:
            match = separator.search(data, at, limit)
            hit = -1 if match is None else match.start(1)
            comma = hit if hit >= 0 else None
        if hit < 0:
            return (_LEFT if limit >= len(data) else _FAR), max(first, limit - PIECE_BYTES)
        at = hit + 1
        if comma is None or comma <= last:
            continue
        if first < 0:
            first = comma
            if not count:
                return comma, _FIRST
        braces += _net(data, b"{", b"}", last, comma, blocks)
        last = comma
        if braces > 0:
            continue
        if braces < 0:
            return _CLOSED, comma
        if not brackets_too:
            return comma, _FIRST if comma == first else 0
        brackets += _net(data, b"[", b"]", brackets_at, comma, blocks)
        brackets_at = comma
        if brackets == 0:
            return comma, _FIRST if comma == first else 0
        if brackets < 0:
            return _CLOSED, comma
    return _INSIDE, first


#: Bytes per block whose bracket counts are remembered: a failed piece search at one nesting level counts the
#: bytes the levels inside it search again; whole blocks are then counted once per document.
COUNT_BLOCK = 64 * 1024


def _net(
    data: bytes, opener: bytes, closer: bytes, start: int, end: int, blocks: dict[tuple[bytes, int], int] | None
) -> int:
    """``data.count(opener) - data.count(closer)`` over ``start:end``; whole blocks from ``blocks`` (filled here)."""
    if blocks is None or end - start < 2 * COUNT_BLOCK:
        return data.count(opener, start, end) - data.count(closer, start, end)
    first = -(-start // COUNT_BLOCK)
    last = end // COUNT_BLOCK
    head, tail = first * COUNT_BLOCK, last * COUNT_BLOCK
    net = data.count(opener, start, head) - data.count(closer, start, head)
    net += data.count(opener, tail, end) - data.count(closer, tail, end)
    for block in range(first, last):
        known = blocks.get((opener, block))
        if known is None:
            at = block * COUNT_BLOCK
            known = data.count(opener, at, at + COUNT_BLOCK) - data.count(closer, at, at + COUNT_BLOCK)
            blocks[(opener, block)] = known
        net += known
    return net


def _wrapped(view: memoryview, start: int, end: int, is_object: bool, close: bool = True) -> bytearray:
    buffer = bytearray(b"{" if is_object else b"[")
    buffer += view[start:end]
    if close:
        buffer += b"}" if is_object else b"]"
    return buffer


def _try_piece(view: memoryview, start: int, end: int, is_object: bool, checks: _Checks) -> Any | None:
    buffer = _wrapped(view, start, end, is_object)
    try:
        value = orjson.loads(buffer)
    except orjson.JSONDecodeError:
        return None
    checks.span(buffer, 0, len(buffer), value)
    return value


def _rest(
    view: memoryview, data: bytes, pos: int, is_object: bool, before: int, checks: _Checks
) -> tuple[Any, int] | None:
    """The remaining elements of the container from ``pos`` through its closing bracket (expected before
    ``before`` when that is not -1), in one call when they fit in a piece: ``[`` + the bytes from ``pos`` parse up
    to that bracket. The value and the offset after the bracket."""
    if pos >= len(data) or data[pos] in b"]}":  # after a comma: "[1,]" would parse as "[" + "]"
        return None
    reach = 2 * PIECE_BYTES if before < 0 else min(2 * PIECE_BYTES, before + 64 - pos)
    end = min(len(data), pos + reach)
    buffer = _wrapped(view, pos, end, is_object, close=False)
    try:
        value = orjson.loads(buffer)  # the document ends with this container
    except orjson.JSONDecodeError as exc:
        if exc.msg != _AFTER_DOCUMENT:
            return None
        stop = _byte_offset(buffer, exc.pos)
    else:
        checks.span(buffer, 0, len(buffer), value)
        return value, end
    try:
        value = orjson.loads(memoryview(buffer)[:stop])
    except orjson.JSONDecodeError:  # pragma: no cover - orjson just parsed it
        return None
    checks.span(buffer, 0, stop, value)
    return value, pos + stop - 1


def _one_element(
    view: memoryview,
    data: bytes,
    pos: int,
    is_object: bool,
    depth: int,
    result: dict[str, Any] | list[Any],
    checks: _Checks,
    split: bool = False,
) -> int:
    """Parse the element (or member) at ``pos`` into ``result``; the offset after it. With ``split`` a container is
    split at once (its previous sibling was big), without trying windows of the bytes first."""
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
    if split and pos < len(data) and data[pos] in b"[{" and depth + 1 < MAX_DEPTH:
        value, pos = _container(view, data, pos, depth + 1, checks)
    else:
        value, pos = _value(view, data, pos, depth, checks)
    if isinstance(result, dict):
        if key in result:
            checks.lost = True
        result[key] = value
    else:
        result.append(value)
    return pos


def _value(view: memoryview, data: bytes, pos: int, depth: int, checks: _Checks) -> tuple[Any, int]:
    """The value at ``pos`` and the offset after it: from a window of the bytes, or split when too big."""
    window = FIRST_WINDOW
    size = len(data)
    counted = False
    while True:
        end = min(size, pos + window)
        chunk = view[pos:end]
        try:
            value = orjson.loads(chunk)
        except orjson.JSONDecodeError as exc:
            if exc.msg == _AFTER_DOCUMENT:
                stop = _byte_offset(chunk, exc.pos)
                value = orjson.loads(view[pos : pos + stop])
                checks.span(data, pos, pos + stop, value)
                return checks.shared(value), pos + stop
            if end >= size:
                raise Unsplittable(exc.msg) from None
        else:
            if end >= size or data[end - 1] not in _NUMBER_TAIL:
                checks.span(data, pos, end, value)
                return checks.shared(value), end
            # the window may have cut a number (or a literal) short: widen it
        first = data[pos]
        if first == 0x22:  # a long string: find its closing quote
            return _string(view, data, pos)
        if first in b"[{" and window >= SPLIT_WINDOW:  # too big for a window
            if depth + 1 < MAX_DEPTH:  # split it
                return _container(view, data, pos, depth + 1, checks)
            if not counted:  # nested too deep to split: parse it whole, once
                counted = True
                whole = _last_value(view, data, pos, depth + 1)
                if whole is not None:
                    checks.span(data, pos, whole[1], whole[0])
                    return whole
                end = _bracket_end(data, pos)  # up to where its brackets balance
                if end > 0:
                    try:
                        value = orjson.loads(view[pos:end])
                    except orjson.JSONDecodeError:
                        pass  # a bracket inside a string misled the count: windows until it fits
                    else:
                        checks.span(data, pos, end, value)
                        return value, end
        window *= 4


def _last_value(view: memoryview, data: bytes, pos: int, enclosing: int) -> tuple[Any, int] | None:
    """The container at ``pos`` and the offset after it, parsed in one call when it is the last value of each of
    its ``enclosing`` containers (deep nesting is mostly a chain of last members, ``"child":{...}}}}``): the bytes
    from ``pos`` up to the document's last ``enclosing`` closing brackets. orjson proves it (a value parses to
    its end and no further); when the guess is wrong it names the value's end (one parse more). None when the
    document does not end that way."""
    end = len(data)
    for _ in range(enclosing + 1):
        while end > pos and data[end - 1] in _WHITESPACE:
            end -= 1
        if end <= pos or data[end - 1] not in b"]}":
            return None
        end -= 1
    end += 1  # the last closer looked at is the value's own
    if data[end - 1] != (0x7D if data[pos] == 0x7B else 0x5D):
        return None
    try:
        return orjson.loads(view[pos:end]), end
    except orjson.JSONDecodeError as exc:
        if exc.msg != _AFTER_DOCUMENT:
            return None
        stop = pos + _byte_offset(view[pos:end], exc.pos)
    try:
        return orjson.loads(view[pos:stop]), stop
    except orjson.JSONDecodeError:  # pragma: no cover - orjson just parsed it
        return None


def _bracket_end(data: bytes, pos: int) -> int:
    """The offset after the bracket that closes the one at ``pos``, by counting brackets (strings not told
    apart: orjson proves the result), or -1. Blocks of doubling size find where the count drops to zero, bisection
    narrows it to a few bytes, which are read one by one; every byte is counted about three times."""
    opener = data[pos : pos + 1]
    closer = b"}" if opener == b"{" else b"]"
    size = len(data)
    start, balance, block = pos, 0, FIRST_WINDOW
    while True:
        if start >= size:
            return -1
        end = min(size, start + block)
        after = balance + data.count(opener, start, end) - data.count(closer, start, end)
        if after <= 0:
            break
        start, balance, block = end, after, block * 2
    while end - start > 64:  # balance > 0 at start, <= 0 at end
        middle = (start + end) // 2
        at_middle = balance + data.count(opener, start, middle) - data.count(closer, start, middle)
        if at_middle > 0:
            start, balance = middle, at_middle
        else:
            end = middle
    for at in range(start, end):
        byte = data[at]
        if byte == opener[0]:
            balance += 1
        elif byte == closer[0]:
            balance -= 1
            if balance <= 0:
                return at + 1
    return -1  # pragma: no cover - the count dropped to zero in this range
