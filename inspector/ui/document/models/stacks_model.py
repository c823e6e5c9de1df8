"""The exception chain / threads as a tree: stack > frame > variable group > variable.

Frames are read from the report's LazyLists only when a row is painted; a small cache keeps the converted
frames of the rows on screen. Filtering and the frame order map view rows to frame indexes, nothing is copied.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont

from inspector.report import Frame
from inspector.ui import style
from inspector.ui.document.models.filtering import StackFilter
from inspector.ui.document.models.frame_text import (
    TRUST_HELP,
    TRUST_LABELS,
    Stack,
    format_address,
    frame_line,
    is_library_frame,
    is_weak_frame,
    module_text,
    short_location,
    short_value,
)
from inspector.ui.document.models.roles import COPY_ROLE, KIND_ROLE, OBJECT_ROLE, POINTER_ROLE, SORT_ROLE
from inspector.ui.document.models.tree_base import Path, PathTreeModel

#: Converted frames kept for painting; the view shows a few hundred at most.
_FRAME_CACHE_SIZE = 4096
#: Frame rows listed per stack at first. QTreeView lays out every child of an expanded node (several calls through
#: Python per row, ~0.1 ms each): a 6 000-frame stack would hold the window for 0.7 s when it opens, a million-frame
#: one for minutes. The "more" row lists :data:`LIST_MORE_STEP` more when activated; the filter scans all frames.
MAX_LISTED_FRAMES = 500
LIST_MORE_STEP = 5_000


_ITALIC: QFont | None = None


def _italic() -> QFont:
    global _ITALIC
    if _ITALIC is None:
        _ITALIC = QFont()
        _ITALIC.setItalic(True)
    return _ITALIC


def _entries(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [(str(i), v) for i, v in enumerate(value)]
    return [("value", value)]


class StacksModel(PathTreeModel):
    """Stacks (exceptions or threads) with their frames, variables and registers.

    Args:
        stacks: the stacks, in display order.
        most_recent_first: the vendor's order of the frames lists (Report.most_recent_first).
    """

    COLUMNS = ("#", "Function", "Location", "Module", "Address", "Found by")
    COL_INDEX, COL_FUNCTION, COL_LOCATION, COL_MODULE, COL_ADDRESS, COL_TRUST = range(6)

    def __init__(self, stacks: Sequence[Stack], most_recent_first: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stacks = list(stacks)
        self._most_recent_first = most_recent_first
        self._flipped = False
        self._filter: StackFilter | None = None
        #: Frame rows listed per stack index, when the user asked for more than MAX_LISTED_FRAMES.
        self._listed: dict[int, int] = {}
        self._frames: dict[tuple[int, int], Frame] = {}
        self._entries: dict[Path, list[tuple[str, Any]]] = {}
        self._bold: QFont | None = None

    # ------------------------------------------------------------------ state

    @property
    def stacks(self) -> list[Stack]:
        return self._stacks

    @property
    def most_recent_first(self) -> bool:
        """Whether the view currently lists the most recent frame first."""
        return self._most_recent_first != self._flipped

    def set_most_recent_first(self, value: bool) -> None:
        flipped = value != self._most_recent_first
        if flipped != self._flipped:
            self.beginResetModel()
            self._flipped = flipped
            self._reset_caches()
            self.endResetModel()

    def set_filter(self, result: StackFilter | None) -> None:
        self.beginResetModel()
        self._filter = result
        self._reset_caches()
        self.endResetModel()

    def replace_stacks(self, stacks: Sequence[Stack]) -> bool:
        """Show ``stacks`` (the same stacks re-derived after an edit) without a reset, when nothing the view may
        have laid out changes shape: the same stacks, frame counts and registers, and the same child counts for
        every node the view has asked about. Then the rows keep their expansion and selection; the caller emits
        ``dataChanged`` for the rows on screen (for every laid-out row, QTreeView asks each one's size and
        children through Python). Returns False (nothing changed) when the shape differs: reset instead."""
        stacks = list(stacks)
        if self._filter is not None or len(stacks) != len(self._stacks):
            return False
        for old, new in zip(self._stacks, stacks, strict=True):
            if len(old.frames) != len(new.frames) or bool(old.registers) != bool(new.registers):
                return False
        before = (self._stacks, dict(self._frames), dict(self._entries))
        self._stacks = stacks
        self._frames.clear()
        self._entries.clear()
        try:
            same = all(self.child_count(self._paths[node]) == count for node, count in self._counts.items())
        except Exception:  # a node that no longer resolves: the shape changed
            same = False
        if not same:
            self._stacks, frames, entries = before
            self._frames.update(frames)
            self._entries.update(entries)
            return False
        return True

    def _reset_caches(self) -> None:
        self.forget_paths()
        self._entries.clear()

    # ------------------------------------------------------------------ row mapping

    def stack_index(self, view_row: int) -> int:
        return self._filter.stacks[view_row] if self._filter is not None else view_row

    def _frame_rows(self, stack: int) -> list[int] | None:
        return self._filter.frames.get(stack) if self._filter is not None else None

    def frame_count(self, stack: int) -> int:
        rows = self._frame_rows(stack)
        return len(rows) if rows is not None else len(self._stacks[stack].frames)

    def listed_count(self, stack: int) -> int:
        """Frame rows actually listed (MAX_LISTED_FRAMES unless more were asked for); a "more" row follows when
        some are not."""
        return min(self.frame_count(stack), self._listed.get(stack, MAX_LISTED_FRAMES))

    def list_more(self, stack: int, count: int = LIST_MORE_STEP) -> None:
        """List ``count`` more frames of a stack (a reset: the caller restores expansion and selection)."""
        listed = self.listed_count(stack)
        if listed >= self.frame_count(stack):
            return
        self.beginResetModel()
        self._listed[stack] = listed + count
        self._reset_caches()
        self.endResetModel()

    def list_up_to(self, stack: int, row: int) -> bool:
        """Make sure frame row ``row`` of a stack is listed; True when the listing grew (a reset)."""
        if row < self.listed_count(stack) or row >= self.frame_count(stack):
            return False
        self.list_more(stack, row + 1 - self.listed_count(stack) + LIST_MORE_STEP // 10)
        return True

    def frame_index(self, stack: int, view_row: int) -> int:
        """The index in the stack's frames list of a view row."""
        rows = self._frame_rows(stack)
        count = len(rows) if rows is not None else len(self._stacks[stack].frames)
        pos = count - 1 - view_row if self._flipped else view_row
        return rows[pos] if rows is not None else pos

    def view_path(self, stack: int, frame: int | None = None) -> Path | None:
        """The view path of a stack (and frame index), or None when filtered out."""
        if self._filter is not None:
            if stack not in self._filter.frames:
                return None
            stack_row = self._filter.stacks.index(stack)
        else:
            stack_row = stack
        if frame is None:
            return (stack_row,)
        rows = self._frame_rows(stack)
        if rows is not None:
            import bisect

            pos = bisect.bisect_left(rows, frame)
            if pos >= len(rows) or rows[pos] != frame:
                return None
            count = len(rows)
        else:
            pos, count = frame, len(self._stacks[stack].frames)
            if not 0 <= pos < count:
                return None
        row = count - 1 - pos if self._flipped else pos
        return (stack_row, row) if row < self.listed_count(stack) else None

    def frame(self, stack: int, index: int) -> Frame:
        key = (stack, index)
        found = self._frames.get(key)
        if found is None:
            if len(self._frames) >= _FRAME_CACHE_SIZE:
                self._frames.clear()
            found = self._stacks[stack].frames[index]
            self._frames[key] = found
        return found

    def frame_number(self, stack: int, index: int) -> int:
        """The number shown in the # column: 0 is always the most recent frame."""
        return index if self._most_recent_first else len(self._stacks[stack].frames) - 1 - index

    def _children(self, path: Path) -> list[tuple[str, Any]]:
        """Entries under a variable group / registers node (cached per node)."""
        found = self._entries.get(path)
        if found is None:
            stack = self.stack_index(path[0])
            if self.node_kind(path[:2]) == "registers":
                found = _entries(self._stacks[stack].registers or {})
            else:
                frame = self.frame(stack, self.frame_index(stack, path[1]))
                found = _entries(frame.variables[path[2]][1])
            self._entries[path] = found
        return found

    # ------------------------------------------------------------------ PathTreeModel

    def child_count(self, path: Path) -> int:
        depth = len(path)
        if depth == 0:
            return len(self._filter.stacks) if self._filter is not None else len(self._stacks)
        stack = self.stack_index(path[0])
        if depth == 1:
            listed = self.listed_count(stack)
            more = 1 if self.frame_count(stack) > listed else 0
            return listed + more + (1 if self._stacks[stack].registers else 0)
        kind = self.node_kind(path[:2])
        if kind == "more":
            return 0
        if kind == "registers":  # registers node > register entries
            return len(self._children(path[:2])) if depth == 2 else 0
        if depth == 2:
            return len(self.frame(stack, self.frame_index(stack, path[1])).variables)
        if depth == 3:
            return len(self._children(path))
        return 0

    def node_kind(self, path: Path) -> str:
        depth = len(path)
        if depth == 1:
            return "stack"
        stack = self.stack_index(path[0])
        listed = self.listed_count(stack)
        if path[1] >= listed:
            if path[1] == listed and self.frame_count(stack) > listed:
                return "more"
            return "registers" if depth == 2 else "variable"
        return ("frame", "group", "variable")[depth - 2]

    def node_data(self, path: Path, column: int, role: int) -> Any:
        kind = self.node_kind(path)
        if role == KIND_ROLE:
            return kind
        stack_i = self.stack_index(path[0])
        stack = self._stacks[stack_i]
        if kind == "stack":
            return self._stack_data(stack, column, role)
        if kind == "frame":
            index = self.frame_index(stack_i, path[1])
            return self._frame_data(stack_i, index, column, role)
        if kind == "more":
            if role == Qt.ItemDataRole.DisplayRole and column == self.COL_FUNCTION:
                hidden = self.frame_count(stack_i) - self.listed_count(stack_i)
                step = min(hidden, LIST_MORE_STEP)
                return (
                    f"… {hidden:,} more frames not listed: double-click to list {step:,} more, "
                    "or type in the filter box to search all of them"
                )
            if role == Qt.ItemDataRole.ForegroundRole:
                return style.dim_text()
            return None
        if kind == "registers":
            if role == Qt.ItemDataRole.DisplayRole and column == self.COL_FUNCTION:
                return "registers"
            if role == Qt.ItemDataRole.DisplayRole and column == self.COL_LOCATION:
                return f"{len(self._children(path))} values"
            if role == POINTER_ROLE:
                return stack.pointer
            return None
        if kind == "group":
            frame = self.frame(stack_i, self.frame_index(stack_i, path[1]))
            name, value = frame.variables[path[2]]
            if role == Qt.ItemDataRole.DisplayRole:
                if column == self.COL_FUNCTION:
                    return name
                if column == self.COL_LOCATION:
                    return f"{len(self._children(path))} values"
            if role == POINTER_ROLE:
                return frame.pointer
            return None
        # a variable
        key, value = self._children(path[:-1])[path[-1]]
        if role in (Qt.ItemDataRole.DisplayRole, COPY_ROLE):
            if role == COPY_ROLE:
                return f"{key} = {short_value(value, 10_000)}"
            if column == self.COL_FUNCTION:
                return key
            if column == self.COL_LOCATION:
                return short_value(value)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_LOCATION:
            return short_value(value, 2000)
        if role == Qt.ItemDataRole.FontRole and column == self.COL_LOCATION:
            return style.mono_font()
        return None

    def _stack_data(self, stack: Stack, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                count = len(stack.frames)
                return f"{stack.title}   ({count} frame{'s' if count != 1 else ''})"
            return None
        if role == Qt.ItemDataRole.FontRole:
            if self._bold is None:
                self._bold = QFont()
                self._bold.setBold(True)
            return self._bold
        if role == Qt.ItemDataRole.BackgroundRole and stack.crashed:
            return style.accent_background()
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{stack.title}\n{stack.detail}".strip()
        if role == POINTER_ROLE:
            return stack.pointer
        if role == OBJECT_ROLE:
            return stack
        if role == COPY_ROLE:
            return stack.title.strip()
        return None

    def _frame_data(self, stack: int, index: int, column: int, role: int) -> Any:
        frame = self.frame(stack, index)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.COL_INDEX:
                return str(self.frame_number(stack, index))
            if column == self.COL_FUNCTION:
                text = frame.function or "?"
                if frame.trust == "inlined":
                    text = f"↳ {text}"  # an inlined call: its own row, above the frame that holds it
                if frame.module_offset is not None:  # native: module+offset has its own column
                    return text
                return f"{text}  [{frame.note}]" if frame.note else text
            if column == self.COL_LOCATION:
                if frame.module_offset is not None and frame.file:  # native: the file name, as minidump-stackwalk
                    return short_location(frame)
                return frame.location()
            if column == self.COL_MODULE:
                return module_text(frame)
            if column == self.COL_ADDRESS:
                return format_address(frame.address)
            if column == self.COL_TRUST:
                return TRUST_LABELS.get(frame.trust or "", frame.trust or "")
            return None
        if role == Qt.ItemDataRole.ForegroundRole and (is_library_frame(frame) or is_weak_frame(frame)):
            return style.dim_text()
        if role == Qt.ItemDataRole.FontRole:
            if is_weak_frame(frame):  # found by scanning: may be a stale return address
                return _italic()
            if column in (self.COL_ADDRESS, self.COL_MODULE) and frame.module_offset is not None:
                return style.mono_font()
            if column == self.COL_ADDRESS:
                return style.mono_font()
            if column == self.COL_FUNCTION and frame.in_app:
                if self._bold is None:
                    self._bold = QFont()
                    self._bold.setBold(True)
                return self._bold
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = frame_line(self.frame_number(stack, index), frame)
            if frame.trust:
                tip += f"\nFound by: {TRUST_HELP.get(frame.trust, frame.trust)}"
            return tip
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.COL_INDEX:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == POINTER_ROLE:
            return frame.pointer
        if role == OBJECT_ROLE:
            return frame
        if role == SORT_ROLE:
            return index
        if role == COPY_ROLE:
            return frame_line(self.frame_number(stack, index), frame)
        return None
