"""App Center format module: the real docs corpus, hand-made broken payloads per rule, sending to a real local
HTTP server, answers, and a synthetic million-frame batch."""

from __future__ import annotations

import copy
import gzip
import json
import re
import socket
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector import cli
from inspector.formats import InspectorError, Severity, load_bytes, load_path, validate
from inspector.formats import appcenter as ac
from inspector.formats.base import MAX_PER_KIND, Envelope, Target
from inspector.formats.jsondoc import Document, Edit, parse_json
from inspector.report import LazyList
from tests.conftest import CORPUS, corpus_files

AC = CORPUS / "appcenter"
APPLE_TYPO = AC / "docs-2020-05_appleError_LOGS-COLON-TYPO.json"
MANAGED_TYPO = AC / "docs-2020-05_managedError_plus_errorAttachment_LOGS-COLON-TYPO.json"
APPLE = AC / "docs_appleError_threads_binaries.json"
HANDLED_INVALID = AC / "docs_handledError_nested-innerExceptions_INVALID-JSON-trailing-commas.json"
ANDROID = AC / "docs_managedError_android_innerExceptions.json"
CUSTOM = AC / "docs_managedError_custom-platform_threads.json"
MINIDUMP = AC / "docs_managedError_minidump_plus_errorAttachment.json"
TEXT_PLAIN = AC / "docs_managedError_plus_errorAttachment_text-plain.json"
SPEC = AC / "SPEC_appcenter-sdk-dotnet_swagger_ingestion.yaml"

SECRET = "0b1d2c3e-4f50-4617-8293-a4b5c6d7e8f9"
INSTALL = "11111111-2222-4333-8444-555555555555"

# ------------------------------------------------------------------------------------------------ corpus expectations
# Values checked by reading each file (see tests/corpus/SOURCES.md for the quirks).

APPLE_REPORT = {
    "kind": "appleError",
    "exceptions": [("CustomerIssue (TestIssue)", "code 0 at 0x00", 0)],
    "threads": [("0", 4), ("1", 4), ("3", 2)],
    "frames": 10,
    "binaries": 2,
    "attachments": [],
}
# Both docs apple examples lack processId and primaryArchitectureId (log level), have 'fatal' twice and
# isTestMessage, and no timeZoneOffset.
APPLE_PROBLEMS = [
    (Severity.ERROR, "/logs/0", "missing required field 'processId'"),
    (Severity.ERROR, "/logs/0", "missing required field 'primaryArchitectureId'"),
    (Severity.WARNING, "", "key 'fatal' appears more than once"),
    (Severity.WARNING, "/logs/0/device", "missing required field 'timeZoneOffset'"),
    (Severity.WARNING, "/logs/0/timestamp", "days old"),
    (Severity.INFO, "/logs/0/isTestMessage", "unknown key 'isTestMessage'"),
]
TEXT_REPORT = {
    "kind": "managedError",
    "exceptions": [("CustomerIssue", None, 0)],
    "threads": [],
    "frames": 0,
    "binaries": 0,
    "attachments": [("attachment 7caaea8e-dab1-4588-993c-95de2d9a4fd1", "text/plain", b"hello")],
}
TEXT_PROBLEMS = [
    (Severity.ERROR, "/logs/0", "missing required field 'processId'"),
    (Severity.WARNING, "", "key 'fatal' appears more than once"),
    (Severity.WARNING, "/logs/0/device", "an Android crash without device.appNamespace"),
    (Severity.WARNING, "/logs/0/device", "missing required field 'timeZoneOffset'"),
    (Severity.WARNING, "/logs/1/device", "missing required field 'timeZoneOffset'"),
    (Severity.WARNING, "/logs/0/timestamp", "days old"),
    (Severity.WARNING, "/logs/1/timestamp", "days old"),
]


def _typo(problems: list[tuple[Severity, str, str]]) -> list[tuple[Severity, str, str]]:
    moved = [(s, p.replace("/logs/", "/logs:/", 1), m) for s, p, m in problems]
    return [*moved, (Severity.WARNING, "/logs:", 'the container key is "logs:"')]


CORPUS_CASES: dict[str, dict[str, Any]] = {
    APPLE_TYPO.name: {
        "kind": "appleError",
        "reason": "App Center: top-level `logs:` array of appleError (1 log) (typo key `logs:` of the old docs)",
        "reports": [dict(APPLE_REPORT, pointer="/logs:/0")],
        "problems": _typo(APPLE_PROBLEMS),
    },
    MANAGED_TYPO.name: {
        "kind": "managedError",
        "reason": "App Center: top-level `logs:` array of managedError, errorAttachment (2 logs) (typo key",
        "reports": [dict(TEXT_REPORT, pointer="/logs:/0")],
        "problems": _typo(TEXT_PROBLEMS),
    },
    APPLE.name: {
        "kind": "appleError",
        "reason": "App Center: top-level `logs` array of appleError (1 log)",
        "reports": [dict(APPLE_REPORT, pointer="/logs/0")],
        "problems": APPLE_PROBLEMS,
    },
    ANDROID.name: {
        "kind": "managedError",
        "reason": "App Center: top-level `logs` array of managedError (1 log)",
        "reports": [
            {
                "pointer": "/logs/0",
                "kind": "managedError",
                "exceptions": [("java.lang.RuntimeException", None, 0), ("java.lang.RuntimeException", None, 1)],
                "threads": [],
                "frames": 11,
                "binaries": 0,
                "attachments": [],
            }
        ],
        "problems": [
            (Severity.ERROR, "/logs/0/processId", "must be an integer, not a string"),
            (Severity.WARNING, "/logs/0/device", "missing required field 'timeZoneOffset'"),
            (Severity.WARNING, "/logs/0/timestamp", "days old"),
        ],
    },
    CUSTOM.name: {
        "kind": "managedError",
        "reason": "App Center: top-level `logs` array of managedError (1 log)",
        "reports": [
            {
                "pointer": "/logs/0",
                "kind": "managedError",
                "exceptions": [
                    ("java.lang.RuntimeException", "Unable to resume activity", 0),
                    ("android.app.CustomNotCalledException", "Activity {com.microsoft", 1),
                ],
                "threads": [("369", 1), ("345", 1)],
                "frames": 7,
                "binaries": 0,
                "attachments": [],
            }
        ],
        "problems": [
            (Severity.WARNING, "/logs/0/timestamp", "days old"),
            (Severity.INFO, "/logs/0/errorThreadId", "errorThreadId 1 matches none of the 2 threads"),
        ],
    },
    MINIDUMP.name: {
        "kind": "managedError",
        "reason": "App Center: top-level `logs` array of managedError, errorAttachment (2 logs)",
        "reports": [
            {
                "pointer": "/logs/0",
                "kind": "managedError",
                "exceptions": [("minidump", None, 0)],
                "threads": [],
                "frames": 0,
                "binaries": 0,
                "attachments": [("minidump.dmp", "application/octet-stream", InspectorError)],
            }
        ],
        "problems": [
            (Severity.ERROR, "/logs/1/data", "not valid base64 (character '<' is not base64)"),
            (Severity.WARNING, "", "key 'timestamp' appears more than once"),
            (Severity.WARNING, "/logs/0/timestamp", "days old"),
            (Severity.WARNING, "/logs/1/timestamp", "days old"),
            (Severity.WARNING, "/logs/0", "no appLaunchTimestamp"),
        ],
    },
    TEXT_PLAIN.name: {
        "kind": "managedError",
        "reason": "App Center: top-level `logs` array of managedError, errorAttachment (2 logs)",
        "reports": [dict(TEXT_REPORT, pointer="/logs/0")],
        "problems": TEXT_PROBLEMS,
    },
}


