"""Installs the send History panel (bottom dock "history"): open a sent payload, resend it, copy it as curl.

The panel (and the history database) is built when the dock is first shown or the menu action asks for it. It
refreshes on ``window.hooks.payload_recorded`` and resends through ``window.hooks.send_submission`` (the Send
panel's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspector.net.history import Entry
    from inspector.ui.panels.history.history_view import HistoryView
    from inspector.ui.window.main_window import MainWindow


def install(window: MainWindow) -> None:
    built: list[HistoryView] = []

    def open_payload(entry: Entry, payload: bytes) -> None:
        from inspector.formats import load_bytes
        from inspector.formats.base import InspectorError

        try:
            submission = load_bytes(payload, source_name=f"sent-{entry.id}.http", format=entry.format)
        except InspectorError as exc:
            window.status_message(f"cannot open the sent payload: {exc}")
            return
        window.open_submission(submission, f"Sent #{entry.id} ({entry.profile})")

    def resend(entry: Entry, payload: bytes) -> None:
        from inspector.formats import load_bytes
        from inspector.formats.base import InspectorError

        send = window.hooks.send_submission
        if send is None:
            window.status_message("the Send panel is not installed")
            return
        try:
            submission = load_bytes(payload, source_name=f"sent-{entry.id}.http", format=entry.format)
        except InspectorError as exc:
            window.status_message(f"cannot resend: {exc}")
            return
        send(submission, entry.profile, source=entry.source)

    def build() -> HistoryView:
        from inspector.ui.panels.history.history_view import HistoryView
        from inspector.ui.panels.history.store import shared_history

        view = HistoryView(shared_history(), open_payload=open_payload, resend=resend, parent=window)
        view.setObjectName("historyPanel")
        built.append(view)
        return view

    def refresh(_history_id: int) -> None:
        if built:  # a panel never shown has nothing to refresh: it reads the database when it is built
            built[0].refresh()

    def show_history() -> None:
        window.panel_widget("history")
        built[0].refresh()
        window.show_panel("history")

    window.add_panel("history", "History", build)
    window.hooks.payload_recorded.append(refresh)
    action = window.menu("&Tools").addAction("Send &History")
    action.setObjectName("historyAction")
    action.triggered.connect(show_history)
