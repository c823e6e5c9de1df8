"""The Report of a binary minidump: walked frames per thread, exception, binaries, registers and metadata."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from typing import Any

from inspector.formats.base import Submission
from inspector.formats.minidump_micro import Microdump
from inspector.formats.minidump_names import APPLE_PLATFORMS, ASSERTION_TYPES, POSIX_PLATFORMS, exception_name
from inspector.formats.minidump_parse import MdModule, MdThread, Minidump
from inspector.native.stack import thread_context, walker_for
from inspector.native.unwind import Symbols, WalkedFrame
from inspector.report import Attachment, Binary, ExceptionInfo, Frame, Report, Summary, Thread, returns

NAME = "minidump"
#: At most this many frames per thread (the instruction pointer plus scanned candidates).
MAX_SCANNED_FRAMES = 64
#: Stack bytes scanned per thread (from the stack pointer up).
MAX_SCAN_BYTES = 64 * 1024
_MEMORY_FAULTS = {"EXCEPTION_ACCESS_VIOLATION", "EXCEPTION_IN_PAGE_ERROR", "SIGSEGV", "SIGBUS", "EXC_BAD_ACCESS"}
_NOT_CRASHES = {"DUMP_REQUESTED", "EXC_CRASHPAD_SIMULATED"}


# ------------------------------------------------------------------------------------------------ report


def _hex(value: int, width: int) -> str:
    return f"0x{value:0{width}x}"


def _main_module(modules: list[MdModule]) -> MdModule | None:
    for module in modules:
        if module.basename not in ("dyld", "dyld_sim") and not module.basename.endswith((".dylib", ".so")):
            return module
    return modules[0] if modules else None


def _frames(
    ip: int | None,
    sp: int | None,
    stack: tuple[int, bytes] | None,
    dump: Minidump | Microdump,
    ptr_size: int,
    main: MdModule | None,
    pointer: str,
) -> list[Frame]:
    """Instruction pointer as module+offset, then stack-scan return-address candidates."""

    def frame(address: int, note: str | None, n: int) -> Frame:
        module = dump.module_for(address)
        where = f"{module.basename}+0x{address - module.base:x}" if module else None
        return Frame(
            module=module.basename if module else None,
            address=address,
            in_app=True if module is not None and module is main else None,
            pointer=f"{pointer}/frames/{n}",
            note=f"{where}, {note}" if where and note else (note or where or "outside every module"),
            trust="scan" if n else "context",
            module_offset=address - module.base if module else None,
        )

    frames: list[Frame] = []
    if ip is not None:
        frames.append(frame(ip, None, 0))
    if stack is None:
        return frames
    start, memory = stack
    begin = sp - start if sp is not None and start <= sp < start + len(memory) else 0
    begin -= begin % ptr_size
    end = min(len(memory), begin + MAX_SCAN_BYTES)
    fmt = "<Q" if ptr_size == 8 else "<I"
    for off in range(begin, end - ptr_size + 1, ptr_size):
        if len(frames) >= MAX_SCANNED_FRAMES:
            break
        (value,) = struct.unpack_from(fmt, memory, off)
        if value and dump.module_for(value) is not None:
            frames.append(frame(value, "scanned", len(frames)))
    return frames


def _thread_stack(md: Minidump, thread: MdThread) -> tuple[int, bytes] | None:
    if thread.stack_size and thread.stack_rva + thread.stack_size <= len(md.data):
        return thread.stack_start, md.data[thread.stack_rva : thread.stack_rva + thread.stack_size]
    if thread.sp is not None:
        chunk = md.read_memory(thread.sp, 4096)
        if chunk is not None:
            return thread.sp, chunk
    return None


def _exception_text(md: Minidump) -> tuple[str, str | None, str, bool]:
    """(type, message, title, fatal) of the dump's exception."""
    exc = md.exception
    if exc is None:
        return "no exception", None, "Minidump without exception (taken on request)", False
    platform = md.system.platform_id if md.system else None
    name, detail = exception_name(platform, exc.code, exc.flags, exc.params)
    base = name.removesuffix("_READ").removesuffix("_WRITE").removesuffix("_EXEC")
    windows = platform not in POSIX_PLATFORMS and platform not in APPLE_PLATFORMS
    parts = [detail] if detail else []
    if base in _MEMORY_FAULTS:
        # Windows: the faulting address is parameter 1 and ExceptionAddress is the instruction.
        fault = exc.params[1] if windows and len(exc.params) >= 2 else exc.address
        title = f"{name} at 0x{fault:x}"
        parts.append(f"fault address 0x{fault:x}")
    else:
        title = f"{name} ({detail})" if detail else name
    if windows:
        parts.append(f"instruction 0x{exc.address:x}")
    parts.append(f"thread {exc.thread_id}")
    return name, "; ".join(parts), title, name not in _NOT_CRASHES


