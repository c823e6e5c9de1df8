"""Send a built request with httpx: streamed body with progress, cancel, timeout, TLS options, bounded retries.

The client is injected (qutebrowser's pastebin pattern): the app and the CLI let :func:`send_request` make one,
tests pass their own. Every call returns an :class:`Exchange` that holds exactly one of an HTTP answer (with the
format module's :class:`Outcome`) or a transport :class:`Failure`; it never raises for network trouble.

Threads: :func:`send_request` blocks; the window runs it on the worker pool. ``progress`` and ``waiting`` are
called on that worker thread.
"""

from __future__ import annotations

import ipaddress
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from inspector import __version__
from inspector.formats.base import FileSlice, Outcome, RequestSpec
from inspector.formats.http_headers import header, retry_after
from inspector.net.explain import REDIRECT_STATUSES, Failure, cancelled, explain_exception, explain_redirect

#: Statuses that mean "come back later": retried while attempts remain.
RETRY_STATUSES = (429, 503)
#: Bodies of answers are read up to this size (a crash server's answer is a few hundred bytes).
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
USER_AGENT = f"crash-inspector/{__version__}"


class Cancel(Protocol):
    """Anything with a ``cancelled`` flag (the window's CancelToken, a threading.Event wrapper)."""

    @property
    def cancelled(self) -> bool: ...


class _Cancelled(Exception):
    pass


ProgressFn = Callable[[int, int], None]  # (bytes sent, total)
WaitingFn = Callable[[float, int, int], None]  # (seconds left, next attempt number, max attempts)
ReadResponse = Callable[[int, list[tuple[str, str]], bytes], Outcome]


#: What a send came to, as the exit code of ``crash-inspector send`` (the same numbers as :mod:`inspector.cli.errors`).
ACCEPTED, HTTP_ERROR, NO_ANSWER = 0, 1, 2


@dataclass(slots=True)
class SendOptions:
    """Transport settings of one send (from the profile, the panel or the CLI flags)."""

    timeout: float = 30.0
    verify: bool = True
    ca_bundle: str | None = None  # a PEM file of the on-premise server's certificate authority
    max_attempts: int = 3  # 1 = no retry
    max_wait: float = 300.0  # a Retry-After longer than this is not waited for
    default_backoff: float = 5.0  # the wait before a retry when the server names none
    chunk_size: int = 64 * 1024


@dataclass(slots=True)
class Exchange:
    """One send: the request (as built), then exactly one of (status, headers, body, outcome) or ``failure``."""

    request: RequestSpec
    started_at: float = field(default_factory=time.time)
    status: int | None = None
    reason: str = ""
    http_version: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    outcome: Outcome | None = None
    failure: Failure | None = None
    elapsed: float = 0.0  # seconds, the last attempt
    total_elapsed: float = 0.0  # seconds, every attempt and wait
    sent_bytes: int = 0
    attempts: int = 0
    history: list[str] = field(default_factory=list)  # one line per earlier attempt ("429, waited 2 s")

    @property
    def ok(self) -> bool:
        return self.failure is None and self.outcome is not None and self.outcome.ok

    @property
    def summary(self) -> str:
        if self.failure is not None:
            return self.failure.summary
        if self.outcome is not None:
            return self.outcome.summary
        return "no answer"

    @property
    def details(self) -> list[str]:
        if self.failure is not None:
            return list(self.failure.details)
        return list(self.outcome.details) if self.outcome is not None else []

    @property
    def exit_code(self) -> int:
        """The CLI contract: :data:`ACCEPTED` (2xx), :data:`HTTP_ERROR` (an error status), :data:`NO_ANSWER`."""
        if self.failure is not None or self.status is None:
            return NO_ANSWER
        return ACCEPTED if 200 <= self.status < 300 else HTTP_ERROR

    def header(self, name: str) -> str | None:
        return header(self.headers, name)