def test_every_appcenter_corpus_file_has_a_case() -> None:
    names = {p.name for p in corpus_files("appcenter")}
    sdk = {  # read in test_realworld_appcenter.py
        f"appcenter-android-5.0.6-serializer_{case}.json"
        for case in ("handledError_properties", "managedError_cause_threads_text-attachment", "ndk-minidump_attachment")
    }
    assert names == set(CORPUS_CASES) | {HANDLED_INVALID.name, SPEC.name} | sdk


@pytest.mark.parametrize("name", sorted(CORPUS_CASES))
def test_corpus_detect_load_reports_problems(name: str) -> None:
    case = CORPUS_CASES[name]
    path = AC / name
    sub = load_path(str(path))
    assert sub.format == "appcenter"
    assert sub.kind == case["kind"]
    assert sub.detection.reason.startswith(case["reason"])
    assert sub.detection.score >= 85
    reports = ac.reports(sub)
    assert len(reports) == len(case["reports"])
    for report, want in zip(reports, case["reports"], strict=True):
        assert report.format == "appcenter"
        assert report.kind == want["kind"]
        assert report.pointer == want["pointer"]
        got_exc = [(e.type, e.message, e.depth) for e in report.exceptions]
        assert len(got_exc) == len(want["exceptions"])
        for (gtype, gmsg, gdepth), (wtype, wmsg, wdepth) in zip(got_exc, want["exceptions"], strict=True):
            assert gtype == wtype and gdepth == wdepth
            assert gmsg == wmsg if wmsg is None else gmsg.startswith(wmsg)
        assert [(t.id, len(t.frames)) for t in report.threads] == want["threads"]
        assert report.frame_count == want["frames"]
        assert len(report.binaries) == want["binaries"]
        assert len(report.attachments) == len(want["attachments"])
        for att, (aname, ctype, data) in zip(report.attachments, want["attachments"], strict=True):
            assert (att.name, att.content_type, att.origin) == (aname, ctype, "errorAttachment")
            if data is InspectorError:
                with pytest.raises(InspectorError) as info:
                    att.data()
                assert info.value.where == want["pointer"].replace("/0", "/1") + "/data"
                assert "not valid base64" in info.value.message
            else:
                assert att.data() == data and att.size == len(data)
        assert report.most_recent_first is True
    problems = validate(sub)
    got = [(p.severity, p.pointer, p.message) for p in problems]
    for severity, pointer, text in case["problems"]:
        assert any(s == severity and p == pointer and text in m for s, p, m in got), (severity, pointer, text, got)
    assert len(problems) == len(case["problems"]), got
    assert all(p.rule for p in problems if p.pointer)


@pytest.mark.parametrize("name", sorted(CORPUS_CASES))
def test_corpus_round_trip_is_lossless(name: str) -> None:
    raw = (AC / name).read_bytes()
    sub = load_path(str(AC / name))
    doc = sub.document
    assert doc is not None and doc.to_bytes() == raw
    before = json.dumps(doc.value)  # order-sensitive text of every key and value
    value, _ = parse_json(doc.to_bytes())
    assert json.dumps(value) == before
    if not any("appears more than once" in p.message for p in sub.load_problems):
        # json.loads keeps a duplicate key at its first position, the core at its last: compare only without them
        assert json.dumps(json.loads(raw)) == before
    # edit then undo: re-serialized output keeps every value and key order (unknown keys like isTestMessage too)
    undo = doc.apply(Edit("set", "/" + next(iter(doc.value)) + "/0/userId", "someone"))
    doc.apply(undo)
    assert doc.modified
    assert json.dumps(orjson.loads(doc.to_bytes())) == before
    assert "isTestMessage" not in before or b'"isTestMessage":false' in doc.to_bytes()


def test_invalid_json_docs_example_names_line_and_column() -> None:
    with pytest.raises(InspectorError) as info:
        load_path(str(HANDLED_INVALID))
    assert info.value.where == "line 38 column 144"
    assert "invalid JSON: trailing comma is not allowed" in str(info.value)
    assert "line 38 column 144" in str(info.value)
    assert cli.main(["validate", str(HANDLED_INVALID)]) == 2


