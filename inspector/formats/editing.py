"""How each API's JSON document is edited: where the fields QA edit most live, the templates of a new thread or
binary image, and fresh identities (new uuids, timestamps moved to now, references such as App Center's
``errorId`` kept consistent).

Vendor knowledge, so it lives in the formats layer: each format module declares its :class:`Editing` in its
``CAPABILITIES`` and the structured forms (:mod:`inspector.compose.fields`) and templates
(:mod:`inspector.compose.ids`) ask it instead of comparing vendor names.

A *root* is one error inside a submission (Backtrace and Rollbar have one; an App Center batch has one per error
log). Field pointers are absolute (the root already prepended). ``None`` means the format has no such field.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from inspector.formats.base import as_array, as_object
from inspector.formats.jsondoc import get, join


@dataclass(frozen=True, slots=True)
class Editing:
    """What a format declares for the forms and the templates."""

    #: the editable errors of a document (an object)
    roots: Callable[[dict[str, Any]], list[Root]]
    #: a document (a deep copy, an object) given new uuids and its timestamps moved to ``now``, in place
    refresh_ids: Callable[[dict[str, Any], float], None]
    #: a new thread: (its key in an object of threads, or None for an array) and its value, from a number
    new_thread: Callable[[int], tuple[str | None, Any]]
    #: a new binary image
    new_binary: Callable[[], dict[str, Any]]


# ---------------------------------------------------------------------------------------------- time


def iso_now(now: float) -> str:
    """App Center's timestamp spelling: ``yyyy-MM-dd'T'HH:mm:ss.SSS'Z'``."""
    stamp = dt.datetime.fromtimestamp(now, tz=dt.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> float | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return None


# ---------------------------------------------------------------------------------------------- fields


#: Field kinds the forms know how to edit.
KINDS = ("string", "enum", "epoch_s", "iso", "uuid", "bool", "int")

ROLLBAR_LEVELS = ("critical", "error", "warning", "info", "debug")
APPCENTER_ERROR_TYPES = ("managedError", "appleError", "handledError")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    key: str
    label: str
    pointer: str  # absolute (root already prepended)
    kind: str = "string"
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Root:
    """One editable error: a label and the pointers of its collections (None when the format has none)."""

    label: str
    pointer: str
    fields: tuple[FieldSpec, ...]
    attributes: str | None  # an object of key -> scalar
    frames: str | None  # an array of frames
    threads: str | None  # an array (App Center) or object (Backtrace) of threads
    binaries: str | None
    frame_template: dict[str, Any]


def _f(root: str, key: str, label: str, rel: str, kind: str = "string", choices: tuple[str, ...] = ()) -> FieldSpec:
    return FieldSpec(key, label, root + rel, kind, choices)


def _backtrace_roots(value: dict[str, Any]) -> list[Root]:
    main = value.get("mainThread")
    threads = as_object(value.get("threads"))
    frames = join("/threads", main, "stack") if isinstance(main, str) and main in threads else None
    fields = (
        _f("", "type", "Exception type", "/attributes/error.type"),
        _f("", "message", "Exception message", "/attributes/error.message"),
        _f("", "environment", "Environment", "/attributes/environment"),
        _f("", "timestamp", "Timestamp", "/timestamp", "epoch_s"),
        _f("", "uuid", "UUID", "/uuid", "uuid"),
        _f("", "device.os", "OS", "/attributes/uname.sysname"),
        _f("", "device.arch", "CPU architecture", "/attributes/cpu.arch"),
        _f("", "device.host", "Host name", "/attributes/hostname"),
        _f("", "app.version", "Application version", "/attributes/application.version"),
        _f("", "person", "User (guid)", "/attributes/guid"),
    )
    return [
        Root(
            "Error object",
            "",
            fields,
            "/attributes",
            frames,
            "/threads",
            "/modules",
            {"funcName": "function", "line": 1, "library": "library"},
        )
    ]


def _rollbar_roots(value: dict[str, Any]) -> list[Root]:
    body = get(value, "/data/body", {}) or {}
    if "trace_chain" in body:
        exc, frames = "/data/body/trace_chain/0/exception", "/data/body/trace_chain/0/frames"
    else:
        exc, frames = "/data/body/trace/exception", "/data/body/trace/frames"
    message = "/data/body/message/body" if "message" in body else exc + "/message"
    fields = (
        _f("", "type", "Exception class", exc + "/class"),
        _f("", "message", "Message", message),
        _f("", "level", "Level", "/data/level", "enum", ROLLBAR_LEVELS),
        _f("", "environment", "Environment", "/data/environment"),
        _f("", "timestamp", "Timestamp", "/data/timestamp", "epoch_s"),
        _f("", "uuid", "UUID", "/data/uuid", "uuid"),
        _f("", "device.platform", "Platform", "/data/platform"),
        _f("", "device.host", "Server host", "/data/server/host"),
        _f("", "app.version", "Code version", "/data/code_version"),
        _f("", "person", "Person id", "/data/person/id"),
        _f("", "person.username", "Person username", "/data/person/username"),
        _f("", "person.email", "Person email", "/data/person/email"),
    )
    has_frames = "trace" in body or "trace_chain" in body
    return [
        Root(
            "Item",
            "",
            fields,
            "/data/custom",
            frames if has_frames else None,
            None,
            None,
            {"filename": "app.py", "lineno": 1, "method": "function"},
        )
    ]


def _appcenter_roots(value: dict[str, Any]) -> list[Root]:
    roots: list[Root] = []
    logs = as_array(value.get("logs"))
    for index, log in enumerate(logs):
        if not isinstance(log, dict) or log.get("type") not in APPCENTER_ERROR_TYPES:
            continue
        root = join("/logs", index)
        apple = log.get("type") == "appleError"
        fields = [
            _f(root, "type", "Exception type", "/exceptionType" if apple else "/exception/type"),
            _f(root, "message", "Exception message", "/exceptionReason" if apple else "/exception/message"),
            _f(root, "timestamp", "Timestamp", "/timestamp", "iso"),
            _f(root, "uuid", "Error id", "/id", "uuid"),
            _f(root, "person", "User id", "/userId"),
        ]
        if log.get("type") != "handledError":
            fields.insert(2, _f(root, "fatal", "Fatal", "/fatal", "bool"))
            fields.append(_f(root, "launch", "App launch", "/appLaunchTimestamp", "iso"))
        for key, label in (
            ("model", "Device model"),
            ("osName", "OS name"),
            ("osVersion", "OS version"),
            ("appVersion", "App version"),
            ("appBuild", "App build"),
            ("locale", "Locale"),
            ("sdkName", "SDK name"),
            ("sdkVersion", "SDK version"),
        ):
            fields.append(_f(root, f"device.{key}", label, f"/device/{key}"))
        frames = None if apple else root + "/exception/frames"
        roots.append(
            Root(
                f"{log.get('type')} #{index}",
                root,
                tuple(fields),
                root + "/properties" if log.get("type") == "handledError" else None,
                frames,
                None if log.get("type") == "handledError" else root + "/threads",
                root + "/binaries",
                {"className": "Class", "methodName": "method", "fileName": "File.java", "lineNumber": 1},
            )
        )
    return roots


# ---------------------------------------------------------------------------------------------- fresh identities


def _backtrace_refresh(value: dict[str, Any], now: float) -> None:
    value["uuid"] = str(uuid.uuid4())
    if "timestamp" in value:
        value["timestamp"] = int(now)


def _rollbar_refresh(value: dict[str, Any], now: float) -> None:
    """New uuid and timestamp; telemetry events keep their offsets from the item's time."""
    data = value.get("data")
    if not isinstance(data, dict):
        return
    old = data.get("timestamp")
    data["uuid"] = str(uuid.uuid4())
    data["timestamp"] = int(now)
    telemetry = (data.get("body") or {}).get("telemetry") if isinstance(data.get("body"), dict) else None
    if isinstance(old, int | float) and isinstance(telemetry, list):
        shift = int((int(now) - old) * 1000)
        for event in telemetry:
            if isinstance(event, dict) and isinstance(event.get("timestamp_ms"), int):
                event["timestamp_ms"] += shift


def _appcenter_refresh(value: dict[str, Any], now: float) -> None:
    """New log ids (errorId references follow), new session ids, timestamps shifted together."""
    if isinstance(value.get("logs"), list):
        _refresh_appcenter(value["logs"], now)


def _refresh_appcenter(logs: list[Any], now: float) -> None:
    mapping: dict[str, str] = {}
    sessions: dict[str, str] = {}
    first = next(
        (parse_iso(ts) for log in logs if isinstance(log, dict) and isinstance(ts := log.get("timestamp"), str) and ts),
        None,
    )
    shift = now - first if first is not None else 0.0
    for log in logs:
        if not isinstance(log, dict):
            continue
        if isinstance(log.get("id"), str):
            new = str(uuid.uuid4())
            mapping[log["id"].lower()] = new
            log["id"] = new
        if isinstance(log.get("sid"), str):
            log["sid"] = sessions.setdefault(log["sid"], str(uuid.uuid4()))
        for key in ("timestamp", "appLaunchTimestamp"):
            old = parse_iso(text) if isinstance(text := log.get(key), str) else None
            if old is not None:
                log[key] = iso_now(old + shift)
    for log in logs:
        if isinstance(log, dict) and isinstance(log.get("errorId"), str):
            log["errorId"] = mapping.get(log["errorId"].lower(), log["errorId"])


# ---------------------------------------------------------------------------------------------- templates


def _keyed_thread(next_id: int) -> tuple[str | None, Any]:
    return f"thread-{next_id}", {"name": f"thread-{next_id}", "fault": False, "stack": []}


def _listed_thread(next_id: int) -> tuple[str | None, Any]:
    return None, {"id": next_id, "name": f"thread-{next_id}", "frames": [{"methodName": "run"}]}


def _backtrace_binary() -> dict[str, Any]:
    return {"start": "0x400000", "size": 4096, "code_file": "/usr/lib/libexample.so"}


def _appcenter_binary() -> dict[str, Any]:
    return {
        "id": "00000000-0000-0000-0000-000000000000",
        "startAddress": "0x0",
        "endAddress": "0xfff",
        "name": "libexample",
        "path": "/usr/lib/libexample.so",
    }


#: Declared by the format modules (``CAPABILITIES.editing``).
BACKTRACE = Editing(_backtrace_roots, _backtrace_refresh, _keyed_thread, _backtrace_binary)
ROLLBAR = Editing(_rollbar_roots, _rollbar_refresh, _listed_thread, _appcenter_binary)
APPCENTER = Editing(_appcenter_roots, _appcenter_refresh, _listed_thread, _appcenter_binary)

__all__ = [
    "APPCENTER",
    "APPCENTER_ERROR_TYPES",
    "BACKTRACE",
    "KINDS",
    "ROLLBAR",
    "ROLLBAR_LEVELS",
    "Editing",
    "FieldSpec",
    "Root",
    "iso_now",
    "parse_iso",
]
