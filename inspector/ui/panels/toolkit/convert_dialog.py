"""Tools › Convert to…: pick a target API, see the conversion report and the result, open it as a new document."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.formats.base import InspectorError, Submission
from inspector.toolkit.convert import TARGETS, TITLES, Conversion, convert
from inspector.toolkit.notes import Status
from inspector.ui.panels.toolkit.models import NotesModel
from inspector.ui.workers import Task, run_task

#: The preview shows at most this many characters of the converted payload.
PREVIEW_CHARS = 200_000


def _convert_and_check(submission: Submission, target: str) -> tuple[Conversion, Submission, int]:
    """Worker: convert, load the result back and count its validation errors."""
    from inspector.formats import validate

    conversion = convert(submission, target)
    result = conversion.submission()
    errors = sum(1 for p in validate(result) if p.severity == "error")
    return conversion, result, errors


class ConvertDialog(QDialog):
    """Shows the conversion of ``submission`` to the chosen target; ``converted`` is set when it is ready."""

    def __init__(
        self, submission: Submission, title: str, target: str = "rollbar", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("convertDialog")
        self.setWindowTitle(f"Convert {title}")
        self.resize(1000, 640)
        self.submission = submission
        self.conversion: Conversion | None = None
        self.converted: Submission | None = None
        self._task: Task | None = None

        self.target = QComboBox()
        self.target.setObjectName("convertTarget")
        for name in TARGETS:
            self.target.addItem(TITLES[name], name)
        self.status = QLabel()
        self.status.setObjectName("convertStatus")
        top = QHBoxLayout()
        top.addWidget(QLabel(f"<b>{title}</b> ({submission.format}) to"))
        top.addWidget(self.target)
        top.addWidget(self.status, 1)

        self.notes = NotesModel()
        self.table = QTableView()
        self.table.setObjectName("conversionNotes")
        self.table.setModel(self.notes)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.preview = QPlainTextEdit()
        self.preview.setObjectName("convertPreview")
        self.preview.setReadOnly(True)
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.preview)
        split.setSizes([620, 380])

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.open_button = self.buttons.addButton("Open as New Document", QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setObjectName("openConverted")
        self.open_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.buttons)
        self.target.currentIndexChanged.connect(self.refresh)
        index = self.target.findData(target)
        self.target.setCurrentIndex(max(index, 0))
        if index <= 0:
            self.refresh()

    @property
    def target_name(self) -> str:
        return str(self.target.currentData())

    def refresh(self) -> None:
        """Convert on the thread pool; the newest target wins."""
        if self._task is not None:
            self._task.cancel()
        self.open_button.setEnabled(False)
        self.status.setText("Converting…")
        self._task = run_task(
            _convert_and_check, self.submission, self.target_name, on_result=self._done, on_error=self._failed
        )

    def _done(self, value: tuple[Conversion, Submission, int]) -> None:
        conversion, result, errors = value
        self.conversion, self.converted = conversion, result
        self.notes.set_rows(conversion.notes.notes)
        self.table.resizeColumnsToContents()
        counts = conversion.notes.counts()
        verdict = "valid" if not errors else f"{errors} validation errors"
        self.status.setText(
            f"{counts['carried']} carried · {counts['approximated']} approximated · {counts['generated']} generated"
            f" · <span style='color:#b00020'>{counts['lost']} lost</span> — result {verdict}"
        )
        self.preview.setPlainText(conversion.json_bytes().decode("utf-8")[:PREVIEW_CHARS])
        self.open_button.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        self.conversion = self.converted = None
        self.notes.set_rows([])
        self.preview.clear()
        self.status.setText(
            f"Cannot convert: {exc}"
            if isinstance(exc, InspectorError)
            else f"Cannot convert: {type(exc).__name__}: {exc}"
        )

    def lost_count(self) -> int:
        return self.notes.count(Status.LOST)

    @classmethod
    def convert_current(cls, window: Any, target: str = "rollbar") -> Any:
        """Run the dialog for the window's current document; opens the result in a new tab. Returns it or None."""
        document = window.current_document()
        if document is None:
            window.status_message("Open a report to convert first")
            return None
        dialog = cls(document.submission, document.title, target, window)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.converted is None:
            return None
        title = f"{document.title} → {TITLES[dialog.target_name]}"
        opened = window.open_submission(dialog.converted, title)
        window.status_message(
            f"Converted to {TITLES[dialog.target_name]}: {dialog.lost_count()} fields lost (see the conversion report)"
        )
        return opened
