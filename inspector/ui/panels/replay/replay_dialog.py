"""Replay a folder (issue 10): send every payload of a folder, or of the receiver's inbox, to a profile at a
bounded rate, with a progress bar, pause/resume/cancel, retries on 429/503 and ``send-results.jsonl`` next to it.

The loop is :func:`inspector.services.replay.replay` (the CLI's too); it runs on the worker pool, never on the GUI
thread. Its callbacks reach the dialog through queued signals of :class:`_Bridge`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.formats.base import InspectorError
from inspector.net.profiles import Profile, ProfileStore, kind_capabilities
from inspector.net.store import default_store_dir
from inspector.services.replay import (
    RESULTS_NAME,
    ItemResult,
    ReplayControl,
    ReplaySummary,
    folder_items,
    inbox_items,
)
from inspector.services.replay import replay as run_replay
from inspector.services.sending import Plan, send_path
from inspector.ui import style
from inspector.ui.panels.profile_task_dialog import ProfileTaskDialog
from inspector.ui.panels.send.request import confirm_plain_http
from inspector.ui.workers import run_task

#: Rate units of the dialog: label, seconds per unit (None: as fast as answers come).
UNITS: list[tuple[str, float | None]] = [("per minute", 60.0), ("per second", 1.0), ("unlimited", None)]

WAITING, SENDING, ACCEPTED, HTTP_ERROR, FAILED, BAD_INPUT, SKIPPED = (
    "waiting",
    "sending…",
    "accepted",
    "HTTP error",
    "failed",
    "bad input",
    "not sent",
)
STATUS_LEVEL = {ACCEPTED: "log", HTTP_ERROR: "error", FAILED: "error", BAD_INPUT: "warning", SENDING: "info"}


@dataclass(slots=True)
class Row:
    path: Path
    status: str = WAITING
    http: int | None = None
    attempts: int = 0
    summary: str = ""


class ReplayModel(QAbstractTableModel):
    """One row per item of the replay: file, status, HTTP status, attempts, summary."""

    HEADERS = ("#", "File", "Status", "HTTP", "Attempts", "Summary")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []

    # -- Qt ------------------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008  # Override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008  # Override
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                str(index.row() + 1),
                row.path.name,
                row.status,
                "" if row.http is None else str(row.http),
                str(row.attempts) if row.attempts else "",
                row.summary,
            )
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(row.path) if column == 1 else row.summary or None
        if role == Qt.ItemDataRole.ForegroundRole and column == 2 and row.status in STATUS_LEVEL:
            return style.level_colour(STATUS_LEVEL[row.status])
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    # -- updates -------------------------------------------------------------------------------------

    def set_items(self, paths: list[Path]) -> None:
        self.beginResetModel()
        self.rows = [Row(path) for path in paths]
        self.endResetModel()

    def _changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def mark_sending(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.rows[row].status = SENDING
            self._changed(row)

    def set_result(self, result: ItemResult) -> None:
        if not 0 <= result.index < len(self.rows):
            return
        row, line = self.rows[result.index], result.line
        if line.get("error") == "bad input":
            row.status = BAD_INPUT
        else:
            row.status = {0: ACCEPTED, 1: HTTP_ERROR}.get(result.code, FAILED)
        row.http = line.get("status")
        row.attempts = int(line.get("attempts") or 0)
        row.summary = str(line.get("summary") or "")
        self._changed(result.index)

    def mark_unsent(self) -> None:
        """After a cancel: the rows never sent (and the one whose send was cut short, if it had no result)."""
        for number, row in enumerate(self.rows):
            if row.status in (WAITING, SENDING):
                row.status = SKIPPED
                self._changed(number)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)


class _Bridge(QObject):
    """Carries the engine's callbacks (worker thread) to the dialog (GUI thread)."""

    listed = Signal(object)  # list[Path]
    started = Signal(int)
    item = Signal(object)  # ItemResult
    waiting = Signal(float, int, int)


def _replay_job(
    source: Path,
    inbox: bool,
    profile: Profile,
    max_attempts: int,
    rate: float | None,
    control: ReplayControl,
    bridge: _Bridge,
) -> ReplaySummary:
    """Runs on the worker pool: list the items, then replay them (the log next to them)."""
    items = inbox_items(source) if inbox else folder_items(source)
    bridge.listed.emit(items)
    options = profile.options()
    options.max_attempts = max(1, max_attempts)
    plan = Plan(profile, None, None, None, None, options, False)
    return run_replay(
        items,
        lambda path: send_path(path, plan, cancel=control, waiting=bridge.waiting.emit),
        rate=rate,
        log_path=source / RESULTS_NAME,
        control=control,
        on_start=lambda index, _path: bridge.started.emit(index),
        on_item=bridge.item.emit,
    )


