"""One open document: the submission, its reports and problems, and the single path every edit goes through.

Views never change the payload themselves: forms call :meth:`OpenDocument.apply_edits`, the raw editor calls
:meth:`OpenDocument.replace_text`. Both push a command on the undo stack, re-derive the reports and re-validate,
then emit ``changed``. A JSON syntax error in the raw text keeps the last good document (and so the trees)
and is exposed as ``syntax_error``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from inspector.formats import get_format, validate
from inspector.formats.base import InspectorError, Problem, Submission
from inspector.formats.jsondoc import Document, Edit
from inspector.report import Report


class _EditCommand(QUndoCommand):
    """Undoable list of document edits (form edits are usually one, raw replacements one whole-document set)."""

    def __init__(self, doc: OpenDocument, edits: Sequence[Edit], text: str) -> None:
        super().__init__(text)
        self._doc = doc
        self._edits = list(edits)
        self._undo: list[Edit] = []

    def redo(self) -> None:
        self._undo = [self._doc._apply_raw(e) for e in self._edits]
        self._doc._refresh()

    def undo(self) -> None:
        for inverse in reversed(self._undo):
            self._doc._apply_raw(inverse)
        self._doc._refresh()


class OpenDocument(QObject):
    """A document open in a tab.

    Signals:
        changed: the payload changed (edit, undo, redo); reports and problems are already recomputed.
        syntax_error_changed: the raw text's parse state changed (``syntax_error`` is None or the error).
    """

    changed = Signal()
    syntax_error_changed = Signal()

    def __init__(self, submission: Submission, path: Path | None = None, title: str | None = None) -> None:
        super().__init__()
        self.submission = submission
        self.path = path
        self.title = title or (path.name if path else "Untitled")
        self.undo_stack = QUndoStack(self)
        self.syntax_error: InspectorError | None = None
        self.reports: list[Report] = []
        self.problems: list[Problem] = []
        self._recompute()

    # ------------------------------------------------------------------ reading

    @property
    def document(self) -> Document | None:
        return self.submission.document

    @property
    def format(self) -> str:
        return self.submission.format

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    # ------------------------------------------------------------------ the one edit path

    def apply_edits(self, edits: Sequence[Edit], description: str) -> None:
        """Apply form edits as one undoable step. Raises InspectorError for an invalid pointer (nothing changes)."""
        if self.document is None:
            raise InspectorError("this document is not JSON and cannot be edited as such")
        for edit in edits:  # check every pointer's parent exists before touching anything
            parent = edit.pointer.rsplit("/", 1)[0]
            self.document.resolve(parent)
        self.undo_stack.push(_EditCommand(self, edits, description))

    def replace_text(self, text: str) -> bool:
        """The raw editor's text changed. Returns False (and keeps the last good document) on a syntax error."""
        if self.document is None:
            raise InspectorError("this document is not JSON and cannot be edited as such")
        try:
            value = Document.from_bytes(text.encode("utf-8")).value
        except InspectorError as exc:
            self.syntax_error = exc
            self.syntax_error_changed.emit()
            return False
        had_error = self.syntax_error is not None
        self.syntax_error = None
        if had_error:
            self.syntax_error_changed.emit()
        if value != self.document.value or list(_key_order(value)) != list(_key_order(self.document.value)):
            self.undo_stack.push(_EditCommand(self, [Edit("set", "", value)], "Edit raw JSON"))
        return True

    # ------------------------------------------------------------------ internals

    def _apply_raw(self, edit: Edit) -> Edit:
        assert self.document is not None
        return self.document.apply(edit)

    def _refresh(self) -> None:
        self._recompute()
        self.changed.emit()

    def _recompute(self) -> None:
        """Re-derive reports and problems from the submission. Cheap: reports are lazy views."""
        module = get_format(self.submission.format)
        try:
            self.reports = list(module.reports(self.submission))
        except InspectorError:
            self.reports = []
        self.problems = validate(self.submission)


def _key_order(value: object) -> list[str]:
    """Top-level key order, to notice a raw edit that only reorders keys."""
    return list(value) if isinstance(value, dict) else []
