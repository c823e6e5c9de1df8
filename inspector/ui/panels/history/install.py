"""Installs the send History panel (bottom dock "history"): open a sent payload, resend it, copy it as curl.

The panel (and the history database) is built when the dock is first shown or the menu action asks for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inspector.net.history import Entry
    from inspector.ui.panels.history.history_view import HistoryView


def install(window: Any) -> None:
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

        panel = window.panel_widget("send")  # built now if its dock was never shown
        if panel is None:
            window.status_message("the Send panel is not installed")
            return
        try:
            submission = load_bytes(payload, source_name=f"sent-{entry.id}.http", format=entry.format)
        except InspectorError as exc:
            window.status_message(f"cannot resend: {exc}")
            return
        window.show_panel("send")
        known = entry.profile if entry.profile in {p.name for p in panel.store.load()} else None
        panel.send_submission(submission, known, source=entry.source)

    def build() -> HistoryView:
        from inspector.ui.panels.history.history_view import HistoryView
        from inspector.ui.panels.send.send_panel import events, shared_history

        view = HistoryView(shared_history(), open_payload=open_payload, resend=resend, parent=window)
        view.setObjectName("historyPanel")
        events().recorded.connect(view.refresh)
        return view

    def show_history() -> None:
        window.panel_widget("history").refresh()
        window.show_panel("history")

    window.add_panel("history", "History", build)
    action = window.menu("&Tools").addAction("Send &History")
    action.setObjectName("historyAction")
    action.triggered.connect(show_history)
