"""The receiver's server (:class:`Receiver`): stage one on the event loop (read within limits, redact, answer after
the group commit) and the second stage it starts. See :mod:`inspector.net.receiver` for the whole picture.
Nothing here imports Qt."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from inspector.net.capture_secrets import redact_request
from inspector.net.indexer import Indexer
from inspector.net.receiver_analysis import describe_capture
from inspector.net.receiver_answers import (
    Answer,
    Route,
    error_answer,
    is_upload,
    route,
    success_answer,
    transport_answer,
)
from inspector.net.receiver_config import ReceiverConfig
from inspector.net.receiver_limits import (
    BodyTooLarge,
    BudgetExhausted,
    ByteBudget,
    Held,
    quiet_aiohttp_errors,
    read_body,
)
from inspector.net.receiver_requests import Prepared, prepare, rebuild_request
from inspector.net.receiver_uploads import MalformedUpload, Upload, receive_upload
from inspector.net.store import CaptureRecord, CaptureStore, journal_forget, journal_note
from inspector.net.writer import CaptureWriter

OnCapture = Callable[[CaptureRecord], None]


class Receiver:
    """The server. ``start()`` binds and returns the port; ``stop()`` stops listening, lets requests in flight
    finish (their stores included), lets the second stage finish the captures already answered, and closes.

    Stage one (this class, on the event loop): read the body within the limits, redact it, decide the answer
    (:func:`~inspector.net.receiver_answers.quick_answer`; the format core only when that cannot tell), append
    the redacted request and its record to the journal and answer once the group commit holding it is durable.
    Stage two
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
        self.journal_batches = 0  # group commits (one write + one fdatasync each) and the captures in them,
        self.journal_items = 0  # counted when the writer closes
        self._runner: web.ServerRunner | None = None
        self._slots: asyncio.Semaphore | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._writer: CaptureWriter | None = None
        self._indexer: Indexer | None = None
        self._writes: set[asyncio.Future[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reported: list[CaptureRecord] = []  # finished records the second stage reported, to deliver
        self._reported_lock = threading.Lock()
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
        started = time.time()  # pending records from before are a previous run's: finished below
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
        finish = functools.partial(self.store.finish_pending, describe_capture, older_than=started)
        self._track(loop.run_in_executor(self._pool, finish))
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
            self.journal_batches, self.journal_items = self._writer.batches, self._writer.items
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
        # Records reported meanwhile are delivered together: one wake-up of the loop per batch, not per record
        # (a delivery is scheduled exactly when the list turns non-empty).
        with self._reported_lock:
            self._reported.append(record)
            if len(self._reported) > 1:
                return
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._deliver_reported)

    def _deliver_reported(self) -> None:
        with self._reported_lock:
            records, self._reported = self._reported, []
        journal_forget(self.store.root, [record.id for record in records])
        self.indexed += len(records)
        for record in records:
            self._notify(self.on_capture, record)

    def _deferred_files(self, entries: list[tuple[str, Path, int, int, bytes]]) -> None:
        journal_note(self.store.root, entries)  # listed and readable from the journal until the files exist

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
        prepared: Prepared | None = None
        if answer is None:
            assert body is not None
            encoding = request.headers.get("Content-Encoding", "").strip().lower()
            compressed = encoding not in ("", "identity")
            # Small plain bodies are handled right here (a hop to a worker costs more than the work); big or
            # compressed ones on a worker, with what inflating may produce reserved in the memory budget first.
            if len(body) <= cfg.inline_max and (not compressed or len(body) <= 2048):
                prepared = prepare(request, r, body, headers, content_type, cfg)
            else:
                if compressed:
                    try:
                        await held.take(min(cfg.max_body, len(body) * 1100) * 2, cfg.read_timeout)
                    except BudgetExhausted:
                        answer = error_answer(r.api, 503, "the receiver is busy (memory budget full): retry later")
                if answer is None:
                    loop = asyncio.get_running_loop()
                    prepared = await loop.run_in_executor(
                        self._pool, prepare, request, r, body, headers, content_type, cfg
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
                    answer = error_answer(r.api, 400, f"malformed request: {exc}")
                except BodyTooLarge:
                    answer = self._too_large(r, None, cfg.max_upload)
                except TimeoutError:
                    answer = error_answer(r.api, 408, "the client sent the body too slowly (timed out)")
                except ValueError as exc:  # aiohttp's multipart reader on a broken body
                    answer = error_answer(r.api, 400, f"malformed request: {exc}")
                else:
                    answer = success_answer(r, None)
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
            api=r.api,
            method=request.method,
            target=clean.target,
            client=f"{peer[0]}:{peer[1]}" if peer else "",
            size=upload.size if upload else (request.content_length or 0),
            status=answer.status,
            format=r.api,
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
