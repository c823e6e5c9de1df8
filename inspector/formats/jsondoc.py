"""The payload document: original bytes as the source of truth, parsed JSON addressed by JSON Pointer.

Parsing uses orjson (fast, strict) and falls back to the standard library where orjson would lose data
(integers beyond 64 bits, which orjson turns into floats) or refuses what real clients send (NaN). Duplicate
keys load as JSON does (last wins) and are reported. Errors name line and column.

Edits are small operations (set / insert / remove at a pointer) that return their inverse, which gives undo
and lossless saving: until the first edit, :meth:`Document.to_bytes` returns the original bytes unchanged.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson

from inspector.formats import lazy_json
from inspector.formats.base import InspectorError, Problem, info, warning
from inspector.formats.json_pieces import loads_checked

#: Above this size the duplicate-key check is skipped; the skip is reported as an info problem.
DUPLICATE_SCAN_LIMIT = 16 * 1024 * 1024
#: Above this size orjson parses in pieces (see :mod:`json_pieces`: the GIL is never held for long).
PIECES_FROM = 2 * 1024 * 1024
_ESCAPED_COLON = re.compile(rb"\\u003[aA]")

_BIG_INT = re.compile(rb"(?<![\d.eE\"])-?\d{19,}(?![\d.eE])")
_NON_FINITE = re.compile(rb"\b(NaN|-?Infinity)\b")
#: Digits become b"0", everything else b" ": a run of 19 zeros marks a possible integer beyond 64 bits.
_DIGIT_MAP = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
_RUN = b"0" * 19
_SCAN_CHUNK = 4 * 1024 * 1024
#: What orjson reads exactly: int64 and uint64.
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1
#: Strings up to this length are shared while a big document is parsed (see :class:`Interner`); longer ones
#: (messages, attachments) seldom repeat.
INTERN_MAX_LEN = 200
#: At most this many distinct strings and as many integers are remembered while parsing (the tables go with the
#: parse): a bound on their own memory (~20 MB) when nothing repeats.
INTERN_MAX_VALUES = 1 << 18
#: Member values looked at before deciding which keys' values repeat (see :class:`Interner`).
INTERN_SAMPLE = 50_000
#: A document's repeated values are shared while it is parsed only when its estimated memory is more than this share
#: of what the process can get now (see :func:`interner_for`).
INTERN_WHEN_NEED_OVER = 0.25


def interner_for(data: bytes) -> Interner | None:
    """An :class:`Interner` for parsing ``data`` when memory is short for it, else None (parse at full speed).

    Sharing halves a frame-heavy document (App Center 108 MB: 440 -> 213 MB) but costs a Python lookup per value,
    ~0.1 us: +0.6 s on that batch, 2x the parse of a value-dense one (400 000 small logs). So it is done when the
    document's estimated need (:func:`inspector.formats.memory_budget.estimate_json_bytes`) is over
    :data:`INTERN_WHEN_NEED_OVER` of the memory the process can get now; when that is unknown, never.
    ``CRASH_INSPECTOR_MEMORY_AVAILABLE`` (bytes) sets what is available, as for the memory check of a load.
    """
    from inspector.formats.memory_budget import OVERHEAD_BYTES, PER_VALUE_BYTES, available_bytes, estimate_json_bytes

    available = available_bytes()
    if available is None:
        return None
    most = 2 * len(data) + (len(data) + 1) * PER_VALUE_BYTES + OVERHEAD_BYTES  # the estimate of a value per byte
    if most <= INTERN_WHEN_NEED_OVER * available:  # whatever its shape: no need to count (~2 ms on 11 MB)
        return None
    if len(data) <= 3 * _NEED_SAMPLE:
        need = estimate_json_bytes(data)
    else:  # counting every separator of 100 MB takes ~0.1 s: three samples tell the shape well enough for this
        step = (len(data) - _NEED_SAMPLE) // 2
        sampled = sum(estimate_json_bytes(data[i : i + _NEED_SAMPLE]) for i in (0, step, 2 * step))
        need = estimate_json_bytes(b"") + (sampled - 3 * estimate_json_bytes(b"")) * len(data) // (3 * _NEED_SAMPLE)
    return Interner() if need > INTERN_WHEN_NEED_OVER * available else None


#: Bytes of each of the three samples :func:`interner_for` estimates a big document's need from.
_NEED_SAMPLE = 1024 * 1024


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


_INDEX = re.compile(r"0|[1-9][0-9]*")


def array_index(token: str) -> int | None:
    """The array index a reference token names (RFC 6901: ``0`` or ASCII digits without a leading zero), or None
    (``01``, ``-``, ``²``, ``1e3`` name no element)."""
    return int(token) if _INDEX.fullmatch(token) else None


def join(pointer: str, *tokens: str | int) -> str:
    """Append reference tokens to a JSON Pointer."""
    if len(tokens) == 1:  # the common case, on hot paths (a pointer per frame/thread): no generator
        token = tokens[0]
        text = token if isinstance(token, str) else str(token)
        if "~" in text or "/" in text:
            text = escape(text)
        return f"{pointer}/{text}"
    return pointer + "".join("/" + escape(str(t)) for t in tokens)


def split(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise InspectorError(f"not a JSON Pointer: {pointer!r} (must start with '/')")
    tokens = pointer[1:].split("/")
    if "~" in pointer:
        for token in tokens:
            if _BAD_TILDE.search(token):
                raise InspectorError(f"not a JSON Pointer: {pointer!r} ('~' must be followed by 0 or 1)")
    return [unescape(t) for t in tokens]


_BAD_TILDE = re.compile(r"~(?![01])")


def resolve(value: Any, pointer: str) -> Any:
    """The value at ``pointer``; raises InspectorError naming the first missing step."""
    current = value
    walked = ""
    for token in split(pointer):
        walked = join(walked, token)
        if isinstance(current, dict):
            if token not in current:
                raise InspectorError("no such key", where=walked)
            current = current[token]
        elif isinstance(current, list):
            index = array_index(token)
            if index is None or index >= len(current):
                raise InspectorError("no such array index", where=walked)
            current = current[index]
        else:
            raise InspectorError("cannot descend into a scalar", where=walked)
    return current


def get(value: Any, pointer: str, default: Any = None) -> Any:
    try:
        return resolve(value, pointer)
    except InspectorError:
        return default


def _line_col(data: bytes, pos: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, pos) + 1
    col = pos - (data.rfind(b"\n", 0, pos) + 1) + 1
    return line, col


def has_big_int(data: bytes) -> bool:
    """True when ``data`` holds an integer literal that orjson would read as a float (beyond int64/uint64).

    A regex over every byte costs seconds on 100 MB; mapping digits with ``bytes.translate`` (in chunks, so the
    memory stays small) and searching for a run of 19 digits is ~10x faster, and only the runs found are checked
    exactly.
    """
    size = len(data)
    pos = 0
    while pos < size:
        chunk = data[pos : pos + _SCAN_CHUNK + 64].translate(_DIGIT_MAP)
        hit = chunk.find(_RUN)
        while 0 <= hit < _SCAN_CHUNK:
            run_end = chunk.find(b" ", hit)
            if run_end < 0:
                run_end = len(chunk)
            start = pos + hit
            # the run plus one byte either side: the sign or the byte that makes it part of a string or a float
            match = _BIG_INT.search(data, max(0, start - 1), pos + run_end + 1)
            if match is not None and (len(match.group()) > 40 or not _INT_MIN <= int(match.group()) <= _INT_MAX):
                return True  # (a long literal is big without converting it: int() refuses beyond 4 300 digits)
            hit = chunk.find(_RUN, run_end)
        pos += _SCAN_CHUNK
    return False


class _DuplicateCollector:
    """object_pairs_hook that keeps insertion order, lets the last duplicate win and remembers duplicates.

    The common case (no duplicate) stays in C: ``dict(pairs)`` and a length check.
    """

    def __init__(self) -> None:
        self.duplicates: list[str] = []

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) == len(pairs):
            return result
        result = {}
        for key, val in pairs:
            if key in result:
                self.duplicates.append(key)
                del result[key]  # JSON's "last wins", and the key takes the position of its last occurrence
            result[key] = val
        return result


class _ConstantSeen:
    """parse_constant hook: NaN / Infinity / -Infinity load as floats and are remembered."""

    def __init__(self) -> None:
        self.seen = False

    def __call__(self, name: str) -> float:
        self.seen = True
        return float(name)


@contextmanager
def _no_gc() -> Iterator[None]:
    """Parsing makes no reference cycles: a collection during it (millions of new containers trigger many, each
    walking every object of the already open documents) is wasted time, ~25% of a 88 MB open with one open."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        raise InspectorError(
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} at line {line} column {col}", where=f"offset {exc.start}"
        ) from None


