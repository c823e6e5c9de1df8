"""A vendor-neutral typed view of one Report, the common ground of every conversion.

There is one normalized model, :class:`inspector.report.Report`; :class:`Neutral` is a view of it, not a second
model: summary, binaries, telemetry, attachments and metadata are the report's own (no copy). What it adds is
what every target needs and reports leave to each vendor: frames always most recent first (reports keep each
vendor's order, ``most_recent_first``; a report that lists them that way is not copied), exception frames where
every target expects them (Backtrace and native reports keep them on the faulting thread), and the facts
(attributes, person, device, request) picked out of the vendor's metadata sections.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from inspector.formats.lazy_json import plain
from inspector.report import Attachment, Binary, Frame, Report, Summary, TelemetryEvent

#: Attribute values the targets accept as they are.
Scalar = str | int | float | bool
MAX_ATTRIBUTES = 200


@dataclass(slots=True)
class NException:
    type: str | None
    message: str | None
    frames: Sequence[Frame]
    depth: int = 0
    handled: bool | None = None
    raw_stack: str | None = None
    source: str = ""  # the pointer in the source document
    frames_from: str | None = None  # set when the frames were borrowed (the crashed thread's stack)


@dataclass(slots=True)
class NThread:
    id: str
    name: str | None
    frames: Sequence[Frame]
    crashed: bool
    source: str = ""


@dataclass
class Neutral:
    """The view: the report, its stacks most recent first, and the facts read out of its metadata."""

    report: Report
    exceptions: list[NException]
    threads: list[NThread]
    attributes: dict[str, Scalar] = field(default_factory=dict)  # key -> value, with the source pointer in origins
    origins: dict[str, str] = field(default_factory=dict)  # attribute key -> where it came from
    person: dict[str, str] = field(default_factory=dict)  # id, username, email
    device: dict[str, Any] = field(default_factory=dict)  # model, manufacturer, os_name, os_version, locale...
    request: dict[str, Any] | None = None
    message: str | None = None  # a message report's text (no exception)
    crash_text: str | None = None  # an Apple crash report's text (Rollbar crash_report.raw)

    @property
    def format(self) -> str:
        return self.report.format

    @property
    def kind(self) -> str:
        return self.report.kind

    @property
    def summary(self) -> Summary:
        return self.report.summary

    @property
    def binaries(self) -> Sequence[Binary]:
        return self.report.binaries

    @property
    def telemetry(self) -> Sequence[TelemetryEvent]:
        return self.report.telemetry

    @property
    def attachments(self) -> Sequence[Attachment]:
        return self.report.attachments

    @property
    def metadata(self) -> dict[str, Any]:
        return self.report.metadata

    @property
    def crashed_thread(self) -> NThread | None:
        return next((t for t in self.threads if t.crashed), None)

    @property
    def fatal(self) -> bool:
        """Whether the source calls this a crash (unhandled), by the best evidence it has."""
        if self.summary.fatal is not None:
            return self.summary.fatal
        if self.exceptions and self.exceptions[0].handled is not None:
            return not self.exceptions[0].handled
        return (self.summary.level or "").lower() in ("critical", "fatal")


def _ordered(frames: Sequence[Frame], most_recent_first: bool) -> Sequence[Frame]:
    """The frames most recent first: the report's own sequence when it lists them so (a lazy view, no copy)."""
    return frames if most_recent_first else list(frames)[::-1]


def _scalar(value: Any) -> Scalar | None:
    if isinstance(value, bool | int | float | str):
        return value
    if value is None:
        return None
    return json.dumps(plain(value), ensure_ascii=False, sort_keys=True)[:1024]


def _flatten(prefix: str, value: Any, out: dict[str, Any], depth: int = 0) -> None:
    if isinstance(value, dict) and depth < 3:
        for key, val in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), val, out, depth + 1)
    else:
        out[prefix] = value


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


class _Attrs:
    def __init__(self, neutral: Neutral) -> None:
        self.n = neutral

    def put(self, key: str, value: Any, origin: str) -> None:
        scalar = _scalar(value)
        if scalar is None or key in self.n.attributes or len(self.n.attributes) >= MAX_ATTRIBUTES:
            return
        self.n.attributes[key] = scalar
        self.n.origins[key] = origin

    def put_all(self, prefix: str, value: Any, origin: str) -> None:
        flat: dict[str, Any] = {}
        _flatten(prefix, value, flat)
        for key, val in flat.items():
            self.put(key, val, f"{origin}/{key[len(prefix) + 1 :] if prefix else key}".replace(".", "/"))


def _backtrace_facts(n: Neutral, meta: dict[str, Any], attrs: _Attrs) -> None:
    attributes = _dict(meta.get("attributes"))
    for key, val in attributes.items():
        attrs.put(key, val, f"/attributes/{key}")
    n.person = {
        k: str(attributes[a])
        for k, a in (("id", "user.id"), ("username", "user.name"), ("email", "user.email"))
        if attributes.get(a) not in (None, "")
    }
    n.device = {
        k: attributes[a]
        for k, a in (
            ("model", "device.model"),
            ("manufacturer", "device.manufacturer"),
            ("os_name", "uname.sysname"),
            ("os_version", "uname.release"),
            ("locale", "device.locale"),
            ("hostname", "hostname"),
            ("arch", "uname.machine"),
        )
        if attributes.get(a) not in (None, "")
    }


