"""Shared vocabulary of the format core: problems, detections, submissions and the format protocol.

Nothing here imports Qt. Every format module (``backtrace``, ``rollbar``, ``appcenter``, ``minidump``,
``apple``) implements :class:`Format` and is listed in :mod:`inspector.formats.registry`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from inspector.formats.jsondoc import Document
    from inspector.report import Report


class InspectorError(Exception):
    """The project's own error: a message a user understands, plus where (JSON Pointer, line/col, offset).

    Every failure on bad input surfaces as this type (never a bare traceback).
    """

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.message} (at {self.where})" if self.where else self.message


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Problem:
    """One validation finding.

    Attributes:
        severity: error / warning / info.
        pointer: RFC 6901 JSON Pointer to the offending value ("" is the whole document). For non-JSON
            inputs (multipart parts, HTTP headers, binary files) a pseudo pointer such as ``/@parts/2`` or
            ``/@offset/1024``.
        message: what is wrong, in words a QA engineer understands.
        rule: where the rule comes from (e.g. ``rollbar docs: data.environment <= 255``).
    """

    severity: Severity
    pointer: str
    message: str
    rule: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"severity": str(self.severity), "pointer": self.pointer, "message": self.message, "rule": self.rule}


def error(pointer: str, message: str, rule: str = "") -> Problem:
    return Problem(Severity.ERROR, pointer, message, rule)


def warning(pointer: str, message: str, rule: str = "") -> Problem:
    return Problem(Severity.WARNING, pointer, message, rule)


def info(pointer: str, message: str, rule: str = "") -> Problem:
    return Problem(Severity.INFO, pointer, message, rule)


@dataclass(frozen=True, slots=True)
class Detection:
    """Why a format module claims an input. ``score`` 0..100; the highest wins."""

    format: str
    kind: str
    score: int
    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass(slots=True)
class Part:
    """One part of a multipart body, or one attachment of a submission.

    ``name`` is the form-field name (``upload_file``, ``attachment_log.txt``); ``filename`` the file name the
    client gave (may be a full path, as backtracepython sends); ``data`` the raw bytes.
    """

    name: str
    data: bytes
    filename: str | None = None
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_file(self) -> bool:
        return self.filename is not None


@dataclass(slots=True)
class HttpInfo:
    """What the transport carried, when the input was a whole HTTP request or the receiver captured it."""

    method: str = "POST"
    target: str = "/"
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> list[tuple[str, str]]:
        from urllib.parse import parse_qsl

        return parse_qsl(self.target.split("?", 1)[1], keep_blank_values=True) if "?" in self.target else []


@dataclass(slots=True)
class Envelope:
    """The decoded outer layers of an input, before any format has claimed it.

    ``body`` is the main payload bytes (the JSON text, the minidump, the crash report text) after removing
    HTTP framing, chunking, gzip, multipart and form encoding. ``parts`` holds every multipart part (the one
    that became ``body`` included, at ``main_part``), ``fields`` the plain form fields and query attributes.
    ``layers`` records what was peeled off, in order (``http``, ``chunked``, ``gzip``, ``multipart``, ``form``).
    """

    body: bytes
    http: HttpInfo | None = None
    parts: list[Part] = field(default_factory=list)
    main_part: int | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)
    layers: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    source_name: str | None = None


@dataclass(slots=True)
class Submission:
    """What travels over the wire: a payload document plus attachments and transport details.

    For JSON formats ``document`` is set; for binary/text native formats (minidump, Apple) ``document`` is
    ``None`` and ``envelope.body`` holds the bytes. ``native`` carries a format module's parsed object for
    those (kept opaque here).
    """

    format: str
    detection: Detection
    envelope: Envelope
    document: Document | None = None
    attachments: list[Part] = field(default_factory=list)
    load_problems: list[Problem] = field(default_factory=list)
    native: Any = None

    @property
    def kind(self) -> str:
        return self.detection.kind


class Format(Protocol):
    """What every format module provides (module-level objects satisfy it)."""

    NAME: str  # "backtrace"
    TITLE: str  # "Backtrace"

    def detect(self, envelope: Envelope, value: Any) -> Detection | None:
        """Claim the input or not. ``value`` is the parsed JSON of ``envelope.body`` or ``None`` if not JSON."""

    def load(self, envelope: Envelope, document: Document | None, detection: Detection) -> Submission:
        """Build a Submission (attachments picked out of the envelope, load-time problems)."""

    def validate(self, submission: Submission) -> list[Problem]:
        """Every rule of reference/formats.md that applies, as Problems with JSON Pointers."""

    def reports(self, submission: Submission) -> list[Report]:
        """The normalized read-only views (App Center containers give one per error log)."""
