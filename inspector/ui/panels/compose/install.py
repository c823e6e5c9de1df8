"""Installs composing and editing: File > New (templates), Duplicate with fresh ids, Save / Save As, drafts restore,
Edit > Undo / Redo, the raw editor in place of the read-only raw view, and the "forms" and "attachments" docks.

Closing a modified tab or the window asks first (Save / Discard / Cancel: a close-tab guard and a quit guard
registered in ``window.hooks``); drafts are autosaved every
:data:`~inspector.compose.drafts.AUTOSAVE_MS` and offered for restoring after a crash.

Installing is cheap (issue 9, the start): the menus and actions exist at once, but the forms and attachments
editors are built when their dock is first shown (or ``composer.forms`` / ``composer.attachments`` is asked for), the
draft keeper when the first document opens, the editor replaces the raw view when the first document view is built
(its modules imported when the first editor is made),
and the compose, format and document modules are imported when an action first needs them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence

from inspector.resources import resource_path
from inspector.ui.panels.compose.composer import Composer
from inspector.ui.window.main_window import after_first_frame
from inspector.ui.window.menus import set_shortcut

# The dialogs (QMessageBox, QFileDialog...) and QEvent are imported where they are used: PySide builds a Qt class on
# first use (1-3 ms each), and the start uses none of them.
if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from inspector.ui.document.open_document import OpenDocument
    from inspector.ui.window.main_window import MainWindow


def _editor(document: OpenDocument, parent: QWidget | None = None) -> QWidget:
    """The raw view's factory: the editor, its modules imported when the first one is made (a big document's raw
    view waits until it is shown; its first tab opens 7-13 ms sooner without them)."""
    from inspector.ui.document.editor import create_editor

    return create_editor(document, parent)


def _use_editor_for_raw_views() -> None:
    from inspector.ui.document import raw_view

    raw_view.set_raw_view_factory(_editor)


def template_titles() -> list[tuple[str, str]]:
    """(id, title) of every template, in menu order: the index of :func:`inspector.compose.templates.templates`,
    read without importing the compose and format modules at the start."""
    entries = json.loads(resource_path("templates", "index.json").read_text("utf-8"))
    return [(e["id"], e["title"]) for e in entries]


def install(window: MainWindow) -> None:
    window.before_first_view(_use_editor_for_raw_views)
    composer = Composer(window)
    window.add_panel("forms", "Forms", lambda: composer.forms, "right")
    window.add_panel("attachments", "Attachments", lambda: composer.attachments, "right")
    window.current_document_changed.connect(composer.current_changed)
    window.hooks.document_opened.append(composer.track)
    # closing a modified tab, or quitting with unsaved documents, asks first (Save / Discard / Cancel)
    window.hooks.close_tab_guards.append(composer.confirm_close)
    window.hooks.quit_guards.append(composer.confirm_all)

    file_menu = window.menu("&File")
    first = file_menu.actions()[0] if file_menu.actions() else None
    new_menu = file_menu.addMenu("&New")
    new_menu.setObjectName("newMenu")
    if first is not None:
        file_menu.insertMenu(first, new_menu)
    for template_id, title in template_titles():
        action = new_menu.addAction(title)
        action.setObjectName(f"new:{template_id}")
        action.triggered.connect(lambda _c=False, t=template_id: composer.new_from_template(t))
    actions = [
        ("Duplicate with Fresh &Ids…", lambda: composer.duplicate(), None, "duplicateAction"),
        ("&Save", lambda: composer.save(), QKeySequence.StandardKey.Save, "saveAction"),
        ("Save &As…", lambda: composer.save_as(), QKeySequence.StandardKey.SaveAs, "saveAsAction"),
        ("Restore &Drafts…", lambda: composer.restore(), None, "restoreDraftsAction"),
    ]
    for title, slot, keys, name in actions:
        action = file_menu.addAction(title)
        action.setObjectName(name)
        if keys is not None:
            set_shortcut(action, keys)
        action.triggered.connect(slot)
        if first is not None:
            file_menu.insertAction(first, action)
    if first is not None:
        file_menu.insertSeparator(first)

    edit_menu = window.menu("&Edit")
    undo = composer.undo_group.createUndoAction(window, "&Undo")
    set_shortcut(undo, QKeySequence.StandardKey.Undo)
    undo.setObjectName("undoAction")
    redo = composer.undo_group.createRedoAction(window, "&Redo")
    set_shortcut(redo, QKeySequence.StandardKey.Redo)
    redo.setObjectName("redoAction")
    edit_actions = edit_menu.actions()
    if edit_actions:
        edit_menu.insertActions(edit_actions[0], [undo, redo])
    else:
        edit_menu.addActions([undo, redo])
    for name, title in (("forms", "Edit with &Forms"), ("attachments", "&Attachments")):
        action = window.menu("&Tools").addAction(title)
        action.triggered.connect(lambda _c=False, n=name: window.show_panel(n))
    after_first_frame(composer.offer_restore, composer)  # the drafts check, after the first frame
