"""The Upload Symbols / Source Maps dialog against a real h11 server on 127.0.0.1: typed tags, a clicked Upload,
the archive built and sent off the GUI thread, progress, cancel, the _rxid explained."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from inspector.net.profiles import Profile, ProfileStore
from inspector.ui.panels.uploads import upload_dialog as upload_dialog_module
from inspector.ui.panels.uploads.upload_dialog import UploadDialog
from tests.net.test_uploads import TOKEN
from tests.net.upload_server import RXID, UploadServer

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def server() -> Iterator[UploadServer]:
    srv = UploadServer().start()
    yield srv
    srv.stop()


def make_dialog(qtbot, server: UploadServer, paths: list[Path], kind: str = "symbols") -> UploadDialog:  # type: ignore[no-untyped-def]
    ProfileStore().put(Profile("rollbar", kind="rollbar"), secret="r")
    ProfileStore().put(Profile("bt", kind="backtrace-hosted", base_url=server.url, universe="demo"), secret=TOKEN)
    dialog = UploadDialog.launch(None, paths=paths, kind=kind)
    qtbot.addWidget(dialog)
    return dialog


def choose_profile(dialog: UploadDialog, name: str) -> None:
    dialog.profile_combo.setCurrentIndex(dialog.profile_combo.findData(name))


def test_uploads_a_folder_with_typed_tags_off_the_gui_thread(
    qtbot,
    server: UploadServer,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "dsyms"
    folder.mkdir()
    (folder / "App.sym").write_bytes(b"MODULE mac x86_64 0123 App\n" * 2000)
    threads: list[threading.Thread] = []
    real = upload_dialog_module.upload

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(upload_dialog_module, "upload", recording)
    dialog = make_dialog(qtbot, server, [folder])
    choose_profile(dialog, "bt")
    qtbot.keyClicks(dialog.tags_edit, "2.4.1, release")
    qtbot.mouseClick(dialog.upload_button, Qt.MouseButton.LeftButton)
    assert dialog.running and not dialog.upload_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.upload_result is not None, timeout=15000)
    assert threads and threads[0] is not threading.main_thread()

    rec = server.requests[-1]
    assert rec.target == f"/demo/{TOKEN}/symbols" and rec.header("expect") is None
    assert rec.body is not None
    assert b'name="tag"\r\n\r\n2.4.1\r\n' in rec.body and b'name="tag"\r\n\r\nrelease\r\n' in rec.body
    assert b'filename="symbols.zip"' in rec.body
    text = dialog.result_label.text()
    assert RXID in text and "receipt" in text and TOKEN not in text
    assert dialog.progress.value() == dialog.progress.maximum() > 0
    assert dialog.upload_button.isEnabled() and not dialog.cancel_button.isEnabled()


def test_sourcemap_kind_and_wrong_profile_kind(qtbot, server: UploadServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source_map = tmp_path / "app.js.map"
    source_map.write_text('{"version":3,"sources":[],"names":[],"mappings":""}')
    dialog = make_dialog(qtbot, server, [source_map], kind="sourcemap")
    choose_profile(dialog, "rollbar")
    qtbot.mouseClick(dialog.upload_button, Qt.MouseButton.LeftButton)
    assert not dialog.running and "not a Backtrace endpoint" in dialog.status_label.text()
    choose_profile(dialog, "bt")
    qtbot.mouseClick(dialog.upload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.upload_result is not None, timeout=15000)
    assert server.requests[-1].target == f"/demo/{TOKEN}/sourcemap"
    assert server.requests[-1].body is not None and source_map.read_bytes() in server.requests[-1].body


def test_cancel_stops_a_big_upload(qtbot, server: UploadServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    big = tmp_path / "big.zip"
    with open(big, "wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(256 * 1024 * 1024)
    server.mode = "slow"
    dialog = make_dialog(qtbot, server, [big])
    choose_profile(dialog, "bt")
    qtbot.mouseClick(dialog.upload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=15000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.upload_result is not None, timeout=15000)
    assert (
        dialog.upload_result.exchange.failure is not None and dialog.upload_result.exchange.failure.kind == "cancelled"
    )
    assert "cancel" in dialog.result_label.text().lower()
    assert not server.requests[-1].complete and big.exists()


def test_files_dropped_on_the_dialog_are_added(qtbot, server: UploadServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QMimeData, QPoint, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    dialog = make_dialog(qtbot, server, [])
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path)), QUrl("https://example.com/x.zip")])
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(QPoint(10, 10), action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(dialog, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPoint(10, 10), action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(dialog, drop)
    assert dialog.paths() == [str(tmp_path)]  # the remote URL is not a file


def test_tools_menu_opens_the_dialog(qtbot) -> None:  # type: ignore[no-untyped-def]
    from inspector.ui.window.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    assert "uploads" not in window.panel_errors
    action = next(a for a in window.menu("&Tools").actions() if a.objectName() == "uploadAction")
    action.trigger()
    dialog = window.findChild(UploadDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.close()
