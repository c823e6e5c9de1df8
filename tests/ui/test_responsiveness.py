"""The window stays responsive on big payloads: lazy spans, sliced text filling, visible-only colouring, drafts
written on the pool, the editor's size limit, tasks whose owner went away."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex
from shiboken6 import Shiboken

from inspector.compose.drafts import DraftStore
from inspector.compose.templates import instantiate
from inspector.formats import load_bytes
from inspector.formats.jsondoc import dumps
from inspector.ui.document import raw_view
from inspector.ui.document.document_view import DocumentView
from inspector.ui.document.drafts import DraftKeeper
from inspector.ui.document.editor import EditorWidget, create_editor
from inspector.ui.document.editor import widget as editor_widget
from inspector.ui.document.line_view import BigRawView
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.document.tree_layout import SPAN_STACKS
from inspector.ui.workers import Task

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def many_threads_document(count: int) -> OpenDocument:
    value = json.loads(dumps(instantiate("backtrace-error").document.value))
    (main,) = value["threads"].values()
    value["threads"] = {str(i): dict(main, name=f"worker {i}") for i in range(count)}
    value["mainThread"] = "0"
    return OpenDocument(load_bytes(dumps(value), format="backtrace"), title="threads")


def test_only_the_first_stacks_are_spanned_then_the_ones_scrolled_to(qtbot) -> None:
    count = SPAN_STACKS + 400
    view = DocumentView(many_threads_document(count))
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show_view("threads")
    tree = view.threads_view
    root = QModelIndex()
    assert tree.model().rowCount() == count
    assert not tree.isFirstColumnSpanned(0, root)  # hidden: spanning (a whole layout) waits for the first show
    view.show()
    assert tree.isFirstColumnSpanned(0, root) and tree.isFirstColumnSpanned(SPAN_STACKS - 1, root)
    assert not tree.isFirstColumnSpanned(count - 1, root)
    tree.scrollTo(tree.model().index(count - 1, 0))
    qtbot.waitUntil(lambda: tree.isFirstColumnSpanned(count - 1, root), timeout=3000)
    assert not tree.isFirstColumnSpanned(SPAN_STACKS + 50, root)  # never on screen: never spanned


def test_a_big_raw_text_fills_in_slices_when_first_shown(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(raw_view, "FILL_AT_ONCE", 1000)
    monkeypatch.setattr(raw_view, "FILL_CHUNK", 500)
    monkeypatch.setattr(raw_view, "FILL_BUDGET_S", 0.0)  # one slice per event-loop turn
    document = many_threads_document(40)
    view = raw_view.RawView(document)
    qtbot.addWidget(view)
    assert not view.loaded and view.document().isEmpty()  # nothing built before the view is shown
    view.resize(800, 400)
    view.show()
    assert not view.loaded  # slices, not one call
    assert view.select_pointer("/threads/30/name")  # selected once the text is in
    qtbot.waitUntil(lambda: view.loaded, timeout=10_000)
    assert view.toPlainText() == view._text
    assert view.selected_text() == '"worker 30"'
    assert 0 < len(view.highlighter._wanted) < 200
    assert view.textCursor().blockNumber() in view.highlighter._wanted


def test_editor_colours_visible_lines_only_and_recolours_typed_ones(qtbot) -> None:
    doc = many_threads_document(300)
    editor = EditorWidget(doc)
    qtbot.addWidget(editor)
    editor.resize(800, 400)
    editor.show()
    qtbot.waitUntil(lambda: editor.loaded, timeout=10_000)
    blocks = editor.edit.document().blockCount()
    coloured = editor.edit.highlighter._wanted
    assert blocks > 1000 and 0 < len(coloured) < 100
    last = editor.edit.document().lastBlock()
    assert not last.layout().formats()  # off screen: never lexed
    line = editor.edit.document().findBlockByNumber(1)
    before = len(line.layout().formats())
    assert before  # on screen: coloured
    cursor = editor.edit.textCursor()
    cursor.setPosition(line.position() + 2)
    editor.edit.setTextCursor(cursor)
    qtbot.keyClicks(editor.edit, '"new": 1, ')
    assert line.text().startswith('  "new": 1, ')
    qtbot.waitUntil(lambda: len(line.layout().formats()) > before, timeout=3000)  # the typed tokens coloured


def test_editor_fills_on_first_show_and_follows_edits_made_meanwhile(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(editor_widget, "FILL_AT_ONCE", 1000)
    monkeypatch.setattr(raw_view, "FILL_AT_ONCE", 1000)
    doc = many_threads_document(40)
    editor = EditorWidget(doc)
    qtbot.addWidget(editor)
    assert not editor.loaded and editor.edit.document().isEmpty()
    from inspector.formats.jsondoc import Edit

    doc.apply_edits([Edit("set", "/threads/3/name", "renamed")], "rename")  # before the first show
    assert '"renamed"' in editor.text()
    assert editor.edit.document().isEmpty()  # still nothing built
    editor.resize(800, 400)
    editor.show()
    assert editor.edit.isReadOnly()  # while filling
    qtbot.waitUntil(lambda: editor.loaded, timeout=10_000)
    assert not editor.edit.isReadOnly()
    assert editor.edit.toPlainText() == doc.text


def test_documents_above_the_edit_limit_get_the_read_only_view_with_a_note(qtbot, monkeypatch) -> None:
    doc = many_threads_document(5)
    assert isinstance(create_editor(doc), EditorWidget)
    monkeypatch.setattr(editor_widget, "EDIT_LIMIT", len(doc.text) - 1)
    big = create_editor(doc)
    qtbot.addWidget(big)
    assert isinstance(big, editor_widget.TooBigToEdit)
    assert "too big to edit in place" in big.note.text() and "forms" in big.note.text()
    assert isinstance(big.view, BigRawView)  # read-only, and the text is not copied into a Qt text widget
    assert big.select_pointer("/threads/2/name")  # selected when the view's lines are made (on the pool)
    qtbot.waitUntil(lambda: big.selected_text() == '"worker 2"', timeout=10_000)


def test_autosave_writes_on_the_pool_and_a_forget_wins_over_a_write_in_flight(qtbot, tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    keeper = DraftKeeper(store, interval_ms=3_600_000)
    doc = OpenDocument(instantiate("rollbar-message"), title="m")
    keeper.watch(doc)
    threads: list[threading.Thread] = []
    release = threading.Event()
    real_save = store.save

    def slow_save(draft):
        threads.append(threading.current_thread())
        release.wait(10)
        return real_save(draft)

    store.save = slow_save  # type: ignore[method-assign]
    doc.replace_text(doc.text.replace('"qa"', '"prod"'))
    keeper.autosave()
    qtbot.waitUntil(lambda: bool(threads), timeout=5000)
    assert threads[0] is not threading.main_thread()  # not the GUI thread
    keeper.forget(doc)  # closed while the draft is being written
    release.set()
    assert keeper.wait(10)
    qtbot.waitUntil(lambda: not keeper._writing, timeout=5000)
    assert store.all() == []
    keeper.watch(doc)  # written again later (same id): this one stays
    doc.draft_dirty = True
    keeper.autosave()
    assert keeper.wait(10)
    qtbot.waitUntil(lambda: len(store.all()) == 1, timeout=5000)
    assert '"prod"' in store.all()[0].text


def test_a_task_whose_signals_were_deleted_finishes_quietly(qtbot) -> None:
    task = Task(lambda: 42, (), {})
    Shiboken.delete(task.signals)  # the owner went away while the task ran
    task.run()  # emitting used to raise "Signal source has been deleted"
    assert task.done.is_set()
    failing = Task(lambda: 1 / 0, (), {})
    Shiboken.delete(failing.signals)
    failing.run()
    assert failing.done.is_set()


def test_big_drafts_are_encoded_in_pieces_to_the_same_bytes(qtbot, tmp_path: Path) -> None:
    from inspector.compose.drafts import Draft
    from inspector.formats.base import Part
    from inspector.ui.document.drafts import PIECE, _save_in_pieces

    text = '{"message": "é \\" \\u2028 😀 \u2028"}\n' * (PIECE // 10)
    draft = Draft(
        id="big",
        text=text + "{broken",
        base_text=text,
        format="rollbar",
        title="t",
        attachments=[Part(name="log", data=b"\x00\x01", filename="a.log", content_type="text/plain")],
        fields=[("k", "v")],
    )
    store = DraftStore(tmp_path)
    _save_in_pieces(store, draft)
    written = (tmp_path / "big.json").read_bytes()
    assert written == draft.to_json()  # pid and saved_at were set as DraftStore.save sets them
    (restored,) = store.all()
    assert restored.text == draft.text and restored.base_text == text and restored.attachments[0].data == b"\x00\x01"
