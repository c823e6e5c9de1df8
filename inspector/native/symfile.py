"""Breakpad ``.sym`` files, read lazily: memory-mapped, indexed by address, records parsed only when asked for.

A ``.sym`` of a big library (libxul: ~300 MB, millions of line records) must not become millions of Python objects
to symbolicate a few dozen frames. So the file is mapped, one byte scan per record kind finds the offsets of its
``FUNC`` / ``PUBLIC`` / ``STACK CFI INIT`` / ``STACK WIN`` / ``FILE`` / ``INLINE_ORIGIN`` lines (the line records,
most of the file, are never indexed: they follow their ``FUNC`` and are read with it), and lookups bisect those
arrays. Each index is built on first need, so symbolicating never scans the ``STACK`` records and unwinding never
scans the ``FILE`` ones.

Record formats: https://chromium.googlesource.com/breakpad/breakpad/+/HEAD/docs/symbol_files.md
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from inspector.atomic import replacing

_HEX = rb"([0-9a-fA-F]+)"
_FUNC = re.compile(rb"\nFUNC (?:m )?" + _HEX + b" " + _HEX + b" ")
_PUBLIC = re.compile(rb"\nPUBLIC (?:m )?" + _HEX + b" ")
_CFI_INIT = re.compile(rb"\nSTACK CFI INIT " + _HEX + b" " + _HEX + b" ")
_WIN = re.compile(rb"\nSTACK WIN ([0-9a-fA-F]) " + _HEX + b" " + _HEX + b" ")
_FILE = re.compile(rb"\nFILE (\d+) ")
_ORIGIN = re.compile(rb"\nINLINE_ORIGIN (\d+) ")
#: Longest line read for one record (a hostile file with a gigabyte-long line is cut there).
MAX_LINE = 1 << 20


class SymbolFileError(Exception):
    """The file is not a Breakpad symbol file."""


@dataclass(frozen=True, slots=True)
class Inline:
    """One level of inlining at an address: the inlined function and where it was called from (or, for the
    innermost, the line being executed)."""

    function: str
    file: str | None
    line: int | None


@dataclass(slots=True)
class Symbol:
    """What the symbols say about one address (relative to the module's base)."""

    function: str
    function_address: int
    parameter_size: int
    file: str | None = None
    line: int | None = None
    line_address: int | None = None
    #: Innermost first, as the stack is listed (the frame's own function is the outermost).
    inlines: list[Inline] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StackWin:
    """A ``STACK WIN`` record (type 4: frame data with a program string; type 0: FPO)."""

    type: int
    address: int
    size: int
    prologue_size: int
    epilogue_size: int
    parameter_size: int
    saved_register_size: int
    local_size: int
    max_stack_size: int
    program: str | None
    allocates_base_pointer: bool


@dataclass(frozen=True, slots=True)
class CfiRules:
    """``STACK CFI INIT`` rules of a range and the ``STACK CFI`` deltas that apply up to an address."""

    start: int
    rules: tuple[str, ...]


class _RangeIndex:
    """Sorted start addresses, sizes and file offsets of one record kind."""

    __slots__ = ("offsets", "sizes", "starts")

    def __init__(self, starts: array[int], sizes: array[int], offsets: array[int]) -> None:
        if any(starts[i] > starts[i + 1] for i in range(len(starts) - 1)):
            order = sorted(range(len(starts)), key=starts.__getitem__)
            starts = array("Q", (starts[i] for i in order))
            sizes = array("Q", (sizes[i] for i in order))
            offsets = array("Q", (offsets[i] for i in order))
        self.starts, self.sizes, self.offsets = starts, sizes, offsets

    def covering(self, address: int) -> int | None:
        """Index of the range holding ``address`` (the one starting last at or before it)."""
        i = bisect_right(self.starts, address) - 1
        if i >= 0 and address < self.starts[i] + self.sizes[i]:
            return i
        return None

    def at_or_before(self, address: int) -> int | None:
        i = bisect_right(self.starts, address) - 1
        return i if i >= 0 else None

    def before(self, address: int) -> int | None:
        """Index of the last range starting strictly before ``address``."""
        i = bisect_right(self.starts, address - 1) - 1 if address > 0 else -1
        return i if i >= 0 else None


#: Bytes read per step of an index scan (read with pread, not through the mapping: scanning 300 MB must not leave
#: 300 MB of touched pages in the process's resident set).
SCAN_CHUNK = 8 << 20
#: Bytes of the next chunk also given to the pattern, so a record head cut by the chunk end is still seen.
SCAN_OVERLAP = 512
_INDEX_VERSION = 1
#: Files smaller than this are scanned each time (a few ms) rather than leaving index files in the cache.
INDEX_CACHE_MIN = 8 << 20


def _ranges(matches: Iterator[tuple[int, re.Match[bytes]]], with_size: bool) -> _RangeIndex:
    starts, sizes, offsets = array("Q"), array("Q"), array("Q")
    for at, m in matches:
        starts.append(int(m.group(1), 16))
        sizes.append(int(m.group(2), 16) if with_size else 1)
        offsets.append(at + 1)
    return _RangeIndex(starts, sizes, offsets)


class SymbolFile:
    """A Breakpad symbol file, mapped and indexed on demand.

    Args:
        path: the ``.sym`` file. Raises :class:`SymbolFileError` when it does not start with ``MODULE``.
    """

    def __init__(self, path: str | os.PathLike[str], index_dir: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path)
        self.index_dir = Path(index_dir) if index_dir is not None else None
        with open(self.path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            head = fh.read(512)
            if not head.startswith(b"MODULE "):
                raise SymbolFileError(f"{self.path}: not a Breakpad symbol file (no MODULE line at the start)")
            self._data: bytes | mmap.mmap = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
            self._stamp = f"{self.path.resolve()}|{size}|{os.fstat(fh.fileno()).st_mtime_ns}"
        self._read_module_line(head)
        self.size = size
        self._funcs: _RangeIndex | None = None
        self._publics: _RangeIndex | None = None
        self._cfi: _RangeIndex | None = None
        self._win: dict[int, _RangeIndex] | None = None
        self._files: dict[int, int] | None = None
        self._origins: dict[int, int] | None = None

    @classmethod
    def from_bytes(cls, data: bytes) -> SymbolFile:
        """A symbol file held in memory (tests, small files fetched over HTTP)."""
        self = cls.__new__(cls)
        if not data.startswith(b"MODULE "):
            raise SymbolFileError("not a Breakpad symbol file (no MODULE line at the start)")
        self.path = Path("<memory>")
        self.index_dir = None
        self._data = data
        self._read_module_line(data[:512])
        self.size = len(data)
        self._funcs = self._publics = self._cfi = None
        self._win = None
        self._files = self._origins = None
        return self

    def _read_module_line(self, head: bytes) -> None:
        """``MODULE os arch debug_id debug_file``."""
        fields = [*head.split(b"\n", 1)[0].decode("utf-8", "replace").split(maxsplit=4), "", "", "", "", ""]
        self.os, self.arch, self.debug_id, self.debug_file = fields[1], fields[2], fields[3], fields[4].strip()

    def close(self) -> None:
        if isinstance(self._data, mmap.mmap):
            self._data.close()

    # ------------------------------------------------------------------ raw lines

    def _line(self, offset: int) -> tuple[bytes, int]:
        """The line starting at ``offset`` (without its end) and the offset of the next line."""
        end = self._data.find(b"\n", offset, offset + MAX_LINE)
        if end < 0:
            end = min(len(self._data), offset + MAX_LINE)
        return self._data[offset:end].rstrip(b"\r"), end + 1

    def _text_after(self, offset: int) -> str:
        """The rest of a line from ``offset`` (a name after its record's fixed fields)."""
        line, _next = self._line(offset)
        return line.decode("utf-8", "replace").strip()

    # ------------------------------------------------------------------ indexes (built on first need)

    def _matches(self, pattern: re.Pattern[bytes]) -> Iterator[tuple[int, re.Match[bytes]]]:
        """(absolute offset, match) of every match, reading the file in chunks (never through the mapping)."""
        if not isinstance(self._data, mmap.mmap):
            for m in pattern.finditer(self._data):
                yield m.start(), m
            return
        with open(self.path, "rb") as fh:
            fd = fh.fileno()
            pos = 0
            while pos < self.size:
                chunk = os.pread(fd, SCAN_CHUNK + SCAN_OVERLAP, pos)
                if not chunk:
                    break
                last = pos + SCAN_CHUNK >= self.size
                for m in pattern.finditer(chunk):
                    if not last and m.start() >= SCAN_CHUNK:
                        break
                    yield pos + m.start(), m
                pos += SCAN_CHUNK

    def _index_path(self, kind: str) -> Path | None:
        if self.index_dir is None or not hasattr(self, "_stamp") or self.size < INDEX_CACHE_MIN:
            return None
        digest = hashlib.sha256(f"{_INDEX_VERSION}|{self._stamp}".encode()).hexdigest()[:24]
        return self.index_dir / f"{digest}.{kind}.idx"

    def _cached(self, kind: str, build: Callable[[], list[array[int]]]) -> list[array[int]]:
        """Arrays of an index, from the index cache when this very file (path, size, mtime) was indexed before."""
        path = self._index_path(kind)
        if path is not None and path.is_file():
            try:
                with open(path, "rb") as fh:
                    counts = array("Q")
                    counts.fromfile(fh, 1)
                    n_arrays = array("Q")
                    n_arrays.fromfile(fh, 1)
                    out = []
                    for _ in range(n_arrays[0]):
                        values = array("Q")
                        values.fromfile(fh, counts[0])
                        out.append(values)
                    return out
            except (OSError, EOFError, ValueError):
                pass  # a damaged or cut index: build it again
        arrays = build()
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with replacing(path, sync_dir=False) as fh:  # a cache: durability is not needed, wholeness is
                    array("Q", [len(arrays[0]) if arrays else 0, len(arrays)]).tofile(fh)
                    for values in arrays:
                        values.tofile(fh)
            except OSError:
                pass  # no cache: the next session scans again
        return arrays

    def _range_index(self, kind: str, pattern: re.Pattern[bytes], with_size: bool) -> _RangeIndex:
        def build() -> list[array[int]]:
            index = _ranges(self._matches(pattern), with_size)
            return [index.starts, index.sizes, index.offsets]

        starts, sizes, offsets = self._cached(kind, build)
        return _RangeIndex(starts, sizes, offsets)

    def _id_index(self, kind: str, pattern: re.Pattern[bytes]) -> dict[int, int]:
        def build() -> list[array[int]]:
            ids, ends = array("Q"), array("Q")
            for at, m in self._matches(pattern):
                ids.append(int(m.group(1)))
                ends.append(at + m.end() - m.start())
            return [ids, ends]

        ids, ends = self._cached(kind, build)
        return dict(zip(ids, ends, strict=True))

    @property
    def functions(self) -> _RangeIndex:
        if self._funcs is None:
            self._funcs = self._range_index("func", _FUNC, with_size=True)
        return self._funcs

    @property
    def publics(self) -> _RangeIndex:
        if self._publics is None:
            self._publics = self._range_index("public", _PUBLIC, with_size=False)
        return self._publics

    @property
    def cfi(self) -> _RangeIndex:
        if self._cfi is None:
            self._cfi = self._range_index("cfi", _CFI_INIT, with_size=True)
        return self._cfi

    def _win_index(self, kind: int) -> _RangeIndex:
        if self._win is None:
            by_type: dict[int, tuple[array[int], array[int], array[int]]] = {}
            for at, m in self._matches(_WIN):
                lists = by_type.setdefault(int(m.group(1), 16), (array("Q"), array("Q"), array("Q")))
                lists[0].append(int(m.group(2), 16))
                lists[1].append(int(m.group(3), 16))
                lists[2].append(at + 1)
            self._win = {k: _RangeIndex(*v) for k, v in by_type.items()}
        return self._win.get(kind) or _RangeIndex(array("Q"), array("Q"), array("Q"))

    def file_name(self, number: int) -> str | None:
        if self._files is None:
            self._files = self._id_index("file", _FILE)
        at = self._files.get(number)
        return self._text_after(at) if at is not None else None

    def origin_name(self, number: int) -> str | None:
        if self._origins is None:
            self._origins = self._id_index("origin", _ORIGIN)
        at = self._origins.get(number)
        if at is None:
            return None
        text = self._text_after(at)
        # An older dump_syms wrote "INLINE_ORIGIN id nest_level name"; a numeric field then precedes the name.
        head, _, rest = text.partition(" ")
        return rest if head.isdigit() and rest else text

    # ------------------------------------------------------------------ symbols

    def has_function(self, address: int) -> bool:
        """Whether a FUNC covers ``address`` or a PUBLIC names it (the scan's plausibility check)."""
        return self._function_at(address) is not None or self._public_at(address) is not None

    def _function_at(self, address: int) -> int | None:
        return self.functions.covering(address)

    def _public_at(self, address: int) -> int | None:
        publics = self.publics
        i = publics.at_or_before(address)
        if i is None:
            return None
        funcs = self.functions
        j = funcs.before(address)
        if j is not None and publics.starts[i] <= funcs.starts[j]:
            return None  # a FUNC starts between the PUBLIC and the address: the PUBLIC does not reach it
        return i

    def lookup(self, address: int) -> Symbol | None:
        """The function, source line and inlined calls at ``address`` (relative to the module base)."""
        i = self._function_at(address)
        if i is not None:
            return self._function_symbol(self.functions.offsets[i], address)
        i = self._public_at(address)
        if i is None:
            return None
        line, _next = self._line(self.publics.offsets[i])
        parts = line.decode("utf-8", "replace").split(" ", 4 if line.startswith(b"PUBLIC m ") else 3)
        if parts[1] == "m":
            parts = [parts[0], *parts[2:]]
        name = parts[3] if len(parts) > 3 else ""
        param = _int16(parts[2]) if len(parts) > 2 else 0
        return Symbol(function=name.strip(), function_address=self.publics.starts[i], parameter_size=param)

    def _function_symbol(self, offset: int, address: int) -> Symbol:
        line, pos = self._line(offset)
        text = line.decode("utf-8", "replace")
        parts = text.split(" ", 5 if text.startswith("FUNC m ") else 4)
        if parts[1] == "m":
            parts = [parts[0], *parts[2:]]
        func_address, param = int(parts[1], 16), _int16(parts[3])
        symbol = Symbol(
            function=parts[4].strip() if len(parts) > 4 else "", function_address=func_address, parameter_size=param
        )
        if self.arch == "x86":  # 32-bit Windows: STACK WIN knows the parameter size better than FUNC
            win = self.stack_win(address)
            if win is not None:
                symbol.parameter_size = win.parameter_size
        lines: list[tuple[int, int, int, int]] = []  # (address, size, line, file)
        inlines: list[tuple[int, int, int, int, int]] = []  # (depth, start, end, call_line/file packed, origin)
        calls: list[tuple[int, int]] = []
        data = self._data
        while pos < len(data):
            if data[pos : pos + 7] == b"INLINE ":
                record, pos = self._line(pos)
                fields = record.split()
                try:
                    depth, call_line, call_file, origin = (int(x) for x in fields[1:5])
                    ranges = [int(x, 16) for x in fields[5:]]
                except ValueError:
                    continue
                for k in range(0, len(ranges) - 1, 2):
                    inlines.append((depth, ranges[k], ranges[k] + ranges[k + 1], len(calls), origin))
                calls.append((call_file, call_line))
                continue
            record, after = self._line(pos)
            fields = record.split()
            if len(fields) != 4:
                break
            try:
                lines.append((int(fields[0], 16), int(fields[1], 16), int(fields[2]), int(fields[3])))
            except ValueError:
                break  # the next FUNC / PUBLIC / STACK record
            pos = after
        innermost = next(((a, line_no, f) for a, s, line_no, f in lines if a <= address < a + s), None)

        def inline_at(depth: int) -> tuple[int, int, int] | None:
            best = None
            for d, start, end, call, origin in inlines:
                if d == depth and start <= address < end and (best is None or start > best[0]):
                    best = (start, call, origin)
            return best

        top = inline_at(0)
        if top is None:
            if innermost is not None:
                symbol.line_address, symbol.line = innermost[0], innermost[1]
                symbol.file = self.file_name(innermost[2])
            return symbol
        start, call, origin = top
        symbol.line_address, symbol.file, symbol.line = start, self.file_name(calls[call][0]), calls[call][1]
        chain: list[Inline] = []
        depth = 1
        while True:
            found = inline_at(depth)
            if found is None:
                break
            _s, call, next_origin = found
            chain.append(Inline(self.origin_name(origin) or "?", self.file_name(calls[call][0]), calls[call][1]))
            origin, depth = next_origin, depth + 1
            if depth > 10_000:
                break
        file = self.file_name(innermost[2]) if innermost else None
        line_no = innermost[1] if innermost and innermost[1] else None
        chain.append(Inline(self.origin_name(origin) or "?", file, line_no))
        chain.reverse()
        symbol.inlines = chain
        return symbol

    # ------------------------------------------------------------------ unwind records

    def stack_win(self, address: int) -> StackWin | None:
        """The ``STACK WIN`` record for ``address``: frame data (type 4) first, then FPO (type 0)."""
        for kind in (4, 0):
            index = self._win_index(kind)
            i = index.covering(address)
            if i is not None:
                return _parse_win(self._line(index.offsets[i])[0])
        return None

    def cfi_rules(self, address: int) -> CfiRules | None:
        """The ``STACK CFI INIT`` rules covering ``address`` followed by the deltas at or before it."""
        index = self.cfi
        i = index.covering(address)
        if i is None:
            return None
        line, pos = self._line(index.offsets[i])
        fields = line.decode("utf-8", "replace").split(" ", 5)
        if len(fields) < 6:
            return None
        rules = [fields[5]]
        data = self._data
        while data[pos : pos + 10] == b"STACK CFI " and data[pos + 10 : pos + 15] != b"INIT ":
            line, pos = self._line(pos)
            parts = line.decode("utf-8", "replace").split(" ", 3)
            if len(parts) < 4:
                continue
            try:
                at = int(parts[2], 16)
            except ValueError:
                continue
            if at > address:
                break
            rules.append(parts[3])
        return CfiRules(index.starts[i], tuple(rules))


def _int16(text: str) -> int:
    try:
        return int(text, 16)
    except ValueError:
        return 0


def _parse_win(line: bytes) -> StackWin | None:
    fields = line.decode("utf-8", "replace").split(" ", 12)
    if len(fields) < 13:
        return None
    try:
        nums = [int(x, 16) for x in fields[2:11]]
        has_program = fields[11] == "1"
    except ValueError:
        return None
    kind, address, size, prologue, epilogue, params, saved, local, max_stack = nums
    tail = fields[12].strip()
    return StackWin(
        kind,
        address,
        size,
        prologue,
        epilogue,
        params,
        saved,
        local,
        max_stack,
        program=tail if has_program else None,
        allocates_base_pointer=not has_program and tail == "1",
    )