class Interner:
    """Makes equal strings (and integers) of a parsed document one object, a piece at a time as it is parsed.

    orjson makes a new object for every value; the keys it shares, the values it does not. A crash's frames repeat
    the same file, class, library and method names thousands of times: 1 000 000 App Center frames hold 3 strings
    and an int each, ~200 of the ~430 bytes a frame costs. Sharing them changes nothing a reader can see (strings
    and ints are immutable, and equal values are interchangeable in JSON), and the document's memory drops by up
    to half. Only ``str`` and ``int`` values are shared (never ``bool``: ``True == 1``), each kind in its own table.

    Sharing costs a table lookup per value (~0.1 us) and pays only for values that repeat. So the first
    :data:`INTERN_SAMPLE` values held by object members are a sample: a key whose values repeated in fewer than half
    of its occurrences (unique function names, addresses, ids) is not looked up any more, and when such keys hold
    most of the values the rest of the document is not walked at all (small ints, -5..256, are shared by Python
    already and not counted).
    """

    __slots__ = ("cold", "hits", "ints", "off", "sampled", "seen", "strings")

    def __init__(self) -> None:
        self.strings: dict[str, str] = {}
        self.ints: dict[int, int] = {}
        #: Keys whose values do not repeat (decided after the sample).
        self.cold: set[str] = set()
        self.seen: dict[str, int] = {}
        self.hits: dict[str, int] = {}
        self.sampled = 0
        #: Decided after the sample: most values are unique, so nothing more is looked at.
        self.off = False

    def __call__(self, piece: Any) -> None:
        """Share the values of ``piece`` (a list or dict just parsed) in place."""
        if type(piece) is not dict and type(piece) is not list:
            return
        if self.sampled < INTERN_SAMPLE:
            self._sample(piece)
        elif not self.off:
            self._share(piece)

    def _tables(self) -> tuple[Any, Any]:
        room = len(self.strings) < INTERN_MAX_VALUES and len(self.ints) < INTERN_MAX_VALUES
        if room:
            return self.strings.setdefault, self.ints.setdefault
        return self.strings.get, self.ints.get

    def _share_items(self, items: list[Any], push: Callable[[Any], None]) -> None:
        """Share an array's strings and ints (array items have no key, so no key is ever cold); containers go to
        ``push``."""
        share_str, share_int = self._tables()
        for index, val in enumerate(items):
            kind = type(val)
            if kind is str:
                if len(val) <= INTERN_MAX_LEN:
                    items[index] = share_str(val, val)
            elif kind is int:
                items[index] = share_int(val, val)
            elif kind is dict or kind is list:
                push(val)

    def _share(self, piece: Any) -> None:
        share_str, share_int = self._tables()
        cold = self.cold
        limit = INTERN_MAX_LEN
        stack = [piece]
        pop, push = stack.pop, stack.append
        while stack:
            node = pop()
            if type(node) is dict:
                for key, val in node.items():  # (replacing a value while iterating is allowed: no key is added)
                    kind = type(val)
                    if kind is str:
                        if len(val) <= limit and key not in cold:
                            node[key] = share_str(val, val)
                    elif kind is int:
                        if key not in cold:
                            node[key] = share_int(val, val)
                    elif kind is dict or kind is list:
                        push(val)
            else:
                self._share_items(node, push)

    def _sample(self, piece: Any) -> None:
        """:meth:`_share`, counting per key the values seen and those found in a table (then deciding ``cold``)."""
        seen, hits = self.seen, self.hits
        stack = [piece]
        while stack:
            node = stack.pop()
            if type(node) is dict:
                for key, val in node.items():
                    kind = type(val)
                    if kind is dict or kind is list:
                        stack.append(val)
                    elif (kind is str and len(val) <= INTERN_MAX_LEN) or (kind is int and not -5 <= val <= 256):
                        table: dict[Any, Any] = self.strings if kind is str else self.ints
                        seen[key] = seen.get(key, 0) + 1
                        self.sampled += 1
                        shared = table.get(val)
                        if shared is not None:
                            hits[key] = hits.get(key, 0) + 1
                            node[key] = shared
                        elif len(table) < INTERN_MAX_VALUES:
                            table[val] = val
            else:  # array items are shared as in _share (no key to count them under)
                self._share_items(node, stack.append)
        if self.sampled >= INTERN_SAMPLE:
            self.cold = {key for key, count in seen.items() if 2 * hits.get(key, 0) < count}
            hot = sum(count for key, count in seen.items() if key not in self.cold)
            self.off = 2 * hot < self.sampled  # most values are unique: the walk would cost more than it saves


