"""Backtrace payloads of SDK versions we had not read (issue 17 items 3 and 4; issue 14 item 8).

``backtracepython-0.3.3_exception_3-threads_no-fault.json`` was captured here from backtracepython 0.3.3 (PyPI)
posting to a loopback recorder (tests/corpus/SOURCES.md): no thread has ``fault`` and the two worker threads are
``{"name": ...}`` without ``stack``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from inspector.formats import load_path, reports, validate
from inspector.formats.base import Severity
from inspector.toolkit.convert import convert

BT = Path(__file__).parent.parent / "corpus" / "backtrace"
OLD_PY = BT / "backtracepython-0.3.3_exception_3-threads_no-fault.json"
NODE = BT / "backtrace-node-0.8.3_exception_plain-json.json"


def test_threads_without_stack_are_not_errors() -> None:
    # before: 2 errors "missing required field 'stack'" and `validate` exit 1
    problems = validate(load_path(str(OLD_PY)))
    assert not [p for p in problems if p.severity is Severity.ERROR]
    no_stack = [p for p in problems if "has no 'stack'" in p.message]
    assert [p.pointer for p in no_stack] == ["/threads/139627182393024", "/threads/139627174000320"]
    assert all(p.severity is Severity.INFO and "BacktraceSubmitThread.ts" in p.rule for p in no_stack)
    done = subprocess.run(
        [sys.executable, "-m", "inspector", "validate", str(OLD_PY)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_fault_flag_falls_back_to_main_thread_and_says_so() -> None:
    sub = load_path(str(OLD_PY))
    (report,) = reports(sub)
    main = json.loads(OLD_PY.read_text())["mainThread"]
    assert report.crashed_thread is not None and report.crashed_thread.id == main
    assert [f.function for f in report.crashed_thread.frames] == ["load_config", "<module>"]
    said = [p for p in validate(sub) if p.pointer == f"/threads/{main}"]
    assert len(said) == 1 and "no thread is marked fault: true" in said[0].message and "(mainThread)" in said[0].message


def test_no_fault_flag_conversion_keeps_the_stack() -> None:
    # before: "/attributes/error.message -> /data/body/trace (KeyError: 'timeout', 0 frames)"
    # Rollbar lists the most recent call last, App Center first
    for target, frames_at, order in (
        ("rollbar", ("data", "body", "trace", "frames"), ["<module>", "load_config"]),
        ("appcenter", ("logs", 0, "exception", "frames"), ["load_config", "<module>"]),
    ):
        node = convert(load_path(str(OLD_PY)), target).value
        for key in frames_at:
            node = node[key]
        assert [f.get("method") or f.get("methodName") for f in node] == order, target


def test_node_error_stack_text_and_thread_stack_are_one_stack() -> None:
    """@backtrace/node sends the frames twice: threads.main.stack and annotations.error.stack (text)."""
    from inspector.ui.document.models.frame_text import exception_stacks

    (report,) = reports(load_path(str(NODE)))
    stacks = exception_stacks(report)
    assert sum(len(s.frames) for s in stacks) == 10  # before: 21 (10 thread frames + 11 lines of the text)
    assert report.counts()["frames"] == 10
    assert not any(s.from_text for s in stacks)
    assert report.exceptions[0].raw_stack is None
    assert report.metadata["annotations"]["error"]["stack"].startswith("TypeError: Cannot read")  # still reachable


def test_different_stack_text_is_kept() -> None:
    (report,) = reports(load_path(str(BT / "backtrace-node-0.8.3_error-cause.json")))
    assert report.exceptions[0].raw_stack is not None  # the cause has frames of its own: the text stays listed


# ------------------------------------------------------------------ the legacy backtrace-node SDK (npm), captured here

LEGACY_073 = BT / "backtrace-node-0.7.3_exception_no-fault.request.http"
LEGACY_120 = BT / "backtrace-node-1.2.0_exception_multipart.request.http"


def test_legacy_backtrace_node_0_7_sends_no_fault_flag_and_reads_main_as_crashed() -> None:
    """backtrace-node 0.7.3 (npm, MIT) posts plain JSON whose only thread has a stack and no ``fault``: the thread
    named by ``mainThread`` is the crashed one, the reader says so, and the stack is the one converted."""
    sub = load_path(str(LEGACY_073))
    (report,) = reports(sub)
    assert report.summary.title == "TypeError: Cannot read properties of undefined (reading 'port')"
    assert report.crashed_thread is not None and report.crashed_thread.id == "main"
    assert len(report.crashed_thread.frames) == 13 and report.crashed_thread.frames[0].function == "loadConfig"
    problems = validate(sub)
    assert [p.severity for p in problems] == [Severity.INFO]
    assert "no thread is marked fault: true; thread 'main' (mainThread)" in problems[0].message
    value = convert(sub, "rollbar").value
    assert [f["method"] for f in value["data"]["body"]["trace"]["frames"]][-1] == "loadConfig"


def test_legacy_backtrace_node_1_2_multipart_with_fault() -> None:
    """backtrace-node 1.2.0 (npm, MIT; axios, chunked multipart with one ``upload_file`` part) marks the thread."""
    sub = load_path(str(LEGACY_120))
    (report,) = reports(sub)
    assert "multipart upload_file part" in sub.detection.reason
    assert report.crashed_thread is not None and report.crashed_thread.crashed
    assert [f.function for f in report.crashed_thread.frames][:2] == ["loadConfig", "Object.<anonymous>"]
    assert validate(sub) == []
