"""One tab: a document's summary header and its views (summary, frames, threads, ..., raw).

Models are built per report; every tree reads the report's LazyLists on demand. The filter box scans the raw
lists on a worker (debounced) and hands each model the rows to show.
"""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QTabWidget,
    QTextBrowser,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from inspector.formats.base import InspectorError
from inspector.report import Frame, Report
from inspector.ui import style
from inspector.ui.document import tree_rows
from inspector.ui.document.empty_notes import EmptyNote, empty_note, no_attachments_note
from inspector.ui.document.models.frame_text import Stack, exception_stacks, thread_stacks
from inspector.ui.document.models.lists import AttachmentsModel, BinariesModel, ProblemsModel, SortProxy, TelemetryModel
from inspector.ui.document.models.metadata_model import MetadataModel
from inspector.ui.document.models.roles import KIND_ROLE, OBJECT_ROLE, POINTER_ROLE
from inspector.ui.document.models.stacks_model import StacksModel
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.document.raw_view import create_raw_view
from inspector.ui.document.source_pane import SourcePane
from inspector.ui.document.timeline import TimelineWidget
from inspector.ui.document.tree_layout import (
    LIST_COLUMNS,
    TreeLayout,
    expand_top_level,
    make_tree,
)
from inspector.ui.document.view_filter import (
    FILTERED_VIEWS,
    FilterBox,
    FilterResult,
    MetadataFilter,
)
from inspector.ui.document.view_names import VIEW_NAMES
from inspector.ui.document.view_pages import view_pages
from inspector.ui.document.views.attachment_preview import AttachmentPreview
from inspector.ui.document.views.summary import header_html, headline, summary_html
from inspector.ui.window.labels import occurrence_word
from inspector.ui.window.read_only_bar import ReadOnlyBar


