"""Symbolicating the current document off the GUI thread: where the symbols are looked for, the worker job and the
controller behind Tools › Symbolicate (one per window, its child object)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QProgressDialog

if TYPE_CHECKING:
    from inspector.ui.window.main_window import MainWindow


class _Relay(QObject):
    """Carries progress text from the worker to the GUI thread (queued signal)."""

    text = Signal(str)


def configured_sources() -> list[str]:
    """Preferences' symbol paths, then the environment's."""
    from inspector.native.store import env_sources
    from inspector.ui.window.preferences import current_settings

    paths = list(getattr(current_settings(), "symbol_paths", []) or [])
    return paths + [p for p in env_sources() if p not in paths]


def is_native(document: Any) -> bool:
    """A binary minidump, or a report whose binary images carry debug ids (Apple reports), is open. Checked by
    name: the start must not import the format modules."""
    submission = getattr(document, "submission", None)
    if submission is None:
        return False
    if type(getattr(submission, "native", None)).__name__ == "Minidump":
        return True
    reports = getattr(document, "reports", None) or []
    return any(b.debug_id and b.start is not None for r in reports[:1] for b in list(r.binaries)[:2000])


def _job(
    submission: Any, reports: list[Any], sources: list[str], progress: Any, cancel: Any
) -> tuple[list[Any], list[str], list[str]]:
    """(reports, "debug file id" of modules still without symbols, errors) — runs on the pool."""
    from inspector.native.store import Cancelled
    from inspector.services.symbolication import symbolicate

    def step(p: Any) -> None:
        size = f" ({p.done:,} of {p.total:,} bytes)" if p.total else (f" ({p.done:,} bytes)" if p.done else "")
        progress.emit(f"Fetching {p.what}{size}")

    def looking_up(module: Any) -> None:
        progress.emit(f"Looking for symbols of {getattr(module, 'debug_file', None) or module.name}")

    try:
        done = symbolicate(
            submission,
            sources,
            reports=reports,
            progress=step,
            cancelled=lambda: cancel.cancelled,
            looking_up=looking_up,
        )
    except Cancelled:
        cancel.check()
        raise
    return done.reports, done.missing, done.errors


def symbolicate_now(window: Any, sources: list[str]) -> bool:
    """Symbolicate the current document on this thread (the headless ``shot`` command; never the live window)."""
    from inspector.native.store import env_sources
    from inspector.services.symbolication import symbolicate

    document = window.current_document()
    if not is_native(document):
        return False
    given = [*sources, *env_sources()]
    document.reports = symbolicate(document.submission, given, reports=list(document.reports)).reports
    document.changed.emit()
    return True


class Symbolicator(QObject):
    """Runs one symbolication at a time for a window (its child: :func:`symbolicator_of`)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.task: Any = None
        self.dialog: QProgressDialog | None = None
        self.last_result: tuple[int, int] | None = None

    def start(self, sources: list[str] | None = None) -> bool:
        from inspector.ui.workers import run_task

        window = self.window
        document = window.current_document()
        if document is None or not is_native(document):
            window.status_message("Symbolicate works on minidumps and reports with binary images (Apple)")
            return False
        if self.task is not None:
            return False
        sources = sources if sources is not None else configured_sources()
        if not sources:
            folder = QFileDialog.getExistingDirectory(
                window, "Symbol store folder (<debug file>/<id>/<name>.sym); set paths in Preferences to skip this"
            )
            if not folder:
                return False
            sources = [folder]
        dialog = QProgressDialog("Walking the stacks…", "Cancel", 0, 0, window)
        dialog.setObjectName("symbolicateProgress")
        dialog.setWindowTitle("Symbolicate")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        self.dialog = dialog
        relay = _Relay(dialog)
        relay.text.connect(dialog.setLabelText)
        dialog.canceled.connect(self.cancel)
        task = run_task(
            _job,
            document.submission,
            list(document.reports),
            sources,
            relay.text,
            on_result=lambda r: self._done(document, r),
            on_error=self._failed,
            pass_token=True,
        )
        self.task = task
        return True

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None
            self.window.status_message("Symbolication cancelled")
        self._close()

    def _close(self) -> None:
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    def _done(self, document: Any, result: tuple[list[Any], list[str], list[str]]) -> None:
        self.task = None
        self._close()
        reports, missing, errors = result
        document.reports = reports
        document.changed.emit()
        named = sum(1 for r in reports for t in r.threads for f in t.frames if f.function)
        self.last_result = (named, len(missing))
        text = f"Symbolicated: {named} frames named"
        if missing:
            text += f"; no symbols for {len(missing)} modules (see Metadata › Symbols)"
        if errors:
            text += f"; {len(errors)} lookups failed: {errors[0]}"
        self.window.status_message(text, 15000)

    def _failed(self, exc: BaseException) -> None:
        self.task = None
        self._close()
        self.window.status_message(f"Symbolication failed: {type(exc).__name__}: {exc}", 15000)


def symbolicator_of(window: QObject) -> Symbolicator:
    """The window's symbolicator (its child object)."""
    found = window.findChild(Symbolicator)
    if found is None:
        raise LookupError("the symbolicate panel is not installed in this window")
    return found
