"""Validation of Backtrace submissions: the JSON Schema for structure, plus the cross-field and transport rules.

Every problem names its source (reference/formats.md section 1 cites them): the seed ``sauce-docs
error-reporting.md``, the JS SDK types ``BacktraceSubmit*.ts`` and the SDK files that show real behaviour.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from typing import Any

from inspector.formats.backtrace_report import (
    KNOWN_KEYS,
    MILLISECONDS_ABOVE,
    crashed_fallback,
    is_breadcrumbs_part,
    parse_breadcrumbs,
)
from inspector.formats.backtrace_url import SUBMIT_FORMATS, parse_submit_target
from inspector.formats.base import (
    REDACTED_NOTE,
    Problem,
    Submission,
    error,
    info,
    is_redacted,
    oversized_timestamp,
    warning,
)
from inspector.formats.jsondoc import join
from inspector.formats.lazy_json import Shape, kept, outlines
from inspector.formats.schema import schema_problems

DOCS = "sauce-docs error-reporting.md"
HTTP_DOCS = "sauce-docs http-submission.md"
FRAME_TYPE = "JS sdk-core BacktraceSubmitStackFrame.ts"
SOURCE_TYPE = "JS sdk-core BacktraceSubmitSourceCode.ts"
THREAD_TYPE = "JS sdk-core BacktraceSubmitThread.ts"
MAX_LISTED = 20
NODE_HANDLER = "JS node BacktraceNodeRequestHandler.ts"

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_DIGITS = re.compile(r"^\s*-?\d+\s*$")


KIND_ERROR_OBJECT = "error object"
KIND_RESPONSE = "submit response"
KIND_FRAGMENT = "thread fragment"
KIND_WRAPPER = "docs body wrapper"


def validate_submission(submission: Submission, root: tuple[Any, str] | None) -> list[Problem]:
    """All problems of a submission. ``root`` is (error object, its pointer) or None for non-payload JSON."""
    problems: list[Problem] = []
    if submission.kind == KIND_RESPONSE:
        return [
            error(
                "",
                "this is a Backtrace server response, not a submit payload: there is nothing to send",
                f"{DOCS}: Responses",
            )
        ]
    if submission.kind == KIND_FRAGMENT:
        return [
            error(
                "",
                "this is a single thread object (a fragment), not a submit payload: a report needs uuid, timestamp, "
                "lang, agent... and a threads map that holds threads like this one",
                f"{DOCS}: threads",
            )
        ]
    if root is None:
        return problems
    value, rp = root
    if submission.kind == KIND_WRAPPER:
        problems.append(
            error(
                "",
                'the report is wrapped in {"body": ...} as in the docs\' "Sample Request"; the server expects '
                "the error object itself at the top level (no SDK sends this wrapper). Shown unwrapped; remove "
                "the wrapper to send it",
                f"{DOCS}: Sample Request (docs defect); every SDK sends the bare object",
            )
        )
    problems.extend(structure_problems(value, rp))
    if isinstance(value, dict):
        problems.extend(_object_rules(value, rp))
    problems.extend(_transport_rules(submission))
    return problems


# ---------------------------------------------------------------------------------------------- structure

_U64 = re.compile(r"^(0[xX][0-9a-fA-F]+|[0-9]+)$")
#: Frame keys whose type a quick check can confirm; anything else goes through the schema.
_FAST_FRAME_TYPES: dict[str, type] = {
    "funcName": str,
    "sourceCode": str,
    "library": str,
    "debug_identifier": str,
    "faulted": bool,
    "guessed_frame": bool,
}


def _frame_surely_valid(frame: Any) -> bool:
    """True when the frame certainly passes ``$defs/frame`` (a fast path: the schema is ~30x slower per frame)."""
    if not isinstance(frame, dict):
        return False
    for key, val in frame.items():
        expected = _FAST_FRAME_TYPES.get(key)
        if expected is not None:
            if type(val) is not expected:
                return False
        elif key == "address":
            if not ((type(val) is int and val >= 0) or (type(val) is str and _U64.match(val))):
                return False
        elif key == "registers":
            return False  # rare: let the schema look at it
    return True


def _stack_of(thread: Any) -> Any:
    return thread.get("stack") if isinstance(thread, dict) else None


def structure_problems(root: Any, rp: str) -> list[Problem]:
    """The JSON Schema, applied piecewise so a million frames validate in seconds, not minutes.

    The top level is validated with every thread's stack emptied (a shallow view, the document is untouched);
    then each frame that the quick check cannot vouch for is validated against ``$defs/frame``.
    """
    rule = f"{DOCS}: error object"
    threads = root.get("threads") if isinstance(root, dict) else None
    if not isinstance(threads, dict):
        return schema_problems(root, "backtrace", base_pointer=rp, rule=rule)
    stacks: list[tuple[str, Sequence[Any]]] = []
    view_threads: dict[str, Any] = {}
    # outlines: threads kept in chunks of the bytes are not decoded for their names and flags; each stack is found
    # again when it is checked (lazy_json), never all kept at once
    for key, shape in outlines(threads):
        stack = shape.get("stack") if isinstance(shape, dict) else None
        if isinstance(stack, Shape) and stack.kind is list:
            stacks.append((join(rp, "threads", key, "stack"), kept(threads, key, _stack_of, len(stack))))
            nested = any(isinstance(v, Shape) for k, v in shape.items() if k != "stack")
            view_threads[key] = {**(threads[key] if nested else shape), "stack": []}
        else:
            view_threads[key] = threads[key]
    problems = schema_problems({**root, "threads": view_threads}, "backtrace", base_pointer=rp, rule=rule)
    for stack_ptr, stack in stacks:
        for index, frame in enumerate(stack):
            if not _frame_surely_valid(frame):
                problems.extend(
                    schema_problems(
                        frame, "backtrace", base_pointer=f"{stack_ptr}/{index}", rule=rule, definition="frame"
                    )
                )
    return problems


# ---------------------------------------------------------------------------------------------- the object


def _object_rules(root: dict[str, Any], rp: str) -> list[Problem]:
    problems: list[Problem] = []
    ts = root.get("timestamp")
    huge = oversized_timestamp(join(rp, "timestamp"), ts, f"{DOCS}: timestamp, UTC seconds")
    if huge is not None:
        problems.append(huge)
    elif isinstance(ts, int) and not isinstance(ts, bool) and ts > MILLISECONDS_ABOVE:
        problems.append(
            warning(
                join(rp, "timestamp"),
                f"{ts} looks like milliseconds; Backtrace expects seconds since the epoch ({ts // 1000})",
                f"{DOCS}: timestamp; JS TimeHelper.toTimestampInSec",
            )
        )
    threads = root.get("threads")
    threads = threads if isinstance(threads, dict) else {}
    for key in ("mainThread", "entryThread"):
        name = root.get(key)
        if isinstance(name, str) and threads and name not in threads:
            keys = ", ".join(repr(k) for k in list(threads)[:5])
            problems.append(
                error(
                    join(rp, key),
                    f"{key} {name!r} is not a key of threads (keys: {keys}{', ...' if len(threads) > 5 else ''})",
                    f"{DOCS}: {key} must be one of the keys in the threads object",
                )
            )
    problems.extend(_frame_rules(root, threads, rp))
    problems.extend(_thread_rules(root, threads, rp))
    faulted = [k for k, t in outlines(threads) if isinstance(t, dict) and t.get("fault") is True]
    if len(faulted) > 1:
        problems.append(
            info(
                join(rp, "threads", faulted[1]),
                f"{len(faulted)} threads are marked fault: true; the first listed gets the status of mainThread",
                f"{DOCS}: threads.fault",
            )
        )
    problems.extend(_attribute_rules(root, rp))
    for key in root:
        if key not in KNOWN_KEYS:
            problems.append(
                info(
                    join(rp, key),
                    f"{key!r} is not a field of the Backtrace error object; the server stores it unindexed at best",
                    f"{DOCS}: error object fields; JS BacktraceSubmitData.ts",
                )
            )
    problems.extend(_source_code_rules(root, rp))
    fingerprint = root.get("fingerprint")
    if isinstance(fingerprint, str) and not _fingerprint_ok(fingerprint):
        problems.append(
            warning(
                join(rp, "fingerprint"),
                "fingerprint should be a base64-encoded 32-byte id (or 64 hex characters, as sha256 digests); "
                "anything else is grouped unpredictably",
                f"{DOCS}: fingerprint, base64 encoded unique ID (32 bytes)",
            )
        )
    return problems


def _thread_rules(root: dict[str, Any], threads: dict[str, Any], rp: str) -> list[Problem]:
    """A thread without ``stack`` and a report without ``fault``: the docs require neither (only the JS SDK's
    TypeScript type has ``stack``), and backtracepython before 0.4 sends both ways, so these are notes."""
    problems: list[Problem] = []
    fallback = crashed_fallback(root)
    no_stack = [k for k, t in outlines(threads) if isinstance(t, dict) and "stack" not in t]
    for key in no_stack[:MAX_LISTED]:
        crashed = threads[key].get("fault") is True or key == fallback
        problems.append(
            (warning if crashed else info)(
                join(rp, "threads", key),
                f"thread {key!r} has no 'stack'"
                + (": the crashed thread shows no frames" if crashed else " (only its name is known)"),
                f"{DOCS}: threads (stack is not marked required); {THREAD_TYPE} declares it, backtracepython 0.3 "
                "omits it on every thread but the faulting one",
            )
        )
    if len(no_stack) > MAX_LISTED:
        problems.append(info(join(rp, "threads"), f"... and {len(no_stack) - MAX_LISTED} more threads without 'stack'"))
    if fallback is not None:
        problems.append(
            info(
                join(rp, "threads", fallback),
                f"no thread is marked fault: true; thread {fallback!r} "
                + ("(mainThread)" if fallback == root.get("mainThread") else "(the only one with frames)")
                + " is shown as the crashed thread and its stack is the one converted",
                f"{DOCS}: mainThread is the thread that triggered the error; backtracepython 0.3 sends no fault flag",
            )
        )
    return problems


def _fingerprint_ok(text: str) -> bool:
    if _HEX64.match(text):
        return True
    try:
        return len(base64.b64decode(text, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def _frame_rules(root: dict[str, Any], threads: dict[str, Any], rp: str) -> list[Problem]:
    problems: list[Problem] = []
    source_code = root.get("sourceCode")
    source_ids = source_code if isinstance(source_code, dict) else {}
    arch = root.get("arch") if isinstance(root.get("arch"), dict) else None
    arch_regs = arch.get("registers") if arch and isinstance(arch.get("registers"), dict) else None
    registers_without_arch: list[str] = []
    unknown_registers: dict[str, str] = {}
    missing_sources: dict[str, tuple[str, bool]] = {}  # id -> (first pointer, the id is the frame's file path)
    for key, thread in threads.items():
        stack = thread.get("stack") if isinstance(thread, dict) else None
        if not isinstance(stack, list):
            continue
        stack_ptr = join(rp, "threads", key, "stack")
        for index, frame in enumerate(stack):
            if not isinstance(frame, dict):
                continue  # the schema reports the type
            ptr = f"{stack_ptr}/{index}"
            if not frame.get("funcName") and frame.get("address") in (None, ""):
                problems.append(
                    error(
                        ptr, "a frame needs funcName or address", f"{DOCS}: funcName required unless address is given"
                    )
                )
            for field in ("line", "column"):
                if field in frame:
                    problems.extend(_position_rule(frame[field], f"{ptr}/{field}", field))
            ref = frame.get("sourceCode")
            if isinstance(ref, str) and ref not in source_ids and ref not in missing_sources:
                missing_sources[ref] = (f"{ptr}/sourceCode", ref == frame.get("library"))
            regs = frame.get("registers")
            if isinstance(regs, dict) and regs:
                if arch_regs is None:
                    registers_without_arch.append(f"{ptr}/registers")
                else:
                    for name in regs:
                        if name not in arch_regs:
                            unknown_registers.setdefault(
                                name, f"{ptr}/registers/{name.replace('~', '~0').replace('/', '~1')}"
                            )
    for ref, (ptr, is_path) in missing_sources.items():
        if is_path:  # backtracepython keys sources by file path and includes only some files
            problems.append(
                info(
                    ptr,
                    f"no source text for {ref} (the sourceCode map has no entry for it)",
                    f"{FRAME_TYPE}: sourceCode",
                )
            )
        else:
            problems.append(
                warning(
                    ptr,
                    f"sourceCode {ref!r} is not an id of the top-level sourceCode object; the source cannot be shown",
                    f"{FRAME_TYPE}: sourceCode is an id into the sourceCode map",
                )
            )
    if registers_without_arch:
        more = f" ({len(registers_without_arch)} frames carry registers)" if len(registers_without_arch) > 1 else ""
        problems.append(
            error(
                registers_without_arch[0],
                f"frames carry registers but the payload has no arch {{name, registers}} describing them{more}",
                f"{DOCS}: arch is required if frames carry registers",
            )
        )
    for name, ptr in unknown_registers.items():
        problems.append(
            warning(
                ptr,
                f"register {name!r} is not declared in arch.registers",
                f"{DOCS}: registers must match arch.registers",
            )
        )
    return problems


def _position_rule(value: Any, pointer: str, field: str) -> list[Problem]:
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            return [
                warning(
                    pointer,
                    f"{field} {value} is not 1-based (lines and columns start at 1)",
                    f"{FRAME_TYPE}: {field}, 1-based",
                )
            ]
        return []
    if isinstance(value, str) and _DIGITS.match(value):
        return [
            info(
                pointer,
                f"{field} is the string {value!r}, as the docs describe it; the SDKs send the integer {int(value)}",
                f"{DOCS}: {field} is 'a string value', first is 1; {FRAME_TYPE}: a number",
            )
        ]
    # only an SDK's type says "number" (the docs say "a string value ... first line is 1"): a warning, not an error
    return [
        warning(
            pointer,
            f"{field} should be a line/column number from 1, not {value!r}",
            f"{DOCS}: {field} is 'a string value', first is 1; {FRAME_TYPE}: a number",
        )
    ]


def _attribute_rules(root: dict[str, Any], rp: str) -> list[Problem]:
    attributes = root.get("attributes")
    if not isinstance(attributes, dict):
        return []
    problems = []
    for key, val in attributes.items():
        ptr = join(rp, "attributes", key)
        if val is None:
            problems.append(
                warning(
                    ptr,
                    f"attribute {key!r} is null; the server indexes strings, numbers and booleans only",
                    f"{DOCS}: attributes",
                )
            )
        elif isinstance(val, dict | list):
            problems.append(
                error(
                    ptr,
                    f"attribute {key!r} is {'an object' if isinstance(val, dict) else 'an array'}; "
                    "attribute values must be "
                    "a string, number or boolean (put structured data in annotations)",
                    f"{DOCS}: attributes are indexed scalar values; annotations hold nested data",
                )
            )
    return problems


def _source_code_rules(root: dict[str, Any], rp: str) -> list[Problem]:
    source_code = root.get("sourceCode")
    if not isinstance(source_code, dict):
        return []
    problems = []
    for key, entry in source_code.items():
        if not isinstance(entry, dict):
            continue
        ptr = join(rp, "sourceCode", key)
        if "text" not in entry and "path" not in entry:
            problems.append(  # the docs do not describe sourceCode entries: the SDK's type alone is a warning
                warning(ptr, "a sourceCode entry needs text (with startLine) or a path", f"{SOURCE_TYPE}: text or path")
            )
        elif "text" in entry and "startLine" not in entry:
            problems.append(
                warning(
                    ptr,
                    "sourceCode text without startLine: the lines cannot be numbered",
                    f"{SOURCE_TYPE}: startLine required with text",
                )
            )
    return problems


# ---------------------------------------------------------------------------------------------- transport


def _transport_rules(submission: Submission) -> list[Problem]:
    env = submission.envelope
    problems: list[Problem] = []
    if env.http is not None:
        problems.extend(_url_rules(env))
    for index, part in enumerate(env.parts):
        ptr = f"/@parts/{index}"
        if index == env.main_part:
            continue
        if is_breadcrumbs_part(part):
            if part.data.strip() and not parse_breadcrumbs(part.data):
                problems.append(
                    warning(
                        ptr,
                        f"the breadcrumbs part {part.name!r} is neither a JSON array nor JSON lines",
                        "JS node createFormData (breadcrumbs)",
                    )
                )
            continue
        if part.name.startswith("attachment."):
            ext = part.name.split(".", 1)[1].lower()
            if ext in ("txt", "log") and (part.content_type or "").split(";")[0].strip().lower() != "text/plain":
                problems.append(
                    warning(
                        ptr,
                        f"{part.name} must be sent as text/plain (it is {part.content_type or 'untyped'})",
                        f"{DOCS}: attachment.{{extension}}",
                    )
                )
        elif part.is_file and not part.name.startswith("attachment_"):
            problems.append(
                info(
                    ptr,
                    f"file part {part.name!r} is not named attachment_<name> or attachment.<ext>; "
                    "the server may not store it "
                    "as an attachment",
                    f"{DOCS}: attachment.{{extension}}; SDKs send attachment_<name>",
                )
            )
        if part.is_file and not part.data:
            problems.append(
                info(
                    ptr,
                    f"attachment {part.name!r} is empty (backtrace-unity skips empty files)",
                    "unity BacktraceHttpClient.cs",
                )
            )
    return problems


def _url_rules(env: Any) -> list[Problem]:
    http = env.http
    problems: list[Problem] = []
    if http.method != "POST":
        problems.append(
            error("/@http/method", f"submissions are POST requests, not {http.method}", f"{DOCS}: Submit Error (POST)")
        )
    url = parse_submit_target(http.target)
    if url.form is None:
        problems.append(
            warning(
                "/@http/target",
                f"{http.path!r} is not a Backtrace submit URL "
                "(/{universe}/{token}/{format}, /post?format=&token= "
                "or /api/post?format=&token=)",
                f"{DOCS}: Accessing the APIs",
            )
        )
        return problems
    if not url.token:
        problems.append(
            error("/@http/target", "the URL has no token (403 Invalid Token)", f"{DOCS}: apiToken required")
        )
    elif is_redacted(url.token):
        problems.append(info("/@http/target", f"the token was {REDACTED_NOTE}", "formats.md 1.1: token form"))
    elif not _HEX64.match(url.token):
        problems.append(
            info(
                "/@http/target",
                "the token is not 64 hex characters as Backtrace tokens are",
                "formats.md 1.1: token form",
            )
        )
    if not url.format:
        problems.append(
            error("/@http/target", "the URL has no format (503 Missing Format)", f"{DOCS}: format required")
        )
    elif url.format != "json":
        known = "" if url.format in SUBMIT_FORMATS else f" (not one of {', '.join(SUBMIT_FORMATS)})"
        problems.append(
            error(
                "/@http/target",
                f"format={url.format}{known}, but the body is a JSON error object: use format=json",
                f"{DOCS}: Supported Format Types",
            )
        )
    if url.object_id:
        problems.append(
            info(
                "/@http/target",
                f"the URL adds an attachment to the existing object {url.object_id}",
                f"{HTTP_DOCS}: attachments",
            )
        )
    if env.main_part is None:
        ctype = (http.header("content-type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            problems.append(
                warning(
                    "/@http/headers",
                    f"a raw JSON body should be sent as application/json, not {ctype or 'untyped'}",
                    f"{NODE_HANDLER}: JSON_HEADERS",
                )
            )
    return problems
