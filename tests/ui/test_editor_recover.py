"""Invalid JSON opens in the editor with its error marked, and is fixed in place by typing (issue 14, item 5)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from inspector.formats import load_bytes
from inspector.formats.base import InspectorError
from inspector.ui.document.document_view import DocumentView
from inspector.ui.document.editor import EditorWidget
from inspector.ui.document.editor.recover import recover
from inspector.ui.window.main_window import MainWindow
from inspector.ui.workers import wait_all

CORPUS = Path(__file__).parent.parent / "corpus"
TRAILING = CORPUS / "appcenter" / "docs_handledError_nested-innerExceptions_INVALID-JSON-trailing-commas.json"

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on showing a window


@pytest.fixture
def window(qtbot) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    return win


def _editor(qtbot, window: MainWindow) -> EditorWidget:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), DocumentView), timeout=20000)
    view = window.tabs.currentWidget()
    editor = view.findChild(EditorWidget)
    assert editor is not None
    qtbot.waitUntil(lambda: editor.isVisible() and editor.loaded, timeout=10000)
    return editor


def test_trailing_commas_open_in_the_editor_marked_and_are_fixed_by_typing(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / TRAILING.name
    path.write_bytes(TRAILING.read_bytes())
    before = hashlib.md5(path.read_bytes()).hexdigest()
    window.open_paths([str(path)])
    editor = _editor(qtbot, window)
    view = window.tabs.currentWidget()
    assert view.current_view_name() == "raw"  # the editor, not an error page
    doc = editor.doc
    assert doc is not None and doc.syntax_error is not None
    assert editor.text() == TRAILING.read_text(encoding="utf-8")  # the file's own text, exactly
    line, column = doc.syntax_error_position
    assert f"line {line}, column {column}" in editor.status.text()
    mark = editor.edit.syntax_mark
    assert mark is not None
    block = editor.edit.document().findBlock(mark.start)
    assert block.blockNumber() + 1 == line
    # the trees show a lenient reading, and the problems say so
    assert doc.format == "appcenter" and doc.document.value["logs"][0]["type"] == "handledError"
    assert any("not valid JSON" in p.message for p in doc.problems)
    # opened read-only like every file: the user chooses Edit, then fixes it where the editor marks it
    assert editor.edit.isReadOnly()
    qtbot.mouseClick(view.read_only_bar.edit_button, Qt.MouseButton.LeftButton)
    assert not editor.edit.isReadOnly()
    for _ in range(5):
        if doc.syntax_error is None:
            break
        text = editor.text()
        line, column = doc.syntax_error_position
        # the error is reported at the comma (or the bracket after it): the comma to delete
        block = editor.edit.document().findBlockByNumber(line - 1)
        offset = block.position() + column - 1
        comma = offset if text[offset] == "," else text.rindex(",", 0, offset)
        cursor = editor.edit.textCursor()
        cursor.setPosition(comma + 1)
        editor.edit.setTextCursor(cursor)
        editor.edit.setFocus()
        qtbot.keyClick(editor.edit, Qt.Key.Key_Backspace)
        qtbot.waitUntil(lambda t=text: editor.text() != t, timeout=3000)
        editor.flush()
    qtbot.waitUntil(lambda: doc.syntax_error is None, timeout=5000)
    assert doc.document.value == json.loads(editor.text())
    assert "Valid JSON" in editor.status.text()
    wait_all()
    assert hashlib.md5(path.read_bytes()).hexdigest() == before  # opening and fixing never wrote the file


def test_clipboard_payload_from_a_ticket_opens_in_the_editor(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    QGuiApplication.clipboard().setText('{"data": {"environment": "prod", "body": {"message": {"body": "x"}},},}')
    document = window.open_clipboard()
    assert document is not None and document.syntax_error is not None and document.format == "rollbar"
    editor = _editor(qtbot, window)
    assert editor.edit.syntax_mark is not None


def test_unreadable_json_gets_a_skeleton_and_an_explanation() -> None:
    data = b'{"logs": [ {"type": oops } ]}'
    with pytest.raises(InspectorError) as failed:
        load_bytes(data)
    recovered = recover(data, failed.value)
    assert recovered is not None and not recovered.lenient and recovered.text == data.decode()
    assert recovered.submission.format == "appcenter"
    assert "no data from it" in recovered.submission.load_problems[0].message
    binary = b"\x00\x01 not json"
    with pytest.raises(InspectorError) as failed:
        load_bytes(binary)
    assert recover(binary, failed.value) is None
