"""App Center logs -> normalized Reports (one per error log), built lazily over the parsed document.

Nothing is copied: frame and binary lists are :class:`LazyList` views over the document's own lists, and each
row's pointer is computed from its index when the row is converted. App Center frames are most recent first.
"""

from __future__ import annotations

import re
from typing import Any

from inspector.formats import appcenter_logs as L
from inspector.formats.base import as_object
from inspector.formats.cpu import MACH_CPU_NAMES
from inspector.formats.jsondoc import join
from inspector.report import (
    Attachment,
    Binary,
    ExceptionInfo,
    Frame,
    LazyList,
    Report,
    Summary,
    Thread,
    to_int,
)

FORMAT = "appcenter"

#: A Mach-O frame written as "image load address + offset" (an unsymbolicated appleError frame's ``code``).
_UNSYMBOLICATED = re.compile(r"^\s*0x[0-9a-fA-F]+\s*\+\s*\d+\s*$")

#: Mach-O cpu_type_t -> name (mach/machine.h); sub-types that change the name.
_CPU_TYPES = MACH_CPU_NAMES  # Mach-O CPU types (the one table: formats.cpu)
_CPU_SUBTYPES = {(12, 6): "armv6", (12, 9): "armv7", (12, 11): "armv7s", (12, 12): "armv7k", (16777228, 2): "arm64e"}

#: Keys each part of an error log is shown under; whatever is left goes to "Other fields".
_PROCESS_KEYS = (
    "processId",
    "processName",
    "parentProcessId",
    "parentProcessName",
    "errorThreadId",
    "errorThreadName",
    "architecture",
    "appLaunchTimestamp",
    "buildId",
)
_APPLE_KEYS = L.APPLE_ERROR_KEYS
_SHOWN_ELSEWHERE = {
    "type",
    "id",
    "timestamp",
    "device",
    "exception",
    "threads",
    "binaries",
    "properties",
    "registers",
    "userId",
    "sid",
    "fatal",
    *_PROCESS_KEYS,
    *_APPLE_KEYS,
}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def arch_name(cpu_type: Any, cpu_subtype: Any = None) -> str | None:
    """Mach-O cpu type/sub-type -> "arm64", "arm64e", "x86_64"...; None when unknown."""
    if not isinstance(cpu_type, int) or isinstance(cpu_type, bool):
        return None
    if isinstance(cpu_subtype, int) and (cpu_type, cpu_subtype) in _CPU_SUBTYPES:
        return _CPU_SUBTYPES[(cpu_type, cpu_subtype)]
    return _CPU_TYPES.get(cpu_type)


# ------------------------------------------------------------------------------------------------ frames


def frame_of(item: Any, pointer: str) -> Frame:
    """One App Center StackFrame (className, methodName, fileName, lineNumber, address, code) -> Frame."""
    if not isinstance(item, dict):
        return Frame(pointer=pointer, note=f"not a stack frame object ({type(item).__name__})")
    cls, method = _text(item.get("className")), _text(item.get("methodName"))
    function = f"{cls}.{method}" if cls and method else (method or cls)
    code = _text(item.get("code"))
    note = None
    if code:
        if function is None and not _UNSYMBOLICATED.match(code):
            function = code  # a symbolicated code line ("-[Foo bar] (Foo.m:12)") is the best name there is
        else:
            note = code
    line = item.get("lineNumber")
    if isinstance(line, bool) or not isinstance(line, int):
        line = None
    elif line < 0:  # android writes -2 for native methods
        note = "native method" if line == -2 else f"lineNumber {line}"
        line = None
    return Frame(
        function=function,
        file=_text(item.get("fileName")),
        line=line,
        address=to_int(item.get("address")),
        pointer=pointer,
        note=note,
    )


def frame_text(item: Any) -> str:
    """Cheap searchable text of a raw frame (no Frame object built)."""
    if not isinstance(item, dict):
        return str(item)
    return " ".join(
        str(v) for k in ("className", "methodName", "fileName", "code", "address") if (v := item.get(k)) is not None
    )


