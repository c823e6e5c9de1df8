"""Installs the Capture panel (bottom dock "capture"): the local receiver and its live inbox.

The panel (and with it the receiver and aiohttp, 0.2 s of imports) is built when the dock is first shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from inspector.ui.workers import run_task

if TYPE_CHECKING:
    from inspector.net.store import CaptureRecord
    from inspector.ui.panels.capture.capture_panel import CapturePanel
    from inspector.ui.window.main_window import MainWindow


def install(window: MainWindow) -> None:
    def open_capture(record: CaptureRecord, raw: bytes) -> None:
        from inspector.formats import load_bytes
        from inspector.ui.panels.capture.inbox_model import api_title

        title = f"{api_title(record.api)} capture {record.time_text[11:]}"
        run_task(
            load_bytes,
            raw,
            source_name=f"{record.id}.request.http",
            on_result=lambda sub: window.open_submission(sub, title, read_only=True),  # evidence: read-only
            on_error=lambda exc: window.status_message(f"Cannot open the capture: {exc}"),
        )

    def build() -> CapturePanel:
        from inspector.ui.panels.capture.capture_panel import CapturePanel

        chosen = window.settings  # Edit › Preferences: where the receiver listens by default
        panel = CapturePanel(
            open_capture=open_capture, host=chosen.receiver_host, port=chosen.receiver_port, parent=window
        )
        panel.setObjectName("capturePanel")
        panel.message.connect(window.status_message)
        panel.recorded.connect(window.hooks.recorded)  # a resend is in the history: its panel refreshes
        app = QCoreApplication.instance()
        if app is not None:  # quitting waits for requests in flight to be stored and answered
            app.aboutToQuit.connect(panel.shutdown)
        return panel

    window.add_panel("capture", "Capture (local receiver)", build)
    action = window.menu("&Tools").addAction("&Capture from SDKs (local receiver)…")
    action.setObjectName("captureAction")
    action.triggered.connect(lambda: window.show_panel("capture"))
