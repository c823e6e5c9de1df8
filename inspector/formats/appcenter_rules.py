"""App Center validation: the JSON Schema (structure, from the swagger) plus the cross-field rules in code.

Rule sources are named on every Problem; see reference/formats.md section 3.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from inspector.formats import appcenter_logs as L
from inspector.formats.base import (
    MAX_PER_KIND,
    REDACTED_NOTE,
    HttpInfo,
    Problem,
    Submission,
    check_cancelled,
    error,
    info,
    is_redacted,
    summary,
    warning,
)
from inspector.formats.jsondoc import join
from inspector.formats.schema import _json_type, fast_is_valid, schema_problems
from inspector.resources import resource_path

DOCS = "MicrosoftDocs/appcenter-docs upload-crashes.md"
#: The docs' revision of 2020-11-10 (the one the timestamp, rate and size limits come from) made these required.
DOCS_2020 = f"{DOCS} (2020-11 revision)"
#: Log types whose swagger definition has a distributionGroupId; on other logs it is only an SDK's field.
_SESSION_TYPES = ("startSession", "distributionStartSession")
#: The docs: "timestamp no more than 25 days in the past or 3 days (72 hours) in the future".
MAX_AGE = timedelta(days=25)
MAX_AHEAD = timedelta(hours=72)
#: The docs: at most 60 crashes + handled errors per minute per app.
RATE_LIMIT_PER_MINUTE = 60

_COMMON_KEYS = {"type", "timestamp", "sid", "userId", "device", "distributionGroupId", "dataResidencyRegion"}
_ABSTRACT_ERROR_KEYS = {
    "id",
    "processId",
    "processName",
    "parentProcessId",
    "parentProcessName",
    "errorThreadId",
    "errorThreadName",
    "fatal",
    "appLaunchTimestamp",
    "architecture",
}
#: Keys the swagger (and the SDKs' newer fields) define, per log type; anything else is reported as unknown (info).
KNOWN_KEYS: dict[str, set[str]] = {
    "managedError": _COMMON_KEYS | _ABSTRACT_ERROR_KEYS | {"binaries", "buildId", "exception", "threads"},
    "appleError": _COMMON_KEYS
    | _ABSTRACT_ERROR_KEYS
    | set(L.APPLE_ERROR_KEYS)
    | {
        "threads",
        "binaries",
        "registers",
        "exception",
    },
    "handledError": _COMMON_KEYS | {"properties", "id", "binaries", "exception"},
    "errorAttachment": _COMMON_KEYS | {"id", "errorId", "contentType", "fileName", "data"},
}


def validate_submission(submission: Submission, *, now: datetime | None = None) -> list[Problem]:
    problems: list[Problem] = []
    if submission.envelope.http is not None:
        problems.extend(http_problems(submission.envelope.http))
    if submission.document is None:
        return problems
    value = submission.document.value
    try:
        view, frame_lists = without_frames(value)
        problems.extend(structure_problems(view))
        problems.extend(frame_problems(frame_lists))
    except RecursionError:
        problems.append(error("", "the logs are nested too deeply to check against the schema", "swagger"))
    problems.extend(log_problems(value, now=now or datetime.now(UTC)))
    return problems


# ------------------------------------------------------------------------------------------------ structure
#
# jsonschema explains one bad log in ~0.5 ms, so a hostile batch ({"logs": [null] * 40000}) took 20-40 s. The
# container level of the schema is only "logs is a non-empty array of Log", so a container is checked log by log:
# jsonschema-rs confirms a good log in microseconds, jsonschema explains the first MAX_EXPLAINED_LOGS bad ones,
# and the rest are counted (one more problem says how many).

#: Bad logs explained one by one; the others are counted.
MAX_EXPLAINED_LOGS = 100
RULE = "swagger/ingestion.yaml"


def structure_problems(view: Any) -> list[Problem]:
    """The schema's problems of ``view`` (frames emptied), cheap per bad log."""
    shape = L.container_shape(view)
    key = L.CONTAINER_KEY if shape == "container" else L.TYPO_KEY if shape == "typo" else None
    logs = view.get(key) if key is not None else None
    if not isinstance(logs, list) or not logs or fast_is_valid(view, "appcenter"):
        return schema_problems(view, "appcenter", rule=RULE)
    base = L.logs_pointer(view)
    problems: list[Problem] = []
    unexplained = 0
    first_unexplained = ""
    explained = 0
    for index, log in enumerate(logs):
        if index % 256 == 0:
            check_cancelled()
        if fast_is_valid(log, "appcenter", "Log"):
            continue
        if explained >= MAX_EXPLAINED_LOGS:
            unexplained += 1
            first_unexplained = first_unexplained or f"{base}/{index}"
            continue
        explained += 1
        problems.extend(schema_problems(log, "appcenter", base_pointer=f"{base}/{index}", rule=RULE, definition="Log"))
    if unexplained:
        problems.append(
            error(
                first_unexplained,
                f"… and {unexplained:,} more logs do not match the schema (not explained: the first "
                f"{MAX_EXPLAINED_LOGS} bad logs are)",
                "swagger Log",
            )
        )
    return problems


