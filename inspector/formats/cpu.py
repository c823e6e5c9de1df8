"""The CPU/architecture tables, in one place: Mach-O CPU types (Apple crash reports, PLCrashReporter, App Center's
``primaryArchitectureId``/``cpuType``) by number and by name."""

from __future__ import annotations

#: Mach-O CPU types (mach/machine.h; 64-bit ones carry the ABI64 bit 0x01000000) -> the architecture's name.
MACH_CPU_NAMES: dict[int, str] = {
    7: "x86",
    0x01000007: "x86_64",
    12: "arm",
    0x0100000C: "arm64",
    0x0200000C: "arm64_32",
    18: "ppc",
    0x01000012: "ppc64",
}

#: Architecture names (as crash reports write them, aliases included) -> their Mach-O CPU type.
MACH_CPU_TYPES: dict[str, int] = {
    **{name: number for number, name in MACH_CPU_NAMES.items()},
    "i386": 7,
    "arm64e": 0x0100000C,
}