def test_handled_error_nested_inner_exceptions_once_the_commas_are_removed() -> None:
    """The docs' handledError with its trailing commas removed: inner exceptions at depth 1 and 2, raw stack traces."""
    fixed = re.sub(rb",(\s*[\]}])", rb"\1", HANDLED_INVALID.read_bytes())
    sub = load_bytes(fixed, source_name="handled.json")
    assert (sub.format, sub.kind) == ("appcenter", "handledError")
    (report,) = ac.reports(sub)
    chain = [(e.type, e.message, e.depth, e.relation, e.handled, e.pointer) for e in report.exceptions]
    assert chain == [
        ("System.IO.IOException", "Server did not respond", 0, None, True, "/logs/0/exception"),
        ("System.IO.IOException", "Network down", 1, "inner exception", True, "/logs/0/exception/innerExceptions/0"),
        (
            "System.ArgumentException",
            "Invalid parameter",
            1,
            "inner exception",
            True,
            "/logs/0/exception/innerExceptions/1",
        ),
        (
            "System.ArgumentOutOfRangeException",
            "It is over 9000!",
            2,
            "inner exception",
            True,
            "/logs/0/exception/innerExceptions/1/innerExceptions/0",
        ),
    ]
    stacks = [e.raw_stack for e in report.exceptions]
    assert stacks[0].startswith("  at Contoso.Forms.Puppet.FakeService") and stacks[0].count("\n") == 6
    assert stacks[2] is None and "ValidateLength" in stacks[3]
    assert report.summary.fatal is False and report.summary.level == "error"
    assert report.frame_count == 0
    assert report.metadata["User and session"] == {"userId": "TestID"}


def test_frames_threads_and_binaries_carry_values_and_pointers() -> None:
    (report,) = ac.reports(load_path(str(ANDROID)))
    top = report.exceptions[0].frames[0]
    assert (top.function, top.file, top.line, top.pointer) == (
        "android.app.ActivityThread.performResumeActivity",
        "ActivityThread.java",
        2575,
        "/logs/0/exception/frames/0",
    )
    inner = report.exceptions[1]
    assert inner.relation == "inner exception" and inner.pointer == "/logs/0/exception/innerExceptions/0"
    assert inner.frames[0].function == "android.app.Activity.performResume"
    assert inner.frames[-1].pointer == "/logs/0/exception/innerExceptions/0/frames/2"
    assert report.exceptions[0].frames.matching("looper") == [6]
    s = report.summary
    assert (s.app, s.app_version, s.os, s.device, s.sdk, s.fatal) == (
        "com.contoso.myapp",
        "12.0 (1)",
        "android 9.3",
        "Pixel",
        "custom.android 1.0.0",
        True,
    )
    assert s.timestamp == datetime(2019, 10, 8, 4, 22, 23, 516000, tzinfo=UTC).timestamp()
    assert s.id == "bca65f46-46ee-451b-83bb-2e358c3f45bf"
    assert report.metadata["Process"]["processId"] == "123"

    (custom,) = ac.reports(load_path(str(CUSTOM)))
    thread = custom.threads[0]
    assert (thread.id, thread.name, thread.crashed, thread.pointer) == ("369", "Binder_3", False, "/logs/0/threads/0")
    native = thread.frames[0]
    assert (native.function, native.line, native.note) == ("dalvik.system.NativeStart.run", None, "native method")
    assert custom.crashed_thread is None  # errorThreadId 1 names no thread in the docs example
    assert custom.summary.device == "samsung Galaxy Nexus" and custom.summary.os == "Android 5.0.0 (JRO03O)"
    assert custom.metadata["Process"]["errorThreadName"] == "main"

    (apple,) = ac.reports(load_path(str(APPLE)))
    frame = apple.threads[1].frames[2]
    assert (frame.address, frame.function, frame.note, frame.pointer) == (
        0x18BAA8258,
        None,
        "0x18baa2000 + 25176",
        "/logs/0/threads/1/frames/2",
    )
    binary = apple.binaries[1]
    assert (binary.name, binary.start, binary.end, binary.debug_id, binary.arch, binary.pointer) == (
        "CrashLibiOS",
        0x10445C000,
        0x104468000,
        "5da23653-d126-39f0-bdcf-994b3019f92c",
        "arm64",
        "/logs/0/binaries/1",
    )
    assert apple.binary_for(0x0000000104463884) == 1  # thread 0 frame 1 lies in CrashLibiOS
    assert apple.metadata["Apple"]["applicationPath"] == "iOS/salesforce"
    assert apple.metadata["Other fields"] == {"isTestMessage": False}


def test_crashed_thread_and_thread_exception() -> None:
    doc = _container(
        _log(
            errorThreadId=7,
            threads=[
                {"id": 3, "name": "worker", "frames": [{"methodName": "run"}]},
                {"id": 7, "name": "main", "frames": [], "exception": {"type": "E", "innerExceptions": [{"type": "F"}]}},
            ],
        )
    )
    (report,) = ac.reports(_sub(doc))
    assert report.crashed_thread is not None and report.crashed_thread.id == "7"
    assert [(e.type, e.depth, e.relation) for e in report.exceptions] == [
        ("java.lang.IllegalStateException", 0, None),
        ("E", 0, "exception of thread 7"),
        ("F", 1, "inner exception"),
    ]
    assert report.exceptions[1].pointer == "/logs/0/threads/1/exception"


def test_orphan_attachment_gets_its_own_report_and_single_log_is_accepted() -> None:
    attachment = _attachment(error_id="aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")
    (report,) = ac.reports(_sub(_container(attachment)))
    assert report.kind == "errorAttachment" and report.pointer == "/logs/0"
    assert report.attachments[0].data() == b"hello"
    assert "not in this batch" in (report.summary.title or "")

    single = load_bytes(json.dumps(_log()).encode())
    assert single.detection.reason.startswith("App Center: a single managedError log without the")
    (report,) = ac.reports(single)
    assert report.pointer == "" and report.exceptions[0].pointer == "/exception"
    assert any(
        p.severity is Severity.WARNING and p.pointer == "" and "single log" in p.message for p in validate(single)
    )


# ------------------------------------------------------------------------------------------------ CLI


