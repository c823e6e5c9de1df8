"""Neutral report -> App Center ``{"logs": [...]}`` container.

A crash (fatal) becomes a ``managedError`` (threads, binaries; no properties), anything else a
``handledError`` (properties; no threads). The exception chain nests as ``innerExceptions``. What App Center
has no field for (telemetry; attributes of a crash) travels as an ``errorAttachment`` JSON file, so nothing is
dropped silently. Required fields the source lacks get documented defaults and are listed as generated.
"""

from __future__ import annotations

import base64
import json
import os
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from inspector.formats import capabilities
from inspector.formats.appcenter import CUSTOM_NDK_WRAPPER, MINIDUMP_EXCEPTION_TYPE
from inspector.formats.lazy_json import plain
from inspector.report import Frame
from inspector.toolkit.neutral import Neutral, NException
from inspector.toolkit.notes import ConversionNotes

#: App Center's limits for handledError properties (swagger: name 1-125, value <= 125, at most 20 items).
MAX_PROPERTIES = 20
MAX_PROPERTY_CHARS = 125
INT64 = 2**63 - 1


def iso(ts: float) -> str:
    """RFC 3339 with milliseconds. Raises OverflowError/ValueError/OSError for times no datetime can hold."""
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _frame(f: Frame) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if f.address is not None:
        out["address"] = f"0x{f.address:x}"
    if f.function:
        out["methodName"] = f.function
    if f.file:
        out["fileName"] = f.file
    if f.line is not None:
        out["lineNumber"] = f.line
    if f.module and not f.file:
        out["className"] = f.module
    return out


def _exception(chain: list[NException], notes: ConversionNotes, base: str) -> dict[str, Any]:
    """Nest the chain: each deeper link becomes an inner exception of the link before it."""
    root: dict[str, Any] = {}
    node = root
    pointer = base
    for i, exc in enumerate(chain):
        if i:
            inner: dict[str, Any] = {}
            node["innerExceptions"] = [inner]
            node = inner
            pointer += "/innerExceptions/0"
        node["type"] = exc.type or "Error"
        if exc.type == MINIDUMP_EXCEPTION_TYPE:  # the App Center docs: a custom Breakpad upload names its wrapper
            node["wrapperSdkName"] = CUSTOM_NDK_WRAPPER
        if exc.type is None:
            notes.generated(f"{pointer}/type", "required; the source exception has no type: 'Error'")
        if exc.message is not None:
            node["message"] = exc.message
        if exc.frames:
            node["frames"] = [_frame(f) for f in exc.frames]
        elif exc.raw_stack:
            node["stackTrace"] = exc.raw_stack
        label = f"{exc.type or '?'}: {exc.message}" if exc.message else (exc.type or "?")
        where = f" (frames from {exc.frames_from})" if exc.frames_from else ""
        notes.carried(exc.source or "exception", pointer, f"{label[:80]}, {len(exc.frames)} frames{where}")
    return root


def _versions(n: Neutral) -> tuple[str, str]:
    version = n.device.get("app_version")
    build = n.device.get("app_build")
    if version and build:
        return str(version), str(build)
    text = n.summary.app_version or ""
    match = re.match(r"^(\S+)\s*\((.+)\)$", text)
    if match:
        return match.group(1), match.group(2)
    return (text, text) if text else ("", "")


def _device(n: Neutral, notes: ConversionNotes) -> dict[str, Any]:
    d = n.device
    app_version, app_build = _versions(n)
    fields: list[tuple[str, Any, Any, str]] = [  # (key, value, default, source)
        ("sdkName", d.get("sdk_name"), "appcenter.custom", "device.sdk_name"),
        ("sdkVersion", d.get("sdk_version"), "1.0.0", "device.sdk_version"),
        ("osName", d.get("os_name"), "unknown", "device.os_name"),
        ("osVersion", d.get("os_version"), "0", "device.os_version"),
        ("locale", d.get("locale"), "en-US", "device.locale"),
        ("timeZoneOffset", d.get("time_zone_offset"), 0, "device.time_zone_offset"),
        ("appVersion", app_version or None, "1.0", "summary.app_version"),
        ("appBuild", app_build or None, "1", "summary.app_version"),
    ]
    device: dict[str, Any] = {}
    for key, value, default, source in fields:
        if value in (None, ""):
            device[key] = default
            notes.generated(f"/logs/0/device/{key}", f"required; the source has none: {default!r}")
        else:
            device[key] = value if key == "timeZoneOffset" else str(value)
            notes.carried(source, f"/logs/0/device/{key}")
    for key, attr in (
        ("model", "model"),
        ("oemName", "manufacturer"),
        ("osBuild", "os_build"),
        ("appNamespace", "app_namespace"),
        ("screenSize", "screen_size"),
        ("carrierName", "carrier"),
    ):
        if d.get(attr) not in (None, ""):
            device[key] = str(d[attr])
            notes.carried(f"device.{attr}", f"/logs/0/device/{key}")
    return device


