"""Source-mapped JavaScript frames in the window (issue 16): the Source Maps dialog's folders applied to an open
Rollbar document on the worker pool; the frames view then lists original functions and places, and clicking a
frame shows its ``sourcesContent`` in the source pane with the line marked."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from inspector.formats import load_path
from inspector.ui.panels.sourcemaps import sourcemaps
from inspector.ui.panels.sourcemaps.install import apply_paths
from inspector.ui.panels.sourcemaps.sourcemaps import SourceMapsDialog
from inspector.ui.window.main_window import MainWindow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sourcemaps"

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture(autouse=True)
def _no_store() -> None:
    sourcemaps.set_store(None)
    yield
    sourcemaps.set_store(None)


def test_folder_from_the_dialog_maps_the_open_document(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow()
    qtbot.addWidget(window)
    assert "sourcemaps" not in window.panel_errors
    assert any(a.objectName() == "sourceMapsAction" for a in window.menu("&Tools").actions())
    path = FIXTURES / "rollbar-js_minified.json"
    document = window.open_submission(load_path(str(path)), path.name, path)
    view = window.current_view()
    assert view is not None
    view.show_view("frames")
    frames = document.reports[0].exceptions[0].frames
    assert frames[-1].function == "e" and frames[-1].file.endswith("bundle.min.js")  # not mapped yet

    dialog = SourceMapsDialog(window, paths=[])
    qtbot.addWidget(dialog)
    dialog.add_path(str(FIXTURES))
    task = apply_paths(window, dialog.paths())
    qtbot.waitUntil(
        lambda: task.done.is_set() and document.reports[0].exceptions[0].frames[-1].function != "e", timeout=15000
    )
    assert sourcemaps.saved_folders() == [str(FIXTURES)]

    model = view.frames_view.model()
    stack = model.index(0, 0)
    qtbot.waitUntil(lambda: model.rowCount(stack) == 5)
    texts = [model.index(r, 1, stack).data() for r in range(5)]
    places = [model.index(r, 2, stack).data() for r in range(5)]
    assert any(t.startswith("validateQuantity") for t in texts) and "src/validate.js:5:11" in places
    row = places.index("src/validate.js:5:11")
    rect = view.frames_view.visualRect(model.index(row, 1, stack))
    qtbot.mouseClick(view.frames_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    pane = view.source_pane
    qtbot.waitUntil(lambda: pane.marked_text() is not None)
    assert "throw new RangeError" in pane.marked_text()
    assert "src/validate.js:5" in pane.title.text()

    task = apply_paths(window, [])  # off again: the minified frames come back
    qtbot.waitUntil(
        lambda: task.done.is_set() and document.reports[0].exceptions[0].frames[-1].function == "e", timeout=15000
    )
