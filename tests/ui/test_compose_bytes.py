"""Composing and sending (issue 14, item 13): the forms tell an empty string from an absent field, File › New opens
the raw editor with the forms beside it, and the bytes on the wire are the editor's unless the user picks compact or
pretty. Driven by keys and clicks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QMenu

from inspector.formats import load_bytes
from inspector.formats.jsondoc import dumps
from inspector.net.history import History
from inspector.ui.document.document_view import DocumentView
from inspector.ui.document.editor import EditorWidget
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.panels.compose.composer import composer_of
from inspector.ui.panels.send.send_panel import SendPanel
from inspector.ui.window.main_window import MainWindow
from inspector.ui.workers import wait_all
from tests.net.fault_server import FaultServer

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")

ITEM = {
    "data": {
        "environment": "",
        "level": "error",
        "body": {"message": {"body": "hello"}},
        "platform": "linux",
    }
}


@pytest.fixture
def window(qtbot) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    return win


def _open(window: MainWindow, value: dict) -> OpenDocument:
    submission = load_bytes(json.dumps(value, indent=4).encode(), format="rollbar")
    return window.open_submission(submission, "item.json", read_only=False)


def test_empty_string_and_absent_are_told_apart(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    doc = _open(window, ITEM)
    window.show_panel("forms")
    forms = composer_of(window).forms
    environment = forms.field("environment").editor
    version = forms.field("app.version").editor
    assert isinstance(environment, QLineEdit) and isinstance(version, QLineEdit)
    assert environment.text() == "" and environment.placeholderText() == '"" (empty string)'
    assert version.text() == "" and version.placeholderText() == "(absent)"
    # leaving an absent field empty keeps it absent; typing "" makes it an empty string
    version.setFocus()
    QTest.keyClick(version, Qt.Key.Key_Tab)
    assert "code_version" not in doc.document.value["data"]
    qtbot.mouseClick(version, Qt.MouseButton.LeftButton)
    QTest.keyClicks(version, '""')
    QTest.keyClick(version, Qt.Key.Key_Return)
    assert doc.document.value["data"]["code_version"] == ""
    # the × button makes a field absent again (one undo step)
    qtbot.mouseClick(forms.field("environment").remove_button, Qt.MouseButton.LeftButton)
    assert "environment" not in doc.document.value["data"]
    qtbot.waitUntil(lambda: environment.placeholderText() == "(absent)", timeout=3000)
    doc.undo_stack.undo()
    assert doc.document.value["data"]["environment"] == ""


def test_file_new_opens_the_raw_editor_with_the_forms_beside_it(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()
    QTest.keySequence(window, QKeySequence("Ctrl+N"))
    menu = window.findChild(QMenu, "newMenu")
    qtbot.waitUntil(menu.isVisible)
    QTest.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_document() is not None)
    view = window.current_view()
    assert isinstance(view, DocumentView) and view.current_view_name() == "raw"
    assert isinstance(view.raw_view, EditorWidget)
    assert window.panel("forms").isVisible() and composer_of(window).forms.doc is window.current_document()


def test_the_bytes_on_the_wire_are_the_editors(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = FaultServer().start()
    history = History(tmp_path / "h.sqlite3")
    try:
        doc = _open(window, ITEM)
        view = window.current_view()
        view.show_view("raw")
        editor = view.raw_view
        qtbot.waitUntil(lambda: editor.isVisible() and editor.loaded, timeout=5000)
        text = editor.text()
        cursor = editor.edit.textCursor()
        cursor.setPosition(text.index('"hello"') + 1)
        editor.edit.setTextCursor(cursor)
        editor.edit.setFocus()
        QTest.keyClicks(editor.edit, "well, ")
        editor.flush()
        assert doc.document.value["data"]["body"]["message"]["body"] == "well, hello"
        panel = SendPanel(window.current_document, history=history)
        qtbot.addWidget(panel)
        panel.show()
        panel.document_changed(doc)
        panel.url_edit.setText(server.url)
        qtbot.waitUntil(panel.send_button.isEnabled, timeout=5000)
        with qtbot.waitSignal(panel.finished, timeout=10000):
            qtbot.mouseClick(panel.send_button, Qt.MouseButton.LeftButton)
        assert server.requests[-1].body == editor.text().encode("utf-8")  # four-space indent and all
        panel.body_combo.setFocus()
        QTest.keyClick(panel.body_combo, Qt.Key.Key_Down)  # "Body as compact JSON", chosen on purpose
        assert panel.body_combo.currentData() == "compact"
        qtbot.waitUntil(panel.send_button.isEnabled, timeout=5000)
        with qtbot.waitSignal(panel.finished, timeout=10000):
            qtbot.mouseClick(panel.send_button, Qt.MouseButton.LeftButton)
        assert server.requests[-1].body == dumps(doc.document.value)
        assert doc.text == editor.text()  # sending never changed the document
    finally:
        wait_all()
        history.close()
        server.stop()
