"""Issue 14's everyday path, driven by keyboard and mouse in the real window with every panel installed: Find and
Replace, files that open read-only and are never written by accident, layout at laptop sizes, empty views, the
desktop conventions (Ctrl+N, Close All, F1, Preferences, Escape, session, menus)."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMenu, QMessageBox, QWidget

from inspector import settings
from inspector.ui.document.document_view import DocumentView
from inspector.ui.document.editor import EditorWidget
from inspector.ui.panels.compose.composer import composer_of
from inspector.ui.window import preferences
from inspector.ui.window.main_window import MainWindow
from inspector.ui.workers import wait_all
from tests.conftest import CORPUS

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")

ROLLBAR = CORPUS / "rollbar" / "rollbarjs-node-3.1.0_trace_chain-error-cause_telemetry.json"
APPCENTER_APPLE = CORPUS / "appcenter" / "docs_appleError_threads_binaries.json"
MINIDUMP = CORPUS / "minidump" / "rust-minidump_macos-x64_segv.dmp"


@pytest.fixture(autouse=True)
def _fresh_settings() -> None:
    preferences.forget_current()
    yield
    preferences.forget_current()


@pytest.fixture
def window(qtbot) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    assert not win.panel_errors
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    wait_all()


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def open_file(qtbot, window: MainWindow, path: Path) -> DocumentView:
    with qtbot.waitSignal(window.document_opened, timeout=20000):
        window.open_paths([str(path)])
    view = window.current_view()
    assert view is not None
    return view


def press(qtbot, window: MainWindow, keys: str) -> None:
    """Press a key sequence ("Ctrl+Shift+W") where the keyboard focus is, as a user does."""
    sequence = QKeySequence(keys)
    combo = sequence[0]
    if QApplication.activeWindow() is not window:  # back from a dialog: the window is active again
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    target = QApplication.focusWidget() or window
    QTest.keyClick(target, combo.key(), combo.keyboardModifiers())


def answer_modal(answer: Callable[[QWidget], None], seen: list[str], tries: int = 400) -> None:
    """When a modal dialog comes up (inside the event loop it runs), record its title and ``answer`` it."""

    def check(left: int = tries) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            if left:
                QTimer.singleShot(10, lambda: check(left - 1))
            return
        seen.append(dialog.windowTitle())
        answer(dialog)

    QTimer.singleShot(0, check)


def key_answer(key: Qt.Key) -> Callable[[QWidget], None]:
    return lambda dialog: QTest.keyClick(dialog, key)


def focus_editor(qtbot, window: MainWindow, view: DocumentView) -> EditorWidget:
    press(qtbot, window, "Alt+9")  # View › Raw
    editor = view.raw_view
    assert isinstance(editor, EditorWidget)
    qtbot.waitUntil(lambda: editor.loaded)
    qtbot.mouseClick(editor.edit.viewport(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.edit.hasFocus())
    return editor


# ------------------------------------------------------------------------------------------- 1. Find / Replace


def test_ctrl_f_finds_in_the_editor_and_filters_elsewhere(qtbot, window: MainWindow, qtlog) -> None:
    view = open_file(qtbot, window, ROLLBAR)
    text_before = view.document.text
    press(qtbot, window, "Alt+2")  # frames
    qtbot.mouseClick(view.frames_view.viewport(), Qt.MouseButton.LeftButton)
    press(qtbot, window, "Ctrl+F")
    assert view.filter_edit.hasFocus()

    editor = focus_editor(qtbot, window, view)
    press(qtbot, window, "Ctrl+F")
    assert editor.find_bar.isVisible() and editor.find_bar.find_edit.hasFocus()
    QTest.keyClicks(editor.find_bar.find_edit, "lookup")
    QTest.keyClick(editor.find_bar.find_edit, Qt.Key.Key_Return)
    assert editor.edit.textCursor().selectedText() == "lookup"
    assert view.document.text == text_before and not view.document.modified  # nothing typed into the payload

    qtbot.mouseClick(editor.edit.viewport(), Qt.MouseButton.LeftButton)
    press(qtbot, window, "Ctrl+H")
    assert editor.find_bar.replace_edit.hasFocus()
    assert not [r for r in qtlog.records if "Ambiguous shortcut" in r.message]

    edit_menu = window.menu("&Edit")
    names = [a.objectName() for a in edit_menu.actions()]
    assert "findAction" in names and "replaceAction" in names
    replace = window.findChild(QAction, "replaceAction")
    assert replace.shortcuts() == QKeySequence.keyBindings(QKeySequence.StandardKey.Replace)


def _scopes(obj: QObject, window: MainWindow) -> list[tuple[str, QWidget]]:
    """Where a shortcut can fire: the whole window, one widget, or a widget and its children."""
    if isinstance(obj, QShortcut):
        context, widgets = obj.context(), [obj.parent()]
    else:
        context, widgets = obj.shortcutContext(), [w for w in obj.associatedObjects() if isinstance(w, QWidget)]
    scopes: list[tuple[str, QWidget]] = []
    for widget in widgets:
        if widget is None:
            continue
        if context in (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut):
            owner: QWidget | None = widget
            while owner is not None and owner is not window:  # a menu of the menu bar belongs to the window
                owner = owner.parentWidget()
            if owner is window:
                scopes.append(("window", window))
        elif context == Qt.ShortcutContext.WidgetWithChildrenShortcut:
            scopes.append(("subtree", widget))
        else:
            scopes.append(("widget", widget))
    return scopes


def _inside(child: QWidget, parent: QWidget) -> bool:
    while child is not None:
        if child is parent:
            return True
        child = child.parentWidget()
    return False


def _overlap(a: tuple[str, QWidget], b: tuple[str, QWidget]) -> bool:
    (kind_a, wa), (kind_b, wb) = a, b
    if "window" in (kind_a, kind_b):
        return True
    if kind_a == "widget" and kind_b == "widget":
        return wa is wb
    if kind_a == "subtree" and _inside(wb, wa):
        return True
    return kind_b == "subtree" and _inside(wa, wb)


def ambiguous_shortcuts(window: MainWindow) -> list[str]:
    """Every pair of actions/shortcuts with the same keys whose scopes overlap (Qt fires neither of them)."""
    bindings: list[tuple[str, QObject, tuple[str, QWidget]]] = []
    for obj in [*window.findChildren(QAction), *window.findChildren(QShortcut)]:
        keys = obj.shortcuts() if isinstance(obj, QAction) else [obj.key()]
        for key in keys:
            if key.isEmpty():
                continue
            for scope in _scopes(obj, window):
                bindings.append((key.toString(QKeySequence.SequenceFormat.PortableText), obj, scope))
    found = []
    for i, (key, obj, scope) in enumerate(bindings):
        for other_key, other, other_scope in bindings[i + 1 :]:
            if key == other_key and other is not obj and _overlap(scope, other_scope):
                label = obj.text() if isinstance(obj, QAction) else obj.objectName() or type(obj).__name__
                other_label = other.text() if isinstance(other, QAction) else other.objectName()
                found.append(f"{key}: {label!r} and {other_label!r}")
    return found


def test_no_shortcut_is_ambiguous_anywhere_in_the_window(qtbot, window: MainWindow) -> None:
    for path in (ROLLBAR, APPCENTER_APPLE, MINIDUMP):
        view = open_file(qtbot, window, path)
        for name in ("raw", "frames", "metadata"):
            view.show_view(name)
    for name in window.panels():
        window.show_panel(name)
    QApplication.processEvents()
    keyed = [a for a in window.findChildren(QAction) if a.shortcuts()]
    assert len(keyed) > 20  # the menus, the views' copy actions, the panels' actions are all there
    assert ambiguous_shortcuts(window) == []


def test_the_scan_finds_a_planted_duplicate(qtbot, window: MainWindow) -> None:
    view = open_file(qtbot, window, ROLLBAR)
    planted = QShortcut(QKeySequence("Ctrl+O"), view.frames_view)  # File › Open has Ctrl+O for the whole window
    planted.setObjectName("planted")
    assert any("planted" in line for line in ambiguous_shortcuts(window))


# ------------------------------------------------------------------------------------------- 2. read-only


def test_no_key_sequence_short_of_an_explicit_save_changes_an_opened_file(qtbot, window: MainWindow, tmp_path) -> None:
    evidence = tmp_path / "customer.json"
    shutil.copy(ROLLBAR, evidence)
    before = md5(evidence)
    view = open_file(qtbot, window, evidence)
    doc = view.document
    assert doc.read_only and view.read_only_bar.isVisible()
    assert "(read-only)" in window.windowTitle()

    editor = focus_editor(qtbot, window, view)
    QTest.keyClicks(editor.edit, "typed into the evidence")
    for keys in ("Return", "Delete", "Backspace", "Ctrl+X", "Ctrl+V", "Ctrl+Z", "Ctrl+Y", "Ctrl+Shift+Z"):
        press(qtbot, window, keys)
    assert not doc.modified and doc.save_data()[0] == ROLLBAR.read_bytes()  # (shown formatted for reading)
    seen: list[str] = []
    answer_modal(key_answer(Qt.Key.Key_Escape), seen)
    press(qtbot, window, "Ctrl+S")  # an unedited read-only document: Save asks where (and is cancelled)
    assert seen == ["Save As"]
    assert md5(evidence) == before

    # Edit a Copy: the file stays; the copy is untitled, marked modified, saved only through Save As.
    qtbot.mouseClick(view.read_only_bar.copy_button, Qt.MouseButton.LeftButton)
    assert not doc.read_only and doc.path is None and doc.title == "Untitled (from customer.json)"
    qtbot.mouseClick(editor.edit.viewport(), Qt.MouseButton.LeftButton)
    QTest.keyClick(editor.edit, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor.edit, " ")
    qtbot.waitUntil(lambda: doc.modified and window.isWindowModified())
    assert window.tabs.tabText(window.tabs.currentIndex()).endswith("*")
    answer_modal(key_answer(Qt.Key.Key_Escape), seen)
    press(qtbot, window, "Ctrl+S")
    assert seen[-1] == "Save As"
    answer_modal(key_answer(Qt.Key.Key_Return), seen)
    press(qtbot, window, "Ctrl+W")  # the close prompt: Enter takes the default button, which keeps the tab
    assert seen[-1] == "Unsaved changes" and window.tabs.count() == 1, seen
    answer_modal(key_answer(Qt.Key.Key_Escape), seen)
    press(qtbot, window, "Ctrl+W")
    assert window.tabs.count() == 1
    for keys in ("Ctrl+Z", "Ctrl+Z", "Ctrl+Y"):
        press(qtbot, window, keys)
    assert md5(evidence) == before

    def discard(dialog: QWidget) -> None:
        assert isinstance(dialog, QMessageBox)
        assert dialog.defaultButton() is dialog.button(QMessageBox.StandardButton.Cancel)
        qtbot.mouseClick(dialog.button(QMessageBox.StandardButton.Discard), Qt.MouseButton.LeftButton)

    if doc.modified:
        answer_modal(discard, seen)
    press(qtbot, window, "Ctrl+W")
    assert window.tabs.count() == 0 and md5(evidence) == before

    # The one way to write it: Edit This File, then Save — which the test sees (so it can fail).
    view = open_file(qtbot, window, evidence)
    qtbot.mouseClick(view.read_only_bar.edit_button, Qt.MouseButton.LeftButton)
    editor = focus_editor(qtbot, window, view)
    QTest.keyClick(editor.edit, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor.edit, " ")
    qtbot.waitUntil(lambda: view.document.modified)
    count = len(seen)
    press(qtbot, window, "Ctrl+S")
    assert len(seen) == count  # no dialog: the user chose to edit this file
    assert md5(evidence) != before and evidence.read_text(encoding="utf-8").startswith(" ")
    assert not view.document.modified and not window.tabs.tabText(window.tabs.currentIndex()).endswith("*")


def test_an_edit_through_the_forms_starts_a_copy(qtbot, window: MainWindow, tmp_path) -> None:
    evidence = tmp_path / "customer.json"
    shutil.copy(ROLLBAR, evidence)
    view = open_file(qtbot, window, evidence)
    window.show_panel("forms")
    forms = composer_of(window).forms
    field = forms.findChild(QWidget, "field:message") or next(
        w
        for w in forms.findChildren(QWidget)
        if getattr(w, "text", None) and callable(w.text) and w.text() == "lookup failed"
    )
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    QTest.keyClick(field, Qt.Key.Key_End)
    QTest.keyClicks(field, "!")
    QTest.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.document.modified)
    assert view.document.path is None and view.document.title.startswith("Untitled (from customer.json")
    assert evidence.read_bytes() == ROLLBAR.read_bytes()


def test_clipboard_documents_open_read_only(qtbot, window: MainWindow) -> None:
    QApplication.clipboard().setText(ROLLBAR.read_text(encoding="utf-8"))
    window.show()
    press(qtbot, window, "Ctrl+Shift+V")
    doc = window.current_document()
    assert doc is not None and doc.read_only
    assert not window.findChild(QAction, "editInPlaceAction").isEnabled()  # no file to edit in place
    assert window.findChild(QAction, "editCopyAction").isEnabled()


# ------------------------------------------------------------------------------------------- 9. layout


@pytest.mark.parametrize("size", [(1280, 800), (1366, 768)])
def test_every_panel_open_leaves_the_document_room(qtbot, window: MainWindow, size) -> None:
    window.resize(*size)
    open_file(qtbot, window, APPCENTER_APPLE)
    QApplication.processEvents()
    for name in window.panels():
        window.show_panel(name)
        QApplication.processEvents()
    assert (window.width(), window.height()) == size  # the window never widens itself
    central = window.centralWidget()
    assert central.width() >= 0.5 * size[0] and central.height() >= 0.5 * size[1]
    docks = [d for d in window.findChildren(QDockWidget) if d.isVisible() and not d.isFloating()]
    areas = {window.dockWidgetArea(d) for d in docks}
    assert all(
        len([d for d in docks if window.dockWidgetArea(d) == a]) == 1
        or window.tabifiedDockWidgets(next(d for d in docks if window.dockWidgetArea(d) == a))
        for a in areas
    )  # one area: tabs, not a stack


def test_columns_fit_and_remember_the_users_widths(qtbot, window: MainWindow, tmp_path) -> None:
    view = open_file(qtbot, window, APPCENTER_APPLE)
    press(qtbot, window, "Alt+3")  # threads
    tree = view.threads_view
    header = tree.header()
    qtbot.waitUntil(lambda: header.sectionSize(1) > 0)
    total = sum(header.sectionSize(c) for c in range(header.count()))
    assert total <= tree.viewport().width() + 2  # no column cut off, no sideways scrolling
    assert header.sectionResizeMode(1).name == "Stretch"  # the function column takes the room
    # drag the border of the Location column 60 px wider
    x = header.sectionViewportPosition(2) + header.sectionSize(2) - 1
    y = header.height() // 2
    old = header.sectionSize(2)
    QTest.mousePress(header.viewport(), Qt.MouseButton.LeftButton, pos=_point(x, y))
    QTest.mouseMove(header.viewport(), _point(x + 30, y))
    QTest.mouseMove(header.viewport(), _point(x + 60, y))
    QTest.mouseRelease(header.viewport(), Qt.MouseButton.LeftButton, pos=_point(x + 60, y))
    assert header.sectionSize(2) > old + 30
    dragged = header.sectionSize(2)
    assert preferences.current_settings().column_widths["threads-native"][2] == dragged
    assert preferences.save_current()
    preferences.forget_current()
    again = open_file(qtbot, window, APPCENTER_APPLE)
    press(qtbot, window, "Alt+3")
    qtbot.waitUntil(lambda: again.threads_view.header().sectionSize(2) == dragged)


def _point(x: int, y: int):
    from PySide6.QtCore import QPoint

    return QPoint(x, y)


def test_empty_views_say_why(qtbot, window: MainWindow) -> None:
    view = open_file(qtbot, window, ROLLBAR)
    press(qtbot, window, "Alt+3")
    note = view.findChild(QLabel, "threadsViewEmptyNote")
    assert note.isVisible() and note.text() == "Rollbar items carry no threads: the exception's stack is under Frames."
    press(qtbot, window, "Alt+4")
    assert view.findChild(QLabel, "binariesViewEmptyNote").isVisible()
    press(qtbot, window, "Alt+2")
    assert not view.findChild(QLabel, "framesViewEmptyNote").isVisible()  # the frames are there
    qtbot.mouseClick(view.filter_edit, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(view.filter_applied, timeout=10000):
        QTest.keyClicks(view.filter_edit, "no-such-thing-anywhere")
    assert view.findChild(QLabel, "framesViewEmptyNote").text().startswith("Nothing here matches the filter")


# ------------------------------------------------------------------------------------------- 14. conventions


def test_ctrl_n_offers_the_templates_and_enter_opens_one(qtbot, window: MainWindow) -> None:
    window.activateWindow()
    press(qtbot, window, "Ctrl+N")
    menu = window.findChild(QMenu, "newMenu")
    qtbot.waitUntil(menu.isVisible)
    QTest.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_document() is not None)
    doc = window.current_document()
    assert doc.title.startswith("New ") and not doc.read_only and doc.path is None


def test_close_all_tabs(qtbot, window: MainWindow) -> None:
    for path in (ROLLBAR, APPCENTER_APPLE, MINIDUMP):
        open_file(qtbot, window, path)
    assert window.tabs.count() == 3
    press(qtbot, window, "Ctrl+Shift+W")
    assert window.tabs.count() == 0 and window.stack.currentWidget() is window.welcome


def test_f1_opens_help_with_the_guide_the_shortcuts_and_the_files(qtbot, window: MainWindow) -> None:
    from inspector.ui.window.help import HelpWindow

    press(qtbot, window, "F1")
    help_window = window.findChild(HelpWindow)
    assert help_window is not None and help_window.isVisible()
    assert "Crash Inspector" in help_window.guide.toPlainText() and "Keyboard" in help_window.guide.toPlainText()
    assert "![" not in help_window.guide.toMarkdown()  # the README's screenshots are left out
    shortcuts = help_window.shortcuts.toPlainText()
    for text in ("Find", "Ctrl+F", "Replace", "Ctrl+H", "Close All Tabs", "Ctrl+Shift+W", "Preferences"):
        assert text in shortcuts
    files = help_window.files.toPlainText()
    assert str(settings.log_path()) in files and "PySide6" in files


def test_preferences_by_keyboard(qtbot, window: MainWindow) -> None:
    from inspector.ui.window.preferences import PreferencesDialog

    press(qtbot, window, "Ctrl+,")
    dialog = window.findChild(PreferencesDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.mouseClick(dialog.theme, Qt.MouseButton.LeftButton)
    QTest.keyClick(dialog.theme.view(), Qt.Key.Key_End)
    QTest.keyClick(dialog.theme.view(), Qt.Key.Key_Return)
    assert dialog.theme.currentData() == "dark"
    qtbot.mouseClick(dialog.format_raw, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.symbol_paths.viewport(), Qt.MouseButton.LeftButton)
    QTest.keyClicks(dialog.symbol_paths, "/symbols/one")
    with qtbot.waitSignal(window.settings_changed):
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    saved = json.loads(settings.settings_path().read_text(encoding="utf-8"))
    assert saved["theme"] == "dark" and saved["format_raw_view"] is False
    assert saved["symbol_paths"] == ["/symbols/one"] and saved["schema"] == settings.SCHEMA_VERSION
    from PySide6.QtGui import QPalette

    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128  # dark now
    preferences.apply_theme("system")
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() >= 128


def test_escape_clears_the_filter_and_the_filter_searches_metadata(qtbot, window: MainWindow) -> None:
    view = open_file(qtbot, window, ROLLBAR)
    press(qtbot, window, "Alt+7")  # metadata
    all_rows = view.metadata_view.model().rowCount()
    press(qtbot, window, "Ctrl+F")
    with qtbot.waitSignal(view.filter_applied, timeout=10000):
        QTest.keyClicks(view.filter_edit, "alice@example")
    model = view.metadata_view.model()
    assert 0 < model.rowCount() < all_rows
    shown = []
    stack = [model.index(r, 0) for r in range(model.rowCount())]
    while stack:
        index = stack.pop()
        shown.append(f"{index.data()}={index.siblingAtColumn(1).data()}")
        stack.extend(model.index(r, 0, index) for r in range(model.rowCount(index)))
    assert any("alice@example.com" in s for s in shown)
    with qtbot.waitSignal(view.filter_applied, timeout=10000) as blocker:
        QTest.keyClick(view.filter_edit, Qt.Key.Key_Escape)
    assert blocker.args == [""] and view.filter_edit.text() == ""
    assert view.metadata_view.model().rowCount() == all_rows


def test_the_file_menu_is_grouped_and_export_sits_above_quit(window: MainWindow) -> None:
    menu = window.menu("&File")
    window.arrange_file_menu()
    entries = ["---" if a.isSeparator() else a.text().replace("&", "") for a in menu.actions()]
    assert entries[-2:] == ["---", "Quit"]
    assert entries.index("Export") < entries.index("Close Tab") < entries.index("Quit")
    assert entries.index("New…") < entries.index("Open…") < entries.index("Save")
    groups = "|".join(entries).split("|---|")
    assert len(groups) >= 5 and all(groups)  # no empty group, no double separator


def test_session_reopens_last_files_and_the_sample_only_on_a_first_start(qtbot, tmp_path) -> None:
    from inspector.ui.app import default_sample, files_to_open

    first = settings.Settings()
    assert files_to_open([], first) == [default_sample()]
    later = settings.Settings(first_start_done=True)
    assert files_to_open([], later) == []

    window = MainWindow(install_panels=False)
    qtbot.addWidget(window)
    window.remember_session = True
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    shutil.copy(ROLLBAR, a)
    shutil.copy(APPCENTER_APPLE, b)
    for path in (a, b):
        open_file(qtbot, window, path)
    window.close()
    wait_all()
    assert files_to_open([], later) == [str(a.resolve()), str(b.resolve())]
    assert files_to_open([str(a)], later) == [str(a)]
    assert files_to_open([], settings.Settings(first_start_done=True, restore_session=False)) == []
    b.unlink()  # a file gone since: not reopened
    assert files_to_open([], later) == [str(a.resolve())]


def test_a_capture_from_the_receivers_inbox_opens_read_only(qtbot, window: MainWindow) -> None:
    from inspector.net.store import CaptureStore
    from tests.ui.test_capture_panel import make_record

    store = CaptureStore()  # the default inbox (an isolated data dir in tests)
    store.save((CORPUS / "rollbar" / "pyrollbar-1.5.0_trace.request.http").read_bytes(), make_record(store, 1))
    panel = window.show_panel("capture").widget()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10000)
    rect = panel.table.visualRect(panel.model.index(0, 0))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.keyClick(panel.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_document() is not None, timeout=10000)
    doc = window.current_document()
    assert doc.read_only and window.current_view().read_only_bar.isVisible()
    panel.shutdown()


def test_preferences_choose_the_send_profile_and_the_receivers_address(qtbot, window: MainWindow) -> None:
    from inspector.net.profiles import Profile, ProfileStore
    from inspector.ui.window.preferences import PreferencesDialog

    store = ProfileStore()
    for name in ("production", "staging"):
        store.put(Profile(name=name, kind="rollbar", base_url="http://127.0.0.1:9"))
    press(qtbot, window, "Ctrl+,")
    dialog = window.findChild(PreferencesDialog)
    qtbot.mouseClick(dialog.default_profile.lineEdit(), Qt.MouseButton.LeftButton)
    dialog.default_profile.lineEdit().selectAll()
    QTest.keyClicks(dialog.default_profile.lineEdit(), "staging")
    qtbot.mouseClick(dialog.receiver_port, Qt.MouseButton.LeftButton)
    dialog.receiver_port.lineEdit().selectAll()
    QTest.keyClicks(dialog.receiver_port, "0")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert window.settings.default_profile == "staging" and window.settings.receiver_port == 0

    send = window.show_panel("send").widget()
    assert send.profile_combo.currentData() == "staging"  # not the first one
    capture = window.show_panel("capture").widget()
    assert capture.port_spin.value() == 0 and capture.host_edit.text() == "127.0.0.1"
    capture.shutdown()
