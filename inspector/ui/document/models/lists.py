"""Flat models: binaries, telemetry, attachments, problems. Rows are read from the report on demand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from inspector.formats.base import Problem
from inspector.report import Attachment, Binary, TelemetryEvent
from inspector.ui import style
from inspector.ui.document.models.frame_text import format_address, format_size
from inspector.ui.document.models.roles import COPY_ROLE, OBJECT_ROLE, POINTER_ROLE, SORT_ROLE
from inspector.ui.document.models.tree_base import FlatListModel

_DISPLAY = Qt.ItemDataRole.DisplayRole


class _CachedRows(FlatListModel):
    """A flat model over a Sequence (LazyList) that keeps the converted rows of the screen in a small cache."""

    _CACHE = 2048

    def __init__(self, rows: Sequence[Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows = rows
        self._cache: dict[int, Any] = {}

    @property
    def rows(self) -> Sequence[Any]:
        return self._rows

    def source_count(self) -> int:
        return len(self._rows)

    def item(self, source_row: int) -> Any:
        found = self._cache.get(source_row)
        if found is None:
            if len(self._cache) >= self._CACHE:
                self._cache.clear()
            found = self._rows[source_row]
            self._cache[source_row] = found
        return found

    def row_data(self, source_row: int, column: int, role: int) -> Any:
        item = self.item(source_row)
        if role == OBJECT_ROLE:
            return item
        if role == POINTER_ROLE:
            return getattr(item, "pointer", None)
        if role == COPY_ROLE:
            return "\t".join(str(self.cell(item, c)) for c in range(len(self.COLUMNS)) if self.cell(item, c))
        if role == _DISPLAY:
            return self.cell(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self.cell(item, column)
            return text if text and len(text) > 40 else None
        return self.extra_data(source_row, item, column, role)

    def cell(self, item: Any, column: int) -> str:
        raise NotImplementedError

    def extra_data(self, source_row: int, item: Any, column: int, role: int) -> Any:
        return None


class BinariesModel(_CachedRows):
    """Loaded images. SORT_ROLE gives ints for addresses and sizes (sorted numerically, 64-bit safe)."""

    COLUMNS = ("Name", "Start", "End", "Size", "Debug ID", "Arch", "Version", "Path")
    COL_NAME, COL_START, COL_END, COL_SIZE, COL_DEBUG_ID, COL_ARCH, COL_VERSION, COL_PATH = range(8)

    @staticmethod
    def end_of(binary: Binary) -> int | None:
        if binary.end is not None:
            return binary.end
        if binary.start is not None and binary.size is not None:
            return binary.start + binary.size
        return None

    @staticmethod
    def size_of(binary: Binary) -> int | None:
        if binary.size is not None:
            return binary.size
        if binary.start is not None and binary.end is not None:
            return binary.end - binary.start
        return None

    def cell(self, item: Binary, column: int) -> str:
        if column == self.COL_NAME:
            return item.name or (item.path or "").replace("\\", "/").rsplit("/", 1)[-1]
        if column == self.COL_START:
            return format_address(item.start)
        if column == self.COL_END:
            return format_address(self.end_of(item))
        if column == self.COL_SIZE:
            return format_size(self.size_of(item))
        if column == self.COL_DEBUG_ID:
            return item.debug_id or item.code_id or ""
        if column == self.COL_ARCH:
            return item.arch or ""
        if column == self.COL_VERSION:
            return item.version or ""
        if column == self.COL_PATH:
            return item.path or ""
        return ""

    def sort_value(self, source_row: int, column: int) -> Any:
        """The Python value a column sorts by: exact ints for addresses and sizes (never through a QVariant)."""
        item = self.item(source_row)
        if column == self.COL_START:
            return item.start
        if column == self.COL_END:
            return self.end_of(item)
        if column == self.COL_SIZE:
            return self.size_of(item)
        return self.cell(item, column).lower()

    def extra_data(self, source_row: int, item: Binary, column: int, role: int) -> Any:
        if role == SORT_ROLE:
            # QVariant holds at most a signed 64-bit int; addresses above 2**63 would overflow, so the role
            # carries a fixed-width hex string (sorts like the number); SortProxy compares sort_value() ints.
            value = self.sort_value(source_row, column)
            return f"{value:032x}" if isinstance(value, int) else value
        if role == Qt.ItemDataRole.FontRole and column in (self.COL_START, self.COL_END, self.COL_DEBUG_ID):
            return style.mono_font()
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.COL_SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class SortProxy(QSortFilterProxyModel):
    """Sorts by the source model's Python ``sort_value`` (else SORT_ROLE): 64-bit addresses stay exact; None last."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)

    def lessThan(  # Override QSortFilterProxyModel.lessThan
        self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex
    ) -> bool:
        source = self.sourceModel()
        if hasattr(source, "sort_value") and hasattr(source, "source_row"):
            a = source.sort_value(source.source_row(left.row()), left.column())
            b = source.sort_value(source.source_row(right.row()), right.column())
        else:
            a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:  # None sorts last in both orders
            descending = self.sortOrder() == Qt.SortOrder.DescendingOrder
            return (a is None and b is not None) if descending else (a is not None and b is None)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)


