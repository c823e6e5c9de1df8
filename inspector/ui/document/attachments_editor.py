"""The attachments panel: list, add (file or drag and drop), remove, rename, replace, edit in place, preview, save.

Per API (rules in :mod:`inspector.compose.attachments`): Backtrace multipart parts go through
``OpenDocument.set_attachments``; App Center ``errorAttachment`` logs are JSON and go through ``apply_edits``;
Rollbar has none, and the panel says so. Every change is one undo step on the document's stack.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.compose import attachments as A
from inspector.formats.base import InspectorError
from inspector.ui import style
from inspector.ui.document.open_document import OpenDocument

Index = QModelIndex | QPersistentModelIndex

#: Text attachments above this size are previewed read-only (editing a huge log in place is not useful).
EDIT_LIMIT = 2 * 1024 * 1024


class AttachmentsModel(QAbstractTableModel):
    """The attachments of a document: name, content type, size, and the form field / error they belong to."""

    COL_NAME, COL_TYPE, COL_SIZE, COL_LINK = range(4)
    HEADERS = ("Name", "Content type", "Size", "Part / error")

    def __init__(self) -> None:
        super().__init__()
        self.items: list[A.Attachment] = []
        self.format = ""

    def load(self, doc: OpenDocument | None) -> None:
        self.beginResetModel()
        self.format = doc.format if doc is not None else ""
        if doc is None or not A.supports(self.format):
            self.items = []
        elif A.in_document(self.format):
            self.items = A.from_appcenter(doc.document.value if doc.document is not None else None)
        else:
            self.items = A.from_parts(doc.submission.attachments)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Override QAbstractTableModel.rowCount
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Override QAbstractTableModel.columnCount
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # Override
        if not index.isValid() or index.row() >= len(self.items):
            return None
        item = self.items[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_NAME:
                return item.filename
            if col == self.COL_TYPE:
                return item.content_type or "(none)"
            if col == self.COL_SIZE:
                return A.human_size(item.size)
            return item.field or item.error_id
        if role == Qt.ItemDataRole.ToolTipRole:
            problem = A.size_problem(self.format, item.size)
            notes = [p for p in (item.decode_problem, problem[1] if problem else "") if p]
            return "\n".join(notes) or None
        if role == Qt.ItemDataRole.DecorationRole and col == self.COL_NAME:
            problem = A.size_problem(self.format, item.size)
            if item.decode_problem or problem:
                return style.severity_icon(problem[0] if problem else "warning")
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.COL_SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole and col == self.COL_SIZE:
            return item.size
        return None


class AttachmentsEditor(QWidget):
    """Edits the attachments of one document.

    Signals:
        message(str): a status line for the user (also shown in the panel).
    """

    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentsEditor")
        self.setAcceptDrops(True)
        self.doc: OpenDocument | None = None
        self.model = AttachmentsModel()
        self.table = QTableView()
        self.table.setObjectName("attachmentsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.note = QLabel()
        self.note.setObjectName("attachmentsNote")
        self.note.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.error_combo = QComboBox()
        self.error_combo.setObjectName("errorIdChooser")
        self.error_combo.setToolTip("App Center: the error (errorId) the attachment belongs to")
        self.error_combo.activated.connect(self._error_chosen)
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        for name, label, slot in (
            ("add", "Add file…", self.add_dialog),
            ("remove", "Remove", self.remove_selected),
            ("rename", "Rename…", self.rename_dialog),
            ("replace", "Replace content…", self.replace_dialog),
            ("save", "Save out…", self.save_dialog),
        ):
            button = QPushButton(label)
            button.setObjectName(f"attachments:{name}")
            button.clicked.connect(slot)
            self.buttons[name] = button
            bar.addWidget(button)
        bar.addWidget(self.error_combo)
        bar.addStretch(1)
        # preview / in-place editor
        self.preview = QStackedWidget()
        self.text_edit = QPlainTextEdit()
        self.text_edit.setObjectName("attachmentText")
        self.text_edit.setFont(style.mono_font())
        self.text_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.apply_button = QPushButton("Apply text changes")
        self.apply_button.setObjectName("attachments:apply")
        self.apply_button.clicked.connect(self.apply_text)
        text_page = QWidget()
        text_layout = QVBoxLayout(text_page)
        text_layout.setContentsMargins(0, 0, 0, 0)
        text_layout.addWidget(self.text_edit)
        text_layout.addWidget(self.apply_button, 0, Qt.AlignmentFlag.AlignRight)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        image_scroll = QScrollArea()
        image_scroll.setWidget(self.image)
        image_scroll.setWidgetResizable(True)
        self.hex = QPlainTextEdit()
        self.hex.setReadOnly(True)
        self.hex.setFont(style.mono_font())
        self.hex.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.empty = QLabel("Select an attachment to preview it.\nDrop files here to attach them.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = {"empty": self.empty, "text": text_page, "json": text_page, "image": image_scroll, "hex": self.hex}
        for page in (self.empty, text_page, image_scroll, self.hex):
            self.preview.addWidget(page)
        self.preview_kind = "empty"
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.preview)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._show(cur.row()))
        self.set_document(None)

    # ------------------------------------------------------------------ binding

    def set_document(self, doc: OpenDocument | None) -> None:
        if self.doc is not None:
            self.doc.changed.disconnect(self.reload)
        self.doc = doc
        if doc is not None:
            doc.changed.connect(self.reload)
        self.reload()

    @property
    def api(self) -> str:
        return A.api_of(self.doc.format) if self.doc is not None else ""

    @property
    def in_document(self) -> bool:
        """Attachments are logs of the document linked to an error (App Center), not parts beside it."""
        return self.doc is not None and A.in_document(self.doc.format)

    def reload(self) -> None:
        row = self.current_row()
        self.model.load(self.doc)
        doc = self.doc
        supported = doc is not None and A.supports(doc.format)
        if doc is None:
            self.note.setText("No document.")
        elif not supported:
            self.note.setText(A.NO_ATTACHMENTS.get(doc.format) or f"{doc.format} submissions carry no attachments.")
        elif self.in_document:
            self.note.setText(
                "App Center: each attachment is an errorAttachment log in the batch (base64 data, "
                "linked to an error by errorId). Limit: 7 MB per attachment."
            )
        else:
            self.note.setText(
                "Backtrace: multipart parts named attachment_<file name>; .txt and .log parts are sent "
                "as text/plain. Attachments make the upload multipart."
            )
        for button in self.buttons.values():
            button.setEnabled(supported)
        in_document = supported and self.in_document and doc is not None and doc.document is not None
        errors = A.appcenter_errors(doc.document.value) if in_document and doc and doc.document else []
        self.error_combo.blockSignals(True)
        self.error_combo.clear()
        for error_id, label in errors:
            self.error_combo.addItem(label, error_id)
        self.error_combo.blockSignals(False)
        self.error_combo.setVisible(self.in_document)
        self.table.setEnabled(supported)
        if self.model.rowCount():  # keep the selection; show the first attachment when there was none
            row = min(max(row, 0), self.model.rowCount() - 1)
            self.table.selectRow(row)
            self._show(row)
        else:
            self._show(-1)

    def current_row(self) -> int:
        return self.table.currentIndex().row() if self.table.currentIndex().isValid() else -1

    def _item(self, row: int) -> A.Attachment | None:
        return self.model.items[row] if 0 <= row < len(self.model.items) else None

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.message.emit(text)

    # ------------------------------------------------------------------ preview

    def _show(self, row: int) -> None:
        item = self._item(row)
        if item is None:
            self.preview_kind = "empty"
            self.preview.setCurrentWidget(self.empty)
            return
        kind = A.preview_kind(item.content_type, item.filename, item.data)
        if kind == "image":
            image = QImage.fromData(item.data)
            if image.isNull():
                kind = "hex"
            else:
                self.image.setPixmap(QPixmap.fromImage(image))
        if kind in ("text", "json"):
            text = item.data.decode("utf-8", "replace")
            if kind == "json":
                try:
                    text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
                except ValueError:
                    pass
            self.text_edit.setPlainText(text)
            editable = item.size <= EDIT_LIMIT
            self.text_edit.setReadOnly(not editable)
            self.apply_button.setVisible(editable)
        if kind == "hex":
            self.hex.setPlainText(A.hexdump(item.data))
        self.preview_kind = kind
        self.preview.setCurrentWidget(self.pages[kind])
        if item.error_id:
            index = self.error_combo.findData(item.error_id)
            self.error_combo.setCurrentIndex(index)
        problem = A.size_problem(self.doc.format if self.doc else "", item.size)
        self.status.setText(
            problem[1] if problem else item.decode_problem or f"{item.filename}: {A.human_size(item.size)}"
        )

    # ------------------------------------------------------------------ operations (also used by tests)

    def add_data(self, filename: str, data: bytes, content_type: str | None = None) -> bool:
        """Attach bytes. Refuses (with a clear message) what the vendor would reject."""
        doc = self.doc
        if doc is None or not A.supports(doc.format):
            self._say(A.NO_ATTACHMENTS.get(doc.format if doc else "", "") or "This submission takes no attachments.")
            return False
        problem = A.size_problem(doc.format, len(data))
        if problem and problem[0] == "error":
            QMessageBox.warning(self, "Attachment too large", f"{filename}: {problem[1]}")
            self._say(f"Not attached: {problem[1]}")
            return False
        try:
            if self.in_document:
                assert doc.document is not None  # attachments in the document: a JSON document (App Center)
                error_id = (
                    self.error_combo.currentData() or (A.appcenter_errors(doc.document.value) or [("", "")])[0][0]
                )
                doc.apply_edits(
                    A.appcenter_add(doc.document.value, filename, data, error_id, content_type), f"Attach {filename}"
                )
            else:
                doc.set_attachments(
                    A.backtrace_add(doc.submission.attachments, filename, data, content_type), f"Attach {filename}"
                )
        except InspectorError as exc:
            self._say(str(exc))
            return False
        self.table.selectRow(self.model.rowCount() - 1)
        self._say(problem[1] if problem else f"Attached {A.sanitize_filename(filename)} ({A.human_size(len(data))})")
        return True

    def add_files(self, paths: list[str]) -> int:
        added = 0
        for path in paths:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                self._say(f"Cannot read {path}: {exc.strerror}")
                continue
            added += self.add_data(Path(path).name, data)
        return added

    def remove(self, row: int) -> None:
        item, doc = self._item(row), self.doc
        if item is None or doc is None:
            return
        if self.in_document:
            doc.apply_edits(A.appcenter_remove(item.index), f"Remove attachment {item.filename}")
        else:
            doc.set_attachments(
                A.backtrace_remove(doc.submission.attachments, item.index), f"Remove attachment {item.filename}"
            )

    def rename(self, row: int, filename: str) -> bool:
        item, doc = self._item(row), self.doc
        if item is None or doc is None or not filename.strip():
            return False
        try:
            if self.in_document:
                doc.apply_edits(A.appcenter_rename(item.index, filename), f"Rename attachment to {filename}")
            else:
                doc.set_attachments(
                    A.backtrace_rename(doc.submission.attachments, item.index, filename),
                    f"Rename attachment to {filename}",
                )
        except InspectorError as exc:
            self._say(str(exc))
            return False
        return True

    def replace_content(self, row: int, data: bytes, content_type: str | None = None) -> bool:
        item, doc = self._item(row), self.doc
        if item is None or doc is None:
            return False
        problem = A.size_problem(doc.format, len(data))
        if problem and problem[0] == "error":
            QMessageBox.warning(self, "Attachment too large", problem[1])
            self._say(f"Not replaced: {problem[1]}")
            return False
        if self.in_document:
            doc.apply_edits(A.appcenter_replace(item.index, data, content_type), f"Replace {item.filename}")
        else:
            doc.set_attachments(
                A.backtrace_replace(doc.submission.attachments, item.index, data, content_type),
                f"Replace {item.filename}",
            )
        return True

    def apply_text(self) -> bool:
        """Write the in-place edited text back into the selected attachment (JSON is checked first)."""
        row = self.current_row()
        item = self._item(row)
        if item is None or self.preview_kind not in ("text", "json"):
            return False
        text = self.text_edit.toPlainText()
        if self.preview_kind == "json":
            try:
                json.loads(text)
            except ValueError as exc:
                self._say(f"Not applied: the attachment is not valid JSON any more ({exc})")
                return False
        return self.replace_content(row, text.encode("utf-8"))

    def set_error_id(self, row: int, error_id: str) -> None:
        item, doc = self._item(row), self.doc
        if item is not None and doc is not None and self.in_document and error_id != item.error_id:
            doc.apply_edits(A.appcenter_set_error(item.index, error_id), "Link attachment to another error")

    def save_out(self, row: int, folder: str | Path) -> Path | None:
        """Save the attachment into ``folder`` (sanitised name); asks before overwriting."""
        item = self._item(row)
        if item is None:
            return None
        try:
            return A.save_out(folder, item.filename, item.data)
        except FileExistsError as exc:
            answer = QMessageBox.question(
                self,
                "Overwrite?",
                f"{exc} exists. Replace it?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                self._say("Not saved: the file exists")
                return None
            return A.save_out(folder, item.filename, item.data, overwrite=True)
        except (InspectorError, OSError) as exc:
            self._say(f"Not saved: {exc}")
            return None

    # ------------------------------------------------------------------ dialogs

    def add_dialog(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, "Attach files")
        if paths:
            self.add_files(paths)

    def remove_selected(self) -> None:
        self.remove(self.current_row())

    def rename_dialog(self) -> None:
        item = self._item(self.current_row())
        if item is None:
            return
        name, ok = QInputDialog.getText(self, "Rename attachment", "File name:", text=item.filename)
        if ok:
            self.rename(self.current_row(), name)

    def replace_dialog(self) -> None:
        row = self.current_row()
        if self._item(row) is None:
            return
        path, _filter = QFileDialog.getOpenFileName(self, "Replace the content with")
        if path:
            self.replace_content(row, Path(path).read_bytes())

    def save_dialog(self) -> None:
        row = self.current_row()
        if self._item(row) is None:
            return
        folder = QFileDialog.getExistingDirectory(self, "Save the attachment into")
        if folder:
            path = self.save_out(row, folder)
            if path is not None:
                self._say(f"Saved {path}")

    def _error_chosen(self, index: int) -> None:
        row = self.current_row()
        if row >= 0:
            self.set_error_id(row, self.error_combo.itemData(index))

    # ------------------------------------------------------------------ drag and drop

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Override QWidget.dragEnterEvent
        if event.mimeData().hasUrls() and self.doc is not None and A.supports(self.doc.format):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # Override QWidget.dropEvent
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.add_files(paths)
            event.acceptProposedAction()
