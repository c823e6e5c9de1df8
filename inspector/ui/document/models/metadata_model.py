"""Report.metadata (attributes, annotations, device, person, request...) as a lazy key/value tree."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont

from inspector.ui import style
from inspector.ui.document.models.frame_text import short_value
from inspector.ui.document.models.roles import COPY_ROLE, KIND_ROLE, OBJECT_ROLE, variant_safe
from inspector.ui.document.models.tree_base import Path, PathTreeModel
from inspector.ui.window.labels import human_value


def _is_container(value: Any) -> bool:
    return isinstance(value, (dict, list, tuple)) and len(value) > 0


class MetadataModel(PathTreeModel):
    """Sections at the top, then their keys and values, children listed only when a node is expanded."""

    COLUMNS = ("Key", "Value")

    def __init__(self, metadata: dict[str, Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = metadata
        self._entries: dict[Path, list[tuple[str, Any]]] = {}

    def entries(self, path: Path) -> list[tuple[str, Any]]:
        """The (key, value) children of the node at ``path`` (cached per node; a node's keys are read once)."""
        found = self._entries.get(path)
        if found is None:
            value = self._root if not path else self.entries(path[:-1])[path[-1]][1]
            if isinstance(value, dict):
                found = [(str(k), v) for k, v in value.items()]
            elif isinstance(value, (list, tuple)):
                found = [(f"[{i}]", v) for i, v in enumerate(value)]
            else:
                found = []
            self._entries[path] = found
        return found

    def child_count(self, path: Path) -> int:
        if not path:
            return len(self.entries(()))
        value = self.entries(path[:-1])[path[-1]][1]
        return len(self.entries(path)) if _is_container(value) else 0

    def node_data(self, path: Path, column: int, role: int) -> Any:
        key, value = self.entries(path[:-1])[path[-1]]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return key
            if isinstance(value, dict):
                return f"{{{len(value)} keys}}" if value else "{}"
            if isinstance(value, (list, tuple)):
                return f"[{len(value)} items]" if value else "[]"
            return human_value(key, value) or short_value(value)
        if role == Qt.ItemDataRole.ToolTipRole and column == 1 and not _is_container(value):
            readable = human_value(key, value)
            raw = short_value(value, 2000)
            return f"{raw} (shown as {readable})" if readable else raw
        if role == Qt.ItemDataRole.FontRole and len(path) == 1 and column == 0:
            return style.bold(QFont())
        if role == Qt.ItemDataRole.ForegroundRole and column == 1 and _is_container(value):
            return style.dim_text()
        if role == OBJECT_ROLE:
            return variant_safe(value)
        if role == KIND_ROLE:
            return "section" if len(path) == 1 else "value"
        if role == COPY_ROLE:
            return f"{key}: {short_value(value, 100_000)}"
        return None
