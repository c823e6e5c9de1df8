"""An edit of a big document keeps the window's event loop turning: the edit itself (document, text) happens at
once, the reports are derived again in a later event-loop turn, the problems when the validation on the pool ends;
meanwhile the document says its problems are being checked. The many objects of a big document's reports are kept
out of the cyclic collector's walks (a full collection held the GIL 25-56 ms), and a closed tab gives them back."""

from __future__ import annotations

import gc
import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from inspector.compose.locate import locate, render_value, splice
from inspector.formats import load_bytes
from inspector.formats.jsondoc import Edit
from inspector.ui.document import open_document
from inspector.ui.document.forms import FormsWidget
from inspector.ui.window.main_window import MainWindow
from tests.ui.backtrace_payloads import backtrace_value

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _payload() -> bytes:
    return json.dumps(backtrace_value(), indent=2).encode()


@pytest.fixture
def window(qtbot, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    monkeypatch.setattr(open_document, "BIG_DOCUMENT", 1024)  # this payload is "big": the big document paths
    monkeypatch.setattr(open_document, "FIRST_VALIDATION_DELAY_MS", 0)
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    return win


def _thread_names(doc: open_document.OpenDocument) -> list[str]:
    return [t.name for t in doc.reports[0].threads]


def test_a_form_edit_of_a_big_document_re_derives_in_a_later_turn(qtbot, window: MainWindow) -> None:
    window.open_submission(load_bytes(_payload(), source_name="big.json"), "big.json", Path("big.json"))
    view = window.current_view()
    assert view is not None
    doc = view.document
    assert doc.is_big
    qtbot.waitUntil(lambda: not doc.validating, timeout=30000)
    assert not doc.problems or all(not p.pointer.startswith("/threads/5") for p in doc.problems)
    old_reports = doc.reports
    assert "worker-5" in _thread_names(doc)

    forms = FormsWidget()  # the Compose panel's forms, as the user edits them
    qtbot.addWidget(forms)
    forms.set_document(doc)
    forms.resize(900, 700)
    forms.show()
    threads = forms.lists["threads"]
    row = threads.model.index(5)
    threads.view.scrollTo(row)
    qtbot.mouseClick(threads.view.viewport(), Qt.MouseButton.LeftButton, pos=threads.view.visualRect(row).center())
    assert threads.view.currentIndex().row() == 5
    qtbot.mouseClick(forms.findChild(QPushButton, "threads:remove"), Qt.MouseButton.LeftButton)

    # the edit itself is done: the document, the text and the undo stack
    assert "5" not in doc.document.value["threads"]
    assert '"worker-5"' not in doc.text
    assert doc.undo_stack.count() == 1 and doc.modified
    # the rest waits for the event loop: the reports are still the old ones, the problems are stale
    assert doc.reports is old_reports
    assert doc.validating
    qtbot.waitUntil(lambda: doc.reports is not old_reports, timeout=5000)
    assert "worker-5" not in _thread_names(doc)
    qtbot.waitUntil(lambda: not doc.validating, timeout=30000)

    # an invalid value: its problem shows once the validation ends
    doc.apply_edits([Edit("set", "/threads/7/stack/2/line", "two")], "break a line")
    assert doc.validating
    qtbot.waitUntil(lambda: not doc.validating, timeout=30000)
    assert any(p.pointer.startswith("/threads/7/stack/2") for p in doc.problems)

    doc.undo_stack.undo()  # undo takes the same path
    assert doc.validating
    qtbot.waitUntil(lambda: not doc.validating, timeout=30000)
    assert not any(p.pointer.startswith("/threads/7/stack/2") for p in doc.problems)
    assert "worker-4" in _thread_names(doc) and "worker-5" not in _thread_names(doc)


def test_a_big_documents_reports_are_kept_out_of_collections_until_its_tab_closes(qtbot, window: MainWindow) -> None:
    gc.unfreeze()
    window.open_submission(load_bytes(_payload(), source_name="big.json"), "big.json", Path("big.json"))
    view = window.current_view()
    assert view is not None
    thread = view.document.reports[0].threads[0]
    tracked = {id(o) for o in gc.get_objects()}
    assert id(thread) not in tracked  # frozen: full collections do not walk it
    assert gc.get_freeze_count() > 0
    del view, thread, tracked
    assert window.close_tab(0)
    assert gc.get_freeze_count() == 0  # a closed tab's garbage cycles may be among them: the collector sees them


def _pointers(value: object, here: str = "") -> list[str]:
    out = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _pointers(item, f"{here}/{key.replace('~', '~0').replace('/', '~1')}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _pointers(item, f"{here}/{index}")
    return out


def _two_copies(text: str, pointer: str, value: object) -> str | None:
    """The splice as it was written before its one-copy form: the reference."""
    where = locate(text, pointer)
    if where is None:
        return None
    pretty = "\n" in text[: min(len(text), 4096)].strip()
    line_start = text.rfind("\n", 0, where.start) + 1
    indent = re.match(r"[ \t]*", text[line_start : where.start])
    new = render_value(value, pretty=pretty, indent=indent.group() if indent else "")
    return text[: where.start] + new + text[where.end :]


@pytest.mark.parametrize("indent", [None, 2, 4], ids=["minified", "indent 2", "indent 4"])
def test_a_form_edits_one_copy_splice_writes_what_two_copies_write(indent: int | None) -> None:
    # repeated values and keys, so the value with its context often occurs earlier in the text too
    value = {
        "a": [1, 1, {"x": "same", "y": "same"}, [1, [1, 1]], "same"],
        "b": {"x": "same", "y": {"x": "same", "a": [1, 1]}},
        "c": "a ~ / \u00e9 \U0001f600",
        "d~/": [[], {}, None, True, 1.5],
        "e": [{"name": "worker", "stack": [{"line": 1, "file": "/srv/lib.so"}] * 3}] * 3,  # contexts repeat too
    }
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    for pointer in _pointers(value):
        for new in ("changed", 1, {"k": [1, {"z": None}]}, [], "same"):
            assert splice(text, pointer, new) == _two_copies(text, pointer, new), (pointer, new)
    assert splice(text, "/nothing", 1) is None
