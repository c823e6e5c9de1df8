"""A small, tolerant minidump reader (Microsoft MINIDUMP format with Breakpad and Crashpad extensions).

Why our own reader and not the ``minidump`` package: that package logs tracebacks to the root logger on
common inputs, gives no offsets when something is damaged, does not name Breakpad's platform ids and does not
read thread names, Crashpad annotations or the Linux text streams. The format is a header, a directory of
(type, size, offset) entries and fixed-size records, so reading it with :mod:`struct` is short, and every
damage can be reported with the stream and byte offset where it was found.

Damage inside one stream is recorded as a :class:`~inspector.formats.base.Problem` and the stream is skipped;
only a damaged header or directory raises :class:`~inspector.formats.base.InspectorError`.
"""

from __future__ import annotations

import struct

from inspector.formats.base import InspectorError, error, warning
from inspector.formats.minidump_primitives import (
    Damage,
    _breakpad_id,
    _guid,
    _list_count,
    _unpack,
    read_string,
    read_utf8,
)
from inspector.formats.minidump_primitives import read_context as read_context
from inspector.formats.minidump_records import CrashpadInfo, MdAssertion, MdException, MdSystemInfo, StreamEntry
from inspector.formats.minidump_records import MdModule as MdModule
from inspector.formats.minidump_records import MdThread as MdThread
from inspector.formats.minidump_records import Minidump as Minidump

SIGNATURE = b"MDMP"
VERSION = 0xA793
MAX_STREAMS = 4096


# ----------------------------------------------------------------------------------------------- streams


def _read_threads(md: Minidump, entry: StreamEntry) -> None:
    data = md.data
    count, pos = _list_count(entry, data, 48, "ThreadListStream")
    arch = md.system.arch if md.system else None
    for i in range(count):
        tid, suspend, _pclass, prio, teb, st_start, st_size, st_rva, ctx_size, ctx_rva = _unpack(
            "<IIIIQQIIII", data, pos + 48 * i, f"thread record {i}"
        )
        mask = md.address_mask
        thread = MdThread(tid, suspend, prio, teb & mask, st_start & mask, st_size, st_rva, ctx_size, ctx_rva)
        try:
            thread.registers, thread.ip, thread.sp = read_context(data, ctx_rva, ctx_size, arch)
        except Damage as exc:
            md.problems.append(error("/@stream/ThreadListStream", f"thread {tid}: {exc.message}"))
        md.threads.append(thread)


def _fixed_version(data: bytes, pos: int) -> str | None:
    sig, _sv, fv_hi, fv_lo = struct.unpack_from("<4I", data, pos)
    if sig != 0xFEEF04BD:
        return None
    return f"{fv_hi >> 16}.{fv_hi & 0xFFFF}.{fv_lo >> 16}.{fv_lo & 0xFFFF}"


def _read_cv(md: Minidump, module: MdModule, size: int, rva: int) -> None:
    data = md.data
    if size < 4 or rva + size > len(data):
        if size:
            md.problems.append(
                warning(
                    "/@stream/ModuleListStream",
                    f"module {module.basename}: debug record at offset {rva} "
                    f"({size} bytes) runs past the end of the file",
                )
            )
        return
    raw = data[rva : rva + size]
    sig = raw[:4]
    if sig == b"RSDS" and size >= 24:
        age = struct.unpack_from("<I", raw, 20)[0]
        module.debug_id = _breakpad_id(raw[4:20], age)
        module.debug_file = raw[24:].split(b"\0", 1)[0].decode("utf-8", "replace") or None
        module.cv_kind = "PDB 7.0"
    elif sig == b"BpEL":
        build_id = raw[4:]
        module.code_id = build_id.hex()
        padded = (build_id + b"\0" * 16)[:16]
        module.debug_id = _breakpad_id(padded, 0)
        module.cv_kind = "ELF build id"
    elif sig == b"NB10" and size >= 16:
        _off, stamp, age = struct.unpack_from("<3I", raw, 4)
        module.debug_id = f"{stamp:08X}{age:X}"
        module.debug_file = raw[16:].split(b"\0", 1)[0].decode("utf-8", "replace") or None
        module.cv_kind = "PDB 2.0"


