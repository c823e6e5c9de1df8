"""Item models over parts of the JSON document: key/value objects and lists (frames, threads, binaries).

They read the document live through a pointer and write through ``OpenDocument.apply_edits``; the owner calls
``reload()`` when the document changed (a model reset: the lists are short, editing is rare).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from inspector.compose.fields import json_short, summary
from inspector.formats.jsondoc import Edit, join
from inspector.ui.document.open_document import OpenDocument

Index = QModelIndex | QPersistentModelIndex


def parse_cell(text: str, old: Any) -> Any:
    """A typed-in cell value: strings stay strings when the old value was one; otherwise JSON if it parses."""
    if isinstance(old, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


class KeyValueModel(QAbstractTableModel):
    """The members of an object at ``pointer`` (attributes, custom data, a frame): key and value, both editable."""

    COL_KEY, COL_VALUE = 0, 1

    def __init__(self, doc: OpenDocument | None = None, pointer: str | None = None) -> None:
        super().__init__()
        self.doc = doc
        self.pointer = pointer
        self._items: list[tuple[str, Any]] = []
        self.reload()

    def set_target(self, doc: OpenDocument | None, pointer: str | None) -> None:
        self.doc, self.pointer = doc, pointer
        self.reload()

    def _object(self) -> Any:
        if self.doc is None or self.doc.document is None or self.pointer is None:
            return None
        return self.doc.document.get(self.pointer)

    def reload(self) -> None:
        self.beginResetModel()
        obj = self._object()
        self._items = list(obj.items()) if isinstance(obj, dict) else []
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Override QAbstractTableModel.rowCount
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Override QAbstractTableModel.columnCount
        return 0 if parent.isValid() else 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Key", "Value")[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # Override
        if not index.isValid() or index.row() >= len(self._items):
            return None
        key, value = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if index.column() == self.COL_KEY:
                return key
            return value if isinstance(value, str) else json_short(value, 400)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == self.COL_VALUE:
            return json_short(value, 2000)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:  # Override
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        value = self._items[index.row()][1]
        if index.column() == self.COL_KEY or not isinstance(value, dict | list):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # Override
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.doc is None or self.pointer is None:
            return False
        key, old = self._items[index.row()]
        if index.column() == self.COL_KEY:
            new_key = str(value)
            if new_key == key or not new_key:
                return False
            obj = self._object()
            if new_key in obj:
                return False
            renamed = {(new_key if k == key else k): v for k, v in obj.items()}  # same position, new name
            self.doc.apply_edits([Edit("set", self.pointer, renamed)], f"Rename {key} to {new_key}")
        else:
            new = parse_cell(str(value), old)
            if new == old and type(new) is type(old):
                return False
            self.doc.apply_edits([Edit("set", join(self.pointer, key), new)], f"Set {key}")
        return True

    def add(self, key: str = "new.key", value: Any = "") -> str:
        obj = self._object()
        if self.doc is None or self.pointer is None:
            return ""
        if not isinstance(obj, dict):
            from inspector.compose.fields import set_edits

            assert self.doc.document is not None  # the forms edit JSON documents only
            self.doc.apply_edits(set_edits(self.doc.document.value, self.pointer, {key: value}), f"Add {key}")
            return key
        base, n = key, 1
        while key in obj:
            key = f"{base}.{n}"
            n += 1
        self.doc.apply_edits([Edit("set", join(self.pointer, key), value)], f"Add {key}")
        return key

    def remove(self, row: int) -> None:
        if self.doc is None or self.pointer is None or not 0 <= row < len(self._items):
            return
        key = self._items[row][0]
        self.doc.apply_edits([Edit("remove", join(self.pointer, key))], f"Remove {key}")


class JsonListModel(QAbstractListModel):
    """The items of an array at ``pointer`` (or the members of an object, for Backtrace's thread map)."""

    def __init__(self, doc: OpenDocument | None = None, pointer: str | None = None, format: str = "") -> None:
        super().__init__()
        self.doc, self.pointer, self.format = doc, pointer, format
        self._items: list[tuple[str, Any]] = []
        self.reload()

    def set_target(self, doc: OpenDocument | None, pointer: str | None) -> None:
        self.doc, self.pointer = doc, pointer
        self.format = doc.format if doc is not None else ""
        self.reload()

    def container(self) -> Any:
        if self.doc is None or self.doc.document is None or self.pointer is None:
            return None
        return self.doc.document.get(self.pointer)

    @property
    def is_object(self) -> bool:
        return isinstance(self.container(), dict)

    def reload(self) -> None:
        self.beginResetModel()
        value = self.container()
        if isinstance(value, list):
            self._items = [(str(i), v) for i, v in enumerate(value)]
        elif isinstance(value, dict):
            self._items = list(value.items())
        else:
            self._items = []
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Override QAbstractListModel.rowCount
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # Override
        if not index.isValid() or index.row() >= len(self._items):
            return None
        key, value = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            prefix = f"{key}: " if self.is_object else f"#{index.row()}  "
            return prefix + summary(self.format, value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return json_short(value, 1000)
        if role == Qt.ItemDataRole.UserRole:
            return self.item_pointer(index.row())
        return None

    def item_pointer(self, row: int) -> str:
        assert self.pointer is not None
        return join(self.pointer, self._items[row][0])

    def add(self, value: Any, key: str | None = None, row: int | None = None) -> None:
        if self.doc is None or self.pointer is None:
            return
        container = self.container()
        if container is None:
            from inspector.compose.fields import set_edits

            new = {key: value} if key is not None else [value]
            assert self.doc.document is not None  # the forms edit JSON documents only
            self.doc.apply_edits(set_edits(self.doc.document.value, self.pointer, new), "Add item")
        elif isinstance(container, dict):
            self.doc.apply_edits([Edit("set", join(self.pointer, key or f"item-{len(container)}"), value)], "Add item")
        else:
            row = len(container) if row is None else row
            self.doc.apply_edits([Edit("insert", join(self.pointer, row), value)], "Add item")

    def remove(self, row: int) -> None:
        if self.doc is not None and 0 <= row < len(self._items):
            self.doc.apply_edits([Edit("remove", self.item_pointer(row))], "Remove item")

    def move(self, row: int, step: int) -> bool:
        """Move an array item up (-1) or down (+1) as one undoable step."""
        target = row + step
        container = self.container()
        if self.doc is None or not isinstance(container, list) or not (0 <= row < len(container)):
            return False
        if not 0 <= target < len(container):
            return False
        value = container[row]
        assert self.pointer is not None
        self.doc.apply_edits(
            [Edit("remove", join(self.pointer, row)), Edit("insert", join(self.pointer, target), value)], "Move item"
        )
        return True
