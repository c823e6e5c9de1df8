"""The normalized :class:`~inspector.report.Report` of a Backtrace JSON error object.

Nothing here copies the document: threads, frames, binaries and breadcrumbs are :class:`LazyList`\\ s over the
parsed lists (thread stacks, ``modules``, the breadcrumbs array), converted only when a row is asked for.
Backtrace stacks are listed most recent call first.

Where each piece comes from (reference/formats.md 1.3; the SDKs in the corpus):

* exception chain: ``annotations.error`` (@backtrace/node: ``{name, message, stack, cause: {...}}``, the cause
  only appears here, nested at any depth), else ``annotations.Exception`` (backtracepython ``{type, message,
  traceback}``, backtrace-android ``{message}``), else the ``error.type`` / ``error.message`` attributes; the
  type prefers the exception's own name, then ``classifiers[0]``, then ``attributes["error.type"]`` (node and
  python send the generic ``"Exception"`` there).
* threads: the ``threads`` map; ``fault: true`` marks the crashed thread.
* binaries: ``modules``; telemetry: the breadcrumbs attachment part ``attachment_bt-breadcrumbs-*``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from inspector.formats.base import Part, Submission
from inspector.formats.jsondoc import join
from inspector.formats.lazy_json import Shape, kept, outlines, plain
from inspector.report import (
    Attachment,
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
    returns,
    to_int,
)

#: Chains deeper than this are cut (a cyclic or hostile ``cause`` nesting must not hang the viewer).
MAX_CAUSE_DEPTH = 64
#: Timestamps above this are taken to be milliseconds (1e11 seconds is the year 5138).
MILLISECONDS_ABOVE = 100_000_000_000

_LANGUAGES = {"nodejs": "javascript", "node": "javascript", "js": "javascript", "python": "python", "java": "java"}
_JS_FRAME = re.compile(r"^\s*at (?:(?P<func>.+?) \((?P<loc>[^()]*)\)|(?P<bare>\S+))\s*$")
_LOCATION = re.compile(r"^(?P<file>.*?)(?::(?P<line>\d{1,9}))?(?::(?P<col>\d{1,9}))?$")


def is_breadcrumbs_part(part: Part) -> bool:
    """The SDKs' breadcrumb file travels as ``attachment_bt-breadcrumbs-<n>`` (node, android, cocoa, unity)."""
    return "bt-breadcrumbs" in part.name


def is_attachment_part(part: Part, index: int, main_part: int | None) -> bool:
    """Every part but the report itself and plain attribute fields (``-F version=1.0``) is an attachment."""
    if index == main_part:
        return False
    return part.is_file or part.name.startswith(("attachment_", "attachment."))


