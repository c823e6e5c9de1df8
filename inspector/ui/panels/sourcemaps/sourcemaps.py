"""The source-map folders of the window (issue 16): minified JavaScript frames of every open document are shown
at their original file, line and function, with ``sourcesContent`` in the source pane.

The folders are the settings' ``sourcemap_paths`` (:mod:`inspector.settings`), plus ``CRASH_INSPECTOR_SOURCEMAPS``
(paths separated by ``os.pathsep``). One :class:`SourceMapStore` serves every document, so each map is decoded
once; the Tools ▸ Source Maps… dialog decodes the maps on the worker pool before the views ask for frames.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.formats.sourcemap_frames import SourceMapStore, map_reports, preload
from inspector.report import Report

ENV = "CRASH_INSPECTOR_SOURCEMAPS"
_store: SourceMapStore | None = None
_loaded = False


def saved_folders() -> list[str]:
    from inspector.settings import load_settings

    return list(load_settings().sourcemap_paths)


def save_folders(folders: list[str]) -> None:
    """Keep the folders in the settings file; a read-only home only costs their being remembered."""
    from inspector.settings import load_settings, save_settings

    settings = load_settings()
    settings.sourcemap_paths = list(folders)
    try:
        save_settings(settings)
    except OSError:
        pass


def folders() -> list[str]:
    """The folders in force: the saved ones, then the environment's."""
    saved = saved_folders()
    extra = [p for p in os.environ.get(ENV, "").split(os.pathsep) if p.strip()]
    return saved + [p for p in extra if p not in saved]


def current_store() -> SourceMapStore | None:
    global _store, _loaded
    if not _loaded:
        _loaded = True
        paths = folders()
        _store = SourceMapStore(paths) if paths else None
    return _store


def set_store(store: SourceMapStore | None) -> None:
    global _store, _loaded
    _store, _loaded = store, True


def source_mapped(reports: list[Report]) -> list[Report]:
    """The hook of :class:`~inspector.ui.document.open_document.OpenDocument`: reports, mapped if folders are set."""
    store = current_store()
    if not store:
        return reports
    preload(reports, store, limit=2000)  # maps are decoded once per session; later calls find them cached
    return map_reports(reports, store)


def prepare_store(paths: list[str], reports: list[list[Report]]) -> SourceMapStore:
    """Worker: a store for ``paths`` with the maps the open documents need already decoded."""
    store = SourceMapStore(paths)
    for doc_reports in reports:
        preload(doc_reports, store)
    return store


class SourceMapsDialog(QDialog):
    """Choose the folders (or .map / minified files) that source maps are read from."""

    def __init__(self, parent: QWidget | None = None, paths: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Source Maps")
        self.setObjectName("sourceMapsDialog")
        self.list = QListWidget()
        self.list.setObjectName("sourceMapFolders")
        for path in paths if paths is not None else saved_folders():
            self.list.addItem(path)
        add_folder = QPushButton("Add Folder…")
        add_folder.clicked.connect(self._add_folder)
        add_files = QPushButton("Add Files…")
        add_files.clicked.connect(self._add_files)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        side = QVBoxLayout()
        for button in (add_folder, add_files, self.remove_button):
            side.addWidget(button)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(side)
        text = QLabel(
            "Minified JavaScript frames (Rollbar, Backtrace) are mapped through the source maps found here: the "
            "minified file's <code>//# sourceMappingURL=</code> comment (a file or an inline <code>data:</code> "
            "URL), else <code>&lt;file&gt;.map</code>. Frames then show the original file, line and function."
        )
        text.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(row, 1)
        layout.addWidget(buttons)

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of source maps and minified files")
        if folder:
            self.add_path(folder)

    def _add_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Source maps or minified files", "", "JavaScript (*.map *.js)")
        for name in names:
            self.add_path(name)

    def add_path(self, path: str) -> None:
        if path not in self.paths():
            self.list.addItem(path)

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def paths(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]
