"""Stage one's work on a request before it is written: its secrets taken out (redaction before the write), the
answer decided (:func:`prepare`), and the request rebuilt as the bytes of a ``.request.http`` file
(:func:`rebuild_request`). Nothing here imports Qt."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from inspector.net.capture_secrets import InflatedTooLarge, Redacted, redact_request
from inspector.net.receiver_analysis import Analysis, analyze
from inspector.net.receiver_answers import Answer, Route, error_answer, quick_read
from inspector.net.receiver_config import ReceiverConfig


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


@dataclass(slots=True)
class Prepared:
    """Stage one of a request: what may be stored, the answer, and (strict mode, errors) the analysis."""

    clean: Redacted | None
    answer: Answer
    analysis: Analysis | None = None
    format: str | None = None
    kind: str | None = None


def prepare(
    request: web.BaseRequest,
    r: Route,
    body: bytes,
    headers: list[tuple[bytes, bytes]],
    content_type: str,
    cfg: ReceiverConfig,
) -> Prepared:
    """Stage one's CPU work (on the loop for small bodies, on a worker for big ones): redact, answer."""
    try:
        clean = redact_request(request.raw_path, headers, body, max_inflated=cfg.max_body)
    except InflatedTooLarge:
        limit = cfg.max_body
        return Prepared(
            None,
            error_answer(
                r.api,
                413,
                f"request entity too large: the body inflates beyond {limit} bytes (the receiver accepts {limit})",
            ),
        )
    answer, fmt, kind = quick_read(r, clean, content_type, strict=cfg.strict)
    if answer is not None:
        return Prepared(clean, answer, format=fmt, kind=kind)
    # The format core decides: read the request as received (never stored).
    analysis = analyze(rebuild_request(request, body), r, strict=cfg.strict, defer=not cfg.strict)
    if analysis.pending:  # success outside strict mode: the second stage validates the stored request
        return Prepared(clean, analysis.answer, format=analysis.format, kind=analysis.kind)
    return Prepared(clean, analysis.answer, analysis)
