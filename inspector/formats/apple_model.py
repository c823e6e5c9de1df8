"""The parsed form shared by every Apple crash input (text report, ``.ips`` JSON, PLCrashReporter protobuf).

Each reader fills an :class:`AppleCrash`; :mod:`inspector.formats.apple` turns it into a Report and validates it.
``where`` fields hold the pseudo pointer of the source (``/@line/12`` for text, a JSON Pointer for ``.ips``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from inspector.formats.base import Problem
from inspector.formats.cpu import MACH_CPU_TYPES

#: Mach-O CPU types with the ABI64 bit, as App Center's primaryArchitectureId expects (the one table: formats.cpu).
CPU_TYPES = MACH_CPU_TYPES
CODE_TYPES = {
    "X86-64": "x86_64",
    "X86": "x86",
    "ARM-64": "arm64",
    "ARM64E": "arm64e",
    "ARM": "arm",
    "PPC": "ppc",
    "PPC-64": "ppc64",
    "ARM64_32": "arm64_32",
}


@dataclass(slots=True)
class AppleFrame:
    binary: str | None
    address: int | None
    symbol: str | None = None
    offset: int | None = None
    file: str | None = None
    line: int | None = None
    image_base: int | None = None  # "0x10211c000 + 1363568" (unsymbolicated) gives the load address
    where: str = ""


@dataclass(slots=True)
class AppleThread:
    number: int
    name: str | None = None
    crashed: bool = False
    frames: list[AppleFrame] = field(default_factory=list)
    registers: dict[str, str] = field(default_factory=dict)
    queue: str | None = None
    where: str = ""


@dataclass(slots=True)
class AppleImage:
    start: int
    end: int | None  # inclusive end as printed ("0x1024b3fff"), None when only a size is known
    name: str
    arch: str | None = None
    uuid: str | None = None
    path: str | None = None
    version: str | None = None
    app_marker: bool = False  # "+" before the name: the image belongs to the app bundle
    where: str = ""


@dataclass
class AppleCrash:
    source: str  # "text", "ips", "plcrash"
    header: dict[str, str] = field(default_factory=dict)
    exception_type: str | None = None
    exception_codes: str | None = None
    exception_subtype: str | None = None
    signal: str | None = None
    termination: str | None = None
    crashed_thread: int | None = None  # from the header ("Crashed Thread:", "Triggered by Thread:", faultingThread)
    threads: list[AppleThread] = field(default_factory=list)
    images: list[AppleImage] = field(default_factory=list)
    last_exception: list[AppleFrame] | None = None
    exception_name: str | None = None  # NSException name / reason (plcrash, ips "exception" of ObjC)
    exception_reason: str | None = None
    sections: dict[str, str] = field(default_factory=dict)
    code_type: str | None = None  # "arm64", "x86_64"
    process_id: int | None = None
    parent_process: str | None = None
    timestamp: float | None = None
    launch_timestamp: float | None = None
    variant: str | None = None  # "KSCrash/Rollbar", "PLCrashReporter text"
    problems: list[Problem] = field(default_factory=list)
    header_where: dict[str, str] = field(default_factory=dict)
    version: int | None = None  # PLCrashReporter file version / Report Version
    recrash: AppleCrash | None = None  # KSCrash: "Handler crashed while reporting:", the reporter's own crash
    panic: str | None = None  # kernel panic .ips (bug_type 210/151): the panic string

    @property
    def process(self) -> str | None:
        value = self.header.get("Process")
        return value.rsplit(" [", 1)[0].strip() if value else None

    @property
    def app_path(self) -> str | None:
        return self.header.get("Path")

    def image_for(self, address: int) -> AppleImage | None:
        for image in self.images:
            end = image.end if image.end is not None else image.start
            if image.start <= address <= end:
                return image
        return None