def test_cli_show_json_gives_one_report_per_error_log(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli.main(["show", "--json", str(CUSTOM)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["format"] == "appcenter"
    (rep,) = out["reports"]
    assert rep == {
        "kind": "managedError",
        "exceptions": [
            {"type": "java.lang.RuntimeException", "message": rep["exceptions"][0]["message"], "frames": 3},
            {"type": "android.app.CustomNotCalledException", "message": rep["exceptions"][1]["message"], "frames": 2},
        ],
        "threads": 2,
        "frames": 7,
        "binaries": 0,
        "telemetry": 0,
        "attachments": 0,
    }
    assert {"severity", "pointer", "message", "rule"} == set(out["problems"][0])

    batch = _container(
        _log(),
        _log(id="22222222-2222-4222-8222-222222222222", type="handledError"),
        _attachment(),
        _log(id="33333333-3333-4333-8333-333333333333"),
    )
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(batch))
    assert cli.main(["show", "--json", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["kind"] for r in out["reports"]] == ["managedError", "handledError", "managedError"]
    assert [r["attachments"] for r in out["reports"]] == [1, 0, 0]


def test_cli_validate_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", "--json", str(ANDROID), str(CUSTOM)]) == 1
    results = json.loads(capsys.readouterr().out)
    assert [r["format"] for r in results] == ["appcenter", "appcenter"]
    first = results[0]["problems"][0]
    assert first == {
        "severity": "error",
        "pointer": "/logs/0/processId",
        "message": "must be an integer, not a string",
        "rule": "swagger AbstractErrorLog.processId (integer)",
    }
    assert all(p["severity"] != "error" for p in results[1]["problems"])


# ------------------------------------------------------------------------------------------------ hand-made payloads


def _device(**extra: Any) -> dict[str, Any]:
    device = {
        "sdkName": "appcenter.android",
        "sdkVersion": "4.4.5",
        "osName": "Android",
        "osVersion": "14",
        "locale": "en_US",
        "timeZoneOffset": 60,
        "appVersion": "1.2",
        "appBuild": "12",
        "appNamespace": "com.example.app",
    }
    device.update(extra)
    return device


def _now(delta: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _log(**extra: Any) -> dict[str, Any]:
    log = {
        "type": "managedError",
        "id": "bca65f46-46ee-451b-83bb-2e358c3f45bf",
        "timestamp": _now(),
        "appLaunchTimestamp": _now(-timedelta(minutes=5)),
        "processId": 4871,
        "processName": "com.example.app",
        "fatal": True,
        "sid": "d4608adf-83b9-4f69-90ad-8bb0234080a7",
        "device": _device(),
        "exception": {
            "type": "java.lang.IllegalStateException",
            "message": "boom",
            "frames": [
                {"className": "com.example.Main", "methodName": "onCreate", "fileName": "Main.java", "lineNumber": 42}
            ],
        },
    }
    log.update(extra)
    return log


_APPLE_LOG = _log(
    type="appleError",
    primaryArchitectureId=16777228,
    applicationPath="/private/var/containers/Bundle/Application/X/App.app/App",
    osExceptionType="EXC_BAD_ACCESS",
    osExceptionCode="KERN_INVALID_ADDRESS",
    osExceptionAddress="0x0",
    device=_device(osName="iOS"),
)
_SESSION_LOG = {
    "type": "startSession",
    "timestamp": _now(),
    "device": _device(),
    "sid": "d4608adf-83b9-4f69-90ad-8bb0234080a7",
    "distributionGroupId": "group-1",
}


def _attachment(error_id: str = "bca65f46-46ee-451b-83bb-2e358c3f45bf", **extra: Any) -> dict[str, Any]:
    att = {
        "type": "errorAttachment",
        "id": "7caaea8e-dab1-4588-993c-95de2d9a4fd1",
        "timestamp": _now(),
        "errorId": error_id,
        "contentType": "text/plain",
        "fileName": "log.txt",
        "data": "aGVsbG8=",
        "device": _device(),
    }
    att.update(extra)
    return att


def _container(*logs: dict[str, Any]) -> dict[str, Any]:
    return {"logs": list(logs)}


def _sub(value: Any) -> Any:
    return load_bytes(json.dumps(value).encode(), format="appcenter")


def _problems(value: Any) -> list[tuple[Severity, str, str]]:
    return [(p.severity, p.pointer, p.message) for p in validate(_sub(value))]


def test_valid_payload_has_no_problems() -> None:
    assert _problems(_container(_log(), _attachment())) == []


def _mutate(path: str, new: Any = None, *, remove: bool = False, base: Any = None) -> dict[str, Any]:
    doc = copy.deepcopy(base if base is not None else _container(_log(), _attachment()))
    tokens = path.strip("/").split("/")
    parent = doc
    for token in tokens[:-1]:
        parent = parent[int(token)] if isinstance(parent, list) else parent[token]
    last: Any = int(tokens[-1]) if isinstance(parent, list) else tokens[-1]
    if remove:
        del parent[last]
    else:
        parent[last] = new
    return doc


BIG = "A" * (((7 * 1024 * 1024) // 3 + 10) * 4)  # base64 of just over 7 MB
DEEP = {
    "type": "A",
    "innerExceptions": [{"type": "B", "innerExceptions": [{"type": "C", "innerExceptions": [{"message": "no type"}]}]}],
}

RULES: list[tuple[str, dict[str, Any], Severity, str, str]] = [
    ("logs empty", {"logs": []}, Severity.ERROR, "/logs", "at least 1"),
    ("logs not an array", {"logs": {"type": "managedError"}}, Severity.ERROR, "/logs", "must be an array"),
    ("log without type", _mutate("logs/0/type", remove=True), Severity.ERROR, "/logs/0", "'type'"),
    ("log without device", _mutate("logs/0/device", remove=True), Severity.ERROR, "/logs/0", "'device'"),
    (
        "device without sdkName",
        _mutate("logs/0/device/sdkName", remove=True),
        Severity.ERROR,
        "/logs/0/device",
        "'sdkName'",
    ),
    (
        "device without appBuild",
        _mutate("logs/1/device/appBuild", remove=True),
        Severity.ERROR,
        "/logs/1/device",
        "'appBuild'",
    ),
    (
        "device without timeZoneOffset",
        _mutate("logs/0/device/timeZoneOffset", remove=True),
        Severity.WARNING,
        "/logs/0/device",
        "'timeZoneOffset'",
    ),
    (
        "timeZoneOffset above 840",
        _mutate("logs/0/device/timeZoneOffset", 841),
        Severity.ERROR,
        "/logs/0/device/timeZoneOffset",
        "at most 840",
    ),
    (
        "timeZoneOffset below -840",
        _mutate("logs/0/device/timeZoneOffset", -900),
        Severity.ERROR,
        "/logs/0/device/timeZoneOffset",
        "at least -840",
    ),
    (
        "timeZoneOffset as string",
        _mutate("logs/0/device/timeZoneOffset", "60"),
        Severity.ERROR,
        "/logs/0/device/timeZoneOffset",
        "must be an integer",
    ),
    (
        "processId as string",
        _mutate("logs/0/processId", "123"),
        Severity.ERROR,
        "/logs/0/processId",
        "must be an integer, not a string",
    ),
    ("processId missing", _mutate("logs/0/processId", remove=True), Severity.ERROR, "/logs/0", "'processId'"),
    ("processName missing", _mutate("logs/0/processName", remove=True), Severity.ERROR, "/logs/0", "'processName'"),
    ("fatal as string", _mutate("logs/0/fatal", "true"), Severity.ERROR, "/logs/0/fatal", "true or false"),
    ("fatal missing", _mutate("logs/0/fatal", remove=True), Severity.ERROR, "/logs/0", "'fatal'"),
    ("id not a uuid", _mutate("logs/0/id", "1234"), Severity.ERROR, "/logs/0/id", "not a UUID"),
    ("sid not a uuid", _mutate("logs/0/sid", "session-1"), Severity.ERROR, "/logs/0/sid", "not a UUID"),
    (
        "timestamp not a date-time",
        _mutate("logs/0/timestamp", "08/10/2019"),
        Severity.ERROR,
        "/logs/0/timestamp",
        "not an RFC 3339 date-time",
    ),
    (
        "timestamp in the future",
        _mutate("logs/0/timestamp", _now(timedelta(days=4))),
        Severity.WARNING,
        "/logs/0/timestamp",
        "more than 72 hours in the future",
    ),
    (
        "timestamp too old",
        _mutate("logs/0/timestamp", _now(-timedelta(days=30))),
        Severity.WARNING,
        "/logs/0/timestamp",
        "30 days old",
    ),
    (
        "appLaunchTimestamp missing",
        _mutate("logs/0/appLaunchTimestamp", remove=True),
        Severity.WARNING,
        "/logs/0",
        "no appLaunchTimestamp",
    ),
    (
        "appLaunchTimestamp invalid",
        _mutate("logs/0/appLaunchTimestamp", "yesterday"),
        Severity.ERROR,
        "/logs/0/appLaunchTimestamp",
        "not an RFC 3339",
    ),
    (
        "appLaunchTimestamp after the error",
        _mutate("logs/0/appLaunchTimestamp", _now(timedelta(hours=1))),
        Severity.WARNING,
        "/logs/0/appLaunchTimestamp",
        "after the error happened",
    ),
    (
        "managedError without exception",
        _mutate("logs/0/exception", remove=True),
        Severity.ERROR,
        "/logs/0",
        "'exception'",
    ),
    (
        "exception without type",
        _mutate("logs/0/exception/type", remove=True),
        Severity.ERROR,
        "/logs/0/exception",
        "'type'",
    ),
    (
        "inner exception at depth 3 without type",
        _mutate("logs/0/exception", DEEP),
        Severity.ERROR,
        "/logs/0/exception/innerExceptions/0/innerExceptions/0/innerExceptions/0",
        "'type'",
    ),
    (
        "frame lineNumber as string",
        _mutate("logs/0/exception/frames/0/lineNumber", "42"),
        Severity.ERROR,
        "/logs/0/exception/frames/0/lineNumber",
        "must be an integer, not a string",
    ),
    (
        "frame not an object",
        _mutate("logs/0/exception/frames/0", "at Main.onCreate"),
        Severity.ERROR,
        "/logs/0/exception/frames/0",
        "must be an object",
    ),
    (
        "thread frame address as number",
        _mutate("logs/0/threads", [{"id": 1, "frames": [{"address": 4096}]}]),
        Severity.ERROR,
        "/logs/0/threads/0/frames/0/address",
        "must be a string",
    ),
    ("thread without id", _mutate("logs/0/threads", [{"frames": []}]), Severity.ERROR, "/logs/0/threads/0", "'id'"),
    (
        "errorThreadId names no thread",
        _mutate("logs/0/errorThreadId", 9, base=_mutate("logs/0/threads", [{"id": 1, "frames": []}])),
        Severity.INFO,
        "/logs/0/errorThreadId",
        "matches none",
    ),
    (
        "binary without path",
        _mutate("logs/0/binaries", [{"id": "x", "startAddress": "0x1000", "endAddress": "0x1fff", "name": "lib"}]),
        Severity.ERROR,
        "/logs/0/binaries/0",
        "'path'",
    ),
    (
        "binary end below start",
        _mutate(
            "logs/0/binaries",
            [{"id": "x", "startAddress": "0x2000", "endAddress": "0x1fff", "name": "lib", "path": "/l"}],
        ),
        Severity.WARNING,
        "/logs/0/binaries/0/endAddress",
        "below startAddress",
    ),
    (
        "appleError without applicationPath",
        _mutate(
            "logs/0/type",
            "appleError",
            base=_container(
                _log(
                    primaryArchitectureId=16777228,
                    osExceptionType="SIGSEGV",
                    osExceptionCode="0",
                    osExceptionAddress="0x0",
                )
            ),
        ),
        Severity.ERROR,
        "/logs/0",
        "'applicationPath'",
    ),
    (
        "attachment errorId not in the batch",
        _mutate("logs/1/errorId", "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"),
        Severity.WARNING,
        "/logs/1/errorId",
        "matches no error log in this batch",
    ),
    (
        "attachment errorId not a uuid",
        _mutate("logs/1/errorId", "crash-1"),
        Severity.ERROR,
        "/logs/1/errorId",
        "not a UUID",
    ),
    (
        "attachment data not base64",
        _mutate("logs/1/data", "hello world!"),
        Severity.ERROR,
        "/logs/1/data",
        "character ' ' is not base64",
    ),
    (
        "attachment data badly padded",
        _mutate("logs/1/data", "aGVsbG8"),
        Severity.ERROR,
        "/logs/1/data",
        "not valid base64",
    ),
    (
        "attachment above 7 MB",
        _mutate("logs/1/data", BIG),
        Severity.ERROR,
        "/logs/1/data",
        f"is {len(BIG) // 4 * 3:,} bytes decoded; the limit is 7 MB",
    ),
    (
        "attachment without contentType",
        _mutate("logs/1/contentType", remove=True),
        Severity.ERROR,
        "/logs/1",
        "'contentType'",
    ),
    ("attachment without data", _mutate("logs/1/data", remove=True), Severity.ERROR, "/logs/1", "'data'"),
    # Audit (issue 17 item 3): what only the docs of 2020-11 require, or only an SDK writes, is a warning.
    (
        "Android crash without appNamespace (docs 2020-11: required for Android)",
        _mutate("logs/0/device/appNamespace", remove=True),
        Severity.WARNING,
        "/logs/0/device",
        "an Android crash without device.appNamespace",
    ),
    (
        "appleError without binaries (docs 2020-11: required; swagger: optional)",
        _mutate("logs/0", _APPLE_LOG),
        Severity.WARNING,
        "/logs/0",
        "an appleError without binaries",
    ),
    (
        "distributionGroupId on a crash is an SDK field",
        _mutate("logs/0/distributionGroupId", "group-1"),
        Severity.WARNING,
        "/logs/0/distributionGroupId",
        "is not a UUID",
    ),
    (
        "distributionGroupId of a startSession is the swagger's",
        _mutate("logs/1", _SESSION_LOG),
        Severity.ERROR,
        "/logs/1/distributionGroupId",
        "is not a UUID",
    ),
    (
        "dataResidencyRegion is an SDK field",
        _mutate("logs/0/dataResidencyRegion", 5),
        Severity.WARNING,
        "/logs/0/dataResidencyRegion",
        "must be a string",
    ),
    (
        "empty contentType (no minimum in the swagger)",
        _mutate("logs/1/contentType", ""),
        Severity.WARNING,
        "/logs/1/contentType",
        "must not be empty",
    ),
    ("unknown log type", _mutate("logs/1/type", "crashLog"), Severity.INFO, "/logs/1/type", "unknown log type"),
    (
        "non-crash log type",
        _mutate(
            "logs/1",
            {
                "type": "startSession",
                "timestamp": _now(),
                "device": _device(),
                "sid": "d4608adf-83b9-4f69-90ad-8bb0234080a7",
            },
        ),
        Severity.INFO,
        "/logs/1/type",
        "not a crash log",
    ),
    (
        "event name above 256",
        _mutate(
            "logs/1",
            {
                "type": "event",
                "id": "7caaea8e-dab1-4588-993c-95de2d9a4fd1",
                "timestamp": _now(),
                "device": _device(),
                "name": "e" * 257,
            },
        ),
        Severity.ERROR,
        "/logs/1/name",
        "257 characters long; the limit is 256",
    ),
    (
        "typed property name above 125",
        _mutate(
            "logs/1",
            {
                "type": "event",
                "id": "7caaea8e-dab1-4588-993c-95de2d9a4fd1",
                "timestamp": _now(),
                "device": _device(),
                "name": "e",
                "typedProperties": [{"type": "string", "name": "n" * 126, "value": "v"}],
            },
        ),
        Severity.ERROR,
        "/logs/1/typedProperties/0/name",
        "the limit is 125",
    ),
    (
        "handledError property not a string",
        _mutate("logs/0", _log(type="handledError", properties={"n": 1})),
        Severity.ERROR,
        "/logs/0/properties/n",
        "must be a string",
    ),
    ("unknown key", _mutate("logs/0/isTestMessage", False), Severity.INFO, "/logs/0/isTestMessage", "unknown key"),
    (
        "minidump without the ndk wrapper",
        _mutate("logs/0/exception", {"type": "minidump"}),
        Severity.WARNING,
        "/logs/0/exception",
        "wrapperSdkName",
    ),
    ("two errors with one id", _container(_log(), _log()), Severity.WARNING, "/logs/1/id", "also used by /logs/0"),
    (
        "more than 60 errors",
        _container(*[_log(id=f"bca65f46-46ee-451b-83bb-{i:012d}") for i in range(61)]),
        Severity.INFO,
        "/logs",
        "61 error logs in one batch",
    ),
    ("typo container key", {"logs:": [_log()]}, Severity.WARNING, "/logs:", '"logs:"'),
]


@pytest.mark.parametrize(("value", "severity", "pointer", "text"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_rule(value: Any, severity: Severity, pointer: str, text: str) -> None:
    got = _problems(value)
    assert any(s == severity and p == pointer and text in m for s, p, m in got), got


def test_frame_problems_are_capped() -> None:
    frames = [{"lineNumber": "x"}] * 2000
    got = _problems(_mutate("logs/0/exception/frames", frames))
    listed = [g for g in got if "/frames/" in g[1] and not g[2].startswith("… and")]
    assert len(listed) == MAX_PER_KIND
    assert any(m.startswith(f"… and {2000 - MAX_PER_KIND:,} more like this") for _, _, m in got)


# ------------------------------------------------------------------------------------------------ captured requests


def _http(
    body: bytes,
    *,
    target: str = "/logs?api-version=1.0.0",
    headers: list[tuple[str, str]] | None = None,
    gzipped: bool = False,
) -> bytes:
    if gzipped:
        body = gzip.compress(body)
    heads = (
        headers
        if headers is not None
        else [("App-Secret", SECRET), ("Install-ID", INSTALL), ("Content-Type", "application/json")]
    )
    if gzipped:
        heads = [*heads, ("Content-Encoding", "gzip")]
    lines = [
        f"POST {target} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in heads),
        f"Content-Length: {len(body)}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_captured_gzip_request_with_lowercase_headers_loads() -> None:
    body = json.dumps(_container(_log(), _attachment())).encode()
    headers = [("app-secret", SECRET), ("install-id", INSTALL), ("content-type", "application/json; charset=utf-8")]
    sub = load_bytes(_http(body, headers=headers, gzipped=True), source_name="capture.http")
    assert sub.format == "appcenter" and sub.envelope.layers == ["http", "gzip"]
    assert sub.detection.reason.endswith("(HTTP POST /logs with App-Secret)")
    assert sub.detection.score == 95
    assert validate(sub) == []
    assert len(ac.reports(sub)[0].attachments) == 1


@pytest.mark.parametrize(
    ("target", "headers", "pointer", "severity"),
    [
        ("/logs", None, "/@http/query/api-version", Severity.ERROR),
        ("/logs?API-VERSION=2.0", None, "/@http/query/api-version", Severity.WARNING),
        (
            "/logs?api-version=1.0.0",
            [("App-Secret", SECRET), ("Content-Type", "application/json")],
            "/@http/headers/Install-ID",
            Severity.ERROR,
        ),
        (
            "/logs?api-version=1.0.0",
            [("App-Secret", "not-a-secret"), ("Install-ID", INSTALL), ("Content-Type", "application/json")],
            "/@http/headers/App-Secret",
            Severity.WARNING,
        ),
        (
            "/logs?api-version=1.0.0",
            [("App-Secret", SECRET), ("Install-ID", INSTALL), ("Content-Type", "text/plain")],
            "/@http/headers/Content-Type",
            Severity.WARNING,
        ),
        ("/v1/log?api-version=1.0.0", None, "/@http/target", Severity.WARNING),
    ],
)
def test_captured_request_transport_rules(target: str, headers: Any, pointer: str, severity: Severity) -> None:
    sub = load_bytes(_http(json.dumps(_container(_log())).encode(), target=target, headers=headers), format="appcenter")
    got = [(p.severity, p.pointer) for p in validate(sub)]
    assert (severity, pointer) in got, got


def test_detect_declines_other_payloads() -> None:
    env = Envelope(body=b"{}")
    assert ac.detect(env, {"data": {"body": {}}}) is None
    assert ac.detect(env, [1, 2]) is None
    assert ac.detect(env, {"type": "not-a-log-type", "device": {}}) is None
    assert ac.detect(env, None) is None
    empty = ac.detect(env, {"logs": []})
    assert empty is not None and empty.score < 85 and "empty" in empty.reason


# ------------------------------------------------------------------------------------------------ sending


class Recorder:
    """A one-request-at-a-time HTTP server on 127.0.0.1 that records the raw request and answers as told."""

    def __init__(self, status: int = 200, headers: list[tuple[str, str]] | None = None, body: bytes = b"") -> None:
        self.answer = (status, headers or [], body)
        self.requests: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
                while len(body) < length:
                    body += conn.recv(65536)
                self.requests.append(head + b"\r\n\r\n" + body)
                status, headers, payload = self.answer
                lines = [
                    f"HTTP/1.1 {status} X",
                    f"Content-Length: {len(payload)}",
                    "Connection: close",
                    *(f"{k}: {v}" for k, v in headers),
                ]
                conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)

    def close(self) -> None:
        try:  # closing alone does not wake a thread blocked in accept() on Linux; shutting down does
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(10)


@pytest.fixture
def recorder() -> Any:
    server = Recorder()
    yield server
    server.close()


def _send(spec: Any) -> httpx.Response:
    with httpx.Client(timeout=10) as client:
        return client.request(spec.method, spec.url, headers=spec.headers, content=spec.body)


def _head(raw: bytes) -> tuple[bytes, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    first, *lines = head.split(b"\r\n")
    return first, {k.decode(): v.decode() for k, v in (line.split(b": ", 1) for line in lines)}, body


def test_build_request_sends_the_document_bytes(recorder: Recorder) -> None:
    sub = load_path(str(CUSTOM))
    target = Target(kind="appcenter", base_url=recorder.base + "/", app_secret=SECRET, install_id=INSTALL)
    spec = ac.build_request(sub, target)
    assert spec.url == f"{recorder.base}/logs?Api-Version=1.0.0"
    assert spec.secrets == [SECRET] and SECRET not in spec.masked_url + str(spec.masked_headers())
    response = _send(spec)
    assert response.status_code == 200
    outcome = ac.read_response(response.status_code, list(response.headers.items()), response.content)
    assert outcome.ok and outcome.summary == "Accepted by App Center (HTTP 200)"
    first, headers, body = _head(recorder.requests[0])
    assert first == b"POST /logs?Api-Version=1.0.0 HTTP/1.1"
    assert headers["App-Secret"] == SECRET and headers["Install-ID"] == INSTALL
    assert headers["Content-Type"] == "application/json" and "Content-Encoding" not in headers
    assert body == CUSTOM.read_bytes()
    # what was sent loads back as a captured App Center request without transport problems
    again = load_bytes(recorder.requests[0])
    assert again.format == "appcenter" and again.detection.score == 95
    assert not [p for p in validate(again) if p.pointer.startswith("/@http")]


def test_build_request_gzip_and_typo_key_and_single_log(recorder: Recorder) -> None:
    sub = load_path(str(MANAGED_TYPO))
    spec = ac.build_request(
        sub, Target(kind="appcenter", base_url=recorder.base, app_secret=SECRET, install_id=INSTALL, gzip=True)
    )
    assert ("Content-Encoding", "gzip") in spec.headers
    assert any("logs:" in note for note in spec.notes)
    _send(spec)
    _, headers, body = _head(recorder.requests[0])
    assert headers["Content-Encoding"] == "gzip" and body[:2] == b"\x1f\x8b"
    sent = json.loads(gzip.decompress(body))
    assert list(sent) == ["logs"] and sent["logs"] == sub.document.value["logs:"]

    single_bytes = json.dumps(_log(), indent=1).encode()
    spec = ac.build_request(
        load_bytes(single_bytes), Target(kind="appcenter", base_url=recorder.base, app_secret=SECRET)
    )
    _send(spec)
    _, headers, body = _head(recorder.requests[1])
    assert body == b'{"logs":[' + single_bytes + b"]}"
    assert re.fullmatch(r"[0-9a-f-]{36}", headers["Install-ID"])  # generated when none is configured


def test_build_request_refuses_without_secret_or_wrong_target() -> None:
    sub = load_path(str(CUSTOM))
    with pytest.raises(InspectorError, match="App-Secret"):
        ac.build_request(sub, Target(kind="appcenter", base_url="http://127.0.0.1:9"))
    with pytest.raises(InspectorError, match="appcenter"):
        ac.build_request(sub, Target(kind="rollbar", base_url="http://127.0.0.1:9", app_secret=SECRET))
    spec = ac.build_request(sub, Target(kind="appcenter", base_url="", app_secret=SECRET))
    assert spec.url == "https://in.appcenter.ms/logs?Api-Version=1.0.0"


@pytest.mark.parametrize(
    ("status", "headers", "body", "ok", "summary", "retry"),
    [
        (200, [], b"", True, "Accepted by App Center (HTTP 200)", None),
        (202, [], b'{"status":"Success"}', True, "Accepted by App Center (HTTP 202)", None),
        (400, [], b"", False, "400: App Center could not read the body", None),
        (403, [], b'{"message":"App secret is invalid"}', False, "403: the App-Secret is unknown", None),
        (503, [("Retry-After", "120")], b"", False, "503: App Center is too busy", 120.0),
        (429, [("x-ms-retry-after-ms", "1500")], b"", False, "429: too many requests", 1.5),
        (500, [], b"\xff\xfe not utf-8", False, "500: server error", None),
        (418, [], b"[1,", False, "418: the request was refused", None),
    ],
)
def test_read_response(
    status: int, headers: list[tuple[str, str]], body: bytes, ok: bool, summary: str, retry: float | None
) -> None:
    outcome = ac.read_response(status, headers, body)
    assert outcome.ok is ok
    assert outcome.summary.startswith(summary), outcome.summary
    assert outcome.retry_after == retry
    if status == 403:
        assert "App secret is invalid" in outcome.summary


def test_read_response_from_a_real_server() -> None:
    server = Recorder(503, [("Retry-After", "30"), ("x-ms-correlation-id", "abc")], b"")
    try:
        spec = ac.build_request(
            load_path(str(ANDROID)),
            Target(kind="appcenter", base_url=server.base, app_secret=SECRET, install_id=INSTALL),
        )
        response = _send(spec)
        outcome = ac.read_response(response.status_code, list(response.headers.items()), response.content)
    finally:
        server.close()
    assert not outcome.ok and outcome.retry_after == 30.0
    assert "x-ms-correlation-id: abc" in outcome.details


# ------------------------------------------------------------------------------------------------ big batches


@pytest.mark.slow
def test_million_frame_batch_is_fast_and_lazy() -> None:
    n = 1_000_000
    frames = [
        {"className": f"com.example.C{i % 97}", "methodName": f"m{i}", "fileName": "C.java", "lineNumber": i}
        for i in range(n)
    ]
    threads = [{"id": t, "frames": frames[:1000]} for t in range(10)]
    value = _container(_log(threads=threads, errorThreadId=3), _attachment())
    value["logs"][0]["exception"]["frames"] = frames
    doc = Document.from_value(value)
    detection = ac.detect(Envelope(body=b""), value)
    sub = ac.load(Envelope(body=b""), doc, detection)

    (report,) = ac.reports(sub)  # its speed: bench/bench_lazy.py
    chain = report.exceptions[0].frames
    assert isinstance(chain, LazyList) and chain._raw is frames  # a view over the document, not a copy
    assert report.frame_count == n + 10_000
    last = chain[n - 1]
    assert (last.function, last.line, last.pointer) == (
        f"com.example.C{(n - 1) % 97}.m{n - 1}",
        n - 1,
        f"/logs/0/exception/frames/{n - 1}",
    )
    assert report.crashed_thread is not None and report.crashed_thread.id == "3"
    assert chain.matching("m999999") == [999_999]
    problems = validate(sub)
    assert problems == []
    frames[500_000] = {"lineNumber": "oops"}
    assert [(p.pointer, p.severity) for p in validate(sub)] == [
        ("/logs/0/exception/frames/500000/lineNumber", Severity.ERROR)
    ]


# ------------------------------------------------------------------------------------------------ odd input

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
ODD_PATHS = [
    "logs",
    "logs/0",
    "logs/0/type",
    "logs/0/id",
    "logs/0/device",
    "logs/0/timestamp",
    "logs/0/exception",
    "logs/0/exception/frames",
    "logs/0/exception/frames/0",
    "logs/0/exception/frames/0/lineNumber",
    "logs/0/exception/innerExceptions",
    "logs/0/threads",
    "logs/0/errorThreadId",
    "logs/0/errorThreadName",
    "logs/0/binaries",
    "logs/0/fatal",
    "logs/0/appLaunchTimestamp",
    "logs/1",
    "logs/1/errorId",
    "logs/1/data",
    "logs/1/fileName",
    "logs/0/device/osBuild",
    "logs/0/properties",
]


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(ODD_PATHS), value=JSON_VALUES)
def test_odd_values_never_crash(path: str, value: Any) -> None:
    """Any JSON at any field: reports, every row, validation and attachments give results or InspectorError."""
    base = _container(
        _log(
            threads=[{"id": 1, "name": "main", "frames": [{"address": "0x10", "code": "0x0 + 16"}]}],
            binaries=[{"id": "u", "startAddress": "0x0", "endAddress": "0xff", "name": "a", "path": "/a"}],
        ),
        _attachment(),
    )
    sub = _sub(_mutate(path, value, base=base))
    for report in ac.reports(sub):
        for exc in report.exceptions:
            list(exc.frames)
            [exc.frames.text(i) for i in range(len(exc.frames))]
        for thread in report.threads:
            list(thread.frames)
        list(report.binaries)
        for att in report.attachments:
            try:
                att.data()
            except InspectorError as exc:
                assert exc.where and exc.where.endswith("/data")
    for problem in validate(sub):
        assert problem.pointer == "" or problem.pointer.startswith("/")
        assert problem.message
