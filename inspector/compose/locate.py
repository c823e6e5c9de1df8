"""Map JSON Pointers to spans of the JSON text, and splice new values into the text without reformatting the rest.

The editor shows the user's own text (their indentation, key order, number spelling). To underline a problem,
select a tree row or apply a form edit, we need where a pointer's value sits in that text. A full parse that
remembers positions would cost a lot on a 20 MB document, so :func:`locate_many` walks the text once and only
descends into the members that lie on the path to a wanted pointer; everything else is skipped by bracket
counting with a regex (strings are matched whole, so brackets inside strings never count).

Offsets are Python ``str`` indexes; :func:`utf16_offset` converts them for Qt, whose positions count UTF-16 units.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from inspector.formats.jsondoc import dumps, join, split

_WS = re.compile(r"[ \t\r\n]*")
#: Possessive quantifiers: no backtracking mark per character (a long string would cost ~150 bytes per byte).
_STRING = re.compile(r'"(?:[^"\\\n]++|\\.)*+"')
_SKIP = re.compile(r'"(?:[^"\\\n]++|\\.)*+"|[\[\]{}]')
_SCALAR = re.compile(r'[^\s,:\]}\[{"]+')
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class Location:
    """Where a value sits: ``start``/``end`` of the value, ``key_start`` of its member name (objects) or -1."""

    start: int
    end: int
    key_start: int = -1

    @property
    def head(self) -> tuple[int, int]:
        """A short span to underline: the key (if any) through the value, or only to its opening bracket."""
        first = self.key_start if self.key_start >= 0 else self.start
        return first, self.end if self.end - self.start <= 200 else self.start + 1


def _value_end(text: str, pos: int) -> int:
    if pos >= len(text):
        return pos
    char = text[pos]
    if char == '"':
        match = _STRING.match(text, pos)
        return match.end() if match else len(text)
    if char in "[{":
        depth = 0
        for match in _SKIP.finditer(text, pos):
            token = match.group()
            if token[0] == '"':
                continue
            depth += 1 if token in "[{" else -1
            if depth == 0:
                return match.end()
        return len(text)
    match = _SCALAR.match(text, pos)
    return match.end() if match else pos + 1


#: Above this size, the walk stops once every wanted pointer was found instead of reading to the end to honour a
#: later duplicate key (duplicates are reported by the parser; a 20 MB scan would cost a second per form edit).
COMPLETE_SCAN_LIMIT = 1024 * 1024


def _skip_ws(text: str, pos: int) -> int:
    """The offset after the whitespace at ``pos`` (``_WS`` matches the empty string too, so it always matches)."""
    match = _WS.match(text, pos)
    return pos if match is None else match.end()


class _Done(Exception):
    pass


def _root_end(text: str) -> int:
    end = len(text)
    while end and text[end - 1].isspace():
        end -= 1
    return end


class _Walker:
    def __init__(self, text: str, targets: set[str]) -> None:
        self.text = text
        self.targets = targets
        self.stop_early = len(text) > COMPLETE_SCAN_LIMIT
        self.prefixes: set[str] = set()
        for target in targets:
            tokens = split(target)
            for i in range(len(tokens)):
                self.prefixes.add(join("", *tokens[:i]))
        self.found: dict[str, Location] = {}

    def walk(self, pos: int, pointer: str, key_start: int = -1) -> int:
        text = self.text
        pos = _skip_ws(text, pos)
        if pointer in self.targets:
            end = _root_end(text) if pointer == "" else _value_end(text, pos)  # the root: no need to read it all
            self.found[pointer] = Location(pos, end, key_start)
            if self.stop_early and len(self.found) == len(self.targets):
                raise _Done
        if pointer not in self.prefixes or pos >= len(text):
            return self.found[pointer].end if pointer in self.found else _value_end(text, pos)
        char = text[pos]
        if char == "{":
            pos += 1
            seen: set[str] = set()
            while True:
                pos = _skip_ws(text, pos)
                if pos >= len(text) or text[pos] == "}":
                    return pos + 1
                match = _STRING.match(text, pos)
                if not match:
                    return pos
                try:
                    key = json.loads(match.group())
                except ValueError:
                    return pos
                kstart = pos
                pos = _skip_ws(text, match.end())
                if pos >= len(text) or text[pos] != ":":
                    return pos
                child = join(pointer, key)
                if child in seen:  # a duplicate key: the last one wins, forget what the earlier one held
                    for stale in [p for p in self.found if p == child or p.startswith(child + "/")]:
                        del self.found[stale]
                seen.add(child)
                pos = self.walk(pos + 1, child, kstart)
                pos = _skip_ws(text, pos)
                if pos < len(text) and text[pos] == ",":
                    pos += 1
                    continue
                return pos + 1
        if char == "[":
            pos += 1
            index = 0
            while True:
                pos = _skip_ws(text, pos)
                if pos >= len(text) or text[pos] == "]":
                    return pos + 1
                pos = self.walk(pos, join(pointer, index))
                index += 1
                pos = _skip_ws(text, pos)
                if pos < len(text) and text[pos] == ",":
                    pos += 1
                    continue
                return pos + 1
        return _value_end(text, pos)


def locate_many(text: str, pointers: Iterable[str]) -> dict[str, Location]:
    """Locations of the pointers that exist in ``text`` (one pass). Missing pointers are absent from the result."""
    targets = set(pointers)
    if not targets:
        return {}
    walker = _Walker(text, targets)
    try:
        walker.walk(0, "")
    except _Done:
        pass
    return walker.found


def locate(text: str, pointer: str) -> Location | None:
    return locate_many(text, [pointer]).get(pointer)


def locate_nearest(text: str, pointers: Iterable[str]) -> dict[str, Location]:
    """For each pointer, its own location or that of its deepest existing ancestor (a missing key's parent).

    Pseudo pointers (``/@parts/2``) and malformed ones map to nothing.
    """
    wanted: dict[str, list[str]] = {}
    for pointer in pointers:
        if "/@" in pointer or (pointer and not pointer.startswith("/")):
            continue
        tokens = split(pointer)
        wanted[pointer] = [join("", *tokens[:i]) for i in range(len(tokens), -1, -1)]
    found = locate_many(text, {p for chain in wanted.values() for p in chain})
    result: dict[str, Location] = {}
    for pointer, chain in wanted.items():
        for candidate in chain:
            if candidate in found:
                result[pointer] = found[candidate]
                break
    return result


_INDENT = re.compile(r"[ \t]*")


def _indent_of_line(text: str, pos: int) -> str:
    line_start = text.rfind("\n", 0, pos) + 1
    match = _INDENT.match(text, line_start, pos)  # (not on a slice: a minified 20 MB text is one line)
    return match.group() if match else ""


def render_value(value: Any, *, pretty: bool, indent: str = "") -> str:
    """JSON text of a value, pretty (2 spaces, continuation lines indented by ``indent``) or compact."""
    out = dumps(value, pretty=pretty).decode("utf-8")
    if not pretty:
        return out
    out = out.rstrip("\n")
    return out.replace("\n", "\n" + indent) if indent else out


def splice(text: str, pointer: str, value: Any) -> str | None:
    """``text`` with the value at ``pointer`` replaced by ``value``; None when the pointer is not in the text."""
    where = locate(text, pointer)
    if where is None:
        return None
    pretty = "\n" in text[: min(len(text), 4096)].strip()
    new = render_value(value, pretty=pretty, indent=_indent_of_line(text, where.start))
    return _replaced(text, where.start, where.end, new)


#: Characters before a value taken with it to find it (the first occurrence of the pair must be the value's own).
_CONTEXT = 64


def _replaced(text: str, start: int, end: int, new: str) -> str:
    """``text[:start] + new + text[end:]``, in one copy of ``text`` when it can be.

    The plain form copies a 20 MB text twice (two allocations of fresh memory: 25-30 ms on the GUI thread for one
    form edit of a big document); ``str.replace(old, new, 1)`` copies it once, and is the same splice when the value
    with up to 64 characters before it occurs first where the value is (else the two copies)."""
    begin = max(0, start - _CONTEXT)
    old = text[begin:end]
    if end - begin <= 4096 and text.find(old, 0, end) == begin:
        return text.replace(old, text[begin:start] + new, 1)
    return text[:start] + new + text[end:]


def parent(pointer: str) -> str:
    return pointer.rsplit("/", 1)[0] if pointer else ""


def utf16_offset(text: str, index: int) -> int:
    """A ``str`` index as a UTF-16 code unit offset (characters beyond the BMP count twice)."""
    if text.isascii():  # O(1) in CPython: the string object knows
        return index
    return index + len(_ASTRAL.findall(text, 0, index))


def has_astral(text: str) -> bool:
    """Whether any character needs two UTF-16 units (fast for ASCII text)."""
    return not text.isascii() and _ASTRAL.search(text) is not None


def utf16_len(text: str) -> int:
    return utf16_offset(text, len(text))


def from_utf16(text: str, offset: int) -> int:
    """Inverse of :func:`utf16_offset` (clamped)."""
    if text.isascii() or not _ASTRAL.search(text):
        return min(offset, len(text))
    units = 0
    for i, char in enumerate(text):
        if units >= offset:
            return i
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def common_affixes(old: str, new: str) -> tuple[int, int]:
    """(prefix, suffix) lengths shared by two texts, non-overlapping; found by halving with C-speed slices.

    Lets the editor replace only the part of a 20 MB text that an undo or a form edit really changed.
    """
    limit = min(len(old), len(new))
    lo, hi = 0, limit
    while lo < hi:  # largest prefix length p with old[:p] == new[:p]
        mid = (lo + hi + 1) // 2
        if old[lo:mid] == new[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    prefix = lo
    lo, hi = 0, limit - prefix
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[len(old) - mid : len(old) - lo] == new[len(new) - mid : len(new) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return prefix, lo
