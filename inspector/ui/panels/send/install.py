"""Installs the Send panel (bottom dock "send") and its Tools menu actions.

The panel (and with it the network layer and the profiles) is built when the dock is first shown or an action
needs it (:meth:`MainWindow.panel_widget`), not at the start. It offers the other panels ``window.hooks
.send_submission`` (the History panel's Resend) and announces each recorded send to ``hooks.payload_recorded``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence

from inspector.ui.window.menus import set_shortcut

if TYPE_CHECKING:
    from inspector.formats.base import Submission
    from inspector.ui.panels.send.send_panel import SendPanel
    from inspector.ui.window.main_window import MainWindow


def install(window: MainWindow) -> None:
    built: list[SendPanel] = []

    def build() -> SendPanel:
        from inspector.ui.panels.send.send_panel import SendPanel

        panel = SendPanel(window.current_document, parent=window)
        panel.setObjectName("sendPanel")
        window.current_document_changed.connect(panel.document_changed)
        panel.document_changed(window.current_document())
        panel.sent.connect(lambda exchange: window.status_message(exchange.request.mask(exchange.summary)))
        panel.recorded.connect(window.hooks.recorded)
        default = window.settings.default_profile  # Edit › Preferences
        if default:
            panel.reload_profiles(select=default)
        built.append(panel)
        return panel

    def the_panel() -> SendPanel:
        window.panel_widget("send")  # built now if its dock was never shown
        return built[0]

    def send() -> None:
        window.show_panel("send")
        the_panel().refresh_preview()

    def send_submission(submission: Submission, profile_name: str | None = None, source: str = "") -> bool:
        panel = the_panel()
        window.show_panel("send")
        known = profile_name if profile_name in {p.name for p in panel.store.load()} else None
        return panel.send_submission(submission, known, source=source)

    window.add_panel("send", "Send", build)
    window.hooks.send_submission = send_submission
    tools = window.menu("&Tools")
    send_action = tools.addAction("&Send…")
    send_action.setObjectName("sendAction")
    set_shortcut(send_action, QKeySequence("Ctrl+Shift+Return"))
    send_action.triggered.connect(send)
    profiles_action = tools.addAction("Endpoint &Profiles…")
    profiles_action.setObjectName("profilesAction")
    profiles_action.triggered.connect(lambda: the_panel().edit_profiles())
