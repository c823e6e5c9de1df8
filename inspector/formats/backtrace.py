"""Backtrace (Sauce Labs Error Reporting) submit API: the JSON error object, raw or in a multipart upload.

Inputs: the raw JSON object; a captured HTTP request to any of the three submit URL forms; a multipart body
whose ``upload_file`` part is the JSON report, with ``attachment_<name>`` / ``attachment.<ext>`` parts, the
breadcrumbs part ``attachment_bt-breadcrumbs-0`` and attribute form fields. Minidump uploads
(``upload_file_minidump``, raw dumps) belong to the minidump module and are not claimed here.

Other JSON of the Backtrace world is recognized so the user is told what it is: a submit response
(``{"response":"ok","_rxid"}`` / ``{"error":{code,message}}``), a single thread object ("thread fragment"), and the
docs' "Sample Request" whose report is wrapped in ``{"body": {...}}`` (shown unwrapped; validation says the
wrapper must go).
"""

from __future__ import annotations

import gzip
import json
import mimetypes
import os
from typing import Any

from inspector.formats import editing, receiving
from inspector.formats.backtrace_report import build_report, is_attachment_part
from inspector.formats.backtrace_rules import (  # the kinds are defined beside the rules that branch on them
    KIND_ERROR_OBJECT,
    KIND_FRAGMENT,
    KIND_RESPONSE,
    KIND_WRAPPER,
    validate_submission,
)
from inspector.formats.backtrace_url import build_url, parse_submit_target
from inspector.formats.base import (
    Capabilities,
    Detection,
    Envelope,
    InspectorError,
    Outcome,
    Part,
    Problem,
    RequestSpec,
    Submission,
    Target,
)
from inspector.formats.http_headers import retry_after
from inspector.formats.jsondoc import Document, dumps
from inspector.formats.lazy_json import Shape, outlines
from inspector.formats.multipart import form_of_parts  # the one encoder
from inspector.report import Report

NAME = "backtrace"
TITLE = "Backtrace"
TARGET_KINDS: tuple[str, ...] = ("backtrace-hosted", "backtrace-onprem", "backtrace-direct")


#: Top-level keys only a Backtrace error object has (formats.md 1.3, required fields).
_SIGNATURE = ("uuid", "timestamp", "lang", "langVersion", "agent", "agentVersion", "mainThread")


# ---------------------------------------------------------------------------------------------- detect


def _signature_hits(value: dict[str, Any]) -> int:
    return sum(1 for key in _SIGNATURE if key in value)


def _looks_like_error_object(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("threads"), dict) and _signature_hits(value) >= 2


def _transport_evidence(envelope: Envelope) -> tuple[int, list[str]]:
    bonus, notes = 0, []
    if envelope.main_part is not None and envelope.parts[envelope.main_part].name == "upload_file":
        bonus += 2
        notes.append("multipart upload_file part")
    if envelope.http is not None:
        url = parse_submit_target(envelope.http.target)
        if url.form:
            bonus += 2
            fmt = f", format={url.format}" if url.format else ""
            notes.append(f"submit URL form {url.form}{fmt}")
    return bonus, notes


def detect(envelope: Envelope, value: Any) -> Detection | None:
    if envelope.main_part is not None and envelope.parts[envelope.main_part].name != "upload_file":
        return None  # upload_file_minidump (minidump module) or a form "payload" (Rollbar)
    if not isinstance(value, dict):
        return None  # raw minidumps, plcrash uploads and non-JSON bodies are for the native modules
    bonus, notes = _transport_evidence(envelope)
    via = f" ({'; '.join(notes)})" if notes else ""
    if _looks_like_error_object(value):
        threads = value["threads"]
        frames = sum(  # (outlines: threads kept in chunks of the bytes are not decoded again, lazy_json)
            len(t["stack"])
            for _, t in outlines(threads)
            if isinstance(t, dict) and isinstance(t.get("stack"), Shape) and t["stack"].kind is list
        )
        complete = _signature_hits(value) >= 5
        reason = (
            f"Backtrace: JSON error object with {len(threads)} thread{'s' if len(threads) != 1 else ''}"
            f" and {frames} frame{'s' if frames != 1 else ''}{via}"
        )
        return Detection(NAME, KIND_ERROR_OBJECT, (90 if complete else 75) + bonus, reason)
    if set(value) == {"body"} and _looks_like_error_object(value["body"]):
        return Detection(
            NAME, KIND_WRAPPER, 85, 'Backtrace: error object wrapped in {"body": ...} as in the docs\' Sample Request'
        )
    if value.get("response") == "ok" and "_rxid" in value:
        return Detection(NAME, KIND_RESPONSE, 70, f"Backtrace: submit response (success, _rxid {value['_rxid']})")
    error = value.get("error")
    if set(value) == {"error"} and isinstance(error, dict) and "code" in error and "message" in error:
        return Detection(
            NAME, KIND_RESPONSE, 65, f"Backtrace: submit response (error {error['code']}: {error['message']})"
        )
    if isinstance(value.get("stack"), list) and set(value) <= {"stack", "name", "fault"}:
        return Detection(
            NAME, KIND_FRAGMENT, 60, f"Backtrace: a single thread object with {len(value['stack'])} frames (fragment)"
        )
    if isinstance(value.get("threads"), dict) or _signature_hits(value) >= 3:
        return Detection(NAME, KIND_ERROR_OBJECT, 60, f"Backtrace: incomplete JSON error object{via}")
    if bonus >= 2 and envelope.http is not None:
        return Detection(
            NAME, KIND_ERROR_OBJECT, 40, f"Backtrace submit request, but the JSON is not an error object{via}"
        )
    return None


