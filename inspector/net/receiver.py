"""The local receiver: an aiohttp server that answers like the three ingestion APIs and stores every request.

Endpoints (see reference/sdk_endpoints.md for how each SDK is pointed here):

* Backtrace ``POST /{universe}/{token}/{format}``, ``POST /post?format=&token=``, ``POST /api/post?format=&token=``
  (+ ``&object=&attachment_name=`` attachment uploads). Answers ``{"response":"ok","_rxid":"..."}``.
* Rollbar ``POST /api/1/item/``: answers ``{"err":0,"result":{"id":null,"uuid":"..."}}`` or ``{"err":1,"message":...}``.
* App Center ``POST /logs?api-version=1.0.0`` (query key matched case-insensitively): answers an empty 200.

Each request is read with a size cap and timeouts, rebuilt into the bytes of a ``.request.http`` file (head as
received; body as received, gzip kept; a chunked body is re-framed as one chunk so the head stays verbatim),
read by :func:`inspector.formats.load_bytes` (as much as the answer needs), stored durably, and only then
answered. What is stored has its secrets (tokens, app secrets) replaced by same-length placeholders first
(:mod:`inspector.net.capture_secrets`): the answer and the recorded problems come from the request as received,
the files never hold a secret.

Where the time goes: small bodies are parsed and redacted on the loop thread (a hop to a worker and back cost
more than the work, and CPU-bound workers starve the loop of the GIL); large bodies go to a small thread pool.
Captures are written by one writer thread in batches (:mod:`inspector.net.writer`: group commit, one folder fsync
and one loop wake-up per batch), and each request is answered once the batch holding it is durable. Outside strict
mode validation does not change the answer, so it runs after answering: the record is stored ``pending`` and
rewritten when the summary is ready; a restart finishes pending records a killed process left. Nothing here
imports Qt; :class:`ReceiverThread` runs the whole server on its own thread and event loop for the window.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ipaddress
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from inspector.formats import (
    InspectorError,
    Severity,
    Submission,
    get_format,
    load_bytes,
    validate,
)
from inspector.net.capture_secrets import BACKTRACE_FORMATS, Redacted, redact_request
from inspector.net.store import CaptureRecord, CaptureStore, record_bytes
from inspector.net.writer import CaptureWriter

DEFAULT_MAX_BODY = 64 * 1024 * 1024
JSON_TYPE = "application/json"


@dataclass(slots=True)
class ReceiverConfig:
    """How the receiver listens and how patient it is.

    ``header_timeout``: a connection that has not sent a whole request head (or sits idle between requests)
    this long is closed. ``read_timeout``: longest pause between two body reads; ``body_timeout``: longest
    time for a whole body. ``max_concurrency``: requests read and processed at once (others wait their turn).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    strict: bool = False
    max_body: int = DEFAULT_MAX_BODY
    header_timeout: float = 30.0
    read_timeout: float = 30.0
    body_timeout: float = 300.0
    max_concurrency: int = 64
    shutdown_timeout: float = 30.0
    workers: int = 2  # threads parsing and validating large bodies (CPU bound: more do not help under the GIL)
    store_workers: int = 8  # threads fsyncing the files of a batch in parallel (they wait on the disk)
    inline_max: int = 256 * 1024  # bodies up to this size are parsed and redacted on the loop thread
    #: Bodies at least this large are answered before their validation is done (stored ``pending``, record
    #: rewritten later); smaller ones are validated first, which costs less than writing the record twice.
    defer_min: int = 64 * 1024
    max_batch: int = 128  # captures written together, covered by one folder fsync (group commit)
    max_pending: int = 1024  # answered captures waiting for validation; beyond it answers wait their turn


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
        return Route("appcenter", token=headers.get("app-secret"), format=qi.get("api-version"),
                     install_id=headers.get("install-id"))
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
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


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

    def fields(self) -> dict[str, Any]:
        """The record fields this analysis fills."""
        return {
            "format": self.format, "kind": self.kind, "exception": self.exception, "problems": self.problems,
            "errors": self.errors, "warnings": self.warnings,
        }


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


