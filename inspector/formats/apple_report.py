"""An AppleCrash as a Report: exceptions, threads, binaries, title and the recrash (Rollbar uses them too)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from inspector.formats.apple_model import AppleCrash, AppleFrame, AppleImage
from inspector.formats.apple_text import DIAGNOSIS_KEYS, human_reason
from inspector.formats.base import Submission
from inspector.report import Attachment, Binary, ExceptionInfo, Frame, Report, Summary, Thread, returns

NAME = "apple"


def _crashed_number(crash: AppleCrash) -> int | None:
    marked = [t.number for t in crash.threads if t.crashed]
    return marked[0] if marked else crash.crashed_thread


# ------------------------------------------------------------------------------------------------ report


def _app_images(crash: AppleCrash) -> set[str]:
    names = {i.name for i in crash.images if i.app_marker}
    path = crash.app_path or ""
    bundle = path.split(".app/", 1)[0] + ".app/" if ".app/" in path else None
    for image in crash.images:
        if bundle and image.path and image.path.startswith(bundle):
            names.add(image.name)
        if path and image.path == path:
            names.add(image.name)
    if crash.process:
        names.add(crash.process)
    return names


def _frame(f: AppleFrame, app: set[str]) -> Frame:
    if f.symbol:
        note = f"+{f.offset}" if f.offset is not None else None
    elif f.offset is not None:
        base = f"0x{f.image_base:x}" if f.image_base is not None else (f.binary or "?")
        note = f"unsymbolicated: {base} + {f.offset}"
    else:
        note = "unsymbolicated"
    return Frame(
        function=f.symbol,
        file=f.file,
        line=f.line,
        module=f.binary,
        address=f.address,
        in_app=(f.binary in app) if f.binary else None,
        pointer=f.where,
        note=note,
    )


def _binary(image: AppleImage) -> Binary:
    debug_id = str(uuid.UUID(hex=image.uuid)).upper() if image.uuid and len(image.uuid) == 32 else image.uuid
    end = image.end + 1 if image.end is not None else None
    return Binary(
        name=image.name,
        start=image.start,
        end=end,
        size=end - image.start if end else None,
        debug_id=debug_id,
        code_id=image.uuid,
        arch=image.arch,
        path=image.path,
        version=image.version,
        pointer=image.where,
    )


def _signal_text(crash: AppleCrash) -> str | None:
    kind = crash.exception_type or crash.signal
    if kind is None:
        return None
    detail = crash.exception_subtype or (
        crash.exception_codes if crash.exception_codes and not crash.exception_codes.startswith(("0x", "#")) else None
    )
    return f"{kind}: {detail}" if detail else kind


def _title(crash: AppleCrash) -> str:
    """The human reason first ("Fatal error: Index out of range", "NSRangeException: ..."), the signal second."""
    if crash.panic is not None or (crash.variant or "").startswith((".ips bug_type 210", ".ips bug_type 151")):
        first = crash.panic.strip().splitlines()[0] if crash.panic and crash.panic.strip() else ""
        if first:
            return f"Kernel panic: {first[:200]}"
        return f"Kernel report (bug_type {crash.header.get('bug_type', '?')}): no panic string, no app threads"
    reason, signal = human_reason(crash), _signal_text(crash)
    if reason and signal:
        return f"{reason} — {signal}"
    return reason or signal or "Crash"


def relocate(crash: AppleCrash, pointer: str) -> AppleCrash:
    """Point every part of ``crash`` at ``pointer``: for a report carried as one string inside a JSON document
    (Rollbar's ``body.crash_report.raw``), where a line of the text has no pointer of its own."""
    for t in crash.threads:
        t.where = pointer
        for f in t.frames:
            f.where = pointer
    for f in crash.last_exception or []:
        f.where = pointer
    for i in crash.images:
        i.where = pointer
    crash.header_where = {k: pointer for k in crash.header_where}
    if crash.recrash is not None:
        relocate(crash.recrash, pointer)
    return crash


def crash_views(crash: AppleCrash) -> tuple[list[ExceptionInfo], list[Thread], list[Binary]]:
    """The exception chain, threads and binaries of a crash, as every Apple input (and Rollbar's
    ``crash_report``) shows them."""
    app = _app_images(crash)
    number = _crashed_number(crash)
    # the first thread of that number (a panic's stackshot repeats the panicked thread's tid)
    first = next((t for t in crash.threads if t.number == number), None)
    threads = [
        Thread(
            id=str(t.number),
            name=t.name or (f"Dispatch queue: {t.queue}" if t.queue else None),
            frames=[_frame(f, app) for f in t.frames],
            crashed=t is first,
            pointer=t.where,
            registers=dict(t.registers) or None,
        )
        for t in crash.threads
    ]
    signal: ExceptionInfo | None = None
    if crash.exception_type or crash.signal:
        message = "; ".join(x for x in (crash.exception_subtype, crash.exception_codes, crash.termination) if x)
        signal = ExceptionInfo(
            type=crash.exception_type or crash.signal,
            message=message or None,
            frames=(),
            pointer=crash.header_where.get("Exception Type", "/@header"),
        )
    reason: ExceptionInfo | None = None
    if crash.exception_name or crash.last_exception:
        reason = ExceptionInfo(
            type=crash.exception_name or "Last Exception Backtrace",
            message=crash.exception_reason,
            frames=[_frame(f, app) for f in crash.last_exception or []],
            pointer="/@section/Last Exception Backtrace",
            handled=False,
        )
    elif (fatal := human_reason(crash)) and fatal.startswith("Fatal error:"):
        reason = ExceptionInfo(
            type="Fatal error",
            message=fatal.removeprefix("Fatal error:").strip() or None,
            frames=(),
            pointer="/@section/Application Specific Information",
            handled=False,
        )
    elif signal is None and (diagnosis := human_reason(crash)):  # no exception at all: the reporter's diagnosis
        reason = ExceptionInfo(
            type="Diagnosis",
            message=diagnosis,
            frames=(),
            pointer=next((crash.header_where[k] for k in DIAGNOSIS_KEYS if k in crash.header_where), "/@header"),
            handled=False,
        )
    exceptions: list[ExceptionInfo] = []
    if reason is not None and reason.type != "Last Exception Backtrace":
        # the human reason leads ("NSRangeException: ...", "Fatal error: Index out of range"), the signal second
        exceptions.append(reason)
        if signal is not None:
            exceptions.append(dataclasses.replace(signal, depth=1, relation="signal"))
    else:
        exceptions += [signal] if signal is not None else []
        if reason is not None:
            exceptions.append(
                dataclasses.replace(reason, depth=1 if exceptions else 0, relation="cause" if exceptions else None)
            )
    if crash.recrash is not None:
        recrash_exception, recrash_thread = _recrash_views(crash.recrash, app)
        exceptions.append(recrash_exception)
        if recrash_thread is not None:
            threads.append(recrash_thread)
    return exceptions, threads, [_binary(i) for i in crash.images]


def crash_title(crash: AppleCrash) -> str:
    return _title(crash)


def _report(submission: Submission, crash: AppleCrash) -> Report:
    exceptions, threads, binaries = crash_views(crash)
    h = crash.header
    version = h.get("Version")
    summary = Summary(
        title=_title(crash),
        level="fatal",
        fatal="User Requested" not in h,
        app=crash.process or h.get("Identifier"),
        app_version=version,
        os=h.get("OS Version"),
        device=", ".join(x for x in (h.get("Hardware Model"), crash.code_type) if x) or None,
        timestamp=crash.timestamp,
        language="native",
        sdk=crash.variant,
        id=h.get("Incident Identifier"),
    )
    metadata: dict[str, Any] = {"Header": dict(h)}
    metadata.update({k: v for k, v in crash.sections.items()})
    if crash.recrash is not None:
        metadata["Handler crashed while reporting"] = {"Header": dict(crash.recrash.header), **crash.recrash.sections}
    if crash.panic is not None:
        metadata["Panic string"] = crash.panic
    attachments = [
        Attachment(
            name=p.filename or p.name,
            content_type=p.content_type,
            size=len(p.data),
            load=returns(p.data),
            pointer=f"/@parts/{p.name}",
            origin=f"multipart part {p.name}",
        )
        for p in submission.attachments
    ]
    return Report(
        format=NAME,
        kind=crash.source,
        summary=summary,
        exceptions=exceptions,
        threads=threads,
        binaries=binaries,
        attachments=attachments,
        metadata=metadata,
        most_recent_first=True,
    )


def _recrash_views(recrash: AppleCrash, app: set[str]) -> tuple[ExceptionInfo, Thread | None]:
    """KSCrash's "Handler crashed while reporting:": the crash reporter crashed while writing the report. It is
    its own exception, and its crashed thread a thread of its own ("handler crash 7"), not a second thread 7."""
    number = _crashed_number(recrash)
    thread = next((t for t in recrash.threads if t.number == number), recrash.threads[0] if recrash.threads else None)
    detail = _signal_text(recrash) or "unknown signal"
    reason = human_reason(recrash)
    where = recrash.header_where.get("Exception Type") or (thread.where if thread else "/@header")
    named = f"thread {thread.number}" + (f" ({thread.name})" if thread.name else "") if thread else None
    exception = ExceptionInfo(
        type=f"Handler crashed while reporting: {detail}",
        message="; ".join(x for x in (reason, f"its stack: {named}" if named else None) if x) or None,
        frames=(),
        pointer=where,
        handled=False,
        relation="recrash",
    )
    if thread is None:
        return exception, None
    return exception, Thread(
        id=f"handler crash {thread.number}",
        name=f"Handler crashed while reporting: {thread.name or f'thread {thread.number}'}",
        frames=[_frame(f, app) for f in thread.frames],
        crashed=False,
        pointer=thread.where,
        registers=dict(thread.registers) or None,
    )