# ---------------------------------------------------------------------------------------------- load, reports


def load(envelope: Envelope, document: Document | None, detection: Detection) -> Submission:
    if document is None:
        raise InspectorError("a Backtrace JSON submission needs a JSON body")
    attachments = [p for i, p in enumerate(envelope.parts) if is_attachment_part(p, i, envelope.main_part)]
    return Submission(format=NAME, detection=detection, envelope=envelope, document=document, attachments=attachments)


def payload_root(submission: Submission) -> tuple[Any, str] | None:
    """The error object and its pointer (``/body`` for the docs wrapper); None when the input is not a payload."""
    if submission.document is None or submission.kind in (KIND_RESPONSE, KIND_FRAGMENT):
        return None
    value = submission.document.value
    if submission.kind == KIND_WRAPPER and isinstance(value, dict) and isinstance(value.get("body"), dict):
        return value["body"], "/body"
    return value, ""


def reports(submission: Submission) -> list[Report]:
    found = payload_root(submission)
    if found is None or not isinstance(found[0], dict):
        return []
    return [build_report(submission, found[0], found[1])]


def validate(submission: Submission) -> list[Problem]:
    return validate_submission(submission, payload_root(submission))


# ---------------------------------------------------------------------------------------------- sending


def _content_type_for(filename: str) -> str | None:
    """The seed: txt/log attachments need ``text/plain``; JSON is ``application/json``; otherwise guessed."""
    ext = os.path.splitext(filename)[1].lower()
    if ext in (".txt", ".log"):
        return "text/plain"
    if ext == ".json":
        return "application/json"
    return mimetypes.guess_type(filename)[0] if ext else None


def _attachment_field(part: Part) -> tuple[str, str]:
    """(form field name, file name) of an attachment: ``attachment_<name>`` as every SDK sends it."""
    filename = os.path.basename((part.filename or "").replace("\\", "/"))
    if part.name.startswith(("attachment_", "attachment.")):
        return part.name, filename or part.name.split("_", 1)[-1]
    filename = filename or os.path.basename(part.name)
    return f"attachment_{filename}", filename


def _attachment_part(part: Part) -> Part:
    """An attachment as Backtrace takes it: ``attachment_<name>``, its file name, its content type."""
    field, filename = _attachment_field(part)
    # The seed: .txt/.log attachments must be text/plain (backtracepython sends application/octet-stream).
    ctype = _content_type_for(filename) if filename.lower().endswith((".txt", ".log")) else None
    ctype = ctype or part.content_type or _content_type_for(filename)
    return Part(field, part.data, filename, ctype)


