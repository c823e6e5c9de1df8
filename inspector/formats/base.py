"""Shared vocabulary of the format core: problems, detections, submissions and the format protocol.

Nothing here imports Qt. Every format module (``backtrace``, ``rollbar``, ``appcenter``, ``minidump``,
``apple``) implements :class:`Format` and is listed in :mod:`inspector.formats.registry`.
"""

from __future__ import annotations

import enum
import functools
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from inspector.formats.http_headers import header

if TYPE_CHECKING:
    from inspector.formats.editing import Editing
    from inspector.formats.jsondoc import Document
    from inspector.formats.receiving import Receiving
    from inspector.report import Report


def as_object(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (reading optional members of a payload)."""
    return value if isinstance(value, dict) else {}


def as_array(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


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


#: A problem's message and pointer keep at most this many characters (the rest is summarized).
MAX_MESSAGE_CHARS = 1000
MAX_POINTER_CHARS = 1000
#: A value quoted inside a message keeps at most this many characters.
QUOTE_CHARS = 120


def clip(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` cut to about ``limit`` characters, saying how much was left out (for messages, never data)."""
    if len(text) <= limit:
        return text
    return f"{text[: max(0, limit - 40)]}…({len(text) - max(0, limit - 40):,} more characters)"


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

    def __post_init__(self) -> None:
        # A hostile key or value can be megabytes long and every rule that quotes it would keep its own copy
        # (a 20 MB key cost 2.4 GB): what a problem keeps is bounded, whatever a rule put in it.
        if len(self.message) > MAX_MESSAGE_CHARS:
            object.__setattr__(self, "message", clip(self.message, MAX_MESSAGE_CHARS))
        if len(self.pointer) > MAX_POINTER_CHARS:
            object.__setattr__(self, "pointer", clip(self.pointer, MAX_POINTER_CHARS))

    def as_dict(self) -> dict[str, str]:
        return {"severity": str(self.severity), "pointer": self.pointer, "message": self.message, "rule": self.rule}


def error(pointer: str, message: str, rule: str = "") -> Problem:
    return Problem(Severity.ERROR, pointer, message, rule)


def warning(pointer: str, message: str, rule: str = "") -> Problem:
    return Problem(Severity.WARNING, pointer, message, rule)


def info(pointer: str, message: str, rule: str = "") -> Problem:
    return Problem(Severity.INFO, pointer, message, rule)


#: Problems of one kind (same severity and rule) listed before the rest are summarized in one more problem.
MAX_PER_KIND = 100


def cap_per_kind(problems: list[Problem], limit: int = MAX_PER_KIND) -> list[Problem]:
    """``problems`` without exact repeats, at most ``limit`` of each kind, each cut kind closed by a summary.

    A hostile payload (``{"logs": [null] * 40000}``) yields one problem per bad item; listing 40 000 of them
    helps nobody and costs memory and time in every view. The summary keeps the count ("… and 39,900 more").
    """
    seen: set[tuple[Severity, str, str, str]] = set()
    counts: dict[tuple[Severity, str], int] = {}
    first_hidden: dict[tuple[Severity, str], Problem] = {}
    kept: list[Problem | tuple[Severity, str]] = []
    for problem in problems:
        exact = (problem.severity, problem.pointer, problem.message, problem.rule)
        if exact in seen:
            continue
        seen.add(exact)
        if problem.message.startswith(SUMMARY_START):  # a rule's own summary of what it left out
            kept.append(problem)
            continue
        kind = (problem.severity, problem.rule or problem.message)
        n = counts.get(kind, 0) + 1
        counts[kind] = n
        if n <= limit:
            kept.append(problem)
            if n == limit:
                kept.append(kind)  # where the summary goes, if any more come
        elif n == limit + 1:
            first_hidden[kind] = problem
    out: list[Problem] = []
    for item in kept:
        if isinstance(item, Problem):
            out.append(item)
        elif item in first_hidden:
            out.append(summary(first_hidden[item], counts[item] - limit))
    return out


SUMMARY_START = "… and "


def summary(first_hidden: Problem, more: int) -> Problem:
    """The problem that stands for ``more`` problems of ``first_hidden``'s kind left out of a list."""
    return Problem(
        first_hidden.severity,
        first_hidden.pointer,
        f"{SUMMARY_START}{more:,} more like this, not listed (the first: {clip(first_hidden.message, 200)})",
        first_hidden.rule,
    )


# ------------------------------------------------------------------------------------------- cancelling


class Cancelled(Exception):
    """The work was cancelled (the window closed the document, the process is shutting down)."""


_cancel_checks = threading.local()
_cancel_everything = threading.Event()


@contextmanager
def cancellable(cancelled: Callable[[], bool]) -> Iterator[None]:
    """Within the block, :func:`check_cancelled` on this thread raises :class:`Cancelled` once ``cancelled()``."""
    previous = getattr(_cancel_checks, "check", None)
    _cancel_checks.check = cancelled
    try:
        yield
    finally:
        _cancel_checks.check = previous


def cancel_all() -> None:
    """Make every running and future :func:`check_cancelled` raise: the process is shutting down (SIGTERM)."""
    _cancel_everything.set()


def check_cancelled() -> None:
    """Raise :class:`Cancelled` when this thread's work was cancelled. Long loops over untrusted items call it."""
    if _cancel_everything.is_set():
        raise Cancelled("cancelled: the program is shutting down")
    check = getattr(_cancel_checks, "check", None)
    if check is not None and check():
        raise Cancelled("cancelled")


#: The receiver replaces each secret it stores (tokens, app secrets) with this mark padded with "x" to the
#: secret's length: letters only, so the request stays well-formed in a URL, a header and a JSON string.
REDACTED_MARK = "REDACTED"


def redaction_placeholder(length: int) -> str:
    """The same-length stand-in for a secret of ``length`` characters (``REDACTEDxxxx...``)."""
    return (REDACTED_MARK + "x" * max(0, length - len(REDACTED_MARK)))[:length]


def is_redacted(value: object) -> bool:
    """True for a secret the local receiver replaced before storing the capture (8 characters or more)."""
    return isinstance(value, str) and len(value) >= len(REDACTED_MARK) and value == redaction_placeholder(len(value))


#: What the token-shape rules say about a placeholder instead of "not N hex characters".
REDACTED_NOTE = "redacted by the receiver (secrets are never stored): resend with a profile that has the secret"


def oversized_timestamp(
    pointer: str, value: Any, rule: str = "", *, severity: Severity = Severity.ERROR
) -> Problem | None:
    """A problem for an integer timestamp too big for any float (``10**4000``), else None.

    The reports show such a value as "no timestamp" (``float()`` of it raises OverflowError).
    """
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    try:
        float(value)
    except OverflowError:
        digits = int(abs(value).bit_length() * 0.30103) + 1  # no str(): ints above 4300 digits refuse it
        return Problem(
            severity,
            pointer,
            f"the timestamp is a number of about {digits} digits, too large to be a time: it is shown as no timestamp",
            rule,
        )
    return None


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
        return header(self.headers, name)

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


@dataclass(frozen=True, slots=True)
class NativeConverter:
    """A format's own converter to one of the ingestion APIs, where it is the vendor's documented path (a minidump
    to App Center is a ``custom.ndk`` upload of the dump itself), used instead of the normalized report."""

    convert: Callable[[Submission], Any]  # the submission -> the target's JSON value
    via: str  # how, for the conversion notes
    carried: str  # what it carries
    where: str  # where in the target
    report_kind: str | None = None  # only for reports of this kind


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a format can do, declared by its module as ``CAPABILITIES`` (asked instead of comparing vendor names).

    ``send_api`` is the ingestion API whose endpoints take the format (``backtrace`` for a minidump: Backtrace's
    minidump endpoint); ``attachments`` whether that API takes files beside the payload, with its
    ``attachment_limit`` (rejected above, bytes) and ``attachment_warn`` (SDKs skip above)."""

    can_send: bool  # build_request / read_response
    native: bool  # a native crash file (binary or text), not an API's JSON payload
    send_api: str
    attachments: bool = False
    attachment_limit: int | None = None
    attachment_warn: int | None = None
    #: attachments are logs of the document linked to an error (App Center's errorAttachment), not parts beside it
    attachments_in_document: bool = False
    can_convert_to: Mapping[str, NativeConverter] = field(default_factory=dict)
    #: (what, why) a conversion through the normalized report leaves behind
    lost_when_normalized: tuple[str, str] | None = None
    #: the file name suffix of a native file's bytes (".dmp")
    file_suffix: str = ".json"
    #: the input is text that the redaction rules can read (an Apple crash report), or bytes they cannot
    redactable_text: bool = False
    #: the secret the API authenticates with: "token" (Backtrace, Rollbar) or "app-secret" (App Center)
    secret: str = "token"
    #: requests name the device by an install id (App Center's Install-ID header)
    install_id: bool = False
    #: the API's documented ingestion rate, crashes per minute (App Center: 60), where it has one: a replay starts
    #: at it instead of the usual 10 per second
    rate_limit_per_minute: int | None = None
    #: the token may travel in the body instead of a header (Rollbar's access_token)
    token_in_body: bool = False
    #: the normalized report's summary.app is a host name, not an application (Rollbar's server.host)
    summary_app_is_host: bool = False
    #: a payload and the parts sent beside it as one file (Backtrace: the multipart body of its submit endpoint);
    #: None when the API takes no parts beside its payload
    parts_file: Callable[[bytes, list[Part]], bytes] | None = None
    #: how the forms and templates edit the JSON document (:mod:`inspector.formats.editing`); None: they do not
    editing: Editing | None = None
    #: what the API's endpoint checks and answers, for the local receiver (:mod:`inspector.formats.receiving`);
    #: None: no ingestion API takes the format as such
    receiving: Receiving | None = None


class Format(Protocol):
    """What every format module provides (module-level objects satisfy it)."""

    @property
    def NAME(self) -> str:  # "backtrace"
        ...

    @property
    def TITLE(self) -> str:  # "Backtrace"
        ...

    @property
    def CAPABILITIES(self) -> Capabilities: ...

    def detect(self, envelope: Envelope, value: Any) -> Detection | None:
        """Claim the input or not. ``value`` is the parsed JSON of ``envelope.body`` or ``None`` if not JSON."""

    def load(self, envelope: Envelope, document: Document | None, detection: Detection) -> Submission:
        """Build a Submission (attachments picked out of the envelope, load-time problems)."""

    def validate(self, submission: Submission) -> list[Problem]:
        """Every rule of reference/formats.md that applies, as Problems with JSON Pointers."""

    def reports(self, submission: Submission) -> list[Report]:
        """The normalized read-only views (App Center containers give one per error log)."""


# ------------------------------------------------------------------------------------------- sending


@dataclass(slots=True)
class Target:
    """Where and how to send, resolved from an endpoint profile (secrets already looked up in the keyring).

    ``kind`` is one of ``backtrace-hosted`` (``{base}/{universe}/{token}/{format}``), ``backtrace-onprem``
    (``{base}/api/post?format=&token=``), ``backtrace-direct`` (``{base}/post?format=&token=``), ``rollbar``
    (``{base}/api/1/item/``), ``appcenter`` (``{base}/logs?Api-Version=1.0.0``). ``base_url`` has no trailing
    slash; it can point at staging or the local receiver.
    """

    kind: str
    base_url: str
    token: str | None = None
    universe: str | None = None
    app_secret: str | None = None
    install_id: str | None = None
    token_in_body: bool = False  # Rollbar: access_token in the body instead of the header
    gzip: bool = False
    multipart: bool | None = None  # Backtrace JSON: None = multipart only when there are attachments
    attributes: list[tuple[str, str]] = field(default_factory=list)  # Backtrace extra attribute fields


@dataclass(frozen=True, slots=True)
class FileSlice:
    """A file's bytes in a request body, read from disk only while the request is sent (a multi-GB archive)."""

    path: str
    size: int


#: A piece of a streamed request body: bytes in memory, or a file read while sending.
BodyPiece = bytes | FileSlice


#: Characters that end or split a line of an HTTP head: a value holding one would inject a header.
_HEAD_BREAKERS = re.compile("[\r\n\x00]")
#: RFC 9110 token characters: what a header name may be made of.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def check_request_head(method: str, url: str, headers: list[tuple[str, str]]) -> None:
    """Refuse a request whose head could be split: CR, LF or NUL in the URL or a header, or a bad header name.

    Every request is a :class:`RequestSpec`, so this is the one edge all of them pass (a profile's Install-ID
    with a newline, a pasted token with a trailing CR). The message names the header, never its value (it may be
    a secret).
    """
    if not _TOKEN.fullmatch(method or ""):
        raise InspectorError(f"the HTTP method {clip(method, 40)!r} is not a valid method name")
    if (bad := _HEAD_BREAKERS.search(url)) is not None:
        raise InspectorError(f"the URL holds a {_describe(bad.group())} (at character {bad.start() + 1}): remove it")
    for name, value in headers:
        if not _TOKEN.fullmatch(name or ""):
            raise InspectorError(f"{clip(name, 60)!r} is not a valid header name")
        if (bad := _HEAD_BREAKERS.search(value)) is not None:
            raise InspectorError(
                f"the {name} header value holds a {_describe(bad.group())} (at character {bad.start() + 1}); "
                "header values cannot contain CR, LF or NUL: check where it comes from (the profile?)",
                where=f"header {name}",
            )


def _describe(char: str) -> str:
    return {"\r": "carriage return (CR)", "\n": "line break (LF)", "\x00": "NUL character"}[char]


@dataclass(slots=True)
class RequestSpec:
    """An HTTP request ready to send. ``secrets`` lists values to mask wherever the request is shown or stored.

    ``stream``, when set, is the body instead of ``body``: pieces sent in order, files read as they go out
    (symbol and source-map uploads); ``body`` then stays empty.
    """

    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes
    secrets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # caveats to show before sending ("gzip is SDK-specific")
    stream: tuple[BodyPiece, ...] | None = None

    @property
    def body_size(self) -> int:
        if self.stream is None:
            return len(self.body)
        return sum(p.size if isinstance(p, FileSlice) else len(p) for p in self.stream)

    def __post_init__(self) -> None:
        check_request_head(self.method, self.url, self.headers)

    def mask(self, text: str) -> str:
        """``text`` with every secret replaced, in any spelling a request gives it (see :func:`secret_regex`)."""
        pattern = secret_regex(tuple(self.secrets))
        return pattern.sub("•" * 8, text) if pattern is not None else text

    @property
    def masked_url(self) -> str:
        return self.mask(self.url)

    def masked_headers(self) -> list[tuple[str, str]]:
        return [(k, self.mask(v)) for k, v in self.headers]


def _char_spellings(char: str) -> str:
    """A regex for one character of a secret: itself, or percent-encoded (either hex case), ``+`` for a space."""
    encoded = "".join(f"%(?i:{byte:02x})" for byte in char.encode("utf-8"))
    forms = [re.escape(char), encoded] + (["\\+"] if char == " " else [])
    return f"(?:{'|'.join(forms)})"


@functools.lru_cache(maxsize=64)
def secret_regex(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern matching every secret as written or URL-encoded (``token=a%2Fb%2B...`` is ``a/b+...``).

    Masking compares decoded values: a token the URL carries percent-encoded (a query value, a path segment)
    is masked like the plain one, whatever encoder wrote it. Group ``s{i}`` tells which secret matched.
    """
    live = sorted({s for s in secrets if s}, key=len, reverse=True)
    if not live:
        return None
    return re.compile("|".join(f"(?P<s{i}>{''.join(map(_char_spellings, s))})" for i, s in enumerate(live)))


def secret_of(match: re.Match[str], secrets: tuple[str, ...]) -> str:
    """The secret a :func:`secret_regex` match stands for."""
    live = sorted({s for s in secrets if s}, key=len, reverse=True)
    return live[int((match.lastgroup or "s0")[1:])]


def mask_bytes(secrets: list[str], data: bytes, mask: bytes) -> bytes:
    """``data`` with every secret (any URL spelling, as UTF-8) replaced by ``mask``."""
    pattern = secret_regex(tuple(secrets))
    if pattern is None:
        return data
    binary = re.compile(pattern.pattern.encode("utf-8"))
    return binary.sub(mask.replace(b"\\", b"\\\\"), data)


@dataclass(slots=True)
class Outcome:
    """What a server's answer means, in plain words.

    Attributes:
        ok: the report was accepted.
        summary: one sentence ("Accepted by Backtrace as object 01000000-...", "403: the token is invalid").
        details: more lines (rate-limit headers, the error message of the body...).
        id: the server's id for the report (``_rxid``, Rollbar ``result.uuid``), when any.
        link: a URL to the report, when one can be built.
        retry_after: seconds to wait before retrying (429/503), when the server says.
    """

    ok: bool
    summary: str
    details: list[str] = field(default_factory=list)
    id: str | None = None
    link: str | None = None
    retry_after: float | None = None


@runtime_checkable
class Sender(Protocol):
    """A format whose payloads go to its API as they are: it builds the request and reads the answer."""

    @property
    def TITLE(self) -> str: ...

    def build_request(self, submission: Submission, target: Target) -> RequestSpec:
        """The request for ``target``; raises InspectorError (nothing is sent) when none can be made."""

    def read_response(self, status: int, headers: list[tuple[str, str]], body: bytes) -> Outcome:
        """The answer in plain words; never raises."""
