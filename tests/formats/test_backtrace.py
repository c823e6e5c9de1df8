"""The Backtrace format module against the real corpus, hand-broken payloads and a real local HTTP server."""

from __future__ import annotations

import copy
import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from inspector import cli
from inspector.formats import backtrace as bt
from inspector.formats import load_bytes, load_path, reports, validate
from inspector.formats.base import Envelope, InspectorError, Part, Severity, Submission, Target
from inspector.formats.envelope import decode, split_multipart
from inspector.formats.jsondoc import Document, dumps
from inspector.report import LazyList
from tests.conftest import CORPUS, corpus_files

BT = CORPUS / "backtrace"
TOKEN = "0123456789abcdef" * 4
CAUSE_MESSAGE = "Cannot read properties of undefined (reading 'property')"

# file -> (kind, reason fragment, counts, exception chain, problems as (severity, pointer))
# Values read from the files themselves (see tests/corpus/SOURCES.md for what each one is).
NODE_CAUSE_CHAIN = [("Error", "lookup failed"), ("TypeError", CAUSE_MESSAGE)]
PY_INFOS = [
    ("info", "/threads/140491324966592/stack/0/sourceCode"),
    ("info", "/threads/140491324966592/stack/1/sourceCode"),
    ("info", "/threads/140491324966592/stack/2/sourceCode"),
]
EXPECTED: dict[str, tuple[str, str, dict[str, int] | None, list[tuple[Any, Any]], list[tuple[str, str]]]] = {
    "backtrace-android_test_report_multi-thread_sourceCode_annotations.json": (
        "error object",
        "JSON error object with 2 threads and 2 frames",
        {"threads": 2, "frames": 2, "binaries": 0, "telemetry": 0, "attachments": 0},
        [(None, "Example test string")],
        # a trimmed SDK test fixture: mainThread names a thread the fixture dropped, frames cite dropped sources
        [
            ("error", "/mainThread"),
            ("warning", "/threads/main/stack/0/sourceCode"),
            ("warning", "/threads/main/stack/1/sourceCode"),
            ("info", "/threads/main"),  # no fault flag: 'main', the only thread with frames, is the crashed one
        ],
    ),
    "backtrace-android_test_submit-response_error.json": (
        "submit response",
        "error 32768: no root object supplied",
        None,
        [],
        [("error", "")],
    ),
    "backtrace-android_test_submit-response_ok.json": (
        "submit response",
        "success, _rxid 95000000-eb43-390b-0000-000000000000",
        None,
        [],
        [("error", "")],
    ),
    "backtrace-android_test_thread-information.json": (
        "thread fragment",
        "single thread object with 2 frames",
        None,
        [],
        [("error", "")],
    ),
    # legacy backtrace-node (npm): 0.7.3 sends no fault flag (its one thread is mainThread), 1.2.0 a multipart form
    "backtrace-node-0.7.3_exception_no-fault.request.http": (
        "error object",
        "JSON error object with 1 thread and 13 frames (submit URL form post, format=json)",
        {"threads": 1, "frames": 13, "binaries": 0, "telemetry": 0, "attachments": 0},
        [("TypeError", "Cannot read properties of undefined (reading 'port')")],
        [("info", "/threads/main")],
    ),
    "backtrace-node-1.2.0_exception_multipart.request.http": (
        "error object",
        "1 thread and 7 frames (multipart upload_file part; submit URL form post, format=json)",
        {"threads": 1, "frames": 7, "binaries": 0, "telemetry": 0, "attachments": 0},
        [("TypeError", "Cannot read properties of undefined (reading 'port')")],
        [],
    ),
    "backtrace-node-0.8.3_error-cause.json": (
        "error object",
        "JSON error object with 1 thread and 1 frame",
        {"threads": 1, "frames": 4, "binaries": 0, "telemetry": 0, "attachments": 0},
        NODE_CAUSE_CHAIN,
        [],
    ),
    "backtrace-node-0.8.3_error-cause_multipart.request.http": (
        "error object",
        "1 thread and 1 frame (multipart upload_file part; submit URL form post, format=json)",
        {"threads": 1, "frames": 4, "binaries": 0, "telemetry": 4, "attachments": 1},
        NODE_CAUSE_CHAIN,
        [],
    ),
    "backtrace-node-0.8.3_exception_multipart_breadcrumbs.request.http": (
        "error object",
        "1 thread and 10 frames (multipart upload_file part; submit URL form post, format=json)",
        {"threads": 1, "frames": 10, "binaries": 0, "telemetry": 2, "attachments": 1},
        [("TypeError", CAUSE_MESSAGE)],
        [],
    ),
    "backtrace-node-0.8.3_exception_plain-json.json": (
        "error object",
        "JSON error object with 1 thread and 10 frames",
        {"threads": 1, "frames": 10, "binaries": 0, "telemetry": 0, "attachments": 0},
        [("TypeError", CAUSE_MESSAGE)],
        [],
    ),
    "backtrace-node-0.8.3_exception_plain-json.request.http": (
        "error object",
        "1 thread and 10 frames (submit URL form post, format=json)",
        {"threads": 1, "frames": 10, "binaries": 0, "telemetry": 0, "attachments": 0},
        [("TypeError", CAUSE_MESSAGE)],
        [],
    ),
    "backtrace-node-0.8.3_message_multipart_breadcrumbs_string-attachment.request.http": (
        "error object",
        "1 thread and 1 frame (multipart upload_file part",
        {"threads": 1, "frames": 1, "binaries": 0, "telemetry": 3, "attachments": 2},
        [("Message", "Request over threshold of 10 seconds")],
        [],
    ),
    # backtracepython 0.3.3: no 'fault' anywhere, non-faulting threads are {"name": ...} without 'stack' (issue 17.3/4)
    "backtracepython-0.3.3_exception_3-threads_no-fault.json": (
        "error object",
        "JSON error object with 3 threads and 2 frames",
        {"threads": 3, "frames": 2, "binaries": 0, "telemetry": 0, "attachments": 0},
        [("KeyError", "'timeout'")],
        [
            ("info", "/threads/139627182393024"),
            ("info", "/threads/139627174000320"),
            ("info", "/threads/139627195009920"),
            ("info", "/entrySourceCode"),
            ("info", "/cwd"),
        ],
    ),
    "backtracepython-0.4.3_exception_3-threads.json": (
        "error object",
        "JSON error object with 3 threads and 13 frames",
        {"threads": 3, "frames": 13, "binaries": 0, "telemetry": 0, "attachments": 0},
        [("KeyError", "'missing'")],
        PY_INFOS,  # backtracepython includes the source of the crashing file only
    ),
    "backtracepython-0.4.3_exception_3-threads_attachment.request.http": (
        "error object",
        "3 threads and 13 frames (multipart upload_file part; submit URL form post, format=json)",
        {"threads": 3, "frames": 13, "binaries": 0, "telemetry": 0, "attachments": 1},
        [("KeyError", "'missing'")],
        PY_INFOS,
    ),
    "backtracepython-0.4.3_send_report-message_3-threads.json": (
        "error object",
        "JSON error object with 3 threads and 26 frames",
        {"threads": 3, "frames": 26, "binaries": 0, "telemetry": 0, "attachments": 0},
        [("Message", "Something noteworthy happened")],
        [("info", f"/threads/140491324966592/stack/{i}/sourceCode") for i in (0, 1, 2, 4, 8, 10, 11, 13, 15, 16, 18)],
    ),
    "saucedocs_api-error-reporting_sample_request_body.json": (
        "docs body wrapper",
        'wrapped in {"body": ...}',
        {"threads": 1, "frames": 1, "binaries": 0, "telemetry": 0, "attachments": 0},
        [],
        [
            ("error", ""),
            ("error", "/body/threads/main/stack/0/guessed_frame"),
            ("error", "/body/mainThread"),
            ("error", "/body/threads/main/stack/0/registers"),
            ("warning", "/body/threads/main/stack/0/sourceCode"),
            ("info", "/body/threads/main/stack/0/line"),  # "a string value", as the docs say
            ("info", "/body/threads/main/stack/0/column"),
        ],
    ),
    "saucedocs_api-error-reporting_sample_response.json": (
        "error object",
        "JSON error object with 1 thread and 1 frame",
        {"threads": 1, "frames": 1, "binaries": 0, "telemetry": 0, "attachments": 0},
        [("SyntaxError", "Unexpected token h")],
        [
            ("error", "/threads/main/stack/0/guessed_frame"),
            ("error", "/entryThread"),
            ("info", "/threads/main/stack/0/line"),
            ("info", "/threads/main/stack/0/column"),
            ("info", "/callstack"),
        ],
    ),
}


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(p.name for p in corpus_files("backtrace")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name: str) -> None:
    kind, reason, counts, chain, problems = EXPECTED[name]
    sub = load_path(str(BT / name))  # auto-detection across every format module
    assert (sub.format, sub.kind) == ("backtrace", kind)
    assert reason in sub.detection.reason and sub.detection.reason.startswith("Backtrace")
    found = [(str(p.severity), p.pointer) for p in validate(sub)]
    assert found == problems
    assert all(p.rule for p in validate(sub))
    got = reports(sub)
    if counts is None:
        assert got == []
        return
    (report,) = got
    assert report.counts() == counts
    assert [(e.type, e.message) for e in report.exceptions] == chain
    # every row points back into the document
    for thread in report.threads:
        assert sub.document is not None and isinstance(sub.document.resolve(thread.pointer), dict)
        for frame in thread.frames:
            assert isinstance(sub.document.resolve(frame.pointer), dict)