def format_relative(seconds: float) -> str:
    """``-3.2 s``, ``-4 min 5 s`` relative to the crash."""
    sign = "-" if seconds < 0 else "+"
    value = abs(seconds)
    if value < 60:
        return f"{sign}{value:.3f} s" if value < 10 else f"{sign}{value:.1f} s"
    if value < 3600:
        return f"{sign}{int(value // 60)} min {int(value % 60)} s"
    if value < 86400:
        return f"{sign}{int(value // 3600)} h {int(value % 3600 // 60)} min"
    return f"{sign}{value / 86400:.1f} days"


class TelemetryModel(_CachedRows):
    """Breadcrumbs, with the time relative to the crash (``crash_time``) when both are known."""

    COLUMNS = ("Time", "Level", "Type", "Source", "Message")
    COL_TIME, COL_LEVEL, COL_TYPE, COL_SOURCE, COL_MESSAGE = range(5)

    def __init__(self, rows: Sequence[TelemetryEvent], crash_time: float | None, parent: QObject | None = None) -> None:
        super().__init__(rows, parent)
        self.crash_time = crash_time

    def cell(self, item: TelemetryEvent, column: int) -> str:
        if column == self.COL_TIME:
            if item.timestamp is None:
                return ""
            if self.crash_time is None:
                return _utc(item.timestamp)
            return format_relative(item.timestamp - self.crash_time)
        if column == self.COL_LEVEL:
            return item.level or ""
        if column == self.COL_TYPE:
            return item.type or ""
        if column == self.COL_SOURCE:
            return item.source or ""
        if column == self.COL_MESSAGE:
            message = item.message or ""
            url = item.url if item.url and item.url not in message else None
            status = f"→ {item.status}" if item.status and str(item.status) not in message else None
            parts = [message, url, status]
            return "  ".join(str(p) for p in parts if p).replace("\n", " ⏎ ")
        return ""

    def extra_data(self, source_row: int, item: TelemetryEvent, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_LEVEL:
            return style.level_colour(item.level)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_TIME and item.timestamp is not None:
            return _utc(item.timestamp)
        if role == SORT_ROLE:
            return item.timestamp if column == self.COL_TIME else self.cell(item, column)
        return None


def _utc(ts: float) -> str:
    try:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"
    except (OverflowError, OSError, ValueError):
        return str(ts)


class AttachmentsModel(_CachedRows):
    COLUMNS = ("Name", "Type", "Size", "Origin")

    def cell(self, item: Attachment, column: int) -> str:
        return (item.name, item.content_type or "", format_size(item.size), item.origin)[column]

    def extra_data(self, source_row: int, item: Attachment, column: int, role: int) -> Any:
        if role == SORT_ROLE:
            return item.size if column == 2 else self.cell(item, column)
        return None


class ProblemsModel(_CachedRows):
    COLUMNS = ("Severity", "Where", "Message", "Rule")

    def cell(self, item: Problem, column: int) -> str:
        return (str(item.severity), item.pointer or "/", item.message, item.rule)[column]

    def extra_data(self, source_row: int, item: Problem, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return style.severity_icon(item.severity)
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return item.message
        if role == Qt.ItemDataRole.FontRole and column == 1:
            return style.mono_font()
        return None