def _read_modules(md: Minidump, entry: StreamEntry) -> None:
    data = md.data
    count, pos = _list_count(entry, data, 108, "ModuleListStream")
    platform = md.system.platform_id if md.system is not None else None
    windows = platform in (0, 1, 2, 3)
    for i in range(count):
        at = pos + 108 * i
        base, size, checksum, stamp, name_rva = _unpack("<QIIII", data, at, f"module record {i}")
        base &= md.address_mask
        cv_size, cv_rva = struct.unpack_from("<II", data, at + 76)
        try:
            name = read_string(data, name_rva, f"name of module {i}")
        except Damage as exc:
            md.problems.append(error("/@stream/ModuleListStream", exc.message))
            name = f"<module {i}>"
        module = MdModule(base, size, checksum, stamp, name, version=_fixed_version(data, at + 24))
        _read_cv(md, module, cv_size, cv_rva)
        if module.code_id is None:
            if platform in (0x8101, 0x8102) and module.cv_kind == "PDB 7.0" and module.debug_id:
                module.code_id = module.debug_id[:32].lower()  # Mach-O: the LC_UUID
            elif windows:
                module.code_id = f"{stamp:08X}{size:x}"  # what symbol servers key PE files by
        md.modules.append(module)


def _read_exception(md: Minidump, entry: StreamEntry) -> None:
    data = md.data
    if entry.size < 168:
        raise Damage(f"ExceptionStream is {entry.size} bytes; it must be 168", entry.rva)
    tid, _align, code, flags, record, address, nparams, _a2 = _unpack("<IIIIQQII", data, entry.rva, "exception record")
    params = struct.unpack_from("<15Q", data, entry.rva + 40)
    ctx_size, ctx_rva = struct.unpack_from("<II", data, entry.rva + 160)
    if nparams > 15:
        md.problems.append(
            warning(
                "/@stream/ExceptionStream",
                f"the exception claims {nparams} parameters (at most 15); offset {entry.rva + 32}",
            )
        )
        nparams = 15
    mask = md.address_mask
    exc = MdException(
        tid, code, flags, record, address & mask, tuple(p & mask for p in params[:nparams]), ctx_size, ctx_rva
    )
    try:
        exc.registers, _ip, _sp = read_context(data, ctx_rva, ctx_size, md.system.arch if md.system else None)
    except Damage as dmg:
        md.problems.append(error("/@stream/ExceptionStream", dmg.message))
    md.exception = exc


def _read_system(md: Minidump, entry: StreamEntry) -> None:
    data = md.data
    if entry.size < 56:
        raise Damage(f"SystemInfoStream is {entry.size} bytes; it must be 56", entry.rva)
    arch, level, rev, ncpu, ptype, major, minor, build, platform, csd_rva = _unpack(
        "<HHHBBIIIII", data, entry.rva, "system info"
    )
    csd: str | None = None
    if csd_rva:
        try:
            csd = read_string(data, csd_rva, "CSD version string").strip("\0").strip() or None
        except Damage as exc:
            md.problems.append(warning("/@stream/SystemInfoStream", exc.message))
    vendor: str | None = None
    raw = data[entry.rva + 32 : entry.rva + 44]
    if arch in (0, 9) and raw.isalpha():  # x86 CPUID vendor ("GenuineIntel"); Windows x64 stores features here
        vendor = raw.decode("ascii")
    md.system = MdSystemInfo(arch, level, rev, ncpu, ptype, major, minor, build, platform, csd, vendor)


def _read_misc(md: Minidump, entry: StreamEntry) -> None:
    if entry.size < 24:
        raise Damage(f"MiscInfoStream is {entry.size} bytes; it must be at least 24", entry.rva)
    _size, flags, pid, create_time = _unpack("<IIII", md.data, entry.rva, "misc info")
    if flags & 1:
        md.process_id = pid
    if flags & 2:
        md.process_create_time = create_time


def _read_memory(md: Minidump, entry: StreamEntry) -> None:
    count, pos = _list_count(entry, md.data, 16, "MemoryListStream")
    for i in range(count):
        start, size, rva = _unpack("<QII", md.data, pos + 16 * i, f"memory range {i}")
        start &= md.address_mask
        if rva + size > len(md.data):
            md.problems.append(
                error(
                    "/@stream/MemoryListStream",
                    f"memory range {i} (0x{start:x}, {size} bytes) points at offset "
                    f"{rva}, past the end of the file ({len(md.data)} bytes)",
                )
            )
            continue
        md.memory.append((start, size, rva))
    md.memory_source = "MemoryListStream"


def _read_memory64(md: Minidump, entry: StreamEntry) -> None:
    count, base = _unpack("<QQ", md.data, entry.rva, "Memory64ListStream header")
    if 16 + count * 16 > entry.size:
        raise Damage(f"Memory64ListStream claims {count} ranges but is {entry.size} bytes", entry.rva)
    rva = base
    for i in range(count):
        start, size = struct.unpack_from("<QQ", md.data, entry.rva + 16 + 16 * i)
        if rva + size > len(md.data):
            md.problems.append(
                error(
                    "/@stream/Memory64ListStream",
                    f"memory range {i} runs past the end of the file (offset {rva}, {size} bytes)",
                )
            )
            break
        md.memory.append((start, size, rva))
        rva += size
    md.memory_source = "Memory64ListStream"