def _rollbar_facts(n: Neutral, meta: dict[str, Any], attrs: _Attrs) -> None:
    attrs.put_all("", _dict(meta.get("custom")), "/data/custom")
    for key in ("context", "framework", "platform", "fingerprint"):
        if meta.get(key) not in (None, ""):
            attrs.put(key, meta[key], f"/data/{key}")
    server = _dict(meta.get("server"))
    if server:
        attrs.put_all("server", server, "/data/server")
    person = _dict(meta.get("person"))
    n.person = {k: str(person[k]) for k in ("id", "username", "email") if person.get(k) not in (None, "")}
    if isinstance(meta.get("request"), dict):
        n.request = meta["request"]
    if server.get("host"):
        n.device["hostname"] = server["host"]
    message = meta.get("message")
    if isinstance(message, dict):
        n.message = _text(message.get("body"))
        for key, val in message.items():
            if key != "body":
                attrs.put(f"message.{key}", val, f"/data/body/message/{key}")
    elif message is not None:
        n.message = _text(message)
    if isinstance(meta.get("crash_report"), str):
        n.crash_text = meta["crash_report"]


def _appcenter_facts(n: Neutral, meta: dict[str, Any], attrs: _Attrs) -> None:
    base = n.report.pointer
    for key, val in _dict(meta.get("Properties")).items():
        attrs.put(key, val, f"{base}/properties/{key}")
    device = _dict(meta.get("Device"))
    n.device = {
        k: device[a]
        for k, a in (
            ("model", "model"),
            ("manufacturer", "oemName"),
            ("os_name", "osName"),
            ("os_version", "osVersion"),
            ("os_build", "osBuild"),
            ("locale", "locale"),
            ("time_zone_offset", "timeZoneOffset"),
            ("app_version", "appVersion"),
            ("app_build", "appBuild"),
            ("app_namespace", "appNamespace"),
            ("sdk_name", "sdkName"),
            ("sdk_version", "sdkVersion"),
            ("screen_size", "screenSize"),
            ("carrier", "carrierName"),
        )
        if device.get(a) not in (None, "")
    }
    user = _dict(meta.get("User and session"))
    if user.get("userId"):
        n.person = {"id": str(user["userId"])}
    if user.get("sid"):
        attrs.put("session.id", user["sid"], f"{base}/sid")
    for key, val in _dict(meta.get("Process")).items():
        attrs.put(f"process.{key}", val, f"{base}/{key}")


def _native_facts(n: Neutral, meta: dict[str, Any], attrs: _Attrs) -> None:
    """Minidump and Apple reports: scalar facts of their metadata sections become dotted attributes."""
    for section, value in meta.items():
        if section.startswith("__") or section in ("Streams", "Stack", "Memory", "Note"):
            continue
        if isinstance(value, dict):
            for key, val in value.items():
                if isinstance(val, str | int | float | bool):
                    attrs.put(f"{section}.{key}".lower().replace(" ", "_"), val, f"metadata {section}/{key}")
    crashpad = _dict(meta.get("Crashpad"))
    for key, val in _dict(crashpad.get("annotations")).items():
        attrs.put(key, val, f"metadata Crashpad/annotations/{key}")


def _split_os(text: str | None) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    match = re.match(r"^(.*?)\s+(\d[\w.\-]*)(?:\s.*)?$", text)
    return (match.group(1), match.group(2)) if match else (text, None)


def neutral_of(report: Report) -> Neutral:
    """Read a Report into the neutral model (frames most recent first; borrowed frames marked)."""
    mrf = report.most_recent_first
    threads = [NThread(t.id, t.name, _ordered(t.frames, mrf), t.crashed, t.pointer) for t in report.threads]
    exceptions = [
        NException(e.type, e.message, _ordered(e.frames, mrf), e.depth, e.handled, e.raw_stack, e.pointer)
        for e in report.exceptions
    ]
    if exceptions and not exceptions[0].frames:
        donor = next((t for t in threads if t.crashed), threads[0] if len(threads) == 1 else None)
        if donor is not None and donor.frames:
            exceptions[0].frames = list(donor.frames)
            exceptions[0].frames_from = donor.source or f"thread {donor.id}"
    n = Neutral(report, exceptions, threads)
    attrs = _Attrs(n)
    readers = {"backtrace": _backtrace_facts, "rollbar": _rollbar_facts, "appcenter": _appcenter_facts}
    readers.get(report.format, _native_facts)(n, report.metadata, attrs)
    if "os_name" not in n.device:
        os_name, os_version = _split_os(report.summary.os)
        if os_name:
            n.device["os_name"] = os_name
        if os_version:
            n.device["os_version"] = os_version
    if report.summary.device and "model" not in n.device:
        n.device["model"] = report.summary.device
    if n.message is None and not exceptions and report.summary.title:
        n.message = report.summary.title
    return n


def frame_text(frame: Frame) -> str:
    """One line of a JavaScript-style stack (what Backtrace's ``annotations.error.stack`` readers parse)."""
    where = frame.location() or frame.module or (f"0x{frame.address:x}" if frame.address is not None else "")
    return f"    at {frame.function} ({where})" if frame.function else f"    at {where or '<unknown>'}"


def stack_text(exc: NException) -> str | None:
    if exc.raw_stack and not exc.frames:
        return exc.raw_stack
    if not exc.frames:
        return None
    head = f"{exc.type or 'Error'}: {exc.message}" if exc.message else (exc.type or "Error")
    return "\n".join([head, *(frame_text(f) for f in exc.frames)])
