"""Where the fields QA edit most live in each format: a small pure table the structured forms read.

A *root* is one error inside a submission (Backtrace and Rollbar have one; an App Center batch has one per error
log). Field pointers are relative to their root. ``None`` means the format has no such field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspector.formats.base import InspectorError, as_array, as_object
from inspector.formats.jsondoc import Edit, array_index, get, join

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


def _backtrace(value: dict[str, Any]) -> list[Root]:
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


def _rollbar(value: dict[str, Any]) -> list[Root]:
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


def _appcenter(value: dict[str, Any]) -> list[Root]:
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


def roots(format: str, value: Any) -> list[Root]:
    """The editable errors of a payload (empty for formats or shapes the forms do not know)."""
    if not isinstance(value, dict):
        return []
    table = {"backtrace": _backtrace, "rollbar": _rollbar, "appcenter": _appcenter}
    builder = table.get(format)
    return builder(value) if builder else []


def thread_template(format: str, next_id: int) -> tuple[str | None, Any]:
    """A new thread (key for Backtrace's thread map, None for arrays) and its value."""
    if format == "backtrace":
        return f"thread-{next_id}", {"name": f"thread-{next_id}", "fault": False, "stack": []}
    return None, {"id": next_id, "name": f"thread-{next_id}", "frames": [{"methodName": "run"}]}


def binary_template(format: str) -> dict[str, Any]:
    if format == "backtrace":
        return {"start": "0x400000", "size": 4096, "code_file": "/usr/lib/libexample.so"}
    return {
        "id": "00000000-0000-0000-0000-000000000000",
        "startAddress": "0x0",
        "endAddress": "0xfff",
        "name": "libexample",
        "path": "/usr/lib/libexample.so",
    }


def set_edits(value: Any, pointer: str, new: Any) -> list[Edit]:
    """Edits that set ``pointer`` to ``new``, creating missing parent objects (``/data/person`` for a person id)."""
    from inspector.formats.jsondoc import split

    tokens = split(pointer)
    edits: list[Edit] = []
    current = value
    walked = ""
    for i, token in enumerate(tokens[:-1]):
        walked = join(walked, token)
        if isinstance(current, dict) and token in current:
            current = current[token]
            continue
        index = array_index(token) if isinstance(current, list) else None
        if isinstance(current, list) and index is not None and index < len(current):
            current = current[index]
            continue
        if not isinstance(current, dict):
            raise InspectorError("cannot create a field inside a non-object", where=walked)
        nested: Any = new
        for rest in reversed(tokens[i + 1 :]):
            nested = {rest: nested}
        return [*edits, Edit("set", walked, nested)]
    return [*edits, Edit("set", pointer, new)]


def summary(format: str, item: Any) -> str:
    """One line for a frame, thread or binary in the form lists."""
    if not isinstance(item, dict):
        return json_short(item)
    keys = (
        "funcName",
        "method",
        "methodName",
        "className",
        "name",
        "filename",
        "fileName",
        "library",
        "code_file",
        "path",
        "address",
        "startAddress",
        "start",
        "line",
        "lineno",
        "lineNumber",
        "id",
    )
    parts = [f"{item[k]}" for k in keys if k in item and not isinstance(item[k], dict | list)]
    return " · ".join(parts[:4]) or json_short(item)


def json_short(value: Any, limit: int = 80) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
