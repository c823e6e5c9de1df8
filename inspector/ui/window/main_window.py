"""The main window: documents as tabs, menus, docks for panels, opening files off the GUI thread.

Panels extend it through ``inspector/ui/panels/<name>/install.py`` modules with ``install(window)`` (listed in
:data:`inspector.ui.panels.PANELS`); they use :meth:`MainWindow.add_panel`, :meth:`MainWindow.menu`,
:meth:`MainWindow.current_document`, the ``current_document_changed`` signal and the typed hooks of
:class:`~inspector.ui.window.hooks.WindowHooks` (``window.hooks``: document opened/closed, close-tab guards, quit
guards). A panel never replaces the window's methods nor re-routes its actions.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

# Only the Qt classes the start uses are imported here: PySide builds a class (and its enums) on first use, 0.5-3 ms
# each; the others are imported where they are needed. No ``Qt`` (see inspector.ui.app): its first use costs 20 ms.
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow, QStackedWidget, QTabWidget, QWidget

from inspector import settings
from inspector.resources import resource_path
from inspector.ui import lazy
from inspector.ui.document.view_names import VIEW_NAMES
from inspector.ui.panels import PANELS, install_module
from inspector.ui.window.hooks import WindowHooks
from inspector.ui.workers import CancelToken, Task, run_task

if TYPE_CHECKING:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QMenu

    from inspector.formats import load_bytes, load_path
    from inspector.formats.base import Submission
    from inspector.ui.document.document_view import DocumentView
    from inspector.ui.document.open_document import OpenDocument
else:
    load_bytes = lazy.Deferred("inspector.formats", "load_bytes")
    load_path = lazy.Deferred("inspector.formats", "load_path")
    OpenDocument = lazy.Deferred("inspector.ui.document.open_document", "OpenDocument")
    DocumentView = lazy.Deferred("inspector.ui.document.document_view", "DocumentView")

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
MAX_RECENT = 10
#: The part of the window's width (side docks) or height (bottom docks) a panel takes when it opens.
DOCK_SHARE = 0.32
APP_DIR_NAME = settings.APP_NAME
recent_files_path = settings.recent_files_path


def _load_paths(target: Path, limit: int) -> list[str]:
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [str(p) for p in data if isinstance(p, str)][:limit] if isinstance(data, list) else []


def _save_paths(target: Path, paths: list[str], what: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        settings.atomic_write(target, json.dumps(paths, indent=1).encode("utf-8"))
    except OSError as exc:  # a read-only config dir must not stop the app
        log.warning("cannot save %s: %s", what, exc)


def load_recent() -> list[str]:
    return _load_paths(recent_files_path(), MAX_RECENT)


def save_recent(paths: list[str]) -> None:
    _save_paths(recent_files_path(), paths[:MAX_RECENT], "recent files")


def load_session() -> list[str]:
    """The files that were open when the window last closed (those that still exist)."""
    return [p for p in _load_paths(settings.session_path(), 100) if Path(p).is_file()]


def save_session(paths: list[str]) -> None:
    _save_paths(settings.session_path(), paths, "the session")


def sample_paths() -> list[Path]:
    folder = resource_path("samples")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "README")))


def load_document(
    path: str, cancel: CancelToken | None = None, progress: Callable[[int, int], None] | None = None
) -> OpenDocument:
    """Worker: read, parse, derive reports and validate; the document is handed to the GUI thread. ``progress``
    hears (bytes parsed, bytes in all) while a big document is parsed."""
    from inspector.formats.progress import reporting
    from inspector.ui.document.editor.recover import recover_file

    recovered = None
    try:
        with reporting(progress):
            submission = load_path(path)
    except Exception as exc:  # invalid JSON opens in the editor, its error marked, instead of an error page
        recovered = recover_file(path, exc)
        if recovered is None:
            raise
        submission = recovered.submission
    if cancel is not None:
        cancel.check()
    document = OpenDocument(submission, path=Path(path), read_only=True)  # opening never endangers the file
    if recovered is not None:
        document.replace_text(recovered.text)
    if document.reports:  # the first report's stacks (10 000 threads: 60 ms) are built here, not on the GUI thread
        from inspector.ui.document.models.frame_text import exception_stacks, thread_stacks

        report = document.reports[0]
        document.prepared_stacks = (report, exception_stacks(report), thread_stacks(report))
        report.frame_count  # noqa: B018 (counted here: the tab's titles and summary ask for it)
    import inspector.ui.document.document_view  # noqa: F401 (the first tab's import, ~40 ms, off the GUI thread)

    app = QCoreApplication.instance()
    if app is not None:
        gui = app.thread()
        document.moveToThread(gui)  # built here (reports, text: seconds for 100 MB); lives on the GUI thread now
        # WORKAROUND: a big document starts its validation task from this worker thread; the task's signal
        # object would stay on this thread (no event loop) and the problems would never arrive.
        validation = getattr(document, "_validation", None)
        if validation is not None:
            validation.signals.moveToThread(gui)
    return document


def after_first_frame(callback: Callable[[], object], context: QObject) -> None:
    """Run ``callback`` in the event loop's second pass, for the start's chores (opening its files, the drafts check):
    a pass handles the events posted so far, then the window system's (the expose that paints a window just shown),
    and an event posted meanwhile waits for the next pass. A window that is never shown gets the callback all the
    same; once ``context`` is deleted, it is not called."""
    QTimer.singleShot(0, context, lambda: QTimer.singleShot(0, context, callback))


def set_shortcut(action: QAction, keys: QKeySequence | QKeySequence.StandardKey | str) -> None:
    """``action.setShortcut(keys)``, which Qt 6 implements as ``setShortcuts([keys])``: PySide's overloads of
    ``setShortcut`` build the Qt namespace on first call (20 ms of the start, see inspector.ui.app)."""
    if isinstance(keys, QKeySequence.StandardKey):  # every binding of the platform (Close: Ctrl+F4 and Ctrl+W)
        action.setShortcuts(QKeySequence.keyBindings(keys))
    else:
        action.setShortcuts([keys if isinstance(keys, QKeySequence) else QKeySequence(keys)])


class PanelDock(QDockWidget):
    """A panel's dock. It joins its dock area of the window when it is first shown (View › Panels, ``show_panel``,
    ``show()``): adding it at the start would need the Qt namespace's enums (20 ms, see inspector.ui.app)."""

    def __init__(self, title: str, window: QMainWindow, area: Qt.DockWidgetArea | str) -> None:
        super().__init__(title, window)
        self._area: Qt.DockWidgetArea | str | None = area  # None once in the window's dock area

    def setVisible(self, visible: bool) -> None:  # Override QWidget.setVisible (show(), hide(), the toggle action)
        if visible and self._area is not None:
            self.dock_in()
        super().setVisible(visible)

    def dock_in(self) -> None:
        """Add the dock to its area of the window now (still hidden if it was)."""
        if self._area is None:
            return
        from PySide6.QtCore import Qt

        area, self._area = self._area, None
        if isinstance(area, str):
            area = getattr(Qt.DockWidgetArea, f"{area.capitalize()}DockWidgetArea")
        window = self.parentWidget()
        assert isinstance(window, QMainWindow)
        # Docks of one area share it as tabs: side by side, three panels would crush the document at 1280x800.
        neighbours = [
            d
            for d in window.findChildren(PanelDock)
            if d is not self and d._area is None and not d.isFloating() and window.dockWidgetArea(d) == area
        ]
        window.addDockWidget(area, self)
        if neighbours:
            window.tabifyDockWidget(neighbours[0], self)
        # A new dock takes a share of the window, not what its contents would like (the document keeps the most).
        vertical = area in (Qt.DockWidgetArea.TopDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea)
        if vertical:
            window.resizeDocks([self], [int(window.height() * DOCK_SHARE)], Qt.Orientation.Vertical)
        else:
            window.resizeDocks([self], [int(window.width() * DOCK_SHARE)], Qt.Orientation.Horizontal)


