"""Validation of Rollbar items: the JSON Schema for structure, plus the rules a schema cannot say.

Every rule names its source (the docs page rollbar/docs ``api/items_post.md`` @ a02e8f5c and docs.rollbar.com
"Create item", SDK behaviour from formats.md section 2). Limits the docs do not state are warnings and say so.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from inspector.formats.base import (
    REDACTED_NOTE,
    Problem,
    Severity,
    Submission,
    error,
    info,
    is_redacted,
    oversized_timestamp,
    warning,
)
from inspector.formats.jsondoc import join
from inspector.formats.schema import schema_problems
from inspector.resources import resource_path

BODY_KINDS = ("trace", "trace_chain", "message", "crash_report")


def body_kind(data: dict[str, Any] | None) -> str | None:
    """The first body kind present in ``data.body`` (None when there is none)."""
    body = data.get("body") if data else None
    if not isinstance(body, dict):
        return None
    return next((k for k in BODY_KINDS if k in body), None)


def is_bare_data(value: Any) -> bool:
    """A Rollbar ``data`` object without its ``{"data": ...}`` envelope: what people copy from an occurrence's
    JSON view. Rollbar's API expects the envelope, so it is sent wrapped."""
    return (
        isinstance(value, dict)
        and "data" not in value
        and isinstance(value.get("body"), dict)
        and body_kind(value) is not None
    )


#: docs.rollbar.com: "Max payload size is 1024kb"; the 2017-2018 docs said 512kb and SDKs truncate at 512 KB.
MAX_PAYLOAD_BYTES = 1024 * 1024
SDK_TRUNCATION_BYTES = 512 * 1024
#: Every documented access token is 32 hex characters.
TOKEN_SHAPE = re.compile(r"[0-9a-fA-F]{32}")
#: Platforms that need a post_client_item token (docs).
CLIENT_PLATFORMS = ("browser", "android", "ios", "flash", "client")
#: An upper bound for timestamps in seconds (year 5138): above it, the value is almost surely milliseconds.
_MAX_SECONDS = 10**11
#: No documented limit for these strings; the other documented free-text fields stop at 255.
_UNDOCUMENTED_LIMIT = 255

DOCS = "rollbar docs (api/items_post)"
TOKEN_HEADER_POINTER = "/@headers/X-Rollbar-Access-Token"


def validate_submission(submission: Submission) -> list[Problem]:
    if submission.document is None:
        return [error("", "the Rollbar item has no JSON document", DOCS)]
    value = submission.document.value
    bare = is_bare_data(value)
    if bare:  # read as the item it becomes once wrapped; pointers are then moved back to the document's own
        value = {"data": value}
    problems = _structure(value)
    if isinstance(value, dict):
        problems += _top_level(value)
        data = value.get("data")
        if isinstance(data, dict):
            problems += _data_rules(data)
    if bare:
        problems = [
            dataclasses.replace(p, pointer=p.pointer.removeprefix("/data")) if p.pointer.startswith("/data") else p
            for p in problems
        ]
        problems.insert(
            0,
            warning(
                "",
                "this is a bare Rollbar data object (as copied from an occurrence view): the API expects it inside "
                '{"data": ...}. It is shown as the item it belongs to and sent wrapped',
                f'{DOCS}: the request body is {{"data": {{...}}}}',
            ),
        )
    problems += _token_rules(submission)
    problems += _transport_rules(submission)
    problems += _size_rules(submission)
    return problems


def _structure(value: Any) -> list[Problem]:
    """The JSON Schema, with frame lists checked frame by frame.

    jsonschema costs ~100 µs per frame; most frames are plain, so a predicate compiled from the schema's own
    ``$defs/frame`` lets those skip it. A frame the predicate cannot vouch for goes through jsonschema, which
    words the problem. The schema file stays the single source of the rules.
    """
    rule = f"{DOCS}: structure"
    skeleton, frame_lists = _without_frames(value)
    problems = schema_problems(skeleton, "rollbar", rule=rule)
    plain = _plain_frame()
    for pointer, frames in frame_lists:
        for index, frame in enumerate(frames):
            if plain is None or not plain(frame):
                problems += schema_problems(
                    frame, "rollbar", base_pointer=f"{pointer}/{index}", rule=rule, definition="frame"
                )
    return problems


