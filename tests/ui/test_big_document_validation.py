"""A big document is validated on the thread pool in this process, over the tree the window holds (no child
process, no second copy): its problems arrive, an edit made meanwhile wins, undo comes back to the same problems,
and rules that fail say so once instead of being retried for ever."""

from __future__ import annotations

import json
import threading

import pytest

from inspector.formats import load_bytes
from inspector.formats.base import Severity
from inspector.formats.jsondoc import Edit
from inspector.ui.document import open_document as document_module
from inspector.ui.document.open_document import BIG_DOCUMENT, OpenDocument


def _big_batch(nesting: int = 0) -> bytes:
    frames = [{"className": f"io.ex.Service{i % 9}", "methodName": f"run{i % 4}", "lineNumber": i} for i in range(400)]
    logs = [
        {
            "type": "managedError",
            "id": f"00000000-0000-4000-8000-{n:012d}",
            "timestamp": "2026-11-20T10:00:00.000Z",
            "device": {
                "sdkName": "appcenter.android",
                "sdkVersion": "5.0.6",
                "osName": "Android",
                "osVersion": "14",
                "model": "Pixel",
                "locale": "en_US",
                "timeZoneOffset": 0,
                "appVersion": "1.0",
                "appBuild": "1",
                "appNamespace": "io.ex",
            },
            "processId": 1,
            "processName": "io.ex",
            "fatal": True,
            "appLaunchTimestamp": "2026-11-20T09:59:00.000Z",
            "exception": {"type": "java.lang.IllegalStateException", "message": "boom", "frames": frames},
        }
        for n in range(80)
    ]
    value: dict[str, object] = {"logs": logs}
    if nesting:
        deep: object = 1
        for _ in range(nesting):
            deep = {"d": deep}
        logs[1]["exception"]["innerExceptions"] = [deep]  # type: ignore[index]
    data = json.dumps(value, separators=(",", ":")).encode()  # (orjson writes at most 254 levels)
    assert len(data) > BIG_DOCUMENT
    return data


def _problems(doc: OpenDocument) -> list[tuple[str, str]]:
    return sorted((p.pointer, p.message) for p in doc.problems)


def test_problems_edits_and_undo_of_a_big_document(qtbot) -> None:
    doc = OpenDocument(load_bytes(_big_batch(), source_name="big.json"))
    assert doc.is_big and doc.validating
    qtbot.waitUntil(lambda: not doc.validating, timeout=60000)
    before = _problems(doc)
    assert not any(p.severity is Severity.ERROR for p in doc.problems)
    doc.apply_edits([Edit("set", "/logs/3/exception/frames/5/lineNumber", "five")], "break a line number")
    assert doc.validating
    qtbot.waitUntil(lambda: not doc.validating, timeout=60000)
    assert any(p.pointer.startswith("/logs/3/exception/frames/5") for p in doc.problems)
    doc.undo_stack.undo()
    qtbot.waitUntil(lambda: not doc.validating, timeout=60000)
    assert _problems(doc) == before
    assert json.loads(doc.save_data()[0]) == json.loads(_big_batch())  # undone: the original value (the text shown)


def test_an_edit_during_validation_wins(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    started, release = threading.Event(), threading.Event()
    real = document_module.validate

    def slow_first(sub):  # the first validation waits until the test has edited the document
        if not started.is_set():
            started.set()
            release.wait(30)
        return real(sub)

    monkeypatch.setattr(document_module, "validate", slow_first)
    doc = OpenDocument(load_bytes(_big_batch(), source_name="big.json"))
    qtbot.waitUntil(started.is_set, timeout=30000)  # it starts after the first paint (a timer): let the loop run
    doc.apply_edits([Edit("set", "/logs/0/exception/frames/0/lineNumber", "zero")], "break a line number")
    release.set()
    qtbot.waitUntil(lambda: not doc.validating, timeout=60000)
    assert any(p.pointer.startswith("/logs/0/exception/frames/0") for p in doc.problems)  # the edited tree's


def test_rules_that_fail_say_so_once(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def broken(_sub):
        calls.append(1)
        raise ValueError("a rule broke")

    monkeypatch.setattr(document_module, "validate", broken)
    doc = OpenDocument(load_bytes(_big_batch(), source_name="big.json"))
    qtbot.waitUntil(lambda: not doc.validating, timeout=60000)
    qtbot.wait(300)  # a retry would have been scheduled at once (a zero timer)
    assert len(calls) == 1
    assert [p.message for p in doc.problems] == ["this payload could not be checked: ValueError: a rule broke"]


def test_a_deeply_nested_big_document_is_validated_on_the_pool(qtbot) -> None:
    doc = OpenDocument(load_bytes(_big_batch(nesting=900), source_name="deep.json"))
    qtbot.waitUntil(lambda: not doc.validating, timeout=60000)
    assert doc.problems is not None  # finished, on a worker thread, without taking the process down
    assert not any("could not be checked" in p.message for p in doc.problems)


def test_the_first_validation_waits_for_the_first_paint(qtbot) -> None:
    """A big document says it is validating at once but starts its rules from a timer: the tab paints first."""
    doc = OpenDocument(load_bytes(_big_batch(), source_name="big.json"))
    assert doc.validating and doc._validation is None  # nothing on the pool yet: the GIL is the first paint's
    qtbot.waitUntil(lambda: doc._validation is not None, timeout=30000)
    qtbot.waitUntil(lambda: not doc.validating, timeout=60000)
    assert doc.problems is not None


def test_the_problems_view_says_the_check_is_running_until_it_ends(qtbot) -> None:
    """An empty Problems view of a big document does not claim "passed validation" before the check has ended."""
    from inspector.ui.document.document_view import DocumentView

    doc = OpenDocument(load_bytes(_big_batch(), source_name="big.json"))
    view = DocumentView(doc)
    qtbot.addWidget(view)
    view.show_view("problems")
    assert doc.validating and view.empty_notes["problems"].text.startswith("Checking the payload")
    qtbot.waitUntil(lambda: not doc.validating, timeout=60000)
    # the note shows only while the view has no rows; once the check has ended it says what an empty list means
    assert view.empty_notes["problems"].text == "No problems: the payload passed validation."
