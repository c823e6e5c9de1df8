"""Shared App Center helpers: where the logs are, which ones are errors, ids, timestamps and base64 attachments.

App Center batches logs in a container ``{"logs": [...]}``. Older docs revisions spelled the key ``"logs:"``
(a typo, fixed 2020-05-06), and people paste single logs; all three shapes are addressed through
:func:`log_entries`, which yields ``(pointer, log)`` pairs without copying anything.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from inspector.formats.base import InspectorError
from inspector.formats.jsondoc import join

#: Logs that describe an error (one Report each).
ERROR_TYPES = ("managedError", "appleError", "handledError")
ATTACHMENT_TYPE = "errorAttachment"
#: Every discriminator value of swagger/ingestion.yaml (x-ms-discriminator-value).
KNOWN_TYPES = (
    *ERROR_TYPES,
    ATTACHMENT_TYPE,
    "startService",
    "startSession",
    "distributionStartSession",
    "page",
    "event",
    "pushInstallation",
)

CONTAINER_KEY = "logs"
TYPO_KEY = "logs:"

#: Attachments above this decoded size are refused (android Crashes.java MAX_ATTACHMENT_SIZE, apple kMaxAttachmentSize).
MAX_ATTACHMENT_BYTES = 7 * 1024 * 1024

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def container_shape(value: Any) -> str:
    """``container`` ({"logs": ...}), ``typo`` ({"logs:": ...}), ``single`` (a bare log) or ``other``."""
    if not isinstance(value, dict):
        return "other"
    if CONTAINER_KEY in value:
        return "container"
    if TYPO_KEY in value:
        return "typo"
    if isinstance(value.get("type"), str):
        return "single"
    return "other"


def logs_pointer(value: Any) -> str:
    """The pointer of the logs array ("/logs", "/logs:") or "" for a single bare log."""
    shape = container_shape(value)
    return {"container": "/logs", "typo": join("", TYPO_KEY)}.get(shape, "")


def logs_list(value: Any) -> list[Any]:
    """The raw logs (the document's own list, never a copy); a bare log is a one-item list."""
    shape = container_shape(value)
    if shape == "container":
        logs = value[CONTAINER_KEY]
    elif shape == "typo":
        logs = value[TYPO_KEY]
    elif shape == "single":
        return [value]
    else:
        return []
    return logs if isinstance(logs, list) else []


def log_entries(value: Any) -> Iterator[tuple[str, Any]]:
    """``(pointer, log)`` for every log of the document."""
    if container_shape(value) == "single":
        yield "", value
        return
    base = logs_pointer(value)
    for index, log in enumerate(logs_list(value)):
        yield f"{base}/{index}", log


def log_type(log: Any) -> str | None:
    if isinstance(log, dict):
        kind = log.get("type")
        return kind if isinstance(kind, str) else None
    return None


def id_key(value: Any) -> str | None:
    """An id normalized for matching (App Center uuids are case-insensitive: the docs mix cases)."""
    return value.strip().lower() if isinstance(value, str) else None


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 date-time (swagger ``format: date-time``) as an aware datetime; None when it is not one."""
    if not isinstance(value, str) or not _RFC3339.match(value):
        return None
    text = value.replace("t", "T").replace("z", "Z")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def epoch(value: Any) -> float | None:
    moment = parse_time(value)
    return moment.timestamp() if moment is not None else None


def decoded_size(data: Any) -> int:
    """The decoded size of base64 text, computed without decoding (0 when it is not a string)."""
    if not isinstance(data, str):
        return 0
    text = data.strip()
    padding = len(text) - len(text.rstrip("="))
    return max(0, len(text) * 3 // 4 - padding)


def decode_base64(data: Any, pointer: str) -> bytes:
    """Decode an errorAttachment ``data`` field strictly; InspectorError naming the pointer when it is not base64."""
    if not isinstance(data, str):
        raise InspectorError("errorAttachment data must be a base64 string", where=pointer)
    text = data.strip()
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        bad = next((c for c in text if not (c.isalnum() or c in "+/=")), None)
        detail = f"character {bad!r} is not base64" if bad is not None else str(exc)
        raise InspectorError(f"errorAttachment data is not valid base64 ({detail})", where=pointer) from None


#: Fields only appleError logs carry (swagger AppleErrorLog), besides threads/binaries/registers/exception.
APPLE_ERROR_KEYS = (
    "primaryArchitectureId",
    "architectureVariantId",
    "applicationPath",
    "osExceptionType",
    "osExceptionCode",
    "osExceptionAddress",
    "exceptionType",
    "exceptionReason",
    "selectorRegisterValue",
)