def multipart_body(report: bytes, attachments: list[Part], attributes: list[tuple[str, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body: ``upload_file`` (JSON), attribute fields, then the attachment parts."""
    main = Part("upload_file", report, "upload_file.json", "application/json")
    return form_of_parts(main, attributes, [_attachment_part(p) for p in attachments])


def build_request(submission: Submission, target: Target) -> RequestSpec:
    """POST the error object: raw JSON, or multipart when there are attachments (or ``target.multipart``)."""
    if target.kind not in TARGET_KINDS:
        raise InspectorError(
            f"a Backtrace payload cannot be sent to a {target.kind!r} target; use one of {TARGET_KINDS}"
        )
    if not target.token:
        raise InspectorError("the Backtrace target has no token (it goes in the URL)", where="target token")
    if target.kind == "backtrace-hosted" and not target.universe:
        raise InspectorError(
            "a submit.backtrace.io target needs the universe (subdomain) name", where="target universe"
        )
    if target.kind != "backtrace-hosted" and not target.base_url:
        raise InspectorError(f"a {target.kind} target needs the server's base URL", where="target base URL")
    found = payload_root(submission)
    if found is None or submission.document is None:
        raise InspectorError(f"this is a Backtrace {submission.kind}, not an error object: there is nothing to submit")
    value, pointer = found
    # The docs wrapper is sent unwrapped: the server expects the error object itself.
    report = submission.document.to_bytes() if pointer == "" else dumps(value)
    attachments = list(submission.attachments)
    multipart = target.multipart if target.multipart is not None else bool(attachments)
    headers: list[tuple[str, str]] = []
    if multipart:
        body, boundary = multipart_body(report, attachments, list(target.attributes))
        url = build_url(target.kind, target.base_url, token=target.token, universe=target.universe, attributes=[])
        headers.append(("Content-Type", f"multipart/form-data; boundary={boundary}"))
    else:
        body = report
        url = build_url(
            target.kind,
            target.base_url,
            token=target.token,
            universe=target.universe,
            attributes=list(target.attributes),
        )
        headers.append(("Content-Type", "application/json"))
    if target.gzip:
        body = gzip.compress(body, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
    headers.append(("Accept", "application/json"))
    return RequestSpec(method="POST", url=url, headers=headers, body=body, secrets=[target.token])


# ---------------------------------------------------------------------------------------------- responses

_STATUS_MEANING = {
    400: "400: the server says the request is malformed",
    401: "401: the token is invalid or lacks the error:post scope",
    403: "403: the token is invalid or lacks the error:post scope",
    404: "404: no submit endpoint at this URL (check the base URL and the URL form)",
    413: "413: the request is too large for the server",
    429: "429: the submission limit is reached; try again later",
    503: "503: invalid universe (subdomain) or missing format",
}


def read_response(status: int, headers: list[tuple[str, str]], body: bytes) -> Outcome:
    """Explain a Backtrace answer (formats.md 1.2; statuses as @backtrace/node's handleResponse). Never raises."""
    try:
        data: Any = json.loads(body.decode("utf-8")) if body.strip() else None
    except (UnicodeDecodeError, ValueError):
        data = None
    text = body[:300].decode("utf-8", "replace").strip()
    details: list[str] = []
    retry = retry_after(headers)
    if retry is not None:
        details.append(f"Retry-After: {retry:g} s")
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        details.append(f"server error {error.get('code')}: {error.get('message')}")
    elif isinstance(error, str):
        details.append(f"server error: {error}")
    if 200 <= status < 300:
        if isinstance(data, dict) and data.get("response") == "ok":
            rxid = data.get("_rxid")
            rxid = str(rxid) if rxid is not None else None
            for key in ("object", "fingerprint", "attachment_id", "attachment_name"):
                if key in data:
                    details.append(f"{key}: {data[key]}")
            summary = (
                f"Accepted by Backtrace as object {rxid}" if rxid else "Accepted by Backtrace (no _rxid in the answer)"
            )
            return Outcome(ok=True, summary=summary, details=details, id=rxid, retry_after=retry)
        if isinstance(error, dict):
            return Outcome(
                False, f"{status}, but the server reports an error: {error.get('message')}", details, retry_after=retry
            )
        details.append(f"body: {text!r}" if text else "the body is empty")
        return Outcome(
            False,
            f'{status}, but the answer is not Backtrace\'s {{"response":"ok","_rxid":...}}; SDKs treat it as a failure',
            details,
            retry_after=retry,
        )
    meaning = _STATUS_MEANING.get(status)
    if meaning is None:
        meaning = f"{status}: server error" if status >= 500 else f"{status}: the server refused the report"
    summary = meaning
    if isinstance(error, dict) and error.get("message"):
        summary += f" ({error['message']})"
    elif text and not isinstance(error, dict):
        details.append(f"body: {text!r}")
    return Outcome(ok=False, summary=summary, details=details, retry_after=retry)


def multipart_file(report: bytes, parts: list[Part]) -> bytes:
    """The report and its parts as one file: the multipart body the submit endpoint takes (no attribute fields)."""
    return multipart_body(report, parts, [])[0]


CAPABILITIES = Capabilities(
    can_send=True,
    native=False,
    send_api=NAME,
    attachments=True,
    attachment_warn=10 * 1024 * 1024,
    parts_file=multipart_file,
    editing=editing.BACKTRACE,
    receiving=receiving.BACKTRACE,
)
