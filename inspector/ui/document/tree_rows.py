"""What the rows of the document view's trees do: copy them (row, frame as file:line, stack as text), find the
row of a JSON pointer (listing the frames of a deep stack up to it), and list more frames keeping the view where it
was."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, cast

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu, QTreeView

from inspector.report import Frame
from inspector.ui.document.models.frame_text import frame_location, stack_text
from inspector.ui.document.models.pointers import index_for_pointer, within
from inspector.ui.document.models.roles import COPY_ROLE, KIND_ROLE, OBJECT_ROLE, POINTER_ROLE
from inspector.ui.document.models.stacks_model import StacksModel
from inspector.ui.document.tree_layout import TreeLayout


def copy_rows(view: QTreeView) -> str:
    rows = view.selectionModel().selectedRows(0) if view.selectionModel() else []
    if not rows and view.currentIndex().isValid():
        rows = [view.currentIndex().siblingAtColumn(0)]
    text = "\n".join(str(i.data(COPY_ROLE) or i.data() or "") for i in rows)
    if text:
        QGuiApplication.clipboard().setText(text)
    return text


def copy_frame_location(view: QTreeView) -> str:
    frame = view.currentIndex().siblingAtColumn(0).data(OBJECT_ROLE)
    text = frame_location(frame) if isinstance(frame, Frame) else ""
    if text:
        QGuiApplication.clipboard().setText(text)
    return text


def copy_stack(view: QTreeView, most_recent_first: bool = True) -> str:
    model = view.model()
    if not isinstance(model, StacksModel):
        return ""
    path = model.path(view.currentIndex())
    if not path:
        return ""
    stack = model.stacks[model.stack_index(path[0])]
    text = stack_text(stack, most_recent_first, model._flipped)
    QGuiApplication.clipboard().setText(text)
    return text


def select_row(view: QTreeView, index: QModelIndex) -> None:
    if not index.isValid():
        return
    view.selectionModel().setCurrentIndex(
        index,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    view.scrollTo(index)


def relist(view: QTreeView, change: Callable[[], object]) -> None:
    """Run ``change`` (a reset of the view's StacksModel that lists more frames) keeping the expanded stacks,
    the current row and the scroll position."""
    model = cast(StacksModel, view.model())
    expanded = [row for row in range(model.rowCount()) if view.isExpanded(model.index(row, 0))]
    current = model.path(view.currentIndex()) if view.currentIndex().isValid() else None
    scroll = view.verticalScrollBar().value()
    change()
    for row in expanded:
        view.expand(model.index(row, 0))
    if current:
        view.setCurrentIndex(model.index_for_path(current))
    view.verticalScrollBar().setValue(scroll)
    if view.isVisible():
        TreeLayout.span_first(view)


def list_frame_for(view: QTreeView, model: StacksModel, pointer: str) -> tuple[int, ...] | None:
    """The view path of a frame that is not listed yet (beyond the first frames of a deep stack): list it."""
    for s, stack in enumerate(model.stacks):
        frame = index_for_pointer(stack.frames, pointer)
        if frame is None:
            continue
        rows = model._frame_rows(s)
        if rows is not None:
            continue  # filtered: the filter lists what it found
        row = len(stack.frames) - 1 - frame if model._flipped else frame
        relist(view, partial(model.list_up_to, s, row))
        return model.view_path(s, frame)
    return None


def stack_path_for(model: StacksModel, pointer: str) -> tuple[int, ...] | None:
    best: tuple[int, int | None] | None = None
    best_len = -1
    for s, stack in enumerate(model.stacks):
        frame = index_for_pointer(stack.frames, pointer)
        if frame is not None:
            length = len(stack.frames[frame].pointer)
            if length > best_len:
                best, best_len = (s, frame), length
        elif within(pointer, stack.pointer) and len(stack.pointer) > best_len:
            best, best_len = (s, None), len(stack.pointer)
    if best is None:
        return None
    return model.view_path(*best)


def context_menu(
    view: QTreeView, pos: QPoint, copy_stack: Callable[[], object], select_pointer: Callable[[str], object]
) -> QMenu:
    """The context menu of a tree at ``pos`` (viewport coordinates): copy actions, show in raw view."""
    index = view.indexAt(pos)
    menu = QMenu(view)
    menu.addAction("Copy row", lambda: copy_rows(view))
    kind = index.siblingAtColumn(0).data(KIND_ROLE) if index.isValid() else None
    if kind == "frame":
        menu.addAction("Copy frame as file:line", lambda: copy_frame_location(view))
    if isinstance(view.model(), StacksModel) and index.isValid():
        menu.addAction("Copy stack as text", copy_stack)
    pointer = index.siblingAtColumn(0).data(POINTER_ROLE) if index.isValid() else None
    if pointer:
        menu.addAction("Show in raw view", lambda: select_pointer(pointer))
    return menu


def add_copy_action(view: QTreeView) -> None:
    """Ctrl+C in the tree copies its selected rows."""
    copy = QAction("Copy", view)
    copy.setShortcut(QKeySequence.StandardKey.Copy)
    copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    copy.triggered.connect(lambda _checked=False: copy_rows(view))
    view.addAction(copy)


def select_stack_row(view: QTreeView, model: StacksModel, pointer: str) -> bool:
    """Select the stack or frame row ``pointer`` belongs to (listing the frames up to it when needed)."""
    path = stack_path_for(model, pointer)
    if path is None:
        path = list_frame_for(view, model, pointer)
    if path is None:
        return False
    select_row(view, model.index_for_path(path))
    return True


def select_flat_row(
    view: QTreeView,
    model: Any,
    rows: Sequence[Any],
    pointer: str,
    *,
    inside: bool = False,
    proxy: QSortFilterProxyModel | None = None,
) -> bool:
    """Select the row of a flat view (binaries, telemetry, attachments) whose item is at ``pointer`` (``inside``:
    or holds it); ``proxy`` sorts the view."""
    row = index_for_pointer(rows, pointer)
    if row is None and inside:
        row = next((i for i, item in enumerate(rows) if within(pointer, item.pointer)), None)
    view_row = model.view_row(row) if row is not None else None
    if view_row is None:
        return False
    index = model.index(view_row, 0)
    select_row(view, proxy.mapFromSource(index) if proxy is not None else index)
    return True


def select_first_frame(view: QTreeView, model: StacksModel) -> None:
    """Select the most recent frame of the first stack that has frames (the crash site)."""
    for row in range(model.rowCount()):
        stack = model.stack_index(row)
        if model.frame_count(stack):
            first = 0 if model.most_recent_first else model.listed_count(stack) - 1
            index = model.index(first, 0, model.index(row, 0))
            view.setCurrentIndex(index)
            view.scrollTo(index)
            return