def no_duplicate_keys(data: bytes, value: Any) -> bool:
    """Whether orjson's reading ``value`` of ``data`` kept every member (no key repeated in an object).

    Each member of the text has one colon outside strings, and every string keeps its colons; so the value
    written back has exactly as many colons as the text, unless a member was dropped (then fewer). A colon
    written as an escape (``\\u003a``) would upset the count: False then, and the caller asks the standard library.
    """
    if _ESCAPED_COLON.search(data):
        return False
    try:
        written = orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return False
    return data.count(b":") == written.count(b":")


def parse_json(data: bytes) -> tuple[Any, list[Problem]]:
    """Parse JSON bytes losslessly. Returns the value and load-time problems (duplicates, BOM, NaN...).

    Raises InspectorError with line and column for anything that is not JSON.

    orjson reads the document (which also checks UTF-8; in pieces above :data:`PIECES_FROM`) and
    :func:`json_pieces.loads_checked` checks each piece it parsed as it goes: up to :data:`DUPLICATE_SCAN_LIMIT` that
    no key repeats (the method of :func:`no_duplicate_keys`), above it the check is skipped; and that no integer is
    beyond 64 bits (:func:`has_big_int`). The standard library reads the document instead when orjson would lose
    data (such an integer), when orjson refuses it (NaN, a lone surrogate escape, 1e400: the standard library accepts
    those or gives the error message) and when a key may repeat (it reports which and keeps the last).
    """
    problems: list[Problem] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        problems.append(info("", "the file starts with a UTF-8 byte order mark (ignored)", "RFC 8259 section 8.1"))
    if not data[:4096].strip() and not data.strip():  # (strip copies: 100 MB would hold the GIL for ~50 ms)
        raise InspectorError("the input is empty: expected a JSON document")

    scan_duplicates = len(data) <= DUPLICATE_SCAN_LIMIT
    big = len(data) > PIECES_FROM
    # orjson, checked as it reads (an integer beyond 64 bits, a repeated key: json_pieces.loads_checked, on the
    # pieces orjson parses, never on long strings); in pieces above PIECES_FROM, each piece's repeated values shared
    # as it arrives when memory is short (interner_for). The standard library reads the document again only when
    # something may be lost (its hook costs ~4x orjson's time).
    # Above LAZY_FROM the big containers stay in the bytes, decoded when read (lazy_json): nothing to share then.
    lazy = lazy_json.Source(data) if big and len(data) > lazy_json.LAZY_FROM else None
    share = interner_for(data) if big and lazy is None else None
    freeze = big and lazy is None  # (a chunked document keeps few objects: nothing to keep out of the walks)
    if freeze:
        gc.collect()  # what is garbage now (a closed tab's widgets) must not be frozen with the document below
    try:
        with _no_gc():
            parsed = loads_checked(data, members=scan_duplicates, split=big, on_piece=share, lazy=lazy)
            if freeze:
                # Millions of new containers would be walked again by every later collection (~15% of an open of
                # 88 MB; the first collection after an 11 MB document of 450 000 containers: ~13 ms, 10% of its
                # parse). A parsed document holds no reference cycles (it is freed by reference counting when
                # closed), so it moves to the permanent generation; only cyclic garbage that exists at this moment
                # is kept with it, which is a few objects. Frozen before collections resume: the first one would
                # otherwise walk them all at once (one 75 ms hold of the GIL, measured).
                gc.freeze()
    except orjson.JSONDecodeError:
        pass  # the standard library below accepts more (NaN, lone surrogates) or names the error
    else:
        if not parsed.big_int and not parsed.members_lost:
            if not scan_duplicates:
                problems.append(
                    info("", f"duplicate-key check skipped for a document above {DUPLICATE_SCAN_LIMIT // 2**20} MB", "")
                )
            return parsed.value, problems
        del parsed

    text = _check_utf8(data)
    collector = _DuplicateCollector()
    constants = _ConstantSeen()
    try:
        with _no_gc():
            value = json.loads(text, object_pairs_hook=collector, parse_constant=constants)
    except json.JSONDecodeError as exc:
        raise _json_error(data, _clearer_error(data, exc), text) from None
    except RecursionError:
        raise InspectorError("the JSON is nested too deeply to read (more than ~900 levels)") from None
    except ValueError as exc:  # e.g. an integer literal of more than 4300 digits
        raise InspectorError(f"invalid JSON: {exc}") from None
    if constants.seen:
        problems.append(warning("", "NaN or Infinity is not valid JSON; loaded as a number", "RFC 8259 section 6"))
    if not scan_duplicates:
        problems.append(
            info("", f"duplicate-key check skipped for a document above {DUPLICATE_SCAN_LIMIT // 2**20} MB", "")
        )
    for key in dict.fromkeys(collector.duplicates):
        problems.append(
            warning("", f"key {key!r} appears more than once in one object; the last value wins", "RFC 8259 section 4")
        )
    return value, problems


