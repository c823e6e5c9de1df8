"""The format core: detect, load, validate and report any input of the three APIs and native crash files.

Typical use::

    sub = load_bytes(data, source_name="crash.json")      # or load_path(path)
    problems = validate(sub)
    reports = get_format(sub.format).reports(sub)

Nothing else in the program branches on the vendor: it asks the registry.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING, Any

from inspector.formats.base import (
    Capabilities,
    Detection,
    Envelope,
    Format,
    InspectorError,
    Problem,
    Sender,
    Severity,
    Submission,
)

if TYPE_CHECKING:
    from inspector.formats.jsondoc import Document, parse_json
    from inspector.report import Report

#: Module names of every format, in detection tie-break order.
FORMAT_NAMES = ("backtrace", "rollbar", "appcenter", "minidump", "apple")
JSON_FORMATS = ("backtrace", "rollbar", "appcenter")


def __getattr__(name: str) -> Any:
    """``Document`` and ``parse_json`` of :mod:`inspector.formats.jsondoc`, imported on first use: importing the
    package (the GUI's start, ``inspector.formats.base``) does not import the JSON and envelope modules."""
    if name in ("Document", "parse_json"):
        from inspector.formats import jsondoc

        return getattr(jsondoc, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def get_format(name: str) -> Format:
    """The format module by name (``backtrace``...); raises InspectorError for unknown names."""
    if name not in FORMAT_NAMES:
        raise InspectorError(f"unknown format {name!r}; known: {', '.join(FORMAT_NAMES)}")
    module: Format = importlib.import_module(f"inspector.formats.{name}")
    return module


def capabilities(name: str) -> Capabilities:
    """What the format ``name`` can do (send, attachments, its own converters): ask this, not the vendor name."""
    return get_format(name).CAPABILITIES


def sender(name: str) -> Sender:
    """The format ``name`` as a :class:`Sender`; InspectorError when its payloads cannot be sent as they are."""
    module = get_format(name)
    if not isinstance(module, Sender):
        raise InspectorError(f"a {module.TITLE} payload cannot be sent as it is; convert it to an API's format first")
    return module


def all_formats() -> list[Format]:
    return [get_format(n) for n in FORMAT_NAMES]


def _looks_like_json(body: bytes) -> bool:
    head = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def detect(envelope: Envelope, value: Any, *, only: str | None = None) -> Detection | None:
    """Ask every format (or just ``only``) to claim the input; the highest score wins."""
    best: Detection | None = None
    for module in all_formats() if only is None else [get_format(only)]:
        try:
            found = module.detect(envelope, value)
        except InspectorError:
            raise
        except Exception:  # a detector must never take the program down on odd input
            found = None
        if found is not None and (best is None or found.score > best.score):
            best = found
    return best


def load_bytes(data: bytes, *, source_name: str | None = None, format: str = "auto") -> Submission:
    """Decode, parse and detect. Raises InspectorError when the input cannot be read or recognized."""
    from inspector.formats.envelope import decode
    from inspector.formats.jsondoc import Document

    envelope = decode(data, source_name=source_name)
    document: Document | None = None
    value: Any = None
    if _looks_like_json(envelope.body):
        from inspector.formats.memory_budget import check_room_for_json

        check_room_for_json(envelope.body, name=source_name)  # refuse now, not when memory runs out
        try:
            document = Document.from_bytes(envelope.body)
        except InspectorError:
            # Not one JSON document. A native format may still claim it (an Apple .ips file is a JSON header
            # line followed by a JSON body); otherwise the JSON error is the clearest message.
            native = detect(envelope, None, only=None if format == "auto" else format)
            if native is None or native.format in JSON_FORMATS:
                raise
        else:
            value = document.value
    only = None if format == "auto" else format
    detection = detect(envelope, value, only=only)
    if detection is None:
        raise InspectorError(_unrecognized(envelope, value, only))
    module = get_format(detection.format)
    submission = module.load(envelope, document, detection)
    submission.load_problems[:0] = envelope.problems + (document.problems if document else [])
    return submission


def load_path(path: str, *, format: str = "auto") -> Submission:
    import os

    from inspector.formats.envelope import read_input

    return load_bytes(read_input(path), source_name=os.path.basename(path), format=format)


def validate(submission: Submission) -> list[Problem]:
    """Load-time problems plus the format's own rules, errors first; at most ``MAX_PER_KIND`` of each kind.

    Long loops check :func:`inspector.formats.base.check_cancelled` (run it under ``cancellable(...)``).
    """
    from inspector.formats.base import cap_per_kind, check_cancelled

    check_cancelled()
    problems = list(submission.load_problems) + list(get_format(submission.format).validate(submission))
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(cap_per_kind(problems), key=lambda p: order[p.severity])


def reports(submission: Submission) -> list[Report]:
    return get_format(submission.format).reports(submission)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


def _unrecognized(envelope: Envelope, value: Any, only: str | None) -> str:
    target = f"a {only} payload" if only else "a Backtrace, Rollbar, App Center, minidump or Apple crash payload"
    if value is not None:
        keys = list(value)[:6] if isinstance(value, dict) else None
        shape = f"a JSON object with keys {keys}" if keys is not None else f"a JSON {type(value).__name__}"
        return f"not recognized as {target}: found {shape}"
    body = envelope.body
    if not body:
        return f"not recognized as {target}: the body is empty"
    if b"\x00" in body[:4096]:
        return f"not recognized as {target}: binary data starting with {body[:8].hex(' ')}"
    try:
        body[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return f"not recognized as {target}: the data is neither JSON nor text (invalid UTF-8)"
    first = body.lstrip()[:60].decode("utf-8", "replace").splitlines()[0] if body.strip() else ""
    return f"not recognized as {target}: text starting with {first!r}"


__all__ = [
    "FORMAT_NAMES",
    "JSON_FORMATS",
    "Capabilities",
    "Detection",
    "Document",
    "Envelope",
    "Format",
    "InspectorError",
    "Problem",
    "Sender",
    "Severity",
    "Submission",
    "all_formats",
    "capabilities",
    "detect",
    "get_format",
    "has_errors",
    "load_bytes",
    "load_path",
    "parse_json",
    "reports",
    "sender",
    "validate",
]
