"""The compose panel in the real window: File > New, Save / Save As, Duplicate, closing asks, Edit > Undo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from inspector.compose.drafts import Draft, DraftStore
from inspector.formats import load_path
from inspector.formats.jsondoc import Edit
from inspector.ui.document.editor import EditorWidget
from inspector.ui.panels.compose.composer import composer_of
from inspector.ui.window.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def window(qtbot) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    assert "compose" not in win.panel_errors
    return win


def _action(window: MainWindow, name: str):
    from PySide6.QtGui import QAction

    return window.findChild(QAction, name)


def test_new_menu_opens_every_template_in_the_editor(window: MainWindow) -> None:
    _action(window, "new:appcenter-apple-error").trigger()
    doc = window.current_document()
    assert doc is not None and doc.format == "appcenter" and doc.modified
    assert isinstance(window.current_view().raw_view, EditorWidget)
    assert composer_of(window).forms.doc is doc and composer_of(window).attachments.doc is doc


def test_save_as_and_save_write_atomically(window: MainWindow, tmp_path: Path, monkeypatch) -> None:
    doc = composer_of(window).new_from_template("backtrace-error-attachments")
    target = tmp_path / "bundle"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    _action(window, "saveAsAction").trigger()
    saved = tmp_path / "bundle.multipart"
    assert saved.exists() and not doc.modified and doc.path == saved
    again = load_path(str(saved))
    assert [p.name for p in again.attachments] == ["attachment_log.txt", "attachment_state.json"]
    doc.apply_edits([Edit("set", "/attributes/error.type", "Changed")], "type")
    assert composer_of(window).save()
    assert load_path(str(saved)).document.value["attributes"]["error.type"] == "Changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.multipart"]


def test_closing_a_modified_tab_asks(window: MainWindow, monkeypatch) -> None:
    composer_of(window).new_from_template("rollbar-message")
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    window.close_current_tab()
    assert window.tabs.count() == 1  # cancelled
    window.tabs.tabCloseRequested.emit(0)
    assert window.tabs.count() == 0 and not answers


def test_duplicate_with_fresh_ids(window: MainWindow, tmp_path: Path, monkeypatch) -> None:
    source = composer_of(window).new_from_template("rollbar-trace")
    monkeypatch.setattr(QInputDialog, "getInt", lambda *a, **k: (3, True))
    _action(window, "duplicateAction").trigger()
    docs = [v.document for v in window.document_views()]
    assert len(docs) == 4
    assert len({d.document.value["data"]["uuid"] for d in docs}) == 4
    assert all(d.format == "rollbar" for d in docs) and source in docs
    window.tabs.setCurrentIndex(0)
    paths = composer_of(window).duplicate(25, folder=str(tmp_path))
    assert len(paths) == 25 and len({json.loads(p.read_text())["data"]["uuid"] for p in paths}) == 25


def test_edit_menu_undo_covers_form_and_raw_edits(window: MainWindow) -> None:
    doc = composer_of(window).new_from_template("rollbar-trace")
    composer_of(window).current_changed(doc)
    doc.apply_edits([Edit("set", "/data/environment", "one")], "form edit")
    doc.replace_text(doc.text.replace('"one"', '"two"'))
    _action(window, "undoAction").trigger()
    assert doc.document.value["data"]["environment"] == "one"
    _action(window, "undoAction").trigger()
    assert doc.document.value["data"]["environment"] == "qa"
    _action(window, "redoAction").trigger()
    assert doc.document.value["data"]["environment"] == "one"


def test_start_offers_to_restore_orphan_drafts(qtbot, monkeypatch) -> None:
    store = DraftStore()
    text = json.dumps({"data": {"environment": "restored", "body": {"message": {"body": "hi"}}}}, indent=2)
    draft = Draft(id=store.new_id(), text=text, format="rollbar", title="lost work")
    store.save(draft)
    raw = store.folder / f"{draft.id}.json"
    raw.write_text(raw.read_text().replace(f'"pid": {draft.pid}', '"pid": 999999999'))
    win = MainWindow()
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: hasattr(composer_of(win), "restore_box"), timeout=3000)
    box = composer_of(win).restore_box
    assert "lost work" in box.text()
    box.done(QMessageBox.StandardButton.Yes)
    doc = win.current_document()
    assert doc is not None and doc.document.value["data"]["environment"] == "restored" and doc.modified


def test_the_start_looks_for_drafts_in_the_drafts_folder() -> None:
    from inspector.compose.drafts import drafts_dir
    from inspector.ui.panels.compose.composer import any_drafts, drafts_folder

    assert drafts_folder() == drafts_dir()
    assert not any_drafts(drafts_dir())
    store = DraftStore()
    store.save(Draft(id=store.new_id(), text="{}", format="rollbar", title="t"))
    assert any_drafts(drafts_dir())


def test_quit_asks_about_unsaved_documents(window: MainWindow, monkeypatch) -> None:
    window.show()
    composer_of(window).new_from_template("backtrace-error")
    asked: list[str] = []

    def cancel(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", cancel)
    _action(window, "quitAction").trigger()
    assert asked and window.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    _action(window, "quitAction").trigger()
    assert not window.isVisible()
