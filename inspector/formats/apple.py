"""Apple crash reports as a format: text (``.crash``), ``.ips`` (JSON header + JSON body), ``.plcrash``.

Each input is read into an :class:`~inspector.formats.apple_model.AppleCrash` (by :mod:`apple_text`,
:mod:`apple_ips` or :mod:`plcrash`), which becomes one Report: the Mach exception / signal, an uncaught
NSException with its "Last Exception Backtrace", every thread (frames most recent first) with its registers,
and the binary images. Converters build App Center ``appleError`` logs and Rollbar ``crash_report`` items.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from inspector.formats.apple_ips import parse_ips, split_header
from inspector.formats.apple_model import CPU_TYPES, AppleCrash, AppleFrame
from inspector.formats.apple_report import NAME as NAME
from inspector.formats.apple_report import _crashed_number, _report
from inspector.formats.apple_report import crash_title as crash_title
from inspector.formats.apple_report import crash_views as crash_views
from inspector.formats.apple_report import relocate as relocate
from inspector.formats.apple_text import looks_like_text_report, parse_text
from inspector.formats.base import (
    Capabilities,
    Detection,
    Envelope,
    InspectorError,
    NativeConverter,
    Problem,
    Submission,
    info,
    warning,
)
from inspector.formats.plcrash import is_plcrash, to_crash
from inspector.report import Report

TITLE = "Apple crash report"
TARGET_KINDS: tuple[str, ...] = ()
_ADDRESS = re.compile(r"at (0x[0-9a-fA-F]+)")


# ------------------------------------------------------------------------------------------------ detect


def _wrapped(envelope: Envelope) -> str:
    return " (Backtrace multipart upload)" if envelope.main_part is not None else ""


def detect(envelope: Envelope, value: Any) -> Detection | None:
    if value is not None:
        return None
    body = envelope.body
    name = (envelope.source_name or "").lower()
    if is_plcrash(body):
        plcrash_version = body[7] if len(body) > 7 else "?"
        kind = f"PLCrashReporter binary report, version {plcrash_version}{_wrapped(envelope)}"
        return Detection(NAME, kind, 95, f"{kind}: 'plcrash' magic")
    if not body:
        if name.endswith(".plcrash"):
            return Detection(NAME, "PLCrashReporter binary report (empty file)", 5, "empty file named .plcrash")
        return None
    if b"\x00" in body[:4096]:
        return None
    split = split_header(body)
    if split is not None:
        bug = split[0].get("bug_type")
        kind = f"Apple crash report (.ips, bug_type {bug})"
        return Detection(NAME, kind, 92, f"{kind}: JSON header line with bug_type, then the report body")
    text = body[:65536].decode("utf-8", "replace")
    score = looks_like_text_report(text)
    if not score:
        return None
    version = re.search(r"^Report Version:[ \t]*(\d{1,9})\b", text, re.M)
    kind = "Apple crash report (text" + (f", Report Version {version.group(1)})" if version else ")")
    return Detection(NAME, kind + _wrapped(envelope), score, f"{kind}: crash report header and thread lines")


# ------------------------------------------------------------------------------------------------ load


def load(envelope: Envelope, document: Any, detection: Detection) -> Submission:
    body = envelope.body
    if detection.kind.startswith("PLCrashReporter binary report (empty"):
        raise InspectorError(
            f"{envelope.source_name or 'the .plcrash file'} is empty (0 bytes): a .plcrash file holds a "
            "PLCrashReporter protobuf report, this one has nothing in it (the app was probably stopped while "
            "writing it)",
            where="offset 0",
        )
    if is_plcrash(body):
        crash = to_crash(body)
    elif detection.kind.startswith("Apple crash report (.ips"):
        crash = parse_ips(body)
    else:
        crash = parse_text(body.decode("utf-8", "replace"))
    attachments = [p for i, p in enumerate(envelope.parts) if i != envelope.main_part and p.is_file]
    return Submission(format=NAME, detection=detection, envelope=envelope, attachments=attachments, native=crash)


# ------------------------------------------------------------------------------------------------ validate


def validate(submission: Submission) -> list[Problem]:
    crash: AppleCrash = submission.native
    problems = list(crash.problems)
    where = crash.header_where
    if (crash.variant or "").startswith((".ips bug_type 210", ".ips bug_type 151")):
        if crash.panic and crash.threads:
            what = (
                f"the panic string and the panicked kernel thread ({len(crash.threads[0].frames)} frames, "
                f"{len(crash.images)} kexts and images)"
            )
        else:
            what = "the panic string" if crash.panic else "no panic string"
        problems.append(
            info(
                "",
                f"this is a kernel report ({(crash.variant or '').removeprefix('.ips ')}): it holds {what}, "
                "not an app's crash; there is nothing to send as an app crash",
            )
        )
        return problems
    said = crash.sections.get("Notes", "").splitlines()  # what the reporter itself wrote it could not gather
    if not crash.threads:
        if "Backtrace not available" in said:
            problems.append(
                info("/@line/1", "the reporter wrote 'Backtrace not available': no thread backtraces to symbolicate")
            )
        else:
            problems.append(
                warning(
                    "/@line/1" if crash.source == "text" else "/threads",
                    "the report has no thread backtraces (only its header): nothing to symbolicate",
                )
            )
    if not crash.images:
        if "Binary images description not available" in said:
            problems.append(
                info("/@section/Binary Images", "the reporter wrote 'Binary images description not available'")
            )
        else:
            problems.append(warning("/@section/Binary Images", "no Binary Images: frames cannot be symbolicated"))
    marked = [t.number for t in crash.threads if t.crashed]
    numbers = {t.number for t in crash.threads}
    if crash.threads and not marked and crash.crashed_thread is None:
        problems.append(warning("/@threads", "no thread is marked as crashed"))
    if crash.crashed_thread is not None and crash.threads and crash.crashed_thread not in numbers:
        problems.append(
            warning(
                where.get("Crashed Thread", where.get("Triggered by Thread", "/@header")),
                f"the header names crashed thread {crash.crashed_thread}, which is not in the report",
            )
        )
    if marked and crash.crashed_thread is not None and marked[0] != crash.crashed_thread:
        problems.append(
            warning(
                where.get("Crashed Thread", "/@header"),
                f"the header says thread {crash.crashed_thread} crashed but thread {marked[0]} is "
                "marked 'Crashed'; the marked thread is shown as crashed",
            )
        )
    if crash.source == "text" and crash.threads:
        for key in ("Exception Type", "OS Version", "Code Type"):
            if key not in crash.header:
                problems.append(info("/@header", f"the header has no '{key}' line"))
    if crash.images:
        outside = sum(
            1
            for t in crash.threads
            for f in t.frames
            if f.address is not None and f.address and crash.image_for(f.address) is None
        )
        if outside:
            problems.append(info("/@threads", f"{outside} frame address(es) fall outside every binary image"))
    return problems


def reports(submission: Submission) -> list[Report]:
    return [_report(submission, submission.native)]


# ------------------------------------------------------------------------------------------------ converting


def _iso(ts: float | None) -> str:
    moment = datetime.fromtimestamp(ts, UTC) if ts else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _code(f: AppleFrame) -> str:
    if f.symbol:
        return f"{f.symbol} + {f.offset}" if f.offset is not None else f.symbol
    if f.image_base is not None and f.offset is not None:
        return f"0x{f.image_base:x} + {f.offset}"
    return f.binary or "?"


def _ac_frames(frames: list[AppleFrame]) -> list[dict[str, Any]]:
    return [{"address": f"0x{f.address:016x}", "code": _code(f)} for f in frames if f.address is not None]


def _os_name(crash: AppleCrash) -> tuple[str, str, str | None]:
    """(osName, osVersion, osBuild) from 'OS Version: iPhone OS 13.3.1 (17D50)' / 'Mac OS X 11.1 (20C69)'."""
    text = crash.header.get("OS Version", "")
    m = re.match(r"^(.*?)\s*([\d.]+)\s*(?:\((\w+)\))?\s*$", text[:200])
    if not m:
        return ("iOS" if crash.code_type and crash.code_type.startswith("arm") else "macOS"), "0.0", None
    name = m.group(1).strip()
    if name in ("iPhone OS", "iOS Simulator", "iOS"):
        name = "iOS"
    elif name in ("Mac OS X", "macOS", "OS X"):
        name = "macOS"
    return name or "iOS", m.group(2), m.group(3)


def to_appcenter_logs(submission: Submission) -> dict[str, Any]:
    """A ``{"logs": [appleError]}`` container (App Center custom upload) mapped from the report."""
    crash: AppleCrash = submission.native
    os_name, os_version, os_build = _os_name(crash)
    version = crash.header.get("Version", "1.0")
    m = re.match(r"^(\S+)\s*\((.+)\)$", version[:200])
    app_version, app_build = (m.group(2), m.group(1)) if m else (version, version)
    device: dict[str, Any] = {
        "sdkName": "appcenter.ios" if os_name == "iOS" else "appcenter.macos",
        "sdkVersion": "1.0.0",
        "osName": os_name,
        "osVersion": os_version,
        "locale": "en-US",
        "timeZoneOffset": 0,
        "appVersion": app_version,
        "appBuild": app_build,
    }
    if os_build:
        device["osBuild"] = os_build
    if crash.header.get("Hardware Model"):
        device["model"] = crash.header["Hardware Model"]
    if crash.header.get("Identifier"):
        device["appNamespace"] = crash.header["Identifier"]
    arch = crash.code_type or "arm64"
    arch_id = CPU_TYPES.get(arch, 0)
    variant = 2 if arch == "arm64e" else 0
    codes = " ".join(x for x in (crash.exception_subtype, crash.exception_codes) if x)
    address = _ADDRESS.search(codes)
    exc_type = (crash.exception_type or crash.signal or "UNKNOWN").split(" (")[0]
    log: dict[str, Any] = {
        "type": "appleError",
        "id": str(uuid.uuid4()),
        "timestamp": _iso(None),  # fresh: App Center refuses reports older than 25 days
        "appLaunchTimestamp": _iso(None),
        "processId": crash.process_id or 0,
        "processName": crash.process or crash.header.get("Identifier") or "unknown",
        "fatal": True,
        "applicationPath": crash.app_path or crash.process or "unknown",
        "primaryArchitectureId": arch_id,
        "architectureVariantId": variant,
        "architecture": arch,
        "osExceptionType": exc_type,
        "osExceptionCode": crash.exception_codes or crash.signal or "0",
        "osExceptionAddress": address.group(1) if address else "0x0",
        "device": device,
    }
    if crash.parent_process and (pm := re.match(r"^(.*?)\s*\[(\d{1,9})\]$", crash.parent_process[:300])):
        log["parentProcessName"], log["parentProcessId"] = pm.group(1) or "?", int(pm.group(2))
    crashed = _crashed_number(crash)
    if crashed is not None:
        log["errorThreadId"] = crashed
    if crash.exception_name:
        log["exceptionType"] = crash.exception_name
        log["exceptionReason"] = crash.exception_reason or ""
    crashed_thread = next((t for t in crash.threads if t.number == crashed), None)
    if crashed_thread is not None and crashed_thread.registers:
        log["registers"] = dict(crashed_thread.registers)
    threads = []
    for t in crash.threads:
        frames = _ac_frames(t.frames)
        if frames:  # App Center's apple SDK requires at least one frame per thread
            thread: dict[str, Any] = {"id": t.number, "frames": frames}
            if t.name:
                thread["name"] = t.name
            threads.append(thread)
    log["threads"] = threads
    if crash.last_exception:
        log["exception"] = {
            "type": crash.exception_name or "NSException",
            "message": crash.exception_reason or "",
            "frames": _ac_frames(crash.last_exception),
        }
    log["binaries"] = [
        {
            "id": str(uuid.UUID(hex=i.uuid)) if i.uuid and len(i.uuid) == 32 else (i.uuid or str(uuid.uuid4())),
            "startAddress": f"0x{i.start:016x}",
            "endAddress": f"0x{(i.end if i.end is not None else i.start):016x}",
            "name": i.name,
            "path": i.path or i.name,
            "primaryArchitectureId": CPU_TYPES.get(i.arch or arch, arch_id),
            "architectureVariantId": 2 if i.arch == "arm64e" else 0,
        }
        for i in crash.images
    ]
    return {"logs": [log]}


def render_text(crash: AppleCrash) -> str:
    """The report as Apple crash-report text (Report Version 104), for .ips / .plcrash inputs."""
    h = crash.header
    out = []
    for key in (
        "Incident Identifier",
        "Hardware Model",
        "Process",
        "Path",
        "Identifier",
        "Version",
        "Code Type",
        "Parent Process",
    ):
        if h.get(key):
            out.append(f"{key + ':':<21}{h[key]}")
    out.append("")
    for key in ("Date/Time", "Launch Time", "OS Version"):
        if h.get(key):
            out.append(f"{key + ':':<21}{h[key]}")
    out.append(f"{'Report Version:':<21}104")
    out.append("")
    out.append(f"{'Exception Type:':<21}{crash.exception_type or crash.signal or 'UNKNOWN'}")
    if crash.exception_codes:
        out.append(f"{'Exception Codes:':<21}{crash.exception_codes}")
    crashed = _crashed_number(crash)
    if crashed is not None:
        out.append(f"{'Crashed Thread:':<21}{crashed}")
    if crash.exception_name:
        out += [
            "",
            "Application Specific Information:",
            f"*** Terminating app due to uncaught exception '{crash.exception_name}', reason: "
            f"'{crash.exception_reason or ''}'",
        ]
    if crash.last_exception:
        out += ["", "Last Exception Backtrace:"]
        out += [_frame_line(n, f) for n, f in enumerate(crash.last_exception)]
    for t in crash.threads:
        out.append("")
        if t.name:
            out.append(f"Thread {t.number} name:  {t.name}")
        out.append(f"Thread {t.number}{' Crashed' if t.number == crashed else ''}:")
        out += [_frame_line(n, f) for n, f in enumerate(t.frames)]
    ct = next((t for t in crash.threads if t.number == crashed and t.registers), None)
    if ct is not None:
        out += ["", f"Thread {ct.number} crashed with {crash.code_type or 'unknown'} Thread State:"]
        items = [f"{k:>6}: {v}" for k, v in ct.registers.items()]
        out += ["  " + "  ".join(items[i : i + 4]) for i in range(0, len(items), 4)]
    out += ["", "Binary Images:"]
    for i in crash.images:
        end = f"0x{i.end:x}" if i.end is not None else "???"
        start = f"0x{i.start:x}"
        out.append(f"{start:>18} - {end:>18} {i.name} {i.arch or '???'}  <{i.uuid or ''}> {i.path or i.name}")
    return "\n".join(out) + "\n"


def _frame_line(n: int, f: AppleFrame) -> str:
    address = f"0x{f.address:016x}" if f.address is not None else "0x0"
    return f"{n:<4}{(f.binary or '???'):<32}{address} {_code(f)}"


def to_rollbar_item(submission: Submission) -> dict[str, Any]:
    """A Rollbar item whose body is ``crash_report.raw`` (the text rollbar-apple sends)."""
    crash: AppleCrash = submission.native
    raw = submission.envelope.body.decode("utf-8", "replace") if crash.source == "text" else render_text(crash)
    os_name, os_version, _build = _os_name(crash)
    data: dict[str, Any] = {
        "environment": "production",
        "level": "critical",
        "platform": "ios" if os_name == "iOS" else "macos",
        "language": "objective-c",
        "framework": "crash-inspector",
        "timestamp": int(crash.timestamp or datetime.now(UTC).timestamp()),
        "uuid": str(uuid.uuid4()),
        "body": {"crash_report": {"raw": raw}},
        "client": {"os": f"{os_name} {os_version}"},
        "notifier": {"name": "crash-inspector", "version": "1.0"},
    }
    if crash.header.get("Version"):
        data["code_version"] = crash.header["Version"][:40]
    return {"data": data}


CAPABILITIES = Capabilities(
    can_send=False,  # converted to an API first (below)
    native=True,
    send_api="",
    file_suffix=".crash",
    redactable_text=True,
    can_convert_to={
        "rollbar": NativeConverter(
            to_rollbar_item,
            "apple.to_rollbar_item (crash_report.raw, as rollbar-apple sends)",
            "the whole crash report text",
            "/data/body/crash_report/raw",
        ),
        "appcenter": NativeConverter(
            to_appcenter_logs, "apple.to_appcenter_logs (appleError)", "exception, threads and binary images", "/logs/0"
        ),
    },
)
