"""The inspector window: opening (paths, drop, clipboard, errors), tabs, views, filter, navigation, copy."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QTreeView

from inspector.formats import load_path
from inspector.formats.jsondoc import resolve
from inspector.report import Frame
from inspector.ui.document import raw_view
from inspector.ui.document.document_view import VIEW_NAMES, DocumentView
from inspector.ui.document.models.roles import KIND_ROLE, OBJECT_ROLE, POINTER_ROLE
from inspector.ui.document.models.stacks_model import LIST_MORE_STEP, MAX_LISTED_FRAMES
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.panels.compose.composer import composer_of
from inspector.ui.window.main_window import ErrorPage, LoadingPage, MainWindow, load_recent
from inspector.ui.workers import wait_all
from tests.conftest import CORPUS
from tests.ui.test_models import million_frame_report

ROLLBAR_CHAIN = CORPUS / "rollbar" / "rollbarjs-node-3.1.0_trace_chain-error-cause_telemetry.json"
BACKTRACE_MULTIPART = CORPUS / "backtrace" / "backtrace-node-0.8.3_exception_multipart_breadcrumbs.request.http"
BACKTRACE_SAUCE = CORPUS / "backtrace" / "saucedocs_api-error-reporting_sample_response.json"
APPCENTER_APPLE = CORPUS / "appcenter" / "docs_appleError_threads_binaries.json"
MINIDUMP = CORPUS / "minidump" / "rust-minidump_macos-x64_segv.dmp"
APPLE_CRASH = CORPUS / "apple" / "rollbar-apple_ios-simulator_swift-index-out-of-range.crash"


@pytest.fixture(autouse=True)
def _read_only_raw_view(monkeypatch) -> None:
    """These tests check the read-only raw view; the editor panel may swap the factory when it installs."""
    monkeypatch.setattr(raw_view, "_factory", raw_view.RawView)


@pytest.fixture
def window(qtbot) -> MainWindow:
    win = MainWindow(install_panels=False)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    yield win
    wait_all()


def open_and_wait(qtbot, window: MainWindow, path: Path) -> DocumentView:
    with qtbot.waitSignal(window.document_opened, timeout=20000):
        window.open_paths([str(path)])
    view = window.current_view()
    assert view is not None
    return view


def view_for(qtbot, path: Path) -> DocumentView:
    document = OpenDocument(load_path(str(path)), path=path)
    view = DocumentView(document)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    return view


def test_open_paths_loads_on_a_worker_into_tabs(qtbot, window: MainWindow) -> None:
    seen: list[object] = []
    window.current_document_changed.connect(seen.append)
    first = open_and_wait(qtbot, window, ROLLBAR_CHAIN)
    assert first.document.format == "rollbar"
    second = open_and_wait(qtbot, window, APPCENTER_APPLE)
    assert window.tabs.count() == 2
    assert window.current_document() is second.document
    assert seen[-1] is second.document
    window.tabs.setCurrentIndex(0)
    assert window.current_document() is first.document
    assert window.windowTitle().startswith(ROLLBAR_CHAIN.name)
    assert load_recent()[0] == str(APPCENTER_APPLE.resolve())  # recent files remembered
    window.close_current_tab()
    assert window.tabs.count() == 1


def test_loading_shows_progress_and_can_be_cancelled(qtbot, window: MainWindow) -> None:
    window.open_paths([str(ROLLBAR_CHAIN)])
    page = window.tabs.currentWidget()
    assert isinstance(page, LoadingPage)
    assert page.progress.maximum() == 0  # a busy bar
    page.cancel_button.click()
    assert window.tabs.count() == 0
    wait_all()
    qtbot.wait(50)  # a cancelled task never delivers: no tab comes back
    assert window.tabs.count() == 0


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (CORPUS / "appcenter" / "SPEC_appcenter-sdk-dotnet_swagger_ingestion.yaml", "not recognized"),
        (CORPUS / "does-not-exist.json", "does-not-exist"),
    ],
)
def test_errors_show_in_the_tab_not_as_tracebacks(qtbot, window: MainWindow, path: Path, expected: str) -> None:
    with qtbot.waitSignal(window.open_failed, timeout=20000) as blocker:
        window.open_paths([str(path)])
    page = window.tabs.currentWidget()
    assert isinstance(page, ErrorPage)
    assert expected in page.message
    assert "Traceback" not in page.message
    assert blocker.args[0] == str(path)  # (invalid JSON opens in the editor instead: tests/ui/test_editor_recover.py)


def test_drop_files_opens_them(qtbot, window: MainWindow) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(ROLLBAR_CHAIN)), QUrl.fromLocalFile(str(APPCENTER_APPLE))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    with qtbot.waitSignals([window.document_opened, window.document_opened], timeout=20000):
        window.dropEvent(event)
    wait_all()
    qtbot.waitUntil(lambda: len(window.document_views()) == 2)
    assert {v.document.format for v in window.document_views()} == {"rollbar", "appcenter"}


def test_open_from_clipboard_json_and_http(qtbot, window: MainWindow) -> None:
    QGuiApplication.clipboard().setText(ROLLBAR_CHAIN.read_text(encoding="utf-8"))
    document = window.open_clipboard()
    assert document is not None and document.format == "rollbar"
    QGuiApplication.clipboard().setText(BACKTRACE_MULTIPART.read_bytes().decode("utf-8"))
    document = window.open_clipboard()
    assert document is not None and document.format == "backtrace"
    assert window.tabs.count() == 2
    QGuiApplication.clipboard().setText("hello, not a payload")
    assert window.open_clipboard() is None
    assert isinstance(window.tabs.currentWidget(), ErrorPage)


def test_file_open_dialog_opens_chosen_files(qtbot, window: MainWindow, monkeypatch) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(APPCENTER_APPLE)], ""))
    with qtbot.waitSignal(window.document_opened, timeout=20000):
        window.findChild(type(window.menu("&File").actions()[0]), "openAction").trigger()
    assert window.current_document().format == "appcenter"


def test_panel_api_for_other_engineers(qtbot, window: MainWindow) -> None:
    label = QLabel("panel body")
    dock = window.add_panel("demo", "Demo", label)
    assert isinstance(dock, QDockWidget) and dock.objectName() == "demoPanel"
    assert window.show_panel("demo") is dock and not dock.isHidden()
    assert window.menu("&Tools") is window.menu("&Tools")
    window.status_message("hello")
    assert window.statusBar().currentMessage() == "hello"


def test_view_menu_has_every_view(window: MainWindow) -> None:
    """One list of the views (inspector.ui.document.view_names): the View menu shows each, Alt+1 onwards."""
    actions = {a.text(): a for a in window.menu("&View").actions()}
    for number, name in enumerate(VIEW_NAMES, start=1):
        assert actions[name.capitalize()].shortcut().toString() == f"Alt+{number}"


def test_every_panel_package_is_listed() -> None:
    """The window installs the panels of an explicit list: a feature package with an ``install`` module left out of
    it would never show."""
    import pkgutil

    import inspector.ui.panels
    from inspector.ui.panels import PANELS, install_module

    packages = sorted(m.name for m in pkgutil.iter_modules(inspector.ui.panels.__path__) if m.ispkg)
    assert sorted(PANELS) == packages and "send" in PANELS
    for name in PANELS:
        assert callable(importlib.import_module(install_module(name)).install)


def test_start_builds_only_the_window(tmp_path: Path) -> None:
    """Issue 9: the shown window imports no format, document view, network or compose module and builds no panel;
    they come with the first file, the first use of an action or the first show of a dock."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from inspector.ui.app import make_app\n"
        "from inspector.ui.window.main_window import MainWindow\n"
        "app = make_app([])\n"
        "w = MainWindow(); w.show(); app.processEvents()\n"
        "assert not w.panel_errors, w.panel_errors\n"
        "assert all(d.widget() is None for d in w.panels().values())\n"
        "heavy = ('inspector.formats', 'inspector.ui.document.open_document',\n"
        "         'inspector.ui.document.document_view', 'inspector.net', 'inspector.compose.drafts',\n"
        "         'inspector.compose.templates', 'inspector.ui.panels.send.send_panel', 'h11',\n"
        "         'pygments', 'inspector.toolkit')\n"
        "loaded = [m for m in heavy if m in sys.modules]\n"
        "assert not loaded, loaded\n"
        "print('ok')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on showing a top-level window
