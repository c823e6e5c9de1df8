"""Apple text reports as other tools write them (issue 17 items 1, 8, 9, 10; issue 14 item 6; issue 15 items 3, 7).

The KSCrash files are the Apple-style reports of KSCrash's own ``Example-Reports`` (tests/corpus/SOURCES.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from inspector.formats import load_bytes, load_path, reports, validate
from inspector.formats.apple_text import MAX_LINE, parse_text

CORPUS = Path(__file__).parent.parent / "corpus" / "apple"


def _read(name: str):
    sub = load_path(str(CORPUS / name))
    return sub, reports(sub)[0], validate(sub)


def test_binary_images_end_at_the_blank_line_and_kscrash_sections_are_metadata() -> None:
    # before: 297 warnings ("line N in Binary Images is not an image line"), thread 7 listed twice
    _sub, report, problems = _read("kscrash_CrashInHandler_recrash.txt")
    assert problems == []
    assert len(report.binaries) == 123 and len(report.threads) == 9  # 8 + the handler's own crashed thread
    assert set(report.metadata) >= {"Extra Information", "Notable Addresses"}
    stack_dump = next(k for k in report.metadata if k.startswith("Stack Dump ("))
    assert report.metadata[stack_dump].startswith("897C0935")
    assert '"last_deallocated_obj": "UIDeviceWhiteColor"' in report.metadata["Notable Addresses"]
    diagnosis = report.metadata["Header"]["CrashDoctor Diagnosis"]
    assert diagnosis.splitlines() == [
        "Attempted to dereference garbage pointer 0xffffffff.",
        "Originated at or in a subcall of -[Crasher dereferenceBadPointer]",
    ]


def test_kscrash_frame_lines_name_the_symbol_in_parentheses() -> None:
    _sub, report, _problems = _read("kscrash_BadPointer.txt")
    top = report.crashed_thread.frames[0]
    assert (top.function, top.module, top.address, top.note) == (
        "-[Crasher dereferenceBadPointer]",
        "Crash-Tester",
        0x5B720,
        "+24",
    )
    frames = [f for t in report.threads for f in t.frames]
    assert len(frames) == 37 and all(f.function and not f.function.startswith("0x") for f in frames)


def test_apple_symbol_plus_offset_and_file_line_forms() -> None:
    crash = parse_text(
        "Thread 0 Crashed:\n"
        "0   libswiftCore.dylib  0x000000018bd55e10 _assertionFailure(_:_:file:line:flags:) + 356\n"
        "1   App                 0x0000000102f8c1f0 main + 24 (AppDelegate.swift:12)\n"
        "2   App                 0x0000000102f8c1f0 0x102f80000 + 49648\n"
        "3   App Namespace       0x0000000102f8c1f0 closure #1 in f() (in App Namespace) (F.swift:3:9)\n"
    )
    f = crash.threads[0].frames
    assert (f[0].symbol, f[0].offset) == ("_assertionFailure(_:_:file:line:flags:)", 356)
    assert (f[1].symbol, f[1].offset, f[1].file, f[1].line) == ("main", 24, "AppDelegate.swift", 12)
    assert (f[2].symbol, f[2].image_base, f[2].offset) == (None, 0x102F80000, 49648)
    assert (f[3].binary, f[3].symbol, f[3].file, f[3].line) == ("App Namespace", "closure #1 in f()", "F.swift", 3)


def test_an_image_without_uuid_is_kept() -> None:
    # before: 122 of 123 images (WinterBoard.dylib's "<(null)>" line dropped with a warning)
    _sub, report, problems = _read("kscrash_BadPointer.txt")
    winter = [b for b in report.binaries if b.name == "WinterBoard.dylib"]
    assert len(report.binaries) == 123 and len(winter) == 1 and problems == []
    assert (
        winter[0].debug_id is None and winter[0].path == "/Library/MobileSubstrate/DynamicLibraries/WinterBoard.dylib"
    )


def test_handler_crash_is_its_own_exception() -> None:
    # before: the recrash's thread 7 was merged into the app's threads (listed twice), its crash shown nowhere
    _sub, report, _problems = _read("kscrash_CrashInHandler_recrash.txt")
    recrash = [e for e in report.exceptions if e.relation == "recrash"]
    assert len(recrash) == 1
    assert recrash[0].type == (
        "Handler crashed while reporting: EXC_BAD_ACCESS (SIGBUS): KERN_PROTECTION_FAILURE at 0x00000000"
    )
    assert "Attempted to dereference null pointer." in recrash[0].message
    assert [t.id for t in report.threads] == [*(str(n) for n in range(8)), "handler crash 7"]
    handler = report.threads[-1]
    assert handler.name == "Handler crashed while reporting: KSCrash Exception Handler (Primary)"
    assert [f.function for f in handler.frames][:3] == ["__vfprintf", "vfprintf_l", "printf"]
    assert len(handler.frames) == 9 and not handler.crashed and handler.registers["pc"] == "0x3625d1dc"
    assert report.crashed_thread.id == "0" and report.counts()["frames"] == 46
    assert report.metadata["Handler crashed while reporting"]["Header"]["Crashed Thread"] == "7"


def test_titles_lead_with_the_human_reason() -> None:
    assert _read("kscrash_NSException.txt")[1].summary.title == (
        "NSInvalidArgumentException: -[__NSArrayI objectForKey:]: unrecognized selector sent to instance "
        "0x1e59bc50 — EXC_CRASH (SIGABRT)"
    )
    assert _read("rollbar-apple_ios-simulator_swift-index-out-of-range.crash")[1].summary.title == (
        "Fatal error: Index out of range — EXC_BREAKPOINT (SIGTRAP): KERN_INVALID_ADDRESS at 0x000000018bd55e10"
    )
    assert _read("appcenter-apple_live_report_exception.plcrash")[1].summary.title.startswith(
        "NSRangeException: *** -[__NSArrayI objectAtIndex:]: index 23 beyond bounds for empty array — SIGABRT"
    )
    nsexc = _read("kscrash_NSException.txt")[1].exceptions
    assert [(e.type, e.depth, e.relation) for e in nsexc] == [
        ("NSInvalidArgumentException", 0, None),
        ("EXC_CRASH (SIGABRT)", 1, "signal"),
    ]
    swift = _read("rollbar-apple_ios-simulator_swift-index-out-of-range.crash")[1].exceptions
    assert next((e.type, e.message) for e in swift) == ("Fatal error", "Index out of range")
    assert swift[1].type == "EXC_BREAKPOINT (SIGTRAP)" and swift[1].relation == "signal"


def test_hostile_lines_are_read_in_linear_time() -> None:
    """Each of these took minutes with the old backtracking expressions (a 24 KB line of spaces: 8.8 s, and the
    work grew with the square of the length); at these sizes a quadratic parser would hit pytest's timeout."""
    spaces = " " * 3_000_000
    hostile = [
        "Thread 0 Crashed:\n0   App   0x1 " + spaces + "x\n",
        "Thread 0 Crashed:\n" + ("0   App   0x1 sym" + " " * 4000 + "\n") * 2000,
        "Exception Type:" + spaces + "\n",
        "Thread 0 crashed with" + " Thread State" * 300_000 + "\n",
        "Binary Images:\n" + ("0x1 - 0x2 " + "a " * 2000 + "\n") * 2000,
        # nested handler-crash markers (each one re-read the rest: quadratic, and a RecursionError at ~1000)
        ("Handler crashed while reporting:\nThread 0 Crashed:\n0 App 0x1 f + 1\n") * 20_000,
        # one header value continued for ever, the same section header again and again
        "CrashDoctor Diagnosis: x\n" + "more text\n" * 200_000,
        "Notable Addresses:\nx\n\n" * 100_000,
        ("Thread 0 crashed with ARM Thread State:\n" + "a" * 4000 + "\n") * 2000,
    ]
    for text in hostile:
        crash = parse_text(text)
        assert all(len(p.message) < 300 for p in crash.problems)