@pytest.mark.parametrize("path", corpus_files("backtrace"), ids=lambda p: p.name)
def test_round_trip_is_lossless(path: Path) -> None:
    sub = load_path(str(path), format="backtrace")
    assert sub.document is not None
    assert sub.document.to_bytes() == sub.envelope.body
    if path.suffix == ".json":
        assert sub.envelope.body == path.read_bytes()
    again = Document.from_bytes(dumps(sub.document.value))
    assert again.value == sub.document.value
    assert _key_order(again.value) == _key_order(sub.document.value)


def _key_order(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [list(value), *(_key_order(v) for v in value.values())]
    if isinstance(value, list):
        return [_key_order(v) for v in value]
    return []


# ---------------------------------------------------------------------------------------------- report details


def test_python_threads_frames_and_source_context() -> None:
    (report,) = reports(load_path(str(BT / "backtracepython-0.4.3_exception_3-threads.json")))
    assert [(t.id, t.name, t.crashed) for t in report.threads] == [
        ("140491358653312", "MainThread", True),
        ("140491324966592", "Thread-1 (_worker)", False),
        ("140491316573888", "worker-1", False),
    ]
    top = report.crashed_thread.frames[0]
    assert (top.function, top.file, top.line, top.pointer) == (
        "level3",
        "/srv/app/py_backtrace.py",
        23,
        "/threads/140491358653312/stack/0",
    )
    assert top.source is not None and top.source.start_line == 18 and top.source.language == "python"
    assert top.source.lines[top.line - top.source.start_line] == '    return {"a": 1}[x]'
    assert report.exceptions[0].raw_stack.startswith('  File "/srv/app/py_backtrace.py", line 28')
    assert report.summary.id == "b4c0bee5-5a6b-4000-b354-80dac9e64162"
    assert report.summary.timestamp == 1795373176.0
    assert report.summary.sdk == "backtrace-python 0.4.1"
    assert report.metadata["annotations"]["Request"] == {"route": "home#index"}
    assert report.most_recent_first is True


def test_node_cause_chain_from_annotations_only() -> None:
    (report,) = reports(load_path(str(BT / "backtrace-node-0.8.3_error-cause.json")))
    head, cause = report.exceptions
    assert (head.pointer, head.depth, head.frames) == ("/annotations/error", 0, ())
    assert (cause.pointer, cause.depth, cause.relation) == ("/annotations/error/cause", 1, "cause")
    assert [(f.function, f.file, f.line, f.column) for f in cause.frames] == [
        ("level3", "/srv/app/backtrace_cap.js", 23, 20),
        ("level2", "/srv/app/backtrace_cap.js", 26, 10),
        (None, "/srv/app/backtrace_cap.js", 47, 7),
    ]
    assert len(report.threads) == 1  # the cause is not a second thread


def test_deep_cause_chain_and_string_cause() -> None:
    doc = _valid_payload()
    node: dict[str, Any] = {"name": "E0", "message": "m0"}
    doc["annotations"] = {"error": node}
    for depth in range(1, 6):
        node["cause"] = {"name": f"E{depth}", "message": f"m{depth}"}
        node = node["cause"]
    node["cause"] = "plain string cause"
    (report,) = reports(_sub(doc))
    assert [(e.type, e.message, e.depth) for e in report.exceptions] == [
        *((f"E{d}", f"m{d}", d) for d in range(6)),
        (None, "plain string cause", 6),
    ]
    assert report.exceptions[-1].pointer == "/annotations/error" + "/cause" * 6


def test_breadcrumbs_become_telemetry_and_attachments_keep_bytes() -> None:
    sub = load_path(str(BT / "backtrace-node-0.8.3_message_multipart_breadcrumbs_string-attachment.request.http"))
    (report,) = reports(sub)
    first = report.telemetry[0]
    assert (first.timestamp, first.level, first.type, first.message, first.pointer) == (
        1795373151.884,
        "info",
        "manual",
        "about to process order",
        "/@parts/1/0",
    )
    assert report.telemetry.matching("threshold") == [2]
    assert [(a.name, a.content_type, a.size, a.pointer) for a in report.attachments] == [
        ("bt-breadcrumbs-0", None, 412, "/@parts/1"),
        ("log.txt", "text/plain", 14, "/@parts/2"),
    ]
    assert report.attachments[1].data() == b"line 1\nline 2\n"


def test_python_full_path_attachment_and_masked_transport() -> None:
    sub = load_path(str(BT / "backtracepython-0.4.3_exception_3-threads_attachment.request.http"))
    (report,) = reports(sub)
    (att,) = report.attachments
    assert (att.name, att.content_type, att.data(), att.origin) == (
        "app.log",
        "application/octet-stream",
        b"line 1\nline 2\n",
        "multipart part attachment_app.log",
    )
    transport = report.metadata["transport"]
    assert TOKEN not in json.dumps(transport)
    assert transport["request"] == "POST /post?token=••••••••&format=json"
    assert transport["endpoint form"] == "post" and transport["format"] == "json"


def test_docs_sample_registers_address_and_source_text() -> None:
    (report,) = reports(load_path(str(BT / "saucedocs_api-error-reporting_sample_response.json")))
    frame = report.threads[0].frames[0]
    assert frame.address == 16045690984833335023
    assert (frame.line, frame.column) == (10, 19)  # strings in the docs, shown as numbers
    assert frame.file == "/home/andy/tmp/nodebt/test.js" and frame.module == "/home/example/nodebt/test.js"
    assert dict(frame.variables)["registers"] == {"rax": "16045690984833335023", "rip": 1234, "FLAGS": "E:1 B:0 C:1"}
    assert frame.source is not None
    assert frame.source.lines[frame.line - frame.source.start_line] == '  var json = JSON.parse("example");'
    assert report.metadata["memory"] == [
        {
            "start": "16045690984833335023",
            "size": 1024,
            "perms": {"read": True, "write": True, "exec": False},
            "data": "49 base64 characters",
        }
    ]
    assert report.metadata["arch"]["name"] == "x64"
    assert report.metadata["other keys"] == {"callstack": {"frames": ["one@foo.js:123", "two@bar.js", "three"]}}


def test_docs_wrapper_is_shown_unwrapped() -> None:
    sub = load_path(str(BT / "saucedocs_api-error-reporting_sample_request_body.json"))
    (report,) = reports(sub)
    assert report.pointer == "/body"
    assert report.threads[0].pointer == "/body/threads/main"
    assert report.threads[0].frames[0].pointer == "/body/threads/main/stack/0"


def test_modules_paths_and_path_only_source() -> None:
    doc = _valid_payload()
    doc["arch"] = {"name": "arm64", "registers": {"pc": "u64"}}
    doc["modules"] = [
        {
            "start": "0x1000",
            "size": "0x2000",
            "code_file": "/usr/lib/libc.so.6",
            "debug_identifier": "ABCD",
            "version": "2",
        },
        {"start": 65536, "size": 4096, "code_file": "C:\\app\\app.exe"},
    ]
    doc["sourceCode"] = {"s1": {"path": "InvokeMethod.java", "startLine": 17}}
    doc["threads"]["main"]["stack"] = [{"funcName": "invoke", "sourceCode": "s1", "line": 20, "address": "0x1800"}]
    sub = _sub(doc)
    assert validate(sub) == []
    (report,) = reports(sub)
    libc, exe = report.binaries
    assert (libc.name, libc.start, libc.size, libc.end, libc.debug_id, libc.arch) == (
        "libc.so.6",
        0x1000,
        0x2000,
        0x3000,
        "ABCD",
        "arm64",
    )
    assert (exe.name, exe.pointer) == ("app.exe", "/modules/1")
    frame = report.threads[0].frames[0]
    assert frame.source is not None and frame.source.path == "InvokeMethod.java" and frame.source.lines == ()
    assert (frame.file, frame.address, report.binary_for(frame.address)) == ("InvokeMethod.java", 0x1800, 0)


# ---------------------------------------------------------------------------------------------- transport inputs


def _request(target: str, body: bytes, content_type: str, method: str = "POST") -> bytes:
    head = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
    return head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def _payload_bytes() -> bytes:
    return (BT / "backtrace-node-0.8.3_exception_plain-json.json").read_bytes()


def test_hosted_url_and_query_attributes_in_any_order() -> None:
    sub = load_bytes(_request(f"/myuniverse/{TOKEN}/json", _payload_bytes(), "application/json"))
    assert "submit URL form hosted, format=json" in sub.detection.reason
    assert reports(sub)[0].metadata["transport"]["universe"] == "myuniverse"
    assert validate(sub) == []
    sub = load_bytes(_request(f"/api/post?version=1.0&token={TOKEN}&format=json", _payload_bytes(), "application/json"))
    transport = reports(sub)[0].metadata["transport"]
    assert transport["endpoint form"] == "api/post" and transport["query attributes"] == {"version": "1.0"}
    assert validate(sub) == []


@pytest.mark.parametrize(
    ("target", "content_type", "method", "expected"),
    [
        (f"/post?format=minidump&token={TOKEN}", "application/json", "POST", ("error", "/@http/target")),
        ("/post?format=json", "application/json", "POST", ("error", "/@http/target")),
        (f"/post?token={TOKEN}", "application/json", "POST", ("error", "/@http/target")),
        (f"/post?format=json&token={TOKEN}", "text/plain", "POST", ("warning", "/@http/headers")),
        (f"/post?format=json&token={TOKEN}", "application/json", "PUT", ("error", "/@http/method")),
        ("/somewhere/else", "application/json", "POST", ("warning", "/@http/target")),
        ("/post?format=json&token=short", "application/json", "POST", ("info", "/@http/target")),
    ],
)
def test_url_rules(target: str, content_type: str, method: str, expected: tuple[str, str]) -> None:
    sub = load_bytes(_request(target, _payload_bytes(), content_type, method))
    assert sub.format == "backtrace"
    assert [(str(p.severity), p.pointer) for p in validate(sub)] == [expected]


def _multipart(boundary: str, parts: list[tuple[str, bytes]], closing: bytes) -> bytes:
    body = b"".join(f"--{boundary}\r\n".encode() + head.encode() + b"\r\n\r\n" + data + b"\r\n" for head, data in parts)
    return body + closing


def test_android_boundary_and_attachment_dot_ext_part() -> None:
    report_json = _payload_bytes()
    body = _multipart(
        "*****",
        [
            ('Content-Disposition: form-data; name="upload_file";filename="upload_file"', report_json),
            (
                'Content-Disposition: form-data; name="attachment.log";filename="app.log"\r\n'
                "Content-Type: application/octet-stream",
                b"x\n",
            ),
            ('Content-Disposition: form-data; name="version"', b"1.0"),
        ],
        b"--*****--\r\n",
    )
    sub = load_bytes(_request(f"/post?format=json&token={TOKEN}", body, "multipart/form-data;boundary=*****"))
    assert (sub.format, sub.kind) == ("backtrace", "error object")
    assert sub.document is not None and sub.document.to_bytes() == report_json
    problems = [(str(p.severity), p.pointer) for p in validate(sub)]
    assert ("info", "/@multipart") in problems  # the boundary RFC 2046 does not allow
    assert ("warning", "/@parts/1") in problems  # attachment.log must be text/plain (seed)
    (report,) = reports(sub)
    assert [a.name for a in report.attachments] == ["app.log"]
    assert report.metadata["transport"]["form attributes"] == {"version": "1.0"}


def test_cocoa_closing_and_part_without_content_type() -> None:
    body = _multipart(
        "Boundary-1234",
        [
            ('Content-Disposition: form-data; name="application"', b"demo"),
            ('Content-Disposition: form-data; name="upload_file"; filename="upload_file"', _payload_bytes()),
            (
                'Content-Disposition: form-data; name="attachment_bt-breadcrumbs-0"; filename="bt-breadcrumbs-0"',
                b'{"timestamp": 1700000000000, "level": "info", "type": "navigation", "message": "opened"}\n'
                b'{"timestamp": 1700000001000, "level": "error", "type": "log", "message": "boom"}\n',
            ),
        ],
        b"--Boundary-1234\r\n--",
    )
    sub = load_bytes(_request(f"/post?format=json&token={TOKEN}", body, "multipart/form-data; boundary=Boundary-1234"))
    assert sub.format == "backtrace"
    (report,) = reports(sub)
    assert [(e.timestamp, e.message) for e in report.telemetry] == [(1700000000.0, "opened"), (1700000001.0, "boom")]
    assert report.counts()["attachments"] == 1
    assert not [p for p in validate(sub) if p.severity is Severity.ERROR]


def test_minidump_uploads_are_left_to_the_minidump_module() -> None:
    dump = b"MDMP\x93\xa7\x00\x00" + b"\x00" * 64
    body = _multipart(
        "b0undary",
        [('Content-Disposition: form-data; name="upload_file_minidump"; filename="x.dmp"', dump)],
        b"--b0undary--\r\n",
    )
    env = decode(_request(f"/post?format=minidump&token={TOKEN}", body, "multipart/form-data; boundary=b0undary"))
    assert bt.detect(env, None) is None
    assert bt.detect(decode(_request(f"/u/{TOKEN}/minidump", dump, "application/octet-stream")), None) is None


@pytest.mark.parametrize("path", corpus_files("rollbar", "appcenter", "minidump", "apple"), ids=lambda p: p.name)
def test_other_formats_are_not_claimed(path: Path) -> None:
    try:
        env = decode(path.read_bytes(), source_name=path.name)
        value = Document.from_bytes(env.body).value
    except InspectorError:  # binary files, and the App Center docs sample that is not valid JSON
        env, value = decode(path.read_bytes(), source_name=path.name), None
    assert bt.detect(env, value) is None


def test_not_json_bodies_give_clear_errors() -> None:
    with pytest.raises(InspectorError) as info:
        load_bytes(
            _request(f"/post?format=json&token={TOKEN}", b'{"uuid": "x",', "application/json"), format="backtrace"
        )
    assert "line 1 column" in str(info.value)


# ---------------------------------------------------------------------------------------------- CLI


def test_cli_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    path = BT / "backtrace-node-0.8.3_error-cause_multipart.request.http"
    assert cli.main(["show", "--json", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["format"] == "backtrace" and out["kind"] == "error object"
    (rep,) = out["reports"]
    assert rep == {
        "kind": "error object",
        "exceptions": [
            {"type": "Error", "message": "lookup failed", "frames": 0},
            {"type": "TypeError", "message": CAUSE_MESSAGE, "frames": 3},
        ],
        "threads": 1,
        "frames": 4,
        "binaries": 0,
        "telemetry": 4,
        "attachments": 1,
    }
    assert out["problems"] == []


def test_cli_validate_json_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    path = BT / "saucedocs_api-error-reporting_sample_request_body.json"
    assert cli.main(["validate", "--json", str(path)]) == 1
    (result,) = json.loads(capsys.readouterr().out)
    assert result["format"] == "backtrace"
    first = result["problems"][0]
    assert set(first) == {"severity", "pointer", "message", "rule"}
    assert (first["severity"], first["pointer"]) == ("error", "")
    assert "main>" in next(p["message"] for p in result["problems"] if p["pointer"] == "/body/mainThread")
    ok = BT / "backtrace-node-0.8.3_exception_plain-json.request.http"
    assert cli.main(["validate", str(ok)]) == 0
    assert "ok (Backtrace: JSON error object with 1 thread and 10 frames" in capsys.readouterr().out
    assert cli.main(["show", str(BT / "backtrace-android_test_submit-response_ok.json")]) == 0
    assert "submit response" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------- validation rules


def _valid_payload() -> dict[str, Any]:
    return {
        "uuid": "8a7cfa3e-b8e1-4881-bbb1-7c10c24f6e5c",
        "timestamp": 1795373152,
        "lang": "nodejs",
        "langVersion": "v20.20.2",
        "agent": "@backtrace/node",
        "agentVersion": "0.8.3",
        "mainThread": "main",
        "threads": {
            "main": {"name": "main", "fault": True, "stack": [{"funcName": "f", "library": "a.js", "line": 3}]}
        },
        "attributes": {"application": "demo"},
    }


def _sub(doc: dict[str, Any]) -> Submission:
    env = Envelope(body=orjson.dumps(doc))
    detection = bt.detect(env, doc)
    assert detection is not None
    return bt.load(env, Document.from_value(doc), detection)


FRAME = "/threads/main/stack/0"


def _set(pointer: str, value: Any) -> Any:
    def mutate(doc: dict[str, Any]) -> None:
        *path, last = pointer.strip("/").split("/")
        node = doc
        for key in path:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[int(last) if isinstance(node, list) else last] = value

    return mutate


def _drop(key: str) -> Any:
    return lambda doc: doc.pop(key)


BROKEN = [
    ("uuid missing", _drop("uuid"), "error", ""),
    ("uuid not a UUID", _set("/uuid", "not-a-uuid"), "error", "/uuid"),
    ("timestamp string", _set("/timestamp", "1795373152"), "error", "/timestamp"),
    ("timestamp float", _set("/timestamp", 1795373152.5), "error", "/timestamp"),
    ("timestamp milliseconds", _set("/timestamp", 1795373152000), "warning", "/timestamp"),
    ("lang not a string", _set("/lang", 5), "error", "/lang"),
    ("langVersion missing", _drop("langVersion"), "error", ""),
    ("agent empty", _set("/agent", ""), "error", "/agent"),
    ("agentVersion missing", _drop("agentVersion"), "error", ""),
    ("threads empty", _set("/threads", {}), "error", "/threads"),
    ("threads an array", _set("/threads", []), "error", "/threads"),
    ("mainThread not a key", _set("/mainThread", "main>"), "error", "/mainThread"),
    ("mainThread null", _set("/mainThread", None), "error", "/mainThread"),
    ("entryThread not a key", _set("/entryThread", "12341324"), "error", "/entryThread"),
    ("frame without funcName or address", _set(FRAME, {"line": 3}), "error", FRAME),
    ("frame not an object", _set(FRAME, "main"), "error", FRAME),
    ("frame sourceCode unknown", _set(FRAME + "/sourceCode", "o9BYbg2uO+1m"), "warning", FRAME + "/sourceCode"),
    ("line as a string (as the docs say)", _set(FRAME + "/line", "10"), "info", FRAME + "/line"),
    ("line not a number (an SDK type: warning)", _set(FRAME + "/line", "ten"), "warning", FRAME + "/line"),
    ("column zero", _set(FRAME + "/column", 0), "warning", FRAME + "/column"),
    ("guessed_frame string", _set(FRAME + "/guessed_frame", "false"), "error", FRAME + "/guessed_frame"),
    ("address not a number", _set(FRAME + "/address", "zz"), "error", FRAME + "/address"),
    ("thread fault not boolean", _set("/threads/main/fault", "true"), "error", "/threads/main/fault"),
    ("attribute null", _set("/attributes/version", None), "warning", "/attributes/version"),
    ("attribute object", _set("/attributes/user", {"id": 1}), "error", "/attributes/user"),
    ("registers without arch", _set(FRAME + "/registers", {"rip": 1}), "error", FRAME + "/registers"),
    ("symbolication unknown", _set("/symbolication", "dwarf"), "error", "/symbolication"),
    ("fingerprint form", _set("/fingerprint", "abc"), "warning", "/fingerprint"),
    ("classifiers a string", _set("/classifiers", "TypeError"), "error", "/classifiers"),
    ("classifiers item", _set("/classifiers", [1]), "error", "/classifiers/0"),
    ("module without size", _set("/modules", [{"start": "0x1000"}]), "error", "/modules/0"),
    ("module start not a number", _set("/modules", [{"start": "x", "size": 1}]), "error", "/modules/0/start"),
    (
        "module debug_file_exists",
        _set("/modules", [{"start": 0, "size": 1, "debug_file_exists": 1}]),
        "error",
        "/modules/0/debug_file_exists",
    ),
    ("sourceCode without text or path", _set("/sourceCode", {"a": {"startLine": 1}}), "warning", "/sourceCode/a"),
    ("sourceCode text without startLine", _set("/sourceCode", {"a": {"text": "x\n"}}), "warning", "/sourceCode/a"),
    ("memory perms", _set("/memory", [{"start": 0, "perms": {"read": "yes"}}]), "error", "/memory/0/perms/read"),
    (
        "arch register type",
        _set("/arch", {"name": "x64", "registers": {"rip": "u128"}}),
        "error",
        "/arch/registers/rip",
    ),
    ("unknown top-level key", _set("/callstack", {"frames": []}), "info", "/callstack"),
]


def test_valid_payload_has_no_problems() -> None:
    assert validate(_sub(_valid_payload())) == []


@pytest.mark.parametrize(("label", "mutate", "severity", "pointer"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_payload(label: str, mutate: Any, severity: str, pointer: str) -> None:
    doc = _valid_payload()
    mutate(doc)
    problems = validate(_sub(doc))
    assert (severity, pointer) in [(str(p.severity), p.pointer) for p in problems], problems
    hit = next(p for p in problems if (str(p.severity), p.pointer) == (severity, pointer))
    assert hit.rule and hit.message


def test_register_not_declared_in_arch() -> None:
    doc = _valid_payload()
    doc["arch"] = {"name": "x64", "registers": {"rax": "u64"}}
    doc["threads"]["main"]["stack"][0]["registers"] = {"rax": 1, "rip": 2}
    assert [(str(p.severity), p.pointer) for p in validate(_sub(doc))] == [("warning", FRAME + "/registers/rip")]


def test_two_faulted_threads_is_noted() -> None:
    doc = _valid_payload()
    doc["threads"]["second"] = {"name": "second", "fault": True, "stack": [{"address": "0x10"}]}
    assert [(str(p.severity), p.pointer) for p in validate(_sub(doc))] == [("info", "/threads/second")]


def test_thread_fragment_and_response_validate_as_not_a_payload() -> None:
    for name in ("backtrace-android_test_thread-information.json", "backtrace-android_test_submit-response_ok.json"):
        (problem,) = validate(load_path(str(BT / name)))
        assert problem.severity is Severity.ERROR and "not a submit payload" in problem.message


# ---------------------------------------------------------------------------------------------- sending


class _Recorder(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    answer: tuple[int, bytes] = (200, b'{"response":"ok","_rxid":"01000000-7e23-7a1e-0000-000000000000"}')

    def do_POST(self) -> None:  # the http.server API name
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append(
            {"method": self.command, "path": self.path, "headers": list(self.headers.items()), "body": body}
        )
        status, answer = self.answer
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    handler = type("Handler", (_Recorder,), {"received": received})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", received
    finally:
        httpd.shutdown()
        httpd.server_close()


def _send(spec: Any) -> httpx.Response:
    with httpx.Client(timeout=10) as client:
        return client.request(spec.method, spec.url, headers=spec.headers, content=spec.body)


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name.lower()), None)


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("backtrace-direct", f"/post?format=json&token={TOKEN}"),
        ("backtrace-onprem", f"/api/post?format=json&token={TOKEN}"),
        ("backtrace-hosted", f"/myuniverse/{TOKEN}/json"),
    ],
)
def test_build_request_raw_json(server: tuple[str, list[dict[str, Any]]], kind: str, path: str) -> None:
    base, received = server
    sub = load_path(str(BT / "backtrace-node-0.8.3_exception_plain-json.json"))
    spec = bt.build_request(sub, Target(kind=kind, base_url=base, token=TOKEN, universe="myuniverse"))
    assert spec.secrets == [TOKEN] and TOKEN not in spec.masked_url
    response = _send(spec)
    (req,) = received
    assert (req["method"], req["path"]) == ("POST", path)
    assert _header(req["headers"], "Content-Type") == "application/json"
    assert _header(req["headers"], "Content-Encoding") is None
    assert req["body"] == (BT / "backtrace-node-0.8.3_exception_plain-json.json").read_bytes()
    outcome = bt.read_response(response.status_code, list(response.headers.items()), response.content)
    assert outcome.ok and outcome.id == "01000000-7e23-7a1e-0000-000000000000"


def test_hosted_default_base_and_attribute_query() -> None:
    sub = load_path(str(BT / "backtrace-node-0.8.3_exception_plain-json.json"))
    target = Target(kind="backtrace-hosted", base_url="", token=TOKEN, universe="my uni", attributes=[("v", "1 2")])
    spec = bt.build_request(sub, target)
    assert spec.url == f"https://submit.backtrace.io/my%20uni/{TOKEN}/json?v=1+2"
    assert spec.masked_url == "https://submit.backtrace.io/my%20uni/••••••••/json?v=1+2"


def test_build_request_multipart_with_attachments_and_attributes(server: tuple[str, list[dict[str, Any]]]) -> None:
    base, received = server
    sub = load_path(str(BT / "backtracepython-0.4.3_exception_3-threads_attachment.request.http"))
    sub.attachments.append(Part(name="notes.json", data=b'{"a": 1}', filename="notes.json"))
    target = Target(kind="backtrace-direct", base_url=base + "/", token=TOKEN, attributes=[("version", "1.0.1")])
    _send(bt.build_request(sub, target))
    (req,) = received
    assert req["path"] == f"/post?format=json&token={TOKEN}"
    ctype = _header(req["headers"], "Content-Type")
    assert ctype is not None and ctype.startswith("multipart/form-data; boundary=")
    boundary = ctype.split("boundary=", 1)[1]
    report_json = (BT / "backtracepython-0.4.3_exception_3-threads.json").read_bytes()
    expected = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="upload_file"; filename="upload_file.json"\r\n'
        "Content-Type: application/json\r\n\r\n".encode()
        + report_json
        + b"\r\n"
        + f'--{boundary}\r\nContent-Disposition: form-data; name="version"\r\n\r\n1.0.1\r\n'.encode()
        + f'--{boundary}\r\nContent-Disposition: form-data; name="attachment_app.log"; filename="app.log"\r\n'
        "Content-Type: text/plain\r\n\r\nline 1\nline 2\n\r\n".encode()
        + f'--{boundary}\r\nContent-Disposition: form-data; name="attachment_notes.json"; filename="notes.json"\r\n'
        'Content-Type: application/json\r\n\r\n{"a": 1}\r\n'.encode()
        + f"--{boundary}--\r\n".encode()
    )
    assert req["body"] == expected
    parts, problems = split_multipart(req["body"], boundary)
    assert [p.name for p in parts] == ["upload_file", "version", "attachment_app.log", "attachment_notes.json"]
    assert problems == []


def test_build_request_gzip_and_forced_multipart(server: tuple[str, list[dict[str, Any]]]) -> None:
    base, received = server
    sub = load_path(str(BT / "backtrace-node-0.8.3_error-cause.json"))
    original = (BT / "backtrace-node-0.8.3_error-cause.json").read_bytes()
    _send(bt.build_request(sub, Target(kind="backtrace-onprem", base_url=base, token=TOKEN, gzip=True)))
    _send(bt.build_request(sub, Target(kind="backtrace-direct", base_url=base, token=TOKEN, multipart=True)))
    gz, mp = received
    assert _header(gz["headers"], "Content-Encoding") == "gzip"
    assert gzip.decompress(gz["body"]) == original
    # what the receiver decodes is the same submission again
    again = load_bytes(_request(mp["path"], mp["body"], _header(mp["headers"], "Content-Type") or ""))
    assert again.document is not None and again.document.to_bytes() == original
    assert validate(again) == []


def test_build_request_errors() -> None:
    sub = load_path(str(BT / "backtrace-node-0.8.3_error-cause.json"))
    with pytest.raises(InspectorError, match="no token"):
        bt.build_request(sub, Target(kind="backtrace-direct", base_url="http://127.0.0.1:1"))
    with pytest.raises(InspectorError, match="universe"):
        bt.build_request(sub, Target(kind="backtrace-hosted", base_url="", token=TOKEN))
    with pytest.raises(InspectorError, match="rollbar"):
        bt.build_request(sub, Target(kind="rollbar", base_url="http://127.0.0.1:1", token=TOKEN))
    response = load_path(str(BT / "backtrace-android_test_submit-response_ok.json"))
    with pytest.raises(InspectorError, match="nothing to submit"):
        bt.build_request(response, Target(kind="backtrace-direct", base_url="http://127.0.0.1:1", token=TOKEN))


def test_docs_wrapper_is_sent_unwrapped() -> None:
    sub = load_path(str(BT / "saucedocs_api-error-reporting_sample_request_body.json"))
    spec = bt.build_request(sub, Target(kind="backtrace-direct", base_url="http://127.0.0.1:1", token=TOKEN))
    sent = json.loads(spec.body)
    assert sent["uuid"] == "123e4567-e89b-12d3-a456-426655440000" and "body" not in sent


@pytest.mark.parametrize(
    ("status", "headers", "body", "ok", "summary", "retry"),
    [
        (
            200,
            [],
            b'{"response":"ok","_rxid":"95000000-eb43-390b-0000-000000000000"}',
            True,
            "Accepted by Backtrace as object 95000000-eb43-390b-0000-000000000000",
            None,
        ),
        (200, [], b"<html>hi</html>", False, "SDKs treat it as a failure", None),
        (
            400,
            [],
            (BT / "backtrace-android_test_submit-response_error.json").read_bytes(),
            False,
            "400: the server says the request is malformed (no root object supplied)",
            None,
        ),
        (401, [], b"", False, "401: the token is invalid", None),
        (403, [], b"forbidden", False, "403: the token is invalid", None),
        (429, [("Retry-After", "30")], b"", False, "429: the submission limit is reached", 30.0),
        (503, [], b"", False, "503: invalid universe (subdomain) or missing format", None),
        (502, [], b"\xff\xfe", False, "502: server error", None),
    ],
)
def test_read_response(
    status: int, headers: list[tuple[str, str]], body: bytes, ok: bool, summary: str, retry: float | None
) -> None:
    outcome = bt.read_response(status, headers, body)
    assert outcome.ok is ok
    assert summary in outcome.summary
    assert outcome.retry_after == retry


def test_read_response_error_details_and_sync_fields() -> None:
    error_body = (BT / "backtrace-android_test_submit-response_error.json").read_bytes()
    assert "server error 32768: no root object supplied" in bt.read_response(400, [], error_body).details
    sync = b'{"response":"ok","_rxid":"ce000000-0000","object":"ce","fingerprint":"abc"}'
    outcome = bt.read_response(200, [], sync)
    assert outcome.ok and "object: ce" in outcome.details and "fingerprint: abc" in outcome.details


# ---------------------------------------------------------------------------------------------- scale


def test_ten_thousand_threads_of_a_hundred_frames_are_cheap_and_lazy() -> None:
    doc = _valid_payload()
    doc["threads"] = {
        str(t): {
            "name": f"t{t}",
            "fault": t == 7,
            "stack": [{"funcName": f"f{i}", "library": "lib.so", "line": i + 1} for i in range(100)],
        }
        for t in range(10_000)
    }
    doc["mainThread"] = "7"
    sub = _sub(doc)
    (report,) = reports(sub)  # its speed: bench/bench_lazy.py
    assert report.counts()["frames"] == 1_000_000 and len(report.threads) == 10_000
    frames = report.crashed_thread.frames
    assert isinstance(frames, LazyList) and frames._raw is doc["threads"]["7"]["stack"]  # no copy
    assert (frames[99].function, frames[99].line, frames[99].pointer) == ("f99", 100, "/threads/7/stack/99")
    assert frames.matching("f42") == [42]
    # validation of a million frames (its speed: bench/bench_lazy.py) still finds one bad frame deep inside
    doc["threads"]["9999"]["stack"][50]["guessed_frame"] = "no"
    problems = validate(sub)
    assert [(str(p.severity), p.pointer) for p in problems] == [("error", "/threads/9999/stack/50/guessed_frame")]


def test_document_is_not_modified_by_reports_or_validation() -> None:
    sub = load_path(str(BT / "saucedocs_api-error-reporting_sample_response.json"))
    assert sub.document is not None
    before = copy.deepcopy(sub.document.value)
    validate(sub)
    for report in reports(sub):
        list(report.threads[0].frames)
    assert sub.document.value == before and not sub.document.modified


# ---------------------------------------------------------------------------------------------- a real SDK

SDK_SCRIPT = """
import sys
import backtracepython as bt

bt.initialize(endpoint=sys.argv[1], token=sys.argv[2], attributes={"application": "sdk-test"},
              attachments=[sys.argv[3]], disable_global_handler=True)

def inner(key):
    return {"a": 1}[key]

try:
    inner("missing")
except Exception:
    bt.send_last_exception(attributes={"order_id": 42})
bt.finalize()
"""


def _raw_request(req: dict[str, Any]) -> bytes:
    head = f"{req['method']} {req['path']} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in req["headers"])
    return head.encode("latin-1") + b"\r\n" + req["body"]


def test_real_backtracepython_request_loads_and_validates(
    server: tuple[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    import subprocess
    import sys

    base, received = server
    log = tmp_path / "app.log"
    log.write_bytes(b"first line\nsecond line\n")
    script = tmp_path / "sdk_app.py"
    script.write_text(SDK_SCRIPT, encoding="utf-8")
    subprocess.run([sys.executable, str(script), base, TOKEN, str(log)], check=True, timeout=60)
    (req,) = received
    sub = load_bytes(_raw_request(req))
    assert (sub.format, sub.kind) == ("backtrace", "error object")
    assert "multipart upload_file part; submit URL form post, format=json" in sub.detection.reason
    assert not [p for p in validate(sub) if p.severity is not Severity.INFO]
    (report,) = reports(sub)
    assert [(e.type, e.message) for e in report.exceptions] == [("KeyError", "'missing'")]
    crashed = report.crashed_thread
    assert crashed is not None and crashed.frames[0].function == "inner"
    assert crashed.frames[0].file == str(script) and crashed.frames[0].source is not None
    assert crashed.frames[0].source.lines[crashed.frames[0].line - crashed.frames[0].source.start_line].strip() == (
        'return {"a": 1}[key]'
    )
    (att,) = report.attachments
    assert (att.name, att.data()) == ("app.log", b"first line\nsecond line\n")
    assert report.metadata["attributes"]["order_id"] == 42
    # sending it again yields the same report bytes
    target = Target(kind="backtrace-direct", base_url=base, token=TOKEN)
    resent = bt.build_request(sub, target)
    _send(resent)
    again = load_bytes(_raw_request(received[1]))
    assert again.document is not None and sub.document is not None
    assert again.document.to_bytes() == sub.document.to_bytes()


# ---------------------------------------------------------------------------------------------- huge timestamps


HUGE = 10**4000  # nightly fuzzing: an int no float can hold made float()/division raise OverflowError


def test_timestamp_too_big_for_a_float_is_no_timestamp_and_an_error() -> None:
    from inspector.formats.backtrace_report import seconds

    assert seconds(HUGE) is None and seconds(-HUGE) is None
    assert seconds(float("inf")) is None and seconds(float("nan")) is None
    assert seconds(1_700_000_000) == 1_700_000_000.0 and seconds(1_700_000_000_000) == 1_700_000_000.0
    value = json.loads((BT / "backtrace-node-0.8.3_exception_plain-json.json").read_text())
    value["timestamp"] = HUGE
    sub = load_bytes(json.dumps(value).encode(), source_name="huge.json")
    assert sub.format == "backtrace"
    (report,) = reports(sub)
    assert report.summary.timestamp is None
    found = [p for p in validate(sub) if p.pointer == "/timestamp"]
    assert [p.severity for p in found] == [Severity.ERROR], found
    assert "too large to be a time" in found[0].message and str(HUGE)[:50] not in found[0].message


def test_a_token_redacted_by_the_receiver_is_an_info() -> None:
    from inspector.formats.base import redaction_placeholder

    path = BT / "backtrace-node-0.8.3_exception_plain-json.request.http"
    token = "0123456789abcdef" * 4
    sub = load_bytes(path.read_bytes().replace(token.encode(), redaction_placeholder(64).encode()))
    found = [p for p in validate(sub) if p.pointer == "/@http/target"]
    assert [p.severity for p in found] == [Severity.INFO] and "redacted by the receiver" in found[0].message
