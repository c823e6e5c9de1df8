"""How the document view's trees are laid out: built alike, stacks expanded when a report opens, stack rows
spanning every column, columns sized in characters (the widths the user dragged remembered). Layout work on a
hidden tree waits until it is first shown: a 10 000-thread tree takes a second to lay out."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QObject, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from inspector.ui.document.models.stacks_model import StacksModel

#: Column widths of the views in characters; 0 is the column that stretches (function, message...).
STACK_COLUMNS = (5, 0, 30, 18, 17, 9)
STACK_COLUMNS_NATIVE = (5, 0, 22, 20, 17, 9)
LIST_COLUMNS = {
    "binaries": (24, 17, 17, 9, 36, 8, 10, 0),
    "telemetry": (11, 8, 10, 10, 0),
    "attachments": (30, 20, 10, 0),
    "metadata": (28, 0),
    "problems": (10, 24, 0, 22),
}
#: Stacks expanded when a report opens (an exception chain is short; thousands of threads are not).
EXPAND_STACKS = 12
#: Further stacks are expanded at open only while the expanded frame rows stay below this (a tree view lays out
#: every expanded row through the Python model: ~0.1 ms each, 19 000 rows of an App Center batch took 7 s; the
#: first stack is always expanded, with at most stacks_model.MAX_LISTED_FRAMES rows).
EXPAND_ROWS = 500
#: Stack rows whose title spans every column right away; further ones are spanned as they scroll into view
#: (QTreeView.setFirstColumnSpanned does a linear search once laid out: one call per stack is quadratic).
SPAN_STACKS = 100
#: A metadata node with more children than this stays collapsed when a report opens (a Rollbar ``custom`` object of
#: 110 000 keys took 8.4 s to lay out, the Python model asked for every row); the user expands it when wanted.
EXPAND_CHILDREN = 1000


def make_tree(name: str) -> QTreeView:
    view = QTreeView()
    view.setObjectName(name)
    view.setUniformRowHeights(True)  # required for a million rows to scroll smoothly
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setAllColumnsShowFocus(True)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.header().setStretchLastSection(True)
    view.header().setSectionsMovable(True)
    return view


class TreeLayout(QObject):
    """Lays out the trees of one document view (its child): expands and spans the stack rows after a reset, sizes
    columns, and finishes the layout a hidden tree put off when it is first shown (an event filter on the tree)."""

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self._owner = owner  # its font measures the columns
        self._sizing_columns = False

    def after_stack_reset(self, view: QTreeView, expand_all: bool) -> None:
        model = cast(StacksModel, view.model())
        rows = 0
        for row in range(min(model.rowCount(), EXPAND_STACKS)):
            if row and rows >= EXPAND_ROWS:  # the first stack always; then only while the rows stay few
                break
            if expand_all or model.stacks[model.stack_index(row)].crashed or row == 0:
                view.expand(model.index(row, 0))
                rows += model.rowCount(model.index(row, 0))
        if view.isVisible():
            self.span_first(view)
        else:  # spanning lays the whole tree out (10 000 threads: a second): done when the view is first shown
            view.setProperty("spansPending", True)
            if not view.property("spanOnShow"):
                view.setProperty("spanOnShow", True)
                view.installEventFilter(self)
        if model.rowCount() > SPAN_STACKS and not view.property("spanOnScroll"):
            view.setProperty("spanOnScroll", True)
            view.verticalScrollBar().valueChanged.connect(lambda _v, v=view: self.span_visible(v))
            view.expanded.connect(lambda _i, v=view: self.span_visible(v))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Override QObject.eventFilter
        if event.type() == QEvent.Type.Show and isinstance(watched, QTreeView):
            if watched.property("columnsPending"):
                self.size_stack_columns(watched)
            if watched.property("spansPending"):
                self.span_first(watched)
        return False

    @staticmethod
    def span_first(view: QTreeView) -> None:
        view.setProperty("spansPending", False)
        root = QModelIndex()
        for row in range(min(view.model().rowCount(), SPAN_STACKS)):
            view.setFirstColumnSpanned(row, root, True)

    @staticmethod
    def span_visible(view: QTreeView) -> None:
        """Span the stack rows on screen (the ones beyond :data:`SPAN_STACKS`), as they scroll into view."""
        if view.property("spansPending"):
            return
        index = view.indexAt(view.viewport().rect().topLeft())
        bottom = view.viewport().height()
        root = QModelIndex()
        seen = 0
        while index.isValid() and seen < 500:
            if not index.parent().isValid() and not view.isFirstColumnSpanned(index.row(), root):
                view.setFirstColumnSpanned(index.row(), root, True)
            if view.visualRect(index).top() > bottom:
                break
            index = view.indexBelow(index)
            seen += 1

    def size_stack_columns(self, view: QTreeView) -> None:
        view.setProperty("columnsPending", False)
        native = bool(view.property("nativeColumns"))
        name = str(view.property("columnsName") or "frames")
        self.fit_columns(view, f"{name}-native" if native else name, STACK_COLUMNS_NATIVE if native else STACK_COLUMNS)

    def fit_columns(self, view: QTreeView, key: str, widths: tuple[int, ...]) -> None:
        """Size the columns (``widths`` in characters; the one given as 0 stretches to fill the view, so nothing
        important is cut and no sideways scrolling is needed); widths the user dragged are remembered per ``key``."""
        from inspector.ui.window.preferences import current_settings

        header = view.header()
        char = self._owner.fontMetrics().horizontalAdvance("m")
        remembered = current_settings().column_widths.get(key, [])
        view.setProperty("columnsKey", key)
        self._sizing_columns = True
        try:
            header.setStretchLastSection(False)
            for column, chars in enumerate(widths[: header.count()]):
                if chars == 0:
                    header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
                    continue
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
                if column < len(remembered) and remembered[column] > 0:
                    header.resizeSection(column, remembered[column])
                else:  # column 0 of a tree also holds the indentation
                    extra = 2 * view.indentation() if column == 0 and view.rootIsDecorated() else 0
                    header.resizeSection(column, chars * char + extra)
        finally:
            self._sizing_columns = False
        if not header.property("remembersWidths"):
            header.setProperty("remembersWidths", True)
            header.sectionResized.connect(lambda column, *_a, v=view: self._column_dragged(v, column))

    def _column_dragged(self, view: QTreeView, column: int) -> None:
        """The user resized a column: remember the widths of that view (saved to the settings shortly). The
        stretching column follows the window's width: resizing the window remembers nothing."""
        header = view.header()
        stretch = QHeaderView.ResizeMode.Stretch
        if self._sizing_columns or not view.isVisible() or header.sectionResizeMode(column) == stretch:
            return
        from inspector.ui.window.preferences import current_settings, save_soon

        key = str(view.property("columnsKey"))
        widths = [0 if header.sectionResizeMode(c) == stretch else header.sectionSize(c) for c in range(header.count())]
        current_settings().column_widths[key] = widths
        save_soon()

    @staticmethod
    def repaint_visible(view: QTreeView) -> None:
        """``dataChanged`` for the rows on screen (the others are read from the model when they scroll in). A hidden
        view reads the model when it is shown (asking it for rows now would lay a never-shown tree out: 0.6 s)."""
        if not view.isVisible():
            return
        model = view.model()
        index = view.indexAt(view.viewport().rect().topLeft())
        bottom = view.viewport().height()
        last = model.columnCount() - 1
        seen = 0
        while index.isValid() and seen < 500:
            index = index.siblingAtColumn(0)
            model.dataChanged.emit(index, index.siblingAtColumn(last))
            if view.visualRect(index).bottom() >= bottom:
                break
            index = view.indexBelow(index)
            seen += 1


def expand_top_level(view: QTreeView, source: QAbstractItemModel, proxy: QSortFilterProxyModel) -> None:
    """Expand the top-level nodes of a tree shown through ``proxy`` that have at most :data:`EXPAND_CHILDREN`
    children (counted in ``source``: the proxy would filter every child to count them)."""
    for row in range(source.rowCount()):
        index = source.index(row, 0)
        if 0 < source.rowCount(index) <= EXPAND_CHILDREN:
            view.expand(proxy.mapFromSource(index))