def _read_thread_names(md: Minidump, entry: StreamEntry) -> None:
    (count,) = _unpack("<I", md.data, entry.rva, "ThreadNamesStream count")
    if 4 + count * 12 > entry.size:
        raise Damage(f"ThreadNamesStream claims {count} names but is {entry.size} bytes", entry.rva)
    by_id = {t.id: t for t in md.threads}
    for i in range(count):
        tid, name_rva = struct.unpack_from("<IQ", md.data, entry.rva + 4 + 12 * i)
        try:
            name = read_string(md.data, name_rva, f"name of thread {tid}")
        except Damage as exc:
            md.problems.append(warning("/@stream/ThreadNamesStream", exc.message))
            continue
        if tid in by_id and name:
            by_id[tid].name = name


def _read_dict(data: bytes, rva: int, size: int, what: str) -> dict[str, str]:
    if not size:
        return {}
    (count,) = _unpack("<I", data, rva, what)
    if count > 100_000:
        raise Damage(f"{what} claims {count} entries", rva)
    out: dict[str, str] = {}
    for i in range(count):
        key_rva, value_rva = _unpack("<II", data, rva + 4 + 8 * i, f"{what} entry {i}")
        out[read_utf8(data, key_rva, f"{what} key")] = read_utf8(data, value_rva, f"{what} value")
    return out


def _read_crashpad(md: Minidump, entry: StreamEntry) -> None:
    data = md.data
    if entry.size < 52:
        raise Damage(f"CrashpadInfoStream is {entry.size} bytes; it must be at least 52", entry.rva)
    (_version,) = _unpack("<I", data, entry.rva, "Crashpad info")
    report_id = str(_guid(data[entry.rva + 4 : entry.rva + 20]))
    client_id = str(_guid(data[entry.rva + 20 : entry.rva + 36]))
    ann_size, ann_rva, mods_size, mods_rva = struct.unpack_from("<IIII", data, entry.rva + 36)
    annotations = _read_dict(data, ann_rva, ann_size, "Crashpad simple annotations")
    module_annotations: dict[str, dict[str, object]] = {}
    if mods_size:
        (count,) = _unpack("<I", data, mods_rva, "Crashpad module list")
        for i in range(min(count, 10_000)):
            index, _msize, mrva = _unpack("<III", data, mods_rva + 4 + 12 * i, "Crashpad module link")
            name = md.modules[index].basename if index < len(md.modules) else f"module {index}"
            _mver, list_size, list_rva, simple_size, simple_rva, obj_size, obj_rva = _unpack(
                "<7I", data, mrva, "Crashpad module info"
            )
            info: dict[str, object] = {}
            if list_size:
                (n,) = _unpack("<I", data, list_rva, "Crashpad list annotations")
                info["list_annotations"] = [
                    read_utf8(data, _unpack("<I", data, list_rva + 4 + 4 * k, "rva")[0]) for k in range(min(n, 10_000))
                ]
            simple = _read_dict(data, simple_rva, simple_size, "Crashpad module annotations")
            if simple:
                info["simple_annotations"] = simple
            if obj_size:
                (n,) = _unpack("<I", data, obj_rva, "Crashpad annotation objects")
                objects: dict[str, str] = {}
                for k in range(min(n, 10_000)):
                    name_rva, atype, _res, value_rva = _unpack("<IHHI", data, obj_rva + 4 + 12 * k, "annotation")
                    key = read_utf8(data, name_rva, "annotation name")
                    (vlen,) = _unpack("<I", data, value_rva, "annotation value")
                    value = data[value_rva + 4 : value_rva + 4 + vlen]
                    objects[key] = value.decode("utf-8", "replace") if atype == 1 else value.hex()
                info["annotation_objects"] = objects
            if info:
                module_annotations[name] = info
    md.crashpad = CrashpadInfo(report_id, client_id, annotations, module_annotations)


def _utf16_field(data: bytes, pos: int, chars: int) -> str:
    raw = data[pos : pos + 2 * chars].decode("utf-16-le", "replace")
    return raw.split("\0", 1)[0].strip()


def _read_assertion(md: Minidump, entry: StreamEntry) -> None:
    """MD_ASSERTION_INFO (Breakpad minidump_format.h): expression, function, file (UTF-16, 128 each), line, type."""
    if entry.size < 776:
        raise Damage(f"AssertionInfoStream is {entry.size} bytes; it must be 776", entry.rva)
    line, kind = _unpack("<II", md.data, entry.rva + 768, "assertion info")
    md.assertion = MdAssertion(
        expression=_utf16_field(md.data, entry.rva, 128),
        function=_utf16_field(md.data, entry.rva + 256, 128),
        file=_utf16_field(md.data, entry.rva + 512, 128),
        line=line,
        kind=kind,
    )


