"""The local receiver: an aiohttp server that answers like the three ingestion APIs and stores every request.

Endpoints (see reference/sdk_endpoints.md for how each SDK is pointed here):

* Backtrace ``POST /{universe}/{token}/{format}``, ``POST /post?format=&token=``, ``POST /api/post?format=&token=``
  (+ ``&object=&attachment_name=`` attachment uploads). Answers ``{"response":"ok","_rxid":"..."}``.
* Rollbar ``POST /api/1/item/``: answers ``{"err":0,"result":{"id":null,"uuid":"..."}}`` or ``{"err":1,"message":...}``.
* App Center ``POST /logs?api-version=1.0.0`` (query key matched case-insensitively): answers an empty 200.

* Backtrace uploads ``POST /{universe}/{token}/symbols`` / ``/sourcemap`` (and ``/api/post?format=symbols&token=``):
  the archive is streamed to the inbox (:mod:`inspector.net.receiver_uploads`). Answers ``{"response":"ok","_rxid":…}``.

Each request is read within limits (:mod:`inspector.net.receiver_limits`: size cap, memory budget across all
requests, deadline and minimum body rate), its secrets are replaced by same-length placeholders on the decoded
body (:mod:`inspector.net.capture_secrets`; a compressed body inflating past the cap is answered 413), the
answer is decided (:func:`quick_answer`; the format core only when that cannot tell), and the redacted request
(head as received; body as received, gzip kept unless a secret was inside; a chunked body re-framed as one
chunk) is appended with its record to the journal (:mod:`inspector.net.journal`, :mod:`inspector.net.writer`:
one write and one ``fdatasync`` per batch of requests). Each request is answered once the batch holding it is
durable. A second stage (:mod:`inspector.net.indexer`, a child process) turns journal entries into the inbox's
files, validates them and reports the finished records; a restart (or any load of the store) replays what a
killed process left. Nothing here imports Qt; :class:`ReceiverThread` runs the whole server on its own thread
and event loop for the window.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import orjson
from aiohttp import web

from inspector.formats import (
    Envelope,
    InspectorError,
    Severity,
    Submission,
    get_format,
    load_bytes,
    validate,
)
from inspector.net.capture_secrets import BACKTRACE_FORMATS, InflatedTooLarge, Redacted, redact_request
from inspector.net.indexer import Indexer
from inspector.net.receiver_limits import (
    BodyTooLarge,
    BudgetExhausted,
    ByteBudget,
    Held,
    quiet_aiohttp_errors,
    read_body,
)
from inspector.net.receiver_uploads import UPLOAD_FORMATS, MalformedUpload, Upload, receive_upload
from inspector.net.store import CaptureRecord, CaptureStore, journal_forget, journal_note
from inspector.net.writer import CaptureWriter

DEFAULT_MAX_BODY = 64 * 1024 * 1024
JSON_TYPE = "application/json"


@dataclass(slots=True)
class ReceiverConfig:
    """How the receiver listens and how patient it is.

    ``header_timeout``: a connection that has not sent a whole request head (or sits idle between requests)
    this long is closed. ``read_timeout``: longest pause between two body reads; ``body_timeout``: longest
    time for a whole body; ``min_body_rate`` (bytes/s, averaged, after ``rate_grace`` seconds): slower bodies
    are cut off with 408. ``max_concurrency``: requests processed at once (bodies are read before a slot is
    taken, so slow clients never hold one). ``memory_limit``: bytes of bodies (and of what decoding them may
    produce) held at once across all requests (0: ``max(256 MiB, 3 x max_body)``). ``max_upload``: the cap of a
    symbol / source-map archive (streamed to disk, never held in memory).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    strict: bool = False
    max_body: int = DEFAULT_MAX_BODY
    header_timeout: float = 30.0
    read_timeout: float = 10.0
    body_timeout: float = 120.0
    min_body_rate: float = 1024.0
    rate_grace: float = 5.0
    max_concurrency: int = 64
    memory_limit: int = 0
    max_upload: int = 10 * 1024**3
    shutdown_timeout: float = 30.0
    workers: int = 2  # threads redacting / reading big bodies (CPU bound: more do not help under the GIL)
    inline_max: int = 256 * 1024  # plain bodies up to this size are redacted on the loop thread
    max_batch: int = 512  # captures appended to the journal together, made durable by one fdatasync
    #: Run the second stage (inbox files, validation) in a child process; False: on a thread of this one.
    index_process: bool = True
    defer_min: int = 0  # kept for old callers: every capture is now validated after its answer (stage two)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``; anything else is reachable from other machines."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> str | None:
    if is_loopback(host):
        return None
    return (
        f"WARNING: the receiver listens on {host}, reachable from other machines. Anyone who can reach it can "
        "store data on this computer. Use 127.0.0.1 unless you need this."
    )


