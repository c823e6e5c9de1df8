"""The Rollbar format: detection, loading, reports, validation, requests and answers, on real payloads."""

from __future__ import annotations

import copy
import gzip
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.cli import main
from inspector.formats import get_format, load_bytes, load_path, reports, validate
from inspector.formats.base import Detection, Envelope, InspectorError, Severity, Submission, Target
from inspector.formats.jsondoc import Document, dumps, parse_json
from inspector.report import LazyList
from tests.conftest import CORPUS, corpus_files

rollbar_format = get_format("rollbar")
ROLLBAR = CORPUS / "rollbar"
TOKEN = "aaaabbbbccccddddeeeeffff00001111"
TS_MSG = "Cannot read properties of undefined (reading 'property')"

# Every corpus file, with what reading it by eye gives: kind, detection reason, the exception chain
# (type, message, frame count), telemetry events.
EXPECTED = {
    # pyrollbar 0.16.3 (2020): locals with an emoji (JSON surrogate escapes), argspec, extra_data in custom
    "pyrollbar-0.16.3_trace_emoji-locals.json": (
        "trace",
        "Rollbar: item with body.trace, token in body",
        [("ZeroDivisionError", "division by zero", 2)],
        0,
    ),
    "pyrollbar-1.5.0_failsafe-message-after-413.json": (
        "message",
        "Rollbar: item with body.message, token in body",
        [],
        0,
    ),
    "pyrollbar-1.5.0_message_extra-data.json": ("message", "Rollbar: item with body.message, token in body", [], 0),
    "pyrollbar-1.5.0_message_title.json": ("message", "Rollbar: item with body.message, token in body", [], 0),
    "pyrollbar-1.5.0_trace.request.http": (
        "trace",
        "Rollbar: item with body.trace, token in body and X-Rollbar-Access-Token header",
        [("KeyError", "'missing'", 3)],
        0,
    ),
    "pyrollbar-1.5.0_trace_chain_raise-from.json": (
        "trace_chain",
        "Rollbar: item with body.trace_chain (2 exceptions), token in body",
        [("RuntimeError", "lookup failed", 1), ("KeyError", "'missing'", 3)],
        0,
    ),
    # pyrollbar 1.5.0 with emoji (sent as JSON surrogate escapes, a ZWJ sequence among them)
    "pyrollbar-1.5.0_message_emoji.json": ("message", "Rollbar: item with body.message, token in body", [], 0),
    "pyrollbar-1.5.0_trace_emoji-message.json": (
        "trace",
        "Rollbar: item with body.trace, token in body",
        [("ValueError", "Card declined \U0001f4b3\u274c for Zo\u00eb \U0001f469\u200d\U0001f4bb", 2)],
        0,
    ),
    "pyrollbar-1.5.0_trace_person_context_fingerprint.json": (
        "trace",
        "Rollbar: item with body.trace, token in body",
        [("KeyError", "'missing'", 3)],
        0,
    ),
    # rollbar.js 2.26.4 on Node (2022): trace_chain for a single error too, an empty telemetry array, the token in
    # the body and the header
    "rollbarjs-node-2.26.4_trace_chain-error-cause.json": (
        "trace_chain",
        "Rollbar: item with body.trace_chain (2 exceptions), token in body",
        [("Error", "lookup failed", 10), ("TypeError", "no server section", 10)],
        0,
    ),
    "rollbarjs-node-2.26.4_trace_chain-single-error.request.http": (
        "trace_chain",
        "Rollbar: item with body.trace_chain (1 exception), token in body and X-Rollbar-Access-Token header",
        [("TypeError", "Cannot read properties of undefined (reading 'port')", 8)],
        0,
    ),
    "rollbarjs-node-3.1.0_message.request.http": (
        "message",
        "Rollbar: item with body.message and 4 telemetry events, token in X-Rollbar-Access-Token header",
        [],
        4,
    ),
    "rollbarjs-node-3.1.0_message_telemetry.json": (
        "message",
        "Rollbar: item with body.message and 4 telemetry events, no access_token in the body",
        [],
        4,
    ),
    "rollbarjs-node-3.1.0_trace_chain-error-cause_telemetry.json": (
        "trace_chain",
        "Rollbar: item with body.trace_chain (2 exceptions) and 3 telemetry events, no access_token in the body",
        [("Error", "lookup failed", 1), ("TypeError", TS_MSG, 3)],
        3,
    ),
    "rollbarjs-node-3.1.0_trace_chain-single-error_telemetry.json": (
        "trace_chain",
        "Rollbar: item with body.trace_chain (1 exception) and 2 telemetry events, no access_token in the body",
        [("TypeError", TS_MSG, 10)],
        2,
    ),
}


