"""The main window: documents as tabs, menus, docks for panels, opening files off the GUI thread.

Panels extend it through ``inspector/ui/panels/<name>/install.py`` modules with ``install(window)`` (listed in
:data:`inspector.ui.panels.PANELS`); they use :meth:`MainWindow.add_panel`, :meth:`MainWindow.menu`,
:meth:`MainWindow.current_document`, the ``current_document_changed`` signal and the typed hooks of
:class:`~inspector.ui.window.hooks.WindowHooks` (``window.hooks``: document opened/closed, close-tab guards, quit
guards). A panel never replaces the window's methods nor re-routes its actions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

# Only the Qt classes the start uses are imported here: PySide builds a class (and its enums) on first use, 0.5-3 ms
# each; the others are imported where they are needed. No ``Qt`` (see inspector.ui.app): its first use costs 20 ms.
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QStackedWidget, QTabWidget, QWidget

from inspector import settings
from inspector.ui import lazy
from inspector.ui.lazy import DocumentView, OpenDocument, load_bytes
from inspector.ui.panels import PANELS, install_module
from inspector.ui.window import menus
from inspector.ui.window.docks import PanelDock
from inspector.ui.window.hooks import WindowHooks
from inspector.ui.window.loading import ErrorPage, LoadingPage, load_document
from inspector.ui.window.recent_files import load_recent, save_session
from inspector.ui.workers import release_kept_objects, run_task

if TYPE_CHECKING:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QMenu

    from inspector.formats.base import Submission

log = logging.getLogger(__name__)


FILE_FILTERS = ";;".join(
    (
        "Crash payloads (*.json *.http *.txt *.crash *.ips *.dmp *.plcrash)",
        "JSON (*.json)",
        "HTTP requests (*.http *.txt)",
        "Apple crash reports (*.crash *.ips *.plcrash *.txt)",
        "Minidumps (*.dmp)",
        "All files (*)",
    )
)


def after_first_frame(callback: Callable[[], object], context: QObject) -> None:
    """Run ``callback`` in the event loop's second pass, for the start's chores (opening its files, the drafts check):
    a pass handles the events posted so far, then the window system's (the expose that paints a window just shown),
    and an event posted meanwhile waits for the next pass. A window that is never shown gets the callback all the
    same; once ``context`` is deleted, it is not called."""
    QTimer.singleShot(0, context, lambda: QTimer.singleShot(0, context, callback))


class MainWindow(QMainWindow):
    """The Crash Inspector window.

    Signals (for automation and tests, ``qtbot.waitSignal``; panels register in :attr:`hooks`, which the window calls
    first):
        current_document_changed(object): the OpenDocument of the current tab, or None.
        document_opened(object): an OpenDocument finished loading and has a tab (after ``hooks.document_opened``).
        open_failed(str, str): a path (or "clipboard") could not be opened, and why.
    """

    current_document_changed = Signal(object)
    document_opened = Signal(object)
    open_failed = Signal(str, str)
    settings_changed = Signal()

    #: File › Open Sample, File › Open Recent and View › Panels (made by :func:`menus.build_menus`)
    samples_menu: QMenu
    recent_menu: QMenu
    _panels_menu: QMenu

    def __init__(self, parent: QWidget | None = None, *, install_panels: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("Crash Inspector")
        self.resize(1280, 820)
        self.setAcceptDrops(True)
        self._menus: dict[str, QMenu] = {}
        self._panels: dict[str, QDockWidget] = {}
        self._panel_factories: dict[str, Callable[[], QWidget]] = {}
        self._before_first_view: list[Callable[[], None]] | None = []
        self.panel_errors: dict[str, str] = {}
        #: What panels hook into (their install appends to it): see :class:`WindowHooks`.
        self.hooks = WindowHooks()
        self._recent: list[str] | None = None  # read when first needed (the File menu opens, a file is opened)
        #: Closing the window writes the open files for the next start (the app's window; tests leave it off).
        self.remember_session = False

        self.tabs = QTabWidget()
        self.tabs.setObjectName("documentTabs")
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.welcome = QLabel(
            "<h2>Crash Inspector</h2><p>Drop a crash payload here, or use <b>File › Open</b> (Ctrl+O)<br>"
            "or <b>File › Open from Clipboard</b> for a JSON body or HTTP request pasted from a ticket.</p>"
        )
        self.welcome.setObjectName("welcome")
        self.welcome.setProperty("alignment", "AlignCenter")  # = setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.tabs)
        self.setCentralWidget(self.stack)
        self.statusBar().setObjectName("statusBar")
        menus.build_menus(self)
        if install_panels:
            self.install_panels()
        self.arrange_file_menu()

    # ------------------------------------------------------------------ API for panels

    @property
    def recent(self) -> list[str]:
        """The recently opened files, newest first."""
        if self._recent is None:
            self._recent = load_recent()
        return self._recent

    @recent.setter
    def recent(self, paths: list[str]) -> None:
        self._recent = paths

    def current_document(self) -> OpenDocument | None:
        view = self.current_view()
        return view.document if view is not None else None

    def current_view(self) -> DocumentView | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, DocumentView) else None

    def document_views(self) -> list[DocumentView]:
        return [w for i in range(self.tabs.count()) if isinstance(w := self.tabs.widget(i), DocumentView)]

    def open_submission(
        self, submission: Submission, title: str, path: Path | None = None, read_only: bool | None = None
    ) -> OpenDocument:
        """Open a submission (a composed payload, a captured request) in a new tab. ``read_only`` (default: when it
        has a ``path``, a file on disk) shows it for reading, with an Edit bar."""
        read_only = path is not None if read_only is None else read_only
        document = OpenDocument(submission, path=path, title=title, read_only=read_only)
        self._add_document(document)
        return document

    def open_document(self, document: OpenDocument) -> DocumentView:
        return self._add_document(document)

    def open_paths(self, paths: list[str]) -> None:
        """Open files in new tabs; each loads on a worker with a progress bar and a Cancel button."""
        for path in paths:
            self._start_loading(str(path))

    def add_panel(
        self,
        name: str,
        title: str,
        widget: QWidget | Callable[[], QWidget],
        area: Qt.DockWidgetArea | str = "bottom",
    ) -> QDockWidget:
        """A dock for a panel, hidden until shown (View › Panels, :meth:`show_panel`). ``widget`` may be a function
        that builds it: then it is called when the dock is first shown (or :meth:`panel_widget` asks), so a panel's
        imports and set-up do not slow the start. ``area``: a ``Qt.DockWidgetArea`` or "left", "right", "top",
        "bottom" (a name: the start needs no Qt enum); the dock joins that area when it is first shown."""
        if isinstance(area, str) and area not in ("left", "right", "top", "bottom"):
            raise ValueError(f"add_panel: area {area!r} is none of left, right, top, bottom")
        dock = PanelDock(title, self, area)
        dock.setObjectName(f"{name}Panel")
        if isinstance(widget, QWidget):
            dock.setWidget(widget)
        else:
            self._panel_factories[name] = widget
            dock.visibilityChanged.connect(lambda visible, n=name: self.panel_widget(n) if visible else None)
        self._panels[name] = dock
        action = dock.toggleViewAction()
        self._panels_menu.addAction(action)
        dock.hide()
        return dock

    def before_first_view(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` before the first document view of this window is built (at once if one was): a panel
        that configures the views (the editor replaces the raw view) does it there, so that the start imports none
        of the view modules."""
        if self._before_first_view is None:
            callback()
        else:
            self._before_first_view.append(callback)

    def panel(self, name: str) -> QDockWidget | None:
        return self._panels.get(name)

    def panel_widget(self, name: str) -> QWidget | None:
        """The panel's widget, built now if the dock was given a function and was not shown yet."""
        dock = self._panels.get(name)
        if dock is None:
            return None
        factory = self._panel_factories.pop(name, None)
        if factory is not None:
            dock.setWidget(factory())
        return dock.widget()

    def panels(self) -> dict[str, QDockWidget]:
        return dict(self._panels)

    def show_panel(self, name: str) -> QDockWidget:
        dock = self._panels.get(name)
        if dock is None:
            from inspector.formats.base import InspectorError

            raise InspectorError(f"no panel named {name!r}; installed: {', '.join(sorted(self._panels)) or 'none'}")
        self.panel_widget(name)
        dock.show()
        dock.raise_()
        return dock

    def menu(self, title: str) -> QMenu:
        """The menu of that title ("&File", "&Edit", "&View", "&Tools", "&Help"), created if new."""
        found = self._menus.get(title)
        if found is None:
            found = self.menuBar().addMenu(title)
            self._menus[title] = found
        return found

    def status_message(self, text: str, timeout_ms: int = 6000) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def install_panels(self) -> None:
        """Import every panel of :data:`inspector.ui.panels.PANELS` and call its ``install(window)``; failures are
        skipped (and kept in :attr:`panel_errors`, by panel name)."""
        for short in PANELS:
            name = install_module(short)
            try:
                module = lazy.import_module(name)
                module.install(self)
            except Exception as exc:  # one broken panel must not take the window down
                log.exception("panel %s failed to install", name)
                self.panel_errors[short] = f"{type(exc).__name__}: {exc}"

    def arrange_file_menu(self) -> None:
        """Group the File menu (new | open | save | export and more | close | quit): see :mod:`.menus`."""
        menus.arrange_file_menu(self)

    # ------------------------------------------------------------------ actions

    def open_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        paths, _filter = QFileDialog.getOpenFileNames(self, "Open crash payloads", "", FILE_FILTERS)
        if paths:
            self.open_paths(paths)

    def open_clipboard(self) -> OpenDocument | None:
        """Open a JSON body or a raw HTTP request from the clipboard."""
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self.status_message("The clipboard holds no text.")
            self.open_failed.emit("clipboard", "the clipboard holds no text")
            return None
        from inspector.formats.base import InspectorError
        from inspector.ui.document.editor.recover import recover

        try:
            submission = load_bytes(text.encode("utf-8"), source_name="clipboard")
        except InspectorError as exc:
            recovered = recover(text.encode("utf-8"), exc, source_name="clipboard")
            if recovered is None:
                self._show_error_tab("clipboard", str(exc))
                return None
            document = OpenDocument(recovered.submission, title="Clipboard", read_only=True)
            document.replace_text(recovered.text)
            self._add_document(document)
            return document
        return self.open_submission(submission, "Clipboard", read_only=True)

    def focus_filter(self) -> None:
        view = self.current_view()
        if view is not None:
            view.focus_filter()

    def allow_editing(self, in_place: bool) -> None:
        """Edit › Edit This File / Edit a Copy: make the current read-only document editable."""
        document = self.current_document()
        if document is None:
            return
        document.allow_editing(in_place)
        self._update_document_tab(document)
        if in_place:
            self.status_message(f"Editing {document.path or document.title}: Save (Ctrl+S) writes this file")
        else:
            self.status_message(f"Editing a copy: {document.title}; Save asks where to write it")

    @property
    def settings(self) -> settings.Settings:
        """The user's settings (Edit › Preferences), read on first use."""
        from inspector.ui.window import preferences

        return preferences.current_settings()

    def close_all_tabs(self) -> bool:
        """File › Close All Tabs (Ctrl+Shift+W). Stops at the first tab whose close is cancelled; False then."""
        while self.tabs.count():
            if not self.close_tab(self.tabs.count() - 1):  # a close-tab guard asks about unsaved work
                return False
        return True

    def request_quit(self) -> bool:
        """File › Quit: the quit guards are asked (unsaved work), then the window closes. False when one said no."""
        return self.hooks.may_quit() and self.close()  # a programmatic close: closeEvent does not ask again

    def show_view(self, name: str) -> None:
        view = self.current_view()
        if view is not None:
            view.show_view(name)

    def close_current_tab(self) -> None:
        if self.tabs.count():
            self.close_tab(self.tabs.currentIndex())

    def close_tab(self, index: int) -> bool:
        """Close the tab at ``index`` (its close button, Ctrl+W): a document's tab only if every close-tab guard
        agrees. True when the tab closed."""
        widget = self.tabs.widget(index)
        if widget is None:
            return False
        document = widget.document if isinstance(widget, DocumentView) else None
        if document is not None and not self.hooks.may_close(document):
            return False
        if isinstance(widget, LoadingPage) and widget.task is not None:
            widget.task.cancel()
        self.tabs.removeTab(index)
        widget.deleteLater()
        if document is not None:
            self.hooks.closed(document)
            release_kept_objects()  # its garbage cycles (widgets) may have been frozen with a later document
        if not self.tabs.count():
            self.stack.setCurrentWidget(self.welcome)
            self.current_document_changed.emit(None)
        return True

    def _cycle(self, step: int) -> None:
        if self.tabs.count():
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    # ------------------------------------------------------------------ loading

    def _start_loading(self, path: str) -> None:
        page = LoadingPage(path)
        index = self.tabs.addTab(page, Path(path).name)
        self.tabs.setTabToolTip(index, path)
        self.tabs.setCurrentIndex(index)
        self.stack.setCurrentWidget(self.tabs)
        page.task = run_task(
            load_document,
            path,
            progress=page.report_progress,
            pass_token=True,
            on_result=partial(self._loaded, page),
            on_error=partial(self._load_failed, page),
        )
        page.cancelled.connect(lambda p=page: self._cancel_loading(p))
        self.status_message(f"Opening {path}…")

    def _cancel_loading(self, page: LoadingPage) -> None:
        if page.task is not None:
            page.task.cancel()
        index = self.tabs.indexOf(page)
        if index >= 0:
            self.close_tab(index)
        self.status_message(f"Cancelled opening {page.path}")

    def _loaded(self, page: LoadingPage, document: OpenDocument) -> None:
        index = self.tabs.indexOf(page)
        if index < 0:  # the tab was closed meanwhile
            return
        view = self._new_view(document)
        self._replace_tab(index, view, document.title, str(document.path or ""))
        self._watch_document(document)
        menus.remember(self, page.path)
        self.status_message(f"Opened {page.path}: {document.format} {document.submission.kind}")
        self.hooks.opened(document)
        self.document_opened.emit(document)
        self._tab_changed(self.tabs.currentIndex())

    def _load_failed(self, page: LoadingPage, exc: BaseException) -> None:
        from inspector.formats.base import InspectorError

        message = str(exc) if isinstance(exc, (InspectorError, OSError)) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, (InspectorError, OSError)):
            log.error("loading %s failed:\n%s", page.path, getattr(exc, "__traceback_text__", exc))
        index = self.tabs.indexOf(page)
        if index >= 0:
            self._replace_tab(index, ErrorPage(Path(page.path).name, message), Path(page.path).name, page.path)
        self.status_message(f"Cannot open {page.path}: {message}")
        self.open_failed.emit(page.path, message)

    def _replace_tab(self, index: int, widget: QWidget, title: str, tooltip: str) -> None:
        old = self.tabs.widget(index)
        current = self.tabs.currentIndex() == index
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, widget, title)
        self.tabs.setTabToolTip(index, tooltip)
        if current:
            self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        if old is not None:
            old.deleteLater()

    def _show_error_tab(self, title: str, message: str) -> None:
        index = self.tabs.addTab(ErrorPage(title, message), title)
        self.tabs.setCurrentIndex(index)
        self.stack.setCurrentWidget(self.tabs)
        self.status_message(f"Cannot open {title}: {message}")
        self.open_failed.emit(title, message)

    def _new_view(self, document: OpenDocument) -> DocumentView:
        callbacks, self._before_first_view = self._before_first_view or [], None
        for callback in callbacks:
            callback()
        view = DocumentView(document)
        if document.syntax_error is not None:  # invalid JSON opened for fixing: the editor, its error marked
            view.show_view("raw")
        return view

    def _add_document(self, document: OpenDocument) -> DocumentView:
        view = self._new_view(document)
        index = self.tabs.addTab(view, document.title)
        self.tabs.setTabToolTip(index, str(document.path or document.title))
        self._watch_document(document)
        self.stack.setCurrentWidget(self.tabs)
        self.tabs.setCurrentIndex(index)
        self.hooks.opened(document)
        self.document_opened.emit(document)
        self._tab_changed(index)
        return view

    def _tab_changed(self, _index: int) -> None:
        document = self.current_document()
        self._update_window_title()
        self.current_document_changed.emit(document)

    def _update_window_title(self) -> None:
        """``name[*] — Crash Inspector``: Qt shows the ``*`` (or the macOS dot) while the document is modified."""
        document = self.current_document()
        editable = document is not None and document.read_only and document.document is not None
        for name, enabled in (
            ("editInPlaceAction", editable and document is not None and document.path is not None),
            ("editCopyAction", editable),
        ):
            action = self.findChild(QAction, name)
            if action is not None:
                action.setEnabled(bool(enabled))
        if document is None:
            self.setWindowTitle("Crash Inspector")
            self.setWindowModified(False)
            return
        lock = " (read-only)" if document.read_only else ""
        self.setWindowTitle(f"{document.title}[*]{lock} — Crash Inspector")
        self.setWindowModified(document.modified)

    def _watch_document(self, document: OpenDocument) -> None:
        """Keep the tab's text (``*`` when modified) and the window title in step with the document."""
        for signal in (
            document.changed,
            document.saved,
            document.read_only_changed,
            document.syntax_error_changed,
            document.undo_stack.cleanChanged,
        ):
            signal.connect(self._document_state_changed)  # a method: disconnected when the window goes
        self._update_document_tab(document)

    def _document_state_changed(self, *_args: object) -> None:
        sender = self.sender()
        document = sender if isinstance(sender, OpenDocument) else sender.parent() if sender is not None else None
        if isinstance(document, OpenDocument):
            self._update_document_tab(document)

    def _update_document_tab(self, document: OpenDocument) -> None:
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            if getattr(widget, "document", None) is document:
                mark = "*" if document.modified else ""
                self.tabs.setTabText(index, f"{document.title}{mark}")
                tip = str(document.path or document.title)
                self.tabs.setTabToolTip(index, f"{tip} (read-only)" if document.read_only else tip)
        if self.current_document() is document:
            self._update_window_title()

    # ------------------------------------------------------------------ drag and drop

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Override QWidget.dragEnterEvent
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # Override QWidget.dropEvent
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_paths(paths)

    def open_files(self) -> list[str]:
        """The files of the open tabs (loading or loaded), in tab order: what the next start reopens."""
        paths: list[str] = []
        for i in range(self.tabs.count()):
            widget = self.tabs.widget(i)
            if isinstance(widget, LoadingPage):
                paths.append(str(Path(widget.path).resolve()))
            elif isinstance(widget, DocumentView) and widget.document.path is not None:
                paths.append(str(Path(widget.document.path).resolve()))
        return paths

    def closeEvent(self, event: QCloseEvent) -> None:  # Override QWidget.closeEvent
        # The title bar's close button (a spontaneous close) asks the quit guards as File › Quit does; a programmatic
        # close() (tests, the shot tool, Quit once it asked) never blocks on a dialog.
        if event.spontaneous() and not self.hooks.may_quit():
            event.ignore()
            return
        if self.remember_session:
            save_session(self.open_files())
        for i in range(self.tabs.count()):
            widget = self.tabs.widget(i)
            if isinstance(widget, LoadingPage) and widget.task is not None:
                widget.task.cancel()
        super().closeEvent(event)


def find_child_view(window: QObject, name: str) -> QObject | None:
    """Tests and automation: the current document's child with that objectName."""
    view = window.current_view() if isinstance(window, MainWindow) else None
    return view.findChild(QObject, name) if view is not None else None