class ReplayDialog(ProfileTaskDialog):
    """Pick a folder or the receiver inbox, a profile, a rate and retries; watch each item's result."""

    finished_replay = Signal(object)  # ReplaySummary

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        store: ProfileStore | None = None,
        folder: Path | None = None,
        inbox_dir: Path | None = None,
    ) -> None:
        super().__init__(parent, store)
        self.setWindowTitle("Replay a Folder")
        self.setObjectName("replayDialog")
        self.inbox_dir = Path(inbox_dir) if inbox_dir is not None else default_store_dir()
        self.control: ReplayControl | None = None
        self.summary: ReplaySummary | None = None
        self._bridge: _Bridge | None = None
        self._source: Path | None = None
        self.model = ReplayModel(self)
        self._build()
        if folder is not None:
            self.folder_edit.setText(str(folder))
        self.reload_profiles()
        self._idle()

    @classmethod
    def launch(
        cls,
        parent: QWidget | None = None,
        *,
        store: ProfileStore | None = None,
        folder: Path | None = None,
        inbox_dir: Path | None = None,
    ) -> ReplayDialog:
        """Show the dialog (not modal: a replay at 60/min takes a while) and return it."""
        dialog = cls(parent, store=store, folder=folder, inbox_dir=inbox_dir)
        dialog.show_sized(parent, 860, 560)
        return dialog

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        form = QFormLayout()
        self.folder_radio = QRadioButton("Folder:")
        self.inbox_radio = QRadioButton("Receiver inbox")
        self.folder_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.folder_radio)
        group.addButton(self.inbox_radio)
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText("a folder of payload files")
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_radio)
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        inbox_row = QHBoxLayout()
        inbox_row.addWidget(self.inbox_radio)
        inbox_label = QLabel(str(self.inbox_dir))
        inbox_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        inbox_row.addWidget(inbox_label, 1)
        form.addRow("Send", folder_row)
        form.addRow("", inbox_row)

        self.profile_combo = QComboBox()
        self.profile_combo.currentIndexChanged.connect(self._profile_changed)
        form.addRow("To profile", self.profile_combo)

        self.rate_spin = QSpinBox()
        self.rate_spin.setRange(1, 10000)
        self.unit_combo = QComboBox()
        for label, _seconds in UNITS:
            self.unit_combo.addItem(label)
        self.unit_combo.currentIndexChanged.connect(lambda: self.rate_spin.setEnabled(self.rate() is not None))
        self.retries_spin = QSpinBox()
        self.retries_spin.setRange(0, 10)
        self.retries_spin.setToolTip("Retries of an item the server answers with 429 or 503 (after its Retry-After)")
        rate_row = QHBoxLayout()
        rate_row.addWidget(self.rate_spin)
        rate_row.addWidget(self.unit_combo)
        rate_row.addSpacing(24)
        rate_row.addWidget(QLabel("Retries on 429/503:"))
        rate_row.addWidget(self.retries_spin)
        rate_row.addStretch(1)
        form.addRow("At most", rate_row)

        self.table = QTableView()
        self.table.setObjectName("replayTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        self.progress = QProgressBar()
        self.progress.setFormat("%v of %m")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("replaySummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.start_button = QPushButton("Start")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.pause_button = QPushButton("Pause")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.summary_label)
        layout.addLayout(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of payloads to replay", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)
            self.folder_radio.setChecked(True)

    # ------------------------------------------------------------------ settings

    def _profile_changed(self) -> None:
        """An API with a documented rate (App Center: 60 crashes a minute) starts at it; the others at 10/s."""
        profile = self.selected_profile()
        if profile is None:
            return
        per_minute = kind_capabilities(profile.kind).rate_limit_per_minute
        if per_minute is not None:
            self.set_rate(per_minute, "per minute")
        else:
            self.set_rate(10, "per second")
        self.retries_spin.setValue(max(0, profile.max_attempts - 1))

    def set_rate(self, count: int, unit: str) -> None:
        self.rate_spin.setValue(count)
        self.unit_combo.setCurrentIndex(next(i for i, (label, _s) in enumerate(UNITS) if label == unit))

    def rate(self) -> float | None:
        """Sends per second, None for unlimited."""
        seconds = UNITS[self.unit_combo.currentIndex()][1]
        return None if seconds is None else self.rate_spin.value() / seconds

    def source(self) -> tuple[Path, bool]:
        """(the folder, True when it is the receiver's inbox); raises InspectorError for a bad folder."""
        if self.inbox_radio.isChecked():
            return self.inbox_dir, True
        text = self.folder_edit.text().strip()
        if not text:
            raise InspectorError("choose a folder of payloads, or the receiver inbox")
        folder = Path(text).expanduser()
        if not folder.is_dir():
            raise InspectorError(f"{folder} is not a folder")
        return folder, False

    # ------------------------------------------------------------------ running

    def start(self) -> bool:
        """Start the replay on the worker pool. False when nothing was started (bad folder, no profile)."""
        if self.running:
            return False
        try:
            source, inbox = self.source()
            profile = self.selected_profile()
            if profile is None:
                raise InspectorError("add an endpoint profile first (Tools ▸ Endpoint Profiles…)")
        except InspectorError as exc:
            self.status_label.setText(str(exc))
            return False
        if not confirm_plain_http(self, profile, "secret"):
            self.status_label.setText("Not started.")
            return False
        self._source = source
        self.summary = None
        self.summary_label.clear()
        self.model.set_items([])
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.control = ReplayControl()
        self._bridge = bridge = _Bridge()  # not a child of the dialog: it outlives a closed dialog's task
        bridge.listed.connect(self._on_listed)
        bridge.started.connect(self._on_started)
        bridge.item.connect(self._on_item)
        bridge.waiting.connect(self._on_waiting)
        self.status_label.setText(f"Listing {'the receiver inbox' if inbox else source}…")
        self._task = run_task(
            _replay_job,
            source,
            inbox,
            profile,
            self.retries_spin.value() + 1,
            self.rate(),
            self.control,
            bridge,
            on_result=self._on_finished,
            on_error=self._on_error,
        )
        self._busy()
        return True

    def toggle_pause(self) -> None:
        if self.control is None or not self.running:
            return
        if self.control.paused:
            self.control.resume()
            self.pause_button.setText("Pause")
            self.status_label.setText("Resumed.")
        else:
            self.control.pause()
            self.pause_button.setText("Resume")
            self.status_label.setText("Paused: the item being sent finishes; no other is sent until you resume.")

    def pause(self) -> None:
        if self.control is not None and not self.control.paused:
            self.toggle_pause()

    def resume(self) -> None:
        if self.control is not None and self.control.paused:
            self.toggle_pause()

    def cancel(self) -> None:
        """Stop after (or during) the current item; the result log keeps the items sent so far."""
        if self.control is None or not self.running:
            return
        self.control.cancel()
        self.cancel_button.setEnabled(False)
        self.pause_button.setEnabled(False)
        self.status_label.setText("Cancelling…")

    def _set_busy(self, busy: bool) -> None:
        """While a replay runs only Pause and Cancel are enabled (the rate also needs a unit that has one)."""
        for widget in (
            self.start_button,
            self.folder_radio,
            self.inbox_radio,
            self.folder_edit,
            self.browse_button,
            self.profile_combo,
            self.unit_combo,
            self.retries_spin,
        ):
            widget.setEnabled(not busy)
        self.rate_spin.setEnabled(not busy and self.rate() is not None)
        self.pause_button.setText("Pause")
        self.pause_button.setEnabled(busy)
        self.cancel_button.setEnabled(busy)

    # ------------------------------------------------------------------ engine callbacks (GUI thread)

    def _on_listed(self, items: list[Path]) -> None:
        self.model.set_items(items)
        self.progress.setRange(0, max(1, len(items)))
        self.progress.setValue(0)
        if not items:
            self.status_label.setText("Nothing to send: no payload files there.")

    def _on_started(self, index: int) -> None:
        self.model.mark_sending(index)
        if self.control is not None and not self.control.paused:
            self.status_label.setText(f"Sending {index + 1} of {self.model.rowCount()}…")
        self.table.scrollTo(self.model.index(index, 0))

    def _on_item(self, result: ItemResult) -> None:
        self.model.set_result(result)
        self.progress.setValue(result.index + 1)

    def _on_waiting(self, left: float, attempt: int, max_attempts: int) -> None:
        if left > 0:
            self.status_label.setText(
                f"The server asks to wait: retrying in {int(left + 0.999)} s (attempt {attempt} of {max_attempts})"
            )

    def _on_finished(self, summary: ReplaySummary) -> None:
        self._task = None
        self.summary = summary
        if summary.cancelled:
            self.model.mark_unsent()
        self._idle()
        self.status_label.setText("Cancelled." if summary.cancelled else "Done.")
        text = summary.text() if summary.total else "Nothing sent: the folder has no payload files."
        if summary.total and summary.log_path is not None:
            text += f" in {summary.elapsed:.1f} s.\nLog: {summary.log_path}"
        self.summary_label.setText(text)
        self.finished_replay.emit(summary)

    def _on_error(self, exc: BaseException) -> None:
        self._task = None
        self._idle()
        self.model.mark_unsent()
        self.summary_label.setText(f"The replay stopped unexpectedly: {exc}")
        self.finished_replay.emit(None)

    def closeEvent(self, event: QCloseEvent) -> None:  # Override QWidget.closeEvent
        if self.control is not None:
            self.control.cancel()  # the worker stops at the next item or chunk
        super().closeEvent(event)


__all__ = ["ReplayDialog", "ReplayModel"]
