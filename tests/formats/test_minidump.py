"""Minidump format module against the real corpus (values checked with a hex dump and the ``minidump`` package)."""

from __future__ import annotations

import base64
import importlib.util
import json
import logging
from pathlib import Path

import pytest

from inspector.cli import main
from inspector.formats import FORMAT_NAMES, get_format, load_bytes, load_path, reports, validate
from inspector.formats.base import InspectorError, Severity
from inspector.formats.minidump import MAX_SCANNED_FRAMES, to_appcenter_logs, to_backtrace_multipart

CORPUS = Path(__file__).parent.parent / "corpus" / "minidump"

# file: (threads, modules, arch, OS name, title, crashing thread id, os text fragment)
EXPECTED = {
    "breakpad_crashpad-annotations.dmp": (
        7,
        354,
        "amd64",
        "iOS",
        "UNCAUGHT_NSEXCEPTION (NSRangeException)",
        "4779401",
        "iOS 16.2.0",
    ),
    "breakpad_linux_null-dereference.dmp": (
        1,
        8,
        "amd64",
        "Linux",
        "SIGSEGV at 0x0",
        "20520",
        "Linux 3.13.0-53-generic (Ubuntu 14.04 LTS)",
    ),
    "breakpad_linux_raise-sigabrt.dmp": (1, 8, "amd64", "Linux", "SIGABRT", "23526", "Linux 3.13.0-55-generic"),
    "breakpad_windows-x64_fastfail.dmp": (
        4,
        21,
        "amd64",
        "Windows NT",
        "STATUS_STACK_BUFFER_OVERRUN (FAST_FAIL_FATAL_APP_EXIT)",
        "24440",
        "Windows NT 10.0.19042",
    ),
    "breakpad_windows-x86_minidump2.dmp": (
        2,
        13,
        "x86",
        "Windows NT",
        "EXCEPTION_ACCESS_VIOLATION_WRITE at 0x45",
        "3060",
        "Windows NT 5.1.2600 Service Pack 2",
    ),
    "breakpad_windows_thread-name-list.dmp": (
        6,
        17,
        "x86",
        "Windows NT",
        "EXCEPTION_ACCESS_VIOLATION_READ at 0xf1004",
        "10976",
        "Windows NT 10.0.17763",
    ),
    "breakpad_windows_write-access-violation.dmp": (
        2,
        26,
        "x86",
        "Windows NT",
        "EXCEPTION_ACCESS_VIOLATION_WRITE at 0x4e3c9",
        "10912",
        "Windows NT 6.1.7600",
    ),
    "rust-minidump_linux-mini.dmp": (1, 8, "amd64", "Linux", "SIGSEGV at 0x45", "1304", "Linux 4.9.60-linuxkit"),
    "rust-minidump_macos-x64_segv.dmp": (
        11,
        47,
        "amd64",
        "macOS",
        "EXC_BAD_ACCESS at 0xffffffff80000042",
        "4611",
        "macOS 11.6.7 20G630",
    ),
    "rust-minidump_simple-crashpad.dmp": (
        1,
        40,
        "amd64",
        "macOS",
        "EXC_CRASH (SIGABRT)",
        "927532",
        "macOS 10.15.7 19H114",
    ),
}
MALFORMED = ["rust-minidump_MALFORMED_invalid-range.dmp", "rust-minidump_MALFORMED_invalid-record-count.dmp"]
MICRODUMP = "breakpad_MICRODUMP-TEXT_arm64_not-a-minidump.dmp"


