"""Minidumps (Windows, Breakpad, Crashpad) as a format: detect, load, validate, report, convert for sending.

The dump may arrive as a bare ``.dmp`` file, as the raw body of ``POST ...?format=minidump`` or inside a
multipart upload (``upload_file_minidump``, the Breakpad/Crashpad convention, where the other parts are
attachments and the form fields are Crashpad annotations). Reading is done by :mod:`minidump_parse`.

Frames are walked by :mod:`inspector.native` (CFI from symbol files, frame pointers, then a validated stack
scan, as minidump-stackwalk does) and shown as ``module+offset`` with how each was found; with symbol files
(:func:`symbolicated_reports`) they get function names, source lines and inlined frames. CPUs the walker does not
know (arm32, mips...) fall back to the instruction pointer and the return-address candidates of a stack scan.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any

from inspector.formats.base import (
    Capabilities,
    Detection,
    Envelope,
    InspectorError,
    NativeConverter,
    Part,
    Problem,
    Submission,
    error,
    info,
    warning,
)
from inspector.formats.minidump_micro import Microdump, MicrodumpPaste, is_microdump, parse_all
from inspector.formats.minidump_micro_report import _microdump_problems, _microdump_report
from inspector.formats.minidump_parse import Minidump, parse
from inspector.formats.minidump_report import MAX_SCANNED_FRAMES as MAX_SCANNED_FRAMES
from inspector.formats.minidump_report import NAME as NAME
from inspector.formats.minidump_report import _minidump_report
from inspector.native.unwind import Symbols
from inspector.report import Report

TITLE = "Minidump"
TARGET_KINDS: tuple[str, ...] = ()
MICRODUMP_KIND = "microdump (text, not a minidump)"


# ------------------------------------------------------------------------------------------------ detect


def _upload_kind(envelope: Envelope) -> str:
    if envelope.main_part is not None and envelope.parts:
        part = envelope.parts[envelope.main_part].name
        return (
            f"minidump (Backtrace multipart upload, part {part})"
            if part != "upload_file_minidump"
            else ("minidump (Backtrace multipart upload)")
        )
    if envelope.http is not None:
        return "minidump (raw HTTP upload)"
    return "minidump"


def detect(envelope: Envelope, value: Any) -> Detection | None:
    if value is not None:
        return None
    body = envelope.body
    if body[:4] == b"MDMP":
        kind = _upload_kind(envelope)
        return Detection(NAME, kind, 95, f"{kind}: MDMP signature, {len(body)} bytes")
    if is_microdump(body):
        return Detection(NAME, MICRODUMP_KIND, 90, "Breakpad microdump: Android logcat text, not a binary minidump")
    if envelope.http is not None and ("format", "minidump") in envelope.fields and body:
        return Detection(NAME, "minidump (raw HTTP upload)", 40, "format=minidump in the URL but no MDMP signature")
    return None


# ------------------------------------------------------------------------------------------------ load


def load(envelope: Envelope, document: Any, detection: Detection) -> Submission:
    body = envelope.body
    if detection.kind == MICRODUMP_KIND:
        native: Minidump | MicrodumpPaste = parse_all(body)
    elif body[:4] != b"MDMP":
        where = "multipart part" if envelope.parts else "body"
        raise InspectorError(
            f"the {where} should be a minidump (format=minidump) but starts with {body[:8].hex(' ') or 'nothing'}",
            where="offset 0",
        )
    else:
        native = parse(body)
    attachments = [p for i, p in enumerate(envelope.parts) if i != envelope.main_part and p.is_file]
    return Submission(format=NAME, detection=detection, envelope=envelope, attachments=attachments, native=native)


# ------------------------------------------------------------------------------------------------ validate


def validate(submission: Submission) -> list[Problem]:
    md = submission.native
    if isinstance(md, MicrodumpPaste):
        return _microdump_problems(md)
    problems = list(md.problems)
    read = set(md.read_streams)
    if "ThreadListStream" not in read:
        problems.append(error("/@stream/ThreadListStream", "no readable thread list: the dump shows no threads"))
    if "ModuleListStream" not in read:
        problems.append(error("/@stream/ModuleListStream", "no readable module list: no frame can be attributed"))
    if "SystemInfoStream" not in read:
        problems.append(warning("/@stream/SystemInfoStream", "no readable system info: OS and CPU are unknown"))
    if "ExceptionStream" not in read:
        problems.append(
            info(
                "/@stream/ExceptionStream",
                "no readable exception stream: the dump was taken without a crash (or it is damaged)",
            )
        )
    elif md.exception is not None and md.threads and md.exception.thread_id not in {t.id for t in md.threads}:
        problems.append(
            warning(
                "/@stream/ExceptionStream",
                f"the exception names thread {md.exception.thread_id}, which is not in the thread list",
            )
        )
    env = submission.envelope
    if env.http is not None:
        fmt = dict(env.fields).get("format")
        if fmt is not None and fmt != "minidump" and env.http.path.rstrip("/").rsplit("/", 1)[-1] != "minidump":
            problems.append(
                warning(
                    "/@http/query/format",
                    f"a minidump is sent with format={fmt}; Backtrace expects format=minidump",
                    "Backtrace submission API",
                )
            )
    return problems


def reports(submission: Submission) -> list[Report]:
    md = submission.native
    if isinstance(md, MicrodumpPaste):
        return [_microdump_report(submission, dump, n, len(md.dumps)) for n, dump in enumerate(md.dumps, 1)]
    return [_minidump_report(submission, md)]


def symbolicated_reports(submission: Submission, symbols: Symbols) -> list[Report]:
    """The reports with frames walked and named using ``symbols`` (may read files and the network: call it off
    the GUI thread)."""
    md = submission.native
    if isinstance(md, Microdump):
        return [_microdump_report(submission, md)]
    return [_minidump_report(submission, md, symbols)]


# ------------------------------------------------------------------------------------------------ converting


def _dump_of(submission: Submission) -> Minidump:
    if not isinstance(submission.native, Minidump):
        raise InspectorError("only a binary minidump can be sent; this is a microdump (text)")
    return submission.native


def to_backtrace_multipart(submission: Submission) -> tuple[list[Part], list[tuple[str, str]]]:
    """Parts and attribute fields for ``POST .../post?format=minidump`` (Breakpad/Crashpad multipart convention).

    The dump goes in ``upload_file_minidump``; every attachment as ``attachment_<name>``; attributes are the
    upload's form fields (Crashpad annotations) and the dump's Crashpad annotations (without format/token).
    """
    md = _dump_of(submission)
    name = f"{md.crashpad.report_id}.dmp" if md.crashpad else (submission.envelope.source_name or "minidump.dmp")
    parts = [Part("upload_file_minidump", md.data, filename=name, content_type="application/octet-stream")]
    for part in submission.attachments:
        base = (part.filename or part.name).replace("\\", "/").rsplit("/", 1)[-1]
        field = part.name if part.name.startswith("attachment_") else f"attachment_{base}"
        ctype = part.content_type or "application/octet-stream"
        parts.append(Part(field, part.data, filename=base, content_type=ctype))
    fields: list[tuple[str, str]] = []
    seen: set[str] = set()
    for key, value in submission.envelope.fields:
        if key not in ("format", "token") and key not in seen:
            fields.append((key, value))
            seen.add(key)
    for key, value in md.crashpad.annotations.items() if md.crashpad else ():
        if key not in seen:
            fields.append((key, value))
            seen.add(key)
    return parts, fields


_APPCENTER_OS = {
    0: "WINDOWS",
    1: "WINDOWS",
    2: "WINDOWS",
    0x8101: "macOS",
    0x8102: "iOS",
    0x8201: "Linux",
    0x8203: "Android",
}


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def to_appcenter_logs(submission: Submission, *, app_secret_free: bool = True) -> dict[str, Any]:
    """A ``{"logs": [managedError, errorAttachment]}`` container for a custom Breakpad upload to App Center.

    As the App Center docs describe it: ``exception.type = "minidump"``, ``wrapperSdkName = "custom.ndk"``, then an
    errorAttachment ``minidump.dmp`` (base64). Fresh uuids and timestamps. ``app_secret_free``: the App Secret
    travels in the ``App-Secret`` header only and is never put in the body (kept for the callers' symmetry).
    """
    del app_secret_free
    md = _dump_of(submission)
    report = _minidump_report(submission, md)
    s = md.system
    now = datetime.now(UTC)  # fresh: App Center refuses reports older than 25 days
    app_version = report.summary.app_version or "1.0"
    device: dict[str, Any] = {
        "sdkName": "appcenter.custom",
        "sdkVersion": "1.0.0",
        "osName": _APPCENTER_OS.get(s.platform_id, s.platform) if s else "unknown",
        "osVersion": f"{s.major}.{s.minor}.{s.build}" if s else "0.0.0",
        "locale": "en-US",
        "timeZoneOffset": 0,
        "appVersion": app_version,
        "appBuild": app_version,
        "wrapperSdkName": "custom.ndk",
    }
    if s is not None and s.csd_version:
        device["osBuild"] = s.csd_version[:256]
    if s is not None and s.cpu_vendor:
        device["oemName"] = s.cpu_vendor
    error_id = str(uuid.uuid4())
    error_log: dict[str, Any] = {
        "type": "managedError",
        "id": error_id,
        "timestamp": _iso(now),
        "appLaunchTimestamp": _iso(now),
        "processId": md.process_id or 0,
        "processName": report.summary.app or "unknown",
        "fatal": True,
        "architecture": s.arch if s else "unknown",
        "device": device,
        "exception": {"type": "minidump", "wrapperSdkName": "custom.ndk"},
    }
    if md.exception is not None:
        error_log["errorThreadId"] = md.exception.thread_id
    attachment = {
        "type": "errorAttachment",
        "id": str(uuid.uuid4()),
        "errorId": error_id,
        "timestamp": _iso(now),
        "device": dict(device),
        "contentType": "application/octet-stream",
        "fileName": "minidump.dmp",
        "data": base64.b64encode(md.data).decode("ascii"),
    }
    return {"logs": [error_log, attachment]}


CAPABILITIES = Capabilities(
    can_send=True,  # to Backtrace's minidump endpoint (to_backtrace_multipart)
    native=True,
    send_api="backtrace",
    attachments=True,
    attachment_warn=10 * 1024 * 1024,
    can_convert_to={
        "appcenter": NativeConverter(
            to_appcenter_logs,
            "minidump.to_appcenter_logs (custom.ndk upload of the dump)",
            "the whole minidump (threads, stacks, modules, memory)",
            "errorAttachment minidump.dmp",
            report_kind="minidump",
        )
    },
    file_suffix=".dmp",
    lost_when_normalized=(
        "minidump bytes",
        "the dump itself is not carried; upload the .dmp with format=minidump to keep memory and registers",
    ),
)
