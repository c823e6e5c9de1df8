"""Microdumps and minidumps from other tools' test suites (issue 17 items 5, 6, 7, 11).

The expected values are the ones the files' own projects assert: Breakpad's ``Test32BitCrashingAddress``
(``crash_address() == 0x45``) and rust-minidump's ``test_assertion`` (expression, function, file, line, type).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.formats import load_bytes, load_path, reports, validate
from inspector.formats.base import InspectorError, Severity
from inspector.formats.minidump_names import exception_name, ntstatus_name
from inspector.toolkit.convert import convert

MD = Path(__file__).parent.parent / "corpus" / "minidump"


def test_a_paste_that_starts_mid_dump_shows_every_dump() -> None:
    # before: "no '-----BEGIN BREAKPAD MICRODUMP-----' line (at line 1)", nothing shown
    sub = load_path(str(MD / "breakpad_MICRODUMP-TEXT_multiple.dmp"))
    found = reports(sub)
    assert len(found) == 2
    assert [r.pointer for r in found] == ["/@line/7", "/@line/192"]
    assert len(found[0].threads[0].frames) > 0 and len(found[0].binaries) == 156
    problems = {(str(p.severity), p.pointer): p.message for p in validate(sub)}
    assert "starts in the middle of a microdump" in problems[("info", "/@line/6")]
    assert "has no '-----END BREAKPAD MICRODUMP-----'" in problems[("error", "/@line/192")]  # the paste ends there
    assert "holds 2 microdumps (BEGIN lines 7, 192)" in problems[("info", "/@offset/0")]


def test_six_dumps_of_one_capture_are_six_reports_with_their_crash_reason() -> None:
    sub = load_path(str(MD / "breakpad_MICRODUMP-TEXT_withcrashreason.dmp"))
    found = reports(sub)
    assert len(found) == 6
    # before: "Breakpad microdump (text)", no exception
    assert found[0].summary.title == "SIGTRAP at 0x4a7cb000 (microdump 1 of 6)"
    assert [(e.type, e.message) for e in found[0].exceptions] == [("SIGTRAP", "signal 5 at 0x4a7cb000")]
    assert found[1].exceptions[0].message == "signal 5 at 0x22f73000"
    strays = [p for p in validate(sub) if "outside every BEGIN...END block" in p.message]
    assert [p.pointer for p in strays] == ["/@line/1176", "/@line/1418"]


def test_microdump_conversion_keeps_the_crashing_stack() -> None:
    sub = load_path(str(MD / "breakpad_MICRODUMP-TEXT_withcrashreason.dmp"))
    frames = len(reports(sub)[0].threads[0].frames)
    value = convert(sub, "rollbar").value  # before: a message item, 0 frames
    assert value["data"]["body"]["trace"]["exception"]["class"] == "SIGTRAP"
    assert len(value["data"]["body"]["trace"]["frames"]) == frames > 0


def test_text_without_begin_is_refused_in_one_line() -> None:
    with pytest.raises(InspectorError, match="not recognized as a minidump payload"):
        load_bytes(b"I/foo( 1): -----END BREAKPAD MICRODUMP-----\nI/foo( 1): O A arm 01 armv7\n", format="minidump")


def test_32_bit_addresses_are_not_sign_extended() -> None:
    (report,) = reports(load_path(str(MD / "breakpad_windows-x86_32bit-crash-addr.dmp")))
    # before: "EXCEPTION_ACCESS_VIOLATION_WRITE at 0xffffffff00000045"
    assert report.summary.title == "EXCEPTION_ACCESS_VIOLATION_WRITE at 0x45"
    assert "fault address 0x45;" in report.exceptions[0].message
    assert all(b.start is None or b.start < 1 << 32 for b in report.binaries)
    assert all(f.address is None or f.address < 1 << 32 for t in report.threads for f in t.frames)


def test_assertion_stream_and_ntstatus_name() -> None:
    sub = load_path(str(MD / "rust-minidump_windows-x64_invalid-parameter.dmp"))
    (report,) = reports(sub)
    # before: title "0xc000000d", no assertion
    assert report.exceptions[0].type == "STATUS_INVALID_PARAMETER"
    assertion = report.exceptions[1]
    assert assertion.type == "assertion (invalid parameter)"
    assert assertion.message == (
        r"format != nullptr in common_vfprintf at minkernel\crts\ucrt\src\appcrt\stdio"
        r"\output.cpp:32"
    )
    assert report.summary.title.startswith("STATUS_INVALID_PARAMETER: format != nullptr in common_vfprintf")
    assert not [p for p in validate(sub) if p.severity is Severity.ERROR]


def test_ntstatus_table_is_the_full_one() -> None:
    assert ntstatus_name(0xC000000D) == "STATUS_INVALID_PARAMETER"
    assert ntstatus_name(0xC0000022) == "STATUS_ACCESS_DENIED"
    assert ntstatus_name(0x12345678) is None
    # the exception names keep their EXCEPTION_ spelling where Windows has one
    assert exception_name(2, 0xC0000005, 0, (1, 0x10))[0] == "EXCEPTION_ACCESS_VIOLATION_WRITE"
    assert exception_name(2, 0xC0000022, 0, ())[0] == "STATUS_ACCESS_DENIED"
    from inspector.formats.minidump_ntstatus import NTSTATUS

    assert len(NTSTATUS) > 2900
