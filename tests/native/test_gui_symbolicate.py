"""Tools › Symbolicate… in the real window: keyboard shortcut, progress off the GUI thread, cancel, the frames."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QPushButton

from inspector.formats import load_path
from inspector.formats.minidump import symbolicated_reports
from inspector.native.store import SymbolStore
from inspector.ui.document.models.frame_text import exception_stacks
from inspector.ui.document.models.stacks_model import StacksModel
from inspector.ui.panels.symbolicate import install as panel_symbolicate
from inspector.ui.panels.symbolicate.symbolicator import symbolicator_of
from inspector.ui.window.main_window import MainWindow
from inspector.ui.window.preferences import current_settings
from inspector.ui.workers import wait_all
from tests.conftest import CORPUS

DUMPS = CORPUS / "minidump"
SYMBOLS = CORPUS / "symbols"
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")


@pytest.fixture
def window(qtbot) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(install_panels=False)
    panel_symbolicate.install(win)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    yield win
    wait_all()


def _open(qtbot, window: MainWindow, path: Path):  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.document_opened, timeout=20000):
        window.open_paths([str(path)])
    return window.current_view()


def _frame_texts(view, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    model = view.frames_model
    stack = model.index(0, 0)
    return [model.index(r, column, stack).data() for r in range(model.listed_count(0))]


def test_shortcut_symbolicates_the_minidump(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    current_settings().symbol_paths = [str(SYMBOLS)]
    view = _open(qtbot, window, DUMPS / "rust-minidump_macos-x64_segv.dmp")
    assert _frame_texts(view, StacksModel.COL_FUNCTION)[0] == "?"
    assert window.findChild(type(window.menu("&Tools").actions()[0]), panel_symbolicate.ACTION_NAME).isEnabled()
    document = window.current_document()
    with qtbot.waitSignal(document.changed, timeout=30000):
        qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    functions = _frame_texts(view, StacksModel.COL_FUNCTION)
    # Inlined calls are rows of their own, above the frame that holds them.
    assert functions[:3] == [
        "↳ core::ptr::write_volatile::<u8>",
        "sadness_generator::raise_segfault",
        "↳ crash_client::real_main::{closure#1}",
    ]
    trust = _frame_texts(view, StacksModel.COL_TRUST)
    assert trust[:3] == ["inlined", "context", "inlined"] and trust[-1] == "scan"
    modules = _frame_texts(view, StacksModel.COL_MODULE)
    assert modules[1] == "crash-client+0x14cd4"
    model = view.frames_model
    last = model.index(model.listed_count(0) - 1, StacksModel.COL_FUNCTION, model.index(0, 0))
    assert last.data(Qt.ItemDataRole.FontRole).italic()  # the scanned frame is shown weaker
    assert "Symbolicated:" in window.statusBar().currentMessage()
    assert document.submission.native.data == (DUMPS / "rust-minidump_macos-x64_segv.dmp").read_bytes()


def test_cancel_leaves_the_document_as_it_was(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # a symbol server that never answers
    try:
        current_settings().symbol_paths = [f"http://127.0.0.1:{silent.getsockname()[1]}/symbols"]
        view = _open(qtbot, window, DUMPS / "breakpad_windows-x86_minidump2.dmp")
        before = window.current_document().reports
        assert symbolicator_of(window).start()
        dialog = window.findChild(QProgressDialog, "symbolicateProgress")
        qtbot.waitUntil(lambda: dialog.isVisible(), timeout=10000)
        qtbot.waitUntil(lambda: "Fetching" in dialog.labelText() or "Looking" in dialog.labelText(), timeout=10000)
        cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: symbolicator_of(window).task is None, timeout=10000)
        assert window.current_document().reports is before
        assert window.statusBar().currentMessage() == "Symbolication cancelled"
        assert _frame_texts(view, StacksModel.COL_FUNCTION)[0] == "?"
    finally:
        silent.close()


def test_stacks_model_passes_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    sub = load_path(str(DUMPS / "rust-minidump_macos-x64_segv.dmp"))
    report = symbolicated_reports(sub, SymbolStore(sources=[str(SYMBOLS)]))[0]
    qtmodeltester.check(StacksModel(exception_stacks(report)), force_py=True)


def test_native_frames_module_offset_tab_and_summary_agree(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """Issue 14 item 7: module+offset on every frame (tree, summary, copy), no "(0 frames)" exception row, and the
    Frames tab's count is the summary's."""
    from PySide6.QtGui import QGuiApplication

    view = _open(qtbot, window, DUMPS / "breakpad_windows_write-access-violation.dmp")
    model = view.frames_model
    assert model.rowCount() == 1  # the exception and the crashed thread are one group
    assert "(0 frames)" not in model.index(0, 0).data()
    assert _frame_texts(view, StacksModel.COL_MODULE) == [
        "crashme.exe+0x1097",
        "kernel32.dll+0x13676",
        "ntdll.dll+0x39d41",
        "ntdll.dll+0x39d14",
    ]
    tab = next(view.tabs.tabText(i) for i in range(view.tabs.count()) if view.tabs.tabText(i).startswith("Frames"))
    assert tab == "Frames (4)"
    summary = view.summary_view.toPlainText()
    assert "4 frames in the Frames tab" in summary and "crashme.exe+0x1097" in summary
    view.show_view("frames")
    first = model.index(0, 0, model.index(0, 0))
    view.frames_view.setCurrentIndex(first)
    view.frames_view.setFocus()
    qtbot.keyClick(view.frames_view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert "crashme.exe+0x1097" in QGuiApplication.clipboard().text()
