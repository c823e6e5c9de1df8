"""Tools › Symbolicate…: walk and name a minidump's frames with Breakpad symbols, off the GUI thread.

The symbol paths are the Preferences' (``symbol_paths``), then ``CRASH_INSPECTOR_SYMBOLS``; with none, the user
picks a folder for this run. A progress dialog shows the module being looked up (and the bytes of a download);
Cancel stops between modules and between downloaded chunks. The document's reports are replaced by the
symbolicated ones (the payload itself is untouched), so every view re-reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

from inspector.ui.panels.symbolicate.symbolicator import Symbolicator, is_native

if TYPE_CHECKING:
    from inspector.ui.window.main_window import MainWindow

ACTION_NAME = "symbolicateAction"


def install(window: MainWindow) -> None:
    symbolicator = Symbolicator(window)
    action = QAction("S&ymbolicate…", window)
    action.setObjectName(ACTION_NAME)
    action.setShortcut(QKeySequence("Ctrl+Shift+Y"))
    action.setStatusTip("Walk and name the minidump's frames with Breakpad symbols (paths from Preferences)")
    action.triggered.connect(lambda _checked=False: symbolicator.start())
    window.menu("&Tools").addAction(action)

    def update(*_args: object) -> None:
        action.setEnabled(is_native(window.current_document()))

    window.tabs.currentChanged.connect(update)
    window.hooks.document_opened.append(update)
    window.menu("&Tools").aboutToShow.connect(update)
    update()
