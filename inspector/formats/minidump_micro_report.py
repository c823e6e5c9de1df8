"""Breakpad microdumps (Android logcat text) as reports: their problems and a Report per dump in a paste."""

from __future__ import annotations

from inspector.formats.base import Problem, Submission, error, info, warning
from inspector.formats.minidump_micro import Microdump, MicrodumpPaste
from inspector.formats.minidump_parse import MdModule
from inspector.formats.minidump_report import (
    NAME,
    _attachments,
    _binary,
    _frames,
    _main_module,
    _regs,
    walked_to_frames,
)
from inspector.report import ExceptionInfo, Frame, Report, Summary, Thread


def _microdump_problems(paste: MicrodumpPaste) -> list[Problem]:
    problems = [
        warning(
            "/@offset/0",
            "this is a Breakpad microdump (Android logcat text), not a minidump: Backtrace and "
            "App Center accept binary minidumps only; convert it with Breakpad's microdump tools first",
            "breakpad src/processor/microdump.cc",
        ),
    ]
    if len(paste.dumps) > 1:
        lines = ", ".join(str(d.first_line) for d in paste.dumps[:20])
        problems.append(
            info(
                "/@offset/0",
                f"the paste holds {len(paste.dumps)} microdumps (BEGIN lines {lines}"
                f"{', ...' if len(paste.dumps) > 20 else ''}): each is a report of its own",
            )
        )
    if paste.orphan_end is not None:
        problems.append(
            info(
                f"/@line/{paste.orphan_end}",
                f"the paste starts in the middle of a microdump: its "
                f"END is line {paste.orphan_end} but its BEGIN line was not copied; those lines are "
                "skipped",
            )
        )
    for first, last in paste.stray[:20]:
        if paste.orphan_end is not None and first <= paste.orphan_end <= last:
            continue
        problems.append(
            info(
                f"/@line/{first}",
                f"lines {first}-{last} are outside every BEGIN...END block (other logcat output): skipped",
            )
        )
    for dump in paste.dumps:
        if not dump.complete:
            problems.append(
                error(
                    f"/@line/{dump.first_line}",
                    f"the microdump that begins at line "
                    f"{dump.first_line} has no '-----END BREAKPAD MICRODUMP-----' line (cut off?)",
                )
            )
    return problems


_MICRODUMP_ARCHS = {"arm64": "arm64", "x86_64": "amd64", "x86": "x86", "arm": "arm"}


def _microdump_frames(md: Microdump, main: MdModule | None, where: str, width: int) -> list[Frame] | None:
    """The microdump's stack walked like a minidump's (frame pointers, then a scan); None for other CPUs."""
    from inspector.native.memory import MemoryRegion
    from inspector.native.unwind import ARCHS, NoSymbols, Walker

    arch = ARCHS.get(_MICRODUMP_ARCHS.get(md.arch or "", ""))
    if arch is None or not md.registers:
        return None
    ends = [m.end for m in md.modules]
    walker = Walker(arch, md.module_for, NoSymbols(), modules_end=max(ends) if ends else 0)
    stack = MemoryRegion(md.stack_start, bytes(md.stack)) if md.stack else None
    return walked_to_frames(walker.walk(md.registers, stack), main, where, width) or None


def _microdump_report(submission: Submission, md: Microdump, number: int = 1, total: int = 1) -> Report:
    width = 16 if md.arch in ("arm64", "x86_64", "mips64") else 8
    main = _main_module(md.modules)
    stack = (md.stack_start, bytes(md.stack)) if md.stack else None
    where = f"/@line/{md.first_line}"
    frames = _microdump_frames(md, main, where, width) or _frames(md.ip, md.sp, stack, md, width // 2, main, where)
    thread = Thread(
        id="0", name="crashing thread", frames=frames, crashed=True, pointer=where, registers=_regs(md.registers, width)
    )
    exceptions = []
    if md.signal is not None:
        address = f"0x{md.crash_address & ((1 << (width * 4)) - 1):x}" if md.crash_address is not None else None
        title = f"{md.signal} at {address}" if address else md.signal
        exceptions.append(
            ExceptionInfo(
                type=md.signal,
                message=f"signal {md.signal_number}" + (f" at {address}" if address else ""),
                frames=(),
                pointer=where,
            )
        )
    else:
        title = "Breakpad microdump (text)"
    summary = Summary(
        title=title + (f" (microdump {number} of {total})" if total > 1 else ""),
        level="fatal",
        fatal=True,
        app=main.basename if main else None,
        os=" ".join(x for x in (md.os, md.os_build) if x) or None,
        device=", ".join(x for x in (md.arch, md.cpu, f"{md.cpu_count} CPUs" if md.cpu_count else None) if x) or None,
        language="native",
        sdk="Breakpad (microdump)",
    )
    return Report(
        format=NAME,
        kind="microdump",
        summary=summary,
        exceptions=exceptions,
        threads=[thread],
        binaries=[_binary(m, i, md.arch) for i, m in enumerate(md.modules)],
        attachments=_attachments(submission),
        metadata={
            "Microdump": {
                "lines": md.lines,
                "complete": md.complete,
                "version": md.version,
                "first line": md.first_line,
                "last line": md.last_line,
                "crash reason": " ".join(str(x) for x in (md.signal_number, md.signal) if x is not None) or None,
            },
            "Note": "A microdump is Android logcat text written by Breakpad instead of a minidump file.",
        },
        pointer=where,
    )
