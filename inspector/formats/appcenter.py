"""Microsoft App Center ingestion: ``POST {base}/logs?api-version=1.0.0`` with a batch ``{"logs": [...]}``.

Sources: microsoft/appcenter-sdk-dotnet ``swagger/ingestion.yaml`` (the machine-readable spec), the SDKs' ingestion
code and MicrosoftDocs ``docs/diagnostics/upload-crashes.md`` (see reference/formats.md section 3).

Inputs accepted: the container, the pre-2020-05 docs' ``"logs:"`` key (loaded with a warning), a single bare log
(loaded with a warning) and captured HTTP requests (the envelope already removed HTTP framing and gzip).
"""

from __future__ import annotations

import gzip
import json
import uuid
from collections import Counter
from typing import Any

from inspector.formats import appcenter_logs as L
from inspector.formats import editing, receiving
from inspector.formats.appcenter_reports import build_reports
from inspector.formats.appcenter_rules import validate_submission
from inspector.formats.base import (
    Capabilities,
    Detection,
    Envelope,
    InspectorError,
    Outcome,
    Problem,
    RequestSpec,
    Submission,
    Target,
    info,
    warning,
)
from inspector.formats.http_headers import header, retry_after
from inspector.formats.jsondoc import Document, dumps, join
from inspector.report import Report

NAME = "appcenter"
TITLE = "App Center"
TARGET_KINDS: tuple[str, ...] = ("appcenter",)

DEFAULT_BASE_URL = "https://in.appcenter.ms"
#: The docs' spelling; the SDKs write ``api-version`` (the server matches the query key case-insensitively).
API_QUERY = "Api-Version=1.0.0"


# ------------------------------------------------------------------------------------------------ detect / load


def _types_phrase(logs: list[Any]) -> str:
    counts = Counter(L.log_type(log) or "untyped" for log in logs)
    return ", ".join(kind for kind, _ in counts.most_common(4)) + (", ..." if len(counts) > 4 else "")


def _kind(logs: list[Any]) -> str:
    """The submission's kind: the first error log's type, else the first log's type, else "logs"."""
    first = None
    for log in logs:
        kind = L.log_type(log)
        if kind in L.ERROR_TYPES:
            return kind
        first = first or kind
    return first or "logs"


def _http_hint(envelope: Envelope) -> bool:
    http = envelope.http
    return http is not None and http.path.rstrip("/").endswith("/logs") and http.header("app-secret") is not None


def detect(envelope: Envelope, value: Any) -> Detection | None:
    shape = L.container_shape(value)
    if shape == "other":
        return None
    bonus = 5 if _http_hint(envelope) else 0
    via = " (HTTP POST /logs with App-Secret)" if bonus else ""
    if shape == "single":
        if value.get("type") not in L.KNOWN_TYPES or not isinstance(value.get("device"), dict):
            return None
        return Detection(
            NAME,
            value["type"],
            75 + bonus,
            f'App Center: a single {value["type"]} log without the {{"logs": [...]}} container{via}',
        )
    key = L.CONTAINER_KEY if shape == "container" else L.TYPO_KEY
    logs = value[key]
    if not isinstance(logs, list):
        return Detection(NAME, "logs", 40 + bonus, f"App Center: top-level `{key}` that is not an array{via}")
    typo = " (typo key `logs:` of the old docs)" if shape == "typo" else ""
    if not logs:
        return Detection(NAME, "logs", 60 + bonus, f"App Center: top-level `{key}` array, empty{typo}{via}")
    known = any(L.log_type(log) in L.KNOWN_TYPES and isinstance(log.get("device"), dict) for log in logs[:50])
    score = (90 if known else 65) - (3 if shape == "typo" else 0) + bonus
    plural = "log" if len(logs) == 1 else "logs"
    reason = f"App Center: top-level `{key}` array of {_types_phrase(logs)} ({len(logs)} {plural}){typo}{via}"
    return Detection(NAME, _kind(logs), score, reason)


def load(envelope: Envelope, document: Document | None, detection: Detection) -> Submission:
    if document is None:
        raise InspectorError('an App Center payload must be JSON ({"logs": [...]})')
    problems: list[Problem] = []
    shape = L.container_shape(document.value)
    if shape == "typo":
        problems.append(
            warning(
                join("", L.TYPO_KEY),
                'the container key is "logs:" (with a colon), a typo of the docs before 2020-05-06; App Center expects '
                '"logs". Loaded as the logs array; sending uses the corrected key "logs".',
                "swagger LogContainer.logs; MicrosoftDocs/appcenter-docs commit c07d11c",
            )
        )
        if L.CONTAINER_KEY in document.value:
            problems.append(warning("/logs", 'both "logs" and "logs:" are present; "logs" is used', ""))
    elif shape == "single":
        problems.append(
            warning(
                "",
                'a single log without the {"logs": [...]} container; App Center expects the container '
                "(sending wraps it)",
                "swagger LogContainer (logs is required)",
            )
        )
    if shape in ("container", "typo"):
        extra = [k for k in document.value if k not in (L.CONTAINER_KEY, L.TYPO_KEY)]
        if extra:
            problems.append(
                info(
                    "",
                    f"top-level keys besides logs are not part of the container: {extra[:5]}",
                    "swagger LogContainer",
                )
            )
    return Submission(format=NAME, detection=detection, envelope=envelope, document=document, load_problems=problems)


