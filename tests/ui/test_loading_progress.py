"""Big files load with a determinate bar: bytes parsed of the whole (issue 14, item 11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from inspector.formats.jsondoc import parse_json
from inspector.formats.progress import reporting
from inspector.ui.document.document_view import DocumentView
from inspector.ui.window.main_window import LoadingPage, MainWindow

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _big_batch(path: Path, logs: int = 12_000) -> bytes:
    log = {
        "type": "handledError",
        "id": "118dee14-9193-4ac3-9ef0-f6c11b43f2c4",
        "timestamp": "2019-10-08T06:22:23.516Z",
        "device": {
            "sdkName": "custom.android",
            "sdkVersion": "1.0.0",
            "osName": "android",
            "osVersion": "9.3",
            "model": "Pixel",
            "locale": "en-US",
            "appVersion": "11.0",
            "appBuild": "1",
        },
        "exception": {"type": "System.IO.IOException", "message": "Server did not respond " + "x" * 200},
    }
    data = json.dumps({"logs": [dict(log, id=f"118dee14-9193-4ac3-9ef0-{i:012d}") for i in range(logs)]}).encode()
    path.write_bytes(data)
    return data


def test_parsing_reports_bytes_done(tmp_path: Path) -> None:
    data = _big_batch(tmp_path / "batch.json")
    heard: list[tuple[int, int]] = []
    with reporting(lambda done, total: heard.append((done, total))):
        parse_json(data)
    assert len(heard) > 2 and all(total == len(data) for _done, total in heard)
    assert [d for d, _t in heard] == sorted(d for d, _t in heard) and heard[-1][0] > len(data) * 0.9


def test_the_loading_tab_shows_bytes_parsed(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "batch.json"
    _big_batch(path)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(path)], ""))
    seen: list[tuple[int, int, str]] = []
    original = LoadingPage.set_progress

    def watch(page: LoadingPage, done: int, total: int) -> None:
        original(page, done, total)
        seen.append((page.progress.maximum(), page.progress.value(), page.progress.format()))

    monkeypatch.setattr(LoadingPage, "set_progress", watch)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    combo = QKeySequence("Ctrl+O")[0]
    QTest.keyClick(QApplication.focusWidget() or window, combo.key(), combo.keyboardModifiers())  # the file chosen
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), DocumentView), timeout=30000)
    assert seen, "no progress reached the loading tab"
    assert all(maximum == 1000 for maximum, _v, _f in seen)  # determinate, not a busy bar
    assert seen[-1][1] > 900 and seen[-1][2] == "%p% parsed"
    assert window.current_document().format == "appcenter"


def test_reports_made_while_the_window_is_busy_queue_one_update_with_the_latest_figures(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    page = LoadingPage("batch.json")
    qtbot.addWidget(page)
    shown: list[tuple[int, int]] = []
    original = LoadingPage.set_progress
    monkeypatch.setattr(LoadingPage, "set_progress", lambda p, d, t: (shown.append((d, t)), original(p, d, t)))

    def parse() -> None:  # the loading worker's reports, while the GUI thread handles no events
        for done in range(0, 1001, 10):
            page.report_progress(done, 1000)

    worker = threading.Thread(target=parse)
    worker.start()
    worker.join()
    assert shown == []  # queued to the GUI thread, not shown from the worker
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    QApplication.processEvents()
    assert shown == [(1000, 1000)]  # one update, the latest figures
    assert page.progress.value() == 1000 and page.progress.format() == "%p% parsed"
    page.report_progress(500, 2000)  # the next report queues again
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=5000)
    assert shown[-1] == (500, 2000) and page.progress.value() == 250