def _assertion_exception(md: Minidump, nested: bool) -> ExceptionInfo:
    """The MD_ASSERTION_INFO stream (an invalid-parameter handler or a pure virtual call: Breakpad writes it)."""
    a = md.assertion
    assert a is not None
    kind = ASSERTION_TYPES.get(a.kind, f"type {a.kind}")
    where = f"{a.file}:{a.line}" if a.file else None
    text = " ".join(
        x
        for x in (a.expression or None, f"in {a.function}" if a.function else None, f"at {where}" if where else None)
        if x
    )
    return ExceptionInfo(
        type=f"assertion ({kind})",
        message=text or kind,
        frames=(),
        pointer="/@stream/AssertionInfoStream",
        depth=1 if nested else 0,
        relation="assertion" if nested else None,
    )


def _os_text(md: Minidump) -> str | None:
    s = md.system
    if s is None:
        return None
    if s.platform_id in (0x8201, 0x8203) and s.csd_version:
        lsb = _key_values(md.text_streams.get("LinuxLsbRelease", ""))
        distro = lsb.get("DISTRIB_DESCRIPTION") or lsb.get("PRETTY_NAME")
        kernel = s.csd_version.split()[1] if len(s.csd_version.split()) > 1 else s.csd_version
        name = s.platform if s.platform_id == 0x8203 else "Linux"
        return f"{name} {kernel}" + (f" ({distro.strip(chr(34))})" if distro else "")
    if s.platform_id == 2:
        return f"Windows NT {s.os_version}"
    return f"{s.platform} {s.os_version}"