def validate(submission: Submission) -> list[Problem]:
    return validate_submission(submission)


def reports(submission: Submission) -> list[Report]:
    if submission.document is None:
        return []
    return build_reports(submission.document.value)


# ------------------------------------------------------------------------------------------------ sending


def request_body(submission: Submission) -> tuple[bytes, list[str]]:
    """The ``{"logs": [...]}`` body to send and notes on what differs from the document."""
    if submission.document is None:
        raise InspectorError("nothing to send: the App Center submission has no JSON document")
    document = submission.document
    value = document.value
    shape = L.container_shape(value)
    if shape == "container":
        return document.to_bytes(), []
    if shape == "typo":
        fixed = {
            (L.CONTAINER_KEY if k == L.TYPO_KEY else k): v
            for k, v in value.items()
            if not (k == L.TYPO_KEY and L.CONTAINER_KEY in value)
        }
        return dumps(fixed), ['the container key "logs:" (docs typo) is sent as "logs"; nothing else changes']
    if shape == "single":
        # The log's own bytes are kept; only the container is added around them.
        return b'{"logs":[' + document.to_bytes().strip() + b"]}", ['the single log is sent inside {"logs": [...]}']
    raise InspectorError("nothing to send: the document is not an App Center log container", where="")


def build_request(submission: Submission, target: Target) -> RequestSpec:
    if target.kind not in TARGET_KINDS:
        raise InspectorError(f"App Center payloads are sent to an 'appcenter' target, not {target.kind!r}")
    if not target.app_secret:
        raise InspectorError(
            "App Center needs the app's App-Secret (App settings in the App Center portal)", where="App-Secret header"
        )
    base = (target.base_url or DEFAULT_BASE_URL).rstrip("/")
    body, notes = request_body(submission)
    install_id = target.install_id or str(uuid.uuid4())
    if not target.install_id:
        notes.append(f"no Install-ID configured: a random one was generated ({install_id})")
    headers = [
        ("Content-Type", "application/json"),
        ("App-Secret", target.app_secret),
        ("Install-ID", install_id),
    ]
    if target.gzip:
        body = gzip.compress(body, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
    url = f"{base}/logs?{API_QUERY}"
    return RequestSpec("POST", url, headers, body, secrets=[target.app_secret], notes=notes)


_STATUS_TEXT = {
    400: "App Center could not read the body (invalid JSON, or logs it cannot accept)",
    401: "unauthorized: the App-Secret header is missing or wrong",
    403: "the App-Secret is unknown, or the app is disabled",
    404: "not found: the URL should end with /logs?api-version=1.0.0",
    405: "method not allowed: App Center ingestion takes POST",
    408: "the server timed out reading the request; the SDKs retry",
    413: "the request is too large (attachments may be at most 7 MB)",
    415: "unsupported media type: send Content-Type: application/json",
    429: "too many requests (at most 60 crashes and handled errors per minute per app); retry later",
    503: "App Center is too busy to process the logs now; retry later",
}


def read_response(status: int, headers: list[tuple[str, str]], body: bytes) -> Outcome:
    """Explain App Center's answer. The SDKs count any 2xx as success and ignore the body. Never raises."""
    try:
        return _read_response(status, headers, body)
    except Exception as exc:  # an odd answer must still be explained, never crash the caller
        return Outcome(ok=200 <= status < 300, summary=f"HTTP {status} (the answer could not be read: {exc})")


def _read_response(status: int, headers: list[tuple[str, str]], body: bytes) -> Outcome:
    details: list[str] = []
    text = body.decode("utf-8", "replace").strip() if body else ""
    message = None
    if text:
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            message = parsed.get("message") or parsed.get("error") or parsed.get("status")
            if isinstance(message, dict):
                message = message.get("message") or json.dumps(message)
        details.append(f"body: {text[:500]}{'...' if len(text) > 500 else ''}")
    for key, value in headers:
        if key.lower().startswith("x-ms-") or key.lower() in ("retry-after", "x-correlation-id"):
            details.append(f"{key}: {value}")
    retry = retry_after(headers)
    if 200 <= status < 300:
        summary = f"Accepted by App Center (HTTP {status})"
        return Outcome(ok=True, summary=summary, details=details, retry_after=retry)
    explained = _STATUS_TEXT.get(status)
    if explained is None:
        if status >= 500:
            explained = "server error; the SDKs retry after 10 s, 5 min and 20 min"
        elif 300 <= status < 400:
            location = header(headers, "location")
            explained = f"redirect{f' to {location}' if location else ''}; the SDKs do not follow redirects"
        else:
            explained = "the request was refused"
    summary = f"{status}: {explained}"
    if message and isinstance(message, str):
        summary += f" ({message[:200]})"
    if retry is not None:
        details.append(f"retry after {retry:g} s")
    return Outcome(ok=False, summary=summary, details=details, retry_after=retry)


CAPABILITIES = Capabilities(
    can_send=True,
    native=False,
    send_api=NAME,
    attachments=True,
    attachment_limit=7 * 1024 * 1024,
    attachments_in_document=True,
    secret="app-secret",
    install_id=True,
    rate_limit_per_minute=60,
    editing=editing.APPCENTER,
    receiving=receiving.APPCENTER,
)

#: The exception of a Breakpad minidump upload, as the App Center docs name it, and the wrapper that says so.
MINIDUMP_EXCEPTION_TYPE = "minidump"
CUSTOM_NDK_WRAPPER = "custom.ndk"
