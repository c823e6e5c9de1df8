"""Labels as people read them (issue 14, item 10): plural forms, the time said once when local time is UTC, epoch
timestamps and byte sizes readable with the raw value in a tooltip, "crash" only for a crash."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from inspector.formats import load_path
from inspector.ui.document.document_view import DocumentView
from inspector.ui.document.models.metadata_model import MetadataModel
from inspector.ui.window.labels import human_bytes, human_value, occurrence_word, plural
from inspector.ui.window.main_window import MainWindow

CORPUS = Path(__file__).parent.parent / "corpus"
MESSAGE = CORPUS / "rollbar" / "rollbarjs-node-3.1.0_message_telemetry.json"
APPLE = CORPUS / "appcenter" / "docs_appleError_threads_binaries.json"

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on showing a window


@pytest.fixture
def zone(monkeypatch):  # type: ignore[no-untyped-def]
    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.delenv("TZ", raising=False)
    time.tzset()


def _open(qtbot, path: Path) -> tuple[MainWindow, DocumentView]:  # type: ignore[no-untyped-def]
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.open_submission(load_path(str(path)), path.name)
    view = window.tabs.currentWidget()
    assert isinstance(view, DocumentView)
    return window, view


def _click_view_tab(qtbot, view: DocumentView, title: str) -> None:  # type: ignore[no-untyped-def]
    bar = view.tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i).startswith(title))
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert view.tabs.currentIndex() == index


def test_the_time_is_said_once_when_local_time_is_utc(qtbot, zone) -> None:  # type: ignore[no-untyped-def]
    zone("UTC")
    _window, view = _open(qtbot, MESSAGE)
    header = view.header.text()
    assert header.count(" UTC") == 1, header
    _click_view_tab(qtbot, view, "Summary")
    summary = view.summary_view.toPlainText()
    assert "Time (local)" not in summary and "Time (UTC)" not in summary and "Time" in summary


def test_the_local_time_comes_first_elsewhere(qtbot, zone) -> None:  # type: ignore[no-untyped-def]
    zone("Asia/Tokyo")
    _window, view = _open(qtbot, MESSAGE)
    header = view.header.text()
    assert "JST" in header and " UTC)" in header
    assert "Time (local)" in view.summary_view.toPlainText()


def test_a_message_is_an_occurrence_not_a_crash(qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, view = _open(qtbot, MESSAGE)
    _click_view_tab(qtbot, view, "Telemetry")
    assert view.timeline._end_label == "occurrence"
    assert occurrence_word(view.document.reports[0]) == "occurrence"


def test_plural_forms_in_the_header(qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, view = _open(qtbot, APPLE)
    header = view.header.text()
    assert "1 errors" not in header and "1 warnings" not in header
    assert plural(1, "error") == "1 error" and plural(2, "error") == "2 errors" and plural(0, "error") == "0 errors"


def test_metadata_times_and_sizes_are_readable_with_the_raw_value_at_hand(qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    metadata = {"device": {"memory_size": 17179869184, "boot_time": 1795373117, "count": 5000, "name": "x"}}
    model = MetadataModel(metadata)
    qtmodeltester.check(model)
    section = model.index(0, 0)
    rows = {model.index(r, 0, section).data(): model.index(r, 1, section) for r in range(model.rowCount(section))}
    assert rows["memory_size"].data() == "16.0 GB"
    assert rows["memory_size"].data(Qt.ItemDataRole.ToolTipRole).startswith("17179869184")
    assert rows["boot_time"].data() == "2026-11-22 18:45:17 UTC"
    assert "1795373117" in rows["boot_time"].data(Qt.ItemDataRole.ToolTipRole)
    assert rows["count"].data() == "5000"  # a count is no size
    assert human_bytes(512) == "512 B" and human_value("timestamp", 1795373117123) == "2026-11-22 18:45:17 UTC"


def test_no_problem_count_while_validating() -> None:
    from inspector.ui.document.views.summary import header_html, summary_html

    submission = load_path(str(MESSAGE))
    colours = dict.fromkeys(("error", "warning", "info", "ok", "dim", "badge", "badge_text"), "#000")
    from inspector.formats import get_format

    report = get_format(submission.format).reports(submission)[0]
    assert "Problems: validating…" in summary_html(submission, report, [], colours, validating=True)
    assert "0 errors" not in summary_html(submission, report, [], colours, validating=True)
    assert "validating…" in header_html(submission, report, [], colours, validating=True)
    assert "Problems: 0 errors, 0 warnings, 0 info" in summary_html(submission, report, [], colours)