# ------------------------------------------------------------------------------------------------ frames
#
# jsonschema needs ~45 s for a million frames, so the schema runs over a view of the document whose frame lists
# are emptied (shallow copies along the way, frames themselves untouched), and the frames are checked here in one
# loop against the schema's own StackFrame definition (the schema file stays the single source of the rule).


def _exception_view(exc: Any, ptr: str, out: list[tuple[str, list[Any]]]) -> Any:
    if not isinstance(exc, dict):
        return exc
    view = dict(exc)
    if isinstance(view.get("frames"), list):
        out.append((f"{ptr}/frames", view["frames"]))
        view["frames"] = []
    inner = view.get("innerExceptions")
    if isinstance(inner, list):
        view["innerExceptions"] = [_exception_view(e, f"{ptr}/innerExceptions/{i}", out) for i, e in enumerate(inner)]
    return view


def _log_view(log: Any, ptr: str, out: list[tuple[str, list[Any]]]) -> Any:
    if not isinstance(log, dict) or ("exception" not in log and "threads" not in log):
        return log
    view = dict(log)
    if "exception" in view:
        view["exception"] = _exception_view(view["exception"], f"{ptr}/exception", out)
    threads = view.get("threads")
    if isinstance(threads, list):
        copies = []
        for i, thread in enumerate(threads):
            if isinstance(thread, dict):
                thread = dict(thread)
                if isinstance(thread.get("frames"), list):
                    out.append((f"{ptr}/threads/{i}/frames", thread["frames"]))
                    thread["frames"] = []
                if "exception" in thread:
                    thread["exception"] = _exception_view(thread["exception"], f"{ptr}/threads/{i}/exception", out)
            copies.append(thread)
        view["threads"] = copies
    return view


def without_frames(value: Any) -> tuple[Any, list[tuple[str, list[Any]]]]:
    """A view of ``value`` with every frames list emptied, plus ``(pointer, frames)`` of the lists taken out."""
    out: list[tuple[str, list[Any]]] = []
    shape = L.container_shape(value)
    if shape == "single":
        return _log_view(value, "", out), out
    if shape not in ("container", "typo"):
        return value, out
    key = L.CONTAINER_KEY if shape == "container" else L.TYPO_KEY
    logs = value[key]
    if not isinstance(logs, list):
        return value, out
    base = L.logs_pointer(value)
    view = dict(value)
    view[key] = [_log_view(log, f"{base}/{i}", out) for i, log in enumerate(logs)]
    return view, out


@cache
def _frame_spec() -> dict[str, tuple[str, str]]:
    """StackFrame property name -> (JSON type, rule), read from resources/schemas/appcenter.schema.json."""
    with open(resource_path("schemas", "appcenter.schema.json"), encoding="utf-8") as fh:
        props = json.load(fh)["$defs"]["StackFrame"]["properties"]
    return {name: (spec["type"], spec.get("x-rule", "swagger StackFrame")) for name, spec in props.items()}


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return True


def frame_problems(frame_lists: list[tuple[str, list[Any]]]) -> list[Problem]:
    """Each frame against the schema's StackFrame; at most MAX_PER_KIND listed per rule, the rest counted."""
    spec = _frame_spec()
    problems: list[Problem] = []
    counts: dict[str, int] = {}
    hidden: dict[str, Problem] = {}

    def add(pointer: str, message: str, rule: str) -> None:
        n = counts[rule] = counts.get(rule, 0) + 1
        if n <= MAX_PER_KIND:
            problems.append(error(pointer, message, rule))
        elif n == MAX_PER_KIND + 1:
            hidden[rule] = error(pointer, message, rule)

    for ptr, frames in frame_lists:
        check_cancelled()
        for index, frame in enumerate(frames):
            if isinstance(frame, dict):
                for key, value in frame.items():
                    want = spec.get(key)
                    if want is None or _type_ok(value, want[0]):
                        continue
                    article = "an integer" if want[0] == "integer" else "a string"
                    add(f"{ptr}/{index}/{key}", f"must be {article}, not {_json_type(value)}", want[1])
            else:
                add(f"{ptr}/{index}", f"must be an object, not {_json_type(frame)}", "swagger StackFrame")
    for rule, first in hidden.items():
        problems.append(summary(first, counts[rule] - MAX_PER_KIND))
    return problems


