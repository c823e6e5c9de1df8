"""A form edit of a big document whose text was never made (above ``PREPARE_TEXT_LIMIT`` the text is made only when
the raw view is shown) does not make it on the GUI thread: the thread pool makes it a moment later, from the file
with the edits spliced in. The text is the same as before (made at once, then spliced), so the raw view, undo/redo
and a save give the same text and bytes."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import orjson
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from inspector.compose.locate import splice
from inspector.formats import load_path
from inspector.formats.jsondoc import Document
from inspector.formats.lazy_json import is_chunked
from inspector.services.document_text import initial_text
from inspector.ui.document import open_document
from inspector.ui.document.editor import EditorWidget
from inspector.ui.document.forms import FormsWidget
from inspector.ui.window.main_window import MainWindow
from tests.ui.backtrace_payloads import backtrace_value

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _value() -> dict[str, object]:
    return backtrace_value()


def _opened(window: MainWindow, tmp_path: Path, data: bytes) -> tuple[Any, Any]:
    """The window's view and document of ``data`` opened from a file (read-only, as File > Open does)."""
    path = tmp_path / "big.json"
    path.write_bytes(data)
    window.open_submission(load_path(str(path)), path.name, path)
    view = window.current_view()
    assert view is not None
    return view, view.document


#: As written by a person (4 spaces: the text is the file's), and minified (the text is pretty-printed from it).
PAYLOADS = {
    "indented": json.dumps(_value(), indent=4).encode(),
    "minified": orjson.dumps(_value()),
}