def frames_of(raw: Any, pointer: str) -> LazyList[Frame]:
    items = raw if isinstance(raw, list) else []

    def convert(item: Any, index: int) -> Frame:
        return frame_of(item, f"{pointer}/{index}")

    return LazyList(items, convert, frame_text)


# ------------------------------------------------------------------------------------------------ exceptions


def exception_chain(
    exc: Any,
    pointer: str,
    *,
    handled: bool | None,
    root_relation: str | None = None,
) -> list[ExceptionInfo]:
    """The exception and its innerExceptions at any depth, depth first (outermost first), iteratively."""
    chain: list[ExceptionInfo] = []
    stack: list[tuple[Any, str, int]] = [(exc, pointer, 0)]
    while stack:
        item, ptr, depth = stack.pop()
        relation = root_relation if depth == 0 else "inner exception"
        if not isinstance(item, dict):
            chain.append(
                ExceptionInfo(
                    None, f"not an exception object ({type(item).__name__})", (), ptr, depth, handled, relation
                )
            )
            continue
        stack_trace = item.get("stackTrace")
        chain.append(
            ExceptionInfo(
                type=_text(item.get("type")),
                message=_text(item.get("message")),
                frames=frames_of(item.get("frames"), f"{ptr}/frames"),
                pointer=ptr,
                depth=depth,
                handled=handled,
                relation=relation,
                raw_stack=stack_trace if isinstance(stack_trace, str) else None,
            )
        )
        inner = item.get("innerExceptions")
        if isinstance(inner, list):
            children = [(child, f"{ptr}/innerExceptions/{i}", depth + 1) for i, child in enumerate(inner)]
            stack.extend(reversed(children))
    return chain


def _apple_exception(log: dict[str, Any], pointer: str, handled: bool | None) -> ExceptionInfo | None:
    """appleError without ``exception``: the NSException (exceptionType/Reason) or the OS exception (signal)."""
    if isinstance(log.get("exceptionType"), str):
        return ExceptionInfo(
            log["exceptionType"], _text(log.get("exceptionReason")), (), join(pointer, "exceptionType"), 0, handled
        )
    if "osExceptionType" in log:
        code, address = _text(log.get("osExceptionCode")), _text(log.get("osExceptionAddress"))
        parts = [f"code {code}" if code else None, f"at {address}" if address else None]
        message = " ".join(p for p in parts if p) or None
        return ExceptionInfo(_text(log["osExceptionType"]), message, (), join(pointer, "osExceptionType"), 0, handled)
    return None


# ------------------------------------------------------------------------------------------------ threads, binaries


def threads_of(log: dict[str, Any], pointer: str, handled: bool | None) -> tuple[list[Thread], list[ExceptionInfo]]:
    raw = log.get("threads")
    if not isinstance(raw, list):
        return [], []
    error_id, error_name = log.get("errorThreadId"), log.get("errorThreadName")
    threads: list[Thread] = []
    extra: list[ExceptionInfo] = []
    for index, item in enumerate(raw):
        ptr = f"{pointer}/threads/{index}"
        if not isinstance(item, dict):
            threads.append(Thread(str(index), None, (), pointer=ptr))
            continue
        tid, name = item.get("id"), item.get("name")
        if error_id is not None:
            crashed = tid == error_id and not isinstance(tid, bool)
        else:
            crashed = error_name is not None and name == error_name
        threads.append(
            Thread(
                id=str(index) if tid is None else tid if isinstance(tid, str) else str(tid),
                name=_text(name),
                frames=frames_of(item.get("frames"), f"{ptr}/frames"),
                crashed=crashed,
                pointer=ptr,
            )
        )
        if "exception" in item:
            extra.extend(
                exception_chain(
                    item["exception"],
                    f"{ptr}/exception",
                    handled=handled,
                    root_relation=f"exception of thread {_text(tid)}",
                )
            )
    return threads, extra