def _without_frames(value: Any) -> tuple[Any, list[tuple[str, list[Any]]]]:
    """Shallow copies down to each trace with ``frames`` emptied (the document is not touched), plus the lists."""
    data = value.get("data") if isinstance(value, dict) else None
    body = data.get("body") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(body, dict):
        return value, []
    lists: list[tuple[str, list[Any]]] = []

    def strip(trace: Any, pointer: str) -> Any:
        if isinstance(trace, dict) and isinstance(trace.get("frames"), list):
            lists.append((f"{pointer}/frames", trace["frames"]))
            return {**trace, "frames": []}
        return trace

    new_body = dict(body)
    if "trace" in body:
        new_body["trace"] = strip(body["trace"], "/data/body/trace")
    if isinstance(body.get("trace_chain"), list):
        new_body["trace_chain"] = [strip(t, f"/data/body/trace_chain/{i}") for i, t in enumerate(body["trace_chain"])]
    new_data = {**data, "body": new_body}
    if isinstance(data.get("custom"), dict):  # the schema says only that it is an object (CUSTOM_SCHEMA_KEYS): its
        new_data["custom"] = {}  # 100 000 members would be copied for the fast validator and not checked
    return {**value, "data": new_data}, lists


#: All the schema says of ``data.custom`` (tests/formats/test_rollbar.py keeps it so): its members are free.
CUSTOM_SCHEMA_KEYS = frozenset({"type", "x-rule"})


_SIMPLE_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    # JSON Schema's integer: any number with a zero fractional part (1.0 is an integer, true is not)
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}
_ANNOTATIONS = frozenset({"x-rule", "x-severity", "x-message", "description", "title"})


@cache
def _plain_frame() -> Callable[[Any], bool] | None:
    with open(resource_path("schemas", "rollbar.schema.json"), encoding="utf-8") as fh:
        return _compile_plain(json.load(fh)["$defs"]["frame"])


def _compile_plain(schema: dict[str, Any]) -> Callable[[Any], bool] | None:
    """A predicate true only for values the subschema surely accepts; None when it uses keywords not handled here."""
    if set(schema) - _ANNOTATIONS - {"type", "required", "properties", "items"}:
        return None
    kind = schema.get("type")
    if kind is not None and not isinstance(kind, str):
        return None
    type_check = _SIMPLE_TYPES.get(kind) if kind is not None else (lambda v: True)
    if type_check is None:
        return None
    required = tuple(schema.get("required", ()))
    props: dict[str, Callable[[Any], bool]] = {}
    for key, sub in schema.get("properties", {}).items():
        check = _compile_plain(sub)
        if check is None:
            return None
        props[key] = check
    items = _compile_plain(schema["items"]) if "items" in schema else None
    if "items" in schema and items is None:
        return None

    def plain(value: Any) -> bool:
        if not type_check(value):
            return False
        if isinstance(value, dict):
            if any(k not in value for k in required):
                return False
            for key, check in props.items():
                if key in value and not check(value[key]):
                    return False
        if items is not None and isinstance(value, list):
            return all(items(v) for v in value)
        return True

    return plain


def _top_level(value: dict[str, Any]) -> list[Problem]:
    return [
        info(
            join("", key),
            f"top-level key {key!r} is not part of the Rollbar API (only access_token and data are)",
            f"{DOCS}: payload is {{access_token, data}}",
        )
        for key in value
        if key not in ("access_token", "data")
    ]


