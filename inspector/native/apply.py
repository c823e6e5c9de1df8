"""Naming the frames of any report whose binaries carry debug ids (Apple ``.crash``/``.ips``/``.plcrash``...).

Minidumps are walked and named by :func:`inspector.formats.minidump.symbolicated_reports`; other native reports
already list their frames, so only the names are filled in: each frame's address is placed in its binary (by the
report's binary images), the binary's debug id (the Mach-O UUID) picks the symbol file, and the function, file,
line and inlined calls replace what the report said when the symbols know the address.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from inspector.native.debuginfo import breakpad_id
from inspector.report import Frame, Report


@dataclass(frozen=True, slots=True)
class _BinaryModule:
    name: str
    debug_file: str | None
    debug_id: str | None
    base: int
    size: int


def _frames(frames: Sequence[Frame], report: Report, symbols: object, cache: dict[int, object]) -> list[Frame] | None:
    out: list[Frame] = []
    changed = False
    last = len(frames) - 1
    for i, frame in enumerate(frames):
        out.append(frame)
        if frame.address is None or frame.trust == "inlined":
            continue
        index = report.binary_for(frame.address)
        if index is None:
            continue
        binary = report.binaries[index]
        if binary.start is None or not binary.debug_id:
            continue
        if index not in cache:
            module = _BinaryModule(
                binary.name or "",
                binary.debug_file or binary.name,
                breakpad_id(binary.debug_id),
                binary.start,
                binary.size or 0,
            )
            cache[index] = symbols.symbols_for(module)  # type: ignore[attr-defined]
        found = cache[index]
        if found is None:
            continue
        # A return address (not the crashing frame) points after the call: look up the call itself.
        crashing = i == (0 if report.most_recent_first else last)
        address = frame.address - binary.start - (0 if crashing else 1)
        symbol = found.lookup(address)  # type: ignore[attr-defined]
        if symbol is None:
            continue
        changed = True
        out.pop()
        for inline in symbol.inlines:
            out.append(
                dataclasses.replace(
                    frame, function=inline.function, file=inline.file, line=inline.line, trust="inlined", variables=()
                )
            )
        out.append(
            dataclasses.replace(
                frame,
                function=symbol.function,
                file=symbol.file or frame.file,
                line=symbol.line if symbol.file else frame.line,
                module_offset=frame.address - binary.start,
            )
        )
    return out if changed else None


def symbolicate_report(report: Report, symbols: object) -> Report:
    """A copy of ``report`` with frames named from ``symbols`` (the same report when nothing was found)."""
    cache: dict[int, object] = {}
    threads = []
    changed = False
    for thread in report.threads:
        frames = _frames(thread.frames, report, symbols, cache)
        changed |= frames is not None
        threads.append(dataclasses.replace(thread, frames=frames) if frames is not None else thread)
    exceptions = []
    for exc in report.exceptions:
        frames = _frames(exc.frames, report, symbols, cache)
        changed |= frames is not None
        exceptions.append(dataclasses.replace(exc, frames=frames) if frames is not None else exc)
    if not changed:
        return report
    return dataclasses.replace(report, threads=threads, exceptions=exceptions, _frame_count=None)
