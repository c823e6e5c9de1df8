"""Upload symbols / source maps (issue 16): pick files, folders or an archive, a Backtrace profile and tags;
the archive is built and sent on the worker pool with a progress bar and cancel; the answer (``_rxid``) explained.

The work is :func:`inspector.net.uploads.upload` (the CLI's too). Its callbacks reach the dialog through the
queued signals of :class:`_Bridge`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from inspector.formats.base import InspectorError
from inspector.net.profiles import Profile, ProfileStore
from inspector.net.uploads import BACKTRACE_KINDS, UPLOAD_KINDS, UploadResult, upload
from inspector.ui.panels.profile_task_dialog import ProfileTaskDialog
from inspector.ui.panels.send.request import confirm_plain_http
from inspector.ui.workers import CancelToken, run_task


class _Bridge(QObject):
    """Carries the upload's callbacks (worker thread) to the dialog (GUI thread)."""

    packing = Signal(object, object)  # done, total (bytes packed)
    sending = Signal(object, object)  # sent, total (bytes of the body)


def _upload_job(
    paths: list[Path],
    profile: Profile,
    kind: str,
    tags: list[str],
    archive_format: str,
    bridge: _Bridge,
    cancel: CancelToken,
) -> UploadResult:
    """Runs on the worker pool: the keyring lookup, the packing and the upload."""
    options = profile.options()
    options.max_attempts = 1
    options.timeout = max(options.timeout, 300.0)  # seconds without progress, not for the whole upload
    return upload(
        paths,
        profile.target(),
        kind,
        tags=tags,
        archive_format=archive_format,
        options=options,
        packing=bridge.packing.emit,
        progress=bridge.sending.emit,
        cancel=cancel,
    )