# ------------------------------------------------------------------------------------------------ transport


def http_problems(http: HttpInfo) -> list[Problem]:
    """The captured request against swagger paths./logs.post and the SDKs' ingestion code."""
    problems: list[Problem] = []
    rule = "swagger paths./logs.post"
    if http.method.upper() != "POST":
        problems.append(error("/@http/method", f"App Center ingestion takes POST, not {http.method}", rule))
    if not http.path.rstrip("/").endswith("/logs"):
        problems.append(warning("/@http/target", f"the path {http.path!r} does not end with /logs", rule))
    versions = [v for k, v in http.query if k.lower() == "api-version"]
    if not versions:
        problems.append(
            error(
                "/@http/query/api-version",
                "the query has no api-version=1.0.0 (required)",
                "swagger parameters.ApiVersionParameter (required; key matched case-insensitively)",
            )
        )
    elif versions[0] != "1.0.0":
        problems.append(
            warning(
                "/@http/query/api-version",
                f"api-version is {versions[0]!r}; the SDKs send 1.0.0",
                "swagger info.version 1.0.0",
            )
        )
    for name in ("App-Secret", "Install-ID"):
        value = http.header(name)
        pointer = f"/@http/headers/{name}"
        if value is None:
            problems.append(error(pointer, f"the {name} header is missing (required)", f"swagger {name} header"))
        elif name == "App-Secret" and is_redacted(value.strip()):
            problems.append(info(pointer, f"the App-Secret was {REDACTED_NOTE}", "swagger App-Secret header"))
        elif not L.is_uuid(value.strip()):
            problems.append(
                warning(pointer, f"the {name} header is not a UUID", f"swagger {name} header (format uuid)")
            )
    ctype = http.header("content-type")
    if ctype is None or "application/json" not in ctype.lower():
        problems.append(
            warning(
                "/@http/headers/Content-Type",
                f"Content-Type is {ctype!r}; App Center only accepts application/json",
                f"swagger consumes application/json; {DOCS}",
            )
        )
    return problems


# ------------------------------------------------------------------------------------------------ logs


def log_problems(value: Any, *, now: datetime) -> list[Problem]:
    problems: list[Problem] = []
    entries = list(L.log_entries(value))
    error_ids: dict[str, str] = {}
    errors = 0
    for n, (ptr, log) in enumerate(entries):
        if n % 256 == 0:
            check_cancelled()
        if L.log_type(log) in L.ERROR_TYPES:
            errors += 1
            key = L.id_key(log.get("id"))
            if key is None:
                continue
            if key in error_ids:
                problems.append(
                    warning(
                        join(ptr, "id"),
                        f"the error id is also used by {error_ids[key]}; attachments can only belong to one of them",
                        "swagger AbstractErrorLog.id",
                    )
                )
            else:
                error_ids[key] = ptr
    if errors > RATE_LIMIT_PER_MINUTE:
        problems.append(
            info(
                L.logs_pointer(value),
                f"{errors} error logs in one batch; App Center accepts at most "
                f"{RATE_LIMIT_PER_MINUTE} crashes and handled errors per minute per app",
                DOCS,
            )
        )
    attachments_by_error: set[str] = set()
    for n, (ptr, log) in enumerate(entries):
        if n % 256 == 0:
            check_cancelled()
        if not isinstance(log, dict):
            continue  # the schema reports it
        kind = L.log_type(log)
        problems.extend(_common(log, ptr, kind, now))
        if kind in L.ERROR_TYPES:
            problems.extend(_error_log(log, ptr, kind))
        elif kind == L.ATTACHMENT_TYPE:
            problems.extend(_attachment(log, ptr, error_ids))
            if (key := L.id_key(log.get("errorId"))) is not None:
                attachments_by_error.add(key)
    for ptr, log in entries:
        if L.log_type(log) in L.ERROR_TYPES and _is_minidump(log):
            problems.extend(_minidump(log, ptr, attachments_by_error))
    return problems