@pytest.fixture
def made_on(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    """The threads the document's text was made on (the real function runs)."""
    threads: list[threading.Thread] = []
    real = open_document.initial_text

    def recording(*args: object, **kwargs: object) -> str:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(open_document, "initial_text", recording)
    return threads


@pytest.fixture
def derived_on(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    """The threads the document's reports were derived on (the real format answers)."""
    threads: list[threading.Thread] = []
    real = open_document.get_format

    def recording(name: str) -> object:
        threads.append(threading.current_thread())
        return real(name)

    monkeypatch.setattr(open_document, "get_format", recording)
    return threads


@pytest.fixture
def window(qtbot, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    monkeypatch.setattr(open_document, "BIG_DOCUMENT", 1024)  # this payload is "big": the big document paths
    monkeypatch.setattr(open_document, "PREPARE_TEXT_LIMIT", 1024)  # and too big to get its text made after opening
    monkeypatch.setattr(open_document, "FIRST_VALIDATION_DELAY_MS", 0)
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1100, 700)
    win.show()
    return win


def _press(target, keys: str) -> None:
    combo = QKeySequence(keys)[0]
    QTest.keyClick(target, combo.key(), combo.keyboardModifiers())


@pytest.mark.parametrize("shape", sorted(PAYLOADS))
def test_a_form_edit_before_the_text_exists_makes_it_off_the_gui_thread(
    qtbot,
    window: MainWindow,
    made_on: list[threading.Thread],
    derived_on: list[threading.Thread],
    tmp_path: Path,
    shape: str,
) -> None:
    data = PAYLOADS[shape]
    view, doc = _opened(window, tmp_path, data)
    assert doc.is_big and doc.read_only and not doc.has_text
    qtbot.waitUntil(lambda: not doc.validating, timeout=30000)
    qtbot.mouseClick(view.read_only_bar.copy_button, Qt.MouseButton.LeftButton)  # Edit a Copy
    assert not doc.read_only

    derived_on.clear()
    old_reports = doc.reports
    forms = FormsWidget()  # the Compose panel's forms, as the user edits them
    qtbot.addWidget(forms)
    forms.set_document(doc)
    forms.resize(900, 700)
    forms.show()
    host = forms.findChild(QLineEdit, "field:device.host")  # /attributes/hostname
    qtbot.mouseClick(host, Qt.MouseButton.LeftButton)
    host.selectAll()
    QTest.keyClicks(host, "edited-host")
    QTest.keyClick(host, Qt.Key.Key_Return)  # a value set: the value is spliced

    # the edit is done (document, undo stack); the text is not made here, on the GUI thread
    assert doc.document.value["attributes"]["hostname"] == "edited-host"
    assert doc.undo_stack.count() == 1 and doc.modified
    assert not doc.has_text and made_on == []
    # its reports, derived again on the thread pool
    qtbot.waitUntil(lambda: doc.reports is not old_reports, timeout=30000)
    assert [t.name for t in doc.reports[0].threads if t.name == "worker-5"]
    assert derived_on and all(t is not threading.main_thread() for t in derived_on)

    # a key removed: its container is spliced (copied as it is after the edit; a chunked container, as every one
    # with CRASH_INSPECTOR_TEST_LAZY=1, is not copied: that edit makes the text at once, as before)
    chunked = is_chunked(doc.document.value["threads"])
    threads = forms.lists["threads"]
    row = threads.model.index(5)
    threads.view.scrollTo(row)
    qtbot.mouseClick(threads.view.viewport(), Qt.MouseButton.LeftButton, pos=threads.view.visualRect(row).center())
    qtbot.mouseClick(forms.findChild(QPushButton, "threads:remove"), Qt.MouseButton.LeftButton)
    assert "5" not in doc.document.value["threads"] and doc.undo_stack.count() == 2
    assert doc.has_text if chunked else not doc.has_text and made_on == []

    # the text as it was made before: the file's text made at once, then each edit spliced into it
    before = initial_text(Document.from_bytes(data))
    after_host = splice(before, "/attributes/hostname", "edited-host")
    assert after_host is not None
    threads_after = {k: v for k, v in _value()["threads"].items() if k != "5"}  # type: ignore[attr-defined]
    expected = splice(after_host, "/threads", threads_after)
    assert expected is not None and '"worker-5"' not in expected

    qtbot.waitUntil(lambda: doc.has_text, timeout=30000)  # made on the thread pool a moment later
    assert made_on and (chunked or all(t is not threading.main_thread() for t in made_on))
    assert doc.text == expected
    saved, _ext = doc.save_data()
    assert saved == expected.encode("utf-8")
    if shape == "indented":  # the user's formatting survives: only the edited values changed
        assert saved.startswith(data[: data.index(b'"threads"')])

    # the raw view shows the edited text (the editor, once made)
    window.activateWindow()  # back from the forms' window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    _press(window, "Alt+9")  # View › Raw
    qtbot.waitUntil(lambda: isinstance(view.raw_view.real, EditorWidget) and view.raw_view.real.loaded, timeout=30000)
    editor = view.raw_view.real
    assert editor.text() == expected

    # undo and redo (keys in the raw view) give the exact texts back
    qtbot.mouseClick(editor.edit.viewport(), Qt.MouseButton.LeftButton)
    _press(editor.edit, "Ctrl+Z")
    qtbot.waitUntil(lambda: doc.undo_stack.index() == 1)
    assert doc.text == after_host and editor.text() == after_host
    _press(editor.edit, "Ctrl+Z")
    qtbot.waitUntil(lambda: doc.undo_stack.index() == 0)
    assert doc.text == before and doc.document.value["attributes"]["hostname"] == "qa-1"
    _press(editor.edit, "Ctrl+Y")
    _press(editor.edit, "Ctrl+Y")
    qtbot.waitUntil(lambda: doc.undo_stack.index() == 2)
    assert doc.text == expected and editor.text() == expected
    assert doc.save_data()[0] == expected.encode("utf-8")
    assert chunked or all(t is not threading.main_thread() for t in made_on)
    qtbot.waitUntil(lambda: not doc.validating, timeout=30000)  # not left running into the next test


def test_a_form_edit_of_a_text_too_big_for_the_editor_is_spliced_off_the_gui_thread(
    qtbot, window: MainWindow, made_on: list[threading.Thread], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector.ui.document.editor import widget
    from inspector.ui.document.editor.widget import TooBigToEdit
    from inspector.ui.document.line_view import BigRawView

    monkeypatch.setattr(widget, "EDIT_LIMIT", 1024)  # as PREPARE_TEXT_LIMIT: no editor takes it, the read-only view
    spliced_on: list[threading.Thread] = []
    real_splice = open_document.splice

    def recording(*args: object) -> str | None:
        spliced_on.append(threading.current_thread())
        return real_splice(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(open_document, "splice", recording)
    data = PAYLOADS["minified"]
    view, doc = _opened(window, tmp_path, data)
    qtbot.waitUntil(lambda: not doc.validating, timeout=30000)
    qtbot.mouseClick(view.read_only_bar.copy_button, Qt.MouseButton.LeftButton)  # Edit a Copy
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    _press(window, "Alt+9")  # View › Raw: the read-only view of the big text (its text made on the pool)
    assert isinstance(view.raw_view, BigRawView)
    # (has_text first: reading an attribute of the raw view before its text arrived makes the text at once, here)
    qtbot.waitUntil(lambda: doc.has_text and view.raw_view.loaded, timeout=30000)

    forms = FormsWidget()
    qtbot.addWidget(forms)
    forms.set_document(doc)
    forms.show()
    host = forms.findChild(QLineEdit, "field:device.host")  # /attributes/hostname
    for value in ("first-host", "second-host"):  # (the text exists before the second: made after the first)
        qtbot.mouseClick(host, Qt.MouseButton.LeftButton)
        host.selectAll()
        QTest.keyClicks(host, value)
        QTest.keyClick(host, Qt.Key.Key_Return)
        assert doc.document.value["attributes"]["hostname"] == value
        assert not doc.has_text  # spliced on the thread pool
        qtbot.waitUntil(lambda: doc.has_text, timeout=30000)
    assert spliced_on and all(t is not threading.main_thread() for t in spliced_on)
    assert made_on and all(t is not threading.main_thread() for t in made_on)

    before = initial_text(Document.from_bytes(data))
    first = splice(before, "/attributes/hostname", "first-host")
    assert first is not None
    expected = splice(first, "/attributes/hostname", "second-host")
    assert doc.text == expected and doc.save_data()[0] == expected.encode("utf-8")
    # the raw view (Edit put the read-only view saying why it does not edit it in its place) shows the new text
    shown = view.raw_view.real
    assert isinstance(shown, TooBigToEdit) and shown.isVisible()
    qtbot.waitUntil(lambda: shown.loaded, timeout=30000)
    assert shown.view.view.source.buffer is doc.text

    doc.undo_stack.undo()
    qtbot.waitUntil(lambda: doc.has_text, timeout=30000)
    assert doc.text == first
    doc.undo_stack.redo()
    qtbot.waitUntil(lambda: doc.has_text, timeout=30000)
    assert doc.text == expected
    qtbot.waitUntil(lambda: not doc.validating, timeout=30000)  # not left running into the next test
