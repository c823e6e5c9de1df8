"""Installs the Tools menu action "Source Maps…" (issue 16): folders of JavaScript source maps for every document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inspector.ui.window.main_window import MainWindow
    from inspector.ui.workers import Task


def apply_paths(window: MainWindow, paths: list[str]) -> Task:
    """Save ``paths``, decode the maps the open documents need on the worker pool, then re-derive their reports.

    Returns the task (tests wait on it)."""
    from inspector.ui.panels.sourcemaps import sourcemaps
    from inspector.ui.workers import run_task

    sourcemaps.save_folders(paths)
    documents = [view.document for view in window.document_views()]
    raw = []
    for document in documents:  # the reports before mapping (a mapped report maps again harmlessly, but costs)
        from inspector.formats import get_format

        try:
            raw.append(list(get_format(document.submission.format).reports(document.submission)))
        except Exception:  # a document whose reports cannot be derived has nothing to map
            raw.append([])

    def done(store: Any) -> None:
        sourcemaps.set_store(store if paths else None)
        for document in documents:
            document.rederive()
        if not paths:
            window.status_message("Source maps off")
        elif store.problems:
            window.status_message(f"Source maps: {len(store.problems)} problem(s); the first: {store.problems[0]}")
        else:
            window.status_message(f"Source maps from {len(paths)} place(s)")

    return run_task(sourcemaps.prepare_store, sourcemaps.folders() if paths else [], raw, on_result=done)


def install(window: MainWindow) -> None:
    tasks: list[Task] = []  # the last one is kept while it runs (its signals belong to it)

    def show() -> None:
        from PySide6.QtWidgets import QDialog

        from inspector.ui.panels.sourcemaps.sourcemaps import SourceMapsDialog

        dialog = SourceMapsDialog(window)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                tasks[:] = [apply_paths(window, dialog.paths())]
        finally:
            dialog.deleteLater()

    action = window.menu("&Tools").addAction("&Source Maps…")
    action.setObjectName("sourceMapsAction")
    action.triggered.connect(show)
