"""The normalized, read-only view of a payload that every view and command reads.

A :class:`Report` never copies the document: frame lists, binaries and telemetry are :class:`LazyList`\\ s that
convert one raw item (a dict of the parsed JSON, a parsed minidump record...) into a small dataclass only when
it is asked for. That keeps a million-frame payload cheap to show: the item models ask for the rows that are
painted, the filter scans raw items through ``text_of``.

Every row carries ``pointer``, the JSON Pointer it came from, so a click can select the text in the raw view
and a problem can select its row.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


def returns(data: bytes) -> Callable[[], bytes]:
    """A loader that gives ``data`` (an attachment already in memory)."""
    return lambda: data


class LazyList(Sequence[T], Generic[T]):
    """A read-only sequence that converts raw items on access.

    Args:
        raw: the underlying list (of the parsed document, not a copy).
        convert: ``convert(raw_item, index) -> T``.
        text_of: optional cheap ``text_of(raw_item) -> str`` used for substring filtering without building T.
    """

    __slots__ = ("_convert", "_raw", "_text_of", "search_cache")

    def __init__(
        self,
        raw: Sequence[Any],
        convert: Callable[[Any, int], T],
        text_of: Callable[[Any], str] | None = None,
    ) -> None:
        self._raw = raw
        self._convert = convert
        self._text_of = text_of
        #: The filter's lower-cased text of every row, made on the first filter (ui.models.filtering.SearchIndex).
        self.search_cache: object | None = None

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._raw)))]
        if index < 0:
            index += len(self._raw)
        return self._convert(self._raw[index], index)

    def __iter__(self) -> Iterator[T]:
        convert = self._convert
        for i, item in enumerate(self._raw):
            yield convert(item, i)

    def text(self, index: int) -> str:
        """Searchable text of one row (lower-cased by the caller as needed)."""
        item = self._raw[index]
        if self._text_of is not None:
            return self._text_of(item)
        text: str = self._convert(item, index).search_text()  # type: ignore[attr-defined]
        return text

    def texts(self, start: int = 0, stop: int | None = None) -> list[str]:
        """Searchable text of rows ``start:stop`` in one pass (what the filter's search index is made of)."""
        between = getattr(self._raw, "between", None)  # a chunked list of the document (formats.lazy_json)
        items = between(start, stop) if between is not None else self._raw[start:stop]
        text_of = self._text_of
        if text_of is not None:
            return [text_of(item) for item in items]
        return [self._convert(item, start + i).search_text() for i, item in enumerate(items)]  # type: ignore[attr-defined]

    def matching(self, needle: str) -> list[int]:
        """Indexes of rows whose text contains ``needle`` (case-insensitive)."""
        needle = needle.lower()
        return [i for i in range(len(self._raw)) if needle in self.text(i).lower()]


def _join_text(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p not in (None, ""))


@dataclass(frozen=True, slots=True)
class SourceContext:
    """Source code around a frame: ``lines`` with ``start_line`` the number of the first; ``line`` the crashing one."""

    lines: tuple[str, ...]
    start_line: int
    line: int | None
    path: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Frame:
    """One stack frame. ``address`` is an int when known. ``variables`` holds locals/args/registers groups."""

    function: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    module: str | None = None
    address: int | None = None
    in_app: bool | None = None
    pointer: str = ""
    variables: tuple[tuple[str, Any], ...] = ()  # (("locals", {...}), ("registers", {...}))
    source: SourceContext | None = None
    note: str | None = None  # e.g. "scanned", "unsymbolicated", "module + 0x1a2b"
    #: How a native frame was found: context, cfi, frame_pointer, cfi_scan, scan, inlined (None: not walked).
    trust: str | None = None
    #: The address relative to its module's base (native frames).
    module_offset: int | None = None

    def location(self) -> str:
        if not self.file:
            return ""
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text

    def search_text(self) -> str:
        addr = f"0x{self.address:x}" if self.address is not None else None
        return _join_text(self.function, self.file, self.module, addr, self.note)


@dataclass(frozen=True, slots=True)
class ExceptionInfo:
    """One link of the exception chain. ``depth`` 0 is the outermost; causes/inner exceptions follow."""

    type: str | None
    message: str | None
    frames: Sequence[Frame]
    pointer: str = ""
    depth: int = 0
    handled: bool | None = None
    relation: str | None = None  # "cause", "inner exception", "context"
    raw_stack: str | None = None  # an unparsed stack trace string (App Center handledError stackTrace)


@dataclass(frozen=True, slots=True)
class Thread:
    id: str
    name: str | None
    frames: Sequence[Frame]
    crashed: bool = False
    pointer: str = ""
    registers: dict[str, Any] | None = None

    def search_text(self) -> str:
        return _join_text(self.id, self.name)


@dataclass(frozen=True, slots=True)
class Binary:
    name: str | None
    start: int | None = None
    end: int | None = None  # exclusive
    size: int | None = None
    debug_id: str | None = None  # UUID / debug identifier
    code_id: str | None = None
    arch: str | None = None
    path: str | None = None
    version: str | None = None
    debug_file: str | None = None
    pointer: str = ""

    def contains(self, address: int) -> bool:
        if self.start is None:
            return False
        end = self.end if self.end is not None else (self.start + self.size if self.size is not None else None)
        return end is not None and self.start <= address < end

    def search_text(self) -> str:
        return _join_text(self.name, self.debug_id, self.code_id, self.arch, self.path, self.version)


@dataclass(frozen=True, slots=True)
class TelemetryEvent:
    """A breadcrumb / telemetry event. ``timestamp`` in seconds since the epoch (float) when known."""

    timestamp: float | None
    level: str | None
    type: str | None
    source: str | None
    message: str | None
    pointer: str = ""
    status: str | None = None
    url: str | None = None

    def search_text(self) -> str:
        return _join_text(self.level, self.type, self.source, self.message, self.url, self.status)


@dataclass(frozen=True, slots=True)
class Attachment:
    """An attachment of the submission (Backtrace part, App Center errorAttachment).

    ``data`` is a callable so a base64 attachment is decoded only when previewed.
    """

    name: str
    content_type: str | None
    size: int
    load: Callable[[], bytes]
    pointer: str = ""
    origin: str = ""  # "multipart part upload_file", "errorAttachment"

    def data(self) -> bytes:
        return self.load()


@dataclass(slots=True)
class Summary:
    """The header line facts. Any may be None when the payload does not say."""

    title: str | None = None
    level: str | None = None
    fatal: bool | None = None
    app: str | None = None
    app_version: str | None = None
    os: str | None = None
    device: str | None = None
    timestamp: float | None = None  # seconds since the epoch, UTC
    environment: str | None = None
    language: str | None = None
    sdk: str | None = None
    id: str | None = None  # uuid / _rxid


@dataclass(slots=True)
class Report:
    """One crash/error report. ``kind`` names the variant ("trace_chain", "managedError", "minidump")."""

    format: str
    kind: str
    summary: Summary
    exceptions: list[ExceptionInfo] = field(default_factory=list)
    threads: list[Thread] = field(default_factory=list)
    binaries: Sequence[Binary] = ()
    telemetry: Sequence[TelemetryEvent] = ()
    attachments: list[Attachment] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)  # section name -> value (dict/list/scalar)
    pointer: str = ""  # where this report sits in the document ("/logs/0" for App Center)
    most_recent_first: bool = True  # the vendor's frame-order convention for frames lists
    #: frame_count, once counted (a report is read-only; 10 000 threads take ~10 ms to count, asked for per repaint)
    _frame_count: int | None = field(default=None, repr=False, compare=False)

    @property
    def crashed_thread(self) -> Thread | None:
        return next((t for t in self.threads if t.crashed), None)

    @property
    def frame_count(self) -> int:
        if self._frame_count is None:
            self._frame_count = sum(len(e.frames) for e in self.exceptions) + sum(len(t.frames) for t in self.threads)
        return self._frame_count

    def counts(self) -> dict[str, int]:
        """The per-report numbers ``show --json`` prints."""
        return {
            "threads": len(self.threads),
            "frames": self.frame_count,
            "binaries": len(self.binaries),
            "telemetry": len(self.telemetry),
            "attachments": len(self.attachments),
        }

    def binary_for(self, address: int) -> int | None:
        """Index of the binary containing ``address`` (linear; binaries lists are small)."""
        for i, binary in enumerate(self.binaries):
            if binary.contains(address):
                return i
        return None


def epoch_seconds(value: Any, divisor: float = 1.0) -> float | None:
    """A JSON number as epoch seconds (``divisor`` 1000 for milliseconds); None for "no timestamp".

    None for bools, non-numbers, NaN/infinity and integers too big for a float (``10**4000`` from a hostile
    or broken payload: ``float()`` and ``/`` raise OverflowError on them).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = value / divisor if divisor != 1.0 else float(value)
    except OverflowError:
        return None
    return seconds if math.isfinite(seconds) else None


def fits_float(value: Any) -> bool:
    """False for an int that ``float()`` cannot hold (more than about 1.8e308)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return True
    try:
        float(value)
    except OverflowError:
        return False
    return True


def to_int(value: Any) -> int | None:
    """Parse an address or number given as int, decimal string or 0x-hex string; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            if text.lower().startswith(("0x", "-0x")):
                return int(text, 16)
            return int(text)
        except ValueError:
            return None
    return None