def seconds(value: Any) -> float | None:
    """A Backtrace/breadcrumb timestamp as epoch seconds (milliseconds-looking values are scaled).

    None ("no timestamp") for non-numbers and for numbers no float can hold (an int like ``10**4000``).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return epoch_seconds(value, 1000.0 if abs(value) > MILLISECONDS_ABOVE else 1.0)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return value if isinstance(value, str) else str(value)


# ---------------------------------------------------------------------------------------------- frames


class _FrameConverter:
    """Turns raw frame dicts into :class:`Frame`; source texts are split once per ``sourceCode`` id, on demand."""

    def __init__(self, source_code: dict[str, Any], language: str | None) -> None:
        self.source_code = source_code
        self.language = language
        self._lines: dict[str, tuple[str, ...]] = {}

    def source(self, frame: dict[str, Any], line: int | None) -> tuple[SourceContext | None, str | None]:
        ref = frame.get("sourceCode")
        entry = self.source_code.get(ref) if isinstance(ref, str) else None
        if not isinstance(entry, dict):
            return None, None
        path = _str(entry.get("path"))
        text = entry.get("text")
        start = to_int(entry.get("startLine"))
        if isinstance(text, str):
            lines = self._lines.get(ref)  # type: ignore[arg-type]
            if lines is None:
                lines = tuple(text.splitlines())
                self._lines[ref] = lines  # type: ignore[index]
            return SourceContext(lines, start if start is not None else 1, line, path, self.language), path
        return SourceContext((), start if start is not None else 1, line, path, self.language), path

    def frame_for(self, stack_pointer: str) -> Callable[[Any, int], Frame]:
        def convert(raw: Any, index: int) -> Frame:
            pointer = f"{stack_pointer}/{index}"
            if not isinstance(raw, dict):
                return Frame(function=_str(raw), pointer=pointer, note="not a frame object")
            line = to_int(raw.get("line"))
            source, path = self.source(raw, line)
            library = _str(raw.get("library"))
            registers = raw.get("registers")
            notes = []
            if raw.get("faulted") is True:
                notes.append("faulted")
            if raw.get("guessed_frame") in (True, "true"):
                notes.append("guessed")
            return Frame(
                function=_str(raw.get("funcName")),
                file=path or library,
                line=line,
                column=to_int(raw.get("column")),
                module=library,
                address=to_int(raw.get("address")),
                pointer=pointer,
                variables=(("registers", registers),) if isinstance(registers, dict) else (),
                source=source,
                note=", ".join(notes) or None,
            )

        return convert


def frame_text(raw: Any) -> str:
    """Cheap searchable text of a raw frame (no Frame object built)."""
    if not isinstance(raw, dict):
        return str(raw)
    return " ".join(str(raw[k]) for k in ("funcName", "library", "address") if k in raw)


def parse_js_stack(stack: str, pointer: str) -> list[Frame]:
    """Frames of a JavaScript ``Error.stack`` string (``at f (file:line:col)`` lines), most recent first."""
    frames = []
    for text in stack.splitlines()[1:]:
        match = _JS_FRAME.match(text)
        if not match:
            continue
        loc = match.group("loc") or match.group("bare") or ""
        where = _LOCATION.match(loc)
        file = where.group("file") if where else loc
        frames.append(
            Frame(
                function=match.group("func") or None,
                file=file or None,
                line=int(where.group("line")) if where and where.group("line") else None,
                column=int(where.group("col")) if where and where.group("col") else None,
                pointer=pointer,
                note="parsed from the stack text",
            )
        )
    return frames


# ---------------------------------------------------------------------------------------------- exceptions


def exception_chain(root: dict[str, Any], rp: str) -> list[ExceptionInfo]:
    """The error and its causes (see the module docstring for where each field is read)."""
    annotations = _dict(root.get("annotations"))
    attributes = _dict(root.get("attributes"))
    classifiers = root.get("classifiers")
    first_classifier = classifiers[0] if isinstance(classifiers, list) and classifiers else None
    fallback_type = _str(first_classifier) or _str(attributes.get("error.type"))
    fallback_message = _str(attributes.get("error.message"))

    if isinstance(annotations.get("error"), dict):
        head, head_ptr, type_key, stack_key = annotations["error"], join(rp, "annotations", "error"), "name", "stack"
    elif isinstance(annotations.get("Exception"), dict):
        head, head_ptr, type_key, stack_key = (
            annotations["Exception"],
            join(rp, "annotations", "Exception"),
            "type",
            "traceback",
        )
    elif fallback_type or fallback_message:
        ptr = join(rp, "attributes", "error.message") if fallback_message else join(rp, "classifiers")
        return [ExceptionInfo(type=fallback_type, message=fallback_message, frames=(), pointer=ptr)]
    else:
        return []

    raw_stack = head.get(stack_key)
    if isinstance(raw_stack, list):
        raw_stack = "".join(str(s) for s in raw_stack)
    chain = [
        ExceptionInfo(
            type=_str(head.get(type_key)) or fallback_type,
            message=_str(head.get("message")) if head.get("message") is not None else fallback_message,
            frames=(),  # the error's own frames are the faulting thread's stack; not repeated here
            pointer=head_ptr,
            raw_stack=raw_stack if isinstance(raw_stack, str) else None,
        )
    ]
    cause, ptr, depth = head.get("cause"), join(head_ptr, "cause"), 1
    while cause is not None and depth <= MAX_CAUSE_DEPTH:
        if isinstance(cause, dict):
            stack = cause.get("stack")
            chain.append(
                ExceptionInfo(
                    type=_str(cause.get("name")) or _str(cause.get("type")),
                    message=_str(cause.get("message")),
                    frames=parse_js_stack(stack, join(ptr, "stack")) if isinstance(stack, str) else (),
                    pointer=ptr,
                    depth=depth,
                    relation="cause",
                    raw_stack=stack if isinstance(stack, str) else None,
                )
            )
            cause, ptr = cause.get("cause"), join(ptr, "cause")
        else:  # `new Error("x", {cause: "a string"})`
            chain.append(
                ExceptionInfo(type=None, message=_str(cause), frames=(), pointer=ptr, depth=depth, relation="cause")
            )
            cause = None
        depth += 1
    text = chain[0].raw_stack
    if text is not None and not any(len(c.frames) for c in chain) and _stack_text_repeats_thread(text, root):
        # the crashed thread lists the same frames and is shown first: one stack, counted once; the text stays
        # reachable in annotations
        chain[0] = dataclasses.replace(chain[0], raw_stack=None)
    return chain


def _stack_text_repeats_thread(text: str, root: dict[str, Any]) -> bool:
    """True when a JS ``error.stack`` text holds the same frames (line:column, in order) as the crashed thread's
    ``stack`` (@backtrace/node sends both)."""
    threads = _dict(root.get("threads"))
    key = next((k for k, t in threads.items() if _dict(t).get("fault") is True), None) or crashed_fallback(root)
    stack = _dict(threads.get(key)).get("stack") if key is not None else None
    if not isinstance(stack, list) or not stack:
        return False
    parsed = parse_js_stack(text[:1_000_000], "")
    if len(parsed) != len(stack):
        return False
    return all(
        isinstance(raw, dict) and (f.line, f.column) == (raw.get("line"), raw.get("column"))
        for f, raw in zip(parsed, stack, strict=True)
    )


# ---------------------------------------------------------------------------------------------- threads, binaries


def threads_of(root: dict[str, Any], rp: str, converter: _FrameConverter) -> list[Thread]:
    threads = root.get("threads")
    if not isinstance(threads, dict):
        return []
    result = []
    fallback = crashed_fallback(root)
    # outlines: 10 000 threads kept in chunks of the bytes are read from what their parse kept (names, flags, stack
    # lengths), and each stack is found again when it is read (lazy_json)
    for key, thread in outlines(threads):
        ptr = join(rp, "threads", key)
        thread = _dict(thread)
        stack = thread.get("stack")
        stack_ptr = join(ptr, "stack")
        frames: Sequence[Frame] = ()
        if isinstance(stack, Shape) and stack.kind is list:
            frames = LazyList(kept(threads, key, _stack_of, len(stack)), converter.frame_for(stack_ptr), frame_text)
        result.append(
            Thread(
                id=key,
                name=_str(thread.get("name")),
                frames=frames,
                crashed=thread.get("fault") is True or key == fallback,
                pointer=ptr,
            )
        )
    return result


def _stack_of(thread: Any) -> Any:
    return _dict(thread).get("stack")


def _is_list(shape: Any) -> bool:
    """Whether an :func:`~inspector.formats.lazy_json.outline`'s member was a list."""
    return isinstance(shape, Shape) and shape.kind is list


