"""Reading a minidump's bytes: bounds-checked unpacking, strings, GUIDs, counted lists, CPU contexts."""

from __future__ import annotations

import struct
import uuid
from typing import Any

from inspector.formats.minidump_records import StreamEntry

MAX_RECORDS = 1_000_000


class Damage(Exception):
    """A structure does not fit the file; carries the byte offset."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


# ----------------------------------------------------------------------------------------------- primitives


def _unpack(fmt: str, data: bytes, offset: int, what: str) -> tuple[Any, ...]:
    size = struct.calcsize(fmt)
    if offset < 0 or offset + size > len(data):
        raise Damage(
            f"{what} ({size} bytes at offset {offset}) runs past the end of the file ({len(data)} bytes)", offset
        )
    return struct.unpack_from(fmt, data, offset)


def read_string(data: bytes, rva: int, what: str = "string") -> str:
    """A MINIDUMP_STRING: u32 byte length then UTF-16LE."""
    (length,) = _unpack("<I", data, rva, what)
    if length > 65536 or length % 2:
        raise Damage(f"{what} at offset {rva} has an impossible length {length}", rva)
    raw = data[rva + 4 : rva + 4 + length]
    if len(raw) != length:
        raise Damage(f"{what} at offset {rva} runs past the end of the file", rva)
    return raw.decode("utf-16-le", "replace")


def read_utf8(data: bytes, rva: int, what: str = "string") -> str:
    """Crashpad's MinidumpUTF8String: u32 length then bytes (NUL not counted)."""
    (length,) = _unpack("<I", data, rva, what)
    raw = data[rva + 4 : rva + 4 + length]
    if len(raw) != length:
        raise Damage(f"{what} at offset {rva} (length {length}) runs past the end of the file", rva)
    return raw.decode("utf-8", "replace")


def _guid(raw: bytes) -> uuid.UUID:
    return uuid.UUID(bytes_le=raw)


def _breakpad_id(raw16: bytes, age: int) -> str:
    """Breakpad debug identifier: the GUID's fields in their native order, upper hex, then the age in hex."""
    return _guid(raw16).hex.upper() + f"{age:X}"


def _list_count(entry: StreamEntry, data: bytes, record_size: int, what: str) -> tuple[int, int]:
    """(count, first record offset) of a u32-counted list, accepting the 4/8 bytes of padding Windows adds."""
    (count,) = _unpack("<I", data, entry.rva, f"{what} count")
    if count > MAX_RECORDS:
        raise Damage(f"{what} claims {count} records (impossible)", entry.rva)
    expected = 4 + count * record_size
    if entry.size == expected:
        return count, entry.rva + 4
    if entry.size in (expected + 4, expected + 8):
        return count, entry.rva + 8 if entry.size == expected + 4 else entry.rva + 4
    raise Damage(
        f"{what} claims {count} records of {record_size} bytes ({expected} bytes) but the stream is {entry.size} bytes",
        entry.rva,
    )


# ----------------------------------------------------------------------------------------------- contexts

_AMD64_GPRS = (
    "rax",
    "rcx",
    "rdx",
    "rbx",
    "rsp",
    "rbp",
    "rsi",
    "rdi",
    "r8",
    "r9",
    "r10",
    "r11",
    "r12",
    "r13",
    "r14",
    "r15",
)
_X86_GPRS = ("edi", "esi", "ebx", "edx", "ecx", "eax", "ebp", "eip", "cs", "eflags", "esp", "ss")

CONTEXT_SIZES = {716: "x86", 1232: "amd64", 912: "arm64", 796: "arm64", 368: "arm"}
_ARM_GPRS = (*(f"r{i}" for i in range(11)), "fp", "ip", "sp", "lr", "pc")


def read_context(data: bytes, rva: int, size: int, arch: str | None) -> tuple[dict[str, int], int | None, int | None]:
    """Registers of a CPU context, with the instruction and stack pointers. Unknown layouts give ({}, None, None)."""
    if size == 0:
        return {}, None, None
    if rva + size > len(data):
        raise Damage(f"thread context ({size} bytes at offset {rva}) runs past the end of the file", rva)
    kind = arch if arch in ("x86", "amd64", "arm64", "arm") else CONTEXT_SIZES.get(size)
    if kind == "amd64" and size >= 256:
        values = struct.unpack_from("<16Q", data, rva + 120)
        regs = dict(zip(_AMD64_GPRS, values, strict=True))
        regs["rip"] = struct.unpack_from("<Q", data, rva + 248)[0]
        regs["eflags"] = struct.unpack_from("<I", data, rva + 68)[0]
        return regs, regs["rip"], regs["rsp"]
    if kind == "x86" and size >= 204:
        values = struct.unpack_from("<12I", data, rva + 156)
        regs = dict(zip(_X86_GPRS, values, strict=True))
        return regs, regs["eip"], regs["esp"]
    if kind == "arm64" and size >= 276:
        # Windows-compatible layout (912 bytes): u32 flags, u32 cpsr, x0..x30, sp, pc. Breakpad's older
        # layout (796 bytes, microdumps too): u64 flags, x0..x30, sp, pc, then u32 cpsr.
        (cpsr,) = struct.unpack_from("<I", data, rva + (272 if size == 796 else 4))
        values = struct.unpack_from("<33Q", data, rva + 8)
        names = [f"x{i}" for i in range(29)] + ["fp", "lr", "sp", "pc"]
        regs = dict(zip(names, values, strict=True))
        regs["cpsr"] = cpsr
        return regs, regs["pc"], regs["sp"]
    if kind == "arm" and size >= 72:  # u32 flags, r0..r15 (r11 fp, r12 ip, r13 sp, r14 lr, r15 pc), u32 cpsr
        regs = dict(zip(_ARM_GPRS, struct.unpack_from("<16I", data, rva + 4), strict=True))
        regs["cpsr"] = struct.unpack_from("<I", data, rva + 68)[0]
        return regs, regs["pc"], regs["sp"]
    return {}, None, None