def _clearer_error(data: bytes, exc: json.JSONDecodeError) -> json.JSONDecodeError:
    """orjson's message for the same input when it has one: it is the clearer ("trailing comma is not allowed")."""
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError as orjson_exc:
        if "recursion" not in str(orjson_exc):
            return orjson_exc
    return exc


def _json_error(data: bytes, exc: json.JSONDecodeError, text: str | None = None) -> InspectorError:
    pos = getattr(exc, "pos", 0) or 0
    if text is not None:  # the standard library counts characters; line and column are counted in bytes below
        pos = len(text[:pos].encode("utf-8", "surrogatepass"))
    line, col = _line_col(data, min(pos, len(data)))
    msg = exc.msg if isinstance(exc.msg, str) else str(exc)
    msg = msg.split(": line ")[0]
    if "recursion" in msg.lower():
        msg = "the JSON is nested too deeply to read"
    elif pos >= len(data.rstrip()):
        msg = f"the JSON ends too early ({msg})"
    return InspectorError(f"invalid JSON: {msg}", where=f"line {line} column {col}")


@dataclass(slots=True)
class Edit:
    """One document operation. ``op`` is ``set`` (replace or add a key), ``insert`` (array) or ``remove``."""

    op: str
    pointer: str
    value: Any = None