def crashed_fallback(root: dict[str, Any]) -> str | None:
    """The thread shown as crashed when no thread says ``fault: true`` (backtracepython before 0.4 sends no
    ``fault`` at all): ``mainThread`` (the docs tie the two: "if two are faulted, the first listed gets the status
    of mainThread"; backtracepython sets it to the thread that raised), else the only thread with frames."""
    threads = root.get("threads")
    if not isinstance(threads, dict) or any(_dict(t).get("fault") is True for _, t in outlines(threads)):
        return None
    main = root.get("mainThread")
    if isinstance(main, str) and main in threads:
        return main
    with_frames = [k for k, t in outlines(threads) if _is_list(_dict(t).get("stack")) and len(_dict(t)["stack"])]
    return with_frames[0] if len(with_frames) == 1 else None


def binaries_of(root: dict[str, Any], rp: str) -> Sequence[Binary]:
    modules = root.get("modules")
    if not isinstance(modules, list):
        return ()
    arch = _str(_dict(root.get("arch")).get("name"))
    base = join(rp, "modules")

    def convert(raw: Any, index: int) -> Binary:
        raw = _dict(raw)
        start, size = to_int(raw.get("start")), to_int(raw.get("size"))
        path = _str(raw.get("code_file"))
        return Binary(
            name=os.path.basename(path.replace("\\", "/")) if path else None,
            start=start,
            end=start + size if start is not None and size is not None else None,
            size=size,
            debug_id=_str(raw.get("debug_identifier")),
            arch=arch,
            path=path,
            version=_str(raw.get("version")),
            debug_file=_str(raw.get("debug_file")),
            pointer=f"{base}/{index}",
        )

    def text(raw: Any) -> str:
        raw = _dict(raw)
        return " ".join(str(raw[k]) for k in ("code_file", "debug_file", "debug_identifier", "version") if k in raw)

    return LazyList(modules, convert, text)