def _thread_id(value: str, index: int) -> tuple[int, bool]:
    try:
        number = int(value)
        if 0 <= number <= INT64:
            return number, True
    except ValueError:
        pass
    return index, False


def _attachment_log(
    error_id: str, device: dict[str, Any], stamp: str, name: str, ctype: str, data: bytes
) -> dict[str, Any]:
    return {
        "type": "errorAttachment",
        "id": str(uuid.uuid4()),
        "errorId": error_id,
        "timestamp": stamp,
        "device": dict(device),
        "contentType": ctype,
        "fileName": name,
        "data": base64.b64encode(data).decode("ascii"),
    }


def from_neutral(n: Neutral, notes: ConversionNotes) -> dict[str, Any]:
    s = n.summary
    fatal = n.fatal
    kind = "managedError" if fatal else "handledError"
    notes.approximated("summary.fatal/level", "/logs/0/type", f"{'a crash' if fatal else 'not a crash'}: {kind}")
    error_id = str(uuid.uuid4())
    notes.generated("/logs/0/id", f"fresh uuid (the source id {s.id or '(none)'} is not reused)")
    stamp = None
    if s.timestamp is not None:
        try:
            stamp = iso(s.timestamp)
        except (OverflowError, OSError, ValueError):  # 1e300 or a uint64 from a damaged report: no date
            notes.lost("summary.timestamp", f"{s.timestamp:g} is not a time a date can show: the time of conversion")
        else:
            notes.carried("summary.timestamp", "/logs/0/timestamp")
    if stamp is None:
        stamp = iso(datetime.now(UTC).timestamp())
        if s.timestamp is None:
            notes.generated("/logs/0/timestamp", "the source has no time: the time of conversion")
    device = _device(n, notes)
    log: dict[str, Any] = {"type": kind, "id": error_id, "timestamp": stamp}
    if n.person.get("id"):
        log["userId"] = n.person["id"]
        notes.carried("person.id", "/logs/0/userId")
    for key in ("username", "email"):
        if n.person.get(key):
            notes.lost(f"person.{key}", "App Center has only userId")
    log["device"] = device

    chain = n.exceptions or [
        NException(type="Message", message=n.message or s.title or "", frames=[], source="message")
    ]
    if not n.exceptions:
        notes.approximated("message", "/logs/0/exception", "a message report becomes an exception of type 'Message'")
    log["exception"] = _exception(chain, notes, "/logs/0/exception")

    extra_files: list[tuple[str, str, bytes]] = []
    if fatal:
        _crash_fields(n, log, notes)
        if n.attributes:
            extra_files.append(
                (
                    "attributes.json",
                    "application/json",
                    json.dumps(plain(n.attributes), indent=2, ensure_ascii=False).encode("utf-8"),
                )
            )
            notes.approximated(
                "attributes",
                "errorAttachment attributes.json",
                f"{len(n.attributes)} values: a managedError has no properties",
            )
    else:
        props: dict[str, str] = {}
        for key, value in n.attributes.items():
            if len(props) >= MAX_PROPERTIES:
                break
            props[key[:MAX_PROPERTY_CHARS]] = str(value)[:MAX_PROPERTY_CHARS]
        if props:
            log["properties"] = props
            notes.carried("attributes", "/logs/0/properties", f"{len(props)} values")
        if len(n.attributes) > len(props):
            rest = {k: v for k, v in n.attributes.items() if k[:MAX_PROPERTY_CHARS] not in props}
            extra_files.append(
                (
                    "attributes.json",
                    "application/json",
                    json.dumps(plain(rest), indent=2, ensure_ascii=False).encode("utf-8"),
                )
            )
            notes.approximated(
                "attributes",
                "errorAttachment attributes.json",
                f"{len(rest)} values beyond App Center's {MAX_PROPERTIES} properties",
            )
        if n.threads:
            notes.lost("threads", f"{len(n.threads)} thread(s): a handledError has no threads")
    _binaries(n, log, notes)
    if n.request:
        extra_files.append(("request.json", "application/json", json.dumps(plain(n.request), indent=2).encode("utf-8")))
        notes.approximated("request", "errorAttachment request.json", "App Center has no request field")
    if n.telemetry:
        crumbs = [
            {"timestamp": e.timestamp, "level": e.level, "type": e.type, "message": e.message, "url": e.url}
            for e in n.telemetry
        ]
        extra_files.append(("breadcrumbs.json", "application/json", json.dumps(crumbs, indent=2).encode("utf-8")))
        notes.approximated(
            "telemetry", "errorAttachment breadcrumbs.json", f"{len(crumbs)} events: App Center has no breadcrumbs"
        )
    if n.crash_text:
        extra_files.append(("crash.txt", "text/plain", n.crash_text.encode("utf-8")))
        notes.approximated("crash report text", "errorAttachment crash.txt", "kept as a text attachment")

    logs = [log]
    for att in n.attachments:
        try:
            data = att.data()
        except Exception as exc:
            notes.lost(f"attachment {att.name}", f"cannot be read: {exc}")
            continue
        name = os.path.basename(att.name.replace("\\", "/")) or "attachment"
        logs.append(
            _attachment_log(error_id, device, stamp, name, att.content_type or "application/octet-stream", data)
        )
        notes.carried(att.pointer or f"attachment {att.name}", f"/logs/{len(logs) - 1}", f"errorAttachment {name}")
    for name, ctype, data in extra_files:
        logs.append(_attachment_log(error_id, device, stamp, name, ctype, data))
    return {"logs": logs}


