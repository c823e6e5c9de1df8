"""Neutral report -> Rollbar item (``{"data": {...}}``).

Rollbar wants frames oldest first ("the most recent call is last") and the outermost exception first in
``trace_chain``. Threads other than the crashing one, binaries and attachments have no place in an item.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from inspector import __version__
from inspector.report import Frame, TelemetryEvent
from inspector.toolkit.neutral import Neutral, NException
from inspector.toolkit.notes import ConversionNotes

LEVELS = ("critical", "error", "warning", "info", "debug")
_LEVEL_ALIASES = {"fatal": "critical", "crash": "critical", "warn": "warning", "err": "error", "verbose": "debug"}
TELEMETRY_TYPES = ("log", "network", "dom", "navigation", "error", "manual")


def level_of(n: Neutral) -> str:
    level = (n.summary.level or "").lower()
    level = _LEVEL_ALIASES.get(level, level)
    if level in LEVELS:
        return level
    if n.fatal:
        return "critical"
    return "error" if n.exceptions else "info"


def frame(f: Frame) -> dict[str, Any]:
    out: dict[str, Any] = {"filename": f.file or f.module or "[unknown]"}
    if f.line is not None:
        out["lineno"] = f.line
    if f.column is not None:
        out["colno"] = f.column
    method = f.function or (f"0x{f.address:x}" if f.address is not None else None)
    if method:
        out["method"] = method
    if f.source is not None and f.line is not None and f.source.lines:
        index = f.line - f.source.start_line
        if 0 <= index < len(f.source.lines):
            out["code"] = f.source.lines[index]
            out["context"] = {
                "pre": list(f.source.lines[max(0, index - 3) : index]),
                "post": list(f.source.lines[index + 1 : index + 4]),
            }
    return out


def trace(exc: NException, pointer: str, notes: ConversionNotes) -> dict[str, Any]:
    exception: dict[str, Any] = {"class": exc.type or "Error"}
    if exc.type is None:
        notes.generated(f"{pointer}/exception/class", "the source exception has no type; 'Error' used")
    if exc.message is not None:
        exception["message"] = exc.message
    if exc.raw_stack and not exc.frames:
        exception["description"] = exc.raw_stack[:4096]
        notes.approximated(exc.source, f"{pointer}/exception/description", "unparsed stack text kept as description")
    frames = [frame(f) for f in reversed(exc.frames)]  # oldest first
    label = f"{exc.type or '?'}: {exc.message}" if exc.message else (exc.type or "?")
    where = f" (frames from {exc.frames_from})" if exc.frames_from else ""
    notes.carried(exc.source or "exception", pointer, f"{label[:80]}, {len(frames)} frames{where}")
    return {"frames": frames, "exception": exception}


def telemetry_event(event: TelemetryEvent, now_ms: int) -> dict[str, Any]:
    level = _LEVEL_ALIASES.get((event.level or "").lower(), (event.level or "").lower())
    kind = (event.type or "").lower()
    kind = kind if kind in TELEMETRY_TYPES else ("network" if event.url else "log")
    body: dict[str, Any]
    if kind == "network":
        body = {"method": "GET", "url": event.url or "", "status_code": event.status or "0"}
        if event.message:
            body["message"] = event.message
    elif kind == "navigation":
        body = {"from": "", "to": event.url or event.message or ""}
    elif kind == "dom":
        body = {"element": event.message or ""}
    else:
        body = {"message": event.message or ""}
    source = event.source if event.source in ("client", "server") else "client"
    stamp = int(event.timestamp * 1000) if event.timestamp is not None else now_ms
    return {
        "level": level if level in LEVELS else "info",
        "type": kind,
        "source": source,
        "timestamp_ms": stamp,
        "body": body,
    }


def from_neutral(n: Neutral, notes: ConversionNotes) -> dict[str, Any]:
    data: dict[str, Any] = {}
    env = n.summary.environment
    data["environment"] = (env or "production")[:255]
    if env:
        notes.carried("summary.environment", "/data/environment")
    else:
        notes.generated("/data/environment", "required; the source has none: 'production'")
    data["level"] = level_of(n)
    notes.approximated("summary.level/fatal", "/data/level", f"{n.summary.level or '(none)'} -> {data['level']}")
    now = datetime.now(UTC)
    if n.summary.timestamp is not None:
        data["timestamp"] = int(n.summary.timestamp)
        notes.carried("summary.timestamp", "/data/timestamp")
    else:
        data["timestamp"] = int(now.timestamp())
        notes.generated("/data/timestamp", "the source has no time: the time of conversion")
    data["uuid"] = str(uuid.uuid4())
    notes.generated("/data/uuid", f"fresh uuid (the source id {n.summary.id or '(none)'} is not reused)")
    if n.summary.app_version:
        data["code_version"] = n.summary.app_version[:40]
        notes.carried("summary.app_version", "/data/code_version")
    if n.summary.language:
        data["language"] = n.summary.language
        notes.carried("summary.language", "/data/language")
    if n.summary.title:
        data["title"] = n.summary.title[:255]
        notes.carried("summary.title", "/data/title")
    data["notifier"] = {"name": "crash-inspector", "version": __version__}
    if n.summary.sdk:
        notes.approximated("summary.sdk", "/data/custom/source_sdk", "the notifier is now crash-inspector")

    body: dict[str, Any] = {}
    if n.exceptions:
        if len(n.exceptions) == 1:
            body["trace"] = trace(n.exceptions[0], "/data/body/trace", notes)
        else:
            body["trace_chain"] = [trace(e, f"/data/body/trace_chain/{i}", notes) for i, e in enumerate(n.exceptions)]
    elif n.crash_text:
        body["crash_report"] = {"raw": n.crash_text}
        notes.carried("crash report text", "/data/body/crash_report/raw")
    else:
        text = n.message or n.summary.title or "(no message)"
        body["message"] = {"body": text}
        if n.message or n.summary.title:
            notes.carried("message", "/data/body/message/body")
        else:
            notes.generated("/data/body/message/body", "the source has neither exception nor message")
    if n.telemetry:
        now_ms = int(now.timestamp() * 1000)
        body["telemetry"] = [telemetry_event(e, now_ms) for e in n.telemetry]
        notes.carried("telemetry", "/data/body/telemetry", f"{len(n.telemetry)} events")
    data["body"] = body

    custom: dict[str, Any] = {}
    for key, value in n.attributes.items():
        custom[key] = value
    if n.attributes:
        notes.carried("attributes", "/data/custom", f"{len(n.attributes)} values")
    if n.summary.sdk:
        custom["source_sdk"] = n.summary.sdk
    device = {k: v for k, v in n.device.items() if k != "hostname"}
    if device:
        custom["device"] = device
        notes.approximated("device", "/data/custom/device", "Rollbar items have no device field")
    if custom:
        data["custom"] = custom
    if n.device.get("hostname"):
        data["server"] = {"host": str(n.device["hostname"])}
        notes.carried("hostname", "/data/server/host")
    if n.person.get("id"):
        data["person"] = {"id": n.person["id"][:40], **{k: v[:255] for k, v in n.person.items() if k != "id"}}
        notes.carried("person", "/data/person")
    elif n.person:
        notes.lost("person", "Rollbar needs person.id; the source has only " + ", ".join(n.person))
    if n.request:
        data["request"] = n.request
        notes.carried("request", "/data/request")

    _losses(n, notes)
    return {"data": data}


def _losses(n: Neutral, notes: ConversionNotes) -> None:
    crashed = n.crashed_thread
    others = [t for t in n.threads if t is not crashed or not n.exceptions]
    if others:
        frames = sum(len(t.frames) for t in others)
        notes.lost("threads", f"{len(others)} thread(s), {frames} frames: a Rollbar item has one stack per exception")
    if n.binaries:
        notes.lost("binaries", f"{len(n.binaries)} loaded images: Rollbar items have no module list")
    if n.attachments:
        names = ", ".join(a.name for a in n.attachments[:5])
        notes.lost("attachments", f"{len(n.attachments)} ({names}): Rollbar items cannot carry files")