@dataclass
class Document:
    """A JSON payload. ``original`` is kept byte-exact until the first edit."""

    value: Any
    original: bytes | None = None
    problems: list[Problem] = field(default_factory=list)
    revision: int = 0

    @classmethod
    def from_bytes(cls, data: bytes) -> Document:
        value, problems = parse_json(data)
        return cls(value=value, original=data, problems=problems)

    @classmethod
    def from_value(cls, value: Any) -> Document:
        return cls(value=value, original=None)

    @property
    def modified(self) -> bool:
        return self.original is None

    def get(self, pointer: str, default: Any = None) -> Any:
        return get(self.value, pointer, default)

    def resolve(self, pointer: str) -> Any:
        return resolve(self.value, pointer)

    def apply(self, edit: Edit) -> Edit:
        """Apply one edit in place and return the edit that undoes it."""
        tokens = split(edit.pointer)
        if not tokens:
            if edit.op != "set":
                raise InspectorError("only 'set' can replace the whole document")
            old = self.value
            self.value = edit.value
            self._touched()
            return Edit("set", "", old)
        lazy_json.pin_path(self.value, tokens[:-1])  # a change inside a chunk of the bytes is kept (lazy_json)
        parent = resolve(self.value, join("", *tokens[:-1])) if len(tokens) > 1 else self.value
        key = tokens[-1]
        if isinstance(parent, dict):
            if edit.op == "remove":
                if key not in parent:
                    raise InspectorError("no such key", where=edit.pointer)
                keys = list(parent)
                index = keys.index(key)
                old = parent.pop(key)
                self._touched()
                return Edit("insert_key", edit.pointer, (index, old))
            if edit.op == "insert_key":  # undo of a key removal: restore it at its old position
                index, val = edit.value
                items = list(parent.items())
                items.insert(index, (key, val))
                parent.clear()
                parent.update(items)
                self._touched()
                return Edit("remove", edit.pointer)
            existed = key in parent
            old = parent.get(key)
            parent[key] = edit.value  # replacing keeps the key's position; a new key goes last
            self._touched()
            return Edit("set", edit.pointer, old) if existed else Edit("remove", edit.pointer)
        if isinstance(parent, list):
            found = array_index(key)
            index = len(parent) if key == "-" else -1 if found is None else found
            if edit.op == "insert":
                if not 0 <= index <= len(parent):
                    raise InspectorError("array index out of range", where=edit.pointer)
                parent.insert(index, edit.value)
                self._touched()
                return Edit("remove", join(join("", *tokens[:-1]), index))
            if not 0 <= index < len(parent):
                raise InspectorError("array index out of range", where=edit.pointer)
            if edit.op == "remove":
                old = parent.pop(index)
                self._touched()
                return Edit("insert", edit.pointer, old)
            old = parent[index]
            parent[index] = edit.value
            self._touched()
            return Edit("set", edit.pointer, old)
        raise InspectorError("cannot edit inside a scalar", where=edit.pointer)

    def _touched(self) -> None:
        self.original = None
        self.revision += 1

    def to_bytes(self, *, pretty: bool = False) -> bytes:
        """Serialize. Unmodified documents return their original bytes (unless ``pretty`` is asked for)."""
        if self.original is not None and not pretty:
            return self.original
        return dumps(self.value, pretty=pretty)

    def text(self, *, pretty: bool = True) -> str:
        return self.to_bytes(pretty=pretty).decode("utf-8")


