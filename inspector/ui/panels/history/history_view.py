"""The send history: a lazy table model over the SQLite history, and a view with open / resend / copy as curl.

The model reads pages of :data:`PAGE` rows (list columns only) as the view scrolls (``canFetchMore`` /
``fetchMore``); the stored request is read only for the selected row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.formats.base import InspectorError, RequestSpec
from inspector.formats.envelope import parse_http_request
from inspector.net.curl import body_is_text, to_curl
from inspector.net.history import ASCII_MASK, Entry, History
from inspector.net.profiles import KIND_FORMAT, SECRET_ENV, kind_capabilities
from inspector.ui import style
from inspector.ui.qt import named

PAGE = 100
AnyIndex = QModelIndex | QPersistentModelIndex
EntryRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2


class HistoryModel(QAbstractTableModel):
    """Newest first. Columns: when, profile, target, file, status, result, time, size."""

    COL_WHEN, COL_PROFILE, COL_KIND, COL_SOURCE, COL_STATUS, COL_RESULT, COL_TIME, COL_SIZE = range(8)
    HEADERS = ("When", "Profile", "Target", "Payload", "Status", "Result", "Time", "Size")

    def __init__(self, history: History, parent: Any = None) -> None:
        super().__init__(parent)
        self.history = history
        self._rows: list[Entry] = []
        self._total = 0
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        self._total = self.history.count()
        self._rows = self.history.page(0, PAGE)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex) -> None:
        if parent.isValid():
            return
        more = self.history.page(len(self._rows), PAGE)
        more = more[: max(0, self._total - len(self._rows))]
        if not more:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def entry(self, row: int) -> Entry:
        return self._rows[row]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
        if horizontal and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        entry = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, col)
        if role == EntryRole:
            return entry
        if role == SortRole:
            return {
                self.COL_WHEN: entry.started_at,
                self.COL_STATUS: entry.status or 0,
                self.COL_TIME: entry.elapsed_ms,
                self.COL_SIZE: entry.request_size,
            }.get(col, self._display(entry, col))
        if role == Qt.ItemDataRole.ToolTipRole and col in (self.COL_RESULT, self.COL_SOURCE):
            return f"{entry.summary}\n{entry.url}"
        if role == Qt.ItemDataRole.ForegroundRole and col in (self.COL_STATUS, self.COL_RESULT):
            return style.level_colour("log" if entry.ok else "error")
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.COL_STATUS, self.COL_TIME, self.COL_SIZE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, entry: Entry, col: int) -> str:
        if col == self.COL_WHEN:
            return entry.when
        if col == self.COL_PROFILE:
            return entry.profile
        if col == self.COL_KIND:
            return entry.target_kind
        if col == self.COL_SOURCE:
            return entry.source.replace("\\", "/").rsplit("/", 1)[-1]
        if col == self.COL_STATUS:
            return str(entry.status) if entry.status is not None else (entry.failure_kind or "—")
        if col == self.COL_RESULT:
            return entry.summary
        if col == self.COL_TIME:
            return f"{entry.elapsed_ms:.0f} ms"
        if col == self.COL_SIZE:
            return f"{entry.request_size:,} B"
        return ""


def stored_request(history: History, entry: Entry) -> RequestSpec:
    """The recorded request (secrets masked as REDACTED) as a RequestSpec, for copy as curl."""
    info, body, _layers = parse_http_request(history.payload(entry.id))
    scheme = urlsplit(entry.url).scheme or "https"
    host = info.header("Host") or ""
    headers = [(k, v) for k, v in info.headers if k.lower() not in ("host", "content-length")]
    return RequestSpec(info.method, f"{scheme}://{host}{info.target}", headers, body, secrets=[ASCII_MASK])


def history_curl(history: History, entry: Entry) -> str:
    spec = stored_request(history, entry)
    var = SECRET_ENV.get(entry.format, "CRASH_TOKEN")
    api = KIND_FORMAT.get(entry.target_kind)
    if api is not None and kind_capabilities(entry.target_kind).secret == "app-secret":
        var = SECRET_ENV[api]  # an app secret is named for the API it opens, whatever the payload's format
    if not body_is_text(spec.body):
        raise InspectorError("this request's body is binary; copy it from the Send panel instead")
    return to_curl(spec, {ASCII_MASK: var})


class HistoryView(QWidget):
    """The table, a detail pane, and actions.

    Args:
        history: the database.
        open_payload: ``open_payload(entry, payload_bytes)`` opens the sent payload (the window's open_submission).
        resend: ``resend(entry, payload_bytes)`` sends it again.
    """

    def __init__(
        self,
        history: History,
        open_payload: Callable[[Entry, bytes], None] | None = None,
        resend: Callable[[Entry, bytes], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.history = history
        self._open_payload = open_payload
        self._resend = resend
        self.model = HistoryModel(history, self)
        self.table = named(QTableView(), "historyTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(HistoryModel.COL_RESULT, QHeaderView.ResizeMode.Stretch)
        for col in (HistoryModel.COL_WHEN, HistoryModel.COL_STATUS, HistoryModel.COL_TIME, HistoryModel.COL_SIZE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._show_detail())
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.detail = named(QPlainTextEdit(), "historyDetail")
        self.detail.setReadOnly(True)
        self.detail.setFont(style.mono_font())
        self.detail.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.status = named(QLabel(), "historyStatus")
        self.open_button = named(QPushButton("Open payload"), "openPayload")
        self.open_button.clicked.connect(self.open_selected)
        self.resend_button = named(QPushButton("Resend"), "resend")
        self.resend_button.clicked.connect(self.resend_selected)
        self.curl_button = named(QPushButton("Copy as curl"), "historyCurl")
        self.curl_button.clicked.connect(self.copy_curl)
        refresh = named(QPushButton("Refresh"), "refreshHistory")
        refresh.clicked.connect(self.refresh)
        buttons = QHBoxLayout()
        for button in (self.open_button, self.resend_button, self.curl_button, refresh):
            buttons.addWidget(button)
        buttons.addWidget(self.status, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        self._update_buttons()

    def refresh(self, _id: int | None = None) -> None:
        self.model.refresh()
        self._update_buttons()

    def selected_entry(self) -> Entry | None:
        index = self.table.currentIndex()
        return self.model.entry(index.row()) if index.isValid() else None

    def select_row(self, row: int) -> None:
        self.table.setCurrentIndex(self.model.index(row, 0))

    def _update_buttons(self) -> None:
        has = self.selected_entry() is not None
        for button in (self.open_button, self.resend_button, self.curl_button):
            button.setEnabled(has)

    def _show_detail(self) -> None:
        self._update_buttons()
        entry = self.selected_entry()
        if entry is None:
            self.detail.clear()
            return
        data = self.history.detail(entry.id)
        lines = [f"{data['method']} {data['url']}"]
        lines += [f"  {k}: {v}" for k, v in data["request_headers"]]  # type: ignore[attr-defined]
        lines.append(f"  ({data['request_size']:,} bytes, {data['attempts']} attempt(s))")
        lines.append("")
        lines.append(f"{data['status'] or 'no answer'} in {data['elapsed_ms']:.0f} ms: {data['summary']}")
        lines += [f"  {d}" for d in data["details"]]  # type: ignore[attr-defined]
        lines += [f"  {k}: {v}" for k, v in data["response_headers"]]  # type: ignore[attr-defined]
        stored = data["response_body"]
        body = bytes(stored) if isinstance(stored, (bytes, bytearray, memoryview)) else b""
        if body:
            lines += ["", body[:4000].decode("utf-8", "replace")]
        self.detail.setPlainText("\n".join(lines))

    def open_selected(self) -> None:
        entry = self.selected_entry()
        if entry is not None and self._open_payload is not None:
            self._open_payload(entry, self.history.payload(entry.id))

    def resend_selected(self) -> None:
        entry = self.selected_entry()
        if entry is not None and self._resend is not None:
            self._resend(entry, self.history.payload(entry.id))

    def copy_curl(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        try:
            command = history_curl(self.history, entry)
        except (InspectorError, ValueError) as exc:
            self.status.setText(str(exc))
            return
        QGuiApplication.clipboard().setText(command)
        self.status.setText("Copied; the secret is a $VARIABLE (the history never stores it).")
