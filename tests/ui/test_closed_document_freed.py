"""A closed tab lets its document go: once the collector runs, nothing holds the OpenDocument (no cycle through a Qt
connection, which the garbage collector cannot see: the draft keeper's slots on the document's own signals held it,
and so did a finished validation task's signals, kept by the document). Found with a 108 MB App Center batch: 150 MB
stayed after its tab closed, even after gc.collect()."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from inspector.formats import load_path
from inspector.ui.document import open_document
from inspector.ui.window.main_window import MainWindow
from tests.conftest import CORPUS

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

PAYLOAD = CORPUS / "appcenter" / "docs_appleError_threads_binaries.json"


@pytest.mark.parametrize("big", [False, True], ids=["validated at once", "validated on a worker"])
def test_a_closed_tab_frees_its_document(qtbot, monkeypatch: pytest.MonkeyPatch, big: bool) -> None:
    if big:  # the big document path: its validation is a task on the pool, kept by the document
        monkeypatch.setattr(open_document, "BIG_DOCUMENT", 0)
        monkeypatch.setattr(open_document, "FIRST_VALIDATION_DELAY_MS", 0)
    window = MainWindow()  # with its panels: the draft keeper watches every document
    qtbot.addWidget(window)
    window.open_submission(load_path(str(PAYLOAD)), PAYLOAD.name, Path(PAYLOAD))
    view = window.current_view()
    assert view is not None
    freed = weakref.ref(view.document)
    qtbot.waitUntil(lambda: not freed().validating, timeout=30000)  # type: ignore[union-attr]
    assert freed().problems is not None  # type: ignore[union-attr]
    del view
    assert window.close_tab(0)  # what the tab's close button and File › Close Tab do
    assert window.tabs.count() == 0
    qtbot.waitUntil(lambda: gc.collect() >= 0 and freed() is None, timeout=5000)
