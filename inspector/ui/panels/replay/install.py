"""Installs the Tools menu action "Replay Folder…" (issue 10): the Replay dialog."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspector.ui.window.main_window import MainWindow


def install(window: MainWindow) -> None:
    def show() -> None:
        from inspector.ui.panels.replay.replay_dialog import (
            ReplayDialog,  # imports httpx (0.1 s): on first use, not at start
        )

        dialog = ReplayDialog.launch(window)
        dialog.finished_replay.connect(
            lambda summary: window.status_message(summary.text() if summary is not None else "The replay failed.")
        )

    action = window.menu("&Tools").addAction("&Replay Folder…")
    action.setObjectName("replayAction")
    action.triggered.connect(show)