def _all_formats_present() -> bool:
    return all(importlib.util.find_spec(f"inspector.formats.{n}") is not None for n in FORMAT_NAMES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_dump(name: str) -> None:
    threads, modules, arch, os_name, title, crashed, os_text = EXPECTED[name]
    sub = load_path(str(CORPUS / name))
    assert sub.format == "minidump" and sub.kind == "minidump"
    assert sub.native.system.platform == os_name
    report = reports(sub)[0]
    assert len(report.threads) == threads
    assert len(report.binaries) == modules
    assert report.summary.title == title
    assert report.summary.fatal is True
    assert os_text in report.summary.os
    assert report.summary.device.startswith(arch)
    assert report.crashed_thread is not None and report.crashed_thread.id == crashed
    assert [t.crashed for t in report.threads].count(True) == 1
    assert report.metadata["System"]["OS"] == os_name
    assert not any(p.severity is Severity.ERROR for p in validate(sub))
    dump_thread = (report.metadata.get("Breakpad") or {}).get("dump_thread_id")
    for thread in report.threads:
        assert thread.registers, f"thread {thread.id} has registers"
        if thread.id == str(dump_thread) and not thread.crashed:
            assert not thread.frames  # Breakpad's dump writer: not walked, as minidump-stackwalk does
            continue
        assert thread.frames
        first = thread.frames[0]
        assert first.trust == "context" and first.address is not None
        for frame in thread.frames:  # module+offset on every frame (issue 14 item 7)
            assert frame.trust in ("context", "cfi", "frame_pointer", "scan", "inlined")
            if frame.module is not None:
                binary = report.binaries[report.binary_for(frame.address)]
                assert frame.module_offset == frame.address - binary.start
                assert frame.note == f"{binary.name}+0x{frame.module_offset:x}"
    assert report.metadata["Stack"].startswith("walked")


def test_counts_agree_with_the_minidump_package() -> None:
    """The PyPI ``minidump`` package (read-only cross check) finds the same threads and modules."""
    from minidump.minidumpfile import MinidumpFile

    logging.disable(logging.CRITICAL)
    try:
        for name, (threads, modules, *_rest) in EXPECTED.items():
            mf = MinidumpFile.parse_bytes((CORPUS / name).read_bytes())
            assert (len(mf.threads.threads), len(mf.modules.modules)) == (threads, modules), name
    finally:
        logging.disable(logging.NOTSET)


def test_access_violation_details() -> None:
    report = reports(load_path(str(CORPUS / "breakpad_windows-x86_minidump2.dmp")))[0]
    exc = report.exceptions[0]
    assert exc.type == "EXCEPTION_ACCESS_VIOLATION_WRITE"
    assert "fault address 0x45" in exc.message and "instruction 0x40429e" in exc.message
    main_module = report.binaries[0]
    assert main_module.name == "test_app.exe"
    assert main_module.debug_id == "5A9832E5287241C1838ED98914E9B7FF1"
    assert main_module.code_id == "45D35F6C2d000" and main_module.debug_file == "c:\\test_app.pdb"
    assert main_module.end == main_module.start + main_module.size
    ntdll = report.binaries[1]
    assert ntdll.version == "5.1.2600.2180"
    crashed = report.crashed_thread
    assert crashed.registers["eip"] == "0x0040429e"  # the exception context, not the handler's
    assert crashed.frames[0].note == "test_app.exe+0x429e" and crashed.frames[0].in_app is True
    assert report.metadata["Breakpad"] == {"dump_thread_id": 4544, "requesting_thread_id": 3060}
    assert report.summary.app == "test_app.exe"


def test_thread_names_and_linux_streams() -> None:
    report = reports(load_path(str(CORPUS / "breakpad_windows_thread-name-list.dmp")))[0]
    names = {t.id: t.name for t in report.threads}
    assert names["6564"] == "main thread" and names["8820"] == "sleep thread" and names["10976"] == "overflow thread"
    linux = reports(load_path(str(CORPUS / "breakpad_linux_null-dereference.dmp")))[0]
    assert linux.metadata["System"]["platform id"] == "0x8201"
    assert linux.metadata["lsb-release"]["DISTRIB_ID"] == "Ubuntu"
    assert linux.metadata["Command line"][0].endswith("driver")
    assert any("driver" in line for line in linux.metadata["/proc/self/maps"])
    assert "GenuineIntel" in linux.metadata["/proc/cpuinfo"]
    assert linux.binaries[0].debug_id == "014F7B7CB88E7675C28A362BD5A8961F0"


def test_crashpad_annotations_and_nsexception() -> None:
    report = reports(load_path(str(CORPUS / "breakpad_crashpad-annotations.dmp")))[0]
    crashpad = report.metadata["Crashpad"]
    assert crashpad["annotations"] == {"crashpad": "yes", "plat": "iOS", "prod": "xcuitest", "ver": "1"}
    objects = crashpad["module annotations"]["ios_crash_xcuitests"]["annotation_objects"]
    assert objects["exceptionName"] == "NSRangeException"
    nsexc = report.exceptions[1]
    assert nsexc.type == "NSRangeException" and "index 42 beyond bounds" in nsexc.message
    assert len(nsexc.frames) == 24 and nsexc.frames[0].module == "ios_crash_xcuitests"
    assert report.summary.app == "xcuitest" and report.summary.sdk == "Crashpad"
    simple = reports(load_path(str(CORPUS / "rust-minidump_simple-crashpad.dmp")))[0]
    assert simple.metadata["Crashpad"]["annotations"] == {"hello": "world"}
    assert simple.metadata["Crashpad"]["module annotations"]["libsystem_c.dylib"] == {
        "list_annotations": ["abort() called"]
    }


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_dumps_give_errors_with_stream_and_offset(name: str) -> None:
    sub = load_path(str(CORPUS / name))
    problems = validate(sub)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    assert errors
    assert any("runs past the end of the file" in p.message and "offset" in p.message for p in errors)
    assert all(p.pointer.startswith(("/@stream/", "/@offset/")) for p in errors)
    assert any(p.pointer == "/@stream/ThreadListStream" for p in errors)
    report = reports(sub)[0]
    assert report.threads == [] and report.summary.title.startswith("Damaged minidump")


def test_truncated_and_foreign_bytes_are_clear_errors() -> None:
    data = (CORPUS / "breakpad_linux_null-dereference.dmp").read_bytes()
    with pytest.raises(InspectorError, match=r"stream directory .* runs past the end"):
        load_bytes(data[:100], source_name="cut.dmp", format="minidump")
    with pytest.raises(InspectorError, match="only 20 bytes"):
        load_bytes(data[:20], source_name="cut.dmp", format="minidump")
    cut = load_bytes(data[:16000], source_name="cut.dmp")  # streams after 16000 are gone
    problems = validate(cut)
    assert any(p.severity is Severity.ERROR and "SystemInfoStream" in p.pointer for p in problems)
    assert reports(cut)[0].threads  # what remains is still shown


def test_microdump_is_explained_and_read() -> None:
    sub = load_path(str(CORPUS / MICRODUMP))
    assert sub.format == "minidump" and sub.kind == "microdump (text, not a minidump)"
    problems = validate(sub)
    assert any("not a minidump" in p.message for p in problems)
    report = reports(sub)[0]
    assert report.kind == "microdump" and len(report.binaries) == 8
    assert report.summary.os.startswith("Android") and report.summary.device.startswith("arm64")
    thread = report.threads[0]
    assert thread.crashed and thread.registers["pc"].startswith("0x") and len(thread.frames) > 1
    with pytest.raises(InspectorError, match="only a binary minidump"):
        to_backtrace_multipart(sub)


def _multipart_request(dump: bytes) -> bytes:
    boundary = "----crashpad-boundary-1234"
    parts = [
        (b'Content-Disposition: form-data; name="prod"\r\n\r\n', b"MyApp"),
        (b'Content-Disposition: form-data; name="ver"\r\n\r\n', b"2.1.0"),
        (
            b'Content-Disposition: form-data; name="upload_file_minidump"; filename="abc.dmp"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n",
            dump,
        ),
        (
            b'Content-Disposition: form-data; name="attachment_log.txt"; filename="log.txt"\r\n'
            b"Content-Type: text/plain\r\n\r\n",
            b"line 1\nline 2\n",
        ),
    ]
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + head + data + b"\r\n" for head, data in parts)
    body += b"--" + boundary.encode() + b"--\r\n"
    head = (
        "POST /post?format=minidump&token=0123456789abcdef HTTP/1.1\r\nHost: submit.example\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def test_backtrace_multipart_wrapped_dump_loads_with_attachments() -> None:
    dump = (CORPUS / "breakpad_windows-x86_minidump2.dmp").read_bytes()
    sub = load_bytes(_multipart_request(dump), source_name="upload.request.http")
    assert sub.format == "minidump" and sub.kind == "minidump (Backtrace multipart upload)"
    assert sub.envelope.body == dump
    report = reports(sub)[0]
    assert len(report.threads) == 2 and len(report.binaries) == 13
    assert [(a.name, a.data()) for a in report.attachments] == [("log.txt", b"line 1\nline 2\n")]
    assert report.metadata["Upload fields"]["prod"] == "MyApp"
    assert report.metadata["Upload fields"]["token"] == "•" * 8
    parts, fields = to_backtrace_multipart(sub)
    assert parts[0].name == "upload_file_minidump" and parts[0].data == dump
    assert [p.name for p in parts[1:]] == ["attachment_log.txt"]
    assert ("prod", "MyApp") in fields and ("ver", "2.1.0") in fields
    assert not any(k in ("format", "token") for k, _v in fields)


def test_raw_http_body_with_format_minidump() -> None:
    dump = (CORPUS / "rust-minidump_linux-mini.dmp").read_bytes()
    head = f"POST /post?format=minidump&token=t HTTP/1.1\r\nHost: x\r\nContent-Length: {len(dump)}\r\n\r\n"
    sub = load_bytes(head.encode() + dump)
    assert sub.kind == "minidump (raw HTTP upload)" and len(reports(sub)[0].threads) == 1


def test_no_logging_or_output_while_loading(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for path in sorted(p for p in CORPUS.iterdir() if p.is_file()):
        sub = load_path(str(path))
        validate(sub)
        reports(sub)
    assert caplog.records == []
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


@pytest.mark.skipif(not _all_formats_present(), reason="auto detection needs every format module")
@pytest.mark.parametrize("name", [*sorted(EXPECTED), MICRODUMP, *MALFORMED])
def test_cli_show_json(name: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["show", "--json", str(CORPUS / name)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "minidump"
    if name in EXPECTED:
        threads, modules, *_rest = EXPECTED[name]
        assert (data["reports"][0]["threads"], data["reports"][0]["binaries"]) == (threads, modules)


def test_to_appcenter_logs_matches_the_docs_shape() -> None:
    sub = load_path(str(CORPUS / "breakpad_windows-x64_fastfail.dmp"))
    assert sub.envelope.body[:4] == b"MDMP"
    container = to_appcenter_logs(sub)
    error, attachment = container["logs"]
    assert error["type"] == "managedError" and error["fatal"] is True
    assert error["exception"] == {"type": "minidump", "wrapperSdkName": "custom.ndk"}
    assert error["device"]["wrapperSdkName"] == "custom.ndk" and error["device"]["osName"] == "WINDOWS"
    assert error["device"]["osVersion"] == "10.0.19042" and error["processName"] == "tiny.exe"
    assert error["processId"] == 41996 and error["errorThreadId"] == 24440
    assert attachment["type"] == "errorAttachment" and attachment["errorId"] == error["id"]
    assert attachment["fileName"] == "minidump.dmp" and attachment["contentType"] == "application/octet-stream"
    assert base64.b64decode(attachment["data"]) == sub.envelope.body
    assert error["id"] != to_appcenter_logs(sub)["logs"][0]["id"]  # fresh uuid each time
    json.dumps(container)


@pytest.mark.skipif(importlib.util.find_spec("inspector.formats.appcenter") is None, reason="appcenter module absent")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_to_appcenter_logs_passes_appcenter_validation(name: str) -> None:
    container = to_appcenter_logs(load_path(str(CORPUS / name)))
    converted = load_bytes(json.dumps(container).encode(), source_name="converted.json")
    assert converted.format == "appcenter"
    errors = [p for p in get_format("appcenter").validate(converted) if p.severity is Severity.ERROR]
    assert errors == []


@pytest.mark.parametrize("name", [*sorted(EXPECTED), MICRODUMP])
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
        for report in reports(sub):
            assert all(len(t.frames) <= MAX_SCANNED_FRAMES for t in report.threads)
        if sub.format == "minidump" and sub.kind != "microdump (text, not a minidump)":
            to_appcenter_logs(sub)
            to_backtrace_multipart(sub)


def test_format_minidump_body_that_is_not_a_dump() -> None:
    body = b"this is not a dump"
    head = f"POST /post?format=minidump&token=t HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n"
    with pytest.raises(InspectorError, match=r"should be a minidump .* starts with 74 68 69 73"):
        load_bytes(head.encode() + body)
