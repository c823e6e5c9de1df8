"""Opening a file in a tab: the loading worker (read, parse, derive the reports, validate: off the GUI thread), the
tab shown while it loads (a progress bar and Cancel) and the tab of a file that could not be opened."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QLabel, QWidget

from inspector.ui.lazy import OpenDocument, load_path  # imported on the loading worker, when the first file opens
from inspector.ui.workers import CancelToken, Task, keeping_objects


def load_document(
    path: str, cancel: CancelToken | None = None, progress: Callable[[int, int], None] | None = None
) -> OpenDocument:
    """Worker: read, parse, derive reports and validate; the document is handed to the GUI thread. ``progress``
    hears (bytes parsed, bytes in all) while a big document is parsed."""
    with keeping_objects():  # its reports are built here (~170 000 objects for 10 000 threads)
        return _load_document(path, cancel, progress)


def _load_document(path: str, cancel: CancelToken | None, progress: Callable[[int, int], None] | None) -> OpenDocument:
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
        self._latest = (0, 0)
        self._queued = False
        self._latest_lock = threading.Lock()
        self.progressed.connect(self._show_latest)

    def report_progress(self, done: int, total: int) -> None:
        """Called on the loading worker: queued to :meth:`set_progress` (nothing once the tab is gone).

        At most one call is queued at a time; it shows the latest figures. (Each queued call runs a slot on the GUI
        thread, which waits for the GIL the worker holds: the 330 reports of an 84 MB parse piled up and the window
        missed its turns for 100-160 ms.)"""
        with self._latest_lock:
            self._latest = (done, total)
            if self._queued:
                return
            self._queued = True
        try:
            self.progressed.emit(done, total)
        except RuntimeError:  # the page was deleted (the tab closed while loading)
            pass

    def _show_latest(self, _done: int, _total: int) -> None:
        with self._latest_lock:
            done, total = self._latest
            self._queued = False
        self.set_progress(done, total)

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
