"""The Compare panel: pick two open documents, see the aligned frames side by side and every other difference."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.toolkit.diff import Keyed, ReportDiff, diff_reports
from inspector.ui.panels.toolkit.models import FrameDiffModel, KeyedDiffModel
from inspector.ui.workers import Task, run_task

#: Frame and item columns are sized to their contents up to this width (the last column stretches).
MAX_COLUMN_WIDTH = 300


def _table(name: str, model: Any) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


class DiffView(QWidget):
    """``documents`` returns the open documents (anything with ``title`` and ``reports``)."""

    def __init__(self, documents: Callable[[], list[Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diffView")
        self._documents = documents
        self.diff: ReportDiff | None = None
        self._task: Task | None = None
        self.a = QComboBox()
        self.a.setObjectName("diffA")
        self.b = QComboBox()
        self.b.setObjectName("diffB")
        for combo in (self.a, self.b):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.compare_button = QPushButton("Compare")
        self.compare_button.setObjectName("diffCompare")
        self.compare_button.clicked.connect(self.compare)
        self.verdict = QLabel("Pick two open documents.")
        self.verdict.setObjectName("diffVerdict")
        row = QHBoxLayout()
        row.addWidget(QLabel("A:"))
        row.addWidget(self.a)
        row.addWidget(QLabel("B:"))
        row.addWidget(self.b)
        row.addWidget(self.compare_button)
        row.addWidget(self.verdict, 1)
        self.frames = FrameDiffModel()
        self.items = KeyedDiffModel()
        self.frames_label = QLabel()
        self.frames_table = _table("diffFrames", self.frames)
        self.items_table = _table("diffItems", self.items)
        left = QWidget()
        col = QVBoxLayout(left)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.frames_label)
        col.addWidget(self.frames_table)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.items_table)
        split.setSizes([640, 460])
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(split, 1)
        self.refresh_documents()

    def refresh_documents(self) -> None:
        docs = self._documents()
        for combo, default in ((self.a, 0), (self.b, 1)):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for doc in docs:
                combo.addItem(doc.title, doc)
            index = next((i for i, d in enumerate(docs) if d is current), min(default, len(docs) - 1))
            combo.setCurrentIndex(index)
            combo.blockSignals(False)
        self.compare_button.setEnabled(len(docs) >= 1)

    def set_pair(self, a: Any, b: Any) -> None:
        self.refresh_documents()
        for combo, doc in ((self.a, a), (self.b, b)):
            index = next((i for i in range(combo.count()) if combo.itemData(i) is doc), -1)
            if index >= 0:
                combo.setCurrentIndex(index)

    def compare(self) -> None:
        a, b = self.a.currentData(), self.b.currentData()
        if a is None or b is None or not a.reports or not b.reports:
            self.verdict.setText("Both documents need a report to compare.")
            return
        if self._task is not None:
            self._task.cancel()
        self.verdict.setText("Comparing…")
        self._task = run_task(
            diff_reports,
            a.reports[0],
            b.reports[0],
            a.title,
            b.title,
            on_result=self.show_diff,
            on_error=lambda exc: self.verdict.setText(f"Cannot compare: {exc}"),
        )

    def show_diff(self, d: ReportDiff) -> None:
        self.diff = d
        self.frames.set_rows(d.frames)
        rows: list[tuple[str, Any]] = []
        for section, items in (
            ("exception", d.exceptions),
            ("thread", d.threads),
            ("binary", d.binaries),
            ("attribute", d.attributes),
            ("attachment", d.attachments),
        ):
            rows.extend((section, k) for k in items if k.status != "equal")
        rows[:0] = [("summary", Keyed(c.name, "changed", [c])) for c in d.summary]
        self.items.set_rows(rows)
        self.frames_label.setText(f"<b>Frames</b> ({d.frames_title}), aligned by function and file")
        for table in (self.frames_table, self.items_table):
            table.resizeColumnsToContents()
            for column in range(table.model().columnCount() - 1):
                table.setColumnWidth(column, min(table.columnWidth(column), MAX_COLUMN_WIDTH))
        if d.identical:
            self.verdict.setText("<b>Identical</b>")
        else:
            counts = ", ".join(f"{v} {k}" for k, v in d.counts().items() if v)
            self.verdict.setText(f"<b>Different</b>: {counts}")
