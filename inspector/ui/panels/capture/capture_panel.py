"""The Capture panel: run the local receiver, show ready-to-paste SDK snippets, and list what arrived.

The receiver runs on its own thread with its own asyncio loop (:class:`inspector.net.receiver.ReceiverThread`);
starting and stopping happen on short-lived helper threads too, and everything comes back to the GUI thread as
Qt signals of :class:`ReceiverBridge`. The inbox model (:mod:`.inbox_model`) is lazy: it exposes the newest captures
first and fetches older ones in batches as the view scrolls.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.net.snippets import Snippet, snippets
from inspector.net.store import CaptureRecord, CaptureStore
from inspector.ui.workers import run_task

if TYPE_CHECKING:
    from types import ModuleType

    from inspector.net.receiver import ReceiverConfig, ReceiverThread
from inspector.ui.panels.capture.inbox_model import CaptureModel, api_title


def _receiver() -> ModuleType:
    """The receiver module, imported on first use: it brings aiohttp (0.2 s of start-up otherwise)."""
    from inspector.net import receiver

    return receiver


def is_loopback(host: str) -> bool:
    return bool(_receiver().is_loopback(host))


def exposure_warning(host: str) -> str | None:
    return _receiver().exposure_warning(host)


def describe_capture(raw: bytes, record: CaptureRecord) -> None:
    _receiver().describe_capture(raw, record)


class ReceiverBridge(QObject):
    """Owns the receiver thread; reports back with queued signals (emitted on the receiver's threads)."""

    captured = Signal(object)  # CaptureRecord
    started = Signal(str)  # base URL
    failed = Signal(str)
    stopped = Signal()

    def __init__(self, store: CaptureStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.receiver_thread: ReceiverThread | None = None
        self._helper: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.receiver_thread is not None and self.receiver_thread.running

    def start(self, config: ReceiverConfig) -> None:
        receiver = _receiver().ReceiverThread(
            self.store, config, on_capture=self.captured.emit, on_pending=self.captured.emit
        )
        self.receiver_thread = receiver

        def run() -> None:
            try:
                receiver.start()
            except Exception as exc:  # bind errors (port in use, bad address) go to the panel
                self.receiver_thread = None
                self.failed.emit(getattr(exc, "strerror", None) or str(exc))
            else:
                self.started.emit(receiver.url)

        self._helper = threading.Thread(target=run, name="receiver-start", daemon=True)
        self._helper.start()

    def stop(self) -> None:
        receiver, self.receiver_thread = self.receiver_thread, None

        def run() -> None:
            if receiver is not None:
                receiver.stop()
            self.stopped.emit()

        self._helper = threading.Thread(target=run, name="receiver-stop", daemon=True)
        self._helper.start()

    def stop_and_wait(self, timeout: float = 30.0) -> None:
        """Blocking stop for application exit and tests (the in-flight requests are still finished)."""
        if self._helper is not None:
            self._helper.join(timeout)
        if self.receiver_thread is not None:
            self.receiver_thread.stop(timeout)
            self.receiver_thread = None


def resend_available() -> tuple[bool, str]:
    """Resending needs the send engineer's profiles and client modules."""
    missing = [m for m in ("inspector.net.profiles", "inspector.net.client") if importlib.util.find_spec(m) is None]
    if missing:
        return False, f"Resending needs {', '.join(missing)} (not installed in this build)"
    return True, "Send the selected capture again, to an endpoint profile"


def resend(raw: bytes, profile_name: str) -> Any:
    """Load a capture and send it with a profile through the one send pipeline, recorded in the history like every
    send (worker thread). Returns the pipeline's ``Sent`` (exchange and history id)."""
    from inspector.formats import load_bytes
    from inspector.net.profiles import ProfileStore
    from inspector.services.sending import prepare, send_prepared
    from inspector.ui.panels.history.store import shared_history

    sub = load_bytes(raw)
    profile = ProfileStore().get(profile_name)
    prepared = prepare(sub, profile.target(), label=profile.name, source="receiver capture")
    return send_prepared(prepared, options=profile.options(), history=shared_history())


OpenCapture = Callable[[CaptureRecord, bytes], None]


class CapturePanel(QWidget):
    """Start/stop, address, snippets and the live inbox. ``open_capture(record, raw)`` opens one in the inspector."""

    message = Signal(str)  # status-bar text
    recorded = Signal(int)  # a resend was recorded in the history: its id

    def __init__(
        self,
        store: CaptureStore | None = None,
        open_capture: OpenCapture | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store or CaptureStore(describe=describe_capture)
        self.open_capture = open_capture
        self.bridge = ReceiverBridge(self.store, self)
        self.model = CaptureModel(self)
        self._url: str | None = None
        self._build(host, port)
        self.bridge.captured.connect(self._captured)
        self.bridge.started.connect(self._started)
        self.bridge.failed.connect(self._failed)
        self.bridge.stopped.connect(self._stopped)
        self.reload()

    # -- layout ------------------------------------------------------------------------------------------

    def _build(self, host: str, port: int) -> None:
        self.host_edit = QLineEdit(host)
        self.host_edit.setObjectName("captureHost")
        self.host_edit.setToolTip("Address to listen on. 127.0.0.1 keeps the receiver private to this computer.")
        self.host_edit.setMaximumWidth(160)
        self.port_spin = QSpinBox()
        self.port_spin.setObjectName("capturePort")
        self.port_spin.setRange(0, 65535)
        self.port_spin.setValue(port)
        self.port_spin.setToolTip("0 picks a free port")
        self.strict_box = QCheckBox("Strict")
        self.strict_box.setToolTip("Reject invalid payloads the way the vendor would (Rollbar 422, Backtrace 400)")
        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("captureStart")
        self.start_button.clicked.connect(self.toggle)
        self.url_label = QLabel("stopped")
        self.url_label.setObjectName("captureUrl")
        self.url_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        for label, widget in (("Host", self.host_edit), ("Port", self.port_spin)):
            top.addWidget(QLabel(label))
            top.addWidget(widget)
        top.addWidget(self.strict_box)
        top.addWidget(self.start_button)
        top.addWidget(self.url_label, 1)

        self.banner = QLabel()
        self.banner.setObjectName("captureBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel { background: #c62828; color: white; padding: 4px; font-weight: bold; }")
        self.banner.hide()
        self.host_edit.textChanged.connect(self._update_banner)
        self.host_edit.textChanged.connect(lambda _text: self._fill_snippets())
        self.port_spin.valueChanged.connect(lambda _value: self._fill_snippets())

        self.table = QTableView()
        self.table.setObjectName("captureInbox")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(CaptureModel.COL_EXCEPTION, QHeaderView.ResizeMode.Stretch)
        widths = {
            CaptureModel.COL_API: 90,
            CaptureModel.COL_KIND: 110,
            CaptureModel.COL_TIME: 150,
            CaptureModel.COL_SIZE: 75,
            CaptureModel.COL_STATUS: 85,
        }
        for column, width in widths.items():  # fixed widths: ResizeToContents would read every lazy row
            header.resizeSection(column, width)
        self.table.activated.connect(lambda index: self.open_row(index.row()))
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.open_button = QPushButton("Open")
        self.open_button.clicked.connect(lambda: self.open_row(self.current_row()))
        self.resend_button = QToolButton()
        self.resend_button.setObjectName("captureResend")
        self.resend_button.setText("Resend to")
        self.resend_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.resend_menu = QMenu(self.resend_button)
        self.resend_menu.aboutToShow.connect(self._fill_resend_menu)
        self.resend_button.setMenu(self.resend_menu)
        self._resend_ok, reason = resend_available()
        self.resend_button.setToolTip(reason)
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(lambda: self.delete_row(self.current_row()))
        self.clear_button = QPushButton("Clear all")
        self.clear_button.clicked.connect(self.clear)
        self.count_label = QLabel()
        actions = QHBoxLayout()
        for button in (self.open_button, self.resend_button, self.delete_button, self.clear_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.count_label)
        inbox = QWidget()
        inbox_layout = QVBoxLayout(inbox)
        inbox_layout.setContentsMargins(0, 0, 0, 0)
        inbox_layout.addWidget(self.table, 1)
        inbox_layout.addLayout(actions)

        self.snippet_combo = QComboBox()
        self.snippet_combo.setObjectName("captureSnippetChoice")
        self.snippet_combo.currentIndexChanged.connect(self._show_snippet)
        self.snippet_text = QPlainTextEdit()
        self.snippet_text.setObjectName("captureSnippet")
        self.snippet_text.setReadOnly(True)
        self.snippet_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        self.snippet_text.setFont(mono)
        self.snippet_notes = QLabel()
        self.snippet_notes.setWordWrap(True)
        self.copy_button = QPushButton("Copy")
        self.copy_button.clicked.connect(self.copy_snippet)
        snippet_box = QWidget()
        snippet_layout = QVBoxLayout(snippet_box)
        snippet_layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.snippet_combo, 1)
        head.addWidget(self.copy_button)
        snippet_layout.addLayout(head)
        snippet_layout.addWidget(self.snippet_text, 1)
        snippet_layout.addWidget(self.snippet_notes)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(inbox)
        split.addWidget(snippet_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        self._update_banner()
        self._fill_snippets()
        self._selection_changed()

    # -- receiver ----------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._url is not None

    def config(self) -> ReceiverConfig:
        return _receiver().ReceiverConfig(
            host=self.host_edit.text().strip() or "127.0.0.1",
            port=self.port_spin.value(),
            strict=self.strict_box.isChecked(),
        )

    def toggle(self) -> None:
        if self.bridge.receiver_thread is not None:
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        self._set_editing(False)
        self.start_button.setEnabled(False)
        self.url_label.setText("starting…")
        self.bridge.start(self.config())

    def stop(self) -> None:
        self.start_button.setEnabled(False)
        self.url_label.setText("stopping (finishing requests in flight)…")
        self.bridge.stop()

    def shutdown(self) -> None:
        """Stop for good (window closing): blocks until the requests in flight are stored and answered."""
        self.bridge.stop_and_wait()

    def _started(self, url: str) -> None:
        self._url = url
        self.start_button.setText("Stop")
        self.start_button.setEnabled(True)
        self.url_label.setText(f"listening on {url}")
        self._fill_snippets()
        self.message.emit(f"Receiver listening on {url}")

    def _failed(self, message: str) -> None:
        self._url = None
        self._set_editing(True)
        self.start_button.setText("Start")
        self.start_button.setEnabled(True)
        self.url_label.setText(f"could not start: {message}")
        self.message.emit(f"The receiver could not start: {message}")

    def _stopped(self) -> None:
        self._url = None
        self._set_editing(True)
        self.start_button.setText("Start")
        self.start_button.setEnabled(True)
        self.url_label.setText("stopped")
        self.message.emit("Receiver stopped")

    def _set_editing(self, enabled: bool) -> None:
        for widget in (self.host_edit, self.port_spin, self.strict_box):
            widget.setEnabled(enabled)

    def _update_banner(self) -> None:
        warning = exposure_warning(self.host_edit.text().strip() or "127.0.0.1")
        self.banner.setText(warning or "")
        self.banner.setVisible(warning is not None)

    # -- inbox -------------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the store on a worker; the model is filled when it is done."""
        run_task(self.store.load, on_result=self._loaded, on_error=lambda exc: self.message.emit(str(exc)))

    def _loaded(self, records: list[CaptureRecord]) -> None:
        self.model.set_records(records)
        self._update_count()

    def _captured(self, record: CaptureRecord) -> None:
        self.model.add(record)
        self._update_count()
        self.message.emit(f"Captured {api_title(record.api)} {record.kind or ''} → {record.status}")

    def _update_count(self) -> None:
        total = self.model.total
        self.count_label.setText(f"{total} capture{'s' if total != 1 else ''}")

    def current_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _selection_changed(self, *_args: Any) -> None:
        has = self.current_row() >= 0
        self.open_button.setEnabled(has)
        self.delete_button.setEnabled(has)
        self.resend_button.setEnabled(has and self._resend_ok)

    def open_row(self, row: int) -> None:
        if row < 0 or self.open_capture is None:
            return
        record = self.model.record(row)
        try:
            raw = self.store.read_raw(record.id)
        except OSError as exc:
            self.message.emit(f"Cannot read the capture: {exc}")
            return
        self.open_capture(record, raw)

    def delete_row(self, row: int) -> None:
        if row < 0:
            return
        record = self.model.remove(row)
        self.store.delete(record.id)
        self._update_count()

    def clear(self) -> None:
        run_task(self.store.clear, on_result=lambda _n: self.reload())

    # -- resend ------------------------------------------------------------------------------------------

    def _fill_resend_menu(self) -> None:
        self.resend_menu.clear()
        try:
            from inspector.net.profiles import KIND_FORMAT, ProfileStore

            profiles = ProfileStore().load()
        except Exception as exc:  # an unreadable profiles file: say so in the menu
            self.resend_menu.addAction(f"Profiles unavailable: {exc}").setEnabled(False)
            return
        row = self.current_row()
        wanted = self.model.record(row).format if row >= 0 else None
        usable = [p for p in profiles if wanted is None or KIND_FORMAT.get(p.kind) == wanted]
        if not usable:
            self.resend_menu.addAction("No endpoint profile for this format").setEnabled(False)
        for profile in usable:
            action = self.resend_menu.addAction(f"{profile.name}  ({profile.effective_base_url})")
            action.triggered.connect(lambda _checked=False, name=profile.name: self.resend_row(row, name))

    def resend_row(self, row: int, profile_name: str, on_done: Callable[[Any], None] | None = None) -> None:
        if row < 0 or not self._resend_ok:
            return
        raw = self.store.read_raw(self.model.record(row).id)

        def done(sent: Any) -> None:
            exchange = sent.exchange
            self.message.emit(f"Resent to {profile_name}: {exchange.request.mask(exchange.summary)}")
            if sent.history_id is not None:
                self.recorded.emit(sent.history_id)
            if on_done is not None:
                on_done(exchange)

        run_task(
            resend,
            raw,
            profile_name,
            on_result=done,
            on_error=lambda exc: self.message.emit(f"Resend to {profile_name} failed: {exc}"),
        )

    # -- snippets ----------------------------------------------------------------------------------------

    def base_url(self) -> str:
        if self._url:
            return self._url
        cfg = self.config()
        host = "127.0.0.1" if cfg.host in ("0.0.0.0", "::") else cfg.host
        return f"http://{host}:{cfg.port or 'PORT'}"

    def _fill_snippets(self) -> None:
        current = self.snippet_combo.currentData()
        self._snippets: list[Snippet] = snippets(self.base_url())
        self.snippet_combo.blockSignals(True)
        self.snippet_combo.clear()
        for item in self._snippets:
            self.snippet_combo.addItem(item.title, item.key)
        found = self.snippet_combo.findData(current) if current else 0
        self.snippet_combo.setCurrentIndex(max(0, found))
        self.snippet_combo.blockSignals(False)
        self._show_snippet()

    def _show_snippet(self, *_args: Any) -> None:
        index = self.snippet_combo.currentIndex()
        if not (0 <= index < len(self._snippets)):
            return
        item = self._snippets[index]
        self.snippet_text.setPlainText(item.code)
        self.snippet_notes.setText(item.notes)

    def copy_snippet(self) -> None:
        QGuiApplication.clipboard().setText(self.snippet_text.toPlainText())
        self.message.emit("Snippet copied")


__all__ = ["CaptureModel", "CapturePanel", "ReceiverBridge", "is_loopback", "resend", "resend_available"]