class DocumentView(QWidget):
    """Everything about one open document.

    Signals:
        filter_applied(str): the filter text whose result the views now show.
        frame_selected(object): the Frame selected in the frames or threads view (or None).
    """

    filter_applied = Signal(str)
    frame_selected = Signal(object)
    #: the Problems view's model (rebuilt when the document's problems change)
    problems_model: ProblemsModel

    def __init__(self, document: OpenDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree_layout = TreeLayout(self)
        self.setObjectName("documentView")
        self.document = document
        self.report_index = 0
        self._built_reports: list[Report] | None = None
        self.exception_stacks: list[Stack] = []
        self.thread_stacks_: list[Stack] = []

        self.header = QLabel()
        self.header.setObjectName("summaryHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.header.setContentsMargins(6, 4, 6, 4)
        self.report_selector = QComboBox()
        self.report_selector.setObjectName("reportSelector")
        self.report_selector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.report_selector.currentIndexChanged.connect(self._report_chosen)

        self.filter_box = FilterBox(
            self, lambda: (self.exception_stacks, self.thread_stacks_, self.report), self._show_filter
        )
        self.filter_edit, self.filter_status = self.filter_box.edit, self.filter_box.status
        self.order_toggle = QCheckBox("Most recent first")
        self.order_toggle.setObjectName("mostRecentFirst")
        self.order_toggle.setToolTip("Flip the frame order (the vendor's own order is the default)")
        self.order_toggle.toggled.connect(self._order_toggled)

        # views
        self.summary_view = QTextBrowser()
        self.summary_view.setObjectName("summaryView")
        self.summary_view.setOpenLinks(False)
        self.frames_view = make_tree("framesView")
        self.source_pane = SourcePane()
        self.threads_view = make_tree("threadsView")
        self.binaries_view = make_tree("binariesView")
        self.binaries_view.setSortingEnabled(True)
        self.binaries_view.setRootIsDecorated(False)
        self.telemetry_view = make_tree("telemetryView")
        self.telemetry_view.setRootIsDecorated(False)
        self.timeline = TimelineWidget()
        self.timeline.event_clicked.connect(self._timeline_clicked)
        self.attachments_view = make_tree("attachmentsView")
        self.attachments_view.setRootIsDecorated(False)
        self.attachments_note = QLabel()
        self.attachments_note.setObjectName("attachmentsNote")
        self.attachment_preview = AttachmentPreview()
        self.metadata_view = make_tree("metadataView")
        self.problems_view = make_tree("problemsView")
        self.problems_view.setRootIsDecorated(False)
        self.problems_view.activated.connect(self._problem_activated)
        self.problems_view.doubleClicked.connect(self._problem_activated)
        for stacks_view in (self.frames_view, self.threads_view):  # double-click / Enter on a "more frames" row
            stacks_view.activated.connect(lambda index, v=stacks_view: self._more_activated(v, index))
        self.raw_view = create_raw_view(document, self)
        document.prepare_text_soon()
        self.empty_notes = {name: EmptyNote(view) for name, view in self.trees().items()}

        self.tabs = QTabWidget()
        self.tabs.setObjectName("viewTabs")
        self.tabs.setDocumentMode(True)
        pages = view_pages(
            summary=self.summary_view,
            frames=self.frames_view,
            source=self.source_pane,
            threads=self.threads_view,
            binaries=self.binaries_view,
            timeline=self.timeline,
            telemetry=self.telemetry_view,
            attachments_note=self.attachments_note,
            attachments=self.attachments_view,
            attachment_preview=self.attachment_preview,
            metadata=self.metadata_view,
            problems=self.problems_view,
            raw=self.raw_view,
        )
        self._pages = pages
        for name, page in pages.items():
            page.setProperty("viewName", name)
            self.tabs.addTab(page, name.capitalize())

        bar = QHBoxLayout()
        bar.setContentsMargins(6, 0, 6, 0)
        bar.addWidget(self.report_selector)
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.filter_status)
        bar.addWidget(self.order_toggle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.read_only_bar = ReadOnlyBar(document, self)
        layout.addWidget(self.read_only_bar)
        layout.addWidget(self.header)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)

        for view in self.trees().values():
            view.customContextMenuRequested.connect(lambda pos, v=view: self._context_menu(v, pos))
            tree_rows.add_copy_action(view)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(1)  # not 0: see OpenDocument._refresh_after_edit
        self._refresh_timer.timeout.connect(self.refresh)
        document.changed.connect(self._document_changed)
        self._fill_report_selector()
        self.set_report(0)

    # ------------------------------------------------------------------ public

    def trees(self) -> dict[str, QTreeView]:
        return {
            "frames": self.frames_view,
            "threads": self.threads_view,
            "binaries": self.binaries_view,
            "telemetry": self.telemetry_view,
            "attachments": self.attachments_view,
            "metadata": self.metadata_view,
            "problems": self.problems_view,
        }

    @property
    def report(self) -> Report | None:
        reports = self.document.reports
        return reports[self.report_index] if 0 <= self.report_index < len(reports) else None

    def show_view(self, name: str) -> None:
        """Raise the tab of a view (``summary``, ``frames``... ``raw``)."""
        if name not in self._pages:
            raise InspectorError(f"unknown view {name!r}; known: {', '.join(VIEW_NAMES)}")
        self.tabs.setCurrentWidget(self._pages[name])

    def current_view_name(self) -> str:
        return str(self.tabs.currentWidget().property("viewName"))

    def clear_filter(self) -> None:
        """Escape in the filter box: empty it and show everything again, now."""
        self.filter_box.clear()

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def set_report(self, index: int) -> None:
        """Show report ``index`` of the document (App Center batches have several)."""
        self.report_index = max(0, min(index, len(self.document.reports) - 1))
        if self.report_selector.currentIndex() != self.report_index and self.report_selector.count():
            self.report_selector.blockSignals(True)
            self.report_selector.setCurrentIndex(self.report_index)
            self.report_selector.blockSignals(False)
        self._build_models()
        if self.filter_box.text:
            self.filter_box.apply()

    def _document_changed(self) -> None:
        """After an edit, a big document's view refreshes in the next event-loop turn (edits in a row refresh once): the
        edit's own work (splicing 20 MB of text: ~30 ms) and the view's (~20 ms) then never hold the window together.
        New problems alone (the same reports) show at once."""
        if self.document.is_big and self.document.reports is not self._built_reports:
            self._refresh_timer.start()
        else:
            self.refresh()

    def refresh(self) -> None:
        """The document changed (edit, undo, or background validation finished): rebuild what derives from it.

        When only the problems changed (the reports list is the same object), the trees keep their expansion
        and selection: a 100 MB payload's validation finishing must not reset what the user is reading.
        """
        if self.document.reports is self._built_reports:
            self._problems_changed()
            return
        self._fill_report_selector()
        if not self._update_in_place():
            self.set_report(self.report_index)

    def _update_in_place(self) -> bool:
        """After an edit that leaves the stacks' shape alone (same exceptions, threads and frame counts), keep the
        stack models (expansion, selection, scroll position) and repaint their rows instead of a reset and a new
        layout of the first frame (~90 ms for a 20 MB document). False when the caller must rebuild instead."""
        doc = self.document
        old_reports = self._built_reports
        index = self.report_index
        if self.filter_box.text or not old_reports or not 0 <= index < min(len(old_reports), len(doc.reports)):
            return False
        report = doc.reports[index]
        old_report = old_reports[index]
        if report.most_recent_first != old_report.most_recent_first or report.kind != old_report.kind:
            return False
        prepared = doc.prepared_stacks  # made with the reports on the thread pool (a big document's edit)
        if prepared is not None and prepared[0] is report:
            exceptions, threads = prepared[1], prepared[2]
        else:
            exceptions, threads = exception_stacks(report), thread_stacks(report)
        frames_old = list(self.frames_model.stacks)
        if not self.frames_model.replace_stacks(exceptions):
            return False
        if not self.threads_model.replace_stacks(threads):
            self.frames_model.replace_stacks(frames_old)
            return False
        self._built_reports = doc.reports
        self.exception_stacks, self.thread_stacks_ = exceptions, threads
        doc.prepared_stacks = None
        self.tree_layout.repaint_visible(self.frames_view)
        self.tree_layout.repaint_visible(self.threads_view)
        self._show_summary(report)
        self._build_list_models(report)
        expand_top_level(self.metadata_view, self.metadata_model, self.metadata_filter)
        self._size_columns()
        self.timeline.set_events(report.telemetry, self._crash_time(report), occurrence_word(report))
        self._show_attachments(report)
        for view in (self.frames_view, self.threads_view):  # the source pane shows the re-derived frame
            frame = view.currentIndex().siblingAtColumn(0).data(OBJECT_ROLE)
            if isinstance(frame, Frame):
                self.source_pane.show_frame(frame)
                break
        self._update_tab_titles()
        return True

    def _show_summary(self, report: Report | None) -> None:
        """The header line and the Summary view (their colours follow the desktop's light or dark palette)."""
        doc, colours = self.document, style.html_colours()
        self.header.setText(header_html(doc.submission, report, doc.problems, colours, doc.validating))
        self.summary_view.setHtml(summary_html(doc.submission, report, doc.problems, colours, doc.validating))

    def _problems_changed(self) -> None:
        doc = self.document
        self._show_summary(self.report)
        old = self.problems_model
        self.problems_model = ProblemsModel(doc.problems, self)
        self.problems_view.setModel(self.problems_model)
        old.deleteLater()
        self._update_tab_titles()

    def set_filter_text(self, text: str) -> None:
        """Filter now (no debounce); the result arrives with ``filter_applied``."""
        self.filter_box.set_text(text)

    def apply_filter(self) -> None:
        self.filter_box.apply()

    def select_pointer(self, pointer: str) -> bool:
        """Select the value at ``pointer`` in the raw view and the matching rows in the trees; show the raw view.

        Returns whether the raw view could select it.
        """
        found = bool(self.raw_view.select_pointer(pointer))  # type: ignore[attr-defined]
        self.select_rows_for_pointer(pointer)
        self.show_view("raw")
        return found

    def select_rows_for_pointer(self, pointer: str) -> list[str]:
        """Select the tree rows the pointer belongs to; returns the names of the views where a row was selected."""
        hits: list[str] = []
        for name, model, view in (
            ("frames", self.frames_model, self.frames_view),
            ("threads", self.threads_model, self.threads_view),
        ):
            if tree_rows.select_stack_row(view, model, pointer):
                hits.append(name)
        report = self.report
        if report is not None:
            for name, rows, flat, view in (
                ("binaries", report.binaries, self.binaries_model, self.binaries_view),
                ("telemetry", report.telemetry, self.telemetry_model, self.telemetry_view),
                ("attachments", report.attachments, self.attachments_model, self.attachments_view),
            ):
                proxy = self.binaries_proxy if view is self.binaries_view else None
                if tree_rows.select_flat_row(view, flat, rows, pointer, inside=name == "attachments", proxy=proxy):
                    hits.append(name)
        return hits

    def copy_rows(self, view: QTreeView) -> str:
        return tree_rows.copy_rows(view)

    def copy_frame_location(self, view: QTreeView) -> str:
        return tree_rows.copy_frame_location(view)

    def copy_stack(self, view: QTreeView) -> str:
        return tree_rows.copy_stack(view, self.report.most_recent_first if self.report else True)

    def changeEvent(self, event: QEvent) -> None:  # Override QWidget.changeEvent
        """The desktop switched light/dark: re-derive the colours of the header and the summary."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._show_summary(self.report)
        super().changeEvent(event)

    # ------------------------------------------------------------------ building

    def _fill_report_selector(self) -> None:
        self.report_selector.blockSignals(True)
        self.report_selector.clear()
        for i, report in enumerate(self.document.reports):
            kind, message = headline(report)
            label = f"Report {i + 1}/{len(self.document.reports)}: {report.kind} — {kind}"
            if message:
                label += f": {message[:60]}"
            self.report_selector.addItem(label)
        self.report_selector.setVisible(len(self.document.reports) > 1)
        self.report_selector.blockSignals(False)

    def _report_chosen(self, index: int) -> None:
        if index >= 0 and index != self.report_index:
            self.set_report(index)

    def _build_models(self) -> None:
        doc = self.document
        self._built_reports = doc.reports
        report = self.report
        colours = style.html_colours()
        self.header.setText(header_html(doc.submission, report, doc.problems, colours, doc.validating))
        self.summary_view.setHtml(summary_html(doc.submission, report, doc.problems, colours, doc.validating))
        prepared = getattr(doc, "prepared_stacks", None)  # built by the loading worker (main_window.load_document)
        doc.prepared_stacks = None
        if prepared is not None and report is not None and prepared[0] is report:
            self.exception_stacks, self.thread_stacks_ = prepared[1], prepared[2]
        else:
            self.exception_stacks = exception_stacks(report) if report else []
            self.thread_stacks_ = thread_stacks(report) if report else []
        mrf = report.most_recent_first if report else True
        old = [getattr(self, n, None) for n in ("frames_model", "threads_model")]
        self.frames_model = StacksModel(self.exception_stacks, mrf, self)
        self.threads_model = StacksModel(self.thread_stacks_, mrf, self)
        self.frames_view.setModel(self.frames_model)
        self.threads_view.setModel(self.threads_model)
        for model in old:
            if model is not None:
                model.deleteLater()
        self._build_list_models(report)
        self.order_toggle.blockSignals(True)
        self.order_toggle.setChecked(mrf)
        self.order_toggle.blockSignals(False)
        self.frames_view.selectionModel().currentChanged.connect(self._frame_current)
        self.threads_view.selectionModel().currentChanged.connect(self._frame_current)
        self.tree_layout.after_stack_reset(self.frames_view, expand_all=True)
        self.tree_layout.after_stack_reset(self.threads_view, expand_all=False)
        expand_top_level(self.metadata_view, self.metadata_model, self.metadata_filter)
        self._size_columns()
        self.timeline.set_events(report.telemetry if report else (), self._crash_time(report), occurrence_word(report))
        self.source_pane.show_frame(None)
        self._show_attachments(report)
        tree_rows.select_first_frame(self.frames_view, self.frames_model)
        self.filter_box.show_status(None, self.exception_stacks)
        self._update_tab_titles()

    def _update_empty_notes(self) -> None:
        filtered = bool(self.filter_box.text)
        for name, note in self.empty_notes.items():
            note.set_text(
                empty_note(self.document.format, name, filtered and name in FILTERED_VIEWS, self.document.validating)
            )

    def _show_attachments(self, report: Report | None) -> None:
        if report is not None and report.attachments:
            self.attachments_note.setText(f"{len(report.attachments)} attachment(s)")
            self.attachments_view.setCurrentIndex(self.attachments_model.index(0, 0))
        else:
            note = no_attachments_note(self.document.format)
            self.attachments_note.setText(note)
            self.attachment_preview.show_message(note)

    def _build_list_models(self, report: Report | None) -> None:
        """The flat views' models (binaries, telemetry, attachments, metadata, problems): cheap to rebuild."""
        old = [
            getattr(self, n, None)
            for n in (
                "binaries_proxy",
                "binaries_model",
                "telemetry_model",
                "attachments_model",
                "metadata_model",
                "problems_model",
            )
        ]
        self.binaries_model = BinariesModel(report.binaries if report else (), self)
        self.binaries_proxy = SortProxy(self)
        self.binaries_proxy.setSourceModel(self.binaries_model)
        self.telemetry_model = TelemetryModel(report.telemetry if report else (), self._crash_time(report), self)
        self.attachments_model = AttachmentsModel(report.attachments if report else [], self)
        self.metadata_model = MetadataModel(report.metadata if report else {}, self)
        old.append(getattr(self, "metadata_filter", None))
        self.metadata_filter = MetadataFilter(self)
        self.metadata_filter.setSourceModel(self.metadata_model)
        self.problems_model = ProblemsModel(self.document.problems, self)
        self.binaries_view.setModel(self.binaries_proxy)
        self.binaries_view.sortByColumn(BinariesModel.COL_START, Qt.SortOrder.AscendingOrder)
        self.telemetry_view.setModel(self.telemetry_model)
        self.attachments_view.setModel(self.attachments_model)
        self.metadata_view.setModel(self.metadata_filter)
        self.problems_view.setModel(self.problems_model)
        for model in old:
            if model is not None:
                model.deleteLater()
        self.attachments_view.selectionModel().currentChanged.connect(self._attachment_current)

    @staticmethod
    def _crash_time(report: Report | None) -> float | None:
        return report.summary.timestamp if report is not None else None

    def _size_columns(self) -> None:
        native = not any(
            stack.frames[i].file for stack in self.exception_stacks[:3] for i in range(min(50, len(stack.frames)))
        )
        for view, name in ((self.frames_view, "frames"), (self.threads_view, "threads")):
            view.setProperty("columnsName", name)
            view.setProperty("nativeColumns", native)
            if view.isVisible():
                self.tree_layout.size_stack_columns(view)
            else:  # a resized column lays a hidden tree out too (10 000 threads: 0.5 s): done on first show
                view.setProperty("columnsPending", True)
                if not view.property("spanOnShow"):
                    view.setProperty("spanOnShow", True)
                    view.installEventFilter(self.tree_layout)
        for name, widths in LIST_COLUMNS.items():
            self.tree_layout.fit_columns(self.trees()[name], name, widths)

    def _update_tab_titles(self) -> None:
        report = self.report
        counts = report.counts() if report else {}
        numbers = {
            "frames": sum(len(s.frames) for s in self.exception_stacks),
            "threads": counts.get("threads", 0),
            "binaries": counts.get("binaries", 0),
            "telemetry": counts.get("telemetry", 0),
            "attachments": counts.get("attachments", 0),
            "problems": len(self.document.problems),
        }
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            if tab is None:
                continue
            name = str(tab.property("viewName"))
            number = numbers.get(name)
            self.tabs.setTabText(i, f"{name.capitalize()} ({number:,})" if number else name.capitalize())
        self._update_empty_notes()

    # ------------------------------------------------------------------ filtering

    def _show_filter(self, result: FilterResult | None) -> None:
        self.frames_model.set_filter(result.frames if result else None)
        self.threads_model.set_filter(result.threads if result else None)
        self.binaries_model.set_visible_rows(result.binaries if result else None)
        self.telemetry_model.set_visible_rows(result.telemetry if result else None)
        self.metadata_filter.set_shown(result.metadata if result else None)
        if result is None:
            expand_top_level(self.metadata_view, self.metadata_model, self.metadata_filter)
        else:
            self.metadata_view.expandToDepth(8)  # the matching nodes and their parents only
        self.tree_layout.after_stack_reset(self.frames_view, expand_all=True)
        self.tree_layout.after_stack_reset(self.threads_view, expand_all=result is not None)
        self.filter_box.show_status(result, self.exception_stacks)
        self._update_empty_notes()
        self.filter_applied.emit(result.needle if result else "")

    def _order_toggled(self, checked: bool) -> None:
        self.frames_model.set_most_recent_first(checked)
        self.threads_model.set_most_recent_first(checked)
        self.tree_layout.after_stack_reset(self.frames_view, expand_all=True)
        self.tree_layout.after_stack_reset(self.threads_view, expand_all=bool(self.filter_box.text))

    @staticmethod
    def _flipped(model: StacksModel) -> bool:
        return model._flipped

    # ------------------------------------------------------------------ selection

    def _frame_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        frame = current.siblingAtColumn(0).data(OBJECT_ROLE) if current.isValid() else None
        if not isinstance(frame, Frame):
            frame = None
        if self.sender() is self.frames_view.selectionModel() or frame is not None:
            self.source_pane.show_frame(frame)
        self.frame_selected.emit(frame)
        report = self.report
        if frame is not None and frame.address is not None and report is not None:
            index = report.binary_for(frame.address)
            if index is not None:
                row = self.binaries_model.view_row(index)
                if row is not None:
                    proxy_index = self.binaries_proxy.mapFromSource(self.binaries_model.index(row, 0))
                    tree_rows.select_row(self.binaries_view, proxy_index)

    def _attachment_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        attachment = current.siblingAtColumn(0).data(OBJECT_ROLE) if current.isValid() else None
        if attachment is not None:
            self.attachment_preview.show_attachment(attachment)

    def _timeline_clicked(self, index: int) -> None:
        row = self.telemetry_model.view_row(index)
        if row is not None:
            tree_rows.select_row(self.telemetry_view, self.telemetry_model.index(row, 0))

    def _problem_activated(self, index: QModelIndex) -> None:
        pointer = index.siblingAtColumn(0).data(POINTER_ROLE)
        if pointer is not None:
            self.select_pointer(pointer)

    def _more_activated(self, view: QTreeView, index: QModelIndex) -> None:
        """A "… more frames not listed" row: list the next frames of its stack."""
        if not index.isValid() or index.siblingAtColumn(0).data(KIND_ROLE) != "more":
            return
        model = cast(StacksModel, view.model())
        stack = model.stack_index(index.parent().row())
        tree_rows.relist(view, lambda: model.list_more(stack))

    # ------------------------------------------------------------------ context menu

    def _context_menu(self, view: QTreeView, pos: Any) -> None:
        self.context_menu_for(view, pos).popup(view.viewport().mapToGlobal(pos))

    def context_menu_for(self, view: QTreeView, pos: Any) -> QMenu:
        """The context menu of a tree at ``pos`` (viewport coordinates): copy actions, show in raw view."""
        return tree_rows.context_menu(view, pos, lambda: self.copy_stack(view), self.select_pointer)
