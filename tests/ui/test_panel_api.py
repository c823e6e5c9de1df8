"""The window's typed panel API (issue 19 item 4): panels register hooks; none patches the window.

Driven as a user would: the tab's close button and Ctrl+W close a tab with an unsaved draft (it asks), Ctrl+Q quits
(it asks). Then guards that hold the rule: a window with its panels has no attribute a bare window lacks, the Quit
action and the tab bar's close signal have a bare window's receivers, and no Qt object in ``inspector.ui`` assigns an
attribute over a Qt method (``ConvertDialog.result``, ``ReceiverBridge.thread`` were such).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QTabBar

import inspector.ui
from inspector.ui.panels.compose.composer import composer_of
from inspector.ui.window.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def window(qtbot) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    return win


def _answer(monkeypatch, *answers: QMessageBox.StandardButton) -> list[str]:
    """QMessageBox.question answers ``answers`` in turn; returns the questions asked."""
    asked: list[str] = []
    queue = list(answers)

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return queue.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def _close_button(window: MainWindow, index: int):
    bar = window.tabs.tabBar()
    button = bar.tabButton(index, QTabBar.ButtonPosition.RightSide) or bar.tabButton(
        index, QTabBar.ButtonPosition.LeftSide
    )
    assert button is not None
    return button


def test_closing_a_tab_with_an_unsaved_draft_asks(qtbot, window: MainWindow, monkeypatch) -> None:
    closed: list[object] = []
    window.hooks.document_closed.append(closed.append)
    draft = composer_of(window).new_from_template("rollbar-message")
    assert draft is not None and draft.modified
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard)

    qtbot.mouseClick(_close_button(window, 0), Qt.MouseButton.LeftButton)  # Cancel: the tab stays
    assert len(asked) == 1 and "Save the changes" in asked[0]
    assert window.tabs.count() == 1 and window.current_document() is draft and closed == []

    qtbot.keyClick(window.tabs, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # Ctrl+W, Discard: it closes
    assert len(asked) == 2
    assert window.tabs.count() == 0 and closed == [draft]


def test_closing_an_unmodified_tab_does_not_ask(qtbot, window: MainWindow, monkeypatch) -> None:
    draft = composer_of(window).new_from_template("rollbar-message")
    assert draft is not None
    draft.undo_stack.setClean()
    asked = _answer(monkeypatch)
    qtbot.mouseClick(_close_button(window, 0), Qt.MouseButton.LeftButton)
    assert asked == [] and window.tabs.count() == 0


def test_quit_asks_and_cancel_keeps_the_window(qtbot, window: MainWindow, monkeypatch) -> None:
    composer_of(window).new_from_template("backtrace-error")
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard)
    qtbot.keyClick(window.tabs, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)  # File › Quit
    assert len(asked) == 1 and window.isVisible() and window.tabs.count() == 1
    qtbot.keyClick(window.tabs, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert len(asked) == 2 and not window.isVisible()


def test_a_panel_guard_is_asked_and_can_veto(qtbot, window: MainWindow, monkeypatch) -> None:
    """Any panel may register a guard: the window asks every guard, in order, and stops at the first no."""
    seen: list[str] = []
    window.hooks.quit_guards.append(lambda: seen.append("quit") or False)
    window.hooks.close_tab_guards.append(lambda doc: seen.append(doc.title) or False)
    draft = composer_of(window).new_from_template("rollbar-message")
    assert draft is not None
    draft.undo_stack.setClean()  # the compose guard agrees without asking
    _answer(monkeypatch)
    qtbot.mouseClick(_close_button(window, 0), Qt.MouseButton.LeftButton)
    assert seen == [draft.title] and window.tabs.count() == 1
    window.findChild(QAction, "quitAction").trigger()
    assert seen == [draft.title, "quit"] and window.isVisible()
    assert not window.close_all_tabs() and window.tabs.count() == 1


def test_panels_patch_nothing_on_the_window(qtbot) -> None:
    """Panels register through ``window.hooks``: the window with its panels has exactly the attributes of a bare
    window, none of them shadows a method, and the Quit action and the close button keep a bare window's receivers."""
    bare = MainWindow(install_panels=False)
    full = MainWindow()
    qtbot.addWidget(bare)
    qtbot.addWidget(full)
    assert full.panel_errors == {}
    assert set(vars(full)) == set(vars(bare)), set(vars(full)) ^ set(vars(bare))
    for name, value in vars(full).items():
        if isinstance(value, SignalInstance):  # PySide keeps a window's bound signals in its __dict__
            continue
        assert not callable(getattr(MainWindow, name, None)), f"window.{name} hides the method MainWindow.{name}"

    def receivers(win: MainWindow) -> tuple[int, int]:
        quit_action = win.findChild(QAction, "quitAction")
        return quit_action.receivers("2triggered(bool)"), win.tabs.receivers("2tabCloseRequested(int)")

    assert receivers(full) == receivers(bare) and receivers(bare)[1] == 1
    assert full.hooks.close_tab_guards and full.hooks.quit_guards and full.hooks.send_submission is not None