# ------------------------------------------------------------------------------------------------ routing


@dataclass(slots=True)
class Route:
    """What a request line addresses. ``api`` is ``unknown`` for paths none of the three APIs use."""

    api: str
    token: str | None = None
    format: str | None = None
    universe: str | None = None
    attachment: tuple[str, str] | None = None  # Backtrace (object, attachment_name) upload
    install_id: str | None = None  # App Center Install-ID header
    note: str = ""


def route(method: str, target: str, headers: dict[str, str] | None = None) -> Route:
    """Map a request to an API. ``headers`` is a lower-cased header dict (App Center reads two of them)."""
    headers = headers or {}
    path, _, query_text = target.partition("?")
    query = parse_qsl(query_text, keep_blank_values=True)
    q = {k: v for k, v in query}
    qi = {k.lower(): v for k, v in query}
    parts = [p for p in path.split("/") if p]
    if path in ("/api/1/item/", "/api/1/item"):
        return Route("rollbar", token=headers.get("x-rollbar-access-token"))
    if path == "/logs":
        # App Center: ``format`` holds the api-version (query key matched case-insensitively).
        return Route(
            "appcenter",
            token=headers.get("app-secret"),
            format=qi.get("api-version"),
            install_id=headers.get("install-id"),
        )
    if path in ("/post", "/api/post"):
        attachment = (q["object"], q.get("attachment_name", "")) if q.get("object") else None
        return Route("backtrace", token=q.get("token") or None, format=q.get("format") or None, attachment=attachment)
    if len(parts) == 3 and parts[2] in BACKTRACE_FORMATS:
        attachment = (q["object"], q.get("attachment_name", "")) if q.get("object") else None
        return Route("backtrace", universe=parts[0], token=parts[1], format=parts[2], attachment=attachment)
    note = "unknown path; the receiver serves /api/1/item/, /logs, /post, /api/post and /{universe}/{token}/{format}"
    if path.rstrip("/") == "/api/item":
        note = "unknown path /api/item/: pyrollbar's endpoint setting must end with '/' ('http://host/api/1/')"
    elif path.endswith("/logs") or "api-version" in qi:
        note = "unknown path; App Center posts to {logUrl}/logs?api-version=1.0.0 (set the log URL without a path)"
    elif path.endswith("/post"):
        note = "unknown path; Backtrace SDKs post to /post or /api/post (the node SDK drops any path of its url)"
    return Route("unknown", note=note)


# ------------------------------------------------------------------------------------------------ responses


@dataclass(slots=True)
class Answer:
    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    note: str = ""


def _json(value: Any) -> bytes:
    return orjson.dumps(value)


def new_rxid() -> str:
    """Backtrace object ids look like UUIDs whose leading hex digits are the object number."""
    return f"{secrets.randbelow(0xFFFF) + 1:04x}0000-{secrets.token_hex(2)}-{secrets.token_hex(2)}-0000-000000000000"


def error_answer(api: str, status: int, message: str) -> Answer:
    """An error in the API's own shape."""
    if api == "rollbar":
        return Answer(status, _json({"err": 1, "message": message}), note=message)
    if api == "backtrace":
        return Answer(status, _json({"error": {"code": status, "message": message}}), note=message)
    if api == "appcenter":
        return Answer(status, _json({"status": "Failure", "message": message}), note=message)
    return Answer(status, _json({"error": message}), note=message)


def ok_answer(r: Route, sub: Submission | None) -> Answer:
    if r.api == "rollbar":
        uid = None
        if sub is not None and sub.document is not None and isinstance(sub.document.value, dict):
            data = sub.document.value.get("data")
            uid = data.get("uuid") if isinstance(data, dict) else None
        uid = uid if isinstance(uid, str) and uid else str(uuid.uuid4())
        return Answer(200, _json({"err": 0, "result": {"id": None, "uuid": uid}}))
    if r.api == "backtrace":
        if r.attachment:
            obj, name = r.attachment
            body = {"response": "ok", "_rxid": obj, "attachment_name": name, "attachment_id": "1", "object": obj}
            return Answer(200, _json(body))
        return Answer(200, _json({"response": "ok", "_rxid": new_rxid()}))
    return Answer(200, b"", content_type="text/plain")


# ------------------------------------------------------------------------------------------------ analysis