def analyze(raw: bytes, r: Route, *, strict: bool, defer: bool = False) -> Analysis:
    """Read a captured request with the format core and decide the answer the vendor would give.

    Default mode answers success whenever the payload can be read at all and records its problems; ``strict``
    answers invalid payloads with the vendor's rejection (Rollbar 422 listing the problems; Backtrace and App
    Center 400). ``defer`` (ignored in strict mode, where the problems decide the answer) stops once the answer
    is known and leaves validation and the exception summary to :func:`finish_analysis`.
    """
    if r.api == "unknown":
        return Analysis(error_answer("unknown", 404, r.note))
    # Transport-level checks the services make before looking at the payload.
    if r.api == "backtrace":
        if not r.token:
            return Analysis(error_answer("backtrace", 403, "invalid token: the request carries no token"))
        if not r.format:
            return Analysis(error_answer("backtrace", 503, "missing format (add format=json or format=minidump)"))
        if r.format not in BACKTRACE_FORMATS:
            return Analysis(error_answer("backtrace", 400, f"unknown format {r.format!r}"))
        if r.attachment:
            return Analysis(ok_answer(r, None), format="backtrace", kind="attachment")
    if r.api == "appcenter":
        if not r.token:
            return Analysis(error_answer("appcenter", 401, "missing App-Secret header"))
        if not r.install_id:
            return Analysis(error_answer("appcenter", 400, "missing Install-ID header"))
        if r.format != "1.0.0":
            return Analysis(error_answer("appcenter", 400, "the query must carry api-version=1.0.0"))
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
            format=sub.format, kind=sub.kind,
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
        record.exception, record.problems = found.exception, found.problems
        record.errors, record.warnings = found.errors, found.warnings
        if found.answer.note.startswith("validation failed") and not record.note:
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


class BodyTooLarge(Exception):
    pass


OnCapture = Callable[[CaptureRecord], None]


@dataclass(slots=True)
class _Deferred:
    """A capture answered and stored as pending, waiting for its validation summary."""

    record: CaptureRecord
    analysis: Analysis
    clean: Redacted
    inline: bool
    route_note: str