def _size(count: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024  # type: ignore[assignment]
    return str(count)


class UploadDialog(ProfileTaskDialog):
    """Files / folders / an archive → ``upload_file``; tags → ``tag`` fields; one Backtrace profile."""

    finished_upload = Signal(object)  # UploadResult, or None when it failed before an answer

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        store: ProfileStore | None = None,
        paths: list[Path] | None = None,
        kind: str = "symbols",
    ) -> None:
        super().__init__(parent, store)
        self.setWindowTitle("Upload Symbols / Source Maps")
        self.setObjectName("uploadDialog")
        self.setAcceptDrops(True)
        self.upload_result: UploadResult | None = None
        self._cancel: CancelToken | None = None
        self._bridge: _Bridge | None = None
        self._build()
        self.symbols_radio.setChecked(kind == "symbols")
        self.sourcemap_radio.setChecked(kind == "sourcemap")
        for path in paths or []:
            self.add_path(path)
        self.reload_profiles()
        self._idle()

    @classmethod
    def launch(cls, parent: QWidget | None = None, **kwargs: object) -> UploadDialog:
        """Show the dialog (not modal: a multi-GB upload takes a while) and return it."""
        dialog = cls(parent, **kwargs)  # type: ignore[arg-type]
        dialog.show_sized(parent, 720, 520)
        return dialog

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        form = QFormLayout()
        self.symbols_radio = QRadioButton("Symbols (debug files and binaries)")
        self.sourcemap_radio = QRadioButton("JavaScript source maps")
        kinds = QButtonGroup(self)
        kinds.addButton(self.symbols_radio)
        kinds.addButton(self.sourcemap_radio)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.symbols_radio)
        kind_row.addWidget(self.sourcemap_radio)
        kind_row.addStretch(1)
        form.addRow("Upload", kind_row)

        self.paths_list = QListWidget()
        self.paths_list.setObjectName("uploadPaths")
        self.paths_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.add_files_button = QPushButton("Add Files…")
        self.add_files_button.clicked.connect(self._browse_files)
        self.add_folder_button = QPushButton("Add Folder…")
        self.add_folder_button.clicked.connect(self._browse_folder)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        side = QVBoxLayout()
        side.addWidget(self.add_files_button)
        side.addWidget(self.add_folder_button)
        side.addWidget(self.remove_button)
        side.addStretch(1)
        paths_row = QHBoxLayout()
        paths_row.addWidget(self.paths_list, 1)
        paths_row.addLayout(side)
        form.addRow("Files", paths_row)

        self.archive_combo = QComboBox()
        self.archive_combo.addItem("zip", "zip")
        self.archive_combo.addItem("tar.gz", "tar.gz")
        archive_row = QHBoxLayout()
        archive_row.addWidget(self.archive_combo)
        hint = QLabel("files and folders are packed into one; an archive (or a single .map) is sent as it is")
        hint.setWordWrap(True)
        archive_row.addWidget(hint, 1)
        form.addRow("Pack as", archive_row)

        self.tags_edit = QLineEdit()
        self.tags_edit.setObjectName("uploadTags")
        self.tags_edit.setPlaceholderText("e.g. 2.4.1, release  (each becomes a tag field)")
        form.addRow("Tags", self.tags_edit)

        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("uploadProfile")
        form.addRow("To profile", self.profile_combo)

        self.progress = QProgressBar()
        self.progress.setObjectName("uploadProgress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status_label = QLabel()
        self.status_label.setObjectName("uploadStatus")
        self.status_label.setWordWrap(True)
        self.result_label = QLabel()
        self.result_label.setObjectName("uploadResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.upload_button = QPushButton("Upload")
        self.upload_button.setObjectName("uploadStart")
        self.upload_button.setDefault(True)
        self.upload_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("uploadCancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.upload_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.result_label)
        layout.addLayout(buttons)

    # -- drop files and folders from the file manager on the dialog --------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Override QWidget.dragEnterEvent
        if not self.running and any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # Override QWidget.dropEvent
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.add_path(Path(url.toLocalFile()))
        event.acceptProposedAction()

    def _browse_files(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(self, "Files to upload")
        for name in names:
            self.add_path(Path(name))

    def _browse_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder to upload")
        if folder:
            self.add_path(Path(folder))

    def add_path(self, path: Path) -> None:
        if str(path) not in self.paths():
            self.paths_list.addItem(str(path))

    def remove_selected(self) -> None:
        for item in self.paths_list.selectedItems():
            self.paths_list.takeItem(self.paths_list.row(item))

    def paths(self) -> list[str]:
        return [self.paths_list.item(i).text() for i in range(self.paths_list.count())]

    # ------------------------------------------------------------------ settings

    def kind(self) -> str:
        return "sourcemap" if self.sourcemap_radio.isChecked() else "symbols"

    def tags(self) -> list[str]:
        return [t.strip() for t in self.tags_edit.text().split(",") if t.strip()]

    # ------------------------------------------------------------------ running

    def start(self) -> bool:
        """Start the upload on the worker pool. False when nothing was started (no files, no Backtrace profile)."""
        if self.running:
            return False
        try:
            paths = [Path(p) for p in self.paths()]
            if not paths:
                raise InspectorError("add the files, a folder or an archive to upload")
            profile = self.selected_profile()
            if profile is None:
                raise InspectorError("add a Backtrace endpoint profile first (Tools ▸ Endpoint Profiles…)")
            if profile.kind not in BACKTRACE_KINDS:
                raise InspectorError(
                    f"the profile {profile.name!r} is not a Backtrace endpoint; uploads go to Backtrace"
                )
        except InspectorError as exc:
            self.status_label.setText(str(exc))
            return False
        if not confirm_plain_http(self, profile, "token"):
            self.status_label.setText("Not started.")
            return False
        self.upload_result = None
        self.result_label.clear()
        self.progress.setRange(0, 0)  # busy until the first progress report
        self._cancel = CancelToken()
        self._bridge = bridge = _Bridge()  # not a child of the dialog: it outlives a closed dialog's task
        bridge.packing.connect(self._on_packing)
        bridge.sending.connect(self._on_sending)
        self.status_label.setText("Preparing…")
        self._task = run_task(
            _upload_job,
            paths,
            profile,
            self.kind(),
            self.tags(),
            self.archive_combo.currentData(),
            bridge,
            self._cancel,
            on_result=self._on_finished,
            on_error=self._on_error,
        )
        self._busy()
        return True

    def cancel(self) -> None:
        if self._cancel is None or not self.running:
            return
        self._cancel.cancel()
        self.cancel_button.setEnabled(False)
        self.status_label.setText("Cancelling…")

    def _set_busy(self, busy: bool) -> None:
        """While an upload runs only Cancel is enabled."""
        for widget in (
            self.upload_button,
            self.symbols_radio,
            self.sourcemap_radio,
            self.paths_list,
            self.add_files_button,
            self.add_folder_button,
            self.remove_button,
            self.archive_combo,
            self.tags_edit,
            self.profile_combo,
        ):
            widget.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)

    # ------------------------------------------------------------------ callbacks (GUI thread)

    def _on_packing(self, done: int, total: int) -> None:
        self._show_progress(done, total)
        self.status_label.setText(f"Packing {_size(done)} of {_size(total)} into a {self.archive_combo.currentText()}…")

    def _on_sending(self, sent: int, total: int) -> None:
        self._show_progress(sent, total)
        self.status_label.setText(f"Uploading {_size(sent)} of {_size(total)}…")

    def _show_progress(self, done: int, total: int) -> None:
        scale = max(1, total // 1_000_000_000 + 1) if total > 2**31 - 1 else 1  # QProgressBar holds an int
        self.progress.setRange(0, max(1, total // scale))
        self.progress.setValue(min(done, total) // scale)

    def _on_finished(self, result: UploadResult) -> None:
        self._task = None
        self.upload_result = result
        self._idle()
        exchange = result.exchange
        if exchange.status is not None:
            self.status_label.setText(f"HTTP {exchange.status} after {exchange.elapsed:.1f} s")
        else:
            self.status_label.setText("No answer.")
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
        what = "built" if result.upload.built else "sent as it is"
        lines = [f"<b>{_escape(exchange.request.mask(exchange.summary))}</b>"]
        lines += [_escape(exchange.request.mask(line)) for line in exchange.details]
        lines.append(f"upload_file: {_escape(result.upload.filename)} ({_size(result.upload.size)}, {what})")
        self.result_label.setText("<br>".join(lines))
        self.finished_upload.emit(result)

    def _on_error(self, exc: BaseException) -> None:
        self._task = None
        self._idle()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        message = str(exc) if isinstance(exc, InspectorError) else f"The upload stopped unexpectedly: {exc}"
        self.status_label.setText(message)
        self.finished_upload.emit(None)

    def closeEvent(self, event: QCloseEvent) -> None:  # Override QWidget.closeEvent
        if self._cancel is not None:
            self._cancel.cancel()  # the worker stops at the next chunk
        super().closeEvent(event)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["UPLOAD_KINDS", "UploadDialog"]