def _common(log: dict[str, Any], ptr: str, kind: str | None, now: datetime) -> list[Problem]:
    problems: list[Problem] = []
    if kind is not None and kind not in L.KNOWN_TYPES:
        problems.append(
            info(
                join(ptr, "type"),
                f"unknown log type {kind!r}: not in the swagger; it is kept but not inspected",
                "swagger Log discriminator values",
            )
        )
    elif kind is not None and kind not in L.ERROR_TYPES and kind != L.ATTACHMENT_TYPE:
        problems.append(
            info(
                join(ptr, "type"),
                f"a {kind} log is not a crash log; it is kept but not inspected",
                "swagger Log discriminator values",
            )
        )
    problems.extend(_uuid(log, ptr, "sid", "swagger Log.sid (format uuid)"))
    if kind in _SESSION_TYPES:
        problems.extend(_uuid(log, ptr, "distributionGroupId", f"swagger {kind}.distributionGroupId (format uuid)"))
    else:  # only the SDKs put it on other logs: their type is at most a warning
        problems.extend(
            _uuid(log, ptr, "distributionGroupId", "android AbstractLog.java distributionGroupId (uuid)", warning)
        )
    if "id" in log and kind in (*L.ERROR_TYPES, L.ATTACHMENT_TYPE, "event"):
        problems.extend(_uuid(log, ptr, "id", f"swagger {kind}.id (format uuid)"))
    stamp = log.get("timestamp")
    if "timestamp" not in log:
        problems.append(
            info(
                ptr,
                "no timestamp: optional in the swagger, but every SDK sends one "
                "(apple MSACAbstractLog.m isValid requires it)",
                "swagger Log.timestamp",
            )
        )
    elif isinstance(stamp, str):
        moment = L.parse_time(stamp)
        if moment is None:
            problems.append(
                error(
                    join(ptr, "timestamp"),
                    f"{stamp!r} is not an RFC 3339 date-time (e.g. 2017-03-13T18:05:42.123Z)",
                    "swagger Log.timestamp (format date-time)",
                )
            )
        elif moment - now > MAX_AHEAD:
            problems.append(
                warning(
                    join(ptr, "timestamp"),
                    f"{stamp} is more than 72 hours in the future; App Center refuses such reports",
                    f"{DOCS}: at most 72 hours in the future",
                )
            )
        elif now - moment > MAX_AGE:
            days = (now - moment).days
            problems.append(
                warning(
                    join(ptr, "timestamp"),
                    f"{stamp} is {days} days old; App Center accepts reports at most 25 days in the past",
                    f"{DOCS}: at most 25 days in the past",
                )
            )
    known = KNOWN_KEYS.get(kind or "")
    if known is not None:
        unknown = [k for k in log if k not in known]
        for key in unknown[:10]:
            problems.append(
                info(
                    join(ptr, key),
                    f"unknown key {key!r} in this {kind} log (not in the swagger; App Center ignores it)",
                    f"swagger {kind}",
                )
            )
    return problems


def _uuid(log: dict[str, Any], ptr: str, key: str, rule: str, severity: Any = error) -> list[Problem]:
    value = log.get(key)
    if isinstance(value, str) and not L.is_uuid(value):
        return [severity(join(ptr, key), f"{value!r} is not a UUID (8-4-4-4-12 hex digits)", rule)]
    return []


def _error_log(log: dict[str, Any], ptr: str, kind: str) -> list[Problem]:
    problems: list[Problem] = []
    if kind in ("managedError", "appleError"):
        launch = log.get("appLaunchTimestamp")
        if "appLaunchTimestamp" not in log:
            problems.append(
                warning(
                    ptr,
                    "no appLaunchTimestamp: the docs call it required since 2020-11 "
                    "(the swagger and the 2019 docs make it optional)",
                    f"{DOCS_2020} vs swagger AbstractErrorLog",
                )
            )
        elif isinstance(launch, str):
            started = L.parse_time(launch)
            stamp = L.parse_time(log.get("timestamp"))
            if started is None:
                problems.append(
                    error(
                        join(ptr, "appLaunchTimestamp"),
                        f"{launch!r} is not an RFC 3339 date-time",
                        "swagger AbstractErrorLog.appLaunchTimestamp (format date-time)",
                    )
                )
            elif stamp is not None and started > stamp:
                problems.append(
                    warning(
                        join(ptr, "appLaunchTimestamp"),
                        f"the app launched ({launch}) after the error happened ({log.get('timestamp')})",
                        "swagger AbstractErrorLog",
                    )
                )
    if kind == "appleError" and "binaries" not in log:
        problems.append(
            warning(
                ptr,
                "an appleError without binaries: the docs call them required since 2020-11 "
                "(the swagger makes them optional); without them no frame can be symbolicated",
                f"{DOCS_2020} vs swagger AppleErrorLog",
            )
        )
    device = log.get("device")
    if (
        kind == "managedError"
        and isinstance(device, dict)
        and str(device.get("osName", "")).lower() == "android"
        and "appNamespace" not in device
    ):
        problems.append(
            warning(
                join(ptr, "device"),
                "an Android crash without device.appNamespace (the package name): the docs call it required "
                "for Android apps (the swagger makes it optional)",
                f"{DOCS_2020} vs swagger Device.appNamespace",
            )
        )
    threads = log.get("threads")
    thread_id = log.get("errorThreadId")
    if isinstance(threads, list) and threads and thread_id is not None:
        ids = [t.get("id") for t in threads if isinstance(t, dict)]
        if thread_id not in ids:
            problems.append(
                info(
                    join(ptr, "errorThreadId"),
                    f"errorThreadId {thread_id!r} matches none of the "
                    f"{len(threads)} threads, so no thread is marked as crashed",
                    "swagger AbstractErrorLog.errorThreadId",
                )
            )
    binaries = log.get("binaries")
    if isinstance(binaries, list):
        for index, binary in enumerate(binaries):
            if not isinstance(binary, dict):
                continue
            problems.extend(_binary(binary, f"{ptr}/binaries/{index}"))
    return problems