@dataclass(slots=True)
class Analysis:
    """The answer and what the record says about the payload.

    ``submission`` is set while the validation summary is still to be computed (``pending``): the answer does
    not depend on it outside strict mode, so the receiver answers first and calls :func:`finish_analysis` later.
    """

    answer: Answer
    format: str | None = None
    kind: str | None = None
    exception: str = ""
    problems: list[dict[str, str]] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    submission: Submission | None = None

    @property
    def pending(self) -> bool:
        return self.submission is not None

    def fill(self, record: CaptureRecord, scrub: Callable[[str], str]) -> None:
        """Set the record fields this analysis knows, every text passed through ``scrub`` (secrets out)."""
        record.format = None if self.format is None else scrub(self.format)
        record.kind = None if self.kind is None else scrub(self.kind)
        record.exception = scrub(self.exception)
        record.problems = [{k: scrub(v) for k, v in p.items()} for p in self.problems]
        record.errors = self.errors
        record.warnings = self.warnings


def _exception_summary(sub: Submission) -> str:
    try:
        reports = get_format(sub.format).reports(sub)
    except Exception:  # a report that cannot be built is shown in the inspector, not here
        return ""
    for report in reports:
        for exc in report.exceptions:
            text = f"{exc.type}: {exc.message}" if exc.type and exc.message else (exc.type or exc.message or "")
            if text:
                return text[:200]
        title = getattr(report.summary, "title", None)
        if title:
            return str(title)[:200]
    return ""


def _rollbar_body_token(sub: Submission | None) -> str | None:
    if sub is None or sub.document is None or not isinstance(sub.document.value, dict):
        return None
    token = sub.document.value.get("access_token")
    return token if isinstance(token, str) and token else None


def is_upload(r: Route) -> bool:
    """A Backtrace symbol or source-map upload (an archive, streamed to disk)."""
    return r.api == "backtrace" and r.format in UPLOAD_FORMATS and not r.attachment


def transport_answer(r: Route) -> Answer | None:
    """The checks the services make before looking at the payload (path, token, format, headers)."""
    if r.api == "unknown":
        return error_answer("unknown", 404, r.note)
    if r.api == "backtrace":
        if not r.token:
            return error_answer("backtrace", 403, "invalid token: the request carries no token")
        if not r.format:
            return error_answer("backtrace", 503, "missing format (add format=json or format=minidump)")
        if r.format not in BACKTRACE_FORMATS:
            return error_answer("backtrace", 400, f"unknown format {r.format!r}")
        if r.attachment:
            return ok_answer(r, None)
    if r.api == "appcenter":
        if not r.token:
            return error_answer("appcenter", 401, "missing App-Secret header")
        if not r.install_id:
            return error_answer("appcenter", 400, "missing Install-ID header")
        if r.format != "1.0.0":
            return error_answer("appcenter", 400, "the query must carry api-version=1.0.0")
    return None


def analyze(raw: bytes, r: Route, *, strict: bool, defer: bool = False) -> Analysis:
    """Read a captured request with the format core and decide the answer the vendor would give.

    Default mode answers success whenever the payload can be read at all and records its problems; ``strict``
    answers invalid payloads with the vendor's rejection (Rollbar 422 listing the problems; Backtrace and App
    Center 400). ``defer`` (ignored in strict mode, where the problems decide the answer) stops once the answer
    is known and leaves validation and the exception summary to :func:`finish_analysis`.
    """
    early = transport_answer(r)
    if early is not None:
        return Analysis(early)
    if r.api == "backtrace" and r.attachment:
        return Analysis(ok_answer(r, None), format="backtrace", kind="attachment")
    expects_json = r.api in ("rollbar", "appcenter") or r.format == "json"
    try:
        sub = load_bytes(raw, source_name="capture", format=r.api if expects_json else "auto")
    except Exception as exc:  # InspectorError, or a format module's bug: the capture is kept either way
        message = f"malformed request: {exc}" if isinstance(exc, InspectorError) else f"could not read: {exc!r}"
        if expects_json or strict:
            return Analysis(error_answer(r.api, 400, message), problems=[_load_problem(message)], errors=1)
        answer = ok_answer(r, None)
        answer.note = message
        return Analysis(answer, problems=[_load_problem(message)], errors=1)
    if r.api == "rollbar" and not (r.token or _rollbar_body_token(sub)):
        return Analysis(
            error_answer("rollbar", 401, "no access token: send X-Rollbar-Access-Token or access_token in the body"),
            format=sub.format,
            kind=sub.kind,
        )
    found = Analysis(ok_answer(r, sub), format=sub.format, kind=sub.kind, submission=sub)
    if defer and not strict:
        return found
    problems = finish_analysis(found)
    if strict and found.errors:
        lines = [f"{p.pointer or '/'}: {p.message}" for p in problems if p.severity is Severity.ERROR]
        if r.api == "rollbar":
            found.answer = error_answer("rollbar", 422, "invalid payload: " + "; ".join(lines))
        else:
            found.answer = error_answer(r.api, 400, "invalid payload: " + "; ".join(lines))
    return found


