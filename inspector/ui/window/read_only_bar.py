"""The bar above a document opened for reading: it says so, and offers Edit This File / Edit a Copy."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from inspector.ui.document.open_document import OpenDocument


class ReadOnlyBar(QFrame):
    """Shown while the document is read-only; the buttons call :meth:`OpenDocument.allow_editing`."""

    def __init__(self, document: OpenDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readOnlyBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)  # the desktop's note colour, light or dark
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.document = document
        self.label = QLabel()
        self.label.setObjectName("readOnlyText")
        self.label.setWordWrap(True)
        self.label.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.edit_button = QPushButton("&Edit This File")
        self.edit_button.setObjectName("editInPlaceButton")
        self.edit_button.setToolTip("Edit the payload; Save (Ctrl+S) then writes this file")
        self.copy_button = QPushButton("Edit a &Copy")
        self.copy_button.setObjectName("editCopyButton")
        self.copy_button.setToolTip("Edit an untitled copy; the file stays as it is (Save asks where to write)")
        self.edit_button.clicked.connect(lambda: document.allow_editing(True))
        self.copy_button.clicked.connect(lambda: document.allow_editing(False))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 3, 8, 3)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.copy_button)
        layout.addWidget(self.edit_button)
        document.read_only_changed.connect(self._update)
        self._update()

    def _update(self, *_args: object) -> None:
        doc = self.document
        editable = doc.document is not None
        where = doc.path.name if doc.path is not None else doc.title
        if editable:
            text = f"<b>Read-only:</b> {where} is open for reading; nothing you do here changes the file."
        else:
            text = f"<b>Read-only:</b> {where} ({doc.format}) is not a JSON payload and cannot be edited here."
        self.label.setText(text)
        self.edit_button.setVisible(editable and doc.path is not None)
        self.copy_button.setVisible(editable)
        self.setVisible(doc.read_only)