# ---------------------------------------------------------------------------------------------- breadcrumbs


def parse_breadcrumbs(data: bytes) -> list[Any]:
    """A breadcrumbs file: a JSON array (node) or one JSON object per line (android, cocoa). [] if unreadable."""
    try:
        value = orjson.loads(data)
        return value if isinstance(value, list) else [value]
    except orjson.JSONDecodeError:
        pass
    items = []
    for line in data.splitlines():
        line = line.strip().rstrip(b",")
        if not line:
            continue
        try:
            items.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            return []
    return items


def telemetry_of(submission: Submission) -> Sequence[TelemetryEvent]:
    events: list[tuple[Any, str]] = []
    for index, part in enumerate(submission.envelope.parts):
        if is_breadcrumbs_part(part):
            events.extend((item, f"/@parts/{index}/{n}") for n, item in enumerate(parse_breadcrumbs(part.data)))

    def convert(raw: tuple[Any, str], _index: int) -> TelemetryEvent:
        item, pointer = raw
        item = _dict(item)
        attributes = item.get("attributes")
        return TelemetryEvent(
            timestamp=seconds(item.get("timestamp")),
            level=_str(item.get("level")),
            type=_str(item.get("type")),
            source="breadcrumb",
            message=_str(item.get("message")) or (orjson.dumps(plain(attributes)).decode() if attributes else None),
            pointer=pointer,
        )

    def text(raw: tuple[Any, str]) -> str:
        item = _dict(raw[0])
        return " ".join(str(item[k]) for k in ("level", "type", "message") if k in item)

    return LazyList(events, convert, text)


def attachments_of(submission: Submission) -> list[Attachment]:
    env = submission.envelope
    result = []
    for index, part in enumerate(env.parts):
        if not is_attachment_part(part, index, env.main_part):
            continue
        result.append(
            Attachment(
                name=os.path.basename((part.filename or part.name).replace("\\", "/")) or part.name,
                content_type=part.content_type,
                size=len(part.data),
                load=returns(part.data),
                pointer=f"/@parts/{index}",
                origin=f"multipart part {part.name}",
            )
        )
    for part in submission.attachments:  # added in the session (not in the loaded envelope)
        if not any(part is p for p in env.parts):
            result.append(
                Attachment(
                    part.filename or part.name, part.content_type, len(part.data), returns(part.data), "", "added"
                )
            )
    return result


# ---------------------------------------------------------------------------------------------- summary, metadata


def summary_of(root: dict[str, Any], chain: list[ExceptionInfo]) -> Summary:
    attributes = _dict(root.get("attributes"))
    title = None
    if chain:
        head = chain[0]
        title = f"{head.type}: {head.message}" if head.type and head.message else (head.type or head.message)
    release = _str(attributes.get("uname.release")) or _str(attributes.get("uname.version"))
    os_name = " ".join(s for s in (_str(attributes.get("uname.sysname")), release) if s)
    lang = " ".join(s for s in (_str(root.get("lang")), _str(root.get("langVersion"))) if s)
    sdk = " ".join(s for s in (_str(root.get("agent")), _str(root.get("agentVersion"))) if s)
    device = _str(attributes.get("device.model")) or _str(attributes.get("hostname"))
    return Summary(
        title=title,
        app=_str(attributes.get("application")),
        app_version=_str(attributes.get("application.version")),
        os=os_name or None,
        device=device,
        timestamp=seconds(root.get("timestamp")),
        environment=_str(attributes.get("environment")) or _str(attributes.get("application.environment")),
        language=lang or None,
        sdk=sdk or None,
        id=_str(root.get("uuid")),
    )


