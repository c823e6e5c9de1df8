"""A tree model addressed by row paths, with no Python object per row.

A node is identified by the tuple of view rows from the root (``(2, 15)`` = row 15 under top-level row 2).
Indexes carry, as their ``internalId``, a small integer naming their *parent* path; ids are handed out only for
parents whose children were asked for (the expanded nodes), so a million frames cost nothing until painted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt

Path = tuple[int, ...]
AnyIndex = QModelIndex | QPersistentModelIndex


def column_header(columns: Sequence[str], section: int, orientation: Qt.Orientation, role: int) -> str | None:
    """The horizontal header text of ``section`` (both model bases name their columns in ``COLUMNS``)."""
    if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(columns):
        return columns[section]
    return None


class PathTreeModel(QAbstractItemModel):
    """Subclasses implement :meth:`child_count` and :meth:`node_data` and set ``COLUMNS``."""

    COLUMNS: tuple[str, ...] = ()

    _FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids: dict[Path, int] = {(): 0}
        self._paths: list[Path] = [()]
        self._counts: dict[int, int] = {}  # parent id -> child count (QTreeView asks once per row per layout)

    # ------------------------------------------------------------------ for subclasses

    def child_count(self, path: Path) -> int:
        raise NotImplementedError

    def node_data(self, path: Path, column: int, role: int) -> Any:
        raise NotImplementedError

    def forget_paths(self) -> None:
        """Call between beginResetModel and endResetModel: every path may now mean another node."""
        self._ids = {(): 0}
        self._paths = [()]
        self._counts = {}

    def path(self, index: AnyIndex) -> Path:
        if not index.isValid():
            return ()
        return self._paths[index.internalId()] + (index.row(),)

    def index_for_path(self, path: Path, column: int = 0) -> QModelIndex:
        if not path:
            return QModelIndex()
        return self.createIndex(path[-1], column, self._id_for(path[:-1]))

    def _id_for(self, path: Path) -> int:
        found = self._ids.get(path)
        if found is None:
            found = len(self._paths)
            self._ids[path] = found
            self._paths.append(path)
        return found

    # ------------------------------------------------------------------ QAbstractItemModel

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        # Not hasIndex(): it would call rowCount and columnCount through Python for every row QTreeView lays out.
        if row < 0 or not 0 <= column < len(self.COLUMNS) or (parent.isValid() and parent.column() != 0):
            return QModelIndex()
        parent_id = self._id_for(self.path(parent))
        count = self._counts.get(parent_id)
        if count is None:
            count = self._counts[parent_id] = self.child_count(self._paths[parent_id])
        if row >= count:
            return QModelIndex()
        return self.createIndex(row, column, parent_id)

    def parent(self, index: AnyIndex | None = None) -> Any:  # type: ignore[override]
        """Override QAbstractItemModel.parent; without an argument it is QObject.parent()."""
        if index is None:
            return super().parent()
        if not index.isValid():
            return QModelIndex()
        parent_path = self._paths[index.internalId()]
        if not parent_path:
            return QModelIndex()
        return self.createIndex(parent_path[-1], 0, self._id_for(parent_path[:-1]))

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        path = self.path(parent)
        node_id = self._ids.get(path)
        if node_id is not None:
            count = self._counts.get(node_id)
            if count is None:
                count = self._counts[node_id] = self.child_count(path)
            return count
        return self.child_count(path)

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return self.rowCount(parent) > 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return column_header(self.COLUMNS, section, orientation, role)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self.node_data(self.path(index), index.column(), role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return self._FLAGS


class FlatListModel(QAbstractItemModel):
    """A flat list (no children) with an optional model-side filter (a list of source rows)."""

    COLUMNS: tuple[str, ...] = ()
    _FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._visible: list[int] | None = None

    # ------------------------------------------------------------------ for subclasses

    def source_count(self) -> int:
        raise NotImplementedError

    def row_data(self, source_row: int, column: int, role: int) -> Any:
        raise NotImplementedError

    # ------------------------------------------------------------------ filtering

    def set_visible_rows(self, rows: list[int] | None) -> None:
        """Show only these source rows (None: all)."""
        self.beginResetModel()
        self._visible = rows
        self.endResetModel()

    def source_row(self, view_row: int) -> int:
        return self._visible[view_row] if self._visible is not None else view_row

    def view_row(self, source_row: int) -> int | None:
        if self._visible is None:
            return source_row if 0 <= source_row < self.source_count() else None
        import bisect

        pos = bisect.bisect_left(self._visible, source_row)
        if pos < len(self._visible) and self._visible[pos] == source_row:
            return pos
        return None

    # ------------------------------------------------------------------ QAbstractItemModel

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        count = len(self._visible) if self._visible is not None else self.source_count()
        if parent.isValid() or not 0 <= row < count or not 0 <= column < len(self.COLUMNS):
            return QModelIndex()
        return self.createIndex(row, column, 0)

    def parent(self, index: AnyIndex | None = None) -> Any:  # type: ignore[override]
        """Override QAbstractItemModel.parent; without an argument it is QObject.parent()."""
        if index is None:
            return super().parent()
        return QModelIndex()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._visible) if self._visible is not None else self.source_count()

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self.rowCount() > 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return column_header(self.COLUMNS, section, orientation, role)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self.row_data(self.source_row(index.row()), index.column(), role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return self._FLAGS
