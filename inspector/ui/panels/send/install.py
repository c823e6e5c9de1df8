"""Installs the Send panel (bottom dock "send") and its Tools menu actions.

The panel (and with it the network layer and the profiles) is built when the dock is first shown or an action
needs it (:meth:`MainWindow.panel_widget`), not at the start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QKeySequence

from inspector.ui.window.main_window import set_shortcut

if TYPE_CHECKING:
    from inspector.ui.panels.send.send_panel import SendPanel


def install(window: Any) -> None:
    def build() -> SendPanel:
        from inspector.ui.panels.send.send_panel import SendPanel

        panel = SendPanel(window.current_document, parent=window)
        panel.setObjectName("sendPanel")
        window.current_document_changed.connect(panel.document_changed)
        panel.document_changed(window.current_document())
        panel.sent.connect(lambda exchange: window.status_message(exchange.request.mask(exchange.summary)))
        default = window.settings.default_profile  # Edit › Preferences
        if default:
            panel.reload_profiles(select=default)
        return panel

    def send() -> None:
        window.show_panel("send")
        window.panel_widget("send").refresh_preview()

    window.add_panel("send", "Send", build)
    tools = window.menu("&Tools")
    send_action = tools.addAction("&Send…")
    send_action.setObjectName("sendAction")
    set_shortcut(send_action, QKeySequence("Ctrl+Shift+Return"))
    send_action.triggered.connect(send)
    profiles_action = tools.addAction("Endpoint &Profiles…")
    profiles_action.setObjectName("profilesAction")
    profiles_action.triggered.connect(lambda: window.panel_widget("send").edit_profiles())
