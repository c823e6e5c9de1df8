"""PLCrashReporter binary reports (``.plcrash``): the magic ``plcrash`` + a version byte, then a protobuf.

The message classes are built at runtime from a descriptor written here after PLCrashReporter's published
``Resources/crash_report.proto`` (MIT, package ``plcrash``), so no ``protoc`` step is needed. Every field is
declared ``optional``: the schema's ``required`` fields are checked by :func:`missing_required` and reported as
problems instead of failing the parse.
"""

from __future__ import annotations

import uuid as uuidlib
from functools import cache
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError

from inspector.formats.apple_model import AppleCrash, AppleFrame, AppleImage, AppleThread
from inspector.formats.base import InspectorError, error, warning
from inspector.formats.cpu import MACH_CPU_NAMES

MAGIC = b"plcrash"
HEADER_SIZE = 8

_T = descriptor_pb2.FieldDescriptorProto
_TYPES = {
    "string": _T.TYPE_BYTES,
    "bytes": _T.TYPE_BYTES,
    "bool": _T.TYPE_BOOL,
    "uint32": _T.TYPE_UINT32,
    "uint64": _T.TYPE_UINT64,
    "int64": _T.TYPE_INT64,
    "enum": _T.TYPE_ENUM,
}

# (name, number, type, repeated, type_name for messages/enums); "*" marks the schema's required fields.
_MESSAGES: dict[str, list[tuple[str, int, str, bool, str | None]]] = {
    "Processor": [
        ("encoding", 1, "uint64", False, None),
        ("*type", 2, "uint64", False, None),
        ("*subtype", 3, "uint64", False, None),
    ],
    "SystemInfo": [
        ("operating_system", 1, "uint64", False, None),
        ("*os_version", 2, "string", False, None),
        ("architecture", 3, "uint64", False, None),
        ("*timestamp", 4, "int64", False, None),
        ("os_build", 5, "string", False, None),
    ],
    "MachineInfo": [
        ("model", 1, "string", False, None),
        ("*processor", 2, "msg", False, "Processor"),
        ("*processor_count", 3, "uint32", False, None),
        ("*logical_processor_count", 4, "uint32", False, None),
    ],
    "ApplicationInfo": [
        ("*identifier", 1, "string", False, None),
        ("*version", 2, "string", False, None),
        ("marketing_version", 3, "string", False, None),
    ],
    "Symbol": [
        ("*name", 1, "string", False, None),
        ("*start_address", 2, "uint64", False, None),
        ("end_address", 3, "uint64", False, None),
    ],
    "StackFrame": [("*pc", 3, "uint64", False, None), ("symbol", 6, "msg", False, "Symbol")],
    "RegisterValue": [("*name", 1, "string", False, None), ("*value", 2, "uint64", False, None)],
    "Thread": [
        ("*thread_number", 1, "uint32", False, None),
        ("frames", 2, "msg", True, "StackFrame"),
        ("*crashed", 3, "bool", False, None),
        ("registers", 4, "msg", True, "RegisterValue"),
    ],
    "BinaryImage": [
        ("*base_address", 1, "uint64", False, None),
        ("*size", 2, "uint64", False, None),
        ("*name", 3, "string", False, None),
        ("uuid", 4, "bytes", False, None),
        ("code_type", 5, "msg", False, "Processor"),
    ],
    "Exception": [
        ("*name", 1, "string", False, None),
        ("*reason", 2, "string", False, None),
        ("frames", 3, "msg", True, "StackFrame"),
    ],
    "MachException": [("*type", 1, "uint64", False, None), ("codes", 2, "uint64", True, None)],
    "Signal": [
        ("*name", 1, "string", False, None),
        ("*code", 2, "string", False, None),
        ("*address", 3, "uint64", False, None),
        ("mach_exception", 4, "msg", False, "MachException"),
    ],
    "ProcessInfo": [
        ("process_name", 1, "string", False, None),
        ("*process_id", 2, "uint32", False, None),
        ("process_path", 3, "string", False, None),
        ("parent_process_name", 4, "string", False, None),
        ("*parent_process_id", 5, "uint32", False, None),
        ("*native", 6, "bool", False, None),
        ("start_time", 7, "uint64", False, None),
    ],
    "ReportInfo": [("*user_requested", 1, "bool", False, None), ("uuid", 2, "bytes", False, None)],
    "CrashReport": [
        ("*system_info", 1, "msg", False, "SystemInfo"),
        ("*application_info", 2, "msg", False, "ApplicationInfo"),
        ("threads", 3, "msg", True, "Thread"),
        ("binary_images", 4, "msg", True, "BinaryImage"),
        ("exception", 5, "msg", False, "Exception"),
        ("*signal", 6, "msg", False, "Signal"),
        ("process_info", 7, "msg", False, "ProcessInfo"),
        ("machine_info", 8, "msg", False, "MachineInfo"),
        ("report_info", 9, "msg", False, "ReportInfo"),
    ],
}
OPERATING_SYSTEMS = {0: "macOS", 1: "iOS", 2: "iOS Simulator", 3: "unknown OS", 4: "tvOS"}
#: Mach CPU types (mach/machine.h).
CPU_NAMES = MACH_CPU_NAMES  # the one table: formats.cpu
LEGACY_ARCH = {0: "x86", 1: "x86_64", 2: "armv6", 3: "ppc", 4: "ppc64", 5: "armv7"}