class Receiver:
    """The server. ``start()`` binds and returns the port; ``stop()`` stops listening, lets requests in flight
    finish (their stores included), finishes the validations still pending and closes.

    A request is answered once its capture (redacted raw request + record) is durable. Outside strict mode the
    validation summary does not change the answer, so it is computed after answering: the record is stored with
    ``pending=True`` and rewritten when validation is done. ``on_capture`` is called on the loop thread with the
    finished record (once per capture); ``on_pending``, when given, right after answering with the pending one.
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
        self._runner: web.AppRunner | None = None
        self._slots: asyncio.Semaphore | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._writer: CaptureWriter | None = None
        self._writes: set[asyncio.Future[Any]] = set()
        self._deferred: asyncio.Queue[_Deferred] | None = None
        self._validator: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        host = self.config.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}"

    @property
    def pending(self) -> int:
        """Captures answered whose validation is not finished yet."""
        return self._deferred.qsize() if self._deferred is not None else 0

    async def start(self) -> int:
        cfg = self.config
        self._slots = asyncio.Semaphore(cfg.max_concurrency)
        self._pool = ThreadPoolExecutor(max_workers=cfg.workers, thread_name_prefix="receiver-parse")
        self._writer = CaptureWriter(max_batch=cfg.max_batch, fsync_workers=cfg.store_workers)
        self._deferred = asyncio.Queue(maxsize=cfg.max_pending)
        app = web.Application(client_max_size=cfg.max_body)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app,
            handle_signals=False,
            access_log=None,
            auto_decompress=False,  # keep gzip bodies as received; the format core decompresses
            keepalive_timeout=cfg.header_timeout,  # also closes connections whose head never completes
            lingering_time=2.0,  # after an early 413, drain briefly so the client can read the answer
            shutdown_timeout=cfg.shutdown_timeout,
            max_field_size=64 * 1024,
            max_line_size=64 * 1024,
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, cfg.host, cfg.port, backlog=256)
        try:
            await site.start()
        except BaseException:
            await self._runner.cleanup()
            self._pool.shutdown(wait=False)
            self._writer.close()
            raise
        server = site._server  # the asyncio Server: read the port the OS chose for port 0
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else cfg.port
        self._validator = asyncio.create_task(self._validate_loop())
        # Captures a previous run answered but did not get to validate (killed): finish them in the background.
        self._track(asyncio.get_running_loop().run_in_executor(self._pool, self.store.finish_pending, describe_capture))
        return self.port

    async def stop(self) -> None:
        """Stop listening, let the requests in flight finish (bodies, stores, answers), finish the pending
        validations (within ``shutdown_timeout``; what is left stays pending on disk for the next start), close.

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
        if self._deferred is not None and self._validator is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.1, deadline - time.monotonic())):
                    await self._deferred.join()
            self._validator.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._validator
            self._validator = None
            while not self._deferred.empty():  # out of time: left pending on disk, finished by the next load/start
                self.store.mark_live(self._deferred.get_nowait().record.id, False)
        while self._writes:
            await asyncio.gather(*list(self._writes), return_exceptions=True)
        if self._writer is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._writer.close)
            self._writer = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        self._pool = None

    def _track(self, future: asyncio.Future[Any]) -> asyncio.Future[Any]:
        self._writes.add(future)
        future.add_done_callback(self._writes.discard)
        return future

    # -- request handling --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.method not in ("POST", "PUT"):
            if request.method in ("GET", "HEAD") and request.path == "/":
                return web.json_response({"service": "crash-inspector receiver", "captured": self.count})
            return web.json_response({"error": "only POST is accepted"}, status=405, headers={"Allow": "POST"})
        assert self._slots is not None
        self.in_flight += 1
        try:
            async with self._slots:
                return await self._process(request)
        finally:
            self.in_flight -= 1

    async def _process(self, request: web.Request) -> web.StreamResponse:
        cfg = self.config
        received = time.time()
        lower = {k.lower(): v for k, v in request.headers.items()}
        r = route(request.method, request.raw_path, lower)
        analysis: Analysis | None = None
        body: bytes | None
        if request.content_length is not None and request.content_length > cfg.max_body:
            body, answer = None, self._too_large(r, request.content_length)
        else:
            try:
                body = await self._read_body(request)
            except BodyTooLarge:
                body, answer = None, self._too_large(r, None)
            except TimeoutError:
                body, answer = None, error_answer(r.api, 408, "the client sent the body too slowly (timed out)")
            else:
                answer = None
        loop = asyncio.get_running_loop()
        # Small bodies are parsed and redacted right here: cheaper than a hop to a worker thread and back (and
        # no GIL ping-pong with the loop); large ones go to the workers so the loop keeps serving.
        inline = body is None or len(body) <= cfg.inline_max
        if answer is None:
            assert body is not None
            received_raw = rebuild_request(request, body)  # analysed as received; never stored
            defer = len(body) >= cfg.defer_min
            if inline:
                analysis = analyze(received_raw, r, strict=cfg.strict, defer=defer)
            else:
                analysis = await loop.run_in_executor(
                    self._pool, lambda: analyze(received_raw, r, strict=cfg.strict, defer=defer))
            answer = analysis.answer
        # Secrets never reach the disk: the stored request and every text of its record are redacted.
        if inline:
            clean = redact_request(request.raw_path, list(request.raw_headers), body)
        else:
            clean = await loop.run_in_executor(self._pool, redact_request, request.raw_path,
                                               list(request.raw_headers), body)
        raw = rebuild_request(request, clean.body, target=clean.target, headers=clean.headers)
        fields = {k: clean.scrub_value(v) for k, v in analysis.fields().items()} if analysis is not None else {}
        pending = analysis is not None and analysis.pending
        peer = request.transport.get_extra_info("peername") if request.transport else None
        record = CaptureRecord(
            id=self.store.new_id(received), time=received, api=r.api, method=request.method,
            target=clean.target, client=f"{peer[0]}:{peer[1]}" if peer else "",
            size=len(body) if body is not None else (request.content_length or 0), status=answer.status,
            note=clean.scrub(answer.note or r.note), body_stored=body is not None, redacted=clean.entries,
            body_recompressed=clean.recompressed, pending=pending, **fields,
        )
        if pending:
            self.store.mark_live(record.id)
        # Store before answering (group commit on the writer thread); shielded so a disconnect or shutdown never
        # interrupts a write half-way.
        assert self._writer is not None
        write = self._track(self._writer.submit(
            [(self.store.raw_path(record.id), raw), (self.store.meta_path(record.id), record_bytes(record))]))
        try:
            await asyncio.shield(write)
        except OSError as exc:
            self.store.mark_live(record.id, False)
            return web.json_response({"error": f"could not store the request: {exc}"}, status=500)
        self.count += 1
        if pending:
            assert analysis is not None and self._deferred is not None
            self._notify(self.on_pending, record)
            # Bounded: when validation falls far behind, answers wait here (the capture is already durable).
            await self._deferred.put(_Deferred(record, analysis, clean, inline, r.note))
        else:
            self._notify(self.on_capture, record)
        resp = web.Response(status=answer.status, body=answer.body, content_type=answer.content_type)
        if body is None:
            resp.force_close()  # the rest of the body was never read: the connection cannot be reused
        return resp

    @staticmethod
    def _notify(listener: OnCapture | None, record: CaptureRecord) -> None:
        if listener is None:
            return
        try:
            listener(record)
        except Exception:  # a listener's bug must not turn into a 500 for the SDK
            pass

    # -- validation after the answer ---------------------------------------------------------------------

    async def _validate_loop(self) -> None:
        """Finish pending captures in arrival order: validate, rewrite the record (durably), report it."""
        assert self._deferred is not None
        loop = asyncio.get_running_loop()
        while True:
            item = await self._deferred.get()
            try:
                if item.inline:
                    finish_analysis(item.analysis)
                else:
                    await loop.run_in_executor(self._pool, finish_analysis, item.analysis)
                clean = item.clean
                # A new object: the pending one may still be read by an ``on_pending`` listener's thread.
                record = dataclasses.replace(
                    item.record, note=clean.scrub(item.analysis.answer.note or item.route_note), pending=False,
                    **{key: clean.scrub_value(value) for key, value in item.analysis.fields().items()},
                )
                self._track(asyncio.ensure_future(self._store_finished(record)))
            except Exception:  # the capture stays pending on disk; the next start finishes it
                self.store.mark_live(item.record.id, False)
            finally:
                self._deferred.task_done()
            await asyncio.sleep(0)  # let the requests waiting on the loop go first

    async def _store_finished(self, record: CaptureRecord) -> None:
        assert self._writer is not None
        try:
            await self._writer.submit([(self.store.meta_path(record.id), record_bytes(record))])
        except OSError:
            return  # still pending on disk: finished again on the next load or start
        finally:
            self.store.mark_live(record.id, False)
        self._notify(self.on_capture, record)

    def _too_large(self, r: Route, length: int | None) -> Answer:
        size = f"{length} bytes" if length is not None else "more than the limit"
        limit = self.config.max_body
        return error_answer(r.api, 413, f"request entity too large: {size} (the receiver accepts {limit})")

    async def _read_body(self, request: web.Request) -> bytes:
        """Read the whole body with the size cap, a per-read idle timeout and an overall deadline."""
        cfg = self.config
        chunks: list[bytes] = []
        total = 0
        async with asyncio.timeout(cfg.body_timeout):
            while True:
                async with asyncio.timeout(cfg.read_timeout):
                    chunk = await request.content.readany()
                if not chunk:
                    break
                total += len(chunk)
                if total > cfg.max_body:
                    raise BodyTooLarge()
                chunks.append(chunk)
        return b"".join(chunks)


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
    "rebuild_request",
    "route",
]
