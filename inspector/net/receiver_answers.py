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
from inspector.formats.receiving import JSON_TYPE, Receiving, Refusal, Request, new_rxid
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
    """Map a request to an API: the first format whose endpoint takes the path (:attr:`Receiving.address`).
    ``headers`` is a lower-cased header dict (App Center reads two of them)."""
    path, _, query_text = target.partition("?")
    query = parse_qsl(query_text, keep_blank_values=True)
    request = Request(
        path=path,
        parts=tuple(p for p in path.split("/") if p),
        query={k: v for k, v in query},
        query_lower={k.lower(): v for k, v in query},
        headers=headers or {},
    )
    apis = _receiving_apis()
    for api, spec in apis:
        found = spec.address(request)
        if found is not None:
            return Route(
                api,
                token=found.token,
                format=found.format,
                universe=found.universe,
                attachment=found.attachment,
                install_id=found.install_id,
            )
    for _, spec in apis:
        hint = spec.hint(request)
        if hint is not None:
            return Route("unknown", note=hint)
    paths = [p for _, spec in apis for p in spec.paths]
    return Route("unknown", note=f"unknown path; the receiver serves {', '.join(paths[:-1])} and {paths[-1]}")


@functools.cache
def _receiving_apis() -> tuple[tuple[str, Receiving], ...]:
    """The formats that declare an ingestion endpoint, in the registry's order."""
    return tuple((name, spec) for name in FORMAT_NAMES if (spec := capabilities(name).receiving) is not None)


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
