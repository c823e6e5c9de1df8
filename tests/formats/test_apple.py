"""Apple crash reports (text, .ips, .plcrash) against the real corpus plus a small .ips written from the format."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from inspector.cli import main
from inspector.formats import FORMAT_NAMES, get_format, load_bytes, load_path, reports, validate
from inspector.formats.apple import render_text, to_appcenter_logs, to_rollbar_item
from inspector.formats.base import InspectorError, Severity, Submission

CORPUS = Path(__file__).parent.parent / "corpus" / "apple"

# file: (kind prefix, threads, frames in threads, binaries, crashed thread id, title, code type, last-exception frames)
EXPECTED = {
    "rollbar-apple_ios-simulator_swift-index-out-of-range.crash": (
        "Apple crash report (text, Report Version 104)",
        13,
        102,
        528,
        "0",
        "Fatal error: Index out of range — EXC_BREAKPOINT (SIGTRAP): KERN_INVALID_ADDRESS at 0x000000018bd55e10",
        "iPhone15,2, arm64",
        0,
    ),
    "rollbar-apple_macos_SIGSEGV_crash-report-raw.txt": (
        "Apple crash report (text, Report Version 104)",
        10,
        59,
        379,
        "0",
        "SIGSEGV: SEGV_MAPERR at 0x1",
        "MacBookPro15,2, x86_64",
        0,
    ),
    "sentry-parser_XCDYouTubeKit-54.crash.txt": (
        "Apple crash report (text, Report Version 106)",
        18,
        113,
        244,
        "0",
        "SIGSEGV: SEGV_MAPERR at 0x8",
        "MacBookPro5,3, x86_64",
        0,
    ),
    "sentry-parser_handcrafted.crash.txt": (
        "Apple crash report (text, Report Version 104)",
        2,
        17,
        5,
        "1",
        "SIGSEGV: SEGV_MAPERR at 0x88",
        "MacBookPro14,3, x86_64",
        0,
    ),
    "sentry-parser_spaces-in-names.crash.txt": ("Apple crash report (text)", 1, 17, 17, None, "Crash", None, 0),
    "sentry-parser_xcode16-minimal.crash.txt": (
        "Apple crash report (text)",
        0,
        0,
        0,
        None,
        "Crash",
        "iPhone8,1, arm64",
        0,
    ),
    "appcenter-apple_live_report_arm64e.plcrash": (
        "PLCrashReporter binary report, version 1",
        10,
        63,
        417,
        "0",
        "NSGenericException: An uncaught exception! SCREAM. — SIGABRT",
        "iPhone11,8, arm64e",
        26,
    ),
    "appcenter-apple_live_report_exception.plcrash": (
        "PLCrashReporter binary report, version 1",
        4,
        21,
        137,
        "0",
        "NSRangeException: *** -[__NSArrayI objectAtIndex:]: index 23 beyond bounds for empty array — SIGABRT",
        "x86_64, x86",
        24,
    ),
    "appcenter-apple_live_report_signal.plcrash": (
        "PLCrashReporter binary report, version 1",
        4,
        28,
        137,
        "0",
        "SIGTRAP: TRAP_BRKPT",
        "x86_64, x86",
        0,
    ),
    "appcenter-apple_macOS_report_abort.plcrash": (
        "PLCrashReporter binary report, version 1",
        10,
        59,
        309,
        "0",
        "SIGABRT",
        "Macmini7,1, x86_64",
        0,
    ),
    "plcrashreporter_fuzz_report.plcrash": (
        "PLCrashReporter binary report, version 1",
        1,
        3,
        76,
        "0",
        "SIGBUS: BUS_ADRERR",
        "x86",
        0,
    ),
}


def _all_formats_present() -> bool:
    return all(importlib.util.find_spec(f"inspector.formats.{n}") is not None for n in FORMAT_NAMES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_report(name: str) -> None:
    kind, threads, frames, binaries, crashed, title, device, last_exc = EXPECTED[name]
    sub = load_path(str(CORPUS / name))
    assert sub.format == "apple" and sub.kind.startswith(kind)
    report = reports(sub)[0]
    assert report.most_recent_first is True
    assert len(report.threads) == threads
    assert sum(len(t.frames) for t in report.threads) == frames
    assert len(report.binaries) == binaries
    assert (report.crashed_thread.id if report.crashed_thread else None) == crashed
    assert report.summary.title == title
    assert report.summary.device == device
    last = [e for e in report.exceptions if e.pointer == "/@section/Last Exception Backtrace"]
    assert sum(len(e.frames) for e in last) == last_exc
    assert not any(p.severity is Severity.ERROR for p in validate(sub))
    for binary in report.binaries:
        assert binary.start is not None and binary.end is not None and binary.end > binary.start
        assert binary.debug_id is None or len(binary.debug_id) == 36


def test_text_header_threads_registers_and_in_app() -> None:
    report = reports(load_path(str(CORPUS / "rollbar-apple_macos_SIGSEGV_crash-report-raw.txt")))[0]
    header = report.metadata["Header"]
    assert header["Incident Identifier"] == "BA7320A4-46FE-4BBB-A155-CBE0D26770E8"
    assert header["Identifier"] == "com.rollbar.macosAppObjC" and header["Code Type"] == "X86-64"
    assert report.summary.os == "Mac OS X 11.1 (20C69)" and report.summary.app == "macosAppObjC"
    assert report.summary.timestamp == 1609291918.0
    crashed = report.crashed_thread
    top = crashed.frames[0]
    assert (top.function, top.module, top.address, top.note, top.in_app) == (
        "crashIt",
        "macosAppObjC",
        0x10EAE70C8,
        "+8",
        True,
    )
    assert crashed.frames[2].in_app is False
    assert crashed.registers["rip"] == "0x000000010eae70c8" and len(crashed.registers) == 21
    app = report.binaries[0]
    assert app.name == "macosAppObjC" and app.arch == "x86_64"
    assert app.debug_id == "24B1DC02-6B4E-3447-A811-DFC387566A6C"
    assert app.start == 0x10EAE2000 and app.contains(top.address)


def test_kscrash_variant_sections_and_thread_names() -> None:
    sub = load_path(str(CORPUS / "rollbar-apple_ios-simulator_swift-index-out-of-range.crash"))
    assert sub.native.variant == "KSCrash/Rollbar"
    report = reports(sub)[0]
    assert "Index out of range" in report.metadata["Application Specific Information"]
    assert "Application Stats" in report.metadata and "Rollbar Full Diagnostics" in report.metadata
    assert report.metadata["Stack Dump (0x000000016b6cf520-0x000000016b6cf610)"].startswith("5072C303")
    names = {t.id: t.name for t in report.threads}
    assert names["4"] == "com.apple.uikit.eventfetch-thread" and names["11"] == "RollbarThread"
    frame = report.crashed_thread.frames[6]  # "RollbarDemo 0x0000000104733590 0x010472c000 + 30096"
    assert frame.function is None and frame.note == "unsymbolicated: 0x10472c000 + 30096" and frame.in_app is True
    assert report.metadata["Header"]["Exception Codes"] == "0x0000000000000001, 0x000000018bd55e10"
    problems = validate(sub)  # the "Rollbar Full Diagnostics" lines do not leak into the header:
    assert [p.message for p in problems] == ["2 frame address(es) fall outside every binary image"]  # "? + 4373061536"


def test_spaces_in_names_and_handcrafted_quirks() -> None:
    report = reports(load_path(str(CORPUS / "sentry-parser_spaces-in-names.crash.txt")))[0]
    assert report.threads[0].frames[0].module == "App Namespace"
    assert report.binaries[0].name == "App Namespace" and report.binaries[0].path.endswith("Some.app/App Namespace")
    sub = load_path(str(CORPUS / "sentry-parser_handcrafted.crash.txt"))
    problems = validate(sub)
    assert any("header says thread 5 crashed but thread 1" in p.message for p in problems)
    report = reports(sub)[0]
    assert report.crashed_thread.name == "Test Thread Name"
    main_frame = report.threads[0].frames[13]
    assert (main_frame.function, main_frame.file, main_frame.line) == ("main", "main.m", 16)
    assert report.binaries[0].version == "400.9.4 - 1.0.0"


def test_minimal_report_warns_about_missing_threads() -> None:
    problems = validate(load_path(str(CORPUS / "sentry-parser_xcode16-minimal.crash.txt")))
    messages = " ".join(p.message for p in problems)
    assert "no thread backtraces" in messages and "no Binary Images" in messages


def test_plcrash_details() -> None:
    report = reports(load_path(str(CORPUS / "appcenter-apple_live_report_exception.plcrash")))[0]
    assert report.summary.id == "DCB1A17E-365B-48EB-86CB-8B7CC65E4AF8"
    assert report.metadata["Header"]["Process"] == "HockeySDK-iOSDem [816]"
    nsexc, signal = report.exceptions  # the human reason first, the signal second (issue 14 item 6)
    assert nsexc.type == "NSRangeException" and nsexc.depth == 0 and len(nsexc.frames) == 24
    assert (signal.type, signal.depth, signal.relation) == ("SIGABRT", 1, "signal")
    top = report.crashed_thread.frames[0]
    assert (top.function, top.module, top.note) == ("___pthread_kill", "libsystem_kernel.dylib", "+10")
    assert report.crashed_thread.registers


def test_empty_plcrash_gives_a_clear_message() -> None:
    with pytest.raises(InspectorError, match=r"appcenter-apple_EMPTY_live_report_empty.plcrash is empty \(0 bytes\)"):
        load_path(str(CORPUS / "appcenter-apple_EMPTY_live_report_empty.plcrash"))


def test_damaged_plcrash_names_the_offset() -> None:
    data = (CORPUS / "plcrashreporter_fuzz_report.plcrash").read_bytes()
    with pytest.raises(InspectorError, match="does not decode") as info:
        load_bytes(data[:5000], source_name="cut.plcrash")
    assert info.value.where == "offset 8"


IPS_HEADER = {
    "app_name": "Sample",
    "timestamp": "2024-05-02 10:15:42.00 +0200",
    "app_version": "2.3",
    "slice_uuid": "9c0a2f5e-1b3d-3a4f-8e6d-2b5f9a7c1d00",
    "adam_id": "0",
    "build_version": "45",
    "platform": 2,
    "bundleID": "com.example.Sample",
    "share_with_app_devs": 0,
    "is_first_party": 0,
    "bug_type": "309",
    "os_version": "iPhone OS 17.4.1 (21E236)",
    "roots_installed": 0,
    "name": "Sample",
    "incident_id": "0E8A3B4C-2D1F-4A5B-9C8D-7E6F5A4B3C2D",
}
IPS_BODY = {
    "uptime": 12000,
    "procRole": "Foreground",
    "version": 2,
    "userID": 501,
    "deployVersion": 210,
    "modelCode": "iPhone15,3",
    "coalitionID": 611,
    "osVersion": {"isEmbedded": True, "train": "iPhone OS 17.4.1", "releaseType": "User", "build": "21E236"},
    "captureTime": "2024-05-02 10:15:41.8953 +0200",
    "codeSigningMonitor": 1,
    "incident": "0E8A3B4C-2D1F-4A5B-9C8D-7E6F5A4B3C2D",
    "pid": 4242,
    "cpuType": "ARM-64",
    "procLaunch": "2024-05-02 10:15:30.1234 +0200",
    "procName": "Sample",
    "procPath": "/private/var/containers/Bundle/Application/5B1C/Sample.app/Sample",
    "bundleInfo": {
        "CFBundleShortVersionString": "2.3",
        "CFBundleVersion": "45",
        "CFBundleIdentifier": "com.example.Sample",
    },
    "parentProc": "launchd",
    "parentPid": 1,
    "crashReporterKey": "abc123",
    "exception": {
        "codes": "0x0000000000000000, 0x0000000000000000",
        "rawCodes": [0, 0],
        "type": "EXC_CRASH",
        "signal": "SIGABRT",
    },
    "termination": {
        "flags": 0,
        "code": 6,
        "namespace": "SIGNAL",
        "indicator": "Abort trap: 6",
        "byProc": "Sample",
        "byPid": 4242,
    },
    "asi": {"libsystem_c.dylib": ["abort() called"]},
    "faultingThread": 0,
    "threads": [
        {
            "triggered": True,
            "id": 81234,
            "queue": "com.apple.main-thread",
            "threadState": {
                "x": [{"value": 0}, {"value": 0}, {"value": 4294967295}],
                "flavor": "ARM_THREAD_STATE64",
                "lr": {"value": 7820345678},
                "cpsr": {"value": 1073741824},
                "fp": {"value": 6134567888},
                "sp": {"value": 6134567840},
                "esr": {"value": 1442840704, "description": " Address size"},
                "pc": {"value": 7820001234, "matchesCrashFrame": 1},
                "far": {"value": 0},
            },
            "frames": [
                {"imageOffset": 37844, "symbol": "__pthread_kill", "symbolLocation": 8, "imageIndex": 1},
                {"imageOffset": 30352, "symbol": "pthread_kill", "symbolLocation": 268, "imageIndex": 2},
                {
                    "imageOffset": 18772,
                    "sourceLine": 27,
                    "sourceFile": "ContentView.swift",
                    "symbol": "ContentView.crash()",
                    "imageIndex": 0,
                    "symbolLocation": 40,
                },
                {"imageOffset": 9000, "imageIndex": 0},
            ],
        },
        {
            "id": 81240,
            "name": "com.apple.uikit.eventfetch-thread",
            "frames": [{"imageOffset": 4012, "symbol": "mach_msg2_trap", "symbolLocation": 8, "imageIndex": 1}],
        },
    ],
    "usedImages": [
        {
            "source": "P",
            "arch": "arm64",
            "base": 4301520896,
            "size": 65536,
            "uuid": "9c0a2f5e-1b3d-3a4f-8e6d-2b5f9a7c1d00",
            "path": "/private/var/containers/Bundle/Application/5B1C/Sample.app/Sample",
            "name": "Sample",
        },
        {
            "source": "P",
            "arch": "arm64e",
            "base": 7819960320,
            "size": 241664,
            "uuid": "4f8e2b1a-6c3d-3e5f-9a7b-1c2d3e4f5a6b",
            "path": "/usr/lib/system/libsystem_kernel.dylib",
            "name": "libsystem_kernel.dylib",
        },
        {
            "source": "P",
            "arch": "arm64e",
            "base": 8589934592,
            "size": 49152,
            "uuid": "1a2b3c4d-5e6f-3a7b-8c9d-0e1f2a3b4c5d",
            "path": "/usr/lib/system/libsystem_pthread.dylib",
            "name": "libsystem_pthread.dylib",
        },
    ],
    "lastExceptionBacktrace": [
        {"imageOffset": 1200, "symbol": "__exceptionPreprocess", "symbolLocation": 164, "imageIndex": 1},
        {"imageOffset": 18000, "imageIndex": 0},
    ],
}


def _ips() -> bytes:
    return (json.dumps(IPS_HEADER) + "\n" + json.dumps(IPS_BODY, indent=2)).encode()


def test_ips_report() -> None:
    sub = load_bytes(_ips(), source_name="Sample-2024-05-02-101542.ips")
    assert sub.format == "apple" and sub.kind == "Apple crash report (.ips, bug_type 309)"
    assert sub.document is None
    report = reports(sub)[0]
    assert report.summary.title == "EXC_CRASH (SIGABRT)"
    assert report.summary.app == "Sample" and report.summary.app_version == "2.3 (45)"
    assert report.summary.os == "iPhone OS 17.4.1 (21E236)" and report.summary.device == "iPhone15,3, arm64"
    assert report.summary.id == "0E8A3B4C-2D1F-4A5B-9C8D-7E6F5A4B3C2D"
    assert len(report.threads) == 2 and report.crashed_thread.id == "0"
    assert report.threads[0].name == "Dispatch queue: com.apple.main-thread"
    assert report.threads[1].name == "com.apple.uikit.eventfetch-thread"
    frames = report.crashed_thread.frames
    assert (frames[0].function, frames[0].module, frames[0].address) == (
        "__pthread_kill",
        "libsystem_kernel.dylib",
        7819960320 + 37844,
    )
    assert (frames[2].file, frames[2].line, frames[2].in_app) == ("ContentView.swift", 27, True)
    assert frames[3].function is None and frames[3].note == f"unsymbolicated: 0x{4301520896:x} + 9000"
    assert report.crashed_thread.registers["pc"] == f"0x{7820001234:016x}"
    assert report.crashed_thread.registers["x2"] == "0x00000000ffffffff"
    assert len(report.binaries) == 3 and report.binaries[0].debug_id == "9C0A2F5E-1B3D-3A4F-8E6D-2B5F9A7C1D00"
    last = report.exceptions[-1]
    assert last.type == "Last Exception Backtrace" and len(last.frames) == 2
    assert report.metadata["Application Specific Information"] == "libsystem_c.dylib: abort() called"
    assert not any(p.severity is Severity.ERROR for p in validate(sub))


def test_damaged_ips_body_is_a_clear_error() -> None:
    data = _ips()
    with pytest.raises(InspectorError, match=r"the \.ips body is not valid JSON"):
        load_bytes(data[:-40], source_name="cut.ips")
    # two JSON documents that are not an .ips stay JSON errors
    with pytest.raises(InspectorError, match="invalid JSON"):
        load_bytes(b'{"a": 1}\n{"b": 2}', source_name="x.json")


@pytest.mark.skipif(not _all_formats_present(), reason="auto detection needs every format module")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_show_json(name: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["show", "--json", str(CORPUS / name)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "apple"
    _kind, threads, frames, binaries, *_rest = EXPECTED[name]
    shown = data["reports"][0]
    assert (shown["threads"], shown["binaries"]) == (threads, binaries)
    assert shown["frames"] >= frames


@pytest.mark.skipif(not _all_formats_present(), reason="auto detection needs every format module")
def test_cli_show_empty_plcrash_exit_code(capsys: pytest.CaptureFixture) -> None:
    assert main(["show", str(CORPUS / "appcenter-apple_EMPTY_live_report_empty.plcrash")]) == 2
    err = capsys.readouterr().err
    assert "is empty (0 bytes)" in err and "Traceback" not in err


def test_multipart_plcrash_upload_keeps_attachments() -> None:
    dump = (CORPUS / "appcenter-apple_live_report_signal.plcrash").read_bytes()
    boundary = "Boundary-7MA4YWxkTLLu0UIW"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="upload_file"; filename="upload_file"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + dump
        + (
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="attachment_log.txt"; filename="log.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
        ).encode()
    )
    head = (
        f"POST /post?format=plcrash&token=abc HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
        f"boundary={boundary}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    sub = load_bytes(head + body)
    assert sub.format == "apple" and sub.kind.endswith("(Backtrace multipart upload)")
    report = reports(sub)[0]
    assert len(report.threads) == 4 and [a.name for a in report.attachments] == ["log.txt"]


ALL_INPUTS = [*sorted(EXPECTED), "ips"]


def _load(name: str) -> Submission:
    return load_bytes(_ips(), source_name="s.ips") if name == "ips" else load_path(str(CORPUS / name))


@pytest.mark.parametrize("name", ALL_INPUTS)
def test_to_appcenter_logs(name: str) -> None:
    sub = _load(name)
    container = to_appcenter_logs(sub)
    log = container["logs"][0]
    assert log["type"] == "appleError" and log["fatal"] is True
    for key in (
        "id",
        "processId",
        "processName",
        "primaryArchitectureId",
        "applicationPath",
        "osExceptionType",
        "osExceptionCode",
        "osExceptionAddress",
        "device",
        "timestamp",
    ):
        assert key in log, key
    assert len(log["binaries"]) == len(sub.native.images)
    assert all(t["frames"] for t in log["threads"])
    json.dumps(container)
    if importlib.util.find_spec("inspector.formats.appcenter") is not None:
        converted = load_bytes(json.dumps(container).encode(), source_name="converted.json")
        assert converted.format == "appcenter"
        assert [p for p in get_format("appcenter").validate(converted) if p.severity is Severity.ERROR] == []


@pytest.mark.parametrize("name", ALL_INPUTS)
def test_to_rollbar_item(name: str) -> None:
    sub = _load(name)
    item = to_rollbar_item(sub)
    raw = item["data"]["body"]["crash_report"]["raw"]
    assert item["data"]["environment"] and isinstance(raw, str) and raw
    if sub.native.source == "text":
        assert raw == sub.envelope.body.decode("utf-8")
    else:  # rendered text reads back as the same report
        again = reports(load_bytes(raw.encode(), source_name="rendered.crash"))[0]
        original = reports(sub)[0]
        assert len(again.threads) == len(original.threads)
        assert len(again.binaries) == len(original.binaries)
        assert again.crashed_thread.id == original.crashed_thread.id
    if importlib.util.find_spec("inspector.formats.rollbar") is not None:
        converted = load_bytes(json.dumps(item).encode(), source_name="item.json")
        assert converted.format == "rollbar"
        assert [p for p in get_format("rollbar").validate(converted) if p.severity is Severity.ERROR] == []


def test_render_text_contains_threads_and_images() -> None:
    crash = load_path(str(CORPUS / "appcenter-apple_live_report_exception.plcrash")).native
    text = render_text(crash)
    assert "Last Exception Backtrace:" in text and "Thread 0 Crashed:" in text and "Binary Images:" in text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_damaged_copies_never_crash(name: str) -> None:
    """Truncated and byte-flipped copies give a Report or an InspectorError, never another exception."""
    import random

    rng = random.Random(name)
    data = (CORPUS / name).read_bytes()
    for _ in range(60):
        copy = bytearray(data[: rng.randrange(len(data))] if rng.random() < 0.3 else data)
        for _flip in range(rng.randint(1, 20) if copy else 0):
            copy[rng.randrange(len(copy))] = rng.randrange(256)
        try:
            sub = load_bytes(bytes(copy), source_name=name)
        except InspectorError:
            continue
        validate(sub)
        reports(sub)
        if sub.format == "apple":
            to_appcenter_logs(sub)
            to_rollbar_item(sub)


def test_ips_with_odd_value_types_never_crashes() -> None:
    import copy
    import random

    rng = random.Random(309)
    odd = [None, 1, -5, 2**70, "x", "", [], {}, [1, "a"], {"value": "z"}, True, 1.5]

    def paths(value: object, prefix: tuple = ()) -> list[tuple]:
        out = [prefix]
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
        for key, item in items:
            out += paths(item, (*prefix, key))
        return out

    all_paths = paths(IPS_BODY)[1:]
    for _ in range(300):
        body = copy.deepcopy(IPS_BODY)
        for _change in range(rng.randint(1, 4)):
            path = rng.choice(all_paths)
            target = body
            try:
                for key in path[:-1]:
                    target = target[key]
                target[path[-1]] = copy.deepcopy(rng.choice(odd))
            except (KeyError, IndexError, TypeError):
                continue
        sub = load_bytes((json.dumps(IPS_HEADER) + "\n" + json.dumps(body)).encode(), source_name="odd.ips")
        validate(sub)
        reports(sub)
        to_appcenter_logs(sub)
        to_rollbar_item(sub)
