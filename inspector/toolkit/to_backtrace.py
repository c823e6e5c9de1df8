"""Neutral report -> Backtrace error object (plus breadcrumbs and attachment parts).

Threads keep their ids as keys; the exception chain goes to ``annotations.error`` with nested ``cause`` (what
@backtrace/node sends and what the Backtrace reader shows as a chain), each cause's frames as a JS-style
``stack`` text. Telemetry becomes the SDKs' breadcrumbs file (part ``attachment_bt-breadcrumbs-0``), so the
result is multipart whenever there is telemetry or an attachment.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from typing import Any

from inspector import __version__
from inspector.formats import capabilities
from inspector.formats.base import Part
from inspector.report import Frame
from inspector.toolkit.neutral import Neutral, NThread, stack_text
from inspector.toolkit.notes import ConversionNotes

_LEVELS = {
    "critical": "fatal",
    "fatal": "fatal",
    "error": "error",
    "warning": "warning",
    "info": "info",
    "debug": "debug",
}


def _frame(f: Frame, source_ids: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if f.function:
        out["funcName"] = f.function
    if f.address is not None:
        out["address"] = f"0x{f.address:x}"
    if not out:
        out["funcName"] = "<unknown>"
    library = f.module or (os.path.basename(f.file.replace("\\", "/")) if f.file else None)
    if library:
        out["library"] = library
    if f.line is not None and f.line > 0:
        out["line"] = f.line
    if f.column is not None and f.column > 0:
        out["column"] = f.column
    if f.file:
        out["sourceCode"] = source_ids.setdefault(f.file, f.file)
    return out


def _thread_key(thread: NThread, used: set[str]) -> str:
    key = thread.id or thread.name or "thread"
    while key in used:
        key += "'"
    used.add(key)
    return key


def _error_annotation(n: Neutral, notes: ConversionNotes) -> dict[str, Any] | None:
    if not n.exceptions:
        return None
    root: dict[str, Any] = {}
    node = root
    for i, exc in enumerate(n.exceptions):
        if i:
            node["cause"] = {}
            node = node["cause"]
        node["name"] = exc.type or "Error"
        node["message"] = exc.message or ""
        stack = stack_text(exc)
        if stack:
            node["stack"] = stack
        target = "/annotations/error" + "/cause" * i
        label = f"{exc.type or '?'}: {exc.message}" if exc.message else (exc.type or "?")
        notes.carried(exc.source or "exception", target, f"{label[:80]}, {len(exc.frames)} frames as stack text")
    return root


def _breadcrumb(event: Any, index: int) -> dict[str, Any]:
    level = (event.level or "info").lower()
    return {
        "id": index,
        "timestamp": int(event.timestamp * 1000) if event.timestamp is not None else 0,
        "type": (event.type or "manual").lower(),
        "level": {"critical": "error", "warn": "warning"}.get(level, level),
        "message": event.message or event.url or "",
        **(
            {
                "attributes": {
                    k: v for k, v in (("url", event.url), ("status", event.status), ("source", event.source)) if v
                }
            }
            if event.url or event.status
            else {}
        ),
    }


def from_neutral(n: Neutral, notes: ConversionNotes) -> tuple[dict[str, Any], list[Part]]:
    s = n.summary
    obj: dict[str, Any] = {"uuid": str(uuid.uuid4())}
    notes.generated("/uuid", f"fresh uuid (the source id {s.id or '(none)'} is not reused)")
    if s.timestamp is not None:
        obj["timestamp"] = int(s.timestamp)
        notes.carried("summary.timestamp", "/timestamp")
    else:
        obj["timestamp"] = int(datetime.now(UTC).timestamp())
        notes.generated("/timestamp", "the source has no time: the time of conversion")
    lang, _, lang_version = (s.language or "").partition(" ")
    obj["lang"] = lang or "unknown"
    obj["langVersion"] = lang_version or "0"
    if lang:
        notes.carried("summary.language", "/lang")
    else:
        notes.generated("/lang", "required; the source has no language: 'unknown'")
    obj["agent"] = "crash-inspector"
    obj["agentVersion"] = __version__

    source_ids: dict[str, str] = {}
    threads: dict[str, Any] = {}
    used: set[str] = set()
    main_key: str | None = None
    crashed = n.crashed_thread
    if n.exceptions and (crashed is None or not crashed.frames) and n.exceptions[0].frames:
        key = _thread_key(NThread("main", "main", [], True), used)
        threads[key] = {"name": "main", "fault": True, "stack": [_frame(f, source_ids) for f in n.exceptions[0].frames]}
        main_key = key
        notes.approximated(n.exceptions[0].source, f"/threads/{key}", "the exception's frames as the faulting thread")
    for thread in n.threads:
        key = _thread_key(thread, used)
        fault = thread.crashed and main_key is None
        threads[key] = {
            "name": thread.name or thread.id,
            "fault": fault,
            "stack": [_frame(f, source_ids) for f in thread.frames],
        }
        if fault:
            main_key = key
        notes.carried(thread.source or f"thread {thread.id}", f"/threads/{key}", f"{len(thread.frames)} frames")
    if not threads:
        threads["main"] = {"name": "main", "fault": True, "stack": []}
        notes.generated("/threads/main", "required; the source has no stack: an empty main thread")
    obj["threads"] = threads
    obj["mainThread"] = main_key or next(iter(threads))
    if source_ids:
        obj["sourceCode"] = {sid: {"path": path} for path, sid in source_ids.items()}

    if n.exceptions and n.exceptions[0].type:
        obj["classifiers"] = [n.exceptions[0].type]
    elif not n.exceptions:
        obj["classifiers"] = ["Message"]

    attributes: dict[str, Any] = {}

    def put(key: str, value: Any, source: str) -> None:
        if value not in (None, "") and key not in attributes:
            attributes[key] = value
            notes.carried(source, f"/attributes/{key}")

    if n.exceptions:
        put("error.message", n.exceptions[0].message, "exception message")
        put("error.type", "Exception", "exception")
    elif n.message:
        put("error.message", n.message, "message")
        put("error.type", "Message", "message")
    if not capabilities(n.format).summary_app_is_host:  # Rollbar's is server.host (carried as hostname below)
        put("application", s.app, "summary.app")
    put("application.version", s.app_version, "summary.app_version")
    put("environment", s.environment, "summary.environment")
    level = _LEVELS.get((s.level or "").lower())
    if level:
        put("error.level", level, "summary.level")
    for key, attr in (
        ("model", "device.model"),
        ("manufacturer", "device.manufacturer"),
        ("os_name", "uname.sysname"),
        ("os_version", "uname.release"),
        ("locale", "device.locale"),
        ("hostname", "hostname"),
        ("arch", "uname.machine"),
    ):
        put(attr, n.device.get(key), f"device.{key}")
    for key, attr in (("id", "user.id"), ("username", "user.name"), ("email", "user.email")):
        put(attr, n.person.get(key), f"person.{key}")
    if s.sdk:
        put("source.sdk", s.sdk, "summary.sdk")
    count = 0
    for key, value in n.attributes.items():
        if key not in attributes:
            attributes[key] = value
            count += 1
    if count:
        notes.carried("attributes", "/attributes", f"{count} more values")
    obj["attributes"] = attributes

    annotations: dict[str, Any] = {}
    error = _error_annotation(n, notes)
    if error is not None:
        annotations["error"] = error
    if n.request:
        annotations["request"] = n.request
        notes.approximated("request", "/annotations/request", "Backtrace has no request field")
    if n.crash_text:
        annotations["crash report"] = n.crash_text
        notes.approximated("crash report text", "/annotations/crash report", "kept as an annotation")
    if annotations:
        obj["annotations"] = annotations

    modules = []
    for b in n.binaries:
        module: dict[str, Any] = {"start": f"0x{b.start:x}" if b.start is not None else "0x0"}
        size = b.size if b.size is not None else (b.end - b.start if b.end is not None and b.start is not None else 0)
        module["size"] = size
        if b.path or b.name:
            module["code_file"] = b.path or b.name
        if b.version:
            module["version"] = b.version
        if b.debug_file:
            module["debug_file"] = b.debug_file
        if b.debug_id:
            module["debug_identifier"] = b.debug_id
        modules.append(module)
    if modules:
        obj["modules"] = modules
        notes.carried("binaries", "/modules", f"{len(modules)} modules")
        arch = next((b.arch for b in n.binaries if b.arch), None)
        if arch:
            obj["arch"] = {"name": arch, "registers": {}}

    parts: list[Part] = []
    if n.telemetry:
        crumbs = [_breadcrumb(e, i) for i, e in enumerate(n.telemetry)]
        parts.append(
            Part(
                "attachment_bt-breadcrumbs-0",
                json.dumps(crumbs).encode("utf-8"),
                filename="bt-breadcrumbs-0",
                content_type="application/json",
            )
        )
        notes.carried("telemetry", "part attachment_bt-breadcrumbs-0", f"{len(crumbs)} breadcrumbs")
    for att in n.attachments:
        try:
            data = att.data()
        except Exception as exc:  # a damaged base64 attachment of the source
            notes.lost(f"attachment {att.name}", f"cannot be read: {exc}")
            continue
        name = os.path.basename(att.name.replace("\\", "/")) or "attachment"
        parts.append(Part(f"attachment_{name}", data, filename=name, content_type=att.content_type))
        notes.carried(att.pointer or f"attachment {att.name}", f"part attachment_{name}", f"{len(data)} bytes")
    return obj, parts