def _binary(binary: dict[str, Any], ptr: str) -> list[Problem]:
    from inspector.report import to_int

    problems: list[Problem] = []
    start, end = binary.get("startAddress"), binary.get("endAddress")
    for key, text in (("startAddress", start), ("endAddress", end)):
        if isinstance(text, str) and to_int(text) is None:
            problems.append(warning(join(ptr, key), f"{text!r} is not an address (0x hex)", f"swagger Binary.{key}"))
    first, last = to_int(start) if isinstance(start, str) else None, to_int(end) if isinstance(end, str) else None
    if first is not None and last is not None and first > last:
        problems.append(
            warning(join(ptr, "endAddress"), f"endAddress {end} is below startAddress {start}", "swagger Binary")
        )
    return problems


def _attachment(log: dict[str, Any], ptr: str, error_ids: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    error_id = log.get("errorId")
    problems.extend(_uuid(log, ptr, "errorId", "swagger ErrorAttachmentLog.errorId (format uuid)"))
    key = L.id_key(error_id)
    if key is not None and key not in error_ids:
        problems.append(
            warning(
                join(ptr, "errorId"),
                f"errorId {error_id} matches no error log in this batch; "
                "App Center accepts it only if that error was sent before",
                f"{DOCS}: attachments must be associated with a crash report",
            )
        )
    data = log.get("data")
    if isinstance(data, str):
        data_ptr = join(ptr, "data")
        size = L.decoded_size(data)
        try:
            size = len(L.decode_base64(data, data_ptr))
        except Exception as exc:  # InspectorError: the message says which character is wrong
            problems.append(
                error(
                    data_ptr,
                    getattr(exc, "message", str(exc)),
                    "swagger ErrorAttachmentLog.data (format byte = base64)",
                )
            )
        if size > L.MAX_ATTACHMENT_BYTES:
            problems.append(
                error(
                    data_ptr,
                    f"the attachment is {size:,} bytes decoded; the limit is 7 MB ({L.MAX_ATTACHMENT_BYTES:,} bytes)",
                    f"{DOCS_2020}: 7 MB (android Crashes.java MAX_ATTACHMENT_SIZE, apple kMaxAttachmentSize agree)",
                )
            )
        elif size == 0 and not data.strip():
            problems.append(warning(data_ptr, "the attachment is empty", "swagger ErrorAttachmentLog.data"))
    return problems


def _is_minidump(log: dict[str, Any]) -> bool:
    exc = log.get("exception")
    return isinstance(exc, dict) and exc.get("type") == "minidump"


def _minidump(log: dict[str, Any], ptr: str, attachments_by_error: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    wrapper = log["exception"].get("wrapperSdkName")
    if wrapper not in ("appcenter.ndk", "custom.ndk"):
        problems.append(
            warning(
                join(ptr, "exception"),
                f"a minidump crash needs exception.wrapperSdkName "
                f'"custom.ndk" (custom uploads) or "appcenter.ndk" (the SDK), not {wrapper!r}',
                f"{DOCS} (Breakpad); android Constants.java WRAPPER_SDK_NAME_NDK",
            )
        )
    key = L.id_key(log.get("id"))
    if key is not None and key not in attachments_by_error:
        problems.append(
            info(
                ptr,
                "a minidump crash without its errorAttachment minidump.dmp in this batch "
                "(it may follow in a later request)",
                f"{DOCS} (Breakpad)",
            )
        )
    return problems
