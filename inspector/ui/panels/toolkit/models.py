"""Table models of the toolkit dialogs: conversion notes, redaction changes (checkable), aligned frame diff."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from inspector.formats.lazy_json import plain
from inspector.toolkit.diff import FrameRow, Keyed, frame_label
from inspector.toolkit.notes import Note, Status
from inspector.toolkit.redact import Change
from inspector.ui.document.models.roles import OBJECT_ROLE, POINTER_ROLE

Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_STATUS_COLORS = {
    "carried": None,
    "equal": None,
    "approximated": "#fff4d6",
    "changed": "#fff4d6",
    "generated": "#e6f0ff",
    "added": "#e3f6e3",
    "lost": "#fde2e2",
    "removed": "#fde2e2",
}


def _brush(status: str) -> QBrush | None:
    color = _STATUS_COLORS.get(status)
    return QBrush(QColor(color)) if color else None


def short(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else json.dumps(plain(value), ensure_ascii=False)
    text = text.replace("\n", "⏎ ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Table(QAbstractTableModel):
    HEADERS: tuple[str, ...] = ()

    def __init__(self, rows: list[Any] | None = None) -> None:
        super().__init__()
        self.rows: list[Any] = list(rows or [])

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008  # Override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008  # Override
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:  # Override
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def row_object(self, row: int) -> Any:
        return self.rows[row] if 0 <= row < len(self.rows) else None


class NotesModel(_Table):
    """The conversion report, one row per field."""

    HEADERS = ("Status", "From", "To", "Detail")

    def data(self, index: Index, role: int = _DISPLAY) -> Any:  # Override
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        note: Note = self.rows[index.row()]
        if role in (_DISPLAY, Qt.ItemDataRole.ToolTipRole):
            return (str(note.status), note.source, note.target, note.detail)[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole:
            return _brush(str(note.status))
        if role == OBJECT_ROLE:
            return note
        return None

    def count(self, status: Status) -> int:
        return sum(1 for n in self.rows if n.status is status)


class ChangesModel(_Table):
    """The redaction preview: one checkable row per change (unchecked rows are not applied)."""

    HEADERS = ("Apply", "Where", "Rule", "Before", "After")

    def __init__(self, rows: list[Change] | None = None) -> None:
        super().__init__(rows)
        self.checked: list[bool] = [True] * len(self.rows)

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.checked = [True] * len(self.rows)
        self.endResetModel()

    def selected_changes(self) -> list[Change]:
        return [c for c, on in zip(self.rows, self.checked, strict=True) if on]

    def flags(self, index: Index) -> Qt.ItemFlag:  # Override
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsUserCheckable if index.column() == 0 else base

    def data(self, index: Index, role: int = _DISPLAY) -> Any:  # Override
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        change: Change = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col == 0:
            return Qt.CheckState.Checked if self.checked[index.row()] else Qt.CheckState.Unchecked
        if role == _DISPLAY:
            if col == 0:
                return change.where
            return (None, change.pointer or "/", change.rule, short(change.before), short(change.after))[col]
        if role == Qt.ItemDataRole.ToolTipRole and col in (3, 4):
            return short(change.before if col == 3 else change.after, 2000)
        if role == POINTER_ROLE:
            return change.pointer if change.where == "json" else None
        if role == OBJECT_ROLE:
            return change
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # Override
        if not index.isValid() or index.column() != 0 or role != Qt.ItemDataRole.CheckStateRole:
            return False
        state = value.value if hasattr(value, "value") else value
        self.checked[index.row()] = state == Qt.CheckState.Checked.value
        self.dataChanged.emit(index, index, [role])
        return True


class FrameDiffModel(_Table):
    """Aligned frames: A on the left, B on the right, the field changes of paired frames last."""

    HEADERS = ("#A", "Frame in A", "#B", "Frame in B", "Changes")

    def data(self, index: Index, role: int = _DISPLAY) -> Any:  # Override
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row: FrameRow = self.rows[index.row()]
        if role == _DISPLAY:
            changes = "; ".join(f"{c.name}: {c.a} → {c.b}" for c in row.changes)
            values = (row.a_index, frame_label(row.a), row.b_index, frame_label(row.b), changes)
            value = values[index.column()]
            return "" if value is None else value
        if role == Qt.ItemDataRole.BackgroundRole:
            return _brush(row.status)
        if role == OBJECT_ROLE:
            return row
        return None


class KeyedDiffModel(_Table):
    """Threads, binaries, attributes, attachments and exceptions: (section, key, status, changes)."""

    HEADERS = ("Section", "Item", "Status", "Changes")

    def data(self, index: Index, role: int = _DISPLAY) -> Any:  # Override
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        item: Keyed
        section, item = self.rows[index.row()]
        if role in (_DISPLAY, Qt.ItemDataRole.ToolTipRole):
            changes = "; ".join(f"{c.name}: {short(c.a, 80)} → {short(c.b, 80)}" for c in item.changes)
            return (section, item.key, item.status, changes or item.detail)[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole:
            return _brush(item.status)
        if role == OBJECT_ROLE:
            return item
        return None
