"""Find / replace and go-to-pointer bars for the editor (Qt's own document search does the finding)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget


class FindBar(QWidget):
    """Find text, replace one or all.

    Signals:
        closed: the user pressed the close button (Escape).
    """

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.find_edit = QLineEdit(placeholderText="Find")
        self.replace_edit = QLineEdit(placeholderText="Replace with")
        self.case = QCheckBox("Match case")
        self.prev_button = QPushButton("Previous")
        self.next_button = QPushButton("Next")
        self.replace_button = QPushButton("Replace")
        self.replace_all_button = QPushButton("Replace all")
        self.close_button = QPushButton("✕")
        self.close_button.setFlat(True)
        self.status = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        for widget in (
            self.find_edit,
            self.prev_button,
            self.next_button,
            self.replace_edit,
            self.replace_button,
            self.replace_all_button,
            self.case,
            self.status,
            self.close_button,
        ):
            layout.addWidget(widget)
        self.close_button.clicked.connect(self._close)

    def flags(self, backward: bool = False) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if self.case.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        return flags

    def _close(self) -> None:
        self.hide()
        self.closed.emit()


class PointerBar(QWidget):
    """A JSON Pointer entry: Enter selects that value in the editor.

    Signals:
        go(str): the pointer to go to.
    """

    go = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(placeholderText="Go to JSON Pointer, e.g. /data/body/trace/frames/0")
        self.status = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(QLabel("Pointer:"))
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.status)
        self.edit.returnPressed.connect(lambda: self.go.emit(self.edit.text().strip()))