# ---------------------------------------------------------------------------------------------- helpers


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def insecure_warning(spec: RequestSpec) -> str | None:
    """A warning when a secret would cross the network unencrypted (plain http to a host that is not loopback)."""
    parts = urlsplit(spec.url)
    if parts.scheme != "http" or is_loopback(parts.hostname) or not any(spec.secrets):
        return None
    return (
        f"the request carries a secret (token or app secret) over plain http to {parts.hostname}; "
        "anyone on the network path can read it. Use https unless this is a trusted test server."
    )


def retry_delay(headers: list[tuple[str, str]]) -> float | None:
    """Seconds the server asks to wait (:func:`inspector.formats.http_headers.retry_after`)."""
    return retry_after(headers)


def make_client(options: SendOptions) -> httpx.Client:
    """The client for real sends: TLS verification on unless turned off, a custom CA bundle when given."""
    verify: ssl.SSLContext | bool
    if not options.verify:
        verify = False
    elif options.ca_bundle:
        verify = ssl.create_default_context(cafile=options.ca_bundle)
    else:
        verify = True
    return httpx.Client(
        verify=verify,
        timeout=httpx.Timeout(options.timeout),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )


def _body_stream(body: bytes, chunk: int, progress: ProgressFn | None, cancel: Cancel | None) -> Iterator[bytes]:
    total = len(body)
    sent = 0
    if progress:
        progress(0, total)
    view = memoryview(body)
    while sent < total:
        if cancel is not None and cancel.cancelled:
            raise _Cancelled()
        piece = bytes(view[sent : sent + chunk])
        yield piece
        sent += len(piece)
        if progress:
            progress(sent, total)


def _pieces_stream(
    spec: RequestSpec, chunk: int, progress: ProgressFn | None, cancel: Cancel | None
) -> Iterator[bytes]:
    """A streamed body (``spec.stream``): bytes pieces as they are, files read ``chunk`` bytes at a time.

    Memory stays at one chunk whatever the files' sizes; a file that changed size since the request was
    built is an error (the Content-Length sent would be wrong).
    """
    assert spec.stream is not None
    total = spec.body_size
    sent = 0
    if progress:
        progress(0, total)
    for piece in spec.stream:
        if cancel is not None and cancel.cancelled:
            raise _Cancelled()
        if isinstance(piece, FileSlice):
            left = piece.size
            with open(piece.path, "rb") as handle:
                while left > 0:
                    if cancel is not None and cancel.cancelled:
                        raise _Cancelled()
                    data = handle.read(min(chunk, left))
                    if not data:
                        raise OSError(f"{piece.path} became shorter while it was being sent")
                    left -= len(data)
                    sent += len(data)
                    yield data
                    if progress:
                        progress(sent, total)
        elif piece:
            sent += len(piece)
            yield piece
            if progress:
                progress(sent, total)


def _wait(delay: float, attempt: int, max_attempts: int, waiting: WaitingFn | None, cancel: Cancel | None) -> bool:
    """Count down ``delay`` seconds, telling ``waiting`` each whole second. False when cancelled."""
    end = time.monotonic() + delay
    pause = threading.Event()
    last_shown: int | None = None
    while True:
        left = end - time.monotonic()
        if cancel is not None and cancel.cancelled:
            return False
        if left <= 0:
            if waiting:
                waiting(0.0, attempt, max_attempts)
            return True
        shown = int(left + 0.999)
        if waiting and shown != last_shown:
            waiting(left, attempt, max_attempts)
            last_shown = shown
        pause.wait(min(left, 0.1))


def _safe_outcome(
    read_response: ReadResponse | None, status: int, headers: list[tuple[str, str]], body: bytes
) -> Outcome:
    if read_response is not None:
        try:
            return read_response(status, headers, body)
        except Exception as exc:  # a format module must not lose the answer
            return Outcome(200 <= status < 300, f"{status} (the answer could not be interpreted: {exc})")
    return Outcome(200 <= status < 300, f"HTTP {status}")


# ---------------------------------------------------------------------------------------------- sending