def test_a_panel_joins_its_dock_area_when_first_shown(qtbot) -> None:
    from PySide6.QtCore import Qt

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    dock = window.panel("forms")
    assert dock is not None and dock.isHidden() and dock.widget() is None
    dock.toggleViewAction().trigger()  # View › Panels › Forms
    assert not dock.isHidden() and not dock.isFloating()
    assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert dock.widget() is composer_of(window).forms
    dock.toggleViewAction().trigger()
    assert dock.isHidden()
    history = window.show_panel("history")
    assert window.dockWidgetArea(history) == Qt.DockWidgetArea.BottomDockWidgetArea and history.widget() is not None


def test_real_panels_install_or_are_skipped(qtbot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    for name, dock in window.panels().items():  # whatever installed follows the naming convention
        assert dock.objectName() == f"{name}Panel"
    assert all(isinstance(message, str) for message in window.panel_errors.values())


@pytest.mark.parametrize("path", [ROLLBAR_CHAIN, BACKTRACE_MULTIPART, APPCENTER_APPLE, MINIDUMP, APPLE_CRASH])
def test_every_view_has_content(qtbot, path: Path) -> None:
    view = view_for(qtbot, path)
    report = view.report
    assert report is not None
    assert view.header.text()
    assert view.summary_view.toPlainText()
    if report.exceptions or report.threads:
        assert view.frames_view.model().rowCount() > 0
    assert view.threads_view.model().rowCount() == len(report.threads)
    assert view.binaries_view.model().rowCount() == len(report.binaries)
    assert view.telemetry_view.model().rowCount() == len(report.telemetry)
    view.raw_view.load_now()  # a text above FILL_AT_ONCE (the minidump's hex) waits for the first show otherwise
    assert view.raw_view.loaded and view.raw_view.toPlainText()
    assert view.raw_view.mode == ("hex" if path == MINIDUMP else "text" if path == APPLE_CRASH else "json")
    for name in VIEW_NAMES:
        view.show_view(name)
        assert view.current_view_name() == name
        assert not view.grab().isNull()


def test_crashed_thread_first_and_binary_of_selected_frame(qtbot) -> None:
    view = view_for(qtbot, APPLE_CRASH)
    threads = view.threads_view.model()
    assert threads.stacks[0].crashed
    assert view.threads_view.isExpanded(threads.index(0, 0))
    assert threads.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    # selecting a frame with an address selects the binary containing it
    report = view.report
    stack = threads.index(0, 0)
    for row in range(threads.rowCount(stack)):
        frame = threads.index(row, 0, stack).data(OBJECT_ROLE)
        if frame.address is not None and report.binary_for(frame.address) is not None:
            view.threads_view.setCurrentIndex(threads.index(row, 0, stack))
            binary = view.binaries_view.currentIndex().data(OBJECT_ROLE)
            assert binary is report.binaries[report.binary_for(frame.address)] or binary.contains(frame.address)
            break
    else:
        pytest.fail("no frame with a known binary")


def test_source_pane_marks_the_crashing_line(qtbot) -> None:
    view = view_for(qtbot, ROLLBAR_CHAIN)
    frame = view.frames_view.currentIndex().data(OBJECT_ROLE)
    assert isinstance(frame, Frame) and frame.source is not None
    assert view.source_pane.code.mark_line == frame.source.line
    assert view.source_pane.marked_text() == frame.source.lines[frame.source.line - frame.source.start_line].rstrip()
    assert "JavaScript" in view.source_pane.title.text()


def test_attachments_preview_and_rollbar_note(qtbot) -> None:
    view = view_for(qtbot, BACKTRACE_MULTIPART)
    assert view.attachments_view.model().rowCount() == len(view.report.attachments) == 1
    assert view.attachment_preview.kind in ("text", "hex", "image")
    assert view.attachment_preview.text.toPlainText()
    rollbar = view_for(qtbot, ROLLBAR_CHAIN)
    assert rollbar.attachments_note.text() == "Rollbar items have no attachments."


def test_filter_narrows_every_list(qtbot) -> None:
    view = view_for(qtbot, APPLE_CRASH)
    frames_before = sum(view.threads_view.model().frame_count(s) for s in range(len(view.thread_stacks_)))
    with qtbot.waitSignal(view.filter_applied, timeout=10000):
        view.set_filter_text("UIKit")
    model = view.threads_view.model()
    shown = sum(model.frame_count(model.stack_index(r)) for r in range(model.rowCount()))
    assert 0 < shown < frames_before
    binaries = view.binaries_view.model()
    assert 0 < binaries.rowCount() < len(view.report.binaries)
    assert all(
        "uikit" in binaries.index(r, 0).data().lower() or "uikit" in binaries.index(r, 7).data().lower()
        for r in range(binaries.rowCount())
    )
    with qtbot.waitSignal(view.filter_applied, timeout=10000):
        view.set_filter_text("")
    assert view.binaries_view.model().rowCount() == len(view.report.binaries)


def test_filter_typing_is_debounced(qtbot) -> None:
    view = view_for(qtbot, ROLLBAR_CHAIN)
    with qtbot.waitSignal(view.filter_applied, timeout=10000) as blocker:
        qtbot.keyClicks(view.filter_edit, "level2")
    assert blocker.args == ["level2"]
    model = view.frames_view.model()
    assert model.rowCount() == 1
    assert model.index(0, 1, model.index(0, 0)).data() == "level2"


def test_filter_a_million_frames_in_the_window(qtbot) -> None:

    report = million_frame_report()
    document = OpenDocument(load_path(str(ROLLBAR_CHAIN)))
    document.reports = [report]
    view = DocumentView(document)
    qtbot.addWidget(view)
    model = view.frames_view.model()
    assert model.frame_count(0) == 1_000_000
    assert model.rowCount(model.index(0, 0)) == MAX_LISTED_FRAMES + 1  # and a "more frames" row
    hidden = f"{1_000_000 - MAX_LISTED_FRAMES:,} more frames"
    assert hidden in model.index(MAX_LISTED_FRAMES, 1, model.index(0, 0)).data()
    with qtbot.waitSignal(view.filter_applied, timeout=60000):  # its speed: bench/bench_open.py (filter rows)
        view.set_filter_text("needle_in")
    model = view.frames_view.model()
    assert model.rowCount(model.index(0, 0)) == 1


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_clicking_into_the_filter_box_indexes_a_big_report_once(qtbot, monkeypatch) -> None:
    """A click into the filter box indexes the million frames on a worker; the filter typed meanwhile waits for
    that index instead of building its own: each list is indexed once, and the result is the same."""
    from inspector.ui.document.models.filtering import SearchIndex

    builds: list[int] = []
    real_build = SearchIndex.build.__func__  # type: ignore[attr-defined]

    def counting(cls, rows, check=None):  # type: ignore[no-untyped-def]
        builds.append(len(rows))
        return real_build(cls, rows, check)

    monkeypatch.setattr(SearchIndex, "build", classmethod(counting))
    document = OpenDocument(load_path(str(ROLLBAR_CHAIN)))
    document.reports = [million_frame_report()]
    view = DocumentView(document)
    qtbot.addWidget(view)
    view.show()
    qtbot.mouseClick(view.filter_edit, Qt.MouseButton.LeftButton)
    view.filter_edit.setFocus()  # the offscreen platform may not move the focus on a click
    qtbot.waitUntil(lambda: builds == [1_000_000], timeout=10000)  # the focus started it: nothing is typed yet
    with qtbot.waitSignal(view.filter_applied, timeout=60000) as applied:
        qtbot.keyClicks(view.filter_edit, "needle_in")
    assert applied.args == ["needle_in"]
    model = view.frames_view.model()
    assert model.rowCount(model.index(0, 0)) == 1
    assert builds == [1_000_000]  # by the click; the filter found the index there
    assert isinstance(view.report.exceptions[0].frames.search_cache, SearchIndex)


def test_a_huge_metadata_object_opens_collapsed(qtbot) -> None:
    """A metadata section with more children than EXPAND_CHILDREN (a Rollbar ``custom`` of 110 000 keys took 8 s to
    lay out) stays collapsed when the report opens; the small sections open as before, and the big one opens on
    demand."""
    from inspector.ui.document.tree_layout import EXPAND_CHILDREN

    report = million_frame_report(10)
    report.metadata = {"custom": {f"key{i}": i for i in range(EXPAND_CHILDREN + 1)}, "server": {"host": "web4"}}
    document = OpenDocument(load_path(str(ROLLBAR_CHAIN)))
    document.reports = [report]
    view = DocumentView(document)
    qtbot.addWidget(view)
    view.show_view("metadata")
    model = view.metadata_view.model()
    rows = {model.index(r, 0).data(): model.index(r, 0) for r in range(model.rowCount())}
    assert not view.metadata_view.isExpanded(rows["custom"]) and view.metadata_view.isExpanded(rows["server"])
    view.metadata_view.expand(rows["custom"])
    assert model.rowCount(rows["custom"]) == EXPAND_CHILDREN + 1


def test_more_row_lists_more_frames_and_keeps_the_view(qtbot) -> None:
    report = million_frame_report()
    document = OpenDocument(load_path(str(ROLLBAR_CHAIN)))
    document.reports = [report]
    view = DocumentView(document)
    qtbot.addWidget(view)
    tree = view.frames_view
    model = tree.model()
    stack = model.index(0, 0)
    assert tree.isExpanded(stack)
    tree.setCurrentIndex(model.index(3, 0, stack))
    more = model.index(MAX_LISTED_FRAMES, 0, stack)
    assert more.data(KIND_ROLE) == "more"
    tree.activated.emit(more)  # double-click or Enter
    stack = model.index(0, 0)
    assert model.rowCount(stack) == MAX_LISTED_FRAMES + LIST_MORE_STEP + 1
    assert tree.isExpanded(stack) and model.path(tree.currentIndex()) == (0, 3)
    assert model.index(MAX_LISTED_FRAMES, 0, stack).data(KIND_ROLE) == "frame"
    # a frame far beyond the listing is listed when something asks for it (a problem, "show in tree")
    pointer = report.exceptions[0].frames[123_456].pointer
    assert "frames" in view.select_rows_for_pointer(pointer)
    assert tree.currentIndex().data(OBJECT_ROLE) is not None
    assert model.path(tree.currentIndex()) == (0, 123_456)


def test_most_recent_first_toggle_flips_frames(qtbot) -> None:
    view = view_for(qtbot, ROLLBAR_CHAIN)  # Rollbar lists the oldest frame first
    assert not view.order_toggle.isChecked()
    model = view.frames_view.model()
    cause = model.index(1, 0)
    assert model.index(0, 0, cause).data() == "2"
    view.order_toggle.setChecked(True)
    cause = model.index(1, 0)
    assert model.index(0, 0, cause).data() == "0"
    assert model.index(0, 1, cause).data() == "level3"


def test_problem_activation_selects_raw_text_and_tree_row(qtbot) -> None:
    view = view_for(qtbot, BACKTRACE_SAUCE)
    problems = view.problems_view.model()
    row = next(r for r in range(problems.rowCount()) if problems.index(r, 0).data(POINTER_ROLE).endswith("/0/line"))
    pointer = problems.index(row, 0).data(POINTER_ROLE)
    view.problems_view.activated.emit(problems.index(row, 0))
    assert view.current_view_name() == "raw"
    expected = json.dumps(resolve(view.document.document.value, pointer), ensure_ascii=False)
    assert view.raw_view.selected_text() == expected
    frame = view.threads_view.currentIndex().siblingAtColumn(0).data(OBJECT_ROLE)
    assert isinstance(frame, Frame) and pointer.startswith(frame.pointer + "/")


@pytest.mark.parametrize("path", [ROLLBAR_CHAIN, APPCENTER_APPLE])
def test_select_pointer_selects_objects_and_frames(qtbot, path: Path) -> None:
    view = view_for(qtbot, path)
    stack = next(s for s in view.frames_model.stacks if len(s.frames))
    frame = stack.frames[len(stack.frames) - 1]
    assert view.select_pointer(frame.pointer)
    selected = json.loads(view.raw_view.selected_text())
    assert selected == resolve(view.document.document.value, frame.pointer)
    assert view.frames_view.currentIndex().data(OBJECT_ROLE).pointer == frame.pointer


def test_copy_row_frame_and_stack(qtbot) -> None:
    view = view_for(qtbot, ROLLBAR_CHAIN)
    tree: QTreeView = view.frames_view
    text = view.copy_rows(tree)
    assert "rollbar_cap.js:47" in text and QGuiApplication.clipboard().text() == text
    assert view.copy_frame_location(tree) == "/srv/app/rollbar_cap.js:47:12"
    stack = view.copy_stack(tree)
    assert stack.splitlines()[0].startswith("Error: lookup failed")
    tree.setFocus()
    QGuiApplication.clipboard().setText("")
    tree.actions()[0].trigger()
    assert "rollbar_cap.js:47" in QGuiApplication.clipboard().text()


def test_appcenter_batch_report_selector(qtbot, tmp_path: Path) -> None:
    data = json.loads(APPCENTER_APPLE.read_text(encoding="utf-8"))
    log = data["logs"][0]
    second = json.loads(json.dumps(log))
    second["id"] = "11111111-2222-3333-4444-555555555555"
    second["osExceptionType"] = "SecondIssue"
    data["logs"].append(second)
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    view = view_for(qtbot, path)
    assert len(view.document.reports) == 2
    assert not view.report_selector.isHidden() and view.report_selector.count() == 2
    view.report_selector.setCurrentIndex(1)
    assert view.report_index == 1
    assert "SecondIssue" in view.header.text()


def test_context_menu_offers_copy_actions(qtbot) -> None:
    view = view_for(qtbot, ROLLBAR_CHAIN)
    view.frames_view.scrollToTop()
    current = view.frames_view.currentIndex()
    rect = view.frames_view.visualRect(current)
    menu = view.context_menu_for(view.frames_view, rect.center())
    texts = [a.text() for a in menu.actions()]
    assert texts == ["Copy row", "Copy frame as file:line", "Copy stack as text", "Show in raw view"]
    menu.actions()[3].trigger()
    assert view.current_view_name() == "raw"
    assert view.raw_view.selected_text().startswith("{")


def test_native_files_keep_the_read_only_view_when_the_editor_is_installed(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(raw_view, "_factory", lambda document, parent=None: QLabel("an editor"))
    native = view_for(qtbot, MINIDUMP)
    assert isinstance(native.raw_view, raw_view.RawView) and native.raw_view.mode == "hex"
    native.raw_view.load_now()
    assert native.raw_view.toPlainText().startswith("00000000  4d 44 4d 50")  # "MDMP"
    json_view = view_for(qtbot, ROLLBAR_CHAIN)
    assert isinstance(json_view.raw_view, QLabel)


def test_big_documents_show_their_own_text_and_still_navigate(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(raw_view, "RAW_TEXT_LIMIT", 2000)  # the same path a 100 MB payload takes
    view = view_for(qtbot, ROLLBAR_CHAIN)
    assert view.raw_view.mode == "json-text" and view.raw_view.truncated
    assert view.raw_view.select_pointer("/data/level")
    assert view.raw_view.selected_text() == '"critical"'
    assert not view.raw_view.select_pointer("/data/body/telemetry/2")  # beyond the cut


def test_self_test_passes_on_the_bundled_samples(qapp, capsys) -> None:
    from inspector.ui.app import run_self_test

    assert run_self_test() == 0
    assert "self-test ok: 4 samples" in capsys.readouterr().out


def test_recent_and_sample_menus(qtbot, window: MainWindow) -> None:
    assert len(window.samples_menu.actions()) == 4
    assert not window.recent_menu.isEnabled()
    open_and_wait(qtbot, window, ROLLBAR_CHAIN)
    assert [a.text() for a in window.recent_menu.actions()] == [str(ROLLBAR_CHAIN.resolve())]
    with qtbot.waitSignal(window.document_opened, timeout=20000):
        window.samples_menu.actions()[0].trigger()
    assert window.tabs.count() == 2


def test_attachment_preview_image_text_and_hex(qtbot) -> None:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage as Image

    from inspector.report import Attachment
    from inspector.ui.document.views.attachment_preview import AttachmentPreview

    image = Image(8, 8, Image.Format.Format_RGB32)
    image.fill(0xFF3366)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    png = bytes(data.data())
    preview = AttachmentPreview()
    qtbot.addWidget(preview)
    preview.show_attachment(Attachment("shot.png", "image/png", len(png), lambda: png))
    assert preview.kind == "image" and preview.image.pixmap().width() == 8
    preview.show_attachment(Attachment("core.bin", None, 4, lambda: b"\x00\x01\x02\xff"))
    assert preview.kind == "hex" and preview.text.toPlainText().startswith("00000000  00 01 02 ff")
    preview.show_attachment(Attachment("log.txt", "text/plain", 5, lambda: b"hello"))
    assert preview.kind == "text" and preview.text.toPlainText() == "hello"

    def broken() -> bytes:
        raise ValueError("not base64")

    preview.show_attachment(Attachment("bad", None, 0, broken))
    assert preview.kind == "error" and "not base64" in preview.message.text()


def test_excepthook_logs_and_shows_one_dialog(qapp, monkeypatch, caplog) -> None:
    from PySide6.QtWidgets import QMessageBox

    from inspector.ui import app

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        app.excepthook(RuntimeError, exc, exc.__traceback__)
    assert shown == ["RuntimeError: boom"]
    assert "uncaught exception" in caplog.text and "boom" in caplog.text


def test_dark_palette_gives_light_text_colours(qapp) -> None:
    from PySide6.QtGui import QColor, QPalette

    from inspector.ui import style

    original = qapp.palette()
    dark = QPalette(original)
    dark.setColor(QPalette.ColorRole.Window, QColor(30, 30, 30))
    dark.setColor(QPalette.ColorRole.Base, QColor(20, 20, 20))
    dark.setColor(QPalette.ColorRole.Text, QColor(230, 230, 230))
    try:
        qapp.setPalette(dark)
        assert style.is_dark()
        assert style.dim_text().lightness() > 80  # readable on the dark base
        assert style.level_colour("error").lightness() > 120
        assert style.accent_background().lightness() < 80  # a tint of the dark base, not a white box
    finally:
        qapp.setPalette(original)


def big_appcenter_batch(tmp_path: Path, megabytes: float) -> Path:
    """An App Center batch of many copies of a docs example (distinct ids), about ``megabytes`` big."""
    source = json.loads((CORPUS / "appcenter" / "docs_managedError_android_innerExceptions.json").read_text("utf-8"))
    log = source["logs"][0]
    one = len(json.dumps(log))
    count = max(2, int(megabytes * 2**20 / one))
    logs = []
    for i in range(count):
        copy = json.loads(json.dumps(log))
        copy["id"] = f"00000000-0000-4000-8000-{i:012d}"
        logs.append(copy)
    path = tmp_path / "batch.json"
    path.write_text(json.dumps({"logs": logs}), encoding="utf-8")
    return path


def test_background_validation_keeps_the_reading_position(qtbot, tmp_path: Path) -> None:
    path = big_appcenter_batch(tmp_path, 2.5)  # above BIG_DOCUMENT: validated on the pool
    document = OpenDocument(load_path(str(path)), path=path)
    view = DocumentView(document)
    qtbot.addWidget(view)
    model = view.frames_view.model()
    chosen = model.index(3, 0, model.index(0, 0))
    view.frames_view.setCurrentIndex(chosen)
    if document.validating:
        with qtbot.waitSignal(document.changed, timeout=60000):
            pass
    assert view.frames_view.model() is model  # not rebuilt
    assert view.frames_view.currentIndex() == chosen
    assert view.problems_view.model().rowCount() == len(document.problems) > 0
    assert "error" in view.header.text()


def test_big_raw_documents_highlight_only_what_is_visible(qtbot) -> None:
    value = {"items": [{"n": i, "name": f"item {i}"} for i in range(5000)]}
    submission = load_path(str(ROLLBAR_CHAIN))
    from inspector.formats.jsondoc import Document

    submission.document = Document.from_value(value)
    document = OpenDocument(submission)
    view = raw_view.RawView(document)
    qtbot.addWidget(view)
    view.resize(800, 400)
    view.highlight_visible()
    assert view.highlighter is not None and view.highlighter.lazy
    assert 0 < len(view.highlighter._wanted) < 200
    assert view.select_pointer("/items/4000/name")
    assert view.selected_text() == '"item 4000"'
    assert view.textCursor().blockNumber() in view.highlighter._wanted  # scrolling there coloured it


def test_a_deferred_class_being_imported_elsewhere_has_no_instances(monkeypatch) -> None:
    """The loading worker imports document_view while the GUI thread lists its tabs: a module still being
    initialized (no class yet) must answer False, not raise."""
    import sys
    import types

    from inspector.ui.lazy import Deferred

    half = types.ModuleType("crash_inspector_half_imported")
    monkeypatch.setitem(sys.modules, half.__name__, half)
    deferred = Deferred(half.__name__, "Thing")
    assert not isinstance(object(), deferred)
    half.Thing = type("Thing", (), {})
    assert isinstance(half.Thing(), deferred)
    assert not isinstance(object(), Deferred("crash_inspector_never_imported", "X"))  # a module never imported


def test_a_big_file_opened_in_the_window_is_validated(qtbot, window: MainWindow, tmp_path: Path) -> None:
    """The real loading path (a worker builds the document, then hands it to the GUI thread): a big document's
    first validation, started after the first paint, must run and place its problems (it once armed its timer on
    the worker thread, where it never fired)."""
    from inspector.services.document_text import BIG_DOCUMENT

    threads = {
        str(t): {"name": f"t{t}", "stack": [{"funcName": f"f{t}_{i}", "line": i} for i in range(60)]}
        for t in range(BIG_DOCUMENT // 2000)
    }
    threads["7"]["stack"][3]["line"] = "three"
    payload = {"uuid": "4c2b7a3e-1111-4a4a-9b9b-123456789abc", "timestamp": 1_700_000_000, "lang": "c"}
    payload |= {"langVersion": "1", "agent": "a", "agentVersion": "1", "mainThread": "0", "threads": threads}
    path = tmp_path / "big.json"
    path.write_bytes(json.dumps(payload).encode())
    assert path.stat().st_size > BIG_DOCUMENT
    view = open_and_wait(qtbot, window, path)
    document = view.document
    assert document.is_big
    qtbot.waitUntil(lambda: not document.validating, timeout=60000)
    assert any(p.pointer == "/threads/7/stack/3/line" for p in document.problems)
