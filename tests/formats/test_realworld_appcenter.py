"""App Center payloads written by the App Center Android SDK 5.0.6's own serializer (issue 17 item 3).

The SDK's model classes and ``DefaultLogSerializer`` were compiled from its MIT source and driven the way
``Crashes``/``ErrorLogHelper`` build a crash, a handled error and an NDK minidump report (tests/corpus/SOURCES.md).
Required-field rules come from the swagger and the docs; what only one source or an SDK asks for is at most a
warning, so what the SDK really sends must validate with exit 0.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from inspector.formats import load_path, reports, validate
from inspector.formats.base import Severity

CORPUS = Path(__file__).parent.parent / "corpus"
CAPTURES = sorted((CORPUS / "appcenter").glob("appcenter-android-5.0.6-serializer_*.json"))


def test_there_are_three_captures() -> None:
    assert [p.name.split("serializer_")[1] for p in CAPTURES] == [
        "handledError_properties.json",
        "managedError_cause_threads_text-attachment.json",
        "ndk-minidump_attachment.json",
    ]


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.name)
def test_real_sdk_output_validates_with_exit_0(path: Path) -> None:
    assert [p for p in validate(load_path(str(path))) if p.severity is Severity.ERROR] == []
    done = subprocess.run([sys.executable, "-m", "inspector", "validate", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_managed_error_with_cause_threads_and_attachment() -> None:
    sub = load_path(str(CAPTURES[1]))
    (report,) = reports(sub)
    assert report.summary.title == "java.lang.IllegalStateException: Could not open settings"
    outer, inner = report.exceptions
    assert (outer.type, len(outer.frames)) == ("java.lang.IllegalStateException", 2)
    assert (inner.type, inner.relation, inner.message) == (
        "java.lang.NumberFormatException",
        "inner exception",
        'For input string: "80a"',
    )
    assert [f.function for f in inner.frames][:2] == [
        "java.lang.NumberFormatException.forInputString",
        "java.lang.Integer.parseInt",
    ]
    assert report.crashed_thread is not None and report.crashed_thread.name == "main"
    assert len(report.threads) == 6
    (attachment,) = report.attachments
    assert (attachment.name, attachment.content_type) == ("log.txt", "text/plain")
    assert attachment.data() == b"user tapped Settings\nport=80a"


def test_ndk_minidump_report_with_placeholder_process_fields() -> None:
    """The SDK sends processId 0 and processName "" for a native crash ("placeholders because fields are
    required", Crashes.processSingleMinidump): both satisfy the swagger, so no error."""
    sub = load_path(str(CAPTURES[2]))
    (report,) = reports(sub)
    assert report.exceptions[0].type == "minidump"
    (dump,) = report.attachments
    assert dump.name == "minidump.dmp"
    assert dump.data() == (CORPUS / "minidump" / "rust-minidump_linux-mini.dmp").read_bytes()
    assert all(p.severity is not Severity.ERROR for p in validate(sub))


def test_handled_error_properties() -> None:
    (report,) = reports(load_path(str(CAPTURES[0])))
    assert report.kind == "handledError"
    assert report.metadata["Properties"] == {"screen": "Settings", "port": "80a"}
