"""The raw view of big documents (BigRawView over a LineView): only the visible lines are laid out, nothing is
copied into a Qt text widget, and it scrolls, selects, copies, finds and goes to lines and pointers through the
keyboard and the mouse."""

from __future__ import annotations

import orjson
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from inspector.formats import load_bytes
from inspector.ui.document import raw_view
from inspector.ui.document.document_view import DocumentView
from inspector.ui.document.line_source import PieceSource
from inspector.ui.document.line_view import COPY_LIMIT, LOCATE_HERE, BigRawView, LineView
from inspector.ui.document.open_document import BIG_DOCUMENT, OpenDocument

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on showing a window


def _batch(logs: int = 900, *, pretty: bool = False) -> bytes:
    """An App Center batch above BIG_DOCUMENT: minified (the view pretty-prints it) or as written on many lines."""
    value = {
        "logs": [
            {
                "type": "managedError",
                "id": f"00000000-0000-4000-8000-{n:012d}",
                "timestamp": "2026-11-01T10:00:00.000Z",
                "appLaunchTimestamp": "2026-11-01T09:59:00.000Z",
                "device": {"sdkName": "appcenter.android", "sdkVersion": "4.4.0", "osName": "Android"},
                "processId": 4242,
                "processName": "bench",
                "fatal": True,
                "exception": {
                    "type": "java.lang.IllegalStateException",
                    "message": f"crash number {n} — naïve",
                    "frames": [
                        {"className": f"io.bench.Service{n}", "methodName": f"handle{i}", "lineNumber": i}
                        for i in range(40)
                    ],
                },
            }
            for n in range(logs)
        ]
    }
    data = orjson.dumps(value, option=orjson.OPT_INDENT_2 if pretty else 0)
    assert len(data) > BIG_DOCUMENT
    return data


def _open(qtbot, data: bytes, *, read_only: bool = True, size=(900, 500)) -> tuple[OpenDocument, BigRawView]:
    doc = OpenDocument(load_bytes(data, source_name="batch.json"), read_only=read_only)
    view = raw_view.create_raw_view(doc)
    assert isinstance(view, BigRawView)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitUntil(lambda: view.loaded, timeout=30_000)
    qtbot.waitUntil(lambda: not doc.validating, timeout=30_000)  # no validation left running into the next test
    return doc, view


@pytest.fixture(autouse=True)
def read_only_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    """No editor installed (a window installs one for every later test): the tests that want it say so."""
    monkeypatch.setattr(raw_view, "_factory", raw_view.RawView)


def _find(qtbot, view: BigRawView, needle: str | None = None, backward: bool = False) -> bool:
    """Find, waiting for a search that runs on the thread pool (the pretty-printed pieces)."""
    with qtbot.waitSignal(view.find_done, timeout=30_000) as blocker:
        found = view.find_next(needle, backward=backward)
    assert found is None or found == blocker.args[0]
    return bool(blocker.args[0])


@pytest.fixture(scope="module")
def minified() -> bytes:
    return _batch()


def test_paints_only_the_visible_lines_and_copies_nothing_into_qt(qtbot, minified) -> None:
    doc, view = _open(qtbot, minified)
    lines = view.view
    source = lines.source
    expected = orjson.dumps(orjson.loads(minified), option=orjson.OPT_INDENT_2) + b"\n"
    assert isinstance(source, PieceSource)  # the pretty text is not held whole: pieces written again on demand
    assert source.raw(0, source.size) == expected  # the pretty text, byte for byte
    assert source.line_count == expected.count(b"\n") + 1 > 100_000
    assert not view.findChildren(QPlainTextEdit)  # no text widget holds a copy
    assert not doc.has_text  # nor was the document's own text (a str) made for it
    lines.viewport().repaint()
    assert 0 < len(lines.painted_lines) <= lines.visible_lines() + 2
    assert max(lines.painted_lines) < 100
    # the colours are the raw view's: a key and a string get different colours
    layout, _first, text = lines._layout(3)
    assert text.strip().startswith('"type"')
    assert len({fr.format.foreground().color().name() for fr in layout.formats()}) >= 2