def dumps(value: Any, *, pretty: bool = False) -> bytes:
    """Serialize a JSON value keeping key order; huge integers and non-finite floats go through the stdlib."""
    try:
        if pretty:  # (chunked containers written an element at a time: never all decoded at once)
            return lazy_json.pretty(value) + b"\n"
        return orjson.dumps(value, default=lazy_json.dumps_default, option=lazy_json.DUMPS_OPTIONS)
    except (TypeError, orjson.JSONEncodeError):
        separators = None if pretty else (",", ":")
        value = lazy_json.plain(value)  # the standard library reads a list's or dict's storage
        text = json.dumps(value, indent=2 if pretty else None, ensure_ascii=False, separators=separators)
        # A lone surrogate (read from a "\\ud800" escape) has no UTF-8 form: write it back as the same escape.
        return (text + ("\n" if pretty else "")).encode("utf-8", "backslashreplace")


def walk(value: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every (pointer, value) pair below ``value``, depth first, iteratively (safe on deep documents)."""
    stack: list[tuple[str, Any]] = [(pointer, value)]
    while stack:
        ptr, val = stack.pop()
        yield ptr, val
        if isinstance(val, dict):
            stack.extend((join(ptr, k), v) for k, v in reversed(list(val.items())))
        elif isinstance(val, list):
            stack.extend((join(ptr, i), v) for i, v in reversed(list(enumerate(val))))
