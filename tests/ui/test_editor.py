"""The raw editor: live validation through OpenDocument, syntax errors, undo, find/replace, go to pointer."""

from __future__ import annotations

import json
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from inspector.compose.templates import instantiate
from inspector.formats import load_bytes
from inspector.formats.jsondoc import Edit, dumps
from inspector.ui.document.editor import EditorWidget
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.workers import wait_all

#: The offscreen platform warns on show(); it is not our warning.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def doc() -> OpenDocument:
    return OpenDocument(instantiate("rollbar-trace", now=1_800_000_000), title="t")


@pytest.fixture
def editor(qtbot, doc: OpenDocument) -> EditorWidget:
    widget = EditorWidget(doc)
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.show()
    return widget


def _type_at(editor: EditorWidget, qtbot, needle: str, text: str, after: bool = True) -> None:
    index = editor.text().index(needle) + (len(needle) if after else 0)
    cursor = editor.edit.textCursor()
    cursor.setPosition(index)
    editor.edit.setTextCursor(cursor)
    qtbot.keyClicks(editor.edit, text)


def test_typing_updates_document_and_problems(qtbot, editor: EditorWidget, doc: OpenDocument) -> None:
    _type_at(editor, qtbot, '"environment": "', "x" * 300)
    with qtbot.waitSignal(doc.changed, timeout=3000):
        pass
    assert doc.document.value["data"]["environment"].startswith("x" * 300)
    problem = next(p for p in doc.problems if p.pointer == "/data/environment")
    assert "255" in problem.message
    mark = next(m for m in editor.edit.marks if "255" in m.message)
    assert editor.text()[mark.start : mark.end].startswith('"environment"')
    status = editor.status.text()
    assert re.search(r"Valid JSON · \d+ errors?, ", status) and "1 errors" not in status, status


def test_syntax_error_is_pinpointed_and_last_good_tree_stays(qtbot, editor: EditorWidget, doc: OpenDocument) -> None:
    good = json.loads(json.dumps(doc.document.value))
    _type_at(editor, qtbot, '"level": "error"', " oops")
    qtbot.waitUntil(lambda: doc.syntax_error is not None, timeout=3000)
    line = editor.text()[: editor.text().index("oops")].count("\n") + 1
    assert doc.syntax_error_position[0] == line
    assert editor.edit.syntax_mark is not None and "line" in editor.status.text()
    assert doc.document.value == good  # the trees keep the last valid version
    assert doc.reports  # still there
    assert doc.draft_text != doc.text and doc.modified
    editor.undo()  # drops the broken typing
    assert editor.text() == doc.text and doc.syntax_error is None


def test_form_edit_splices_text_and_undo_restores_it(qtbot, editor: EditorWidget, doc: OpenDocument) -> None:
    before = editor.text()
    doc.apply_edits([Edit("set", "/data/level", "warning")], "level")
    assert editor.text() == before.replace('"level": "error"', '"level": "warning"')
    doc.undo_stack.undo()
    assert editor.text() == before
    doc.undo_stack.redo()
    assert '"level": "warning"' in editor.text()