def _key_values(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        if "=" in line:
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            out.setdefault(key.strip(), value.strip())
    return out


def _linux_sections(md: Minidump) -> dict[str, Any]:
    out: dict[str, Any] = {}
    streams = md.text_streams
    if "LinuxCmdLine" in streams:
        out["Command line"] = [a for a in streams["LinuxCmdLine"].split("\0") if a]
    if "LinuxEnviron" in streams:
        out["Environment"] = dict(v.partition("=")[::2] for v in streams["LinuxEnviron"].split("\0") if v)
    if "LinuxLsbRelease" in streams:
        out["lsb-release"] = _key_values(streams["LinuxLsbRelease"])
    if "LinuxProcStatus" in streams:
        out["/proc/self/status"] = _key_values(streams["LinuxProcStatus"])
    if "LinuxCpuInfo" in streams:
        out["/proc/cpuinfo"] = streams["LinuxCpuInfo"]
    if "LinuxMaps" in streams:
        out["/proc/self/maps"] = streams["LinuxMaps"].splitlines()
    for name in ("MozLinuxLimits", "MozSoftErrors", "MozMacosBootargsStream"):
        if name in streams:
            out[name] = streams[name]
    return out


def _binary(module: MdModule, i: int, arch: str | None) -> Binary:
    return Binary(
        name=module.basename,
        start=module.base,
        end=module.end,
        size=module.size,
        debug_id=module.debug_id,
        code_id=module.code_id,
        arch=arch,
        path=module.name,
        version=module.version if module.version not in (None, "0.0.0.0") else None,
        debug_file=module.debug_file,
        pointer=f"/@stream/ModuleListStream/{i}",
    )


def _regs(registers: dict[str, int], width: int) -> dict[str, Any] | None:
    return {k: _hex(v, 8 if k in ("eflags", "cpsr") else width) for k, v in registers.items()} or None


def _attachments(submission: Submission) -> list[Attachment]:
    out = []
    for part in submission.attachments:
        data = part.data
        out.append(
            Attachment(
                name=part.filename or part.name,
                content_type=part.content_type,
                size=len(data),
                load=returns(data),
                pointer=f"/@parts/{part.name}",
                origin=f"multipart part {part.name}",
            )
        )
    return out


def _crashpad_exception(md: Minidump, main: MdModule | None) -> ExceptionInfo | None:
    """An uncaught NSException recorded by Crashpad on iOS (annotations exceptionName / firstexception_bt)."""
    if md.crashpad is None:
        return None
    for values in md.crashpad.module_annotations.values():
        objects = values.get("annotation_objects")
        if not isinstance(objects, dict) or "exceptionName" not in objects:
            continue
        frames = []
        for n, text in enumerate(str(objects.get("firstexception_bt", "")).split()):
            try:
                address = int(text, 16)
            except ValueError:
                continue
            module = md.module_for(address)
            frames.append(
                Frame(
                    module=module.basename if module else None,
                    address=address,
                    in_app=True if module is not None and module is main else None,
                    note=f"{module.basename}+0x{address - module.base:x}" if module else "outside every module",
                    pointer=f"/@stream/CrashpadInfoStream/firstexception_bt/{n}",
                )
            )
        return ExceptionInfo(
            type=str(objects["exceptionName"]),
            message=str(objects.get("exceptionReason") or ""),
            frames=frames,
            pointer="/@stream/CrashpadInfoStream",
            depth=1,
            relation="cause",
        )
    return None


def _registers_text(registers: dict[str, int], width: int) -> dict[str, str]:
    return {k: _hex(v, width) for k, v in registers.items()}


def walked_to_frames(walked: list[WalkedFrame], main: MdModule | None, pointer: str, width: int) -> list[Frame]:
    """Report frames of a walked stack: each inlined call as its own row (innermost first), then the physical
    frame, all with ``module+offset`` and how they were found."""
    out: list[Frame] = []
    for wf in walked:
        module = wf.module
        offset = wf.instruction - module.base if module is not None else None
        name = module.basename if isinstance(module, MdModule) else (getattr(module, "name", None) or None)
        note = f"{name}+0x{offset:x}" if name is not None and offset is not None else "outside every module"
        in_app = True if module is not None and module is main else None
        symbol = wf.symbol
        for inline in symbol.inlines if symbol is not None else ():
            out.append(
                Frame(
                    function=inline.function,
                    file=inline.file,
                    line=inline.line,
                    module=name,
                    address=wf.instruction,
                    in_app=in_app,
                    pointer=f"{pointer}/frames/{len(out)}",
                    note=note,
                    trust="inlined",
                    module_offset=offset,
                )
            )
        out.append(
            Frame(
                function=symbol.function if symbol is not None else None,
                file=symbol.file if symbol is not None else None,
                line=symbol.line if symbol is not None else None,
                module=name,
                address=wf.instruction,
                in_app=in_app,
                pointer=f"{pointer}/frames/{len(out)}",
                note=note,
                variables=(("registers", _registers_text(wf.registers, width)),),
                trust=wf.trust,
                module_offset=offset,
            )
        )
    return out


def _dump_thread_id(md: Minidump) -> int | None:
    """Breakpad's own dump-writing thread (minidump-stackwalk does not walk it: its stack is the handler's)."""
    info = md.breakpad_info or {}
    dump = info.get("dump_thread_id")
    return dump if dump is not None and dump != md.crashing_thread_id else None


def _minidump_report(submission: Submission, md: Minidump, symbols: Symbols | None = None) -> Report:
    width = md.pointer_size * 2
    arch = md.system.arch if md.system else None
    main = _main_module(md.modules)
    etype, message, title, fatal = _exception_text(md)
    crashed_id = md.crashing_thread_id
    walker = walker_for(md, symbols)
    dump_thread = _dump_thread_id(md)
    threads: list[Thread] = []
    for i, t in enumerate(md.threads):
        crashed = t.id == crashed_id
        pointer = f"/@stream/ThreadListStream/{i}"
        ctx = thread_context(md, t)
        name = t.name
        if t.id == dump_thread:
            frames: list[Frame] = []
            name = name or "Breakpad dump writer (not walked)"
        elif walker is not None:
            frames = walked_to_frames(walker.walk(ctx.registers, ctx.stack), main, pointer, width)
        else:
            ip, sp = _ip_sp(ctx.registers)
            frames = _frames(ip, sp, _thread_stack(md, t), md, md.pointer_size, main, pointer)
        threads.append(
            Thread(
                id=str(t.id),
                name=name,
                frames=frames,
                crashed=crashed,
                pointer=pointer,
                registers=_regs(ctx.registers, width),
            )
        )
    exceptions = []
    if md.exception is not None:
        exceptions.append(ExceptionInfo(type=etype, message=message, frames=(), pointer="/@stream/ExceptionStream"))
        extra = _crashpad_exception(md, main)
        if extra is not None:
            exceptions.append(extra)
            title = f"{title} ({extra.type})"
    if md.assertion is not None:
        exceptions.append(_assertion_exception(md, bool(exceptions)))
        title = f"{title}: {exceptions[-1].message}" if md.exception is not None else exceptions[-1].type or title
    elif any(p.severity == "error" for p in md.problems):
        title = f"Damaged minidump ({sum(p.severity == 'error' for p in md.problems)} errors)"
    annotations = md.crashpad.annotations if md.crashpad else {}
    s = md.system
    summary = Summary(
        title=title,
        level="fatal" if fatal else "info",
        fatal=fatal,
        app=annotations.get("prod") or (main.basename if main else None),
        app_version=annotations.get("ver") or (main.version if main and main.version != "0.0.0.0" else None),
        os=_os_text(md),
        device=", ".join(x for x in (arch, f"{s.cpu_count} CPUs" if s else None, s.cpu_vendor if s else None) if x)
        or None,
        timestamp=float(md.timestamp) if md.timestamp else None,
        language="native",
        sdk="Crashpad" if md.crashpad else ("Breakpad" if md.breakpad_info or md.text_streams else None),
        id=md.crashpad.report_id if md.crashpad else None,
    )
    return Report(
        format=NAME,
        kind="minidump",
        summary=summary,
        exceptions=exceptions,
        threads=threads,
        binaries=[_binary(m, i, arch) for i, m in enumerate(md.modules)],
        attachments=_attachments(submission),
        metadata=_metadata(submission, md, walker is not None, symbols, threads),
        pointer="",
        most_recent_first=True,
    )


def _ip_sp(regs: dict[str, int]) -> tuple[int | None, int | None]:
    for ip, sp in (("rip", "rsp"), ("eip", "esp"), ("pc", "sp")):
        if ip in regs:
            return regs[ip], regs.get(sp)
    return None, None


def _symbols_section(symbols: Symbols | None, threads: list[Thread], md: Minidump) -> dict[str, Any]:
    """Which modules on the stacks have symbols, and what to fetch (debug file + id) for the others."""
    on_stack = {f.module for t in threads for f in t.frames if f.module}
    by_name = {m.basename: m for m in md.modules}
    loaded: list[str] = []
    missing: list[str] = []
    for name in sorted(on_stack):
        module = by_name.get(name)
        if module is None:
            continue
        found = symbols.symbols_for(module) if symbols is not None else None
        ident = f"{module.debug_file or module.basename} {module.debug_id or '(no debug id)'}"
        if found is not None:
            loaded.append(f"{ident} — {found.path}")
        else:
            missing.append(ident)
    section: dict[str, Any] = {"symbol files used": loaded or "none"}
    section["missing symbols (debug file, debug id) to fetch"] = missing or "none"
    return section


def _metadata(
    submission: Submission,
    md: Minidump,
    walked: bool = False,
    symbols: Symbols | None = None,
    threads: list[Thread] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    s = md.system
    if s is not None:
        meta["System"] = {
            "OS": s.platform,
            "OS version": s.os_version,
            "platform id": f"0x{s.platform_id:x}",
            "CPU architecture": s.arch,
            "CPU count": s.cpu_count,
            "CPU vendor": s.cpu_vendor,
            "CPU level / revision": f"{s.level} / 0x{s.revision:x}",
        }
    if md.exception is not None:
        e = md.exception
        meta["Exception"] = {
            "thread id": e.thread_id,
            "code": f"0x{e.code:08x}",
            "flags": f"0x{e.flags:08x}",
            "address": f"0x{e.address:x}",
            "parameters": [f"0x{p:x}" for p in e.params],
        }
    process: dict[str, Any] = {"id": md.process_id}
    if md.process_create_time:
        process["started"] = datetime.fromtimestamp(md.process_create_time, UTC).isoformat()
    if any(v is not None for v in process.values()):
        meta["Process"] = process
    if md.memory:
        meta["Memory"] = {
            "source": md.memory_source,
            "ranges": len(md.memory),
            "bytes": sum(size for _s, size, _r in md.memory),
            "list": [f"0x{start:x}-0x{start + size:x} ({size} bytes)" for start, size, _r in md.memory[:200]],
        }
    if walked:
        meta["Stack"] = (
            "walked as minidump-stackwalk does: CFI from symbol files, then frame pointers, then a stack scan that "
            'keeps only addresses inside a module\'s code ("scan" frames may be wrong)'
        )
        meta["Symbols"] = _symbols_section(symbols, threads or [], md)
    else:
        meta["Stack"] = (
            "not walked (CPU not supported): each thread shows its instruction pointer as module+offset, then "
            f"return-address candidates found by scanning stack memory (at most {MAX_SCANNED_FRAMES} frames)"
        )
    if md.crashpad is not None:
        meta["Crashpad"] = {
            "report id": md.crashpad.report_id,
            "client id": md.crashpad.client_id,
            "annotations": md.crashpad.annotations,
            "module annotations": md.crashpad.module_annotations,
        }
    if md.breakpad_info:
        meta["Breakpad"] = md.breakpad_info
    meta.update(_linux_sections(md))
    meta["Streams"] = [f"{e.index}: {e.name} ({e.size} bytes at offset {e.rva})" for e in md.streams]
    fields = submission.envelope.fields
    if fields:
        meta["Upload fields"] = {k: ("•" * 8 if k == "token" else v) for k, v in fields}
    return meta