@cache
def _classes() -> dict[str, Any]:
    file = descriptor_pb2.FileDescriptorProto(name="inspector_plcrash.proto", package="plcrash", syntax="proto2")
    for name, fields in _MESSAGES.items():
        msg = file.message_type.add(name=name)
        for fname, number, ftype, repeated, type_name in fields:
            field = msg.field.add(name=fname.lstrip("*"), number=number)
            field.label = _T.LABEL_REPEATED if repeated else _T.LABEL_OPTIONAL
            if ftype == "msg":
                field.type = _T.TYPE_MESSAGE
                field.type_name = f".plcrash.{type_name}"
            else:
                field.type = _TYPES[ftype]
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"plcrash.{name}")) for name in _MESSAGES}


def missing_required(message: Any, type_name: str, path: str = "") -> list[str]:
    """Dotted paths of the schema's required fields that the report leaves out."""
    missing: list[str] = []
    for fname, _number, ftype, repeated, sub in _MESSAGES[type_name]:
        name = fname.lstrip("*")
        here = f"{path}.{name}" if path else name
        if fname.startswith("*") and not repeated and not message.HasField(name):
            missing.append(here)
        if ftype == "msg" and sub is not None:
            if repeated:
                for i, item in enumerate(getattr(message, name)):
                    missing.extend(missing_required(item, sub, f"{here}[{i}]"))
            elif message.HasField(name):
                missing.extend(missing_required(getattr(message, name), sub, here))
    return missing


def _s(raw: bytes) -> str:
    """A string field (declared as bytes): UTF-8 with replacement, trailing NULs (some writers add one) removed."""
    return raw.decode("utf-8", "replace").rstrip("\0")


def is_plcrash(body: bytes) -> bool:
    return body[:7] == MAGIC


def decode(body: bytes) -> Any:
    """The CrashReport message; InspectorError naming the offset when the bytes are not a valid report."""
    if len(body) < HEADER_SIZE:
        raise InspectorError(
            f"the PLCrashReporter file is {len(body)} bytes: too short for its 8-byte header", where="offset 0"
        )
    report = _classes()["CrashReport"]()
    try:
        report.ParseFromString(body[HEADER_SIZE:])
    except DecodeError as exc:
        raise InspectorError(
            f"the PLCrashReporter protobuf (from offset {HEADER_SIZE}) does not decode: {exc}",
            where=f"offset {HEADER_SIZE}",
        ) from None
    return report


def _frame(frame: Any, where: str) -> AppleFrame:
    sym = frame.symbol if frame.HasField("symbol") else None
    return AppleFrame(
        binary=None,
        address=frame.pc,
        symbol=_s(sym.name) or None if sym is not None else None,
        offset=frame.pc - sym.start_address if sym is not None and sym.start_address else None,
        where=where,
    )


