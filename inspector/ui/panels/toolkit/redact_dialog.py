"""Tools › Redact…: preview every change (table + before/after panes), untick what to keep, apply as one undo step.

JSON changes go through :meth:`OpenDocument.apply_edits` and attachment changes through ``set_attachments``,
inside one undo macro, so Edit › Undo restores everything. Header and URL changes concern the transport of a
captured request: they are shown, and applied when sending with "redact before send".
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.formats.jsondoc import dumps, unescape
from inspector.toolkit.redact import Change, Rules, default_rules, json_edits, plan, redacted_parts
from inspector.ui.panels.toolkit.models import ChangesModel

#: A JSON change is shown inside its parent object when that object is at most this big (bytes of JSON).
CONTEXT_LIMIT = 20_000


def _text(value: Any) -> str:
    return value if isinstance(value, str) else dumps(value, pretty=True).decode("utf-8")


def in_context(document: Any, change: Change) -> tuple[str, str]:
    """Before/after texts of a change; a JSON value is shown inside its parent object, as it will be written."""
    if change.where != "json" or document.document is None or not change.pointer:
        return _text(change.before), _text(change.after)
    parent_pointer, _, key = change.pointer.rpartition("/")
    parent = document.document.get(parent_pointer)
    if isinstance(parent, dict) and len(dumps(parent)) <= CONTEXT_LIMIT:
        token = unescape(key)
        after = {k: (change.after if k == token else v) for k, v in parent.items()}
        head = f"{parent_pointer or '/'}\n"
        return head + _text(parent), head + _text(after)
    return _text(change.before), _text(change.after)


def apply_changes(document: Any, changes: list[Change]) -> int:
    """Apply the JSON and attachment changes to an OpenDocument as one undoable step; returns how many."""
    edits = json_edits(changes)
    attachment_changes = [c for c in changes if c.where == "attachment"]
    if not edits and not attachment_changes:
        return 0
    stack = document.undo_stack
    stack.beginMacro(f"Redact {len(edits) + len(attachment_changes)} values")
    try:
        if edits:
            document.apply_edits(edits, "Redact values")
        if attachment_changes:
            _parts, attachments = redacted_parts(document.submission, attachment_changes)
            document.set_attachments(attachments, "Redact attachments")
    finally:
        stack.endMacro()
    return len(edits) + len(attachment_changes)


class RedactDialog(QDialog):
    def __init__(self, document: Any, rules: Rules | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("redactDialog")
        self.setWindowTitle(f"Redact {document.title}")
        self.resize(1100, 680)
        self.document = document
        self.rules = rules if rules is not None else default_rules()
        self.model = ChangesModel(plan(document.submission, self.rules))

        transport = sum(1 for c in self.model.rows if c.where in ("header", "url"))
        summary = f"{len(self.model.rows)} change(s) found by {len(self.rules.names)} rules."
        if transport:
            summary += f" {transport} header/URL change(s) apply when sending (redact before send)."
        self.summary = QLabel(summary if self.model.rows else "Nothing to redact.")
        self.summary.setObjectName("redactSummary")
        self.table = QTableView()
        self.table.setObjectName("redactChanges")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(3, 260)
        self.before = QPlainTextEdit()
        self.before.setObjectName("redactBefore")
        self.after = QPlainTextEdit()
        self.after.setObjectName("redactAfter")
        for pane in (self.before, self.after):
            pane.setReadOnly(True)
        panes = QSplitter(Qt.Orientation.Horizontal)
        for label, pane in (("Before", self.before), ("After", self.after)):
            box = QWidget()
            col = QVBoxLayout(box)
            col.setContentsMargins(0, 0, 0, 0)
            col.addWidget(QLabel(f"<b>{label}</b>"))
            col.addWidget(pane)
            panes.addWidget(box)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(panes)
        split.setSizes([380, 240])

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = self.buttons.addButton("Apply Redaction", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("applyRedaction")
        self.apply_button.setEnabled(bool(self.model.rows) and document.document is not None)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addWidget(self.buttons)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        if self.model.rows:
            self.table.selectRow(0)

    def _selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = selected.indexes()
        change = self.model.row_object(rows[0].row()) if rows else None
        before, after = ("", "") if change is None else in_context(self.document, change)
        self.before.setPlainText(before)
        self.after.setPlainText(after)

    def selected_changes(self) -> list[Change]:
        return self.model.selected_changes()

    @classmethod
    def redact_current(cls, window: Any, rules: Rules | None = None) -> int:
        """Run the dialog for the current document and apply the ticked changes. Returns how many were applied."""
        document = window.current_document()
        if document is None:
            window.status_message("Open a report to redact first")
            return 0
        dialog = cls(document, rules, window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return 0
        count = apply_changes(document, dialog.selected_changes())
        window.status_message(f"Redacted {count} value(s); Edit › Undo restores them")
        return count
