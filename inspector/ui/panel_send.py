"""Installs the Send panel (bottom dock "send") and its Tools menu actions."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QKeySequence

from inspector.ui.send_panel import SendPanel


def install(window: Any) -> None:
    panel = SendPanel(window.current_document, parent=window)
    panel.setObjectName("sendPanel")
    window.add_panel("send", "Send", panel)
    window.current_document_changed.connect(panel.document_changed)
    panel.document_changed(window.current_document())
    panel.sent.connect(lambda exchange: window.status_message(exchange.request.mask(exchange.summary)))
    tools = window.menu("&Tools")
    send_action = tools.addAction("&Send…")
    send_action.setObjectName("sendAction")
    send_action.setShortcut(QKeySequence("Ctrl+Shift+Return"))
    send_action.triggered.connect(lambda: (window.show_panel("send"), panel.refresh_preview()))
    profiles_action = tools.addAction("Endpoint &Profiles…")
    profiles_action.setObjectName("profilesAction")
    profiles_action.triggered.connect(panel.edit_profiles)