def _crash_fields(n: Neutral, log: dict[str, Any], notes: ConversionNotes) -> None:
    """managedError's required process fields, the launch time, and the threads."""
    attrs = n.attributes
    pid = attrs.get("process.processId")
    if isinstance(pid, int) and not isinstance(pid, bool):
        log["processId"] = pid
        notes.carried("process.processId", "/logs/0/processId")
    else:
        log["processId"] = 0
        notes.generated("/logs/0/processId", "required; the source has none: 0")
    # Rollbar's summary.app is the server host name, not a process: only other sources name the app.
    name = attrs.get("process.processName") or (None if capabilities(n.format).summary_app_is_host else n.summary.app)
    log["processName"] = str(name) if name else "unknown"
    if name:
        notes.carried("summary.app", "/logs/0/processName")
    else:
        notes.generated("/logs/0/processName", "required; the source has none: 'unknown'")
    log["fatal"] = True
    log["appLaunchTimestamp"] = log["timestamp"]
    notes.generated("/logs/0/appLaunchTimestamp", "the docs require it; the crash time is used")
    crashed = n.crashed_thread
    if crashed is not None:
        number, _ = _thread_id(crashed.id, n.threads.index(crashed))
        log["errorThreadId"] = number
        if crashed.name:
            log["errorThreadName"] = crashed.name
    threads = []
    renamed = 0
    for i, t in enumerate(n.threads):
        if not t.frames:
            notes.lost(t.source or f"thread {t.id}", "a thread without frames (App Center requires frames)")
            continue
        number, kept = _thread_id(t.id, i)
        renamed += not kept
        thread: dict[str, Any] = {"id": number, "frames": [_frame(f) for f in t.frames]}
        if t.name or not kept:
            thread["name"] = t.name or t.id
        threads.append(thread)
    if threads:
        log["threads"] = threads
        notes.carried(
            "threads",
            "/logs/0/threads",
            f"{len(threads)} threads"
            + (f"; {renamed} non-numeric ids replaced by their index (name kept)" if renamed else ""),
        )


def _binaries(n: Neutral, log: dict[str, Any], notes: ConversionNotes) -> None:
    binaries = []
    skipped = 0
    for b in n.binaries:
        if not b.debug_id:
            skipped += 1
            continue
        start = b.start or 0
        end = b.end if b.end is not None else start + (b.size or 0)
        entry = {
            "id": b.debug_id,
            "startAddress": f"0x{start:x}",
            "endAddress": f"0x{end:x}",
            "name": b.name or os.path.basename(b.path or "") or "unknown",
            "path": b.path or b.name or "unknown",
        }
        if b.arch:
            entry["architecture"] = b.arch
        binaries.append(entry)
    if binaries:
        log["binaries"] = binaries
        notes.carried("binaries", "/logs/0/binaries", f"{len(binaries)} binaries")
    if skipped:
        notes.lost("binaries", f"{skipped} binaries without a debug id (App Center requires Binary.id)")
