"""The editor that replaces the read-only raw view: typing validates live through the document's one edit path.

Typing is debounced (:data:`DEBOUNCE_MS`); then the text goes to :meth:`OpenDocument.replace_text` (or, for big
documents, ``replace_text_async``, which parses on the thread pool). Changes that come from elsewhere (form edits,
undo/redo) replace only the changed middle of the text, so the cursor and scroll position stay put even on a 20 MB
document. Undo and redo are the document's QUndoStack, shared with the forms.

The text goes into the widget only when the editor is first shown, and a big one a slice per event-loop turn
(:class:`~inspector.ui.document.raw_view.TextFiller`; the editor is read-only meanwhile): ``setPlainText`` of 20 MB
holds the
GUI thread for seconds. Above :data:`EDIT_LIMIT` characters :func:`create_editor` gives the read-only view of big
documents (:class:`~inspector.ui.document.line_view.BigRawView`) with a line saying why: the forms still edit such a
document.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent, QTextCursor
from PySide6.QtWidgets import QLabel, QToolButton, QVBoxLayout, QWidget

from inspector.compose.locate import common_affixes, has_astral, locate, render_value, utf16_offset
from inspector.formats.base import Severity
from inspector.ui.document.editor.find_bar import FindBar, PointerBar
from inspector.ui.document.editor.text_edit import JsonTextEdit, Mark
from inspector.ui.document.line_view import BigRawView
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.document.raw_view import FILL_AT_ONCE, TextFiller
from inspector.ui.window.labels import plural

#: Pause after the last keystroke before the text is parsed and validated (short enough to feel live).
DEBOUNCE_MS = 300
#: Big documents wait longer: a parse of 20 MB costs a few hundred milliseconds of pool time.
DEBOUNCE_BIG_MS = 900
#: Continuous typing still hands its text over at least this often (live validation, and drafts keep up).
MAX_WAIT_S = 1.0
#: Underlines beyond this many problems are not drawn (the problems view lists them all).
MAX_MARKS = 500
#: Keys of "Format document" (VS Code's; Ctrl+Shift+F and Ctrl+Alt+L are taken on some desktops).
FORMAT_KEYS = "Shift+Alt+F"
#: Documents whose text is longer than this many characters are shown read-only (the forms still edit them).
EDIT_LIMIT = 32 * 1024 * 1024


class EditorWidget(QWidget):
    """Raw JSON editor bound to an :class:`OpenDocument`.

    Signals:
        committed: the editor's text was handed to the document (parsed or not).
    """

    committed = Signal()

    def __init__(self, doc: OpenDocument | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc: OpenDocument | None = None
        self.edit = JsonTextEdit(self)
        self.find_bar = FindBar(self)
        self.find_bar.hide()
        self.pointer_bar = PointerBar(self)
        self.status = QLabel(self)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.format_button = QToolButton(self)
        self.format_button.setObjectName("formatDocument")
        self.format_button.setText("Format document")
        self.format_button.setToolTip(
            f"Pretty-print the JSON ({FORMAT_KEYS}): an edit like any other (undo restores the text); "
            "the saved and sent bytes then are the formatted text."
        )
        self.format_button.clicked.connect(self.format_document)
        bar_layout = self.pointer_bar.layout()
        assert bar_layout is not None  # the pointer bar lays its widgets out in a row
        bar_layout.addWidget(self.format_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.pointer_bar)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        self._updating = False
        self._pending = False
        #: The text last shown or committed, while no typing happened since (saves a toPlainText of 20 MB).
        self._shown: str | None = None
        self._pending_since = 0.0
        #: The widget does not hold ``_shown`` yet (filled when first shown).
        self._stale = False
        self._editable = False
        self._pending_pointer: str | None = None
        self._filler = TextFiller(self.edit)
        self._filler.finished.connect(self._filled)
        self.edit.document().contentsChange.connect(self._on_contents_change)
        self.edit.undo_requested.connect(self.undo)
        self.edit.redo_requested.connect(self.redo)
        self.pointer_bar.go.connect(self.go_to_pointer)
        self.find_bar.next_button.clicked.connect(lambda: self.find_next())
        self.find_bar.prev_button.clicked.connect(lambda: self.find_next(backward=True))
        self.find_bar.find_edit.returnPressed.connect(lambda: self.find_next())
        self.find_bar.replace_button.clicked.connect(self.replace_current)
        self.find_bar.replace_all_button.clicked.connect(lambda: self.replace_all())
        self.find_bar.closed.connect(self.edit.setFocus)
        # Find (Ctrl+F) and Replace (Ctrl+H) are the window's Edit menu actions: they open this find bar when the
        # editor has the focus (two shortcuts on one key are ambiguous in Qt, and neither fires).
        for keys, slot in (
            (QKeySequence("Ctrl+L"), self.pointer_bar.edit.setFocus),
            (QKeySequence(FORMAT_KEYS), self.format_document),
        ):
            shortcut = QShortcut(keys, self, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        if doc is not None:
            self.set_document(doc)

    # ------------------------------------------------------------------ binding

    def set_document(self, doc: OpenDocument | None) -> None:
        if self.doc is not None:
            for signal, slot in self._connections():
                signal.disconnect(slot)
        self.doc = doc
        self._timer.stop()
        self._pending = False
        self._editable = doc is not None and doc.document is not None and not doc.read_only
        self.format_button.setEnabled(self._editable)
        self._set_text(doc.draft_text if doc is not None else "", whole=True)
        self.edit.setReadOnly(not self._editable or not self.loaded)
        if doc is not None:
            for signal, slot in self._connections():
                signal.connect(slot)
        self._update_marks()

    def _connections(self) -> list:
        assert self.doc is not None
        return [
            (self.doc.text_changed, self._on_doc_text),
            (self.doc.problems_changed, self._update_marks),
            (self.doc.syntax_error_changed, self._update_marks),
            (self.doc.read_only_changed, self._read_only_changed),
        ]

    def _read_only_changed(self, read_only: bool) -> None:
        self._editable = self.doc is not None and self.doc.document is not None and not read_only
        self.edit.setReadOnly(not self._editable or not self.loaded)
        self.format_button.setEnabled(self._editable)

    def text(self) -> str:
        return self._shown if self._shown is not None else self.edit.toPlainText()

    @property
    def loaded(self) -> bool:
        """The widget holds the whole text (False until first shown, and while a big text is filled in)."""
        return not self._stale and not self._filler.active

    def ensure_loaded(self) -> None:
        """Fill the widget now, at once (find and replace need the whole text in it)."""
        if self._stale:
            self._fill()
        self._filler.finish_now()

    def showEvent(self, event: QShowEvent) -> None:  # Override QWidget.showEvent: the text goes in on first show
        super().showEvent(event)
        if self._stale:
            self._fill()

    def _fill(self) -> None:
        self._stale = False
        self.edit.setReadOnly(True)
        self.edit.highlighter.reset()
        if self._shown is not None and len(self._shown) > FILL_AT_ONCE:
            self.status.setText(f"Loading {len(self._shown) / 2**20:.0f} MB of text…")
        self._filler.start(self._shown if self._shown is not None else "")

    def _filled(self) -> None:
        self.edit.setReadOnly(not self._editable)
        self.edit.highlighter.colour_visible()
        self._update_marks()
        pointer, self._pending_pointer = self._pending_pointer, None
        if pointer is not None:
            self.select_pointer(pointer)

    # ------------------------------------------------------------------ typing -> document

    def _on_contents_change(self, _pos: int, _removed: int, _added: int) -> None:
        if self._updating or self._filler.active or self.doc is None:
            return
        self._shown = None
        now = time.monotonic()
        if not self._pending:
            self._pending_since = now
        self._pending = True
        if now - self._pending_since >= MAX_WAIT_S:
            self._timer.start(0)
        else:
            self._timer.start(DEBOUNCE_BIG_MS if self.doc.is_big else DEBOUNCE_MS)
        self.doc.draft_dirty = True

    def flush(self) -> None:
        """Hand the current text to the document now (the debounce timer does it otherwise)."""
        self._timer.stop()
        if not self._pending or self.doc is None or self.doc.document is None:
            return
        self._pending = False
        text = self.text()
        self._shown = text
        if self.doc.is_big or len(text) > 2 * 1024 * 1024:
            self.doc.replace_text_async(text)
        else:
            self.doc.replace_text(text)
        self.committed.emit()
        self._update_marks()

    def format_document(self) -> bool:
        """Replace the text with the pretty-printed JSON, through the one edit path (one undo step). False when
        there is nothing to format (not JSON, read-only, a syntax error to fix first, already formatted)."""
        doc = self.doc
        if doc is None or doc.document is None or not self._editable:
            return False
        self.ensure_loaded()
        self.flush()
        if doc.syntax_error is not None:
            self.status.setText("⚠ Fix the syntax error first: only valid JSON can be formatted.")
            return False
        formatted = render_value(doc.document.value, pretty=True) + "\n"
        if formatted == self.text():
            return False
        self._set_text(formatted)
        self._pending = True
        self.flush()
        return True

    def undo(self) -> None:
        self.flush()
        if self.doc is not None:
            if self.doc.draft_text != self.doc.text and self.doc.syntax_error is not None:
                self._set_text(self.doc.text)  # first undo drops the broken typing, back to the last good text
                self.doc.replace_text(self.doc.text)
                return
            self.doc.undo_stack.undo()

    def redo(self) -> None:
        self.flush()
        if self.doc is not None:
            self.doc.undo_stack.redo()

    # ------------------------------------------------------------------ document -> text

    def _on_doc_text(self) -> None:
        assert self.doc is not None
        self._timer.stop()
        self._pending = False
        self._set_text(self.doc.text)
        self._update_marks()

    def _set_text(self, new: str, whole: bool = False) -> None:
        """Show ``new``, replacing only the middle that differs from the current text (cursor and scroll stay)."""
        if whole or self._stale or self._filler.active or self.edit.document().isEmpty():
            self._shown = new
            self._stale = True
            self._filler.cancel()
            if len(new) <= FILL_AT_ONCE or self.isVisible():
                self._fill()
            return
        self._updating = True
        try:
            old = self._shown if self._shown is not None else self.text()
            self._shown = new
            if old == new:
                return
            prefix, suffix = common_affixes(old, new)
            start = utf16_offset(old, prefix)
            end = utf16_offset(old, len(old) - suffix)
            cursor = QTextCursor(self.edit.document())
            cursor.beginEditBlock()
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(new[prefix : len(new) - suffix])
            cursor.endEditBlock()
        finally:
            self._updating = False

    # ------------------------------------------------------------------ underlines

    def _update_marks(self) -> None:
        doc = self.doc
        if doc is None:
            self.edit.set_marks([])
            self.status.setText("")
            return
        if not self.loaded:  # marked once the text is in
            return
        syntax: Mark | None = None
        position = doc.syntax_error_position
        if doc.syntax_error is not None and position is not None:
            line, column = position
            block = self.edit.document().findBlockByNumber(line - 1)
            if block.isValid():
                prefix = block.text().encode("utf-8")[: max(0, column - 1)].decode("utf-8", "ignore")
                start = block.position() + utf16_offset(prefix, len(prefix))
                end = max(start + 1, block.position() + block.length() - 1)
                syntax = Mark(start, end, "error", doc.syntax_error.message)
        marks: list[Mark] = []
        in_sync = not self._pending and doc.draft_text == doc.text
        if in_sync and doc.problem_locations:
            astral = has_astral(doc.text)
            for problem in doc.problems[:MAX_MARKS]:
                where = doc.problem_locations.get(problem.pointer)
                if where is None:
                    continue
                a, b = where.head
                if astral:
                    a, b = utf16_offset(doc.text, a), utf16_offset(doc.text, b)
                marks.append(Mark(a, b, str(problem.severity), problem.message))
        self.edit.set_marks(marks, syntax)
        self.status.setText(self._status_text())

    def _status_text(self) -> str:
        doc = self.doc
        if doc is None:
            return ""
        if doc.document is None:
            return "This input is not JSON: shown read-only."
        if doc.syntax_error is not None:
            position = doc.syntax_error_position
            where = f" at line {position[0]}, column {position[1]}" if position else ""
            message = doc.syntax_error.message.split(" at line ")[0]
            return f"⚠ {message}{where} — the trees show the last valid version"
        errors = sum(1 for p in doc.problems if p.severity is Severity.ERROR)
        warnings = sum(1 for p in doc.problems if p.severity is Severity.WARNING)
        if doc.validating:
            return "Valid JSON · validating…"
        return f"Valid JSON · {plural(errors, 'error')}, {plural(warnings, 'warning')}"

    # ------------------------------------------------------------------ navigation

    def select_pointer(self, pointer: str) -> bool:
        """Select the value at ``pointer`` (the same call DocumentView offers). False when it is not in the text."""
        text = self.text()
        where = locate(text, pointer)
        if where is None:
            self.pointer_bar.status.setText("not found")
            return False
        self.pointer_bar.status.setText("")
        if not self.loaded:  # selected once the text is in (a big text is filled in slices)
            self._pending_pointer = pointer
            if self._stale:
                self._fill()
            if not self.loaded:
                return True
            self._pending_pointer = None
        start = where.key_start if where.key_start >= 0 else where.start
        cursor = self.edit.textCursor()
        cursor.setPosition(utf16_offset(text, where.end))
        cursor.setPosition(utf16_offset(text, start), QTextCursor.MoveMode.KeepAnchor)
        self.edit.setTextCursor(cursor)
        self.edit.centerCursor()
        return True

    def go_to_pointer(self, pointer: str) -> bool:
        if pointer and not pointer.startswith("/"):
            pointer = "/" + pointer
        found = self.select_pointer(pointer)
        if found:
            self.edit.setFocus()
        return found

    def show_find(self) -> None:
        self.ensure_loaded()
        self.find_bar.show()
        selected = self.edit.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.find_bar.find_edit.setText(selected)
        self.find_bar.find_edit.setFocus()
        self.find_bar.find_edit.selectAll()

    def find_next(self, needle: str | None = None, backward: bool = False) -> bool:
        needle = self.find_bar.find_edit.text() if needle is None else needle
        if not needle:
            return False
        self.ensure_loaded()
        flags = self.find_bar.flags(backward)
        found = self.edit.find(needle, flags)
        if not found:  # wrap around
            cursor = self.edit.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start)
            self.edit.setTextCursor(cursor)
            found = self.edit.find(needle, flags)
        self.find_bar.status.setText("" if found else "not found")
        return found

    def replace_current(self) -> bool:
        needle, repl = self.find_bar.find_edit.text(), self.find_bar.replace_edit.text()
        self.ensure_loaded()
        cursor = self.edit.textCursor()
        same = (
            cursor.selectedText() == needle
            if self.find_bar.case.isChecked()
            else (cursor.selectedText().lower() == needle.lower())
        )
        if needle and cursor.hasSelection() and same:
            cursor.insertText(repl)
        return self.find_next()

    def replace_all(self, needle: str | None = None, repl: str | None = None) -> int:
        """Replace every occurrence (one undo step). Returns how many were replaced."""
        needle = self.find_bar.find_edit.text() if needle is None else needle
        repl = self.find_bar.replace_edit.text() if repl is None else repl
        if not needle:
            return 0
        text = self.text()
        if self.find_bar.case.isChecked():
            count = text.count(needle)
            new = text.replace(needle, repl)
        else:
            import re

            new, count = re.subn(re.escape(needle), lambda _m: repl, text, flags=re.IGNORECASE)
        if count:
            self._set_text(new)
            self._pending = True
            self.flush()
        self.find_bar.status.setText(f"{count} replaced")
        return count


class TooBigToEdit(QWidget):
    """The read-only raw view of big documents (:class:`BigRawView`: the visible lines painted from the document's
    text, nothing copied into Qt) under a line saying why a huge document is not editable in place."""

    def __init__(self, doc: OpenDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tooBigToEdit")
        self.note = QLabel(too_big_note(doc) or "", self)
        self.note.setObjectName("tooBigNote")
        self.note.setWordWrap(True)
        self.note.setContentsMargins(6, 4, 6, 4)
        self.view = BigRawView(doc, None, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)

    def select_pointer(self, pointer: str) -> bool:
        return self.view.select_pointer(pointer)

    def selected_text(self) -> str:
        return self.view.selected_text()

    @property
    def loaded(self) -> bool:
        return self.view.loaded

    def load_now(self) -> None:
        self.view.load_now()

    def show_find(self) -> None:
        self.view.show_find()


def _text_size(doc: OpenDocument) -> int:
    """Characters of the document's text, or (its text not made yet) as many as the file proves it has at least:
    the characters of the file (its text is the file as written, or pretty-printed: longer), counted a megabyte at a
    time (a character cut at a piece's end is not counted: a lower bound)."""
    if doc.has_text or doc.document is None:
        return len(doc.text) if doc.document is not None else 0
    original = doc.document.original
    if original is None:
        return 0
    if original.isascii():
        return len(original)
    piece = 1 << 20
    return sum(len(original[at : at + piece].decode("utf-8", "ignore")) for at in range(0, len(original), piece))


def too_big_note(doc: OpenDocument) -> str | None:
    """Why the editor does not take ``doc`` (its text is above :data:`EDIT_LIMIT`), or None."""
    size = _text_size(doc)
    if size <= EDIT_LIMIT:
        return None
    return (
        f"This document is too big to edit in place ({size / 2**20:.0f} MB of text; the editor takes up to "
        f"{EDIT_LIMIT // 2**20} MB): edit it with the forms, or save it and edit it in an external editor."
    )


def create_editor(doc: OpenDocument, parent: QWidget | None = None) -> QWidget:
    """The factory the document view can call instead of building the read-only raw view (the read-only view with
    a note for documents above :data:`EDIT_LIMIT`)."""
    if doc.document is not None and len(doc.text) > EDIT_LIMIT:
        return TooBigToEdit(doc, parent)
    return EditorWidget(doc, parent)


#: Asked before the editor is built for a big read-only document the user chose to edit (``raw_view``).
create_editor.too_big_note = too_big_note  # type: ignore[attr-defined]
