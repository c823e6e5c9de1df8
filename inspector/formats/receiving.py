"""What each ingestion API's endpoint checks and answers, for the local receiver that imitates it.

Vendor knowledge, so it lives in the formats layer: each API's format module declares its :class:`Receiving` in
its ``CAPABILITIES`` and the receiver (:mod:`inspector.net.receiver_answers`) asks it instead of comparing vendor
names. The checks are the ones the services make before reading a payload (token, format, headers), the answers
are the bodies their SDKs read (Rollbar's ``uuid``, Backtrace's ``_rxid``, App Center's empty 200).
Nothing here imports Qt.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain"

#: Backtrace's submit formats: the last path segment of ``/{universe}/{token}/{format}`` or ``format=``
BACKTRACE_FORMATS = ("json", "minidump", "plcrash", "btt", "sourcemap", "symbols")
#: Backtrace's symbol and source-map uploads (archives, streamed to disk)
BACKTRACE_UPLOADS = ("symbols", "sourcemap")


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
    return orjson.dumps(value)


# -- Rollbar ---------------------------------------------------------------------------------------------------


def _rollbar_refuse(r: Addressed) -> Refusal | None:
    return None  # the token may be in the body: checked once it is read


def _rollbar_success(r: Addressed, payload: Any) -> tuple[bytes, str]:
    data = payload.get("data") if isinstance(payload, dict) else None
    uid = data.get("uuid") if isinstance(data, dict) else None
    uid = uid if isinstance(uid, str) and uid else str(uuid.uuid4())
    return _json({"err": 0, "result": {"id": None, "uuid": uid}}), JSON_TYPE


ROLLBAR = Receiving(
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
    refuse=_backtrace_refuse,
    error_body=lambda status, message: _json({"error": {"code": status, "message": message}}),
    success=_backtrace_success,
    json_only=False,
    uploads=BACKTRACE_UPLOADS,
)


# -- App Center ------------------------------------------------------------------------------------------------


def _appcenter_refuse(r: Addressed) -> Refusal | None:
    if not r.token:
        return Refusal(401, "missing App-Secret header")
    if not r.install_id:
        return Refusal(400, "missing Install-ID header")
    if r.format != "1.0.0":
        return Refusal(400, "the query must carry api-version=1.0.0")
    return None


APPCENTER = Receiving(
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
    "Addressed",
    "Receiving",
    "Refusal",
    "new_rxid",
]
