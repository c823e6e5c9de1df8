"""Rollbar "Create item" payloads: ``{access_token?, data: {environment, body: {trace | trace_chain | ...}}}``.

Inputs are raw JSON, captured ``POST /api/1/item/`` requests (token in ``X-Rollbar-Access-Token`` and/or the body)
and form-encoded ``payload=`` bodies (the envelope unwraps those). Rollbar frames are in call order with the most
recent call LAST, in every SDK we captured, whatever ``data.language`` says (formats.md 2.3).

Validation rules live in :mod:`inspector.formats.rollbar_rules`; this module detects, loads, builds the
:class:`~inspector.report.Report` and the HTTP request, and reads the answer.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from inspector.formats import editing, receiving
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
    as_object,
    is_redacted,
)
from inspector.formats.http_headers import header
from inspector.formats.http_headers import retry_after as header_retry_after
from inspector.formats.jsondoc import Document, dumps, join
from inspector.formats.lazy_json import plain
from inspector.formats.rollbar_rules import (  # the shape of an item, beside the rules that read it
    BODY_KINDS,
    body_kind,
    is_bare_data,
    validate_submission,
)
from inspector.report import (
    Binary,
    ExceptionInfo,
    Frame,
    LazyList,
    Report,
    SourceContext,
    Summary,
    TelemetryEvent,
    Thread,
    epoch_seconds,
)

if TYPE_CHECKING:
    from inspector.formats.apple_model import AppleCrash

NAME = "rollbar"
TITLE = "Rollbar"
TARGET_KINDS: tuple[str, ...] = ("rollbar",)

DEFAULT_BASE_URL = "https://api.rollbar.com"
ITEM_PATH = "/api/1/item/"
TOKEN_HEADER = "X-Rollbar-Access-Token"
#: Path fragments of library (not in-app) code: Python packages, Node modules, system libraries, Node internals.
LIBRARY_MARKERS = (
    "site-packages",
    "dist-packages",
    "node_modules",
    "/usr/lib/",
    "/usr/local/lib/",
    "/lib/python",
    "node:",
    "<frozen ",
    "\\lib\\",
)
#: Frame keys that the Report shows as fields; every other key goes to ``Frame.variables`` under its own name.
_FRAME_FIELDS = frozenset({"filename", "lineno", "colno", "method", "code", "class_name", "context"})
#: Frame keys shown as variable groups first, in this order.
_VARIABLE_KEYS = ("locals", "args", "kwargs", "argspec", "varargspec", "keywordspec")


# ------------------------------------------------------------------------------------------------ detect / load


def _data_of(value: Any) -> dict[str, Any] | None:
    data = value.get("data") if isinstance(value, dict) else None
    if isinstance(data, dict):
        return data
    if is_bare_data(value):
        bare: dict[str, Any] = value
        return bare
    return None


def root_pointer(value: Any) -> str:
    """Where ``data`` sits in the document: ``/data``, or the whole document for a bare data object."""
    return "" if is_bare_data(value) else "/data"


def _is_rollbar_path(envelope: Envelope) -> bool:
    return envelope.http is not None and envelope.http.path.rstrip("/").endswith("/api/1/item")


def _token_places(envelope: Envelope, value: Any) -> list[str]:
    places = []
    if isinstance(value, dict) and "access_token" in value:
        places.append("body")
    if envelope.http is not None and envelope.http.header(TOKEN_HEADER) is not None:
        places.append(f"{TOKEN_HEADER} header")
    return places


def detect(envelope: Envelope, value: Any) -> Detection | None:
    """Claim ``{data: {body: {trace|...}}}`` documents (~90), weaker shapes with transport evidence lower."""
    data = _data_of(value)
    on_path = _is_rollbar_path(envelope)
    header = envelope.http is not None and envelope.http.header(TOKEN_HEADER) is not None
    if data is None:
        if value is None and (on_path or header):
            # Not JSON at all, but sent to Rollbar: claim it weakly so load() can say what is wrong.
            return Detection(NAME, "item", 15, "Rollbar: request to /api/1/item/ whose body is not JSON")
        return None
    kind = body_kind(data)
    score = 90 if kind else 45
    if data is value:  # a bare data object: a Rollbar item once wrapped, weaker than a real one
        score = 70
    if kind and ("environment" in data or "notifier" in data):
        score += 3
    if on_path:
        score += 4
    if header:
        score += 3
    if not kind and isinstance(value, dict) and "access_token" in value:
        score += 10
    score = min(score, 100)
    body = as_object(data.get("body"))
    if kind == "trace_chain":
        chain = body.get("trace_chain")
        n = len(chain) if isinstance(chain, list) else 0
        what = f"item with body.trace_chain ({n} exception{'s' if n != 1 else ''})"
    elif kind:
        what = f"item with body.{kind}"
    else:
        what = "item without a trace, trace_chain, message or crash_report body"
    telemetry = body.get("telemetry")
    if isinstance(telemetry, list) and telemetry:
        what += f" and {len(telemetry)} telemetry event{'s' if len(telemetry) != 1 else ''}"
    places = _token_places(envelope, value)
    if places:
        token = "token in " + " and ".join(places)
    else:
        token = "no access token" if envelope.http is not None else "no access_token in the body"
    extra = ", form-encoded payload=" if "form" in envelope.layers else ""
    if data is value:
        extra += ', a bare data object (no {"data": ...} envelope)'
    return Detection(NAME, kind or "item", score, f"Rollbar: {what}, {token}{extra}")


def load(envelope: Envelope, document: Document | None, detection: Detection) -> Submission:
    """A Rollbar item is one JSON document; Rollbar has no attachments."""
    if document is None:
        raise InspectorError(
            "the Rollbar item body is not JSON: Rollbar expects a JSON object {data: ...} "
            "or a form field payload=<json>",
            where="request body",
        )
    return Submission(format=NAME, detection=detection, envelope=envelope, document=document)


def validate(submission: Submission) -> list[Problem]:
    return validate_submission(submission)


# ------------------------------------------------------------------------------------------------ report


def is_library_path(filename: str) -> bool:
    """True for frames of installed packages, system libraries and runtime internals."""
    lowered = filename.lower()
    if lowered.startswith(("internal/", "<")):
        return True
    return any(marker in lowered for marker in LIBRARY_MARKERS)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(plain(value), ensure_ascii=False)


def _source(frame: dict[str, Any], lineno: int | None) -> SourceContext | None:
    context = frame.get("context")
    pre = context.get("pre") if isinstance(context, dict) else None
    post = context.get("post") if isinstance(context, dict) else None
    pre = [str(x) for x in pre] if isinstance(pre, list) else []
    post = [str(x) for x in post] if isinstance(post, list) else []
    code = frame.get("code")
    if not pre and not post and not isinstance(code, str):
        return None
    lines = [*pre, *([code] if isinstance(code, str) else []), *post]
    if lineno is not None:
        start = lineno - len(pre)
        line = lineno if isinstance(code, str) else None
    else:
        start, line = 1, (len(pre) + 1 if isinstance(code, str) else None)
    return SourceContext(lines=tuple(lines), start_line=start, line=line, path=_str(frame.get("filename")))


def frame_converter(trace_pointer: str) -> Callable[[Any, int], Frame]:
    """``convert(raw_frame, index) -> Frame`` for the frames list at ``{trace_pointer}/frames``."""
    base = join(trace_pointer, "frames")

    def convert(raw: Any, index: int) -> Frame:
        pointer = f"{base}/{index}"
        if not isinstance(raw, dict):
            return Frame(pointer=pointer, note=f"not a frame object: {_str(raw)}"[:200])
        filename = _str(raw.get("filename"))
        lineno = _int(raw.get("lineno"))
        variables = [(k, raw[k]) for k in _VARIABLE_KEYS if k in raw]
        variables += [(k, v) for k, v in raw.items() if k not in _FRAME_FIELDS and k not in _VARIABLE_KEYS]
        return Frame(
            function=_str(raw.get("method")),
            file=filename,
            line=lineno,
            column=_int(raw.get("colno")),
            module=_str(raw.get("class_name")),
            in_app=None if filename is None else not is_library_path(filename),
            pointer=pointer,
            variables=tuple(variables),
            source=_source(raw, lineno),
        )

    return convert


def _frame_text(raw: Any) -> str:
    if not isinstance(raw, dict):
        return str(raw)
    return " ".join(str(raw[k]) for k in ("method", "filename", "class_name") if raw.get(k) is not None)


def _exception(trace: Any, pointer: str, depth: int) -> ExceptionInfo:
    trace = trace if isinstance(trace, dict) else {}
    exc = as_object(trace.get("exception"))
    frames = trace.get("frames") if isinstance(trace.get("frames"), list) else []
    message = exc.get("message")
    if message is None:
        message = exc.get("description")
    return ExceptionInfo(
        type=_str(exc.get("class")),
        message=_str(message),
        frames=LazyList(frames, frame_converter(pointer), _frame_text),
        pointer=pointer,
        depth=depth,
        relation="cause" if depth else None,
    )


def _apple_crash(raw: str, rp: str) -> AppleCrash | None:
    """``crash_report.raw`` read as the Apple crash report rollbar-apple sends (None when it is not one)."""
    from inspector.formats.apple import relocate
    from inspector.formats.apple_text import looks_like_text_report, parse_text

    if not looks_like_text_report(raw[:65536]):
        return None
    return relocate(parse_text(raw), f"{rp}/body/crash_report/raw")


def _crash_headline(raw: str) -> str | None:
    """The 'Exception Type:' line of an Apple crash report, else its first non-empty line."""
    first = None
    for line in raw[:20000].splitlines():
        stripped = line.strip()
        if stripped.startswith("Exception Type:"):
            return stripped.split(":", 1)[1].strip()
        if first is None and stripped:
            first = stripped
    return first


def telemetry_converter(base: str, single: bool) -> Callable[[Any, int], TelemetryEvent]:
    def convert(raw: Any, index: int) -> TelemetryEvent:
        pointer = base if single else f"{base}/{index}"
        if not isinstance(raw, dict):
            return TelemetryEvent(None, None, None, None, _str(raw), pointer=pointer)
        body = as_object(raw.get("body"))
        ts = raw.get("timestamp_ms")
        timestamp = epoch_seconds(ts, 1000.0)  # None for 10**4000 and other numbers no float holds
        status = body.get("status_code")
        return TelemetryEvent(
            timestamp=timestamp,
            level=_str(raw.get("level")),
            type=_str(raw.get("type")),
            source=_str(raw.get("source")),
            message=_telemetry_message(_str(raw.get("type")), body),
            pointer=pointer,
            status=None if status is None else str(status),
            url=_str(body.get("url")),
        )

    return convert


def _telemetry_message(kind: str | None, body: dict[str, Any]) -> str | None:
    message = body.get("message")
    if isinstance(message, str):
        return message.rstrip("\n")
    if kind == "network":
        parts = [body.get("method"), body.get("url")]
        text = " ".join(str(p) for p in parts if p is not None)
        if body.get("status_code") is not None:
            text += f" → {body['status_code']}"
        return text or None
    if kind == "navigation" and ("from" in body or "to" in body):
        return f"{body.get('from')} → {body.get('to')}"
    if kind == "dom" and "element" in body:
        return " ".join(str(body[k]) for k in ("subtype", "element") if body.get(k) is not None)
    return json.dumps(plain(body), ensure_ascii=False, sort_keys=False) if body else None


def _telemetry_text(raw: Any) -> str:
    if not isinstance(raw, dict):
        return str(raw)
    body = as_object(raw.get("body"))
    parts = [raw.get("level"), raw.get("type"), raw.get("source"), body.get("message"), body.get("url")]
    return " ".join(str(p) for p in parts if p is not None)


def reports(submission: Submission) -> list[Report]:
    """One Report per item. Lists stay views over the parsed document (nothing is copied)."""
    value = submission.document.value if submission.document is not None else None
    data = _data_of(value) or {}
    rp = root_pointer(value)
    body = as_object(data.get("body"))
    kind = body_kind(data) or "item"
    exceptions: list[ExceptionInfo] = []
    threads: list[Thread] = []
    binaries: list[Binary] = []
    metadata: dict[str, Any] = {}
    title_guess: str | None = None
    if kind == "trace":
        exceptions.append(_exception(body["trace"], f"{rp}/body/trace", 0))
    elif kind == "trace_chain" and isinstance(body["trace_chain"], list):
        exceptions.extend(_exception(t, f"{rp}/body/trace_chain/{i}", i) for i, t in enumerate(body["trace_chain"]))
    elif kind == "message":
        message = body["message"]
        metadata["message"] = message
        text = message.get("body") if isinstance(message, dict) else message
        title_guess = _str(text)
    elif kind == "crash_report":
        crash = body["crash_report"]
        raw = crash.get("raw") if isinstance(crash, dict) else None
        raw = raw if isinstance(raw, str) else None
        apple = _apple_crash(raw, rp) if raw else None
        if apple is not None and (apple.threads or apple.images or apple.exception_type):
            from inspector.formats.apple import crash_title, crash_views

            crash_exceptions, threads, binaries = crash_views(apple)
            exceptions.extend(crash_exceptions)
            title_guess = crash_title(apple)
            metadata["crash_report header"] = dict(apple.header)
            metadata.update({f"crash_report: {k}": v for k, v in apple.sections.items()})
        else:
            exceptions.append(
                ExceptionInfo(
                    type="crash report",
                    message=_crash_headline(raw) if raw else None,
                    frames=(),
                    pointer=f"{rp}/body/crash_report",
                    raw_stack=raw,
                )
            )
        metadata["crash_report"] = raw if raw is not None else crash
    if exceptions and title_guess is None:
        top = exceptions[0]
        title_guess = f"{top.type}: {top.message}" if top.type and top.message else (top.type or top.message)

    telemetry_raw = body.get("telemetry")
    if isinstance(telemetry_raw, list):
        telemetry = LazyList(telemetry_raw, telemetry_converter(f"{rp}/body/telemetry", False), _telemetry_text)
    elif isinstance(telemetry_raw, dict):  # the 2018 docs show a single object
        telemetry = LazyList([telemetry_raw], telemetry_converter(f"{rp}/body/telemetry", True), _telemetry_text)
    else:
        telemetry = LazyList([], telemetry_converter(f"{rp}/body/telemetry", False))

    for key, val in data.items():
        if key != "body":
            metadata[key] = val
    for key, val in body.items():  # rollbar-java's body.threads and other extras
        if key not in BODY_KINDS and key != "telemetry":
            metadata[f"body.{key}"] = val

    notifier = as_object(data.get("notifier"))
    sdk = " ".join(str(notifier[k]) for k in ("name", "version") if notifier.get(k) is not None) or None
    server = as_object(data.get("server"))
    level = _str(data.get("level"))
    timestamp = data.get("timestamp")
    summary = Summary(
        title=_str(data.get("title")) or title_guess,
        level=level,
        fatal=None,
        app=_str(server.get("host")),
        app_version=_str(data.get("code_version")),
        os=_str(data.get("platform")),
        timestamp=epoch_seconds(timestamp),  # None for numbers no float holds (the rules report them)
        environment=_str(data.get("environment")),
        language=_str(data.get("language")),
        sdk=sdk,
        id=_str(data.get("uuid")),
    )
    return [
        Report(
            format=NAME,
            kind=kind,
            summary=summary,
            exceptions=exceptions,
            telemetry=telemetry,
            metadata=metadata,
            threads=threads,
            binaries=binaries,
            pointer="",
            most_recent_first=kind == "crash_report",
        )
    ]


# ------------------------------------------------------------------------------------------------ sending


def item_url(target: Target) -> str:
    base = (target.base_url or DEFAULT_BASE_URL).rstrip("/")
    if base.endswith("/api/1/item"):  # the user pasted the whole endpoint
        return base + "/"
    if base.endswith("/api/1"):
        return base + "/item/"
    return base + ITEM_PATH


def _body_with_token(document: Document, token: str) -> bytes:
    """The body with ``access_token`` set, everything else (and the document) untouched."""
    value = document.value
    if not isinstance(value, dict):
        raise InspectorError("the Rollbar item must be a JSON object to carry access_token", where="")
    if value.get("access_token") == token and document.original is not None:
        return document.original
    if "access_token" in value:  # replace in place: keep the key where it was
        copy = {k: (token if k == "access_token" else v) for k, v in value.items()}
    else:  # pyrollbar and rollbar-java put it first
        copy = {"access_token": token, **value}
    return dumps(copy)


def _body_without_token(document: Document) -> bytes:
    value = document.value
    if not isinstance(value, dict):
        return document.to_bytes()
    return dumps({k: v for k, v in value.items() if k != "access_token"})


def build_request(submission: Submission, target: Target) -> RequestSpec:
    """``POST {base}/api/1/item/`` with the token in the header, or in the body when ``target.token_in_body``."""
    if submission.document is None:
        raise InspectorError("nothing to send: the Rollbar item has no JSON document")
    document = submission.document
    notes: list[str] = []
    if is_bare_data(document.value):
        document = Document(value={"data": document.value}, original=None)
        notes.append('the bare data object is sent wrapped as {"data": ...}, as the API expects')
    body_token = document.value.get("access_token") if isinstance(document.value, dict) else None
    redacted = is_redacted(body_token)  # a capture of the local receiver: the token was never stored
    if redacted:
        body_token = None
    token = target.token or (body_token if isinstance(body_token, str) else None)
    headers: list[tuple[str, str]] = [("Content-Type", "application/json")]
    if target.token_in_body and token:
        body = _body_with_token(document, token)
    else:
        # the placeholder must not travel: Rollbar would read it as the token (the header one is sent instead)
        body = _body_without_token(document) if redacted else document.to_bytes()
        if token:
            headers.append((TOKEN_HEADER, token))
    if not token:
        notes.append("no access token: Rollbar will answer 401")
        if redacted:
            notes.append("the body's access_token was redacted by the receiver: choose a profile with a token")
    if target.gzip:
        body = gzip.compress(body, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
        notes.append(
            "gzip bodies are SDK-specific for Rollbar (rollbar-java since PR #371); pyrollbar, rollbar.js and "
            "rollbar-apple send plain JSON"
        )
    secrets = [s for s in dict.fromkeys((token, body_token if isinstance(body_token, str) else None)) if s]
    return RequestSpec(method="POST", url=item_url(target), headers=headers, body=body, secrets=secrets, notes=notes)


#: What each status means (formats.md 2.2, from the docs).
STATUS_MEANINGS = {
    400: "the body is not JSON or could not be decoded",
    # read_response sees only the answer, not whether a token went out: word it as Rollbar documents 401
    401: "the request had no access token or it was not accepted as one (check the X-Rollbar-Access-Token "
    "header or the body's access_token)",
    403: "the access token is invalid, disabled or lacks the post_server_item / post_client_item scope",
    413: "the payload is too large (the documented limit is 1024 KB)",
    422: "the JSON is valid but the item is semantically invalid",
    429: "rate limited: too many items for this project or token",
    500: "Rollbar had an internal server error",
}


def _unauthorized_meaning(message: str) -> str | None:
    """A 401 whose body says which case it was: no token arrived, or the token was refused."""
    text = message.lower()
    if any(w in text for w in ("missing", "no access token", "not provided", "required")):
        return "no access token arrived with the request"
    if any(w in text for w in ("invalid", "not found", "disabled", "expired", "revoked", "unknown")):
        return "the access token was sent but not accepted"
    return None


def read_response(status: int, headers: list[tuple[str, str]], body: bytes) -> Outcome:
    """Turn Rollbar's answer into plain words; never raises."""
    try:
        answer: Any = json.loads(body.decode("utf-8")) if body.strip() else None
    except (UnicodeDecodeError, ValueError):
        answer = None
    answer = answer if isinstance(answer, dict) else None
    details: list[str] = []
    for name, meaning in (
        ("X-Rate-Limit-Limit", "items allowed per window"),
        ("X-Rate-Limit-Remaining", "items left in this window"),
        ("X-Rate-Limit-Reset", "window resets at (epoch seconds)"),
        ("X-Rate-Limit-Remaining-Seconds", "seconds until the window resets"),
    ):
        found = header(headers, name)
        if found is not None:
            details.append(f"{name}: {found} ({meaning})")
    message = answer.get("message") if answer else None
    if isinstance(message, str) and message:
        details.insert(0, f"Rollbar says: {message}")

    if 200 <= status < 300:
        err = answer.get("err") if answer else None
        result = answer.get("result") if answer and isinstance(answer.get("result"), dict) else {}
        uuid = result.get("uuid")
        if err not in (0, None):
            return Outcome(False, f"{status} but err={err}: {message or 'Rollbar reported an error'}", details)
        if answer is None:
            snippet = body[:200].decode("utf-8", "replace")
            details.append(f"the answer is not Rollbar's JSON {{err, result}}: {snippet!r}")
            return Outcome(True, f"{status}: accepted (no Rollbar JSON in the answer)", details)
        if isinstance(uuid, str) and uuid:
            link = f"https://rollbar.com/occurrence/uuid/?uuid={quote(uuid, safe='')}"
            return Outcome(True, f"Accepted by Rollbar as occurrence {uuid}", details, id=uuid, link=link)
        return Outcome(True, f"{status}: accepted by Rollbar (no uuid in the answer)", details)

    known = STATUS_MEANINGS.get(status)
    if status == 401 and isinstance(message, str):
        known = _unauthorized_meaning(message) or known
    if known is None:
        known = "server error" if status >= 500 else "the request was refused" if status >= 400 else "unexpected"
    meaning = known
    retry_after = None
    if status == 429 or status == 503:
        retry_after = header_retry_after(headers)
        if retry_after is not None:
            details.append(f"retry after {retry_after:g} s")
    summary = f"{status}: {meaning}"
    if isinstance(message, str) and message and status != 422:
        summary += f" ({message})"
    elif status == 422 and isinstance(message, str) and message:
        summary += f": {message}"
    return Outcome(False, summary, details, retry_after=retry_after)


CAPABILITIES = Capabilities(
    can_send=True,
    native=False,
    send_api=NAME,  # the item API takes no attachments
    token_in_body=True,
    summary_app_is_host=True,  # summary.app is data.server.host
    editing=editing.ROLLBAR,
    receiving=receiving.ROLLBAR,
)