def _attempt(
    client: httpx.Client,
    spec: RequestSpec,
    exchange: Exchange,
    options: SendOptions,
    progress: ProgressFn | None,
    cancel: Cancel | None,
) -> None:
    headers = [(k, v) for k, v in spec.headers if k.lower() not in ("content-length", "host", "transfer-encoding")]
    headers.append(("Content-Length", str(spec.body_size)))
    sent = [0]

    def counted(done: int, total: int) -> None:
        sent[0] = done
        if progress:
            progress(done, total)

    request = client.build_request(
        spec.method,
        spec.url,
        headers=headers,
        content=(
            _body_stream(spec.body, options.chunk_size, counted, cancel)
            if spec.stream is None
            else _pieces_stream(spec, options.chunk_size, counted, cancel)
        ),
        timeout=httpx.Timeout(options.timeout),
    )
    start = time.monotonic()
    try:
        response = client.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_raw():
                if cancel is not None and cancel.cancelled:
                    raise _Cancelled()
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    break
            raw = b"".join(chunks)
        finally:
            response.close()
    except _Cancelled:
        exchange.failure = cancelled()
        return
    except (httpx.HTTPError, OSError, ssl.SSLError) as exc:
        exchange.failure = explain_exception(exc, spec.url, timeout=options.timeout)
        return
    finally:
        exchange.elapsed = time.monotonic() - start
        exchange.sent_bytes = sent[0]
    body = raw
    encoding = response.headers.get("content-encoding", "").lower()
    if encoding and raw:
        try:  # show the answer decoded; the raw bytes are rarely interesting
            decoder = httpx.Response(200, headers={"content-encoding": encoding}, content=raw)
            body = decoder.read()
        except (httpx.DecodingError, ValueError):
            body = raw
    exchange.status = response.status_code
    exchange.reason = response.reason_phrase
    exchange.http_version = response.http_version
    exchange.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
    exchange.body = body


def send_request(
    spec: RequestSpec,
    *,
    read_response: ReadResponse | None = None,
    options: SendOptions | None = None,
    client: httpx.Client | None = None,
    progress: ProgressFn | None = None,
    waiting: WaitingFn | None = None,
    cancel: Cancel | None = None,
) -> Exchange:
    """Send ``spec``; on 429/503 wait as the server asks (bounded) and try again. Never raises for network trouble."""
    options = options or SendOptions()
    own = client is None
    http = client if client is not None else make_client(options)
    exchange = Exchange(request=spec)
    begin = time.monotonic()
    try:
        for attempt in range(1, max(1, options.max_attempts) + 1):
            exchange.attempts = attempt
            exchange.status, exchange.failure, exchange.outcome = None, None, None
            exchange.headers, exchange.body = [], b""
            _attempt(http, spec, exchange, options, progress, cancel)
            if exchange.failure is not None or exchange.status is None:
                break
            exchange.outcome = _safe_outcome(read_response, exchange.status, exchange.headers, exchange.body)
            if exchange.status in REDIRECT_STATUSES:  # never followed (follow_redirects=False): say why, plainly
                summary, more = explain_redirect(exchange.status, exchange.header("location"), spec.url, spec.mask)
                exchange.outcome = Outcome(False, summary, [*more, *exchange.outcome.details])
            if exchange.status not in RETRY_STATUSES or attempt >= options.max_attempts:
                break
            delay = retry_delay(exchange.headers)
            if delay is None and exchange.outcome.retry_after is not None:
                delay = exchange.outcome.retry_after
            if delay is None:
                delay = options.default_backoff * attempt
            if delay > options.max_wait:
                exchange.history.append(
                    f"attempt {attempt}: {exchange.status}; the server asks to wait {delay:g} s, more than the "
                    f"{options.max_wait:g} s limit: not retried"
                )
                break
            exchange.history.append(f"attempt {attempt}: {exchange.status}, waited {delay:g} s as the server asked")
            if not _wait(delay, attempt + 1, options.max_attempts, waiting, cancel):
                exchange.outcome = None
                exchange.status = None
                exchange.failure = cancelled()
                break
    finally:
        exchange.total_elapsed = time.monotonic() - begin
        if own:
            http.close()
    return exchange