def _assigned(node: ast.AST) -> list[ast.expr]:
    """The targets an assignment statement assigns (none for other nodes)."""
    if isinstance(node, ast.Assign):
        return node.targets
    return [node.target] if isinstance(node, ast.AnnAssign) else []


def test_no_panel_module_assigns_an_attribute_of_the_window() -> None:
    """The same rule read from the source: no ``window.x = …`` / ``setattr(window, …)`` in a panel."""
    import inspector.ui.panels as panels

    found = []
    for info in pkgutil.walk_packages(panels.__path__, panels.__name__ + "."):
        spec = importlib.util.find_spec(info.name)
        assert spec is not None and spec.origin is not None
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            for target in _assigned(node):
                if isinstance(target, ast.Attribute) and ast.unparse(target.value) in ("window", "self.window"):
                    found.append(f"{info.name}:{node.lineno} {ast.unparse(target)}")
            call = isinstance(node, ast.Call) and ast.unparse(node.func) == "setattr" and node.args
            if call and ast.unparse(node.args[0]) in ("window", "self.window"):
                found.append(f"{info.name}:{node.lineno} setattr")
    assert found == []


def _qt_subclasses():
    for info in pkgutil.walk_packages(inspector.ui.__path__, inspector.ui.__name__ + "."):
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, QObject) and cls.__module__ == module.__name__:
                yield cls


def test_no_qt_object_assigns_over_a_qt_method() -> None:
    """``self.result = …`` on a QDialog hides ``QDialog.result()``; ``self.thread = …`` hides ``QObject.thread()``."""
    clashes = []
    classes = list(_qt_subclasses())
    assert len(classes) > 40  # the walk found the ui's widgets and models
    for cls in classes:
        qt_names = {name for base in cls.__mro__ if base.__module__.startswith("PySide6") for name in vars(base)}
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        for node in ast.walk(tree):
            for target in _assigned(node):
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and ast.unparse(part.value) == "self" and part.attr in qt_names:
                        clashes.append(f"{cls.__module__}.{cls.__name__}.{part.attr}")
    assert clashes == []


def test_a_panel_names_only_its_own_docks() -> None:
    """``window.panel_widget(name)`` / ``show_panel(name)`` / ``panel(name)`` name a dock the same feature package
    added (``add_panel(name, …)``): no panel reaches another by its name."""
    import inspector.ui.panels as panels

    for feature in panels.PANELS:
        package = importlib.import_module(f"{panels.__name__}.{feature}")
        added: set[str] = set()
        named: list[tuple[str, str]] = []
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            spec = importlib.util.find_spec(info.name)
            assert spec is not None and spec.origin is not None
            for node in ast.walk(ast.parse(Path(spec.origin).read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
                    continue
                first = node.args[0]
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    continue
                if node.func.attr == "add_panel":
                    added.add(first.value)
                elif node.func.attr in ("panel_widget", "show_panel", "panel"):
                    named.append((info.name, first.value))
        assert [(module, name) for module, name in named if name not in added] == [], feature