def _read_breakpad_info(md: Minidump, entry: StreamEntry) -> None:
    validity, dump_tid, requesting_tid = _unpack("<III", md.data, entry.rva, "Breakpad info")
    info: dict[str, int] = {}
    if validity & 1:
        info["dump_thread_id"] = dump_tid
    if validity & 2:
        info["requesting_thread_id"] = requesting_tid
    md.breakpad_info = info


_TEXT_STREAMS = {
    "LinuxCpuInfo": "/proc/cpuinfo",
    "LinuxProcStatus": "/proc/self/status",
    "LinuxLsbRelease": "/etc/lsb-release",
    "LinuxCmdLine": "/proc/self/cmdline",
    "LinuxEnviron": "/proc/self/environ",
    "LinuxMaps": "/proc/self/maps",
    "MozLinuxLimits": "/proc/self/limits",
    "MozSoftErrors": "soft errors (JSON)",
    "MozMacosBootargsStream": "boot arguments",
}

_READERS = {
    "ThreadListStream": _read_threads,
    "ModuleListStream": _read_modules,
    "ExceptionStream": _read_exception,
    "MiscInfoStream": _read_misc,
    "MemoryListStream": _read_memory,
    "Memory64ListStream": _read_memory64,
    "ThreadNamesStream": _read_thread_names,
    "CrashpadInfoStream": _read_crashpad,
    "BreakpadInfoStream": _read_breakpad_info,
    "AssertionInfoStream": _read_assertion,
}
#: Streams other readers depend on come first (system info gives the CPU for contexts, modules for Crashpad).
_ORDER = ["SystemInfoStream", "ThreadListStream", "ModuleListStream", "ExceptionStream", "ThreadNamesStream"]


def parse(data: bytes) -> Minidump:
    """Read a minidump. Raises InspectorError when the header or the stream directory is unreadable."""
    if len(data) < 32:
        raise InspectorError(f"the minidump is only {len(data)} bytes; its header alone is 32", where="offset 0")
    sig, version, count, dir_rva, _checksum, stamp, flags = struct.unpack_from("<4sIIIIIQ", data, 0)
    if sig != SIGNATURE:
        raise InspectorError(f"not a minidump: the file starts with {data[:4]!r}, not 'MDMP'", where="offset 0")
    md = Minidump(data=data, version=version, flags=flags, timestamp=stamp, streams=[])
    if version & 0xFFFF != VERSION:
        md.problems.append(
            warning("/@offset/4", f"header version is 0x{version & 0xFFFF:04x}, expected 0xa793 (read anyway)")
        )
    if count > MAX_STREAMS:
        raise InspectorError(
            f"the minidump header claims {count} streams (at most {MAX_STREAMS} are plausible)", where="offset 8"
        )
    if dir_rva + 12 * count > len(data):
        raise InspectorError(
            f"the stream directory ({count} entries at offset {dir_rva}) runs past the end of the file "
            f"({len(data)} bytes)",
            where=f"offset {dir_rva}",
        )
    if dir_rva < 32 and count:
        md.problems.append(
            error(f"/@offset/{dir_rva}", f"the stream directory at offset {dir_rva} overlaps the 32-byte header")
        )
    for i in range(count):
        stype, size, rva = struct.unpack_from("<III", data, dir_rva + 12 * i)
        entry = StreamEntry(i, stype, size, rva)
        if stype == 0:
            continue
        if rva + size > len(data):
            md.problems.append(
                error(
                    entry.pointer,
                    f"directory entry {i}: {entry.name} ({size} bytes at offset {rva}) "
                    f"runs past the end of the file ({len(data)} bytes); skipped",
                )
            )
            continue
        md.streams.append(entry)
    ordered = sorted(md.streams, key=lambda e: _ORDER.index(e.name) if e.name in _ORDER else len(_ORDER))
    seen: set[str] = set()
    for entry in ordered:
        name = entry.name
        if name in seen and (name in _READERS or name == "SystemInfoStream"):
            md.problems.append(warning(f"/@stream/{name}", f"{name} appears more than once; the first is used"))
            continue
        seen.add(name)
        try:
            if name == "SystemInfoStream":
                _read_system(md, entry)
            elif name in _READERS:
                _READERS[name](md, entry)
            elif name in _TEXT_STREAMS:
                md.text_streams[name] = data[entry.rva : entry.rva + entry.size].decode("utf-8", "replace")
            else:
                continue
            md.read_streams.append(name)
        except Damage as exc:
            md.problems.append(error(f"/@stream/{name}", f"{name} is damaged: {exc.message}; skipped"))
        except (struct.error, IndexError, ValueError) as exc:  # a bound the checks above did not foresee
            md.problems.append(error(f"/@stream/{name}", f"{name} at offset {entry.rva} is damaged ({exc}); skipped"))
    return md
