"""Why a view of a document is empty, said in the view: the format never carries it, the filter hides it, or
this report has none."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QTreeView

from inspector.formats import get_format

#: Views a format never fills, and why (shown in the empty view instead of a blank tree).
NEVER_CARRIED = {
    "rollbar": {
        "threads": "Rollbar items carry no threads: the exception's stack is under Frames.",
        "binaries": "Rollbar items carry no list of loaded binaries.",
        "attachments": "Rollbar items carry no attachments.",
    },
    "minidump": {"telemetry": "Minidumps carry no telemetry (breadcrumbs)."},
    "apple": {"telemetry": "Apple crash reports carry no telemetry (breadcrumbs)."},
}
#: What an empty view lists, for the note "This report lists no …".
VIEW_ITEMS = {
    "frames": "exception frames",
    "threads": "threads",
    "binaries": "binaries (loaded modules)",
    "telemetry": "telemetry (breadcrumbs)",
    "attachments": "attachments",
    "metadata": "metadata",
}


def empty_note(format_name: str, view: str, filtered: bool = False, validating: bool = False) -> str:
    """Why a view is empty: the format never carries it, the filter hides it, or this report has none (or, for
    the problems of a big document, its check has not ended yet)."""
    if view == "problems":
        if validating:
            return "Checking the payload… its problems appear here when the check ends."
        return "No problems: the payload passed validation."
    if filtered:
        return "Nothing here matches the filter (Esc clears it)."
    reason = NEVER_CARRIED.get(format_name, {}).get(view)
    return reason or f"This report lists no {VIEW_ITEMS.get(view, view)}."


class EmptyNote(QObject):
    """A line of text in the middle of a tree's viewport while its model has no rows (why it is empty)."""

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self.view = view
        self.label = QLabel(view.viewport())
        self.label.setObjectName(f"{view.objectName()}EmptyNote")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.label.hide()
        self.text = ""
        view.viewport().installEventFilter(self)

    def set_text(self, text: str) -> None:
        self.text = text
        self.update()

    def update(self) -> None:
        model = self.view.model()
        empty = model is None or model.rowCount() == 0
        self.label.setText(self.text)
        self.label.setVisible(empty and bool(self.text))
        self._place()

    def _place(self) -> None:
        rect = self.view.viewport().rect().adjusted(20, 20, -20, -20)
        self.label.setGeometry(rect.x(), rect.y(), rect.width(), min(rect.height(), 80))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Override QObject.eventFilter
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False


def no_attachments_note(format_name: str) -> str:
    """What the Attachments view says when a report has none: an API that takes no files beside its payload
    (Rollbar's item API) says so; other formats have none in this payload."""
    fmt = get_format(format_name)
    caps = fmt.CAPABILITIES
    if caps.can_send and not caps.native and not caps.attachments:
        return f"{fmt.TITLE} items have no attachments."
    return "No attachments in this payload."
