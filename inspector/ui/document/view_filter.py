"""The document view's filter box: what it matches in the stacks (on a worker, off the GUI thread) and in the
metadata tree, and the proxy that shows only the matching metadata rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from inspector.report import Binary, Report, TelemetryEvent
from inspector.ui.document.models.filtering import StackFilter, filter_stacks, matching, search_index
from inspector.ui.document.models.frame_text import Stack
from inspector.ui.document.models.metadata_model import MetadataModel
from inspector.ui.workers import CancelToken, Task, run_task

#: The views the filter box narrows.
FILTERED_VIEWS = ("frames", "threads", "binaries", "telemetry", "metadata")
#: Typing pauses this long before the filter runs (a million frames take ~0.3 s to scan).
FILTER_DEBOUNCE_MS = 180
#: Stacks with this many frames in all get their search indexes built when the filter box takes the focus (while
#: the user types), not by the first filter: a million frames take ~0.8 s to index, then ~40 ms a filter. Fewer
#: frames are indexed by the first filter (50 000: ~40 ms), and nothing is held for a user who never filters.
INDEX_ON_FOCUS_FROM = 50_000


@dataclass(slots=True)
class FilterResult:
    needle: str
    frames: StackFilter
    threads: StackFilter
    binaries: list[int]
    telemetry: list[int]
    #: Paths (child rows from the root, as MetadataModel counts them) of the metadata nodes to show.
    metadata: set[tuple[int, ...]] = field(default_factory=set)


#: Metadata nodes the filter looks at, at most (a hostile payload's huge custom data must not stall the filter).
METADATA_FILTER_NODES = 200_000


def metadata_matches(metadata: Any, needle: str, check: Callable[[], None] | None = None) -> set[tuple[int, ...]]:
    """The paths of metadata nodes whose key or value contains ``needle`` (case-insensitive), with their ancestors
    (so the tree can show them) and, below a matching container, everything in it."""
    needle = needle.casefold()
    shown: set[tuple[int, ...]] = set()
    seen = 0
    stack: list[tuple[tuple[int, ...], Any, bool]] = [((), metadata, False)]
    while stack and seen < METADATA_FILTER_NODES:
        path, value, inside_match = stack.pop()
        if isinstance(value, dict):
            items = [(str(k), v) for k, v in value.items()]
        elif isinstance(value, (list, tuple)):
            items = [(f"[{i}]", v) for i, v in enumerate(value)]
        else:
            continue
        for i, (key, child) in enumerate(items):
            seen += 1
            if check is not None and seen % 4096 == 0:
                check()
            child_path = (*path, i)
            scalar = not isinstance(child, (dict, list, tuple))
            hit = inside_match or needle in key.casefold() or (scalar and needle in str(child).casefold())
            if hit:
                shown.update(child_path[:n] for n in range(1, len(child_path) + 1))
            if not scalar:
                stack.append((child_path, child, hit))
    return shown


class MetadataFilter(QSortFilterProxyModel):
    """The metadata tree narrowed to the paths a filter found (None: everything)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.shown: set[tuple[int, ...]] | None = None

    def set_shown(self, shown: set[tuple[int, ...]] | None) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 (invalidateFilter is deprecated there)
            self.beginFilterChange()
            self.shown = shown
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.shown = shown
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:  # Override
        if self.shown is None:
            return True
        model = self.sourceModel()
        assert isinstance(model, MetadataModel)
        path = (*model.path(source_parent), source_row) if source_parent.isValid() else (source_row,)
        return path in self.shown


def compute_filter(
    exceptions: Sequence[Stack],
    threads: Sequence[Stack],
    binaries: Sequence[Binary],
    telemetry: Sequence[TelemetryEvent],
    needle: str,
    cancel: Any = None,
    metadata: Any = None,
) -> FilterResult:
    """Runs on a worker: which rows of every list (and which metadata nodes) contain ``needle``."""
    check = cancel.check if cancel is not None else None
    return FilterResult(
        needle,
        filter_stacks([s.search_text() for s in exceptions], [s.frames for s in exceptions], needle, check),
        filter_stacks([s.search_text() for s in threads], [s.frames for s in threads], needle, check),
        matching(binaries, needle, check),
        matching(telemetry, needle, check),
        metadata_matches(metadata, needle, check) if metadata is not None else set(),
    )