class LoadingPage(QWidget):
    """A tab while a file loads: a busy bar and a Cancel button."""

    cancelled = Signal()
    #: (bytes parsed, bytes in all), emitted by the loading worker (queued to this page's thread).
    progressed = Signal(object, object)

    def __init__(self, path: str, parent: QWidget | None = None) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout

        super().__init__(parent)
        self.setObjectName("loadingPage")
        self.path = path
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setObjectName("loadingProgress")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelLoading")
        self.cancel_button.clicked.connect(self.cancelled.emit)
        label = QLabel(f"Opening <b>{Path(path).name}</b>…")
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(row)
        layout.addStretch(2)
        self.task: Task | None = None
        self.progressed.connect(self.set_progress)

    def report_progress(self, done: int, total: int) -> None:
        """Called on the loading worker: queued to :meth:`set_progress` (nothing once the tab is gone)."""
        try:
            self.progressed.emit(done, total)
        except RuntimeError:  # the page was deleted (the tab closed while loading)
            pass

    def set_progress(self, done: int, total: int) -> None:
        """A determinate bar once the parser reports (per mille: a file above 2 GB overflows an int range)."""
        if total <= 0:
            return
        if self.progress.maximum() != 1000:
            self.progress.setRange(0, 1000)
            self.progress.setFormat("%p% parsed")
        self.progress.setValue(min(1000, done * 1000 // total))


class ErrorPage(QWidget):
    """A tab for a file that could not be opened: what and why, in words."""

    def __init__(self, title: str, message: str, parent: QWidget | None = None) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QVBoxLayout

        super().__init__(parent)
        self.setObjectName("errorPage")
        self.message = message
        heading = QLabel(f"<h3>Cannot open {title}</h3>")
        text = QLabel(message)
        text.setObjectName("errorMessage")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addStretch(3)


class MainWindow(QMainWindow):
    """The Crash Inspector window.

    Signals:
        current_document_changed(object): the OpenDocument of the current tab, or None.
        document_opened(object): an OpenDocument finished loading and has a tab.
        open_failed(str, str): a path (or "clipboard") could not be opened, and why.
    """

    current_document_changed = Signal(object)
    document_opened = Signal(object)
    open_failed = Signal(str, str)
    settings_changed = Signal()

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
        self._build_menus()
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

    # ------------------------------------------------------------------ menus

    def _build_menus(self) -> None:
        file_menu = self.menu("&File")
        self._action(file_menu, "&New…", self.new_document, QKeySequence.StandardKey.New, "newAction")
        self._action(file_menu, "&Open…", self.open_dialog, QKeySequence.StandardKey.Open, "openAction")
        self._action(
            file_menu, "Open from &Clipboard", self.open_clipboard, QKeySequence("Ctrl+Shift+V"), "openClipboard"
        )
        self.samples_menu = file_menu.addMenu("Open &Sample")
        self.samples_menu.setObjectName("samplesMenu")
        for sample in sample_paths():
            self.samples_menu.addAction(sample.name, lambda p=sample: self.open_paths([str(p)]))
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.setEnabled(False)  # filled when the File menu first opens: the start reads no config file
        file_menu.aboutToShow.connect(lambda: None if self._recent is not None else self._fill_recent_menu())
        file_menu.aboutToShow.connect(self.arrange_file_menu)
        self._action(file_menu, "&Close Tab", self.close_current_tab, QKeySequence.StandardKey.Close, "closeTab")
        self._action(file_menu, "Close &All Tabs", self.close_all_tabs, QKeySequence("Ctrl+Shift+W"), "closeAllTabs")
        self._action(file_menu, "&Quit", self.request_quit, QKeySequence.StandardKey.Quit, "quitAction")

        edit_menu = self.menu("&Edit")
        self._action(edit_menu, "&Find…", self.find_or_filter, QKeySequence.StandardKey.Find, "findAction")
        replace_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Replace) or [QKeySequence("Ctrl+H")]
        replace = self._action(edit_menu, "&Replace…", self.find_and_replace, None, "replaceAction")
        replace.setShortcuts(replace_keys)
        edit_menu.addSeparator()
        self._action(edit_menu, "&Edit This File", lambda: self.allow_editing(True), None, "editInPlaceAction")
        self._action(edit_menu, "Edit a &Copy", lambda: self.allow_editing(False), None, "editCopyAction")
        edit_menu.addSeparator()
        self._action(
            edit_menu, "&Preferences…", self.show_preferences, QKeySequence.StandardKey.Preferences, "preferencesAction"
        ).setMenuRole(QAction.MenuRole.PreferencesRole)
        for name, fallback in (("preferencesAction", "Ctrl+,"), ("quitAction", "Ctrl+Q")):
            action = self.findChild(QAction, name)  # platforms without a standard binding for it get the usual one
            if action is not None and not action.shortcuts():
                set_shortcut(action, QKeySequence(fallback))

        view_menu = self.menu("&View")
        self._action(view_menu, "Next Tab", lambda: self._cycle(1), QKeySequence("Ctrl+Tab"))
        self._action(
            view_menu,
            "Previous Tab",
            lambda: self._cycle(-1),
            QKeySequence("Ctrl+Shift+Tab"),
        )
        view_menu.addSeparator()
        for number, name in enumerate(VIEW_NAMES, start=1):
            self._action(view_menu, name.capitalize(), lambda n=name: self.show_view(n), QKeySequence(f"Alt+{number}"))
        view_menu.addSeparator()
        self._panels_menu = view_menu.addMenu("&Panels")
        self.menu("&Tools")
        help_menu = self.menu("&Help")
        self._action(
            help_menu, "Crash Inspector &Help", self.show_help, QKeySequence.StandardKey.HelpContents, "helpAction"
        )
        self._action(help_menu, "&Keyboard Shortcuts", lambda: self.show_help("shortcuts"), None, "shortcutsAction")
        self._action(help_menu, "Files and &Log", lambda: self.show_help("files"), None, "filesAction")
        help_menu.addSeparator()
        self._action(help_menu, "&About Crash Inspector", self._about, None, "aboutAction").setMenuRole(
            QAction.MenuRole.AboutRole
        )
        self.arrange_file_menu()

    #: The File menu's groups, top to bottom, by action objectName or menu title (other actions: the "more" group,
    #: above Close and Quit). Panels add File actions anywhere; :meth:`arrange_file_menu` sorts them into place.
    FILE_GROUPS = (
        ("newMenu", "newAction"),
        ("openAction", "openClipboard", "samplesMenu", "recentMenu"),
        ("saveAction", "saveAsAction", "duplicateAction", "restoreDraftsAction"),
        (),  # everything else: Export, Upload symbols...
        ("closeTab", "closeAllTabs"),
        ("quitAction",),
    )

    def arrange_file_menu(self) -> None:
        """Group the File menu (new | open | save | export and more | close | quit) with separators between groups."""
        menu = self.menu("&File")
        actions = [a for a in menu.actions() if not a.isSeparator()]
        groups: list[list[QAction]] = [[] for _ in self.FILE_GROUPS]
        more = self.FILE_GROUPS.index(())
        for action in actions:
            name = self._menu_name(action)
            slot = next((i for i, names in enumerate(self.FILE_GROUPS) if name in names), more)
            groups[slot].append(action)
        for group, names in zip(groups, self.FILE_GROUPS, strict=True):
            group.sort(key=lambda a: names.index(n) if (n := self._menu_name(a)) in names else len(names))
        ordered = list(menu.actions())
        wanted: list[QAction | None] = []
        for group in groups:
            if group:
                if wanted:
                    wanted.append(None)
                wanted.extend(group)
        current = [None if a.isSeparator() else a for a in ordered]
        if current == wanted:
            return
        for action in ordered:
            menu.removeAction(action)
            if action.isSeparator():
                action.deleteLater()
        for entry in wanted:
            if entry is None:
                menu.addSeparator()
            else:
                menu.addAction(entry)

    @staticmethod
    def _menu_name(action: QAction) -> str:
        """The action's objectName, or its submenu's (a New menu without a name counts as "newMenu")."""
        from PySide6.QtWidgets import QMenu

        sub = action.menu()
        if isinstance(sub, QMenu):
            return sub.objectName() or ("newMenu" if sub.title().replace("&", "") == "New" else "")
        return action.objectName()

    def _action(
        self,
        menu: QMenu,
        text: str,
        slot,
        shortcut: QKeySequence | QKeySequence.StandardKey | None = None,
        name: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            set_shortcut(action, shortcut)
        if name:
            action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.recent:
            self.recent_menu.addAction(path, lambda p=path: self.open_paths([p]))
        self.recent_menu.setEnabled(bool(self.recent))

    def _remember(self, path: str) -> None:
        resolved = str(Path(path).resolve())
        self.recent = [resolved] + [p for p in self.recent if p != resolved]
        self.recent = self.recent[:MAX_RECENT]
        save_recent(self.recent)
        self._fill_recent_menu()

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

    def focused_editor(self) -> QWidget | None:
        """The raw editor (a widget with a find bar: ``show_find``) that holds the keyboard focus, if one does."""
        widget = QApplication.focusWidget()
        while widget is not None and widget is not self:
            if callable(getattr(widget, "show_find", None)):
                return widget
            widget = widget.parentWidget()
        return None

    def find_or_filter(self) -> None:
        """Edit › Find (Ctrl+F): the raw editor's find bar when the editor has the focus, the filter elsewhere."""
        editor = self.focused_editor()
        if editor is not None:
            editor.show_find()  # type: ignore[attr-defined]
        else:
            self.focus_filter()

    def find_and_replace(self) -> None:
        """Edit › Replace (Ctrl+H; Cmd+Option+F on macOS): the raw editor's find bar with "Replace with" focused.
        From elsewhere it shows the current document's raw view first."""
        editor = self.focused_editor()
        view = self.current_view()
        if editor is None and view is not None and callable(getattr(view.raw_view, "show_find", None)):
            view.show_view("raw")
            editor = view.raw_view
        if editor is None:
            self.status_message("Replace works in the raw editor (File › New, or Edit on an open document)")
            return
        editor.show_find()  # type: ignore[attr-defined]
        bar = getattr(editor, "find_bar", None)
        if bar is not None:
            bar.replace_edit.setFocus()
            bar.replace_edit.selectAll()

    def new_document(self) -> None:
        """File › New… (Ctrl+N): the New menu's templates as a pop-up list under the menu bar (arrows, Enter)."""
        from PySide6.QtWidgets import QMenu

        menu = self.findChild(QMenu, "newMenu")
        if menu is None or not menu.actions():
            self.status_message("No templates installed")
            return
        menu.popup(self.mapToGlobal(self.menuBar().geometry().bottomLeft()))
        menu.setActiveAction(menu.actions()[0])

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

    def show_preferences(self) -> None:
        from inspector.ui.window.preferences import PreferencesDialog

        dialog = self.findChild(PreferencesDialog)
        if dialog is None:
            dialog = PreferencesDialog(self)
            dialog.applied.connect(self._settings_applied)
        dialog.reload()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _settings_applied(self) -> None:
        from inspector.ui.window.preferences import apply_theme

        apply_theme(self.settings.theme)
        self.settings_changed.emit()
        self.status_message(f"Preferences saved to {settings.settings_path()}")

    def show_help(self, page: str = "guide") -> None:
        """Help (F1): the README's sections, the keyboard shortcuts, where files and the log are; ``page`` first."""
        from inspector.ui.window.help import HelpWindow

        window = self.findChild(HelpWindow)
        if window is None:
            window = HelpWindow(self)
        window.show_page(page)
        window.show()
        window.raise_()
        window.activateWindow()

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
        if not self.tabs.count():
            self.stack.setCurrentWidget(self.welcome)
            self.current_document_changed.emit(None)
        return True

    def _cycle(self, step: int) -> None:
        if self.tabs.count():
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from inspector.ui.window.help import about_html

        QMessageBox.about(self, "About Crash Inspector", about_html())

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
            on_result=lambda doc, p=page: self._loaded(p, doc),
            on_error=lambda exc, p=page: self._load_failed(p, exc),
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
        self._remember(page.path)
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
