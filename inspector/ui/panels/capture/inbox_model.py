"""The Capture panel's inbox: a lazy table model of the captured requests, newest first, fetching older ones in
batches as the view scrolls."""

from __future__ import annotations

import functools
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from inspector.net.store import CaptureRecord

RecordRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2
ModelIndex = QModelIndex | QPersistentModelIndex


@functools.cache
def api_title(api: str) -> str:
    """The title of the API a capture was sent to ("App Center"), asked of its format; "?" for an unknown API."""
    from inspector.formats import FORMAT_NAMES, get_format

    if api in FORMAT_NAMES:
        return get_format(api).TITLE
    return "?" if api == "unknown" else api


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


class CaptureModel(QAbstractTableModel):
    """Captured requests, newest first, exposed lazily in batches (``canFetchMore``/``fetchMore``)."""

    COL_API, COL_KIND, COL_EXCEPTION, COL_TIME, COL_SIZE, COL_STATUS = range(6)
    HEADERS = ("API", "Kind", "Exception", "Time", "Size", "Status")
    BATCH = 200

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._records: list[CaptureRecord] = []  # newest first
        self._ids: set[str] = set()
        self._shown = 0

    # -- content -----------------------------------------------------------------------------------------

    def set_records(self, records: list[CaptureRecord]) -> None:
        """Replace everything (``records`` oldest first, as the store lists them)."""
        self.beginResetModel()
        self._records = list(reversed(records))
        self._ids = {r.id for r in self._records}
        self._shown = min(len(self._records), self.BATCH)
        self.endResetModel()

    def add(self, record: CaptureRecord) -> None:
        """A new capture arrived: it goes on top and is always visible. A capture already listed (shown while
        its validation was pending) is updated in place."""
        if record.id in self._ids:  # near the top: pending captures are the latest ones
            row = next(i for i, known in enumerate(self._records) if known.id == record.id)
            self._records[row] = record
            if row < self._shown:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))
            return
        self._ids.add(record.id)
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._records.insert(0, record)
        self._shown += 1
        self.endInsertRows()

    def remove(self, row: int) -> CaptureRecord:
        self.beginRemoveRows(QModelIndex(), row, row)
        record = self._records.pop(row)
        self._ids.discard(record.id)
        self._shown -= 1
        self.endRemoveRows()
        return record

    def record(self, row: int) -> CaptureRecord:
        return self._records[row]

    @property
    def total(self) -> int:
        return len(self._records)

    # -- Qt ----------------------------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008  # Override
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008  # Override
        return 0 if parent.isValid() else len(self.HEADERS)

    def canFetchMore(self, parent: ModelIndex) -> bool:  # Override
        return not parent.isValid() and self._shown < len(self._records)

    def fetchMore(self, parent: ModelIndex) -> None:  # Override
        if parent.isValid():
            return
        more = min(self.BATCH, len(self._records) - self._shown)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 6:
            return self.HEADERS[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # Override
        if not index.isValid() or not (0 <= index.row() < self._shown):
            return None
        rec = self._records[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(rec, col)
        if role == SortRole:
            return (rec.api, rec.kind or "", rec.exception, rec.time, rec.size, rec.status)[col]
        if role == RecordRole:
            return rec
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(rec)
        if role == Qt.ItemDataRole.ForegroundRole and col == self.COL_STATUS:
            if rec.status >= 400:
                return QBrush(QColor("#c62828"))
            if rec.errors:
                return QBrush(QColor("#b26a00"))
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.COL_SIZE, self.COL_STATUS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(rec: CaptureRecord, col: int) -> str:
        if col == CaptureModel.COL_API:
            return api_title(rec.api)
        if col == CaptureModel.COL_KIND:
            return rec.kind or "—"
        if col == CaptureModel.COL_EXCEPTION:
            if rec.pending:
                return "validating…"
            return rec.exception or (rec.note if rec.status >= 400 else "")
        if col == CaptureModel.COL_TIME:
            return rec.time_text
        if col == CaptureModel.COL_SIZE:
            return size_text(rec.size)
        if col == CaptureModel.COL_STATUS:
            extra = f" · {rec.errors} err" if rec.errors else ""
            return f"{rec.status}{extra}"
        return ""

    @staticmethod
    def _tooltip(rec: CaptureRecord) -> str:
        lines = [f"{rec.method} {rec.path} from {rec.client}", f"answered {rec.status}"]
        if rec.note:
            lines.append(rec.note)
        if rec.errors or rec.warnings:
            lines.append(f"{rec.errors} errors, {rec.warnings} warnings")
            lines.extend(f"• {p.get('pointer') or '/'}: {p.get('message')}" for p in rec.problems[:5])
        return "\n".join(lines)