def _body_rules(body: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    present = [k for k in BODY_KINDS if k in body]
    if not present:
        problems.append(
            error(
                "/data/body",
                "the body needs exactly one of trace, trace_chain, message or crash_report; it has none",
                f"{DOCS}: body requires exactly one of trace, trace_chain, message, crash_report",
            )
        )
    for extra in present[1:]:
        problems.append(
            error(
                join("/data/body", extra),
                f"the body has {' and '.join(present)}; only one of trace, trace_chain, message or crash_report "
                "may be present",
                f"{DOCS}: only one of trace, trace_chain, message or crash_report should be present",
            )
        )
    traces: list[tuple[str, Any]] = []
    if isinstance(body.get("trace"), dict):
        traces.append(("/data/body/trace", body["trace"]))
    if isinstance(body.get("trace_chain"), list):
        traces += [(f"/data/body/trace_chain/{i}", t) for i, t in enumerate(body["trace_chain"]) if isinstance(t, dict)]
    for pointer, trace in traces:
        if isinstance(trace.get("frames"), list) and not trace["frames"]:
            problems.append(
                warning(
                    join(pointer, "frames"),
                    "the trace has no frames: Rollbar shows no stack",
                    f"{DOCS}: trace.frames is a list of stack frames",
                )
            )
    telemetry = body.get("telemetry")
    if isinstance(telemetry, dict):
        problems.append(
            warning(
                "/data/body/telemetry",
                "telemetry is a single object (as in the 2018 docs); current docs and "
                "every SDK send an array of events",
                "docs.rollbar.com Create item: telemetry is an array",
            )
        )
    elif isinstance(telemetry, list):
        for i, event in enumerate(telemetry):
            if (
                isinstance(event, dict)
                and isinstance(event.get("source"), str)
                and event["source"] not in ("client", "server")
            ):
                problems.append(
                    info(
                        f"/data/body/telemetry/{i}/source",
                        f"telemetry source {event['source']!r} is neither 'client' nor 'server'",
                        f'{DOCS}: source is usually "client" or "server"',
                    )
                )
            ts = event.get("timestamp_ms") if isinstance(event, dict) else None
            huge = oversized_timestamp(
                f"/data/body/telemetry/{i}/timestamp_ms",
                ts,
                f"{DOCS}: timestamp_ms is a unix timestamp in milliseconds",
                severity=Severity.WARNING,
            )
            if huge is not None:
                problems.append(huge)
            elif isinstance(ts, int) and not isinstance(ts, bool) and 0 < ts < _MAX_SECONDS:
                problems.append(
                    warning(
                        f"/data/body/telemetry/{i}/timestamp_ms",
                        f"timestamp_ms {ts} looks like seconds, not milliseconds",
                        f"{DOCS}: timestamp_ms is a unix timestamp in milliseconds",
                    )
                )
    return problems


def _data_rules(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(data.get("body"), dict):
        problems += _body_rules(data["body"])
    env = data.get("environment")
    if isinstance(env, str) and not env.strip():
        problems.append(warning("/data/environment", "the environment is empty", f"{DOCS}: environment is required"))
    ts = data.get("timestamp")
    if "timestamp" not in data:
        problems.append(
            info(
                "/data",
                "no timestamp: Rollbar uses the time it receives the item",
                f"{DOCS}: data.timestamp is optional",
            )
        )
    elif isinstance(ts, int) and not isinstance(ts, bool):
        huge = oversized_timestamp("/data/timestamp", ts, f"{DOCS}: data.timestamp is a unix timestamp (seconds)")
        if huge is not None:
            problems.append(huge)
        elif ts >= _MAX_SECONDS:
            problems.append(
                warning(
                    "/data/timestamp",
                    f"timestamp {ts} looks like milliseconds; Rollbar expects seconds ({ts // 1000})",
                    f"{DOCS}: data.timestamp is a unix timestamp (seconds)",
                )
            )
        elif ts < 0:
            problems.append(warning("/data/timestamp", f"timestamp {ts} is before 1970", f"{DOCS}: unix timestamp"))
    elif isinstance(ts, float):
        pass  # the schema reports the type
    fingerprint = data.get("fingerprint")
    if isinstance(fingerprint, str) and len(fingerprint) > 40:
        problems.append(
            warning(
                "/data/fingerprint",
                f"the fingerprint is {len(fingerprint)} characters long; above 40 "
                "Rollbar groups by its SHA1 hash instead",
                f"{DOCS}: fingerprint up to 40 characters",
            )
        )
    uuid = data.get("uuid")
    if "uuid" not in data:
        problems.append(
            info(
                "/data",
                "no uuid: Rollbar generates one, and duplicate sends cannot be detected",
                f"{DOCS}: uuid is recommended",
            )
        )
    elif isinstance(uuid, str) and any(ord(c) > 0xFF for c in uuid):
        problems.append(
            error("/data/uuid", "the uuid has characters outside Latin-1", f"{DOCS}: uuid can be any latin1 string")
        )
    person = data.get("person")
    if isinstance(person, dict) and "id" in person:
        pid = person["id"]
        if isinstance(pid, int) and not isinstance(pid, bool):
            problems.append(
                warning(
                    "/data/person/id",
                    f"person.id is the number {pid}; the docs specify a string",
                    f"{DOCS}: person.id is a string up to 40 characters",
                )
            )
        elif isinstance(pid, str) and not pid:
            problems.append(error("/data/person/id", "person.id is empty", f"{DOCS}: person.id is required"))
    for key in ("platform", "language", "framework"):
        text = data.get(key)
        if isinstance(text, str) and len(text) > _UNDOCUMENTED_LIMIT:
            problems.append(
                warning(
                    f"/data/{key}",
                    f"{key} is {len(text)} characters long; Rollbar documents no "
                    f"limit but indexes such fields up to {_UNDOCUMENTED_LIMIT}",
                    "Crash Inspector: undocumented limit, like the other 255-character fields",
                )
            )
    context = data.get("context")
    if isinstance(context, str) and len(context) > 255:
        problems.append(
            warning(
                "/data/context",
                f"context is {len(context)} characters long; rollbar.js truncates it to 255",
                "rollbar.js src/apiUtility.js: context truncated to 255",
            )
        )
    platform = data.get("platform")
    if isinstance(platform, str) and platform in CLIENT_PLATFORMS:
        problems.append(
            info(
                "/data/platform",
                f"platform {platform!r} needs a token with the post_client_item scope",
                f"{DOCS}: client-side platforms need a post_client_item token",
            )
        )
    if data.get("failsafe") is True:
        problems.append(
            info(
                "/data/failsafe",
                "a pyrollbar failsafe item: sent in place of an item the API refused "
                "(413); the original is in the sender's logs",
                "pyrollbar rollbar/__init__.py _send_failsafe",
            )
        )
    return problems


def _token_rules(submission: Submission) -> list[Problem]:
    problems: list[Problem] = []
    value = submission.document.value if submission.document is not None else None
    body_token = value.get("access_token") if isinstance(value, dict) else None
    http = submission.envelope.http
    header_token = http.header("X-Rollbar-Access-Token") if http is not None else None
    rule = f"{DOCS}: access tokens are 32 hex characters in every example"
    if is_redacted(body_token):
        problems.append(info("/access_token", f"the access token was {REDACTED_NOTE}", rule))
    elif isinstance(body_token, str) and not TOKEN_SHAPE.fullmatch(body_token):
        problems.append(
            warning(
                "/access_token",
                f"the access token is {len(body_token)} characters and not 32 hex characters like Rollbar's tokens",
                rule,
            )
        )
    if header_token is not None and is_redacted(header_token.strip()):
        problems.append(info(TOKEN_HEADER_POINTER, f"the X-Rollbar-Access-Token header was {REDACTED_NOTE}", rule))
    elif header_token is not None and not TOKEN_SHAPE.fullmatch(header_token.strip()):
        problems.append(
            warning(
                TOKEN_HEADER_POINTER,
                f"the X-Rollbar-Access-Token header is {len(header_token)} "
                "characters and not 32 hex characters like Rollbar's tokens",
                rule,
            )
        )
    if isinstance(body_token, str) and header_token is not None and body_token != header_token.strip():
        problems.append(
            warning(
                "/access_token",
                "the access token in the body differs from the one in the X-Rollbar-Access-Token header",
                f"{DOCS}: one token, in the header or the body",
            )
        )
    if body_token is None and header_token is None:
        if http is not None:
            problems.append(
                error(
                    TOKEN_HEADER_POINTER,
                    "the request carries no access token (neither the "
                    "X-Rollbar-Access-Token header nor access_token in the body): Rollbar answers 401",
                    f"{DOCS}: 401 no access token",
                )
            )
        else:
            problems.append(
                info(
                    "/access_token",
                    "no access_token in the body: the token must come from the "
                    "X-Rollbar-Access-Token header when sending",
                    f"{DOCS}: header or body token",
                )
            )
    return problems


def _transport_rules(submission: Submission) -> list[Problem]:
    problems: list[Problem] = []
    env = submission.envelope
    if env.http is not None:
        if env.http.method != "POST":
            problems.append(
                error(
                    "/@http/method",
                    f"the request method is {env.http.method}; Rollbar takes POST",
                    f"{DOCS}: POST /api/1/item/",
                )
            )
        if not env.http.path.rstrip("/").endswith("/api/1/item"):
            problems.append(
                warning(
                    "/@http/target",
                    f"the request path is {env.http.path!r}, not /api/1/item/",
                    f"{DOCS}: POST /api/1/item/",
                )
            )
        ctype = (env.http.header("content-type") or "").lower()
        if "form" not in env.layers and "application/json" not in ctype:
            problems.append(
                warning(
                    "/@headers/Content-Type",
                    f"Content-Type is {ctype or 'missing'!r}; SDKs send application/json",
                    "pyrollbar, rollbar.js, rollbar-java: application/json",
                )
            )
    if "form" in env.layers and env.fields:
        names = ", ".join(sorted({k for k, _ in env.fields}))
        problems.append(
            warning(
                "/@fields",
                f"the form has fields besides payload ({names}); payload should be the only parameter",
                f"{DOCS}: form-encoded payload, the only parameter",
            )
        )
    return problems


def _size_rules(submission: Submission) -> list[Problem]:
    assert submission.document is not None
    size = len(submission.document.to_bytes())
    if size > MAX_PAYLOAD_BYTES:
        return [
            error(
                "",
                f"the payload is {size:,} bytes ({size / 1024:.0f} KB); Rollbar accepts at most "
                f"{MAX_PAYLOAD_BYTES // 1024} KB and answers 413 above it",
                "docs.rollbar.com Create item: max payload size is 1024kb",
            )
        ]
    if size > SDK_TRUNCATION_BYTES:
        return [
            warning(
                "",
                f"the payload is {size:,} bytes ({size / 1024:.0f} KB); rollbar.js and rollbar-java "
                f"truncate above {SDK_TRUNCATION_BYTES // 1024} KB and older docs gave 512 KB as the limit",
                "rollbar.js src/truncation.js; rollbar-java RollbarBase.java MAX_PAYLOAD_SIZE_BYTES",
            )
        ]
    return []
