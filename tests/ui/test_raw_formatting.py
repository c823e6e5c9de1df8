"""The raw view formats minified payloads for reading; the saved and sent bytes stay the file's until the user
formats on purpose (issue 14, item 4). Driven by clicks and keys in the real window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from inspector.formats import load_path
from inspector.services.document_text import is_minified
from inspector.ui.document.document_view import DocumentView
from inspector.ui.document.editor import EditorWidget
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.panels.send.request import BODY_AS_EDITED, with_body
from inspector.ui.window.main_window import MainWindow
from inspector.ui.window.preferences import current_settings

CORPUS = Path(__file__).parent.parent / "corpus"
MINIFIED = CORPUS / "rollbar" / "rollbarjs-node-3.1.0_trace_chain-error-cause_telemetry.json"

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on showing a window


def _raw_editor(qtbot, window: MainWindow, document: OpenDocument) -> EditorWidget:  # type: ignore[no-untyped-def]
    window.open_document(document)
    view = window.tabs.currentWidget()
    assert isinstance(view, DocumentView)
    view.show_view("raw")
    editor = view.findChild(EditorWidget)
    qtbot.waitUntil(lambda: editor.isVisible() and editor.loaded, timeout=10000)
    return editor


@pytest.fixture
def window(qtbot) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    return win


def test_minified_payload_reads_formatted_and_keeps_its_bytes(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    original = MINIFIED.read_bytes()
    assert is_minified(original)
    document = OpenDocument(load_path(str(MINIFIED)), path=MINIFIED)
    editor = _raw_editor(qtbot, window, document)
    assert editor.text().count("\n") > 20 and '\n  "data": {' in editor.text()  # readable
    assert not document.modified
    assert document.save_data()[0] == original  # saving writes the file's own bytes
    sent = with_body(document.submission, BODY_AS_EDITED, document.text)
    assert sent.document is not None and sent.document.to_bytes() == original  # and so does sending


def test_format_document_on_purpose_by_click_and_key(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(current_settings(), "format_raw_view", False)  # Preferences › Raw view off: as written
    original = MINIFIED.read_bytes()
    document = OpenDocument(load_path(str(MINIFIED)), path=MINIFIED)
    editor = _raw_editor(qtbot, window, document)
    assert editor.text() == original.decode("utf-8")  # one line, as written
    qtbot.mouseClick(editor.format_button, Qt.MouseButton.LeftButton)
    assert editor.text().count("\n") > 20 and document.text == editor.text()
    assert document.modified and document.save_data()[0] == editor.text().encode("utf-8")
    sent = with_body(document.submission, BODY_AS_EDITED, document.text)
    assert sent.document is not None and sent.document.to_bytes() == editor.text().encode("utf-8")
    editor.edit.setFocus()
    qtbot.keyClick(editor.edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one undo step back
    qtbot.waitUntil(lambda: editor.text() == original.decode("utf-8"), timeout=3000)
    qtbot.keyClick(editor.edit, Qt.Key.Key_F, Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: editor.text().count("\n") > 20, timeout=3000)


def test_short_pretty_files_are_shown_as_written(tmp_path: Path) -> None:
    assert not is_minified(b'{"a": 1}')
    x = b"x" * 300
    assert not is_minified(b'{\n    "data": {\n        "body": {"message": {"body": "' + x + b'"}}\n    }\n}\n')
    assert is_minified(b'{"data": {"body": {"message": {"body": "' + b"x" * 300 + b'"}}}}\n')
