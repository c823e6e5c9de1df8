"""The minidump's records as dataclasses: streams, threads, modules, exception, system, Crashpad, Minidump."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from inspector.formats.base import Problem
from inspector.formats.minidump_names import CPU_ARCHS, PLATFORMS, STREAM_TYPES, stream_name


@dataclass(slots=True)
class StreamEntry:
    index: int
    type: int
    size: int
    rva: int

    @property
    def name(self) -> str:
        return stream_name(self.type)

    @property
    def pointer(self) -> str:
        """Pseudo pointer of the stream: its name, or its type in hex when the type is unknown."""
        return f"/@stream/{self.name if self.type in STREAM_TYPES else f'0x{self.type:08X}'}"


@dataclass(slots=True)
class MdThread:
    id: int
    suspend_count: int
    priority: int
    teb: int
    stack_start: int
    stack_size: int
    stack_rva: int
    context_size: int
    context_rva: int
    name: str | None = None
    registers: dict[str, int] = field(default_factory=dict)
    ip: int | None = None
    sp: int | None = None


@dataclass(slots=True)
class MdModule:
    base: int
    size: int
    checksum: int
    timestamp: int
    name: str
    version: str | None = None
    code_id: str | None = None
    debug_id: str | None = None
    debug_file: str | None = None
    cv_kind: str | None = None  # "PDB 7.0", "ELF build id", "PDB 2.0"

    @property
    def end(self) -> int:
        return self.base + self.size

    @property
    def basename(self) -> str:
        return self.name.replace("\\", "/").rsplit("/", 1)[-1] or self.name


@dataclass(slots=True)
class MdAssertion:
    expression: str
    function: str
    file: str
    line: int
    kind: int  # 0 unknown, 1 invalid parameter, 2 pure virtual call


@dataclass(slots=True)
class MdException:
    thread_id: int
    code: int
    flags: int
    record: int
    address: int
    params: tuple[int, ...]
    context_size: int
    context_rva: int
    registers: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class MdSystemInfo:
    arch_id: int
    level: int
    revision: int
    cpu_count: int
    product_type: int
    major: int
    minor: int
    build: int
    platform_id: int
    csd_version: str | None
    cpu_vendor: str | None

    @property
    def arch(self) -> str:
        return CPU_ARCHS.get(self.arch_id, f"unknown cpu 0x{self.arch_id:x}")

    @property
    def platform(self) -> str:
        return PLATFORMS.get(self.platform_id, f"unknown platform 0x{self.platform_id:x}")

    @property
    def os_version(self) -> str:
        text = f"{self.major}.{self.minor}.{self.build}"
        return f"{text} {self.csd_version}" if self.csd_version else text


@dataclass(slots=True)
class CrashpadInfo:
    report_id: str
    client_id: str
    annotations: dict[str, str]
    module_annotations: dict[str, dict[str, object]]


@dataclass
class Minidump:
    data: bytes
    version: int
    flags: int
    timestamp: int
    streams: list[StreamEntry]
    problems: list[Problem] = field(default_factory=list)
    threads: list[MdThread] = field(default_factory=list)
    modules: list[MdModule] = field(default_factory=list)
    exception: MdException | None = None
    system: MdSystemInfo | None = None
    process_id: int | None = None
    process_create_time: int | None = None
    memory: list[tuple[int, int, int]] = field(default_factory=list)  # (start, size, file offset)
    memory_source: str | None = None
    crashpad: CrashpadInfo | None = None
    breakpad_info: dict[str, int] | None = None
    assertion: MdAssertion | None = None
    text_streams: dict[str, str] = field(default_factory=dict)
    read_streams: list[str] = field(default_factory=list)
    _index: list[MdModule] = field(default_factory=list, repr=False)
    _bases: list[int] = field(default_factory=list, repr=False)
    _index_size: int = field(default=-1, repr=False)

    def stream(self, name: str) -> StreamEntry | None:
        return next((s for s in self.streams if s.name == name), None)

    def module_for(self, address: int) -> MdModule | None:
        """The module whose range holds ``address`` (binary search: the stack scan asks for every word)."""
        if self._index_size != len(self.modules):
            self._index = sorted(self.modules, key=lambda m: m.base)
            self._bases = [m.base for m in self._index]
            self._index_size = len(self.modules)
        last = bisect.bisect_right(self._bases, address) - 1
        for at in range(last, max(last - 4, -1), -1):  # ranges rarely overlap; look back a few for one that does
            module = self._index[at]
            if module.base <= address < module.end:
                return module
        return None

    def read_memory(self, address: int, size: int) -> bytes | None:
        """Bytes of the crashed process's memory at ``address`` when the dump captured them."""
        for start, length, rva in self.memory:
            if start <= address and address + size <= start + length:
                off = rva + (address - start)
                chunk = self.data[off : off + size]
                return chunk if len(chunk) == size else None
        return None

    @property
    def pointer_size(self) -> int:
        arch = self.system.arch if self.system else ""
        return 4 if arch in ("x86", "arm", "mips", "ppc", "sparc", "riscv") else 8

    @property
    def address_mask(self) -> int:
        """Addresses are truncated to the CPU's width: 32-bit writers store them sign-extended in 64-bit fields
        (``0xffffffff00000045`` for ``0x45``), as Breakpad's processor also reads them."""
        return (1 << (8 * self.pointer_size)) - 1

    @property
    def crashing_thread_id(self) -> int | None:
        if self.exception is not None:
            return self.exception.thread_id
        return None