def test_expected_table_covers_the_whole_corpus() -> None:
    assert sorted(p.name for p in corpus_files("rollbar")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_detects_loads_and_reports(name: str) -> None:
    kind, reason, chain, telemetry = EXPECTED[name]
    sub = load_path(str(ROLLBAR / name))  # auto-detection across every format
    assert sub.format == "rollbar"
    assert sub.kind == kind
    assert sub.detection.reason == reason
    assert sub.detection.score >= 90
    assert sub.attachments == []
    (report,) = rollbar_format.reports(sub)
    assert report.kind == kind
    assert report.most_recent_first is False
    assert [(e.type, e.message, len(e.frames)) for e in report.exceptions] == chain
    assert [e.depth for e in report.exceptions] == list(range(len(chain)))
    assert [e.relation for e in report.exceptions] == [None, "cause", "cause"][: len(chain)]
    assert len(report.telemetry) == telemetry
    assert report.threads == [] and report.attachments == [] and len(report.binaries) == 0
    assert report.frame_count == sum(n for _, _, n in chain)
    assert report.summary.environment == "capture-test"
    # every row points at the raw JSON it came from
    value = sub.document.value
    for exc in report.exceptions:
        assert isinstance(exc.frames, LazyList)
        for i, frame in enumerate(exc.frames):
            assert frame.pointer == f"{exc.pointer}/frames/{i}"
            assert sub.document.resolve(frame.pointer)["filename"] == frame.file
    for i, event in enumerate(report.telemetry):
        assert event.pointer == f"/data/body/telemetry/{i}"
        assert sub.document.resolve(event.pointer)["type"] == event.type
    assert report.metadata["environment"] is value["data"]["environment"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_sdk_output_has_no_errors(name: str) -> None:
    problems = validate(load_path(str(ROLLBAR / name)))
    assert [p for p in problems if p.severity is Severity.ERROR] == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_unmodified_round_trip_is_byte_exact(name: str) -> None:
    path = ROLLBAR / name
    sub = load_path(str(path))
    raw = path.read_bytes()
    out = sub.document.to_bytes()
    assert out == (raw.split(b"\r\n\r\n", 1)[1] if raw.startswith(b"POST") else raw)
    again, _ = parse_json(out)
    assert again == sub.document.value
    assert json.dumps(again) == json.dumps(sub.document.value)  # same key order, all the way down


def test_failsafe_item_validates_with_infos_only() -> None:
    problems = validate(load_path(str(ROLLBAR / "pyrollbar-1.5.0_failsafe-message-after-413.json")))
    assert {p.severity for p in problems} == {Severity.INFO}
    assert {p.pointer for p in problems} == {"/data", "/data/failsafe"}


def test_python_frames_locals_and_summary() -> None:
    sub = load_path(str(ROLLBAR / "pyrollbar-1.5.0_trace_person_context_fingerprint.json"))
    (report,) = rollbar_format.reports(sub)
    frames = report.exceptions[0].frames
    last = frames[2]  # most recent call last
    assert (last.function, last.file, last.line, last.column) == ("level3", "/srv/app/py_rollbar.py", 17, None)
    assert last.in_app is True
    assert dict(last.variables) == {"locals": {"x": "missing"}, "argspec": ["x"]}
    assert last.source is not None and last.source.lines == ('return {"a": 1}[x]',)
    assert (last.source.start_line, last.source.line) == (17, 17)
    assert frames.matching("level2") == [1]
    s = report.summary
    assert (s.title, s.level, s.app_version, s.language, s.sdk, s.id, s.timestamp) == (
        "KeyError: 'missing'",
        "error",
        "1.2.3",
        "python 3.11.7",
        "pyrollbar 1.5.0",
        "57ef396c-b51f-4665-9d72-a3b816c62ddf",
        1795373100.0,
    )
    meta = report.metadata
    assert meta["person"] == {"id": "12345", "username": "alice", "email": "alice@example.com"}
    assert (meta["context"], meta["fingerprint"], meta["custom"]) == (
        "checkout#submit",
        "custom-fingerprint-1",
        {"order_id": 42},
    )
    assert "body" not in meta and "access_token" not in meta


def test_node_frames_context_runtime_position_and_library_frames() -> None:
    sub = load_path(str(ROLLBAR / "rollbarjs-node-3.1.0_trace_chain-single-error_telemetry.json"))
    (report,) = rollbar_format.reports(sub)
    frames = report.exceptions[0].frames
    assert [f.in_app for f in frames] == [False] * 6 + [True] * 4  # node:internal/... are runtime frames
    top = frames[-1]
    assert (top.function, top.line, top.column) == ("level3", 19, 19)
    assert top.source.start_line == 16 and top.source.line == 19
    assert top.source.lines == (
        "});",
        "",
        "function level3(x) {",
        "  return x.missing.property;",
        "}",
        "function level2(x) {",
        "  return level3(x);",
    )
    assert dict(top.variables)["runtimePosition"] == {"source": "/srv/app/rollbar_cap.js", "line": 19, "column": 19}
    assert frames[0].source is None
    assert report.metadata["order_id"] == 42 and report.metadata["attributes"] == []
    events = list(report.telemetry)
    assert [(e.type, e.level, e.source) for e in events] == [("manual", "info", "client"), ("log", "info", "client")]
    assert events[0].message == '{"action": "button_click", "id": "checkout"}'
    assert events[1].message == "about to process order 42"
    assert events[1].timestamp == pytest.approx(1795373116.826)


def test_network_telemetry_event() -> None:
    sub = load_path(str(ROLLBAR / "rollbarjs-node-3.1.0_message.request.http"))
    (report,) = rollbar_format.reports(sub)
    net = report.telemetry[2]
    assert (net.type, net.status, net.url) == ("network", "200", "http://127.0.0.1:18766/api/1/item/")
    assert net.message == "POST http://127.0.0.1:18766/api/1/item/ → 200"
    assert report.telemetry.matching("about to process") == [1]
    assert report.metadata["message"] == {"body": "Request over threshold of 10 seconds"}
    assert report.summary.title == "Request over threshold of 10 seconds"


def test_library_paths() -> None:
    lib = rollbar_format.is_library_path
    assert lib("/usr/lib/python3.11/site-packages/requests/api.py")
    assert lib("/srv/app/node_modules/express/lib/router.js")
    assert lib("/usr/lib/python3.11/json/decoder.py")
    assert lib("node:internal/modules/cjs/loader")
    assert lib("internal/process/task_queues.js")
    assert lib("<frozen runpy>")
    assert not lib("/srv/app/py_rollbar.py")
    assert not lib("app/views/project.py")


# ------------------------------------------------------------------------------------------------ other inputs


def _item(**data_overrides: object) -> dict:
    data = {
        "environment": "production",
        "body": {
            "trace": {
                "frames": [{"filename": "app.py", "lineno": 3, "method": "main"}],
                "exception": {"class": "ValueError", "message": "bad"},
            }
        },
        "level": "error",
        "timestamp": 1700000000,
        "uuid": "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
    }
    data.update(data_overrides)
    return {"access_token": TOKEN, "data": data}


def _load(value: object) -> Submission:
    return load_bytes(json.dumps(value).encode(), source_name="hand-made.json")


def test_form_encoded_payload_is_unwrapped() -> None:
    raw = json.dumps(_item()).encode()
    body = urlencode({"payload": raw.decode()}).encode()
    request = (
        b"POST /api/1/item/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    sub = load_bytes(request, source_name="form.http")
    assert sub.format == "rollbar" and sub.kind == "trace"
    assert sub.detection.reason == "Rollbar: item with body.trace, token in body, form-encoded payload="
    assert sub.document.to_bytes() == raw
    assert [p for p in validate(sub) if p.severity is not Severity.INFO] == []


def test_crash_report_raw_is_read_like_the_apple_file_and_keeps_the_text() -> None:
    """rollbar-apple sends ``body.crash_report.raw`` (RollbarBody.m initWithCrashReport): the real Apple text of
    the corpus, carried in that body, shows the same threads, frames and binaries as the file itself."""
    path = CORPUS / "apple" / "rollbar-apple_macos_SIGSEGV_crash-report-raw.txt"
    raw_text = path.read_text()
    sub = _load(_item(body={"crash_report": {"raw": raw_text}}))
    assert sub.kind == "crash_report"
    (report,) = rollbar_format.reports(sub)
    (apple,) = reports(load_path(str(path)))
    assert (len(report.threads), sum(len(t.frames) for t in report.threads), len(report.binaries)) == (10, 59, 379)
    assert [t.id for t in report.threads] == [t.id for t in apple.threads]
    assert [f.function for f in report.crashed_thread.frames] == [f.function for f in apple.crashed_thread.frames]
    assert report.summary.title == apple.summary.title == "SIGSEGV: SEGV_MAPERR at 0x1"
    assert report.most_recent_first is True
    assert report.threads[0].frames[0].pointer == "/data/body/crash_report/raw"
    assert report.metadata["crash_report"] == raw_text
    assert [p for p in validate(sub) if p.severity is Severity.ERROR] == []


def test_crash_report_that_is_not_apple_text_keeps_the_raw_text() -> None:
    sub = _load(_item(body={"crash_report": {"raw": "something else entirely"}}))
    (report,) = rollbar_format.reports(sub)
    (exc,) = report.exceptions
    assert exc.type == "crash report" and exc.raw_stack == "something else entirely" and report.threads == []


def test_non_json_body_sent_to_rollbar_is_a_clear_error() -> None:
    request = b"POST /api/1/item/ HTTP/1.1\r\nHost: x\r\nX-Rollbar-Access-Token: t\r\nContent-Length: 5\r\n\r\nhello"
    with pytest.raises(InspectorError, match="not JSON"):
        load_bytes(request)


def test_detect_refuses_other_json() -> None:
    env = Envelope(body=b"{}")
    assert rollbar_format.detect(env, {"logs": []}) is None
    assert rollbar_format.detect(env, [1, 2]) is None
    assert rollbar_format.detect(env, None) is None
    weak = rollbar_format.detect(env, {"data": {"environment": "x"}})
    assert weak is not None and weak.kind == "item" and weak.score < 90


def test_telemetry_as_a_single_object_is_shown_and_flagged() -> None:
    event = {
        "level": "info",
        "type": "navigation",
        "source": "client",
        "timestamp_ms": 1700000000000,
        "body": {"from": "/a", "to": "/b"},
    }
    item = _item()
    item["data"]["body"]["telemetry"] = event
    sub = _load(item)
    (report,) = rollbar_format.reports(sub)
    assert len(report.telemetry) == 1
    assert report.telemetry[0].message == "/a → /b" and report.telemetry[0].pointer == "/data/body/telemetry"
    assert ("warning", "/data/body/telemetry") in {(str(p.severity), p.pointer) for p in validate(sub)}


# ------------------------------------------------------------------------------------------------ CLI


def test_cli_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROLLBAR / "rollbarjs-node-3.1.0_trace_chain-error-cause_telemetry.json")
    assert main(["show", "--json", path]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["format"] == "rollbar" and out["kind"] == "trace_chain"
    assert out["reports"] == [
        {
            "kind": "trace_chain",
            "exceptions": [
                {"type": "Error", "message": "lookup failed", "frames": 1},
                {"type": "TypeError", "message": TS_MSG, "frames": 3},
            ],
            "threads": 0,
            "frames": 4,
            "binaries": 0,
            "telemetry": 3,
            "attachments": 0,
        }
    ]
    assert [(p["severity"], p["pointer"]) for p in out["problems"]] == [("info", "/access_token")]
    assert set(out["problems"][0]) == {"severity", "pointer", "message", "rule"}


def test_cli_show_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(ROLLBAR / "pyrollbar-1.5.0_trace_chain_raise-from.json")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "    RuntimeError: lookup failed" in lines and "      caused by KeyError: 'missing'" in lines
    assert main(["show", str(ROLLBAR / "rollbarjs-node-3.1.0_trace_chain-single-error_telemetry.json")]) == 0
    lines = capsys.readouterr().out.splitlines()
    head = lines.index("  Frames (top 8 of 10, most recent first):")
    # Rollbar lists the most recent call last; the text view flips it so level3 comes first.
    assert lines[head + 1 : head + 3] == [
        "    #9   level3  /srv/app/rollbar_cap.js:19:19",
        "    #8   level2  /srv/app/rollbar_cap.js:22:9",
    ]


def test_cli_validate_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = str(ROLLBAR / "pyrollbar-1.5.0_message_title.json")
    assert main(["validate", "--json", good]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["format"] == "rollbar" and result["problems"] == []
    bad = tmp_path / "bad.json"
    item = _item(level="fatal")
    bad.write_text(json.dumps(item))
    assert main(["validate", "--json", str(bad)]) == 1
    (result,) = json.loads(capsys.readouterr().out)
    assert result["problems"][0]["severity"] == "error"
    assert result["problems"][0]["pointer"] == "/data/level"
    assert "not one of" in result["problems"][0]["message"]
    assert result["problems"][0]["rule"].startswith("rollbar docs")


# ------------------------------------------------------------------------------------------------ validation


def _without(path: str, key: str):
    def edit(item: dict) -> None:
        node = item
        for token in path.split("/")[1:]:
            node = node[int(token)] if isinstance(node, list) else node[token]
        del node[key]

    return edit


def _setter(path: str, value: object):
    def edit(item: dict) -> None:
        tokens = path.split("/")[1:]
        node = item
        for token in tokens[:-1]:
            node = node[int(token)] if isinstance(node, list) else node[token]
        node[tokens[-1]] = value

    return edit


TELEMETRY_LOG = {
    "level": "info",
    "type": "log",
    "source": "client",
    "timestamp_ms": 1700000000000,
    "body": {"message": "hi"},
}

# (rule name, edit of a valid item, severity, pointer)
BROKEN = [
    ("data required", _without("", "data"), "error", ""),
    ("body required", _without("/data", "body"), "error", "/data"),
    ("no body kind", _setter("/data/body", {}), "error", "/data/body"),
    ("two body kinds", _setter("/data/body/message", {"body": "x"}), "error", "/data/body/message"),
    (
        "exception.class required",
        _without("/data/body/trace/exception", "class"),
        "error",
        "/data/body/trace/exception",
    ),
    (
        "frame filename required",
        _without("/data/body/trace/frames/0", "filename"),
        "error",
        "/data/body/trace/frames/0",
    ),
    ("lineno integer", _setter("/data/body/trace/frames/0/lineno", "3"), "error", "/data/body/trace/frames/0/lineno"),
    ("trace_chain not empty", _setter("/data/body", {"trace_chain": []}), "error", "/data/body/trace_chain"),
    ("message.body required", _setter("/data/body", {"message": {"route": "x"}}), "error", "/data/body/message"),
    ("crash_report.raw required", _setter("/data/body", {"crash_report": {}}), "error", "/data/body/crash_report"),
    ("environment required", _without("/data", "environment"), "error", "/data"),
    ("environment <= 255", _setter("/data/environment", "e" * 256), "error", "/data/environment"),
    ("environment empty", _setter("/data/environment", ""), "warning", "/data/environment"),
    ("level enum", _setter("/data/level", "fatal"), "error", "/data/level"),
    ("code_version <= 40", _setter("/data/code_version", "v" * 41), "error", "/data/code_version"),
    ("fingerprint <= 40", _setter("/data/fingerprint", "f" * 41), "warning", "/data/fingerprint"),
    ("title <= 255", _setter("/data/title", "t" * 256), "error", "/data/title"),
    ("uuid <= 36", _setter("/data/uuid", "u" * 37), "error", "/data/uuid"),
    ("uuid latin-1", _setter("/data/uuid", "łódź"), "error", "/data/uuid"),
    ("person.id required", _setter("/data/person", {"username": "alice"}), "error", "/data/person"),
    ("person.id <= 40", _setter("/data/person", {"id": "i" * 41}), "error", "/data/person/id"),
    ("person.id string", _setter("/data/person", {"id": 7}), "warning", "/data/person/id"),
    (
        "person.username <= 255",
        _setter("/data/person", {"id": "1", "username": "u" * 256}),
        "error",
        "/data/person/username",
    ),
    ("person.email <= 255", _setter("/data/person", {"id": "1", "email": "e" * 256}), "error", "/data/person/email"),
    ("timestamp integer", _setter("/data/timestamp", 1700000000.5), "error", "/data/timestamp"),
    ("timestamp seconds", _setter("/data/timestamp", 1700000000000), "warning", "/data/timestamp"),
    ("platform string", _setter("/data/platform", 3), "error", "/data/platform"),
    ("language length", _setter("/data/language", "l" * 300), "warning", "/data/language"),
    ("framework length", _setter("/data/framework", "f" * 300), "warning", "/data/framework"),
    ("context length", _setter("/data/context", "c" * 300), "warning", "/data/context"),
    ("server.cpu <= 255", _setter("/data/server", {"cpu": "c" * 256}), "error", "/data/server/cpu"),
    ("custom object", _setter("/data/custom", [1]), "error", "/data/custom"),
    (
        "telemetry level required",
        _setter("/data/body/telemetry", [{k: v for k, v in TELEMETRY_LOG.items() if k != "level"}]),
        "error",
        "/data/body/telemetry/0",
    ),
    (
        "telemetry type enum",
        _setter("/data/body/telemetry", [{**TELEMETRY_LOG, "type": "click"}]),
        "error",
        "/data/body/telemetry/0/type",
    ),
    (
        "telemetry timestamp_ms integer",
        _setter("/data/body/telemetry", [{**TELEMETRY_LOG, "timestamp_ms": "1"}]),
        "error",
        "/data/body/telemetry/0/timestamp_ms",
    ),
    (
        "telemetry log body.message",
        _setter("/data/body/telemetry", [{**TELEMETRY_LOG, "body": {}}]),
        "warning",  # the docs say "should contain", not "Required"
        "/data/body/telemetry/0/body",
    ),
    (
        "telemetry network body keys",
        _setter("/data/body/telemetry", [{**TELEMETRY_LOG, "type": "network", "body": {"url": "/x"}}]),
        "warning",  # the docs say "should contain", not "Required"
        "/data/body/telemetry/0/body",
    ),
    (
        "telemetry dom body.element",
        _setter("/data/body/telemetry", [{**TELEMETRY_LOG, "type": "dom"}]),
        "warning",  # the docs say "should contain", not "Required"
        "/data/body/telemetry/0/body",
    ),
    (
        "telemetry navigation from/to",
        _setter("/data/body/telemetry", [{**TELEMETRY_LOG, "type": "navigation", "body": {"from": "/a"}}]),
        "warning",  # the docs say "should contain", not "Required"
        "/data/body/telemetry/0/body",
    ),
    (
        "telemetry ms not s",
        _setter("/data/body/telemetry", [{**TELEMETRY_LOG, "timestamp_ms": 1700000000}]),
        "warning",
        "/data/body/telemetry/0/timestamp_ms",
    ),
    ("token shape", _setter("/access_token", "not-a-token"), "warning", "/access_token"),
    ("unknown top-level key", _setter("/extra", 1), "info", "/extra"),
    ("payload <= 1024 KB", _setter("/data/custom", {"blob": "x" * (1024 * 1024)}), "error", ""),
    ("payload > 512 KB truncated by SDKs", _setter("/data/custom", {"blob": "x" * (600 * 1024)}), "warning", ""),
]


def test_valid_hand_made_item_has_no_problems() -> None:
    assert validate(_load(_item())) == []


@pytest.mark.parametrize(("rule", "edit", "severity", "pointer"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_payload(rule: str, edit, severity: str, pointer: str) -> None:
    item = _item()
    edit(item)
    problems = rollbar_format.validate(
        Submission("rollbar", Detection("rollbar", "trace", 90, "test"), Envelope(b""), Document.from_value(item))
    )
    found = [(str(p.severity), p.pointer) for p in problems]
    assert (severity, pointer) in found, f"{rule}: got {found}"
    matching = next(p for p in problems if (str(p.severity), p.pointer) == (severity, pointer))
    assert matching.message and matching.rule
    if severity != "error":
        assert not any(p.severity is Severity.ERROR for p in problems), f"{rule}: unexpected errors {problems}"


def test_payload_size_error_names_the_size() -> None:
    item = _item(custom={"blob": "x" * (1100 * 1024)})
    problems = validate(_load(item))
    (size,) = [p for p in problems if p.pointer == "" and p.severity is Severity.ERROR]
    assert "1024 KB" in size.message and f"{len(json.dumps(item)):,} bytes" in size.message


def _request(body: bytes, headers: str) -> bytes:
    return (
        f"POST /api/1/item/ HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Content-Length: {len(body)}\r\n\r\n".encode() + body
    )


def test_request_token_rules() -> None:
    item = _item()
    del item["access_token"]
    body = json.dumps(item).encode()
    missing = validate(load_bytes(_request(body, "Content-Type: application/json\r\n")))
    assert ("error", "/@headers/X-Rollbar-Access-Token") in {(str(p.severity), p.pointer) for p in missing}
    ok = validate(load_bytes(_request(body, f"Content-Type: application/json\r\nX-Rollbar-Access-Token: {TOKEN}\r\n")))
    assert ok == []
    both = _item()
    both["access_token"] = "0" * 32
    clash = validate(load_bytes(_request(json.dumps(both).encode(), f"X-Rollbar-Access-Token: {TOKEN}\r\n")))
    found = {(str(p.severity), p.pointer) for p in clash}
    assert ("warning", "/access_token") in found  # body and header disagree
    assert ("warning", "/@headers/Content-Type") in found  # no Content-Type at all
    wrong_path = load_bytes(
        _request(json.dumps(_item()).encode(), "Content-Type: application/json\r\n").replace(
            b"/api/1/item/", b"/api/item/"
        )
    )
    assert ("warning", "/@http/target") in {(str(p.severity), p.pointer) for p in validate(wrong_path)}


# ------------------------------------------------------------------------------------------------ sending


@dataclass
class Recorded:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    def raw(self) -> bytes:
        head = f"{self.method} {self.path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in self.headers)
        return head.encode("latin-1") + b"\r\n" + self.body


@dataclass
class Receiver:
    """A tiny HTTP server on 127.0.0.1 that records every request and answers like Rollbar."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    answer: tuple[int, list[tuple[str, str]], bytes] = (
        200,
        [("Content-Type", "application/json")],
        b'{"err": 0, "result": {"id": null, "uuid": "d4c7acef55bf4c9ea95e4fe9428a8287"}}',
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.requests.append(Recorded(self.command, self.path, list(self.headers.items()), body))
            status, headers, answer = state.answer
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _send(spec) -> httpx.Response:
    with httpx.Client(timeout=10) as client:
        return client.request(spec.method, spec.url, headers=spec.headers, content=spec.body)


def _header(rec: Recorded, name: str) -> list[str]:
    return [v for k, v in rec.headers if k.lower() == name.lower()]


def test_send_with_header_token(receiver: Receiver) -> None:
    path = ROLLBAR / "rollbarjs-node-3.1.0_message_telemetry.json"
    sub = load_path(str(path))
    spec = rollbar_format.build_request(sub, Target(kind="rollbar", base_url=receiver.url, token=TOKEN))
    assert spec.secrets == [TOKEN]
    assert TOKEN not in " ".join(v for _, v in spec.masked_headers())
    response = _send(spec)
    (rec,) = receiver.requests
    assert (rec.method, rec.path) == ("POST", "/api/1/item/")
    assert _header(rec, "Content-Type") == ["application/json"]
    assert _header(rec, "X-Rollbar-Access-Token") == [TOKEN]
    assert _header(rec, "Content-Encoding") == []
    assert rec.body == path.read_bytes()  # byte for byte the file
    outcome = rollbar_format.read_response(response.status_code, list(response.headers.items()), response.content)
    assert outcome.ok and outcome.id == "d4c7acef55bf4c9ea95e4fe9428a8287"
    # what was received is a Rollbar item again
    again = load_bytes(rec.raw())
    assert again.format == "rollbar" and "token in X-Rollbar-Access-Token header" in again.detection.reason


def test_send_with_body_token_keeps_key_order_and_document(receiver: Receiver) -> None:
    path = ROLLBAR / "rollbarjs-node-3.1.0_trace_chain-error-cause_telemetry.json"
    sub = load_path(str(path))
    before = copy.deepcopy(sub.document.value)
    spec = rollbar_format.build_request(
        sub, Target(kind="rollbar", base_url=receiver.url + "/", token=TOKEN, token_in_body=True)
    )
    _send(spec)
    (rec,) = receiver.requests
    assert rec.path == "/api/1/item/"
    assert _header(rec, "X-Rollbar-Access-Token") == []
    sent = json.loads(rec.body)
    assert list(sent) == ["access_token", "data"] and sent["access_token"] == TOKEN
    assert json.dumps(sent["data"]) == json.dumps(before["data"])  # every key, in order
    assert sub.document.value == before and "access_token" not in sub.document.value
    assert sub.document.to_bytes() == path.read_bytes()  # the submission is untouched


def test_body_token_replaces_in_place(receiver: Receiver) -> None:
    item = {"data": _item()["data"], "access_token": "0" * 32, "zzz": 1}
    sub = _load(item)
    spec = rollbar_format.build_request(
        sub, Target(kind="rollbar", base_url=receiver.url, token=TOKEN, token_in_body=True)
    )
    assert set(spec.secrets) == {TOKEN, "0" * 32}
    _send(spec)
    sent = json.loads(receiver.requests[0].body)
    assert list(sent) == ["data", "access_token", "zzz"] and sent["access_token"] == TOKEN
    assert sub.document.value["access_token"] == "0" * 32
    # same token already in the body: the original bytes go out unchanged
    same = load_path(str(ROLLBAR / "pyrollbar-1.5.0_message_title.json"))
    spec = rollbar_format.build_request(
        same, Target(kind="rollbar", base_url=receiver.url, token=TOKEN, token_in_body=True)
    )
    assert spec.body == (ROLLBAR / "pyrollbar-1.5.0_message_title.json").read_bytes()


def test_send_gzip(receiver: Receiver) -> None:
    path = ROLLBAR / "pyrollbar-1.5.0_trace_chain_raise-from.json"
    sub = load_path(str(path))
    spec = rollbar_format.build_request(sub, Target(kind="rollbar", base_url=receiver.url, token=TOKEN, gzip=True))
    assert any("SDK-specific" in note for note in spec.notes)
    _send(spec)
    (rec,) = receiver.requests
    assert _header(rec, "Content-Encoding") == ["gzip"]
    assert _header(rec, "Content-Type") == ["application/json"]
    assert gzip.decompress(rec.body) == path.read_bytes()
    again = load_bytes(rec.raw())  # the envelope undoes the gzip
    assert again.kind == "trace_chain" and "gzip" in again.envelope.layers


def test_item_url_defaults_and_forms() -> None:
    url = rollbar_format.item_url
    assert url(Target(kind="rollbar", base_url="")) == "https://api.rollbar.com/api/1/item/"
    assert url(Target(kind="rollbar", base_url="https://api.rollbar.com")) == "https://api.rollbar.com/api/1/item/"
    assert url(Target(kind="rollbar", base_url="http://h:1/api/1/")) == "http://h:1/api/1/item/"
    assert url(Target(kind="rollbar", base_url="http://h:1/api/1/item")) == "http://h:1/api/1/item/"
    assert rollbar_format.TARGET_KINDS == ("rollbar",)


def test_read_response_documented_cases() -> None:
    read = rollbar_format.read_response
    ok = read(200, [], b'{"err": 0, "result": {"id": null, "uuid": "d4c7acef-55bf"}}')
    assert ok.ok and ok.id == "d4c7acef-55bf"
    assert ok.link == "https://rollbar.com/occurrence/uuid/?uuid=d4c7acef-55bf"
    err_in_200 = read(200, [], b'{"err": 1, "message": "odd"}')
    assert not err_in_200.ok and "odd" in err_in_200.summary
    cases = {
        400: "not JSON",
        401: "no access token or it was not accepted",
        403: "invalid",
        413: "too large",
        422: "semantically invalid",
        429: "rate limited",
        500: "internal server error",
    }
    for status, words in cases.items():
        out = read(status, [("Content-Type", "application/json")], b'{"err": 1, "message": "the reason"}')
        assert not out.ok and out.summary.startswith(str(status)) and words in out.summary, out.summary
        assert "the reason" in out.summary and "Rollbar says: the reason" in out.details
    limited = read(
        429,
        [("X-Rate-Limit-Remaining", "0"), ("X-Rate-Limit-Remaining-Seconds", "42")],
        b'{"err": 1, "message": "rate limit reached"}',
    )
    assert limited.retry_after == 42
    assert "X-Rate-Limit-Remaining: 0 (items left in this window)" in limited.details
    assert "X-Rate-Limit-Remaining-Seconds: 42 (seconds until the window resets)" in limited.details
    garbage = read(502, [], b"<html>bad gateway</html>")
    assert not garbage.ok and garbage.summary.startswith("502")
    not_json_ok = read(200, [], b"ok")
    assert not_json_ok.ok and not_json_ok.id is None
    assert not read(401, [], b"\xff\xfe").ok  # never raises on undecodable bodies


def test_read_response_401_does_not_claim_no_token_was_sent() -> None:
    """read_response sees only the answer: a 401 may mean no token, or a token Rollbar did not accept."""
    read = rollbar_format.read_response
    bare = read(401, [], b"")
    assert not bare.ok and "no access token was sent" not in bare.summary
    assert "no access token or it was not accepted as one" in bare.summary, bare.summary
    refused = read(401, [], b'{"err": 1, "message": "invalid access token"}')
    assert "was sent but not accepted" in refused.summary and "invalid access token" in refused.summary
    missing = read(401, [], b'{"err": 1, "message": "Missing access token"}')
    assert "no access token arrived" in missing.summary, missing.summary
    vague = read(401, [], b'{"err": 1, "message": "unauthorized"}')
    assert "no access token or it was not accepted as one" in vague.summary, vague.summary


def test_pyrollbar_report_round_trip(receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    import rollbar  # the real pyrollbar (PyPI 'rollbar'), a test dependency

    monkeypatch.setattr(rollbar, "SETTINGS", copy.deepcopy(rollbar.SETTINGS))
    monkeypatch.setattr(rollbar, "_initialized", False)
    rollbar.init(
        TOKEN,
        environment="inspector-test",
        endpoint=f"{receiver.url}/api/1/",
        handler="blocking",
        code_version="9.9.9",
        allow_logging_basic_config=False,
    )

    def level2(x: dict) -> str:
        return x["missing"]

    try:
        try:
            level2({})
        except KeyError as exc:
            raise RuntimeError("lookup failed") from exc
    except RuntimeError:
        import sys

        rollbar.report_exc_info(sys.exc_info(), extra_data={"order_id": 42})
    rollbar.report_message("deploy finished", level="info")
    assert [r.path for r in receiver.requests] == ["/api/1/item/", "/api/1/item/"]
    chain, message = (load_bytes(r.raw(), source_name="pyrollbar.http") for r in receiver.requests)
    assert chain.format == "rollbar" and chain.kind == "trace_chain"
    assert chain.detection.reason == (
        "Rollbar: item with body.trace_chain (2 exceptions), token in body and X-Rollbar-Access-Token header"
    )
    (report,) = rollbar_format.reports(chain)
    assert [(e.type, e.message) for e in report.exceptions] == [
        ("RuntimeError", "lookup failed"),
        ("KeyError", "'missing'"),
    ]
    assert report.exceptions[1].frames[-1].function == "level2"
    assert report.summary.app_version == "9.9.9" and report.summary.environment == "inspector-test"
    assert message.kind == "message"
    for sub in (chain, message):
        assert [p for p in validate(sub) if p.severity is not Severity.INFO] == [], validate(sub)


# ------------------------------------------------------------------------------------------------ scale


def test_a_million_frames_is_fast_and_lazy() -> None:
    n = 1_000_000
    frame = {"filename": "/srv/app/deep.py", "lineno": 7, "method": "recurse"}
    frames = [frame] * n
    frames[-1] = {"filename": "/srv/app/deep.py", "lineno": 99, "method": "boom"}
    item = {
        "data": {"environment": "x", "body": {"trace": {"frames": frames, "exception": {"class": "RecursionError"}}}}
    }
    sub = Submission("rollbar", rollbar_format.detect(Envelope(b""), item), Envelope(b""), Document.from_value(item))
    assert sub.detection.kind == "trace"
    (report,) = rollbar_format.reports(sub)  # its speed: bench/bench_lazy.py
    frames_view = report.exceptions[0].frames
    last = frames_view[n - 1]
    assert len(frames_view) == n and report.frame_count == n
    assert (last.function, last.line, last.pointer) == ("boom", 99, f"/data/body/trace/frames/{n - 1}")
    assert frames_view._raw is frames  # a view, not a copy
    assert frames_view.matching("boom") == [n - 1]


def test_rollbarjs_uuid_with_a_non_rfc4122_variant_is_fine() -> None:
    sub = load_path(str(ROLLBAR / "rollbarjs-node-3.1.0_trace_chain-single-error_telemetry.json"))
    assert sub.document.value["data"]["uuid"] == "4089f222-8397-4057-c9aa-74da64933cf9"  # variant nibble 'c'
    assert [p for p in validate(sub) if p.pointer == "/data/uuid"] == []


_json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5))
_json_value = st.recursive(
    _json_leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
)
_typed = {
    "filename": st.text(max_size=5),
    "lineno": st.integers(),
    "colno": st.integers(),
    "method": st.text(max_size=5),
    "code": st.text(max_size=5),
    "class_name": st.text(max_size=5),
    "context": st.fixed_dictionaries(
        {}, optional={"pre": st.lists(st.text(max_size=3) | _json_leaf), "post": st.lists(st.text(max_size=3))}
    ),
    "argspec": st.lists(st.text(max_size=3) | _json_leaf, max_size=3),
    "varargspec": st.text(max_size=3),
    "keywordspec": st.text(max_size=3),
    "locals": st.dictionaries(st.text(max_size=3), _json_value, max_size=3),
    "args": st.lists(_json_value, max_size=3),
    "kwargs": st.dictionaries(st.text(max_size=3), _json_value, max_size=3),
    "runtimePosition": _json_value,
}
# Mostly well-typed frames with a random wrong value here and there, plus arbitrary JSON.
_frames = st.fixed_dictionaries({}, optional={k: v | _json_value for k, v in _typed.items()}) | _json_value


@settings(max_examples=300, deadline=None)
@given(frame=_frames)
def test_fast_frame_check_never_vouches_for_a_frame_the_schema_rejects(frame: object) -> None:
    from inspector.formats import rollbar_rules
    from inspector.formats.schema import schema_problems

    plain = rollbar_rules._plain_frame()
    assert plain is not None  # the frame schema only uses keywords the fast check understands
    assert plain(frame) is (schema_problems(frame, "rollbar", definition="frame") == [])


def test_validation_of_100k_frames_takes_the_fast_path() -> None:
    frames = [{"filename": "/srv/app/a.py", "lineno": i, "method": "f", "locals": {"x": i}} for i in range(100_000)]
    frames[70_000] = {"lineno": "7"}
    item = {
        "access_token": TOKEN,
        "data": {"environment": "x", "body": {"trace": {"frames": frames, "exception": {"class": "E"}}}},
    }
    sub = Submission("rollbar", rollbar_format.detect(Envelope(b""), item), Envelope(b""), Document.from_value(item))
    problems = rollbar_format.validate(sub)  # its speed: bench/bench_lazy.py
    errors = {(p.pointer, p.message) for p in problems if p.severity is Severity.ERROR}
    assert errors == {
        ("/data/body/trace/frames/70000", "missing required field 'filename'"),
        ("/data/body/trace/frames/70000/lineno", "must be an integer, not a string"),
        (
            "",
            f"the payload is {len(dumps(item)):,} bytes (7596 KB); "
            "Rollbar accepts at most 1024 KB and answers 413 above it",
        ),
    }
    assert "frames" in item["data"]["body"]["trace"] and len(item["data"]["body"]["trace"]["frames"]) == 100_000


# ---------------------------------------------------------------------------------------------- huge timestamps

HUGE = 10**4000  # nightly fuzzing: an int no float can hold made float()/division raise OverflowError


def _with_timestamps(timestamp: object, timestamp_ms: object) -> bytes:
    value = json.loads((ROLLBAR / "pyrollbar-1.5.0_trace_chain_raise-from.json").read_text())
    value["data"]["timestamp"] = 1
    value["data"]["body"]["telemetry"] = [
        {"level": "info", "type": "log", "source": "client", "timestamp_ms": 7, "body": {"message": "m"}}
    ]
    text = json.dumps(value).replace('"timestamp": 1', f'"timestamp": {timestamp}')
    return text.replace('"timestamp_ms": 7', f'"timestamp_ms": {timestamp_ms}').encode()


def test_data_timestamp_too_big_for_a_float_is_no_timestamp_and_an_error() -> None:
    sub = load_bytes(_with_timestamps(HUGE, 1_700_000_000_000), source_name="huge.json")
    (report,) = get_format("rollbar").reports(sub)
    assert report.summary.timestamp is None
    assert report.telemetry[0].timestamp == 1_700_000_000.0
    found = [p for p in validate(sub) if p.pointer == "/data/timestamp"]
    assert [p.severity for p in found] == [Severity.ERROR], found
    assert "too large to be a time" in found[0].message and str(HUGE)[:50] not in found[0].message


def test_telemetry_timestamp_ms_too_big_for_a_float_is_no_timestamp_and_a_warning() -> None:
    sub = load_bytes(_with_timestamps(1_700_000_000, HUGE), source_name="huge.json")
    (report,) = get_format("rollbar").reports(sub)
    assert report.summary.timestamp == 1_700_000_000.0
    assert report.telemetry[0].timestamp is None
    found = [p for p in validate(sub) if p.pointer == "/data/body/telemetry/0/timestamp_ms"]
    assert [p.severity for p in found] == [Severity.WARNING], found
    assert "too large to be a time" in found[0].message


def test_a_token_redacted_by_the_receiver_is_an_info_and_never_sent() -> None:
    from inspector.formats.base import redaction_placeholder

    placeholder = redaction_placeholder(32)
    raw = (ROLLBAR / "pyrollbar-1.5.0_trace.request.http").read_bytes().replace(TOKEN.encode(), placeholder.encode())
    sub = load_bytes(raw)
    notes = [p for p in validate(sub) if "redacted by the receiver" in p.message]
    assert {p.pointer for p in notes} == {"/access_token", "/@headers/X-Rollbar-Access-Token"}
    assert all(p.severity is Severity.INFO for p in notes)
    assert not [p for p in validate(sub) if "hex characters" in p.message]
    own = get_format("rollbar").build_request(sub, Target(kind="rollbar", base_url="http://h", token=TOKEN))
    assert placeholder.encode() not in own.body and b'"access_token"' not in own.body
    assert ("X-Rollbar-Access-Token", TOKEN) in own.headers
    in_body = get_format("rollbar").build_request(
        sub, Target(kind="rollbar", base_url="http://h", token=TOKEN, token_in_body=True)
    )
    assert json.loads(in_body.body)["access_token"] == TOKEN and placeholder.encode() not in in_body.body
    none = get_format("rollbar").build_request(sub, Target(kind="rollbar", base_url="http://h"))
    assert not any(k == "X-Rollbar-Access-Token" for k, _ in none.headers) and placeholder.encode() not in none.body
    assert any("redacted by the receiver" in n for n in none.notes)


def test_bare_data_object_is_read_with_a_warning_and_sent_wrapped(receiver: Receiver, tmp_path: Path) -> None:
    """Issue 17: a bare ``data`` object (what people copy from an occurrence view), here the data of a real
    pyrollbar 1.5.0 capture, was refused ("not recognized"); it opens as the item it belongs to."""
    item = json.loads((ROLLBAR / "pyrollbar-1.5.0_trace_person_context_fingerprint.json").read_text())
    path = tmp_path / "occurrence.json"
    path.write_text(json.dumps(item["data"], indent=2))
    sub = load_path(str(path))
    assert sub.format == "rollbar" and "a bare data object" in sub.detection.reason
    (report,) = rollbar_format.reports(sub)
    (whole,) = rollbar_format.reports(_load(item))
    assert report.summary.title == whole.summary.title == "KeyError: 'missing'"
    assert [f.function for f in report.exceptions[0].frames] == [f.function for f in whole.exceptions[0].frames]
    assert report.exceptions[0].frames[0].pointer.startswith("/body/trace/frames/")  # points into this document
    assert sub.document.resolve(report.exceptions[0].frames[0].pointer) is not None
    problems = validate(sub)
    assert problems[0].pointer == "" and "bare Rollbar data object" in problems[0].message
    assert not [p for p in problems if p.severity is Severity.ERROR]
    assert all(not p.pointer.startswith("/data") for p in problems)
    spec = rollbar_format.build_request(sub, Target(kind="rollbar", base_url=receiver.url, token=TOKEN))
    assert any("sent wrapped" in note for note in spec.notes)
    _send(spec)
    (rec,) = receiver.requests
    assert json.loads(rec.body) == {"data": item["data"]}
    assert path.read_text() == json.dumps(item["data"], indent=2)  # the file is not changed


def test_old_pyrollbar_locals_keep_their_emoji() -> None:
    (report,) = rollbar_format.reports(load_path(str(ROLLBAR / "pyrollbar-0.16.3_trace_emoji-locals.json")))
    charge = report.exceptions[0].frames[-1]
    assert charge.function == "charge"
    assert any("Checkout failed \U0001f4a5" in str(v) for v in charge.variables)


def test_emoji_sent_as_surrogate_escapes_are_whole_characters() -> None:
    """pyrollbar 1.5.0 (captured here) writes every emoji as a JSON surrogate pair; the title and the exception hold
    the characters themselves (the GUI draws them with the OS's emoji font: tests/ui/test_emoji_rendering.py)."""
    (message,) = rollbar_format.reports(load_path(str(ROLLBAR / "pyrollbar-1.5.0_message_emoji.json")))
    assert message.summary.title == "Checkout failed \U0001f4a5\U0001f525"
    (trace,) = rollbar_format.reports(load_path(str(ROLLBAR / "pyrollbar-1.5.0_trace_emoji-message.json")))
    assert trace.summary.title == "ValueError: Card declined \U0001f4b3\u274c for Zo\u00eb \U0001f469\u200d\U0001f4bb"
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in trace.summary.title)


def test_the_schema_leaves_custom_free_so_its_members_are_not_copied_for_validation() -> None:
    """rollbar_rules validates the item with ``custom`` emptied (a 100 000-key object would be copied for the fast
    validator): right only while the schema says nothing of its members."""
    import json

    from inspector.formats.rollbar_rules import CUSTOM_SCHEMA_KEYS
    from inspector.resources import resource_path

    with open(resource_path("schemas", "rollbar.schema.json"), encoding="utf-8") as fh:
        schema = json.load(fh)
    custom = schema["properties"]["data"]["properties"]["custom"]
    assert set(custom) <= CUSTOM_SCHEMA_KEYS and custom["type"] == "object"
