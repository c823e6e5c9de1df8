"""Breakpad "microdumps": Android's logcat text form of a crash (``-----BEGIN BREAKPAD MICRODUMP-----``).

A microdump is not a minidump: it is text lines behind a logcat prefix (``W/google-breakpad( 3728): ``), with
``O`` (OS / CPU), ``C`` (the crashing thread's CPU context, hex), ``S`` (stack memory, hex), ``M`` (modules) and
``V``/``G``/``H`` lines. Backtrace and App Center ingest minidumps, not this; we read it to explain it and to show
the one thread and the modules it holds (Breakpad ``src/processor/microdump.cc`` describes the lines).

A paste from logcat often holds several dumps, and may start in the middle of one: :func:`parse_all` reads every
``BEGIN``...``END`` block (each becomes one report, like the logs of an App Center batch) and says which lines
belong to no block. ``R <signal number> <signal name> <address>`` is the crash reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from inspector.formats.base import InspectorError
from inspector.formats.minidump_parse import MdModule, read_context

BEGIN = b"-----BEGIN BREAKPAD MICRODUMP-----"
END = b"-----END BREAKPAD MICRODUMP-----"
_PREFIX = re.compile(r"^.*?: (?=[A-Z-] |-----)")
_OS = {"A": "Android", "L": "Linux"}


@dataclass
class Microdump:
    os: str | None = None
    arch: str | None = None
    cpu_count: int | None = None
    cpu: str | None = None
    os_build: str | None = None
    version: str | None = None
    modules: list[MdModule] = field(default_factory=list)
    registers: dict[str, int] = field(default_factory=dict)
    ip: int | None = None
    sp: int | None = None
    stack_start: int = 0
    stack: bytearray = field(default_factory=bytearray)
    lines: int = 0
    complete: bool = False
    first_line: int = 1  # the BEGIN line's number in the paste
    last_line: int | None = None  # the END line's number (None: the paste ends inside this dump)
    signal_number: int | None = None  # the R line: "R 00000005 SIGTRAP 4A7CB000"
    signal: str | None = None
    crash_address: int | None = None

    def read_memory(self, address: int, size: int) -> bytes | None:
        off = address - self.stack_start
        if off >= 0 and off + size <= len(self.stack):
            return bytes(self.stack[off : off + size])
        return None

    def module_for(self, address: int) -> MdModule | None:
        return next((m for m in self.modules if m.base <= address < m.end), None)


@dataclass
class MicrodumpPaste:
    """Every microdump of a paste, with the lines outside any BEGIN...END block."""

    dumps: list[Microdump]
    stray: list[tuple[int, int]] = field(default_factory=list)  # (first, last) line numbers outside every block
    orphan_end: int | None = None  # an END line with no BEGIN before it: the paste starts mid-dump


def is_microdump(body: bytes) -> bool:
    return BEGIN in body[: 1 << 20]


def parse(body: bytes) -> Microdump:
    """The first microdump of ``body`` (see :func:`parse_all` for a paste of several)."""
    return parse_all(body).dumps[0]


def parse_all(body: bytes) -> MicrodumpPaste:
    """Read every BEGIN...END block; InspectorError with the line number when a line is damaged."""
    text = body.decode("utf-8", "replace")
    paste = MicrodumpPaste(dumps=[])
    md: Microdump | None = None
    stray_from: int | None = None
    number = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = _PREFIX.sub("", raw[:1_000_000], count=1).strip()
        if line.startswith("-----BEGIN"):
            if stray_from is not None:
                paste.stray.append((stray_from, number - 1))
                stray_from = None
            md = Microdump(first_line=number)  # a BEGIN without END before it: that dump was cut off
            paste.dumps.append(md)
            continue
        if line.startswith("-----END"):
            if md is None:
                paste.orphan_end = paste.orphan_end or number
            else:
                md.complete, md.last_line = True, number
            md = None
            continue
        if md is None:
            if line and stray_from is None:
                stray_from = number
            continue
        if line:
            _read_line(md, line, number)
    if stray_from is not None:
        paste.stray.append((stray_from, number))
    if not paste.dumps:
        raise InspectorError("no '-----BEGIN BREAKPAD MICRODUMP-----' line", where="line 1")
    return paste


def _read_line(md: Microdump, line: str, number: int) -> None:
    md.lines += 1
    tag, _, rest = line.partition(" ")
    fields = rest.split()
    try:
        if tag == "O" and len(fields) >= 3:
            md.os = _OS.get(fields[0], fields[0])
            md.arch = fields[1]
            md.cpu_count = int(fields[2], 16)
            md.cpu = fields[3] if len(fields) > 3 else None
            md.os_build = " ".join(fields[4:]) or None
        elif tag == "V":
            md.version = rest.strip()
        elif tag == "R" and len(fields) >= 3:
            md.signal_number, md.signal, md.crash_address = int(fields[0], 16), fields[1], int(fields[2], 16)
        elif tag == "S" and fields and fields[0] == "0" and len(fields) >= 4:
            md.stack_start = int(fields[2], 16)
        elif tag == "S" and len(fields) >= 2:
            addr = int(fields[0], 16)
            chunk = bytes.fromhex(fields[1])
            off = addr - md.stack_start
            if off < 0 or off > 64 * 1024 * 1024:
                raise ValueError(f"stack line address 0x{addr:x} is outside the stack")
            if len(md.stack) < off:
                md.stack.extend(b"\0" * (off - len(md.stack)))
            md.stack[off : off + len(chunk)] = chunk
        elif tag == "C":
            ctx = bytes.fromhex(rest.strip())
            arch = "arm64" if md.arch == "arm64" else ("amd64" if md.arch == "x86_64" else md.arch)
            md.registers, md.ip, md.sp = read_context(ctx, 0, len(ctx), arch)
        elif tag == "M" and len(fields) >= 5:
            base, _offset, size = (int(f, 16) for f in fields[:3])
            ident = fields[3]
            name = " ".join(fields[4:])
            md.modules.append(MdModule(base, size, 0, 0, name, debug_id=ident, debug_file=name, cv_kind="ELF build id"))
    except ValueError as exc:
        raise InspectorError(
            f"microdump line {number} ({tag} record) is damaged: {str(exc)[:200]}", where=f"line {number}"
        ) from None