def to_crash(body: bytes) -> AppleCrash:
    report = decode(body)
    crash = AppleCrash(source="plcrash", version=body[7])
    if body[7] != 1:
        crash.problems.append(warning("/@offset/7", f"file format version {body[7]}; PLCrashReporter writes 1"))
    for path in missing_required(report, "CrashReport"):
        crash.problems.append(
            error(
                f"/{path.replace('.', '/')}", f"required field {path} is missing", "PLCrashReporter crash_report.proto"
            )
        )
    h = crash.header
    s = report.system_info
    os_name = OPERATING_SYSTEMS.get(s.operating_system, f"OS {s.operating_system}")
    h["OS Version"] = f"{os_name} {_s(s.os_version)}" + (f" ({_s(s.os_build)})" if s.os_build else "")
    crash.timestamp = float(s.timestamp) if s.timestamp else None
    app = report.application_info
    h["Identifier"] = _s(app.identifier)
    h["Version"] = _s(app.version) + (f" ({_s(app.marketing_version)})" if app.marketing_version else "")
    if report.HasField("process_info"):
        p = report.process_info
        h["Process"] = f"{_s(p.process_name)} [{p.process_id}]"
        if p.process_path:
            h["Path"] = _s(p.process_path)
        h["Parent Process"] = f"{_s(p.parent_process_name) or '?'} [{p.parent_process_id}]"
        crash.process_id = p.process_id
        crash.parent_process = h["Parent Process"]
        crash.launch_timestamp = float(p.start_time) if p.start_time else None
        if not p.native:
            h["Native"] = "no (translated, e.g. Rosetta)"
    if report.HasField("machine_info"):
        m = report.machine_info
        if m.model:
            h["Hardware Model"] = _s(m.model)
        cpu = CPU_NAMES.get(m.processor.type, f"cpu type {m.processor.type}")
        crash.code_type = "arm64e" if cpu == "arm64" and m.processor.subtype & 0xFF == 2 else cpu
        h["Processors"] = f"{m.processor_count} ({m.logical_processor_count} logical)"
    else:
        crash.code_type = LEGACY_ARCH.get(s.architecture)
    if report.HasField("report_info"):
        r = report.report_info
        if r.uuid:
            h["Incident Identifier"] = str(uuidlib.UUID(bytes=r.uuid[:16].ljust(16, b"\0"))).upper()
        if r.user_requested:
            h["User Requested"] = "yes (not a crash)"
    sig = report.signal
    sig_name, sig_code = _s(sig.name), _s(sig.code)
    crash.signal = sig_name or None
    h["Signal"] = f"{sig_name} ({sig_code}) at 0x{sig.address:x}"
    if sig.HasField("mach_exception"):
        me = sig.mach_exception
        from inspector.formats.minidump_names import MAC_EXCEPTIONS

        crash.exception_type = f"{MAC_EXCEPTIONS.get(me.type, f'0x{me.type:x}')} ({sig_name})"
        crash.exception_codes = ", ".join(f"0x{c:016x}" for c in me.codes)
    else:
        crash.exception_type = sig_name
        crash.exception_codes = f"{sig_code} at 0x{sig.address:x}"
    crash.exception_subtype = sig_code if sig_code and not sig_code.startswith("#") else None  # "#0": no code
    h["Exception Type"] = crash.exception_type or ""
    h["Exception Codes"] = crash.exception_codes or ""
    for n, image in enumerate(report.binary_images):
        code = image.code_type
        arch = None
        if image.HasField("code_type"):
            arch = CPU_NAMES.get(code.type)
            if arch == "arm64" and code.subtype & 0xFF == 2:
                arch = "arm64e"
        crash.images.append(
            AppleImage(
                start=image.base_address,
                end=image.base_address + image.size - 1 if image.size else None,
                name=_s(image.name).rsplit("/", 1)[-1],
                arch=arch or crash.code_type,
                uuid=image.uuid.hex() if image.uuid else None,
                path=_s(image.name),
                where=f"/binary_images/{n}",
            )
        )
    if crash.images and crash.images[0].arch:
        crash.code_type = crash.images[0].arch  # the executable's code type, as PLCrashReporter's text shows it
    h["Code Type"] = crash.code_type or "unknown"
    for n, t in enumerate(report.threads):
        thread = AppleThread(number=t.thread_number, crashed=t.crashed, where=f"/threads/{n}")
        thread.frames = [_frame(f, f"/threads/{n}/frames/{k}") for k, f in enumerate(t.frames)]
        thread.registers = {_s(r.name): f"0x{r.value:016x}" for r in t.registers}
        crash.threads.append(thread)
        if t.crashed:
            crash.crashed_thread = t.thread_number
    if report.HasField("exception"):
        crash.exception_name = _s(report.exception.name)
        crash.exception_reason = _s(report.exception.reason)
        if len(report.exception.frames):
            crash.last_exception = [_frame(f, f"/exception/frames/{k}") for k, f in enumerate(report.exception.frames)]
    for frames in [t.frames for t in crash.threads] + [crash.last_exception or []]:
        for frame in frames:
            image = crash.image_for(frame.address) if frame.address is not None else None
            if image is not None:
                frame.binary = image.name
                if frame.symbol is None:
                    frame.image_base, frame.offset = image.start, frame.address - image.start  # type: ignore[operator]
    crash.variant = f"PLCrashReporter binary report, version {body[7]}"
    return crash