def finish_analysis(found: Analysis) -> list[Any]:
    """Validate the kept submission and fill the summary (exception, problems, counts); returns the problems.

    A validator that fails sets ``answer.note`` (the record's note) instead of losing the capture.
    """
    sub = found.submission
    if sub is None:
        return []
    try:
        problems = validate(sub)
    except Exception as exc:  # a validator bug must not lose the capture
        problems = []
        found.answer.note = f"validation failed: {exc}"
    found.exception = _exception_summary(sub)
    found.problems = [p.as_dict() for p in problems]
    found.errors = sum(p.severity is Severity.ERROR for p in problems)
    found.warnings = sum(p.severity is Severity.WARNING for p in problems)
    found.submission = None
    return problems


def describe_capture(raw: bytes, record: CaptureRecord) -> None:
    """Fill a record from its stored raw request, as the receiver would have.

    A recovered record (its JSON was lost) gets everything the request tells; a ``pending`` one (the process
    died between answering and validating) keeps what it has and gets its validation summary.
    """
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1", "replace").split("\r\n")
    headers = {}
    for line in head[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    r = route(record.method, record.target, headers)
    found = analyze(raw, r, strict=False)
    if record.pending:
        record.format = record.format or found.format
        record.kind = record.kind or found.kind
        # The notes about the receiver's own placeholders describe the stored copy, not what the sender sent.
        problems = [p for p in found.problems if "redacted by the receiver" not in p.get("message", "")]
        record.exception, record.problems = found.exception, problems
        record.errors = sum(p.get("severity") == "error" for p in problems)
        record.warnings = sum(p.get("severity") == "warning" for p in problems)
        if found.answer.note and not record.note:
            record.note = found.answer.note
        record.pending = False
        return
    record.api, record.format, record.kind, record.exception = r.api, found.format, found.kind, found.exception
    record.problems, record.errors, record.warnings = found.problems, found.errors, found.warnings
    record.size = len(raw.split(b"\r\n\r\n", 1)[-1])


def _load_problem(message: str) -> dict[str, str]:
    return {"severity": "error", "pointer": "", "message": message, "rule": "receiver"}


# ------------------------------------------------------------------------------------------------ raw bytes


def rebuild_request(
    request: web.BaseRequest,
    body: bytes | None,
    *,
    target: str | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> bytes:
    """The request as a ``.request.http`` file: request line and headers as received, then the body.

    aiohttp hands over a de-chunked body; when the request was chunked the body is written back as a single
    chunk, so the head stays verbatim and :func:`inspector.formats.envelope.decode` reads it the same way.
    ``body=None`` stores the head alone (a body refused unread). ``target``/``headers`` replace the received
    ones (the redacted request line and headers).
    """
    version = f"HTTP/{request.version.major}.{request.version.minor}"
    head = [f"{request.method} {request.raw_path if target is None else target} {version}".encode("latin-1")]
    head.extend(k + b": " + v for k, v in (request.raw_headers if headers is None else headers))
    out = b"\r\n".join(head) + b"\r\n\r\n"
    if body is None:
        return out
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if chunked:
        return out + (f"{len(body):x}\r\n".encode() + body + b"\r\n" if body else b"") + b"0\r\n\r\n"
    return out + body


# ------------------------------------------------------------------------------------------------ server


OnCapture = Callable[[CaptureRecord], None]
_SLOW_ANSWER = object()


def quick_answer(r: Route, clean: Redacted, content_type: str, *, strict: bool) -> Answer | None:
    """The vendor's answer from what redaction already decoded, without the format core; None when only a full
    read can tell (strict mode, a form or multipart body, JSON orjson does not read as an object).

    Gives the same answers as :func:`analyze` for the payloads it decides: the transport checks, success for
    Backtrace's binary formats, and for JSON bodies the object check, Rollbar's token rule and ``data.uuid``.
    """
    return quick_read(r, clean, content_type, strict=strict)[0]


def quick_read(
    r: Route, clean: Redacted, content_type: str, *, strict: bool
) -> tuple[Answer | None, str | None, str | None]:
    """:func:`quick_answer` plus the format and kind a JSON body shows (the format module's own ``detect``)."""
    early = transport_answer(r)
    if early is not None or strict:
        return early, None, None
    if r.api == "backtrace" and r.format != "json":
        # minidump, plcrash, btt: success whatever the body (problems go in the record)
        return ok_answer(r, None), None, None
    ctype = content_type.lower()
    if clean.plain is None or "multipart/" in ctype or "form-urlencoded" in ctype or clean.plain[:8] == b"payload=":
        return None, None, None
    try:
        value = orjson.loads(clean.plain)
    except orjson.JSONDecodeError:
        return None, None, None
    if not isinstance(value, dict):
        return None, None, None
    fmt = kind = None
    try:
        found = get_format(r.api).detect(Envelope(body=clean.plain), value)
    except Exception:  # the second stage reads it properly
        found = None
    if found is not None:
        fmt, kind = found.format, found.kind
    if r.api == "rollbar":
        token = value.get("access_token")
        if not r.token and not (isinstance(token, str) and token):
            return (
                error_answer(
                    "rollbar", 401, "no access token: send X-Rollbar-Access-Token or access_token in the body"
                ),
                None,
                None,
            )
        data = value.get("data")
        uid = data.get("uuid") if isinstance(data, dict) else None
        uid = uid if isinstance(uid, str) and uid else str(uuid.uuid4())
        return Answer(200, _json({"err": 0, "result": {"id": None, "uuid": uid}})), fmt, kind
    return ok_answer(r, None), fmt, kind


@dataclass(slots=True)
class _Prepared:
    """Stage one of a request: what may be stored, the answer, and (strict mode, errors) the analysis."""

    clean: Redacted | None
    answer: Answer
    analysis: Analysis | None = None
    format: str | None = None
    kind: str | None = None


class Receiver:
    """The server. ``start()`` binds and returns the port; ``stop()`` stops listening, lets requests in flight
    finish (their stores included), lets the second stage finish the captures already answered, and closes.

    Stage one (this class, on the event loop): read the body within the limits, redact it, decide the answer
    (:func:`quick_answer`; the format core only when that cannot tell), append the redacted request and its
    record to the journal and answer once the group commit holding it is durable. Stage two
    (:mod:`inspector.net.indexer`, a child process): inbox files, validation, summary. ``on_pending`` is called
    on the loop thread right after answering (record still ``pending`` validation), ``on_capture`` with the
    finished record (once per capture).
    """

    def __init__(
        self,
        store: CaptureStore,
        config: ReceiverConfig | None = None,
        on_capture: OnCapture | None = None,
        on_pending: OnCapture | None = None,
    ):
        self.store = store
        self.config = config or ReceiverConfig()
        self.on_capture = on_capture
        self.on_pending = on_pending
        self.port: int | None = None
        self.in_flight = 0
        self.count = 0
        self.indexed = 0
        self._runner: web.ServerRunner | None = None
        self._slots: asyncio.Semaphore | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._writer: CaptureWriter | None = None
        self._indexer: Indexer | None = None
        self._writes: set[asyncio.Future[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.budget: ByteBudget | None = None

    @property
    def url(self) -> str:
        host = self.config.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}"

    @property
    def pending(self) -> int:
        """Captures answered whose second stage (files, validation) is not finished yet."""
        return max(0, self.count - self.indexed)

    def _memory_limit(self) -> int:
        cfg = self.config
        return cfg.memory_limit or max(256 * 1024 * 1024, 3 * cfg.max_body + 1024 * 1024)

    async def start(self) -> int:
        cfg = self.config
        quiet_aiohttp_errors()
        self._loop = asyncio.get_running_loop()
        self._slots = asyncio.Semaphore(cfg.max_concurrency)
        self.budget = ByteBudget(self._memory_limit())
        self._pool = ThreadPoolExecutor(max_workers=cfg.workers, thread_name_prefix="receiver-parse")
        loop = asyncio.get_running_loop()
        # What a killed receiver left in the journal becomes inbox files (pending: finished in the background).
        await loop.run_in_executor(self._pool, self.store.replay_journal)
        self._indexer = Indexer(
            self.store, self._indexed, self._released, describe=describe_capture, use_process=cfg.index_process
        )
        self._indexer.start()
        self._writer = CaptureWriter(
            self.store.root,
            max_batch=cfg.max_batch,
            on_commit=self._indexer.committed,
            on_rotate=self._indexer.rotated,
            on_durable=self.store.write_files,
            on_deferred=self._deferred_files,
        )
        # aiohttp's low-level server: no router, no middleware (one handler serves every path).
        server = web.Server(
            self._handle,
            access_log=None,
            auto_decompress=False,  # keep gzip bodies as received; redaction and the format core decompress
            keepalive_timeout=cfg.header_timeout,  # also closes connections whose head never completes
            lingering_time=2.0,  # after an early 413, drain briefly so the client can read the answer
            max_field_size=64 * 1024,
            max_line_size=64 * 1024,
        )
        self._runner = web.ServerRunner(server, handle_signals=False, shutdown_timeout=cfg.shutdown_timeout)
        await self._runner.setup()
        site = web.TCPSite(self._runner, cfg.host, cfg.port, backlog=1024)
        try:
            await site.start()
        except BaseException:
            await self._runner.cleanup()
            await self._close_stages(0.0)
            raise
        listening = site._server  # the asyncio Server: read the port the OS chose for port 0
        sockets = getattr(listening, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else cfg.port
        # Captures a previous run answered but did not get to validate: finish them in the background.
        self._track(loop.run_in_executor(self._pool, self.store.finish_pending, describe_capture))
        return self.port

    async def stop(self) -> None:
        """Stop listening, let the requests in flight finish (bodies, stores, answers), let the second stage
        finish what was answered (within ``shutdown_timeout``; what is left stays in the journal for the next
        load or start), close.

        aiohttp's own shutdown drops data that arrives after it begins, so a request still uploading its body
        would be lost; hence the wait for :attr:`in_flight` before ``cleanup()``.
        """
        deadline = time.monotonic() + self.config.shutdown_timeout
        if self._runner is not None:
            for site in list(self._runner.sites):
                await site.stop()
            while self.in_flight and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            await self._runner.cleanup()
            self._runner = None
        while self._writes:
            await asyncio.gather(*list(self._writes), return_exceptions=True)
        await self._close_stages(max(0.5, deadline - time.monotonic()))
        await asyncio.sleep(0)  # deliver the last records the second stage reported

    async def _close_stages(self, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        if self._writer is not None:
            await loop.run_in_executor(None, self._writer.close)
        if self._indexer is not None:
            await loop.run_in_executor(None, self._indexer.stop, timeout)
            self._indexer = None
        if self._writer is not None:
            self._writer.release_all()  # segments not finished: replayed by the next load or start
            self._writer = None
            journal_forget(self.store.root)
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _track(self, future: asyncio.Future[Any]) -> asyncio.Future[Any]:
        self._writes.add(future)
        future.add_done_callback(self._writes.discard)
        return future

    # -- the second stage reports (on its reader thread) -------------------------------------------------

    def _indexed(self, record: CaptureRecord) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._deliver, record)

    def _deferred_files(self, entries: list[tuple[str, Path, int, int, bytes]]) -> None:
        journal_note(self.store.root, entries)  # listed and readable from the journal until the files exist

    def _deliver(self, record: CaptureRecord) -> None:
        journal_forget(self.store.root, record.id)
        self.indexed += 1
        self._notify(self.on_capture, record)

    def _released(self, segment: Path) -> None:
        if self._writer is not None:
            self._writer.release(segment)

    # -- request handling --------------------------------------------------------------------------------

    async def _expect(self, request: web.BaseRequest) -> web.StreamResponse | None:
        """``Expect: 100-continue``: refuse a body declared over the cap before it is sent, else continue."""
        expect = request.headers.get("Expect", "").strip().lower()
        if expect != "100-continue":
            return web.json_response({"error": f"unsupported Expect: {expect!r}"}, status=417)
        r = route(request.method, request.raw_path, {k.lower(): v for k, v in request.headers.items()})
        cap = self.config.max_upload if is_upload(r) else self.config.max_body
        if request.content_length is not None and request.content_length > cap:
            answer = self._too_large(r, request.content_length, cap)
            resp = web.Response(status=answer.status, body=answer.body, content_type=answer.content_type)
            resp.force_close()
            return resp
        if request.version >= (1, 1):
            await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            request.writer.output_size = 0
        return None

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        if request.headers.get("Expect"):
            refused = await self._expect(request)
            if refused is not None:
                return refused
        if request.method not in ("POST", "PUT"):
            if request.method in ("GET", "HEAD") and request.path == "/":
                return web.json_response({"service": "crash-inspector receiver", "captured": self.count})
            return web.json_response({"error": "only POST is accepted"}, status=405, headers={"Allow": "POST"})
        self.in_flight += 1
        try:
            return await self._process(request)
        finally:
            self.in_flight -= 1

    async def _process(self, request: web.BaseRequest) -> web.StreamResponse:
        cfg = self.config
        received = time.time()
        lower = {k.lower(): v for k, v in request.headers.items()}
        r = route(request.method, request.raw_path, lower)
        if is_upload(r):
            return await self._upload(request, r, received)
        assert self.budget is not None and self._slots is not None
        held = Held(self.budget)
        try:
            body: bytes | None = None
            answer: Answer | None = None
            length = request.content_length
            if length is not None and length > cfg.max_body:
                answer = self._too_large(r, length, cfg.max_body)
            else:
                try:
                    body = await read_body(request.content, cfg, held, content_length=length)
                except BodyTooLarge:
                    answer = self._too_large(r, None, cfg.max_body)
                except TimeoutError:
                    answer = error_answer(r.api, 408, "the client sent the body too slowly (timed out)")
                except BudgetExhausted:
                    answer = error_answer(r.api, 503, "the receiver is busy (memory budget full): retry later")
            # The slots bound the work in progress; slow clients never hold one (bodies are read before).
            async with self._slots:
                return await self._answer(request, r, received, body, answer, held)
        finally:
            held.release()

    async def _answer(
        self, request: web.BaseRequest, r: Route, received: float, body: bytes | None, answer: Answer | None, held: Held
    ) -> web.StreamResponse:
        cfg = self.config
        headers = list(request.raw_headers)
        content_type = request.headers.get("Content-Type", "")
        prepared: _Prepared | None = None
        if answer is None:
            assert body is not None
            encoding = request.headers.get("Content-Encoding", "").strip().lower()
            compressed = encoding not in ("", "identity")
            # Small plain bodies are handled right here (a hop to a worker costs more than the work); big or
            # compressed ones on a worker, with what inflating may produce reserved in the memory budget first.
            if len(body) <= cfg.inline_max and (not compressed or len(body) <= 2048):
                prepared = self._prepare(request, r, body, headers, content_type)
            else:
                if compressed:
                    try:
                        await held.take(min(cfg.max_body, len(body) * 1100) * 2, cfg.read_timeout)
                    except BudgetExhausted:
                        answer = error_answer(r.api, 503, "the receiver is busy (memory budget full): retry later")
                if answer is None:
                    loop = asyncio.get_running_loop()
                    prepared = await loop.run_in_executor(
                        self._pool, self._prepare, request, r, body, headers, content_type
                    )
            if prepared is not None:
                answer = prepared.answer
        assert answer is not None
        clean = prepared.clean if prepared is not None else None
        if clean is None:  # refused before or while reading: the head alone, its secrets out
            clean = redact_request(request.raw_path, headers, None)
            body = None
        analysis = prepared.analysis if prepared is not None else None
        stored_body = clean.body if body is not None else None
        raw = rebuild_request(request, stored_body, target=clean.target, headers=clean.headers)
        # Pending: answered before the second stage read it (outside strict mode, successful answers).
        pending = body is not None and not cfg.strict and answer.status < 300 and analysis is None
        note = answer.note or r.note
        if clean.removed:
            note = "; ".join([*([note] if note else []), *clean.removed])
        peer = request.transport.get_extra_info("peername") if request.transport else None
        record = CaptureRecord(
            id=self.store.new_id(received),
            time=received,
            api=r.api,
            method=request.method,
            target=clean.target,
            client=f"{peer[0]}:{peer[1]}" if peer else "",
            size=len(body) if body is not None else (request.content_length or 0),
            status=answer.status,
            note=clean.scrub(note),
            body_stored=body is not None and not (body and not clean.body),
            redacted=clean.entries,
            body_recompressed=clean.recompressed,
            pending=pending,
            removed=list(clean.removed),
        )
        if analysis is not None:
            analysis.fill(record, clean.scrub)
        elif prepared is not None:
            record.format, record.kind = prepared.format, prepared.kind
        held.release()  # the body is copied into ``raw``: its budget goes to the next request
        response = await self._commit(record, raw)
        if response is not None:
            return response
        resp = web.Response(status=answer.status, body=answer.body, content_type=answer.content_type)
        if body is None:
            resp.force_close()  # the rest of the body was never read: the connection cannot be reused
        return resp

    async def _commit(self, record: CaptureRecord, raw: bytes) -> web.StreamResponse | None:
        """Append to the journal and wait until durable (shielded: a disconnect never cuts a write in half)."""
        assert self._writer is not None
        write = self._track(self._writer.submit(orjson.dumps(record.as_dict()), raw, record.id))
        try:
            await asyncio.shield(write)
        except OSError as exc:
            return web.json_response({"error": f"could not store the request: {exc}"}, status=500)
        self.count += 1
        if record.pending:
            self._notify(self.on_pending, record)
        return None

    def _prepare(
        self, request: web.BaseRequest, r: Route, body: bytes, headers: list[tuple[bytes, bytes]], content_type: str
    ) -> _Prepared:
        """Stage one's CPU work (on the loop for small bodies, on a worker for big ones): redact, answer."""
        cfg = self.config
        try:
            clean = redact_request(request.raw_path, headers, body, max_inflated=cfg.max_body)
        except InflatedTooLarge:
            limit = cfg.max_body
            return _Prepared(
                None,
                error_answer(
                    r.api,
                    413,
                    f"request entity too large: the body inflates beyond {limit} bytes (the receiver accepts {limit})",
                ),
            )
        answer, fmt, kind = quick_read(r, clean, content_type, strict=cfg.strict)
        if answer is not None:
            return _Prepared(clean, answer, format=fmt, kind=kind)
        # The format core decides: read the request as received (never stored).
        analysis = analyze(rebuild_request(request, body), r, strict=cfg.strict, defer=not cfg.strict)
        if analysis.pending:  # success outside strict mode: the second stage validates the stored request
            return _Prepared(clean, analysis.answer, format=analysis.format, kind=analysis.kind)
        return _Prepared(clean, analysis.answer, analysis)

    async def _upload(self, request: web.BaseRequest, r: Route, received: float) -> web.StreamResponse:
        """A symbol or source-map archive (:mod:`inspector.net.receiver_uploads`): streamed to the inbox."""
        cfg = self.config
        capture_id = self.store.new_id(received)
        kind = r.format or "symbols"
        early = transport_answer(r)
        upload: Upload | None = None
        answer = early
        if answer is None:
            length = request.content_length
            if length is not None and length > cfg.max_upload:
                answer = self._too_large(r, length, cfg.max_upload)
            else:
                try:
                    upload = await receive_upload(request, self.store.root, capture_id, kind, cfg, cfg.max_upload)
                except MalformedUpload as exc:
                    answer = error_answer("backtrace", 400, f"malformed request: {exc}")
                except BodyTooLarge:
                    answer = self._too_large(r, None, cfg.max_upload)
                except TimeoutError:
                    answer = error_answer("backtrace", 408, "the client sent the body too slowly (timed out)")
                except ValueError as exc:  # aiohttp's multipart reader on a broken body
                    answer = error_answer("backtrace", 400, f"malformed request: {exc}")
                else:
                    answer = Answer(200, _json({"response": "ok", "_rxid": new_rxid()}))
        clean = redact_request(request.raw_path, list(request.raw_headers), None)
        head_only = [(k, b"0" if k.lower() == b"content-length" else v) for k, v in clean.headers]
        raw = rebuild_request(request, None, target=clean.target, headers=head_only)
        peer = request.transport.get_extra_info("peername") if request.transport else None
        note = answer.note or ""
        if upload is not None and upload.archive is not None:
            note = (
                f"{kind} archive stored as {upload.archive.name} ({upload.archive_size} bytes, sha256 {upload.sha256})"
            )
        record = CaptureRecord(
            id=capture_id,
            time=received,
            api="backtrace",
            method=request.method,
            target=clean.target,
            client=f"{peer[0]}:{peer[1]}" if peer else "",
            size=upload.size if upload else (request.content_length or 0),
            status=answer.status,
            format="backtrace",
            kind=kind,
            note=clean.scrub(note),
            body_stored=upload is not None,
            redacted=clean.entries,
            tags=[clean.scrub(t) for t in upload.tags] if upload else [],
            archive=upload.archive.name if upload and upload.archive else "",
            archive_size=upload.archive_size if upload else 0,
        )
        response = await self._commit(record, raw)
        if response is not None:
            return response
        resp = web.Response(status=answer.status, body=answer.body, content_type=answer.content_type)
        if upload is None:
            resp.force_close()
        return resp

    @staticmethod
    def _notify(listener: OnCapture | None, record: CaptureRecord) -> None:
        if listener is None:
            return
        try:
            listener(record)
        except Exception:  # a listener's bug must not turn into a 500 for the SDK
            pass

    def _too_large(self, r: Route, length: int | None, limit: int) -> Answer:
        size = f"{length} bytes" if length is not None else "more than the limit"
        return error_answer(r.api, 413, f"request entity too large: {size} (the receiver accepts {limit})")


# ------------------------------------------------------------------------------------------------ threading


class ReceiverThread:
    """Runs a :class:`Receiver` on its own thread with its own event loop (for the window and for tests).

    ``start()`` blocks until the port is bound (returns it) or raises the bind error; ``stop()`` shuts down
    gracefully and joins the thread. ``on_capture`` (finished record) and ``on_pending`` (answered, validation
    still running) are called on the receiver's thread.
    """

    def __init__(
        self,
        store: CaptureStore,
        config: ReceiverConfig | None = None,
        on_capture: OnCapture | None = None,
        on_pending: OnCapture | None = None,
    ):
        self.receiver = Receiver(store, config, on_capture, on_pending)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stopping: asyncio.Event | None = None

    @property
    def port(self) -> int | None:
        return self.receiver.port

    @property
    def url(self) -> str:
        return self.receiver.url

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 10.0) -> int:
        self._thread = threading.Thread(target=self._run, name="crash-inspector-receiver", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the receiver did not start in time")
        if self._error is not None:
            self._thread.join()
            raise self._error
        assert self.receiver.port is not None
        return self.receiver.port

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        try:
            await self.receiver.start()
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        await self._stopping.wait()
        await self.receiver.stop()

    def stop(self, timeout: float | None = 60.0) -> None:
        if self._loop is not None and self._stopping is not None and self.running:
            with contextlib.suppress(RuntimeError):  # the loop already closed
                self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(timeout)


__all__ = [
    "Analysis",
    "Receiver",
    "ReceiverConfig",
    "ReceiverThread",
    "Route",
    "analyze",
    "describe_capture",
    "exposure_warning",
    "is_loopback",
    "quick_answer",
    "rebuild_request",
    "route",
    "transport_answer",
]