KNOWN_KEYS = [
    "uuid",
    "timestamp",
    "lang",
    "langVersion",
    "agent",
    "agentVersion",
    "threads",
    "mainThread",
    "entryThread",
    "symbolication",
    "arch",
    "fingerprint",
    "classifiers",
    "attributes",
    "annotations",
    "sourceCode",
    "memory",
    "modules",
]


def metadata_of(root: dict[str, Any], submission: Submission) -> dict[str, Any]:
    """Sections for the metadata view: the document's own objects (not copies) plus small computed summaries."""
    meta: dict[str, Any] = {}
    for key in ("attributes", "annotations", "classifiers", "arch", "symbolication", "fingerprint"):
        if key in root:
            meta[key] = root[key]
    meta["threads"] = {"mainThread": root.get("mainThread"), "entryThread": root.get("entryThread")}
    memory = root.get("memory")
    if isinstance(memory, list):
        meta["memory"] = [
            {
                "start": m.get("start"),
                "size": m.get("size")
                if "size" in m
                else (len(m["data"]) * 3 // 4 if isinstance(m.get("data"), str) else None),
                "perms": m.get("perms"),
                "data": f"{len(m['data'])} base64 characters" if isinstance(m.get("data"), str) else None,
            }
            for m in memory
            if isinstance(m, dict)
        ]
    source = root.get("sourceCode")
    if isinstance(source, dict):
        meta["sourceCode"] = {
            key: {
                "path": _dict(entry).get("path"),
                "startLine": _dict(entry).get("startLine"),
                "lines": _dict(entry)["text"].count("\n") + 1 if isinstance(_dict(entry).get("text"), str) else None,
            }
            for key, entry in source.items()
        }
    other = {k: v for k, v in root.items() if k not in KNOWN_KEYS}
    if other:
        meta["other keys"] = other  # e.g. the docs example's non-standard "callstack"
    transport = transport_of(submission)
    if transport:
        meta["transport"] = transport
    return meta


def masked_target(target: str, token: str | None) -> str:
    return target.replace(token, "•" * 8) if token else target


def transport_of(submission: Submission) -> dict[str, Any]:
    from inspector.formats.backtrace_url import parse_submit_target

    env = submission.envelope
    info: dict[str, Any] = {}
    if env.layers:
        info["layers"] = list(env.layers)
    if env.http is not None:
        url = parse_submit_target(env.http.target)
        info["request"] = f"{env.http.method} {masked_target(env.http.target, url.token)}"
        if url.form:
            info["endpoint form"] = url.form
        if url.universe:
            info["universe"] = url.universe
        if url.format:
            info["format"] = url.format
        if url.attributes:
            info["query attributes"] = dict(url.attributes)
    if env.parts:
        info["parts"] = [
            {"name": p.name, "filename": p.filename, "content_type": p.content_type, "bytes": len(p.data)}
            for p in env.parts
        ]
        fields = [
            (p.name, p.data.decode("utf-8", "replace"))
            for i, p in enumerate(env.parts)
            if not p.is_file and i != env.main_part and not p.name.startswith(("attachment_", "attachment."))
        ]
        if fields:
            info["form attributes"] = dict(fields)
    return info


def build_report(submission: Submission, root: dict[str, Any], rp: str) -> Report:
    """The report of the error object ``root`` found at pointer ``rp`` of the submission's document."""
    lang = _str(root.get("lang"))
    converter = _FrameConverter(_dict(root.get("sourceCode")), _LANGUAGES.get((lang or "").lower(), lang))
    chain = exception_chain(root, rp)
    return Report(
        format="backtrace",
        kind="error object",
        summary=summary_of(root, chain),
        exceptions=chain,
        threads=threads_of(root, rp, converter),
        binaries=binaries_of(root, rp),
        telemetry=telemetry_of(submission),
        attachments=attachments_of(submission),
        metadata=metadata_of(root, submission),
        pointer=rp,
        most_recent_first=True,
    )
