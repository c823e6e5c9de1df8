"""Breakpad "microdumps": Android's logcat text form of a crash (``-----BEGIN BREAKPAD MICRODUMP-----``).

A microdump is not a minidump: it is text lines behind a logcat prefix (``W/google-breakpad( 3728): ``), with
``O`` (OS / CPU), ``C`` (the crashing thread's CPU context, hex), ``S`` (stack memory, hex), ``M`` (modules) and
``V``/``G``/``H`` lines. Backtrace and App Center ingest minidumps, not this; we read it to explain it and to show
the one thread and the modules it holds (Breakpad ``src/processor/microdump.cc`` describes the lines).
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

    def read_memory(self, address: int, size: int) -> bytes | None:
        off = address - self.stack_start
        if off >= 0 and off + size <= len(self.stack):
            return bytes(self.stack[off : off + size])
        return None

    def module_for(self, address: int) -> MdModule | None:
        return next((m for m in self.modules if m.base <= address < m.end), None)


def is_microdump(body: bytes) -> bool:
    return BEGIN in body[:8192]


def parse(body: bytes) -> Microdump:
    """Read the microdump lines; InspectorError with the line number when a line is damaged."""
    text = body.decode("utf-8", "replace")
    md = Microdump()
    started = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = _PREFIX.sub("", raw, count=1).strip()
        if line.startswith("-----BEGIN"):
            started = True
            continue
        if line.startswith("-----END"):
            md.complete = True
            break
        if not started or not line:
            continue
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
                md.modules.append(MdModule(base, size, 0, 0, name, debug_id=ident, debug_file=name,
                                           cv_kind="ELF build id"))
        except ValueError as exc:
            raise InspectorError(
                f"microdump line {number} ({tag} record) is damaged: {exc}", where=f"line {number}"
            ) from None
    if not started:
        raise InspectorError("no '-----BEGIN BREAKPAD MICRODUMP-----' line", where="line 1")
    return md