def test_raw_edit_is_undoable_from_the_editor(qtbot, editor: EditorWidget, doc: OpenDocument) -> None:
    before = editor.text()
    _type_at(editor, qtbot, '"environment": "qa', "-2")
    editor.flush()
    assert doc.document.value["data"]["environment"] == "qa-2"
    qtbot.keyClick(editor.edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.text() == before and doc.document.value["data"]["environment"] == "qa"
    qtbot.keyClick(editor.edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert doc.document.value["data"]["environment"] == "qa-2"


def test_unknown_keys_and_order_survive_form_edits(qtbot) -> None:
    text = (
        '{"data": {"zzz_unknown": [1,  2], "environment": "qa", "body": {"message": {"body": "hi"}},\n'
        ' "aaa": {"x": 1}}}'
    )
    doc = OpenDocument(load_bytes(text.encode(), format="rollbar"))
    doc.apply_edits([Edit("set", "/data/environment", "prod")], "env")
    assert doc.text == text.replace('"qa"', '"prod"')
    assert list(doc.document.value["data"]) == ["zzz_unknown", "environment", "body", "aaa"]


def test_go_to_pointer_and_find_replace(qtbot, editor: EditorWidget, doc: OpenDocument) -> None:
    assert editor.go_to_pointer("/data/body/trace/frames/1/method")
    assert editor.edit.textCursor().selectedText() == '"method": "level2"'
    assert not editor.go_to_pointer("/data/nope")
    assert editor.pointer_bar.status.text() == "not found"
    editor.show_find()
    editor.find_bar.find_edit.setText("level3")
    assert editor.find_next()
    assert editor.edit.textCursor().selectedText() == "level3"
    editor.find_bar.replace_edit.setText("deeper")
    assert editor.replace_all() == 2
    assert doc.document.value["data"]["body"]["trace"]["frames"][2]["method"] == "deeper"
    doc.undo_stack.undo()
    assert doc.document.value["data"]["body"]["trace"]["frames"][2]["method"] == "level3"


def test_bracket_matching(qtbot, editor: EditorWidget) -> None:
    text = editor.text()
    cursor = editor.edit.textCursor()
    cursor.setPosition(text.index('"frames": [') + len('"frames": '))
    editor.edit.setTextCursor(cursor)
    selections = [s.cursor.position() - 1 for s in editor.edit.extraSelections()]
    start = text.index('"frames": [') + len('"frames": ')
    depth, end = 0, None
    for i in range(start, len(text)):
        depth += {"[": 1, "]": -1}.get(text[i], 0)
        if depth == 0:
            end = i
            break
    assert start in selections and end in selections


def test_select_pointer_is_the_document_view_contract(editor: EditorWidget) -> None:
    assert editor.select_pointer("/data/uuid")
    assert editor.edit.textCursor().selectedText().startswith('"uuid": "')


def test_big_document_stays_fluid(qtbot) -> None:
    """A ~20 MB payload: each keystroke must take well under a frame budget; validation runs on the pool."""
    value = json.loads(dumps(instantiate("rollbar-trace").document.value))
    value["data"]["body"]["trace"]["frames"] = [
        {"filename": f"/srv/app/module_{i}.py", "lineno": i, "method": f"handler_{i}", "code": f"x = compute({i})"}
        for i in range(150_000)
    ]
    data = dumps(value, pretty=True)
    assert len(data) > 20 * 2**20
    doc = OpenDocument(load_bytes(data, format="rollbar"))
    editor = EditorWidget(doc)
    qtbot.addWidget(editor)
    editor.resize(800, 600)
    editor.show()
    assert not editor.loaded and editor.edit.isReadOnly()  # filled in slices, not in one multi-second call
    qtbot.waitUntil(lambda: editor.loaded, timeout=60_000)
    assert not editor.edit.isReadOnly() and editor.edit.document().characterCount() - 1 == len(editor.text())
    qtbot.waitUntil(lambda: not doc.validating, timeout=60_000)
    cursor = editor.edit.textCursor()
    cursor.setPosition(editor.text().index('"environment": "qa') + len('"environment": "qa'))
    editor.edit.setTextCursor(cursor)
    editor.edit.centerCursor()
    for char in "-staging":  # keystroke latency on a big document: bench/bench_stall.py (edit row)
        qtbot.keyClick(editor.edit, char)
    editor.flush()
    qtbot.waitUntil(lambda: doc.document.value["data"]["environment"] == "qa-staging", timeout=30_000)
    qtbot.waitUntil(lambda: not doc.validating, timeout=60_000)
    doc.apply_edits([Edit("set", "/data/level", "info")], "level")
    assert '"level": "info"' in editor.text()[:2000]
    qtbot.waitUntil(lambda: not doc.validating, timeout=60_000)
    wait_all()


def test_editor_replaces_the_raw_view_through_the_factory(qtbot) -> None:
    from inspector.ui.document import raw_view
    from inspector.ui.document.document_view import DocumentView
    from inspector.ui.document.editor import create_editor

    previous = raw_view._factory
    raw_view.set_raw_view_factory(create_editor)
    try:
        doc = OpenDocument(instantiate("backtrace-error"), title="b")
        view = DocumentView(doc)
        qtbot.addWidget(view)
        assert isinstance(view.raw_view, EditorWidget)
        assert view.select_pointer("/uuid")
    finally:
        raw_view.set_raw_view_factory(previous)


def test_cursor_survives_an_outside_edit(qtbot, editor: EditorWidget, doc: OpenDocument) -> None:
    position = editor.text().index('"frames"')
    cursor = editor.edit.textCursor()
    cursor.setPosition(position)
    editor.edit.setTextCursor(cursor)
    doc.apply_edits([Edit("set", "/data/body/trace/exception/message", "x")], "message")
    assert editor.edit.textCursor().position() == position
    assert editor.edit.textCursor().movePosition(QTextCursor.MoveOperation.NoMove)
