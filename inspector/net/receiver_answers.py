"""What a request addresses (:func:`route`) and what the addressed ingestion API answers: its transport checks
(:func:`transport_answer`), its error and success bodies, and the quick answer read from what redaction already
decoded (:func:`quick_answer`), without the format core. Nothing here imports Qt."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson

from inspector.formats import FORMAT_NAMES, Envelope, Submission, capabilities, get_format
from inspector.formats.receiving import BACKTRACE_FORMATS, JSON_TYPE, Receiving, Refusal, new_rxid
from inspector.net.capture_secrets import Redacted


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


@functools.cache
def receiving(api: str) -> Receiving | None:
    """What the API's format declares for the receiver (None for ``unknown`` paths)."""
    return capabilities(api).receiving if api in FORMAT_NAMES else None


def error_answer(api: str, status: int, message: str) -> Answer:
    """An error in the API's own shape."""
    spec = receiving(api)
    body = spec.error_body(status, message) if spec is not None else orjson.dumps({"error": message})
    return Answer(status, body, note=message)


def refusal_answer(api: str, refusal: Refusal) -> Answer:
    return error_answer(api, refusal.status, refusal.message)


def success_answer(r: Route, payload: Any) -> Answer:
    """The API's success answer for a payload (its parsed JSON; None when it was not read)."""
    spec = receiving(r.api)
    if spec is None:
        return Answer(200, b"", content_type="text/plain")
    body, content_type = spec.success(r, payload)
    return Answer(200, body, content_type=content_type)


def ok_answer(r: Route, sub: Submission | None) -> Answer:
    payload = sub.document.value if sub is not None and sub.document is not None else None
    return success_answer(r, payload)


def is_upload(r: Route) -> bool:
    """A symbol or source-map upload (an archive, streamed to disk)."""
    spec = receiving(r.api)
    return spec is not None and spec.is_upload(r)


def transport_answer(r: Route) -> Answer | None:
    """The checks the services make before looking at the payload (path, token, format, headers)."""
    spec = receiving(r.api)
    if spec is None:
        return error_answer(r.api, 404, r.note)
    refusal = spec.refuse(r)
    if refusal is not None:
        return refusal_answer(r.api, refusal)
    if r.attachment:
        return success_answer(r, None)
    return None


def token_missing(r: Route, payload: Any) -> Answer | None:
    """The refusal of an API whose token may travel in the body (Rollbar) when neither carries it."""
    spec = receiving(r.api)
    if spec is None or spec.no_token is None or r.token or spec.token_in(payload):
        return None
    return refusal_answer(r.api, spec.no_token)


def quick_answer(r: Route, clean: Redacted, content_type: str, *, strict: bool) -> Answer | None:
    """The vendor's answer from what redaction already decoded, without the format core; None when only a full
    read can tell (strict mode, a form or multipart body, JSON orjson does not read as an object).

    Gives the same answers as :func:`~inspector.net.receiver_analysis.analyze` for the payloads it decides:
    the transport checks, success for the formats answered without reading (Backtrace's binary ones), and for
    JSON bodies the object check, the body-token rule (Rollbar) and the success body (Rollbar's ``data.uuid``).
    """
    return quick_read(r, clean, content_type, strict=strict)[0]


def quick_read(
    r: Route, clean: Redacted, content_type: str, *, strict: bool
) -> tuple[Answer | None, str | None, str | None]:
    """:func:`quick_answer` plus the format and kind a JSON body shows (the format module's own ``detect``)."""
    early = transport_answer(r)
    if early is not None or strict:
        return early, None, None
    spec = receiving(r.api)
    if spec is None or spec.answers_without_reading(r):
        # minidump, plcrash, btt: success whatever the body (problems go in the record)
        return success_answer(r, None), None, None
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
    refused = token_missing(r, value)
    if refused is not None:
        return refused, None, None
    return success_answer(r, value), fmt, kind


__all__ = [
    "Answer",
    "Route",
    "error_answer",
    "is_upload",
    "new_rxid",
    "ok_answer",
    "quick_answer",
    "quick_read",
    "receiving",
    "route",
    "success_answer",
    "token_missing",
    "transport_answer",
]
