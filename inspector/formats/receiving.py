"""What each ingestion API's endpoint checks and answers, for the local receiver that imitates it.

Vendor knowledge, so it lives in the formats layer: each API's format module declares its :class:`Receiving` in
its ``CAPABILITIES`` and the receiver (:mod:`inspector.net.receiver_answers`) asks it instead of comparing vendor
names. The paths are the endpoints the SDKs post to (and what a request there addresses: token, format, ids), the
checks are the ones the services make before reading a payload (token, format, headers), the answers are the
bodies their SDKs read (Rollbar's ``uuid``, Backtrace's ``_rxid``, App Center's empty 200).
Nothing here imports Qt.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from inspector.formats.lazy_json import plain

JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain"

#: Backtrace's submit formats: the last path segment of ``/{universe}/{token}/{format}`` or ``format=``
BACKTRACE_FORMATS = ("json", "minidump", "plcrash", "btt", "sourcemap", "symbols")
#: Backtrace's symbol and source-map uploads (archives, streamed to disk)
BACKTRACE_UPLOADS = ("symbols", "sourcemap")


@dataclass(slots=True)
class Request:
    """A request line and headers, split once for every format's :attr:`Receiving.address`."""

    path: str
    parts: tuple[str, ...]  # the path's non-empty segments
    query: Mapping[str, str]
    query_lower: Mapping[str, str]  # keys lower-cased (App Center matches ``api-version`` in any case)
    headers: Mapping[str, str]  # names lower-cased


@dataclass(slots=True)
class Address:
    """What a request addresses at an API's endpoint (the receiver's ``Route`` without the API name)."""

    token: str | None = None
    format: str | None = None
    universe: str | None = None
    attachment: tuple[str, str] | None = None
    install_id: str | None = None


class Addressed(Protocol):
    """What the request line and headers say (the receiver's ``Route``)."""

    token: str | None
    format: str | None  # Backtrace's format; App Center's api-version
    attachment: tuple[str, str] | None  # Backtrace (object, attachment_name)
    install_id: str | None  # App Center's Install-ID header


@dataclass(frozen=True, slots=True)
class Refusal:
    """A status and the message the API answers it with."""

    status: int
    message: str


@dataclass(frozen=True, slots=True)
class Receiving:
    """What a format declares for the receiver."""

    #: the endpoint's paths, for the note of an unknown path
    paths: tuple[str, ...]
    #: what a request to one of its paths addresses; None: not its path
    address: Callable[[Request], Address | None]
    #: for a path none of the APIs serves: a hint when it looks meant for this API (a common SDK setting error)
    hint: Callable[[Request], str | None]
    #: the checks before the payload is read: the refusal, or None to go on
    refuse: Callable[[Addressed], Refusal | None]
    #: the API's error body for (status, message)
    error_body: Callable[[int, str], bytes]
    #: the success answer, (body, content type), for the request and its parsed JSON payload (None: not read)
    success: Callable[[Addressed, Any], tuple[bytes, str]]
    #: the endpoint takes JSON only; False: the request names its format (``format=``) and only "json" is JSON
    json_only: bool = True
    #: formats whose requests are archives to stream to disk (symbol / source-map uploads)
    uploads: tuple[str, ...] = ()
    #: the status of an invalid payload in strict mode (Rollbar's 422)
    invalid_status: int = 400
    #: the body member that may carry the token instead of a header (Rollbar's ``access_token``), and the
    #: refusal when neither does
    body_token: str | None = None
    no_token: Refusal | None = None

    def answers_without_reading(self, r: Addressed) -> bool:
        """The request names a format whose body is answered success whatever it holds (minidump, plcrash, btt:
        the problems go in the record)."""
        return not self.json_only and r.format != "json"

    def expects_json(self, r: Addressed) -> bool:
        return self.json_only or r.format == "json"

    def is_upload(self, r: Addressed) -> bool:
        return r.format in self.uploads and not r.attachment

    def token_in(self, payload: Any) -> bool:
        """The payload carries the token (:attr:`body_token`)."""
        if self.body_token is None or not isinstance(payload, dict):
            return False
        token = payload.get(self.body_token)
        return isinstance(token, str) and bool(token)


def _json(value: Any) -> bytes:
    return orjson.dumps(plain(value))


# -- Rollbar ---------------------------------------------------------------------------------------------------


ROLLBAR_PATHS = ("/api/1/item/", "/api/1/item")


def _rollbar_address(request: Request) -> Address | None:
    if request.path not in ROLLBAR_PATHS:
        return None
    return Address(token=request.headers.get("x-rollbar-access-token"))


def _rollbar_hint(request: Request) -> str | None:
    if request.path.rstrip("/") == "/api/item":
        return "unknown path /api/item/: pyrollbar's endpoint setting must end with '/' ('http://host/api/1/')"
    return None


