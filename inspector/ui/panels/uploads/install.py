"""Installs the Tools menu action "Upload Symbols / Source Maps…" (issue 16): the upload dialog."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspector.ui.window.main_window import MainWindow


def install(window: MainWindow) -> None:
    def show() -> None:
        from inspector.ui.panels.uploads.upload_dialog import UploadDialog  # imports httpx: on first use, not at start

        dialog = UploadDialog.launch(window)
        dialog.finished_upload.connect(
            lambda result: window.status_message(
                result.exchange.request.mask(result.exchange.summary) if result is not None else "The upload failed."
            )
        )

    action = window.menu("&Tools").addAction("&Upload Symbols / Source Maps…")
    action.setObjectName("uploadAction")
    action.triggered.connect(show)
