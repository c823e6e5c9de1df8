"""Walking a minidump's threads: the CPU context and stack memory of each thread, fed to the unwinder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector.native.memory import MemoryRegion
from inspector.native.unwind import ARCHS, NoSymbols, Symbols, WalkedFrame, Walker

if TYPE_CHECKING:  # the walker reads what the minidump parser (a layer above) hands it; it imports nothing of it
    from inspector.formats.minidump_parse import MdThread, Minidump

_WINDOWS_PLATFORMS = (0, 1, 2, 3)


@dataclass(frozen=True, slots=True)
class ThreadContext:
    """What a walk starts from: the registers at the crash (or when the dump was taken) and the stack bytes."""

    registers: dict[str, int]
    stack: MemoryRegion | None


def thread_context(md: Minidump, thread: MdThread) -> ThreadContext:
    """The crashed thread starts from the exception's context (the handler's own context is not the crash)."""
    registers = thread.registers
    if md.exception is not None and md.exception.thread_id == thread.id and md.exception.registers:
        registers = md.exception.registers
    return ThreadContext(dict(registers), thread_stack(md, thread))


def thread_stack(md: Minidump, thread: MdThread) -> MemoryRegion | None:
    """The thread's stack memory as the dump captured it (its descriptor, else the memory range holding sp)."""
    if thread.stack_size and thread.stack_rva + thread.stack_size <= len(md.data):
        return MemoryRegion(thread.stack_start, md.data[thread.stack_rva : thread.stack_rva + thread.stack_size])
    if thread.sp is not None:
        for start, size, rva in md.memory:
            if start <= thread.sp < start + size:
                return MemoryRegion(start, md.data[rva : rva + size])
    return None


def walker_for(md: Minidump, symbols: Symbols | None = None) -> Walker | None:
    """An unwinder for the dump's CPU, or None when the CPU is not one we walk (then frames are not walked)."""
    arch = ARCHS.get(md.system.arch if md.system else "")
    if arch is None:
        return None
    ends = [m.end for m in md.modules]
    return Walker(
        arch=arch,
        module_for=md.module_for,
        symbols=symbols or NoSymbols(),
        windows=md.system is not None and md.system.platform_id in _WINDOWS_PLATFORMS,
        apple=md.system is not None and md.system.platform_id in (0x8101, 0x8102),
        modules_end=max(ends) if ends else 0,
    )


def walk_thread(
    md: Minidump,
    thread: MdThread,
    symbols: Symbols | None = None,
    on_frame: Callable[[int, WalkedFrame], None] | None = None,
) -> list[WalkedFrame] | None:
    """The frames of one thread, most recent first; None when the dump's CPU cannot be walked."""
    walker = walker_for(md, symbols)
    if walker is None:
        return None
    ctx = thread_context(md, thread)
    return walker.walk(ctx.registers, ctx.stack, on_frame)