def test_a_number_of_thousands_of_digits_is_not_a_traceback(tmp_path: Path) -> None:
    big = "9" * 5000
    text = (
        f"Incident Identifier: X\nReport Version: {big}\nCrashed Thread: {big}\nProcess: a [{big}]\n"
        f"Parent Process: b [{big}]\n\nThread {big} Crashed:\n0  App  0x1 sym + {big}\n\nBinary Images:\n"
        "0x1 - 0x2 App arm64 <00> /a\n"
    )
    path = tmp_path / "big.crash"
    path.write_text(text)
    for command in (["show", str(path)], ["convert", "--to", "appcenter", str(path)]):
        done = subprocess.run(
            [sys.executable, "-m", "inspector", *command], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0 and "Traceback" not in done.stderr
    ips = tmp_path / "big.ips"
    ips.write_text('{"bug_type":"309"}\n{"pid": ' + big + "}\n")
    done = subprocess.run(
        [sys.executable, "-m", "inspector", "show", str(ips)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "line 2" in done.stderr


def test_long_line_is_cut_with_one_warning() -> None:
    sub = load_bytes(("Incident Identifier: X\nThread 0 Crashed:\n0 App 0x1 " + "y" * (MAX_LINE * 3) + "\n").encode())
    problems = [p.message for p in validate(sub)]
    assert any(f"only its first {MAX_LINE} are read" in m for m in problems)


def test_kernel_panic_ips_shows_the_panic_string() -> None:
    """No kernel panic .ips under a permissive licence was found in public repositories (they live in blog posts
    and issue comments); this one follows the field names of the published panic-full reports (bug_type 210:
    header line, then build / product / kernel / date / panicString / panicFlags)."""
    body = (
        b'{"bug_type":"210","timestamp":"2021-11-03 13:06:45.00 -0400","os_version":"iPhone OS 14.6 (18F72)",'
        b'"incident_id":"D6CE2A99-9C2A-49E4-8150-D648AC1F3BE6"}\n'
        b'{"build":"iPhone OS 14.6 (18F72)","product":"iPhone10,4","kernel":"Darwin Kernel Version 20.5.0",'
        b'"date":"2021-11-03 13:06:45.03 -0400","panicString":"panic(cpu 2 caller 0xfffffff028aff2d4): Unaligned '
        b'kernel data abort.\\nDebugger message: panic","panicFlags":"0x0"}\n'
    )
    sub = load_bytes(body)
    (report,) = reports(sub)
    # before: title "Crash", nothing else
    assert report.summary.title == "Kernel panic: panic(cpu 2 caller 0xfffffff028aff2d4): Unaligned kernel data abort."
    assert report.metadata["Panic string"].endswith("Debugger message: panic")
    assert report.summary.device == "iPhone10,4"
    problems = validate(sub)
    assert [p.message for p in problems if "kernel report" in p.message]
    assert not [p for p in problems if "no thread backtraces" in p.message]


def test_force_reset_ips_says_plainly_it_is_a_kernel_report() -> None:
    body = (
        b'{"bug_type":"151","timestamp":"2023-05-24 13:22:01.00 -0700","os_version":"iPhone OS 15.7.6 (19H349)"}\n'
        b'{"processByPid":{"0":{"pid":0,"procname":"kernel_task"},"2143":{"pid":2143,"procname":"SpringBoard"}}}\n'
    )
    sub = load_bytes(body)
    (report,) = reports(sub)
    assert report.summary.title == "Kernel report (bug_type 151): no panic string, no app threads"
    assert report.metadata["Processes"] == "2 processes: kernel_task, SpringBoard"
    assert any("without a panic string" in p.message for p in validate(sub))


def test_a_deadlock_report_has_no_signal_but_its_diagnosis() -> None:
    # KSCrash's watchdog writes "Exception Type: 0 (0)": before, the title was "0 (0)"
    _sub, report, problems = _read("kscrash_MainThreadDeadlock.txt")
    # and its line "Application main thread deadlocked" is the reporter's statement (before: "not understood")
    assert problems == [] and report.metadata["Notes"] == "Application main thread deadlocked"
    assert report.summary.title == "Main thread deadlocked in __19-[Crasher deadlock]_block_invoke"
    assert [(e.type, e.message) for e in report.exceptions] == [
        ("Diagnosis", "Main thread deadlocked in __19-[Crasher deadlock]_block_invoke")
    ]
    assert report.crashed_thread.frames[0].function == "semaphore_wait_signal_trap"


# ------------------------------------------------------------------ Apple's own macOS reports (idb's fixtures)


def test_macos_trailing_sections_after_binary_images_are_metadata() -> None:
    """A real macOS 10.11 report: after Binary Images come External Modification Summary and VM Region Summary,
    whose table follows a whitespace-only line. Before: 23 warnings ("line 246 was not understood: 'VIRTUAL
    REGION'" …) and the table lost; now the images end at the blank line and both sections are metadata."""
    _sub, report, problems = _read("idb_macos-10.11_simulator-app_NSInvalidArgumentException.crash")
    assert problems == []
    assert len(report.binaries) == 124 and report.binaries[-1].name == "dyld"
    external = report.metadata["External Modification Summary"]
    assert external.splitlines()[0] == "  Calls made by other processes targeting this process:"
    assert external.splitlines()[-1].strip() == "thread_set_state: 3726"
    vm = report.metadata["VM Region Summary"].splitlines()
    assert vm[0].startswith("ReadOnly portion of Libraries: Total=148.9M")
    assert any(line.startswith("REGION TYPE") for line in vm)
    assert vm[-1].split() == ["TOTAL", "667.1M", "606"]
    assert not any(key.startswith("Calls made by") for key in report.metadata)


def test_macos_application_specific_backtrace_is_the_exceptions_stack() -> None:
    """``Application Specific Backtrace 1:`` holds the uncaught NSException's frames (before: kept as text, the
    exception had 0 frames)."""
    _sub, report, problems = _read("idb_macos-10.11_simulator-assetsd_NSInternalInconsistencyException.crash")
    assert problems == []
    exc = report.exceptions[0]
    assert (exc.type, exc.message) == ("NSInternalInconsistencyException", "notify_get_state() failed.")
    assert len(exc.frames) == 16 and exc.frames[0].function == "__exceptionPreprocess"
    assert "Application Specific Backtrace 1" not in report.metadata
    assert report.counts()["binaries"] == 195 and len(report.threads) == 9


def test_json_ips_309_from_xctest() -> None:
    sub, report, problems = _read("idb_xctest_bug-type-309_EXC_BREAKPOINT.ips")
    assert problems == []
    assert sub.kind == "Apple crash report (.ips, bug_type 309)"
    assert report.summary.title == "EXC_BREAKPOINT (SIGTRAP)"
    assert report.counts()["threads"] == 3 and report.counts()["binaries"] == 8
    assert report.crashed_thread is not None and report.crashed_thread.frames


def test_trailing_sections_keep_their_blank_lines_until_a_new_title() -> None:
    """The order of Apple's CrashReporter template (OSAnalytics): Binary Images, Error Formulating Crash Report,
    Filtered syslog, EOF. Typed after that template, not a real report (none under a permissive licence was
    found: see tests/corpus/SOURCES.md)."""
    crash = parse_text(
        "Incident Identifier: X\nException Type:  EXC_CRASH (SIGABRT)\n\nThread 0 Crashed:\n"
        "0   libsystem_kernel.dylib        \t0x00000001b2a1d414 0x1b29f5000 + 164884\n\n"
        "Binary Images:\n"
        "0x1b29f5000 - 0x1b2a2efff libsystem_kernel.dylib arm64e  <a0ccb8b0d0a838d2a8a1c2b3f51e3b4c> "
        "/usr/lib/system/libsystem_kernel.dylib\n\n"
        "Error Formulating Crash Report:\nSymbolication has been requested by preference.\n\n"
        "Filtered syslog:\nTimestamp   Type Thread  Act Process[pid] (Sender)\n\n"
        "2024-03-20 19:51:39.1580 -0700    info 0x3619f 0x129455 AppStore[6492] (UIAccessibility): posted\n\n"
        "EOF\n"
    )
    assert crash.problems == [] and len(crash.images) == 1
    assert crash.sections["Error Formulating Crash Report"] == "Symbolication has been requested by preference."
    assert crash.sections["Filtered syslog"].splitlines()[-1].startswith("2024-03-20 19:51:39.1580")


# ------------------------------------------------------------------ a real kernel panic (issue 17 item 12)

PANIC = "zeroxjf_ios-26.1_panic-full_bug-type-210_AppleSEPKeyStore-UAF.ips"


def test_real_kernel_panic_shows_panic_string_panicked_thread_kexts_and_os() -> None:
    """A real panic-full .ips (iOS 26.1, research by Johnny Franks, @zeroxjf: CVE-2026-20637, MIT with
    attribution). Before: the title and "0 threads, 0 frames, 0 binaries"; now the panicked thread's backtrace
    from the panic string, the kexts in it (with their UUIDs, for symbolication), the header lines, and the same
    thread as the stackshot saw it (kernel and user frames against binaryImages)."""
    sub, report, problems = _read(PANIC)
    assert report.summary.title == (
        "Kernel panic: panic(cpu 4 caller 0xfffffff015b84ae0): [iokit.IOCommandGate]: element modified after free "
        "(off:72, val:0xfffffffffffffe00, sz:80, ptr:0xffffffe69b7d0db0)"
    )
    assert (report.summary.os, report.summary.device) == ("iPhone OS 26.1 (23B85)", "iPhone12,5")
    header = report.metadata["Header"]
    assert header["Panicked task"] == "Test [956]"
    assert (header["OS Build"], header["Paniclog version"], header["Loaded kexts"]) == ("23B85", "15", "205")
    assert header["Kernel UUID"] == "7C461EDE-B045-324B-B329-721BED992270"
    assert report.metadata["Loaded kexts"].splitlines()[0] == "com.apple.driver.AppleUSBEthernetDevice 7.0"

    panicked = report.crashed_thread
    assert panicked is not None and panicked.name == "panicked thread (tid 51809)"
    assert len(panicked.frames) == 21 and panicked.frames[0].address == 0xFFFFFFF0153955C8
    assert panicked.frames[0].module == "kernel"  # kernel space and in none of the kexts in the backtrace
    assert (panicked.frames[20].address, panicked.frames[20].module) == (0x245A83CD4, None)  # user space
    in_kext = [f for f in panicked.frames if f.module == "com.apple.driver.AppleSEPKeyStore"]
    assert [f.address for f in in_kext] == [0xFFFFFFF016A554B0]
    kexts = {b.name: b for b in report.binaries}
    sep = kexts["com.apple.driver.AppleSEPKeyStore"]
    assert (sep.version, sep.debug_id, sep.start) == ("2.0", "AD3CDADB-06B6-32F5-9E47-9889901353CA", 0xFFFFFFF016A47020)
    assert len([b for b in report.binaries if b.name.startswith("com.apple.")]) == 8

    shot = report.threads[1]
    assert shot.name == "Test thread 51809 (stackshot: kernel, then user frames)" and not shot.crashed
    assert len(shot.frames) == 23
    assert shot.frames[0].module == "kernel" and kexts["kernel"].debug_id == header["Kernel UUID"]
    assert [f.module for f in shot.frames][17:] == ["dyld_shared_cache"] * 3 + ["Test"] + ["dyld_shared_cache"] * 2
    assert [p.severity.value for p in problems] == ["info"]
    assert "the panicked kernel thread (21 frames" in problems[0].message
    assert sub.kind == "Apple crash report (.ips, bug_type 210)"
    done = subprocess.run([sys.executable, "-m", "inspector", "validate", str(CORPUS / PANIC)], capture_output=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_x86_64_panic_text_backtrace_and_next_line_keys() -> None:
    """The x86_64 form (``Backtrace (CPU n), Frame : Return Address``, ``Mac OS version:`` with the value on the
    next line), typed from XNU's paniclog format strings: no x86_64 panic under a permissive licence was found."""
    from inspector.formats.apple_model import AppleCrash
    from inspector.formats.apple_panic import read_panic_text

    crash = AppleCrash(source="ips")
    read_panic_text(
        crash,
        "panic(cpu 2 caller 0xffffff80139215cd): Kernel trap at 0xffffff7f9838d111, type 14=page fault\n"
        "Backtrace (CPU 2), Frame : Return Address\n"
        "0xffffff83be6abb40 : 0xffffff80139215cd \n"
        "0xffffff80727fbef0 : 0xffffff7f9838d111 mach_kernel : _mach_call_munger64 + 0x22b\n"
        "      Kernel Extensions in backtrace:\n"
        "         com.apple.iokit.IOUSBFamily(900.4.2)[B3A7BE9C-2002-3891-B7D1-A84CEA0AC9E0]"
        "@0xffffff7f9838c000->0xffffff7f98426fff\n"
        "            dependency: com.apple.iokit.IOPCIFamily(2.9)[2CE7BCB3-0766-3A94-A5C3-E1F6AE0E3E3A]"
        "@0xffffff7f96787000\n\n"
        "BSD process name corresponding to current thread: kernel_task\n\n"
        "Mac OS version:\n17G9016\n\nKernel version:\nDarwin Kernel Version 17.7.0\n",
        "/macOSPanicString",
    )
    (thread,) = crash.threads
    assert thread.crashed and [f.address for f in thread.frames] == [0xFFFFFF80139215CD, 0xFFFFFF7F9838D111]
    assert (thread.frames[1].binary, thread.frames[1].symbol, thread.frames[1].offset) == (
        "mach_kernel",
        "_mach_call_munger64",
        0x22B,
    )
    assert [i.name for i in crash.images] == ["com.apple.iokit.IOUSBFamily", "com.apple.iokit.IOPCIFamily"]
    assert crash.images[1].end is None
    assert (crash.header["OS Build"], crash.header["Kernel"], crash.header["Panicked task"]) == (
        "17G9016",
        "Darwin Kernel Version 17.7.0",
        "kernel_task",
    )


def test_what_the_reporter_could_not_gather_is_a_note_not_a_warning() -> None:
    """Lines copied from real reports of iOS 14.7.1 / 15.0 and macOS 11.5 / 12.3 (xsscx/srd's ``crashes/``: about 200
    reports whose licence is unclear, so none is in the corpus; see tests/corpus/SOURCES.md). Before: "line N was not
    understood" for each statement, for the rule lines of a translated report and for "Error Formulating Crash
    Report:" with its text on the title's own line (iOS 15)."""
    crash = parse_text(
        "-------------------------------------\nTranslated Report (Full Report Below)\n"
        "-------------------------------------\n\nProcess:             conftest [19288]\n"
        "OS Version:          iPhone OS 15.0 (19A5281h)\n\nkernel messages:\n\nBacktrace not available\n\n"
        "Thread 0 instruction stream not available.\n\nThread 0 last branch register state not available.\n\n"
        "No thread state (register information) available\n\nBinary Images:\n"
        "       0x100298000 -        0x10030ffff debugserver arm64e  <54186028cc6b35dfaf1be2fd9ab24404> /usr/bin/ds\n\n"
        "Error Formulating Crash Report:thread_get_state(PAGEIN) returned 0x10000003: (ipc/send) invalid destination "
        "port\nthread_get_state(EXCEPTION) returned 0x10000003: (ipc/send) invalid destination port\n\nEOF\n"
    )
    assert crash.problems == [] and len(crash.images) == 1
    assert crash.sections["Notes"].splitlines() == [
        "Translated Report (Full Report Below)",
        "Backtrace not available",
        "Thread 0 instruction stream not available.",
        "Thread 0 last branch register state not available.",
        "No thread state (register information) available",
    ]
    assert crash.sections["Error Formulating Crash Report"].splitlines() == [
        "thread_get_state(PAGEIN) returned 0x10000003: (ipc/send) invalid destination port",
        "thread_get_state(EXCEPTION) returned 0x10000003: (ipc/send) invalid destination port",
    ]
    assert "kernel messages" not in crash.sections or crash.sections["kernel messages"] == ""
    sub = load_bytes(
        b"Process:             conftest [19288]\nOS Version:          macOS 12.3.1 (21E258)\n"
        b"Report Version:      104\n\n"
        b"Exception Type:  EXC_CRASH (SIGKILL (Code Signature Invalid))\n\n"
        b"Backtrace not available\n\nBinary Images:\nBinary images description not available\n\nEOF\n"
    )
    said = {(p.severity.value, p.message) for p in validate(sub)}
    assert ("info", "the reporter wrote 'Backtrace not available': no thread backtraces to symbolicate") in said
    assert ("info", "the reporter wrote 'Binary images description not available'") in said
    assert not [m for sev, m in said if sev != "info"]


def test_our_apple_to_rollbar_output_opens_with_the_apple_stack(tmp_path: Path) -> None:
    """Issue 17 item 2 end to end: ``convert --to rollbar`` writes ``body.crash_report.raw`` (the shape rollbar-apple
    sends); the written file, read back by ``show --json``, has the threads, frames and binaries of the Apple file
    (before: 0 threads, 0 frames, 0 binaries and the title "crash report: SIGSEGV")."""
    import json

    for name in ("rollbar-apple_ios-simulator_swift-index-out-of-range.crash", "kscrash_CrashInHandler_recrash.txt"):
        out = tmp_path / f"{name}.rollbar.json"
        cli = [sys.executable, "-m", "inspector"]
        done = subprocess.run(
            [*cli, "convert", "--to", "rollbar", "-o", str(out), str(CORPUS / name)], capture_output=True
        )
        assert done.returncode == 0, done.stderr
        assert list(json.loads(out.read_text())["data"]["body"]) == ["crash_report"]
        readings = []
        for path in (CORPUS / name, out):
            shown = subprocess.run([*cli, "show", "--json", str(path)], capture_output=True, text=True)
            (report,) = json.loads(shown.stdout)["reports"]
            readings.append((report["threads"], report["frames"], report["binaries"]))
        assert readings[0] == readings[1] and readings[0][1] > 0, name