class FilterBox(QObject):
    """The filter box above a document's views: the line edit (Esc clears it), its status, and the filter, run on a
    worker after a typing pause. ``inputs()`` gives what to filter (exception stacks, thread stacks, report or
    None); ``show(result)`` shows a result in the views (None: everything again). When the box takes the focus, the
    frames' search indexes of a big report are built on a worker (:data:`INDEX_ON_FOCUS_FROM`); a filter asked for
    meanwhile starts when they are ready."""

    def __init__(
        self,
        parent: QWidget,
        inputs: Callable[[], tuple[list[Stack], list[Stack], Report | None]],
        show: Callable[[FilterResult | None], None],
    ) -> None:
        super().__init__(parent)
        self._inputs, self._show = inputs, show
        #: the text of the filter the views show (or are about to)
        self.text = ""
        self._task: Task | None = None
        self._index_task: Task | None = None
        self._apply_when_indexed = False
        self.edit = QLineEdit()
        self.edit.setObjectName("filterEdit")
        self.edit.setPlaceholderText("Filter frames, threads, binaries, telemetry, metadata  (Ctrl+F; Esc clears)")
        self.edit.setClearButtonEnabled(True)
        clear = QAction("Clear the filter", self.edit)
        clear.setObjectName("clearFilterAction")
        clear.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        clear.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        clear.triggered.connect(self.clear)
        self.edit.addAction(clear)
        self.status = QLabel()
        self.status.setObjectName("filterStatus")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FILTER_DEBOUNCE_MS)
        self._timer.timeout.connect(self.apply)
        self.edit.textChanged.connect(lambda _text: self._timer.start())
        self.edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Override QObject.eventFilter
        if watched is self.edit and event.type() == QEvent.Type.FocusIn:
            self.prepare()
        return False

    def prepare(self) -> Task | None:
        """Build the search indexes of a big report's frame lists on a worker (a list keeps its index, so this is
        quick once done). Returns the task, or None when there is nothing worth indexing ahead."""
        if self._index_task is not None:
            return self._index_task
        exception_stacks, thread_stacks, _report = self._inputs()
        lists = [stack.frames for stack in (*exception_stacks, *thread_stacks)]
        if sum(len(frames) for frames in lists) < INDEX_ON_FOCUS_FROM:
            return None
        self._index_task = run_task(
            _build_indexes, lists, pass_token=True, on_result=self._indexed, on_error=self._indexed
        )
        return self._index_task

    def _indexed(self, _value: object) -> None:
        self._index_task = None
        if self._apply_when_indexed:
            self._apply_when_indexed = False
            self.apply()

    def clear(self) -> None:
        """Escape in the filter box: empty it and show everything again, now."""
        self.edit.clear()
        self.apply()

    def set_text(self, text: str) -> None:
        """Filter now (no debounce)."""
        self.edit.blockSignals(True)
        self.edit.setText(text)
        self.edit.blockSignals(False)
        self.apply()

    def apply(self) -> None:
        self._timer.stop()
        if self._task is not None:
            self._task.cancel()
            self._task = None
        text = self.edit.text().strip()
        self.text = text
        if not text:
            self._show(None)
            return
        if self._index_task is not None:  # the same work the filter would do first: wait for it
            self._apply_when_indexed = True
            self.status.setText("indexing…")
            return
        self.status.setText("filtering…")
        exception_stacks, thread_stacks, report = self._inputs()
        self._task = run_task(
            compute_filter,
            exception_stacks,
            thread_stacks,
            report.binaries if report else (),
            report.telemetry if report else (),
            text,
            metadata=report.metadata if report else None,
            pass_token=True,
            on_result=self._done,
            on_error=self._failed,
        )

    def _done(self, result: FilterResult) -> None:
        self._task = None
        if result.needle == self.text:
            self._show(result)

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.status.setText(f"filter failed: {exc}")

    def show_status(self, result: FilterResult | None, exception_stacks: list[Stack]) -> None:
        if result is None:
            self.status.setText("")
            return
        shown = sum(
            len(exception_stacks[s].frames) if rows is None else len(rows) for s, rows in result.frames.frames.items()
        )
        total = sum(len(s.frames) for s in exception_stacks)
        self.status.setText(
            f"{shown:,}/{total:,} frames · {len(result.binaries):,} binaries · {len(result.telemetry):,} events"
        )


def _build_indexes(lists: list[Sequence[Any]], cancel: CancelToken) -> None:
    """Worker: the search index of each list (kept on the list), cancellable between lists and chunks."""
    for frames in lists:
        cancel.check()
        search_index(frames, cancel.check)