def test_scrolling_by_keys_and_wheel_lays_out_the_new_lines_only(qtbot, minified) -> None:
    _doc, view = _open(qtbot, minified)
    lines = view.view
    lines.setFocus()
    lines.viewport().repaint()
    before = set(lines.painted_lines)
    qtbot.keyClick(lines, Qt.Key.Key_PageDown)
    qtbot.keyClick(lines, Qt.Key.Key_PageDown)
    lines.viewport().repaint()
    first = lines.first_visible_line()
    assert first >= lines.visible_lines()  # two pages down
    assert lines.source.line_of(lines.caret) >= first
    assert lines.painted_lines - before and min(lines.painted_lines - before) >= lines.visible_lines()
    qtbot.keyClick(lines, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    lines.viewport().repaint()
    last = lines.source.line_count - 1
    assert lines.caret == lines.source.size and last in lines.painted_lines
    assert len(lines.painted_lines) < 10 * lines.visible_lines()  # never the whole text
    qtbot.keyClick(lines, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert lines.first_visible_line() == 0 and lines.caret == 0
    center = QPointF(lines.viewport().rect().center())
    wheel = QWheelEvent(
        center,
        QPointF(lines.viewport().mapToGlobal(center.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120 * 4),  # four notches down
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(lines.viewport(), wheel)
    assert lines.first_visible_line() > 0  # the wheel scrolls by lines


def test_mouse_and_shift_keys_select_and_ctrl_c_copies(qtbot, minified) -> None:
    _doc, view = _open(qtbot, minified)
    lines = view.view
    height = lines.line_height()
    # line 4 (index 3) is '      "type": "managedError",': click before the key, Shift+End
    x = lines.gutter_width() + 6 + lines.char_width() * 6 + 1
    qtbot.mouseClick(lines.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 3 * height + height // 2))
    assert lines.source.line_of(lines.caret) == 3
    qtbot.keyClick(lines, Qt.Key.Key_End, Qt.KeyboardModifier.ShiftModifier)
    assert lines.selected_text() == '"type": "managedError",'
    QApplication.clipboard().clear()
    qtbot.keyClick(lines, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == '"type": "managedError",'
    qtbot.keyClick(lines, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert lines.selected_text().count("\n") == 1
    # a drag from line 2 to line 4 selects across lines
    qtbot.mousePress(lines.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, height + 2))
    qtbot.mouseMove(lines.viewport(), QPoint(x, 3 * height + 2))
    qtbot.mouseRelease(lines.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 3 * height + 2))
    assert lines.selected_text().count("\n") == 2


def test_select_all_is_copied_only_up_to_the_limit(qtbot, minified, monkeypatch) -> None:
    from inspector.ui.document import line_view

    _doc, view = _open(qtbot, minified)
    lines = view.view
    lines.setFocus()
    qtbot.keyClick(lines, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(lines.selected_text().encode()) == lines.source.size
    monkeypatch.setattr(line_view, "COPY_LIMIT", 1000)
    QApplication.clipboard().setText("before")
    qtbot.keyClick(lines, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "before"
    assert "too big to copy" in view.status.text()
    assert COPY_LIMIT >= 64 * 2**20


def test_ctrl_f_finds_forward_backward_and_wraps(qtbot, minified) -> None:
    _doc, view = _open(qtbot, minified)
    lines = view.view
    lines.setFocus()
    qtbot.keyClick(lines, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.search_bar.isVisible() and view.search_bar.find_edit.hasFocus()
    qtbot.keyClicks(view.search_bar.find_edit, "CRASH NUMBER 700 ")
    with qtbot.waitSignal(view.find_done, timeout=30_000):  # searched on the thread pool
        qtbot.keyClick(view.search_bar.find_edit, Qt.Key.Key_Return)
    assert lines.selected_text() == "crash number 700 "  # not matching case by default
    line = lines.source.line_of(lines.caret)
    assert lines.first_visible_line() <= line < lines.first_visible_line() + lines.visible_lines()
    assert lines.source.line(line).strip() == '"message": "crash number 700 — naïve",'
    view.search_bar.case.setChecked(True)
    assert not _find(qtbot, view)  # the capitals are nowhere
    assert view.search_bar.status.text() == "not found"
    assert _find(qtbot, view, "Service899")
    after = lines.caret
    assert _find(qtbot, view, "Service899")
    assert lines.caret > after
    qtbot.keyClick(view.search_bar.find_edit, Qt.Key.Key_Escape)
    assert not view.search_bar.isVisible()
    assert _find(qtbot, view, 'Service0"')  # wraps around to the start
    assert lines.source.line_of(lines.caret) < 200
    assert _find(qtbot, view, "handle3", backward=True)  # backward from there wraps to the end
    assert lines.source.line_of(lines.caret) > lines.source.line_count - 200


def test_find_a_word_with_an_accent_in_bytes(qtbot, minified) -> None:
    _doc, view = _open(qtbot, minified)
    assert _find(qtbot, view, "naïve")
    assert view.view.selected_text() == "naïve"


def test_go_to_a_line_and_a_pointer(qtbot, minified) -> None:
    _doc, view = _open(qtbot, minified)
    lines = view.view
    lines.setFocus()
    qtbot.keyClick(lines, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert view.goto_edit.hasFocus()
    qtbot.keyClicks(view.goto_edit, "120000:5")
    qtbot.keyClick(view.goto_edit, Qt.Key.Key_Return)
    assert lines.source.line_of(lines.caret) == 119_999
    assert lines.source.column(119_999, lines.caret) == 4
    assert lines.first_visible_line() <= 119_999 < lines.first_visible_line() + lines.visible_lines()
    assert lines.hasFocus()
    assert not view.go_to(str(lines.source.line_count + 1)) and "no line" in view.goto_status.text()
    assert view.go_to("/logs/700/exception/frames/3/methodName")
    assert lines.selected_text() == '"handle3"'
    assert view.go_to("/logs/899")
    assert orjson.loads(lines.selected_text())["id"].endswith("899")
    assert not view.go_to("/logs/900")
    assert view.goto_status.text() == "not found"


def test_a_tree_row_selects_its_text_in_the_raw_view(qtbot, minified, monkeypatch) -> None:
    from inspector.ui.document.editor import create_editor

    monkeypatch.setattr(raw_view, "_factory", create_editor)  # as in the window
    doc = OpenDocument(load_bytes(minified, source_name="batch.json"), read_only=True)
    view = DocumentView(doc)
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    assert isinstance(view.raw_view, BigRawView)
    assert view.select_pointer("/logs/42/exception/message")  # before the text is made: selected on arrival
    qtbot.waitUntil(lambda: view.raw_view.selected_text() == '"crash number 42 — naïve"', timeout=30_000)
    assert view.raw_view.isVisible()
    assert view.select_pointer("/logs/43/processId")
    assert view.raw_view.selected_text() == "4242"
    qtbot.waitUntil(lambda: not doc.validating, timeout=30_000)


def test_a_file_written_on_many_lines_is_shown_from_its_own_bytes(qtbot) -> None:
    data = _batch(pretty=True).replace(b"\n", b"\r\n")  # written on Windows
    doc, view = _open(qtbot, data)
    source = view.view.source
    assert source.buffer is doc.document.original  # no copy: the file's bytes
    assert source.line(1) == '  "logs": ['  # the \r is not shown
    assert source.size > LOCATE_HERE  # walked on the thread pool
    with qtbot.waitSignal(view.pointer_done, timeout=30_000) as found:
        assert view.go_to("/logs/5/processName")
    assert found.args == [True] and view.view.selected_text() == '"bench"'
    assert view.find_next("crash number 6 ")
    assert view.view.selected_text() == "crash number 6 "


def test_a_form_edit_shows_the_new_text(qtbot, minified) -> None:  # (with an editor, the edit's copy gets it)
    from inspector.formats.jsondoc import Edit

    doc, view = _open(qtbot, minified)
    doc.apply_edits([Edit("set", "/logs/3/processName", "renamed")], "rename")
    qtbot.waitUntil(lambda: view.loaded and isinstance(view.view.source.buffer, str), timeout=30_000)
    assert view.view.source.buffer is doc.text  # the document's text now (made by the edit), not a copy
    with qtbot.waitSignal(view.pointer_done, timeout=30_000):
        assert view.go_to("/logs/3/processName")
    assert view.view.selected_text() == '"renamed"'
    with qtbot.waitSignal(view.pointer_done, timeout=30_000) as found:
        view.select_pointer("/logs/3/nothing")
    assert found.args == [False] and view.goto_status.text() == "not found"
    qtbot.waitUntil(lambda: not doc.validating, timeout=30_000)


def test_choosing_edit_puts_the_editor_in_its_place(qtbot, minified, monkeypatch) -> None:
    from inspector.ui.document.editor import EditorWidget, create_editor

    monkeypatch.setattr(raw_view, "_factory", create_editor)
    doc, view = _open(qtbot, minified)
    assert view.real is None and not hasattr(view, "flush")  # read-only: nothing to flush
    doc.allow_editing(in_place=False)
    qtbot.waitUntil(lambda: isinstance(view.real, EditorWidget), timeout=30_000)
    assert view.currentWidget() is not view.page
    assert view.view.source is None  # the read-only lines let go of their text
    assert callable(view.flush)  # the editor's, through the view
    view.load_now()
    assert view.real.loaded and view.real.text() == doc.text


def test_a_long_line_is_laid_out_around_what_is_on_screen(qtbot) -> None:
    data = orjson.dumps({"logs": [{"type": "x", "blob": "ab" * 1_500_000}]})  # a 3 MB line even pretty-printed
    doc = OpenDocument(load_bytes(data, source_name="blob.json"), read_only=True)
    view = BigRawView(doc)
    qtbot.addWidget(view)
    view.resize(800, 400)
    view.show()
    qtbot.waitUntil(lambda: view.loaded, timeout=30_000)
    lines = view.view
    blob_line = next(i for i in range(lines.source.line_count) if '"blob"' in lines.source.line(i))
    assert view.go_to(f"{blob_line + 1}:2000000")
    lines.viewport().repaint()
    _layout, first_column, text = lines._layout(blob_line)
    assert 0 < first_column <= 2_000_000 < first_column + len(text)
    assert len(text) < 10_000  # a window of the 3 MB line
    assert lines.horizontalScrollBar().value() > 0
    qtbot.waitUntil(lambda: not doc.validating, timeout=30_000)


def test_an_empty_source_paints(qtbot) -> None:
    lines = LineView()
    qtbot.addWidget(lines)
    lines.resize(300, 200)
    lines.show()
    lines.viewport().repaint()
    assert lines.line_count == 0 and lines.selected_text() == "" and not lines.copy()


def test_edit_of_a_document_too_big_for_the_editor_keeps_this_view(qtbot, minified, monkeypatch) -> None:
    from inspector.ui.document.editor import create_editor
    from inspector.ui.document.editor import widget as editor_widget

    monkeypatch.setattr(raw_view, "_factory", create_editor)
    monkeypatch.setattr(editor_widget, "EDIT_LIMIT", len(minified) // 2)  # the file alone proves the text is longer
    doc, view = _open(qtbot, minified)
    source = view.view.source
    doc.allow_editing(in_place=False)
    qtbot.waitUntil(view.edit_note.isVisible, timeout=5000)  # (the editor is tried in the next event-loop turn)
    assert view.real is None and view.currentWidget() is view.page and view.view.source is source
    assert "too big to edit in place" in view.edit_note.text()
    assert not doc.has_text  # no 200 MB text made only to be shown read-only again
    assert view.go_to("/logs/1/processId") and view.view.selected_text() == "4242"