def binary_of(item: Any, pointer: str) -> Binary:
    if not isinstance(item, dict):
        return Binary(name=None, pointer=pointer)
    start, end = to_int(item.get("startAddress")), to_int(item.get("endAddress"))
    arch = _text(item.get("architecture")) or arch_name(
        item.get("primaryArchitectureId"), item.get("architectureVariantId")
    )
    return Binary(
        name=_text(item.get("name")),
        start=start,
        end=end + 1 if end is not None else None,  # App Center's endAddress is the last byte (inclusive)
        debug_id=_text(item.get("id")),
        arch=arch,
        path=_text(item.get("path")),
        pointer=pointer,
    )


def binary_text(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    return " ".join(str(v) for k in ("name", "id", "path", "architecture") if (v := item.get(k)) is not None)


def binaries_of(raw: Any, pointer: str) -> LazyList[Binary]:
    items = raw if isinstance(raw, list) else []

    def convert(item: Any, index: int) -> Binary:
        return binary_of(item, f"{pointer}/{index}")

    return LazyList(items, convert, binary_text)


# ------------------------------------------------------------------------------------------------ attachments


def attachment_of(log: dict[str, Any], pointer: str) -> Attachment:
    data = log.get("data")
    data_ptr = join(pointer, "data")
    name = _text(log.get("fileName")) or f"attachment {_text(log.get('id')) or pointer}"

    def load() -> bytes:
        return L.decode_base64(data, data_ptr)

    return Attachment(
        name=name,
        content_type=_text(log.get("contentType")),
        size=L.decoded_size(data),
        load=load,
        pointer=pointer,
        origin="errorAttachment",
    )


# ------------------------------------------------------------------------------------------------ summary, metadata


def _join(*parts: Any, sep: str = " ") -> str | None:
    text = sep.join(str(p) for p in parts if p not in (None, ""))
    return text or None


def summary_of(log: dict[str, Any], exceptions: list[ExceptionInfo]) -> Summary:
    device = as_object(log.get("device"))
    kind = L.log_type(log)
    fatal = log.get("fatal") if isinstance(log.get("fatal"), bool) else (False if kind == "handledError" else None)
    first = exceptions[0] if exceptions else None
    title = None
    if first is not None:
        title = f"{first.type or '?'}: {first.message}" if first.message else first.type
    build = device.get("appBuild")
    version = _join(device.get("appVersion"), f"({build})" if build not in (None, "") else None)
    wrapper = _join(device.get("wrapperSdkName"), device.get("wrapperSdkVersion"))
    return Summary(
        title=title,
        level="fatal" if fatal else "error",
        fatal=fatal,
        app=_text(device.get("appNamespace")) or _text(log.get("processName")),
        app_version=version,
        os=_join(
            device.get("osName"), device.get("osVersion"), f"({device['osBuild']})" if device.get("osBuild") else None
        ),
        device=_join(device.get("oemName"), device.get("model")),
        timestamp=L.epoch(log.get("timestamp")),
        sdk=_join(_join(device.get("sdkName"), device.get("sdkVersion")), f"via {wrapper}" if wrapper else None),
        id=_text(log.get("id")),
    )


def metadata_of(log: dict[str, Any]) -> dict[str, Any]:
    """Metadata sections; values are the document's own objects (not copies) or small dicts of scalars."""
    meta: dict[str, Any] = {}
    if isinstance(log.get("device"), dict):
        meta["Device"] = log["device"]
    if "properties" in log:
        meta["Properties"] = log["properties"]
    user = {k: log[k] for k in ("userId", "sid") if k in log}
    if user:
        meta["User and session"] = user
    process = {k: log[k] for k in _PROCESS_KEYS if k in log}
    if process:
        meta["Process"] = process
    apple = {k: log[k] for k in _APPLE_KEYS if k in log}
    if apple:
        meta["Apple"] = apple
    if "registers" in log:
        meta["Registers"] = log["registers"]
    other = {k: v for k, v in log.items() if k not in _SHOWN_ELSEWHERE}
    if other:
        meta["Other fields"] = other
    return meta


# ------------------------------------------------------------------------------------------------ reports


def error_report(log: dict[str, Any], pointer: str, attachments: list[Attachment]) -> Report:
    kind = L.log_type(log) or "error"
    fatal = log.get("fatal")
    handled = True if kind == "handledError" else (not fatal if isinstance(fatal, bool) else None)
    exceptions: list[ExceptionInfo] = []
    if "exception" in log:
        exceptions = exception_chain(log["exception"], join(pointer, "exception"), handled=handled)
    elif kind == "appleError":
        synthetic = _apple_exception(log, pointer, handled)
        exceptions = [synthetic] if synthetic is not None else []
    threads, thread_exceptions = threads_of(log, pointer, handled)
    exceptions.extend(thread_exceptions)
    return Report(
        format=FORMAT,
        kind=kind,
        summary=summary_of(log, exceptions),
        exceptions=exceptions,
        threads=threads,
        binaries=binaries_of(log.get("binaries"), join(pointer, "binaries")),
        attachments=attachments,
        metadata=metadata_of(log),
        pointer=pointer,
        most_recent_first=True,
    )


def orphan_report(error_id: str | None, logs: list[tuple[str, dict[str, Any]]]) -> Report:
    """Attachments whose error is not in this batch (the android SDK sends each attachment in its own request)."""
    first_ptr, first = logs[0]
    title = f"{len(logs)} attachment(s) for error {error_id or '(no errorId)'}, which is not in this batch"
    device = as_object(first.get("device"))
    summary = Summary(
        title=title,
        app_version=_join(device.get("appVersion"), device.get("appBuild")),
        os=_join(device.get("osName"), device.get("osVersion")),
        device=_join(device.get("model")),
        timestamp=L.epoch(first.get("timestamp")),
        sdk=_join(device.get("sdkName"), device.get("sdkVersion")),
        id=error_id,
    )
    return Report(
        format=FORMAT,
        kind=L.ATTACHMENT_TYPE,
        summary=summary,
        attachments=[attachment_of(log, ptr) for ptr, log in logs],
        metadata={"Device": device} if device else {},
        pointer=first_ptr,
    )


def build_reports(value: Any) -> list[Report]:
    """One Report per error log, in document order, plus one per group of orphaned attachments."""
    errors: set[str] = set()
    attachments: dict[str | None, list[tuple[str, dict[str, Any]]]] = {}
    entries: list[tuple[str, Any]] = list(L.log_entries(value))
    for ptr, log in entries:
        kind = L.log_type(log)
        if kind in L.ERROR_TYPES:
            key = L.id_key(log.get("id"))
            if key:
                errors.add(key)
        elif kind == L.ATTACHMENT_TYPE:
            attachments.setdefault(L.id_key(log.get("errorId")), []).append((ptr, log))
    reports: list[Report] = []
    claimed: set[str] = set()  # error ids whose attachments went to a report (a duplicate id gets none)
    orphans_done: set[str | None] = set()
    for ptr, log in entries:
        kind = L.log_type(log)
        if kind in L.ERROR_TYPES:
            key = L.id_key(log.get("id"))
            mine = attachments.get(key, []) if key and key not in claimed else []
            if key:
                claimed.add(key)
            reports.append(error_report(log, ptr, [attachment_of(a, p) for p, a in mine]))
        elif kind == L.ATTACHMENT_TYPE:
            key = L.id_key(log.get("errorId"))
            if (key is None or key not in errors) and key not in orphans_done:
                orphans_done.add(key)
                reports.append(orphan_report(log.get("errorId") if key else None, attachments[key]))
    return reports