def _rollbar_refuse(r: Addressed) -> Refusal | None:
    return None  # the token may be in the body: checked once it is read


def _rollbar_success(r: Addressed, payload: Any) -> tuple[bytes, str]:
    data = payload.get("data") if isinstance(payload, dict) else None
    uid = data.get("uuid") if isinstance(data, dict) else None
    uid = uid if isinstance(uid, str) and uid else str(uuid.uuid4())
    return _json({"err": 0, "result": {"id": None, "uuid": uid}}), JSON_TYPE


ROLLBAR = Receiving(
    paths=("/api/1/item/",),
    address=_rollbar_address,
    hint=_rollbar_hint,
    refuse=_rollbar_refuse,
    error_body=lambda status, message: _json({"err": 1, "message": message}),
    success=_rollbar_success,
    invalid_status=422,
    body_token="access_token",
    no_token=Refusal(401, "no access token: send X-Rollbar-Access-Token or access_token in the body"),
)


# -- Backtrace -------------------------------------------------------------------------------------------------


def new_rxid() -> str:
    """Backtrace object ids look like UUIDs whose leading hex digits are the object number."""
    return f"{secrets.randbelow(0xFFFF) + 1:04x}0000-{secrets.token_hex(2)}-{secrets.token_hex(2)}-0000-000000000000"


def _backtrace_address(request: Request) -> Address | None:
    q = request.query
    attachment = (q["object"], q.get("attachment_name", "")) if q.get("object") else None
    if request.path in ("/post", "/api/post"):
        return Address(token=q.get("token") or None, format=q.get("format") or None, attachment=attachment)
    parts = request.parts
    if len(parts) == 3 and parts[2] in BACKTRACE_FORMATS:
        return Address(universe=parts[0], token=parts[1], format=parts[2], attachment=attachment)
    return None


def _backtrace_hint(request: Request) -> str | None:
    if request.path.endswith("/post"):
        return "unknown path; Backtrace SDKs post to /post or /api/post (the node SDK drops any path of its url)"
    return None


def _backtrace_refuse(r: Addressed) -> Refusal | None:
    if not r.token:
        return Refusal(403, "invalid token: the request carries no token")
    if not r.format:
        return Refusal(503, "missing format (add format=json or format=minidump)")
    if r.format not in BACKTRACE_FORMATS:
        return Refusal(400, f"unknown format {r.format!r}")
    return None


def _backtrace_success(r: Addressed, payload: Any) -> tuple[bytes, str]:
    if r.attachment:
        obj, name = r.attachment
        body = {"response": "ok", "_rxid": obj, "attachment_name": name, "attachment_id": "1", "object": obj}
        return _json(body), JSON_TYPE
    return _json({"response": "ok", "_rxid": new_rxid()}), JSON_TYPE


BACKTRACE = Receiving(
    paths=("/post", "/api/post", "/{universe}/{token}/{format}"),
    address=_backtrace_address,
    hint=_backtrace_hint,
    refuse=_backtrace_refuse,
    error_body=lambda status, message: _json({"error": {"code": status, "message": message}}),
    success=_backtrace_success,
    json_only=False,
    uploads=BACKTRACE_UPLOADS,
)


# -- App Center ------------------------------------------------------------------------------------------------


def _appcenter_address(request: Request) -> Address | None:
    if request.path != "/logs":
        return None
    # ``format`` holds the api-version (query key matched case-insensitively).
    headers = request.headers
    return Address(
        token=headers.get("app-secret"),
        format=request.query_lower.get("api-version"),
        install_id=headers.get("install-id"),
    )


def _appcenter_hint(request: Request) -> str | None:
    if request.path.endswith("/logs") or "api-version" in request.query_lower:
        return "unknown path; App Center posts to {logUrl}/logs?api-version=1.0.0 (set the log URL without a path)"
    return None


def _appcenter_refuse(r: Addressed) -> Refusal | None:
    if not r.token:
        return Refusal(401, "missing App-Secret header")
    if not r.install_id:
        return Refusal(400, "missing Install-ID header")
    if r.format != "1.0.0":
        return Refusal(400, "the query must carry api-version=1.0.0")
    return None


APPCENTER = Receiving(
    paths=("/logs",),
    address=_appcenter_address,
    hint=_appcenter_hint,
    refuse=_appcenter_refuse,
    error_body=lambda status, message: _json({"status": "Failure", "message": message}),
    success=lambda r, payload: (b"", TEXT_TYPE),
)


__all__ = [
    "APPCENTER",
    "BACKTRACE",
    "BACKTRACE_FORMATS",
    "BACKTRACE_UPLOADS",
    "JSON_TYPE",
    "ROLLBAR",
    "ROLLBAR_PATHS",
    "Address",
    "Addressed",
    "Receiving",
    "Refusal",
    "Request",
    "new_rxid",
]
